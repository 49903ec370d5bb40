package fhir_test

import (
	"context"
	"fmt"

	"github.com/osler-health/osler/internal/fhir"
)

// A CDS Hooks prefetch bundle read into typed resources: the patient's
// age, active conditions, and the text of a note.
func Example() {
	prefetch := []byte(`{
	  "resourceType": "Bundle", "type": "searchset",
	  "entry": [
	    {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1950-06-15",
	      "name": [{"given": ["Ada"], "family": "Example"}]}},
	    {"resource": {"resourceType": "Condition", "id": "c1",
	      "clinicalStatus": {"coding": [{"code": "active"}]},
	      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}]}}},
	    {"resource": {"resourceType": "Condition", "id": "c2",
	      "clinicalStatus": {"coding": [{"code": "resolved"}]}, "code": {"text": "Otitis media"}}},
	    {"resource": {"resourceType": "DocumentReference", "id": "d1", "date": "2024-03-01",
	      "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": "QlAgd2VsbCBjb250cm9sbGVkLg=="}}]}}
	  ]}`)
	bundle, err := fhir.ParseBundle(prefetch)
	if err != nil {
		fmt.Println(err)
		return
	}
	rs, err := bundle.Resources()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range fhir.All[*fhir.Patient](rs) {
		at, _ := fhir.ParseDate("2024-06-01")
		age, _ := p.Age(at)
		fmt.Printf("%s, %d\n", p.DisplayName(), age)
	}
	for _, c := range fhir.All[*fhir.Condition](rs) {
		if c.Active() {
			fmt.Println("active:", c.Code.Label())
		}
	}
	for _, d := range fhir.All[*fhir.DocumentReference](rs) {
		text, err := d.Content[0].Attachment.Text(context.Background(), nil, 0)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %s\n", d.When(), text)
	}
	// Output:
	// Ada Example, 73
	// active: Hypertension
	// 2024-03-01: BP well controlled.
}
