package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/sharedtest"
)

// roundTrip is what the decision round trip measured: the dev micro-F1
// that osler train classifier printed and wrote, the one osler eval
// classification gives on osler predict's output, and the one computed
// here from the labels predict wrote.
type roundTrip struct {
	trainPrinted, trainPrintedAtHalf string  // the "micro" row of the training report
	trainMetrics                     float64 // metrics.json dev.model_thresholds.micro.f1
	eval, evalModel, evalAtHalf      float64 // eval classification --format json: default, --model, --thresholds 0.5
	evalPrinted                      string  // the "micro avg" F1 of eval classification's table
	fromLabels                       float64 // from predict's "labels"
}

// decisionRoundTrip trains on train with dev, predicts dev, evaluates the
// predictions and recomputes micro-F1 from the predicted labels.
func decisionRoundTrip(t *testing.T, dir, train, dev string, trainArgs ...string) roundTrip {
	t.Helper()
	var rt roundTrip
	model := filepath.Join(dir, "model")
	stdout, stderr, code := runOsler(t, "", append([]string{"train", "classifier", "--train", train, "--dev", dev, "--out", model}, trainArgs...)...)
	if code != 0 {
		t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, line := range strings.Split(stdout, "\n") {
		// "  micro  P  R  F1  P@0.5  R@0.5  F1@0.5"
		if f := strings.Fields(line); len(f) == 7 && f[0] == "micro" {
			rt.trainPrinted, rt.trainPrintedAtHalf = f[3], f[6]
		}
	}
	if rt.trainPrinted == "" {
		t.Fatalf("no micro row in the training report:\n%s", stdout)
	}
	var metrics struct {
		Dev struct {
			Model struct{ Micro struct{ F1 float64 } } `json:"model_thresholds"`
		}
	}
	b, _ := os.ReadFile(filepath.Join(model, "metrics.json"))
	if err := json.Unmarshal(b, &metrics); err != nil {
		t.Fatal(err)
	}
	rt.trainMetrics = metrics.Dev.Model.Micro.F1

	pred := filepath.Join(dir, "dev.pred.jsonl")
	if _, stderr, code := runOsler(t, "", "predict", "--model", model, "--input", dev, "--output", pred); code != 0 {
		t.Fatalf("predict: %s", stderr)
	}
	evalF1 := func(extra ...string) float64 {
		t.Helper()
		stdout, stderr, code := runOsler(t, "", append([]string{"eval", "classification", "--gold", dev, "--pred", pred, "--format", "json"}, extra...)...)
		if code != 0 {
			t.Fatalf("eval %v: exit %d: %s", extra, code, stderr)
		}
		var res struct {
			Decisions string
			Micro     struct{ F1 float64 }
		}
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatal(err)
		}
		return res.Micro.F1
	}
	rt.eval = evalF1()
	rt.evalModel = evalF1("--model", model)
	rt.evalAtHalf = evalF1("--thresholds", "0.5")
	stdout, _, _ = runOsler(t, "", "eval", "classification", "--gold", dev, "--pred", pred)
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == "micro" && f[1] == "avg" {
			rt.evalPrinted = f[4]
		}
	}
	if !strings.Contains(stdout, "labels as the predictions decided them") {
		t.Errorf("the table does not say the predictions' decisions were scored:\n%s", stdout)
	}

	// Micro-F1 from predict's labels, counted here.
	gold, err := dataset.ReadAll(dev, nil, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pred)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tp, fp, fn float64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var p struct {
			ID     string
			Labels []string
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != gold[i].ID {
			t.Fatalf("line %d: id %q, gold %q", i+1, p.ID, gold[i].ID)
		}
		for _, l := range p.Labels {
			if slices.Contains(gold[i].Labels, l) {
				tp++
			} else {
				fp++
			}
		}
		for _, l := range gold[i].Labels {
			if !slices.Contains(p.Labels, l) {
				fn++
			}
		}
	}
	prec, rec := tp/(tp+fp), tp/(tp+fn)
	rt.fromLabels = 2 * prec * rec / (prec + rec)
	return rt
}

// check asserts the round trip holds: every path gives the same number,
// to the last bit where it is serialized and to the printed digits where
// it is printed, and 0.5 gives another.
func (rt roundTrip) check(t *testing.T) {
	t.Helper()
	if rt.eval != rt.fromLabels || rt.eval != rt.trainMetrics || rt.eval != rt.evalModel {
		t.Errorf("micro-F1: eval classification %v, from predict's labels %v, training's metrics.json %v, eval --model %v: want all equal", rt.eval, rt.fromLabels, rt.trainMetrics, rt.evalModel)
	}
	if printed := report.Number(rt.eval); printed != rt.trainPrinted || printed != rt.evalPrinted {
		t.Errorf("printed micro-F1: train %s, eval table %s, eval JSON %s", rt.trainPrinted, rt.evalPrinted, printed)
	}
	if report.Number(rt.evalAtHalf) != rt.trainPrintedAtHalf {
		t.Errorf("micro-F1 at 0.5: eval --thresholds 0.5 %s, train printed %s", report.Number(rt.evalAtHalf), rt.trainPrintedAtHalf)
	}
	if rt.evalAtHalf == rt.eval {
		t.Errorf("micro-F1 %v at the model's thresholds and at 0.5: the data should tell them apart", rt.eval)
	}
}

// TestDecisionRoundTripSynthetic trains on synthetic multi-label notes
// (osler data synth, osler data split) and checks that training, predict
// and eval classification agree on the dev micro-F1.
func TestDecisionRoundTripSynthetic(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ml.jsonl")
	if _, stderr, code := runOsler(t, "", "data", "synth", "--kind", "multilabel", "-n", "400", "--seed", "3", "--out", data); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := runOsler(t, "", "data", "split", data, "--test", "0.2", "--dev", "0.3", "--seed", "1"); code != 0 {
		t.Fatal(stderr)
	}
	rt := decisionRoundTrip(t, dir, filepath.Join(dir, "ml.train.jsonl"), filepath.Join(dir, "ml.dev.jsonl"), "--hash-bits", "16")
	rt.check(t)
	t.Logf("synthetic dev micro-F1: %+v", rt)
}

// TestDecisionRoundTripHoC is the same on the Hallmarks of Cancer corpus
// (10 labels, multi-label) with the default training options.
func TestDecisionRoundTripHoC(t *testing.T) {
	train := sharedtest.Path(t, "data", "hoc", "train.jsonl")
	dev := sharedtest.Path(t, "data", "hoc", "dev.jsonl")
	rt := decisionRoundTrip(t, t.TempDir(), train, dev)
	rt.check(t)
	t.Logf("HoC dev micro-F1: %+v", rt)
}

// TestPredictEvalIDConvention predicts a CSV with a header and no id
// column, whose quoted texts span several lines, and a .txt of one text
// per line, and evaluates each against its gold file: records without an
// id are known by their line number, in osler's output (1-based "id") and
// in the service's shape (0-based "Line"), and every path scores the same.
func TestPredictEvalIDConvention(t *testing.T) {
	dir := t.TempDir()
	train, dev := synthMultiLabelFiles(t, dir, 300)
	model := filepath.Join(dir, "m")
	if _, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--dev", dev, "--out", model, "--hash-bits", "16", "--c", "4", "--nb", "off"); code != 0 {
		t.Fatal(stderr)
	}
	recs, err := dataset.ReadAll(dev, nil, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	multiLine := 0
	var csv, txt, flat bytes.Buffer
	csv.WriteString("note,problems\n")
	for _, r := range recs {
		if strings.Contains(r.Text, "\n") {
			multiLine++
		}
		csv.WriteString(`"` + strings.ReplaceAll(r.Text, `"`, `""`) + `",` + strings.Join(r.Labels, "|") + "\n")
		one := strings.Join(strings.Fields(r.Text), " ")
		txt.WriteString(one + "\n")
		b, _ := json.Marshal(map[string]any{"text": one, "labels": r.Labels})
		flat.Write(append(b, '\n'))
	}
	if multiLine == 0 {
		t.Fatal("no multi-line text: the CSV's line numbers would be trivial")
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goldCSV, goldFlat, texts := write("dev.csv", csv.Bytes()), write("flat.jsonl", flat.Bytes()), write("dev.txt", txt.Bytes())
	microF1 := func(gold string, goldArgs []string, input string, inputArgs []string, format string) (float64, string) {
		t.Helper()
		pred := filepath.Join(dir, "pred-"+format+"-"+filepath.Base(input)+".jsonl")
		args := append([]string{"predict", "--model", model, "--input", input, "--output", pred, "--format", format}, inputArgs...)
		if _, stderr, code := runOsler(t, "", args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
		b, _ := os.ReadFile(pred)
		first := strings.SplitN(string(b), "\n", 2)[0]
		args = append([]string{"eval", "classification", "--gold", gold, "--pred", pred, "--format", "json"}, goldArgs...)
		stdout, stderr, code := runOsler(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var res struct {
			N         int
			Decisions string
			Micro     struct{ F1 float64 }
		}
		json.Unmarshal([]byte(stdout), &res)
		if res.N != len(recs) || res.Decisions != "predictions" {
			t.Fatalf("%v: %d examples decided by %q", args, res.N, res.Decisions)
		}
		return res.Micro.F1, first
	}
	csvArgs := []string{"--input-text-column", "note", "--input-label-column", "problems"}
	goldCSVArgs := []string{"--gold-text-column", "note", "--gold-label-column", "problems"}
	want, first := microF1(goldCSV, goldCSVArgs, goldCSV, csvArgs, "osler")
	if !strings.HasPrefix(first, `{"id":"2",`) {
		t.Errorf("the CSV's first record (line 2, after the header) has id %s", first)
	}
	if got, first := microF1(goldCSV, goldCSVArgs, goldCSV, csvArgs, "comprehend"); got != want || !strings.Contains(first, `"Line":"1"`) {
		t.Errorf("CSV, service shape: micro-F1 %v, want %v; first line %s", got, want, first)
	}
	// The CSV's texts are the JSONL's, so the scores are too.
	if got, _ := microF1(dev, nil, dev, nil, "osler"); got != want {
		t.Errorf("JSONL: micro-F1 %v, the CSV gives %v", got, want)
	}
	// A .txt of the flattened texts, one per line, against a gold file
	// without ids holding the same texts on the same lines.
	wantFlat, first := microF1(goldFlat, nil, texts, nil, "osler")
	if !strings.HasPrefix(first, `{"id":"1",`) {
		t.Errorf(".txt: first line %s", first)
	}
	if got, first := microF1(goldFlat, nil, texts, nil, "comprehend"); got != wantFlat || !strings.HasPrefix(first, `{"File":"dev.txt","Line":"0",`) {
		t.Errorf(".txt, service shape: micro-F1 %v, want %v; first line %s", got, wantFlat, first)
	}
	// A header-less gold against a CSV with a header is off by one line,
	// which is refused rather than mismatched.
	_, stderr, code := runOsler(t, "", "eval", "classification", "--gold", goldFlat, "--pred", filepath.Join(dir, "pred-osler-dev.csv.jsonl"))
	if code != 1 || !strings.Contains(stderr, "records without an id are known by their line number") {
		t.Errorf("mismatched line numbers: exit %d, %s", code, stderr)
	}
}
