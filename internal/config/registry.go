package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/crypt"
)

// Environment variables of the registry settings.
const (
	// EnvHome is the registry home directory.
	EnvHome = "OSLER_HOME"
	// EnvMasterKey is the master key itself (base64 or hex of 32 bytes).
	EnvMasterKey = "OSLER_MASTER_KEY"
	// EnvMasterKeyFile is a file holding the master key.
	EnvMasterKeyFile = "OSLER_MASTER_KEY_FILE"
	// EnvArtifacts is where artifacts and datasets are kept: a directory,
	// file:///DIR or s3://BUCKET/PREFIX.
	EnvArtifacts = "OSLER_ARTIFACTS_URL"
	// EnvRegistryURL is where the registry's metadata lives: a home
	// directory (a path or sqlite:///path) or a PostgreSQL database
	// (postgres://…).
	EnvRegistryURL = "OSLER_REGISTRY_URL"
)

// DefaultHomeName is the home directory's name under the user's home when
// neither --home nor OSLER_HOME is given.
const DefaultHomeName = ".osler"

// Registry says where the model registry keeps its state (one home
// directory: database, blobs, key check; or a PostgreSQL database for the
// metadata and the home for the blobs), where its master key for
// encryption at rest comes from, and where the artifacts and datasets are
// kept. Precedence: flags (--registry, --home, --key-file, --artifacts),
// then the environment (OSLER_REGISTRY_URL, OSLER_HOME;
// OSLER_MASTER_KEY_FILE or OSLER_MASTER_KEY; OSLER_ARTIFACTS_URL), then
// the config file's "registry" section, then the default home ~/.osler,
// no encryption, and artifacts in the home.
type Registry struct {
	// URL is where the metadata lives: "" (SQLite in Home), a home
	// directory as a path or sqlite:///path (the same as Home), or a
	// PostgreSQL database, postgres://user:password@host:port/db, which
	// several processes and machines share; Home then holds the blobs.
	URL string `json:"url,omitempty"`
	// Home is the registry home directory; "" means ~/.osler.
	Home string `json:"home,omitempty"`
	// KeyFile is a file holding the master key: base64 or hex text, or 32
	// raw bytes.
	KeyFile string `json:"key_file,omitempty"`
	// Key is the master key as text (OSLER_MASTER_KEY). It is never read
	// from or written to a config file.
	Key string `json:"-"`
	// Artifacts is where the blobs (artifact files, datasets) are kept: a
	// directory, file:///DIR or s3://BUCKET/PREFIX; "" means the home's
	// blobs directory. Replicas on several machines share a bucket.
	Artifacts string `json:"artifacts,omitempty"`
}

// DefaultRegistry returns the defaults: home ~/.osler, no encryption.
func DefaultRegistry() Registry { return Registry{} }

// RegistryEnv lists the environment variables [Registry.ApplyEnv] reads.
var RegistryEnv = []string{EnvHome, EnvRegistryURL, EnvMasterKey, EnvMasterKeyFile, EnvArtifacts}

// ApplyEnv overrides c with the registry environment variables that are
// set. Setting both OSLER_MASTER_KEY and OSLER_MASTER_KEY_FILE is an
// error: which one was meant is not clear.
func (c *Registry) ApplyEnv(getenv func(string) string) error {
	if v := strings.TrimSpace(getenv(EnvHome)); v != "" {
		c.Home = v
	}
	if v := strings.TrimSpace(getenv(EnvArtifacts)); v != "" {
		c.Artifacts = v
	}
	c.SetURL(getenv(EnvRegistryURL))
	key, file := strings.TrimSpace(getenv(EnvMasterKey)), strings.TrimSpace(getenv(EnvMasterKeyFile))
	if key != "" && file != "" {
		return &FieldError{Field: EnvMasterKey, Msg: "both " + EnvMasterKey + " and " + EnvMasterKeyFile + " are set; unset one"}
	}
	if key != "" {
		c.Key, c.KeyFile = key, ""
	}
	if file != "" {
		c.KeyFile, c.Key = file, ""
	}
	return nil
}

// RegistryFlags are the command-line flags of the registry settings;
// "" leaves a setting as it is.
type RegistryFlags struct {
	Home, URL, KeyFile, Artifacts string
}

// LoadRegistry returns the registry settings: the defaults, overridden by
// the environment, then by the flags.
func LoadRegistry(getenv func(string) string, f RegistryFlags) (Registry, error) {
	c := DefaultRegistry()
	if err := c.ApplyEnv(getenv); err != nil {
		return c, err
	}
	if f.Home != "" {
		c.Home = f.Home
	}
	c.SetURL(f.URL)
	if f.Artifacts != "" {
		c.Artifacts = f.Artifacts
	}
	c.SetKeyFile(f.KeyFile)
	return c, nil
}

// SetKeyFile applies a --key-file flag: it replaces a key from the
// environment.
func (c *Registry) SetKeyFile(path string) {
	if path != "" {
		c.KeyFile, c.Key = path, ""
	}
}

// SetURL applies a --registry flag or OSLER_REGISTRY_URL ("" changes
// nothing).
func (c *Registry) SetURL(u string) {
	if u = strings.TrimSpace(u); u != "" {
		c.URL = u
	}
}

// IsPostgres reports whether URL names a PostgreSQL database.
func (c Registry) IsPostgres() bool {
	return strings.HasPrefix(c.URL, "postgres://") || strings.HasPrefix(c.URL, "postgresql://")
}

// Database returns the PostgreSQL URL the metadata is in, or "" when it
// is in SQLite in the home.
func (c Registry) Database() string {
	if c.IsPostgres() {
		return c.URL
	}
	return ""
}

// urlHome returns the home a non-PostgreSQL URL names ("" for none).
func (c Registry) urlHome() (string, error) {
	u := c.URL
	switch {
	case u == "" || c.IsPostgres():
		return "", nil
	case strings.HasPrefix(u, "sqlite://"):
		p := strings.TrimPrefix(u, "sqlite://")
		if p == "" || strings.ContainsAny(p, "?#") {
			return "", &FieldError{Field: "registry", Msg: fmt.Sprintf("%q: want sqlite:///path/to/home (an absolute path after sqlite://)", u)}
		}
		return p, nil
	case strings.Contains(u, "://"):
		scheme, _, _ := strings.Cut(u, "://")
		return "", &FieldError{Field: "registry", Msg: fmt.Sprintf("unknown registry URL scheme %q: want a home directory (a path or sqlite:///path) or postgres://user@host/db", scheme)}
	}
	return u, nil
}

// HomeDir returns the absolute home directory: the home URL names (a path
// or sqlite:///path), else Home, else ~/.osler where ~ comes from HOME
// (USERPROFILE on Windows) through getenv. With a PostgreSQL URL the home
// holds only the blobs. A URL that names a home other than Home is an
// error: which one was meant is not clear.
func (c Registry) HomeDir(getenv func(string) string) (string, error) {
	home := c.Home
	uh, err := c.urlHome()
	switch {
	case err != nil:
		return "", err
	case uh != "" && home != "" && filepath.Clean(uh) != filepath.Clean(home):
		return "", &FieldError{Field: "registry", Msg: fmt.Sprintf("the registry URL names home %s and --home/%s names %s; give one", uh, EnvHome, home)}
	case uh != "":
		home = uh
	}
	if home == "" {
		user := getenv("HOME")
		if user == "" {
			user = getenv("USERPROFILE")
		}
		if user == "" {
			return "", errors.New("config: no registry home: pass --home DIR or set " + EnvHome + " (HOME is not set, so ~/" + DefaultHomeName + " can't be used)")
		}
		home = filepath.Join(user, DefaultHomeName)
	} else if strings.HasPrefix(home, "~/") {
		if user := getenv("HOME"); user != "" {
			home = filepath.Join(user, home[2:])
		}
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", fmt.Errorf("config: registry home %s: %w", home, err)
	}
	return abs, nil
}

// MasterKey loads the master key, or returns nil when none is configured
// (the registry is then not encrypted). Errors name the source, never the
// key.
func (c Registry) MasterKey() (*crypt.Key, error) {
	switch {
	case c.KeyFile != "":
		k, err := crypt.ReadKeyFile(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("config: master key file: %w", err)
		}
		return k, nil
	case c.Key != "":
		k, err := crypt.ParseKey(c.Key)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", EnvMasterKey, err)
		}
		return k, nil
	}
	return nil, nil
}

// KeySource says where the master key comes from, for messages: "--key-file
// PATH", "OSLER_MASTER_KEY" or "" when there is none.
func (c Registry) KeySource() string {
	switch {
	case c.KeyFile != "":
		return "key file " + c.KeyFile
	case c.Key != "":
		return EnvMasterKey
	}
	return ""
}

// String describes the settings without the key (nor the database's
// password).
func (c Registry) String() string {
	home := c.Home
	if home == "" {
		home = "~/" + DefaultHomeName
	}
	if c.IsPostgres() {
		home = redactURL(c.URL) + " with artifacts in " + home
	}
	where := ""
	if c.Artifacts != "" {
		where = " (artifacts at " + c.Artifacts + ")"
	}
	if src := c.KeySource(); src != "" {
		return fmt.Sprintf("registry at %s%s, encrypted with the master key from %s", home, where, src)
	}
	return fmt.Sprintf("registry at %s%s, no master key", home, where)
}

// KeyWarnings says what is wrong with key, the master key these settings
// name, without refusing it: a key file other users can read, and a key
// that is not random (an encrypted home is never created with one; an
// older home made with one still opens, with this warning).
func (c Registry) KeyWarnings(key *crypt.Key) []string {
	if key == nil {
		return nil
	}
	var out []string
	if c.KeyFile != "" {
		if w := crypt.KeyFileWarning(c.KeyFile); w != "" {
			out = append(out, w)
		}
	}
	if why := key.Weak(); why != "" {
		out = append(out, fmt.Sprintf("the master key from %s is not random (%s): anyone who guesses it can decrypt the registry; "+
			"move the models to a home with a random key (openssl rand -base64 32) with osler models export and import", c.KeySource(), why))
	}
	return out
}

// redactURL returns a URL without its password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(an unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
