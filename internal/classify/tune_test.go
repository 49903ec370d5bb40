package classify

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

// noisyMultiLabel trains a multi-label model on data whose labels are
// partly flipped, so precision and recall trade off on dev.
func noisyMultiLabel(t *testing.T) (*Model, []dataset.Record) {
	t.Helper()
	all := synthMultiLabel(1300, 11, 4)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range all {
		var labels []string
		for l := 0; l < 4; l++ {
			name := "label_" + string(rune('0'+l))
			has := slices.Contains(all[i].Labels, name)
			if rng.Float64() < 0.12 {
				has = !has
			}
			if has {
				labels = append(labels, name)
			}
		}
		all[i].Labels = labels
	}
	m, _ := mustTrain(t, testConfig(dataset.ModeMultiLabel), all[:900], all[900:1100])
	return m, all[1100:]
}

func thresholdsOf(m *Model) map[string]float64 {
	out := map[string]float64{}
	for i, l := range m.Labels() {
		out[l] = m.Thresholds()[i]
	}
	return out
}

// TestTuneF1ReproducesTraining: tuning for F1 on the training run's dev set
// chooses exactly the thresholds training stored.
func TestTuneF1ReproducesTraining(t *testing.T) {
	all := synthMultiLabel(1000, 3, 4)
	dev := all[800:]
	m, _ := mustTrain(t, testConfig(dataset.ModeMultiLabel), all[:800], dev)
	tuned, rec, err := m.TuneThresholds(context.Background(), dev, TuneOptions{Target: eval.Target{Kind: eval.TargetF1}, DevName: "dev.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := thresholdsOf(tuned), thresholdsOf(m); !mapsEqual(got, want) {
		t.Errorf("f1 thresholds %v, training chose %v", got, want)
	}
	for _, l := range rec.Labels {
		if l.Status != StatusMet || l.Previous != l.Threshold {
			t.Errorf("%+v", l)
		}
	}
	if md := tuned.Metadata(); md.ThresholdSource != "tuned for f1 on dev.jsonl" {
		t.Errorf("threshold source %q", md.ThresholdSource)
	}
}

func mapsEqual(a, b map[string]float64) bool {
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

// TestTunePrecisionAndRecallTargets checks that met targets hold on the
// data tuned on, that the reported measures are what an evaluation of the
// tuned model gives, and that the choice is the best one meeting the
// target (no other threshold of the PR curve meets it with more of the
// other measure).
func TestTunePrecisionAndRecallTargets(t *testing.T) {
	m, dev := noisyMultiLabel(t)
	ctx := context.Background()
	for _, target := range []string{"precision=0.8", "recall=0.9", "f-beta=2"} {
		tg, err := eval.ParseTarget(target)
		if err != nil {
			t.Fatal(err)
		}
		tuned, rec, err := m.TuneThresholds(ctx, dev, TuneOptions{Target: tg, Unreachable: UnreachableKeep})
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		res := evaluate(t, tuned, dev)
		met := 0
		for _, lt := range rec.Labels {
			if lt.Status == StatusMet {
				met++
			}
		}
		if met < 2 {
			t.Errorf("%s: only %d labels met the target: %+v", target, met, rec.Labels)
		}
		for _, lt := range rec.Labels {
			lm := res.PerLabel[slices.Index(res.Labels, lt.Label)]
			if lm.Precision != lt.Precision || lm.Recall != lt.Recall || lm.F1 != lt.F1 || lm.Support != lt.Support {
				t.Errorf("%s %s: recorded %+v, evaluation gives P %v R %v F1 %v", target, lt.Label, lt, lm.Precision, lm.Recall, lm.F1)
			}
			if lt.Status != StatusMet {
				continue
			}
			switch tg.Kind {
			case eval.TargetPrecision:
				if lt.Precision < tg.Value {
					t.Errorf("%s %s: precision %v", target, lt.Label, lt.Precision)
				}
			case eval.TargetRecall:
				if lt.Recall < tg.Value {
					t.Errorf("%s %s: recall %v", target, lt.Label, lt.Recall)
				}
			}
			// No point of the PR curve does better.
			if lm.PRCurve == nil {
				t.Fatal("no PR curve")
			}
			pr := lm.PRCurve
			for i := range pr.Thresholds {
				switch tg.Kind {
				case eval.TargetPrecision:
					if pr.Precision[i] >= tg.Value && pr.Recall[i] > lt.Recall {
						t.Errorf("%s %s: threshold %v has precision %v and recall %v > %v", target, lt.Label, pr.Thresholds[i], pr.Precision[i], pr.Recall[i], lt.Recall)
					}
				case eval.TargetRecall:
					if pr.Recall[i] >= tg.Value && pr.Precision[i] > lt.Precision {
						t.Errorf("%s %s: threshold %v has recall %v and precision %v > %v", target, lt.Label, pr.Thresholds[i], pr.Recall[i], pr.Precision[i], lt.Precision)
					}
				}
			}
		}
		// The tuned model's decisions follow its new thresholds.
		for _, r := range dev[:20] {
			sc := tuned.Scores(r.Text)
			got := tuned.Decide(nil, sc, -1)
			for i, s := range sc {
				if (s >= tuned.Thresholds()[i]) != slices.Contains(got, i) {
					t.Fatalf("label %d: score %g, threshold %g, predicted %v", i, s, tuned.Thresholds()[i], got)
				}
			}
		}
	}
	// The original model is unchanged.
	if mapsEqual(thresholdsOf(m), map[string]float64{}) {
		t.Fatal("no thresholds")
	}
}

// TestTuneUnreachable makes label_0's positives the lowest-scored
// documents of dev, so no threshold reaches precision 0.9 there, and checks
// each policy.
func TestTuneUnreachable(t *testing.T) {
	m, dev := noisyMultiLabel(t)
	dev = slices.Clone(dev)
	ctx := context.Background()
	order := make([]int, len(dev))
	sc := make([]float64, len(dev))
	for i := range dev {
		order[i] = i
		sc[i] = m.Scores(dev[i].Text)[0]
	}
	sort.Slice(order, func(a, b int) bool { return sc[order[a]] < sc[order[b]] })
	for k, i := range order {
		labels := slices.DeleteFunc(slices.Clone(dev[i].Labels), func(l string) bool { return l == "label_0" })
		if k < len(dev)/3 {
			labels = append(labels, "label_0")
		}
		dev[i].Labels = labels
	}
	target := eval.Target{Kind: eval.TargetPrecision, Value: 0.9}
	tuned, rec, err := m.TuneThresholds(ctx, dev, TuneOptions{Target: target, DevName: "dev.jsonl"})
	var ue *UnreachableTargetError
	if tuned != nil || !errors.As(err, &ue) || len(ue.Labels) != 1 || ue.Labels[0].Label != "label_0" {
		t.Fatalf("error policy: %v, %v", tuned, err)
	}
	for _, want := range []string{"precision=0.9 cannot be reached on dev.jsonl", `"label_0" (highest precision 0.`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	reach := ue.Labels[0].Reachable
	if reach == nil || reach.Precision >= 0.9 || rec.Labels[0].Status != StatusUnreachable || rec.Labels[0].Threshold != rec.Labels[0].Previous {
		t.Fatalf("record %+v, reachable %+v", rec.Labels[0], reach)
	}
	kept, rec, err := m.TuneThresholds(ctx, dev, TuneOptions{Target: target, Unreachable: UnreachableKeep})
	if err != nil || rec.Labels[0].Status != StatusUnreachableKept || kept.Thresholds()[0] != m.Thresholds()[0] {
		t.Fatalf("keep: %v %+v", err, rec.Labels[0])
	}
	near, rec, err := m.TuneThresholds(ctx, dev, TuneOptions{Target: target, Unreachable: UnreachableNearest})
	if err != nil || rec.Labels[0].Status != StatusUnreachableNearest || near.Thresholds()[0] != reach.Threshold || rec.Labels[0].Precision != reach.Precision {
		t.Fatalf("nearest: %v %+v, want threshold %v", err, rec.Labels[0], reach.Threshold)
	}
	// A label without a positive example has no target at all.
	for i := range dev {
		dev[i].Labels = slices.DeleteFunc(dev[i].Labels, func(l string) bool { return l == "label_3" })
	}
	_, _, err = m.TuneThresholds(ctx, dev, TuneOptions{Target: eval.Target{Kind: eval.TargetF1}, Labels: []string{"label_3"}, DevName: "d"})
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"label_3" (no positive example)`) {
		t.Fatalf("no positives: %v", err)
	}
	_, rec, err = m.TuneThresholds(ctx, dev, TuneOptions{Target: eval.Target{Kind: eval.TargetF1}, Labels: []string{"label_3"}, Unreachable: UnreachableNearest})
	if err != nil || rec.Labels[3].Status != StatusNoPositives || rec.Labels[3].Threshold != rec.Labels[3].Previous {
		t.Fatalf("no positives, nearest: %v %+v", err, rec.Labels[3])
	}
}

// TestTuneOneLabel: --label tunes that label only.
func TestTuneOneLabel(t *testing.T) {
	m, dev := noisyMultiLabel(t)
	tuned, rec, err := m.TuneThresholds(context.Background(), dev, TuneOptions{Target: eval.Target{Kind: eval.TargetRecall, Value: 0.99}, Labels: []string{"label_1"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, lt := range rec.Labels {
		if lt.Label == "label_1" {
			if lt.Status != StatusMet || lt.Recall < 0.99 || tuned.Thresholds()[i] == m.Thresholds()[i] {
				t.Errorf("label_1: %+v (was %v)", lt, m.Thresholds()[i])
			}
			continue
		}
		if lt.Status != StatusNotTuned || tuned.Thresholds()[i] != m.Thresholds()[i] {
			t.Errorf("%s changed: %+v", lt.Label, lt)
		}
	}
	for _, bad := range []struct {
		labels []string
		want   string
	}{{[]string{"label_9"}, `"label_9" is not a label of the model (its labels are "label_0"`}} {
		if _, _, err := m.TuneThresholds(context.Background(), dev, TuneOptions{Labels: bad.labels}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: %v", bad.labels, err)
		}
	}
	dev[3].Labels = append(slices.Clone(dev[3].Labels), "zz")
	if _, _, err := m.TuneThresholds(context.Background(), dev, TuneOptions{DevName: "dev.jsonl"}); err == nil || !strings.Contains(err.Error(), `dev.jsonl:`+strconv.Itoa(dev[3].Line)+`: label "zz" is not a label of the model`) {
		t.Errorf("unknown gold label: %v", err)
	}
}

// TestWithThresholds checks the checks, that the original is untouched,
// and that a saved copy loads with its thresholds and tuning record.
func TestWithThresholds(t *testing.T) {
	m, dev := noisyMultiLabel(t)
	th := thresholdsOf(m)
	th["label_2"] = 0.05
	c, err := m.WithThresholds(th, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c.Thresholds()[2] != 0.05 || m.Thresholds()[2] == 0.05 || c.Metadata().ThresholdSource != "test" {
		t.Fatalf("copy %v, original %v", c.Thresholds(), m.Thresholds())
	}
	for _, tc := range []struct {
		th   map[string]float64
		want string
	}{
		{map[string]float64{"label_0": 0.5}, `no threshold for 3 of the 4 labels: "label_1", "label_2", "label_3"`},
		{map[string]float64{"label_0": 0.5, "label_1": 0.5, "label_2": 0.5, "label_3": 0.5, "label_x": 0.1}, `thresholds for 1 labels that are not among them: "label_x"`},
		{map[string]float64{"label_0": 1.5, "label_1": 0.5, "label_2": 0.5, "label_3": 0.5}, `"label_0" has threshold 1.5`},
	} {
		if _, err := m.WithThresholds(tc.th, "x"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.th, err, tc.want)
		}
	}
	c.SetThresholdTuning(&ThresholdTuning{Target: eval.Target{Kind: eval.TargetPrecision, Value: 0.9}, From: "m:1", Labels: []LabelTuning{{Label: "label_2", Status: StatusMet, Threshold: 0.05}}})
	dir := filepath.Join(t.TempDir(), "m")
	if err := c.Save(dir, nil); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	md := back.Metadata()
	if back.Thresholds()[2] != 0.05 || md.ThresholdTuning == nil || md.ThresholdTuning.Target.String() != "precision=0.9" || md.ThresholdTuning.From != "m:1" {
		t.Errorf("loaded: %v %+v", back.Thresholds(), md.ThresholdTuning)
	}
	if !slices.Equal(back.Scores(dev[0].Text), m.Scores(dev[0].Text)) {
		t.Error("the weights changed")
	}

	// Binary: the positive label's threshold; the other's is accepted.
	bm, _ := mustTrain(t, testConfig(dataset.ModeBinary), synthBinary(600, 1), nil)
	pos, neg := bm.PositiveLabel(), ""
	for _, l := range bm.Labels() {
		if l != pos {
			neg = l
		}
	}
	if c, err := bm.WithThresholds(map[string]float64{pos: 0.2, neg: 0.9}, "x"); err != nil || c.Metadata().Thresholds[pos] != 0.2 || len(c.Metadata().Thresholds) != 1 {
		t.Errorf("binary: %v", err)
	}
	if _, err := bm.WithThresholds(map[string]float64{neg: 0.2}, "x"); err == nil || !strings.Contains(err.Error(), pos) {
		t.Errorf("binary without the positive label: %v", err)
	}
	if _, _, err := bm.TuneThresholds(context.Background(), synthBinary(100, 2), TuneOptions{Labels: []string{neg}}); err == nil || !strings.Contains(err.Error(), "negative label of a binary model") {
		t.Errorf("tuning the negative label: %v", err)
	}
	_, rec, err := bm.TuneThresholds(context.Background(), synthBinary(200, 2), TuneOptions{Target: eval.Target{Kind: eval.TargetRecall, Value: 0.9}})
	if err != nil || len(rec.Labels) != 1 || rec.Labels[0].Label != pos || rec.Labels[0].Recall < 0.9 {
		t.Errorf("binary recall target: %v %+v", err, rec)
	}

	// Multi-class: the top label wins; there is nothing to tune.
	var single []dataset.Record
	for _, r := range synthMultiLabel(300, 4, 3) {
		if len(r.Labels) == 1 {
			single = append(single, r)
		}
	}
	mc, _ := mustTrain(t, testConfig(dataset.ModeMultiClass), single, nil)
	if _, err := mc.WithThresholds(map[string]float64{}, "x"); err == nil || !strings.Contains(err.Error(), "multi-class") {
		t.Errorf("multi-class WithThresholds: %v", err)
	}
	if _, _, err := mc.TuneThresholds(context.Background(), single, TuneOptions{}); err == nil || !strings.Contains(err.Error(), "multi-class") {
		t.Errorf("multi-class TuneThresholds: %v", err)
	}
}
