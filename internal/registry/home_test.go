package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/config"
)

func TestOpenConfig(t *testing.T) {
	ctx := context.Background()
	home := filepath.Join(t.TempDir(), "home")
	c := config.DefaultRegistry()
	c.Home = home
	if _, _, err := OpenConfig(ctx, c, HomeOptions{MustExist: true}); !errors.As(err, new(*NoRegistryError)) || !strings.Contains(err.Error(), home) {
		t.Fatalf("missing home with MustExist: %v", err)
	}
	s, warnings, err := OpenConfig(ctx, c, HomeOptions{})
	if err != nil || len(warnings) != 0 {
		t.Fatalf("create: %v %v", warnings, err)
	}
	s.Close()
	s, _, err = OpenConfig(ctx, c, HomeOptions{MustExist: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A weak key is reported, also when the home refuses it.
	weak := config.DefaultRegistry()
	weak.Home = filepath.Join(t.TempDir(), "weak")
	weak.ApplyEnv(func(k string) string {
		if k == config.EnvMasterKey {
			return base64.StdEncoding.EncodeToString(make([]byte, 32))
		}
		return ""
	})
	_, warnings, err = OpenConfig(ctx, weak, HomeOptions{})
	if err == nil || len(warnings) != 1 || !strings.Contains(warnings[0], "not random") || !strings.Contains(err.Error(), "(home "+weak.Home+")") {
		t.Errorf("weak key: %v %v", warnings, err)
	}
	noHome := config.DefaultRegistry()
	if _, _, err := OpenConfig(ctx, noHome, HomeOptions{Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "no registry home") {
		t.Errorf("no home: %v", err)
	}
}
