package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/registry/s3store"
)

// registryFlags are the flags of every command that opens the registry:
// where its home is, where its master key is, and who is acting.
type registryFlags struct {
	home, url, keyFile, artifacts string
	by                            string
	readOnly                      bool
}

func (f *registryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.home, "home", "", "registry home directory (default $OSLER_HOME, else ~/.osler); with a postgres:// --registry, where the artifacts are")
	fs.StringVar(&f.url, "registry", "", "where the registry's metadata is: a home (a path or sqlite:///path) or a shared PostgreSQL database, postgres://user:password@host/db (default $OSLER_REGISTRY_URL, else the home)")
	fs.StringVar(&f.keyFile, "key-file", "", "file with the master key for encryption at rest (default $OSLER_MASTER_KEY_FILE or $OSLER_MASTER_KEY; a home created with a key always needs it)")
	fs.StringVar(&f.artifacts, "artifacts", "", artifactsHelp)
	fs.StringVar(&f.by, "by", "", "who is acting, for the audit log (default user:$USER)")
	fs.BoolVar(&f.readOnly, "read-only", false, "open the registry without changing anything (a read-only mount, a full disk); a command that changes it then fails")
}

// artifactsHelp is the help of --artifacts.
const artifactsHelp = "where artifacts and datasets are kept: a directory, file:///DIR or s3://BUCKET/PREFIX (default $OSLER_ARTIFACTS_URL, else the home's blobs directory; S3 endpoint from $OSLER_S3_ENDPOINT or $AWS_ENDPOINT_URL_S3)"

// config layers the environment and the flags.
func (f *registryFlags) config(m *Main) (config.Registry, error) {
	return config.LoadRegistry(m.Getenv, config.RegistryFlags{Home: f.home, URL: f.url, KeyFile: f.keyFile, Artifacts: f.artifacts})
}

// open opens the registry the flags and environment name; with mustExist
// a home without one is a [*registry.NoRegistryError].
func (f *registryFlags) open(ctx context.Context, m *Main, mustExist ...bool) (*registry.Store, error) {
	c, err := f.config(m)
	if err != nil {
		return nil, err
	}
	s, warnings, err := registry.OpenConfig(ctx, c, registry.HomeOptions{Getenv: m.Getenv, ReadOnly: f.readOnly,
		MustExist: len(mustExist) > 0 && mustExist[0], ObjectStore: s3store.Opener(m.Getenv)})
	m.warn(warnings)
	return s, err
}

// actor is who acts: --by, else the user from the environment.
func (f *registryFlags) actor(m *Main) string {
	if f.by != "" {
		if strings.Contains(f.by, ":") {
			return f.by
		}
		return "user:" + f.by
	}
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if u := m.Getenv(v); u != "" {
			return "user:" + u
		}
	}
	return "user:unknown"
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// oneRefArg parses the single NAME[:VERSION] argument of a models
// subcommand; want describes the accepted form for the usage error
// (e.g. "NAME:VERSION").
func oneRefArg(cmd string, pos []string, want string) (registry.Ref, error) {
	if len(pos) != 1 {
		return registry.Ref{}, usageError{fmt.Errorf("%s: want %s (see --help)", cmd, want)}
	}
	return parseRefArg(cmd, pos[0])
}

// parseRefArg reads a NAME[:VERSION] argument.
func parseRefArg(cmd, s string) (registry.Ref, error) {
	r, err := registry.ParseRef(s)
	if err != nil {
		return registry.Ref{}, usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	return r, nil
}
