package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", for creating the test database
)

// testPostgresDatabase creates an empty PostgreSQL database, dropped when
// t ends, on the server OSLER_TEST_POSTGRES_URL names (default the local
// one, trust auth); without a server it skips, or fails with
// OSLER_REQUIRE_POSTGRES=1.
func testPostgresDatabase(t *testing.T) string {
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
			t.Fatal(msg)
		}
		t.Skip(msg)
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

// TestModelsMigrateCLI migrates a home's registry into PostgreSQL with
// osler models migrate, then reads it back with --registry and
// OSLER_REGISTRY_URL; a second migration is refused.
func TestModelsMigrateCLI(t *testing.T) {
	pg := testPostgresDatabase(t)
	home := t.TempDir()
	env := map[string]string{"OSLER_HOME": home, "USER": "ana"}
	run := func(env map[string]string, want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := runOslerEnv(t, env, "", args...)
		if code != want {
			t.Fatalf("osler %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	run(env, 0, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.82, "m1"))
	run(env, 0, "models", "approve", "sepsis:1", "--note", "ok")
	out, _ := run(env, 0, "models", "migrate", "--to", pg)
	if !strings.HasPrefix(out, "migrated 1 models, 1 versions (1 verified)") || !strings.Contains(out, "artifacts in "+home) {
		t.Fatalf("migrate: %q", out)
	}
	out, _ = run(env, 0, "models", "list", "--registry", pg)
	if !strings.Contains(out, "sepsis") {
		t.Fatalf("list on PostgreSQL: %q", out)
	}
	pgEnv := map[string]string{"OSLER_HOME": home, "OSLER_REGISTRY_URL": pg, "USER": "ana"}
	run(pgEnv, 0, "models", "verify")
	out, _ = run(pgEnv, 0, "models", "show", "sepsis:approved")
	if !strings.Contains(out, "Approved") {
		t.Fatalf("show on PostgreSQL: %q", out)
	}
	_, errOut := run(env, 1, "models", "migrate", "--to", pg)
	if !strings.Contains(errOut, "not empty") {
		t.Fatalf("second migration: %q", errOut)
	}
	run(env, 2, "models", "migrate", "--to", "sqlite:///elsewhere")
	// sqlite:///HOME is the home.
	out, _ = run(map[string]string{"USER": "ana"}, 0, "models", "list", "--registry", "sqlite://"+home)
	if !strings.Contains(out, "sepsis") {
		t.Fatalf("list with sqlite://: %q", out)
	}
}

// TestRegistryURLErrorsHideThePassword checks that a database that
// cannot be reached is named without its password.
func TestRegistryURLErrorsHideThePassword(t *testing.T) {
	_, errOut, code := runOslerEnv(t, map[string]string{"OSLER_HOME": t.TempDir()}, "",
		"models", "list", "--registry", "postgres://osler:hunter2secret@127.0.0.1:1/reg?connect_timeout=2")
	if code != 1 || strings.Contains(errOut, "hunter2secret") || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Fatalf("exit %d: %q", code, errOut)
	}
	_, errOut, code = runOslerEnv(t, map[string]string{"OSLER_HOME": t.TempDir()}, "", "models", "list", "--registry", "mysql://x@h/db")
	if code == 0 || !strings.Contains(errOut, `unknown registry URL scheme "mysql"`) {
		t.Fatalf("exit %d: %q", code, errOut)
	}
}
