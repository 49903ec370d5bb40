package server

import (
	"encoding/json"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/clinical"
)

// TestSummarizeWarnings checks /v1/summarize and /invocations carry the
// faithfulness check: faithful and the guard's record for a summary its
// text backs, and warnings in the wire shape.
func TestSummarizeWarnings(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{DefaultModel: "ade"}})
	code, _, body := e.do("POST", "/v1/summarize", "application/json", e.predictKey,
		`{"model": "rad", "inputs": ["FINDINGS: The lungs are clear. No pleural effusion or pneumothorax. Heart size is normal."]}`)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var resp api.SummarizeResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	r := resp.Results[0]
	if !r.Faithful || r.Provenance == nil || r.Provenance.Check == nil || !r.Provenance.Check.Faithful || r.Provenance.Check.Candidates == 0 {
		t.Fatalf("result %+v (check %+v)", r, r.Provenance.Check)
	}
	for _, w := range r.Warnings {
		if w.Verdict != "omitted" {
			t.Errorf("a normal study's summary has warning %+v", w)
		}
	}
	code, _, body = e.do("POST", "/invocations", "application/json", e.predictKey,
		`{"inputs": "FINDINGS: The lungs are clear. No pleural effusion.", "parameters": {"return_provenance": true}}`, "X-Amzn-SageMaker-Target-Model", "rad")
	var gen []api.GeneratedText
	if code != 200 || json.Unmarshal(body, &gen) != nil || len(gen) != 1 || gen[0].Provenance.Check == nil {
		t.Fatalf("/invocations: %d %s", code, body)
	}
}

func TestAPIWarnings(t *testing.T) {
	res := clinical.NewChecker(nil).Check("Small right pleural effusion. Endotracheal tube in place.", "Small left pleural effusion.")
	ws := apiWarnings(res.Issues)
	if len(ws) != len(res.Issues) || len(ws) < 2 {
		t.Fatalf("warnings %+v from %+v", ws, res.Issues)
	}
	seen := map[string]bool{}
	for _, w := range ws {
		seen[w.Verdict+" "+w.Kind] = true
		if w.Verdict == "omitted" && w.SummarySpan != nil || w.Verdict != "omitted" && w.SummarySpan == nil || w.Message == "" {
			t.Errorf("warning %+v", w)
		}
	}
	if !seen["contradicted side"] || !seen["omitted device"] {
		t.Errorf("warnings %+v", ws)
	}
	if apiWarnings(nil) != nil {
		t.Error("no issues should give no warnings field")
	}
}
