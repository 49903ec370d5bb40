package main

import (
	"embed"
	"strings"
)

// help holds every command's help: help/NAME.txt, NAME being the command
// path without "osler" ("train-classifier"). A file is the usage line, a
// blank line, the summary in paragraphs (lines of a paragraph are joined;
// blank lines separate paragraphs; help re-wraps it to the terminal), and
// "Example:" followed by one example command per line. The prose lives
// here, not in Go strings, so it reads and diffs as text; docs/CLI.md is
// made from the same files (TestCLIReference).
//
//go:embed help/*.txt
var help embed.FS

// helpDoc reads a command's help file. A missing or malformed file is a
// programming error, caught by TestHelpForEveryCommand.
func helpDoc(name string) cmdDoc {
	b, err := help.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("osler: no help file for " + name)
	}
	return parseHelp(string(b))
}

// parseHelp reads the help file format.
func parseHelp(s string) cmdDoc {
	usage, rest, _ := strings.Cut(s, "\n")
	summary, example, _ := strings.Cut(rest, "\nExample:\n")
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(summary), "\n\n") {
		paras = append(paras, strings.Join(strings.Fields(p), " "))
	}
	return cmdDoc{Usage: strings.TrimSpace(usage), Summary: strings.Join(paras, "\n\n"), Example: strings.TrimSpace(example)}
}
