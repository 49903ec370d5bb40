package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestImportMaxBytes: models import refuses an export that unpacks past
// --max-bytes, saying so, and registers nothing.
func TestImportMaxBytes(t *testing.T) {
	env := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "home"), "USER": "ana"}
	if _, errOut, code := runOslerEnv(t, env, "", "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.9, "m")); code != 0 {
		t.Fatal(errOut)
	}
	exp := filepath.Join(t.TempDir(), "sepsis.tar.gz")
	if _, errOut, code := runOslerEnv(t, env, "", "models", "export", "sepsis:1", "-o", exp); code != 0 {
		t.Fatal(errOut)
	}
	other := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "other"), "USER": "ana"}
	_, errOut, code := runOslerEnv(t, other, "", "models", "import", exp, "--max-bytes", "1KiB")
	if code != 1 || !strings.Contains(errOut, "unpacks to more than the limit of 1024 bytes") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out, _, _ := runOslerEnv(t, other, "", "models", "list"); strings.Contains(out, "sepsis") {
		t.Fatalf("registered anyway:\n%s", out)
	}
	if _, errOut, code := runOslerEnv(t, other, "", "models", "import", exp); code != 0 {
		t.Fatalf("within the default limit: %s", errOut)
	}
}
