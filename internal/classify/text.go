package classify

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/text"
)

// WriteText prints what was trained and how it scores, as osler train
// classifier does: the model, its settings and thresholds, warnings, and
// the dev and test evaluations at the tuned thresholds and at 0.5.
func (r *FitResult) WriteText(w io.Writer) error {
	ew := &text.ErrWriter{W: w}
	m, rep := r.Model, r.Report
	md := m.Metadata()
	fmt.Fprintf(ew, "trained a %s classifier: %d labels, %d documents, %d features, in %.2f s (features %.2f s, solver %.2f s, thresholds %.2f s)\n",
		m.Mode(), len(rep.Labels), rep.Documents, rep.Features, r.Took.Seconds(), rep.Featurize.Seconds(), rep.Solve.Seconds(), rep.Tune.Seconds())
	hp := md.Hyperparameters
	nb := "off"
	if hp.NB {
		nb = "on"
	}
	fmt.Fprintf(ew, "  %s loss, C=%g, NB scaling %s, class weight %s", hp.Loss, hp.C, nb, hp.ClassWeight)
	if len(rep.Grid) > 1 {
		fmt.Fprintf(ew, " (best of %d settings on dev)", len(rep.Grid))
	}
	fmt.Fprintln(ew)
	if md.Lexicon != nil {
		cats := make([]string, 0, len(md.Lexicon.Categories))
		for c, n := range md.Lexicon.Categories {
			cats = append(cats, fmt.Sprintf("%s %d", c, n))
		}
		slices.Sort(cats)
		fmt.Fprintf(ew, "  lexicon: %d phrases (%s)\n", md.Lexicon.Phrases, strings.Join(cats, ", "))
	}
	if pl := m.PositiveLabel(); pl != "" {
		fmt.Fprintf(ew, "  positive label: %s\n", pl)
	}
	fmt.Fprintf(ew, "  thresholds: %s\n", rep.ThresholdSource)
	for _, warn := range rep.Warnings {
		fmt.Fprintf(ew, "  warning: %s\n", warn)
	}
	for _, s := range []struct {
		name string
		m    *SplitMetrics
	}{{"dev", r.Metrics.Dev}, {"test", r.Metrics.Test}} {
		if s.m == nil {
			continue
		}
		fmt.Fprintf(ew, "\n%s (%s, %d documents)", s.name, s.m.File, s.m.Model.N)
		if s.name == "dev" && rep.ThresholdSource == "dev" {
			fmt.Fprint(ew, ", thresholds tuned on this file")
		}
		fmt.Fprintln(ew, ":")
		writeSplitText(ew, m.PositiveLabel(), s.m)
	}
	return ew.Err
}

// writeSplitText prints one split's evaluation: per label (the positive
// one of a binary model) precision, recall and F1 at the model's
// thresholds and at 0.5, the averages and the accuracy.
func writeSplitText(w io.Writer, positive string, s *SplitMetrics) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	half := s.AtHalf
	if half != nil {
		fmt.Fprintf(tw, "  label\tthreshold\tprecision\trecall\tF1\t\tP@0.5\tR@0.5\tF1@0.5\t\n")
	} else {
		fmt.Fprintf(tw, "  label\tprecision\trecall\tF1\tsupport\t\n")
	}
	row := func(name string, thr string, a, b eval.Averages) {
		if half != nil {
			fmt.Fprintf(tw, "  %s\t%s\t%.4f\t%.4f\t%.4f\t\t%.4f\t%.4f\t%.4f\t\n", name, thr, a.Precision, a.Recall, a.F1, b.Precision, b.Recall, b.F1)
		}
	}
	for i, lm := range s.Model.PerLabel {
		if positive != "" && lm.Label != positive {
			continue
		}
		if half == nil {
			fmt.Fprintf(tw, "  %s\t%.4f\t%.4f\t%.4f\t%d\t\n", lm.Label, lm.Precision, lm.Recall, lm.F1, lm.Support)
			continue
		}
		thr := "-"
		if lm.Threshold != nil {
			thr = strconv.FormatFloat(*lm.Threshold, 'f', 4, 64)
		}
		hl := half.PerLabel[i]
		row(lm.Label, thr, eval.Averages{Precision: lm.Precision, Recall: lm.Recall, F1: lm.F1}, eval.Averages{Precision: hl.Precision, Recall: hl.Recall, F1: hl.F1})
	}
	if positive == "" {
		if half != nil {
			row("micro", "", s.Model.Micro, half.Micro)
			row("macro", "", s.Model.Macro, half.Macro)
		} else {
			fmt.Fprintf(tw, "  macro\t%.4f\t%.4f\t%.4f\t\t\n", s.Model.Macro.Precision, s.Model.Macro.Recall, s.Model.Macro.F1)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "  accuracy %.4f", s.Model.Accuracy)
	if half != nil {
		fmt.Fprintf(w, " (%.4f at 0.5)", half.Accuracy)
	}
	fmt.Fprintln(w)
}
