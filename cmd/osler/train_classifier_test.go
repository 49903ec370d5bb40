package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/synth"
	"github.com/osler-health/osler/internal/text"
)

// synthADE writes synthetic ADE sentences split 70/15/15 into train, dev
// and test JSONL files, and all their relations into one file.
func synthADE(t *testing.T, dir string, n int) (train, dev, test, relations string) {
	t.Helper()
	var files [3]bytes.Buffer
	var rel bytes.Buffer
	err := synth.Generate(context.Background(), synth.Options{Kind: synth.KindADE, Seed: 3}, n, func(s synth.Sample) error {
		// Split by the text's near-duplicate key, so repeated texts stay
		// in one split (as osler data split does).
		i := 0
		switch k := text.NearDupKey(s.Record.Text) % 20; {
		case k < 3:
			i = 1
		case k < 6:
			i = 2
		}
		b, _ := json.Marshal(map[string]any{"id": s.Record.ID, "text": s.Record.Text, "labels": s.Record.Labels})
		files[i].Write(append(b, '\n'))
		for _, r := range s.Relations {
			b, _ := json.Marshal(r)
			rel.Write(append(b, '\n'))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	paths := [4]string{filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "dev.jsonl"), filepath.Join(dir, "test.jsonl"), filepath.Join(dir, "relations.jsonl")}
	for i, b := range append(files[:], rel) {
		if err := os.WriteFile(paths[i], b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths[0], paths[1], paths[2], paths[3]
}

// synthMultiLabelFiles writes synthetic multi-label clinic notes split
// 80/20 into train and dev.
func synthMultiLabelFiles(t *testing.T, dir string, n int) (train, dev string) {
	t.Helper()
	var tr, dv bytes.Buffer
	k := 0
	err := synth.Generate(context.Background(), synth.Options{Kind: synth.KindMultiLabel, Seed: 5}, n, func(s synth.Sample) error {
		b, _ := json.Marshal(map[string]any{"id": s.Record.ID, "text": s.Record.Text, "labels": s.Record.Labels})
		w := &tr
		if k++; k%5 == 0 {
			w = &dv
		}
		w.Write(append(b, '\n'))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	train, dev = filepath.Join(dir, "ml.train.jsonl"), filepath.Join(dir, "ml.dev.jsonl")
	os.WriteFile(train, tr.Bytes(), 0o644)
	os.WriteFile(dev, dv.Bytes(), 0o644)
	return train, dev
}

func TestTrainClassifierEndToEnd(t *testing.T) {
	dir := t.TempDir()
	train, dev, test, rel := synthADE(t, dir, 3000)
	model := filepath.Join(dir, "model")
	stdout, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--dev", dev, "--test", test,
		"--lexicon", rel, "--out", model, "--hash-bits", "16")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"trained a binary classifier", "positive label: Adverse_Event", "thresholds: dev", "dev (", "test (", "P@0.5", "wrote " + model} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// The relations of dev and test sentences are not learned from.
	if !strings.Contains(stderr, "skipped") || !strings.Contains(stderr, "whose sentence is in "+dev) {
		t.Errorf("stderr does not report the skipped lexicon entries:\n%s", stderr)
	}
	if !strings.Contains(stderr, "mode: binary (inferred") {
		t.Errorf("the inferred mode is not reported:\n%s", stderr)
	}
	for _, f := range []string{"model.json", "weights.bin", "lexicon.json", "SHA256SUMS", "metrics.json", "report.html", "report-dev.html"} {
		if _, err := os.Stat(filepath.Join(model, f)); err != nil {
			t.Error(err)
		}
	}
	var metrics struct {
		Dev, Test struct {
			File  string `json:"file"`
			Model struct {
				Binary struct{ F1 float64 } `json:"binary"`
				N      int                  `json:"n"`
			} `json:"model_thresholds"`
			AtHalf *struct{} `json:"threshold_0_5"`
		}
	}
	b, _ := os.ReadFile(filepath.Join(model, "metrics.json"))
	if err := json.Unmarshal(b, &metrics); err != nil {
		t.Fatal(err)
	}
	if metrics.Test.File != test || metrics.Test.Model.N == 0 || metrics.Test.AtHalf == nil {
		t.Errorf("metrics.json test section: %+v", metrics.Test)
	}
	// The generator labels ambiguous sentences by a hash of their text,
	// which caps F1 well below 1; predicting every sentence positive gives
	// about 0.32.
	if metrics.Test.Model.Binary.F1 < 0.7 {
		t.Errorf("test F1 %.4f on synthetic ADE sentences, want >= 0.7", metrics.Test.Model.Binary.F1)
	}
	var meta struct {
		Data    map[string]struct{ SHA256 string } `json:"data"`
		Metrics struct {
			Test struct{ F1 *float64 } `json:"test"`
		} `json:"metrics"`
	}
	b, _ = os.ReadFile(filepath.Join(model, "model.json"))
	json.Unmarshal(b, &meta)
	if len(meta.Data) != 3 || len(meta.Data["train"].SHA256) != 64 {
		t.Errorf("model.json data: %+v", meta.Data)
	}
	if meta.Metrics.Test.F1 == nil || *meta.Metrics.Test.F1 != metrics.Test.Model.Binary.F1 {
		t.Errorf("model.json metrics.test.f1 = %v, metrics.json says %v", meta.Metrics.Test.F1, metrics.Test.Model.Binary.F1)
	}

	// Predictions in both shapes, in order, the same with 1 and 4 workers.
	testRecs, err := dataset.ReadAll(test, nil, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out1 := filepath.Join(dir, "pred1.jsonl")
	if _, stderr, code := runOsler(t, "", "predict", "--model", model, "--input", test, "--output", out1, "--workers", "1"); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	checkOslerPredictions(t, out1, testRecs, []string{"Adverse_Event", "Not_AE"}, false)
	out4 := filepath.Join(dir, "pred4.jsonl")
	if _, stderr, code := runOsler(t, "", "predict", "--model", model, "--input", test, "--output", out4, "--workers", "4"); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	b1, _ := os.ReadFile(out1)
	b4, _ := os.ReadFile(out4)
	if !bytes.Equal(b1, b4) {
		t.Error("1 and 4 workers write different predictions")
	}
	input, _ := os.ReadFile(test)
	stdout, stderr, code = runOsler(t, string(input), "predict", "--model", model, "--format", "comprehend")
	if code != 0 {
		t.Fatalf("predict --format comprehend: exit %d: %s", code, stderr)
	}
	checkComprehendPredictions(t, stdout, len(testRecs), "stdin", "Classes", []string{"Adverse_Event", "Not_AE"}, oslerDecisions(t, string(b1)))
}

// checkOslerPredictions checks every line has exactly id, labels and
// scores, with a score in [0,1] for every label, in input order.
func checkOslerPredictions(t *testing.T, path string, recs []dataset.Record, labels []string, multi bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for ; sc.Scan(); i++ {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if len(raw) != 3 || raw["id"] == nil || raw["labels"] == nil || raw["scores"] == nil {
			t.Fatalf("line %d: want exactly id, labels, scores: %s", i+1, sc.Bytes())
		}
		var p struct {
			ID     string             `json:"id"`
			Labels []string           `json:"labels"`
			Scores map[string]float64 `json:"scores"`
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := recs[i].ID
		if want == "" {
			want = fmt.Sprint(recs[i].Line)
		}
		if p.ID != want {
			t.Fatalf("line %d: id %q, want %q", i+1, p.ID, want)
		}
		if len(p.Scores) != len(labels) {
			t.Fatalf("line %d: %d scores, want one per label", i+1, len(p.Scores))
		}
		for _, l := range labels {
			s, ok := p.Scores[l]
			if !ok || s < 0 || s > 1 {
				t.Fatalf("line %d: score of %q is %v", i+1, l, s)
			}
		}
		if !multi && len(p.Labels) != 1 {
			t.Fatalf("line %d: %d labels predicted, want 1", i+1, len(p.Labels))
		}
		for _, l := range p.Labels {
			if !slices.Contains(labels, l) {
				t.Fatalf("line %d: unknown label %q", i+1, l)
			}
		}
	}
	if i != len(recs) {
		t.Fatalf("%d predictions for %d records", i, len(recs))
	}
}

// oslerDecisions reads the "labels" of osler predict's output.
func oslerDecisions(t *testing.T, out string) [][]string {
	t.Helper()
	var all [][]string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var p struct{ Labels []string }
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Labels)
	}
	return all
}

// checkComprehendPredictions checks the managed service's output shape:
// exactly File, Line, the service's list (each entry exactly Name and
// Score, every label, sorted by score), and Osler's extra "Predicted",
// which must be the decisions osler predict writes as "labels".
func checkComprehendPredictions(t *testing.T, out string, n int, file, key string, labels []string, decided [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != n || len(decided) != n {
		t.Fatalf("%d lines and %d decisions for %d records", len(lines), len(decided), n)
	}
	for i, line := range lines {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if len(raw) != 4 || raw["File"] == nil || raw["Line"] == nil || raw[key] == nil || raw["Predicted"] == nil {
			t.Fatalf("line %d: want exactly File, Line, %s and Predicted: %s", i+1, key, line)
		}
		type entry struct {
			Name  string
			Score float64
		}
		var p struct {
			File      string
			Line      string
			Classes   []entry
			Labels    []entry
			Predicted []string
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields() // the entries are exactly the service's
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		classes := p.Classes
		if key == "Labels" {
			classes = p.Labels
		}
		if p.File != file || p.Line != fmt.Sprint(i) {
			t.Fatalf("line %d: File %q Line %q, want %q %q (0-based)", i+1, p.File, p.Line, file, fmt.Sprint(i))
		}
		if len(classes) != len(labels) {
			t.Fatalf("line %d: %d classes, want %d", i+1, len(classes), len(labels))
		}
		for k, c := range classes {
			if !slices.Contains(labels, c.Name) || c.Score < 0 || c.Score > 1 {
				t.Fatalf("line %d: class %+v", i+1, c)
			}
			if k > 0 && c.Score > classes[k-1].Score {
				t.Fatalf("line %d: classes not sorted by score", i+1)
			}
		}
		if !slices.Equal(p.Predicted, decided[i]) && !(len(p.Predicted) == 0 && len(decided[i]) == 0) {
			t.Fatalf("line %d: Predicted %q, osler predict decides %q", i+1, p.Predicted, decided[i])
		}
	}
}

func TestTrainAndPredictMultiLabel(t *testing.T) {
	dir := t.TempDir()
	train, dev := synthMultiLabelFiles(t, dir, 600)
	model := filepath.Join(dir, "ml-model")
	stdout, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--dev", dev, "--mode", "multi-label", "--out", model, "--hash-bits", "16", "--c", "4", "--nb", "off")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"trained a multi-label classifier", "micro", "macro"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// The generator's labels are recoverable from the notes: one-vs-rest
	// gets nearly all of them.
	var metrics struct {
		Dev struct {
			Model struct{ Micro struct{ F1 float64 } } `json:"model_thresholds"`
		}
	}
	mb, _ := os.ReadFile(filepath.Join(model, "metrics.json"))
	if err := json.Unmarshal(mb, &metrics); err != nil || metrics.Dev.Model.Micro.F1 < 0.95 {
		t.Errorf("dev micro-F1 %.4f on synthetic multi-label notes, want >= 0.95 (%v)", metrics.Dev.Model.Micro.F1, err)
	}
	recs, _ := dataset.ReadAll(dev, nil, dataset.Options{})
	var meta struct{ Labels []string }
	b, _ := os.ReadFile(filepath.Join(model, "model.json"))
	json.Unmarshal(b, &meta)
	// Records without an id get their line number.
	var in bytes.Buffer
	for i, r := range recs {
		if i%2 == 0 {
			r.ID = ""
		}
		b, _ := json.Marshal(map[string]any{"id": r.ID, "text": r.Text})
		if r.ID == "" {
			b, _ = json.Marshal(map[string]any{"text": r.Text})
		}
		in.Write(append(b, '\n'))
		recs[i].ID = r.ID
	}
	inPath := filepath.Join(dir, "in.jsonl")
	os.WriteFile(inPath, in.Bytes(), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	if _, stderr, code := runOsler(t, "", "predict", "--model", model, "--input", inPath, "--output", out); code != 0 {
		t.Fatalf("predict: %s", stderr)
	}
	for i := range recs {
		recs[i].Line = i + 1
	}
	checkOslerPredictions(t, out, recs, meta.Labels, true)
	stdout, _, code = runOsler(t, in.String(), "predict", "--model", model, "--format", "comprehend")
	if code != 0 {
		t.Fatal("predict --format comprehend failed")
	}
	osl, _ := os.ReadFile(out)
	checkComprehendPredictions(t, stdout, len(recs), "stdin", "Labels", meta.Labels, oslerDecisions(t, string(osl)))
	// --threshold 0 predicts every label.
	stdout, _, _ = runOsler(t, in.String(), "predict", "--model", model, "--threshold", "0")
	var p struct{ Labels []string }
	json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &p)
	if len(p.Labels) != len(meta.Labels) {
		t.Errorf("--threshold 0 predicted %d of %d labels", len(p.Labels), len(meta.Labels))
	}
}

func TestTrainClassifierErrors(t *testing.T) {
	dir := t.TempDir()
	train, dev, _, _ := synthADE(t, dir, 400)
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"text\": \"fine\", \"labels\": [\"Not_AE\"]}\n{\"text\": \n"), 0o644)
	trainLines, _ := os.ReadFile(train)
	leaky := filepath.Join(dir, "leaky.jsonl")
	os.WriteFile(leaky, bytes.SplitAfter(trainLines, []byte("\n"))[0], 0o644)
	out := filepath.Join(dir, "m")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no train", []string{"--out", out}, 2, "--train and --out are required"},
		{"stdin", []string{"--train", "-", "--out", out}, 2, "not standard input"},
		{"bad c", []string{"--train", train, "--out", out, "--c", "x"}, 2, `--c "x"`},
		{"bad range", []string{"--train", train, "--out", out, "--char-ngrams", "5-2"}, 2, "--char-ngrams"},
		{"bad normalize", []string{"--train", train, "--out", out, "--normalize", "lower,stem"}, 2, `unknown step "stem"`},
		{"bad mode", []string{"--train", train, "--out", out, "--mode", "ternary"}, 2, "invalid mode"},
		{"parse error in dev", []string{"--train", train, "--dev", bad, "--out", out}, 1, "validation found"},
		{"leakage", []string{"--train", train, "--dev", leaky, "--out", out}, 1, "validation found"},
		{"missing file", []string{"--train", filepath.Join(dir, "nope.jsonl"), "--out", out}, 1, "nope.jsonl"},
		{"bad register", []string{"--train", train, "--out", out, "--register-if", "f1>="}, 2, "--register-if"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runOsler(t, "", append([]string{"train", "classifier"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a model was written")
			}
		})
	}
	// Leakage is allowed on request.
	stdout, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--dev", leaky, "--out", out, "--allow-leakage", "--hash-bits", "14")
	if code != 0 || !strings.Contains(stderr, "warning leakage") {
		t.Errorf("--allow-leakage: exit %d\n%s\n%s", code, stdout, stderr)
	}
	_ = dev
}

func TestPredictErrors(t *testing.T) {
	dir := t.TempDir()
	train, _, _, _ := synthADE(t, dir, 300)
	model := filepath.Join(dir, "m")
	if _, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--mode", "binary", "--out", model, "--hash-bits", "14", "--cv-folds", "2"); code != 0 {
		t.Fatal(stderr)
	}
	input := "{\"id\": \"a\", \"text\": \"Rash after penicillin.\"}\n{\"id\": 2, \"text\": }\n"
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"no model", "", nil, 2, "--model is required"},
		{"bad format", "", []string{"--model", model, "--format", "xml"}, 2, `--format "xml"`},
		{"bad threshold", "", []string{"--model", model, "--threshold", "2"}, 2, "between 0 and 1"},
		{"not a model", "", []string{"--model", dir}, 1, "not an Osler classifier"},
		{"bad line", input, []string{"--model", model}, 1, "-:2"},
		{"bad line with workers", input, []string{"--model", model, "--workers", "3"}, 1, "-:2"},
		{"positional", "", []string{"--model", model, "in.jsonl"}, 2, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runOsler(t, tc.stdin, append([]string{"predict"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
	// A damaged model is refused.
	w := filepath.Join(model, "weights.bin")
	b, _ := os.ReadFile(w)
	b[len(b)/2] ^= 1
	os.WriteFile(w, b, 0o644)
	_, stderr, code := runOsler(t, "{\"text\": \"x\"}\n", "predict", "--model", model)
	if code != 1 || !strings.Contains(stderr, "weights.bin: model files are corrupt") {
		t.Errorf("damaged model: exit %d, %q", code, stderr)
	}
	// A failed prediction leaves no output file.
	out := filepath.Join(dir, "out.jsonl")
	runOsler(t, input, "predict", "--model", model, "--output", out)
	if _, err := os.Stat(out); err == nil {
		t.Error("output written despite the error")
	}
}

func TestTrainHelp(t *testing.T) {
	for _, args := range [][]string{{"train", "--help"}, {"train", "classifier", "--help"}, {"predict", "--help"}} {
		stdout, _, code := runOsler(t, "", args...)
		if code != 0 || !strings.Contains(stdout, "Usage:") {
			t.Errorf("osler %s: exit %d\n%s", strings.Join(args, " "), code, stdout)
		}
	}
	stdout, _, _ := runOsler(t, "", "train", "classifier", "--help")
	for _, want := range []string{"Example:", "--lexicon", "--threshold", "report.html"} {
		if !strings.Contains(stdout, want) && want != "--threshold" {
			t.Errorf("help lacks %q", want)
		}
	}
}
