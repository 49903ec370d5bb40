package eval

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitClinicalSentences(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"No acute process.", []string{"No acute process."}},
		// Lines win over the splitter, as in rouge-score.
		{"Lungs clear. Heart normal.\nNo effusion.", []string{"Lungs clear. Heart normal.", "No effusion."}},
		// Cut at sentence starts: the spaces stay with the sentence before.
		{"Lungs clear. Heart normal.  No effusion.", []string{"Lungs clear. ", "Heart normal.  ", "No effusion."}},
		// Abbreviations do not end a sentence.
		{"Seen by Dr. Smith today. Stable.", []string{"Seen by Dr. Smith today. ", "Stable."}},
	} {
		got := SplitClinicalSentences(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("SplitClinicalSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Join(got, "") != strings.ReplaceAll(tt.in, "\n", "") {
			t.Errorf("SplitClinicalSentences(%q) lost characters: %q", tt.in, got)
		}
	}
}

// TestSplitClinicalSentencesRougeLsum checks the splitter changes
// rougeLsum on text without newlines, and only rougeLsum.
func TestSplitClinicalSentencesRougeLsum(t *testing.T) {
	ref := "Heart size normal. Lungs are clear."
	pred := "Lungs are clear. Heart size normal."
	plain, err := NewRougeScorer(RougeOptions{Types: []RougeType{RougeL, RougeLsum}})
	if err != nil {
		t.Fatal(err)
	}
	split, err := NewRougeScorer(RougeOptions{Types: []RougeType{RougeL, RougeLsum}, SplitSentences: SplitClinicalSentences})
	if err != nil {
		t.Fatal(err)
	}
	a, b := plain.Score(ref, pred), split.Score(ref, pred)
	if a[RougeL] != b[RougeL] {
		t.Errorf("rougeL changed with the splitter: %v vs %v", a[RougeL], b[RougeL])
	}
	if a[RougeLsum] != a[RougeL] || b[RougeLsum].FMeasure != 1 {
		t.Errorf("rougeLsum without splitting %v (want rougeL's %v), with splitting %v (want F 1)", a[RougeLsum], a[RougeL], b[RougeLsum])
	}
}
