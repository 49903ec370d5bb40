package fhir

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzParse checks that Parse never panics, that what it accepts marshals
// and parses again to the same type and id, and that a bundle's
// resources and attachments are read without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Patient","id":"p","birthDate":"2000-01-01","name":[{"given":["A"]}]}`,
		`{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]}}`,
		`{"resourceType":"MedicationRequest","contained":[{"resourceType":"Medication","id":"m"}],"medicationReference":{"reference":"#m"}}`,
		`{"resourceType":"DocumentReference","content":[{"attachment":{"contentType":"text/html","data":"PGI+aGk8L2I+"}}]}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Coverage","class":[{"value":"x"}]}},{"resource":null}]}`,
		`{"resourceType":"Observation","valueQuantity":{"value":1}}`,
		`{"resourceType":"AllergyIntolerance","reaction":[{"manifestation":[{}]}]}`,
		`[]`, `{"resourceType":1}`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T, want *ParseError", err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		if again.Type() != r.Type() || again.GetID() != r.GetID() {
			t.Fatalf("re-parse: %s/%s, want %s/%s", again.Type(), again.GetID(), r.Type(), r.GetID())
		}
		switch v := r.(type) {
		case *Bundle:
			rs, _ := v.Resources()
			for _, m := range All[*MedicationRequest](rs) {
				m.Medication(rs)
			}
		case *DocumentReference:
			for _, c := range v.Content {
				c.Attachment.Text(context.Background(), nil, 1<<20)
			}
			v.When()
		case *Patient:
			v.DisplayName()
		}
	})
}
