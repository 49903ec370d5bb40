package main

import (
	"fmt"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/crypt"
)

// warnKey prints on stderr what is wrong with the master key the settings
// name, without refusing it: a key file other users can read, and a key
// that is not random (an encrypted home is never created with one; an
// older home made with one still opens, with this warning).
func (m *Main) warnKey(c config.Registry, key *crypt.Key) {
	if key == nil {
		return
	}
	if c.KeyFile != "" {
		if w := crypt.KeyFileWarning(c.KeyFile); w != "" {
			fmt.Fprintf(m.Stderr, "warning: %s\n", w)
		}
	}
	if why := key.Weak(); why != "" {
		fmt.Fprintf(m.Stderr, "warning: the master key from %s is not random (%s): anyone who guesses it can decrypt the registry; "+
			"move the models to a home with a random key (openssl rand -base64 32) with osler models export and import\n", c.KeySource(), why)
	}
}
