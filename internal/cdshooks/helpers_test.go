package cdshooks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/fhir"
	"github.com/osler-health/osler/internal/sharedtest"
)

// The Synthea patients the tests use (../shared/data/synthea_fhir).
const (
	aspirinPatient = "cbc86e51-9eca-3855-76ec-c058f72c5761" // recorded Aspirin allergy, 1996-12-27
	sulfaPatient   = "a5cb8ce9-cec6-6b23-0990-cbaf753578a4" // recorded Sulfamethoxazole / Trimethoprim allergy
)

// exampleRules loads the payer rules shipped in docs/examples.
func exampleRules(t testing.TB) *coverage.Rules {
	t.Helper()
	r, err := coverage.Load(filepath.Join("..", "..", "docs", "examples", "crd-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixedNow is the clock of the tests: coverage decisions carry its date.
var fixedNow = func() time.Time { return time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) }

func newTestHandler(t testing.TB, cfg Config) *Handler {
	t.Helper()
	if cfg.Rules == nil {
		cfg.Rules = exampleRules(t)
	}
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// syntheaBundles returns the paths of the Synthea patient bundles.
func syntheaBundles(t testing.TB) []string {
	t.Helper()
	dir := sharedtest.Path(t, "data", "synthea_fhir")
	paths, err := filepath.Glob(filepath.Join(dir, "patient-*.json"))
	if err != nil || len(paths) == 0 {
		sharedtest.Missing(t, "no patient-*.json bundles in %s", dir)
	}
	return paths
}

// syntheaSource reads one Synthea patient's bundle.
func syntheaSource(t testing.TB, patientID string) *BundleSource {
	t.Helper()
	return bundleSource(t, filepath.Join(sharedtest.Path(t, "data", "synthea_fhir"), "patient-"+patientID+".json"))
}

func bundleSource(t testing.TB, path string) *BundleSource {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fhir.ParseBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewBundleSource(b)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// serviceDef returns the discovery entry of a service for a hook.
func serviceDef(t testing.TB, h *Handler, id, hook string) api.CDSService {
	t.Helper()
	for _, s := range h.Discovery().Services {
		if s.ID == id && s.Hook == hook {
			return s
		}
	}
	t.Fatalf("discovery has no %s for %s", id, hook)
	return api.CDSService{}
}

// medOrder is a draft MedicationRequest for patientID; insurance names a
// Coverage when not empty.
func medOrder(id, patientID, rxnorm, display, insurance string) json.RawMessage {
	o := map[string]any{
		"resourceType": "MedicationRequest", "id": id, "status": "draft", "intent": "order",
		"medicationCodeableConcept": map[string]any{
			"coding": []any{map[string]any{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": rxnorm, "display": display}},
			"text":   display,
		},
		"subject":         map[string]any{"reference": "Patient/" + patientID},
		"authoredOn":      "2026-12-03",
		"dispenseRequest": map[string]any{"quantity": map[string]any{"value": 30, "unit": "tablet"}},
	}
	if insurance != "" {
		o["insurance"] = []any{map[string]any{"reference": insurance}}
	}
	b, _ := json.Marshal(o)
	return b
}

// call builds the request for a service from a bundle and answers it.
func call(t testing.TB, h *Handler, id, hook string, src *BundleSource, opts RequestOptions) (*api.CDSResponse, error) {
	t.Helper()
	req, err := NewRequest(serviceDef(t, h, id, hook), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return h.Call(context.Background(), id, body)
}

// mustCall is call that fails the test on an error or a response outside
// the specification.
func mustCall(t testing.TB, h *Handler, id, hook string, src *BundleSource, opts RequestOptions) *api.CDSResponse {
	t.Helper()
	resp, err := call(t, h, id, hook, src, opts)
	if err != nil {
		t.Fatalf("%s %s: %v", id, hook, err)
	}
	checkSpec(t, resp)
	return resp
}

// checkSpec fails the test when a response breaks the specification.
func checkSpec(t testing.TB, resp *api.CDSResponse) {
	t.Helper()
	// Through JSON, as the EHR sees it.
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var back api.CDSResponse
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := CheckResponse(&back); err != nil {
		t.Fatalf("response outside the specification:\n%v\n%s", err, b)
	}
	if !strings.Contains(string(b), `"cards":[`) {
		t.Fatalf("response has no cards array: %s", b)
	}
}

func statusOfErr(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return 0
}

func describe(resp *api.CDSResponse) string {
	b, _ := json.MarshalIndent(resp, "", "  ")
	return fmt.Sprintf("%s", b)
}

func mustBundle(t testing.TB, s string) *fhir.Bundle {
	t.Helper()
	b, err := fhir.ParseBundle([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
