package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/eval"
)

// FaithfulnessPage is a faithfulness evaluation page.
type FaithfulnessPage struct {
	Header
	Report *eval.FaithfulnessReport
	// MaxPairs is how many flagged pairs are shown with their texts and
	// highlighted claims (0: 100; negative: none).
	MaxPairs int
}

type faithView struct {
	Header
	R       *eval.FaithfulnessReport
	Bars    template.HTML
	Flagged int
	Pairs   []pairView
}

type pairView struct {
	ID              string
	Summary, Source template.HTML
	Issues          []clinical.Issue
}

// Faithfulness writes the page of a faithfulness evaluation: the shares
// of unfaithful summaries with their intervals, a bar chart and table of
// issues by kind, and the flagged pairs with their claims highlighted in
// summary and source.
func Faithfulness(w io.Writer, p FaithfulnessPage) error {
	r := p.Report
	if r == nil {
		return fmt.Errorf("report: faithfulness page without a report")
	}
	v := faithView{Header: p.Header, R: r}
	if len(r.Kinds) > 0 {
		var labels []string
		var vals []float64
		for _, k := range r.Kinds {
			labels = append(labels, k.Verdict.String()+" "+k.Kind.String())
			vals = append(vals, k.Share)
		}
		v.Bars = hbarPlot("Share of summaries with each kind of issue", labels, vals)
	}
	maxPairs := p.MaxPairs
	if maxPairs == 0 {
		maxPairs = 100
	}
	for _, c := range r.Checks {
		if !c.Flagged {
			continue
		}
		v.Flagged++
		if len(v.Pairs) >= maxPairs {
			continue
		}
		v.Pairs = append(v.Pairs, pairView{ID: c.ID, Issues: c.Issues,
			Summary: highlight(c.Summary, summaryMarks(c.Issues)), Source: highlight(c.Source, sourceMarks(c.Issues))})
	}
	return pages.ExecuteTemplate(w, "faithfulness.html", v)
}

// mark is a highlighted span with its class and tooltip.
type mark struct {
	clinical.Span
	class, title string
}

func summaryMarks(issues []clinical.Issue) []mark {
	var out []mark
	for _, is := range issues {
		if is.Summary != nil {
			out = append(out, mark{*is.Summary, is.Verdict.String(), is.Message})
		}
	}
	return out
}

func sourceMarks(issues []clinical.Issue) []mark {
	var out []mark
	for _, is := range issues {
		class := "evidence"
		if is.Verdict == clinical.Omitted || is.Kind == clinical.IssueCritical {
			class = "omitted"
		}
		for _, sp := range is.Source {
			out = append(out, mark{sp, class, is.Message})
		}
	}
	return out
}

// highlight escapes s and wraps the marked spans in <mark> elements. Marks
// that overlap an earlier one are merged into it (their titles joined);
// spans outside s are ignored.
func highlight(s string, marks []mark) template.HTML {
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].Start < marks[j].Start })
	var merged []mark
	for _, m := range marks {
		if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
			continue
		}
		if n := len(merged); n > 0 && m.Start < merged[n-1].End {
			last := &merged[n-1]
			last.End = max(last.End, m.End)
			if !strings.Contains(last.title, m.title) {
				last.title += "; " + m.title
			}
			if m.class == "contradicted" {
				last.class = m.class
			}
			continue
		}
		merged = append(merged, m)
	}
	var b strings.Builder
	prev := 0
	for _, m := range merged {
		b.WriteString(template.HTMLEscapeString(s[prev:m.Start]))
		fmt.Fprintf(&b, `<mark class="%s" title="%s">%s</mark>`, m.class, template.HTMLEscapeString(m.title), template.HTMLEscapeString(s[m.Start:m.End]))
		prev = m.End
	}
	b.WriteString(template.HTMLEscapeString(s[prev:]))
	return template.HTML(b.String())
}

// hbarPlot draws horizontal bars of shares (0 to the largest, rounded
// up), one per label.
func hbarPlot(title string, labels []string, values []float64) template.HTML {
	const (
		left, right, top, bottom = 190.0, 60.0, 30.0, 30.0
		barH, plotW              = 20.0, 420.0
	)
	h := top + bottom + barH*float64(len(labels))
	c := newCanvas(left+plotW+right, h, title)
	c.text(8, 18, "start", `class="ptitle"`, title)
	top1 := 0.0
	for _, v := range values {
		top1 = math.Max(top1, v)
	}
	scale := niceCeil(top1)
	x := func(v float64) float64 { return left + plotW*v/scale }
	for i := 0; i <= 4; i++ {
		v := scale * float64(i) / 4
		c.line(x(v), top, x(v), h-bottom, `class="grid"`)
		c.text(x(v), h-bottom+16, "middle", `class="tick"`, strings.TrimSuffix(fmtNum(100*v, 1), ".0")+"%")
	}
	for i, l := range labels {
		y := top + barH*float64(i)
		c.group(fmt.Sprintf("%s: %.1f%%", l, 100*values[i]))
		c.rect(left, y+3, x(values[i])-left, barH-6, fmt.Sprintf(`fill="%s"`, color(0)))
		c.text(left-8, y+barH/2+4, "end", `class="tick"`, shorten(l, 30))
		c.text(x(values[i])+6, y+barH/2+4, "start", `class="tick"`, strings.TrimSuffix(fmtNum(100*values[i], 1), ".0")+"%")
		c.endGroup()
	}
	c.line(left, top, left, h-bottom, `class="axis"`)
	return c.html()
}

// niceCeil rounds a share up to a tidy axis maximum.
func niceCeil(v float64) float64 {
	for _, s := range []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1} {
		if v <= s {
			return s
		}
	}
	return 1
}
