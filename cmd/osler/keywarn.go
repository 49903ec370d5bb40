package main

import "fmt"

// warn prints warnings on stderr (what is wrong with a master key,
// config.Registry.KeyWarnings).
func (m *Main) warn(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(m.Stderr, "warning: %s\n", w)
	}
}
