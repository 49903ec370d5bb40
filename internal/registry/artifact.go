package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/atomicfile"
)

func copyCtx(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	return io.Copy(w, ctxReader{ctx, r})
}

// Manifest reads and checks a version's manifest.
func (s *Store) Manifest(ctx context.Context, v Version) (Manifest, error) {
	what := "manifest of " + v.Ref().String()
	b, err := s.blobs.readAll(ctx, v.Manifest, what)
	if err != nil {
		return Manifest{}, err
	}
	m, err := ParseManifest(b)
	if err != nil {
		return Manifest{}, fmt.Errorf("%w (%s)", err, what)
	}
	return m, nil
}

// OpenFile opens one file of a version's artifact. The reader checks size
// and sha256 as it goes and fails with a [*ChecksumError] at the end on a
// mismatch, so read it to io.EOF before using what it returned (or use
// [Store.ReadFile]).
func (s *Store) OpenFile(ctx context.Context, v Version, path string) (io.ReadCloser, error) {
	m, err := s.Manifest(ctx, v)
	if err != nil {
		return nil, err
	}
	f, ok := m.Find(path)
	if !ok {
		return nil, notFound("%s has no file %s", v.Ref(), path)
	}
	return s.blobs.open(ctx, f.SHA256, f.Bytes, fmt.Sprintf("%s of %s", f.Path, v.Ref()))
}

// ReadFile returns one verified file of a version's artifact.
func (s *Store) ReadFile(ctx context.Context, v Version, path string) ([]byte, error) {
	r, err := s.OpenFile(ctx, v, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(ctxReader{ctx, r})
}

// Verify reads every file of a version's artifact and checks its size and
// sha256 (and, in an encrypted home, its authentication tags).
func (s *Store) Verify(ctx context.Context, v Version) error {
	m, err := s.Manifest(ctx, v)
	if err != nil {
		return err
	}
	if len(m.Files) != v.Files || m.Bytes() != v.Bytes {
		return fmt.Errorf("registry: manifest of %s lists %d files, %d bytes; the database says %d files, %d bytes", v.Ref(), len(m.Files), m.Bytes(), v.Files, v.Bytes)
	}
	for _, f := range m.Files {
		r, err := s.blobs.open(ctx, f.SHA256, f.Bytes, fmt.Sprintf("%s of %s", f.Path, v.Ref()))
		if err != nil {
			return err
		}
		_, err = copyCtx(ctx, io.Discard, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Materialize writes a version's artifact into dir, which must not exist
// or be empty, checking every file's size and sha256. Files are written
// into a temporary directory beside dir, fsynced, and renamed into place
// at the end, so dir never holds a partial or unverified artifact.
//
// In an encrypted home the materialized files are plaintext: put dir on
// encrypted or memory-backed storage, or read files with [Store.ReadFile].
func (s *Store) Materialize(ctx context.Context, v Version, dir string) error {
	m, err := s.Manifest(ctx, v)
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("registry: materialize %s: %s is not empty", v.Ref(), dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("registry: materialize: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("registry: materialize: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("registry: materialize: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	dirs := map[string]bool{tmp: true}
	for _, f := range m.Files {
		dst := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if !strings.HasPrefix(dst, tmp+string(filepath.Separator)) {
			return fmt.Errorf("registry: materialize %s: unsafe path %q in the manifest", v.Ref(), f.Path)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("registry: materialize: %w", err)
		}
		dirs[filepath.Dir(dst)] = true
		if err := s.copyBlob(ctx, f, fmt.Sprintf("%s of %s", f.Path, v.Ref()), dst); err != nil {
			return err
		}
	}
	for d := range dirs {
		if err := atomicfile.SyncDir(d); err != nil {
			return err
		}
	}
	os.Remove(dir) // an empty directory is replaced
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("registry: materialize: %w", err)
	}
	done = true
	return atomicfile.SyncDir(parent)
}

func (s *Store) copyBlob(ctx context.Context, f ManifestFile, what, dst string) error {
	r, err := s.blobs.open(ctx, f.SHA256, f.Bytes, what)
	if err != nil {
		return err
	}
	defer r.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("registry: materialize: %w", err)
	}
	if _, err := copyCtx(ctx, out, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("registry: materialize: %w", err)
	}
	return out.Close()
}
