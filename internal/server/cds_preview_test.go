package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdshooks"
)

// previewNote is the synthetic note of the preview bundle.
const previewNote = "Clinic note. Patient reports hives after taking aspirin last spring. Lungs are clear. Heart size is normal."

// previewPatientName is the synthetic patient's family name: errors must
// never quote it.
const previewPatientName = "Quillfeather"

// previewBundle is a small hand-written patient bundle: a Patient, an
// active allergy to aspirin and a plain-text note. withPatient false
// leaves the Patient out.
func previewBundle(withPatient bool) string {
	note := base64.StdEncoding.EncodeToString([]byte(previewNote))
	var entries []string
	if withPatient {
		entries = append(entries, `{"resource":{"resourceType":"Patient","id":"p1","name":[{"family":"`+previewPatientName+`","given":["Ada"]}],"gender":"female","birthDate":"1961-04-02"}}`)
	}
	entries = append(entries,
		`{"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
			"type":"allergy","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1191","display":"aspirin"}],"text":"aspirin"},
			"patient":{"reference":"Patient/p1"},"recordedDate":"2024-05-01","reaction":[{"manifestation":[{"text":"hives"}]}]}}`,
		`{"resource":{"resourceType":"DocumentReference","id":"d1","status":"current","type":{"text":"Clinic note"},"subject":{"reference":"Patient/p1"},
			"date":"2025-03-02T10:00:00Z","content":[{"attachment":{"contentType":"text/plain","data":"`+note+`"}}]}}`)
	return `{"resourceType":"Bundle","type":"collection","entry":[` + strings.Join(entries, ",") + `]}`
}

// previewAspirinOrder is a draft order for aspirin.
const previewAspirinOrder = `{"resourceType":"MedicationRequest","id":"draft-aspirin","status":"draft","intent":"order",
	"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"243670","display":"aspirin 81 MG Oral Tablet"}],"text":"aspirin 81 MG Oral Tablet"},
	"subject":{"reference":"Patient/p1"}}`

// TestCDSPreview: the UI's preview endpoint answers the hook's services
// from a bundle with an API key, and refuses bad requests with messages
// that never quote the patient's data.
func TestCDSPreview(t *testing.T) {
	e := newCDSEnv(t)
	_, compiler := loadOpenAPI(t)
	schema, err := compiler.Compile(openAPIURL + "#/components/schemas/CDSPreviewResponse")
	if err != nil {
		t.Fatal(err)
	}
	preview := func(key, body string) (int, []byte) {
		t.Helper()
		status, _, b := e.do("POST", "/v1/cds/preview", "application/json", key, body)
		return status, b
	}
	decode := func(b []byte) api.CDSPreviewResponse {
		t.Helper()
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("the answer does not match CDSPreviewResponse: %v\n%s", err, b)
		}
		var out api.CDSPreviewResponse
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Results {
			if r.Response != nil {
				if err := cdshooks.CheckResponse(r.Response); err != nil {
					t.Errorf("%s: %v", r.Service.ID, err)
				}
			}
		}
		return out
	}

	t.Run("order-select drafting aspirin", func(t *testing.T) {
		status, b := preview(e.predictKey, `{"hook":"order-select","bundle":`+previewBundle(true)+`,"orders":[`+previewAspirinOrder+`]}`)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, b)
		}
		out := decode(b)
		ids := map[string]*api.CDSPreviewResult{}
		for i, r := range out.Results {
			if r.Service.Hook != api.HookOrderSelect {
				t.Errorf("result for %s %s, want only order-select services", r.Service.ID, r.Service.Hook)
			}
			ids[r.Service.ID] = &out.Results[i]
		}
		if len(ids) != 2 || ids[cdshooks.ServiceADEAlert] == nil || ids[cdshooks.ServiceCRD] == nil {
			t.Fatalf("services called: %v", ids)
		}
		ade := ids[cdshooks.ServiceADEAlert]
		if ade.Error != nil || ade.Response == nil || len(ade.Response.Cards) != 1 {
			t.Fatalf("ADE alert: %s", b)
		}
		card := ade.Response.Cards[0]
		if card.Indicator != api.IndicatorWarning || !strings.Contains(card.Summary, "aspirin") || !strings.Contains(card.Summary, "allergy") {
			t.Errorf("ADE card %q (%s), want a warning about the aspirin allergy", card.Summary, card.Indicator)
		}
		if len(card.Suggestions) != 1 || !strings.HasPrefix(card.Suggestions[0].Label, "Remove the draft order") {
			t.Errorf("ADE card suggestions %+v", card.Suggestions)
		}
	})

	t.Run("one service by id", func(t *testing.T) {
		status, b := preview(e.predictKey, `{"hook":"order-sign","service":"osler-ade-alert","bundle":`+previewBundle(true)+`,"orders":[`+previewAspirinOrder+`]}`)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, b)
		}
		if out := decode(b); len(out.Results) != 1 || out.Results[0].Service.ID != cdshooks.ServiceADEAlert || out.Results[0].Service.Hook != api.HookOrderSign {
			t.Errorf("results %s", b)
		}
	})

	t.Run("patient-view", func(t *testing.T) {
		status, b := preview(e.predictKey, `{"hook":"patient-view","bundle":`+previewBundle(true)+`}`)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, b)
		}
		out := decode(b)
		if len(out.Results) != 1 || out.Results[0].Service.ID != cdshooks.ServiceNoteSummary {
			t.Fatalf("results %s", b)
		}
		r := out.Results[0].Response
		if r == nil || len(r.Cards) != 1 || r.Cards[0].Indicator != api.IndicatorInfo || !strings.HasPrefix(r.Cards[0].Summary, "Summary of 1 recent note") {
			t.Errorf("note summary: %s", b)
		}
	})

	cases := []struct {
		name, key, body string
		status          int
		want            string
	}{
		{"no key", "", `{"hook":"patient-view","bundle":` + previewBundle(true) + `}`, http.StatusUnauthorized, ""},
		{"bad hook", e.predictKey, `{"hook":"order-dispatch","bundle":` + previewBundle(true) + `}`, http.StatusBadRequest,
			`\"hook\" must be patient-view, order-select or order-sign`},
		{"no hook", e.predictKey, `{"bundle":` + previewBundle(true) + `}`, http.StatusBadRequest, `\"hook\" is required`},
		{"no Patient", e.predictKey, `{"hook":"patient-view","bundle":` + previewBundle(false) + `}`, http.StatusBadRequest,
			"bundle: the bundle holds no Patient resource"},
		{"not a bundle", e.predictKey, `{"hook":"patient-view","bundle":{"resourceType":"Patient","id":"p1","name":[{"family":"` + previewPatientName + `"}]}}`,
			http.StatusBadRequest, "want Bundle, got Patient"},
		{"no bundle", e.predictKey, `{"hook":"patient-view"}`, http.StatusBadRequest, `\"bundle\" is required`},
		{"no orders", e.predictKey, `{"hook":"order-select","bundle":` + previewBundle(true) + `}`, http.StatusBadRequest,
			`\"orders\" is required for order-select`},
		{"order without id", e.predictKey, `{"hook":"order-sign","bundle":` + previewBundle(true) + `,"orders":[{"resourceType":"MedicationRequest","status":"draft","intent":"order","medicationCodeableConcept":{"text":"aspirin"}}]}`,
			http.StatusBadRequest, "order 1 (MedicationRequest) has no id"},
		{"unknown service", e.predictKey, `{"hook":"patient-view","service":"osler-nope","bundle":` + previewBundle(true) + `}`, http.StatusBadRequest,
			`no CDS service \"osler-nope\"`},
		{"service of another hook", e.predictKey, `{"hook":"patient-view","service":"osler-crd","bundle":` + previewBundle(true) + `}`, http.StatusBadRequest,
			"the service osler-crd does not answer patient-view"},
		{"unknown field", e.predictKey, `{"hook":"patient-view","patient":"` + previewPatientName + `","bundle":` + previewBundle(true) + `}`, http.StatusBadRequest,
			`unknown field \"patient\"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, b := preview(tc.key, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("answer %s, want it to say %s", b, tc.want)
			}
			for _, phi := range []string{previewPatientName, "hives", "aspirin"} {
				if bytes.Contains(b, []byte(phi)) {
					t.Errorf("the error quotes the patient's data (%q): %s", phi, b)
				}
			}
		})
	}
	if logs := e.logs.String(); strings.Contains(logs, previewPatientName) || strings.Contains(logs, "hives") {
		t.Error("the logs hold the patient's data")
	}
}
