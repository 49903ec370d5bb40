package coverage_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/osler-health/osler/internal/coverage"
)

func ExampleRules_EvaluateAt() {
	rules, err := coverage.Parse([]byte(`
version: 1
payer: {id: acme-health, name: Acme Health}
rules:
  - id: lumbar-mri
    codes: [{system: cpt, code: "72148"}]
    when: {age: {min: 18}}
    coverage: {covered: covered, pa_needed: auth-needed, reason: "Policy 12.3"}
`), "rules.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	order := coverage.Order{ID: "sr-1", ResourceType: "ServiceRequest",
		Codes: []coverage.Code{{System: "http://www.ama-assn.org/go/cpt", Code: "72148"}}}
	patient := coverage.Patient{Age: 52, AgeKnown: true}
	for _, d := range rules.EvaluateAt(order, patient, time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) {
		fmt.Println(d.Rule.ID, d.PANeeded, d.NeedsAction())
		b, _ := json.Marshal(d.Extension("Coverage/cov-1"))
		fmt.Println(string(b))
	}
	// Output:
	// lumbar-mri auth-needed true
	// {"url":"http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information","extension":[{"url":"coverage","valueReference":{"reference":"Coverage/cov-1"}},{"url":"covered","valueCode":"covered"},{"url":"pa-needed","valueCode":"auth-needed"},{"url":"reason","valueCodeableConcept":{"text":"Policy 12.3"}},{"url":"date","valueDate":"2026-04-02"},{"url":"coverage-assertion-id","valueString":"acme-health-lumbar-mri-4a320a94cee97c28"}]}
}
