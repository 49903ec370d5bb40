package cdshooks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/osler-health/osler/api"
)

func TestNarrativeSentences(t *testing.T) {
	note := "# Chief Complaint\nRash.\n\n# Medications\nibuprofen 200 mg oral tablet; amoxicillin 500 mg\n\n## Current medications\n- aspirin 81 mg\n\n# Assessment and Plan\nHives after amoxicillin. Stop it."
	var got []string
	for _, s := range narrativeSentences(note) {
		got = append(got, s.heading+"|"+s.text)
	}
	want := []string{"Chief Complaint|Rash.", "Assessment and Plan|Hives after amoxicillin.", "Assessment and Plan|Stop it."}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("narrativeSentences:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := plainHeadings("# Chief Complaint\nRash.\n## Plan:\nRest."); got != "Chief Complaint:\nRash.\nPlan:\nRest." {
		t.Errorf("plainHeadings = %q", got)
	}
}

// TestMedicationListsAreNotEvidence: in the Synthea notes every drug the
// patient takes is listed ("# Medications", "prescribed the following
// medications: - ibuprofen 200 mg oral tablet"); a list names a drug
// without saying it did anything, so it never becomes evidence.
func TestMedicationListsAreNotEvidence(t *testing.T) {
	m, _ := syntheticADE(t)
	low := *m
	low.Threshold = 0.01 // flag nearly every sentence the classifier sees
	h := newTestHandler(t, Config{Models: fakeModels{ade: &low}})
	src := syntheaSource(t, aspirinPatient)
	resp := mustCall(t, h, ServiceADEAlert, api.HookOrderSelect, src, RequestOptions{
		Orders: []json.RawMessage{medOrder("m1", aspirinPatient, "197806", "Ibuprofen 600 MG Oral Tablet", "")}})
	if len(resp.Cards) != 1 {
		t.Fatalf("%d cards, want the allergy card", len(resp.Cards))
	}
	for _, line := range strings.Split(resp.Cards[0].Detail, "\n") {
		if q, ok := strings.CutPrefix(strings.TrimSpace(line), "> "); ok && strings.Contains(strings.ToLower(q), " mg") {
			t.Errorf("a medication list line became evidence: %s", line)
		}
	}
}
