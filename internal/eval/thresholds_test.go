package eval

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
)

func TestCheckThresholds(t *testing.T) {
	labels := []string{"a", "b", "c"}
	tests := []struct {
		name     string
		th       map[string]float64
		labels   []string
		mode     dataset.Mode
		positive string
		missing  []string
		unknown  []string
	}{
		{"multi-label complete", map[string]float64{"a": 0.1, "b": 0.2, "c": 0.3}, labels, dataset.ModeMultiLabel, "", nil, nil},
		{"multi-label missing", map[string]float64{"a": 0.1}, labels, dataset.ModeMultiLabel, "", []string{"b", "c"}, nil},
		{"multi-label unknown", map[string]float64{"a": 0.1, "b": 0.2, "c": 0.3, "zz": 0.5, "d": 1}, labels, dataset.ModeMultiLabel, "", nil, []string{"d", "zz"}},
		{"binary positive only", map[string]float64{"ae": 0.3}, []string{"ae", "not"}, dataset.ModeBinary, "ae", nil, nil},
		{"binary both", map[string]float64{"ae": 0.3, "not": 0.7}, []string{"ae", "not"}, dataset.ModeBinary, "ae", nil, nil},
		{"binary the other label only", map[string]float64{"not": 0.3}, []string{"ae", "not"}, dataset.ModeBinary, "ae", []string{"ae"}, nil},
		{"binary positive unknown", map[string]float64{"not": 0.3}, []string{"ae", "not"}, dataset.ModeBinary, "", nil, nil},
		{"binary none", map[string]float64{"x": 0.3}, []string{"ae", "not"}, dataset.ModeBinary, "", []string{"ae", "not"}, []string{"x"}},
		{"multi-class needs none", map[string]float64{}, labels, dataset.ModeMultiClass, "", nil, nil},
		{"multi-class unknown", map[string]float64{"q": 0.2}, labels, dataset.ModeMultiClass, "", nil, []string{"q"}},
	}
	for _, tt := range tests {
		err := CheckThresholds(tt.th, tt.labels, tt.mode, tt.positive)
		if tt.missing == nil && tt.unknown == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var te *ThresholdsError
		if !errors.As(err, &te) {
			t.Errorf("%s: got %v, want a *ThresholdsError", tt.name, err)
			continue
		}
		if !slices.Equal(te.Missing, tt.missing) || !slices.Equal(te.Unknown, tt.unknown) {
			t.Errorf("%s: missing %q unknown %q, want %q and %q", tt.name, te.Missing, te.Unknown, tt.missing, tt.unknown)
		}
		for _, l := range append(slices.Clone(tt.missing), tt.unknown...) {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", l)) {
				t.Errorf("%s: the message does not name %q: %v", tt.name, l, err)
			}
		}
	}
}

// TestCompleteThresholds checks that evaluation refuses thresholds that
// leave a label out instead of deciding it at 0.5.
func TestCompleteThresholds(t *testing.T) {
	exs := []ClassExample{
		{ID: "1", Gold: []string{"a"}, Scores: map[string]float64{"a": 0.3, "b": 0.2}},
		{ID: "2", Gold: []string{"b"}, Scores: map[string]float64{"a": 0.1, "b": 0.9}},
	}
	opts := ClassificationOptions{Mode: dataset.ModeMultiLabel, Thresholds: map[string]float64{"a": 0.25}}
	if _, err := EvaluateClassification(exs, opts); err != nil {
		t.Fatalf("without CompleteThresholds the rest is decided at 0.5: %v", err)
	}
	opts.CompleteThresholds = true
	_, err := EvaluateClassification(exs, opts)
	var te *ThresholdsError
	if !errors.As(err, &te) || !slices.Equal(te.Missing, []string{"b"}) {
		t.Fatalf("got %v, want b missing", err)
	}
	opts.Thresholds["b"] = 0.5
	r, err := EvaluateClassification(exs, opts)
	if err != nil || r.Accuracy != 1 || r.Decisions != "thresholds" {
		t.Fatalf("complete thresholds: %v, %+v", err, r)
	}
}

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Target
		str  string
	}{
		{"f1", Target{Kind: TargetF1}, "f1"},
		{" F1 ", Target{Kind: TargetF1}, "f1"},
		{"f-beta=2", Target{Kind: TargetFBeta, Value: 2}, "f-beta=2"},
		{"fbeta=0.5", Target{Kind: TargetFBeta, Value: 0.5}, "f-beta=0.5"},
		{"f-beta=1", Target{Kind: TargetF1}, "f1"},
		{"precision=0.9", Target{Kind: TargetPrecision, Value: 0.9}, "precision=0.9"},
		{"recall=1", Target{Kind: TargetRecall, Value: 1}, "recall=1"},
	} {
		got, err := ParseTarget(tt.in)
		if err != nil || got != tt.want || got.String() != tt.str {
			t.Errorf("ParseTarget(%q) = %+v (%q), %v; want %+v (%q)", tt.in, got, got.String(), err, tt.want, tt.str)
		}
		var back Target
		if err := back.UnmarshalText([]byte(got.String())); err != nil || back != got {
			t.Errorf("%q does not round-trip: %+v %v", got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "f2", "f1=1", "f-beta", "f-beta=0", "f-beta=-1", "precision", "precision=0", "precision=1.5", "recall=x", "recall=NaN", "accuracy=0.9"} {
		if _, err := ParseTarget(bad); !errors.Is(err, ErrBadTarget) {
			t.Errorf("ParseTarget(%q): %v, want ErrBadTarget", bad, err)
		}
	}
}

// bruteForce chooses a threshold by the definitions of ChooseThreshold,
// counting predictions at every distinct score directly.
func bruteForce(gold []bool, scores []float64, tg Target) (Threshold, bool) {
	cands := slices.Clone(scores)
	slices.Sort(cands)
	cands = slices.Compact(cands)
	pos := 0
	for _, g := range gold {
		if g {
			pos++
		}
	}
	type pt struct{ t, p, r float64 }
	var pts []pt
	for _, th := range cands {
		tp, fp := 0, 0
		for i, s := range scores {
			if s >= th {
				if gold[i] {
					tp++
				} else {
					fp++
				}
			}
		}
		pts = append(pts, pt{th, float64(tp) / float64(tp+fp), float64(tp) / float64(pos)})
	}
	out := func(x pt) Threshold { return Threshold{Threshold: x.t, Precision: x.p, Recall: x.r, F1: f1(x.p, x.r)} }
	better := func(a, b pt, primary func(pt) float64, second func(pt) float64) bool {
		return primary(a) > primary(b) || primary(a) == primary(b) && second(a) > second(b)
	}
	prec := func(x pt) float64 { return x.p }
	rec := func(x pt) float64 { return x.r }
	switch tg.Kind {
	case TargetF1, TargetFBeta:
		beta := 1.0
		if tg.Kind == TargetFBeta {
			beta = tg.Value
		}
		best := 0
		for i, x := range pts {
			if fBeta(x.p, x.r, beta) > fBeta(pts[best].p, pts[best].r, beta) {
				best = i
			}
		}
		return out(pts[best]), true
	}
	primary, bound := rec, prec
	if tg.Kind == TargetRecall {
		primary, bound = prec, rec
	}
	best, nearest := -1, 0
	for i, x := range pts {
		if better(x, pts[nearest], bound, primary) {
			nearest = i
		}
		if bound(x) >= tg.Value && (best < 0 || better(x, pts[best], primary, bound)) {
			best = i
		}
	}
	if best < 0 {
		return out(pts[nearest]), false
	}
	return out(pts[best]), true
}

// TestChooseThresholdBruteForce holds ChooseThreshold to the definitions on
// random data with many ties, for every kind of target.
func TestChooseThresholdBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	targets := []Target{{Kind: TargetF1}, {Kind: TargetFBeta, Value: 2}, {Kind: TargetFBeta, Value: 0.5},
		{Kind: TargetPrecision, Value: 0.5}, {Kind: TargetPrecision, Value: 0.9}, {Kind: TargetPrecision, Value: 1},
		{Kind: TargetRecall, Value: 0.5}, {Kind: TargetRecall, Value: 0.95}, {Kind: TargetRecall, Value: 1}}
	met, unmet := 0, 0
	for trial := 0; trial < 400; trial++ {
		n := 2 + rng.IntN(40)
		gold := make([]bool, n)
		scores := make([]float64, n)
		levels := 2 + rng.IntN(12) // few distinct scores: many ties
		for i := range gold {
			gold[i] = rng.Float64() < 0.4
			scores[i] = float64(rng.IntN(levels)) / float64(levels)
			if gold[i] && rng.Float64() < 0.6 {
				scores[i] = min(1, scores[i]+0.3)
			}
		}
		if !slices.Contains(gold, true) {
			gold[0] = true
		}
		for _, tg := range targets {
			got, ok, err := ChooseThreshold(gold, scores, tg)
			if err != nil {
				t.Fatal(err)
			}
			want, wantOK := bruteForce(gold, scores, tg)
			if got != want || ok != wantOK {
				t.Fatalf("trial %d, %s: got %+v met=%v, want %+v met=%v\ngold %v\nscores %v", trial, tg, got, ok, want, wantOK, gold, scores)
			}
			if ok {
				met++
			} else {
				unmet++
			}
		}
		// f1 is exactly what training uses.
		best, _ := BestF1Threshold(gold, scores)
		if got, _, _ := ChooseThreshold(gold, scores, Target{Kind: TargetF1}); got != best {
			t.Fatalf("trial %d: f1 %+v, BestF1Threshold %+v", trial, got, best)
		}
	}
	if met == 0 || unmet == 0 {
		t.Errorf("met %d, unmet %d: the data should exercise both", met, unmet)
	}
	if _, _, err := ChooseThreshold([]bool{false, false}, []float64{0.1, 0.2}, Target{Kind: TargetRecall, Value: 0.9}); !errors.Is(err, ErrNoPositives) {
		t.Errorf("no positives: %v", err)
	}
}

// TestUseDecisions checks that the classifier's own decisions are what is
// counted, whatever the thresholds would say, and that decisions that do
// not fit are refused.
func TestUseDecisions(t *testing.T) {
	exs := []ClassExample{
		// At 0.5, example 1 predicts nothing and example 2 both labels;
		// the classifier (tuned thresholds) decided otherwise.
		{ID: "1", Gold: []string{"a"}, Scores: map[string]float64{"a": 0.3, "b": 0.2}, Predicted: []string{"a"}},
		{ID: "2", Gold: []string{"b"}, Scores: map[string]float64{"a": 0.6, "b": 0.9}, Predicted: []string{"b"}},
		{ID: "3", Scores: map[string]float64{"a": 0.1, "b": 0.1}, Predicted: []string{}},
	}
	r, err := EvaluateClassification(exs, ClassificationOptions{Mode: dataset.ModeMultiLabel, UseDecisions: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Micro.F1 != 1 || r.Accuracy != 1 || r.Decisions != "predictions" || r.Thresholds != nil || r.PerLabel[0].Threshold != nil {
		t.Errorf("decisions: %+v", r)
	}
	if r.PerLabel[0].AveragePrecision == nil || r.PerLabel[0].BestF1 == nil {
		t.Error("score metrics are missing")
	}
	at5, _ := EvaluateClassification(exs, ClassificationOptions{Mode: dataset.ModeMultiLabel})
	if at5.Micro.F1 == 1 || at5.Decisions != "thresholds" {
		t.Errorf("at 0.5 the scores decide otherwise: %+v", at5.Micro)
	}
	single := []ClassExample{
		{ID: "1", Gold: []string{"ae"}, Scores: map[string]float64{"ae": 0.3, "not": 0.7}, Predicted: []string{"ae"}},
		{ID: "2", Gold: []string{"not"}, Scores: map[string]float64{"ae": 0.1, "not": 0.9}, Predicted: []string{"not"}},
	}
	r, err = EvaluateClassification(single, ClassificationOptions{UseDecisions: true, PositiveLabel: "ae"})
	if err != nil || r.Accuracy != 1 || r.Binary == nil || r.Binary.F1 != 1 {
		t.Fatalf("binary decisions: %v %+v", err, r)
	}
	for _, tt := range []struct {
		name string
		exs  []ClassExample
		want string
	}{
		{"no decisions", []ClassExample{{ID: "q", Gold: []string{"ae"}, Scores: map[string]float64{"ae": 1}}}, `example "q" carries no decided labels`},
		{"two in binary", []ClassExample{{ID: "w", Gold: []string{"ae"}, Scores: map[string]float64{"ae": 1, "not": 0}, Predicted: []string{"ae", "not"}}}, `example "w" has 2 decided labels`},
		{"unknown label", []ClassExample{{ID: "u", Gold: []string{"ae"}, Scores: map[string]float64{"ae": 1, "not": 0}, Predicted: []string{"zz"}}}, `decided label "zz" is not among`},
	} {
		_, err := EvaluateClassification(tt.exs, ClassificationOptions{Mode: dataset.ModeBinary, Labels: []string{"ae", "not"}, UseDecisions: true})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
