package cdshooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/summarize"
)

// Service ids.
const (
	ServiceNoteSummary = "osler-note-summary"
	ServiceADEAlert    = "osler-ade-alert"
	ServiceCRD         = "osler-crd"
)

// ModelInfo names the registry model a card's guidance came from.
type ModelInfo struct {
	Name    string
	Version int // 0 for a model served from a directory
}

func (m ModelInfo) String() string {
	if m.Version == 0 {
		return m.Name
	}
	return fmt.Sprintf("%s v%d", m.Name, m.Version)
}

// ADEModel is a classifier of adverse-drug-event sentences and the label
// of its positive class.
type ADEModel struct {
	Model *classify.Model
	// Label is the index of the adverse-event label in Model.Labels().
	Label int
	// Threshold is the score at or above which a sentence is flagged.
	Threshold float64
	Info      ModelInfo
}

// Models gives the services the models they use: the newest Approved
// versions the server has loaded, at the moment of the call.
type Models interface {
	// Summarizer returns the summarizer of osler-note-summary; ok is false
	// when none is loaded (the service then quotes the notes' own
	// sentences with the extractive method).
	Summarizer() (s summarize.Summarizer, info ModelInfo, ok bool)
	// ADE returns the classifier osler-ade-alert runs on note sentences;
	// ok is false when none is loaded (only recorded allergies count).
	ADE() (m ADEModel, ok bool)
}

// FeedbackStore keeps what clinicians did with the cards.
type FeedbackStore interface {
	RecordFeedback(ctx context.Context, client, service string, items []api.Feedback) (stored int, err error)
}

// Config configures a [Handler].
type Config struct {
	// Models supplies the summarizer and the ADE classifier; nil means
	// none (extractive summaries, allergies only).
	Models Models
	// Rules are the payer's coverage rules; nil leaves osler-crd out of
	// discovery (it needs a rules file to say anything).
	Rules *coverage.Rules
	// Feedback stores card outcomes; nil answers feedback with 501.
	Feedback FeedbackStore
	// HTTPClient reads the EHR's FHIR server (default: a client with
	// FHIRTimeout per request and no redirects across hosts).
	HTTPClient *http.Client
	// FHIRTimeout bounds one FHIR read (default 5 s); FHIRRetries is the
	// number of retries of a failed read (default 1: CDS calls must be
	// fast).
	FHIRTimeout time.Duration
	FHIRRetries int
	// MaxFHIRBytes bounds one FHIR response or attachment (default 16 MiB).
	MaxFHIRBytes int64
	// AllowFHIRServer decides which fhirServer URLs the services may read
	// (default: https anywhere, http only on this machine's loopback).
	AllowFHIRServer func(base string) bool
	// MaxNotes is how many recent notes and reports osler-note-summary
	// summarizes (default 3); MaxADENotes how many recent notes
	// osler-ade-alert searches for evidence (default 50).
	MaxNotes    int
	MaxADENotes int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Defaults of [Config].
const (
	DefaultFHIRTimeout  = 5 * time.Second
	DefaultFHIRRetries  = 1
	DefaultMaxFHIRBytes = 16 << 20
	DefaultMaxNotes     = 3
	DefaultMaxADENotes  = 50
)

// Handler answers the CDS Hooks services. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	services []*service
	byID     map[string]*service
	drugs    *drugLexicon
}

// service is one CDS service: its discovery entry (one per hook) and the
// function that answers it.
type service struct {
	id, title, description, usage string
	hooks                         []string
	prefetch                      map[string]string
	// required are the prefetch keys without which the service cannot
	// answer (412 when neither prefetched nor fetched).
	required []string
	run      func(h *Handler, ctx context.Context, c *callState) (*api.CDSResponse, error)
}

// New returns a handler for cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.FHIRTimeout <= 0 {
		cfg.FHIRTimeout = DefaultFHIRTimeout
	}
	if cfg.FHIRRetries < 0 {
		cfg.FHIRRetries = 0
	} else if cfg.FHIRRetries == 0 {
		cfg.FHIRRetries = DefaultFHIRRetries
	}
	if cfg.MaxFHIRBytes <= 0 {
		cfg.MaxFHIRBytes = DefaultMaxFHIRBytes
	}
	if cfg.MaxNotes <= 0 {
		cfg.MaxNotes = DefaultMaxNotes
	}
	if cfg.MaxADENotes <= 0 {
		cfg.MaxADENotes = DefaultMaxADENotes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AllowFHIRServer == nil {
		cfg.AllowFHIRServer = DefaultAllowFHIRServer
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.FHIRTimeout}
	}
	drugs, err := loadDrugLexicon()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, byID: map[string]*service{}, drugs: drugs}
	h.services = append(h.services, noteSummaryService(cfg), adeAlertService(cfg))
	if cfg.Rules != nil {
		h.services = append(h.services, crdService(cfg.Rules))
	}
	for _, s := range h.services {
		h.byID[s.id] = s
	}
	return h, nil
}

// Discovery is the answer of GET /cds-services: each service once per
// hook it answers.
func (h *Handler) Discovery() api.CDSServices {
	out := api.CDSServices{Services: []api.CDSService{}}
	for _, s := range h.services {
		for _, hook := range s.hooks {
			out.Services = append(out.Services, api.CDSService{Hook: hook, Title: s.title, Description: s.description,
				ID: s.id, Prefetch: s.prefetch, UsageRequirements: s.usage})
		}
	}
	return out
}

// Has reports whether id names a service of the handler.
func (h *Handler) Has(id string) bool { return h.byID[id] != nil }

// Error is a request the handler refuses, with the HTTP status to send.
// Message is safe to show the caller: it names fields, never their
// values.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func preconditionFailed(format string, args ...any) *Error {
	return &Error{Status: http.StatusPreconditionFailed, Message: fmt.Sprintf(format, args...)}
}

// Call answers POST /cds-services/{id} with the request body.
func (h *Handler) Call(ctx context.Context, id string, body []byte) (*api.CDSResponse, error) {
	s := h.byID[id]
	if s == nil {
		return nil, &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("no CDS service %q; GET /cds-services lists them", id)}
	}
	var req api.CDSRequest
	if err := decodeObject(body, &req); err != nil {
		return nil, badRequest("request body: %v", err)
	}
	c, err := h.newCall(s, &req)
	if err != nil {
		return nil, err
	}
	if err := h.gather(ctx, s, c); err != nil {
		return nil, err
	}
	resp, err := s.run(h, ctx, c)
	if err != nil {
		return nil, err
	}
	if resp.Cards == nil {
		resp.Cards = []api.Card{}
	}
	return resp, nil
}

// decodeObject decodes a JSON object, refusing trailing data. Its errors
// name the field and type, never a value.
func decodeObject(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return fmt.Errorf("field %q must be a %s", te.Field, jsonKind(te.Type.Kind().String()))
		case errors.As(err, &se):
			return fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
		default:
			return errors.New("not a JSON object")
		}
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	}
	return k
}

// Feedback answers POST /cds-services/{id}/feedback for the verified
// client. Every item is checked before any is stored.
func (h *Handler) Feedback(ctx context.Context, id, client string, body []byte) (stored int, err error) {
	if h.byID[id] == nil {
		return 0, &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("no CDS service %q; GET /cds-services lists them", id)}
	}
	if h.cfg.Feedback == nil {
		return 0, &Error{Status: http.StatusNotImplemented, Message: "this server keeps no feedback (it has no registry)"}
	}
	var req api.FeedbackRequest
	if err := decodeObject(body, &req); err != nil {
		return 0, badRequest("feedback body: %v", err)
	}
	if len(req.Feedback) == 0 {
		return 0, badRequest(`"feedback" must be a non-empty array`)
	}
	for i, f := range req.Feedback {
		if err := checkFeedback(f); err != nil {
			return 0, badRequest("feedback[%d]: %s", i, err)
		}
	}
	return h.cfg.Feedback.RecordFeedback(ctx, client, id, req.Feedback)
}

func checkFeedback(f api.Feedback) error {
	if !isUUID(f.Card) {
		return errors.New(`"card" must be the uuid of a card this service returned`)
	}
	switch f.Outcome {
	case api.OutcomeAccepted:
		if len(f.AcceptedSuggestions) == 0 {
			return errors.New(`an "accepted" outcome needs "acceptedSuggestions"`)
		}
		for j, s := range f.AcceptedSuggestions {
			if !isUUID(s.ID) {
				return fmt.Errorf(`"acceptedSuggestions[%d].id" must be a suggestion's uuid`, j)
			}
		}
		if f.OverrideReason != nil {
			return errors.New(`an "accepted" outcome has no "overrideReason"`)
		}
	case api.OutcomeOverridden:
		if len(f.AcceptedSuggestions) > 0 {
			return errors.New(`an "overridden" outcome has no "acceptedSuggestions"`)
		}
		if r := f.OverrideReason; r != nil && r.Reason != nil && r.Reason.Code == "" {
			return errors.New(`"overrideReason.reason.code" is empty`)
		}
	default:
		return errors.New(`"outcome" must be accepted or overridden`)
	}
	if _, err := time.Parse(time.RFC3339Nano, f.OutcomeTimestamp); err != nil {
		return errors.New(`"outcomeTimestamp" must be an RFC 3339 date-time in UTC, e.g. 2021-12-11T10:05:31Z`)
	}
	return nil
}

// hooksOf lists the hooks a service answers, for messages.
func hooksOf(s *service) string {
	hs := slices.Clone(s.hooks)
	if len(hs) == 1 {
		return hs[0]
	}
	return strings.Join(hs[:len(hs)-1], ", ") + " and " + hs[len(hs)-1]
}
