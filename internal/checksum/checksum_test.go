package checksum

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.jsonl")
	data := []byte(strings.Repeat("{\"id\":1,\"text\":\"a\"}\n", 50_000)) // over one buffer
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	sum, size, err := File(context.Background(), path)
	if err != nil || sum != hex.EncodeToString(want[:]) || size != int64(len(data)) {
		t.Fatalf("File = %s, %d, %v; want %x, %d", sum, size, err, want, len(data))
	}
	if _, _, err := File(context.Background(), filepath.Join(t.TempDir(), "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("absent file: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := File(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	empty := sha256.Sum256(nil)
	if sum, size, err := Reader(context.Background(), strings.NewReader(""), "empty"); err != nil || sum != hex.EncodeToString(empty[:]) || size != 0 {
		t.Fatalf("empty: %s %d %v", sum, size, err)
	}
}
