package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the demo on a small synthetic set and checks that every
// step ran and left its files behind.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runOsler(t, "", "demo", "--dir", dir, "--n-ade", "1500", "--n-radiology", "600", "--no-serve")
	if code != 0 {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"$ osler data synth --kind ade", "$ osler data validate", "$ osler data split", "Leakage: no exact or near-duplicate texts shared",
		"$ osler train classifier", "$ osler predict", "$ osler eval classification",
		"$ osler train summarizer", "$ osler eval compare", "$ osler models approve ade-detector:latest",
		"$ osler cds call --hook patient-view", "osler-note-summary (patient-view): 1 card",
		"[CRITICAL] amoxicillin 500 MG Oral Capsule: recorded allergy to Penicillin (2019-06-10), same class: penicillins",
		"[INFO] MRI lumbar spine without contrast: prior authorization needed", "system action: update ServiceRequest/draft-lumbar-mri"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	for _, f := range []string{"ade.jsonl", "ade.train.jsonl", "ade.dev.jsonl", "ade.test.jsonl", "radiology.train.jsonl", "radiology.test.jsonl",
		"models/radiology-impressions/model.json", "predictions/radiology.test.trained.jsonl", "reports/summarizer-comparison.html",
		"models/ade-detector/model.json", "predictions/ade.test.jsonl", "reports/ade-test.html", "home/registry.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("demo did not leave %s: %v", f, err)
		}
	}
}
