package main

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/sharedtest"
)

// td is a file under testdata/eval (synthetic notes, no patient text).
func td(name string) string { return filepath.Join("testdata", "eval", name) }

func TestEvalHelp(t *testing.T) {
	for _, c := range evalCommands() {
		stdout, stderr, code := runOsler(t, "", "eval", c.name, "--help")
		if code != 0 || !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, "Example:") {
			t.Errorf("eval %s --help: exit %d, stderr %q, stdout:\n%s", c.name, code, stderr, stdout)
		}
	}
}

func TestEvalGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"rouge_table.txt", []string{"eval", "rouge", "--pairs", td("pairs.jsonl"), "--stemmer", "--bootstrap", "200", "--seed", "1"}},
		{"rouge_markdown.txt", []string{"eval", "rouge", td("pairs.jsonl"), "--stemmer", "--bootstrap", "200", "--seed", "1", "--format", "markdown"}},
		{"rouge_json.txt", []string{"eval", "rouge", "--pairs", td("pairs.jsonl"), "--bootstrap", "200", "--seed", "1", "--types", "rouge1,rouge3,rougeLsum", "--format", "json"}},
		{"rouge_csv.txt", []string{"eval", "rouge", "--pairs", td("pairs.jsonl"), "--stemmer", "--bootstrap", "0", "--format", "csv"}},
		{"rouge_text_files.txt", []string{"eval", "rouge", "--references", td("refs.txt"), "--references", td("refs2.txt"), "--predictions", td("preds.txt"), "--bootstrap", "0", "--workers", "1"}},
		{"rouge_unicode.txt", []string{"eval", "rouge", "--pairs", td("pairs.jsonl"), "--tokenizer", "unicode", "--split-sentences", "--bootstrap", "0"}},
		{"class_table.txt", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl")}},
		{"class_markdown.txt", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("comprehend.jsonl"), "--thresholds", "0.4", "--format", "markdown"}},
		{"class_csv.txt", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--format", "csv"}},
		{"class_json.txt", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--labels", "pneumonia,effusion,cardiomegaly", "--curve-points", "4", "--format", "json"}},
		{"class_multiclass.txt", []string{"eval", "classification", "--gold", td("specialty.csv"), "--pred", td("specialty.pred.jsonl")}},
		{"compare_table.txt", []string{"eval", "compare", "--references", td("compare_refs.jsonl"), "--stemmer", "--bootstrap", "200", "--seed", "1", "pre-trained=" + td("base.jsonl"), "fine-tuned=" + td("tuned.jsonl")}},
		{"compare_markdown.txt", []string{"eval", "compare", "--references", td("compare_refs.jsonl"), "--bootstrap", "0", "--format", "markdown", td("base.jsonl"), td("tuned.jsonl")}},
		{"compare_csv.txt", []string{"eval", "compare", "--references", td("compare_refs.jsonl"), "--bootstrap", "100", "--seed", "2", "--format", "csv", td("base.jsonl"), td("tuned.jsonl")}},
		{"compare_class.txt", []string{"eval", "compare", "--gold", td("gold.jsonl"), "scores=" + td("pred.jsonl"), "service=" + td("comprehend.jsonl")}},
		{"compare_faith.txt", []string{"eval", "compare", "--references", td("compare_refs.jsonl"), "--sources", td("compare_sources.jsonl"), "--bootstrap", "200", "--seed", "1", "base=" + td("base.jsonl"), "tuned=" + td("tuned.jsonl")}},
		{"faith_table.txt", []string{"eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--bootstrap", "200", "--seed", "1", "--show", "8"}},
		{"faith_markdown.txt", []string{"eval", "faithfulness", td("faith_pairs.jsonl"), "--bootstrap", "0", "--format", "markdown"}},
		{"faith_csv.txt", []string{"eval", "faithfulness", "--sources", td("faith_sources.jsonl"), "--summaries", td("faith_summaries.jsonl"), "--bootstrap", "100", "--seed", "3", "--format", "csv"}},
		{"faith_json.txt", []string{"eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--bootstrap", "0", "--format", "json"}},
		{"cases_table.txt", []string{"eval", "cases", "--cases", td("cases.jsonl"), "--summaries", td("cases.sum.jsonl")}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			stdout, stderr, code := runOsler(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			checkGolden(t, filepath.Join("eval", tt.golden), stdout)
		})
	}
}

// TestEvalRougeWorkersAgree checks that the output does not depend on the
// number of workers.
func TestEvalRougeWorkersAgree(t *testing.T) {
	one, _, _ := runOsler(t, "", "eval", "rouge", td("pairs.jsonl"), "--workers", "1", "--format", "json", "--seed", "3")
	many, _, _ := runOsler(t, "", "eval", "rouge", td("pairs.jsonl"), "--workers", "4", "--format", "json", "--seed", "3")
	if one != many || one == "" {
		t.Errorf("--workers 1 and 4 differ:\n%s\n%s", one, many)
	}
}

// TestEvalRougeFixturesEndToEnd runs the command on the shared rouge-score
// fixture cases and checks every per-example value within 1e-12.
func TestEvalRougeFixturesEndToEnd(t *testing.T) {
	path := sharedtest.Path(t, "fixtures", "rouge", "cases.jsonl")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type fixture struct {
		ID         string                        `json:"id"`
		Target     string                        `json:"target"`
		Prediction string                        `json:"prediction"`
		UseStemmer bool                          `json:"use_stemmer"`
		Scores     map[eval.RougeType]eval.Score `json:"scores"`
	}
	dir := t.TempDir()
	for _, stem := range []bool{false, true} {
		var cases []fixture
		var in strings.Builder
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var c fixture
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				t.Fatal(err)
			}
			if c.UseStemmer != stem {
				continue
			}
			cases = append(cases, c)
			b, _ := json.Marshal(map[string]string{"id": c.ID, "target": c.Target, "prediction": c.Prediction})
			in.Write(b)
			in.WriteByte('\n')
		}
		pairs := filepath.Join(dir, "pairs.jsonl")
		out := filepath.Join(dir, "scores.jsonl")
		if err := os.WriteFile(pairs, []byte(in.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"eval", "rouge", "--pairs", pairs, "--per-example", out, "--bootstrap", "0"}
		if stem {
			args = append(args, "--stemmer")
		}
		if _, stderr, code := runOsler(t, "", args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		i := 0
		for ; sc.Scan(); i++ {
			var got struct {
				ID     string                        `json:"id"`
				Scores map[eval.RougeType]eval.Score `json:"scores"`
			}
			if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			c := cases[i]
			if got.ID != c.ID {
				t.Fatalf("line %d: id %q, want %q (input order)", i+1, got.ID, c.ID)
			}
			for typ, w := range c.Scores {
				g := got.Scores[typ]
				if math.Abs(g.Precision-w.Precision) > 1e-12 || math.Abs(g.Recall-w.Recall) > 1e-12 || math.Abs(g.FMeasure-w.FMeasure) > 1e-12 {
					t.Errorf("%s %s: got %+v, want %+v", c.ID, typ, g, w)
				}
			}
		}
		f.Close()
		if i != len(cases) {
			t.Errorf("stemmer=%v: %d per-example lines for %d cases", stem, i, len(cases))
		}
	}
}

// TestEvalRougeReport renders a report from a generated file and checks
// the box plots are there.
func TestEvalRougeReport(t *testing.T) {
	dir := t.TempDir()
	var in strings.Builder
	words := []string{"no", "acute", "pleural", "effusion", "lungs", "clear", "heart", "normal", "size", "stable"}
	for i := range 300 {
		var ref, pred []string
		for j := range 4 + i%9 {
			ref = append(ref, words[(i+j*3)%len(words)])
			pred = append(pred, words[(i*7+j)%len(words)])
		}
		b, _ := json.Marshal(map[string]any{"id": i, "reference": strings.Join(ref, " "), "prediction": strings.Join(pred, " ")})
		in.Write(b)
		in.WriteByte('\n')
	}
	pairs := filepath.Join(dir, "generated.jsonl")
	if err := os.WriteFile(pairs, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "report.html")
	_, stderr, code := runOsler(t, "", "eval", "rouge", "--pairs", pairs, "--stemmer", "--report", html, "--title", "Generated <pairs>")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if n := len(regexp.MustCompile(`<svg [^>]*role="img"`).FindAllString(s, -1)); n != 3 {
		t.Errorf("%d SVG plots, want 3 (precision, recall, F)", n)
	}
	if n := strings.Count(s, `class="box"`); n != 12 {
		t.Errorf("%d boxes, want 4 types x 3 measures", n)
	}
	if strings.Count(s, `class="whisker"`) == 0 || strings.Count(s, `class="median"`) != 12 {
		t.Error("box plots lack whiskers or medians")
	}
	if !strings.Contains(s, "Generated &lt;pairs&gt;") || strings.Contains(s, "<script") {
		t.Error("title not escaped, or a script in the page")
	}
	if !strings.Contains(stderr, "wrote report to") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestEvalClassificationTunedThresholds(t *testing.T) {
	dir := t.TempDir()
	th := filepath.Join(dir, "thresholds.json")
	metrics := filepath.Join(dir, "metrics.json")
	html := filepath.Join(dir, "report.html")
	_, stderr, code := runOsler(t, "", "eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"),
		"--thresholds", "tuned", "--write-thresholds", th, "--metrics", metrics, "--report", html)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(th)
	if err != nil {
		t.Fatal(err)
	}
	got, err := eval.ReadThresholds(f, th)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// F1-optimal thresholds of pred.jsonl, as scikit-learn 1.2's
	// precision_recall_curve gives them (highest F1, lowest on ties).
	want := map[string]float64{"effusion": 0.45, "pneumonia": 0.42, "cardiomegaly": 0.48}
	for l, v := range want {
		if got[l] != v {
			t.Errorf("threshold %s = %v, want %v", l, got[l], v)
		}
	}
	var res eval.ClassificationResult
	raw, err := os.ReadFile(metrics)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if res.N != 10 || res.Thresholds["pneumonia"] != 0.42 || len(res.PerLabel) != 3 || res.PerLabel[0].PRCurve == nil {
		t.Errorf("metrics.json: %+v", res)
	}
	// Reusing the thresholds file gives the same metrics as tuning.
	stdout1, _, _ := runOsler(t, "", "eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--thresholds", th, "--format", "csv")
	stdout2, _, _ := runOsler(t, "", "eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--thresholds", "tuned", "--write-thresholds", filepath.Join(dir, "again.json"), "--format", "csv")
	if stdout1 != stdout2 || stdout1 == "" {
		t.Errorf("thresholds file and tuning disagree:\n%s\n%s", stdout1, stdout2)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(page), `class="curve"`) != 3 || !strings.Contains(string(page), "Per-label confusion") {
		t.Error("report lacks PR curves or confusion matrices")
	}
}

func TestEvalErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.jsonl", "")
	noPred := write("nopred.jsonl", `{"id": "a", "reference": "x"}`+"\n")
	idsPred := write("ids.jsonl", `{"id": "n1", "scores": {"effusion": 0.9}}`+"\n"+`{"id": "zz", "scores": {"effusion": 0.9}}`+"\n")
	fewPred := write("few.jsonl", `{"id": "s1", "prediction": "x"}`+"\n")
	short := write("short.txt", "only one line\n")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no input", []string{"eval", "rouge"}, 2, "give --pairs FILE.jsonl"},
		{"both inputs", []string{"eval", "rouge", "--pairs", td("pairs.jsonl"), "--predictions", td("preds.txt")}, 2, "not both"},
		{"bad type", []string{"eval", "rouge", td("pairs.jsonl"), "--types", "rougeX"}, 2, `unknown rouge type "rougeX"`},
		{"bad format", []string{"eval", "rouge", td("pairs.jsonl"), "--format", "xml"}, 2, `unknown --format "xml"`},
		{"bad tokenizer", []string{"eval", "rouge", td("pairs.jsonl"), "--tokenizer", "spacy"}, 2, "unknown tokenizer"},
		{"empty file", []string{"eval", "rouge", "--pairs", empty}, 1, "has no pairs"},
		{"missing field", []string{"eval", "rouge", "--pairs", noPred}, 1, `nopred.jsonl:1: field "prediction": missing field`},
		{"missing file", []string{"eval", "rouge", "--pairs", filepath.Join(dir, "nope.jsonl")}, 1, "no such file"},
		{"line counts", []string{"eval", "rouge", "--references", td("refs.txt"), "--predictions", short}, 1, "has 3 lines but"},
		{"class no pred", []string{"eval", "classification", "--gold", td("gold.jsonl")}, 2, "--pred is required"},
		{"class unknown id", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", idsPred}, 1, `id "zz" is not in`},
		{"class empty", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", empty}, 1, "has no predictions"},
		{"class bad thresholds", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--thresholds", "high"}, 2, "neither a number"},
		{"class bad format", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--format", "xml"}, 2, `--format "xml": want table, json, csv or markdown`},
		{"class bad mode", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--mode", "weird"}, 2, `--mode "weird": invalid mode`},
		{"cases csv", []string{"eval", "cases", "--cases", td("cases.jsonl"), "--summaries", td("cases.sum.jsonl"), "--format", "csv"}, 2, "--format csv is not offered"},
		{"class write without tuning", []string{"eval", "classification", "--gold", td("gold.jsonl"), "--pred", td("pred.jsonl"), "--write-thresholds", "x.json"}, 2, "needs --thresholds tuned"},
		{"compare no refs", []string{"eval", "compare", td("base.jsonl")}, 2, "give --references REFS"},
		{"compare no systems", []string{"eval", "compare", "--references", td("compare_refs.jsonl")}, 2, "at least one prediction file"},
		{"compare missing ids", []string{"eval", "compare", "--references", td("compare_refs.jsonl"), fewPred}, 1, `no prediction for 4 of the 5 references`},
		{"compare same names", []string{"eval", "compare", "--references", td("compare_refs.jsonl"), "a=" + td("base.jsonl"), "a=" + td("tuned.jsonl")}, 2, `two systems are named "a"`},
		{"compare tuned", []string{"eval", "compare", "--gold", td("gold.jsonl"), "--thresholds", "tuned", td("pred.jsonl")}, 2, "tune on a validation set"},
	}
	for _, tt := range tests {
		_, stderr, code := runOsler(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, stderr, tt.code, tt.want)
		}
	}
	// A failed run leaves no partial per-example file behind.
	out := filepath.Join(dir, "scores.jsonl")
	bad := write("bad.jsonl", `{"id": "a", "reference": "x", "prediction": "y"}`+"\n"+`{"id": "b", "reference": 5, "prediction": "y"}`+"\n")
	if _, _, code := runOsler(t, "", "eval", "rouge", "--pairs", bad, "--per-example", out); code != 1 {
		t.Errorf("bad pairs: exit %d", code)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("per-example file exists after a failure: %v", err)
	}
}

func TestEvalRougeStdin(t *testing.T) {
	in := `{"reference": "Lungs clear.", "prediction": "Lungs are clear."}` + "\n"
	stdout, stderr, code := runOsler(t, in, "eval", "rouge", "--pairs", "-", "--format", "json", "--bootstrap", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s eval.RougeSummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.N != 1 || s.Mean[eval.Rouge1].Recall != 1 || s.Bootstrap != nil {
		t.Errorf("summary %+v", s)
	}
}

// TestEvalFaithfulness checks what the golden files cannot: the joined
// and the paired inputs agree, the report highlights claims, --fail-above
// and --max-fail exit 1, and bad inputs name the file, line and field.
func TestEvalFaithfulness(t *testing.T) {
	paired, _, code := runOsler(t, "", "eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--bootstrap", "50", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	joined, _, code := runOsler(t, "", "eval", "faithfulness", "--sources", td("faith_sources.jsonl"), "--summaries", td("faith_summaries.jsonl"), "--bootstrap", "50", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var a, b eval.FaithfulnessReport
	if err := json.Unmarshal([]byte(paired), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(joined), &b); err != nil {
		t.Fatal(err)
	}
	// The summaries file lists the pairs in reverse order: the same pairs,
	// so the same counts (the intervals resample in a different order).
	if a.Unfaithful.Count != b.Unfaithful.Count || a.Pairs != b.Pairs || len(a.Kinds) != len(b.Kinds) || a.Unfaithful.Count != 5 {
		t.Fatalf("paired %+v vs joined %+v", a.Unfaithful, b.Unfaithful)
	}

	dir := t.TempDir()
	html := filepath.Join(dir, "f.html")
	if _, stderr, code := runOsler(t, "", "eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--report", html); code != 0 {
		t.Fatalf("--report: exit %d %s", code, stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<mark class="contradicted"`, `<mark class="unsupported"`, "quotes the evaluated texts", "The left lung is clear.", `apical pneumothorax</mark>`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	perPair := filepath.Join(dir, "checks.jsonl")
	if _, stderr, code := runOsler(t, "", "eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--per-pair", perPair); code != 0 {
		t.Fatalf("--per-pair: exit %d %s", code, stderr)
	}
	raw, err := os.ReadFile(perPair)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 8 || !strings.HasPrefix(lines[0], `{"id":"f1","flagged":false`) || !strings.Contains(lines[1], `"kind":"critical"`) {
		t.Errorf("per-pair lines %q", lines)
	}
	if _, stderr, code := runOsler(t, "", "eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--fail-above", "0.5"); code != 1 || !strings.Contains(stderr, "above --fail-above") {
		t.Errorf("--fail-above 0.5 with 62.5%% unfaithful: exit %d, %q", code, stderr)
	}
	if _, _, code := runOsler(t, "", "eval", "faithfulness", "--pairs", td("faith_pairs.jsonl"), "--fail-above", "0.7"); code != 0 {
		t.Errorf("--fail-above 0.7: exit %d", code)
	}
	if _, stderr, code := runOsler(t, "", "eval", "cases", "--cases", td("cases.jsonl"), "--summaries", td("cases.sum.jsonl"), "--max-fail", "0.5"); code != 1 || !strings.Contains(stderr, "above --max-fail") {
		t.Errorf("--max-fail 0.5 with 2 of 3 failing: exit %d, %q", code, stderr)
	}

	noSummary := filepath.Join(dir, "nosum.jsonl")
	os.WriteFile(noSummary, []byte(`{"id":"a","source":"Lungs clear.","summary":"Clear lungs."}`+"\n"+`{"id":"b","source":"Heart normal."}`+"\n"), 0o644)
	unknown := filepath.Join(dir, "unknown.jsonl")
	os.WriteFile(unknown, []byte(`{"id":"zz","summary":"Clear lungs."}`+"\n"), 0o644)
	badCase := filepath.Join(dir, "badcase.jsonl")
	os.WriteFile(badCase, []byte(`{"id":"x","source":"Lungs clear.","must_mention":"clear"}`+"\n"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--pairs", noSummary}, 1, `nosum.jsonl:2: field "summary"`},
		{[]string{"--sources", td("faith_sources.jsonl"), "--summaries", unknown}, 1, `unknown.jsonl:1: field "id"`},
		{[]string{"--pairs", td("faith_pairs.jsonl"), "--sources", td("faith_sources.jsonl")}, 2, "not both"},
		{[]string{}, 2, "give --pairs"},
		{[]string{"--pairs", td("faith_pairs.jsonl"), "--fail-above", "2"}, 2, "--fail-above"},
		{[]string{"--pairs", td("faith_pairs.jsonl"), "--vocab", filepath.Join(dir, "absent.txt")}, 1, "--vocab"},
	} {
		_, stderr, code := runOsler(t, "", append([]string{"eval", "faithfulness"}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("eval faithfulness %q: exit %d (want %d), stderr %q (want %q)", tt.args, code, tt.code, stderr, tt.msg)
		}
	}
	if _, stderr, code := runOsler(t, "", "eval", "cases", "--cases", badCase, "--summaries", td("cases.sum.jsonl")); code != 1 || !strings.Contains(stderr, `badcase.jsonl:1: field "must_mention"`) {
		t.Errorf("bad case: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runOsler(t, "", "eval", "cases", "--cases", td("cases.jsonl"), "--summaries", unknown); code != 1 || !strings.Contains(stderr, "have no summary") {
		t.Errorf("cases without summaries: exit %d, %q", code, stderr)
	}

	// A user vocabulary: a term the built-in lexicon lacks becomes a
	// finding the summary cannot invent.
	vocab := filepath.Join(dir, "vocab.txt")
	os.WriteFile(vocab, []byte("finding zebra-sign group=zebra severity=acute: zebra sign\n"), 0o644)
	pairs := filepath.Join(dir, "zebra.jsonl")
	os.WriteFile(pairs, []byte(`{"id":"z","source":"The lungs are clear.","summary":"Zebra sign in the left lung."}`+"\n"), 0o644)
	out, _, code := runOsler(t, "", "eval", "faithfulness", "--pairs", pairs, "--bootstrap", "0", "--show", "1")
	if code != 0 || strings.Contains(out, "zebra") {
		t.Fatalf("without --vocab the term is unknown: exit %d\n%s", code, out)
	}
	out, _, code = runOsler(t, "", "eval", "faithfulness", "--pairs", pairs, "--bootstrap", "0", "--show", "1", "--vocab", vocab)
	if code != 0 || !strings.Contains(out, "states zebra sign, which the source does not mention") {
		t.Fatalf("with --vocab: exit %d\n%s", code, out)
	}
}
