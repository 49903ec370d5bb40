package synth

import (
	"strings"
	"testing"
)

// TestNursingSummaries checks the summary: symptom, diagnosis and actions
// as a short comma-separated line, with the side of a lateralized finding
// as the note charted it.
func TestNursingSummaries(t *testing.T) {
	ss := samples(t, Options{Kind: KindNursingNotes, Seed: 1}, varietyN)
	diagnoses := map[string]bool{}
	for _, s := range ss {
		sum, note := s.Record.Summary, s.Record.Text
		parts := strings.Split(strings.TrimSuffix(sum, "."), ", ")
		if !strings.HasSuffix(sum, ".") || len(parts) < 2 || len(sum) > 160 {
			t.Fatalf("%s: summary %q is not a short \"symptom, diagnosis, action.\" line", s.Record.ID, sum)
		}
		if c := sum[0]; c < 'A' || c > 'Z' {
			t.Fatalf("%s: summary %q does not start with a capital", s.Record.ID, sum)
		}
		diagnoses[parts[1]] = true
		for _, w := range strings.FieldsFunc(sum, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '.' }) {
			switch w {
			case "L", "R":
				if !containsWord(note, w) {
					t.Fatalf("%s: summary side %q not in the note\n%s\nSUMMARY: %s", s.Record.ID, w, note, sum)
				}
			case "Left", "left", "Right", "right":
				if !strings.Contains(strings.ToLower(note), strings.ToLower(w)) {
					t.Fatalf("%s: summary side %q not in the note\n%s\nSUMMARY: %s", s.Record.ID, w, note, sum)
				}
			}
		}
	}
	var want int
	for _, p := range nursingData().Presentations {
		want += len(p.Dxs)
	}
	if len(diagnoses) < want {
		t.Errorf("%d distinct diagnoses in summaries, want at least one per diagnosis (%d)", len(diagnoses), want)
	}
}

func containsWord(s, w string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		if f == w {
			return true
		}
	}
	return false
}

// TestNursingVocabulary checks that notes use the abbreviations, negations
// and de-identification placeholders real nursing notes have.
func TestNursingVocabulary(t *testing.T) {
	ss := samples(t, Options{Kind: KindNursingNotes, Seed: 1}, varietyN)
	var all strings.Builder
	for _, s := range ss {
		all.WriteString(s.Record.Text)
		all.WriteByte('\n')
	}
	corpus := all.String()
	for _, want := range []string{
		"Pt ", "c/o", "SOB", "NKDA", "q4h", "b.i.d.", "PRN", "w/ ", "s/p", "LOC", "Denies ", "No LOC",
		"XXXX", "___", "[**", "VS", "SpO2", "mg IV", "D/C home", "S: ", "D: ", "R: ",
	} {
		if !strings.Contains(corpus, want) {
			t.Errorf("no note contains %q", want)
		}
	}
	for _, p := range nursingData().Presentations {
		for _, d := range p.Dxs {
			if strings.Contains(d.Name[0], "<") {
				continue
			}
			if !strings.Contains(corpus, d.Name[0]) {
				t.Errorf("diagnosis %q never charted", d.Name[0])
			}
		}
	}
}
