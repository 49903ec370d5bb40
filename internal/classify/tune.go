package classify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

// WithThresholds returns a copy of the model that decides with th (label:
// threshold) instead of its own thresholds; the weights are shared, not
// copied. th must fit the model ([eval.CheckThresholds]): every label of a
// multi-label model, the positive label of a binary model (a threshold for
// its other label is accepted and unused, as in the thresholds files that
// osler eval classification writes); a multi-class model takes none, since
// its top label wins whatever the thresholds. Thresholds are scores in
// [0, 1]. source says where they came from (model.json's
// threshold_source).
func (m *Model) WithThresholds(th map[string]float64, source string) (*Model, error) {
	if m.mode == dataset.ModeMultiClass {
		return nil, errors.New("classify: a multi-class model predicts its top-scored label; thresholds do not change its decisions")
	}
	if err := eval.CheckThresholds(th, m.labels, m.mode, m.PositiveLabel()); err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	for _, l := range slices.Sorted(maps.Keys(th)) {
		if t := th[l]; math.IsNaN(t) || t < 0 || t > 1 {
			return nil, fmt.Errorf("classify: thresholds: %q has threshold %g; scores are between 0 and 1", l, t)
		}
	}
	c := &Model{meta: m.Metadata(), feat: m.feat, lex: m.lex, mode: m.mode, labels: m.labels, positive: m.positive, nout: m.nout,
		base: m.base, ids: m.ids, index: m.index, rows: m.rows, bias: m.bias, thresholds: slices.Clone(m.thresholds)}
	c.meta.Thresholds = map[string]float64{}
	for i, l := range m.labels {
		if m.mode == dataset.ModeBinary && i != m.positive {
			continue
		}
		c.thresholds[i] = th[l]
		c.meta.Thresholds[l] = th[l]
	}
	c.meta.ThresholdSource = source
	return c, nil
}

// Unreachable says what [Model.TuneThresholds] does for a label whose
// target cannot be reached on the data tuned on.
type Unreachable string

// What to do with a label whose target cannot be reached.
const (
	// UnreachableError fails the tuning (the default): nothing is chosen
	// until the target is lowered or another policy is asked for.
	UnreachableError Unreachable = "error"
	// UnreachableKeep keeps the label's current threshold.
	UnreachableKeep Unreachable = "keep"
	// UnreachableNearest takes the threshold that comes nearest to the
	// target (the highest precision, or the highest recall, reachable).
	UnreachableNearest Unreachable = "nearest"
)

// ParseUnreachable reads error, keep or nearest.
func ParseUnreachable(s string) (Unreachable, error) {
	switch u := Unreachable(strings.ToLower(strings.TrimSpace(s))); u {
	case UnreachableError, UnreachableKeep, UnreachableNearest:
		return u, nil
	}
	return "", fmt.Errorf("classify: unreachable %q: want error, keep or nearest", s)
}

// TuneStatus is what happened to one label's threshold.
type TuneStatus string

// Label outcomes of a tuning.
const (
	// StatusMet: the threshold was chosen and reaches the target.
	StatusMet TuneStatus = "met"
	// StatusNotTuned: the label was not among those to tune; its
	// threshold is kept.
	StatusNotTuned TuneStatus = "not tuned"
	// StatusUnreachable: the target cannot be reached and the tuning
	// failed (UnreachableError).
	StatusUnreachable TuneStatus = "unreachable"
	// StatusUnreachableKept: the target cannot be reached; the threshold
	// was kept (UnreachableKeep).
	StatusUnreachableKept TuneStatus = "unreachable, kept"
	// StatusUnreachableNearest: the target cannot be reached; the nearest
	// threshold was taken (UnreachableNearest).
	StatusUnreachableNearest TuneStatus = "unreachable, nearest"
	// StatusNoPositives: the data has no positive example of the label,
	// so no target is defined; the threshold is kept unless the policy is
	// UnreachableError.
	StatusNoPositives TuneStatus = "no positive example"
)

// ThresholdTuning records how a model's thresholds were re-chosen for a
// target on a validation file (model.json's threshold_tuning, and
// metrics.json's).
type ThresholdTuning struct {
	Target      eval.Target `json:"target"`
	Unreachable Unreachable `json:"unreachable"`
	// Data is the file the thresholds were chosen on.
	Data DataFile `json:"data"`
	// From identifies the model whose thresholds were re-chosen (a
	// registry reference such as "sepsis:3", or a directory), FromSHA256
	// its model.json.
	From       string `json:"from,omitempty"`
	FromSHA256 string `json:"from_sha256,omitempty"`
	// Tuned is when (RFC 3339).
	Tuned string `json:"tuned,omitempty"`
	// Labels has one entry per label with a threshold, in label order.
	Labels []LabelTuning `json:"labels"`
}

// LabelTuning is one label's outcome.
type LabelTuning struct {
	Label  string     `json:"label"`
	Status TuneStatus `json:"status"`
	// Previous is the threshold before, Threshold the one now.
	Previous  float64 `json:"previous"`
	Threshold float64 `json:"threshold"`
	// Precision, Recall and F1 are measured on the data tuned on, at
	// Threshold; Support is the number of positive examples there.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
	// Reachable is, for a precision or recall target that could not be
	// reached, the nearest point the data offers: the threshold with the
	// highest precision (or recall) and what it gives.
	Reachable *eval.Threshold `json:"reachable,omitempty"`
}

// UnreachableTargetError is returned by [Model.TuneThresholds] with the
// UnreachableError policy when some labels cannot reach the target.
type UnreachableTargetError struct {
	Target eval.Target
	File   string
	Labels []LabelTuning // the labels that cannot
}

func (e *UnreachableTargetError) Error() string {
	var parts []string
	for _, l := range e.Labels {
		parts = append(parts, fmt.Sprintf("%q (%s)", l.Label, l.reachableText(e.Target)))
	}
	return fmt.Sprintf("classify: thresholds: %s cannot be reached on %s for %d label(s): %s", e.Target, e.File, len(e.Labels), strings.Join(parts, ", "))
}

// reachableText says what the data offers for a label that misses the
// target.
func (l LabelTuning) reachableText(t eval.Target) string {
	r := l.Reachable
	if r == nil {
		return "no positive example"
	}
	p, rc := strconv.FormatFloat(r.Precision, 'f', 4, 64), strconv.FormatFloat(r.Recall, 'f', 4, 64)
	if t.Kind == eval.TargetRecall {
		return fmt.Sprintf("highest recall %s, at precision %s, threshold %.4g", rc, p, r.Threshold)
	}
	return fmt.Sprintf("highest precision %s, at recall %s, threshold %.4g", p, rc, r.Threshold)
}

// Reached describes, for a label that missed its target, what the data
// offers ("highest precision 0.8333, at recall 0.0500, threshold 0.97",
// or "no positive example"); "" for a label that met it.
func (l LabelTuning) Reached(t eval.Target) string {
	switch l.Status {
	case StatusUnreachable, StatusUnreachableKept, StatusUnreachableNearest, StatusNoPositives:
		return l.reachableText(t)
	}
	return ""
}

// TuneOptions configure [Model.TuneThresholds].
type TuneOptions struct {
	Target eval.Target
	// Labels restricts the tuning to these labels; the others keep their
	// thresholds. Nil tunes every label (a binary model's positive label).
	Labels []string
	// Unreachable is the policy for labels whose target cannot be
	// reached ("" means UnreachableError).
	Unreachable Unreachable
	// DevName names the data in messages.
	DevName string
}

// TuneThresholds chooses new thresholds for a target on dev (labelled
// records the model was not trained on) with [eval.ChooseThreshold], and
// returns a copy of the model that decides with them ([Model.WithThresholds])
// and the record of what was chosen, with each label's precision, recall
// and F1 on dev at its new threshold. A multi-class model cannot be tuned
// (its top label wins). With the UnreachableError policy, labels whose
// target cannot be reached make it return the record (for the caller to
// show what is reachable), no model, and an [*UnreachableTargetError]. ctx is
// checked between records.
func (m *Model) TuneThresholds(ctx context.Context, dev []dataset.Record, opts TuneOptions) (*Model, *ThresholdTuning, error) {
	if m.mode == dataset.ModeMultiClass {
		return nil, nil, errors.New("classify: a multi-class model predicts its top-scored label; it has no thresholds to tune")
	}
	policy := opts.Unreachable
	if policy == "" {
		policy = UnreachableError
	}
	if _, err := ParseUnreachable(string(policy)); err != nil {
		return nil, nil, err
	}
	name := opts.DevName
	if name == "" {
		name = "the tuning data"
	}
	if len(dev) == 0 {
		return nil, nil, fmt.Errorf("classify: thresholds: %s has no records", name)
	}
	tune := map[int]bool{}
	for _, l := range opts.Labels {
		i := slices.Index(m.labels, l)
		if i < 0 {
			return nil, nil, fmt.Errorf("classify: thresholds: %q is not a label of the model (its labels are %s)", l, quoteLabels(m.labels))
		}
		if m.mode == dataset.ModeBinary && i != m.positive {
			return nil, nil, fmt.Errorf("classify: thresholds: %q is the negative label of a binary model; its threshold is that of the positive label %q", l, m.labels[m.positive])
		}
		tune[i] = true
	}
	if opts.Labels == nil {
		for i := range m.labels {
			tune[i] = true
		}
	}
	index := make(map[string]int, len(m.labels))
	for i, l := range m.labels {
		index[l] = i
	}
	gold := make([][]bool, len(m.labels))
	scores := make([][]float64, len(m.labels))
	var buf []float64
	for n, r := range dev {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		pos := make([]bool, len(m.labels))
		for _, g := range r.Labels {
			i, ok := index[g]
			if !ok {
				where := name
				if r.Line > 0 {
					where += ":" + strconv.Itoa(r.Line)
				}
				return nil, nil, fmt.Errorf("classify: thresholds: %s: label %q is not a label of the model (its labels are %s)", where, g, quoteLabels(m.labels))
			}
			pos[i] = true
		}
		buf = m.AppendScores(buf[:0], r.Text)
		for i := range m.labels {
			gold[i] = append(gold[i], pos[i])
			scores[i] = append(scores[i], buf[i])
		}
	}
	rec := &ThresholdTuning{Target: opts.Target, Unreachable: policy}
	th := map[string]float64{}
	var missed []LabelTuning
	for i, l := range m.labels {
		if m.mode == dataset.ModeBinary && i != m.positive {
			continue
		}
		lt := LabelTuning{Label: l, Previous: m.thresholds[i], Threshold: m.thresholds[i], Status: StatusNotTuned}
		if tune[i] {
			chosen, met, err := eval.ChooseThreshold(gold[i], scores[i], opts.Target)
			switch {
			case errors.Is(err, eval.ErrNoPositives):
				lt.Status = StatusNoPositives
				if policy == UnreachableError {
					lt.Status = StatusUnreachable
				}
			case err != nil:
				return nil, nil, fmt.Errorf("classify: thresholds: %q: %w", l, err)
			case met:
				lt.Status, lt.Threshold = StatusMet, chosen.Threshold
			default:
				lt.Reachable = &chosen
				switch policy {
				case UnreachableError:
					lt.Status = StatusUnreachable
				case UnreachableKeep:
					lt.Status = StatusUnreachableKept
				case UnreachableNearest:
					lt.Status, lt.Threshold = StatusUnreachableNearest, chosen.Threshold
				}
			}
			if lt.Status == StatusUnreachable {
				missed = append(missed, lt)
			}
		}
		th[l] = lt.Threshold
		rec.Labels = append(rec.Labels, lt)
	}
	source := "tuned for " + opts.Target.String() + " on " + name
	tuned, err := m.WithThresholds(th, source)
	if err != nil {
		return nil, nil, err
	}
	res, err := tuned.Evaluate(ctx, dev, -1, 0)
	if err != nil {
		return nil, nil, err
	}
	for k := range rec.Labels {
		lm := res.PerLabel[slices.Index(res.Labels, rec.Labels[k].Label)]
		rec.Labels[k].Precision, rec.Labels[k].Recall, rec.Labels[k].F1, rec.Labels[k].Support = lm.Precision, lm.Recall, lm.F1, lm.Support
	}
	if len(missed) > 0 {
		for k := range missed {
			missed[k] = rec.Labels[slices.IndexFunc(rec.Labels, func(x LabelTuning) bool { return x.Label == missed[k].Label })]
		}
		return nil, rec, &UnreachableTargetError{Target: opts.Target, File: name, Labels: missed}
	}
	return tuned, rec, nil
}

// SetThresholdTuning records how the model's thresholds were chosen
// (model.json's threshold_tuning). Call it before [Model.Save].
func (m *Model) SetThresholdTuning(t *ThresholdTuning) { m.meta.ThresholdTuning = t }

// quoteLabels lists labels for messages, eliding after twelve.
func quoteLabels(labels []string) string {
	var q []string
	for i, l := range labels {
		if i == 12 {
			q = append(q, fmt.Sprintf("and %d more", len(labels)-12))
			break
		}
		q = append(q, strconv.Quote(l))
	}
	return strings.Join(q, ", ")
}
