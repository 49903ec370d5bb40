package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

func rougeFixture(t *testing.T, n int, shift float64) (*eval.RougeSummary, *eval.RougeResult) {
	t.Helper()
	r := eval.NewRougeResult(eval.DefaultRougeTypes())
	for i := range n {
		v := float64(i%11)/10*0.8 + shift
		s := eval.Score{Precision: v, Recall: v / 2, FMeasure: v * 0.6}
		r.Add(fmt.Sprint("ex", i), []eval.Score{s, s, s, s})
	}
	one := eval.Score{Precision: 1, Recall: 1, FMeasure: 1}
	r.Add("outlier", []eval.Score{one, one, one, one})
	sum, err := r.Summarize(context.Background(), true, eval.TokenizerDefault, eval.BootstrapOptions{Samples: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return sum, r
}

// checkPage checks what every page must be: well-formed SVG, no external
// resources, no script, escaped text.
func checkPage(t *testing.T, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "</html>") {
		t.Fatal("not a complete HTML document")
	}
	for _, bad := range []string{"<script", "<link", "@import", "src=", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: it must be self-contained", bad)
		}
	}
	// The only URL allowed is the SVG namespace.
	for _, m := range regexp.MustCompile(`https?://[^"'\s<]+`).FindAllString(page, -1) {
		if m != "http://www.w3.org/2000/svg" {
			t.Errorf("external reference %q", m)
		}
	}
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
	for _, s := range svgs {
		d := xml.NewDecoder(strings.NewReader(s))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("malformed SVG: %v\n%.300s", err, s)
			}
		}
	}
}

func count(page, substr string) int { return strings.Count(page, substr) }

func TestRougePage(t *testing.T) {
	sum, res := rougeFixture(t, 60, 0)
	var buf bytes.Buffer
	err := Rouge(&buf, RougePage{Header: Header{Title: "ROUGE <b>test</b>", Sources: []string{"pairs&more.jsonl"}}, Summary: sum, Result: res})
	if err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkPage(t, page)
	if !strings.Contains(page, "ROUGE &lt;b&gt;test&lt;/b&gt;") || strings.Contains(page, "<b>test</b>") {
		t.Error("title not escaped")
	}
	if !strings.Contains(page, "pairs&amp;more.jsonl") {
		t.Error("source not escaped")
	}
	// Three box plots (precision, recall, F), one box per type in each,
	// each with a median line and a mean diamond, and outlier circles.
	if n := count(page, "<svg "); n != 3 {
		t.Errorf("%d SVG plots, want 3", n)
	}
	if n := count(page, `class="box"`); n != 12 {
		t.Errorf("%d boxes, want 12", n)
	}
	if n := count(page, `class="median"`); n != 12 {
		t.Errorf("%d medians, want 12", n)
	}
	if n := count(page, `class="whisker"`); n != 48 {
		t.Errorf("%d whisker lines, want 48", n)
	}
	if count(page, `class="outlier"`) == 0 {
		t.Error("no outlier circles (the 1.0 example is an outlier)")
	}
	for _, want := range []string{"Mean scores", "Distribution table", "rougeLsum", "95% bootstrap", "count", "75%"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Without per-example scores there are no plots but still tables.
	buf.Reset()
	if err := Rouge(&buf, RougePage{Header: Header{Title: "t"}, Summary: sum}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<svg") || !strings.Contains(buf.String(), "Distribution table") {
		t.Error("summary-only page: want tables and no plots")
	}
	if err := Rouge(&buf, RougePage{}); err == nil {
		t.Error("no summary: want an error")
	}
}

func classResult(t *testing.T, mode dataset.Mode) *eval.ClassificationResult {
	t.Helper()
	labels := []string{"a<script>", "b", "c"}
	var exs []eval.ClassExample
	for i := range 90 {
		g := labels[i%3]
		sc := map[string]float64{}
		for j, l := range labels {
			sc[l] = float64((i*7+j*13)%10) / 10
			if l == g {
				sc[l] += 0.5
			}
		}
		ex := eval.ClassExample{ID: fmt.Sprint(i), Gold: []string{g}, Scores: sc}
		if mode == dataset.ModeMultiLabel && i%4 == 0 {
			ex.Gold = append(ex.Gold, labels[(i+1)%3])
		}
		exs = append(exs, ex)
	}
	r, err := eval.EvaluateClassification(exs, eval.ClassificationOptions{Mode: mode, TuneThresholds: mode == dataset.ModeMultiLabel})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestClassificationPage(t *testing.T) {
	for _, mode := range []dataset.Mode{dataset.ModeMultiClass, dataset.ModeMultiLabel} {
		r := classResult(t, mode)
		var buf bytes.Buffer
		if err := Classification(&buf, ClassificationPage{Header: Header{Title: "Classifier"}, Result: r}); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		checkPage(t, page)
		if strings.Contains(page, "a<script>") || !strings.Contains(page, "a&lt;script&gt;") {
			t.Errorf("%s: label not escaped", mode)
		}
		// One PR curve per label, each with its operating point marked on
		// the curve and again in the legend under it.
		if n := count(page, `class="curve"`); n != 3 {
			t.Errorf("%s: %d PR curves, want 3", mode, n)
		}
		if n := count(page, `class="marker"`); n != 2*3 {
			t.Errorf("%s: %d threshold markers, want 2 per curve", mode, n)
		}
		if mode == dataset.ModeMultiClass {
			// One 3x3 heatmap: 9 cells, and no per-label matrices.
			if !strings.Contains(page, "Confusion matrix") || strings.Contains(page, "Per-label confusion") {
				t.Errorf("multi-class: wrong confusion sections")
			}
			if !strings.Contains(page, "argmax: P") {
				t.Error("multi-class: operating point not labelled")
			}
		} else {
			if !strings.Contains(page, "Per-label confusion") || !strings.Contains(page, "samples") {
				t.Errorf("multi-label: missing per-label matrices or samples average")
			}
			if !strings.Contains(page, "t=") {
				t.Error("multi-label: threshold not labelled")
			}
		}
		cells := regexp.MustCompile(`<rect [^>]*fill="#[0-9a-f]{6}"/>`).FindAllString(page, -1)
		want := 9
		if mode == dataset.ModeMultiLabel {
			want = 3 * 4
		}
		if len(cells) != want {
			t.Errorf("%s: %d heatmap cells, want %d", mode, len(cells), want)
		}
	}
}

func TestComparePage(t *testing.T) {
	s1, r1 := rougeFixture(t, 40, 0)
	s2, r2 := rougeFixture(t, 40, 0.1)
	diff, err := eval.PairedBootstrap(context.Background(), r1, r2, eval.BootstrapOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = Compare(&buf, ComparePage{Header: Header{Title: "Compare"}, Rouge: []eval.RougeSystem{
		{Name: "pre-trained", Summary: s1, Result: r1},
		{Name: "fine-tuned", Summary: s2, Result: r2, Diff: diff},
	}})
	if err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkPage(t, page)
	// The better system's means are bold; the difference table is there.
	if n := count(page, `class="n best"`); n < 8 {
		t.Errorf("%d bold cells, want the 4 best means and 4 significant differences", n)
	}
	for _, want := range []string{"Difference from pre-trained", "&#43;0.0585", "F-measure per example", "Mean F-measure"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := count(page, `class="box"`); n != 8 {
		t.Errorf("%d boxes, want 2 systems x 4 types", n)
	}
	buf.Reset()
	c1, c2 := classResult(t, dataset.ModeMultiClass), classResult(t, dataset.ModeMultiLabel)
	if err := Compare(&buf, ComparePage{Header: Header{Title: "C"}, Classification: []eval.ClassificationSystem{{Name: "x", Result: c1}, {Name: "y", Result: c2}}}); err != nil {
		t.Fatal(err)
	}
	checkPage(t, buf.String())
	if !strings.Contains(buf.String(), "lowest for the Brier score") {
		t.Error("classification compare: Brier note missing")
	}
	if err := Compare(&buf, ComparePage{}); err == nil {
		t.Error("no systems: want an error")
	}
}

func TestComputeBox(t *testing.T) {
	st := computeBox([]float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 5})
	if st.median != 0.5 || st.q1 != 0.3 || st.q3 != 0.7 {
		t.Errorf("quartiles %v %v %v", st.q1, st.median, st.q3)
	}
	if st.hiWhisk != 0.8 || st.loWhisker != 0.1 || len(st.outliers) != 1 || st.outliers[0] != 5 {
		t.Errorf("whiskers %v-%v outliers %v", st.loWhisker, st.hiWhisk, st.outliers)
	}
}
