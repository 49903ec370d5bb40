package registry

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/crypt"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", for creating test databases
)

// The conformance suite runs each behaviour test on both backends: SQLite
// in the home, and PostgreSQL with a fresh database per test. The
// PostgreSQL runs need a server: OSLER_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres, trust auth) names a
// database on it where the tests may CREATE DATABASE. Without a server
// they skip, unless OSLER_REQUIRE_POSTGRES=1 (CI), where they fail.

const (
	envTestPostgres    = "OSLER_TEST_POSTGRES_URL"
	envRequirePostgres = "OSLER_REQUIRE_POSTGRES"
)

func pgAdminURL() string {
	if v := os.Getenv(envTestPostgres); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

var (
	pgOnce sync.Once
	pgErr  error
)

// requirePostgres skips (or, with OSLER_REQUIRE_POSTGRES=1, fails) t
// when no PostgreSQL server is reachable.
func requirePostgres(t testing.TB) {
	t.Helper()
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", pgAdminURL())
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	if pgErr == nil {
		return
	}
	msg := "no PostgreSQL server at " + RedactURL(pgAdminURL()) + " (" + pgErr.Error() + "); set " + envTestPostgres +
		" to one where the tests may create databases"
	if os.Getenv(envRequirePostgres) == "1" {
		t.Fatal(msg + " (" + envRequirePostgres + "=1: not skipping)")
	}
	t.Skip(msg)
}

// newPostgresDatabase creates an empty database for t, dropped when t
// ends, and returns its URL.
func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	requirePostgres(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "osler_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", pgAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(pgAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// backend opens registries on one kind of database for one test. On
// PostgreSQL each home gets its own database, so opening a home again
// reaches the same registry.
type backend struct {
	name string
	t    testing.TB
	mu   sync.Mutex
	dbs  map[string]string // home -> database URL (PostgreSQL)
}

func (b *backend) postgres() bool { return b.name == "postgres" }

// database returns Options.Database for home.
func (b *backend) database(home string) string {
	if !b.postgres() {
		return ""
	}
	abs, _ := filepath.Abs(home)
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.dbs[abs]; ok {
		return u
	}
	u := newPostgresDatabase(b.t)
	b.dbs[abs] = u
	return u
}

// Open is [Open] on this backend.
func (b *backend) Open(ctx context.Context, home string, o Options) (*Store, error) {
	o.Database = b.database(home)
	return Open(ctx, home, o)
}

func (b *backend) openWith(t testing.TB, home string, o Options) *Store {
	t.Helper()
	s, err := b.Open(context.Background(), home, o)
	if err != nil {
		t.Fatalf("Open (%s): %v", b.name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (b *backend) openStore(t testing.TB, home string, key *crypt.Key) *Store {
	t.Helper()
	return b.openWith(t, home, Options{Key: key})
}

func (b *backend) openAt(t testing.TB, c *clock) *Store {
	return b.openWith(t, t.TempDir(), Options{Now: c.now})
}

// forEachBackend runs fn as a subtest on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, fn func(t *testing.T, b *backend)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			b := &backend{name: name, t: t, dbs: map[string]string{}}
			if b.postgres() {
				requirePostgres(t)
			}
			fn(t, b)
		})
	}
}
