package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
)

// ArtifactStore keeps the registry's blobs (artifact files, manifests,
// datasets) as objects under slash-separated names such as
// "sha256/ab/abcd…" or "sealed/ab/…". The registry names, seals and
// checks the blobs above the store: a store only moves bytes, and in an
// encrypted home it only ever sees sealed ones. Names are content
// addresses, so an object never changes once written.
//
// [DirStore] is the home's blobs directory (the default); package
// internal/registry/s3store keeps them in S3-compatible object storage.
// Errors for a missing object wrap [ErrNotExist].
type ArtifactStore interface {
	// Put stores size bytes (-1: unknown) from r under name, whole or
	// not at all: a reader never sees part of an object. An object
	// already under name may be kept or replaced (both hold the same
	// bytes); to replace a damaged one, Delete it first.
	Put(ctx context.Context, name string, r io.Reader, size int64) error
	// Open opens an object for reading.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Stat describes an object.
	Stat(ctx context.Context, name string) (ObjectInfo, error)
	// Delete removes an object; a missing one is not an error.
	Delete(ctx context.Context, name string) error
	// List calls fn for every object whose name starts with prefix, in
	// no particular order, and stops at fn's first error.
	List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
}

// ErrNotExist is wrapped by [ArtifactStore] errors for a missing object.
// It is fs.ErrNotExist, so errors of the os package match it too.
var ErrNotExist = fs.ErrNotExist

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	// Name is the object's name in the store.
	Name string
	// Size is its size in bytes (sealed bytes in an encrypted home).
	Size int64
	// ModTime is when it was last written (or, in a [DirStore], touched).
	ModTime time.Time
}

// DirStore is an [ArtifactStore] in a local directory: object
// "sha256/ab/abcd" is the file DIR/sha256/ab/abcd. Objects are written to
// DIR/tmp, fsynced and renamed into place (then the directory fsynced),
// so a file under its final name is always complete; files are 0600 and
// directories 0700.
type DirStore struct {
	dir, tmp string
}

var _ ArtifactStore = (*DirStore)(nil)

// NewDirStore returns the store in dir (an absolute path). Nothing is
// created until an object is put.
func NewDirStore(dir string) *DirStore {
	return &DirStore{dir: dir, tmp: filepath.Join(dir, "tmp")}
}

// String returns the directory.
func (d *DirStore) String() string { return d.dir }

// Location returns the file that holds name, for messages.
func (d *DirStore) Location(name string) string {
	return filepath.Join(d.dir, filepath.FromSlash(name))
}

// file returns the file of a valid name.
func (d *DirStore) file(name string) (string, error) {
	if !fs.ValidPath(name) || name == "." || name == "tmp" || strings.HasPrefix(name, "tmp/") {
		return "", fmt.Errorf("registry: invalid object name %q", name)
	}
	return d.Location(name), nil
}

// Put writes r to a temporary file and renames it into place.
func (d *DirStore) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	if _, err := d.file(name); err != nil {
		return err
	}
	if err := os.MkdirAll(d.tmp, 0o700); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	f, err := os.CreateTemp(d.tmp, "put-*")
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("read %d bytes, want %d", n, size)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("registry: storing %s: %w", name, err)
	}
	return d.commit(f.Name(), name)
}

// commit renames the complete, fsynced file tmp into place as name and
// fsyncs the directories it changed.
func (d *DirStore) commit(tmp, name string) error {
	final, err := d.file(name)
	if err != nil {
		os.Remove(tmp)
		return err
	}
	dir := filepath.Dir(final)
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("registry: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("registry: %w", err)
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return err
	}
	if statErr != nil {
		return atomicfile.SyncDir(filepath.Dir(dir))
	}
	return nil
}

// Open opens the object's file.
func (d *DirStore) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := d.file(name)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// Stat describes the object's file.
func (d *DirStore) Stat(ctx context.Context, name string) (ObjectInfo, error) {
	p, err := d.file(name)
	if err != nil {
		return ObjectInfo{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{Name: name, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Touch sets the object's modification time to now, which protects it
// from a concurrent [Store.GC]'s grace period.
func (d *DirStore) Touch(ctx context.Context, name string) error {
	p, err := d.file(name)
	if err != nil {
		return err
	}
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// Delete removes the object's file.
func (d *DirStore) Delete(ctx context.Context, name string) error {
	p, err := d.file(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// List walks the directory (not its tmp) below prefix's directory.
func (d *DirStore) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	base := d.dir
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		base = filepath.Join(d.dir, filepath.FromSlash(path.Clean(prefix[:i])))
	}
	err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			if p == d.tmp {
				return filepath.SkipDir
			}
			return ctx.Err()
		}
		rel, err := filepath.Rel(d.dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		return fn(ObjectInfo{Name: name, Size: info.Size(), ModTime: info.ModTime()})
	})
	if err != nil {
		return fmt.Errorf("registry: listing %s: %w", d.dir, err)
	}
	return nil
}

// toucher is a store that can refresh an object's time ([DirStore.Touch]).
type toucher interface {
	Touch(ctx context.Context, name string) error
}

// locator is a store that can say where an object is, for messages.
type locator interface {
	Location(name string) string
}
