package registry

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/osler-health/osler/internal/version"
)

// An export is a tar file (optionally gzip-compressed) that carries one
// version between registries:
//
//	osler-export.json   [ExportInfo]: the version's metadata and the
//	                    sha256 of the manifest
//	manifest.json       the artifact manifest (path → sha256, size)
//	files/<path>        each artifact file, in manifest order, decrypted
//
// Import checks the manifest against ExportInfo and every file against
// the manifest while it stores them. Approval does not travel: an imported
// version starts as PendingManualApproval, with where it came from in its
// Source.

// ExportFormat identifies Osler model exports.
const ExportFormat = "osler-model-export"

const (
	exportInfoName     = "osler-export.json"
	exportManifestName = "manifest.json"
	exportFilesDir     = "files/"
	maxExportJSON      = 64 << 20
)

// ExportInfo is osler-export.json.
type ExportInfo struct {
	Format         string    `json:"format"`
	FormatVersion  int       `json:"format_version"`
	OslerVersion   string    `json:"osler_version"`
	ExportedAt     time.Time `json:"exported_at"`
	ModelKind      Kind      `json:"model_kind"`
	Description    string    `json:"model_description,omitempty"`
	Version        Version   `json:"version"`
	ManifestSHA256 string    `json:"manifest_sha256"`
}

// Export writes a version as a tar file to w (wrap w in gzip to compress).
// Files are read through the checksum checks; a damaged blob stops the
// export with a [*ChecksumError]. In an encrypted home the export holds
// the artifact decrypted: protect it like the model itself.
func (s *Store) Export(ctx context.Context, v Version, w io.Writer, by string) error {
	m, err := s.Manifest(ctx, v)
	if err != nil {
		return err
	}
	model, err := s.Model(ctx, v.Model)
	if err != nil {
		return err
	}
	info := ExportInfo{
		Format:         ExportFormat,
		FormatVersion:  1,
		OslerVersion:   version.Version,
		ExportedAt:     s.now().UTC(),
		ModelKind:      model.Kind,
		Description:    model.Description,
		Version:        v,
		ManifestSHA256: v.Manifest,
	}
	infoJSON, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("registry: export: %w", err)
	}
	manJSON := m.encode()
	if hex.EncodeToString(sha256Sum(manJSON)) != v.Manifest {
		// The stored manifest is verified; re-encoding must reproduce it.
		manJSON, err = s.blobs.readAll(ctx, v.Manifest, "manifest of "+v.Ref().String())
		if err != nil {
			return err
		}
	}
	tw := tar.NewWriter(w)
	mod := info.ExportedAt
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if err := add(exportInfoName, append(infoJSON, '\n')); err != nil {
		return fmt.Errorf("registry: export: %w", err)
	}
	if err := add(exportManifestName, manJSON); err != nil {
		return fmt.Errorf("registry: export: %w", err)
	}
	for _, f := range m.Files {
		if err := tw.WriteHeader(&tar.Header{Name: exportFilesDir + f.Path, Mode: 0o644, Size: f.Bytes, ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
			return fmt.Errorf("registry: export: %w", err)
		}
		r, err := s.blobs.open(ctx, f.SHA256, f.Bytes, fmt.Sprintf("%s of %s", f.Path, v.Ref()))
		if err != nil {
			return err
		}
		_, err = copyCtx(ctx, tw, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("registry: export: %w", err)
	}
	return s.RecordAudit(ctx, by, ActionExport, v.Ref().String(), map[string]any{"manifest": v.Manifest, "files": len(m.Files), "bytes": m.Bytes()})
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// ImportOptions configure [Store.Import].
type ImportOptions struct {
	// Name registers under another model name; "" keeps the exported one.
	Name string
	// By is who imports, for the audit log.
	By string
	// Source names the file imported from (informative).
	Source string
	// MaxBytes bounds the artifact once unpacked: the sum of its files'
	// sizes, as its manifest declares them before any is stored (a few
	// megabytes of gzip can unpack to gigabytes). 0 means
	// [DefaultMaxImportBytes].
	MaxBytes int64
	// Check, when set, is given the artifact's kind and its files (each
	// verified against the manifest, read back from what was stored) before
	// the version is registered; an error stops the import and nothing is
	// registered. Checksums only prove a file is the one exported: the CLI
	// loads the model with Check, so an artifact its loader refuses (a
	// re-signed, crafted file) is refused here rather than when served.
	Check func(ctx context.Context, kind Kind, fsys fs.FS) error
}

// DefaultMaxImportBytes is the default of [ImportOptions.MaxBytes]: 2 GiB,
// as osler serve's default --max-upload.
const DefaultMaxImportBytes = 2 << 30

// ReadExportInfo reads only the header of an export (for a preview).
func ReadExportInfo(r io.Reader) (ExportInfo, error) {
	tr, err := exportReader(r)
	if err != nil {
		return ExportInfo{}, err
	}
	return readExportInfo(tr)
}

func exportReader(r io.Reader) (*tar.Reader, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("registry: import: %w", err)
		}
		return tar.NewReader(zr), nil
	}
	return tar.NewReader(br), nil
}

func nextEntry(tr *tar.Reader, want string) (*tar.Header, error) {
	h, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("registry: import: the export ends before %s", want)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: import: not an Osler export (a tar file): %w", err)
	}
	if h.Name != want {
		return nil, fmt.Errorf("registry: import: found %q where %s was expected; is this an `osler models export` file?", h.Name, want)
	}
	if h.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("registry: import: %s is not a regular file", want)
	}
	return h, nil
}

func readExportInfo(tr *tar.Reader) (ExportInfo, error) {
	h, err := nextEntry(tr, exportInfoName)
	if err != nil {
		return ExportInfo{}, err
	}
	if h.Size > maxExportJSON {
		return ExportInfo{}, fmt.Errorf("registry: import: %s is too large", exportInfoName)
	}
	var info ExportInfo
	if err := json.NewDecoder(io.LimitReader(tr, h.Size)).Decode(&info); err != nil {
		return ExportInfo{}, fmt.Errorf("registry: import: %s: %w", exportInfoName, err)
	}
	if info.Format != ExportFormat {
		return ExportInfo{}, fmt.Errorf("registry: import: format %q, want %q", info.Format, ExportFormat)
	}
	if info.FormatVersion != 1 {
		return ExportInfo{}, fmt.Errorf("registry: import: export format version %d is not supported by this Osler (upgrade Osler)", info.FormatVersion)
	}
	if !validDigest(info.ManifestSHA256) {
		return ExportInfo{}, fmt.Errorf("registry: import: invalid manifest sha256 %q", info.ManifestSHA256)
	}
	if _, err := ParseKind(string(info.ModelKind)); err != nil {
		return ExportInfo{}, fmt.Errorf("registry: import: %w", err)
	}
	return info, nil
}

// Import reads an export and registers it as the next version of its
// model (or of opts.Name), checking every checksum; on any error nothing
// is registered. The new version is PendingManualApproval: approvals are
// decisions of the registry that made them.
func (s *Store) Import(ctx context.Context, r io.Reader, opts ImportOptions) (Version, error) {
	tr, err := exportReader(r)
	if err != nil {
		return Version{}, err
	}
	info, err := readExportInfo(tr)
	if err != nil {
		return Version{}, err
	}
	h, err := nextEntry(tr, exportManifestName)
	if err != nil {
		return Version{}, err
	}
	if h.Size > maxExportJSON {
		return Version{}, fmt.Errorf("registry: import: %s is too large", exportManifestName)
	}
	manJSON, err := io.ReadAll(io.LimitReader(tr, h.Size))
	if err != nil {
		return Version{}, fmt.Errorf("registry: import: %w", err)
	}
	if got := hex.EncodeToString(sha256Sum(manJSON)); got != info.ManifestSHA256 {
		return Version{}, fmt.Errorf("registry: import: manifest.json has sha256 %s, but the export says %s: the file was changed or damaged", got, info.ManifestSHA256)
	}
	man, err := ParseManifest(manJSON)
	if err != nil {
		return Version{}, fmt.Errorf("registry: import: %w", err)
	}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxImportBytes
	}
	var unpacked int64
	for _, f := range man.Files {
		if f.Bytes > limit-unpacked { // sizes are not negative: no overflow
			return Version{}, fmt.Errorf("registry: import: the artifact unpacks to more than the limit of %d bytes (%d files; %s alone is %d); nothing was stored (raise the limit with --max-bytes, or --max-upload for osler serve, if the model really is that large)", limit, len(man.Files), f.Path, f.Bytes)
		}
		unpacked += f.Bytes
	}
	for _, f := range man.Files {
		h, err := nextEntry(tr, exportFilesDir+f.Path)
		if err != nil {
			return Version{}, err
		}
		if h.Size != f.Bytes {
			return Version{}, fmt.Errorf("registry: import: %s is %d bytes, the manifest says %d: the file was changed or damaged", h.Name, h.Size, f.Bytes)
		}
		digest, _, err := s.blobs.put(ctx, io.LimitReader(tr, h.Size), nil)
		if err != nil {
			return Version{}, err
		}
		if digest != f.SHA256 {
			return Version{}, fmt.Errorf("registry: import: %s has sha256 %s, the manifest says %s: the file was changed or damaged", h.Name, digest, f.SHA256)
		}
	}
	if _, err := tr.Next(); !errors.Is(err, io.EOF) {
		return Version{}, errors.New("registry: import: unexpected entries after the last artifact file")
	}
	if opts.Check != nil {
		fsys := s.manifestFS(ctx, man, "the import of "+info.Version.Ref().String(), info.Version.Created)
		if err := opts.Check(ctx, info.ModelKind, fsys); err != nil {
			return Version{}, fmt.Errorf("registry: import: %w; nothing was imported", err)
		}
	}

	v := info.Version
	name := v.Model
	if opts.Name != "" {
		name = opts.Name
	}
	origin := map[string]any{
		"model":         v.Model,
		"version":       v.Version,
		"status":        v.Status,
		"registered_by": v.RegisteredBy,
		"created":       v.Created,
		"exported_at":   info.ExportedAt,
		"osler_version": info.OslerVersion,
	}
	if v.Parent != nil {
		origin["parent"] = v.Parent.String()
	}
	if opts.Source != "" {
		origin["file"] = opts.Source
	}
	source, _ := json.Marshal(map[string]any{"imported_from": origin})
	data := make([]DataRef, len(v.Data))
	for i, d := range v.Data {
		data[i] = DataRef{Role: d.Role, Path: d.Path, SHA256: d.SHA256, Records: d.Records, Bytes: d.Bytes}
	}
	reg := Registration{
		Name:            name,
		Kind:            info.ModelKind,
		Description:     v.Description,
		Metrics:         v.Metrics,
		Hyperparameters: v.Hyperparameters,
		Data:            data,
		By:              opts.By,
		source:          source,
		manifest:        &man,
	}
	// Keep the lineage link when the parent exists here too.
	if v.Parent != nil {
		if p, err := s.Resolve(ctx, *v.Parent); err == nil {
			ref := p.Ref()
			reg.Parent = &ref
		}
	}
	return s.Register(ctx, reg)
}
