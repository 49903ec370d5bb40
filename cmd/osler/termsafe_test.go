package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/osler-health/osler/internal/registry"
)

// rawControl reports the first terminal control in s other than newline.
func rawControl(s string) (rune, bool) {
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
			return r, true
		}
	}
	return 0, false
}

// TestModelsShowEscapesImportedText: a version imported with escape
// sequences and bidi overrides in its description, metric names, data
// paths and file name is shown with them escaped (issue 10: control
// characters from imported metadata reached the terminal raw).
func TestModelsShowEscapesImportedText(t *testing.T) {
	ctx := context.Background()
	srcHome := filepath.Join(t.TempDir(), "src")
	s, err := registry.Open(ctx, srcHome, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Register(ctx, registry.Registration{
		Name: "evil", Kind: registry.KindClassifier, Artifact: classifierDir(t, 0.9, "m"),
		Description: "ok\x1b[2J\x1b]0;owned\x07 \u202eexe.txt",
		Metrics:     json.RawMessage(`{"dev":{"f1\u001b[31m":0.9, "x\u007f":1}}`),
		Data:        []registry.DataRef{{Role: "train\x1b[1m", Path: "/data/\u202etxt.exe\x1b[0m", SHA256: strings.Repeat("a", 64)}},
		By:          "user:mallory\x1b[8m",
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	exp := filepath.Join(t.TempDir(), "evil\x1b[5m.tar")
	if _, errOut, code := runOslerEnv(t, map[string]string{"OSLER_HOME": srcHome}, "", "models", "export", "evil:1", "-o", exp); code != 0 {
		t.Fatal(errOut)
	}
	env := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "dst"), "USER": "ana"}
	if _, errOut, code := runOslerEnv(t, env, "", "models", "import", exp); code != 0 {
		t.Fatal(errOut)
	}
	for _, args := range [][]string{{"models", "show", "evil:1"}, {"models", "show", "evil"}, {"audit"}} {
		out, errOut, code := runOslerEnv(t, env, "", args...)
		if code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
		if r, ok := rawControl(out); ok {
			t.Errorf("osler %s prints %U raw:\n%q", strings.Join(args, " "), r, out)
		}
	}
	out, _, _ := runOslerEnv(t, env, "", "models", "show", "evil:1")
	for _, want := range []string{`ok\x1b[2J\x1b]0;owned\x07 \u202eexe.txt`, `f1\x1b[31m`, `\u202etxt.exe\x1b[0m`, `evil\u001b[5m.tar`} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
}
