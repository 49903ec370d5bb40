package api

import "encoding/json"

// CDS Hooks 2.0 wire types (https://cds-hooks.hl7.org/2.0/): what an EHR
// (the CDS client) sends to `osler serve` under /cds-services and what it
// gets back. Field names and optionality follow the specification; the
// server validates requests against it and a test validates every card it
// sends. Unlike the /v1 API, these endpoints authenticate the EHR by a
// signed JWT (see docs/CDS_HOOKS.md), not by an Osler API key.

// Hook names Osler's services answer.
const (
	HookPatientView = "patient-view"
	HookOrderSelect = "order-select"
	HookOrderSign   = "order-sign"
)

// Card indicators, in order of increasing urgency.
const (
	IndicatorInfo     = "info"
	IndicatorWarning  = "warning"
	IndicatorCritical = "critical"
)

// CDSServices is the discovery response of GET /cds-services.
type CDSServices struct {
	Services []CDSService `json:"services"`
}

// CDSService describes one service in discovery. A service answering
// several hooks is listed once per hook, with the same id.
type CDSService struct {
	Hook              string            `json:"hook"`
	Title             string            `json:"title,omitempty"`
	Description       string            `json:"description"`
	ID                string            `json:"id"`
	Prefetch          map[string]string `json:"prefetch,omitempty"`
	UsageRequirements string            `json:"usageRequirements,omitempty"`
}

// CDSRequest is the body of POST /cds-services/{id}.
type CDSRequest struct {
	Hook              string                     `json:"hook"`
	HookInstance      string                     `json:"hookInstance"`
	FHIRServer        string                     `json:"fhirServer,omitempty"`
	FHIRAuthorization *FHIRAuthorization         `json:"fhirAuthorization,omitempty"`
	Context           json.RawMessage            `json:"context"`
	Prefetch          map[string]json.RawMessage `json:"prefetch,omitempty"`
	// Extension carries CDS Hooks extensions; Osler ignores them.
	Extension json.RawMessage `json:"extension,omitempty"`
}

// FHIRAuthorization is the access token a CDS client lends a service to
// read its FHIR server. The token is used for that and nothing else: it is
// never logged or stored.
type FHIRAuthorization struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Subject     string `json:"subject"`
	Patient     string `json:"patient,omitempty"`
}

// HookContext is the union of the context fields of the hooks Osler
// answers (patient-view, order-select, order-sign).
type HookContext struct {
	UserID      string          `json:"userId"`
	PatientID   string          `json:"patientId"`
	EncounterID string          `json:"encounterId,omitempty"`
	Selections  []string        `json:"selections,omitempty"`
	DraftOrders json.RawMessage `json:"draftOrders,omitempty"`
}

// CDSResponse is a service's answer: cards for the user and actions the
// EHR may apply without asking.
type CDSResponse struct {
	Cards         []Card   `json:"cards"`
	SystemActions []Action `json:"systemActions,omitempty"`
}

// Card is one piece of guidance shown to the clinician.
type Card struct {
	UUID              string       `json:"uuid,omitempty"`
	Summary           string       `json:"summary"`
	Detail            string       `json:"detail,omitempty"`
	Indicator         string       `json:"indicator"`
	Source            Source       `json:"source"`
	Suggestions       []Suggestion `json:"suggestions,omitempty"`
	SelectionBehavior string       `json:"selectionBehavior,omitempty"`
	OverrideReasons   []Coding     `json:"overrideReasons,omitempty"`
	Links             []Link       `json:"links,omitempty"`
}

// Source says where a card's guidance comes from.
type Source struct {
	Label string  `json:"label"`
	URL   string  `json:"url,omitempty"`
	Icon  string  `json:"icon,omitempty"`
	Topic *Coding `json:"topic,omitempty"`
}

// Coding is a code from a code system (the CDS Hooks data type, a subset
// of FHIR's).
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// Suggestion is a set of actions the user may accept together.
type Suggestion struct {
	Label         string   `json:"label"`
	UUID          string   `json:"uuid,omitempty"`
	IsRecommended bool     `json:"isRecommended,omitempty"`
	Actions       []Action `json:"actions,omitempty"`
}

// Action types.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// Action changes a FHIR resource of the EHR: create or update carry the
// whole resource, delete names it in ResourceID ("MedicationRequest/1").
type Action struct {
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Resource    json.RawMessage `json:"resource,omitempty"`
	ResourceID  string          `json:"resourceId,omitempty"`
}

// Link types.
const (
	LinkAbsolute = "absolute"
	LinkSmart    = "smart"
)

// Link points the user to more: an absolute URL or a SMART app launch.
type Link struct {
	Label          string `json:"label"`
	URL            string `json:"url"`
	Type           string `json:"type"`
	AppContext     string `json:"appContext,omitempty"`
	Autolaunchable bool   `json:"autolaunchable,omitempty"`
}

// Feedback outcomes.
const (
	OutcomeAccepted   = "accepted"
	OutcomeOverridden = "overridden"
)

// FeedbackRequest is the body of POST /cds-services/{id}/feedback.
type FeedbackRequest struct {
	Feedback []Feedback `json:"feedback"`
}

// Feedback is what the user did with one card.
type Feedback struct {
	Card                string               `json:"card"`
	Outcome             string               `json:"outcome"`
	AcceptedSuggestions []AcceptedSuggestion `json:"acceptedSuggestions,omitempty"`
	OverrideReason      *OverrideReason      `json:"overrideReason,omitempty"`
	OutcomeTimestamp    string               `json:"outcomeTimestamp"`
}

// AcceptedSuggestion names an accepted suggestion by its uuid.
type AcceptedSuggestion struct {
	ID string `json:"id"`
}

// OverrideReason is why the user dismissed a card. Osler stores the
// reason's code; the free-text comment may hold patient details and is
// counted, never stored.
type OverrideReason struct {
	Reason      *Coding `json:"reason,omitempty"`
	UserComment string  `json:"userComment,omitempty"`
}

// CDSPreviewRequest is the body of POST /v1/cds/preview: the web UI's way
// to see what Osler's CDS services answer for a patient, without an EHR.
// The server builds the request an EHR would send from the bundle (the
// hook's context and every prefetch answered from it) and calls the
// services in-process. Unlike /cds-services it takes an API key with the
// predict scope.
type CDSPreviewRequest struct {
	// Hook is patient-view, order-select or order-sign.
	Hook string `json:"hook"`
	// Bundle is one patient's FHIR Bundle: exactly one Patient and the
	// resources the services read (conditions, allergies, notes, ...).
	Bundle json.RawMessage `json:"bundle"`
	// Orders are the draft orders (FHIR resources with an id) of
	// order-select and order-sign; all of them count as selected.
	Orders []json.RawMessage `json:"orders,omitempty"`
	// Service calls only the service with this id (default: every
	// service of the hook).
	Service string `json:"service,omitempty"`
}

// CDSPreviewResponse is the answer of POST /v1/cds/preview: one result per
// service called, in discovery order.
type CDSPreviewResponse struct {
	Results []CDSPreviewResult `json:"results"`
}

// CDSPreviewResult is one service's answer: its response, or the error
// an EHR would have got (412 when it lacks data, 400 for a request it
// refuses). The error's message names fields, never patient text.
type CDSPreviewResult struct {
	Service  CDSService   `json:"service"`
	Response *CDSResponse `json:"response,omitempty"`
	Error    *CDSError    `json:"error,omitempty"`
}

// CDSError is a service's refusal in a [CDSPreviewResult]: the HTTP
// status it would have answered and why.
type CDSError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}
