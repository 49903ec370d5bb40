package eval

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
)

func faithFiles(t *testing.T) map[string]string {
	return writeFiles(t, map[string]string{
		"pairs.jsonl": `{"id": "a", "source": "Small right pleural effusion.", "summary": "Right pleural effusion."}
{"id": "b", "source": "Lungs are clear.", "summary": "Left pneumothorax."}
`,
		"nosum.jsonl": `{"id": "a", "source": "Lungs are clear.", "summary": "Clear lungs."}
{"id": "b", "source": "Heart normal."}
`,
		"sources.jsonl": `{"id": "a", "source": "Small right pleural effusion."}
{"id": "b", "source": "Lungs are clear."}
`,
		"summaries.jsonl": `{"id": "b", "summary": "Left pneumothorax."}
{"id": "a", "summary": "Right pleural effusion."}
`,
		"pairs.csv": "id,source,summary\na,Small right pleural effusion.,Right pleural effusion.\n",
		"cases.jsonl": `{"id":"c1","category":"critical","source":"There is a small right apical pneumothorax.","critical":true,"must_mention":[["pneumothorax"],["right"]],"must_not_say":["left pneumothorax"]}
{"id":"c2","category":"normal","source":"The lungs are clear.","must_mention":[["clear","normal"]],"must_not_say":["stable"]}
`,
		"cases.sum.jsonl": `{"id":"c1","summary":"Small right pneumothorax."}
{"id":"c2","summary":"Stable chest."}
`,
		"few.sum.jsonl": `{"id":"c1","summary":"Small right pneumothorax."}` + "\n",
	})
}

func TestReadFaithfulnessPairs(t *testing.T) {
	f := faithFiles(t)
	ctx := context.Background()
	in := FaithfulnessInput{Pairs: f["pairs.jsonl"]}
	pairs, err := ReadFaithfulnessPairs(ctx, in)
	if err != nil || len(pairs) != 2 || pairs[1].Summary != "Left pneumothorax." || !slices.Equal(in.Files(), []string{f["pairs.jsonl"]}) {
		t.Errorf("pairs: %+v, %v", pairs, err)
	}
	// Joined by id: the pairs come in the summaries' order.
	in = FaithfulnessInput{Sources: f["sources.jsonl"], Summaries: f["summaries.jsonl"]}
	joined, err := ReadFaithfulnessPairs(ctx, in)
	if err != nil || len(joined) != 2 || joined[0].ID != "b" || joined[0].Source != "Lungs are clear." || !slices.Equal(in.Files(), []string{f["sources.jsonl"], f["summaries.jsonl"]}) {
		t.Errorf("joined: %+v, %v", joined, err)
	}
	// Data options say how a CSV is laid out.
	in = FaithfulnessInput{Pairs: f["pairs.csv"], Data: dataset.Options{TextColumn: "source", SummaryColumn: "summary", IDColumn: "id"}}
	if csvPairs, err := ReadFaithfulnessPairs(ctx, in); err != nil || len(csvPairs) != 1 || csvPairs[0].Summary != "Right pleural effusion." {
		t.Errorf("csv: %+v, %v", csvPairs, err)
	}
	// "-" reads Stdin.
	in = FaithfulnessInput{Pairs: "-", Data: dataset.Options{Format: dataset.FormatJSONL}, Stdin: strings.NewReader(`{"id": "x", "source": "s.", "summary": "t."}` + "\n")}
	if p, err := ReadFaithfulnessPairs(ctx, in); err != nil || len(p) != 1 || p[0].ID != "x" {
		t.Errorf("stdin: %+v, %v", p, err)
	}
}

func TestReadFaithfulnessPairsErrors(t *testing.T) {
	f := faithFiles(t)
	ctx := context.Background()
	_, err := ReadFaithfulnessPairs(ctx, FaithfulnessInput{Pairs: f["nosum.jsonl"]})
	var pe *dataset.ParseError
	if !errors.As(err, &pe) || pe.File != f["nosum.jsonl"] || pe.Line != 2 || pe.Field != "summary" {
		t.Errorf("no summary: %v", err)
	}
	_, err = ReadFaithfulnessPairs(ctx, FaithfulnessInput{Sources: f["sources.jsonl"], Summaries: f["pairs.csv"]})
	if err == nil {
		t.Error("summaries that are not JSONL: no error")
	}
	_, err = ReadFaithfulnessPairs(ctx, FaithfulnessInput{Sources: f["sources.jsonl"], Summaries: filepath.Join(t.TempDir(), "absent.jsonl")})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent summaries: %v", err)
	}
	for _, in := range []FaithfulnessInput{
		{},
		{Sources: f["sources.jsonl"]},
		{Summaries: f["summaries.jsonl"]},
		{Pairs: f["pairs.jsonl"], Sources: f["sources.jsonl"], Summaries: f["summaries.jsonl"]},
		{Pairs: f["pairs.jsonl"], Summaries: f["summaries.jsonl"]},
	} {
		if _, err := ReadFaithfulnessPairs(ctx, in); err == nil || !strings.Contains(err.Error(), "give the pairs, or the sources with the summaries") {
			t.Errorf("%+v: %v", in, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ReadFaithfulnessPairs(cctx, FaithfulnessInput{Pairs: f["pairs.jsonl"]}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCheckCaseFiles(t *testing.T) {
	f := faithFiles(t)
	ctx := context.Background()
	rep, err := CheckCaseFiles(ctx, CaseFiles{Cases: f["cases.jsonl"], Summaries: f["cases.sum.jsonl"]})
	if err != nil {
		t.Fatal(err)
	}
	// c1 passes; c2 says "stable" and mentions neither "clear" nor
	// "normal".
	if rep.Cases != 2 || rep.Passed != 1 || rep.Results[1].Pass || !slices.Equal(rep.Results[1].Said, []string{"stable"}) || rep.CriticalCases != 1 {
		t.Errorf("report %+v", rep)
	}
	if _, err := CheckCaseFiles(ctx, CaseFiles{Cases: f["cases.jsonl"], Summaries: f["few.sum.jsonl"]}); err == nil || !strings.Contains(err.Error(), `1 case(s) have no summary (first: "c2")`) {
		t.Errorf("missing summary: %v", err)
	}
	// A summaries line without an id names the file, line and field.
	bad := writeFiles(t, map[string]string{"bad.jsonl": `{"summary": 3}` + "\n"})
	_, err = CheckCaseFiles(ctx, CaseFiles{Cases: f["cases.jsonl"], Summaries: bad["bad.jsonl"]})
	var pe *dataset.ParseError
	if !errors.As(err, &pe) || pe.File != bad["bad.jsonl"] || pe.Line != 1 {
		t.Errorf("bad summaries: %v", err)
	}
	if _, err := CheckCaseFiles(ctx, CaseFiles{Cases: filepath.Join(t.TempDir(), "absent.jsonl"), Summaries: f["cases.sum.jsonl"]}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent cases: %v", err)
	}
}
