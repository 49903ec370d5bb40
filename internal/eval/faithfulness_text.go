package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
)

// FaithfulnessPairs turns records with a source and a summary (the
// summarization dataset format) into pairs. A record without a summary is
// an error naming its line.
func FaithfulnessPairs(recs []dataset.Record, name string) ([]FaithfulnessPair, error) {
	out := make([]FaithfulnessPair, 0, len(recs))
	for _, r := range recs {
		if r.Summary == "" {
			return nil, &dataset.ParseError{File: name, Line: r.Line, Field: "summary", Err: dataset.ErrMissingField,
				Hint: `each line needs the source and its summary ({"id","source","summary"}); for a system's output give --sources and --summaries`}
		}
		out = append(out, FaithfulnessPair{ID: recordID(r), Source: r.Text, Summary: r.Summary})
	}
	return out, nil
}

// recordID is a record's id, or its line number when it has none.
func recordID(r dataset.Record) string {
	if r.ID != "" {
		return r.ID
	}
	return fmt.Sprint(r.Line)
}

// JoinSummaries pairs a system's summaries (osler summarize output,
// {"id","summary"}) with the records whose sources they summarize, by id.
// An unknown or repeated id, or a source left without a summary, is an
// error.
func JoinSummaries(recs []dataset.Record, recsName string, summaries *TextPredictionReader) ([]FaithfulnessPair, error) {
	byID := make(map[string]int, len(recs))
	for i, r := range recs {
		byID[recordID(r)] = i
	}
	out := make([]FaithfulnessPair, 0, len(recs))
	done := make([]bool, len(recs))
	for {
		p, err := summaries.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if p.ID == "" {
			return nil, summaries.lr.errorf("id", dataset.ErrMissingField, "each summary needs the id of its source in %s", recsName)
		}
		i, ok := byID[p.ID]
		if !ok {
			return nil, summaries.lr.errorf("id", dataset.ErrMissingField, "id %q is not in %s", p.ID, recsName)
		}
		if done[i] {
			return nil, summaries.lr.errorf("id", dataset.ErrInvalidJSON, "id %q has a second summary", p.ID)
		}
		done[i] = true
		out = append(out, FaithfulnessPair{ID: p.ID, Source: recs[i].Text, Summary: p.Text})
	}
	var missing []string
	for i, d := range done {
		if !d {
			missing = append(missing, recordID(recs[i]))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("eval: %d source(s) in %s have no summary (first: %s)", len(missing), recsName, firstIDs(missing, 5))
	}
	return out, nil
}

// FaithfulnessFormat is how [WriteFaithfulness] writes a report.
type FaithfulnessFormat string

// Formats.
const (
	FaithTable    FaithfulnessFormat = "table"
	FaithJSON     FaithfulnessFormat = "json"
	FaithCSV      FaithfulnessFormat = "csv"
	FaithMarkdown FaithfulnessFormat = "markdown"
)

// WriteFaithfulness writes a faithfulness report: the headline shares with
// their intervals and the counts per kind (table, markdown, CSV), or the
// whole report with the flagged pairs' issues (JSON). show is how many
// flagged pairs the table lists with their issues.
func WriteFaithfulness(w io.Writer, rep *FaithfulnessReport, format FaithfulnessFormat, show int) error {
	switch format {
	case FaithJSON:
		type flagged struct {
			ID     string `json:"id"`
			Issues any    `json:"issues"`
		}
		out := struct {
			*FaithfulnessReport
			Flagged []flagged `json:"flagged"`
		}{FaithfulnessReport: rep}
		out.Flagged = []flagged{}
		for _, c := range rep.Checks {
			if c.Flagged {
				out.Flagged = append(out.Flagged, flagged{c.ID, c.Issues})
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case FaithCSV:
		// One row per measure: the headline shares, then each verdict and
		// kind (count: summaries with one; issues: all of them).
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
	md := format == FaithMarkdown
	t := &textTable{markdown: md}
	if rep.Bootstrap != nil {
		t.header("measure", ">count", ">of", ">share", ">interval")
	} else {
		t.header("measure", ">count", ">of", ">share")
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
		t.row(cells...)
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
		k := &textTable{markdown: md}
		k.header("verdict", "kind", ">summaries", ">share", ">issues")
		for _, kc := range rep.Kinds {
			k.row(kc.Verdict.String(), kc.Kind.String(), fmt.Sprint(kc.Summaries), fmt.Sprintf("%.1f%%", 100*kc.Share), fmt.Sprint(kc.Issues))
		}
		if err := k.write(w); err != nil {
			return err
		}
	}
	if show > 0 {
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
					fmt.Fprintf(w, "    %s %s: %s\n", is.Verdict, is.Kind, is.Message)
				}
			}
		}
	}
	return nil
}

type headlineRow struct {
	name string
	s    Share
}

func headlineRows(rep *FaithfulnessReport) []headlineRow {
	return []headlineRow{
		{"unfaithful (unsupported or contradicted)", rep.Unfaithful},
		{"with an unsupported claim", rep.Unsupported},
		{"with a contradiction", rep.Contradicted},
		{"critical finding missed (of critical sources)", rep.CriticalMissed},
		{"critical finding called normal (of critical sources)", rep.CriticalNormalized},
		{"line, tube or significant finding omitted", rep.ReportableOmitted},
	}
}

// WriteCases writes a checklist run: counts, categories and each failure
// with what was missing or said (table or markdown), or the whole report
// (JSON).
func WriteCases(w io.Writer, rep *CaseReport, format FaithfulnessFormat) error {
	if format == FaithJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	md := format == FaithMarkdown
	fmt.Fprintf(w, "%d of %d cases passed (%.1f%% failed); %d of %d critical cases turned into a normal study; %d summaries unfaithful by the check\n",
		rep.Passed, rep.Cases, 100*rep.FailRate, rep.CriticalNormalized, rep.CriticalCases, rep.Unfaithful)
	if md {
		fmt.Fprintln(w)
	}
	t := &textTable{markdown: md}
	t.header("category", ">passed", ">cases")
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
		t.row(name, fmt.Sprint(cc.Passed), fmt.Sprint(cc.Total))
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
			fmt.Fprintln(w, "  turns a critical finding into a normal study")
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

// textTable is a small aligned table (or a markdown one). Columns whose
// header starts with ">" are right-aligned.
type textTable struct {
	markdown bool
	heads    []string
	right    []bool
	rows     [][]string
}

func (t *textTable) header(cols ...string) {
	for _, c := range cols {
		t.right = append(t.right, strings.HasPrefix(c, ">"))
		t.heads = append(t.heads, strings.TrimPrefix(c, ">"))
	}
}

func (t *textTable) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(w io.Writer) error {
	if t.markdown {
		var b strings.Builder
		b.WriteString("| " + strings.Join(t.heads, " | ") + " |\n|")
		for _, r := range t.right {
			if r {
				b.WriteString("---:|")
			} else {
				b.WriteString("---|")
			}
		}
		b.WriteString("\n")
		for _, row := range t.rows {
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	widths := make([]int, len(t.heads))
	for i, h := range t.heads {
		widths[i] = len(h)
	}
	for _, row := range t.rows {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		b.WriteString("\n")
	}
	line(t.heads)
	for _, row := range t.rows {
		line(row)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
