// Package cliflag renders the help of osler's commands and tidies the
// flag package's errors, so that every command (and any other binary of
// the module) names flags and prints help the same way.
package cliflag

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/osler-health/osler/internal/text"
)

// Help prints a command's help: its usage line, the summary wrapped at 78
// columns, its flags (see [PrintDefaults]) and the example lines.
func Help(w io.Writer, fs *flag.FlagSet, usage, summary, example string) {
	fmt.Fprintf(w, "Usage:\n  %s\n\n%s\n", usage, text.Wrap(summary, 78))
	var hasFlags bool
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nFlags:\n")
		PrintDefaults(w, fs)
	}
	if example != "" {
		fmt.Fprintf(w, "\nExample:\n")
		for _, line := range strings.Split(strings.TrimSpace(example), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

// PrintDefaults lists the flags as flag.PrintDefaults does, except that a
// flag bound to a typed value (a loss, a mode, a list) reads as the string
// the user types: "-loss string ... (default "logistic")", not "-loss
// value".
func PrintDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		fmt.Fprintf(&b, "  -%s", f.Name)
		name, usage := flag.UnquoteUsage(f)
		if name == "value" {
			name = "string"
		}
		if name != "" {
			b.WriteString(" " + name)
		}
		if b.Len() <= 4 { // a one-letter flag without a value fits on the line
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "0", "0s", "false":
		default:
			if name == "string" {
				fmt.Fprintf(&b, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(&b, " (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(w, b.String())
	})
}

// TidyError rewrites the flag package's `invalid value "x" for flag
// -c: why` as `--c "x": why`, how Osler names flags everywhere else.
func TidyError(err error) error {
	rest, ok := strings.CutPrefix(err.Error(), "invalid value ")
	if !ok {
		return err
	}
	value, rest, ok := strings.Cut(rest, " for flag -")
	if !ok {
		return err
	}
	name, why, ok := strings.Cut(rest, ": ")
	if !ok {
		return err
	}
	return fmt.Errorf("--%s %s: %s", name, value, why)
}

// CommandPath returns "osler data validate" from a usage line such as
// "osler data validate [flags] FILE [FILE...]".
func CommandPath(usage string) string {
	var parts []string
	for _, f := range strings.Fields(usage) {
		if strings.HasPrefix(f, "[") || strings.HasPrefix(f, "-") || strings.ToUpper(f) == f {
			break
		}
		parts = append(parts, f)
	}
	return strings.Join(parts, " ")
}
