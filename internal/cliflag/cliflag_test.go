package cliflag

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestCommandPathAndTidyError(t *testing.T) {
	if got := CommandPath("osler data validate [flags] FILE [FILE...]"); got != "osler data validate" {
		t.Errorf("CommandPath = %q", got)
	}
	err := TidyError(errors.New(`invalid value "x" for flag -n: parse error`))
	if err.Error() != `--n "x": parse error` {
		t.Errorf("TidyError = %q", err)
	}
}

func TestHelp(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("out", "a.jsonl", "output file")
	var b strings.Builder
	Help(&b, fs, "osler x [flags]", "Does x.", "osler x --out b.jsonl\n")
	want := "Usage:\n  osler x [flags]\n\nDoes x.\n\nFlags:\n  -out string\n    \toutput file (default \"a.jsonl\")\n\nExample:\n  osler x --out b.jsonl\n"
	if b.String() != want {
		t.Errorf("Help:\n%s\nwant:\n%s", b.String(), want)
	}
}
