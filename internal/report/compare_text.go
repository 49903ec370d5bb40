package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/text"
)

// WriteRougeComparison writes a ROUGE comparison in format f: each
// system's mean F per type with its bootstrap interval (and its share of
// unfaithful summaries when checked), then each later system's difference
// from the first with its paired bootstrap interval, starred where the
// interval excludes 0 (table, markdown); one row per system and type
// (CSV); or every system's whole summary (JSON).
func WriteRougeComparison(w io.Writer, f Format, c *eval.RougeComparison) error {
	if len(c.Systems) == 0 {
		return fmt.Errorf("report: comparison without systems")
	}
	switch f {
	case JSON:
		return writeJSON(w, c)
	case CSV:
		return writeRougeComparisonCSV(w, c)
	}
	md := f == Markdown
	rows := c.Systems
	first := rows[0].Summary
	stemmer := map[bool]string{false: "off", true: "on"}[first.Stemmer]
	desc := fmt.Sprintf("%d systems on %s references (%s), stemmer %s, %s tokenizer", len(rows), text.Thousands(first.N), c.References, stemmer, first.Tokenizer)
	if b := first.Bootstrap; b != nil {
		desc += fmt.Sprintf(", %s%% bootstrap intervals (%s resamples, seed %d)",
			strconv.FormatFloat(100*b.Confidence, 'f', -1, 64), text.Thousands(b.Samples), b.Seed)
	}
	fmt.Fprintf(w, "%s\n\n", desc)
	header := []string{"system", ">n"}
	for _, t := range first.Types {
		header = append(header, ">"+string(t)+" F")
	}
	faith := rows[0].Faithfulness != nil
	if faith {
		header = append(header, ">unfaithful")
	}
	var table [][]string
	for _, r := range rows {
		table = append(table, rougeSystemRow(r, first.Types, faith))
	}
	if err := WriteTable(w, md, header, table); err != nil {
		return err
	}
	var deltas [][]string
	for _, r := range rows[1:] {
		if r.Diff != nil {
			deltas = append(deltas, rougeDeltaRow(r, rows[0], first.Types, faith))
		}
	}
	if len(deltas) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n%s\n\n", bold(md, fmt.Sprintf("Difference from %s (mean F, paired bootstrap interval; * where it excludes 0)", rows[0].Name)))
	return WriteTable(w, md, header, deltas)
}

// rougeSystemRow is a system's mean F per type, with intervals when
// bootstrapped, and its unfaithful share when faith is set.
func rougeSystemRow(r eval.RougeSystem, types []eval.RougeType, faith bool) []string {
	row := []string{r.Name, text.Thousands(r.Summary.N)}
	for _, t := range types {
		cell := Number(r.Summary.Mean[t].FMeasure)
		if r.Summary.Bootstrap != nil {
			iv := r.Summary.Bootstrap.Intervals[t]
			cell += fmt.Sprintf(" [%s, %s]", Number(iv.Low.FMeasure), Number(iv.High.FMeasure))
		}
		row = append(row, cell)
	}
	if faith {
		u := r.Faithfulness.Unfaithful
		cell := fmt.Sprintf("%.1f%%", 100*u.Share)
		if u.Low != nil {
			cell += fmt.Sprintf(" [%.1f%%, %.1f%%]", 100**u.Low, 100**u.High)
		}
		row = append(row, cell)
	}
	return row
}

// rougeDeltaRow is a system's difference from the baseline per type with
// its paired interval.
func rougeDeltaRow(r, base eval.RougeSystem, types []eval.RougeType, faith bool) []string {
	row := []string{r.Name, text.Thousands(r.Summary.N)}
	for _, t := range types {
		iv := r.Diff[t]
		mark := ""
		if iv.Low.FMeasure > 0 || iv.High.FMeasure < 0 {
			mark = " *"
		}
		row = append(row, fmt.Sprintf("%+.4f [%+.4f, %+.4f]%s", r.Summary.Mean[t].FMeasure-base.Summary.Mean[t].FMeasure, iv.Low.FMeasure, iv.High.FMeasure, mark))
	}
	if faith {
		row = append(row, fmt.Sprintf("%+.1f%%", 100*(r.Faithfulness.Unfaithful.Share-base.Faithfulness.Unfaithful.Share)))
	}
	return row
}

func writeRougeComparisonCSV(w io.Writer, c *eval.RougeComparison) error {
	first := c.Systems[0].Summary
	cw := csv.NewWriter(w)
	cw.Write([]string{"system", "file", "n", "type", "precision", "recall", "fmeasure", "f_low", "f_high", "diff_f", "diff_low", "diff_high", "unfaithful"})
	for _, r := range c.Systems {
		for _, t := range first.Types {
			mean := r.Summary.Mean[t]
			lo, hi, d, dlo, dhi := "", "", "", "", ""
			if r.Summary.Bootstrap != nil {
				iv := r.Summary.Bootstrap.Intervals[t]
				lo, hi = CSVNumber(iv.Low.FMeasure), CSVNumber(iv.High.FMeasure)
			}
			if r.Diff != nil {
				d = CSVNumber(mean.FMeasure - first.Mean[t].FMeasure)
				dlo, dhi = CSVNumber(r.Diff[t].Low.FMeasure), CSVNumber(r.Diff[t].High.FMeasure)
			}
			unfaithful := ""
			if r.Faithfulness != nil {
				unfaithful = CSVNumber(r.Faithfulness.Unfaithful.Share)
			}
			cw.Write([]string{r.Name, r.Source, strconv.Itoa(r.Summary.N), string(t), CSVNumber(mean.Precision), CSVNumber(mean.Recall), CSVNumber(mean.FMeasure), lo, hi, d, dlo, dhi, unfaithful})
		}
	}
	cw.Flush()
	return cw.Error()
}
