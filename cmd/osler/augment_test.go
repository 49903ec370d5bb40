package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm/llmtest"
)

// TestAugment runs osler augment against a fake OpenAI-compatible server:
// the kept rows carry provenance, the guard's near-copy is refused and
// counted, and the report says so. Synthetic notes only.
func TestAugment(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "synth.jsonl")
	train := writeFile(t, "train.jsonl", `{"id":"t1","text":"Patient slipped in the bathroom and fell onto the left hip.","labels":["fall"]}
{"id":"t2","text":"Tripped over a rug at home, fell forward and struck the forehead.","labels":["fall"]}
{"id":"s1","text":"Fever, rigors and hypotension with a rising lactate overnight.","labels":["sepsis"]}
`)
	guard := writeFile(t, "test.jsonl", `{"id":"d1","text":"Patient fell from a wheelchair during transfer and bruised the elbow.","labels":["fall"]}
`)
	reply, _ := json.Marshal([]string{
		"Patient stumbled on a wet floor in the kitchen and landed on the right wrist.",
		"patient fell from a wheelchair during transfer -- and bruised the elbow",
		"Missed the last step on the porch and fell, twisting the left ankle.",
	})
	srv := llmtest.NewOpenAIServer(t)
	srv.Script(llmtest.Step{Reply: string(reply)})
	srv.SetDefault(llmtest.Step{Status: 400})
	args := []string{"augment", "--train", train, "--label", "fall", "--n", "2", "--batch", "3", "--shots", "2",
		"--guard", guard, "--out", out, "--llm-url", srv.URL, "--llm-model", "m", "--llm-retries", "0", "--json"}
	stdout, stderr, code := runOsler(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Asked, Generated, Kept, Calls int
		Dropped                       map[string]int
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if rep.Asked != 3 || rep.Generated != 3 || rep.Kept != 2 || rep.Calls != 1 || rep.Dropped["guard"] != 1 {
		t.Errorf("report: %+v", rep)
	}
	recs, err := dataset.ReadAll(out, nil, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d rows written, want 2", len(recs))
	}
	for _, r := range recs {
		if r.Synthetic == nil || !strings.HasPrefix(r.ID, "synth-fall-") || strings.Contains(r.Text, "wheelchair") {
			t.Errorf("row %+v", r)
		}
	}
}

// TestAugmentUsage: a missing --train or --label is a usage error naming
// the flag, and nothing is written.
func TestAugmentUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "synth.jsonl")
	train := writeFile(t, "train.jsonl", `{"id":"t1","text":"Patient slipped in the bathroom and fell onto the left hip.","labels":["fall"]}`+"\n")
	for _, c := range []struct {
		flag string
		args []string
	}{
		{"--train", []string{"augment", "--label", "fall", "--out", out}},
		{"--label", []string{"augment", "--train", train, "--out", out}},
	} {
		_, stderr, code := runOsler(t, "", c.args...)
		if code != 2 || !strings.Contains(stderr, c.flag) {
			t.Errorf("without %s: exit %d: %s", c.flag, code, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written: %v", err)
	}
}
