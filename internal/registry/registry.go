// Package registry is Osler's model registry: named models with numbered
// versions, their metrics, hyperparameters, training data and lineage, an
// approval status (PendingManualApproval, Approved, Rejected) with who
// decided and when, API keys, and an append-only audit log.
//
// # Home directory
//
// All state lives under one home directory:
//
//	registry.db            SQLite database (WAL): metadata, keys, audit log
//	registry.db-wal, -shm  SQLite's write-ahead log and index
//	blobs/sha256/ab/abcd…  artifact files and datasets, content-addressed
//	                       by sha256 (unencrypted homes)
//	blobs/sealed/ab/…      the same, AES-256-GCM sealed, named by an HMAC of
//	                       the sha256 so names do not reveal content
//	                       (encrypted homes, see package crypt)
//	blobs/tmp/             blobs being written; leftovers from a crash are
//	                       removed by [Store.GC]
//
// Encryption at rest covers artifacts and datasets (the blobs). The
// database holds metadata only (names, metrics, hyperparameters, sha256s,
// notes, key hashes, the audit log) and is not encrypted: keep patient
// text out of descriptions and notes.
//
// # Artifacts
//
// A model artifact is a directory of files. Registering stores each file
// as a blob, then a manifest (relative path → sha256, size) as a blob, and
// only then, in one database transaction, the version that points at the
// manifest's digest. A crash before the commit leaves orphan blobs (and
// no version); [Store.GC] collects them. Reading a version back
// ([Store.Materialize], [Store.ReadFile], [Store.Verify]) checks every
// size and sha256 and fails with a [*ChecksumError] naming the file.
//
// In an encrypted home, read artifacts with [Store.ArtifactFS] (in memory)
// rather than [Store.Materialize] (plaintext files on disk).
//
// # Artifacts in object storage
//
// The blobs are kept behind an [ArtifactStore] ([Options.Artifacts]): by
// default a [DirStore] on the home's blobs directory, as laid out above;
// another directory; or S3-compatible object storage (package
// internal/registry/s3store), so that replicas on several machines read
// the same artifacts. The store keeps the layout: object
// "sha256/ab/abcd…" (or "sealed/ab/…") is the file blobs/sha256/ab/abcd…
// or the key PREFIX/sha256/ab/abcd… in the bucket. [OpenConfig] picks the
// store from [config.Registry.Artifacts] (--artifacts,
// OSLER_ARTIFACTS_URL): a directory, file:///DIR, or s3://BUCKET/PREFIX
// opened by [HomeOptions.ObjectStore].
//
// Naming, sealing and checking stay above the store: a blob is sealed
// while it is written to HOME/blobs/tmp and only then handed to the
// store, so in an encrypted home the bucket holds only sealed bytes
// under HMAC names, and every read is checked against its size and
// sha256 as from a directory ([*ChecksumError] names the file and the
// object's URL). [Store.GC] lists and deletes through the store, aging
// blobs by the objects' modification times. The database stays in the
// home.
//
// # Conditions
//
// [ParseCondition] reads conditions over a version's metrics such as
// "dev.micro.f1 >= 0.80 && dev.macro.f1 >= 0.7"; [Registration.Condition]
// registers only when one holds (osler train ... --register-if).
//
// # API keys and audit log
//
// API keys ([Store.CreateKey], [Store.Authenticate]) have the form
// osk_<id>_<secret>: the id finds the record without scanning, and only a
// SHA-256 of the 256-bit secret is stored and compared in constant time.
// Scopes are predict and admin (admin implies predict). The audit log is
// an append-only table (triggers refuse UPDATE and DELETE) of who did what
// to which model, version, dataset or key; details hold ids, counts,
// digests and notes, never patient or request text.
//
// # Durability
//
// The database runs in WAL mode with synchronous=FULL (a committed change
// survives a power cut; registry writes are rare, so the fsync per commit
// costs nothing that matters), foreign keys on and a busy timeout so the
// CLI and a running server can share a home. Every change is one
// transaction that also appends to the audit log and bumps a change
// counter ([Store.Generation]) a server can poll. The schema is versioned
// (table schema_migrations); a database written by a newer Osler is
// refused rather than misread.
//
// SQLite comes from modernc.org/sqlite (pure Go, so Osler builds with
// CGO_ENABLED=0).
//
// # PostgreSQL
//
// With [Options.Database] (osler --registry postgres://… or
// OSLER_REGISTRY_URL) the metadata lives in a PostgreSQL database that
// several osler serve replicas and CLI processes share, through pgx's
// database/sql driver; the blobs stay in the home directory (--home), so
// every process needs the same one (a shared volume) for now. The same
// [Store] runs on both: queries are written once with '?' placeholders,
// rebound to $n on PostgreSQL, and what differs (the schema's DDL,
// locking, key order) is in a small dialect (dialect.go). The schema has
// its own migration list per database (migrate.go, migrate_postgres.go),
// reaching the same version, recorded in schema_migrations in both.
//
// Every write transaction on PostgreSQL first takes a transaction-scoped
// advisory lock (pg_advisory_xact_lock), so writers take turns across
// processes and machines as they do on SQLite (BEGIN IMMEDIATE): version
// numbers are taken with UPDATE … RETURNING inside that turn, so they are
// distinct and contiguous; approvals are serialised; the change counter
// ([Store.Generation]) is bumped in the same transaction; audit sequence
// numbers follow commit order; and gc sees no registration commit while
// it works. Readers never wait. A writer waits at most
// [Options.BusyTimeout] (lock_timeout) for its turn. [Migrate] copies a
// registry into an empty one (osler models migrate --to postgres://…).
package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/osler-health/osler/internal/crypt"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// DBName is the database file's name inside the home directory.
const DBName = "registry.db"

// Errors callers can test for with errors.Is.
var (
	// ErrNotFound means a model, version, key or dataset does not exist.
	ErrNotFound = errors.New("not found")
	// ErrKeyRequired means the home is encrypted and no master key was given.
	ErrKeyRequired = errors.New("registry: this registry is encrypted: set OSLER_MASTER_KEY or pass --key-file with the master key it was created with")
	// ErrWrongKey means the master key is not the one the home was created with.
	ErrWrongKey = errors.New("registry: the master key does not match the one this registry was created with")
	// ErrNotEncrypted means a master key was given for a home created without one.
	ErrNotEncrypted = errors.New("registry: this registry was created without encryption, but a master key was given; unset OSLER_MASTER_KEY/--key-file to use it, or create an encrypted registry in a new home and move models with `osler models export` and `osler models import`")
	// ErrNewerSchema means the database was written by a newer Osler.
	ErrNewerSchema = errors.New("registry: the database was written by a newer version of Osler")
	// ErrConditionNotMet means a registration's condition did not hold, so
	// nothing was registered.
	ErrConditionNotMet = errors.New("registry: condition not met")
	// ErrApproved means a change needs --force because the version is
	// Approved (and so possibly serving).
	ErrApproved = errors.New("registry: version is Approved")
	// ErrReadOnly means a change was asked of a registry opened read-only
	// ([Options.ReadOnly]).
	ErrReadOnly = errors.New("registry: the registry was opened read-only (--read-only); this changes it: run it where the home can be written")
)

// Options configure [Open].
type Options struct {
	// Key is the master key for encryption at rest, or nil. A home takes
	// the choice made when it was created: opening an encrypted home
	// without its key, with another key, or an unencrypted home with a key
	// fails with [ErrKeyRequired], [ErrWrongKey] or [ErrNotEncrypted].
	Key *crypt.Key
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
	// KeyUseInterval is how often [Store.Authenticate] writes a key's use
	// (last-used time and an audit entry with the count) per key; 0 means
	// one minute. Writing on every request would put an fsync on the
	// request path.
	KeyUseInterval time.Duration
	// BusyTimeout is how long a write waits for another process's write
	// to finish; 0 means 30 seconds.
	BusyTimeout time.Duration
	// ReadOnly opens an existing home without changing it: nothing is
	// created, migrated or written (not even key use, which is then not
	// recorded), and every change fails with [ErrReadOnly]; in a home that
	// can be written SQLite may add the empty -wal and the -shm index any
	// reader of a WAL database uses. It works on a read-only mount or a
	// full disk: when the home cannot be written, the database is read as
	// immutable, which needs it to have been closed cleanly (no pending
	// write-ahead log). For osler serve from a read-only volume and for
	// inspecting a home that is full.
	ReadOnly bool
	// Artifacts keeps the blobs (artifact files and datasets); nil means
	// the home's blobs directory ([NewDirStore] of HOME/blobs). Blobs are
	// sealed before they reach it in an encrypted home, and blobs being
	// written are staged in HOME/blobs/tmp either way.
	Artifacts ArtifactStore
	// Database, when set, is a PostgreSQL URL (postgres://…): the
	// registry's metadata lives in that database, shared by every process
	// that opens it, and the home directory holds only the blobs. An
	// empty database is given the schema on first use. "" keeps the
	// metadata in SQLite in the home (registry.db).
	Database string
}

// Store is an open registry home. It is safe for concurrent use, and
// several processes may open the same home.
type Store struct {
	home      string
	db        *sql.DB
	artifacts ArtifactStore // nil: the home's blobs directory
	dialect   *dialect
	database  string // the PostgreSQL URL without its password, or ""
	blobs     *blobStore
	now       func() time.Time
	encrypted bool
	readOnly  bool

	useInterval time.Duration
	useMu       sync.Mutex
	uses        map[string]*keyUse
	useWG       sync.WaitGroup // background writes of key use
}

// encryptionInfo is stored in registry_meta under "encryption" when the
// home is created.
type encryptionInfo struct {
	Encrypted bool         `json:"encrypted"`
	Algorithm string       `json:"algorithm,omitempty"`
	Check     *crypt.Check `json:"check,omitempty"`
}

// Open opens the registry in home, creating the home and the database on
// first use and applying pending schema migrations.
func Open(ctx context.Context, home string, opts Options) (*Store, error) {
	if home == "" {
		return nil, errors.New("registry: no home directory")
	}
	home, err := filepath.Abs(home)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	if strings.ContainsAny(home, "?#") {
		return nil, fmt.Errorf("registry: home %s: the path may not contain '?' or '#'", home)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 30 * time.Second
	}
	if opts.Database != "" {
		return openPostgresStore(ctx, home, busy, opts)
	}
	if opts.ReadOnly {
		return openReadOnly(ctx, home, busy, opts)
	}
	if _, err := os.Stat(home); errors.Is(err, os.ErrNotExist) {
		// Private to the user: it holds models and possibly datasets.
		if err := os.MkdirAll(home, 0o700); err != nil {
			return nil, explainWrite(home, fmt.Errorf("registry: %w", err))
		}
	} else if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	if err := privateDBFiles(home); err != nil {
		return nil, err
	}
	dsn := filepath.Join(home, DBName) + fmt.Sprintf(
		"?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate",
		busy.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	s := newStore(home, db, sqliteDialect, opts)
	if err := s.init(ctx, opts.Key); err != nil {
		s.db.Close()
		return nil, explainWrite(home, err)
	}
	return s, nil
}

// openPostgresStore opens a registry whose metadata is in the
// PostgreSQL database opts.Database and whose blobs are under home.
func openPostgresStore(ctx context.Context, home string, busy time.Duration, opts Options) (*Store, error) {
	if !IsPostgresURL(opts.Database) {
		return nil, fmt.Errorf("registry: database %s: want a postgres:// URL", RedactURL(opts.Database))
	}
	if opts.ReadOnly {
		if _, err := os.Stat(home); err != nil {
			return nil, fmt.Errorf("registry: no artifact directory at %s to open read-only (%w)", home, err)
		}
	} else if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, explainWrite(home, fmt.Errorf("registry: %w", err))
	}
	db, err := openPostgres(opts.Database, busy, opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	s := newStore(home, db, postgresDialect, opts)
	s.database = RedactURL(opts.Database)
	if opts.ReadOnly {
		err = s.initReadOnly(ctx, opts.Key)
	} else {
		err = s.init(ctx, opts.Key)
	}
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%w (database %s)", err, s.database)
	}
	return s, nil
}

func newStore(home string, db *sql.DB, d *dialect, opts Options) *Store {
	db.SetMaxOpenConns(8)
	s := &Store{
		home:        home,
		db:          db,
		artifacts:   opts.Artifacts,
		dialect:     d,
		now:         opts.Now,
		useInterval: opts.KeyUseInterval,
		uses:        make(map[string]*keyUse),
		readOnly:    opts.ReadOnly,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.useInterval <= 0 {
		s.useInterval = time.Minute
	}
	return s
}

// openReadOnly opens an existing home for reading only (see
// [Options.ReadOnly]). SQLite reads a database in WAL mode read-only
// through its -shm file, which it must be able to create when it is
// missing; where the home cannot be written (a read-only mount, a full
// disk) the database is opened immutable instead, which is safe because
// nothing can change it there, once no write-ahead log is pending.
func openReadOnly(ctx context.Context, home string, busy time.Duration, opts Options) (*Store, error) {
	db := filepath.Join(home, DBName)
	if _, err := os.Stat(db); err != nil {
		return nil, fmt.Errorf("registry: no registry at %s to open read-only (%w)", home, err)
	}
	params := fmt.Sprintf("?mode=ro&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", busy.Milliseconds())
	if werr := probeWrite(home); werr != nil {
		if st, err := os.Stat(db + "-wal"); err == nil && st.Size() > 0 {
			return nil, fmt.Errorf("registry: home %s cannot be written (%s) and its write-ahead log %s-wal holds changes not yet in the database: "+
				"open it read-write once where it can be written (any osler models list does), then read-only", home, describeWriteError(werr), DBName)
		}
		params = "?immutable=1&_pragma=foreign_keys(1)"
	}
	sdb, err := sql.Open("sqlite", "file:"+db+params)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	s := newStore(home, sdb, sqliteDialect, opts)
	if err := s.initReadOnly(ctx, opts.Key); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// initReadOnly checks the schema and the key without changing anything.
func (s *Store) initReadOnly(ctx context.Context, key *crypt.Key) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("registry: open %s read-only: %w", s.where(), err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch n := len(s.dialect.migrations); {
	case v > n:
		return fmt.Errorf("%w (schema version %d; this Osler knows up to %d): upgrade Osler", ErrNewerSchema, v, n)
	case v < n:
		return fmt.Errorf("registry: the database's schema is version %d and this Osler reads %d: open it read-write once to upgrade it (any osler models list does), then read-only", v, n)
	}
	var raw string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM registry_meta WHERE key = 'encryption'`).Scan(&raw); err != nil {
		return fmt.Errorf("registry: encryption setting: %w", err)
	}
	var info encryptionInfo
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return fmt.Errorf("registry: encryption setting: %w", err)
	}
	if err := checkKey(info, key); err != nil {
		return err
	}
	s.encrypted = info.Encrypted
	s.blobs, err = s.openBlobs(key, false)
	return err
}

// probeWrite tries to create, fill and remove a small file in dir: nil
// when the directory can be written.
func probeWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".osler-probe-*")
	if err != nil {
		return err
	}
	_, err = f.Write(make([]byte, 64<<10))
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	os.Remove(f.Name())
	return err
}

// describeWriteError says in words why a home cannot be written.
func describeWriteError(err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return "it is on a read-only file system"
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on its device"
	case errors.Is(err, syscall.EDQUOT):
		return "the disk quota is exceeded"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// explainWrite turns a failure to open or change a home into one that says
// why, when the reason is that the home cannot be written: SQLite itself
// only says "unable to open database file (14)" or "disk is full (13)".
func explainWrite(home string, err error) error {
	werr := probeWrite(home)
	if werr == nil || errors.Is(werr, fs.ErrNotExist) {
		return err
	}
	return fmt.Errorf("registry: home %s cannot be written: %s; commands that only read (serve, models list, show, verify and export, audit, keys list) work with --read-only (%w)", home, describeWriteError(werr), err)
}

// privateDBFiles makes the database private to its owner, like the blobs:
// it holds the audit log, key ids and hashes, names and metrics. SQLite
// creates registry.db with the process umask (0644 in a home made
// beforehand) and gives the -wal and -shm files the database's mode, so
// the database is created 0600 here before SQLite opens it, and an
// existing one (and its -wal and -shm) readable by others is narrowed to
// 0600. A file the process does not own is left as it is.
func privateDBFiles(home string) error {
	db := filepath.Join(home, DBName)
	f, err := os.OpenFile(db, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist):
		return nil // Open reports why the database cannot be created
	}
	for _, name := range []string{db, db + "-wal", db + "-shm"} {
		if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o077 != 0 {
			os.Chmod(name, st.Mode().Perm()&0o700)
		}
	}
	return nil
}

func (s *Store) init(ctx context.Context, key *crypt.Key) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("registry: open %s: %w", s.where(), err)
	}
	info, err := s.migrate(ctx, key)
	if err != nil {
		return err
	}
	if err := checkKey(info, key); err != nil {
		return err
	}
	s.encrypted = info.Encrypted
	s.blobs, err = s.openBlobs(key, true)
	return err
}

// openBlobs opens the blobs in the store of [Options.Artifacts], staging
// blobs being written in HOME/blobs/tmp (made when create is set).
func (s *Store) openBlobs(key *crypt.Key, create bool) (*blobStore, error) {
	dir := filepath.Join(s.home, "blobs")
	st := s.artifacts
	if st == nil {
		st = NewDirStore(dir)
	}
	return openBlobStore(st, filepath.Join(dir, "tmp"), key, create)
}

// checkKey checks key against the home's encryption settings.
func checkKey(info encryptionInfo, key *crypt.Key) error {
	switch {
	case info.Encrypted && key == nil:
		return ErrKeyRequired
	case !info.Encrypted && key != nil:
		return ErrNotEncrypted
	case info.Encrypted:
		if info.Check == nil {
			return errors.New("registry: the database says it is encrypted but holds no key check value; it was damaged")
		}
		if err := info.Check.Verify(key); err != nil {
			if errors.Is(err, crypt.ErrWrongKey) {
				return ErrWrongKey
			}
			return fmt.Errorf("registry: %w", err)
		}
	}
	return nil
}

// Home returns the absolute home directory. With a PostgreSQL database
// ([Options.Database]) it holds only the blobs.
func (s *Store) Home() string { return s.home }

// Artifacts returns the store that keeps the blobs.
func (s *Store) Artifacts() ArtifactStore { return s.blobs.st }

// Database returns the PostgreSQL URL the metadata is in, without its
// password, or "" when it is in SQLite in the home.
func (s *Store) Database() string { return s.database }

// where names the database for messages.
func (s *Store) where() string {
	if s.database != "" {
		return s.database
	}
	return filepath.Join(s.home, DBName)
}

// Encrypted reports whether artifacts and datasets are encrypted at rest.
func (s *Store) Encrypted() bool { return s.encrypted }

// ReadOnly reports whether the registry was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close records pending key use and closes the database.
func (s *Store) Close() error {
	err := s.flushKeyUse(context.Background())
	return errors.Join(err, s.db.Close())
}

// Generation returns a counter that increases with every change to
// models, versions or their status. A server polls it (one indexed read)
// and reloads when it changes; it works across processes.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM generation WHERE id = 1`).Scan(&g); err != nil {
		return 0, fmt.Errorf("registry: generation: %w", err)
	}
	return g, nil
}

// WaitForChange polls every interval (0: one second) until the
// generation differs from since, and returns the new one.
func (s *Store) WaitForChange(ctx context.Context, since int64, interval time.Duration) (int64, error) {
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		g, err := s.Generation(ctx)
		if err != nil || g != since {
			return g, err
		}
		select {
		case <-ctx.Done():
			return since, ctx.Err()
		case <-t.C:
		}
	}
}

// IntegrityCheck runs SQLite's integrity and foreign key checks and checks
// the schema version; it does not read blobs (see [Store.Verify]). On
// PostgreSQL, which checks pages and foreign keys itself, it checks the
// schema version and the change counter.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if s.dialect != sqliteDialect {
		if _, err := s.Generation(ctx); err != nil {
			return err
		}
		return s.checkSchemaVersion(ctx)
	}
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("registry: integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return fmt.Errorf("registry: integrity check: %w", err)
		}
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("registry: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("registry: integrity check failed: %s", strings.Join(problems, "; "))
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil {
		return fmt.Errorf("registry: foreign key check: %w", err)
	}
	if fk > 0 {
		return fmt.Errorf("registry: foreign key check: %d rows reference missing rows", fk)
	}
	return s.checkSchemaVersion(ctx)
}

func (s *Store) checkSchemaVersion(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if n := len(s.dialect.migrations); v != n {
		return fmt.Errorf("registry: schema version %d, want %d", v, n)
	}
	return nil
}

// SchemaVersion returns the highest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("registry: schema version: %w", err)
	}
	return v, nil
}

// timeFormat is fixed-width so that stored times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func (s *Store) nowText() string { return s.now().UTC().Format(timeFormat) }

func parseTime(v sql.NullString) time.Time {
	if !v.Valid || v.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v.String)
	if err != nil {
		return time.Time{}
	}
	return t
}

// writeTx runs fn in one write transaction and bumps the change counter
// when bump is true. The write lock is taken up front (SQLite: BEGIN
// IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock), so writers,
// in any process, take turns: two never deadlock upgrading, version
// numbers and audit sequence numbers are given in commit order, and a
// gc's view of what is referenced holds until it ends.
func (s *Store) writeTx(ctx context.Context, bump bool, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return explainWrite(s.home, fmt.Errorf("registry: begin: %w", err))
	}
	defer tx.Rollback()
	if s.dialect.lockWrites != "" {
		if _, err := tx.ExecContext(ctx, s.dialect.lockWrites); err != nil {
			return fmt.Errorf("registry: waiting for the write lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if bump {
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return explainWrite(s.home, fmt.Errorf("registry: commit: %w", err))
	}
	return nil
}

func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE generation SET value = value + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// jsonObject checks that raw is empty or a JSON object and returns its
// compact form ("{}" when empty).
func jsonObject(field string, raw json.RawMessage) (string, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return "{}", nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("registry: %s must be a JSON object: %w", field, err)
	}
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("registry: %s: %w", field, err)
	}
	return string(b), nil
}
