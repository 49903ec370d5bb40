package beamjob

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/osler-health/osler/internal/artifact"
	"github.com/osler-health/osler/internal/registry"
)

// loadModel loads the model in the directory dir, a path any of Beam's
// filesystems reads (a local directory, gs://bucket/model, s3://...), so
// every worker reads the model itself: nothing but its path travels in
// the pipeline. The directory's files (not its subdirectories; a model
// directory has none) are read into memory and loaded as
// artifact.Load loads a model directory, verifying their checksums.
func loadModel(ctx context.Context, dir string, want registry.Kind) (*artifact.Model, error) {
	fsys, err := readDir(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("batch: model %s: %w", dir, err)
	}
	return artifact.Load(fsys, dir, want)
}

// readDir reads the files of dir into an in-memory zip, an fs.FS.
func readDir(ctx context.Context, dir string) (fs.FS, error) {
	dir = strings.TrimSuffix(dir, "/")
	bfs, err := filesystem.New(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer bfs.Close()
	names, err := bfs.List(ctx, dir+"/*")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no files in the directory (want a model directory from osler train)")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		if err := addFile(ctx, bfs, zw, name); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
}

func addFile(ctx context.Context, bfs filesystem.Interface, zw *zip.Writer, name string) error {
	r, err := bfs.OpenRead(ctx, name)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if errors.Is(err, syscall.EISDIR) {
		return nil // a subdirectory: a model directory's files are at its top
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Base(strings.ReplaceAll(name, "\\", "/")), Method: zip.Store})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
