package eval

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
)

// writeFiles writes name: content files into a temporary directory and
// returns their paths by name.
func writeFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	return out
}

const goldJSONL = `{"id": "n1", "text": "one", "labels": ["effusion"]}
{"id": "n2", "text": "two", "labels": ["effusion", "pneumonia"]}
{"id": "n3", "text": "three", "labels": []}
`

func classFiles(t *testing.T) map[string]string {
	return writeFiles(t, map[string]string{
		"gold.jsonl": goldJSONL,
		// Scores only, in another order than gold.
		"scores.jsonl": `{"id": "n3", "scores": {"effusion": 0.1, "pneumonia": 0.2}}
{"id": "n1", "scores": {"effusion": 0.9, "pneumonia": 0.3}}
{"id": "n2", "scores": {"effusion": 0.45, "pneumonia": 0.8}}
`,
		// The classifier's own decisions: n2's effusion at 0.45 is
		// positive, which 0.5 would not decide.
		"decided.jsonl": `{"id": "n1", "labels": ["effusion"], "scores": {"effusion": 0.9, "pneumonia": 0.3}}
{"id": "n2", "labels": ["effusion", "pneumonia"], "scores": {"effusion": 0.45, "pneumonia": 0.8}}
{"id": "n3", "labels": [], "scores": {"effusion": 0.1, "pneumonia": 0.2}}
`,
		"mixed.jsonl": `{"id": "n1", "labels": ["effusion"], "scores": {"effusion": 0.9, "pneumonia": 0.3}}
{"id": "n2", "scores": {"effusion": 0.45, "pneumonia": 0.8}}
{"id": "n3", "scores": {"effusion": 0.1, "pneumonia": 0.2}}
`,
		"empty.jsonl":   "",
		"partial.json":  `{"effusion": 0.4}`,
		"complete.json": `{"thresholds": {"effusion": 0.4, "pneumonia": 0.5}}`,
		"bad.json":      `{"effusion": "high"}`,
	})
}

func readGold(t *testing.T, path string) *GoldSet {
	t.Helper()
	g, err := ReadGoldSet(context.Background(), path, nil, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestReadGoldSet(t *testing.T) {
	f := classFiles(t)
	g := readGold(t, f["gold.jsonl"])
	if g.Path != f["gold.jsonl"] || len(g.Records) != 3 || g.Records[1].Line != 2 {
		t.Errorf("gold set %+v", g)
	}
	// "-" reads stdin.
	g, err := ReadGoldSet(context.Background(), "-", strings.NewReader(goldJSONL), dataset.Options{Format: dataset.FormatJSONL})
	if err != nil || len(g.Records) != 3 {
		t.Errorf("stdin: %v, %v", g, err)
	}
	if _, err := ReadGoldSet(context.Background(), f["empty.jsonl"], nil, dataset.Options{}); err == nil || err.Error() != f["empty.jsonl"]+" has no records" {
		t.Errorf("empty gold: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadGoldSet(ctx, f["gold.jsonl"], nil, dataset.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSetThresholds(t *testing.T) {
	f := classFiles(t)
	var o PredictionsOptions
	if err := o.SetThresholds(""); err != nil || o.decides() || o.ThresholdsSource != "--thresholds " {
		t.Errorf(`"": %v, %+v`, err, o)
	}
	o = PredictionsOptions{}
	if err := o.SetThresholds("tuned"); err != nil || !o.TuneThresholds {
		t.Errorf("tuned: %v, %+v", err, o)
	}
	o = PredictionsOptions{}
	if err := o.SetThresholds(" 0.3 "); err != nil || o.Threshold == nil || *o.Threshold != 0.3 || o.CompleteThresholds {
		t.Errorf("0.3: %v, %+v", err, o)
	}
	o = PredictionsOptions{}
	if err := o.SetThresholds(f["complete.json"]); err != nil || o.Thresholds["effusion"] != 0.4 || !o.CompleteThresholds || o.ThresholdsSource != "--thresholds "+f["complete.json"] {
		t.Errorf("file: %v, %+v", err, o)
	}

	var se *ThresholdsSpecError
	err := (&PredictionsOptions{}).SetThresholds("NaN")
	if !errors.As(err, &se) || err.Error() != "--thresholds must be a finite number" {
		t.Errorf("NaN: %v", err)
	}
	err = (&PredictionsOptions{}).SetThresholds("high")
	if !errors.As(err, &se) || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), `--thresholds "high" is neither a number, "tuned" nor a readable file: open high`) {
		t.Errorf("high: %v", err)
	}
	// A file that does not parse is the file's error, not the spec's.
	err = (&PredictionsOptions{}).SetThresholds(f["bad.json"])
	var pe *dataset.ParseError
	if errors.As(err, &se) || !errors.As(err, &pe) || pe.File != f["bad.json"] || pe.Field != "effusion" {
		t.Errorf("bad file: %v", err)
	}
}

func TestEvaluatePredictionsDecisions(t *testing.T) {
	f := classFiles(t)
	g := readGold(t, f["gold.jsonl"])
	ctx := context.Background()

	// Recorded decisions are scored as they are.
	res, err := g.EvaluatePredictions(ctx, f["decided.jsonl"], PredictionsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decisions != "predictions" || res.Micro.F1 != 1 || hasNote(res, "decided at 0.5") {
		t.Errorf("decided: %s, micro F1 %v, notes %q", res.Decisions, res.Micro.F1, res.Notes)
	}
	// Scores only: decided at 0.5, with a note naming the file.
	res, err = g.EvaluatePredictions(ctx, f["scores.jsonl"], PredictionsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decisions != "thresholds" || res.PerLabel[0].Recall != 0.5 ||
		!hasNote(res, "scores.jsonl records scores but no decided labels, so every label was decided at 0.5") {
		t.Errorf("scores only: %s, effusion recall %v, notes %q", res.Decisions, res.PerLabel[0].Recall, res.Notes)
	}
	// A threshold decides even predictions that record decisions.
	var o PredictionsOptions
	if err := o.SetThresholds("0.4"); err != nil {
		t.Fatal(err)
	}
	res, err = g.EvaluatePredictions(ctx, f["decided.jsonl"], o)
	if err != nil || res.Decisions != "thresholds" || res.PerLabel[0].Recall != 1 || hasNote(res, "decided at 0.5") {
		t.Errorf("--thresholds 0.4: %v, %+v", err, res)
	}
	// Some lines with decisions and some without.
	_, err = g.EvaluatePredictions(ctx, f["mixed.jsonl"], PredictionsOptions{})
	if err == nil || err.Error() != f["mixed.jsonl"]+": 1 predictions record decided labels and 2 do not; give --thresholds to decide them all from their scores" {
		t.Errorf("mixed: %v", err)
	}
}

// hasNote says whether a note of res contains s.
func hasNote(res *ClassificationResult, s string) bool {
	for _, n := range res.Notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func TestEvaluatePredictionsErrors(t *testing.T) {
	f := classFiles(t)
	g := readGold(t, f["gold.jsonl"])
	ctx := context.Background()

	var o PredictionsOptions
	if err := o.SetThresholds(f["partial.json"]); err != nil {
		t.Fatal(err)
	}
	_, err := g.EvaluatePredictions(ctx, f["scores.jsonl"], o)
	var te *ThresholdsError
	if !errors.As(err, &te) || !strings.HasPrefix(err.Error(), "--thresholds "+f["partial.json"]+": thresholds: no threshold for 1 of the 2 labels") {
		t.Errorf("partial thresholds: %v", err)
	}
	if _, err := g.EvaluatePredictions(ctx, f["empty.jsonl"], PredictionsOptions{}); err == nil || err.Error() != f["empty.jsonl"]+" has no predictions" {
		t.Errorf("empty: %v", err)
	}
	if _, err := g.EvaluatePredictions(ctx, filepath.Join(t.TempDir(), "absent.jsonl"), PredictionsOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
	// A line of the predictions that is no prediction names file, line
	// and field.
	bad := writeFiles(t, map[string]string{"bad.jsonl": `{"id": "n1", "scores": {"effusion": 0.9}}` + "\n" + `{"id": "n2", "scores": {"effusion": "x"}}` + "\n"})
	_, err = g.EvaluatePredictions(ctx, bad["bad.jsonl"], PredictionsOptions{})
	var pe *dataset.ParseError
	if !errors.As(err, &pe) || pe.File != bad["bad.jsonl"] || pe.Line != 2 {
		t.Errorf("bad line: %v", err)
	}
	// "-" reads the predictions from Stdin.
	scores, _ := os.ReadFile(f["scores.jsonl"])
	res, err := g.EvaluatePredictions(ctx, "-", PredictionsOptions{Stdin: strings.NewReader(string(scores))})
	if err != nil || res.N != 3 {
		t.Errorf("stdin: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.EvaluatePredictions(cctx, f["scores.jsonl"], PredictionsOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestEvaluatePredictionsModel(t *testing.T) {
	f := classFiles(t)
	g := readGold(t, f["gold.jsonl"])
	ctx := context.Background()
	m := &DecisionModel{Name: "ade", Source: "models/ade", Mode: dataset.ModeMultiLabel,
		Thresholds: map[string]float64{"effusion": 0.4, "pneumonia": 0.5}, Labels: []string{"effusion", "pneumonia"}}
	var o PredictionsOptions
	o.UseModel(m)
	if !o.CompleteThresholds || o.Mode != dataset.ModeMultiLabel || o.ThresholdsSource != "the thresholds of models/ade" {
		t.Errorf("UseModel: %+v", o)
	}
	// The model's thresholds decide, not the recorded decisions.
	res, err := g.EvaluatePredictions(ctx, f["decided.jsonl"], o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Decisions != "thresholds" || res.Thresholds["effusion"] != 0.4 || res.Notes[len(res.Notes)-1] != "labels decided with the thresholds of models/ade" {
		t.Errorf("model: %s %v %q", res.Decisions, res.Thresholds, res.Notes)
	}
	// A model without thresholds must still name every label.
	o = PredictionsOptions{}
	o.UseModel(&DecisionModel{Name: "x", Source: "x", Labels: []string{"effusion", "pneumonia"}})
	if _, err := g.EvaluatePredictions(ctx, f["scores.jsonl"], o); err == nil || !strings.HasPrefix(err.Error(), "the thresholds of x: thresholds: no threshold") {
		t.Errorf("no thresholds: %v", err)
	}
	// A gold label the model does not know names the gold line.
	o = PredictionsOptions{}
	o.UseModel(&DecisionModel{Name: "ade", Source: "models/ade", Labels: []string{"effusion"}, Thresholds: map[string]float64{"effusion": 0.5}})
	_, err = g.EvaluatePredictions(ctx, f["scores.jsonl"], o)
	if err == nil || err.Error() != f["gold.jsonl"]+`:2: gold label "pneumonia" is not a label of ade (its labels: effusion)` {
		t.Errorf("unknown gold label: %v", err)
	}
}

func TestGoldSetCompare(t *testing.T) {
	f := classFiles(t)
	g := readGold(t, f["gold.jsonl"])
	systems := []System{{Name: "scores", Path: f["scores.jsonl"]}, {Name: "decided", Path: f["decided.jsonl"]}}
	c, err := g.Compare(context.Background(), systems, PredictionsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Gold != f["gold.jsonl"] || len(c.Systems) != 2 || c.Systems[1].Name != "decided" || c.Systems[1].Source != f["decided.jsonl"] {
		t.Fatalf("comparison %+v", c)
	}
	// Each system decides by default on its own.
	if c.Systems[0].Result.Decisions != "thresholds" || c.Systems[1].Result.Decisions != "predictions" {
		t.Errorf("decisions %s, %s", c.Systems[0].Result.Decisions, c.Systems[1].Result.Decisions)
	}
	var o PredictionsOptions
	if err := o.SetThresholds(f["partial.json"]); err != nil {
		t.Fatal(err)
	}
	_, err = g.Compare(context.Background(), systems, o)
	if err == nil || !strings.HasPrefix(err.Error(), f["scores.jsonl"]+": --thresholds "+f["partial.json"]+": thresholds:") {
		t.Errorf("thresholds error: %v", err)
	}
}
