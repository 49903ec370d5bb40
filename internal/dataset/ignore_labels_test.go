package dataset

import (
	"errors"
	"strings"
	"testing"
)

// TestIgnoreLabels: with Options.IgnoreLabels a record's labels may hold
// anything and are not returned (issue 10: predict refused records whose
// labels, which it ignores, had the wrong type); the other fields are
// still checked.
func TestIgnoreLabels(t *testing.T) {
	in := `{"id":"1","text":"rash after warfarin","labels":[1,2]}
{"id":"2","text":"stable","label":{"code":7}}
{"id":3,"text":"fine","labels":["a"]}
{"id":"4","text":5,"labels":[1]}
`
	r := NewJSONLReader(strings.NewReader(in), "in.jsonl", Options{IgnoreLabels: true})
	for _, want := range []string{"rash after warfarin", "stable", "fine"} {
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Text != want || rec.Labels != nil {
			t.Fatalf("%+v, want text %q and no labels", rec, want)
		}
	}
	_, err := r.Read()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Field != "text" || pe.Line != 4 {
		t.Fatalf("a wrong-typed text with ignored labels: %v", err)
	}
	// Without the option the same labels are errors.
	r = NewJSONLReader(strings.NewReader(in), "in.jsonl", Options{})
	if _, err := r.Read(); !errors.As(err, &pe) || pe.Field != "labels" {
		t.Fatalf("labels of numbers, not ignored: %v", err)
	}
}
