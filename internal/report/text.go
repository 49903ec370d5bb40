package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Format is how the text renderers write a result: an aligned table for
// people, a GitHub markdown table for pull requests and docs, CSV for
// spreadsheets, or indented JSON for programs. It implements flag.Value.
type Format string

// The formats. The zero value is [Table].
const (
	Table    Format = "table"
	JSON     Format = "json"
	CSV      Format = "csv"
	Markdown Format = "markdown"
)

// ParseFormat reads a format name, ignoring case: table (also "text" or
// empty), json, csv, or markdown (also "md").
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "", "table", "text":
		return Table, nil
	case "json":
		return JSON, nil
	case "csv":
		return CSV, nil
	case "markdown", "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("report: unknown format %q (want table, json, csv or markdown)", s)
}

// String returns the format's name; the zero value is "table".
func (f Format) String() string {
	if f == "" {
		return string(Table)
	}
	return string(f)
}

// Set implements flag.Value with [ParseFormat]'s names. Its error says
// what is wanted; the flag package names the flag and the value.
func (f *Format) Set(s string) error {
	v, err := ParseFormat(s)
	if err != nil {
		return errors.New("want table, json, csv or markdown")
	}
	*f = v
	return nil
}

// Number formats a metric for tables: four decimals, "—" when it is
// undefined (NaN or infinite).
func Number(v float64) string { return fmtNum(v, 4) }

// CSVNumber formats a metric for CSV with full precision, empty when it
// is undefined.
func CSVNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func numberOpt(p *float64) string { return fmtOpt(p, 4) }

func csvOpt(p *float64) string {
	if p == nil {
		return ""
	}
	return CSVNumber(*p)
}

// WriteTable writes rows as an aligned table under a rule, or as a GitHub
// markdown table (cells with "|" escaped). Columns whose header starts
// with '>' are right-aligned numbers (the '>' is dropped).
func WriteTable(w io.Writer, markdown bool, header []string, rows [][]string) error {
	return textTable{markdown: markdown, ruled: true, header: header, rows: rows}.write(w)
}

// textTable is the one table writer of the text renderers. The
// classification, ROUGE and comparison tables are ruled (a line of dashes
// under the header; cells escaped in markdown). The faithfulness and
// checklist tables keep the layout they were published with: no rule, every
// cell padded, markdown separators without spaces, cells unescaped.
type textTable struct {
	markdown, ruled bool
	header          []string
	rows            [][]string
}

func (t textTable) write(w io.Writer) error {
	right := make([]bool, len(t.header))
	cols := make([]string, len(t.header))
	for i, h := range t.header {
		right[i] = strings.HasPrefix(h, ">")
		cols[i] = strings.TrimPrefix(h, ">")
	}
	var b strings.Builder
	if t.markdown {
		t.writeMarkdown(&b, cols, right)
	} else {
		t.writeAligned(&b, cols, right)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t textTable) writeMarkdown(b *strings.Builder, cols []string, right []bool) {
	b.WriteString("| " + strings.Join(cols, " | ") + " |\n")
	seps := make([]string, len(cols))
	for i := range cols {
		seps[i] = "---"
		if right[i] {
			seps[i] = "---:"
		}
	}
	if t.ruled {
		b.WriteString("| " + strings.Join(seps, " | ") + " |\n")
	} else {
		b.WriteString("|" + strings.Join(seps, "|") + "|\n")
	}
	for _, r := range t.rows {
		cells := r
		if t.ruled {
			cells = make([]string, len(r))
			for i, c := range r {
				cells[i] = strings.ReplaceAll(c, "|", `\|`)
			}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

func (t textTable) writeAligned(b *strings.Builder, cols []string, right []bool) {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = len([]rune(c))
	}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			switch {
			case right[i]:
				c = pad + c
			case i < len(cells)-1 || !t.ruled:
				c += pad
			}
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
		}
		b.WriteString("\n")
	}
	line(cols)
	if t.ruled {
		rule := make([]string, len(cols))
		for i := range cols {
			rule[i] = strings.Repeat("-", widths[i])
		}
		line(rule)
	}
	for _, r := range t.rows {
		line(r)
	}
}

// writeJSON writes v as indented JSON, as every JSON output does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// bold marks a heading line above a table: bold in markdown, plain text
// otherwise.
func bold(markdown bool, s string) string {
	if markdown {
		return "**" + s + "**"
	}
	return s
}
