package classify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
	"time"

	"github.com/osler-health/osler/internal/checksum"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/text"
)

// RetuneOptions are one run of osler thresholds tune: new thresholds for
// a trained model, chosen for a target on labelled dev data, evaluated on
// dev and, when given, held-out test data.
type RetuneOptions struct {
	// Dev is the labelled data to choose the thresholds on (required);
	// Test, when given, evaluates them on held-out data.
	Dev, Test string
	// Data says how to read them.
	Data dataset.Options
	// Tune is the target, the labels to tune and the policy for targets
	// that cannot be reached; its DevName is set from Dev.
	Tune TuneOptions
	// CurvePoints bounds the PR-curve points kept per label in
	// metrics.json (0: all).
	CurvePoints int
	// From and FromSHA256 record the model tuned: its directory or
	// registry version, and the sha256 of its model.json.
	From, FromSHA256 string
}

// RetuneResult is a tuned model with its evaluation before and after.
type RetuneResult struct {
	// Model is the tuned model: the same weights, the new thresholds, and
	// model.json recording the tuning, the data and the metrics.
	Model   *Model
	Tuning  *ThresholdTuning
	Metrics Metrics
	// Files are metrics.json and the HTML reports saved beside the model.
	Files map[string][]byte
	// Before and BeforeTest evaluate the model at its old thresholds.
	Before, BeforeTest *eval.ClassificationResult
	// DevDocuments and TestDocuments count the records of each file.
	DevDocuments, TestDocuments int

	opts RetuneOptions
}

// Retune chooses new thresholds for m. When a target cannot be reached
// and the policy is UnreachableError, it returns the tuning table (in
// the result's Tuning, for [RetuneResult.WriteText]) with an
// [*UnreachableTargetError] and no model.
func Retune(ctx context.Context, m *Model, o RetuneOptions) (*RetuneResult, error) {
	if o.Dev == "" {
		return nil, errors.New("classify: retune: no dev data")
	}
	dev, err := dataset.ReadAll(o.Dev, nil, o.Data)
	if err != nil {
		return nil, err
	}
	var test []dataset.Record
	if o.Test != "" {
		if test, err = dataset.ReadAll(o.Test, nil, o.Data); err != nil {
			return nil, err
		}
	}
	o.Tune.DevName = o.Dev
	res := &RetuneResult{DevDocuments: len(dev), TestDocuments: len(test), opts: o}
	tuned, rec, err := m.TuneThresholds(ctx, dev, o.Tune)
	res.Tuning = rec
	if err != nil {
		return res, err
	}

	// Record where the thresholds came from, and evaluate them.
	devSum, _, err := checksum.File(ctx, o.Dev)
	if err != nil {
		return nil, err
	}
	rec.Data = DataFile{Path: o.Dev, SHA256: devSum, Records: len(dev)}
	rec.From, rec.FromSHA256 = o.From, o.FromSHA256
	rec.Tuned = time.Now().UTC().Format(time.RFC3339)
	tuned.SetThresholdTuning(rec)
	data := maps.Clone(m.Metadata().Data)
	if data == nil {
		data = map[string]DataFile{}
	}
	data["tune"] = rec.Data
	res.Metrics = Metrics{Tuning: rec}
	if res.Metrics.Dev, err = tuned.EvaluateSplit(ctx, o.Dev, dev, o.CurvePoints); err != nil {
		return nil, err
	}
	if res.Before, err = m.Evaluate(ctx, dev, -1, 0); err != nil {
		return nil, err
	}
	if test != nil {
		sum, _, err := checksum.File(ctx, o.Test)
		if err != nil {
			return nil, err
		}
		data["test"] = DataFile{Path: o.Test, SHA256: sum, Records: len(test)}
		if res.Metrics.Test, err = tuned.EvaluateSplit(ctx, o.Test, test, o.CurvePoints); err != nil {
			return nil, err
		}
		if res.BeforeTest, err = m.Evaluate(ctx, test, -1, 0); err != nil {
			return nil, err
		}
	}
	tuned.SetData(data)
	if err := tuned.SetMetrics(res.Metrics.Summary()); err != nil {
		return nil, err
	}
	if res.Files, err = EvaluationFiles(tuned, res.Metrics); err != nil {
		return nil, err
	}
	res.Model = tuned
	return res, nil
}

// Save writes the tuned model directory with its evaluation files.
func (r *RetuneResult) Save(dir string) error { return r.Model.Save(dir, r.Files) }

// WriteText prints the tuning as osler thresholds tune does: the
// per-label table (each label's threshold before and after, its dev
// precision, recall and F1 at the new threshold, and whether the target
// was met), then the averages before and after on dev and test. Without
// a model (the target was not reached) it says nothing was tuned.
func (r *RetuneResult) WriteText(w io.Writer) error {
	ew := &text.ErrWriter{W: w}
	rec := r.Tuning
	what := "thresholds tuned"
	if r.Model == nil {
		what = "thresholds NOT tuned"
	}
	fmt.Fprintf(ew, "%s for %s on %s (%d documents), from %s:\n\n", what, rec.Target, r.opts.Dev, r.DevDocuments, r.opts.From)
	header := []string{"label", ">before", ">after", ">precision", ">recall", ">F1", ">support", "target"}
	var rows [][]string
	for _, l := range rec.Labels {
		status := string(l.Status)
		if reached := l.Reached(rec.Target); reached != "" && l.Status != StatusNoPositives {
			status += ": " + reached
		}
		rows = append(rows, []string{l.Label, report.Number(l.Previous), report.Number(l.Threshold), report.Number(l.Precision),
			report.Number(l.Recall), report.Number(l.F1), strconv.Itoa(l.Support), status})
	}
	if err := report.WriteTable(ew, false, header, rows); err != nil {
		return err
	}
	if r.Model == nil {
		fmt.Fprintln(ew, "\n(precision, recall and F1 at the current thresholds)")
		return ew.Err
	}
	fmt.Fprintf(ew, "\ndev: %s\n", averagesChange(r.Before, r.Metrics.Dev.Model))
	if r.Metrics.Test != nil {
		fmt.Fprintf(ew, "\ntest (%s, %d documents): %s\n", r.opts.Test, r.TestDocuments, averagesChange(r.BeforeTest, r.Metrics.Test.Model))
	}
	return ew.Err
}

// averagesChange describes how an evaluation changed: micro (or the
// positive label's) precision, recall and F1 before and after.
func averagesChange(before, after *eval.ClassificationResult) string {
	name, b, a := "micro", before.Micro, after.Micro
	if after.Binary != nil && before.Binary != nil {
		name, b, a = after.PositiveLabel, *before.Binary, *after.Binary
	}
	n := report.Number
	s := fmt.Sprintf("%s precision %s -> %s, recall %s -> %s, F1 %s -> %s", name, n(b.Precision), n(a.Precision), n(b.Recall), n(a.Recall), n(b.F1), n(a.F1))
	if after.Binary == nil {
		s += fmt.Sprintf("; macro F1 %s -> %s", n(before.Macro.F1), n(after.Macro.F1))
	}
	return s
}
