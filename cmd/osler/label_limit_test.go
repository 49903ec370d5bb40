package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainRefusesTooManyLabels: train classifier applies osler data
// validate's label limit (issue 10: 10,000 labels trained for 144 s
// without a word although data validate calls it an error), and
// --max-labels raises it.
func TestTrainRefusesTooManyLabels(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 1100 {
		fmt.Fprintf(&b, `{"id":"%d","text":"note %d about things","labels":["code-%04d"]}`+"\n", i, i, i)
	}
	train := filepath.Join(dir, "train.jsonl")
	os.WriteFile(train, []byte(b.String()), 0o644)
	_, errOut, code := runOsler(t, "", "train", "classifier", "--train", train, "--out", filepath.Join(dir, "m"), "--mode", "multi-class")
	if code != 1 || !strings.Contains(errOut, "too-many-labels") || !strings.Contains(errOut, "1100 distinct labels") || !strings.Contains(errOut, "--max-labels") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "m")); err == nil {
		t.Fatal("a model was written")
	}
}
