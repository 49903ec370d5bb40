package eval

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
)

func readPreds(t *testing.T, in string) ([]ClassPrediction, error) {
	t.Helper()
	r := NewClassPredictionReader(strings.NewReader(in), "preds.jsonl")
	var out []ClassPrediction
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

func TestClassPredictionShapes(t *testing.T) {
	none := []string{}
	tests := []struct {
		in      string
		id      string
		doc     int
		want    map[string]float64
		decided []string // nil: the line records no decision
	}{
		{`{"id": "n1", "scores": {"cardiology": 0.91, "neurology": 5e-2}}`, "n1", -1, map[string]float64{"cardiology": 0.91, "neurology": 0.05}, nil},
		{`{"id": 4, "labels": ["a", "b"]}`, "4", -1, map[string]float64{"a": 1, "b": 1}, []string{"a", "b"}},
		{`{"id": "x", "labels": []}`, "x", -1, map[string]float64{}, none},
		{`{"id": "x", "label": "a"}`, "x", -1, map[string]float64{"a": 1}, []string{"a"}},
		// osler predict's own shape: the decided labels beside every score.
		{`{"id": "p", "labels": ["a"], "scores": {"a": 0.7, "b": 0.2}}`, "p", -1, map[string]float64{"a": 0.7, "b": 0.2}, []string{"a"}},
		{`{"id": "p", "labels": [], "scores": {"a": 0.7, "b": 0.2}}`, "p", -1, map[string]float64{"a": 0.7, "b": 0.2}, none},
		{`{"File": "in.txt", "Line": "3", "Labels": [{"Name": "toxic", "Score": 0.93}, {"Name": "clean", "Score": 0.02}]}`, "", 3, map[string]float64{"toxic": 0.93, "clean": 0.02}, nil},
		{`{"File": "in.txt", "Line": 0, "Classes": [{"Name": "cardiology", "Score": 0.88}]}`, "", 0, map[string]float64{"cardiology": 0.88}, nil},
		// osler predict --format comprehend: the service's shape and the decisions.
		{`{"File": "in.txt", "Line": "1", "Labels": [{"Name": "a", "Score": 0.4}, {"Name": "b", "Score": 0.3}], "Predicted": ["a", "b"]}`, "", 1, map[string]float64{"a": 0.4, "b": 0.3}, []string{"a", "b"}},
		{`{"File": "in.txt", "Line": "1", "Labels": [{"Name": "a", "Score": 0.4}], "Predicted": []}`, "", 1, map[string]float64{"a": 0.4}, none},
	}
	for _, tt := range tests {
		got, err := readPreds(t, tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if len(got) != 1 || got[0].ID != tt.id || got[0].Doc != tt.doc || !maps.Equal(got[0].Scores, tt.want) {
			t.Errorf("%s: got %+v", tt.in, got)
		}
		if (got[0].Decided == nil) != (tt.decided == nil) || !slices.Equal(got[0].Decided, tt.decided) {
			t.Errorf("%s: decided %#v, want %#v", tt.in, got[0].Decided, tt.decided)
		}
	}
}

func TestClassPredictionErrors(t *testing.T) {
	tests := []struct {
		name, in, field string
		sentinel        error
	}{
		{"nothing", `{"id": "a"}`, "scores", dataset.ErrMissingField},
		{"two shapes", `{"id": "a", "scores": {"x": 1}, "label": "x"}`, "scores", ErrAmbiguousField},
		{"string score", `{"scores": {"x": "high"}}`, "scores", dataset.ErrWrongType},
		{"scores array", `{"scores": [0.1]}`, "scores", dataset.ErrWrongType},
		{"no Score", `{"Classes": [{"Name": "a"}]}`, "Classes", dataset.ErrMissingField},
		{"bad Line", `{"Line": "x", "Classes": [{"Name": "a", "Score": 1}]}`, "Line", dataset.ErrWrongType},
		{"service error", `{"File": "f", "Line": "2", "ErrorCode": "INTERNAL_SERVER_ERROR", "ErrorMessage": "boom"}`, "ErrorCode", ErrPredictionFailed},
		{"two files", `{"File": "a", "Line": "0", "Classes": [{"Name": "x", "Score": 1}]}` + "\n" + `{"File": "b", "Line": "0", "Classes": [{"Name": "x", "Score": 1}]}`, "File", ErrAmbiguousField},
		{"Predicted alone", `{"id": "a", "Predicted": ["x"]}`, "Predicted", ErrAmbiguousField},
		{"Predicted with scores", `{"id": "a", "scores": {"x": 1}, "Predicted": ["x"]}`, "Predicted", ErrAmbiguousField},
		{"Predicted not a list", `{"Line": "0", "Classes": [{"Name": "x", "Score": 1}], "Predicted": "x"}`, "Predicted", dataset.ErrWrongType},
		{"Predicted unscored", `{"Line": "0", "Classes": [{"Name": "x", "Score": 1}], "Predicted": ["y"]}`, "Predicted", ErrUnknownLabel},
	}
	for _, tt := range tests {
		_, err := readPreds(t, tt.in)
		var pe *dataset.ParseError
		if !errors.As(err, &pe) || pe.Field != tt.field || !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: got %v, want field %q and %v", tt.name, err, tt.field, tt.sentinel)
		}
	}
}

func TestMatchPredictions(t *testing.T) {
	gold := []dataset.Record{
		{ID: "a", Labels: []string{"x"}, Line: 1},
		{ID: "b", Labels: []string{"y"}, Line: 2},
	}
	byID := []ClassPrediction{{ID: "b", Line: 1, Doc: -1, Scores: map[string]float64{"y": 0.9}}, {ID: "a", Line: 2, Doc: -1, Scores: map[string]float64{"x": 0.8}}}
	exs, err := MatchPredictions(gold, byID, "gold.jsonl", "preds.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if exs[0].ID != "a" || exs[0].Scores["x"] != 0.8 || exs[1].Scores["y"] != 0.9 {
		t.Errorf("by id: %+v", exs)
	}
	byDoc := []ClassPrediction{{Line: 1, Doc: 1, Scores: map[string]float64{"y": 0.7}}, {Line: 2, Doc: 0, Scores: map[string]float64{"x": 0.6}}}
	if exs, err = MatchPredictions(gold, byDoc, "g", "p"); err != nil || exs[0].Scores["x"] != 0.6 || exs[1].Scores["y"] != 0.7 {
		t.Errorf("by document: %+v, %v", exs, err)
	}
	byOrder := []ClassPrediction{{Line: 1, Doc: -1, Scores: map[string]float64{"x": 1}}, {Line: 2, Doc: -1, Scores: map[string]float64{"y": 1}}}
	if exs, err = MatchPredictions(gold, byOrder, "g", "p"); err != nil || exs[1].Scores["y"] != 1 {
		t.Errorf("by order: %+v, %v", exs, err)
	}
	for _, tt := range []struct {
		name  string
		preds []ClassPrediction
		want  string
	}{
		{"unknown id", []ClassPrediction{{ID: "zz", Line: 4, Doc: -1}}, `id "zz" is not in g`},
		{"duplicate id", []ClassPrediction{{ID: "a", Line: 1, Doc: -1}, {ID: "a", Line: 2, Doc: -1}}, `already given`},
		{"missing", []ClassPrediction{{ID: "a", Line: 1, Doc: -1}}, `no prediction for 1 of the 2 records of g (ids "b")`},
		{"count", byOrder[:1], "p has 1 predictions but g has 2 records"},
		{"doc range", []ClassPrediction{{Line: 3, Doc: 9}}, `no record of g starts on line 10 ("Line" 9 counts from 0)`},
		{"mixed", []ClassPrediction{{ID: "a", Line: 1, Doc: -1}, {Line: 2, Doc: -1}}, "1 predictions have an id and 1 do not"},
	} {
		_, err := MatchPredictions(gold, tt.preds, "g", "p")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestMatchByLineNumber checks the id convention: a record without an id
// is known by its line number, 1-based as an id (what osler predict
// writes) and 0-based as the service's "Line".
func TestMatchByLineNumber(t *testing.T) {
	// A CSV with a header: its records start on line 2; the second spans
	// two lines (a quoted newline), so the third starts on line 5.
	gold := []dataset.Record{
		{Labels: []string{"x"}, Line: 2},
		{Labels: []string{"y"}, Line: 3},
		{ID: "n9", Labels: []string{"y"}, Line: 5},
	}
	byID := []ClassPrediction{
		{ID: "5", Line: 1, Doc: -1, Scores: map[string]float64{"y": 0.3}},
		{ID: "2", Line: 2, Doc: -1, Scores: map[string]float64{"x": 0.2}, Decided: []string{}},
		{ID: "3", Line: 3, Doc: -1, Scores: map[string]float64{"y": 0.9}, Decided: []string{"y"}},
	}
	// Gold records with an id keep it: "5" is not a line number there.
	if _, err := MatchPredictions(gold, byID, "g.csv", "p"); err == nil || !strings.Contains(err.Error(), `id "5" is not in g.csv (records without an id are known by their line number`) {
		t.Errorf("id of a record that has one: %v", err)
	}
	byID[0].ID = "n9"
	exs, err := MatchPredictions(gold, byID, "g.csv", "p")
	if err != nil {
		t.Fatal(err)
	}
	if exs[0].ID != "2" || exs[0].Scores["x"] != 0.2 || exs[0].Predicted == nil || len(exs[0].Predicted) != 0 ||
		exs[1].ID != "3" || exs[1].Predicted[0] != "y" || exs[2].Scores["y"] != 0.3 || exs[2].Predicted != nil {
		t.Errorf("by line-number id: %+v", exs)
	}
	byLine := []ClassPrediction{{Line: 1, Doc: 4, Scores: map[string]float64{"y": 0.1}}, {Line: 2, Doc: 1, Scores: map[string]float64{"x": 0.6}}, {Line: 3, Doc: 2, Scores: map[string]float64{"y": 0.7}}}
	if exs, err = MatchPredictions(gold, byLine, "g", "p"); err != nil || exs[0].Scores["x"] != 0.6 || exs[1].Scores["y"] != 0.7 || exs[2].Scores["y"] != 0.1 {
		t.Errorf("by line: %+v, %v", exs, err)
	}
	// Line 3 (0-based) is inside the second record, not the start of one.
	byLine[0].Doc = 3
	if _, err := MatchPredictions(gold, byLine, "g", "p"); err == nil || !strings.Contains(err.Error(), "no record of g starts on line 4") {
		t.Errorf("a line inside a record: %v", err)
	}
	// Two records known by the same id: a line number that is also an id.
	dup := []dataset.Record{{ID: "3", Line: 1}, {Line: 3}}
	if _, err := MatchPredictions(dup, []ClassPrediction{{ID: "3", Doc: -1}}, "g", "p"); err == nil || !strings.Contains(err.Error(), "known by its line number") {
		t.Errorf("id clash: %v", err)
	}
}

func TestThresholdsRoundTrip(t *testing.T) {
	th := map[string]float64{"pneumonia": 0.42, "effusion": 0.3}
	var buf bytes.Buffer
	if err := WriteThresholds(&buf, th); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"thresholds\": {\n    \"effusion\": 0.3,\n    \"pneumonia\": 0.42\n  }\n}\n"; buf.String() != want {
		t.Errorf("written:\n%s\nwant:\n%s", buf.String(), want)
	}
	for _, in := range []string{buf.String(), `{"pneumonia": 0.42, "effusion": 0.3}`} {
		got, err := ReadThresholds(strings.NewReader(in), "t.json")
		if err != nil || !maps.Equal(got, th) {
			t.Errorf("read %q: %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{`[0.5]`, `{"a": "x"}`, `{}`, `{"thresholds": 3}`, `{"a": 0.5`} {
		if _, err := ReadThresholds(strings.NewReader(bad), "t.json"); err == nil || !strings.Contains(err.Error(), "t.json") {
			t.Errorf("read %q: got %v, want an error naming the file", bad, err)
		}
	}
}

func TestReferenceSetPairs(t *testing.T) {
	refs := `{"id": "a", "reference": "Lungs clear."}` + "\n" + `{"id": "b", "summary": "No effusion."}` + "\n" + `{"id": "c", "references": ["x", "y"]}` + "\n"
	rs, err := ReadReferenceSet(strings.NewReader(refs), "refs.jsonl", false)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Positional || rs.Len() != 3 {
		t.Fatalf("reference set %+v", rs)
	}
	preds := `{"id": "c", "prediction": "y"}` + "\n" + `{"id": "a", "summary": "Clear lungs."}` + "\n" + `{"id": "b", "prediction": "No effusion."}` + "\n"
	src := rs.Pairs(NewTextPredictionReader(strings.NewReader(preds), "preds.jsonl", false))
	var ids []string
	for {
		p, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
		if p.ID == "c" && (len(p.References) != 2 || p.Prediction != "y") {
			t.Errorf("pair c = %+v", p)
		}
	}
	if strings.Join(ids, ",") != "c,a,b" {
		t.Errorf("ids %v", ids)
	}
	for _, tt := range []struct{ preds, want string }{
		{`{"id": "a", "prediction": "x"}`, `no prediction for 2 of the 3 references in refs.jsonl (ids "b", "c")`},
		{`{"id": "q", "prediction": "x"}`, `id "q" is not in refs.jsonl`},
		{`{"prediction": "x"}`, `needs the id of its reference`},
		{`{"id": "a", "prediction": "x"}` + "\n" + `{"id": "a", "prediction": "x"}`, `already given`},
	} {
		src := rs.Pairs(NewTextPredictionReader(strings.NewReader(tt.preds), "preds.jsonl", false))
		var err error
		for err == nil {
			_, err = src.Next()
		}
		if err == io.EOF || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
	// Plain text: matched by line.
	rs, err = ReadReferenceSet(strings.NewReader("r1\nr2\n"), "refs.txt", true)
	if err != nil || !rs.Positional {
		t.Fatalf("%+v %v", rs, err)
	}
	src = rs.Pairs(NewTextPredictionReader(strings.NewReader("p1\np2\np3\n"), "p.txt", true))
	var err2 error
	for err2 == nil {
		_, err2 = src.Next()
	}
	if !strings.Contains(err2.Error(), "more predictions than refs.txt has references (2)") {
		t.Errorf("got %v", err2)
	}
	if _, err := ReadReferenceSet(strings.NewReader(`{"id": "a", "reference": "x"}`+"\n"+`{"reference": "y"}`), "r.jsonl", false); err == nil || !strings.Contains(err.Error(), "1 lines have an id and 1 do not") {
		t.Errorf("mixed ids: %v", err)
	}
	if _, err := ReadReferenceSet(strings.NewReader(""), "r.jsonl", false); err == nil {
		t.Error("empty reference file: want an error")
	}
}

func TestReorder(t *testing.T) {
	r := syntheticResult(3)
	o, err := r.Reorder([]string{"2", "0", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if o.IDs[0] != "2" || o.Example(0)[0] != r.Example(2)[0] {
		t.Errorf("reordered %+v", o.IDs)
	}
	if _, err := r.Reorder([]string{"2", "0", "9"}); err == nil {
		t.Error("unknown id: want an error")
	}
}

func FuzzClassPredictionReader(f *testing.F) {
	for _, s := range []string{
		`{"id": "n1", "scores": {"cardiology": 0.91, "neurology": 0.05}}`,
		`{"id": 4, "labels": ["a", "b"]}` + "\n\n" + `{"id": "x", "label": "a"}`,
		`{"File": "in.txt", "Line": "3", "Labels": [{"Name": "toxic", "Score": 0.93}]}`,
		`{"File": "in.txt", "Line": 0, "Classes": [{"Name": "c", "Score": 0.88}]}`,
		`{"File": "f", "Line": "2", "ErrorCode": "X"}`,
		`{"scores": {"x": "high"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewClassPredictionReader(bytes.NewReader(data), "p.jsonl")
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for {
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
			if p.Line < 1 || p.Line > lines || p.Doc < -1 || p.Scores == nil {
				t.Fatalf("invalid prediction %+v", p)
			}
			for _, v := range p.Scores {
				if v != v {
					t.Fatalf("NaN score in %+v", p)
				}
			}
		}
	})
}

func FuzzReadThresholds(f *testing.F) {
	for _, s := range []string{`{"thresholds": {"a": 0.3}}`, `{"a": 0.5, "b": -1.5e3}`, `{}`, `[1]`, `{"thresholds": null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := ReadThresholds(bytes.NewReader(data), "t.json")
		if err != nil {
			return
		}
		// What was read writes and reads back the same.
		var buf bytes.Buffer
		if err := WriteThresholds(&buf, th); err != nil {
			t.Fatal(err)
		}
		back, err := ReadThresholds(&buf, "t.json")
		if err != nil || !maps.Equal(back, th) {
			t.Fatalf("round trip: %v, %v vs %v", err, back, th)
		}
	})
}

func FuzzReferenceSet(f *testing.F) {
	f.Add([]byte(`{"id": "a", "reference": "x"}`+"\n"+`{"id": "b", "summary": "y"}`), []byte(`{"id": "b", "prediction": "y"}`+"\n"+`{"id": "a", "summary": "x"}`), false)
	f.Add([]byte("r1\nr2\n"), []byte("p1\np2\n"), true)
	f.Add([]byte(`{"references": ["a", "b"]}`), []byte(`{"prediction": "a"}`), false)
	f.Fuzz(func(t *testing.T, refs, preds []byte, plain bool) {
		rs, err := ReadReferenceSet(bytes.NewReader(refs), "refs", plain)
		if err != nil {
			return
		}
		if rs.Len() == 0 || len(rs.Refs) != rs.Len() {
			t.Fatalf("reference set of %d ids and %d entries", rs.Len(), len(rs.Refs))
		}
		src := rs.Pairs(NewTextPredictionReader(bytes.NewReader(preds), "preds", plain))
		seen := map[string]bool{}
		for {
			p, err := src.Next()
			if err != nil {
				if err == io.EOF && len(seen) != rs.Len() {
					t.Fatalf("EOF after %d of %d references", len(seen), rs.Len())
				}
				return
			}
			if seen[p.ID] || len(p.References) == 0 {
				t.Fatalf("pair %+v repeated or without references", p)
			}
			seen[p.ID] = true
		}
	})
}
