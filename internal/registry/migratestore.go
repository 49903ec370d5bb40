package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/progress"
)

// ActionMigrate records a registry copied into this one by [Migrate].
const ActionMigrate = "registry.migrate"

// MigrateReport says what [Migrate] copied.
type MigrateReport struct {
	Models       int   `json:"models"`
	Versions     int   `json:"versions"`
	Datasets     int   `json:"datasets"`
	Keys         int   `json:"keys"`
	AuditEntries int   `json:"audit_entries"`
	CDSFeedback  int   `json:"cds_feedback"`
	Blobs        int   `json:"blobs"`
	Bytes        int64 `json:"bytes"`
	// Verified counts the versions whose every file was read back from
	// the target and matched its size and sha256.
	Verified int `json:"verified"`
	// Target (without its password) and Artifacts say where the copy is
	// ([MigrateConfig]).
	Target    string `json:"target,omitempty"`
	Artifacts string `json:"artifacts,omitempty"`
}

// copiedTable is a table [Migrate] copies, with the columns it copies.
type copiedTable struct {
	name, columns, order string
	// count says which MigrateReport field counts its rows, if any.
	count func(*MigrateReport) *int
}

// copiedTables are the tables Migrate copies, parents first. Ids of
// models, versions and CDS feedback are kept (versions refer to models,
// data to versions); the audit log and API keys are appended in order
// after the target's own creation entry, so their sequence numbers
// follow it. registry_meta (the encryption setting, decided when the
// target was created) and the change counter are not copied.
func copiedTables(src *dialect) []copiedTable {
	return []copiedTable{
		{"models", "id, name, kind, description, created_at, updated_at, last_version", "id", func(r *MigrateReport) *int { return &r.Models }},
		{"versions", "id, model_id, version, manifest, files, bytes, metrics, hyperparameters, parent_model, parent_version, description, source, " +
			"status, status_by, status_at, status_note, registered_by, created_at, updated_at", "id", func(r *MigrateReport) *int { return &r.Versions }},
		{"version_data", "version_id, role, path, sha256, records, bytes", "version_id, role", nil},
		{"deleted_models", "name, last_version", "name", nil},
		{"datasets", "sha256, name, bytes, created_at, created_by", "sha256", func(r *MigrateReport) *int { return &r.Datasets }},
		{"api_keys", "id, name, scopes, hash, created_at, created_by, expires_at, last_used_at, revoked_at, revoked_by", src.keyOrder, func(r *MigrateReport) *int { return &r.Keys }},
		{"audit_log", "at, actor, action, target, details", "seq", func(r *MigrateReport) *int { return &r.AuditEntries }},
		{"cds_feedback", "seq, received_at, client, service, card, outcome, outcome_at, accepted_suggestions, override_system, override_code, has_comment",
			"seq", func(r *MigrateReport) *int { return &r.CDSFeedback }},
	}
}

// Migrate copies the registry from into to, which must be empty (no
// models, versions, datasets, keys, feedback, nor audit entries but its
// creation): every model and version (same numbers, statuses, approvals,
// lineage and metrics), the numbers of deleted models, datasets, API keys
// (their hashes: the secrets keep working), the audit log and CDS
// feedback, and the blobs of every artifact and dataset. Both must be
// encrypted alike (with the same master key, or none).
//
// Blobs are copied first (content-addressed, so copying again is
// harmless), then every row in one transaction, so a failed migration
// leaves to as empty as it found it and can be run again. Afterwards
// every version's files are read back from to and checked against their
// sizes and sha256s. from is only read; stop writers to it (servers,
// training jobs) before migrating, or their changes are not copied.
func Migrate(ctx context.Context, from, to *Store, pr progress.Reporter) (MigrateReport, error) {
	var rep MigrateReport
	pr = progress.Or(pr)
	if to.readOnly {
		return rep, ErrReadOnly
	}
	if from.encrypted != to.encrypted {
		return rep, fmt.Errorf("registry: migrate: the source is %s and the target %s: open both with the same master key (or none)",
			encryptedWord(from.encrypted), encryptedWord(to.encrypted))
	}
	if err := to.checkEmpty(ctx); err != nil {
		return rep, err
	}
	versions, err := from.AllVersions(ctx)
	if err != nil {
		return rep, err
	}
	datasets, err := from.Datasets(ctx)
	if err != nil {
		return rep, err
	}
	if err := copyBlobs(ctx, from, to, versions, datasets, &rep, pr); err != nil {
		return rep, err
	}
	err = to.writeTx(ctx, true, func(tx *sql.Tx) error {
		for _, t := range copiedTables(from.dialect) {
			n, err := copyRows(ctx, from.db, tx, t)
			if err != nil {
				return fmt.Errorf("registry: migrate %s: %w", t.name, err)
			}
			if t.count != nil {
				*t.count(&rep) = n
			}
		}
		if to.dialect.afterCopy != "" {
			if _, err := tx.ExecContext(ctx, to.dialect.afterCopy); err != nil {
				return fmt.Errorf("registry: migrate: %w", err)
			}
		}
		// The change counter goes past both, so a server polling either
		// sees a change.
		g, err := from.Generation(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE generation SET value = ? WHERE id = 1 AND value < ?`, g, g); err != nil {
			return fmt.Errorf("registry: migrate: %w", err)
		}
		return insertAudit(ctx, tx, to.nowText(), "osler", ActionMigrate, "", map[string]any{
			"from": from.dialect.name, "models": rep.Models, "versions": rep.Versions, "datasets": rep.Datasets,
			"keys": rep.Keys, "audit_entries": rep.AuditEntries, "cds_feedback": rep.CDSFeedback, "blobs": rep.Blobs})
	})
	if err != nil {
		return rep, err
	}
	return rep, verifyMigrated(ctx, to, versions, datasets, &rep, pr)
}

func encryptedWord(e bool) string {
	if e {
		return "encrypted"
	}
	return "not encrypted"
}

// checkEmpty refuses a registry that holds anything but its creation.
func (s *Store) checkEmpty(ctx context.Context) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM models) + (SELECT count(*) FROM deleted_models) +
		(SELECT count(*) FROM datasets) + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM cds_feedback) +
		(SELECT count(*) FROM audit_log WHERE action <> ?)`, ActionCreate).Scan(&n)
	if err != nil {
		return fmt.Errorf("registry: migrate: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("registry: migrate: the target %s is not empty (it holds models, datasets, keys, feedback or audit entries): migrate into a new, empty database", s.where())
	}
	return nil
}

// copyBlobs copies every blob the versions and datasets use, each once,
// checking each digest as it is read and written.
func copyBlobs(ctx context.Context, from, to *Store, versions []Version, datasets []Dataset, rep *MigrateReport, pr progress.Reporter) error {
	type blob struct {
		digest, what string
		size         int64
	}
	var blobs []blob
	seen := map[string]bool{}
	add := func(b blob) {
		if !seen[b.digest] {
			seen[b.digest] = true
			blobs = append(blobs, b)
		}
	}
	for _, v := range versions {
		m, err := from.Manifest(ctx, v)
		if err != nil {
			return fmt.Errorf("registry: migrate: %w", err)
		}
		// The manifest is read as stored (size -1: checked by sha256 alone).
		add(blob{v.Manifest, "manifest of " + v.Ref().String(), -1})
		for _, f := range m.Files {
			add(blob{f.SHA256, fmt.Sprintf("%s of %s", f.Path, v.Ref()), f.Bytes})
		}
	}
	for _, d := range datasets {
		add(blob{d.SHA256, "dataset " + d.Name, d.Bytes})
	}
	var total int64
	for _, b := range blobs {
		total += max(b.size, 0)
	}
	pr.Stage("copying blobs", int(total))
	for _, b := range blobs {
		r, err := from.blobs.open(ctx, b.digest, b.size, b.what)
		if err != nil {
			return fmt.Errorf("registry: migrate: %w", err)
		}
		got, n, err := to.blobs.put(ctx, r, func(n int64) { pr.Add(int(n)) })
		r.Close()
		switch {
		case err != nil:
			return fmt.Errorf("registry: migrate: %s: %w", b.what, err)
		case got != b.digest:
			return fmt.Errorf("registry: migrate: %s: copied with sha256 %s, want %s", b.what, got, b.digest)
		}
		rep.Blobs++
		rep.Bytes += n
	}
	return nil
}

// copyRows copies a table's rows from src into tx, in order.
func copyRows(ctx context.Context, src *sql.DB, tx *sql.Tx, t copiedTable) (int, error) {
	rows, err := src.QueryContext(ctx, `SELECT `+t.columns+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols := strings.Split(t.columns, ", ")
	insert := `INSERT INTO ` + t.name + ` (` + t.columns + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range cols {
			if c == "has_comment" { // INTEGER in SQLite, BOOLEAN in PostgreSQL
				vals[i] = truthy(vals[i])
			}
		}
		if _, err := tx.ExecContext(ctx, insert, vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
}

// verifyMigrated reads every version's files and every dataset back from
// to and checks them.
func verifyMigrated(ctx context.Context, to *Store, versions []Version, datasets []Dataset, rep *MigrateReport, pr progress.Reporter) error {
	pr.Stage("verifying", len(versions)+len(datasets))
	var errs []error
	for _, want := range versions {
		v, err := to.Resolve(ctx, want.Ref())
		if err == nil && (v.Manifest != want.Manifest || v.Status != want.Status) {
			err = fmt.Errorf("registry: migrate: %s reads back with manifest %s and status %s, want %s and %s", want.Ref(), v.Manifest, v.Status, want.Manifest, want.Status)
		}
		if err == nil {
			err = to.Verify(ctx, v)
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			rep.Verified++
		}
		pr.Add(1)
	}
	for _, d := range datasets {
		_, r, err := to.GetDataset(ctx, d.SHA256)
		if err == nil {
			_, err = copyCtx(ctx, io.Discard, r)
			r.Close()
		}
		if err != nil {
			errs = append(errs, err)
		}
		pr.Add(1)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("registry: migrate: copied, but the copy does not verify: %w", err)
	}
	return nil
}

// MigrateConfig opens the registry from names (which must exist) and the
// one to names (its artifacts in to.Home, by default the source's home,
// whose blobs they then share) and runs [Migrate] between them. It
// returns what is wrong with the master key, as [OpenConfig] does.
func MigrateConfig(ctx context.Context, from, to config.Registry, o HomeOptions, pr progress.Reporter) (MigrateReport, []string, error) {
	o.MustExist = true
	src, warnings, err := OpenConfig(ctx, from, o)
	if err != nil {
		return MigrateReport{}, warnings, err
	}
	defer src.Close()
	if to.Home == "" {
		to.Home = src.Home()
	}
	o.MustExist, o.ReadOnly = false, false
	dst, _, err := OpenConfig(ctx, to, o)
	if err != nil {
		return MigrateReport{}, warnings, err
	}
	defer dst.Close()
	rep, err := Migrate(ctx, src, dst, pr)
	rep.Target, rep.Artifacts = dst.Database(), dst.Home()
	return rep, warnings, err
}

// String summarises the report in a sentence.
func (r MigrateReport) String() string {
	return fmt.Sprintf("migrated %d models, %d versions (%d verified), %d datasets, %d keys, %d audit entries, %d CDS feedback items and %d blobs (%s) into %s, artifacts in %s",
		r.Models, r.Versions, r.Verified, r.Datasets, r.Keys, r.AuditEntries, r.CDSFeedback, r.Blobs, FormatBytes(r.Bytes), r.Target, r.Artifacts)
}
