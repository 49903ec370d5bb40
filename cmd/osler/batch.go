package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

var batchDoc = helpDoc("batch")

// batchBinary is the program osler batch runs: the Beam pipelines live
// there (cmd/osler-batch), so the osler binary does not link Beam.
const batchBinary = "osler-batch"

// runBatch runs osler-batch with args, passing the standard streams and
// the exit status through.
func (m *Main) runBatch(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		printHelp(m.Stdout, m.newFlagSet(batchDoc), batchDoc)
		if len(args) == 0 {
			return usageError{errors.New("batch: a job is required: predict, summarize or rouge (see --help)")}
		}
		return nil
	}
	bin, err := m.findBatch()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = m.Stdin, m.Stdout, m.Stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() > 0 {
		return exitError{code: ee.ExitCode()} // osler-batch said why
	}
	if err != nil {
		return fmt.Errorf("batch: running %s: %w", bin, err)
	}
	return nil
}

// findBatch locates osler-batch: $OSLER_BATCH, else beside the osler
// executable, else on PATH.
func (m *Main) findBatch() (string, error) {
	if p := m.Getenv("OSLER_BATCH"); p != "" {
		return p, nil
	}
	dir := "the osler executable's directory"
	if exe, err := os.Executable(); err == nil {
		dir = filepath.Dir(exe)
		if p := filepath.Join(dir, batchBinary); isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(batchBinary); err == nil {
		return p, nil
	}
	return "", exitError{1, fmt.Sprintf("batch: %s is not installed: it was looked for in %s and on PATH. "+
		"It holds the Apache Beam pipelines, which osler leaves out to stay small; build it beside osler with "+
		"go build -o %s ./cmd/osler-batch (or go install ./cmd/osler-batch), or set OSLER_BATCH to its path",
		batchBinary, dir, filepath.Join(dir, batchBinary))}
}

// isExecutable reports whether p is a regular file someone may execute.
func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}
