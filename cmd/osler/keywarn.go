package main

import (
	"fmt"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/crypt"
)

// warnKey prints on stderr what is wrong with the master key the settings
// name (config.Registry.KeyWarnings), without refusing it.
func (m *Main) warnKey(c config.Registry, key *crypt.Key) {
	for _, w := range c.KeyWarnings(key) {
		fmt.Fprintf(m.Stderr, "warning: %s\n", w)
	}
}
