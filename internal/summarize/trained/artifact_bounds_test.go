package trained

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/osler-health/osler/internal/modeldir"
)

var (
	fuzzModelOnce sync.Once
	fuzzModel     *Model
	fuzzModelErr  error
)

func smallModel(t testing.TB) *Model {
	t.Helper()
	fuzzModelOnce.Do(func() { fuzzModel, fuzzModelErr = trainedForFuzz() })
	if fuzzModelErr != nil {
		t.Fatal(fuzzModelErr)
	}
	return fuzzModel
}

// resave writes m to a new directory after edit changed its tables and
// metadata, with every checksum made to match: an artifact re-signed by
// whoever changed it.
func resave(t testing.TB, m *Model, edit func(p *payload, meta *Metadata)) string {
	t.Helper()
	p := *m.payload()
	meta := m.meta
	edit(&p, &meta)
	data, err := encodePayload(&p)
	if err != nil {
		t.Fatal(err)
	}
	return writeResigned(t, meta, data)
}

func writeResigned(t testing.TB, meta Metadata, data []byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "m")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range resignedFS(t, meta, data) {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// resignedFS is the model directory of meta and model.bin data, in
// memory, with model.json's file sum and SHA256SUMS made to match.
func resignedFS(t testing.TB, meta Metadata, data []byte) fstest.MapFS {
	t.Helper()
	meta.Files = map[string]FileSum{dataName: modeldir.Sum(data)}
	mb, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	sums := modeldir.Sum(data).SHA256 + "  " + dataName + "\n" + modeldir.Sum(mb).SHA256 + "  " + metadataName + "\n"
	return fstest.MapFS{
		metadataName:      {Data: mb},
		dataName:          {Data: data},
		modeldir.SumsName: {Data: []byte(sums)},
	}
}

// TestLoadRefusesUnsafeOptions: options that make every summary take
// unbounded time or memory (2^30 neighbours retrieved, frequent summaries
// checked or sentences combined) are refused when the model is loaded, in
// model.bin or in model.json, instead of loading and then hanging
// summarize (issue 10).
func TestLoadRefusesUnsafeOptions(t *testing.T) {
	m := smallModel(t)
	const huge = 1 << 30
	for _, tc := range []struct {
		name string
		set  func(o *Options)
	}{
		{"neighbors", func(o *Options) { o.Neighbors = huge }},
		{"mbr_neighbors", func(o *Options) { o.MBRNeighbors = huge }},
		{"frequent", func(o *Options) { o.Frequent = huge }},
		{"max_singles", func(o *Options) { o.MaxSingles = huge }},
		{"combine_top", func(o *Options) { o.CombineTop = huge }},
		{"max_extract", func(o *Options) { o.MaxExtract = huge }},
		{"trees", func(o *Options) { o.Trees = huge }},
		{"ensemble", func(o *Options) { o.Ensemble = huge }},
		{"depth", func(o *Options) { o.Depth = huge }},
		{"neighbors", func(o *Options) { o.Neighbors = -1 }},
	} {
		for _, where := range []string{"model.bin", "model.json"} {
			t.Run(tc.name+" in "+where, func(t *testing.T) {
				dir := resave(t, m, func(p *payload, meta *Metadata) {
					if where == "model.bin" {
						tc.set(&p.Options)
					} else {
						tc.set(&meta.Options)
					}
				})
				_, err := Load(dir)
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), tc.name) {
					t.Fatalf("Load = %v, want ErrCorrupt naming %s and %s", err, where, tc.name)
				}
			})
		}
	}
	// Unchanged, the re-saved model loads and summarizes.
	lm, err := Load(resave(t, m, func(*payload, *Metadata) {}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lm.Summarize(context.Background(), synthDoc); err != nil {
		t.Fatal(err)
	}
}

// TestLoadRefusesUnsafeRanker: trees deeper than the options allow (a walk
// per candidate as long as the tree is big) and more trees than training
// grows are refused.
func TestLoadRefusesUnsafeRanker(t *testing.T) {
	m := smallModel(t)
	chain := func(n int) tree {
		var tr tree
		for k := 0; k < n-1; k++ {
			tr.Nodes = append(tr.Nodes, node{Feature: 0, Left: int32(k + 1), Right: int32(k + 1)})
		}
		return tree{Nodes: append(tr.Nodes, node{Feature: -1})}
	}
	for _, tc := range []struct {
		name, want string
		edit       func(p *payload, meta *Metadata)
	}{
		{"deep tree", "deeper", func(p *payload, _ *Metadata) {
			p.Ranker.Trees = append([]tree{chain(100)}, p.Ranker.Trees[1:]...)
		}},
		{"too many trees", "trees", func(p *payload, _ *Metadata) {
			for len(p.Ranker.Trees) <= p.Options.Trees*p.Options.Ensemble {
				p.Ranker.Trees = append(p.Ranker.Trees, chain(2))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(resave(t, m, tc.edit))
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want ErrCorrupt about %s", err, tc.want)
			}
		})
	}
}

// TestSummaryLength: a training summary over MaxSummaryBytes is refused
// by Train and, in an artifact, by Load (each summary is compared token by
// token with the others for every document).
func TestSummaryLength(t *testing.T) {
	m := smallModel(t)
	long := strings.Repeat("Stable cardiomegaly. ", MaxSummaryBytes/20)
	_, err := Load(resave(t, m, func(p *payload, _ *Metadata) {
		p.Summaries = append([]string(nil), p.Summaries...)
		p.Summaries[0] = long
	}))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "over the 32768 a summary may have") {
		t.Fatalf("Load = %v", err)
	}
	exs := syntheticReports(40, 9)
	exs[3].Summary = long
	if _, _, err := Train(context.Background(), exs, Options{Trees: 5, CVFolds: 2}, nil); err == nil || !strings.Contains(err.Error(), "example 4") {
		t.Fatalf("Train = %v", err)
	}
}

// TestLoadBoundsDecompression: model.bin is decompressed with a limit, so
// a small file that expands without end (a gzip bomb) is refused once it
// passes the limit instead of being read into memory.
func TestLoadBoundsDecompression(t *testing.T) {
	m := smallModel(t)
	dir := resave(t, m, func(*payload, *Metadata) {})
	data, _ := os.ReadFile(filepath.Join(dir, dataName))
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	defer func(old int64) { maxPayloadBytes = old }(maxPayloadBytes)
	maxPayloadBytes = int64(len(plain))
	if _, err := Load(dir); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	maxPayloadBytes = int64(len(plain)) - 1
	if _, err := Load(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("past the limit: Load = %v", err)
	}
}

// FuzzLoadPayload feeds re-signed artifacts whose model.bin holds fuzzed
// gob bytes (compressed by the harness, so the decoder rather than gzip's
// checksum sees the mutations) and whose model.json holds fuzzed options:
// Load must return an error or a model that summarizes, never panic, and
// allocate no more than the input calls for.
func FuzzLoadPayload(f *testing.F) {
	m := smallModel(f)
	var plain bytes.Buffer
	if err := gob.NewEncoder(&plain).Encode(m.payload()); err != nil {
		f.Fatal(err)
	}
	opts, _ := json.Marshal(m.meta.Options)
	f.Add(plain.Bytes(), opts)
	f.Add(plain.Bytes()[:plain.Len()/2], []byte(`{"neighbors":1073741824}`))
	f.Add([]byte{}, []byte(`{}`))
	f.Fuzz(func(t *testing.T, gobBytes, options []byte) {
		meta := m.meta
		meta.Options = Options{}
		if json.Unmarshal(options, &meta.Options) != nil {
			meta.Options = m.meta.Options
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(gobBytes)
		zw.Close()
		fsys := resignedFS(t, meta, z.Bytes())
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		lm, err := LoadFS(fsys, ".", "fuzz")
		runtime.ReadMemStats(&after)
		// The faithfulness checker's lexicon and the sentence scorer's
		// table (at most 2^24 weights) are fixed costs; the rest grows
		// with the input.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20+256*uint64(len(gobBytes)+len(options)) {
			t.Fatalf("loading %d bytes allocated %d bytes", len(gobBytes)+len(options), grew)
		}
		if err != nil {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if _, err := lm.Summarize(ctx, synthDoc); err != nil && !errors.Is(err, ErrEmptyDocument) {
			t.Fatalf("loaded model fails: %v", err)
		}
	})
}
