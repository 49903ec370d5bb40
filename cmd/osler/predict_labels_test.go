package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPredictIgnoresLabelTypes: predict reads only the text, so a record
// whose labels are not an array of strings is predicted, not refused.
func TestPredictIgnoresLabelTypes(t *testing.T) {
	model := classifierDir(t, 0.9, "m")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"id":"1","text":"rash after the new antibiotic","labels":[1]}`+"\n"+`{"id":"2","text":"stable","label":{"x":1}}`+"\n"), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	if _, errOut, code := runOsler(t, "", "predict", "--model", model, "--input", in, "--output", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(out)
	if n := strings.Count(string(b), "\n"); n != 2 {
		t.Fatalf("%d predictions:\n%s", n, b)
	}
}
