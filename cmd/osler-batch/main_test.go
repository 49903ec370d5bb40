package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/beamjob"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/classify/predict"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/sharedtest"
	"github.com/osler-health/osler/internal/summarize/batch"
	"github.com/osler-health/osler/internal/summarize/method"
)

// runBatch runs osler-batch in-process with args and fails the test on an
// error.
func runBatch(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr}
	if err := m.Run(context.Background(), args); err != nil {
		t.Fatalf("osler-batch %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// shardLines reads the n shards of prefix and returns their lines, sorted.
func shardLines(t *testing.T, prefix string, n int) []string {
	t.Helper()
	var lines []string
	for i := range n {
		b, err := os.ReadFile(beamjob.ShardName(prefix, i, n))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, splitLines(b)...)
	}
	slices.Sort(lines)
	return lines
}

func splitLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// sameLines compares the pipeline's lines with the library's, sorted.
func sameLines(t *testing.T, got []string, want []byte) {
	t.Helper()
	w := splitLines(want)
	slices.Sort(w)
	if len(got) != len(w) {
		t.Fatalf("batch wrote %d lines, the command %d", len(got), len(w))
	}
	for i := range w {
		if got[i] != w[i] {
			t.Fatalf("line %d (sorted) differs:\n batch:   %s\n command: %s", i, got[i], w[i])
		}
	}
}

// TestBatchPredictADE trains a classifier on the ADE train split and
// checks that osler-batch predict on prism writes, over 3 shards, exactly
// the lines osler predict's workflow (predict.Run) writes for dev.
func TestBatchPredictADE(t *testing.T) {
	dir := sharedtest.Path(t, "data", "ade_corpus_v2")
	ctx := context.Background()
	modelDir := filepath.Join(t.TempDir(), "ade-model")
	o := classify.DefaultFitOptions()
	o.Train = filepath.Join(dir, "train.jsonl")
	res, err := classify.Fit(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Save(modelDir); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(dir, "dev.jsonl")
	for _, format := range []string{"osler", "comprehend"} {
		t.Run(format, func(t *testing.T) {
			model, err := classify.Load(modelDir)
			if err != nil {
				t.Fatal(err)
			}
			in, err := dataset.Open(dev, nil, dataset.Options{IgnoreLabels: true})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var want bytes.Buffer
			if _, err := predict.Run(ctx, model, in, &want, predict.Options{Format: predict.Format(format), Input: dev, Threshold: -1}); err != nil {
				t.Fatal(err)
			}
			prefix := filepath.Join(t.TempDir(), "pred")
			runBatch(t, "predict", "--runner", "prism", "--model", modelDir, "--input", dev, "--output", prefix, "--shards", "3", "--format", format)
			sameLines(t, shardLines(t, prefix, 3), want.Bytes())
		})
	}
}

// TestBatchSummarizeExtractive checks osler-batch summarize (extractive,
// with provenance) against osler summarize's workflow (batch.Run) on the
// IU X-ray dev split.
func TestBatchSummarizeExtractive(t *testing.T) {
	dev := sharedtest.Path(t, "data", "iu_xray", "dev.jsonl")
	ctx := context.Background()
	s, err := method.Open(ctx, method.Spec{Kind: method.Extractive}, method.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	in, err := dataset.Open(dev, nil, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var want bytes.Buffer
	if _, err := batch.Run(ctx, s, in, &want, batch.Options{Workers: 2, Provenance: true, Input: dev, Output: "want"}); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(t.TempDir(), "sum")
	runBatch(t, "summarize", "--runner", "prism", "--method", "extractive", "--provenance", "--input", dev, "--output", prefix, "--shards", "2")
	sameLines(t, shardLines(t, prefix, 2), want.Bytes())
}

// TestBatchRouge checks osler-batch rouge against osler eval rouge
// --pairs --per-example (eval.ScoreStream with eval.PerExampleFile) on
// the shared ROUGE bench pairs: the per-pair lines, and the aggregate
// (means and bootstrap intervals) byte for byte.
func TestBatchRouge(t *testing.T) {
	pairs := sharedtest.Path(t, "fixtures", "rouge", "bench_pairs.jsonl")
	ctx := context.Background()
	types, err := eval.ParseRougeTypes("rouge1,rouge2,rougeL,rougeLsum")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := eval.NewRougeScorer(eval.RougeOptions{Types: types, Stemmer: true})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pairs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wantPer := filepath.Join(t.TempDir(), "per.jsonl")
	pe, err := eval.CreatePerExampleFile(wantPer, types)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.ScoreStream(ctx, eval.NewPairReader(f, pairs), eval.StreamOptions{OnExample: pe.Write})
	if err != nil {
		t.Fatal(err)
	}
	if err := pe.Commit(); err != nil {
		t.Fatal(err)
	}
	sum, err := res.Summarize(ctx, true, eval.TokenizerDefault, eval.BootstrapOptions{Samples: 200, Seed: 7, Confidence: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	var wantSum bytes.Buffer
	if err := report.WriteRougeSummary(&wantSum, report.JSON, sum); err != nil {
		t.Fatal(err)
	}

	prefix := filepath.Join(t.TempDir(), "rouge")
	runBatch(t, "rouge", "--runner", "prism", "--stemmer", "--bootstrap", "200", "--seed", "7", "--confidence", "0.9",
		"--input", pairs, "--output", prefix, "--shards", "3")
	per, err := os.ReadFile(wantPer)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, shardLines(t, prefix, 3), per)
	gotSum, err := os.ReadFile(prefix + "-summary.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotSum, wantSum.Bytes()) {
		t.Errorf("aggregate differs:\n batch:   %s\n command: %s", gotSum, wantSum.Bytes())
	}
}

// beamFlags returns a fresh flag set with the Beam options the runners
// read, so dry runs do not change the process's flags (which a later
// prism run reads).
func beamFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("beam", flag.ContinueOnError)
	for _, n := range []string{"endpoint", "environment_type", "environment_config", "job_name", "project", "region", "temp_location", "staging_location"} {
		fs.String(n, "", "")
	}
	fs.Int64("num_workers", 0, "")
	fs.Int("parallelism", -1, "")
	fs.Bool("async", false, "")
	return fs
}

// TestBeamFlagsAreTheRunners checks the names beamFlags fakes are the
// runners' real flags.
func TestBeamFlagsAreTheRunners(t *testing.T) {
	beamFlags().VisitAll(func(f *flag.Flag) {
		if flag.CommandLine.Lookup(f.Name) == nil {
			t.Errorf("no Beam flag --%s", f.Name)
		}
	})
}

// TestDryRun checks the plan each runner would submit: the Beam options
// passed through (hyphens or underscores), what each runner requires, and
// the dataflow staging default.
func TestDryRun(t *testing.T) {
	model := t.TempDir()
	base := []string{"--model", model, "--input", "notes/*.jsonl", "--output", "out/pred", "--dry-run"}
	gsBase := []string{"--model", "gs://b/model", "--input", "gs://b/notes/*.jsonl", "--output", "gs://b/out/pred", "--dry-run"}
	cases := []struct {
		name    string
		args    []string
		want    map[string]string // Beam options
		wantErr string
	}{
		{"flink", append([]string{"predict", "--runner", "flink", "--endpoint", "localhost:8099", "--environment-type=DOCKER", "--parallelism", "4"}, base...),
			map[string]string{"endpoint": "localhost:8099", "environment_type": "DOCKER"}, ""},
		{"spark", append([]string{"predict", "--runner", "spark", "--endpoint=spark-jobserver:8099", "--async"}, base...),
			map[string]string{"endpoint": "spark-jobserver:8099", "async": "true"}, ""},
		{"flink without endpoint", append([]string{"predict", "--runner", "flink"}, base...), nil, "--runner flink needs --endpoint"},
		{"dataflow", append([]string{"predict", "--runner", "dataflow", "--project", "p1", "--region", "europe-west4", "--temp-location", "gs://b/tmp", "--num_workers", "20"}, gsBase...),
			map[string]string{"project": "p1", "region": "europe-west4", "temp_location": "gs://b/tmp", "staging_location": "gs://b/tmp/staging", "num_workers": "20"}, ""},
		{"dataflow missing", append([]string{"predict", "--runner", "dataflow"}, gsBase...), nil, "needs --project, --region, --temp-location (or --staging-location)"},
		{"dataflow local paths", append([]string{"predict", "--runner", "dataflow", "--project", "p", "--region", "r", "--temp-location", "gs://b/t"}, base...), nil, "must be object-store paths"},
		{"unknown flag", append([]string{"predict", "--runner", "flink", "--no-such-flag", "1"}, base...), nil, "unknown flag --no-such-flag"},
		{"unknown runner", append([]string{"predict", "--runner", "storm"}, base...), nil, `unknown --runner "storm"`},
	}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			m := &Main{Stdout: &stdout, Stderr: &stderr, Beam: beamFlags()}
			err := m.Run(context.Background(), c.args)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, c.wantErr)
				}
				if exitCode(err) != 2 {
					t.Errorf("exit %d, want 2", exitCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var plan struct {
				Runner  string
				Options map[string]string
				Job     struct{ Job, Input, Output, Model string }
			}
			if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
				t.Fatalf("%v\n%s", err, stdout.String())
			}
			if plan.Runner != strings.Fields(c.name)[0] || plan.Job.Job != "predict" {
				t.Errorf("plan %+v", plan)
			}
			for k, v := range c.want {
				if plan.Options[k] != v {
					t.Errorf("option %s = %q, want %q (all: %v)", k, plan.Options[k], v, plan.Options)
				}
			}
		})
	}
}
