package classify

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/goldentest"
)

var (
	update      = flag.Bool("update", false, "rewrite golden files under testdata/golden")
	updateModel = flag.Bool("update-model", false, "retrain testdata/model-v1 (only with a new FormatVersion)")
)

// goldenTexts are scored by the committed model of TestFormatIsStable.
var goldenTexts = []string{
	"",
	"Warfarin induced bleeding.",
	"the patient was treated with naproxen after days",
	"Severe RASH after 500mg CISPLATIN on XX/XX/XXXX",
	"Ödème sévère après cisplatine",
	"lithium tremor reported in a woman with a history of bipolar disorder",
	strings.Repeat("amiodarone fibrosis ", 30),
}

// TestFormatIsStable loads a model trained and saved by an earlier build
// and checks it still scores texts as it did then (to 1e-9 relative): the artifact
// layout and the feature hashing are part of FormatVersion, and a change to
// either must come with a new version (and go test -update-model).
func TestFormatIsStable(t *testing.T) {
	dir := filepath.Join("testdata", fmt.Sprintf("model-v%d", FormatVersion))
	if *updateModel {
		cfg := testConfig(dataset.ModeBinary)
		cfg.Features.HashBits = 12
		cfg.Lexicon = []LexiconEntry{{Category: "DRUG", Phrase: "warfarin"}, {Category: "EFFECT", Phrase: "bleeding"}}
		all := synthBinary(400, 11)
		m, _ := mustTrain(t, cfg, all[:300], all[300:])
		m.meta.Created, m.meta.OslerVersion = "2026-01-01T00:00:00Z", "golden"
		if err := m.Save(dir, nil); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range goldenTexts {
		for i, v := range m.Scores(s) {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.17g", v)
		}
		b.WriteByte('\n')
	}
	// Compared within goldentest.RelTol: the last bits of a score differ
	// where the compiler fuses multiply-adds (arm64), a format or hashing
	// change moves them far more.
	path := filepath.Join("testdata", "golden", "scores.txt")
	if *update || *updateModel {
		goldentest.Check(t, path, b.String(), true)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden scores (go test -update to create them): %v", err)
	}
	if diffs := goldentest.Compare(b.String(), string(want)); len(diffs) > 0 {
		t.Errorf("the committed model scores differently than when it was saved: the artifact format or the feature hashing changed without a new FormatVersion\n%s\n--- got ---\n%s--- want ---\n%s",
			strings.Join(diffs, "\n"), b.String(), want)
	}
}
