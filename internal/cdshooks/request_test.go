package cdshooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/osler-health/osler/api"
)

// baseRequest is a valid order-select request for the ADE service,
// prefetch included, as a generic map the cases break.
func baseRequest(t *testing.T, h *Handler) map[string]any {
	t.Helper()
	src := syntheaSource(t, aspirinPatient)
	req, err := NewRequest(serviceDef(t, h, ServiceADEAlert, api.HookOrderSelect), src, RequestOptions{
		Orders: []json.RawMessage{medOrder("m1", aspirinPatient, "243670", "aspirin 81 MG Oral Tablet", "")}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(req)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRequestValidation(t *testing.T) {
	h := newTestHandler(t, Config{})
	ctxOf := func(m map[string]any) map[string]any { return m["context"].(map[string]any) }
	cases := []struct {
		name    string
		service string
		edit    func(m map[string]any)
		raw     string
		status  int
		msg     string
	}{
		{"valid", ServiceADEAlert, func(m map[string]any) {}, "", 200, ""},
		{"unknown service", "nope", func(m map[string]any) {}, "", 404, "no CDS service"},
		{"not JSON", ServiceADEAlert, nil, "{", 400, "request body"},
		{"trailing data", ServiceADEAlert, nil, `{"hook":"order-select"} {}`, 400, "after the JSON object"},
		{"missing hook", ServiceADEAlert, func(m map[string]any) { delete(m, "hook") }, "", 400, `"hook" is required`},
		{"hook the service does not answer", ServiceADEAlert, func(m map[string]any) { m["hook"] = "patient-view" }, "", 400, "answers order-select and order-sign"},
		{"hookInstance not a UUID", ServiceADEAlert, func(m map[string]any) { m["hookInstance"] = "1" }, "", 400, "hookInstance"},
		{"hookInstance wrong type", ServiceADEAlert, func(m map[string]any) { m["hookInstance"] = 7 }, "", 400, `"hookInstance" must be a string`},
		{"context missing", ServiceADEAlert, func(m map[string]any) { delete(m, "context") }, "", 400, `"context" is required`},
		{"userId missing", ServiceADEAlert, func(m map[string]any) { delete(ctxOf(m), "userId") }, "", 400, "context.userId is required"},
		{"userId a Patient on order-select", ServiceADEAlert, func(m map[string]any) { ctxOf(m)["userId"] = "Patient/1" }, "", 400, "Practitioner/, PractitionerRole/<id>"},
		{"patientId missing", ServiceADEAlert, func(m map[string]any) { delete(ctxOf(m), "patientId") }, "", 400, "context.patientId"},
		{"draftOrders missing", ServiceADEAlert, func(m map[string]any) { delete(ctxOf(m), "draftOrders") }, "", 400, "context.draftOrders is required"},
		{"selections missing", ServiceADEAlert, func(m map[string]any) { delete(ctxOf(m), "selections") }, "", 400, "context.selections is required"},
		{"selection not a draft", ServiceADEAlert, func(m map[string]any) { ctxOf(m)["selections"] = []string{"MedicationRequest/zzz"} }, "", 400, "selections[0] names no resource"},
		{"draftOrders not a bundle", ServiceADEAlert, func(m map[string]any) { ctxOf(m)["draftOrders"] = map[string]any{"resourceType": "Patient", "id": "x"} }, "", 400, "context.draftOrders"},
		{"fhirAuthorization without fhirServer", ServiceADEAlert, func(m map[string]any) {
			m["fhirAuthorization"] = map[string]any{"access_token": "t", "token_type": "Bearer", "expires_in": 300, "scope": "user/*.read", "subject": "osler"}
		}, "", 400, `needs "fhirServer"`},
		{"fhirServer not a URL", ServiceADEAlert, func(m map[string]any) { m["fhirServer"] = "ehr" }, "", 400, "fhirServer"},
		{"prefetch not a resource", ServiceADEAlert, func(m map[string]any) { m["prefetch"].(map[string]any)["allergies"] = []int{1} }, "", 400, "prefetch.allergies"},
		{"required prefetch missing, no fhirServer", ServiceADEAlert, func(m map[string]any) { delete(m["prefetch"].(map[string]any), "allergies") }, "", 412, `prefetch "allergies" was not sent`},
		{"prefetch null means no data", ServiceADEAlert, func(m map[string]any) { m["prefetch"].(map[string]any)["allergies"] = nil }, "", 200, ""},
		{"OperationOutcome prefetch, no fhirServer", ServiceADEAlert, func(m map[string]any) {
			m["prefetch"].(map[string]any)["allergies"] = map[string]any{"resourceType": "OperationOutcome", "issue": []any{}}
		}, "", 412, `prefetch "allergies"`},
		{"plain-http fhirServer off loopback", ServiceADEAlert, func(m map[string]any) {
			delete(m["prefetch"].(map[string]any), "allergies")
			m["fhirServer"] = "http://ehr.example/fhir"
		}, "", 412, "plain http"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.raw)
			if tc.edit != nil {
				m := baseRequest(t, h)
				tc.edit(m)
				body, _ = json.Marshal(m)
			}
			resp, err := h.Call(context.Background(), tc.service, body)
			if tc.status == 200 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				checkSpec(t, resp)
				return
			}
			if statusOfErr(err) != tc.status || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v (status %d), want %d with %q", err, statusOfErr(err), tc.status, tc.msg)
			}
			if strings.Contains(err.Error(), "Aspirin") || strings.Contains(err.Error(), aspirinPatient) {
				t.Errorf("the error quotes patient data: %v", err)
			}
		})
	}
}

// fhirServer serves a bundle as a FHIR server on 127.0.0.1 that wants
// the access token, counting the reads.
func fhirServer(t *testing.T, src *BundleSource, token string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var reads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reads.Add(1)
		http.StripPrefix("/fhir", src).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &reads
}

// TestPrefetchFallsBackToTheFHIRServer: without prefetch, each service
// reads the data from fhirServer with the lent token and answers as it
// would have with prefetch; a wrong token or a server that is down is a
// 412 with a clear message, never a 5xx.
func TestPrefetchFallsBackToTheFHIRServer(t *testing.T) {
	h := newTestHandler(t, Config{})
	src := syntheaSource(t, aspirinPatient)
	srv, reads := fhirServer(t, src, "secret-token")
	order := medOrder("m1", aspirinPatient, "197806", "Ibuprofen 600 MG Oral Tablet", "Coverage/c1")
	for _, tc := range []struct{ id, hook string }{
		{ServiceNoteSummary, api.HookPatientView},
		{ServiceADEAlert, api.HookOrderSelect},
		{ServiceCRD, api.HookOrderSign},
	} {
		opts := RequestOptions{Orders: []json.RawMessage{order}}
		with := mustCall(t, h, tc.id, tc.hook, src, opts)
		opts.NoPrefetch, opts.FHIRServer, opts.AccessToken = true, srv.URL+"/fhir", "secret-token"
		before := reads.Load()
		without := mustCall(t, h, tc.id, tc.hook, src, opts)
		if reads.Load() == before {
			t.Errorf("%s: no read of the FHIR server", tc.id)
		}
		if len(with.Cards) != len(without.Cards) || len(with.SystemActions) != len(without.SystemActions) {
			t.Errorf("%s: with prefetch %d cards %d actions, from the FHIR server %d cards %d actions",
				tc.id, len(with.Cards), len(with.SystemActions), len(without.Cards), len(without.SystemActions))
		}
		for i := range with.Cards {
			if with.Cards[i].Summary != without.Cards[i].Summary {
				t.Errorf("%s: card %d %q vs %q", tc.id, i, with.Cards[i].Summary, without.Cards[i].Summary)
			}
		}

		opts.AccessToken = "wrong"
		_, err := call(t, h, tc.id, tc.hook, src, opts)
		if statusOfErr(err) != http.StatusPreconditionFailed || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s with a refused token: %v", tc.id, err)
		}
	}
	srv.Close()
	_, err := call(t, h, ServiceADEAlert, api.HookOrderSelect, src, RequestOptions{Orders: []json.RawMessage{order},
		NoPrefetch: true, FHIRServer: srv.URL + "/fhir", AccessToken: "secret-token"})
	if statusOfErr(err) != http.StatusPreconditionFailed || !strings.Contains(err.Error(), "could not be reached") {
		t.Errorf("FHIR server down: %v", err)
	}
}

// TestOtherPatientsDataIsDropped: resources of another patient in the
// prefetch never reach this patient's cards.
func TestOtherPatientsDataIsDropped(t *testing.T) {
	h := newTestHandler(t, Config{})
	other := syntheaSource(t, aspirinPatient)
	me := syntheaSource(t, "fb7c882a-f897-e7c5-67e0-825e7fd55d15")
	order := medOrder("m1", me.PatientID(), "243670", "aspirin 81 MG Oral Tablet", "")
	req, err := NewRequest(serviceDef(t, h, ServiceADEAlert, api.HookOrderSelect), me, RequestOptions{Orders: []json.RawMessage{order}})
	if err != nil {
		t.Fatal(err)
	}
	// The other patient's aspirin allergy, sent by mistake.
	req.Prefetch["allergies"], err = other.Query("AllergyIntolerance?patient=" + aspirinPatient)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(req)
	resp, err := h.Call(context.Background(), ServiceADEAlert, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Cards) != 0 {
		t.Errorf("another patient's allergy produced a card:\n%s", describe(resp))
	}
}

type memFeedback struct{ items []api.Feedback }

func (m *memFeedback) RecordFeedback(_ context.Context, client, service string, items []api.Feedback) (int, error) {
	m.items = append(m.items, items...)
	return len(items), nil
}

func TestFeedbackValidation(t *testing.T) {
	store := &memFeedback{}
	h := newTestHandler(t, Config{Feedback: store})
	const card, sugg = "4e0a3a1e-3283-4575-ab82-028d55fe2719", "e56e1945-20b3-4393-8503-a1a20fd73152"
	cases := []struct {
		name, body string
		status     int
	}{
		{"accepted", `{"feedback":[{"card":"` + card + `","outcome":"accepted","acceptedSuggestions":[{"id":"` + sugg + `"}],"outcomeTimestamp":"2021-12-11T10:05:31Z"}]}`, 200},
		{"overridden with reason", `{"feedback":[{"card":"` + card + `","outcome":"overridden","overrideReason":{"reason":{"code":"not-allergy","system":"` + OverrideSystem + `"},"userComment":"x"},"outcomeTimestamp":"2020-12-11T00:00:00Z"}]}`, 200},
		{"overridden without reason", `{"feedback":[{"card":"` + card + `","outcome":"overridden","outcomeTimestamp":"2020-12-11T00:00:00.52Z"}]}`, 200},
		{"empty", `{"feedback":[]}`, 400},
		{"card not a uuid", `{"feedback":[{"card":"x","outcome":"overridden","outcomeTimestamp":"2020-12-11T00:00:00Z"}]}`, 400},
		{"accepted without suggestions", `{"feedback":[{"card":"` + card + `","outcome":"accepted","outcomeTimestamp":"2020-12-11T00:00:00Z"}]}`, 400},
		{"unknown outcome", `{"feedback":[{"card":"` + card + `","outcome":"ignored","outcomeTimestamp":"2020-12-11T00:00:00Z"}]}`, 400},
		{"bad timestamp", `{"feedback":[{"card":"` + card + `","outcome":"overridden","outcomeTimestamp":"yesterday"}]}`, 400},
		{"overridden with suggestions", `{"feedback":[{"card":"` + card + `","outcome":"overridden","acceptedSuggestions":[{"id":"` + sugg + `"}],"outcomeTimestamp":"2020-12-11T00:00:00Z"}]}`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(store.items)
			_, err := h.Feedback(context.Background(), ServiceADEAlert, "https://ehr.example", []byte(tc.body))
			switch {
			case tc.status == 200 && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.status == 200 && len(store.items) != n+1:
				t.Fatalf("not stored")
			case tc.status != 200 && statusOfErr(err) != tc.status:
				t.Fatalf("got %v, want status %d", err, tc.status)
			case tc.status != 200 && len(store.items) != n:
				t.Fatalf("a refused request stored feedback")
			}
		})
	}
	if _, err := h.Feedback(context.Background(), "nope", "x", []byte(cases[0].body)); statusOfErr(err) != 404 {
		t.Errorf("unknown service: %v", err)
	}
}

func TestCheckResponseCatchesViolations(t *testing.T) {
	good := api.Card{Summary: "ok", Indicator: "info", Source: api.Source{Label: "Osler"}}
	cases := []struct {
		name string
		edit func(r *api.CDSResponse)
		want string
	}{
		{"no cards array", func(r *api.CDSResponse) { r.Cards = nil }, `"cards" is required`},
		{"summary too long", func(r *api.CDSResponse) { r.Cards[0].Summary = strings.Repeat("x", 140) }, "fewer than 140"},
		{"bad indicator", func(r *api.CDSResponse) { r.Cards[0].Indicator = "hard-stop" }, "indicator"},
		{"no source label", func(r *api.CDSResponse) { r.Cards[0].Source.Label = "" }, "source.label"},
		{"suggestions without selectionBehavior", func(r *api.CDSResponse) {
			r.Cards[0].Suggestions = []api.Suggestion{{Label: "x"}}
		}, "selectionBehavior"},
		{"delete without resourceId", func(r *api.CDSResponse) {
			r.Cards[0].Suggestions, r.Cards[0].SelectionBehavior = []api.Suggestion{{Label: "x", Actions: []api.Action{{Type: "delete", Description: "d"}}}}, "any"
		}, "resourceId"},
		{"override reason without display", func(r *api.CDSResponse) { r.Cards[0].OverrideReasons = []api.Coding{{Code: "c"}} }, "display"},
		{"link type", func(r *api.CDSResponse) { r.Cards[0].Links = []api.Link{{Label: "l", URL: "https://x", Type: "web"}} }, "absolute or smart"},
		{"relative link", func(r *api.CDSResponse) { r.Cards[0].Links = []api.Link{{Label: "l", URL: "/x", Type: "absolute"}} }, "absolute URL"},
		{"update without resource", func(r *api.CDSResponse) { r.SystemActions = []api.Action{{Type: "update", Description: "d"}} }, "whole FHIR resource"},
		{"repeated uuid", func(r *api.CDSResponse) {
			r.Cards[0].UUID = "4e0a3a1e-3283-4575-ab82-028d55fe2719"
			r.Cards = append(r.Cards, r.Cards[0])
		}, "repeats"},
	}
	ok := &api.CDSResponse{Cards: []api.Card{good}}
	if err := CheckResponse(ok); err != nil {
		t.Fatalf("a valid response: %v", err)
	}
	for _, tc := range cases {
		r := &api.CDSResponse{Cards: []api.Card{good}}
		tc.edit(r)
		if err := CheckResponse(r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
