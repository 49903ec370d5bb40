package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBatchLauncher checks osler batch runs osler-batch (here a script
// standing in for it) with the arguments and streams, and passes its exit
// status through.
func TestBatchLauncher(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in is a shell script")
	}
	fake := filepath.Join(t.TempDir(), "osler-batch")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"args: $*\"\nread line\necho \"stdin: $line\"\necho oops >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader("hello\n"), Stdout: &out, Stderr: &errb, IsTerminal: func(io.Writer) bool { return false },
		Getenv: func(k string) string {
			if k == "OSLER_BATCH" {
				return fake
			}
			return ""
		}}
	code := m.exitCode(m.Run(context.Background(), []string{"batch", "predict", "--runner", "flink", "--endpoint", "h:8099"}))
	if code != 3 {
		t.Errorf("exit %d, want osler-batch's 3", code)
	}
	if want := "args: predict --runner flink --endpoint h:8099\nstdin: hello\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errb.String() != "oops\n" {
		t.Errorf("stderr %q, want osler-batch's alone", errb.String())
	}
}

// TestBatchLauncherMissing checks the error says how to build osler-batch
// when it is neither beside osler nor on PATH.
func TestBatchLauncherMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, stderr, code := runOsler(t, "", "batch", "predict", "--runner", "prism")
	if code != 1 || !strings.Contains(stderr, "osler-batch is not installed") || !strings.Contains(stderr, "OSLER_BATCH") || !strings.Contains(stderr, "go build -o") || !strings.Contains(stderr, "./cmd/osler-batch") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
