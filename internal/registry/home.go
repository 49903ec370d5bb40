package registry

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/config"
)

// NoRegistryError says a home has no registry yet where one must exist
// (to look a model up, or to hold a server's API keys).
type NoRegistryError struct{ Home string }

func (e *NoRegistryError) Error() string { return "no registry at " + e.Home }

// HomeOptions say how [OpenConfig] opens a home.
type HomeOptions struct {
	// Getenv reads the environment for the default home (~/.osler).
	Getenv func(string) string
	// ReadOnly opens the home without changing it ([Options.ReadOnly]).
	ReadOnly bool
	// MustExist refuses a home without a registry ([*NoRegistryError])
	// instead of creating one.
	MustExist bool
	// ObjectStore opens artifact URLs that are not directories
	// (s3://BUCKET/PREFIX), such as s3store.Opener; nil refuses them.
	ObjectStore func(ctx context.Context, url string) (ArtifactStore, error)
}

// OpenArtifacts opens the store an artifacts URL names
// ([config.Registry.Artifacts]): nil for "" (the home's blobs
// directory), a [DirStore] for a directory or file:///DIR, and
// [HomeOptions.ObjectStore]'s store for any other URL.
func (o HomeOptions) OpenArtifacts(ctx context.Context, raw string) (ArtifactStore, error) {
	if raw == "" {
		return nil, nil
	}
	dir := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("registry: artifacts URL %q: %w", raw, err)
		}
		if u.Scheme != "file" {
			if o.ObjectStore == nil {
				return nil, fmt.Errorf("registry: artifacts URL %s: this command reads artifacts from a directory only", raw)
			}
			return o.ObjectStore(ctx, raw)
		}
		if u.Host != "" && u.Host != "localhost" || u.Path == "" {
			return nil, fmt.Errorf("registry: artifacts URL %s: want file:///DIR (an absolute path on this machine)", raw)
		}
		dir = u.Path
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("registry: artifacts directory %s: %w", dir, err)
	}
	return NewDirStore(abs), nil
}

// OpenConfig opens the registry that c names: its home directory (or
// PostgreSQL database and the home for its blobs, see [Options.Database]),
// master key and artifact store. MustExist applies to homes: an empty
// PostgreSQL database is given the schema. It returns what is wrong with
// the key without refusing it
// ([config.Registry.KeyWarnings]), for the caller to show, also when the
// home fails to open (a weak key may be why). Errors name the home.
func OpenConfig(ctx context.Context, c config.Registry, o HomeOptions) (*Store, []string, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	home, err := c.HomeDir(getenv)
	if err != nil {
		return nil, nil, err
	}
	db := c.Database()
	if o.MustExist && db == "" {
		if _, err := os.Stat(filepath.Join(home, DBName)); err != nil {
			return nil, nil, &NoRegistryError{Home: home}
		}
	}
	key, err := c.MasterKey()
	if err != nil {
		return nil, nil, err
	}
	warnings := c.KeyWarnings(key)
	arts, err := o.OpenArtifacts(ctx, c.Artifacts)
	if err != nil {
		return nil, warnings, err
	}
	s, err := Open(ctx, home, Options{Key: key, ReadOnly: o.ReadOnly, Artifacts: arts, Database: db})
	switch {
	case err != nil && db != "":
		return nil, warnings, fmt.Errorf("%w (artifacts in %s)", err, home)
	case err != nil:
		return nil, warnings, fmt.Errorf("%w (home %s)", err, home)
	}
	return s, warnings, nil
}
