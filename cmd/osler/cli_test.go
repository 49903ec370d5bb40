package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/goldentest"
)

// update rewrites golden files: go test ./cmd/osler -run TestX -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// runOsler runs the CLI in-process with the given stdin and returns what it
// printed and the exit code the process would have.
func runOsler(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{
		Stdin:      strings.NewReader(stdin),
		Stdout:     &out,
		Stderr:     &errb,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	}
	err := m.Run(context.Background(), args)
	code = m.exitCode(err)
	return out.String(), errb.String(), code
}

// checkGolden compares got with testdata/golden/name, or rewrites it with
// -update. Full-precision numbers match within goldentest.RelTol, so the
// files hold on arm64 too.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	goldentest.Check(t, filepath.Join("testdata", "golden", name), got, *update)
}

// TestHelpForEveryCommand walks every command group through its --help
// listing and checks that every command has a usage line and an example.
func TestHelpForEveryCommand(t *testing.T) {
	seen := 0
	var walk func(path []string)
	walk = func(path []string) {
		stdout, stderr, code := runOsler(t, "", append(append([]string(nil), path...), "--help")...)
		if code != 0 {
			t.Errorf("osler %s --help: exit %d, stderr %q", strings.Join(path, " "), code, stderr)
			return
		}
		if !strings.Contains(stdout, "<command>") {
			seen++
			if !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, "Example:") {
				t.Errorf("osler %s: help lacks a usage line or an example:\n%s", strings.Join(path, " "), stdout)
			}
			return
		}
		// A group: its help lists its commands under "Commands:".
		_, list, _ := strings.Cut(stdout, "Commands:\n")
		list, _, _ = strings.Cut(list, "\n\n")
		for _, line := range strings.Split(list, "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				walk(append(append([]string(nil), path...), f[0]))
			}
		}
	}
	walk(nil)
	if seen < 25 {
		t.Fatalf("only %d commands found through the help listings", seen)
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	_, stderr, code := runOsler(t, "", "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	_, _, code = runOsler(t, "")
	if code != 2 {
		t.Fatalf("no command: exit %d, want 2", code)
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := runOsler(t, "", "version")
	if code != 0 || !strings.HasPrefix(stdout, "osler v") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
}
