package server

import (
	_ "embed"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/server/ui"
)

// openAPIDoc is the OpenAPI 3.1 document of the API, written by hand to
// describe exactly the types of package api (a test holds the two
// together).
//
//go:embed openapi.json
var openAPIDoc []byte

// route is a path pattern and its endpoints by method.
type route struct {
	pattern   string
	endpoints []*endpoint
}

// routeTable lists every route the server answers. The OpenAPI test walks
// it to check each one is documented.
func routeTable() []route {
	predict, admin := registry.ScopePredict, registry.ScopeAdmin
	return []route{
		{"/ping", []*endpoint{{method: "GET", name: "ping", fn: (*Server).handlePing}}},
		{"/invocations", []*endpoint{{method: "POST", name: "invocations", scope: predict, limited: true, fn: (*Server).handleInvocations}}},
		{"/metrics", []*endpoint{{method: "GET", name: "metrics", scope: predict, fn: (*Server).handleMetrics}}},
		{"/openapi.json", []*endpoint{{method: "GET", name: "openapi", fn: (*Server).handleOpenAPI}}},
		{"/v1/classify", []*endpoint{{method: "POST", name: "classify", scope: predict, limited: true, fn: (*Server).handleClassify}}},
		{"/v1/summarize", []*endpoint{{method: "POST", name: "summarize", scope: predict, limited: true, fn: (*Server).handleSummarize}}},
		{"/v1/models", []*endpoint{{method: "GET", name: "models", scope: predict, fn: (*Server).handleModels}}},
		{"/v1/models/{name}", []*endpoint{{method: "GET", name: "model", scope: predict, fn: (*Server).handleModel}}},
		{"/v1/models/{name}/versions", []*endpoint{{method: "POST", name: "import", scope: admin, fn: (*Server).handleImport}}},
		{"/v1/models/{name}/versions/{version}", []*endpoint{{method: "GET", name: "version", scope: predict, fn: (*Server).handleVersion}}},
		{"/v1/models/{name}/versions/{version}/report", []*endpoint{{method: "GET", name: "report", scope: predict, fn: (*Server).handleReport}}},
		{"/v1/models/{name}/versions/{version}/approve", []*endpoint{{method: "POST", name: "approve", scope: admin, fn: (*Server).handleApprove}}},
		{"/v1/models/{name}/versions/{version}/reject", []*endpoint{{method: "POST", name: "reject", scope: admin, fn: (*Server).handleReject}}},
		{"/v1/datasets", []*endpoint{
			{method: "GET", name: "datasets", scope: admin, fn: (*Server).handleDatasets},
			{method: "POST", name: "dataset_upload", scope: admin, fn: (*Server).handleDatasetUpload},
		}},
		{"/v1/audit", []*endpoint{{method: "GET", name: "audit", scope: admin, fn: (*Server).handleAudit}}},
		{"/v1/auth", []*endpoint{{method: "GET", name: "auth", scope: predict, fn: (*Server).handleAuth}}},
		{"/v1/cds/preview", []*endpoint{{method: "POST", name: "cds_preview", scope: predict, limited: true, cdsBody: true, fn: (*Server).handleCDSPreview}}},
		{"/cds-services", []*endpoint{{method: "GET", name: "cds_discovery", cds: true, fn: (*Server).handleCDSDiscovery}}},
		{"/cds-services/{id}", []*endpoint{{method: "POST", name: "cds_call", cds: true, limited: true, fn: (*Server).handleCDSCall}}},
		{"/cds-services/{id}/feedback", []*endpoint{{method: "POST", name: "cds_feedback", cds: true, limited: true, fn: (*Server).handleCDSFeedback}}},
	}
}

// routes builds the handler. Methods are dispatched here rather than by
// the mux's "METHOD /path" patterns so that a wrong method gets a JSON
// 405 with Allow, like every other error.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routeTable() {
		for _, ep := range rt.endpoints {
			ep.metrics = s.metrics.route(ep.name)
		}
		h := s.dispatch(rt.endpoints)
		if strings.HasPrefix(rt.pattern, "/cds-services") {
			h = s.cdsCORS(h)
		}
		mux.Handle(rt.pattern, h)
	}
	uiEP := &endpoint{method: "GET", name: "ui", fn: (*Server).handleUI}
	uiEP.metrics = s.metrics.route("ui")
	mux.Handle("/{$}", s.dispatch([]*endpoint{uiEP}))
	mux.Handle("/ui/", s.dispatch([]*endpoint{uiEP}))
	notFound := &endpoint{name: "not_found", fn: func(s *Server, c *call) {
		c.fail(http.StatusNotFound, api.CodeNotFound, "no such endpoint; the API is described at /openapi.json")
	}}
	notFound.metrics = s.metrics.route("not_found")
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(notFound, w, r) }))
	return mux
}

func (s *Server) dispatch(eps []*endpoint) http.Handler {
	allow := make([]string, 0, len(eps)+1)
	for _, ep := range eps {
		allow = append(allow, ep.method)
		if ep.method == "GET" {
			allow = append(allow, "HEAD")
		}
	}
	allowHdr := []string{strings.Join(allow, ", ")}
	wrong := &endpoint{name: eps[0].name, fn: func(s *Server, c *call) {
		c.w.Header()["Allow"] = allowHdr
		c.fail(http.StatusMethodNotAllowed, api.CodeMethodNotAllowed, "use "+allowHdr[0]+" for this endpoint")
	}}
	wrong.metrics = eps[0].metrics
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := r.Method
		if m == "HEAD" {
			m = "GET"
		}
		for _, ep := range eps {
			if ep.method == m {
				s.serve(ep, w, r)
				return
			}
		}
		s.serve(wrong, w, r)
	})
}

var hdrPingOK = []byte(`{"status":"ok","models":`)

// handlePing answers the managed service's health check: 200 while a
// model is loaded, 503 otherwise or while draining. It needs no key.
func (s *Server) handlePing(c *call) {
	set := s.models.Load()
	if s.draining.Load() {
		c.writeJSON(http.StatusServiceUnavailable, api.Ping{Status: api.CodeShuttingDown, Models: len(set.names)})
		return
	}
	if len(set.names) == 0 {
		c.writeJSON(http.StatusServiceUnavailable, api.Ping{Status: api.CodeNoModel})
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	buf.Write(hdrPingOK)
	buf.Write(strconv.AppendInt(buf.AvailableBuffer(), int64(len(set.names)), 10))
	buf.WriteString("}\n")
	c.writeBytes(http.StatusOK, hdrJSON, buf.Bytes())
}

var hdrPrometheus = []string{"text/plain; version=0.0.4; charset=utf-8"}

func (s *Server) handleMetrics(c *call) {
	set := s.models.Load()
	buf := getBuffer()
	defer putBuffer(buf)
	s.metrics.write(buf, set.states(), set.generation)
	c.writeBytes(http.StatusOK, hdrPrometheus, buf.Bytes())
}

func (s *Server) handleOpenAPI(c *call) {
	c.w.Header()["Cache-Control"] = []string{"no-cache"}
	c.writeBytes(http.StatusOK, hdrJSON, openAPIDoc)
}

// uiCSP lets the UI load only its own files and call only its own API;
// reports are shown in a sandboxed iframe (srcdoc), whose inline styles
// need 'unsafe-inline' for styles only.
var uiCSP = []string{"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}

var uiFiles = http.FileServerFS(mustSub(ui.Files, "."))

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// handleUI serves the embedded web UI: / is index.html, /ui/... its files.
func (s *Server) handleUI(c *call) {
	h := c.w.Header()
	h["Content-Security-Policy"] = uiCSP
	h["X-Frame-Options"] = []string{"DENY"}
	h["Referrer-Policy"] = []string{"no-referrer"}
	h["Cache-Control"] = []string{"no-cache"}
	r := c.r
	if r.URL.Path == "/" {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/index.html"
		r = r2
	} else {
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.TrimPrefix(r.URL.Path, "/ui")
		r = r2
	}
	if r.URL.Path == "/index.html" {
		// FileServer redirects /index.html to /; serve the file itself.
		b, err := fs.ReadFile(ui.Files, "index.html")
		if err != nil {
			c.fail(http.StatusInternalServerError, api.CodeInternal, "the UI is missing from this build")
			return
		}
		c.writeBytes(http.StatusOK, []string{"text/html; charset=utf-8"}, b)
		return
	}
	uiFiles.ServeHTTP(c, r)
}
