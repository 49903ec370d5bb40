package eval

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPerExampleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scores.jsonl")
	p, err := CreatePerExampleFile(path, []RougeType{Rouge1, RougeL})
	if err != nil {
		t.Fatal(err)
	}
	scores := []Score{{Precision: 1, Recall: 0.5, FMeasure: 2.0 / 3}, {Precision: 1e-7, Recall: 0, FMeasure: math.SmallestNonzeroFloat64}}
	for _, id := range []string{"a", "é \"quoted\"\n\x01"} {
		if err := p.Write(&RougePair{ID: id}, scores); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("the file appeared before Commit")
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		var got struct {
			ID     string                        `json:"id"`
			Scores map[string]map[string]float64 `json:"scores"`
		}
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, l)
		}
		if want := []string{"a", "é \"quoted\"\n\x01"}[i]; got.ID != want || got.Scores["rougeL"]["precision"] != 1e-7 || got.Scores["rouge1"]["fmeasure"] != 2.0/3 {
			t.Errorf("line %d: %v", i+1, got.Scores)
		}
	}
	if !strings.Contains(lines[0], `"precision":1e-7`) || !strings.Contains(lines[0], `"fmeasure":5e-324`) {
		t.Errorf("numbers not as encoding/json writes them: %s", lines[0])
	}
}
