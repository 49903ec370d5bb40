package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
}

// OpenConfig opens the registry that c names: its home directory (or
// PostgreSQL database and the home for its blobs, see [Options.Database])
// and master key. MustExist applies to homes: an empty PostgreSQL
// database is given the schema. It returns what is wrong with the key without refusing it
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
	s, err := Open(ctx, home, Options{Key: key, ReadOnly: o.ReadOnly, Database: db})
	switch {
	case err != nil && db != "":
		return nil, warnings, fmt.Errorf("%w (artifacts in %s)", err, home)
	case err != nil:
		return nil, warnings, fmt.Errorf("%w (home %s)", err, home)
	}
	return s, warnings, nil
}
