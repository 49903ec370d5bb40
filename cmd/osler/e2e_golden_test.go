package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEndToEndGolden runs the workflows a user runs — data synth, train
// classifier (binary and multi-label), predict, eval classification, train
// summarizer, summarize, eval rouge, compare and faithfulness, and serve —
// on small synthetic data, and compares what each prints and writes with
// golden files captured before the workflows moved out of cmd/osler into
// the library. Timings, rates, dates and temporary paths are masked;
// everything else, every score included, must stay as it was
// (go test ./cmd/osler -run TestEndToEndGolden -update rewrites them when
// a change is intended).
func TestEndToEndGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three small models; skipped with -short")
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	var golden strings.Builder
	step := func(args ...string) {
		t.Helper()
		out, errOut, code := runOsler(t, "", args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		golden.WriteString("$ osler " + maskE2E(strings.Join(args, " "), dir) + "\n" + maskE2E(out, dir) + "\n")
	}
	file := func(name string) {
		t.Helper()
		b, err := os.ReadFile(p(name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".json") {
			b = stableJSON(t, b)
		}
		golden.WriteString("=== " + name + "\n" + maskE2E(string(b), dir) + "\n")
	}
	check := func(name string) {
		t.Helper()
		checkGolden(t, filepath.Join("e2e", name), golden.String())
		golden.Reset()
	}

	// Classifiers.
	step("data", "synth", "--kind", "ade", "--n", "700", "--seed", "11", "--out", p("train.jsonl"))
	step("data", "synth", "--kind", "ade", "--n", "200", "--seed", "12", "--out", p("dev.jsonl"))
	step("data", "synth", "--kind", "ade", "--n", "200", "--seed", "13", "--out", p("test.jsonl"))
	step("train", "classifier", "--train", p("train.jsonl"), "--dev", p("dev.jsonl"), "--test", p("test.jsonl"), "--out", p("serve/ade"), "--c-grid", "1,4")
	file("serve/ade/metrics.json")
	file("serve/ade/model.json")
	check("train_classifier.txt")

	step("predict", "--model", p("serve/ade"), "--input", p("test.jsonl"), "--output", p("pred.jsonl"))
	file("pred.jsonl")
	step("eval", "classification", "--gold", p("test.jsonl"), "--pred", p("pred.jsonl"))
	step("eval", "classification", "--gold", p("test.jsonl"), "--pred", p("pred.jsonl"), "--format", "json")
	check("predict_eval_classification.txt")

	step("data", "synth", "--kind", "multilabel", "--n", "800", "--seed", "11", "--out", p("ml-train.jsonl"))
	step("data", "synth", "--kind", "multilabel", "--n", "200", "--seed", "12", "--out", p("ml-dev.jsonl"))
	step("train", "classifier", "--train", p("ml-train.jsonl"), "--dev", p("ml-dev.jsonl"), "--out", p("serve/ml"), "--c-grid", "4")
	file("serve/ml/metrics.json")
	step("predict", "--model", p("serve/ml"), "--input", p("ml-dev.jsonl"), "--output", p("ml-pred.jsonl"))
	file("ml-pred.jsonl")
	step("eval", "classification", "--gold", p("ml-dev.jsonl"), "--pred", p("ml-pred.jsonl"))
	check("multilabel.txt")

	// Summarizers.
	step("data", "synth", "--kind", "radiology", "--n", "300", "--seed", "11", "--out", p("rad-train.jsonl"))
	step("data", "synth", "--kind", "radiology", "--n", "60", "--seed", "12", "--out", p("rad-dev.jsonl"))
	step("train", "summarizer", "--train", p("rad-train.jsonl"), "--dev", p("rad-dev.jsonl"), "--out", p("serve/rad"), "--trees", "20", "--no-cv")
	file("serve/rad/model.json")
	check("train_summarizer.txt")

	step("summarize", "--input", p("rad-dev.jsonl"), "--method", "model:"+p("serve/rad"), "--output", p("sum.jsonl"))
	file("sum.jsonl")
	step("summarize", "--input", p("rad-dev.jsonl"), "--method", "model:"+p("serve/rad"), "--provenance", "--output", p("sum-prov.jsonl"))
	file("sum-prov.jsonl")
	step("summarize", "--input", p("rad-dev.jsonl"), "--method", "extractive", "--output", p("ext.jsonl"))
	file("ext.jsonl")
	check("summarize.txt")

	writeLines(t, p("refs.txt"), jsonlField(t, p("rad-dev.jsonl"), "summary"))
	writeLines(t, p("preds.txt"), jsonlField(t, p("sum.jsonl"), "summary"))
	step("eval", "rouge", "--references", p("refs.txt"), "--predictions", p("preds.txt"), "--stemmer")
	step("eval", "rouge", "--references", p("refs.txt"), "--predictions", p("preds.txt"), "--format", "json", "--bootstrap", "0")
	step("eval", "compare", "--references", p("rad-dev.jsonl"), "--sources", p("rad-dev.jsonl"), "trained="+p("sum.jsonl"), "extractive="+p("ext.jsonl"))
	step("eval", "faithfulness", "--sources", p("rad-dev.jsonl"), "--summaries", p("ext.jsonl"), "--show", "3")
	check("eval_summaries.txt")

	// serve: the models above from a directory, over HTTP.
	url, _, stop := startServe(t, map[string]string{}, "--model-dir", p("serve"), "--no-auth")
	for _, r := range []struct{ method, path, target, body string }{
		{"GET", "/ping", "", ""},
		{"GET", "/v1/models", "", ""},
		{"POST", "/invocations", "ade", `{"inputs":["Severe rash and fever after starting amoxicillin.","She walked in the hall with her daughter."]}`},
		{"POST", "/v1/classify", "", `{"model":"ade","inputs":["Hives developed two days after penicillin was started."]}`},
		{"POST", "/v1/classify", "", `{"model":"ml","inputs":["Follow-up for hypertension and type 2 diabetes; metformin continued, lisinopril increased."]}`},
		{"POST", "/v1/summarize", "", `{"model":"rad","inputs":["FINDINGS:\nHeart size is normal. There is a small right pleural effusion. No pneumothorax."]}`},
		{"POST", "/invocations", "rad", `{"inputs":"FINDINGS:\nThe lungs are clear. No pleural effusion or pneumothorax. Heart size is normal."}`},
		{"POST", "/v1/classify", "", `{"model":"nope","inputs":["x"]}`},
		{"POST", "/v1/classify", "", `{"model":"ade","inputs":[]}`},
	} {
		req, err := http.NewRequest(r.method, url+r.path, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if r.target != "" {
			req.Header.Set("X-Amzn-SageMaker-Target-Model", r.target)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		golden.WriteString(r.method + " " + r.path + " " + r.target + " " + r.body + "\n" + resp.Status + "\n" + maskE2E(string(b), dir) + "\n")
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	check("serve.txt")
}

// e2eMasks replace what differs between runs of the same command.
var e2eMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d+(\.\d+)?(/s| documents/s| records/s| pairs/s)`), "<rate>"},
	{regexp.MustCompile(`\b\d+(\.\d+)?\s?(ns|µs|us|ms|s|m)\b`), "<duration>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`), "<time>"},
	{regexp.MustCompile(`"request_id":"[^"]*"`), `"request_id":"<id>"`},
	{regexp.MustCompile(`"(osler_version|sha256)": ?"[^"]*"`), `"$1":"<masked>"`},
}

// maskE2E replaces the temporary directory, timings, rates, times and ids.
func maskE2E(s, dir string) string {
	s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
	s = strings.ReplaceAll(s, dir, ".")
	for _, m := range e2eMasks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// stableJSON re-encodes a JSON document without the fields that record
// when and how fast it was made (created, *seconds*, *per_second*) or the
// files' checksums, which follow the floating-point bits of the weights.
func stableJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k := range v {
				if k == "created" || k == "files" || strings.Contains(k, "seconds") || strings.Contains(k, "per_second") {
					delete(v, k)
				}
			}
			for _, x := range v {
				strip(x)
			}
		case []any:
			for _, x := range v {
				strip(x)
			}
		}
	}
	strip(v)
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonlField reads one string field of every line of a JSONL file.
func jsonlField(t *testing.T, path, field string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		s, _ := m[field].(string)
		out = append(out, strings.ReplaceAll(s, "\n", " "))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func writeLines(t *testing.T, path string, lines []string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
