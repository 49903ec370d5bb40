package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify/predict"
	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/trained"
)

// pickModel returns the model a request names, or the default one. It
// answers 503 when nothing is loaded, 400 when several models are and none
// was named, and 404 for an unknown name.
func (s *Server) pickModel(c *call, set *modelSet, name string) *loadedModel {
	if len(set.names) == 0 {
		c.fail(http.StatusServiceUnavailable, api.CodeNoModel, "no model is loaded: approve a version (osler models approve NAME:VERSION) or pin one with --models")
		return nil
	}
	if name == "" {
		if set.def == "" {
			c.fail(http.StatusBadRequest, api.CodeModelRequired, "several models are served ("+strings.Join(set.names, ", ")+"); name one (\"model\" in the body, or the X-Amzn-SageMaker-Target-Model header for /invocations)")
			return nil
		}
		name = set.def
	}
	m := set.get(name)
	if m == nil {
		msg := "no model named " + quoteName(name) + " is served; served models: " + strings.Join(set.names, ", ")
		if f, ok := set.failed[name]; ok {
			msg = fmt.Sprintf("model %s version %d failed to load (see GET /v1/models/%s); served models: %s", quoteName(name), f.version, name, strings.Join(set.names, ", "))
		}
		c.fail(http.StatusNotFound, api.CodeUnknownModel, msg)
		return nil
	}
	c.entry.model, c.entry.version = m.name, m.version
	return m
}

// quoteName quotes a model name from a request for a message, or says it
// is not a valid name (so arbitrary request text is never echoed).
func quoteName(name string) string {
	if registry.ValidateName(name) != nil {
		return "(invalid model name)"
	}
	return `"` + name + `"`
}

// checkTexts answers 400 when there is no text, too many, or an empty one.
func (s *Server) checkTexts(c *call, texts []string, offset int) bool {
	if len(texts) == 0 && offset == 0 {
		c.fail(http.StatusBadRequest, api.CodeEmptyInput, `"inputs" holds no text`)
		return false
	}
	if offset+len(texts) > s.cfg.MaxBatch {
		c.fail(http.StatusBadRequest, api.CodeTooManyInputs, fmt.Sprintf("%d texts in one request; the server takes at most %d (--max-batch): split the batch", offset+len(texts), s.cfg.MaxBatch))
		return false
	}
	for i, t := range texts {
		if isBlank(t) {
			c.fail(http.StatusBadRequest, api.CodeEmptyInput, fmt.Sprintf("inputs[%d] is empty", offset+i))
			return false
		}
	}
	return true
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b >= utf8.RuneSelf || !(b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v') {
			if b < utf8.RuneSelf {
				return false
			}
			return strings.TrimFunc(s[i:], unicode.IsSpace) == ""
		}
	}
	return true
}

// clfScratch holds one request's classification buffers.
type clfScratch struct {
	predict.Result
	out []byte
}

var clfPool = sync.Pool{New: func() any { return new(clfScratch) }}

// classifyText scores text and returns the labels in answer order:
// predicted labels first, then the others, each group by score (highest
// first; ties by label order). threshold < 0 uses the model's tuned
// thresholds.
func classifyText(m *loadedModel, text string, threshold float64, sc *clfScratch) []int {
	sc.Score(m.clf, text, threshold)
	return sc.Ranked(true)
}

// quotedLabel returns label i as a JSON string, cut from its pre-encoded
// `{"label":"...","score":` prefix.
func quotedLabel(m *loadedModel, i int) []byte {
	p := m.labelPrefix[i]
	return p[len(`{"label":`) : len(p)-len(`,"score":`)]
}

// jsonError turns a decoding error into a 400 whose message names the
// field and what it should be, without echoing request text.
func (c *call) jsonError(err error) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, api.ErrInputsType):
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, api.ErrInputsType.Error())
	case errors.As(err, &syn):
		c.fail(http.StatusBadRequest, api.CodeInvalidJSON, fmt.Sprintf("the body is not valid JSON (error at byte %d)", syn.Offset))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		c.fail(http.StatusBadRequest, api.CodeInvalidJSON, "the body is empty or ends before the JSON does")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, fmt.Sprintf("the body must be a JSON object, not a %s", typ.Value))
			return
		}
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, fmt.Sprintf("%q must be %s, not a %s", field, jsonTypeName(typ.Type.Kind().String()), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if !safeFieldName(name) {
			name = "(a field)"
		} else {
			name = `"` + name + `"`
		}
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "unknown field "+name+"; see /openapi.json for the request's fields")
	default:
		c.fail(http.StatusBadRequest, api.CodeInvalidJSON, "the body is not valid JSON")
	}
}

func jsonTypeName(kind string) string {
	switch kind {
	case "float64", "float32", "int", "int64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// safeFieldName reports whether a JSON field name from a request may be
// repeated in a message: a short identifier, so never free text.
func safeFieldName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// decodeStrict decodes a JSON body into v, refusing unknown fields and
// trailing data.
func (c *call) decodeStrict(body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		c.jsonError(err)
		return false
	}
	if dec.More() {
		c.fail(http.StatusBadRequest, api.CodeInvalidJSON, "the body holds more than one JSON value")
		return false
	}
	return true
}

// requireJSON answers 415 unless the body is JSON (or has no type).
func (c *call) requireJSON() bool {
	ct := mediaType(c.r.Header.Get("Content-Type"))
	if ct == "" || ct == "application/json" {
		return true
	}
	msg := "send the body as application/json"
	if ct == "application/x-www-form-urlencoded" {
		msg += "; curl -d sends a form: add -H 'Content-Type: application/json'"
	}
	c.fail(http.StatusUnsupportedMediaType, api.CodeUnsupportedMediaType, msg)
	return false
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// handleClassify answers POST /v1/classify.
func (s *Server) handleClassify(c *call) {
	if !c.requireJSON() {
		return
	}
	body, ok := c.readBody(s.cfg.MaxBody)
	if !ok {
		return
	}
	var req api.ClassifyRequest
	req.Inputs.Texts = nil
	if !c.decodeStrict(body, &req) {
		return
	}
	if req.Inputs.Texts == nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"inputs" is required: a string or an array of strings`)
		return
	}
	threshold := -1.0
	if req.Threshold != nil {
		if *req.Threshold < 0 || *req.Threshold > 1 {
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"threshold" must be between 0 and 1`)
			return
		}
		threshold = *req.Threshold
	}
	if req.TopK < 0 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"top_k" must be positive (or left out for every label)`)
		return
	}
	if !s.checkTexts(c, req.Inputs.Texts, 0) {
		return
	}
	m := s.pickModel(c, s.models.Load(), req.Model)
	if m == nil {
		return
	}
	if m.clf == nil {
		c.fail(http.StatusBadRequest, api.CodeWrongModelKind, quoteName(m.name)+" is a "+string(m.kind)+"; use /v1/summarize")
		return
	}
	c.entry.inputs = len(req.Inputs.Texts)
	m.counters.requests.Add(1)
	m.counters.inputs.Add(uint64(len(req.Inputs.Texts)))
	if !s.acquireWorker(c) {
		return
	}
	defer s.releaseWorker()
	sc := clfPool.Get().(*clfScratch)
	defer clfPool.Put(sc)
	labels := m.clf.Labels()
	resp := api.ClassifyResponse{Model: m.name, Version: m.version, Results: make([]api.Classification, len(req.Inputs.Texts))}
	for i, text := range req.Inputs.Texts {
		if i%64 == 63 && c.expired() {
			m.counters.errors.Add(1)
			c.fail(http.StatusGatewayTimeout, api.CodeTimeout, fmt.Sprintf("the request took longer than the server's %s limit (--timeout); send smaller batches", s.cfg.Timeout))
			return
		}
		order := classifyText(m, text, threshold, sc)
		k := len(order)
		if req.TopK > 0 && req.TopK < k {
			k = req.TopK
		}
		res := api.Classification{Labels: []string{}, Scores: make([]api.LabelScore, k)}
		for j, li := range order {
			if sc.IsDecided(li) {
				res.Labels = append(res.Labels, labels[li])
			}
			if j < k {
				res.Scores[j] = api.LabelScore{Label: labels[li], Score: sc.Scores[li], Predicted: sc.IsDecided(li)}
			}
		}
		resp.Results[i] = res
	}
	c.writeJSON(http.StatusOK, resp)
}

// handleSummarize answers POST /v1/summarize.
func (s *Server) handleSummarize(c *call) {
	if !c.requireJSON() {
		return
	}
	body, ok := c.readBody(s.cfg.MaxBody)
	if !ok {
		return
	}
	var req api.SummarizeRequest
	if !c.decodeStrict(body, &req) {
		return
	}
	if req.Inputs.Texts == nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"inputs" is required: a string or an array of strings`)
		return
	}
	if !s.checkTexts(c, req.Inputs.Texts, 0) {
		return
	}
	m := s.pickModel(c, s.models.Load(), req.Model)
	if m == nil {
		return
	}
	if m.sum == nil {
		c.fail(http.StatusBadRequest, api.CodeWrongModelKind, quoteName(m.name)+" is a "+string(m.kind)+"; use /v1/classify")
		return
	}
	c.entry.inputs = len(req.Inputs.Texts)
	results, ok := s.summarizeAll(c, m, req.Inputs.Texts, 0)
	if !ok {
		return
	}
	resp := api.SummarizeResponse{Model: m.name, Version: m.version, Results: make([]api.Summary, len(results))}
	for i, r := range results {
		resp.Results[i] = api.Summary{Summary: r.Summary, Faithful: r.Faithful(), Warnings: apiWarnings(r.Warnings), Provenance: apiProvenance(r.Provenance)}
	}
	c.writeJSON(http.StatusOK, resp)
}

// summarizeAll summarizes texts in order. offset numbers them in messages
// (for JSON Lines batches). Failures answer the request and return false.
func (s *Server) summarizeAll(c *call, m *loadedModel, texts []string, offset int) ([]summarize.Result, bool) {
	if !s.acquireWorker(c) {
		return nil, false
	}
	defer s.releaseWorker()
	m.counters.requests.Add(1)
	m.counters.inputs.Add(uint64(len(texts)))
	// One worker: a request runs on the one model worker it holds; the
	// server's concurrency is its number of workers.
	out := make([]summarize.Result, 0, len(texts))
	next := 0
	failed := offset // the input an error concerns
	err := ordered.Map(c.work(), ordered.Options{Workers: 1},
		func(i *int) error {
			if next == len(texts) {
				return io.EOF
			}
			*i, next = next, next+1
			return nil
		},
		func(ctx context.Context, i *int, r *summarize.Result) error {
			var err error
			if *r, err = m.sum.Summarize(ctx, summarize.Document{ID: fmt.Sprintf("input-%d", offset+*i), Text: texts[*i]}); err != nil {
				failed = offset + *i
			}
			return err
		},
		func(_ *int, r *summarize.Result) error {
			out = append(out, *r)
			return nil
		})
	if err != nil {
		s.summarizeError(c, m, err, failed)
		return nil, false
	}
	return out, true
}

func (s *Server) summarizeError(c *call, m *loadedModel, err error, i int) {
	switch {
	case errors.Is(err, trained.ErrEmptyDocument):
		c.fail(http.StatusBadRequest, api.CodeEmptyInput, fmt.Sprintf("inputs[%d] has no words to summarize", i))
	case errors.Is(err, context.DeadlineExceeded):
		m.counters.errors.Add(1)
		c.fail(http.StatusGatewayTimeout, api.CodeTimeout, fmt.Sprintf("summarizing took longer than the server's %s limit (--timeout); send fewer or shorter texts", s.cfg.Timeout))
	case errors.Is(err, context.Canceled):
		m.counters.errors.Add(1)
		c.fail(http.StatusServiceUnavailable, api.CodeTimeout, "the request was cancelled")
	default:
		m.counters.errors.Add(1)
		// The error's text could quote the document: log its type only.
		s.log.Error("summarizer failed", "request_id", c.entry.id, "model", m.name, "version", m.version, "input", i, "error_type", fmt.Sprintf("%T", err))
		c.fail(http.StatusInternalServerError, api.CodeInternal, fmt.Sprintf("the summarizer failed on inputs[%d]; quote the request id when reporting it", i))
	}
}

func apiProvenance(p *summarize.Provenance) *api.Provenance {
	if p == nil {
		return nil
	}
	out := &api.Provenance{Method: p.Method, SourceSentences: p.SourceSentences, Notes: p.Notes}
	for _, n := range p.Neighbors {
		out.Neighbors = append(out.Neighbors, api.Neighbor{ID: n.ID, Similarity: n.Similarity, Summary: n.Summary})
	}
	if c := p.Check; c != nil {
		out.Check = &api.Check{Faithful: c.Faithful, Candidates: c.Candidates, Removed: c.Removed, Rejected: c.Refused}
	}
	return out
}

// apiWarnings turns the faithfulness check's issues into wire warnings.
func apiWarnings(issues []clinical.Issue) []api.Warning {
	if len(issues) == 0 {
		return nil
	}
	out := make([]api.Warning, len(issues))
	for i, is := range issues {
		w := api.Warning{Verdict: is.Verdict.String(), Kind: is.Kind.String(), Concept: is.Concept, Message: is.Message}
		if is.Summary != nil {
			w.SummarySpan = &api.Span{Start: is.Summary.Start, End: is.Summary.End}
		}
		out[i] = w
	}
	return out
}
