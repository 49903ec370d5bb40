package dataset

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// TestSyntheticProvenanceRoundTrip writes records with and without
// provenance as JSONL and reads them back: the "synthetic" object survives,
// rows without it are written exactly as before.
func TestSyntheticProvenanceRoundTrip(t *testing.T) {
	prov := &Provenance{Backend: "openai", Model: "m", PromptSHA256: strings.Repeat("ab", 32), Seed: 7, Shots: []string{"t1", "t2"}}
	recs := []Record{
		{ID: "1", Text: "real note", Labels: []string{"a"}},
		{ID: "synth-a-1", Text: "made-up note", Labels: []string{"a"}, Synthetic: prov},
	}
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf, KindClassification)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	if want := `{"id":"1","text":"real note","labels":["a"]}`; first != want {
		t.Errorf("a real row is written as %s, want %s", first, want)
	}
	for _, ignore := range []bool{false, true} {
		rd := NewJSONLReader(bytes.NewReader(buf.Bytes()), "f.jsonl", Options{IgnoreLabels: ignore})
		var got []*Provenance
		for {
			rec, err := rd.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rec.Synthetic)
		}
		if len(got) != 2 || got[0] != nil || !reflect.DeepEqual(got[1], prov) {
			t.Errorf("IgnoreLabels=%v: read provenance %+v, want [nil %+v]", ignore, got, prov)
		}
	}
}

func TestSyntheticWrongShape(t *testing.T) {
	rd := NewJSONLReader(strings.NewReader(`{"text":"x","labels":["a"],"synthetic":"yes"}`+"\n"), "f.jsonl", Options{})
	_, err := rd.Read()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Field != "synthetic" || !errors.Is(err, ErrWrongType) {
		t.Fatalf("err = %v, want a wrong-type error on field synthetic", err)
	}
}

func TestValidateCountsSynthetic(t *testing.T) {
	content := rows("a", 60, 0) + rows("b", 59, 100) +
		`{"id":"synth-b-1","text":"a generated note about b","labels":["b"],"synthetic":{"backend":"openai","model":"m","prompt_sha256":"00","seed":1,"shots":["x"]}}` + "\n"
	f := validateString(t, "f.jsonl", content, ValidateOptions{}, Options{})
	if f.Rows != 120 || f.Synthetic != 1 {
		t.Fatalf("rows %d synthetic %d, want 120 and 1", f.Rows, f.Synthetic)
	}
	var b bytes.Buffer
	if err := (&Report{Files: []*FileReport{f}}).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "120 rows (1 synthetic)") {
		t.Errorf("report does not count the synthetic row:\n%s", b.String())
	}
}
