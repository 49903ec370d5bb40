// Package sidecar finds and runs a companion binary of osler: a program
// shipped beside the osler executable that carries a heavy dependency the
// osler binary leaves out (osler-batch and the Apache Beam SDK). osler
// runs it as a subcommand, with its streams and exit status.
package sidecar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// Binary is a companion binary.
type Binary struct {
	// Name is the executable's name; Env the environment variable that
	// may give its path; Package the Go package that builds it; Holds
	// what it carries that osler leaves out, for the error when it is
	// missing.
	Name, Env, Package, Holds string
}

// Batch is osler-batch, which osler batch runs.
var Batch = Binary{Name: "osler-batch", Env: "OSLER_BATCH", Package: "./cmd/osler-batch", Holds: "the Apache Beam pipelines"}

// Exec finds b (getenv reads b.Env) and runs it with args on the given
// streams, as [Find] and [Run] do.
func (b Binary) Exec(ctx context.Context, getenv func(string) string, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	bin, err := Find(b.Name, getenv(b.Env), b.Package)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return -1, fmt.Errorf("%w (or set %s to its path); it holds %s, which osler leaves out to stay small", err, b.Env, b.Holds)
	}
	if err != nil {
		return -1, err
	}
	return Run(ctx, bin, args, stdin, stdout, stderr)
}

// NotFoundError says a companion binary is not installed, and how to
// build it.
type NotFoundError struct {
	// Name is the binary's name; Dir the directory beside osler it was
	// looked for in; Package the Go package that builds it.
	Name, Dir, Package string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s is not installed: it was looked for in %s and on PATH. Build it beside osler with "+
		"go build -o %s %s (or go install %s)",
		e.Name, e.Dir, filepath.Join(e.Dir, e.Name), e.Package, e.Package)
}

// Find locates the binary name: override when not "" (an environment
// variable's value), else beside the running executable, else on PATH.
// pkg is the package that builds it, for the error.
func Find(name, override, pkg string) (string, error) {
	if override != "" {
		return override, nil
	}
	dir := "the osler executable's directory"
	if exe, err := os.Executable(); err == nil {
		dir = filepath.Dir(exe)
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", &NotFoundError{Name: name, Dir: dir, Package: pkg}
}

// Run runs bin with args on the given streams and returns its exit
// status: 0, the status it exited with, or -1 with the error when it
// could not be run or was killed.
func Run(ctx context.Context, bin string, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() > 0 {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, fmt.Errorf("running %s: %w", bin, err)
	}
	return 0, nil
}
