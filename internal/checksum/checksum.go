// Package checksum computes the SHA-256 digests Osler records for data
// files (in model.json and the registry's lineage) and checks artifacts
// against. It is the one place a file is hashed; in-memory bytes use
// crypto/sha256 directly.
package checksum

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// File returns the hex SHA-256 of the file at path and its size. A
// cancelled ctx stops a long read.
func File(ctx context.Context, path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return Reader(ctx, f, path)
}

// Reader returns the hex SHA-256 of everything r yields and its length;
// name is for errors.
func Reader(ctx context.Context, r io.Reader, name string) (sum string, size int64, err error) {
	h := sha256.New()
	buf := make([]byte, 256<<10)
	for {
		if err := ctx.Err(); err != nil {
			return "", size, err
		}
		n, rerr := r.Read(buf)
		h.Write(buf[:n])
		size += int64(n)
		if rerr == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), size, nil
		}
		if rerr != nil {
			return "", size, fmt.Errorf("%s: %w", name, rerr)
		}
	}
}
