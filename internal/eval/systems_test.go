package eval

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recorder is a progress.Reporter that remembers what it was told.
type recorder struct {
	mu     sync.Mutex
	stages []string
	totals []int
	done   []int
}

func (r *recorder) Stage(name string, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stages, r.totals, r.done = append(r.stages, name), append(r.totals, total), append(r.done, 0)
}

func (r *recorder) Add(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[len(r.done)-1] += n
}

func compareFiles(t *testing.T) map[string]string {
	return writeFiles(t, map[string]string{
		"refs.jsonl": `{"id": "s1", "reference": "No acute cardiopulmonary abnormality."}
{"id": "s2", "reference": "Small right pleural effusion."}
{"id": "s3", "reference": "Stable cardiomegaly without edema."}
`,
		"sources.jsonl": `{"id": "s1", "source": "The heart is normal in size. The lungs are clear."}
{"id": "s2", "source": "There is a small right pleural effusion. No pneumothorax."}
{"id": "s3", "source": "Stable cardiomegaly. No pulmonary edema."}
`,
		// Out of reference order.
		"base.jsonl": `{"id": "s3", "prediction": "The heart is enlarged."}
{"id": "s1", "prediction": "No acute process."}
{"id": "s2", "prediction": "There is a left pleural effusion."}
`,
		"tuned.jsonl": `{"id": "s1", "prediction": "No acute cardiopulmonary abnormality."}
{"id": "s2", "prediction": "Small right pleural effusion."}
{"id": "s3", "prediction": "Stable cardiomegaly without edema."}
`,
		"few.jsonl": `{"id": "s1", "prediction": "No acute process."}` + "\n",
		"refs.txt":  "No acute cardiopulmonary abnormality.\nSmall right pleural effusion.\nStable cardiomegaly without edema.\n",
		"base.txt":  "No acute process.\nThere is a left pleural effusion.\nThe heart is enlarged.\n",
		"tuned.txt": "No acute cardiopulmonary abnormality.\nSmall right pleural effusion.\nStable cardiomegaly without edema.\n",
	})
}

func compareOptions(t *testing.T, f map[string]string, systems ...string) CompareRougeOptions {
	t.Helper()
	scorer, err := NewRougeScorer(RougeOptions{Types: []RougeType{Rouge1, RougeL}})
	if err != nil {
		t.Fatal(err)
	}
	opts := CompareRougeOptions{References: f["refs.jsonl"], Scorer: scorer, Workers: 2}
	for _, s := range systems {
		opts.Systems = append(opts.Systems, System{Name: strings.TrimSuffix(s, filepath.Ext(s)), Path: f[s]})
	}
	return opts
}

func TestCompareRouge(t *testing.T) {
	f := compareFiles(t)
	opts := compareOptions(t, f, "base.jsonl", "tuned.jsonl")
	opts.Bootstrap = BootstrapOptions{Samples: 50, Seed: 1}
	opts.Sources = f["sources.jsonl"]
	rec := &recorder{}
	opts.Progress = rec
	c, err := CompareRouge(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if c.References != f["refs.jsonl"] || len(c.Systems) != 2 {
		t.Fatalf("comparison %+v", c)
	}
	base, tuned := c.Systems[0], c.Systems[1]
	// Per-example scores come in reference order whatever the file's.
	if !slices.Equal(base.Result.IDs, []string{"s1", "s2", "s3"}) || base.Source != f["base.jsonl"] || base.Name != "base" {
		t.Errorf("base: %q from %s", base.Result.IDs, base.Source)
	}
	if tuned.Summary.Mean[RougeL].FMeasure != 1 || base.Summary.Mean[RougeL].FMeasure >= 1 || base.Summary.Bootstrap == nil || base.Summary.N != 3 {
		t.Errorf("summaries: base %+v, tuned %+v", base.Summary, tuned.Summary)
	}
	// The baseline has no difference; the other is compared with it.
	if base.Diff != nil || tuned.Diff == nil || tuned.Diff[RougeL].Low.FMeasure <= 0 {
		t.Errorf("differences: base %v, tuned %v", base.Diff, tuned.Diff)
	}
	// The checked summaries: base's left effusion contradicts its source.
	if base.Faithfulness == nil || base.Faithfulness.Unfaithful.Count != 1 || tuned.Faithfulness.Unfaithful.Count != 0 || base.Faithfulness.Unfaithful.Low == nil {
		t.Errorf("faithfulness: base %+v, tuned %+v", base.Faithfulness, tuned.Faithfulness)
	}
	if !slices.Equal(rec.stages, []string{"scoring base", "scoring tuned"}) || !slices.Equal(rec.totals, []int{3, 3}) || !slices.Equal(rec.done, []int{3, 3}) {
		t.Errorf("progress: stages %q totals %v done %v", rec.stages, rec.totals, rec.done)
	}
}

func TestCompareRougeWithoutBootstrap(t *testing.T) {
	f := compareFiles(t)
	opts := compareOptions(t, f, "base.txt", "tuned.txt")
	opts.References = f["refs.txt"]
	c, err := CompareRouge(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// .txt files are read line by line; nothing is bootstrapped.
	for _, s := range c.Systems {
		if s.Summary.Bootstrap != nil || s.Diff != nil || s.Faithfulness != nil {
			t.Errorf("%s: bootstrap %v, diff %v, faithfulness %v", s.Name, s.Summary.Bootstrap, s.Diff, s.Faithfulness)
		}
	}
	if c.Systems[1].Summary.Mean[Rouge1].FMeasure != 1 {
		t.Errorf("tuned.txt rouge1 %v", c.Systems[1].Summary.Mean[Rouge1])
	}
}

func TestCompareRougeErrors(t *testing.T) {
	f := compareFiles(t)
	ctx := context.Background()
	opts := compareOptions(t, f, "tuned.jsonl", "few.jsonl")
	_, err := CompareRouge(ctx, opts)
	if err == nil || !strings.Contains(err.Error(), "few.jsonl has no prediction for 2 of the 3 references") {
		t.Errorf("missing predictions: %v", err)
	}
	// A .txt system has no ids to join to the sources.
	opts = compareOptions(t, f, "tuned.txt")
	opts.References, opts.Sources = f["refs.txt"], f["sources.jsonl"]
	_, err = CompareRouge(ctx, opts)
	if err == nil || err.Error() != f["tuned.txt"]+": --sources needs JSONL predictions with ids, to match them to their documents" {
		t.Errorf(".txt with sources: %v", err)
	}
	opts = compareOptions(t, f, "tuned.jsonl")
	opts.References = filepath.Join(t.TempDir(), "absent.jsonl")
	if _, err := CompareRouge(ctx, opts); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent references: %v", err)
	}
	opts = compareOptions(t, f, "tuned.jsonl")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := CompareRouge(cctx, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestPlainTextFile(t *testing.T) {
	for name, want := range map[string]bool{"refs.txt": true, "REFS.TXT": true, "refs.jsonl": false, "txt": false, "-": false} {
		if got := plainTextFile(name); got != want {
			t.Errorf("plainTextFile(%q) = %v", name, got)
		}
	}
}
