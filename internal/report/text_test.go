package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

var _ flag.Value = (*Format)(nil)

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": Table, "table": Table, "TEXT": Table, "json": JSON, "CSV": CSV, "markdown": Markdown, "md": Markdown} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || err.Error() != `report: unknown format "xml" (want table, json, csv or markdown)` {
		t.Errorf("xml: %v", err)
	}
	// As a flag: the zero value prints as table, Set normalizes aliases
	// and refuses unknown names.
	var f Format
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	fs.Var(&f, "format", "output format")
	if fs.Lookup("format").DefValue != "table" {
		t.Errorf("default %q", fs.Lookup("format").DefValue)
	}
	if err := fs.Parse([]string{"--format", "md"}); err != nil || f != Markdown {
		t.Errorf("--format md: %q, %v", f, err)
	}
	if err := fs.Parse([]string{"--format", "xml"}); err == nil || !strings.HasSuffix(err.Error(), ": want table, json, csv or markdown") || f != Markdown {
		t.Errorf("--format xml: %q, %v", f, err)
	}
}

func TestNumbers(t *testing.T) {
	for _, tt := range []struct {
		v        float64
		num, csv string
	}{
		{0.12345, "0.1235", "0.12345"},
		{1, "1.0000", "1"},
		{0.1, "0.1000", "0.1"},
		{1e-7, "0.0000", "1e-07"},
		{math.NaN(), "—", ""},
		{math.Inf(-1), "—", ""},
	} {
		if got := Number(tt.v); got != tt.num {
			t.Errorf("Number(%v) = %q, want %q", tt.v, got, tt.num)
		}
		if got := CSVNumber(tt.v); got != tt.csv {
			t.Errorf("CSVNumber(%v) = %q, want %q", tt.v, got, tt.csv)
		}
	}
	half := 0.5
	if numberOpt(nil) != "—" || numberOpt(&half) != "0.5000" || csvOpt(nil) != "" || csvOpt(&half) != "0.5" {
		t.Error("optional numbers")
	}
}

func TestWriteTable(t *testing.T) {
	header := []string{"label", ">F1", "note"}
	rows := [][]string{{"effusion", "0.9000", "a|b"}, {"pneumonia", "—", "x"}}
	var b strings.Builder
	if err := WriteTable(&b, false, header, rows); err != nil {
		t.Fatal(err)
	}
	// Numbers right-aligned, the last column not padded, "—" one column.
	want := "label          F1  note\n" +
		"---------  ------  ----\n" +
		"effusion   0.9000  a|b\n" +
		"pneumonia       —  x\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteTable(&b, true, header, rows)
	want = "| label | F1 | note |\n" +
		"| --- | ---: | --- |\n" +
		"| effusion | 0.9000 | a\\|b |\n" +
		"| pneumonia | — | x |\n"
	if b.String() != want {
		t.Errorf("markdown:\n%s\nwant:\n%s", b.String(), want)
	}
	if err := WriteTable(failingWriter{}, false, header, rows); err == nil {
		t.Error("failing writer: no error")
	}
}

// The faithfulness and checklist tables keep their own layout.
func TestUnruledTable(t *testing.T) {
	tab := textTable{header: []string{"measure", ">count"}, rows: [][]string{{"a|b", "1"}, {"longer name", "12"}}}
	var b strings.Builder
	tab.write(&b)
	want := "measure      count\n" +
		"a|b              1\n" +
		"longer name     12\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant:\n%q", b.String(), want)
	}
	b.Reset()
	tab.markdown = true
	tab.write(&b)
	want = "| measure | count |\n|---|---:|\n| a|b | 1 |\n| longer name | 12 |\n"
	if b.String() != want {
		t.Errorf("markdown:\n%q\nwant:\n%q", b.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteClassification(t *testing.T) {
	mc := classResult(t, dataset.ModeMultiClass)
	ml := classResult(t, dataset.ModeMultiLabel)

	var b strings.Builder
	if err := WriteClassification(&b, Table, mc); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"90 examples, multi-class, 3 labels, highest score wins\n\n", "\nmicro avg  ", "\nConfusion matrix (rows: gold, columns: predicted)\n\ngold \\ predicted", "\naccuracy "} {
		if !strings.Contains(out, want) {
			t.Errorf("multi-class table lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	WriteClassification(&b, Markdown, ml)
	out = b.String()
	for _, want := range []string{"thresholds per label", "| label | threshold |", "| samples avg |", "subset accuracy "} {
		if !strings.Contains(out, want) {
			t.Errorf("multi-label markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Confusion matrix") {
		t.Error("multi-label output has a multi-class confusion matrix")
	}

	// CSV: a row per label, then the averages.
	b.Reset()
	WriteClassification(&b, CSV, ml)
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+3+4 || len(recs[0]) != 16 || recs[0][7] != "tn" || recs[4][0] != "micro avg" || recs[7][0] != "samples avg" {
		t.Errorf("csv: %d rows, header %q", len(recs), recs[0])
	}
	// JSON is the whole result.
	b.Reset()
	WriteClassification(&b, JSON, ml)
	var back eval.ClassificationResult
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.N != 90 || len(back.PerLabel) != 3 || back.PerLabel[0].PRCurve == nil {
		t.Errorf("json: %v, %+v", err, back)
	}
}

func TestDecidedBy(t *testing.T) {
	for _, tt := range []struct {
		r    eval.ClassificationResult
		want string
	}{
		{eval.ClassificationResult{Decisions: "predictions"}, "predictions"},
		{eval.ClassificationResult{Decisions: "top label"}, "top score"},
		{eval.ClassificationResult{Decisions: "thresholds", Labels: []string{"a", "b"}, Thresholds: map[string]float64{"a": 0.3, "b": 0.3}}, "threshold 0.3"},
		{eval.ClassificationResult{Decisions: "thresholds", Labels: []string{"a", "b"}, Thresholds: map[string]float64{"a": 0.3, "b": 0.4}}, "thresholds"},
		// A binary model's thresholds name the positive label only.
		{eval.ClassificationResult{Decisions: "thresholds", Labels: []string{"neg", "pos"}, Thresholds: map[string]float64{"pos": 0.25}}, "threshold 0.25"},
		{eval.ClassificationResult{Decisions: "thresholds", Labels: []string{"a"}}, "thresholds"},
	} {
		if got := decidedBy(&tt.r); got != tt.want {
			t.Errorf("decidedBy(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestWriteClassificationComparison(t *testing.T) {
	c := &eval.ClassificationComparison{Gold: "gold.jsonl", Systems: []eval.ClassificationSystem{
		{Name: "mc", Source: "mc.jsonl", Result: classResult(t, dataset.ModeMultiClass)},
		{Name: "ml", Source: "ml.jsonl", Result: classResult(t, dataset.ModeMultiLabel)},
	}}
	var b strings.Builder
	if err := WriteClassificationComparison(&b, Table, c); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "2 systems on 90 examples (gold.jsonl), multi-class, 3 labels\n\nsystem  ") || !strings.Contains(b.String(), "\nmc      90  top score   ") {
		t.Errorf("table:\n%s", b.String())
	}
	b.Reset()
	WriteClassificationComparison(&b, CSV, c)
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][3] != "top score" || recs[1][9] != "" || recs[2][9] == "" {
		t.Errorf("csv (samples F1 only for multi-label): %v %q", err, recs)
	}
	b.Reset()
	WriteClassificationComparison(&b, JSON, c)
	var back struct {
		Gold    string `json:"gold"`
		Systems []struct {
			Name, File string
			Result     *eval.ClassificationResult
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.Gold != "gold.jsonl" || back.Systems[1].File != "ml.jsonl" || back.Systems[1].Result.N != 90 {
		t.Errorf("json: %v %+v", err, back)
	}
	if err := WriteClassificationComparison(&b, Table, &eval.ClassificationComparison{}); err == nil {
		t.Error("no systems: no error")
	}
}

func rougeComparison(t *testing.T, faith bool) *eval.RougeComparison {
	t.Helper()
	s1, r1 := rougeFixture(t, 40, 0)
	s2, r2 := rougeFixture(t, 40, 0.1)
	diff, err := eval.PairedBootstrap(context.Background(), r1, r2, eval.BootstrapOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := &eval.RougeComparison{References: "refs.jsonl", Systems: []eval.RougeSystem{
		{Name: "pre-trained", Source: "a.jsonl", Summary: s1, Result: r1},
		{Name: "fine-tuned", Source: "b.jsonl", Summary: s2, Result: r2, Diff: diff},
	}}
	if faith {
		lo, hi := 0.1, 0.3
		c.Systems[0].Faithfulness = &eval.FaithfulnessReport{Unfaithful: eval.Share{Share: 0.2, Low: &lo, High: &hi}}
		c.Systems[1].Faithfulness = &eval.FaithfulnessReport{Unfaithful: eval.Share{Share: 0.05}}
	}
	return c
}

func TestWriteRougeComparison(t *testing.T) {
	c := rougeComparison(t, true)
	var b strings.Builder
	if err := WriteRougeComparison(&b, Table, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"2 systems on 41 references (refs.jsonl), stemmer on, default tokenizer, 95% bootstrap intervals (200 resamples, seed 1)\n\n",
		"unfaithful\n", "20.0% [10.0%, 30.0%]", "\nDifference from pre-trained (mean F, paired bootstrap interval; * where it excludes 0)\n\n",
		"] *", "-15.0%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	WriteRougeComparison(&b, Markdown, c)
	if !strings.Contains(b.String(), "\n**Difference from pre-trained (mean F") || !strings.Contains(b.String(), "| system | n |") {
		t.Errorf("markdown:\n%s", b.String())
	}
	// Without differences there is no second table.
	nodiff := rougeComparison(t, false)
	nodiff.Systems[1].Diff = nil
	b.Reset()
	WriteRougeComparison(&b, Table, nodiff)
	if strings.Contains(b.String(), "Difference") || strings.Contains(b.String(), "unfaithful") {
		t.Errorf("no differences, no faithfulness:\n%s", b.String())
	}

	b.Reset()
	WriteRougeComparison(&b, CSV, c)
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(recs) != 1+2*4 || recs[1][9] != "" || recs[5][9] == "" || recs[5][12] != "0.05" {
		t.Errorf("csv: %v %q", err, recs)
	}
	b.Reset()
	WriteRougeComparison(&b, JSON, c)
	var back map[string]any
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	systems := back["systems"].([]any)
	first, second := systems[0].(map[string]any), systems[1].(map[string]any)
	if back["references"] != "refs.jsonl" || first["file"] != "a.jsonl" || first["difference_from_first"] != nil || second["difference_from_first"] == nil || first["faithfulness"] == nil {
		t.Errorf("json: %v", back)
	}
	if _, ok := first["Result"]; ok {
		t.Error("json holds the per-example scores")
	}
	if err := WriteRougeComparison(&b, Table, &eval.RougeComparison{}); err == nil {
		t.Error("no systems: no error")
	}
}

func faithReport(t *testing.T) *eval.FaithfulnessReport {
	t.Helper()
	rep, err := eval.EvaluateFaithfulness(context.Background(), []eval.FaithfulnessPair{
		{ID: "a", Source: "Small right pleural effusion.", Summary: "Right pleural effusion."},
		{ID: "b<1>", Source: "Lungs are clear.", Summary: "Left pneumothorax."},
		{ID: "c", Source: "Lungs are clear.", Summary: "Right pneumothorax."},
	}, eval.FaithfulnessOptions{Bootstrap: eval.BootstrapOptions{Samples: 50, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestWriteFaithfulness(t *testing.T) {
	rep := faithReport(t)
	var b strings.Builder
	if err := WriteFaithfulness(&b, Table, rep, 1); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"faithfulness of 3 summaries to their sources (95% bootstrap intervals, 50 resamples, seed 1):\nmeasure  ",
		"unfaithful (unsupported or contradicted)                  2   3  66.7%  7.5%–100.0%\n",
		"\nissues by kind (summaries with at least one, and all issues):\n",
		"\nflagged summaries:\n  b<1>:\n    unsupported ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// show limits the flagged pairs listed.
	if strings.Contains(out, "  c:\n") {
		t.Errorf("--show 1 listed a second pair:\n%s", out)
	}
	b.Reset()
	WriteFaithfulness(&b, Markdown, rep, 0)
	if !strings.Contains(b.String(), ":\n\n| measure | count | of | share | interval |\n|---|---:|---:|---:|---:|\n") || strings.Contains(b.String(), "flagged summaries") {
		t.Errorf("markdown:\n%s", b.String())
	}
	b.Reset()
	WriteFaithfulness(&b, CSV, rep, 5)
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(recs) != 1+6+len(rep.Kinds) || recs[1][0] != "unfaithful (unsupported or contradicted)" || recs[1][3] != "0.6667" || recs[1][4] == "" {
		t.Errorf("csv: %v %q", err, recs)
	}
	b.Reset()
	WriteFaithfulness(&b, JSON, rep, 0)
	var back struct {
		Pairs   int `json:"pairs"`
		Flagged []struct {
			ID string `json:"id"`
		} `json:"flagged"`
	}
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.Pairs != 3 || len(back.Flagged) != 2 || back.Flagged[0].ID != "b<1>" {
		t.Errorf("json: %v %+v", err, back)
	}
}

func TestWriteFaithfulnessChecks(t *testing.T) {
	rep := faithReport(t)
	var b strings.Builder
	if err := WriteFaithfulnessChecks(&b, rep); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// One line per pair in input order, and "<" as it is.
	if len(lines) != 3 || lines[0] != `{"id":"a","flagged":false}` || !strings.HasPrefix(lines[1], `{"id":"b<1>","issues":[{"verdict":"unsupported"`) || !strings.HasSuffix(lines[1], `"flagged":true}`) {
		t.Errorf("lines %q", lines)
	}
	if err := WriteFaithfulnessChecks(failingWriter{}, rep); err == nil {
		t.Error("failing writer: no error")
	}
}

func TestWriteCases(t *testing.T) {
	rep := &eval.CaseReport{Cases: 2, Passed: 1, Failed: 1, FailRate: 0.5, CriticalCases: 1, CriticalNormalized: 1,
		Categories: map[string]eval.CategoryCount{"critical": {Passed: 0, Total: 1}, "": {Passed: 1, Total: 1}},
		Results: []eval.CaseResult{
			{ID: "c1", Category: "critical", Summary: "Normal chest.", Missing: [][]string{{"pneumothorax", "PTX"}}, Said: []string{"normal"}, Normalized: true},
			{ID: "c2", Pass: true},
		}}
	var b strings.Builder
	if err := WriteCases(&b, Table, rep); err != nil {
		t.Fatal(err)
	}
	want := "1 of 2 cases passed (50.0% failed); 1 of 1 critical cases turned into a normal study; 0 summaries unfaithful by the check\n" +
		"category  passed  cases\n" +
		"(none)         1      1\n" +
		"critical       0      1\n" +
		"\nFAIL c1 (critical): \"Normal chest.\"\n" +
		"  missing one of: \"pneumothorax\", \"PTX\"\n" +
		"  says: \"normal\"\n" +
		"  turns a critical finding into a normal study\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteCases(&b, Markdown, rep)
	if !strings.Contains(b.String(), "by the check\n\n| category | passed | cases |\n|---|---:|---:|\n| (none) | 1 | 1 |\n") {
		t.Errorf("markdown:\n%s", b.String())
	}
	b.Reset()
	WriteCases(&b, JSON, rep)
	var back eval.CaseReport
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.Cases != 2 || len(back.Results) != 2 {
		t.Errorf("json: %v %+v", err, back)
	}
	if err := WriteCases(&b, CSV, rep); err == nil {
		t.Error("csv: no error")
	}
}
