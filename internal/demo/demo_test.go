package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/cdsauth"
)

// TestRunSteps runs the demo with a fake runner: every step's command runs
// in order with paths under the demo's directory, its output is indented
// under its command line, and a failing step stops the demo.
func TestRunSteps(t *testing.T) {
	o := DefaultOptions()
	o.Dir, o.NoServe, o.ADE, o.Radiology = t.TempDir(), true, 100, 50
	t.Setenv("OSLER_SHARED", "") // the built-in CDS patient only
	var cmds []string
	run := func(_ context.Context, args []string, w io.Writer) error {
		cmds = append(cmds, strings.Join(args[:2], " "))
		if args[0] == "cds" && args[1] == "keys" { // the CDS step signs with this key
			if _, _, err := cdsauth.LoadOrGenerateKey(args[3], "ES384"); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "ran %s\n\nsecond line", args[1])
		return nil
	}
	var out strings.Builder
	if err := Run(context.Background(), o, run, &out); err != nil {
		t.Fatal(err)
	}
	want := "data synth,data synth,data validate,data split,data split,data validate,train classifier,predict --model,eval classification," +
		"train summarizer,summarize --method,summarize --method,eval compare,eval faithfulness,models approve,models approve,models list,cds keys,cds call,cds call"
	if got := strings.Join(cmds, ","); got != want {
		t.Errorf("commands:\n%s\nwant\n%s", got, want)
	}
	for _, want := range []string{"== 1. Synthesize data", "$ osler data synth --kind ade --n 100 --seed 1 --out " + filepath.Join(o.Dir, "ade.jsonl"),
		"  ran synth\n\n  second line\n", "== 8. Approve", "Done in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Serve") {
		t.Error("served with NoServe")
	}
	for _, sub := range []string{"models", "predictions", "reports"} {
		if st, err := os.Stat(filepath.Join(o.Dir, sub)); err != nil || !st.IsDir() {
			t.Errorf("no %s directory: %v", sub, err)
		}
	}

	cmds = nil
	fail := func(_ context.Context, args []string, _ io.Writer) error {
		cmds = append(cmds, args[1])
		if args[1] == "validate" {
			return errors.New("bad data")
		}
		return nil
	}
	err := Run(context.Background(), o, fail, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "demo: osler data validate: bad data") || len(cmds) != 3 {
		t.Errorf("a failing step: %v after %v", err, cmds)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, o, run, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestQuoteArgs(t *testing.T) {
	got := QuoteArgs([]string{"eval", "compare", "a b", "it's", "", "x=$HOME", "plain-path/f.jsonl"})
	if want := `eval compare 'a b' 'it'\''s' '' 'x=$HOME' plain-path/f.jsonl`; got != want {
		t.Errorf("QuoteArgs = %s, want %s", got, want)
	}
}
