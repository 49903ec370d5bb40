package trained

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/osler-health/osler/internal/modeldir"
)

// maxPayloadBytes bounds model.bin once decompressed (1 GiB, far above
// what the tables of a model trained on a large report corpus take); Load
// refuses a larger one as corrupt. A variable so tests can lower it.
var maxPayloadBytes int64 = 1 << 30

// LoadFS reads a model saved by [Model.Save] from the directory dir of
// fsys ("." for its root), with the same checks as [Load]. It lets a
// server load a model from memory, e.g. an encrypted registry's artifact
// file system, so the plaintext never touches the disk. name identifies
// the model in errors (e.g. "impressions:2").
func LoadFS(fsys fs.FS, dir, name string) (*Model, error) {
	fail := func(err error) error {
		if errors.Is(err, modeldir.ErrNotModel) {
			return fmt.Errorf("trained: load %s: no %s: not an Osler summarizer (train one with osler train summarizer)", name, metadataName)
		}
		if errors.Is(err, ErrCorrupt) {
			return fmt.Errorf("trained: load %s: %w (retrain the model or restore it from a copy)", name, err)
		}
		return fmt.Errorf("trained: load %s: %w", name, err)
	}
	corrupt := func(file, format string, args ...any) error {
		return fail(modeldir.Corrupt(file, format, args...))
	}
	d, mb, err := modeldir.Open(fsys, dir)
	if err != nil {
		return nil, fail(err)
	}
	var meta Metadata
	if err := json.Unmarshal(mb, &meta); err != nil {
		return nil, corrupt(metadataName, "%v", err)
	}
	if meta.Format != FormatName {
		return nil, fmt.Errorf("trained: load %s: format %q is not an Osler summarizer (%q)", name, meta.Format, FormatName)
	}
	if meta.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("trained: load %s: format version %d is not supported by this Osler (it reads version %d); retrain the model", name, meta.FormatVersion, FormatVersion)
	}
	if err := meta.Options.Validate(); err != nil {
		return nil, corrupt(metadataName, "options: %v", err)
	}
	fsum, ok := meta.Files[dataName]
	if !ok {
		return nil, corrupt(metadataName, "no entry for %s", dataName)
	}
	data, err := d.ReadFile(dataName, fsum)
	if err != nil {
		return nil, fail(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, corrupt(dataName, "%v", err)
	}
	// A few kilobytes of gzip can expand to gigabytes: decode through a
	// limit, so what the decoder allocates is bounded by it.
	lr := &io.LimitedReader{R: zr, N: maxPayloadBytes + 1}
	var p payload
	if err := gob.NewDecoder(lr).Decode(&p); err != nil {
		if lr.N <= 0 {
			return nil, corrupt(dataName, "expands to more than %d bytes", maxPayloadBytes)
		}
		return nil, corrupt(dataName, "%v", err)
	}
	if lr.N <= 0 {
		return nil, corrupt(dataName, "expands to more than %d bytes", maxPayloadBytes)
	}
	m, err := fromPayload(&p)
	if err != nil {
		return nil, corrupt(dataName, "%v", err)
	}
	m.meta = meta
	return m, nil
}
