package coverage

import (
	"os"
	"testing"
)

// FuzzParse: Parse never panics, in either format, and a file it accepts
// evaluates and builds extensions without panicking.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"example-rules.yaml", "testdata/bad-fields.yaml", "testdata/bad-fields.json", "testdata/bad-syntax.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, name[len(name)-4:] == "json")
	}
	f.Add([]byte(rules), false)
	f.Add([]byte("a: &a [*a]\nb: *a"), false)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		name := "f.yaml"
		if isJSON {
			name = "f.json"
		}
		r, err := Parse(data, name)
		if err != nil {
			return
		}
		for _, rule := range r.Rules {
			o := Order{ID: "x", ResourceType: "ServiceRequest", Codes: rule.Codes}
			for _, d := range r.EvaluateAt(o, Patient{}, day) {
				if _, err := AddExtension([]byte(`{"resourceType":"ServiceRequest"}`), d.Extension("Coverage/c")); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
