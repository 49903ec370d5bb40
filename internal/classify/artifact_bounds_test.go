package classify

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/modeldir"
)

// overflowingWeights is a weights.bin whose header claims about 2^31 rows
// and 2^31 outputs, chosen so that the size they need, computed in 64
// bits, wraps around to the file's real size (11,992 bytes): the shape of
// the crafted file that crashed a server (issue 10).
func overflowingWeights() []byte {
	const size, rows, outputs = 11992, 2147587271, 2147380027
	b := make([]byte, size)
	copy(b, weightsMagic)
	le := binary.LittleEndian
	le.PutUint32(b[8:], FormatVersion)
	le.PutUint32(b[12:], outputs)
	le.PutUint32(b[16:], rows)
	le.PutUint32(b[20:], 16)
	le.PutUint64(b[24:], size)
	return b
}

// TestParseWeightsOverflowingHeader: a header whose counts overflow the
// size check is refused, not decoded (it panicked with "index out of
// range" after allocating 8 GB).
func TestParseWeightsOverflowingHeader(t *testing.T) {
	b := overflowingWeights()
	// The premise: the unchecked 64-bit arithmetic wraps to the file size.
	R, L := uint64(binary.LittleEndian.Uint32(b[16:])), uint64(binary.LittleEndian.Uint32(b[12:]))
	if headerSize+4*R+4*L+4*R*(1+L) != uint64(len(b)) {
		t.Fatal("the crafted header does not wrap around")
	}
	_, _, _, _, err := parseWeights(b)
	if err == nil || !strings.Contains(err.Error(), "rows") {
		t.Fatalf("parseWeights = %v, want an error about the rows and outputs", err)
	}
}

// resigned returns a model directory (in memory) holding meta and files
// with model.json's file sums and SHA256SUMS rewritten to match, as an
// attacker who can re-sign an artifact would produce it.
func resigned(t testing.TB, meta Metadata, files map[string][]byte) fstest.MapFS {
	t.Helper()
	meta.Files = map[string]FileSum{}
	for name, b := range files {
		meta.Files[name] = modeldir.Sum(b)
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	return resignedRaw(mb, files)
}

func resignedRaw(mb []byte, files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{metadataName: {Data: mb}}
	sums := modeldir.Sum(mb).SHA256 + "  " + metadataName + "\n"
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: b}
		sums += modeldir.Sum(b).SHA256 + "  " + name + "\n"
	}
	fsys[modeldir.SumsName] = &fstest.MapFile{Data: []byte(sums)}
	return fsys
}

// TestLoadFSCraftedWeights: a re-signed artifact whose weights.bin claims
// 2^31 rows passes the checksums and is refused as corrupt by the loader.
func TestLoadFSCraftedWeights(t *testing.T) {
	m, _, err := Train(context.Background(), testConfig(dataset.ModeBinary), &sliceReader{recs: synthBinary(200, 9)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fsys := resigned(t, m.Metadata(), map[string][]byte{weightsName: overflowingWeights()})
	_, err = LoadFS(fsys, ".", "crafted:1")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "weights.bin") {
		t.Fatalf("LoadFS = %v, want ErrCorrupt naming weights.bin", err)
	}
	// The same model, re-signed with its own weights, still loads.
	if _, err := LoadFS(resigned(t, m.Metadata(), map[string][]byte{weightsName: m.weightsBytes()}), ".", "good:1"); err != nil {
		t.Fatal(err)
	}
}

// FuzzLoadFS feeds re-signed artifacts (model.json and weights.bin mutated,
// checksums made to match, so the decoders and the consistency checks are
// what is exercised) to LoadFS: it must return an error or a model that
// scores, never panic, and never allocate much more than the input calls
// for.
func FuzzLoadFS(f *testing.F) {
	m, _, err := Train(context.Background(), testConfig(dataset.ModeMultiLabel), &sliceReader{recs: synthMultiLabel(120, 4, 3)}, nil)
	if err != nil {
		f.Fatal(err)
	}
	mb, err := json.Marshal(m.Metadata())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mb, m.weightsBytes())
	f.Add(mb, overflowingWeights())
	f.Add([]byte(`{"format":"osler-classifier","format_version":1,"mode":"binary","labels":["a","b"],"positive_label":"a","features":{"hash_bits":10}}`), []byte("OSLERCLF"))
	f.Fuzz(func(t *testing.T, meta, weights []byte) {
		var full Metadata
		if json.Unmarshal(meta, &full) == nil {
			// Keep model.json's own file list in step with the fuzzed
			// weights, so the checks past the checksums are reached.
			full.Files = map[string]FileSum{weightsName: modeldir.Sum(weights)}
			if b, err := json.Marshal(full); err == nil {
				meta = b
			}
		}
		fsys := resignedRaw(meta, map[string][]byte{weightsName: weights})
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		lm, err := LoadFS(fsys, ".", "fuzz:1")
		runtime.ReadMemStats(&after)
		// The rank index takes up to 2^26 bits (16 MB at hash_bits 26);
		// everything else is proportional to the input.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20+64*uint64(len(meta)+len(weights)) {
			t.Fatalf("loading %d+%d bytes allocated %d bytes", len(meta), len(weights), grew)
		}
		if err != nil {
			return
		}
		scores := lm.Scores("warfarin rash and bleeding")
		if len(scores) != len(lm.Labels()) {
			t.Fatalf("%d scores for %d labels", len(scores), len(lm.Labels()))
		}
	})
}
