package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/sharedtest"
	"github.com/osler-health/osler/internal/summarize/trained"
)

// runTrainSummarizerCmd runs osler train summarizer in-process. It calls the
// command directly so the test does not depend on where the command is
// registered.
func runTrainSummarizerCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
	code = m.exitCode(m.runTrainSummarizer(context.Background(), args))
	return out.String(), errb.String(), code
}

// writePairs writes n synthetic radiology-like pairs as JSONL.
func writePairs(t *testing.T, path string, n, seed int) {
	t.Helper()
	var b strings.Builder
	sides := []string{"left", "right"}
	for i := 0; i < n; i++ {
		k := (i*7 + seed*3) % 5
		side := sides[(i/5+seed)%2]
		var src, sum string
		switch k {
		case 0, 1:
			src, sum = "The heart size is normal. The lungs are clear. No pleural effusion or pneumothorax.", "No acute cardiopulmonary abnormality."
		case 2:
			src = fmt.Sprintf("FINDINGS:\nThe heart size is normal. There is a small %s pleural effusion. No pneumothorax.", side)
			sum = fmt.Sprintf("Small %s pleural effusion.", side)
		case 3:
			src = fmt.Sprintf("Heart size normal. Focal consolidation in the %s lower lobe. No effusion.", side)
			sum = fmt.Sprintf("%s lower lobe pneumonia.", strings.ToUpper(side[:1])+side[1:])
		default:
			src, sum = fmt.Sprintf("The heart is enlarged. Lungs clear. Degenerative change %d.", i%9), "Cardiomegaly."
		}
		rec, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("p%d-%d", seed, i), "source": src, "summary": sum})
		b.Write(rec)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTrainSummarizerCommand(t *testing.T) {
	dir := t.TempDir()
	train, dev, out := filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "dev.jsonl"), filepath.Join(dir, "model")
	writePairs(t, train, 120, 1)
	writePairs(t, dev, 30, 2)
	stdout, stderr, code := runTrainSummarizerCmd(t, "--train", train, "--dev", dev, "--out", out, "--trees", "40", "--cv-folds", "3")
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	for _, want := range []string{"trained a summarizer on 120 pairs", "cross-validated on --train (3 folds", "dev " + dev + ": 30 pairs",
		"trained", "nearest-neighbour", "most-frequent", "lead-1", "textrank-1", "ROUGE-Lsum", "abnormal"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	m, err := trained.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	meta := m.Metadata()
	if meta.Data["train"].Records != 120 || len(meta.Data["train"].SHA256) != 64 || meta.Data["dev"].Records != 30 {
		t.Fatalf("data files in metadata: %+v", meta.Data)
	}
	if meta.Metrics["dev"] == nil || meta.Metrics["dev"].All.N != 30 || meta.Options.Trees != 40 || meta.Options.CVFolds != 3 {
		t.Fatalf("metrics or options in metadata: %+v %+v", meta.Metrics, meta.Options)
	}

	// The model serves osler summarize --method model:DIR.
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"id":"q1","source":"The heart size is normal. There is a small right pleural effusion. No pneumothorax."}`+"\n"), 0o644)
	sout, serr, code := runOsler(t, "", "summarize", "--method", "model:"+out, "--input", in, "--provenance")
	if code != 0 {
		t.Fatalf("summarize: exit %d: %s", code, serr)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(sout)), &line); err != nil {
		t.Fatalf("summarize output %q: %v", sout, err)
	}
	if s, _ := line["summary"].(string); !strings.Contains(strings.ToLower(s), "right") || strings.Contains(strings.ToLower(s), "left") {
		t.Fatalf("summary of a right effusion: %q", s)
	}
	if method, _ := line["method"].(string); !strings.HasPrefix(method, "trained:") {
		t.Fatalf("provenance method %v", line["method"])
	}
	sout, serr, code = runOsler(t, "", "summarize", "--method", "extractive", "--input", in)
	if code != 0 || !strings.Contains(sout, "pleural effusion") {
		t.Fatalf("summarize --method extractive: exit %d, %s %s", code, sout, serr)
	}
}

func TestTrainSummarizerErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	writePairs(t, good, 30, 1)
	noSummary := filepath.Join(dir, "nosum.jsonl")
	os.WriteFile(noSummary, []byte(`{"id":"a","source":"Heart normal.","summary":"Normal."}`+"\n"+`{"id":"b","source":"Lungs clear."}`+"\n"), 0o644)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, []byte("x"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no train", []string{"--out", filepath.Join(dir, "m")}, 2, "--train is required"},
		{"no out", []string{"--train", good}, 2, "--out is required"},
		{"positional", []string{"--train", good, "--out", filepath.Join(dir, "m"), "extra"}, 2, "unexpected argument"},
		{"bad objective", []string{"--train", good, "--out", filepath.Join(dir, "m"), "--objective", "rougeX"}, 2, "--objective"},
		{"bad depth", []string{"--train", good, "--out", filepath.Join(dir, "m"), "--depth", "30"}, 2, "depth 30"},
		{"one fold", []string{"--train", good, "--out", filepath.Join(dir, "m"), "--cv-folds", "1"}, 2, "--cv-folds"},
		{"missing summary", []string{"--train", noSummary, "--out", filepath.Join(dir, "m")}, 1, `nosum.jsonl:2: field "summary"`},
		{"missing file", []string{"--train", filepath.Join(dir, "absent.jsonl"), "--out", filepath.Join(dir, "m")}, 1, "no such file"},
		{"out is a file", []string{"--train", good, "--out", notDir, "--trees", "5", "--no-cv"}, 1, "not a model directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runTrainSummarizerCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tt.code, stderr, tt.msg)
			}
		})
	}
	small := filepath.Join(dir, "small.jsonl")
	writePairs(t, small, 5, 1)
	_, stderr, code := runTrainSummarizerCmd(t, "--train", small, "--out", filepath.Join(dir, "m2"))
	if code != 1 || !strings.Contains(stderr, "too few training examples") {
		t.Fatalf("5 pairs: exit %d, %q", code, stderr)
	}
	stdout, _, code := runOsler(t, "", "train", "summarizer", "--help")
	if code != 0 || !strings.Contains(stdout, "Example:") || !strings.Contains(stdout, "-ensemble") {
		t.Fatalf("osler train summarizer --help: exit %d\n%s", code, stdout)
	}
}

// TestTrainSummarizerIUXray trains on IU X-ray (when ../shared is present)
// with the library call osler train summarizer makes (trained.Fit, with the
// command's defaults and --no-cv) and checks the dev results it returns
// clear the bars: ROUGE-L 3 points above the nearest neighbour and at
// least 0.6863 (issue #9: no more than 0.01 below the 0.6963 of the model
// without the faithfulness guard), not below the nearest neighbour on the
// abnormal subset, and fewer than 1.5% of the summaries with a claim their
// source does not back. The saved model then runs the hand-written
// checklist through the commands a user runs.
func TestTrainSummarizerIUXray(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: trains on IU X-ray (tens of seconds); run without -short")
	}
	o := trained.DefaultFitOptions()
	o.Train = sharedtest.Path(t, "data", "iu_xray", "train.jsonl")
	o.Dev = sharedtest.Path(t, "data", "iu_xray", "dev.jsonl")
	o.Options.SkipCrossValidation = true
	res, err := trained.Fit(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "iu.model")
	if err := res.Save(out); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", text.String())
	results := map[string]*trained.EvalReport{}
	for _, r := range res.Report.Results {
		results[r.Name] = r.Report
	}
	got, nnRep := results["trained"], results["nearest-neighbour"]
	if got == nil || got.Faithfulness == nil || nnRep == nil {
		t.Fatalf("no dev report with faithfulness, or no nearest-neighbour baseline: %+v", res.Report.Results)
	}
	if stored := res.Model.Metadata().Metrics["dev"]; stored == nil || stored.All.RougeL != got.All.RougeL {
		t.Errorf("model.json's dev metrics %+v differ from the result's", stored)
	}
	if got.All.RougeL < nnRep.All.RougeL+0.03 || got.All.RougeL < 0.6863 {
		t.Errorf("dev ROUGE-L %.4f, nearest neighbour %.4f: want 3 points more, and at least 0.6863", got.All.RougeL, nnRep.All.RougeL)
	}
	if got.Abnormal.RougeL < nnRep.Abnormal.RougeL {
		t.Errorf("abnormal dev ROUGE-L %.4f below the nearest neighbour's %.4f", got.Abnormal.RougeL, nnRep.Abnormal.RougeL)
	}
	if f := got.Faithfulness.Unfaithful; f.Share >= 0.015 {
		t.Errorf("%d of %d dev summaries (%.1f%%) have a claim their source does not back; want under 1.5%%", f.Count, f.N, 100*f.Share)
	}
	if got.Faithfulness.CriticalMissed.Count > 0 {
		t.Errorf("%d dev summaries miss a critical finding of their source", got.Faithfulness.CriticalMissed.Count)
	}

	// The hand-written checklist, through the commands a user runs: at
	// most 10% of the cases fail and no critical finding becomes a normal
	// study.
	cases := filepath.Join("..", "..", "internal", "summarize", "trained", "testdata", "radiology_cases.jsonl")
	sums := filepath.Join(t.TempDir(), "cases.sum.jsonl")
	if _, stderr, code := runOsler(t, "", "summarize", "--method", "model:"+out, "--input", cases, "--output", sums); code != 0 {
		t.Fatalf("summarize the cases: exit %d: %s", code, stderr)
	}
	js, stderr, code := runOsler(t, "", "eval", "cases", "--cases", cases, "--summaries", sums, "--format", "json")
	if code != 0 {
		t.Fatalf("eval cases: exit %d: %s", code, stderr)
	}
	var rep eval.CaseReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	table, _, _ := runOsler(t, "", "eval", "cases", "--cases", cases, "--summaries", sums)
	t.Logf("\n%s", table)
	if rep.Cases < 40 || rep.FailRate > 0.10 || rep.CriticalNormalized > 0 || rep.Unfaithful > 0 {
		t.Errorf("checklist: %d of %d cases failed (%.1f%%, want at most 10%%), %d critical findings turned normal, %d unfaithful",
			rep.Failed, rep.Cases, 100*rep.FailRate, rep.CriticalNormalized, rep.Unfaithful)
	}
}
