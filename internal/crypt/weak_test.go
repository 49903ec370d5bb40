package crypt

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWeakKeys: keys that cannot be random are named (issue 10: an
// all-zero master key was accepted without a word); random keys are not.
func TestWeakKeys(t *testing.T) {
	mk := func(f func(i int) byte) *Key {
		b := make([]byte, KeySize)
		for i := range b {
			b[i] = f(i)
		}
		k, err := ParseKey(base64.StdEncoding.EncodeToString(b))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	for name, k := range map[string]*Key{
		"all zero":    mk(func(int) byte { return 0 }),
		"all 0xaa":    mk(func(int) byte { return 0xaa }),
		"four values": mk(func(i int) byte { return byte(i % 4) }),
		"a run":       mk(func(i int) byte { return byte(i) }),
		"a run by 7":  mk(func(i int) byte { return byte(200 + 7*i) }),
	} {
		if k.Weak() == "" {
			t.Errorf("%s: not reported weak", name)
		}
	}
	if w := mk(func(int) byte { return 0 }).Weak(); !strings.Contains(w, "all 32 bytes are 0x00") {
		t.Errorf("all zero: %q", w)
	}
	for range 1000 {
		k, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		if w := k.Weak(); w != "" {
			t.Fatalf("a random key reported weak: %s", w)
		}
	}
}

// TestKeyFileWarning: a key file others can read is named, with a chmod
// hint; a private one is not.
func TestKeyFileWarning(t *testing.T) {
	k, _ := NewKey()
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte(k.Encode()), 0o600); err != nil {
		t.Fatal(err)
	}
	if w := KeyFileWarning(path); w != "" {
		t.Fatalf("0600: %q", w)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o444} {
		os.Chmod(path, mode)
		if w := KeyFileWarning(path); !strings.Contains(w, "can be read by other users") || !strings.Contains(w, "chmod 600") {
			t.Errorf("%04o: %q", mode, w)
		}
	}
}
