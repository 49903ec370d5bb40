package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/osler-health/osler/internal/eval"
)

// WriteFaithfulness writes a faithfulness report in format f: the headline
// shares with their intervals and the counts per kind (table, markdown,
// CSV), or the whole report with the flagged pairs' issues (JSON). show is
// how many flagged pairs the table and markdown list with their issues.
func WriteFaithfulness(w io.Writer, f Format, rep *eval.FaithfulnessReport, show int) error {
	switch f {
	case JSON:
		type flagged struct {
			ID     string `json:"id"`
			Issues any    `json:"issues"`
		}
		out := struct {
			*eval.FaithfulnessReport
			Flagged []flagged `json:"flagged"`
		}{FaithfulnessReport: rep}
		out.Flagged = []flagged{}
		for _, c := range rep.Checks {
			if c.Flagged {
				out.Flagged = append(out.Flagged, flagged{c.ID, c.Issues})
			}
		}
		return writeJSON(w, out)
	case CSV:
		return writeFaithfulnessCSV(w, rep)
	}
	md := f == Markdown
	t := textTable{markdown: md, header: []string{"measure", ">count", ">of", ">share"}}
	if rep.Bootstrap != nil {
		t.header = append(t.header, ">interval")
	}
	for _, row := range headlineRows(rep) {
		cells := []string{row.name, fmt.Sprint(row.s.Count), fmt.Sprint(row.s.N), fmt.Sprintf("%.1f%%", 100*row.s.Share)}
		if rep.Bootstrap != nil {
			iv := "—"
			if row.s.Low != nil {
				iv = fmt.Sprintf("%.1f%%–%.1f%%", 100**row.s.Low, 100**row.s.High)
			}
			cells = append(cells, iv)
		}
		t.rows = append(t.rows, cells)
	}
	fmt.Fprintf(w, "faithfulness of %d summaries to their sources", rep.Pairs)
	if rep.Bootstrap != nil {
		fmt.Fprintf(w, " (%.0f%% bootstrap intervals, %d resamples, seed %d)", 100*rep.Bootstrap.Confidence, rep.Bootstrap.Samples, rep.Bootstrap.Seed)
	}
	fmt.Fprintln(w, ":")
	if md {
		fmt.Fprintln(w)
	}
	if err := t.write(w); err != nil {
		return err
	}
	if len(rep.Kinds) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "issues by kind (summaries with at least one, and all issues):")
		if md {
			fmt.Fprintln(w)
		}
		k := textTable{markdown: md, header: []string{"verdict", "kind", ">summaries", ">share", ">issues"}}
		for _, kc := range rep.Kinds {
			k.rows = append(k.rows, []string{kc.Verdict.String(), kc.Kind.String(), fmt.Sprint(kc.Summaries), fmt.Sprintf("%.1f%%", 100*kc.Share), fmt.Sprint(kc.Issues)})
		}
		if err := k.write(w); err != nil {
			return err
		}
	}
	return writeFlagged(w, rep, show)
}

// writeFaithfulnessCSV writes one row per measure: the headline shares,
// then each verdict and kind (count: summaries with one; issues: all of
// them).
func writeFaithfulnessCSV(w io.Writer, rep *eval.FaithfulnessReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"measure", "count", "n", "share", "low", "high", "issues"})
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return fmt.Sprintf("%.4f", *p)
	}
	for _, row := range headlineRows(rep) {
		cw.Write([]string{row.name, fmt.Sprint(row.s.Count), fmt.Sprint(row.s.N), fmt.Sprintf("%.4f", row.s.Share), opt(row.s.Low), opt(row.s.High), ""})
	}
	for _, k := range rep.Kinds {
		cw.Write([]string{k.Verdict.String() + " " + k.Kind.String(), fmt.Sprint(k.Summaries), fmt.Sprint(rep.Pairs),
			fmt.Sprintf("%.4f", k.Share), "", "", fmt.Sprint(k.Issues)})
	}
	cw.Flush()
	return cw.Error()
}

// writeFlagged lists up to show flagged pairs with their flagged issues.
func writeFlagged(w io.Writer, rep *eval.FaithfulnessReport, show int) error {
	shown := 0
	for _, c := range rep.Checks {
		if !c.Flagged || shown >= show {
			continue
		}
		if shown == 0 {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "flagged summaries:")
		}
		shown++
		fmt.Fprintf(w, "  %s:\n", c.ID)
		for _, is := range c.Issues {
			if is.Flagged() {
				if _, err := fmt.Fprintf(w, "    %s %s: %s\n", is.Verdict, is.Kind, is.Message); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type headlineRow struct {
	name string
	s    eval.Share
}

func headlineRows(rep *eval.FaithfulnessReport) []headlineRow {
	return []headlineRow{
		{"unfaithful (unsupported or contradicted)", rep.Unfaithful},
		{"with an unsupported claim", rep.Unsupported},
		{"with a contradiction", rep.Contradicted},
		{"critical finding missed (of critical sources)", rep.CriticalMissed},
		{"critical finding called normal (of critical sources)", rep.CriticalNormalized},
		{"line, tube or significant finding omitted", rep.ReportableOmitted},
	}
}

// WriteFaithfulnessChecks writes every pair's check as one JSON line, in
// input order: {"id", "flagged", "source_critical", "issues": [...]}.
func WriteFaithfulnessChecks(w io.Writer, rep *eval.FaithfulnessReport) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range rep.Checks {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return nil
}

// WriteCases writes a checklist run in format f: counts, categories and
// each failure with what was missing or said (table, markdown), or the
// whole report (JSON). The checklist has no CSV form.
func WriteCases(w io.Writer, f Format, rep *eval.CaseReport) error {
	switch f {
	case JSON:
		return writeJSON(w, rep)
	case CSV:
		return fmt.Errorf("report: checklist results have no CSV form; use table, json or markdown")
	}
	md := f == Markdown
	fmt.Fprintf(w, "%d of %d cases passed (%.1f%% failed); %d of %d critical cases turned into a normal study; %d summaries unfaithful by the check\n",
		rep.Passed, rep.Cases, 100*rep.FailRate, rep.CriticalNormalized, rep.CriticalCases, rep.Unfaithful)
	if md {
		fmt.Fprintln(w)
	}
	t := textTable{markdown: md, header: []string{"category", ">passed", ">cases"}}
	var cats []string
	for c := range rep.Categories {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		cc := rep.Categories[c]
		name := c
		if name == "" {
			name = "(none)"
		}
		t.rows = append(t.rows, []string{name, fmt.Sprint(cc.Passed), fmt.Sprint(cc.Total)})
	}
	if err := t.write(w); err != nil {
		return err
	}
	for _, r := range rep.Results {
		if r.Pass {
			continue
		}
		fmt.Fprintf(w, "\nFAIL %s (%s): %q\n", r.ID, r.Category, r.Summary)
		for _, g := range r.Missing {
			fmt.Fprintf(w, "  missing one of: %s\n", strings.Join(quoteEach(g), ", "))
		}
		for _, s := range r.Said {
			fmt.Fprintf(w, "  says: %q\n", s)
		}
		if r.Normalized {
			if _, err := fmt.Fprintln(w, "  turns a critical finding into a normal study"); err != nil {
				return err
			}
		}
	}
	return nil
}

func quoteEach(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
