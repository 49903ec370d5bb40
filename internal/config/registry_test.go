package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/crypt"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRegistryHomeDir(t *testing.T) {
	cwd, _ := os.Getwd()
	cases := []struct {
		name    string
		cfg     Registry
		env     map[string]string
		want    string
		wantErr string
	}{
		{"default under HOME", Registry{}, map[string]string{"HOME": "/home/ana"}, "/home/ana/.osler", ""},
		{"OSLER_HOME", Registry{}, map[string]string{"HOME": "/home/ana", EnvHome: "/srv/osler"}, "/srv/osler", ""},
		{"flag beats env", Registry{Home: "/data/reg"}, map[string]string{EnvHome: "/srv/osler"}, "/data/reg", ""},
		{"relative made absolute", Registry{Home: "reg"}, nil, filepath.Join(cwd, "reg"), ""},
		{"tilde", Registry{Home: "~/x"}, map[string]string{"HOME": "/home/ana"}, "/home/ana/x", ""},
		{"USERPROFILE", Registry{}, map[string]string{"USERPROFILE": "/users/ana"}, "/users/ana/.osler", ""},
		{"no home at all", Registry{}, nil, "", "pass --home DIR or set OSLER_HOME"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			if err := cfg.ApplyEnv(envMap(c.env)); err != nil {
				t.Fatal(err)
			}
			if c.cfg.Home != "" {
				cfg.Home = c.cfg.Home // the flag layer comes last
			}
			got, err := cfg.HomeDir(envMap(c.env))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("HomeDir = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestRegistryMasterKey(t *testing.T) {
	k, _ := crypt.NewKey()
	dir := t.TempDir()
	file := filepath.Join(dir, "master.key")
	os.WriteFile(file, []byte(k.Encode()+"\n"), 0o600)

	// From the environment.
	var c Registry
	if err := c.ApplyEnv(envMap(map[string]string{EnvMasterKey: k.Encode()})); err != nil {
		t.Fatal(err)
	}
	got, err := c.MasterKey()
	if err != nil || got == nil || got.Encode() != k.Encode() {
		t.Fatalf("env key: %v", err)
	}
	if c.KeySource() != EnvMasterKey || strings.Contains(c.String(), k.Encode()) {
		t.Fatalf("source %q, string %q", c.KeySource(), c.String())
	}

	// A key file flag replaces the environment's key.
	c.SetKeyFile(file)
	if got, err := c.MasterKey(); err != nil || got.Encode() != k.Encode() || !strings.Contains(c.KeySource(), file) {
		t.Fatalf("key file: %v (%s)", err, c.KeySource())
	}

	// From OSLER_MASTER_KEY_FILE.
	c = Registry{}
	c.ApplyEnv(envMap(map[string]string{EnvMasterKeyFile: file}))
	if got, err := c.MasterKey(); err != nil || got.Encode() != k.Encode() {
		t.Fatalf("env key file: %v", err)
	}

	// None: no encryption.
	c = Registry{}
	if got, err := c.MasterKey(); got != nil || err != nil {
		t.Fatalf("no key: %v %v", got, err)
	}

	// Both variables: refused.
	c = Registry{}
	if err := c.ApplyEnv(envMap(map[string]string{EnvMasterKey: k.Encode(), EnvMasterKeyFile: file})); err == nil {
		t.Fatal("both key variables accepted")
	} else if strings.Contains(err.Error(), k.Encode()) {
		t.Fatal("error leaks the key")
	}

	// A malformed key: the error names the variable, not the value.
	c = Registry{Key: "not-a-key-at-all"}
	if _, err := c.MasterKey(); err == nil || !strings.Contains(err.Error(), EnvMasterKey) || strings.Contains(err.Error(), "not-a-key-at-all") {
		t.Fatalf("bad key: err = %v", err)
	}
}

func TestKeyWarnings(t *testing.T) {
	strong, err := crypt.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(strong.Encode()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := DefaultRegistry()
	c.SetKeyFile(path)
	if w := c.KeyWarnings(strong); len(w) != 1 || !strings.Contains(w[0], path) {
		t.Errorf("world-readable key file: %q", w)
	}
	os.Chmod(path, 0o600)
	if w := c.KeyWarnings(strong); len(w) != 0 {
		t.Errorf("private key file: %q", w)
	}
	zero, err := crypt.ParseKey(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if w := c.KeyWarnings(zero); len(w) != 1 || !strings.Contains(w[0], "is not random") {
		t.Errorf("all-zero key: %q", w)
	}
	if w := c.KeyWarnings(nil); w != nil {
		t.Errorf("no key: %q", w)
	}
}

// TestLoadRegistryArtifacts: --artifacts beats OSLER_ARTIFACTS_URL, which
// beats the default (the home's blobs directory).
func TestLoadRegistryArtifacts(t *testing.T) {
	env := map[string]string{EnvArtifacts: " s3://env-bucket/osler ", EnvHome: "/srv/osler"}
	getenv := func(k string) string { return env[k] }
	c, err := LoadRegistry(getenv, RegistryFlags{})
	if err != nil || c.Artifacts != "s3://env-bucket/osler" || c.Home != "/srv/osler" {
		t.Fatalf("from the environment: %+v %v", c, err)
	}
	if !strings.Contains(c.String(), "artifacts at s3://env-bucket/osler") {
		t.Errorf("String() = %q does not say where the artifacts are", c.String())
	}
	c, err = LoadRegistry(getenv, RegistryFlags{Home: "/h", Artifacts: "/mnt/blobs", KeyFile: "/k"})
	if err != nil || c.Artifacts != "/mnt/blobs" || c.Home != "/h" || c.KeyFile != "/k" {
		t.Fatalf("flags: %+v %v", c, err)
	}
	c, err = LoadRegistry(func(string) string { return "" }, RegistryFlags{})
	if err != nil || c.Artifacts != "" {
		t.Fatalf("default: %+v %v", c, err)
	}
}
