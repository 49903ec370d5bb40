package main

import (
	"context"

	"github.com/osler-health/osler/internal/sidecar"
)

var batchDoc = helpDoc("batch")

// runBatch runs osler-batch (the Beam pipelines osler does not link) on args.
func (m *Main) runBatch(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		printHelp(m.Stdout, m.newFlagSet(batchDoc), batchDoc)
		return nil
	}
	code, err := sidecar.Batch.Exec(ctx, m.Getenv, args, m.Stdin, m.Stdout, m.Stderr)
	if err == nil && code != 0 {
		err = exitError{code: code} // osler-batch said why
	}
	return err
}
