package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/text"
)

// WriteClassification writes one classification result in format f:
// per-label precision, recall, F1, support, average precision, ROC AUC and
// best-F1 threshold with the averages below them, then accuracy, Hamming
// loss, macro AP, macro ROC AUC, Brier, the multi-class confusion matrix
// and the result's notes (table, markdown); one row per label and average
// with the 2x2 confusion counts (CSV); or the whole result with its PR
// curves (JSON, the metrics.json shape).
func WriteClassification(w io.Writer, f Format, r *eval.ClassificationResult) error {
	switch f {
	case JSON:
		return writeJSON(w, r)
	case CSV:
		return writeClassificationCSV(w, r)
	}
	md := f == Markdown
	th := "thresholds per label"
	switch r.Decisions {
	case "predictions":
		th = "labels as the predictions decided them"
	case "top label":
		th = "highest score wins"
	}
	fmt.Fprintf(w, "%s examples, %s, %d labels, %s\n\n", text.Thousands(r.N), r.Mode, len(r.Labels), th)
	header := []string{"label", ">threshold", ">precision", ">recall", ">F1", ">support", ">AP", ">ROC AUC", ">best-F1 t", ">best F1"}
	var rows [][]string
	for _, lm := range r.PerLabel {
		bt, bf := "—", "—"
		if lm.BestF1 != nil {
			bt, bf = Number(lm.BestF1.Threshold), Number(lm.BestF1.F1)
		}
		rows = append(rows, []string{lm.Label, numberOpt(lm.Threshold), Number(lm.Precision), Number(lm.Recall), Number(lm.F1),
			text.Thousands(lm.Support), numberOpt(lm.AveragePrecision), numberOpt(lm.ROCAUC), bt, bf})
	}
	for _, a := range averagesOf(r) {
		rows = append(rows, []string{a.name, "", Number(a.Precision), Number(a.Recall), Number(a.F1), "", "", "", "", ""})
	}
	if err := WriteTable(w, md, header, rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	acc := "accuracy"
	if r.Samples != nil {
		acc = "subset accuracy"
	}
	fmt.Fprintf(w, "%s %s, Hamming loss %s, macro AP %s, macro ROC AUC %s, Brier %s\n",
		acc, Number(r.Accuracy), Number(r.HammingLoss), numberOpt(r.MacroAveragePrecision), numberOpt(r.MacroROCAUC), Number(r.Brier))
	if len(r.ConfusionMatrix) > 0 {
		if err := writeConfusionMatrix(w, md, r); err != nil {
			return err
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nnote: %s", n)
	}
	if len(r.Notes) > 0 {
		_, err := fmt.Fprintln(w)
		return err
	}
	return nil
}

func writeClassificationCSV(w io.Writer, r *eval.ClassificationResult) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"label", "threshold", "precision", "recall", "f1", "support", "predicted", "tn", "fp", "fn", "tp", "average_precision", "roc_auc", "brier", "best_f1_threshold", "best_f1"})
	for _, lm := range r.PerLabel {
		bt, bf := "", ""
		if lm.BestF1 != nil {
			bt, bf = CSVNumber(lm.BestF1.Threshold), CSVNumber(lm.BestF1.F1)
		}
		c := lm.Confusion
		cw.Write([]string{lm.Label, csvOpt(lm.Threshold), CSVNumber(lm.Precision), CSVNumber(lm.Recall), CSVNumber(lm.F1),
			strconv.Itoa(lm.Support), strconv.Itoa(lm.Predicted), strconv.Itoa(c[0][0]), strconv.Itoa(c[0][1]), strconv.Itoa(c[1][0]), strconv.Itoa(c[1][1]),
			csvOpt(lm.AveragePrecision), csvOpt(lm.ROCAUC), CSVNumber(lm.Brier), bt, bf})
	}
	for _, a := range averagesOf(r) {
		cw.Write([]string{a.name, "", CSVNumber(a.Precision), CSVNumber(a.Recall), CSVNumber(a.F1), "", "", "", "", "", "", "", "", "", "", ""})
	}
	cw.Flush()
	return cw.Error()
}

// writeConfusionMatrix writes the multi-class confusion matrix under its
// heading.
func writeConfusionMatrix(w io.Writer, md bool, r *eval.ClassificationResult) error {
	heading := "Confusion matrix"
	if md {
		heading = "**Confusion matrix**"
	}
	fmt.Fprintf(w, "\n%s (rows: gold, columns: predicted)\n\n", heading)
	header := []string{"gold \\ predicted"}
	for _, l := range r.Labels {
		header = append(header, ">"+l)
	}
	var rows [][]string
	for i, l := range r.Labels {
		row := []string{l}
		for _, v := range r.ConfusionMatrix[i] {
			row = append(row, text.Thousands(v))
		}
		rows = append(rows, row)
	}
	return WriteTable(w, md, header, rows)
}

// namedAverage is an average row of the per-label table.
type namedAverage struct {
	name string
	eval.Averages
}

// averagesOf lists the averages a result has, in the order the tables
// show them.
func averagesOf(r *eval.ClassificationResult) []namedAverage {
	out := []namedAverage{{"micro avg", r.Micro}, {"macro avg", r.Macro}, {"weighted avg", r.Weighted}}
	if r.Samples != nil {
		out = append(out, namedAverage{"samples avg", *r.Samples})
	}
	if r.Binary != nil {
		out = append(out, namedAverage{"binary (" + r.PositiveLabel + ")", *r.Binary})
	}
	return out
}

// WriteClassificationComparison writes several systems' results on one
// gold set in format f: one row per system with how its labels were
// decided, accuracy, micro/macro/weighted F1, macro AP and ROC AUC and the
// Brier score (table, markdown, CSV, which adds Hamming loss and samples
// F1), or every system's whole result (JSON).
func WriteClassificationComparison(w io.Writer, f Format, c *eval.ClassificationComparison) error {
	if len(c.Systems) == 0 {
		return fmt.Errorf("report: comparison without systems")
	}
	switch f {
	case JSON:
		return writeJSON(w, c)
	case CSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"system", "file", "n", "decided_by", "accuracy", "hamming_loss", "micro_f1", "macro_f1", "weighted_f1", "samples_f1", "macro_average_precision", "macro_roc_auc", "brier"})
		for _, s := range c.Systems {
			res := s.Result
			sf := ""
			if res.Samples != nil {
				sf = CSVNumber(res.Samples.F1)
			}
			cw.Write([]string{s.Name, s.Source, strconv.Itoa(res.N), decidedBy(res), CSVNumber(res.Accuracy), CSVNumber(res.HammingLoss), CSVNumber(res.Micro.F1), CSVNumber(res.Macro.F1),
				CSVNumber(res.Weighted.F1), sf, csvOpt(res.MacroAveragePrecision), csvOpt(res.MacroROCAUC), CSVNumber(res.Brier)})
		}
		cw.Flush()
		return cw.Error()
	}
	first := c.Systems[0].Result
	fmt.Fprintf(w, "%d systems on %s examples (%s), %s, %d labels\n\n", len(c.Systems), text.Thousands(first.N), c.Gold, first.Mode, len(first.Labels))
	header := []string{"system", ">n", "decided by", ">accuracy", ">micro F1", ">macro F1", ">weighted F1", ">macro AP", ">macro ROC AUC", ">Brier"}
	var rows [][]string
	for _, s := range c.Systems {
		res := s.Result
		rows = append(rows, []string{s.Name, text.Thousands(res.N), decidedBy(res), Number(res.Accuracy), Number(res.Micro.F1), Number(res.Macro.F1), Number(res.Weighted.F1),
			numberOpt(res.MacroAveragePrecision), numberOpt(res.MacroROCAUC), Number(res.Brier)})
	}
	return WriteTable(w, f == Markdown, header, rows)
}

// decidedBy says in a few words how a result's labels were decided: the
// predictions' own decisions, the top score, one threshold for every
// label, or per-label thresholds.
func decidedBy(r *eval.ClassificationResult) string {
	switch r.Decisions {
	case "predictions":
		return "predictions"
	case "top label":
		return "top score"
	}
	first, seen, same := 0.0, false, true
	for _, l := range r.Labels {
		t, ok := r.Thresholds[l]
		switch {
		case !ok:
		case !seen:
			first, seen = t, true
		case t != first:
			same = false
		}
	}
	if seen && same {
		return "threshold " + strconv.FormatFloat(first, 'g', -1, 64)
	}
	return "thresholds"
}
