package registry

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// dialect is what differs between the two databases the registry runs
// on: the schema's history, the SQL that orders or locks, and the checks.
// Queries are written once, with '?' placeholders; on PostgreSQL the
// connection rewrites them to $1, $2, ... ([rebind]).
type dialect struct {
	// name is "sqlite" or "postgres", for messages.
	name string
	// migrations are the schema's history on this database; both lists
	// reach the same schema at the same version.
	migrations []migration
	// schemaMigrations creates the table that records them.
	schemaMigrations string
	// lockWrites, when set, runs first in every write transaction and
	// holds until it ends: one writer at a time, like SQLite's BEGIN
	// IMMEDIATE.
	lockWrites string
	// keyOrder orders API keys by creation.
	keyOrder string
	// afterCopy runs after [Migrate] inserted rows with their ids, so
	// that new rows get ids after them.
	afterCopy string
}

var sqliteDialect = &dialect{
	name:       "sqlite",
	migrations: migrations,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`,
	keyOrder: "created_at, rowid",
}

// writeLockID is the PostgreSQL advisory lock every write transaction
// takes (pg_advisory_xact_lock): "osler" in ASCII.
const writeLockID = 0x6f736c6572

var postgresDialect = &dialect{
	name:       "postgres",
	migrations: pgMigrations,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`,
	lockWrites: fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, writeLockID),
	keyOrder:   "created_at, seq",
	afterCopy: `SELECT setval(pg_get_serial_sequence('models', 'id'), (SELECT max(id) FROM models));
SELECT setval(pg_get_serial_sequence('versions', 'id'), (SELECT max(id) FROM versions));
SELECT setval(pg_get_serial_sequence('cds_feedback', 'seq'), (SELECT max(seq) FROM cds_feedback));`,
}

// IsPostgresURL reports whether s names a PostgreSQL database
// (postgres:// or postgresql://).
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// RedactURL returns a database URL without its password, for messages.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		// Unparseable: keep the scheme and host part only.
		if i := strings.LastIndex(s, "@"); i >= 0 {
			if j := strings.Index(s, "://"); j >= 0 && j < i {
				return s[:j+3] + "…@" + s[i+1:]
			}
		}
		return s
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openPostgres opens a pool of connections to the PostgreSQL database at
// dsn whose queries are rebound from '?' to '$n'. Writes wait up to busy
// for the write lock; a read-only registry's sessions refuse writes.
func openPostgres(dsn string, busy time.Duration, readOnly bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the URL, with the password redacted only
		// as far as it can tell where it is.
		if inner := errors.Unwrap(err); inner != nil {
			return nil, fmt.Errorf("registry: database %s: not a valid PostgreSQL URL: %w", RedactURL(dsn), inner)
		}
		return nil, fmt.Errorf("registry: database %s: not a valid PostgreSQL URL", RedactURL(dsn))
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["lock_timeout"] = fmt.Sprint(busy.Milliseconds())
	cfg.RuntimeParams["application_name"] = "osler"
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	return sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)}), nil
}

// rebindConnector makes connections that rewrite '?' placeholders.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("registry: unexpected PostgreSQL connection type %T", conn)
	}
	return rebindConn{pc}, nil
}

// rebindConn is a pgx connection whose queries are rebound; every other
// method (transactions, pings, session resets, argument checks) is
// pgx's own.
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) Prepare(query string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(query)) }

func (c rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// rebind rewrites the '?' placeholders of query to PostgreSQL's $1, $2,
// ..., leaving string literals, quoted names and comments alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
