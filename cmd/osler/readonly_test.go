package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOnlyFlag: --read-only opens the registry without changing it:
// commands that read work, one that changes it fails saying why (issue 10:
// a read-only home broke even read-only commands).
func TestReadOnlyFlag(t *testing.T) {
	env := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "home"), "USER": "ana"}
	if _, errOut, code := runOslerEnv(t, env, "", "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.9, "m")); code != 0 {
		t.Fatal(errOut)
	}
	for _, args := range [][]string{{"models", "list"}, {"models", "show", "sepsis:1"}, {"models", "verify"}, {"audit"}, {"keys", "list"}} {
		if out, errOut, code := runOslerEnv(t, env, "", append(args, "--read-only")...); code != 0 {
			t.Errorf("osler %s --read-only: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	_, errOut, code := runOslerEnv(t, env, "", "models", "approve", "sepsis:1", "--read-only")
	if code != 1 || !strings.Contains(errOut, "opened read-only") {
		t.Fatalf("approve --read-only: exit %d: %s", code, errOut)
	}
	if out, _, _ := runOslerEnv(t, env, "", "models", "show", "sepsis:1"); !strings.Contains(out, "PendingManualApproval") {
		t.Fatalf("the refused approval changed the version:\n%s", out)
	}
}
