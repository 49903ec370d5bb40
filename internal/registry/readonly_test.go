package registry

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	errROFS  error = syscall.EROFS
	errNOSPC error = syscall.ENOSPC
	timeZero time.Time
)

// homeState is every file of a home with its size, mode and sha256.
func homeState(t *testing.T, home string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(home, p)
		if d.IsDir() {
			out[rel] = info.Mode().String()
			return nil
		}
		b, _ := os.ReadFile(p)
		out[rel] = fmt.Sprintf("%v %x", info.Mode(), sha256.Sum256(b))
		return nil
	})
	return out
}

// readOnlyFixture is a closed home with a registered, approved version
// and a predict key.
func readOnlyFixture(t *testing.T) (home, apiKey string) {
	t.Helper()
	ctx := context.Background()
	home = filepath.Join(t.TempDir(), "home")
	s := openStore(t, home, nil)
	v := register(t, s, "sepsis", sampleFiles, `{}`)
	if _, _, err := s.Approve(ctx, v.Ref(), "test", ""); err != nil {
		t.Fatal(err)
	}
	_, apiKey, err := s.CreateKey(ctx, "k", []Scope{ScopePredict}, timeZero, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return home, apiKey
}

// TestReadOnly: a home opened with Options.ReadOnly serves every read
// (versions, artifacts, verification, API keys) and refuses every change
// with ErrReadOnly, and no file of the home changes (issue 10: osler
// serve from a read-only mount failed with "unable to open database file
// (14)"). In a home that can be written, SQLite may add its empty -wal
// and its -shm index beside the database, as any reader of a WAL database
// does.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	home, apiKey := readOnlyFixture(t)
	before := homeState(t, home)
	s, err := Open(ctx, home, Options{ReadOnly: true, KeyUseInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !s.ReadOnly() {
		t.Fatal("ReadOnly() = false")
	}
	v, err := s.Resolve(ctx, Ref{Name: "sepsis"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(ctx, v); err != nil {
		t.Fatal(err)
	}
	if b, err := s.ReadFile(ctx, v, "model.json"); err != nil || string(b) != sampleFiles["model.json"] {
		t.Fatalf("ReadFile: %q %v", b, err)
	}
	if _, err := s.Authenticate(ctx, apiKey, ScopePredict); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "osk_nosuchkeyabcd_"+strings.Repeat("a", 52), ScopePredict); !errors.Is(err, ErrUnknownKey) {
		t.Fatal(err)
	}
	for name, change := range map[string]func() error{
		"register": func() error {
			_, err := s.Register(ctx, Registration{Name: "m", Kind: KindClassifier, Artifact: writeArtifact(t, sampleFiles), By: "test"})
			return err
		},
		"approve":    func() error { _, _, err := s.Reject(ctx, v.Ref(), "test", ""); return err },
		"audit":      func() error { return s.RecordAudit(ctx, "test", "x", "", nil) },
		"create key": func() error { _, _, err := s.CreateKey(ctx, "k2", []Scope{ScopePredict}, timeZero, "test"); return err },
		"gc":         func() error { _, err := s.GC(ctx, GCOptions{}); return err },
	} {
		if err := change(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only registry: %v, want ErrReadOnly", name, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after := homeState(t, home)
	delete(after, DBName+"-shm")
	if st, err := os.Stat(filepath.Join(home, DBName+"-wal")); err == nil && st.Size() == 0 {
		delete(after, DBName+"-wal")
	}
	for f, st := range after {
		if before[f] != st {
			t.Errorf("%s changed or appeared: %q -> %q", f, before[f], st)
		}
	}
	for f := range before {
		if _, ok := after[f]; !ok {
			t.Errorf("%s disappeared", f)
		}
	}
	// A missing home is not created.
	missing := filepath.Join(t.TempDir(), "none")
	if _, err := Open(ctx, missing, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "no registry at") {
		t.Fatalf("a missing home read-only: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("opening read-only created the home")
	}
}

// TestDescribeWriteError: the reasons a home cannot be written are said
// in words.
func TestDescribeWriteError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "x", Err: errROFS}, "read-only file system"},
		{&fs.PathError{Op: "write", Path: "x", Err: errNOSPC}, "no space left"},
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, "permission denied"},
	} {
		if got := describeWriteError(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("describeWriteError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
