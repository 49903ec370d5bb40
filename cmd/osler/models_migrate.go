package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
)

var modelsMigrateDoc = helpDoc("models-migrate")

func (m *Main) runModelsMigrate(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsMigrateDoc)
	var rf registryFlags
	rf.register(fs)
	to := fs.String("to", "", "the empty PostgreSQL database to copy the registry into: postgres://user:password@host/db")
	toHome := fs.String("to-home", "", "where the new registry keeps the artifacts (default: the source's home, whose blobs it then shares)")
	if err := m.parseNoArgs(fs, modelsMigrateDoc, args, ""); err != nil {
		return err
	}
	from, err := rf.config(m)
	target := config.Registry{URL: *to, Home: *toHome, KeyFile: from.KeyFile, Key: from.Key}
	switch {
	case err != nil:
		return err
	case !target.IsPostgres():
		return usageError{errors.New("models migrate: --to must name a PostgreSQL database: postgres://user:password@host/db")}
	}
	pr := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	rep, warnings, err := registry.MigrateConfig(ctx, from, target, registry.HomeOptions{Getenv: m.Getenv, ReadOnly: rf.readOnly}, pr)
	pr.Finish()
	m.warn(warnings)
	if err != nil {
		return fmt.Errorf("models migrate: %w", err)
	}
	fmt.Fprintln(m.Stdout, rep)
	return nil
}
