package artifact

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/registry"
)

// Located is a model loaded from where a user named it.
type Located struct {
	*Model
	// Source is the directory as given, or the registry version
	// ("sepsis:3") a reference resolved to.
	Source string
	// Version is the registry version, when the model came from the
	// registry.
	Version *registry.Version
	// MetaSHA256 is the sha256 of the model's model.json.
	MetaSHA256 string
}

// ErrNotFound says a spec is neither a model directory nor a registry
// reference.
var ErrNotFound = errors.New("no such model directory, and not a registry reference NAME[:VERSION] either")

// Open loads the model spec names: a path that exists is a model
// directory (or its model.json); anything else is read as a registry
// reference NAME[:VERSION] and loaded from the registry openRegistry
// opens (called only then; Open closes it), in memory: an encrypted
// home's plaintext never touches the disk. A directory wins over a
// registry model of the same name. want, when not "", is the kind the
// model must be.
func Open(ctx context.Context, spec string, want registry.Kind, openRegistry func(context.Context) (*registry.Store, error)) (*Located, error) {
	if _, err := os.Stat(spec); err == nil {
		dir := spec
		if filepath.Base(spec) == modeldir.MetadataName {
			dir = filepath.Dir(spec)
		}
		return locate(os.DirFS(dir), spec, spec, want, nil)
	}
	ref, err := registry.ParseRef(spec)
	if err != nil || strings.ContainsAny(spec, `/\`) {
		return nil, ErrNotFound
	}
	s, err := openRegistry(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	v, err := s.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	if want != "" && v.Kind != want {
		return nil, fmt.Errorf("%s is a %s, not a %s", v.Ref(), v.Kind, want)
	}
	fsys, err := s.ArtifactFS(ctx, v)
	if err != nil {
		return nil, err
	}
	return locate(fsys, v.Ref().String(), v.Ref().String(), want, &v)
}

// locate loads the model in fsys and hashes its model.json.
func locate(fsys fs.FS, name, source string, want registry.Kind, v *registry.Version) (*Located, error) {
	m, err := Load(fsys, name, want)
	if err != nil {
		return nil, err
	}
	mb, err := fs.ReadFile(fsys, modeldir.MetadataName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Located{Model: m, Source: source, Version: v, MetaSHA256: modeldir.Sum(mb).SHA256}, nil
}
