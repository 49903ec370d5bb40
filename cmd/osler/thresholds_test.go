package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
)

// synthSplit writes synthetic multi-label notes split into train, dev and
// test with the CLI.
func synthSplit(t *testing.T, dir string) (train, dev, test string) {
	t.Helper()
	data := filepath.Join(dir, "ml.jsonl")
	if _, stderr, code := runOsler(t, "", "data", "synth", "--kind", "multilabel", "-n", "400", "--seed", "3", "--out", data); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := runOsler(t, "", "data", "split", data, "--test", "0.2", "--dev", "0.3", "--seed", "1"); code != 0 {
		t.Fatal(stderr)
	}
	return filepath.Join(dir, "ml.train.jsonl"), filepath.Join(dir, "ml.dev.jsonl"), filepath.Join(dir, "ml.test.jsonl")
}

// checkSums checks that SHA256SUMS lists every file of dir with its sha256.
func checkSums(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sum, name, _ := strings.Cut(sc.Text(), "  ")
		listed[name] = sum
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == "SHA256SUMS" {
			continue
		}
		fb, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		h := sha256.Sum256(fb)
		if listed[e.Name()] != hex.EncodeToString(h[:]) {
			t.Errorf("SHA256SUMS: %s listed as %q, its sha256 is %x", e.Name(), listed[e.Name()], h)
		}
		delete(listed, e.Name())
	}
	if len(listed) > 0 {
		t.Errorf("SHA256SUMS lists files that are not there: %v", listed)
	}
}

// TestThresholdsTuneEndToEnd tunes a registered multi-label model for a
// recall target, writes and registers the new version, and checks that
// its record, the registry's lineage, predict (by directory, by reference,
// and with a thresholds file), eval classification and serve all use the
// new thresholds.
func TestThresholdsTuneEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"OSLER_HOME": filepath.Join(dir, "home"), "USER": "tester"}
	train, dev, test := synthSplit(t, dir)
	run := func(args ...string) (string, string, int) {
		t.Helper()
		return runOslerEnv(t, env, "", args...)
	}
	if out, errOut, code := run("train", "classifier", "--train", train, "--dev", dev, "--out", filepath.Join(dir, "m1"), "--hash-bits", "16", "--register", "ml"); code != 0 {
		t.Fatalf("train: %s\n%s", out, errOut)
	}
	tunedDir := filepath.Join(dir, "tuned")
	stdout, stderr, code := run("thresholds", "tune", "--model", "ml", "--dev", dev, "--test", test, "--target", "recall=0.95", "--unreachable", "keep", "--out", tunedDir, "--register", "ml")
	if code != 0 {
		t.Fatalf("tune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"thresholds tuned for recall=0.95 on " + dev, "from ml:1", "before", "after", "dev: micro precision", "test (" + test, "wrote " + tunedDir} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "registered ml:2") {
		t.Errorf("stderr: %s", stderr)
	}
	checkSums(t, tunedDir)
	tuned, err := classify.Load(tunedDir)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := classify.Load(filepath.Join(dir, "m1"))
	md := tuned.Metadata()
	tt := md.ThresholdTuning
	if tt == nil || tt.Target.String() != "recall=0.95" || tt.From != "ml:1" || tt.Data.Path != dev || tt.Data.Records == 0 || len(tt.Data.SHA256) != 64 || len(tt.FromSHA256) != 64 {
		t.Fatalf("threshold_tuning: %+v", tt)
	}
	if md.ThresholdSource != "tuned for recall=0.95 on "+dev || md.Data["tune"].Path != dev || md.Data["train"].Path != train || md.Data["test"].Path != test {
		t.Errorf("source %q, data %+v", md.ThresholdSource, md.Data)
	}
	met, changed := 0, 0
	for i, l := range tt.Labels {
		if l.Label != tuned.Labels()[i] || l.Threshold != tuned.Thresholds()[i] || l.Previous != orig.Thresholds()[i] {
			t.Errorf("%+v: model thresholds %v, before %v", l, tuned.Thresholds()[i], orig.Thresholds()[i])
		}
		switch l.Status {
		case classify.StatusMet:
			met++
			if l.Recall < 0.95 {
				t.Errorf("%s met recall=0.95 with recall %v", l.Label, l.Recall)
			}
		case classify.StatusNoPositives:
			if l.Threshold != l.Previous {
				t.Errorf("%s: kept threshold changed", l.Label)
			}
		default:
			t.Errorf("%s: status %q", l.Label, l.Status)
		}
		if l.Threshold != l.Previous {
			changed++
		}
	}
	if met == 0 || changed == 0 {
		t.Fatalf("%d labels met the target, %d thresholds changed", met, changed)
	}
	var summary struct {
		Dev             struct{ Micro struct{ Recall float64 } }
		Test            *struct{ N int }
		ThresholdTuning struct {
			Target string
			Tuned  int
		} `json:"threshold_tuning"`
	}
	if err := json.Unmarshal(md.Metrics, &summary); err != nil || summary.ThresholdTuning.Target != "recall=0.95" || summary.ThresholdTuning.Tuned != len(tt.Labels) || summary.Test == nil {
		t.Errorf("model.json metrics: %s (%v)", md.Metrics, err)
	}

	// Lineage in the registry.
	out, _, _ := run("models", "show", "ml:2", "--json")
	var v struct {
		Parent  string
		Metrics json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Parent != "ml:1" || !strings.Contains(string(v.Metrics), `"recall=0.95"`) {
		t.Errorf("models show ml:2: %v %s", err, out)
	}

	// predict: the directory, the registry reference and the original
	// model with the tuned thresholds as a file all decide alike.
	predict := func(args ...string) string {
		t.Helper()
		out, errOut, code := run(append([]string{"predict", "--input", dev}, args...)...)
		if code != 0 {
			t.Fatalf("predict %v: %s", args, errOut)
		}
		return out
	}
	byDir := predict("--model", tunedDir)
	if byRef := predict("--model", "ml:2"); byRef != byDir {
		t.Error("predict --model ml:2 differs from the tuned directory")
	}
	thFile := filepath.Join(dir, "th.json")
	th, _ := json.Marshal(map[string]any{"thresholds": md.Thresholds})
	os.WriteFile(thFile, th, 0o644)
	if withFile := predict("--model", "ml:1", "--thresholds", thFile); withFile != byDir {
		t.Error("ml:1 with the tuned thresholds file differs from the tuned model")
	}
	if predict("--model", "ml:1") == byDir {
		t.Error("the tuned model decides as the original does")
	}

	// eval classification scores what the tuned model decided: its
	// per-label recall is the one recorded at tuning.
	predPath := filepath.Join(dir, "tuned.pred.jsonl")
	os.WriteFile(predPath, []byte(byDir), 0o644)
	out, errOut, code := run("eval", "classification", "--gold", dev, "--pred", predPath, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var res struct {
		PerLabel []struct {
			Label             string
			Recall, Precision float64
		} `json:"per_label"`
	}
	json.Unmarshal([]byte(out), &res)
	for _, l := range tt.Labels {
		i := slices.IndexFunc(res.PerLabel, func(x struct {
			Label             string
			Recall, Precision float64
		}) bool {
			return x.Label == l.Label
		})
		if i < 0 || res.PerLabel[i].Recall != l.Recall || res.PerLabel[i].Precision != l.Precision {
			t.Errorf("%s: eval gives %+v, tuning recorded P %v R %v", l.Label, res.PerLabel[i], l.Precision, l.Recall)
		}
	}

	// serve: the approved tuned version answers with its thresholds.
	if _, errOut, code := run("models", "approve", "ml:2"); code != 0 {
		t.Fatal(errOut)
	}
	keyOut, _, _ := run("keys", "create", "--name", "t", "--scope", "predict")
	key := regexp.MustCompile(`osk_[a-z2-7]+_[a-z2-7]+`).FindString(keyOut)
	url, _, _ := startServe(t, env)
	c, err := api.NewClient(url, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mdl, err := c.Model(ctx, "ml")
	if err != nil || mdl.Serving == nil || mdl.Serving.Version != 2 || !mapsEqualF(mdl.Serving.Thresholds, md.Thresholds) {
		t.Fatalf("serving %+v (%v), want version 2 with %v", mdl.Serving, err, md.Thresholds)
	}
	recs, _ := dataset.ReadAll(dev, nil, dataset.Options{})
	lines := strings.Split(strings.TrimSpace(byDir), "\n")
	texts := make([]string, 0, 20)
	for _, r := range recs[:20] {
		texts = append(texts, r.Text)
	}
	resp, err := c.Classify(ctx, api.ClassifyRequest{Inputs: api.Batch(texts...)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range resp.Results {
		var p struct{ Labels []string }
		json.Unmarshal([]byte(lines[i]), &p)
		got := slices.Clone(r.Labels)
		slices.Sort(got)
		slices.Sort(p.Labels)
		if !slices.Equal(got, p.Labels) {
			t.Errorf("text %d: served labels %v, predict decides %v", i, r.Labels, p.Labels)
		}
	}
}

func mapsEqualF(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestThresholdsTuneRefusals: usage errors, an unreachable target (nothing
// written, the table says what is reachable), --label, a multi-class model,
// and thresholds files that do not fit, in predict and eval.
func TestThresholdsTuneRefusals(t *testing.T) {
	dir := t.TempDir()
	train, dev, _ := synthSplit(t, dir)
	model := filepath.Join(dir, "m")
	if _, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--dev", dev, "--out", model, "--hash-bits", "16"); code != 0 {
		t.Fatal(stderr)
	}
	labels := func() []string {
		m, err := classify.Load(model)
		if err != nil {
			t.Fatal(err)
		}
		return m.Labels()
	}()
	// A dev file where the most frequent label has no positive example.
	recs, _ := dataset.ReadAll(dev, nil, dataset.Options{})
	counts := map[string]int{}
	for _, r := range recs {
		for _, l := range r.Labels {
			counts[l]++
		}
	}
	gone := labels[0]
	for _, l := range labels {
		if counts[l] > counts[gone] {
			gone = l
		}
	}
	var buf bytes.Buffer
	for _, r := range recs {
		b, _ := json.Marshal(map[string]any{"id": r.ID, "text": r.Text, "labels": slices.DeleteFunc(slices.Clone(r.Labels), func(l string) bool { return l == gone })})
		buf.Write(append(b, '\n'))
	}
	devGone := filepath.Join(dir, "dev-gone.jsonl")
	os.WriteFile(devGone, buf.Bytes(), 0o644)
	out := filepath.Join(dir, "out")

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", []string{"--dev", dev, "--out", out}, 2, "--model and --dev are required"},
		{"nowhere", []string{"--model", model, "--dev", dev}, 2, "give --out DIR, --register NAME, or both"},
		{"bad target", []string{"--model", model, "--dev", dev, "--out", out, "--target", "precision=2"}, 2, "precision must be in (0, 1]"},
		{"bad policy", []string{"--model", model, "--dev", dev, "--out", out, "--unreachable", "maybe"}, 2, "want error, keep or nearest"},
		{"unknown label", []string{"--model", model, "--dev", dev, "--out", out, "--label", "nope"}, 1, `"nope" is not a label of the model`},
		{"no such model", []string{"--model", "nosuch", "--dev", dev, "--out", out}, 1, "--model nosuch: not a model directory; to read it from the registry: config: no registry home"},
		{"not a reference", []string{"--model", "no/such/dir", "--dev", dev, "--out", out}, 1, "--model no/such/dir: no such model directory, and not a registry reference"},
		{"no positives", []string{"--model", model, "--dev", devGone, "--out", out, "--label", gone}, 1, `"` + gone + `" (no positive example); nothing was written`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runOsler(t, "", append([]string{"thresholds", "tune"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("a model was written")
			}
			if tc.name == "no positives" && (!strings.Contains(stdout, "thresholds NOT tuned") || !strings.Contains(stdout, "unreachable: no positive example")) {
				t.Errorf("the table does not show the unreachable label:\n%s", stdout)
			}
		})
	}
	// --unreachable keep writes the model; only the named label was looked at.
	stdout, stderr, code := runOsler(t, "", "thresholds", "tune", "--model", model, "--dev", devGone, "--out", out, "--label", gone, "--label", labels[1], "--unreachable", "keep", "--target", "f-beta=2")
	if code != 0 || !strings.Contains(stdout, "no positive example") {
		t.Fatalf("keep: exit %d\n%s\n%s", code, stdout, stderr)
	}
	orig, _ := classify.Load(model)
	tuned, err := classify.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range labels {
		if l != labels[1] && tuned.Thresholds()[i] != orig.Thresholds()[i] {
			t.Errorf("%s: threshold %v, was %v; only %s was tuned", l, tuned.Thresholds()[i], orig.Thresholds()[i], labels[1])
		}
	}

	// Thresholds files that leave labels out or name unknown ones.
	partial := filepath.Join(dir, "partial.json")
	os.WriteFile(partial, []byte(`{"`+labels[0]+`": 0.3, "`+labels[1]+`": 0.4}`), 0o644)
	unknown := filepath.Join(dir, "unknown.json")
	full := map[string]float64{"not_a_label": 0.5}
	for _, l := range labels {
		full[l] = 0.5
	}
	b, _ := json.Marshal(full)
	os.WriteFile(unknown, b, 0o644)
	devLines, _ := os.ReadFile(dev)
	first, rest, _ := strings.Cut(string(devLines), "\n")
	devExtra := filepath.Join(dir, "dev-extra.jsonl")
	os.WriteFile(devExtra, []byte(strings.Replace(first, `"labels":[`, `"labels":["zz_unknown",`, 1)+"\n"+rest), 0o644)
	pred := filepath.Join(dir, "pred.jsonl")
	if _, stderr, code := runOsler(t, "", "predict", "--model", model, "--input", dev, "--output", pred); code != 0 {
		t.Fatal(stderr)
	}
	missing := `no threshold for ` + strconv.Itoa(len(labels)-2) + ` of the ` + strconv.Itoa(len(labels)) + ` labels: "` + labels[2] + `"`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"predict", "--model", model, "--input", dev, "--thresholds", partial}, missing},
		{[]string{"predict", "--model", model, "--input", dev, "--thresholds", unknown}, `thresholds for 1 labels that are not among them: "not_a_label"`},
		{[]string{"eval", "classification", "--gold", dev, "--pred", pred, "--thresholds", partial}, "--thresholds " + partial + ": thresholds: " + missing},
		{[]string{"eval", "classification", "--gold", dev, "--pred", pred, "--thresholds", unknown}, `"not_a_label"`},
		{[]string{"eval", "classification", "--gold", dev, "--pred", pred, "--model", model, "--thresholds", "0.5"}, "give --model (its thresholds) or --thresholds, not both"},
		{[]string{"eval", "classification", "--gold", devExtra, "--pred", pred, "--model", model}, devExtra + `:1: gold label "zz_unknown" is not a label of ` + model},
	} {
		_, stderr, code := runOsler(t, "", tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, stderr, tc.want)
		}
	}

	// A multi-class model has no thresholds to tune or apply.
	var single bytes.Buffer
	for _, r := range recs {
		if len(r.Labels) == 1 {
			b, _ := json.Marshal(map[string]any{"text": r.Text, "labels": r.Labels})
			single.Write(append(b, '\n'))
		}
	}
	mcTrain := filepath.Join(dir, "mc.jsonl")
	os.WriteFile(mcTrain, single.Bytes(), 0o644)
	mc := filepath.Join(dir, "mc")
	if _, stderr, code := runOsler(t, "", "train", "classifier", "--train", mcTrain, "--mode", "multi-class", "--out", mc, "--hash-bits", "14", "--cv-folds", "1", "--allow-leakage"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := runOsler(t, "", "thresholds", "tune", "--model", mc, "--dev", mcTrain, "--out", out+"2"); code != 1 || !strings.Contains(stderr, "multi-class model predicts its top-scored label") {
		t.Errorf("multi-class tune: exit %d %s", code, stderr)
	}
	if _, stderr, code := runOsler(t, "", "predict", "--model", mc, "--input", mcTrain, "--thresholds", "0.3"); code != 2 || !strings.Contains(stderr, "multi-class model") {
		t.Errorf("multi-class predict --thresholds: exit %d %s", code, stderr)
	}
}

// TestBinaryThresholds: a binary model's thresholds name its positive
// label. A file naming it (with or without the other label) decides
// predict; one naming only the other label is refused; tuning writes the
// positive label's threshold only; eval --model reports the positive
// label's F1 as training did.
func TestBinaryThresholds(t *testing.T) {
	dir := t.TempDir()
	train, dev, _, _ := synthADE(t, dir, 1200)
	model := filepath.Join(dir, "ade")
	stdout, stderr, code := runOsler(t, "", "train", "classifier", "--train", train, "--dev", dev, "--out", model, "--hash-bits", "16", "--c", "4", "--nb", "off")
	if code != 0 {
		t.Fatal(stderr)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	predict := func(args ...string) (string, string, int) {
		return runOsler(t, "", append([]string{"predict", "--model", model, "--input", dev}, args...)...)
	}
	pos := write("pos.json", `{"Adverse_Event": 0.97}`)
	both := write("both.json", `{"thresholds": {"Adverse_Event": 0.97, "Not_AE": 0.2}}`)
	neg := write("neg.json", `{"Not_AE": 0.5}`)
	a, _, c1 := predict("--thresholds", pos)
	b, _, c2 := predict("--thresholds", both)
	d, _, _ := predict()
	if c1 != 0 || c2 != 0 || a != b || a == d {
		t.Fatalf("positive-only and both-label files: exit %d %d, same %v, differs from the model's %v", c1, c2, a == b, a != d)
	}
	if _, stderr, code := predict("--thresholds", neg); code == 0 || !strings.Contains(stderr, `no threshold for 1 of the 2 labels: "Adverse_Event"`) {
		t.Errorf("negative-only file: exit %d %s", code, stderr)
	}
	// eval --model: the positive label's F1, as training printed it.
	var trainF1 string
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[0] == "Adverse_Event" {
			trainF1 = f[4]
		}
	}
	pred := write("pred.jsonl", d)
	for _, extra := range [][]string{nil, {"--model", model}} {
		out, stderr, code := runOsler(t, "", append([]string{"eval", "classification", "--gold", dev, "--pred", pred, "--format", "json", "--positive-label", "Adverse_Event"}, extra...)...)
		var res struct {
			Binary *struct{ F1 float64 }
		}
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Binary == nil || fnum(res.Binary.F1) != trainF1 {
			t.Errorf("eval %v: exit %d %s, binary %+v, training printed F1 %s", extra, code, stderr, res.Binary, trainF1)
		}
	}
	// Tuning writes the positive label's threshold only.
	out := filepath.Join(dir, "tuned")
	if stdout, stderr, code := runOsler(t, "", "thresholds", "tune", "--model", model, "--dev", dev, "--target", "precision=0.9", "--unreachable", "nearest", "--out", out); code != 0 {
		t.Fatalf("%s\n%s", stdout, stderr)
	}
	tm, err := classify.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if th := tm.Metadata().Thresholds; len(th) != 1 || th["Adverse_Event"] == 0 {
		t.Errorf("tuned binary thresholds %v", th)
	}
}
