package report

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/eval"
)

// rougeSummary scores a few pairs and summarizes them with a bootstrap.
func rougeSummary(t *testing.T, fOnly bool) *eval.RougeSummary {
	t.Helper()
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, fmt.Sprintf(`{"id":"p%d","reference":"no acute cardiopulmonary process %d","prediction":"no acute process seen %d"}`, i, i%7, i%5))
	}
	scorer, err := eval.NewRougeScorer(eval.RougeOptions{Stemmer: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := scorer.ScoreStream(context.Background(), eval.NewPairReader(strings.NewReader(strings.Join(lines, "\n")), "pairs.jsonl"), eval.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := res.Summarize(context.Background(), true, eval.TokenizerDefault, eval.BootstrapOptions{Samples: 300, Seed: 5, FMeasureOnly: fOnly})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestWriteRougeSummary: the table and markdown show the F intervals,
// which a bootstrap of F alone gives exactly as the full one; CSV and JSON
// carry every measure.
func TestWriteRougeSummary(t *testing.T) {
	full, fOnly := rougeSummary(t, false), rougeSummary(t, true)
	for _, format := range []Format{Table, Markdown} {
		var a, b strings.Builder
		if err := WriteRougeSummary(&a, format, full); err != nil {
			t.Fatal(err)
		}
		if err := WriteRougeSummary(&b, format, fOnly); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: F intervals alone print\n%s\nthe full bootstrap\n%s", format, b.String(), a.String())
		}
		for _, want := range []string{"40 pairs, stemmer on, default tokenizer, 95% bootstrap intervals (300 resamples, seed 5)", "rougeLsum", "F-measure distribution per pair"} {
			if !strings.Contains(a.String(), want) {
				t.Errorf("%s lacks %q:\n%s", format, want, a.String())
			}
		}
	}
	var c strings.Builder
	if err := WriteRougeSummary(&c, CSV, full); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(c.String()), "\n")
	if len(lines) != 1+4*3 || !strings.HasPrefix(lines[1], "rouge1,precision,") || strings.Count(lines[1], ",") != 11 {
		t.Errorf("csv:\n%s", c.String())
	}
	var j strings.Builder
	if err := WriteRougeSummary(&j, JSON, full); err != nil || !strings.Contains(j.String(), `"bootstrap"`) {
		t.Errorf("json: %v\n%s", err, j.String())
	}
}
