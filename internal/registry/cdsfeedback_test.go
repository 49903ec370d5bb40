package registry

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCDSFeedbackIsIdempotentAndAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openWith(t, t.TempDir(), Options{})
		at := time.Date(2026, 12, 3, 10, 5, 31, 0, time.UTC)
		items := []CDSFeedback{
			{Card: "4e0a3a1e-3283-4575-ab82-028d55fe2719", Outcome: "accepted", OutcomeAt: at, AcceptedSuggestions: []string{"e56e1945-20b3-4393-8503-a1a20fd73152"}},
			{Card: "9368d37b-283f-44a0-93ea-547cebab93ed", Outcome: "overridden", OutcomeAt: at, OverrideSystem: "https://osler.dev/cds/override-reason", OverrideCode: "benefit-outweighs-risk", HasComment: true},
		}
		n, err := s.RecordCDSFeedback(ctx, "https://ehr.example", "osler-ade-alert", items)
		if err != nil || n != 2 {
			t.Fatalf("first send: stored %d, %v; want 2", n, err)
		}
		// The specification lets a client resend the same feedback: stored once.
		n, err = s.RecordCDSFeedback(ctx, "https://ehr.example", "osler-ade-alert", items)
		if err != nil || n != 0 {
			t.Fatalf("resend: stored %d, %v; want 0", n, err)
		}
		// A later outcome for the same card is new.
		later := items[1]
		later.OutcomeAt = at.Add(time.Minute)
		if n, err = s.RecordCDSFeedback(ctx, "https://ehr.example", "osler-ade-alert", []CDSFeedback{later}); err != nil || n != 1 {
			t.Fatalf("later outcome: stored %d, %v; want 1", n, err)
		}
		got, err := s.CDSFeedback(ctx, CDSFeedbackQuery{Service: "osler-ade-alert"})
		if err != nil || len(got) != 3 {
			t.Fatalf("CDSFeedback: %d items, %v; want 3", len(got), err)
		}
		if got[0].Card != items[0].Card || len(got[0].AcceptedSuggestions) != 1 || !got[0].OutcomeAt.Equal(at) || got[0].Client != "https://ehr.example" {
			t.Errorf("first item = %+v", got[0])
		}
		if !got[1].HasComment || got[1].OverrideCode != "benefit-outweighs-risk" {
			t.Errorf("second item = %+v", got[1])
		}
		if other, _ := s.CDSFeedback(ctx, CDSFeedbackQuery{Service: "osler-crd"}); len(other) != 0 {
			t.Errorf("another service's feedback: %d items", len(other))
		}
		entries, err := s.Audit(ctx, AuditQuery{Action: ActionCDSFeedback})
		if err != nil || len(entries) != 3 {
			t.Fatalf("audit: %d entries, %v; want one per request", len(entries), err)
		}
		e := entries[0]
		if e.Actor != "cds:https://ehr.example" || e.Target != "osler-ade-alert" {
			t.Errorf("audit entry actor %q target %q", e.Actor, e.Target)
		}
		var details struct {
			Items []struct {
				Card, Outcome string
				New           bool
			}
			Stored int
		}
		if err := json.Unmarshal(e.Details, &details); err != nil || details.Stored != 2 || len(details.Items) != 2 || details.Items[1].Card != items[1].Card {
			t.Errorf("audit details %s (%v)", e.Details, err)
		}
		if strings.Contains(string(entries[1].Details), `"new":true`) {
			t.Errorf("the resend's audit entry marks an item new: %s", entries[1].Details)
		}
	})
}
