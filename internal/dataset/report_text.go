package dataset

import (
	"fmt"
	"io"

	"github.com/osler-health/osler/internal/text"
)

// WriteText prints the splits as osler data split does: each split's rows,
// share and file (outPath names it), the per-label counts, and the largest
// gap between a label's share in a split and in the whole file.
func (st SplitStats) WriteText(w io.Writer, outPath func(split string) string) error {
	ew := &text.ErrWriter{W: w}
	total := 0
	for _, r := range st.Rows {
		total += r
	}
	for j, name := range st.Names {
		fmt.Fprintf(ew, "%-5s  %9s rows  %5.1f%%  %s\n", name, text.Thousands(st.Rows[j]), 100*float64(st.Rows[j])/float64(max(total, 1)), outPath(name))
	}
	if len(st.Labels) == 0 {
		return ew.Err
	}
	width := len("label")
	for _, l := range st.Labels {
		width = max(width, len(l.Label))
	}
	fmt.Fprintf(ew, "\n%-*s  %9s", width, "label", "all")
	for _, name := range st.Names {
		fmt.Fprintf(ew, "  %9s", name)
	}
	fmt.Fprintln(ew)
	for _, l := range st.Labels {
		fmt.Fprintf(ew, "%-*s  %9s", width, l.Label, text.Thousands(l.Total))
		for _, c := range l.Counts {
			fmt.Fprintf(ew, "  %9s", text.Thousands(c))
		}
		fmt.Fprintln(ew)
	}
	pp, label, split := st.MaxShareDeviation()
	fmt.Fprintf(ew, "\nLargest gap between a label's share in a split and in the whole file: %.2f percentage points (%q in %s).\n", pp, label, split)
	return ew.Err
}

// WriteText prints what oversampling added, as osler data oversample does:
// each label's rows before, added and after, and the totals (out names
// the file written).
func (r *OversampleReport) WriteText(w io.Writer, out string) error {
	ew := &text.ErrWriter{W: w}
	width := len("label")
	for _, l := range r.Labels {
		width = max(width, len(l.Label))
	}
	fmt.Fprintf(ew, "%-*s  %9s  %9s  %9s\n", width, "label", "before", "added", "after")
	for _, l := range r.Labels {
		fmt.Fprintf(ew, "%-*s  %9s  %9s  %9s\n", width, l.Label, text.Thousands(l.Before), text.Thousands(l.Added), text.Thousands(l.After))
	}
	fmt.Fprintf(ew, "\nadded %s copies to %s rows; wrote %s rows to %s\n", text.Thousands(r.RowsAdded), text.Thousands(r.Rows), text.Thousands(r.Rows+r.RowsAdded), out)
	return ew.Err
}
