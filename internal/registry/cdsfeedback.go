package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Audit actions of the CDS Hooks services.
const (
	// ActionCDSFeedback records a feedback request: the cards and their
	// outcomes (uuids and codes, never the user's comment).
	ActionCDSFeedback = "cds.feedback"
	// ActionCDSDenied records a CDS Hooks request refused for its JWT;
	// details say which check failed, which the caller is never told.
	ActionCDSDenied = "cds.denied"
)

// CDSFeedback is what a clinician did with one card of a CDS Hooks
// service, as the EHR reported it to the service's feedback endpoint.
type CDSFeedback struct {
	Seq        int64     `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	// Client is the CDS client that reported it (its JWT issuer, or
	// "unauthenticated" with --cds-no-auth).
	Client  string `json:"client"`
	Service string `json:"service"`
	// Card is the card's uuid; Outcome is accepted or overridden.
	Card      string    `json:"card"`
	Outcome   string    `json:"outcome"`
	OutcomeAt time.Time `json:"outcome_at"`
	// AcceptedSuggestions are the uuids of the accepted suggestions.
	AcceptedSuggestions []string `json:"accepted_suggestions"`
	// OverrideSystem and OverrideCode are the override reason chosen.
	OverrideSystem string `json:"override_system,omitempty"`
	OverrideCode   string `json:"override_code,omitempty"`
	// HasComment says the user typed a comment; the comment itself may
	// name the patient and is not stored.
	HasComment bool `json:"has_comment"`
}

// RecordCDSFeedback stores feedback items of one request and an audit
// entry for it, in one transaction. An item already stored (same service,
// card, outcome, time, suggestions and reason) is not stored again, so a
// client may resend feedback safely; stored counts the new ones.
func (s *Store) RecordCDSFeedback(ctx context.Context, client, service string, items []CDSFeedback) (stored int, err error) {
	now := s.nowText()
	type auditItem struct {
		Card     string `json:"card"`
		Outcome  string `json:"outcome"`
		Accepted int    `json:"accepted_suggestions,omitempty"`
		Reason   string `json:"override_code,omitempty"`
		New      bool   `json:"new"`
	}
	audit := make([]auditItem, 0, len(items))
	err = s.writeTx(ctx, false, func(tx *sql.Tx) error {
		stored = 0
		audit = audit[:0]
		for _, it := range items {
			accepted := it.AcceptedSuggestions
			if accepted == nil {
				accepted = []string{}
			}
			acc, err := json.Marshal(accepted)
			if err != nil {
				return fmt.Errorf("registry: cds feedback: %w", err)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO cds_feedback
				(received_at, client, service, card, outcome, outcome_at, accepted_suggestions, override_system, override_code, has_comment)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				now, client, service, it.Card, it.Outcome, it.OutcomeAt.UTC().Format(timeFormat), string(acc),
				it.OverrideSystem, it.OverrideCode, it.HasComment)
			if err != nil {
				return fmt.Errorf("registry: cds feedback: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("registry: cds feedback: %w", err)
			}
			stored += int(n)
			audit = append(audit, auditItem{Card: it.Card, Outcome: it.Outcome, Accepted: len(it.AcceptedSuggestions), Reason: it.OverrideCode, New: n > 0})
		}
		return insertAudit(ctx, tx, now, "cds:"+client, ActionCDSFeedback, service,
			map[string]any{"items": audit, "stored": stored})
	})
	return stored, err
}

// CDSFeedbackQuery filters [Store.CDSFeedback]; zero fields do not filter.
type CDSFeedbackQuery struct {
	Service, Card string
	// Limit keeps the newest Limit items (0: all).
	Limit int
}

// CDSFeedback returns stored feedback, oldest first.
func (s *Store) CDSFeedback(ctx context.Context, q CDSFeedbackQuery) ([]CDSFeedback, error) {
	query := `SELECT seq, received_at, client, service, card, outcome, outcome_at, accepted_suggestions, override_system, override_code, has_comment
		FROM cds_feedback WHERE (? = '' OR service = ?) AND (? = '' OR card = ?) ORDER BY seq DESC`
	args := []any{q.Service, q.Service, q.Card, q.Card}
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: cds feedback: %w", err)
	}
	defer rows.Close()
	out := []CDSFeedback{}
	for rows.Next() {
		var f CDSFeedback
		var received, outcomeAt, accepted string
		if err := rows.Scan(&f.Seq, &received, &f.Client, &f.Service, &f.Card, &f.Outcome, &outcomeAt, &accepted,
			&f.OverrideSystem, &f.OverrideCode, &f.HasComment); err != nil {
			return nil, fmt.Errorf("registry: cds feedback: %w", err)
		}
		f.ReceivedAt, _ = time.Parse(timeFormat, received)
		f.OutcomeAt, _ = time.Parse(timeFormat, outcomeAt)
		if err := json.Unmarshal([]byte(accepted), &f.AcceptedSuggestions); err != nil {
			return nil, fmt.Errorf("registry: cds feedback %d: accepted suggestions: %w", f.Seq, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: cds feedback: %w", err)
	}
	// Newest first from the query (for LIMIT); oldest first to the caller.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
