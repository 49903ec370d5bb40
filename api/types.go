// Package api is Osler's HTTP contract: the request and response types of
// `osler serve` and a small Go client for them ([Client]). It is the one
// package outsiders may import; everything else in Osler is internal and
// changes freely.
//
// The server speaks two dialects on one port:
//
//   - Osler's REST API under /v1: [ClassifyRequest] → [ClassifyResponse],
//     [SummarizeRequest] → [SummarizeResponse], model listings ([ModelList],
//     [Model], [Version]), approvals and dataset uploads for admin keys.
//     Every error is an [ErrorResponse] with a stable [Error.Code].
//   - The SageMaker inference container contract: GET /ping and
//     POST /invocations with [InvocationRequest] ({"inputs": "text" or
//     ["text", ...], "parameters": {...}}), answered for classifiers in the
//     Hugging Face text-classification shape ([LabelScore]: {"label", "score"})
//     and for summarizers as [GeneratedText] ({"generated_text"}).
//
// The OpenAPI document served at /openapi.json describes exactly these types.
//
// Clients authenticate with an API key (`osler keys create`) in
// "Authorization: Bearer osk_..." or "X-API-Key: osk_...". Keys have the
// scopes predict (inference, model listings) and admin (also approvals,
// imports, datasets, the audit log).
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Inputs is one text or a batch of texts. In JSON it is either a string
// or an array of strings; [Inputs.Batch] records which, because
// /invocations answers a single text with a single result, as the managed
// service's containers do.
type Inputs struct {
	// Texts are the texts, in order.
	Texts []string
	// Batch is true when the inputs were (or are to be) written as an array.
	Batch bool
}

// Text returns the inputs of a single text.
func Text(s string) Inputs { return Inputs{Texts: []string{s}} }

// Batch returns the inputs of several texts, written as an array.
func Batch(texts ...string) Inputs { return Inputs{Texts: texts, Batch: true} }

// ErrInputsType is returned when "inputs" is neither a string nor an array
// of strings.
var ErrInputsType = errors.New(`"inputs" must be a string or an array of strings`)

// MarshalJSON writes a string, or an array when Batch is set or there is
// not exactly one text.
func (in Inputs) MarshalJSON() ([]byte, error) {
	if !in.Batch && len(in.Texts) == 1 {
		return json.Marshal(in.Texts[0])
	}
	if in.Texts == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(in.Texts)
}

// UnmarshalJSON reads a string or an array of strings; anything else
// (numbers, objects, null, arrays holding non-strings) is [ErrInputsType].
func (in *Inputs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ErrInputsType
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return ErrInputsType
		}
		*in = Inputs{Texts: []string{s}}
		return nil
	case '[':
		var ss []string
		if err := json.Unmarshal(b, &ss); err != nil {
			return ErrInputsType
		}
		if ss == nil {
			ss = []string{}
		}
		*in = Inputs{Texts: ss, Batch: true}
		return nil
	}
	return ErrInputsType
}

// Error codes of [Error.Code]. The HTTP status says the class of problem;
// the code says which one, so clients can branch on it.
const (
	// CodeInvalidJSON: the body is not valid JSON (400).
	CodeInvalidJSON = "invalid_json"
	// CodeInvalidRequest: a field has the wrong type or value, or a
	// required one is missing (400).
	CodeInvalidRequest = "invalid_request"
	// CodeEmptyInput: no text, or an empty text (400).
	CodeEmptyInput = "empty_input"
	// CodeTooManyInputs: more texts in one request than the server allows (400).
	CodeTooManyInputs = "too_many_inputs"
	// CodeWrongModelKind: e.g. /v1/classify on a summarizer (400).
	CodeWrongModelKind = "wrong_model_kind"
	// CodeModelRequired: several models are loaded and none was named (400).
	CodeModelRequired = "model_required"
	// CodeUnauthorized: no API key, or an unknown, revoked or expired one (401).
	CodeUnauthorized = "unauthorized"
	// CodeForbidden: the key lacks the scope the endpoint needs (403).
	CodeForbidden = "forbidden"
	// CodeUnknownModel: no model of that name is served (404).
	CodeUnknownModel = "unknown_model"
	// CodeNotFound: no such route, version or file (404).
	CodeNotFound = "not_found"
	// CodeMethodNotAllowed: the route exists for other methods (405).
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeConflict: the change cannot be made in the current state (409).
	CodeConflict = "conflict"
	// CodeBodyTooLarge: the body exceeds the server's limit (413).
	CodeBodyTooLarge = "body_too_large"
	// CodeUnsupportedMediaType: a Content-Type the endpoint does not read (415).
	CodeUnsupportedMediaType = "unsupported_media_type"
	// CodeOverloaded: the server is at its concurrency limit; retry after
	// the Retry-After header's seconds (429).
	CodeOverloaded = "overloaded"
	// CodeInternal: a bug or an unexpected failure (500).
	CodeInternal = "internal"
	// CodeNoModel: no model is loaded (503).
	CodeNoModel = "no_model_loaded"
	// CodeShuttingDown: the server is draining before it stops (503).
	CodeShuttingDown = "shutting_down"
	// CodeTimeout: the request took longer than the server's per-request
	// timeout (504).
	CodeTimeout = "timeout"
)

// Error is what went wrong: a stable machine-readable code, a message for
// people, and the request id to quote when reporting it. Messages never
// repeat the request's text.
type Error struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// ErrorResponse is the body of every error response.
type ErrorResponse struct {
	Error Error `json:"error"`
}

// StatusError is an error response as the [Client] returns it; use
// errors.As to read the status and code.
type StatusError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code, Message and RequestID come from the [ErrorResponse] (Code is
	// empty when the body was not one, e.g. from a proxy).
	Code      string
	Message   string
	RequestID string
	// RetryAfter is the Retry-After header of a 429 or 503, or 0.
	RetryAfter time.Duration
}

// Error describes the status, code and message.
func (e *StatusError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	if e.Code != "" {
		return fmt.Sprintf("osler: %d %s: %s", e.StatusCode, e.Code, msg)
	}
	return fmt.Sprintf("osler: HTTP %d: %s", e.StatusCode, msg)
}

// ClassifyRequest asks a classifier to score texts (POST /v1/classify).
type ClassifyRequest struct {
	// Model is the model's name; it may be left out when the server
	// serves one model (or has a default).
	Model string `json:"model,omitempty"`
	// Inputs are the texts to classify.
	Inputs Inputs `json:"inputs"`
	// Threshold, when set, decides every label at this score instead of
	// the thresholds tuned at training time.
	Threshold *float64 `json:"threshold,omitempty"`
	// TopK, when positive, lists only the K best-scored labels per text.
	TopK int `json:"top_k,omitempty"`
}

// LabelScore is one label's score. Predicted says whether the label is
// predicted under the model's thresholds (or the request's): for binary
// models the decided label, for multi-class the top label, for multi-label
// every label at or above its threshold.
type LabelScore struct {
	Label     string  `json:"label"`
	Score     float64 `json:"score"`
	Predicted bool    `json:"predicted"`
}

// InvocationLabel is a text's element in the /invocations answer to a
// batch without top_k: the text's first label (predicted ones first, then
// by score), as in [LabelScore], and Labels, every label the model
// predicts for the text, best first: one for binary and multi-class
// models, any number (possibly none) for multi-label models.
type InvocationLabel struct {
	Label     string   `json:"label"`
	Score     float64  `json:"score"`
	Predicted bool     `json:"predicted"`
	Labels    []string `json:"labels"`
}

// Classification is the result for one text.
type Classification struct {
	// Labels are the predicted labels (possibly none for multi-label
	// models), best first.
	Labels []string `json:"labels"`
	// Scores lists the labels, predicted ones first, each group by score
	// (highest first).
	Scores []LabelScore `json:"scores"`
}

// ClassifyResponse is the answer to a [ClassifyRequest]: one
// [Classification] per input, in order.
type ClassifyResponse struct {
	Model string `json:"model"`
	// Version is the registry version that answered (0 for a model
	// served from a directory).
	Version int              `json:"version"`
	Results []Classification `json:"results"`
}

// SummarizeRequest asks a summarizer to summarize texts (POST /v1/summarize).
type SummarizeRequest struct {
	Model  string `json:"model,omitempty"`
	Inputs Inputs `json:"inputs"`
}

// Neighbor is a training example a summary drew on.
type Neighbor struct {
	ID         string  `json:"id"`
	Similarity float64 `json:"similarity"`
	// Summary is the example's summary as the model stores it.
	Summary string `json:"summary,omitempty"`
}

// Span is a byte range [Start, End) of a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Warning is a way a summary is not faithful to its text, found by
// Osler's faithfulness check (docs/FAITHFULNESS.md): a claim the text does
// not back ("unsupported") or that says the opposite ("contradicted"), or
// a critical finding, line, tube or significant finding the summary leaves
// out ("omitted").
type Warning struct {
	// Verdict is "unsupported", "contradicted" or "omitted".
	Verdict string `json:"verdict"`
	// Kind is what it is about: finding, certainty, negation, side,
	// location, degree, comparison, measurement, communication,
	// placeholder, normal, critical or device.
	Kind string `json:"kind"`
	// Concept names the finding or comparison concerned, when there is one.
	Concept string `json:"concept,omitempty"`
	// SummarySpan is where the summary says it (none for omissions).
	SummarySpan *Span `json:"summary_span,omitempty"`
	// Message says it in words, e.g. "puts pleural effusion on the left;
	// the source says right".
	Message string `json:"message"`
}

// Check is what a summarizer's faithfulness guard did.
type Check struct {
	// Faithful says the summary passed the check.
	Faithful bool `json:"faithful"`
	// Candidates and Removed count the candidate summaries considered and
	// those removed for a claim the text does not back or for leaving out
	// a critical finding.
	Candidates int `json:"candidates,omitempty"`
	Removed    int `json:"removed,omitempty"`
	// Rejected counts the retrieved training summaries the guard refused.
	Rejected int `json:"rejected,omitempty"`
}

// Provenance explains where a summary came from, so a clinician can check
// it: the source sentences it copies, the training examples whose
// summaries it reuses.
type Provenance struct {
	// Method names what produced the summary, e.g. "trained:retrieval".
	Method string `json:"method"`
	// SourceSentences are 0-based indices of the document's sentences
	// (as Osler's clinical sentence splitter numbers them) the summary
	// was built from.
	SourceSentences []int `json:"source_sentences,omitempty"`
	// Neighbors are training examples whose summaries were reused or
	// adapted, most similar first.
	Neighbors []Neighbor `json:"neighbors,omitempty"`
	// Notes are short remarks, e.g. "routed as normal study".
	Notes []string `json:"notes,omitempty"`
	// Check is what the faithfulness guard did.
	Check *Check `json:"check,omitempty"`
}

// Summary is the result for one text.
type Summary struct {
	Summary string `json:"summary"`
	// Faithful says the faithfulness check found no claim the text does
	// not back; Warnings are what it found (omissions included).
	Faithful   bool        `json:"faithful"`
	Warnings   []Warning   `json:"warnings,omitempty"`
	Provenance *Provenance `json:"provenance,omitempty"`
}

// SummarizeResponse is the answer to a [SummarizeRequest]: one [Summary]
// per input, in order.
type SummarizeResponse struct {
	Model   string    `json:"model"`
	Version int       `json:"version"`
	Results []Summary `json:"results"`
}

// InvocationRequest is the JSON body of POST /invocations, as the managed
// service's containers read it. Parameters for classifiers: "top_k"
// (labels per text; without it a single text gets the labels the model
// predicts, as []LabelScore, and each text of a batch gets an
// [InvocationLabel]), "threshold" (decide at this score) and
// "return_all_scores" (all labels). Summarizers take "return_provenance".
// Parameters Osler does not use (e.g. "max_new_tokens") are accepted,
// ignored, and named in the response header X-Osler-Ignored-Parameters.
type InvocationRequest struct {
	Inputs     Inputs         `json:"inputs"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// GeneratedText is one summary in the /invocations answer of a summarizer,
// as text-generation containers write it.
type GeneratedText struct {
	GeneratedText string `json:"generated_text"`
	// Warnings are the faithfulness check's findings (see [Summary]); the
	// field is Osler's own, next to the containers' shape.
	Warnings   []Warning   `json:"warnings,omitempty"`
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Ping is the body of GET /ping.
type Ping struct {
	// Status is "ok" when at least one model is loaded (HTTP 200),
	// "no_model_loaded" or "shutting_down" otherwise (HTTP 503).
	Status string `json:"status"`
	// Models is the number of models loaded.
	Models int `json:"models"`
}

// Model kinds.
const (
	KindClassifier = "classifier"
	KindSummarizer = "summarizer"
)

// Approval statuses, as the registry names them.
const (
	StatusPending  = "PendingManualApproval"
	StatusApproved = "Approved"
	StatusRejected = "Rejected"
)

// Load states of [Model.State].
const (
	// StateLoaded: the model answers requests.
	StateLoaded = "loaded"
	// StateFailed: the version to serve failed to load (see
	// [Model.Error]); a previously loaded version, if any, still answers.
	StateFailed = "failed"
	// StateNotServed: the model has no Approved version (or is not among
	// the pinned models), so it is listed but not served.
	StateNotServed = "not_served"
)

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Models []Model `json:"models"`
	// Default is the model /invocations answers with when no
	// X-Amzn-SageMaker-Target-Model header is given ("" when there is
	// none).
	Default string `json:"default,omitempty"`
}

// Model describes a model and what the server does with it.
type Model struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description,omitempty"`
	// Source is "registry" or "directory" (--model-dir, /opt/ml/model).
	Source string `json:"source"`
	// State is loaded, failed or not_served.
	State string `json:"state"`
	// Error says why the last load failed (State failed).
	Error string `json:"error,omitempty"`
	// Serving describes the loaded version, when one is.
	Serving *Serving `json:"serving,omitempty"`
	// LatestApproved is the newest Approved version (0: none).
	LatestApproved int `json:"latest_approved"`
	// Versions are the registry's versions, newest first (model
	// listings of a directory model have none).
	Versions []Version `json:"versions"`
}

// Serving describes the loaded version of a model.
type Serving struct {
	Version int    `json:"version"`
	Status  string `json:"status,omitempty"`
	// Pinned is true when --models named this version explicitly.
	Pinned   bool      `json:"pinned,omitempty"`
	LoadedAt time.Time `json:"loaded_at"`
	// Mode is binary, multi-class or multi-label (classifiers).
	Mode string `json:"mode,omitempty"`
	// Labels and Thresholds are a classifier's labels and tuned decision
	// thresholds.
	Labels     []string           `json:"labels,omitempty"`
	Thresholds map[string]float64 `json:"thresholds,omitempty"`
	// Method says how a summarizer works.
	Method string `json:"method,omitempty"`
	// HasReport is true when the artifact holds report.html
	// (GET /v1/models/{name}/versions/{version}/report).
	HasReport bool `json:"has_report"`
	// Metrics are the evaluation results recorded with the version (JSON
	// object; included by GET /v1/models/{name}, left out of listings).
	Metrics json.RawMessage `json:"metrics,omitempty"`
}

// Version is one registry version of a model.
type Version struct {
	Version    int       `json:"version"`
	Status     string    `json:"status"`
	StatusBy   string    `json:"status_by,omitempty"`
	StatusAt   time.Time `json:"status_at,omitzero"`
	StatusNote string    `json:"status_note,omitempty"`
	// Serving is true for the version the server answers with.
	Serving      bool      `json:"serving"`
	RegisteredBy string    `json:"registered_by"`
	Created      time.Time `json:"created"`
	Files        int       `json:"files"`
	Bytes        int64     `json:"bytes"`
	Description  string    `json:"description,omitempty"`
	// Parent is the version this one derives from ("name:3").
	Parent string `json:"parent,omitempty"`
	// Metrics and Hyperparameters are JSON objects; only
	// GET /v1/models/{name}/versions/{version} includes them.
	Metrics         json.RawMessage `json:"metrics,omitempty"`
	Hyperparameters json.RawMessage `json:"hyperparameters,omitempty"`
	// Data lists the data the version was trained and tested on, by
	// content hash (only in the single-version answer).
	Data []DataRef `json:"data,omitempty"`
	// HasReport is true when the artifact holds report.html (only in the
	// single-version answer).
	HasReport bool `json:"has_report,omitempty"`
}

// DataRef identifies a data file a version was trained or tested on.
type DataRef struct {
	Role    string `json:"role"`
	Path    string `json:"path,omitempty"`
	SHA256  string `json:"sha256"`
	Records int64  `json:"records,omitempty"`
	Bytes   int64  `json:"bytes,omitempty"`
	// Stored is true when the registry keeps a copy.
	Stored bool `json:"stored"`
}

// StatusChange is the body of the approve and reject endpoints.
type StatusChange struct {
	// Note says why, for the audit log (never patient text).
	Note string `json:"note,omitempty"`
}

// StatusChangeResult is the answer to an approval or rejection.
type StatusChangeResult struct {
	Version Version `json:"version"`
	// Changed is false when the version already had that status.
	Changed bool `json:"changed"`
}

// Dataset is a data file kept (encrypted, in an encrypted home) in the
// registry.
type Dataset struct {
	SHA256    string    `json:"sha256"`
	Name      string    `json:"name"`
	Bytes     int64     `json:"bytes"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	// Versions counts the model versions whose lineage lists it.
	Versions int `json:"versions"`
}

// DatasetList is the body of GET /v1/datasets.
type DatasetList struct {
	Datasets []Dataset `json:"datasets"`
}

// AuditEntry is one line of the registry's audit log.
type AuditEntry struct {
	Seq     int64           `json:"seq"`
	Time    time.Time       `json:"time"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Target  string          `json:"target,omitempty"`
	Details json.RawMessage `json:"details"`
}

// AuditLog is the body of GET /v1/audit.
type AuditLog struct {
	Entries []AuditEntry `json:"entries"`
}

// Identity is the body of GET /v1/auth: who the presented key is.
type Identity struct {
	// Auth is false when the server runs with --no-auth (everyone may do
	// everything).
	Auth   bool     `json:"auth"`
	KeyID  string   `json:"key_id,omitempty"`
	Name   string   `json:"name,omitempty"`
	Scopes []string `json:"scopes"`
}
