package registry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// ArtifactFS returns a read-only file system over a version's artifact.
// Opening a file reads it in full, decrypted and checked against its size
// and sha256, and serves it from memory: nothing is written to disk, so a
// server can load models of an encrypted home without leaving plaintext
// behind (prefer it to [Store.Materialize] there). A file that fails its
// checksum fails to open with a [*ChecksumError].
//
// It implements fs.ReadFileFS, fs.ReadDirFS and fs.StatFS.
func (s *Store) ArtifactFS(ctx context.Context, v Version) (fs.FS, error) {
	m, err := s.Manifest(ctx, v)
	if err != nil {
		return nil, err
	}
	return s.manifestFS(ctx, m, v.Ref().String(), v.Created), nil
}

// manifestFS is the file system of the files m lists (which must be
// stored); what names the artifact in errors.
func (s *Store) manifestFS(ctx context.Context, m Manifest, what string, mod time.Time) *artifactFS {
	a := &artifactFS{s: s, ctx: ctx, what: what, files: map[string]ManifestFile{}, dirs: map[string][]fs.DirEntry{".": nil}, mod: mod}
	for _, f := range m.Files {
		a.files[f.Path] = f
		child := fileInfo{name: path.Base(f.Path), size: f.Bytes, mod: a.mod}
		dir := path.Dir(f.Path)
		for {
			_, seen := a.dirs[dir]
			a.dirs[dir] = append(a.dirs[dir], child)
			if seen || dir == "." {
				break
			}
			child = fileInfo{name: path.Base(dir), dir: true, mod: a.mod}
			dir = path.Dir(dir)
		}
	}
	for d, entries := range a.dirs {
		slices.SortFunc(entries, func(x, y fs.DirEntry) int { return strings.Compare(x.Name(), y.Name()) })
		a.dirs[d] = entries
	}
	return a
}

type artifactFS struct {
	s     *Store
	ctx   context.Context
	what  string // the artifact, in errors (e.g. "sepsis:3")
	files map[string]ManifestFile
	dirs  map[string][]fs.DirEntry
	mod   time.Time
}

func (a *artifactFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if entries, ok := a.dirs[name]; ok {
		return &dirFile{info: fileInfo{name: path.Base(name), dir: true, mod: a.mod}, entries: entries}, nil
	}
	b, err := a.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(b), info: fileInfo{name: path.Base(name), size: int64(len(b)), mod: a.mod}}, nil
}

func (a *artifactFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	f, ok := a.files[name]
	if !ok {
		if _, isDir := a.dirs[name]; isDir {
			return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	r, err := a.s.blobs.open(a.ctx, f.SHA256, f.Bytes, f.Path+" of "+a.what)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := make([]byte, 0, f.Bytes)
	buf := bytes.NewBuffer(b)
	if _, err := copyCtx(a.ctx, buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (a *artifactFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	entries, ok := a.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(entries), nil
}

func (a *artifactFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if _, ok := a.dirs[name]; ok {
		return fileInfo{name: path.Base(name), dir: true, mod: a.mod}, nil
	}
	if f, ok := a.files[name]; ok {
		return fileInfo{name: path.Base(name), size: f.Bytes, mod: a.mod}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// fileInfo describes a file or directory of an artifact; it is also its
// fs.DirEntry.
type fileInfo struct {
	name string
	size int64
	dir  bool
	mod  time.Time
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64  { return i.size }
func (i fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i fileInfo) ModTime() time.Time         { return i.mod }
func (i fileInfo) IsDir() bool                { return i.dir }
func (i fileInfo) Sys() any                   { return nil }
func (i fileInfo) Type() fs.FileMode          { return i.Mode().Type() }
func (i fileInfo) Info() (fs.FileInfo, error) { return i, nil }

type memFile struct {
	*bytes.Reader
	info fileInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type dirFile struct {
	info    fileInfo
	entries []fs.DirEntry
	pos     int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.pos:]
	if n <= 0 {
		d.pos = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.pos += n
	return slices.Clone(rest[:n]), nil
}
