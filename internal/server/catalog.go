package server

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/artifact"
	"github.com/osler-health/osler/internal/registry"
)

// The catalog endpoints: model listings, versions, reports, and the admin
// changes (approve, reject, import, datasets, audit log).

// apiVersion converts a registry version for the wire; full includes its
// metrics, hyperparameters and data lineage.
func apiVersion(v registry.Version, serving bool, full bool) api.Version {
	out := api.Version{
		Version: v.Version, Status: string(v.Status), StatusBy: v.StatusBy, StatusAt: v.StatusAt, StatusNote: v.StatusNote,
		Serving: serving, RegisteredBy: v.RegisteredBy, Created: v.Created, Files: v.Files, Bytes: v.Bytes, Description: v.Description,
	}
	if v.Parent != nil {
		out.Parent = v.Parent.String()
	}
	if full {
		out.Metrics, out.Hyperparameters = v.Metrics, v.Hyperparameters
		out.Data = make([]api.DataRef, 0, len(v.Data))
		for _, d := range v.Data {
			out.Data = append(out.Data, api.DataRef{Role: d.Role, Path: d.Path, SHA256: d.SHA256, Records: d.Records, Bytes: d.Bytes, Stored: d.Stored})
		}
	}
	return out
}

// serving describes a loaded model.
func serving(m *loadedModel, withMetrics bool) *api.Serving {
	sv := &api.Serving{Version: m.version, Status: string(m.status), Pinned: m.pinned, LoadedAt: m.loadedAt, HasReport: m.hasReport}
	if m.clf != nil {
		sv.Mode = string(m.clf.Mode())
		sv.Labels = m.clf.Labels()
		sv.Thresholds = m.thresholds
	}
	if m.sum != nil {
		sv.Method = m.sumMethod
	}
	if withMetrics {
		sv.Metrics = m.metrics
	}
	return sv
}

// describe builds a model's description from the loaded set and, when
// there is one, the registry.
func (s *Server) describe(ctx context.Context, set *modelSet, rm *registry.Model, name string, withMetrics bool) (api.Model, error) {
	m := set.get(name)
	out := api.Model{Name: name, State: api.StateNotServed, Source: sourceRegistry, Versions: []api.Version{}}
	if rm != nil {
		out.Kind, out.Description, out.LatestApproved = string(rm.Kind), rm.Description, rm.LatestApproved
	}
	if m != nil {
		out.Kind, out.Source, out.State = string(m.kind), m.source, api.StateLoaded
		if out.Description == "" {
			out.Description = m.description
		}
		out.Serving = serving(m, withMetrics)
	}
	if f, ok := set.failed[name]; ok && (m == nil || m.version != f.version) {
		out.State, out.Error = api.StateFailed, fmt.Sprintf("version %d: %s", f.version, f.err)
		if out.Kind == "" {
			out.Kind = string(f.kind)
		}
	}
	if rm != nil && s.cfg.Store != nil {
		vs, err := s.cfg.Store.Versions(ctx, name)
		if err != nil {
			return out, err
		}
		for i := len(vs) - 1; i >= 0; i-- {
			v := vs[i]
			isServing := m != nil && m.source == sourceRegistry && m.version == v.Version
			out.Versions = append(out.Versions, apiVersion(v, isServing, false))
		}
	}
	return out, nil
}

// catalogFromRegistry reports whether listings come from the registry
// (rather than only the loaded directory models).
func (s *Server) catalogFromRegistry() bool { return s.cfg.Store != nil && s.cfg.ModelDir == "" }

func (s *Server) handleModels(c *call) {
	set := s.models.Load()
	list := api.ModelList{Models: []api.Model{}, Default: set.def}
	if s.catalogFromRegistry() {
		rms, err := s.cfg.Store.Models(c.ctx)
		if err != nil {
			s.internalError(c, "listing models", err)
			return
		}
		pinned := map[string]bool{}
		for _, p := range s.cfg.Pins {
			pinned[p.Name] = true
		}
		for i := range rms {
			if len(pinned) > 0 && !pinned[rms[i].Name] {
				continue
			}
			d, err := s.describe(c.ctx, set, &rms[i], rms[i].Name, false)
			if err != nil {
				s.internalError(c, "listing versions", err)
				return
			}
			list.Models = append(list.Models, d)
		}
	} else {
		for _, n := range set.names {
			d, _ := s.describe(c.ctx, set, nil, n, false)
			list.Models = append(list.Models, d)
		}
	}
	c.writeJSON(http.StatusOK, list)
}

func (s *Server) handleModel(c *call) {
	name := c.r.PathValue("name")
	set := s.models.Load()
	var rm *registry.Model
	if s.catalogFromRegistry() {
		m, err := s.cfg.Store.Model(c.ctx, name)
		if err != nil && !errors.Is(err, registry.ErrNotFound) {
			s.internalError(c, "reading the model", err)
			return
		}
		if err == nil {
			rm = &m
		}
	}
	if rm == nil && set.get(name) == nil {
		c.fail(http.StatusNotFound, api.CodeUnknownModel, "no model named "+quoteName(name))
		return
	}
	d, err := s.describe(c.ctx, set, rm, name, true)
	if err != nil {
		s.internalError(c, "listing versions", err)
		return
	}
	c.writeJSON(http.StatusOK, d)
}

// versionArg reads the {version} path segment: a number, or "serving"
// for the loaded version (the only one of a directory model, numbered 0).
func (s *Server) versionArg(c *call) (name string, v int, ok bool) {
	name = c.r.PathValue("name")
	arg := c.r.PathValue("version")
	if arg == "serving" {
		m := s.models.Load().get(name)
		if m == nil {
			c.fail(http.StatusNotFound, api.CodeUnknownModel, "no model named "+quoteName(name)+" is served")
			return "", 0, false
		}
		return name, m.version, true
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "the version must be a number or \"serving\"")
		return "", 0, false
	}
	return name, n, true
}

// registryVersion resolves name:version in the registry, answering 404 when
// it does not exist.
func (s *Server) registryVersion(c *call, name string, n int) (registry.Version, bool) {
	if s.cfg.Store == nil || n == 0 {
		c.fail(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no version %d of %s in the registry", n, quoteName(name)))
		return registry.Version{}, false
	}
	v, err := s.cfg.Store.Resolve(c.ctx, registry.Ref{Name: name, Version: n})
	if errors.Is(err, registry.ErrNotFound) {
		c.fail(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no version %d of %s in the registry", n, quoteName(name)))
		return v, false
	}
	if err != nil {
		s.internalError(c, "reading the version", err)
		return v, false
	}
	return v, true
}

func (s *Server) handleVersion(c *call) {
	name, n, ok := s.versionArg(c)
	if !ok {
		return
	}
	m := s.models.Load().get(name)
	if n == 0 && m != nil && m.version == 0 {
		// a directory model
		c.writeJSON(http.StatusOK, api.Version{Version: 0, Serving: true, Created: m.loadedAt, Metrics: m.metrics, Data: []api.DataRef{}, HasReport: m.hasReport})
		return
	}
	v, ok := s.registryVersion(c, name, n)
	if !ok {
		return
	}
	isServing := m != nil && m.source == sourceRegistry && m.version == v.Version
	out := apiVersion(v, isServing, true)
	man, err := s.cfg.Store.Manifest(c.ctx, v)
	if err != nil {
		s.internalError(c, "reading the manifest", err)
		return
	}
	_, out.HasReport = man.Find("report.html")
	c.writeJSON(http.StatusOK, out)
}

// reportCSP keeps a report inert wherever it is opened: no scripts, no
// network, inline styles and images only.
var reportCSP = []string{"sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"}

// handleReport serves a version's report.html (the evaluation report
// written at training), read through the registry's checks.
func (s *Server) handleReport(c *call) {
	name, n, ok := s.versionArg(c)
	if !ok {
		return
	}
	var fsys fs.FS
	if m := s.models.Load().get(name); m != nil && m.version == n {
		fsys = m.files
	} else {
		v, ok := s.registryVersion(c, name, n)
		if !ok {
			return
		}
		var err error
		if fsys, err = s.cfg.Store.ArtifactFS(c.ctx, v); err != nil {
			s.internalError(c, "opening the artifact", err)
			return
		}
	}
	b, err := fs.ReadFile(fsys, "report.html")
	if errors.Is(err, fs.ErrNotExist) {
		c.fail(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("version %d of %s has no report.html", n, quoteName(name)))
		return
	}
	if err != nil {
		s.internalError(c, "reading report.html", err)
		return
	}
	h := c.w.Header()
	h["Content-Security-Policy"] = reportCSP
	c.writeBytes(http.StatusOK, []string{"text/html; charset=utf-8"}, b)
}

func (s *Server) handleApprove(c *call) { s.changeStatus(c, registry.StatusApproved) }
func (s *Server) handleReject(c *call)  { s.changeStatus(c, registry.StatusRejected) }

// maxNote bounds an approval note.
const maxNote = 2000

// changeStatus approves or rejects a version, then reloads the model set
// so the answer reflects what is served.
func (s *Server) changeStatus(c *call, status registry.Status) {
	if s.cfg.Store == nil {
		c.fail(http.StatusNotFound, api.CodeNotFound, "this server has no registry")
		return
	}
	name, n, ok := s.versionArg(c)
	if !ok {
		return
	}
	var req api.StatusChange
	if c.r.ContentLength != 0 {
		if !c.requireJSON() {
			return
		}
		body, ok := c.readBody(64 << 10)
		if !ok {
			return
		}
		if len(strings.TrimSpace(string(body))) > 0 && !c.decodeStrict(body, &req) {
			return
		}
	}
	if len(req.Note) > maxNote || strings.IndexFunc(req.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, fmt.Sprintf(`"note" must be at most %d characters of text`, maxNote))
		return
	}
	v, changed, err := s.cfg.Store.SetStatus(c.ctx, registry.Ref{Name: name, Version: n}, status, s.actor(c), req.Note)
	if errors.Is(err, registry.ErrNotFound) {
		c.fail(http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no version %d of %s in the registry", n, quoteName(name)))
		return
	}
	if err != nil {
		s.internalError(c, "changing the status", err)
		return
	}
	c.entry.model, c.entry.version = name, n
	if changed {
		if err := s.Reload(c.ctx); err != nil {
			s.log.Error("reload after a status change failed", slog.String("error", err.Error()))
		}
	}
	m := s.models.Load().get(name)
	isServing := m != nil && m.source == sourceRegistry && m.version == v.Version
	c.writeJSON(http.StatusOK, api.StatusChangeResult{Version: apiVersion(v, isServing, false), Changed: changed})
}

// actor names who acts for the audit log: the key, or the server when auth
// is off.
func (s *Server) actor(c *call) string {
	if c.key != nil {
		return c.key.Actor()
	}
	return "server:no-auth"
}

// gzipReader undoes gzip when the stream starts with its magic bytes.
func gzipReader(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	}
	return br, func() {}, nil
}

// handleImport registers an export (`osler models export`) as the next
// version of the model in the path. The new version is pending approval.
func (s *Server) handleImport(c *call) {
	if s.cfg.Store == nil {
		c.fail(http.StatusNotFound, api.CodeNotFound, "this server has no registry")
		return
	}
	name := c.r.PathValue("name")
	if err := registry.ValidateName(name); err != nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "the model name is not valid: "+err.Error())
		return
	}
	switch mediaType(c.r.Header.Get("Content-Type")) {
	case "application/x-tar", "application/gzip", "application/x-gzip", "application/octet-stream", "":
	default:
		c.fail(http.StatusUnsupportedMediaType, api.CodeUnsupportedMediaType, "send the export (osler models export) as application/x-tar or application/gzip")
		return
	}
	if c.r.ContentLength > s.cfg.MaxUpload {
		c.fail(http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("the upload is larger than the server's limit of %d bytes (--max-upload)", s.cfg.MaxUpload))
		return
	}
	c.extendDeadlines()
	body := http.MaxBytesReader(c.w, c.r.Body, s.cfg.MaxUpload)
	r, done, err := gzipReader(body)
	if err != nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "the upload is not a valid gzip stream")
		return
	}
	defer done()
	// --max-upload bounds the artifact unpacked too, not only the bytes
	// sent: a small .tar.gz can unpack to gigabytes.
	v, err := s.cfg.Store.Import(c.ctx, r, registry.ImportOptions{Name: name, By: s.actor(c), Source: "osler serve upload", MaxBytes: s.cfg.MaxUpload,
		Check: s.checkUpload})
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.fail(http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("the upload is larger than the server's limit of %d bytes (--max-upload)", s.cfg.MaxUpload))
			return
		}
		// Import's errors describe the archive (format, paths, checksums),
		// not model or patient content.
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "the upload is not a valid Osler model export: "+err.Error())
		return
	}
	c.entry.model, c.entry.version = v.Model, v.Version
	c.writeJSON(http.StatusCreated, apiVersion(v, false, false))
}

// checkUpload loads an uploaded Osler model as it would be served, before
// it is registered: an artifact whose checksums hold but whose content
// the loader refuses (crafted and re-signed) is refused at upload, not
// found when it is approved. Artifacts of other tools are not loaded.
func (s *Server) checkUpload(_ context.Context, kind registry.Kind, fsys fs.FS) error {
	return artifact.Check(fsys, kind, "the uploaded model")
}

// uploadTime is how long an admin upload may take: the server's read and
// write timeouts suit requests of a megabyte, not gigabytes.
const uploadTime = time.Hour

// extendDeadlines gives an upload's connection uploadTime to finish.
func (c *call) extendDeadlines() {
	rc := http.NewResponseController(c.w)
	d := time.Now().Add(uploadTime)
	rc.SetReadDeadline(d)  // not every ResponseWriter supports it (tests)
	rc.SetWriteDeadline(d) // likewise
}

// maxDatasetName bounds a dataset's name.
const maxDatasetName = 200

func (s *Server) handleDatasetUpload(c *call) {
	if s.cfg.Store == nil {
		c.fail(http.StatusNotFound, api.CodeNotFound, "this server has no registry")
		return
	}
	name := c.r.URL.Query().Get("name")
	if name == "" || len(name) > maxDatasetName || strings.ContainsAny(name, "/\\") || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, fmt.Sprintf("give the dataset a file name (?name=train.jsonl): 1-%d characters, no slashes", maxDatasetName))
		return
	}
	if c.r.ContentLength > s.cfg.MaxUpload {
		c.fail(http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("the upload is larger than the server's limit of %d bytes (--max-upload)", s.cfg.MaxUpload))
		return
	}
	c.extendDeadlines()
	body := http.MaxBytesReader(c.w, c.r.Body, s.cfg.MaxUpload)
	d, err := s.cfg.Store.PutDataset(c.ctx, name, body, s.actor(c))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.fail(http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("the upload is larger than the server's limit of %d bytes (--max-upload)", s.cfg.MaxUpload))
			return
		}
		if c.ctx.Err() != nil {
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "the upload was cut off")
			return
		}
		s.internalError(c, "storing the dataset", err)
		return
	}
	c.writeJSON(http.StatusCreated, apiDataset(d))
}

func apiDataset(d registry.Dataset) api.Dataset {
	return api.Dataset{SHA256: d.SHA256, Name: d.Name, Bytes: d.Bytes, Created: d.Created, CreatedBy: d.CreatedBy, Versions: d.Versions}
}

func (s *Server) handleDatasets(c *call) {
	if s.cfg.Store == nil {
		c.fail(http.StatusNotFound, api.CodeNotFound, "this server has no registry")
		return
	}
	ds, err := s.cfg.Store.Datasets(c.ctx)
	if err != nil {
		s.internalError(c, "listing datasets", err)
		return
	}
	out := api.DatasetList{Datasets: make([]api.Dataset, len(ds))}
	for i, d := range ds {
		out.Datasets[i] = apiDataset(d)
	}
	c.writeJSON(http.StatusOK, out)
}

// defaultAuditLimit and maxAuditLimit bound GET /v1/audit.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 10000
)

func (s *Server) handleAudit(c *call) {
	if s.cfg.Store == nil {
		c.fail(http.StatusNotFound, api.CodeNotFound, "this server has no registry")
		return
	}
	q := c.r.URL.Query()
	aq := registry.AuditQuery{Limit: defaultAuditLimit, Action: q.Get("action"), Target: q.Get("target"), Actor: q.Get("actor")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAuditLimit {
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, fmt.Sprintf("limit must be 1-%d", maxAuditLimit))
			return
		}
		aq.Limit = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "since must be an RFC 3339 time (2026-01-02T15:04:05Z)")
			return
		}
		aq.Since = t
	}
	entries, err := s.cfg.Store.Audit(c.ctx, aq)
	if err != nil {
		s.internalError(c, "reading the audit log", err)
		return
	}
	out := api.AuditLog{Entries: make([]api.AuditEntry, len(entries))}
	for i, e := range entries {
		out.Entries[i] = api.AuditEntry{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target, Details: e.Details}
	}
	c.writeJSON(http.StatusOK, out)
}

func (s *Server) handleAuth(c *call) {
	if s.cfg.NoAuth {
		c.writeJSON(http.StatusOK, api.Identity{Auth: false, Scopes: []string{string(registry.ScopePredict), string(registry.ScopeAdmin)}})
		return
	}
	id := api.Identity{Auth: true, KeyID: c.key.ID, Name: c.key.Name, Scopes: []string{}}
	for _, sc := range c.key.Scopes {
		id.Scopes = append(id.Scopes, string(sc))
	}
	if c.key.Has(registry.ScopeAdmin) && !slices.Contains(id.Scopes, string(registry.ScopePredict)) {
		id.Scopes = append([]string{string(registry.ScopePredict)}, id.Scopes...)
	}
	c.writeJSON(http.StatusOK, id)
}

// internalError logs an unexpected failure (registry errors name files and
// ids, never request text) and answers 500, or 504 when the request's
// time ran out.
func (s *Server) internalError(c *call, what string, err error) {
	if errors.Is(err, registry.ErrReadOnly) {
		c.fail(http.StatusConflict, api.CodeConflict, what+" is not possible: this server opened its registry read-only (osler serve --read-only); make the change where the home can be written")
		return
	}
	if c.ctx.Err() != nil {
		c.fail(http.StatusGatewayTimeout, api.CodeTimeout, what+": the request was cancelled or timed out")
		return
	}
	s.log.Error(what+" failed", slog.String("request_id", c.entry.id), slog.String("route", c.entry.route), slog.String("error", err.Error()))
	c.fail(http.StatusInternalServerError, api.CodeInternal, what+" failed; quote the request id when reporting it")
}
