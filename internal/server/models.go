package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/artifact"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize"
)

// Source names of loaded models.
const (
	sourceRegistry  = "registry"
	sourceDirectory = "directory"
)

// loadedModel is one model ready to answer requests. It is immutable once
// built, so requests read it without locks.
type loadedModel struct {
	name        string
	kind        registry.Kind
	version     int // 0 for a model served from a directory
	status      registry.Status
	pinned      bool
	source      string
	manifest    string // the registry's manifest digest ("" for directories)
	description string
	loadedAt    time.Time
	// files holds the artifact (report.html); from the registry it
	// decrypts in memory.
	files     fs.FS
	hasReport bool
	metrics   json.RawMessage

	clf *classify.Model
	// labelPrefix[i] is `{"label":"<label i>","score":` pre-encoded for
	// the /invocations encoder.
	labelPrefix [][]byte
	thresholds  map[string]float64

	sum       summarize.Summarizer
	sumMethod string

	counters *modelMetrics
}

// sameArtifact reports whether m already holds version v.
func (m *loadedModel) sameArtifact(v registry.Version) bool {
	return m != nil && m.source == sourceRegistry && m.version == v.Version && m.manifest == v.Manifest
}

// failureRetry is how long a version that failed to load is left alone.
const failureRetry = 30 * time.Second

// loadFailure records why a model's version could not be loaded.
type loadFailure struct {
	kind    registry.Kind
	version int
	err     string
	at      time.Time
}

// modelSet is the immutable set of models the server answers with. A
// reload builds a new set and swaps it in atomically: requests that
// started on the old set finish on it.
type modelSet struct {
	byName map[string]*loadedModel
	names  []string // sorted
	// def is the model /invocations uses without a target header.
	def        string
	failed     map[string]loadFailure
	generation int64
}

func (ms *modelSet) get(name string) *loadedModel { return ms.byName[name] }

func (ms *modelSet) states() []modelState {
	var out []modelState
	for _, n := range ms.names {
		m := ms.byName[n]
		out = append(out, modelState{name: n, kind: string(m.kind), version: m.version, loaded: true})
	}
	for n, f := range ms.failed {
		if _, ok := ms.byName[n]; ok && ms.byName[n].version == f.version {
			continue
		}
		out = append(out, modelState{name: n, kind: string(f.kind), version: f.version})
	}
	slices.SortFunc(out, func(a, b modelState) int { return strings.Compare(a.name, b.name) })
	return out
}

// newModelSet builds a set and chooses its default model: the configured
// one when loaded, else the only model.
func newModelSet(models map[string]*loadedModel, failed map[string]loadFailure, generation int64, preferred string) *modelSet {
	ms := &modelSet{byName: models, failed: failed, generation: generation}
	for n := range models {
		ms.names = append(ms.names, n)
	}
	slices.Sort(ms.names)
	switch {
	case preferred != "" && models[preferred] != nil:
		ms.def = preferred
	case len(ms.names) == 1:
		ms.def = ms.names[0]
	}
	return ms
}

// Pin names a model to serve from the registry, and which version: the
// newest Approved one (the default), the newest of any status, or a fixed
// number (for local testing of versions not yet approved).
type Pin struct {
	Name string
	// Version is a fixed version, or 0.
	Version int
	// Latest selects the newest version whatever its status.
	Latest bool
}

// ParsePin reads "name" or "name:approved" (newest Approved version),
// "name:latest" (newest version of any status) or "name:3".
func ParsePin(s string) (Pin, error) {
	name, sel, hasSel := strings.Cut(strings.TrimSpace(s), ":")
	if err := registry.ValidateName(name); err != nil {
		return Pin{}, fmt.Errorf("server: model %q: %w", s, err)
	}
	p := Pin{Name: name}
	if !hasSel || sel == "approved" {
		return p, nil
	}
	if sel == "latest" {
		p.Latest = true
		return p, nil
	}
	r, err := registry.ParseRef(s)
	if err != nil || r.Version <= 0 {
		return Pin{}, fmt.Errorf("server: model %q: want NAME, NAME:approved, NAME:latest or NAME:VERSION", s)
	}
	p.Version = r.Version
	return p, nil
}

// String formats the pin as ParsePin reads it.
func (p Pin) String() string {
	switch {
	case p.Version > 0:
		return fmt.Sprintf("%s:%d", p.Name, p.Version)
	case p.Latest:
		return p.Name + ":latest"
	}
	return p.Name
}

// target is a version the registry says should be served.
type target struct {
	v      registry.Version
	pinned bool
}

// registryTargets lists the versions to serve: the pinned ones, or the
// newest Approved version of every model. Models without one are left
// out (not an error).
func (s *Server) registryTargets(ctx context.Context) (map[string]target, error) {
	out := map[string]target{}
	st := s.cfg.Store
	if len(s.cfg.Pins) > 0 {
		for _, p := range s.cfg.Pins {
			var v registry.Version
			var err error
			switch {
			case p.Version > 0:
				v, err = st.Resolve(ctx, registry.Ref{Name: p.Name, Version: p.Version})
			case p.Latest:
				v, err = st.Resolve(ctx, registry.Ref{Name: p.Name})
			default:
				v, err = st.LatestApproved(ctx, p.Name)
			}
			if errors.Is(err, registry.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[p.Name] = target{v: v, pinned: p.Version > 0 || p.Latest}
		}
		return out, nil
	}
	models, err := st.Models(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		if m.LatestApproved == 0 {
			continue
		}
		v, err := st.LatestApproved(ctx, m.Name)
		if errors.Is(err, registry.ErrNotFound) {
			continue // unapproved in between
		}
		if err != nil {
			return nil, err
		}
		out[m.Name] = target{v: v}
	}
	return out, nil
}

// Reload brings the model set up to date with the registry: it loads the
// versions that should now be served, reuses the ones already loaded, and
// swaps the new set in atomically. A version that fails to load leaves
// the previously loaded version of that model (if any) serving and is
// reported in the model listing and the metrics. Serving from a directory,
// it does nothing.
func (s *Server) Reload(ctx context.Context) error {
	if s.cfg.ModelDir != "" || s.cfg.Store == nil {
		return nil
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	gen, err := s.cfg.Store.Generation(ctx)
	if err != nil {
		s.metrics.reloadsFailed.Add(1)
		return fmt.Errorf("server: reload: %w", err)
	}
	targets, err := s.registryTargets(ctx)
	if err != nil {
		s.metrics.reloadsFailed.Add(1)
		return fmt.Errorf("server: reload: %w", err)
	}
	old := s.models.Load()
	models := map[string]*loadedModel{}
	failed := map[string]loadFailure{}
	var changed []string
	for name, t := range targets {
		cur := old.get(name)
		if cur.sameArtifact(t.v) {
			if cur.status != t.v.Status || cur.pinned != t.pinned {
				c := *cur // same weights, new approval state
				c.status, c.pinned = t.v.Status, t.pinned
				cur = &c
			}
			models[name] = cur
			continue
		}
		// A version that failed to load is not retried on every registry
		// change (a damaged artifact stays damaged), only after a while
		// (the failure may have been a busy disk).
		if f, ok := old.failed[name]; ok && f.version == t.v.Version && time.Since(f.at) < failureRetry {
			failed[name] = f
			if cur != nil {
				models[name] = cur
			}
			continue
		}
		start := time.Now()
		m, err := s.loadRegistryVersion(ctx, t.v, t.pinned)
		if err != nil {
			s.metrics.loadFailures.Add(1)
			failed[name] = loadFailure{kind: t.v.Kind, version: t.v.Version, err: err.Error(), at: time.Now()}
			s.log.Error("model load failed", slog.String("model", name), slog.Int("version", t.v.Version), slog.String("error", err.Error()))
			if cur != nil {
				models[name] = cur // keep answering with the old version
				s.log.Warn("still serving the previous version", slog.String("model", name), slog.Int("version", cur.version))
			}
			continue
		}
		models[name] = m
		changed = append(changed, name)
		s.log.Info("model loaded", slog.String("model", name), slog.String("kind", string(m.kind)), slog.Int("version", m.version),
			slog.String("status", string(m.status)), slog.Bool("pinned", m.pinned), slog.Float64("load_ms", float64(time.Since(start).Microseconds())/1000))
	}
	for _, name := range old.names {
		if _, ok := targets[name]; !ok {
			changed = append(changed, name)
			s.log.Info("model unloaded", slog.String("model", name), slog.Int("version", old.get(name).version), slog.String("reason", "no version to serve (none Approved, or deleted)"))
		}
	}
	s.models.Store(newModelSet(models, failed, gen, s.cfg.DefaultModel))
	s.metrics.reloadsOK.Add(1)
	return nil
}

// loadRegistryVersion loads a version through the registry's in-memory
// artifact file system: every file is checked against its sha256 (and
// decrypted, in an encrypted home) without touching the disk.
func (s *Server) loadRegistryVersion(ctx context.Context, v registry.Version, pinned bool) (*loadedModel, error) {
	fsys, err := s.cfg.Store.ArtifactFS(ctx, v)
	if err != nil {
		return nil, err
	}
	m, err := s.loadArtifact(fsys, v.Ref().String(), v.Kind)
	if err != nil {
		return nil, err
	}
	m.version, m.status, m.pinned = v.Version, v.Status, pinned
	m.source, m.manifest, m.description = sourceRegistry, v.Manifest, v.Description
	m.name = v.Model
	m.counters = s.metrics.model(v.Model)
	if len(v.Metrics) > 0 && string(v.Metrics) != "{}" {
		m.metrics = v.Metrics
	}
	return m, nil
}

// loadArtifact loads a classifier or a trained summarizer from fsys.
// kind, when not "", must agree with the artifact.
func (s *Server) loadArtifact(fsys fs.FS, name string, kind registry.Kind) (*loadedModel, error) {
	a, err := artifact.Load(fsys, name, kind)
	if err != nil {
		return nil, err
	}
	m := &loadedModel{loadedAt: time.Now(), files: fsys, kind: a.Kind(), hasReport: a.HasReport}
	if clf := a.Classifier; clf != nil {
		m.clf, m.thresholds = clf, clf.Metadata().Thresholds
		for _, l := range clf.Labels() {
			lb, _ := json.Marshal(l)
			m.labelPrefix = append(m.labelPrefix, []byte(`{"label":`+string(lb)+`,"score":`))
		}
	} else {
		m.sum, m.sumMethod = a.Summarizer, a.Summarizer.Metadata().Method
	}
	return m, nil
}

// maxDirMetrics bounds the metrics.json read from a model directory.
const maxDirMetrics = 8 << 20

// loadDir loads the models of a directory, as the managed service lays
// them out in /opt/ml/model: the directory itself is a model (it holds
// model.json; named after the directory, or name when given), or each
// subdirectory holding a model.json is one, named after it.
func (s *Server) loadDir(dir, name string) (*modelSet, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("server: model directory: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("server: model directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("server: model directory %s is not a directory", abs)
	}
	type cand struct{ name, dir string }
	var cands []cand
	if _, err := os.Stat(filepath.Join(abs, "model.json")); err == nil {
		if name == "" {
			name = filepath.Base(abs)
		}
		cands = append(cands, cand{name, abs})
	} else {
		entries, err := os.ReadDir(abs)
		if err != nil {
			return nil, fmt.Errorf("server: model directory: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if _, err := os.Stat(filepath.Join(abs, e.Name(), "model.json")); err == nil {
				cands = append(cands, cand{e.Name(), filepath.Join(abs, e.Name())})
			}
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("server: model directory %s holds no model: want model.json in it or in its subdirectories (write one with osler train classifier --out or osler models export)", abs)
	}
	models := map[string]*loadedModel{}
	for _, c := range cands {
		fsys := os.DirFS(c.dir)
		m, err := s.loadArtifact(fsys, c.name, "")
		if err != nil {
			return nil, err
		}
		m.name, m.source = c.name, sourceDirectory
		m.counters = s.metrics.model(c.name)
		if b, err := readLimited(fsys, "metrics.json", maxDirMetrics); err == nil && json.Valid(b) {
			m.metrics = b
		}
		models[c.name] = m
		s.log.Info("model loaded", slog.String("model", c.name), slog.String("kind", string(m.kind)), slog.String("source", sourceDirectory))
	}
	return newModelSet(models, nil, 0, s.cfg.DefaultModel), nil
}

// readLimited reads a file of fsys when it is at most limit bytes.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return fs.ReadFile(fsys, path.Clean(name))
}

// watch reloads the model set whenever the registry changes, until ctx is
// done. Errors are logged and retried at the next poll.
func (s *Server) watch(ctx context.Context) {
	interval := s.cfg.ReloadInterval
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
		gen, err := s.cfg.Store.Generation(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// The loaded models keep serving (and verified keys keep
			// working, see registry.AuthCache) until the registry is back.
			s.metrics.pollErrors.Add(1)
			if !s.metrics.registryDown.Swap(true) {
				s.log.Error("registry unreachable: serving the models already loaded until it is back", slog.String("error", err.Error()))
			}
			continue
		}
		if s.metrics.registryDown.Swap(false) {
			s.log.Info("registry reachable again: catching up")
		}
		if gen == s.models.Load().generation {
			continue
		}
		if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("reload failed", slog.String("error", err.Error()))
		}
	}
}

// Pins is a comma-separated list of pins as a flag.Value (osler serve
// --models): "ade,impressions:3,triage:latest".
type Pins []Pin

// String joins the pins with commas.
func (p *Pins) String() string {
	if p == nil {
		return ""
	}
	parts := make([]string, len(*p))
	for i, pin := range *p {
		parts[i] = pin.String()
	}
	return strings.Join(parts, ",")
}

// Set parses the list, skipping empty entries.
func (p *Pins) Set(s string) error {
	var out Pins
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		pin, err := ParsePin(part)
		if err != nil {
			return err
		}
		out = append(out, pin)
	}
	*p = out
	return nil
}
