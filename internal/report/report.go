// Package report renders evaluation results, as self-contained HTML pages
// and as text. It is the one place where a result's look is decided, so
// the commands, the server and batch jobs show the same result the same
// way.
//
// # HTML pages
//
// Tables and SVG plots drawn here by hand (box plots of per-example ROUGE,
// precision-recall curves with the chosen threshold marked, confusion
// matrices as heatmaps, side-by-side comparisons). A page has no external
// assets, fonts, scripts or CDNs, so it opens offline and can be attached
// to a ticket or an email as one file. All text is escaped (html/template
// for the page, explicit escaping inside the SVG).
//
// `osler eval ... --report` and `osler train classifier --report` call
// [Rouge], [Classification], [Compare] and [Faithfulness]. Only the
// faithfulness page quotes the evaluated texts (it highlights claims in
// them), and it says so.
//
// # Text
//
// The text renderers sit next to the page of the same result and write it
// in a [Format]: an aligned table for the terminal, a GitHub markdown
// table, CSV (full-precision numbers, empty when undefined) or indented
// JSON (the result's own JSON). [WriteClassification] and
// [WriteClassificationComparison] write classification results,
// [WriteRougeComparison] ROUGE comparisons, [WriteFaithfulness] (with
// [WriteFaithfulnessChecks] for the per-pair JSONL) faithfulness reports,
// and [WriteCases] checklist runs. [WriteTable], [Number] and [CSVNumber]
// are the table and number formats they share. What they print is pinned
// by the golden files of `osler eval`; change it deliberately.
package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/text"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"f3":      func(v float64) string { return fmtNum(v, 3) },
	"f4":      func(v float64) string { return fmtNum(v, 4) },
	"opt":     func(p *float64) string { return fmtOpt(p, 4) },
	"pct":     func(v float64) string { return strings.TrimSuffix(fmtNum(100*v, 1), ".0") + "%" },
	"count":   text.Thousands,
	"signed":  func(v float64) string { return fmt.Sprintf("%+.4f", v) },
	"measure": measureName,
	"add1":    func(i int) int { return i + 1 },
	"pctp": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strings.TrimSuffix(fmtNum(100**p, 1), ".0") + "%"
	},
	"card": func(name string, s eval.Share) shareCard { return shareCard{Name: name, S: s} },
}).ParseFS(templateFS, "templates/*.html"))

// shareCard is a headline share on a page's cards.
type shareCard struct {
	Name string
	S    eval.Share
}

func fmtNum(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.*f", digits, v)
}

func fmtOpt(p *float64, digits int) string {
	if p == nil {
		return "—"
	}
	return fmtNum(*p, digits)
}

func measureName(m string) string {
	switch m {
	case "precision":
		return "Precision"
	case "recall":
		return "Recall"
	}
	return "F-measure"
}

// Header is what every page says about itself.
type Header struct {
	// Title is the page's heading, e.g. "ROUGE: fine-tuned summarizer".
	Title string
	// Sources name the input files (names only, never content).
	Sources []string
	// Generated says by what and when, e.g. "osler 0.4.0, 2026-03-01
	// 14:02 UTC"; leave it empty for reproducible output.
	Generated string
}

// RougePage is a ROUGE evaluation page.
type RougePage struct {
	Header
	Summary *eval.RougeSummary
	// Result holds the per-example scores behind the box plots; nil
	// leaves the plots out.
	Result *eval.RougeResult
}

// Rouge writes the page of one ROUGE evaluation: means (with bootstrap
// intervals when computed), a distribution table per type and measure, and
// box plots of the per-example scores.
func Rouge(w io.Writer, p RougePage) error {
	if p.Summary == nil {
		return fmt.Errorf("report: rouge page without a summary")
	}
	data := rougeView{Header: p.Header, S: p.Summary}
	for _, t := range p.Summary.Types {
		data.Rows = append(data.Rows, rougeRow(t, p.Summary))
		d := p.Summary.Distribution[t]
		for _, m := range []struct {
			name string
			st   eval.Stats
		}{{"precision", d.Precision}, {"recall", d.Recall}, {"fmeasure", d.FMeasure}} {
			data.Dist = append(data.Dist, distRow{Type: string(t), Measure: m.name, Stats: m.st})
		}
	}
	if p.Result != nil && p.Result.Len() > 0 {
		for m, name := range eval.Measures {
			var series []boxSeries
			for _, t := range p.Result.Types {
				series = append(series, boxSeries{name: string(t), values: p.Result.Values(t, m)})
			}
			data.Plots = append(data.Plots, boxPlot(measureName(name)+" per example", series))
		}
	}
	return pages.ExecuteTemplate(w, "rouge.html", data)
}

type rougeView struct {
	Header
	S     *eval.RougeSummary
	Rows  []scoreRow
	Dist  []distRow
	Plots []template.HTML
}

type scoreRow struct {
	Type      string
	Mean      eval.Score
	HasCI     bool
	Low, High eval.Score
}

func rougeRow(t eval.RougeType, s *eval.RougeSummary) scoreRow {
	r := scoreRow{Type: string(t), Mean: s.Mean[t]}
	if s.Bootstrap != nil {
		if iv, ok := s.Bootstrap.Intervals[t]; ok {
			r.HasCI, r.Low, r.High = true, iv.Low, iv.High
		}
	}
	return r
}

type distRow struct {
	Type, Measure string
	Stats         eval.Stats
}

// ClassificationPage is a classification evaluation page.
type ClassificationPage struct {
	Header
	Result *eval.ClassificationResult
}

// Classification writes the page of one classification evaluation:
// headline and averaged metrics, a per-label table, PR curves per label
// with the chosen threshold marked, and confusion matrices as heatmaps.
func Classification(w io.Writer, p ClassificationPage) error {
	r := p.Result
	if r == nil {
		return fmt.Errorf("report: classification page without a result")
	}
	data := classView{Header: p.Header, R: r, MultiLabel: r.Samples != nil}
	for _, lm := range r.PerLabel {
		data.PR = append(data.PR, prFigure(lm, r))
	}
	if len(r.ConfusionMatrix) > 0 {
		data.Confusion = heatmap("Confusion matrix (rows: gold, columns: predicted)", r.Labels, r.Labels, r.ConfusionMatrix, "gold", "predicted")
	}
	if data.MultiLabel {
		for _, lm := range r.PerLabel {
			c := lm.Confusion
			data.PerLabelConfusion = append(data.PerLabelConfusion, heatmap(lm.Label, []string{"no", "yes"}, []string{"no", "yes"},
				[][]int{{c[0][0], c[0][1]}, {c[1][0], c[1][1]}}, "gold", "predicted"))
		}
	}
	return pages.ExecuteTemplate(w, "classification.html", data)
}

type classView struct {
	Header
	R                 *eval.ClassificationResult
	MultiLabel        bool
	PR                []template.HTML
	Confusion         template.HTML
	PerLabelConfusion []template.HTML
}

// prFigure draws one label's PR curve with its decision threshold and, when
// different, its F1-optimal threshold.
func prFigure(lm eval.LabelMetrics, r *eval.ClassificationResult) template.HTML {
	var markers []prMarker
	switch {
	case lm.Predicted == 0:
		// Nothing predicted: no operating point on the curve.
	case lm.Threshold != nil:
		markers = append(markers, prMarker{recall: lm.Recall, precision: lm.Precision,
			label: fmt.Sprintf("t=%s: P %.2f R %.2f", trimFloat(*lm.Threshold), lm.Precision, lm.Recall)})
	default:
		// Multi-class: the highest score decides; show where that lands.
		markers = append(markers, prMarker{recall: lm.Recall, precision: lm.Precision,
			label: fmt.Sprintf("argmax: P %.2f R %.2f", lm.Precision, lm.Recall)})
	}
	if b := lm.BestF1; b != nil && (lm.Threshold == nil || b.Threshold != *lm.Threshold) {
		markers = append(markers, prMarker{recall: b.Recall, precision: b.Precision, hollow: true,
			label: fmt.Sprintf("best F1 %.2f at t=%s", b.F1, trimFloat(b.Threshold))})
	}
	title := lm.Label
	if lm.AveragePrecision != nil {
		title += fmt.Sprintf(" (AP %.3f)", *lm.AveragePrecision)
	}
	baseline := float64(lm.Support) / float64(r.N)
	if lm.PRCurve == nil || len(lm.PRCurve.Recall) == 0 {
		return prPlot(title, nil, nil, baseline, markers)
	}
	return prPlot(title, lm.PRCurve.Recall, lm.PRCurve.Precision, baseline, markers)
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// ComparePage compares several systems on one reference set: either ROUGE
// systems or classification systems.
type ComparePage struct {
	Header
	Rouge          []eval.RougeSystem
	Classification []eval.ClassificationSystem
}

// Compare writes a side-by-side page: one row per system, one column per
// score, the best of each column in bold, with bar charts of the means and
// box plots of per-example F-measures.
func Compare(w io.Writer, p ComparePage) error {
	if len(p.Rouge) == 0 && len(p.Classification) == 0 {
		return fmt.Errorf("report: comparison without systems")
	}
	data := compareView{Header: p.Header}
	if len(p.Rouge) > 0 {
		types := p.Rouge[0].Summary.Types
		for _, t := range types {
			data.Columns = append(data.Columns, string(t)+" F")
		}
		faith := true
		for _, s := range p.Rouge {
			faith = faith && s.Faithfulness != nil
		}
		if faith {
			data.Columns = append(data.Columns, "unfaithful")
		}
		var names []string
		values := make([][]float64, len(p.Rouge))
		lo := make([][]float64, len(p.Rouge))
		hi := make([][]float64, len(p.Rouge))
		for i, s := range p.Rouge {
			names = append(names, s.Name)
			row := compareRow{Name: s.Name, Source: s.Source, N: s.Summary.N}
			for _, t := range types {
				m := s.Summary.Mean[t].FMeasure
				cell := compareCell{Value: m}
				l, h := math.NaN(), math.NaN()
				if s.Summary.Bootstrap != nil {
					data.HasCI = true
					iv := s.Summary.Bootstrap.Intervals[t]
					cell.CI = fmt.Sprintf("%.4f–%.4f", iv.Low.FMeasure, iv.High.FMeasure)
					l, h = iv.Low.FMeasure, iv.High.FMeasure
				}
				row.Cells = append(row.Cells, cell)
				values[i] = append(values[i], m)
				lo[i] = append(lo[i], l)
				hi[i] = append(hi[i], h)
			}
			if faith {
				row.Cells = append(row.Cells, faithCell(s.Faithfulness))
			}
			data.Rows = append(data.Rows, row)
		}
		markBest(data.Rows, true)
		if faith {
			// Fewer unfaithful summaries is better.
			markBestColumn(data.Rows, len(data.Columns)-1, false)
		}
		var cats []string
		for _, t := range types {
			cats = append(cats, string(t))
		}
		data.Plots = append(data.Plots, barPlot("Mean F-measure", cats, names, values, lo, hi))
		var boxes [][][]float64
		for _, t := range types {
			var g [][]float64
			for _, s := range p.Rouge {
				if s.Result != nil {
					g = append(g, s.Result.Values(t, 2))
				}
			}
			boxes = append(boxes, g)
		}
		if len(boxes) > 0 && len(boxes[0]) == len(p.Rouge) {
			data.Plots = append(data.Plots, groupedBoxPlot("F-measure per example", cats, names, boxes))
		}
		data.Baseline = p.Rouge[0].Name
		for _, s := range p.Rouge[1:] {
			if s.Diff == nil {
				continue
			}
			row := compareRow{Name: s.Name, Source: s.Source, N: s.Summary.N}
			for _, t := range types {
				d := s.Summary.Mean[t].FMeasure - p.Rouge[0].Summary.Mean[t].FMeasure
				iv := s.Diff[t]
				row.Cells = append(row.Cells, compareCell{Value: d, Signed: true,
					CI:   fmt.Sprintf("%+.4f – %+.4f", iv.Low.FMeasure, iv.High.FMeasure),
					Best: iv.Low.FMeasure > 0 || iv.High.FMeasure < 0})
			}
			if faith {
				row.Cells = append(row.Cells, compareCell{Value: s.Faithfulness.Unfaithful.Share - p.Rouge[0].Faithfulness.Unfaithful.Share, Signed: true})
			}
			data.Deltas = append(data.Deltas, row)
		}
	} else {
		data.Classification = true
		data.Columns = []string{"accuracy", "micro F1", "macro F1", "weighted F1", "macro AP", "macro ROC AUC", "Brier"}
		var names []string
		var values [][]float64
		for _, s := range p.Classification {
			r := s.Result
			names = append(names, s.Name)
			row := compareRow{Name: s.Name, Source: s.Source, N: r.N}
			vals := []float64{r.Accuracy, r.Micro.F1, r.Macro.F1, r.Weighted.F1, optNaN(r.MacroAveragePrecision), optNaN(r.MacroROCAUC), r.Brier}
			for _, v := range vals {
				row.Cells = append(row.Cells, compareCell{Value: v})
			}
			data.Rows = append(data.Rows, row)
			values = append(values, vals[:6])
		}
		markBest(data.Rows, true)
		// Brier: lower is better.
		markBestColumn(data.Rows, len(data.Columns)-1, false)
		data.Plots = append(data.Plots, barPlot("Headline metrics", data.Columns[:6], names, values, nil, nil))
	}
	return pages.ExecuteTemplate(w, "compare.html", data)
}

// faithCell shows the share of unfaithful summaries with its interval.
func faithCell(r *eval.FaithfulnessReport) compareCell {
	c := compareCell{Value: r.Unfaithful.Share}
	if r.Unfaithful.Low != nil {
		c.CI = fmt.Sprintf("%.4f–%.4f", *r.Unfaithful.Low, *r.Unfaithful.High)
	}
	return c
}

func optNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

type compareView struct {
	Header
	Columns        []string
	Rows           []compareRow
	Plots          []template.HTML
	Classification bool
	HasCI          bool
	// Baseline is the first system; Deltas are the others' differences
	// from it with paired bootstrap intervals (Best marks intervals that
	// exclude 0).
	Baseline string
	Deltas   []compareRow
}

type compareRow struct {
	Name, Source string
	N            int
	Cells        []compareCell
}

type compareCell struct {
	Value  float64
	CI     string
	Best   bool
	Signed bool // show an explicit + sign
}

// markBest bolds the highest (or lowest) value of every column.
func markBest(rows []compareRow, higher bool) {
	if len(rows) < 2 {
		return
	}
	for c := range rows[0].Cells {
		markBestColumn(rows, c, higher)
	}
}

func markBestColumn(rows []compareRow, c int, higher bool) {
	if len(rows) < 2 {
		return
	}
	var vals []float64
	for _, r := range rows {
		r.Cells[c].Best = false
		if !math.IsNaN(r.Cells[c].Value) {
			vals = append(vals, r.Cells[c].Value)
		}
	}
	if len(vals) == 0 {
		return
	}
	best := slices.Max(vals)
	if !higher {
		best = slices.Min(vals)
	}
	for i := range rows {
		if rows[i].Cells[c].Value == best {
			rows[i].Cells[c].Best = true
		}
	}
}
