package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/text"
)

// WriteRougeSummary prints a ROUGE summary as osler eval rouge does: JSON
// (the summary itself), CSV (every measure with its interval and
// distribution), or a table or markdown of the means with the F intervals,
// then the distribution of F per pair.
func WriteRougeSummary(w io.Writer, f Format, s *eval.RougeSummary) error {
	switch f {
	case JSON:
		return writeJSON(w, s)
	case CSV:
		return writeRougeCSV(w, s)
	}
	md := f == Markdown
	desc := fmt.Sprintf("%s pairs, stemmer %s, %s tokenizer", text.Thousands(s.N), onOff(s.Stemmer), s.Tokenizer)
	if s.Bootstrap != nil {
		desc += fmt.Sprintf(", %s%% bootstrap intervals (%s resamples, seed %d)",
			strconv.FormatFloat(100*s.Bootstrap.Confidence, 'f', -1, 64), text.Thousands(s.Bootstrap.Samples), s.Bootstrap.Seed)
	}
	if s.Tokenizer == eval.TokenizerUnicode.String() {
		desc += " (not comparable with published ROUGE numbers)"
	}
	ew := &text.ErrWriter{W: w}
	fmt.Fprintf(ew, "%s\n\n", desc)
	header := []string{"type", ">precision", ">recall", ">F-measure"}
	if s.Bootstrap != nil {
		header = append(header, ">F low", ">F high")
	}
	var rows [][]string
	for _, t := range s.Types {
		mean := s.Mean[t]
		row := []string{string(t), Number(mean.Precision), Number(mean.Recall), Number(mean.FMeasure)}
		if s.Bootstrap != nil {
			iv := s.Bootstrap.Intervals[t]
			row = append(row, Number(iv.Low.FMeasure), Number(iv.High.FMeasure))
		}
		rows = append(rows, row)
	}
	WriteTable(ew, md, header, rows)
	fmt.Fprintf(ew, "\n%s\n\n", bold(md, "F-measure distribution per pair"))
	rows = nil
	for _, t := range s.Types {
		st := s.Distribution[t].FMeasure
		rows = append(rows, []string{string(t), text.Thousands(st.Count), Number(st.Mean), Number(st.Std), Number(st.Min), Number(st.P25), Number(st.P50), Number(st.P75), Number(st.Max)})
	}
	WriteTable(ew, md, []string{"type", ">count", ">mean", ">std", ">min", ">25%", ">50%", ">75%", ">max"}, rows)
	return ew.Err
}

func writeRougeCSV(w io.Writer, s *eval.RougeSummary) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"type", "measure", "mean", "ci_low", "ci_high", "count", "std", "min", "p25", "p50", "p75", "max"})
	for _, t := range s.Types {
		d := s.Distribution[t]
		for k, name := range eval.Measures {
			st := []eval.Stats{d.Precision, d.Recall, d.FMeasure}[k]
			lo, hi := "", ""
			if s.Bootstrap != nil {
				iv := s.Bootstrap.Intervals[t]
				lo, hi = CSVNumber(iv.Low.Measure(k)), CSVNumber(iv.High.Measure(k))
			}
			cw.Write([]string{string(t), name, CSVNumber(s.Mean[t].Measure(k)), lo, hi, strconv.Itoa(st.Count),
				CSVNumber(st.Std), CSVNumber(st.Min), CSVNumber(st.P25), CSVNumber(st.P50), CSVNumber(st.P75), CSVNumber(st.Max)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
