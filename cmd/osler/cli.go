package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/osler-health/osler/internal/cliflag"
	"github.com/osler-health/osler/internal/config"
	"golang.org/x/term"
)

// Main is the osler program: its inputs and outputs are fields so that tests
// run every subcommand in-process and capture what it prints.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// IsTerminal reports whether w is an interactive terminal (progress bars
	// are drawn only there).
	IsTerminal func(w io.Writer) bool
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		IsTerminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
	}
}

// command is one subcommand or a group of them ("data", "eval").
type command struct {
	name    string
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

// topCommands lists osler's subcommands in the order `osler --help` shows them.
func topCommands() []command {
	return []command{
		{"demo", "run the whole pipeline on built-in synthetic data (start here)", (*Main).runDemo},
		{"data", "convert, validate, split, oversample and synthesize datasets", (*Main).runData},
		{"augment", "write synthetic training rows for a rare label with an LLM, few-shot, kept off dev/test text", (*Main).runAugment},
		{"eval", "evaluate: exact ROUGE and classification metrics, comparisons and HTML reports", (*Main).runEval},
		{"train", "train models on your own labelled data", (*Main).runTrain},
		{"predict", "classify documents with a trained model (JSONL, CSV or .txt in; JSONL out)", (*Main).runPredict},
		{"thresholds", "choose a classifier's per-label thresholds for a precision, recall or F target, as a new model version", (*Main).runThresholds},
		{"summarize", "summarize documents with an LLM chain (stuff, map-reduce, refine) or another method", (*Main).runSummarize},
		{"batch", "predict, summarize or score ROUGE over many files on Apache Beam (prism, Flink, Spark, Dataflow) via osler-batch", (*Main).runBatch},
		{"models", "the model registry: list, show, register, approve, reject, delete, export, import, verify, gc", (*Main).runModels},
		{"serve", "serve models over HTTP(S): REST API, the SageMaker container contract, metrics and a web UI", (*Main).runServe},
		{"keys", "create, list and revoke API keys for the server", (*Main).runKeys},
		{"cds", "test CDS Hooks services as an EHR would: signed calls from a FHIR bundle, client keys", (*Main).runCDS},
		{"audit", "print the audit log of model changes and key use", (*Main).runAudit},
		{"version", "print the version", (*Main).runVersion},
	}
}

// Run parses args (without the program name) and runs the subcommand.
func (m *Main) Run(ctx context.Context, args []string) error {
	return m.runGroup(ctx, "osler", "Osler trains, evaluates and serves clinical text models on your own hardware.\nNo patient text leaves the machine.", topCommands(), args)
}

// runGroup dispatches args[0] to one of cmds, or prints the group's help.
func (m *Main) runGroup(ctx context.Context, path, about string, cmds []command, args []string) error {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "%s\n\nUsage:\n  %s <command> [flags] [args]\n\nCommands:\n", about, path)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range cmds {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
		tw.Flush()
		fmt.Fprintf(w, "\nRun '%s <command> --help' for the flags and an example of each command.\n", path)
	}
	if len(args) == 0 {
		usage(m.Stderr)
		return usageError{fmt.Errorf("%s: a command is required", path)}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(m.Stdout)
		return nil
	case "--version", "-version":
		if path == "osler" {
			return m.runVersion(ctx, nil)
		}
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(m, ctx, args[1:])
		}
	}
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	sort.Strings(names)
	return usageError{fmt.Errorf("%s: unknown command %q (commands: %s)", path, args[0], strings.Join(names, ", "))}
}

// cmdDoc is the help text of one subcommand. Every subcommand has an example.
type cmdDoc struct {
	Usage   string // e.g. "osler data validate [flags] FILE [FILE...]"
	Summary string // one or more sentences on what the command does
	Example string // one or more example invocations, one per line
}

// newFlagSet returns a flag set whose help shows doc. Parse it with
// [parseFlags] so flags may come before or after positional arguments.
func (m *Main) newFlagSet(doc cmdDoc) *flag.FlagSet {
	fs := flag.NewFlagSet(doc.Usage, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func printHelp(w io.Writer, fs *flag.FlagSet, doc cmdDoc) {
	cliflag.Help(w, fs, doc.Usage, doc.Summary, doc.Example)
}

// errHelpShown means the command printed its help; the process exits 0.
var errHelpShown = errors.New("help shown")

// parseNoArgs parses the flags of a command that takes no positional
// argument; hint, if any, says where such values go instead.
func (m *Main) parseNoArgs(fs *flag.FlagSet, doc cmdDoc, args []string, hint string) error {
	pos, err := m.parseFlags(fs, doc, args)
	if err != nil || len(pos) == 0 {
		return err
	}
	if hint != "" {
		hint = "; " + hint
	}
	return usageError{fmt.Errorf("%s: unexpected argument %q%s (see --help)", strings.TrimPrefix(commandPath(doc), "osler "), pos[0], hint)}
}

// parseFlags parses args allowing flags after positional arguments
// ("osler data split FILE --test 0.2"), prints help for -h/--help, and
// returns the positional arguments.
func (m *Main) parseFlags(fs *flag.FlagSet, doc cmdDoc, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(m.Stdout, fs, doc)
				return nil, errHelpShown
			}
			return nil, usageError{fmt.Errorf("%s: %w (see --help)", commandPath(doc), cliflag.TidyError(err))}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// commandPath returns "osler data validate" from a usage line.
func commandPath(doc cmdDoc) string { return cliflag.CommandPath(doc.Usage) }

// usageError marks a mistake in how a command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usageOf returns err as a usageError when a library says the options it
// was given are at fault ([config.OptionError]), and err itself otherwise.
func usageOf(err error) error {
	var oe *config.OptionError
	if errors.As(err, &oe) {
		return usageError{err}
	}
	return err
}

// exitError ends the process with a specific code after the command has
// already reported why (e.g. validation found errors: exit 1).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// exitCode prints err (when there is something to say) and maps it to the
// process exit code: 0 success, 1 failure, 2 usage error.
func (m *Main) exitCode(err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(m.Stderr, "osler: %s\n", ee.msg)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(m.Stderr, "osler: interrupted")
		return 130
	}
	fmt.Fprintf(m.Stderr, "osler: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}
