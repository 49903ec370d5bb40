package registry

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/crypt"
)

// TestWeakKeyRefusedForNewHome: an encrypted home is not created with a
// master key that cannot be random (issue 10: an all-zero key was
// accepted); the home can then be created with a good key.
func TestWeakKeyRefusedForNewHome(t *testing.T) {
	ctx := context.Background()
	zero, err := crypt.ParseKey(base64.StdEncoding.EncodeToString(make([]byte, crypt.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "home")
	if _, err := Open(ctx, home, Options{Key: zero}); err == nil || !strings.Contains(err.Error(), "all 32 bytes are 0x00") ||
		!strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Fatalf("a new home with an all-zero key: %v", err)
	}
	s := openStore(t, home, newKey(t))
	if !s.Encrypted() {
		t.Fatal("not encrypted")
	}
}
