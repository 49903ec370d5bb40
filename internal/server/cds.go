package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/cdshooks"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/fhir"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize"
)

// CDSConfig configures the CDS Hooks services under /cds-services.
type CDSConfig struct {
	// Trust lists the CDS clients (EHRs) whose signed JWTs are accepted:
	// issuer and JWKS URL. Without Trust or NoAuth every call is refused.
	Trust []cdsauth.Trust
	// NoAuth accepts calls without a JWT: local development only.
	NoAuth bool
	// PublicURL is the base URL EHRs call this server at
	// (https://osler.example.org); a JWT's aud must be that URL followed
	// by the path called. Default: the URL the server listens on.
	PublicURL string
	// RulesFile is the payer's coverage rules (JSON or YAML) for
	// osler-crd; empty leaves osler-crd out.
	RulesFile string
	// SummaryModel and ADEModel name the registry models the services
	// use; empty picks the only summarizer loaded, and the classifier
	// with an adverse-event label.
	SummaryModel, ADEModel string
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed
	// to call the services from a web page, such as a browser-based EHR
	// sandbox; none by default. Each is matched exactly: no wildcards.
	CORSOrigins []string
	// MaxBody bounds a CDS request (prefetched notes are large; default
	// 32 MiB).
	MaxBody int64
	// FHIRClient and AllowFHIRServer are passed to the services (tests
	// and private networks); see cdshooks.Config.
	FHIRClient      *http.Client
	AllowFHIRServer func(base string) bool
	// Now is the clock of JWT checks (default time.Now).
	Now func() time.Time
}

// Layer sets what the flags left unset from the config file's "cds"
// section, parses the trust list (trust given on the command line
// replaces the file's) and checks the public URL. given reports whether a
// flag (public-url, cds-rules, cds-summary-model, cds-ade-model,
// cds-no-auth) was set on the command line.
func (c *CDSConfig) Layer(file config.CDS, trustFlags []string, given func(flag string) bool) error {
	set := func(flag string, dst *string, v string) {
		if !given(flag) && v != "" {
			*dst = v
		}
	}
	set("public-url", &c.PublicURL, file.PublicURL)
	set("cds-rules", &c.RulesFile, file.Rules)
	set("cds-summary-model", &c.SummaryModel, file.SummaryModel)
	set("cds-ade-model", &c.ADEModel, file.ADEModel)
	if !given("cds-cors-origin") && len(file.CORSOrigins) > 0 {
		c.CORSOrigins = file.CORSOrigins
	}
	for _, o := range c.CORSOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("--cds-cors-origin %q: want an origin, scheme://host[:port], such as https://sandbox.cds-hooks.org", o)
		}
	}
	if !given("cds-no-auth") {
		c.NoAuth = file.NoAuth
	}
	trust := file.Trust
	if len(trustFlags) > 0 {
		trust = trustFlags
	}
	for _, t := range trust {
		tr, err := cdsauth.ParseTrust(t)
		if err != nil {
			return fmt.Errorf("--cds-trust %q: %w", t, err)
		}
		c.Trust = append(c.Trust, tr)
	}
	if u := c.PublicURL; u != "" {
		if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || pu.Host == "" || pu.RawQuery != "" {
			return fmt.Errorf("--public-url %q: want an absolute URL such as https://osler.example.org", u)
		}
	}
	return nil
}

// cdsCORS answers browser preflights for the CDS routes and marks the
// answers to allowed origins readable by them. Only origins listed in
// CDSConfig.CORSOrigins are allowed; credentials travel in the
// Authorization header, never in cookies, so none are allowed.
func (s *Server) cdsCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && slices.Contains(s.cfg.CDS.CORSOrigins, origin)
		h := w.Header()
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// DefaultCDSMaxBody is the default bound of a CDS Hooks request body.
const DefaultCDSMaxBody = 32 << 20

// setupCDS builds the CDS Hooks handler and the JWT verifier.
func (s *Server) setupCDS() error {
	cfg := &s.cfg.CDS
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultCDSMaxBody
	}
	hc := cdshooks.Config{Models: cdsModels{s}, HTTPClient: cfg.FHIRClient, AllowFHIRServer: cfg.AllowFHIRServer}
	if s.cfg.Store != nil {
		hc.Feedback = feedbackStore{s.cfg.Store}
	}
	if cfg.RulesFile != "" {
		rules, err := coverage.Load(cfg.RulesFile)
		if err != nil {
			return fmt.Errorf("server: --cds-rules: %w", err)
		}
		hc.Rules = rules
	}
	h, err := cdshooks.New(hc)
	if err != nil {
		return err
	}
	s.cds = h
	switch {
	case cfg.NoAuth:
		s.log.Warn("CDS Hooks authentication is OFF (--cds-no-auth): anyone who can reach the port may call the CDS services and make this server read the FHIR servers they name. Local development only.")
	case len(cfg.Trust) > 0:
		v, err := cdsauth.New(cdsauth.Config{Trust: cfg.Trust, Now: cfg.Now})
		if err != nil {
			return fmt.Errorf("server: --cds-trust: %w", err)
		}
		s.cdsAuth = v
	default:
		s.log.Info("CDS Hooks: no trusted CDS client (--cds-trust ISSUER=JWKS_URL); every call to /cds-services is refused")
	}
	return nil
}

// cdsAudiences are the aud values a JWT for this request may carry: the
// public URL of the path called (and, for feedback, of its service).
func (s *Server) cdsAudiences(r *http.Request) []string {
	base := strings.TrimRight(s.cfg.CDS.PublicURL, "/")
	out := []string{base + r.URL.Path}
	if p, ok := strings.CutSuffix(r.URL.Path, "/feedback"); ok {
		out = append(out, base+p)
	}
	return out
}

// authenticateCDS checks the CDS client's JWT. A refusal is a bare 401:
// which check failed goes to the audit log, never to the caller.
func (s *Server) authenticateCDS(c *call) bool {
	if s.cfg.CDS.NoAuth {
		c.cdsClient = "unauthenticated"
		return true
	}
	reason := "no_trusted_client"
	if s.cdsAuth != nil {
		cl, err := s.cdsAuth.Verify(c.ctx, c.r.Header.Get("Authorization"), s.cdsAudiences(c.r))
		if err == nil {
			c.cdsClient = cl.Issuer
			c.entry.keyID = "cds:" + cl.Issuer
			return true
		}
		var ae *cdsauth.Error
		if errors.As(err, &ae) {
			reason = string(ae.Reason)
		} else {
			reason = "error"
		}
	}
	if s.cfg.Store != nil && !s.cfg.Store.ReadOnly() {
		// The request's context may end with it; the entry must not.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
		if err := s.cfg.Store.RecordAudit(ctx, "cds:unverified", registry.ActionCDSDenied, c.r.URL.Path,
			map[string]string{"reason": reason, "request_id": c.entry.id}); err != nil {
			s.log.Error("audit log", "request_id", c.entry.id, "error", err.Error())
		}
		cancel()
	}
	c.entry.errCode = api.CodeUnauthorized
	c.w.Header()["Www-Authenticate"] = []string{"Bearer"}
	c.w.Header()["Content-Length"] = []string{"0"}
	c.WriteHeader(http.StatusUnauthorized)
	return false
}

// handleCDSDiscovery answers GET /cds-services.
func (s *Server) handleCDSDiscovery(c *call) {
	c.writeJSON(http.StatusOK, s.cds.Discovery())
}

// handleCDSCall answers POST /cds-services/{id}.
func (s *Server) handleCDSCall(c *call) {
	id := c.r.PathValue("id")
	if !s.cds.Has(id) {
		c.fail(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no CDS service %q; GET /cds-services lists them", id))
		return
	}
	if !c.requireJSON() {
		return
	}
	body, ok := c.readBody(s.cfg.CDS.MaxBody)
	if !ok {
		return
	}
	if !s.acquireWorker(c) {
		return
	}
	defer s.releaseWorker()
	resp, err := s.cds.Call(c.work(), id, body)
	if err != nil {
		s.cdsError(c, err)
		return
	}
	c.writeJSON(http.StatusOK, resp)
}

// handleCDSFeedback answers POST /cds-services/{id}/feedback.
func (s *Server) handleCDSFeedback(c *call) {
	if !c.requireJSON() {
		return
	}
	body, ok := c.readBody(s.cfg.MaxBody)
	if !ok {
		return
	}
	stored, err := s.cds.Feedback(c.work(), c.r.PathValue("id"), c.cdsClient, body)
	if err != nil {
		s.cdsError(c, err)
		return
	}
	c.writeJSON(http.StatusOK, map[string]int{"stored": stored})
}

// handleCDSPreview answers POST /v1/cds/preview: it builds, from one
// patient's bundle, the request an EHR would send to each service of the
// hook (or the one named), and answers them in-process as
// /cds-services/{id} would. A service's refusal (412, 400) is part of the
// answer; a request the preview itself cannot build is a 400.
func (s *Server) handleCDSPreview(c *call) {
	if !c.requireJSON() {
		return
	}
	body, ok := c.readBody(s.cfg.CDS.MaxBody)
	if !ok {
		return
	}
	var req api.CDSPreviewRequest
	if !c.decodeStrict(body, &req) {
		return
	}
	services, src, ok := s.previewServices(c, &req)
	if !ok {
		return
	}
	calls := make([][]byte, len(services))
	for i, svc := range services {
		r, err := cdshooks.NewRequest(svc, src, cdshooks.RequestOptions{Orders: req.Orders})
		if err != nil {
			// The errors of NewRequest name orders by position and
			// fields by name, never their values.
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, svc.ID+": "+err.Error())
			return
		}
		if calls[i], err = json.Marshal(r); err != nil {
			c.fail(http.StatusInternalServerError, api.CodeInternal, "encoding the CDS request failed")
			return
		}
	}
	if !s.acquireWorker(c) {
		return
	}
	defer s.releaseWorker()
	out := api.CDSPreviewResponse{Results: make([]api.CDSPreviewResult, len(services))}
	for i, svc := range services {
		out.Results[i].Service = svc
		resp, err := s.cds.Call(c.work(), svc.ID, calls[i])
		var ce *cdshooks.Error
		switch {
		case err == nil:
			out.Results[i].Response = resp
		case errors.As(err, &ce):
			out.Results[i].Error = &api.CDSError{Status: ce.Status, Message: ce.Message}
		default:
			s.cdsError(c, err)
			return
		}
	}
	c.entry.inputs = len(services)
	c.writeJSON(http.StatusOK, out)
}

// previewServices checks a preview request and returns the services it
// calls, in discovery order, and the bundle to answer them from. Its
// messages never quote the bundle or the orders.
func (s *Server) previewServices(c *call, req *api.CDSPreviewRequest) ([]api.CDSService, *cdshooks.BundleSource, bool) {
	const hooks = "patient-view, order-select or order-sign"
	switch req.Hook {
	case api.HookPatientView, api.HookOrderSelect, api.HookOrderSign:
	case "":
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"hook" is required: `+hooks)
		return nil, nil, false
	default:
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"hook" must be `+hooks)
		return nil, nil, false
	}
	if req.Hook == api.HookPatientView && len(req.Orders) > 0 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"orders" are for order-select and order-sign; patient-view takes none`)
		return nil, nil, false
	}
	if req.Hook != api.HookPatientView && len(req.Orders) == 0 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"orders" is required for `+req.Hook+`: at least one draft order (a FHIR resource with an id)`)
		return nil, nil, false
	}
	if len(req.Bundle) == 0 || string(req.Bundle) == "null" {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `"bundle" is required: one patient's FHIR Bundle`)
		return nil, nil, false
	}
	b, err := fhir.ParseBundle(req.Bundle)
	if err != nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "bundle: "+err.Error())
		return nil, nil, false
	}
	src, err := cdshooks.NewBundleSource(b)
	if err != nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "bundle: "+err.Error())
		return nil, nil, false
	}
	if req.Service != "" && !s.cds.Has(req.Service) {
		name := "named"
		if safeFieldName(req.Service) {
			name = strconv.Quote(req.Service)
		}
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "no CDS service "+name+"; GET /cds-services lists them")
		return nil, nil, false
	}
	var out []api.CDSService
	for _, svc := range s.cds.Discovery().Services {
		if svc.Hook == req.Hook && (req.Service == "" || svc.ID == req.Service) {
			out = append(out, svc)
		}
	}
	if len(out) == 0 {
		msg := "no CDS service of this server answers " + req.Hook
		if req.Service != "" {
			msg = "the service " + req.Service + " does not answer " + req.Hook
		}
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, msg)
		return nil, nil, false
	}
	return out, src, true
}

func (s *Server) cdsError(c *call, err error) {
	var ce *cdshooks.Error
	switch {
	case errors.As(err, &ce):
		code := api.CodeInvalidRequest
		switch ce.Status {
		case http.StatusNotFound:
			code = api.CodeNotFound
		case http.StatusPreconditionFailed:
			code = "precondition_failed"
		case http.StatusNotImplemented:
			code = "not_implemented"
		}
		c.fail(ce.Status, code, ce.Message)
	case errors.Is(err, context.DeadlineExceeded):
		c.fail(http.StatusGatewayTimeout, api.CodeTimeout, fmt.Sprintf("the service took longer than the server's %s limit (--timeout)", s.cfg.Timeout))
	case errors.Is(err, context.Canceled):
		c.fail(http.StatusServiceUnavailable, api.CodeTimeout, "the request was cancelled")
	case errors.Is(err, registry.ErrReadOnly):
		c.fail(http.StatusConflict, api.CodeConflict, "the registry is read-only (--read-only): feedback cannot be stored")
	default:
		// The error could quote the request: log its type only.
		s.log.Error("CDS service failed", "request_id", c.entry.id, "route", c.entry.route, "error_type", fmt.Sprintf("%T", err))
		c.fail(http.StatusInternalServerError, api.CodeInternal, "the CDS service failed; quote the request id when reporting it")
	}
}

// cdsModels gives the CDS services the models loaded at the time of the
// call.
type cdsModels struct{ s *Server }

var _ cdshooks.Models = cdsModels{}

func (m cdsModels) Summarizer() (summarize.Summarizer, cdshooks.ModelInfo, bool) {
	set := m.s.models.Load()
	pick := func(lm *loadedModel) (summarize.Summarizer, cdshooks.ModelInfo, bool) {
		if lm == nil || lm.sum == nil {
			return nil, cdshooks.ModelInfo{}, false
		}
		return lm.sum, cdshooks.ModelInfo{Name: lm.name, Version: lm.version}, true
	}
	if name := m.s.cfg.CDS.SummaryModel; name != "" {
		return pick(set.get(name))
	}
	var found *loadedModel
	for _, name := range set.names {
		if lm := set.get(name); lm.sum != nil {
			if found != nil {
				return nil, cdshooks.ModelInfo{}, false // ambiguous: --cds-summary-model says which
			}
			found = lm
		}
	}
	return pick(found)
}

// adeLabel matches the adverse-event label of a classifier.
var adeLabel = regexp.MustCompile(`(?i)^(adverse([ _-]?(drug[ _-]?)?(event|reaction))?|ade|adr)$`)

func (m cdsModels) ADE() (cdshooks.ADEModel, bool) {
	set := m.s.models.Load()
	try := func(lm *loadedModel) (cdshooks.ADEModel, bool) {
		if lm == nil || lm.clf == nil {
			return cdshooks.ADEModel{}, false
		}
		for i, l := range lm.clf.Labels() {
			if adeLabel.MatchString(l) {
				th := 0.5
				if t, ok := lm.thresholds[l]; ok {
					th = t
				} else if ts := lm.clf.Thresholds(); i < len(ts) && ts[i] > 0 {
					th = ts[i]
				}
				return cdshooks.ADEModel{Model: lm.clf, Label: i, Threshold: th, Info: cdshooks.ModelInfo{Name: lm.name, Version: lm.version}}, true
			}
		}
		return cdshooks.ADEModel{}, false
	}
	if name := m.s.cfg.CDS.ADEModel; name != "" {
		return try(set.get(name))
	}
	for _, name := range set.names {
		if a, ok := try(set.get(name)); ok {
			return a, true
		}
	}
	return cdshooks.ADEModel{}, false
}

// feedbackStore keeps CDS feedback in the registry.
type feedbackStore struct{ st *registry.Store }

func (f feedbackStore) RecordFeedback(ctx context.Context, client, service string, items []api.Feedback) (int, error) {
	rows := make([]registry.CDSFeedback, len(items))
	for i, it := range items {
		at, _ := time.Parse(time.RFC3339Nano, it.OutcomeTimestamp)
		row := registry.CDSFeedback{Card: it.Card, Outcome: it.Outcome, OutcomeAt: at}
		for _, s := range it.AcceptedSuggestions {
			row.AcceptedSuggestions = append(row.AcceptedSuggestions, s.ID)
		}
		if r := it.OverrideReason; r != nil {
			if r.Reason != nil {
				row.OverrideSystem, row.OverrideCode = r.Reason.System, r.Reason.Code
			}
			row.HasComment = strings.TrimSpace(r.UserComment) != ""
		}
		rows[i] = row
	}
	return f.st.RecordCDSFeedback(ctx, client, service, rows)
}
