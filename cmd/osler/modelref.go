package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/registry"
)

// modelRefHelp is the help of a --model flag that takes a classifier.
const modelRefHelp = "the classifier: a model directory (from osler train classifier or osler thresholds tune) or a registry reference NAME[:VERSION] (NAME:3, NAME:latest, NAME:approved; NAME is the latest version)"

// registerRead adds the flags that locate the registry for reading a
// model (--home, --key-file), for commands that take a registry reference
// but change nothing in the registry.
func (f *registryFlags) registerRead(fs *flag.FlagSet) {
	fs.StringVar(&f.home, "home", "", "registry home directory, for a --model NAME[:VERSION] (default $OSLER_HOME, else ~/.osler)")
	fs.StringVar(&f.keyFile, "key-file", "", "file with the registry's master key, when its home is encrypted (default $OSLER_MASTER_KEY_FILE or $OSLER_MASTER_KEY)")
}

// loadedClassifier is a classifier and where it came from.
type loadedClassifier struct {
	*classify.Model
	// Source is the directory as given, or the registry version
	// ("sepsis:3") a reference resolved to.
	Source string
	// Version is the registry version, when the model came from the
	// registry.
	Version *registry.Version
	// MetaSHA256 is the sha256 of the model's model.json.
	MetaSHA256 string
}

// loadClassifier loads the classifier spec names: a path that exists is a
// model directory (or its model.json); anything else is read as a registry
// reference NAME[:VERSION] and loaded from the registry rf locates, in
// memory (an encrypted home's plaintext never touches the disk). A
// directory wins over a registry model of the same name.
func (m *Main) loadClassifier(ctx context.Context, cmd, spec string, rf *registryFlags) (*loadedClassifier, error) {
	if _, err := os.Stat(spec); err == nil {
		model, err := classify.Load(spec)
		if err != nil {
			return nil, err
		}
		dir := spec
		if filepath.Base(spec) == modeldir.MetadataName {
			dir = filepath.Dir(spec)
		}
		sum, err := fileSHA256(filepath.Join(dir, modeldir.MetadataName))
		if err != nil {
			return nil, err
		}
		return &loadedClassifier{Model: model, Source: spec, MetaSHA256: sum}, nil
	}
	ref, perr := registry.ParseRef(spec)
	if perr != nil || strings.ContainsAny(spec, `/\`) {
		return nil, fmt.Errorf("%s: --model %s: no such model directory, and not a registry reference NAME[:VERSION] either", cmd, spec)
	}
	c, err := rf.config(m)
	if err != nil {
		return nil, err
	}
	home, err := c.HomeDir(m.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: --model %s is not a directory; to read it from the registry: %w", cmd, spec, err)
	}
	if _, err := os.Stat(filepath.Join(home, registry.DBName)); err != nil {
		return nil, fmt.Errorf("%s: --model %s: no model directory of that name, and no registry at %s to look it up in (pass --home DIR or set OSLER_HOME)", cmd, spec, home)
	}
	key, err := c.MasterKey()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	m.warnKey(c, key)
	s, err := registry.Open(ctx, home, registry.Options{Key: key})
	if err != nil {
		return nil, fmt.Errorf("%s: %w (home %s)", cmd, err, home)
	}
	defer s.Close()
	v, err := s.Resolve(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: --model %s: %w", cmd, spec, err)
	}
	if v.Kind != registry.KindClassifier {
		return nil, fmt.Errorf("%s: --model %s: %s is a %s, not a classifier", cmd, spec, v.Ref(), v.Kind)
	}
	fsys, err := s.ArtifactFS(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	model, err := classify.LoadFS(fsys, ".", v.Ref().String())
	if err != nil {
		return nil, err
	}
	mb, err := fs.ReadFile(fsys, modeldir.MetadataName)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", cmd, v.Ref(), err)
	}
	return &loadedClassifier{Model: model, Source: v.Ref().String(), Version: &v, MetaSHA256: modeldir.Sum(mb).SHA256}, nil
}
