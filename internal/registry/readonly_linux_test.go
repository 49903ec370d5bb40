package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mountOrSkip runs mount(2), skipping the test where it is not allowed
// (not root, or a container without the capability).
func mountOrSkip(t *testing.T, source, target, fstype string, flags uintptr, data string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a read-only or a full file system")
	}
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		t.Skipf("mount %s: %v", target, err)
	}
	t.Cleanup(func() { syscall.Unmount(target, syscall.MNT_DETACH) })
}

// TestReadOnlyMount: on a read-only mount a home opened read-write fails
// with an error that says so and names --read-only, and opened read-only
// it serves (immutable, as nothing can change it there).
func TestReadOnlyMount(t *testing.T) {
	ctx := context.Background()
	home, apiKey := readOnlyFixture(t)
	mountOrSkip(t, home, home, "", syscall.MS_BIND, "")
	if err := syscall.Mount("", home, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("remount read-only: %v", err)
	}
	_, err := Open(ctx, home, Options{})
	if err == nil || !strings.Contains(err.Error(), "read-only file system") || !strings.Contains(err.Error(), "--read-only") {
		t.Fatalf("read-write open of a read-only mount: %v", err)
	}
	s, err := Open(ctx, home, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Authenticate(ctx, apiKey, ScopePredict); err != nil {
		t.Fatal(err)
	}
	v, err := s.Resolve(ctx, Ref{Name: "sepsis"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(ctx, v); err != nil {
		t.Fatal(err)
	}
}

// TestFullDisk: on a full file system, a change fails saying there is no
// space, and the home opens read-only.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mountOrSkip(t, "tmpfs", dir, "tmpfs", 0, "size=2m")
	home := filepath.Join(dir, "home")
	s := openStore(t, home, nil)
	register(t, s, "sepsis", sampleFiles, `{}`)
	s.Close()
	// Fill the file system.
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(make([]byte, 64<<10)); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()
	s, err = Open(ctx, home, Options{})
	if err == nil {
		_, err = s.Register(ctx, Registration{Name: "sepsis", Kind: KindClassifier, Artifact: writeArtifact(t, sampleFiles), By: "test"})
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("writing to a full home: %v", err)
	}
	s, err = Open(ctx, home, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if vs, err := s.AllVersions(ctx); err != nil || len(vs) != 1 {
		t.Fatalf("%d versions, %v", len(vs), err)
	}
}
