package registry

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/osler-health/osler/internal/crypt"
)

// ChecksumError means stored data does not match its recorded size or
// sha256 (or, in an encrypted home, failed authentication): the blob was
// changed or damaged on disk.
type ChecksumError struct {
	// What names the data: "model.json of sepsis:3", "manifest of …".
	What string
	// Path is where the blob is: its file, or its URL in object storage.
	Path string
	// Want is the recorded sha256; Got what was read ("" when the data
	// could not be decrypted or the file is missing).
	Want, Got string
	// WantBytes and GotBytes are the recorded and read sizes (-1: unknown).
	WantBytes, GotBytes int64
	// Err is the underlying error, if any (crypt.ErrCorrupt, os.ErrNotExist).
	Err error
}

func (e *ChecksumError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "registry: %s fails its checksum", e.What)
	switch {
	case e.Err != nil && errors.Is(e.Err, fs.ErrNotExist):
		b.WriteString(": the blob is missing")
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	case e.WantBytes >= 0 && e.GotBytes >= 0 && e.WantBytes != e.GotBytes:
		fmt.Fprintf(&b, ": %d bytes, want %d", e.GotBytes, e.WantBytes)
	default:
		fmt.Fprintf(&b, ": sha256 %s, want %s", e.Got, e.Want)
	}
	fmt.Fprintf(&b, " (%s); restore the home from a backup or register the model again", e.Path)
	return b.String()
}

func (e *ChecksumError) Unwrap() error { return e.Err }

// blobStore keeps files content-addressed by the sha256 of their
// (plaintext) content, in an [ArtifactStore]. Sealing and naming happen
// here, above the store, so in an encrypted home the store only ever
// holds sealed bytes under names that do not reveal the content.
type blobStore struct {
	st      ArtifactStore
	tmp     string        // local directory for blobs being written
	sealer  *crypt.Sealer // nil: stored as is
	nameKey []byte        // HMAC key naming sealed blobs
}

// blobAAD is the associated data of sealed blobs.
var blobAAD = []byte("osler blob v1")

// openBlobStore opens the blobs of a home in st, writing blobs being
// stored to tmp first; create makes tmp (not in a read-only registry).
func openBlobStore(st ArtifactStore, tmp string, key *crypt.Key, create bool) (*blobStore, error) {
	b := &blobStore{st: st, tmp: tmp}
	if key != nil {
		var err error
		if b.sealer, err = key.Sealer("blobs"); err != nil {
			return nil, err
		}
		if b.nameKey, err = key.Derive("blob-names"); err != nil {
			return nil, err
		}
	}
	if !create {
		return b, nil
	}
	if err := os.MkdirAll(b.tmp, 0o700); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return b, nil
}

// kind is the top of the names of this home's blobs: "sealed" in an
// encrypted home, else "sha256".
func (b *blobStore) kind() string {
	if b.sealer != nil {
		return "sealed"
	}
	return "sha256"
}

// root is the location of the blobs of this home's kind (a directory in
// a [DirStore]).
func (b *blobStore) root() string { return b.location(b.kind()) }

// name is a blob's file name: its sha256, or in an encrypted home an HMAC
// of it, so that file names do not let anyone confirm a guessed content.
func (b *blobStore) name(digest string) string {
	if b.sealer == nil {
		return digest
	}
	m := hmac.New(sha256.New, b.nameKey)
	m.Write([]byte(digest))
	return hex.EncodeToString(m.Sum(nil))
}

// object is a blob's object name in the store: KIND/ab/NAME.
func (b *blobStore) object(digest string) string {
	n := b.name(digest)
	return b.kind() + "/" + n[:2] + "/" + n
}

// location says where an object is, for messages: a file, or a URL.
func (b *blobStore) location(name string) string {
	if l, ok := b.st.(locator); ok {
		return l.Location(name)
	}
	return name
}

func (b *blobStore) path(digest string) string { return b.location(b.object(digest)) }

func validDigest(d string) bool {
	if len(d) != 64 {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ctxReader stops a copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// put stores what r yields and returns its sha256 and size. The blob is
// written (sealed, in an encrypted home) to the local tmp directory and
// fsynced while its sha256 is computed, then stored under its name: in a
// [DirStore] by renaming it into place, so a blob file under its final
// name is always complete. Storing content that is already there verifies
// the existing copy (replacing it when damaged) and refreshes its
// modification time where the store can ([DirStore.Touch]), which
// protects it from a concurrent [Store.GC] grace period.
func (b *blobStore) put(ctx context.Context, r io.Reader, progress func(int64)) (string, int64, error) {
	f, err := os.CreateTemp(b.tmp, "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("registry: %w", err)
	}
	renamed := false
	defer func() {
		f.Close()
		if !renamed {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	var dst io.Writer = f
	var sealed io.WriteCloser
	if b.sealer != nil {
		if sealed, err = b.sealer.Seal(f, blobAAD); err != nil {
			return "", 0, fmt.Errorf("registry: %w", err)
		}
		dst = sealed
	}
	var w io.Writer = io.MultiWriter(dst, h)
	if progress != nil {
		w = progressWriter{w, progress}
	}
	n, err := io.Copy(w, ctxReader{ctx, r})
	if err != nil {
		return "", 0, fmt.Errorf("registry: storing blob: %w", err)
	}
	if sealed != nil {
		if err := sealed.Close(); err != nil {
			return "", 0, fmt.Errorf("registry: storing blob: %w", err)
		}
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("registry: storing blob: %w", err)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	name := b.object(digest)
	_, err = b.st.Stat(ctx, name)
	switch {
	case err == nil && b.verify(ctx, digest, n) == nil:
		if t, ok := b.st.(toucher); ok {
			if err := t.Touch(ctx, name); err != nil {
				return "", 0, err
			}
		}
		return digest, n, nil
	case err == nil: // damaged: replace it
		if err := b.st.Delete(ctx, name); err != nil {
			return "", 0, err
		}
	case !errors.Is(err, ErrNotExist):
		return "", 0, fmt.Errorf("registry: storing blob: %w", err)
	}
	if d, ok := b.st.(*DirStore); ok && d.tmp == b.tmp {
		if err := f.Close(); err != nil {
			return "", 0, fmt.Errorf("registry: storing blob: %w", err)
		}
		renamed = true // commit removes it on failure
		return digest, n, d.commit(f.Name(), name)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return "", 0, fmt.Errorf("registry: storing blob: %w", err)
	}
	if err := b.st.Put(ctx, name, f, size); err != nil {
		return "", 0, fmt.Errorf("registry: storing blob %s: %w", digest, err)
	}
	return digest, n, nil
}

func (b *blobStore) putBytes(ctx context.Context, data []byte) (string, error) {
	d, _, err := b.put(ctx, bytes.NewReader(data), nil)
	return d, err
}

type progressWriter struct {
	w  io.Writer
	fn func(int64)
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.fn(int64(n))
	return n, err
}

// open returns a reader of the blob's content that checks, at EOF, that
// the content has the given sha256 and size (size < 0: any). Reads return
// a *ChecksumError (with What set to what) on any mismatch, and the
// caller must read to EOF before trusting the data.
func (b *blobStore) open(ctx context.Context, digest string, size int64, what string) (io.ReadCloser, error) {
	if !validDigest(digest) {
		return nil, fmt.Errorf("registry: %s: invalid sha256 %q", what, digest)
	}
	name := b.object(digest)
	p := b.location(name)
	cerr := func(err error) *ChecksumError {
		return &ChecksumError{What: what, Path: p, Want: digest, WantBytes: size, GotBytes: -1, Err: err}
	}
	f, err := b.st.Open(ctx, name)
	if err != nil {
		if errors.Is(err, ErrNotExist) {
			return nil, cerr(err)
		}
		return nil, fmt.Errorf("registry: %s: %w", what, err)
	}
	var r io.Reader = f
	if b.sealer != nil {
		if r, err = b.sealer.Open(f, blobAAD); err != nil {
			f.Close()
			if errors.Is(err, crypt.ErrCorrupt) || errors.Is(err, crypt.ErrNotSealed) {
				return nil, cerr(err)
			}
			return nil, fmt.Errorf("registry: %w", err)
		}
	}
	return &verifyingReader{r: r, f: f, h: sha256.New(), want: digest, size: size, cerr: cerr}, nil
}

type verifyingReader struct {
	r    io.Reader
	f    io.Closer
	h    hash.Hash
	n    int64
	want string
	size int64
	cerr func(error) *ChecksumError
	err  error
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		e := v.cerr(nil)
		e.GotBytes = v.n
		v.err = e
		return n, e
	}
	if err == io.EOF {
		got := hex.EncodeToString(v.h.Sum(nil))
		if got != v.want || (v.size >= 0 && v.n != v.size) {
			e := v.cerr(nil)
			e.Got, e.GotBytes = got, v.n
			v.err = e
			return n, e
		}
	} else if err != nil && (errors.Is(err, crypt.ErrCorrupt)) {
		v.err = v.cerr(err)
		return n, v.err
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.f.Close() }

// verify reads a blob through and checks it.
func (b *blobStore) verify(ctx context.Context, digest string, size int64) error {
	r, err := b.open(ctx, digest, size, "blob "+digest)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, ctxReader{ctx, r})
	return err
}

// readAll reads a small blob (a manifest) into memory, verified.
func (b *blobStore) readAll(ctx context.Context, digest, what string) ([]byte, error) {
	r, err := b.open(ctx, digest, -1, what)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// exists reports whether a blob is stored.
func (b *blobStore) exists(ctx context.Context, digest string) (bool, error) {
	_, err := b.st.Stat(ctx, b.object(digest))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("registry: blob %s: %w", digest, err)
}
