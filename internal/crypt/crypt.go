// Package crypt encrypts Osler's files at rest: model artifacts and datasets
// kept in the registry home.
//
// # Keys
//
// One 256-bit master [Key] (from OSLER_MASTER_KEY or a key file, written as
// base64 or hex) never touches data directly. Each purpose gets its own key
// derived with HKDF-SHA256 (RFC 5869, stdlib crypto/hkdf) and the info string
// "osler/v1/<purpose>", so a key used to name blobs can never be confused with
// one that encrypts them. A [Check] value stored with the data (a salted HKDF
// output, not the key) lets Osler refuse a wrong key at open instead of
// failing on the first blob it reads.
//
// # Sealed files
//
// A sealed file is an 8-byte magic "OSLRSEAL", one format-version byte (1),
// then a Tink AES-GCM-HKDF streaming AEAD ciphertext
// (github.com/tink-crypto/tink-go/v2/streamingaead/subtle, the construction
// Tink documents as "AES-GCM-HKDF Streaming"): a 32-byte random salt and a
// 7-byte random nonce prefix, from which and the purpose key HKDF derives a
// fresh AES-256 key for the file; then the plaintext in segments of
// [SegmentSize] bytes, each sealed with AES-256-GCM under the nonce
// prefix ‖ segment index ‖ last-segment flag. Reordered, dropped, appended or
// truncated segments fail authentication, and files of any size are
// encrypted and decrypted in constant memory.
//
// The construction is Tink's rather than hand-written because streaming
// authenticated encryption is easy to get subtly wrong (nonce reuse,
// truncation at a segment boundary); Tink's is specified, reviewed and
// interoperable. Only AES-256-GCM is used (crypto/aes, crypto/cipher under
// Tink), as auditors usually ask for.
package crypt

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tink "github.com/tink-crypto/tink-go/v2/streamingaead/subtle"
)

// KeySize is the size of a master key in bytes (AES-256).
const KeySize = 32

// SegmentSize is the ciphertext size of one sealed segment (64 KiB); each
// holds SegmentSize-16 bytes of plaintext.
const SegmentSize = 64 << 10

// magic starts every sealed file; the next byte is the format version.
const magic = "OSLRSEAL"

const formatVersion = 1

var (
	// ErrWrongKey means a key does not match the [Check] stored with the
	// data it is meant to open.
	ErrWrongKey = errors.New("crypt: the master key does not match the one this data was encrypted with")
	// ErrCorrupt means a sealed file failed authentication: it was changed,
	// truncated, or sealed with a different key or purpose.
	ErrCorrupt = errors.New("crypt: sealed data is corrupt, truncated or was sealed with another key")
	// ErrNotSealed means data does not start with the sealed-file header.
	ErrNotSealed = errors.New("crypt: not an Osler sealed file")
)

// Key is a 256-bit master key. Its String and GoString never show the
// key, so it can't leak through a log line or a %v.
type Key struct {
	b [KeySize]byte
}

// NewKey returns a random key.
func NewKey() (*Key, error) {
	k := new(Key)
	if _, err := rand.Read(k.b[:]); err != nil {
		return nil, fmt.Errorf("crypt: %w", err)
	}
	return k, nil
}

// ParseKey reads a key written as base64 (standard or URL alphabet, with
// or without padding: 43 or 44 characters) or hex (64 characters).
// Surrounding white space is ignored. Errors never include the value.
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("crypt: the master key is empty")
	}
	var b []byte
	if len(s) == 2*KeySize {
		if d, err := hex.DecodeString(s); err == nil {
			b = d
		}
	}
	if b == nil {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(s); err == nil {
				b = d
				break
			}
		}
	}
	if b == nil {
		return nil, fmt.Errorf("crypt: the master key is neither base64 nor hex (%d characters); generate one with `openssl rand -base64 32`", len(s))
	}
	if len(b) != KeySize {
		return nil, fmt.Errorf("crypt: the master key is %d bytes; want %d (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)", len(b), KeySize)
	}
	k := new(Key)
	copy(k.b[:], b)
	return k, nil
}

// ReadKeyFile reads a key file: the key as text (base64 or hex, see
// [ParseKey]; a trailing newline is fine) or exactly 32 raw bytes.
func ReadKeyFile(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("crypt: key file: %w", err)
	}
	if len(b) == KeySize && !isText(b) {
		k := new(Key)
		copy(k.b[:], b)
		return k, nil
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c >= 0x7f {
			return false
		}
	}
	return true
}

// Weak says why the key cannot have come from a random source ("" when
// nothing shows it): all 32 bytes equal (an all-zero key), fewer than 8
// distinct byte values, or bytes in an arithmetic run (00 01 02 ...).
// Thirty-two random bytes show none of these but with probability below
// 2^-100. A weak key encrypts, but whoever guesses it reads everything.
func (k *Key) Weak() string {
	var seen [256]bool
	distinct := 0
	for _, c := range k.b {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
	}
	switch {
	case distinct == 1:
		return fmt.Sprintf("all %d bytes are 0x%02x", KeySize, k.b[0])
	case distinct < 8:
		return fmt.Sprintf("its %d bytes take only %d distinct values", KeySize, distinct)
	}
	step := k.b[1] - k.b[0]
	for i := 2; i < KeySize; i++ {
		if k.b[i]-k.b[i-1] != step {
			return ""
		}
	}
	return "its bytes run in equal steps (00 01 02 ...)"
}

// KeyFileWarning says why a key file is exposed ("" when it is not): it
// can be read by users other than its owner (group or others have read
// permission), where it should be 0600 or 0400. The file is still used: a
// secret mounted by a container runtime is often 0444.
func KeyFileWarning(path string) string {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("key file %s can be read by other users (mode %04o): anyone who reads it can decrypt the registry; chmod 600 %s", path, st.Mode().Perm(), path)
}

// Encode writes the key as standard base64, the form [ParseKey] reads.
func (k *Key) Encode() string { return base64.StdEncoding.EncodeToString(k.b[:]) }

// String hides the key.
func (k *Key) String() string { return "crypt.Key(redacted)" }

// GoString hides the key.
func (k *Key) GoString() string { return k.String() }

// Derive returns 32 bytes of key material for one purpose ("blob-names",
// ...): HKDF-SHA256 of the master key with info "osler/v1/<purpose>".
// Different purposes give independent keys.
func (k *Key) Derive(purpose string) ([]byte, error) {
	return k.derive(nil, purpose)
}

func (k *Key) derive(salt []byte, purpose string) ([]byte, error) {
	b, err := hkdf.Key(sha256.New, k.b[:], salt, "osler/v1/"+purpose, KeySize)
	if err != nil {
		return nil, fmt.Errorf("crypt: %w", err)
	}
	return b, nil
}

// Check is a key check value: proof that data was written with a given
// master key, from which the key can't be recovered. Store it beside the
// data (it is not secret) and [Check.Verify] the key on open.
type Check struct {
	// Version of the check algorithm (1: HKDF-SHA256, 16-byte salt, info
	// "osler/v1/key-check", 32 bytes).
	Version int `json:"version"`
	// Salt and Value are base64.
	Salt  string `json:"salt"`
	Value string `json:"value"`
}

// NewCheck computes a check value for k with a fresh random salt.
func NewCheck(k *Key) (Check, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Check{}, fmt.Errorf("crypt: %w", err)
	}
	v, err := k.derive(salt, "key-check")
	if err != nil {
		return Check{}, err
	}
	return Check{
		Version: 1,
		Salt:    base64.StdEncoding.EncodeToString(salt),
		Value:   base64.StdEncoding.EncodeToString(v),
	}, nil
}

// Verify returns [ErrWrongKey] unless k is the key c was computed with.
func (c Check) Verify(k *Key) error {
	if c.Version != 1 {
		return fmt.Errorf("crypt: key check version %d is not supported by this Osler (upgrade Osler)", c.Version)
	}
	salt, err1 := base64.StdEncoding.DecodeString(c.Salt)
	want, err2 := base64.StdEncoding.DecodeString(c.Value)
	if err1 != nil || err2 != nil || len(want) != 32 {
		return errors.New("crypt: the stored key check value is malformed")
	}
	got, err := k.derive(salt, "key-check")
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrWrongKey
	}
	return nil
}

// Sealer encrypts and decrypts streams for one purpose. It is safe for
// concurrent use.
type Sealer struct {
	purpose string
	aead    *tink.AESGCMHKDF
}

// Sealer returns the sealer for a purpose; data sealed for one purpose
// can't be opened as another.
func (k *Key) Sealer(purpose string) (*Sealer, error) {
	main, err := k.Derive("seal/" + purpose)
	if err != nil {
		return nil, err
	}
	a, err := tink.NewAESGCMHKDF(main, "SHA256", KeySize, SegmentSize, 0)
	if err != nil {
		return nil, fmt.Errorf("crypt: %w", err)
	}
	return &Sealer{purpose: purpose, aead: a}, nil
}

// aad binds the purpose and the caller's associated data (e.g. what kind
// of object the file holds) into the per-file key.
func (s *Sealer) aad(extra []byte) []byte {
	b := make([]byte, 0, len(s.purpose)+1+len(extra))
	b = append(b, s.purpose...)
	b = append(b, 0)
	return append(b, extra...)
}

// Seal returns a writer that encrypts what is written to it into w. Close
// it to write the last segment; a sealed file without its last segment
// fails to open. Closing does not close w. aad must be given again to
// open the file.
func (s *Sealer) Seal(w io.Writer, aad []byte) (io.WriteCloser, error) {
	if _, err := w.Write(append([]byte(magic), formatVersion)); err != nil {
		return nil, err
	}
	wc, err := s.aead.NewEncryptingWriter(w, s.aad(aad))
	if err != nil {
		return nil, fmt.Errorf("crypt: %w", err)
	}
	return wc, nil
}

// Open returns a reader of the plaintext of the sealed file read from r.
// Reads return an error wrapping [ErrCorrupt] when the data fails
// authentication (changed, truncated, extended, another key or another
// aad), and r's own errors unchanged. Data is returned one segment at a
// time, each authenticated before it is returned; a truncated file is
// detected at its end, so consume to io.EOF before trusting the whole.
func (s *Sealer) Open(r io.Reader, aad []byte) (io.Reader, error) {
	hdr := make([]byte, len(magic)+1)
	if _, err := io.ReadFull(r, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrNotSealed
		}
		return nil, err
	}
	if !bytes.Equal(hdr[:len(magic)], []byte(magic)) {
		return nil, ErrNotSealed
	}
	if hdr[len(magic)] != formatVersion {
		return nil, fmt.Errorf("crypt: sealed format version %d is not supported by this Osler (upgrade Osler)", hdr[len(magic)])
	}
	src := &ioErrReader{r: r}
	dr, err := s.aead.NewDecryptingReader(src, s.aad(aad))
	if err != nil {
		if src.err != nil {
			return nil, src.err
		}
		return nil, fmt.Errorf("%w (header: %v)", ErrCorrupt, err)
	}
	return &openReader{r: dr, src: src}, nil
}

// ioErrReader remembers the underlying reader's own error, so that an I/O
// failure is not reported as tampering.
type ioErrReader struct {
	r   io.Reader
	err error
}

func (e *ioErrReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

type openReader struct {
	r   io.Reader
	src *ioErrReader
}

func (o *openReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err != nil && err != io.EOF {
		if o.src.err != nil && errors.Is(err, o.src.err) {
			return n, err
		}
		return n, ErrCorrupt
	}
	return n, err
}
