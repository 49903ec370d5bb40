package eval

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONErrTextHasNoGoTypes: encoding/json's type errors are described
// in JSON's terms, never with Go type names.
func TestJSONErrTextHasNoGoTypes(t *testing.T) {
	var v struct {
		ID     json.RawMessage `json:"id"`
		Scores map[string]float64
		N      int `json:"n"`
	}
	for in, want := range map[string]string{
		`[1]`:                  "found an array where an object was expected",
		`"x"`:                  "found a string where an object was expected",
		`{"n":"x"}`:            `field "n" holds a string where a number was expected`,
		`{"Scores":{"a":"x"}}`: `holds a string where a number was expected`,
		`{"Scores":[1]}`:       `field "Scores" holds an array where an object was expected`,
	} {
		err := json.Unmarshal([]byte(in), &v)
		got := jsonErrText(err)
		if !strings.Contains(got, want) || strings.Contains(got, "Go ") || strings.Contains(got, "struct") || strings.Contains(got, "RawMessage") {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
