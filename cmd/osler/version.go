package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/osler-health/osler/internal/version"
)

var versionDoc = helpDoc("version")

func (m *Main) runVersion(ctx context.Context, args []string) error {
	fs := m.newFlagSet(versionDoc)
	if _, err := m.parseFlags(fs, versionDoc, args); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "osler %s %s %s/%s\n", version.String(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
