package dataset

import (
	"errors"
	"strings"
	"testing"
)

// TestJSONLShapeErrors: a line of valid JSON with a value of the wrong
// kind is reported under the field that holds it, in JSON's terms (issue
// 10: {"id":[1]} was reported under "labels", and a line that is not an
// object leaked "Go value of type dataset.jsonlRecord"); values are never
// quoted.
func TestJSONLShapeErrors(t *testing.T) {
	for _, tc := range []struct {
		line, field, want string
	}{
		{`{"id":[1],"text":"a b","labels":["x"]}`, "id", "must be a string or a number, not an array"},
		{`{"id":{"a":1},"text":"a","labels":["x"]}`, "id", "must be a string or a number, not an object"},
		{`{"ID":true,"text":"a"}`, "id", "not true or false"},
		{`{"id":"2","text":"a b","labels":[1]}`, "labels", "must be an array of strings (or one string), not an array holding a number"},
		{`{"id":"2","text":"a b","label":{"x":1}}`, "label", "not an object"},
		{`{"id":"3","text":5,"labels":["x"]}`, "text", "must be a string, not a number"},
		{`{"id":"3","source":["SECRET"],"summary":"s"}`, "source", "must be a string, not an array"},
		{`{"id":"3","source":"s","summary":false}`, "summary", "not true or false"},
		{`{"id":"3","text":"t","split":1}`, "split", "must be a string, not a number"},
		{`[1,2]`, "", "the line is an array, not an object"},
		{`"SECRET text"`, "", "the line is a string, not an object"},
		{`7`, "", "the line is a number, not an object"},
	} {
		r := NewJSONLReader(strings.NewReader(tc.line+"\n"), "f.jsonl", Options{})
		_, err := r.Read()
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrWrongType) {
			t.Errorf("%s: err %v, want a wrong-type ParseError", tc.line, err)
			continue
		}
		msg := err.Error()
		if pe.Field != tc.field || pe.Line != 1 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: field %q, %q; want field %q and %q", tc.line, pe.Field, msg, tc.field, tc.want)
		}
		for _, leak := range []string{"Go ", "jsonlRecord", "dataset.", "flex", "SECRET"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: the message %q contains %q", tc.line, msg, leak)
			}
		}
	}
}
