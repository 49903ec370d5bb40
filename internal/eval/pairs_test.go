package eval

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/sharedtest"
)

func readPairs(in string) ([]RougePair, error) {
	r := NewPairReader(strings.NewReader(in), "pairs.jsonl")
	var out []RougePair
	for {
		p, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
}

func TestPairReader(t *testing.T) {
	in := "\xef\xbb\xbf" + `{"id": "a", "reference": "Lungs clear.", "prediction": "Clear lungs."}` + "\r\n" +
		"\n" +
		`{"id": 7, "target": "No effusion.", "prediction": ""}` + "\n" +
		`{"references": ["One.", "Two."], "prediction": "Two.", "source": "ignored"}` + "\n"
	got, err := readPairs(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []RougePair{
		{ID: "a", References: []string{"Lungs clear."}, Prediction: "Clear lungs.", Line: 1},
		{ID: "7", References: []string{"No effusion."}, Prediction: "", Line: 3},
		{ID: "4", References: []string{"One.", "Two."}, Prediction: "Two.", Line: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d pairs, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Prediction != want[i].Prediction || got[i].Line != want[i].Line || !slices.Equal(got[i].References, want[i].References) {
			t.Errorf("pair %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPairReaderErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		field    string
		sentinel error
	}{
		{"not json", `{"reference": "a", `, 1, "", dataset.ErrInvalidJSON},
		{"no prediction", `{"id": 1, "reference": "a"}`, 1, "prediction", dataset.ErrMissingField},
		{"null prediction", `{"reference": "a", "prediction": null}`, 1, "prediction", dataset.ErrMissingField},
		{"no reference", "\n" + `{"prediction": "a"}`, 2, "reference", dataset.ErrMissingField},
		{"number prediction", `{"reference": "a", "prediction": 3}`, 1, "prediction", dataset.ErrWrongType},
		{"array reference", `{"reference": ["a"], "prediction": "b"}`, 1, "reference", dataset.ErrWrongType},
		{"both names", `{"reference": "a", "target": "b", "prediction": "c"}`, 1, "reference", ErrAmbiguousField},
		{"empty references", `{"references": [], "prediction": "c"}`, 1, "references", dataset.ErrMissingField},
		{"bad references", `{"references": ["a", 2], "prediction": "c"}`, 1, "references", dataset.ErrWrongType},
		{"bad id", `{"id": {"x": 1}, "reference": "a", "prediction": "c"}`, 1, "id", dataset.ErrWrongType},
		{"invalid utf8", "{\"reference\": \"a\xff\", \"prediction\": \"c\"}", 1, "", dataset.ErrInvalidUTF8},
		{"duplicate id", `{"id": "x", "reference": "a", "prediction": "c"}` + "\n" + `{"id": "x", "reference": "a", "prediction": "c"}`, 2, "id", ErrDuplicateID},
	}
	for _, tt := range tests {
		_, err := readPairs(tt.in)
		var pe *dataset.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a ParseError", tt.name, err)
			continue
		}
		if pe.Line != tt.line || pe.Field != tt.field || !errors.Is(err, tt.sentinel) || pe.File != "pairs.jsonl" || pe.Hint == "" {
			t.Errorf("%s: got %q (line %d, field %q), want line %d, field %q, %v", tt.name, err, pe.Line, pe.Field, tt.line, tt.field, tt.sentinel)
		}
	}
	// Errors never quote the texts.
	_, err := readPairs(`{"id": "x", "reference": "SECRET PATIENT TEXT", "prediction": 5}`)
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %q leaks text", err)
	}
}

func TestTextPairReader(t *testing.T) {
	refs := "Lungs clear.\n\nNo effusion.\r\n"
	refs2 := "A\nB\nC"
	preds := "Clear.\nnothing\nEffusion absent.\n"
	r := NewTextPairReader(strings.NewReader(preds), "p.txt", []io.Reader{strings.NewReader(refs), strings.NewReader(refs2)}, []string{"r.txt", "r2.txt"})
	var got []RougePair
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if len(got) != 3 || got[1].ID != "2" || got[1].References[0] != "" || got[2].References[0] != "No effusion." || got[2].References[1] != "C" {
		t.Errorf("got %+v", got)
	}
	for _, tt := range []struct{ preds, refs, want string }{
		{"a\nb\n", "a\n", "p.txt has 2 lines but r.txt has 1"},
		{"a\n", "a\nb\nc\n", "r.txt has 3 lines but p.txt has 1"},
	} {
		r := NewTextPairReader(strings.NewReader(tt.preds), "p.txt", []io.Reader{strings.NewReader(tt.refs)}, []string{"r.txt"})
		var err error
		for err == nil {
			_, err = r.Next()
		}
		if err == io.EOF || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}

func FuzzPairReader(f *testing.F) {
	for _, s := range []string{
		`{"id": "a", "reference": "Lungs clear.", "prediction": "Clear lungs."}`,
		`{"id": 3, "target": "x", "prediction": ""}` + "\n\n" + `{"references": ["a", "b"], "prediction": "b"}`,
		`{"reference": "a", "prediction": null}`,
		"\xef\xbb\xbf{\"reference\": \"\\u00e9\\n\", \"prediction\": \"e\"}\r\n",
		`{"references": [], "prediction": "c"}`,
		"not json\n",
	} {
		f.Add([]byte(s))
	}
	scorer, err := NewRougeScorer(RougeOptions{Stemmer: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewPairReader(strings.NewReader(string(data)), "f.jsonl")
		lines := strings.Count(string(data), "\n") + 1
		for i := 0; ; i++ {
			p, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *dataset.ParseError
				if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > lines {
					t.Fatalf("error %v: want a ParseError with a line in 1..%d", err, lines)
				}
				return
			}
			if p.ID == "" || len(p.References) == 0 || p.Line < 1 || p.Line > lines {
				t.Fatalf("invalid pair %+v", p)
			}
			for _, s := range scorer.ScoreMulti(p.References, p.Prediction) {
				if s.FMeasure < 0 || s.FMeasure > 1 {
					t.Fatalf("score out of range: %+v", s)
				}
			}
			if i > len(data) {
				t.Fatal("more pairs than bytes")
			}
		}
	})
}

// checkFastPath decodes line with the fast path and, when it accepts the
// line, checks that encoding/json decodes it to the same pair.
func checkFastPath(t *testing.T, r *PairReader, line []byte) (accepted bool) {
	t.Helper()
	r.lr.line = 1
	var fast RougePair
	if !utf8.Valid(line) || bytes.IndexByte(line, '\n') >= 0 || !r.decodeFast(line, &fast) {
		return false
	}
	if fast.ID == "" {
		fast.ID = "1"
	}
	slow, err := r.decodeJSON(line)
	if err != nil {
		t.Fatalf("fast path accepted %q, encoding/json says %v", line, err)
	}
	if fast.ID != slow.ID || fast.Prediction != slow.Prediction || !slices.Equal(fast.References, slow.References) {
		t.Fatalf("%q: fast path %+v, encoding/json %+v", line, fast, slow)
	}
	return true
}

func TestPairReaderFastPath(t *testing.T) {
	for _, tt := range []struct {
		line   string
		accept bool
	}{
		{`{"id": "a", "reference": "Lungs clear.", "prediction": "Clear lungs."}`, true},
		{` { "target" : "x\ty" , "prediction":"" , "id" : -1.5e3 } `, true},
		{`{"prediction": "\u00e9\u00E9 \ud83d\ude00 \ud83d \ude00x \ud83d\u0041 \"q\" \\ \/ \b\f\n\r\t", "reference": "r"}`, true},
		{`{"id": null, "reference": "a", "prediction": "b", "extra": 3, "flag": true, "off": false, "none": null, "s": "t"}`, true},
		{`{"reference": "a", "prediction": "b", "reference": "c"}`, true},
		{`{"reference": "a", "prediction": "b", "target": null}`, true},
		{`{"id": "", "reference": "a", "prediction": "b"}`, true},
		// Declined: left to encoding/json, which accepts or reports them.
		{`{"ID": "a", "reference": "a", "prediction": "b"}`, false},
		{`{"Prediction": "a", "reference": "a"}`, false},
		{`{"id": "a", "references": ["a"], "prediction": "b"}`, false},
		{`{"reference": "a", "prediction": "b", "meta": {"x": 1}}`, false},
		{`{"reference": "a", "prediction": "b", "refereno\u0065": "c"}`, false},
		{`{"reference": "a", "prediction": "b", "ſ": "c"}`, false},
		{`{"reference": "a", "target": "b", "prediction": "c"}`, false},
		{`{"reference": "a", "prediction": null}`, false},
		{`{"reference": "a", "prediction": 3}`, false},
		{`{"id": true, "reference": "a", "prediction": "b"}`, false},
		{`{"id": 1e999, "reference": "a", "prediction": "b"}`, false},
		{`{"id": 01, "reference": "a", "prediction": "b"}`, false},
		{`{"reference": "a", "prediction": "b"} x`, false},
		{`{"reference": "a", "prediction": "b",}`, false},
		{`{"reference": "a\x", "prediction": "b"}`, false},
		{"{\"reference\": \"a\x01\", \"prediction\": \"b\"}", false},
		{`{}`, false},
		{`[]`, false},
	} {
		r := NewPairReader(strings.NewReader(""), "f.jsonl")
		if got := checkFastPath(t, r, []byte(tt.line)); got != tt.accept {
			t.Errorf("fast path accepts %s: %v, want %v", tt.line, got, tt.accept)
		}
	}
}

// TestPairReaderFastPathSharedFiles decodes every line of the shared JSONL
// files (fixtures and datasets) both ways.
func TestPairReaderFastPathSharedFiles(t *testing.T) {
	dir := sharedtest.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "fixtures", "rouge", "*.jsonl"))
	more, _ := filepath.Glob(filepath.Join(dir, "data", "*", "*.jsonl"))
	files = append(files, more...)
	accepted := 0
	r := NewPairReader(strings.NewReader(""), "f.jsonl")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if checkFastPath(t, r, bytes.TrimSuffix(line, []byte("\r"))) {
				accepted++
			}
		}
	}
	if accepted < 20000 {
		t.Errorf("the fast path accepted only %d lines of %d files", accepted, len(files))
	}
}

func FuzzPairLineFast(f *testing.F) {
	for _, s := range []string{
		`{"id": "a", "reference": "Lungs clear.", "prediction": "Clear lungs."}`,
		`{"id": -0.5E+2, "target": "\ud83d\ude00\ud800\u0041", "prediction": "\"\\\/\b\f\n\r\t", "x": [1]}`,
		`{"reference": "a", "prediction": "b", "reference": null, "target": "t", "n": null, "b": false}`,
		`{"Reference": "a", "prediction": "b"}`,
	} {
		f.Add([]byte(s))
	}
	r := NewPairReader(strings.NewReader(""), "f.jsonl")
	f.Fuzz(func(t *testing.T, line []byte) {
		checkFastPath(t, r, line)
	})
}
