package main

import (
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/registry/pgtest"
)

// testPostgresDatabase is an empty PostgreSQL database for t.
func testPostgresDatabase(t *testing.T) string { return pgtest.Database(t) }

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
