package eval

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
)

// ThresholdsError reports per-label thresholds that do not fit the labels
// they are to decide: labels without a threshold, or thresholds for labels
// that are not there (a typo, or a file meant for another model). A label
// left out is an error rather than a silent 0.5.
type ThresholdsError struct {
	// Missing are the labels that need a threshold and have none.
	Missing []string
	// Unknown are the thresholds' labels that are not among Labels.
	Unknown []string
	// Labels are the labels being decided.
	Labels []string
}

func (e *ThresholdsError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("no threshold for %d of the %d labels: %s", len(e.Missing), len(e.Labels), quoteList(e.Missing, 8)))
	}
	if len(e.Unknown) > 0 {
		parts = append(parts, fmt.Sprintf("thresholds for %d labels that are not among them: %s (the labels are %s)", len(e.Unknown), quoteList(e.Unknown, 8), quoteList(e.Labels, 12)))
	}
	return "thresholds: " + strings.Join(parts, "; ")
}

// quoteList quotes up to n names, then says how many more there are.
func quoteList(names []string, n int) string {
	return firstIDs(names, n)
}

// CheckThresholds checks that per-label thresholds fit the labels they
// decide in mode: a multi-label model needs one for every label; a binary
// model needs the positive label's (positive; when it is "", one of the
// two labels, which is then the positive one); a multi-class model needs
// none (the top label wins). In every mode a threshold for a label that is
// not among labels is an error. It returns a [*ThresholdsError] or nil.
func CheckThresholds(thresholds map[string]float64, labels []string, mode dataset.Mode, positive string) error {
	e := &ThresholdsError{Labels: labels}
	for l := range thresholds {
		if !slices.Contains(labels, l) {
			e.Unknown = append(e.Unknown, l)
		}
	}
	slices.Sort(e.Unknown)
	switch mode {
	case dataset.ModeMultiLabel:
		for _, l := range labels {
			if _, ok := thresholds[l]; !ok {
				e.Missing = append(e.Missing, l)
			}
		}
	case dataset.ModeBinary:
		if positive != "" {
			if _, ok := thresholds[positive]; !ok {
				e.Missing = append(e.Missing, positive)
			}
		} else if len(thresholds)-len(e.Unknown) == 0 {
			e.Missing = append(e.Missing, labels...)
		}
	}
	if len(e.Missing) == 0 && len(e.Unknown) == 0 {
		return nil
	}
	return e
}

// TargetKind is what a threshold is chosen to achieve.
type TargetKind string

// Target kinds.
const (
	// TargetF1 maximizes F1 (as [BestF1Threshold]).
	TargetF1 TargetKind = "f1"
	// TargetFBeta maximizes F-beta (beta > 1 favours recall, < 1 precision).
	TargetFBeta TargetKind = "f-beta"
	// TargetPrecision reaches at least a precision, with the most recall.
	TargetPrecision TargetKind = "precision"
	// TargetRecall reaches at least a recall, with the most precision.
	TargetRecall TargetKind = "recall"
)

// Target is what a label's threshold is chosen for on a validation set.
type Target struct {
	Kind TargetKind
	// Value is beta for f-beta and the minimum precision or recall for
	// the precision and recall targets; 0 for f1.
	Value float64
}

// ErrBadTarget is wrapped by [ParseTarget]'s errors.
var ErrBadTarget = errors.New("invalid threshold target")

// ParseTarget reads "f1", "f-beta=B" (B > 0), "precision=P" or "recall=R"
// (0 < P, R <= 1).
func ParseTarget(s string) (Target, error) {
	name, val, hasVal := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "=")
	bad := func(msg string) (Target, error) {
		return Target{}, fmt.Errorf("%w %q: %s", ErrBadTarget, s, msg)
	}
	want := "want f1, f-beta=B (e.g. f-beta=2), precision=P or recall=R (e.g. precision=0.9)"
	var t Target
	switch name {
	case "f1":
		if hasVal {
			return bad(want)
		}
		return Target{Kind: TargetF1}, nil
	case "f-beta", "fbeta", "f_beta":
		t.Kind = TargetFBeta
	case "precision":
		t.Kind = TargetPrecision
	case "recall":
		t.Kind = TargetRecall
	default:
		return bad(want)
	}
	if !hasVal {
		return bad(want)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return bad(want)
	}
	t.Value = v
	switch {
	case t.Kind == TargetFBeta && v <= 0:
		return bad("beta must be positive")
	case t.Kind != TargetFBeta && (v <= 0 || v > 1):
		return bad(string(t.Kind) + " must be in (0, 1]")
	}
	if t.Kind == TargetFBeta && v == 1 {
		return Target{Kind: TargetF1}, nil
	}
	return t, nil
}

// String formats the target as ParseTarget reads it.
func (t Target) String() string {
	if t.Kind == TargetF1 || t.Kind == "" {
		return "f1"
	}
	return string(t.Kind) + "=" + strconv.FormatFloat(t.Value, 'g', -1, 64)
}

// MarshalText writes the target as String does.
func (t Target) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a target with ParseTarget.
func (t *Target) UnmarshalText(b []byte) error {
	v, err := ParseTarget(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// fBeta is scikit-learn's F-beta in its operation order, with a zero
// denominator giving 0 (beta 1 gives exactly [f1]).
func fBeta(p, r, beta float64) float64 {
	b2 := beta * beta
	denom := b2*p + r
	if denom == 0 {
		denom = 1
	}
	return (1 + b2) * p * r / denom
}

// ChooseThreshold picks one label's decision threshold on a validation set
// for a target, among the thresholds of scikit-learn's
// precision_recall_curve (predict positive when score >= threshold):
//
//   - f1: the highest F1, the lowest threshold on ties ([BestF1Threshold],
//     which is how training tunes thresholds);
//   - f-beta=B: the highest F-beta, the lowest threshold on ties;
//   - precision=P: the most recall among thresholds with precision >= P,
//     then the most precision, then the lowest threshold;
//   - recall=R: the most precision among thresholds with recall >= R, then
//     the most recall, then the lowest threshold.
//
// met is false when no threshold reaches a precision or recall target;
// the threshold returned is then the nearest one (the highest precision,
// or the highest recall, with the other as the tie-break), for the caller
// to report or fall back to. The error wraps [ErrNoPositives] when no gold
// example is positive (no target is defined there).
func ChooseThreshold(gold []bool, scores []float64, t Target) (chosen Threshold, met bool, err error) {
	pr, err := PrecisionRecallCurve(gold, scores)
	if err != nil {
		return Threshold{}, false, err
	}
	if !slices.Contains(gold, true) {
		return Threshold{}, false, fmt.Errorf("eval: threshold for %s: %w", t, ErrNoPositives)
	}
	point := func(i int) Threshold {
		return Threshold{Threshold: pr.Thresholds[i], F1: f1(pr.Precision[i], pr.Recall[i]), Precision: pr.Precision[i], Recall: pr.Recall[i]}
	}
	switch t.Kind {
	case TargetF1, "":
		return bestF1(pr), true, nil
	case TargetFBeta:
		best, bestF := 0, -1.0
		for i := range pr.Thresholds {
			if f := fBeta(pr.Precision[i], pr.Recall[i], t.Value); f > bestF {
				best, bestF = i, f
			}
		}
		return point(best), true, nil
	case TargetPrecision, TargetRecall:
	default:
		return Threshold{}, false, fmt.Errorf("eval: %w %q", ErrBadTarget, string(t.Kind))
	}
	// primary is the measure to maximize, bound the one that must reach
	// t.Value.
	primary, bound := pr.Recall, pr.Precision
	if t.Kind == TargetRecall {
		primary, bound = pr.Precision, pr.Recall
	}
	best, nearest := -1, 0
	for i := range pr.Thresholds {
		if bound[i] > bound[nearest] || bound[i] == bound[nearest] && primary[i] > primary[nearest] {
			nearest = i
		}
		if bound[i] < t.Value {
			continue
		}
		if best < 0 || primary[i] > primary[best] || primary[i] == primary[best] && bound[i] > bound[best] {
			best = i
		}
	}
	if best < 0 {
		return point(nearest), false, nil
	}
	return point(best), true, nil
}
