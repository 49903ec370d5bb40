package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/checksum"
	"github.com/osler-health/osler/internal/progress"
)

// Kind is what a model does.
type Kind string

// Model kinds.
const (
	KindClassifier Kind = "classifier"
	KindSummarizer Kind = "summarizer"
)

// ParseKind reads "classifier" or "summarizer".
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case KindClassifier, KindSummarizer:
		return k, nil
	}
	return "", fmt.Errorf("registry: unknown model kind %q: want classifier or summarizer", s)
}

// Status is a version's approval status, with the names managed model
// registries use.
type Status string

// Approval statuses. New versions are pending unless registered otherwise.
const (
	StatusPending  Status = "PendingManualApproval"
	StatusApproved Status = "Approved"
	StatusRejected Status = "Rejected"
)

// ParseStatus reads a status by its name, case-insensitively, or by the
// short forms "pending", "approved", "rejected".
func ParseStatus(s string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pendingmanualapproval", "pending":
		return StatusPending, nil
	case "approved":
		return StatusApproved, nil
	case "rejected":
		return StatusRejected, nil
	}
	return "", fmt.Errorf("registry: unknown status %q: want PendingManualApproval, Approved or Rejected", s)
}

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusApproved || s == StatusRejected
}

// nameRE is the rule for model names: safe in URLs, file names and shells.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidateName checks a model name.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("registry: invalid model name %q: use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. \"radiology-summary\")", name)
	}
	return nil
}

// Ref names a version: "name" or "name:latest" (the newest version),
// "name:approved" (the newest Approved version) or "name:3".
type Ref struct {
	Name string
	// Version is the number, or 0 for a selector.
	Version int
	// Approved selects the newest Approved version (when Version is 0).
	Approved bool
}

// ParseRef reads a version reference.
func ParseRef(s string) (Ref, error) {
	name, sel, hasSel := strings.Cut(strings.TrimSpace(s), ":")
	if err := ValidateName(name); err != nil {
		return Ref{}, err
	}
	r := Ref{Name: name}
	if !hasSel {
		return r, nil
	}
	switch strings.ToLower(sel) {
	case "latest":
		return r, nil
	case "approved":
		r.Approved = true
		return r, nil
	}
	v, err := strconv.Atoi(sel)
	if err != nil || v <= 0 || strings.HasPrefix(sel, "+") {
		return Ref{}, fmt.Errorf("registry: invalid version %q in %q: want a number, \"latest\" or \"approved\" (e.g. %s:3)", sel, s, name)
	}
	r.Version = v
	return r, nil
}

// String formats the reference as ParseRef reads it.
func (r Ref) String() string {
	switch {
	case r.Version > 0:
		return fmt.Sprintf("%s:%d", r.Name, r.Version)
	case r.Approved:
		return r.Name + ":approved"
	}
	return r.Name + ":latest"
}

// MarshalText writes the reference as String does.
func (r Ref) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a reference with ParseRef.
func (r *Ref) UnmarshalText(b []byte) error {
	v, err := ParseRef(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Model is a named model and a summary of its versions.
type Model struct {
	Name        string    `json:"name"`
	Kind        Kind      `json:"kind"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	// Versions is how many versions exist now.
	Versions int `json:"versions"`
	// Latest and LatestApproved are version numbers (0: none).
	Latest         int `json:"latest"`
	LatestApproved int `json:"latest_approved"`
}

// DataRef identifies a data file a version was trained, tuned or tested
// on, by content.
type DataRef struct {
	// Role is what the data was used for: "train", "dev", "test", ...
	Role string `json:"role"`
	// Path is where the file was when the model was trained (informative).
	Path    string `json:"path,omitempty"`
	SHA256  string `json:"sha256"`
	Records int64  `json:"records,omitempty"`
	Bytes   int64  `json:"bytes,omitempty"`
	// Stored reports whether the registry holds a copy ([Store.PutDataset]).
	Stored bool `json:"stored"`
}

// Version is one registered version of a model.
type Version struct {
	Model   string `json:"model"`
	Kind    Kind   `json:"kind"`
	Version int    `json:"version"`

	Status     Status    `json:"status"`
	StatusBy   string    `json:"status_by,omitempty"`
	StatusAt   time.Time `json:"status_at,omitzero"`
	StatusNote string    `json:"status_note,omitempty"`

	// Manifest is the sha256 of the artifact's manifest blob.
	Manifest string `json:"manifest"`
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`

	Metrics         json.RawMessage `json:"metrics"`
	Hyperparameters json.RawMessage `json:"hyperparameters"`
	Data            []DataRef       `json:"data"`
	// Parent is the model version this one was derived from, if any.
	Parent      *Ref   `json:"parent,omitempty"`
	Description string `json:"description,omitempty"`
	// Source records where an imported version came from.
	Source json.RawMessage `json:"source,omitempty"`

	RegisteredBy string    `json:"registered_by"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`

	id int64
}

// Ref returns the version's reference ("name:3").
func (v Version) Ref() Ref { return Ref{Name: v.Model, Version: v.Version} }

// Registration describes a version to register.
type Registration struct {
	Name        string
	Kind        Kind
	Description string
	// Artifact is the model directory to store.
	Artifact string
	// Metrics and Hyperparameters are JSON objects (nested objects are
	// fine: conditions address them as "dev.micro.f1").
	Metrics         json.RawMessage
	Hyperparameters json.RawMessage
	// Data lists the data files used (content hashes; see [HashFile]).
	Data []DataRef
	// Parent is the version this one derives from ("name:version"), which
	// must exist.
	Parent *Ref
	// By is who registers: "user:NAME", "key:ID" or a tool's name.
	By string
	// Status is the initial status; "" means PendingManualApproval.
	Status Status
	// Note goes with an initial status other than pending.
	Note string
	// Condition, when set, must hold on Metrics or nothing is registered
	// and the error wraps [ErrConditionNotMet].
	Condition *Condition
	// Progress, when set, is told how the artifact's bytes are stored (a
	// stage "storing NAME").
	Progress progress.Reporter

	// source records an import's origin (set by Import).
	source json.RawMessage
	// manifest is set by Import, which stores the blobs itself.
	manifest *Manifest
}

func actor(by string) string {
	if by = strings.TrimSpace(by); by == "" {
		return "unknown"
	}
	return by
}

// Register stores an artifact directory and records it as the next version
// of a model (created on first use). Blobs are written first, then one
// transaction records the version, its data and an audit entry; if
// anything fails or the process dies before the commit, no version
// appears.
func (s *Store) Register(ctx context.Context, r Registration) (Version, error) {
	p, err := s.newPending(r)
	if err != nil {
		return Version{}, err
	}
	if err := p.checkCondition(ctx); err != nil {
		return Version{}, err
	}
	// Blobs first: nothing refers to them until the transaction commits.
	if err := p.storeBlobs(ctx); err != nil {
		return Version{}, err
	}
	var v Version
	err = s.writeTx(ctx, true, func(tx *sql.Tx) error {
		var err error
		v, err = p.commit(ctx, tx)
		return err
	})
	if err != nil {
		return Version{}, err
	}
	return v, nil
}

// pending is a registration checked and on its way into the registry:
// [Store.Register]'s steps are its methods.
type pending struct {
	s *Store
	r Registration
	// The version's JSON columns, its initial status and who registers.
	metrics, hyper, source string
	status                 Status
	by                     string
	// The artifact's manifest and its blob's digest (storeBlobs).
	man       Manifest
	manDigest string
}

// newPending checks a registration: name, kind, JSON, status, data roles.
func (s *Store) newPending(r Registration) (*pending, error) {
	if err := ValidateName(r.Name); err != nil {
		return nil, err
	}
	kind, err := ParseKind(string(r.Kind))
	if err != nil {
		return nil, err
	}
	r.Kind = kind
	p := &pending{s: s, r: r, status: r.Status, by: actor(r.By)}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		to   *string
	}{{"metrics", r.Metrics, &p.metrics}, {"hyperparameters", r.Hyperparameters, &p.hyper}, {"source", r.source, &p.source}} {
		if *f.to, err = jsonObject(f.name, f.raw); err != nil {
			return nil, err
		}
	}
	if p.status == "" {
		p.status = StatusPending
	}
	if !p.status.Valid() {
		return nil, fmt.Errorf("registry: invalid status %q", p.status)
	}
	return p, checkDataRefs(r.Data)
}

// checkDataRefs requires one word per role, each once, with a sha256.
func checkDataRefs(data []DataRef) error {
	roles := map[string]bool{}
	for _, d := range data {
		if d.Role == "" || strings.ContainsAny(d.Role, " \t\n") {
			return fmt.Errorf("registry: data role %q: want a word such as train, dev or test", d.Role)
		}
		if roles[d.Role] {
			return fmt.Errorf("registry: data role %q given twice", d.Role)
		}
		roles[d.Role] = true
		if !validDigest(d.SHA256) {
			return fmt.Errorf("registry: data %q: invalid sha256 %q (want 64 lowercase hex digits)", d.Role, d.SHA256)
		}
	}
	return nil
}

// checkCondition evaluates the registration's condition on its metrics;
// when it does not hold, the skip is audited and the error wraps
// [ErrConditionNotMet].
func (p *pending) checkCondition(ctx context.Context) error {
	c := p.r.Condition
	if c == nil {
		return nil
	}
	m, err := FlattenMetrics(json.RawMessage(p.metrics))
	if err != nil {
		return err
	}
	ok, err := c.Eval(m)
	if err != nil || ok {
		return err
	}
	explain := c.Explain(m)
	details := map[string]any{"condition": c.String(), "values": explain}
	if err := p.s.RecordAudit(ctx, p.by, ActionRegisterSkipped, p.r.Name, details); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s (%s); %s was not registered", ErrConditionNotMet, c, explain, p.r.Name)
}

// storeBlobs stores the artifact's files (unless an import stored them)
// and its manifest, reporting the bytes stored.
func (p *pending) storeBlobs(ctx context.Context) error {
	if p.r.manifest != nil {
		p.man = *p.r.manifest
	} else {
		files, err := listArtifact(p.r.Artifact)
		if err != nil {
			return err
		}
		pr := progress.Or(p.r.Progress)
		var total int64
		for _, f := range files {
			total += f.size
		}
		pr.Stage("storing "+p.r.Name, int(total))
		stored := func(n int64) { pr.Add(int(n)) }
		for _, f := range files {
			digest, n, err := p.s.putFile(ctx, f, stored)
			if err != nil {
				return err
			}
			p.man.Files = append(p.man.Files, ManifestFile{Path: f.rel, SHA256: digest, Bytes: n})
		}
	}
	var err error
	p.manDigest, err = p.s.blobs.putBytes(ctx, p.man.encode())
	return err
}

// commit records the version in tx: the model (created on its first
// version), the next version number, the version with its data, and the
// audit entry.
func (p *pending) commit(ctx context.Context, tx *sql.Tx) (Version, error) {
	s, r := p.s, p.r
	// A concurrent gc holds the write lock while it deletes, so blobs
	// present now stay until this transaction commits.
	for _, d := range append([]string{p.manDigest}, manifestDigests(p.man)...) {
		if ok, err := s.blobs.exists(ctx, d); err != nil {
			return Version{}, err
		} else if !ok {
			return Version{}, fmt.Errorf("registry: blob %s vanished before the registration committed (a concurrent gc?); register again", d)
		}
	}
	var parent Version
	if r.Parent != nil {
		var err error
		if parent, err = s.resolve(ctx, tx, *r.Parent); err != nil {
			return Version{}, fmt.Errorf("registry: parent %s: %w", r.Parent, err)
		}
	}
	now := s.nowText()
	modelID, num, err := p.nextVersion(ctx, tx, now)
	if err != nil {
		return Version{}, err
	}
	versionID, err := p.insertVersion(ctx, tx, now, modelID, num, parent)
	if err != nil {
		return Version{}, err
	}
	action := ActionRegister
	if len(r.source) > 0 {
		action = ActionImport
	}
	details := map[string]any{"kind": r.Kind, "manifest": p.manDigest, "files": len(p.man.Files), "bytes": p.man.Bytes(), "status": p.status}
	if r.Parent != nil {
		details["parent"] = fmt.Sprintf("%s:%d", parent.Model, parent.Version)
	}
	if r.Condition != nil {
		details["condition"] = r.Condition.String()
	}
	if err := insertAudit(ctx, tx, now, p.by, action, fmt.Sprintf("%s:%d", r.Name, num), details); err != nil {
		return Version{}, err
	}
	v, err := s.versionByID(ctx, tx, versionID)
	if err == nil && beforeRegisterCommit != nil {
		beforeRegisterCommit()
	}
	return v, err
}

// nextVersion finds or creates the model and takes its next version
// number.
func (p *pending) nextVersion(ctx context.Context, tx *sql.Tx, now string) (modelID int64, num int, err error) {
	r := p.r
	var kind Kind
	err = tx.QueryRowContext(ctx, `SELECT id, kind FROM models WHERE name = ?`, r.Name).Scan(&modelID, &kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// A name used before (its model deleted) goes on from its last
		// version number: numbers are never reused.
		if err := tx.QueryRowContext(ctx, `INSERT INTO models (name, kind, description, created_at, updated_at, last_version)
			VALUES (?, ?, ?, ?, ?, coalesce((SELECT last_version FROM deleted_models WHERE name = ?), 0)) RETURNING id`,
			r.Name, r.Kind, r.Description, now, now, r.Name).Scan(&modelID); err != nil {
			return 0, 0, fmt.Errorf("registry: %w", err)
		}
	case err != nil:
		return 0, 0, fmt.Errorf("registry: %w", err)
	case kind != r.Kind:
		return 0, 0, fmt.Errorf("registry: model %s is a %s; a %s can't be a version of it (choose another name)", r.Name, kind, r.Kind)
	}
	if err := tx.QueryRowContext(ctx, `UPDATE models SET last_version = last_version + 1, updated_at = ? WHERE id = ? RETURNING last_version`,
		now, modelID).Scan(&num); err != nil {
		return 0, 0, fmt.Errorf("registry: %w", err)
	}
	return modelID, num, nil
}

// insertVersion inserts the version row and its data files.
func (p *pending) insertVersion(ctx context.Context, tx *sql.Tx, now string, modelID int64, num int, parent Version) (int64, error) {
	r := p.r
	var statusBy, statusAt any
	if p.status != StatusPending {
		statusBy, statusAt = p.by, now
	}
	var versionID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO versions (model_id, version, manifest, files, bytes, metrics, hyperparameters,
		parent_model, parent_version, description, source, status, status_by, status_at, status_note, registered_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, ''), ?, ?, ?, ?, ?) RETURNING id`,
		modelID, num, p.manDigest, len(p.man.Files), p.man.Bytes(), p.metrics, p.hyper, parent.Model, parent.Version, r.Description, p.source,
		p.status, statusBy, statusAt, r.Note, p.by, now, now).Scan(&versionID)
	if err != nil {
		return 0, fmt.Errorf("registry: %w", err)
	}
	for _, d := range r.Data {
		if _, err := tx.ExecContext(ctx, `INSERT INTO version_data (version_id, role, path, sha256, records, bytes) VALUES (?, ?, ?, ?, ?, ?)`,
			versionID, d.Role, d.Path, d.SHA256, d.Records, d.Bytes); err != nil {
			return 0, fmt.Errorf("registry: %w", err)
		}
	}
	return versionID, nil
}

// beforeRegisterCommit, when set (by tests only), runs inside Register's
// transaction just before it commits.
var beforeRegisterCommit func()

func (s *Store) putFile(ctx context.Context, f artifactFile, progress func(int64)) (string, int64, error) {
	fh, err := os.Open(f.abs)
	if err != nil {
		return "", 0, fmt.Errorf("registry: artifact: %w", err)
	}
	defer fh.Close()
	digest, n, err := s.blobs.put(ctx, fh, progress)
	if err != nil {
		return "", 0, fmt.Errorf("%w (artifact file %s)", err, f.rel)
	}
	return digest, n, nil
}

func manifestDigests(m Manifest) []string {
	d := make([]string, len(m.Files))
	for i, f := range m.Files {
		d[i] = f.SHA256
	}
	return d
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const versionColumns = `m.name, m.kind, v.id, v.version, v.manifest, v.files, v.bytes, v.metrics, v.hyperparameters,
	v.parent_model, v.parent_version, v.description, v.source, v.status, v.status_by, v.status_at, v.status_note,
	v.registered_by, v.created_at, v.updated_at
	FROM versions v JOIN models m ON m.id = v.model_id`

func scanVersion(sc interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var metrics, hyper, source, parentModel string
	var parentVersion int
	var statusAt, created, updated sql.NullString
	err := sc.Scan(&v.Model, &v.Kind, &v.id, &v.Version, &v.Manifest, &v.Files, &v.Bytes, &metrics, &hyper,
		&parentModel, &parentVersion, &v.Description, &source, &v.Status, &v.StatusBy, &statusAt, &v.StatusNote,
		&v.RegisteredBy, &created, &updated)
	if err != nil {
		return Version{}, err
	}
	v.Metrics, v.Hyperparameters = json.RawMessage(metrics), json.RawMessage(hyper)
	if source != "{}" {
		v.Source = json.RawMessage(source)
	}
	if parentModel != "" {
		v.Parent = &Ref{Name: parentModel, Version: parentVersion}
	}
	v.StatusAt, v.Created, v.Updated = parseTime(statusAt), parseTime(created), parseTime(updated)
	return v, nil
}

// loadData fills the Data of versions (keyed by row id).
func (s *Store) loadData(ctx context.Context, q queryer, vs []Version) error {
	if len(vs) == 0 {
		return nil
	}
	byID := make(map[int64]*Version, len(vs))
	ids := make([]string, len(vs))
	for i := range vs {
		byID[vs[i].id] = &vs[i]
		vs[i].Data = []DataRef{}
		ids[i] = strconv.FormatInt(vs[i].id, 10)
	}
	rows, err := q.QueryContext(ctx, `SELECT d.version_id, d.role, d.path, d.sha256, d.records, d.bytes, ds.sha256 IS NOT NULL
		FROM version_data d LEFT JOIN datasets ds ON ds.sha256 = d.sha256
		WHERE d.version_id IN (`+strings.Join(ids, ",")+`) ORDER BY d.version_id, d.role`)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d DataRef
		if err := rows.Scan(&id, &d.Role, &d.Path, &d.SHA256, &d.Records, &d.Bytes, &d.Stored); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if v := byID[id]; v != nil {
			v.Data = append(v.Data, d)
		}
	}
	return rows.Err()
}

func (s *Store) versionByID(ctx context.Context, q queryer, id int64) (Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+` WHERE v.id = ?`, id))
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	vs := []Version{v}
	if err := s.loadData(ctx, q, vs); err != nil {
		return Version{}, err
	}
	return vs[0], nil
}

// notFound builds an ErrNotFound error naming what is missing.
func notFound(format string, args ...any) error {
	return fmt.Errorf("registry: %s: %w", fmt.Sprintf(format, args...), ErrNotFound)
}

// resolve finds the version a reference names.
func (s *Store) resolve(ctx context.Context, q queryer, r Ref) (Version, error) {
	var row *sql.Row
	switch {
	case r.Version > 0:
		row = q.QueryRowContext(ctx, `SELECT `+versionColumns+` WHERE m.name = ? AND v.version = ?`, r.Name, r.Version)
	case r.Approved:
		row = q.QueryRowContext(ctx, `SELECT `+versionColumns+` WHERE m.name = ? AND v.status = 'Approved' ORDER BY v.version DESC LIMIT 1`, r.Name)
	default:
		row = q.QueryRowContext(ctx, `SELECT `+versionColumns+` WHERE m.name = ? ORDER BY v.version DESC LIMIT 1`, r.Name)
	}
	v, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		var exists bool
		q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM models WHERE name = ?)`, r.Name).Scan(&exists)
		switch {
		case !exists:
			return Version{}, notFound("no model named %s", r.Name)
		case r.Version > 0:
			return Version{}, notFound("model %s has no version %d", r.Name, r.Version)
		case r.Approved:
			return Version{}, notFound("model %s has no Approved version", r.Name)
		default:
			return Version{}, notFound("model %s has no versions", r.Name)
		}
	}
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	vs := []Version{v}
	if err := s.loadData(ctx, q, vs); err != nil {
		return Version{}, err
	}
	return vs[0], nil
}

// Resolve returns the version a reference names.
func (s *Store) Resolve(ctx context.Context, r Ref) (Version, error) {
	return s.resolve(ctx, s.db, r)
}

// LatestApproved returns the newest Approved version of a model: the one
// a server serves by default. The error wraps [ErrNotFound] when there is
// none.
func (s *Store) LatestApproved(ctx context.Context, name string) (Version, error) {
	return s.resolve(ctx, s.db, Ref{Name: name, Approved: true})
}

// Models lists every model, by name.
func (s *Store) Models(ctx context.Context) ([]Model, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.name, m.kind, m.description, m.created_at, m.updated_at,
		count(v.id), coalesce(max(v.version), 0), coalesce(max(CASE WHEN v.status = 'Approved' THEN v.version END), 0)
		FROM models m LEFT JOIN versions v ON v.model_id = m.id GROUP BY m.id ORDER BY m.name`)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer rows.Close()
	models := []Model{}
	for rows.Next() {
		var m Model
		var created, updated sql.NullString
		if err := rows.Scan(&m.Name, &m.Kind, &m.Description, &created, &updated, &m.Versions, &m.Latest, &m.LatestApproved); err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		m.Created, m.Updated = parseTime(created), parseTime(updated)
		models = append(models, m)
	}
	return models, rows.Err()
}

// Model returns one model's summary.
func (s *Store) Model(ctx context.Context, name string) (Model, error) {
	models, err := s.Models(ctx)
	if err != nil {
		return Model{}, err
	}
	for _, m := range models {
		if m.Name == name {
			return m, nil
		}
	}
	return Model{}, notFound("no model named %s", name)
}

// Versions lists a model's versions, oldest first.
func (s *Store) Versions(ctx context.Context, name string) ([]Version, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer tx.Rollback()
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM models WHERE name = ?)`, name).Scan(&exists); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	if !exists {
		return nil, notFound("no model named %s", name)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+versionColumns+` WHERE m.name = ? ORDER BY v.version`, name)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	vs := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("registry: %w", err)
		}
		vs = append(vs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	if err := s.loadData(ctx, tx, vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// AllVersions lists every version of every model.
func (s *Store) AllVersions(ctx context.Context) ([]Version, error) {
	models, err := s.Models(ctx)
	if err != nil {
		return nil, err
	}
	var all []Version
	for _, m := range models {
		vs, err := s.Versions(ctx, m.Name)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		all = append(all, vs...)
	}
	return all, nil
}

// SetStatus changes a version's approval status, recording who, when and
// why, in one transaction with its audit entry. Setting the status a
// version already has changes nothing and returns changed false.
func (s *Store) SetStatus(ctx context.Context, ref Ref, status Status, by, note string) (v Version, changed bool, err error) {
	if !status.Valid() {
		return Version{}, false, fmt.Errorf("registry: invalid status %q", status)
	}
	by = actor(by)
	err = s.writeTx(ctx, false, func(tx *sql.Tx) error {
		cur, err := s.resolve(ctx, tx, ref)
		if err != nil {
			return err
		}
		if cur.Status == status {
			v = cur
			return nil
		}
		now := s.nowText()
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET status = ?, status_by = ?, status_at = ?, status_note = ?, updated_at = ? WHERE id = ?`,
			status, by, now, note, now, cur.id); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE models SET updated_at = ? WHERE name = ?`, now, cur.Model); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		action := map[Status]string{StatusApproved: ActionApprove, StatusRejected: ActionReject, StatusPending: ActionPending}[status]
		details := map[string]any{"from": cur.Status, "to": status}
		if note != "" {
			details["note"] = note
		}
		if err := insertAudit(ctx, tx, now, by, action, cur.Ref().String(), details); err != nil {
			return err
		}
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
		changed = true
		v, err = s.versionByID(ctx, tx, cur.id)
		return err
	})
	if err != nil {
		return Version{}, false, err
	}
	return v, changed, nil
}

// Approve sets a version's status to Approved.
func (s *Store) Approve(ctx context.Context, ref Ref, by, note string) (Version, bool, error) {
	return s.SetStatus(ctx, ref, StatusApproved, by, note)
}

// Reject sets a version's status to Rejected.
func (s *Store) Reject(ctx context.Context, ref Ref, by, note string) (Version, bool, error) {
	return s.SetStatus(ctx, ref, StatusRejected, by, note)
}

// DeleteVersion removes a version's record (its blobs stay until
// [Store.GC]). An Approved version may be serving, so deleting one needs
// force; otherwise the error wraps [ErrApproved]. Version numbers are not
// reused.
func (s *Store) DeleteVersion(ctx context.Context, ref Ref, by string, force bool) (Version, error) {
	by = actor(by)
	var v Version
	err := s.writeTx(ctx, true, func(tx *sql.Tx) error {
		var err error
		if v, err = s.resolve(ctx, tx, ref); err != nil {
			return err
		}
		if v.Status == StatusApproved && !force {
			return fmt.Errorf("%w: %s may be serving; reject it first or pass --force", ErrApproved, v.Ref())
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE id = ?`, v.id); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		now := s.nowText()
		if _, err := tx.ExecContext(ctx, `UPDATE models SET updated_at = ? WHERE name = ?`, now, v.Model); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		return insertAudit(ctx, tx, now, by, ActionDeleteVersion, v.Ref().String(),
			map[string]any{"status": v.Status, "manifest": v.Manifest, "forced": force && v.Status == StatusApproved})
	})
	return v, err
}

// DeleteModel removes a model and all its versions (blobs stay until
// [Store.GC]) and returns how many versions went. With an Approved
// version it needs force. Version numbers are not reused: a model
// registered again under the name continues after the last one.
func (s *Store) DeleteModel(ctx context.Context, name, by string, force bool) (int, error) {
	by = actor(by)
	var n int
	err := s.writeTx(ctx, true, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM models WHERE name = ?`, name).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return notFound("no model named %s", name)
		} else if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		var approved int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(CASE WHEN status = 'Approved' THEN 1 END) FROM versions WHERE model_id = ?`, id).Scan(&n, &approved); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if approved > 0 && !force {
			return fmt.Errorf("%w: model %s has %d Approved version(s) that may be serving; reject them first or pass --force", ErrApproved, name, approved)
		}
		// Remember the last number given, so a model registered again
		// under this name does not reuse the deleted versions' numbers.
		if _, err := tx.ExecContext(ctx, `INSERT INTO deleted_models (name, last_version) SELECT name, last_version FROM models WHERE id = ?
			ON CONFLICT (name) DO UPDATE SET last_version = CASE WHEN excluded.last_version > deleted_models.last_version
			THEN excluded.last_version ELSE deleted_models.last_version END`, id); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM models WHERE id = ?`, id); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		return insertAudit(ctx, tx, s.nowText(), by, ActionDeleteModel, name, map[string]any{"versions": n, "forced": force && approved > 0})
	})
	return n, err
}

// HashFile returns a file's sha256 and size, for [DataRef].
func HashFile(ctx context.Context, path string) (string, int64, error) {
	sum, n, err := checksum.File(ctx, path)
	if err != nil {
		return "", 0, fmt.Errorf("registry: %w", err)
	}
	return sum, n, nil
}
