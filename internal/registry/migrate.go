package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/osler-health/osler/internal/crypt"
)

// migration is one step of the schema. Steps are applied in order, each
// in the transaction that records it in schema_migrations, and never
// changed once released: a new schema is a new step.
type migration struct {
	name string
	sql  string
}

// migrations are the schema's history; the schema version is the number
// of them.
var migrations = []migration{
	{"initial schema", `
CREATE TABLE registry_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE generation (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL
) STRICT;
INSERT INTO generation (id, value) VALUES (1, 0);

CREATE TABLE models (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	-- the highest version number ever given, so numbers of deleted
	-- versions are never reused
	last_version INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE versions (
	id              INTEGER PRIMARY KEY,
	model_id        INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
	version         INTEGER NOT NULL CHECK (version > 0),
	manifest        TEXT NOT NULL CHECK (length(manifest) = 64),
	files           INTEGER NOT NULL,
	bytes           INTEGER NOT NULL,
	metrics         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
	hyperparameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(hyperparameters)),
	parent_model    TEXT NOT NULL DEFAULT '',
	parent_version  INTEGER NOT NULL DEFAULT 0,
	description     TEXT NOT NULL DEFAULT '',
	source          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(source)),
	status          TEXT NOT NULL CHECK (status IN ('PendingManualApproval', 'Approved', 'Rejected')),
	status_by       TEXT NOT NULL DEFAULT '',
	status_at       TEXT,
	status_note     TEXT NOT NULL DEFAULT '',
	registered_by   TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	UNIQUE (model_id, version)
) STRICT;
CREATE INDEX versions_by_status ON versions (model_id, status, version);

CREATE TABLE version_data (
	version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
	role       TEXT NOT NULL,
	path       TEXT NOT NULL DEFAULT '',
	sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
	records    INTEGER NOT NULL DEFAULT 0,
	bytes      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (version_id, role)
) STRICT;
CREATE INDEX version_data_by_sha256 ON version_data (sha256);

CREATE TABLE datasets (
	sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
	name       TEXT NOT NULL,
	bytes      INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	scopes       TEXT NOT NULL,
	hash         BLOB NOT NULL CHECK (length(hash) = 32),
	created_at   TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	expires_at   TEXT,
	last_used_at TEXT,
	revoked_at   TEXT,
	revoked_by   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE audit_log (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	target  TEXT NOT NULL DEFAULT '',
	details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
) STRICT;
CREATE INDEX audit_log_by_action ON audit_log (action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`},
	{"deleted models keep their last version number", `
-- models.last_version went with the row when a model was deleted, so a
-- model registered again under the name started over at 1, reusing the
-- numbers of deleted versions. A deleted model's last number stays here.
CREATE TABLE deleted_models (
	name         TEXT PRIMARY KEY,
	last_version INTEGER NOT NULL
) STRICT;
-- Models deleted before this migration: their highest number is in the
-- audit log's registrations and imports (target "name:version").
INSERT INTO deleted_models (name, last_version)
SELECT name, max(version) FROM (
	SELECT substr(target, 1, instr(target, ':') - 1) AS name,
	       CAST(substr(target, instr(target, ':') + 1) AS INTEGER) AS version
	FROM audit_log
	WHERE action IN ('version.register', 'version.import') AND instr(target, ':') > 0
)
WHERE name NOT IN (SELECT name FROM models)
GROUP BY name;
-- A model deleted and registered again before this migration may have
-- restarted below its deleted versions: carry it past them.
UPDATE models SET last_version = (
	SELECT max(CAST(substr(target, instr(target, ':') + 1) AS INTEGER))
	FROM audit_log
	WHERE action IN ('version.register', 'version.import') AND target LIKE models.name || ':%'
)
WHERE last_version < coalesce((
	SELECT max(CAST(substr(target, instr(target, ':') + 1) AS INTEGER))
	FROM audit_log
	WHERE action IN ('version.register', 'version.import') AND target LIKE models.name || ':%'
), 0);
`},
	{"CDS Hooks feedback", `
-- What clinicians did with the cards of the CDS Hooks services: one row
-- per card outcome, keyed so that a client resending the same feedback
-- (the specification allows it) stores it once. No patient text: the
-- user's free-text comment is only counted (has_comment).
CREATE TABLE cds_feedback (
	seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
	received_at          TEXT NOT NULL,
	client               TEXT NOT NULL,
	service              TEXT NOT NULL,
	card                 TEXT NOT NULL,
	outcome              TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
	outcome_at           TEXT NOT NULL,
	accepted_suggestions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(accepted_suggestions)),
	override_system      TEXT NOT NULL DEFAULT '',
	override_code        TEXT NOT NULL DEFAULT '',
	has_comment          INTEGER NOT NULL DEFAULT 0,
	UNIQUE (service, card, outcome, outcome_at, accepted_suggestions, override_system, override_code)
) STRICT;
CREATE INDEX cds_feedback_by_card ON cds_feedback (card);
`},
}

// migrate applies pending migrations in one write transaction and returns
// the home's encryption settings, recording them (from key) when the
// database is new.
func (s *Store) migrate(ctx context.Context, key *crypt.Key) (encryptionInfo, error) {
	var info encryptionInfo
	err := s.writeTx(ctx, false, func(tx *sql.Tx) error {
		migrations := s.dialect.migrations
		if _, err := tx.ExecContext(ctx, s.dialect.schemaMigrations); err != nil {
			return fmt.Errorf("registry: migrate: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("registry: migrate: %w", err)
		}
		if current > len(migrations) {
			return fmt.Errorf("%w (schema version %d; this Osler knows up to %d): upgrade Osler", ErrNewerSchema, current, len(migrations))
		}
		created := current == 0
		for v := current + 1; v <= len(migrations); v++ {
			m := migrations[v-1]
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("registry: migration %d (%s): %w", v, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, v, m.name, s.nowText()); err != nil {
				return fmt.Errorf("registry: migration %d: %w", v, err)
			}
		}
		if created {
			// The encryption choice is made once, in the transaction that
			// creates the schema, so no crash can leave a home whose
			// encryption is undecided.
			info.Encrypted = key != nil
			if key != nil {
				if why := key.Weak(); why != "" {
					return fmt.Errorf("registry: refusing to create an encrypted home with this master key: %s, so it is not random and protects nothing; generate one with `openssl rand -base64 32`", why)
				}
				check, err := crypt.NewCheck(key)
				if err != nil {
					return err
				}
				info.Algorithm = "AES-256-GCM (Tink AES-GCM-HKDF streaming, 64 KiB segments), HKDF-SHA256 key derivation"
				info.Check = &check
			}
			b, _ := json.Marshal(info)
			if _, err := tx.ExecContext(ctx, `INSERT INTO registry_meta (key, value) VALUES ('encryption', ?)`, string(b)); err != nil {
				return fmt.Errorf("registry: %w", err)
			}
			details := map[string]any{"schema_version": len(migrations), "encrypted": info.Encrypted, "database": s.dialect.name}
			return insertAudit(ctx, tx, s.nowText(), "osler", ActionCreate, "", details)
		}
		var raw string
		err := tx.QueryRowContext(ctx, `SELECT value FROM registry_meta WHERE key = 'encryption'`).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return errors.New("registry: the database holds no encryption setting; it was damaged or is not an Osler registry")
		}
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &info); err != nil {
			return fmt.Errorf("registry: encryption setting: %w", err)
		}
		return nil
	})
	return info, err
}
