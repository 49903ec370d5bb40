package cdshooks

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/fhir"
	"github.com/osler-health/osler/internal/summarize"
)

func TestDiscoveryListsTheThreeServices(t *testing.T) {
	h := newTestHandler(t, Config{})
	d := h.Discovery()
	got := map[string][]string{}
	for _, s := range d.Services {
		if s.Description == "" || s.ID == "" || s.Hook == "" {
			t.Errorf("service %+v lacks a required field", s)
		}
		got[s.ID] = append(got[s.ID], s.Hook)
		for key, tmpl := range s.Prefetch {
			if !strings.Contains(tmpl, "{{context.patientId}}") {
				t.Errorf("%s prefetch %s = %q does not use the patient token", s.ID, key, tmpl)
			}
		}
	}
	want := map[string][]string{
		ServiceNoteSummary: {api.HookPatientView},
		ServiceADEAlert:    {api.HookOrderSelect, api.HookOrderSign},
		ServiceCRD:         {api.HookOrderSelect, api.HookOrderSign},
	}
	for id, hooks := range want {
		if strings.Join(got[id], ",") != strings.Join(hooks, ",") {
			t.Errorf("%s hooks = %v, want %v", id, got[id], hooks)
		}
	}
	// Without a rules file osler-crd has nothing to say and is not offered.
	noRules, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range noRules.Discovery().Services {
		if s.ID == ServiceCRD {
			t.Error("osler-crd offered without a rules file")
		}
	}
}

// TestPatientViewEverySyntheaPatient calls osler-note-summary for each
// Synthea patient: a valid response with one info card summarizing the
// newest notes (every patient has notes).
func TestPatientViewEverySyntheaPatient(t *testing.T) {
	h := newTestHandler(t, Config{})
	for _, path := range syntheaBundles(t) {
		src := bundleSource(t, path)
		t.Run(src.PatientID()[:8], func(t *testing.T) {
			resp := mustCall(t, h, ServiceNoteSummary, api.HookPatientView, src, RequestOptions{})
			if len(resp.Cards) != 1 {
				t.Fatalf("%d cards, want 1:\n%s", len(resp.Cards), describe(resp))
			}
			c := resp.Cards[0]
			if c.Indicator != api.IndicatorInfo || !strings.HasPrefix(c.Summary, "Summary of ") || c.Detail == "" {
				t.Errorf("card = %+v", c)
			}
			if strings.Count(c.Detail, "**") < 2 {
				t.Errorf("detail names no note:\n%s", c.Detail)
			}
		})
	}
}

func TestPatientViewWithoutNotesSaysNothing(t *testing.T) {
	h := newTestHandler(t, Config{})
	src := syntheaSource(t, aspirinPatient)
	req, err := NewRequest(serviceDef(t, h, ServiceNoteSummary, api.HookPatientView), src, RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	req.Prefetch["notes"] = json.RawMessage(`{"resourceType":"Bundle","type":"searchset","entry":[]}`)
	req.Prefetch["reports"] = json.RawMessage(`null`)
	body, _ := json.Marshal(req)
	resp, err := h.Call(context.Background(), ServiceNoteSummary, body)
	if err != nil {
		t.Fatal(err)
	}
	checkSpec(t, resp)
	if len(resp.Cards) != 0 {
		t.Errorf("cards for a patient without notes: %s", describe(resp))
	}
}

// fakeSummarizer answers every note with a fixed summary.
type fakeSummarizer struct{ summary string }

func (f fakeSummarizer) Summarize(_ context.Context, _ summarize.Document) (summarize.Result, error) {
	return summarize.Result{Summary: f.summary}, nil
}

type fakeModels struct {
	sum summarize.Summarizer
	ade *ADEModel
}

func (f fakeModels) Summarizer() (summarize.Summarizer, ModelInfo, bool) {
	return f.sum, ModelInfo{Name: "fake-summarizer", Version: 2}, f.sum != nil
}

func (f fakeModels) ADE() (ADEModel, bool) {
	if f.ade == nil {
		return ADEModel{}, false
	}
	return *f.ade, true
}

// TestUnfaithfulSummaryNeverReachesTheCard: a summary stating a finding
// the note never made (the faithfulness check flags it) is replaced by
// the note's own sentences, and the card says so.
func TestUnfaithfulSummaryNeverReachesTheCard(t *testing.T) {
	const claim = "Large right pneumothorax with mediastinal shift."
	h := newTestHandler(t, Config{Models: fakeModels{sum: fakeSummarizer{claim}}})
	resp := mustCall(t, h, ServiceNoteSummary, api.HookPatientView, syntheaSource(t, aspirinPatient), RequestOptions{})
	if len(resp.Cards) != 1 {
		t.Fatalf("%d cards", len(resp.Cards))
	}
	c := resp.Cards[0]
	if strings.Contains(strings.ToLower(c.Detail), "pneumothorax") {
		t.Errorf("the flagged claim reached the card:\n%s", c.Detail)
	}
	if !strings.Contains(c.Detail, "withheld") || !strings.Contains(c.Summary, "quoted, not summarized") {
		t.Errorf("the card does not say the model's summary was withheld:\n%s\n%s", c.Summary, c.Detail)
	}
	if !strings.Contains(c.Source.Label, "fake-summarizer v2") {
		t.Errorf("source label %q does not name the model", c.Source.Label)
	}

	// A faithful summary is shown as the model wrote it.
	const ok = "No complaints."
	h = newTestHandler(t, Config{Models: fakeModels{sum: fakeSummarizer{ok}}})
	resp = mustCall(t, h, ServiceNoteSummary, api.HookPatientView, syntheaSource(t, aspirinPatient), RequestOptions{})
	if d := resp.Cards[0].Detail; !strings.Contains(d, "No complaints.") || strings.Contains(d, "withheld") {
		t.Errorf("faithful summary not shown as written:\n%s", d)
	}
}

// TestADEAlertRecordedAllergy: drafting a drug the patient has a
// recorded reaction to (or a drug of its class) gives a warning card
// citing the allergy and its date, a suggestion to remove the order and
// override reasons; an unrelated drug gives none.
func TestADEAlertRecordedAllergy(t *testing.T) {
	h := newTestHandler(t, Config{})
	cases := []struct {
		name, patient, rxnorm, display string
		want                           []string // in the summary; nil: no card
	}{
		{"same drug", aspirinPatient, "243670", "aspirin 81 MG Oral Tablet", []string{"Aspirin", "1996-12-27"}},
		{"same class", aspirinPatient, "197806", "Ibuprofen 600 MG Oral Tablet", []string{"Aspirin", "1996-12-27", "NSAIDs"}},
		{"sulfonamide combination", sulfaPatient, "198335", "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet", []string{"Sulfamethoxazole"}},
		{"unrelated drug", aspirinPatient, "314076", "lisinopril 10 MG Oral Tablet", nil},
		{"no allergies recorded", "fb7c882a-f897-e7c5-67e0-825e7fd55d15", "243670", "aspirin 81 MG Oral Tablet", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := syntheaSource(t, tc.patient)
			order := medOrder("draft-1", tc.patient, tc.rxnorm, tc.display, "")
			for _, hook := range []string{api.HookOrderSelect, api.HookOrderSign} {
				resp := mustCall(t, h, ServiceADEAlert, hook, src, RequestOptions{Orders: []json.RawMessage{order}})
				if tc.want == nil {
					if len(resp.Cards) != 0 {
						t.Errorf("%s: unexpected cards:\n%s", hook, describe(resp))
					}
					continue
				}
				if len(resp.Cards) != 1 {
					t.Fatalf("%s: %d cards, want 1:\n%s", hook, len(resp.Cards), describe(resp))
				}
				c := resp.Cards[0]
				for _, w := range tc.want {
					if !strings.Contains(c.Summary+c.Detail, w) {
						t.Errorf("%s: card lacks %q: %q\n%s", hook, w, c.Summary, c.Detail)
					}
				}
				if c.Indicator != api.IndicatorWarning {
					t.Errorf("indicator %q, want warning", c.Indicator)
				}
				if len(c.Suggestions) != 1 || len(c.Suggestions[0].Actions) != 1 {
					t.Fatalf("suggestions = %+v", c.Suggestions)
				}
				if a := c.Suggestions[0].Actions[0]; a.Type != api.ActionDelete || a.ResourceID != "MedicationRequest/draft-1" {
					t.Errorf("suggested action = %+v", a)
				}
				if len(c.OverrideReasons) == 0 {
					t.Error("no override reasons")
				}
			}
		})
	}
}

// TestOrderSelectOnlySelections: order-select concerns the newly
// selected orders only; order-sign every draft.
func TestOrderSelectOnlySelections(t *testing.T) {
	h := newTestHandler(t, Config{})
	src := syntheaSource(t, aspirinPatient)
	orders := []json.RawMessage{
		medOrder("a", aspirinPatient, "243670", "aspirin 81 MG Oral Tablet", ""),
		medOrder("b", aspirinPatient, "314076", "lisinopril 10 MG Oral Tablet", ""),
	}
	resp := mustCall(t, h, ServiceADEAlert, api.HookOrderSelect, src, RequestOptions{Orders: orders, Selections: []string{"MedicationRequest/b"}})
	if len(resp.Cards) != 0 {
		t.Errorf("order-select warned about an order that was not selected:\n%s", describe(resp))
	}
	resp = mustCall(t, h, ServiceADEAlert, api.HookOrderSign, src, RequestOptions{Orders: orders})
	if len(resp.Cards) != 1 {
		t.Errorf("order-sign: %d cards, want 1 (the aspirin draft)", len(resp.Cards))
	}
}

// TestCRD: a drafted code a rule names gets the coverage-information
// extension as a systemAction update of the order (and a card when the
// payer needs something); a code no rule names gets nothing.
func TestCRD(t *testing.T) {
	h := newTestHandler(t, Config{})
	src := syntheaSource(t, aspirinPatient) // 30-year-old man, no diabetes
	const cov = "Coverage/acme-1"
	cases := []struct {
		name, rxnorm, display string
		wantAction            bool
		wantPA                string
		wantCard              bool
	}{
		{"PA needed", "2398842", "3 ML semaglutide 1.34 MG/ML Pen Injector [Ozempic]", true, "auth-needed", true},
		{"covered, nothing to do", "314076", "lisinopril 10 MG Oral Tablet", true, "no-auth", false},
		{"named by no rule", "243670", "aspirin 81 MG Oral Tablet", false, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			order := medOrder("draft-7", aspirinPatient, tc.rxnorm, tc.display, cov)
			resp := mustCall(t, h, ServiceCRD, api.HookOrderSelect, src, RequestOptions{Orders: []json.RawMessage{order}})
			if !tc.wantAction {
				if len(resp.SystemActions)+len(resp.Cards) != 0 {
					t.Fatalf("an order no rule names was flagged:\n%s", describe(resp))
				}
				return
			}
			if len(resp.SystemActions) != 1 {
				t.Fatalf("%d system actions, want 1:\n%s", len(resp.SystemActions), describe(resp))
			}
			a := resp.SystemActions[0]
			if a.Type != api.ActionUpdate {
				t.Errorf("action type %q, want update", a.Type)
			}
			var res struct {
				ResourceType, ID string
				Insurance        []map[string]string
				Extension        []struct {
					URL       string
					Extension []map[string]any
				}
			}
			if err := json.Unmarshal(a.Resource, &res); err != nil {
				t.Fatal(err)
			}
			if res.ResourceType != "MedicationRequest" || res.ID != "draft-7" || len(res.Insurance) != 1 {
				t.Errorf("the updated order lost its fields: %s", a.Resource)
			}
			var pa, covRef string
			for _, e := range res.Extension {
				if e.URL != coverage.ExtensionURL {
					continue
				}
				for _, sub := range e.Extension {
					switch sub["url"] {
					case "pa-needed":
						pa, _ = sub["valueCode"].(string)
					case "coverage":
						covRef, _ = sub["valueReference"].(map[string]any)["reference"].(string)
					}
				}
			}
			if pa != tc.wantPA || covRef != cov {
				t.Errorf("extension pa-needed %q coverage %q, want %q %q:\n%s", pa, covRef, tc.wantPA, cov, a.Resource)
			}
			if (len(resp.Cards) == 1) != tc.wantCard {
				t.Errorf("%d cards, want card %v:\n%s", len(resp.Cards), tc.wantCard, describe(resp))
			}
		})
	}
}

// TestCRDWithoutCoverage: with no Coverage to assert against, the order
// is not updated, and a requirement still shows on a card.
func TestCRDWithoutCoverage(t *testing.T) {
	h := newTestHandler(t, Config{})
	src := syntheaSource(t, aspirinPatient)
	order := medOrder("d", aspirinPatient, "2398842", "Ozempic pen", "")
	resp := mustCall(t, h, ServiceCRD, api.HookOrderSign, src, RequestOptions{Orders: []json.RawMessage{order}})
	if len(resp.SystemActions) != 0 || len(resp.Cards) != 1 || !strings.Contains(resp.Cards[0].Detail, "no active Coverage") {
		t.Errorf("response:\n%s", describe(resp))
	}
}

func TestBundleSourceQueries(t *testing.T) {
	src := syntheaSource(t, sulfaPatient)
	data, err := src.Query("DocumentReference?patient=" + sulfaPatient + "&_sort=-date&_count=3")
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Type  string
		Entry []struct {
			Resource struct{ Date string }
		}
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	if b.Type != "searchset" || len(b.Entry) != 3 || b.Entry[0].Resource.Date < b.Entry[1].Resource.Date || b.Entry[1].Resource.Date < b.Entry[2].Resource.Date {
		t.Errorf("newest three notes, newest first: got %+v", b)
	}
	// Synthea marks every note but the newest superseded.
	data, err = src.Query("DocumentReference?subject=Patient/" + sulfaPatient + "&status=current")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fhir.ParseBundle(data); err != nil || len(b.Entry) != 1 {
		t.Errorf("status=current: %v, %d notes, want 1", err, len(b.Entry))
	}
	if _, err := src.Query("Patient/" + sulfaPatient); err != nil {
		t.Error(err)
	}
	if _, err := src.Query("Patient/nobody"); err != errNotFound {
		t.Errorf("a missing resource: %v", err)
	}
	if _, err := src.Query("Condition?patient=x&code:text=asthma"); err == nil || !strings.Contains(err.Error(), "code:text") {
		t.Errorf("an unsupported parameter must be an error, got %v", err)
	}
	if _, err := NewBundleSource(mustBundle(t, `{"resourceType":"Bundle","type":"collection","entry":[]}`)); err == nil {
		t.Error("a bundle without a Patient was accepted")
	}
}

func TestRenderTokens(t *testing.T) {
	values := tokens("PractitionerRole/r1", "p 1", "")
	got, err := Render("Condition?patient={{context.patientId}}&role={{ userPractitionerRoleId }}", values)
	if err != nil || got != "Condition?patient=p+1&role=r1" {
		t.Errorf("Render = %q, %v", got, err)
	}
	if _, err := Render("Encounter/{{context.encounterId}}", values); err == nil {
		t.Error("a token without a value rendered")
	}
}

func TestExampleRulesExist(t *testing.T) {
	if _, err := coverage.Load(filepath.Join("..", "..", "docs", "examples", "crd-rules.yaml")); err != nil {
		t.Fatal(err)
	}
}
