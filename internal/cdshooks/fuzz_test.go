package cdshooks

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzCall: whatever an EHR (or an attacker past authentication) sends,
// a service answers a response within the specification or an *Error
// with a 4xx status; it never panics or fails with a server error.
func FuzzCall(f *testing.F) {
	h, err := New(Config{Rules: exampleRules(f), Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	order := medOrder("m1", "p1", "243670", "aspirin 81 MG Oral Tablet", "Coverage/c1")
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"}},` +
		`{"resource":{"resourceType":"AllergyIntolerance","id":"a1","code":{"text":"Aspirin"},"patient":{"reference":"Patient/p1"}}}]}`
	src, err := NewBundleSource(mustBundle(f, bundle))
	if err != nil {
		f.Fatal(err)
	}
	for _, svc := range h.Discovery().Services {
		req, err := NewRequest(svc, src, RequestOptions{Orders: []json.RawMessage{order}, HookInstance: "4e0a3a1e-3283-4575-ab82-028d55fe2719"})
		if err != nil {
			f.Fatal(err)
		}
		b, _ := json.Marshal(req)
		f.Add(svc.ID, b)
	}
	f.Add(ServiceADEAlert, []byte(`{"hook":"order-select","hookInstance":"4e0a3a1e-3283-4575-ab82-028d55fe2719","context":{"userId":"Practitioner/1","patientId":"p1","selections":["MedicationRequest/m1"],"draftOrders":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MedicationRequest","id":"m1"}}]}},"prefetch":{"allergies":null,"notes":null}}`))
	f.Add(ServiceNoteSummary, []byte(`{"hook":"patient-view","hookInstance":"4e0a3a1e-3283-4575-ab82-028d55fe2719","context":{"userId":"Patient/p1","patientId":"p1"},"prefetch":{"patient":{"resourceType":"Patient","id":"p1"},"notes":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"DocumentReference","id":"d","subject":{"reference":"Patient/p1"},"content":[{"attachment":{"data":"SGk="}}]}}]}}}`))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		resp, err := h.Call(context.Background(), id, body)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Status < 400 || ce.Status >= 500 {
				t.Fatalf("error %v (%T), want an *Error with a 4xx status", err, err)
			}
			return
		}
		if err := CheckResponse(resp); err != nil {
			t.Fatalf("response outside the specification: %v", err)
		}
	})
}
