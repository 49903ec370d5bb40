package classify

import (
	"context"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

// Metrics is a model's metrics.json: each evaluated split at the model's
// thresholds and at 0.5, and, for a model whose thresholds were re-chosen
// by [Model.TuneThresholds], how they were chosen.
type Metrics struct {
	Dev  *SplitMetrics `json:"dev,omitempty"`
	Test *SplitMetrics `json:"test,omitempty"`
	// Tuning is the threshold tuning that made this model from another.
	Tuning *ThresholdTuning `json:"threshold_tuning,omitempty"`
}

// SplitMetrics are one split's evaluations.
type SplitMetrics struct {
	File string `json:"file"`
	// Model is the evaluation at the model's own thresholds (tuned on dev
	// or by cross-validation); for the file they were tuned on it is
	// optimistic.
	Model *eval.ClassificationResult `json:"model_thresholds"`
	// AtHalf is the evaluation at threshold 0.5 for every label (absent
	// for multi-class models, where the top label wins either way).
	AtHalf *eval.ClassificationResult `json:"threshold_0_5,omitempty"`
}

// EvaluateSplit evaluates recs (the split read from file) at the model's
// thresholds and, unless the model is multi-class, at 0.5. curvePoints
// thins the PR curves kept (0 keeps every point).
func (m *Model) EvaluateSplit(ctx context.Context, file string, recs []dataset.Record, curvePoints int) (*SplitMetrics, error) {
	s := &SplitMetrics{File: file}
	var err error
	if s.Model, err = m.Evaluate(ctx, recs, -1, curvePoints); err != nil {
		return nil, err
	}
	if m.Mode() != dataset.ModeMultiClass {
		if s.AtHalf, err = m.Evaluate(ctx, recs, eval.DefaultThreshold, curvePoints); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Headline is what model.json keeps of an evaluation: flat enough for the
// registry's conditions ("dev.micro.f1>=0.8", "test.f1>=0.75",
// "dev.per_label.Adverse_Event.recall>=0.8").
type Headline struct {
	N int `json:"n"`
	// F1, Precision and Recall are the positive label's (binary models).
	F1        *float64        `json:"f1,omitempty"`
	Precision *float64        `json:"precision,omitempty"`
	Recall    *float64        `json:"recall,omitempty"`
	Accuracy  float64         `json:"accuracy"`
	Micro     eval.Averages   `json:"micro"`
	Macro     eval.Averages   `json:"macro"`
	PerLabel  []LabelHeadline `json:"per_label"`
	AtHalf    *HeadlineAtHalf `json:"at_0_5,omitempty"`
	AP        *float64        `json:"macro_average_precision,omitempty"`
	Notes     []string        `json:"notes,omitempty"`
}

// LabelHeadline is one label's line of a [Headline].
type LabelHeadline struct {
	Label     string   `json:"label"`
	Threshold *float64 `json:"threshold,omitempty"`
	Precision float64  `json:"precision"`
	Recall    float64  `json:"recall"`
	F1        float64  `json:"f1"`
	Support   int      `json:"support"`
}

// HeadlineAtHalf is the evaluation at 0.5 in a [Headline].
type HeadlineAtHalf struct {
	F1       *float64      `json:"f1,omitempty"`
	Accuracy float64       `json:"accuracy"`
	Micro    eval.Averages `json:"micro"`
	Macro    eval.Averages `json:"macro"`
}

// HeadlineOf summarizes a split's evaluation.
func HeadlineOf(s *SplitMetrics) *Headline {
	r := s.Model
	h := &Headline{N: r.N, Accuracy: r.Accuracy, Micro: r.Micro, Macro: r.Macro, AP: r.MacroAveragePrecision, Notes: r.Notes}
	if r.Binary != nil {
		h.F1, h.Precision, h.Recall = &r.Binary.F1, &r.Binary.Precision, &r.Binary.Recall
	}
	for _, l := range r.PerLabel {
		h.PerLabel = append(h.PerLabel, LabelHeadline{Label: l.Label, Threshold: l.Threshold, Precision: l.Precision, Recall: l.Recall, F1: l.F1, Support: l.Support})
	}
	if a := s.AtHalf; a != nil {
		h.AtHalf = &HeadlineAtHalf{Accuracy: a.Accuracy, Micro: a.Micro, Macro: a.Macro}
		if a.Binary != nil {
			h.AtHalf.F1 = &a.Binary.F1
		}
	}
	return h
}

// MetricsSummary is the "metrics" of model.json (and what the registry
// records and conditions test).
type MetricsSummary struct {
	Dev  *Headline `json:"dev,omitempty"`
	Test *Headline `json:"test,omitempty"`
	// ThresholdTuning is the target thresholds were tuned for and how many
	// labels reached it ("threshold_tuning.unreachable<=0").
	ThresholdTuning *TuningHeadline `json:"threshold_tuning,omitempty"`
}

// TuningHeadline summarizes a [ThresholdTuning].
type TuningHeadline struct {
	Target string `json:"target"`
	// Tuned counts the labels whose threshold was chosen for the target;
	// Unreachable those where it could not be reached on the file tuned
	// on (their thresholds are then kept or the nearest, as asked).
	Tuned       int `json:"tuned"`
	Unreachable int `json:"unreachable"`
}

// Summary is the "metrics" of model.json.
func (c Metrics) Summary() MetricsSummary {
	var out MetricsSummary
	if c.Dev != nil {
		out.Dev = HeadlineOf(c.Dev)
	}
	if c.Test != nil {
		out.Test = HeadlineOf(c.Test)
	}
	if t := c.Tuning; t != nil {
		out.ThresholdTuning = &TuningHeadline{Target: t.Target.String()}
		for _, l := range t.Labels {
			if l.Status != StatusNotTuned {
				out.ThresholdTuning.Tuned++
			}
			if l.Status == StatusUnreachableKept || l.Status == StatusUnreachableNearest || l.Status == StatusNoPositives {
				out.ThresholdTuning.Unreachable++
			}
		}
	}
	return out
}
