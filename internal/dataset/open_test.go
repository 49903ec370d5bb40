package dataset

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenInput(t *testing.T) {
	// "-" reads the given stdin, and closing it does not close stdin.
	stdin := &closeCounter{Reader: strings.NewReader("from stdin\n")}
	rc, err := OpenInput("-", stdin)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if err := rc.Close(); err != nil || string(b) != "from stdin\n" || stdin.closed {
		t.Errorf("stdin: read %q, close %v, stdin closed %v", b, err, stdin.closed)
	}

	path := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(path, []byte("from a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err = OpenInput(path, stdin)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(rc)
	rc.Close()
	if string(b) != "from a file" {
		t.Errorf("file: read %q", b)
	}

	// A missing file is os.Open's error, with no nil file inside a
	// non-nil interface.
	rc, err = OpenInput(filepath.Join(t.TempDir(), "absent.txt"), stdin)
	var pe *fs.PathError
	if rc != nil || !errors.As(err, &pe) || pe.Op != "open" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, %v", rc, err)
	}
	// Open keeps its "dataset:" prefix on the same error.
	if _, err := Open(filepath.Join(t.TempDir(), "absent.jsonl"), nil, Options{}); err == nil || !strings.HasPrefix(err.Error(), "dataset: open ") {
		t.Errorf("Open: %v", err)
	}
}

type closeCounter struct {
	io.Reader
	closed bool
}

func (c *closeCounter) Close() error { c.closed = true; return nil }
