// Package pgtest gives tests an empty PostgreSQL database of their own on
// the server the project's machines run (127.0.0.1:5432, or
// OSLER_TEST_POSTGRES_URL). Without a server the test skips with a
// message, or fails when OSLER_REQUIRE_POSTGRES=1 (as .ci/run sets it).
// Test support only: the deps test keeps it out of the binary.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

// Database creates an empty database, dropped when t ends, and returns its
// URL.
func Database(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("OSLER_TEST_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		msg := "no PostgreSQL server for the test (set OSLER_TEST_POSTGRES_URL): " + err.Error()
		if os.Getenv("OSLER_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + " (OSLER_REQUIRE_POSTGRES=1: CI provides it, so its absence is a failure)")
		}
		t.Skip("skipping: " + msg)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "osler_test_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`) })
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}
