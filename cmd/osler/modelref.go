package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/osler-health/osler/internal/artifact"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/registry"
)

// modelRefHelp is the help of a --model flag that takes a classifier.
const modelRefHelp = "the classifier: a model directory (from osler train classifier or osler thresholds tune) or a registry reference NAME[:VERSION] (NAME:3, NAME:latest, NAME:approved; NAME is the latest version)"

// registerRead adds the flags that locate the registry for reading a
// model (--home, --key-file), for commands that take a registry reference
// but change nothing in the registry.
func (f *registryFlags) registerRead(fs *flag.FlagSet) {
	fs.StringVar(&f.home, "home", "", "registry home directory, for a --model NAME[:VERSION] (default $OSLER_HOME, else ~/.osler)")
	fs.StringVar(&f.url, "registry", "", "the registry's metadata, for a --model NAME[:VERSION]: a home, or postgres://… (default $OSLER_REGISTRY_URL)")
	fs.StringVar(&f.keyFile, "key-file", "", "file with the registry's master key, when its home is encrypted (default $OSLER_MASTER_KEY_FILE or $OSLER_MASTER_KEY)")
	fs.StringVar(&f.artifacts, "artifacts", "", artifactsHelp)
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

// loadClassifier loads the classifier spec names (artifact.Open): a
// model directory, or a registry reference NAME[:VERSION] loaded from the
// registry rf locates, in memory.
func (m *Main) loadClassifier(ctx context.Context, cmd, spec string, rf *registryFlags) (*loadedClassifier, error) {
	openRegistry := func(ctx context.Context) (*registry.Store, error) {
		if c, err := rf.config(m); err != nil {
			return nil, err
		} else if _, err := c.HomeDir(m.Getenv); err != nil {
			return nil, fmt.Errorf("not a model directory; to read it from the registry: %w", err)
		}
		s, err := rf.open(ctx, m, true)
		var nre *registry.NoRegistryError
		if errors.As(err, &nre) {
			return nil, fmt.Errorf("no model directory of that name, and no registry at %s to look it up in (pass --home DIR or set OSLER_HOME)", nre.Home)
		}
		return s, err
	}
	loc, err := artifact.Open(ctx, spec, registry.KindClassifier, openRegistry)
	if err != nil {
		return nil, fmt.Errorf("%s: --model %s: %w", cmd, spec, err)
	}
	return &loadedClassifier{Model: loc.Classifier, Source: loc.Source, Version: loc.Version, MetaSHA256: loc.MetaSHA256}, nil
}
