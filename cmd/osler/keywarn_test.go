package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/crypt"
)

// TestMasterKeyWarnings: a key file other users can read is used with a
// warning, and an all-zero master key does not create an encrypted home
// (issue 10: both were accepted without a word).
func TestMasterKeyWarnings(t *testing.T) {
	k, _ := crypt.NewKey()
	keyFile := filepath.Join(t.TempDir(), "master.key")
	os.WriteFile(keyFile, []byte(k.Encode()+"\n"), 0o644)
	os.Chmod(keyFile, 0o644)
	env := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "home")}
	_, errOut, code := runOslerEnv(t, env, "", "models", "list", "--key-file", keyFile)
	if code != 0 || !strings.Contains(errOut, "warning: key file "+keyFile+" can be read by other users (mode 0644)") {
		t.Fatalf("world-readable key file: exit %d: %q", code, errOut)
	}
	os.Chmod(keyFile, 0o600)
	if _, errOut, _ := runOslerEnv(t, env, "", "models", "list", "--key-file", keyFile); strings.Contains(errOut, "warning") {
		t.Fatalf("a private key file warned: %q", errOut)
	}
	zero := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "zero"), "OSLER_MASTER_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32))}
	_, errOut, code = runOslerEnv(t, zero, "", "models", "list")
	if code != 1 || !strings.Contains(errOut, "warning: the master key from OSLER_MASTER_KEY is not random (all 32 bytes are 0x00)") ||
		!strings.Contains(errOut, "refusing to create an encrypted home") {
		t.Fatalf("all-zero key: exit %d: %q", code, errOut)
	}
}
