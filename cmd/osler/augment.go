package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/osler-health/osler/internal/augment"
)

var augmentDoc = helpDoc("augment")

// augmentFlags are the flags of osler augment, bound straight into the
// library's options.
type augmentFlags struct {
	opts    augment.RunOptions
	data    dataFlags
	json    bool
	verbose bool
}

func (f *augmentFlags) register(fs *flag.FlagSet) {
	o := &f.opts
	fs.StringVar(&o.TrainPath, "train", "", "training file (JSONL, CSV or CSV/TSV with a header): the examples shown to the model (required)")
	fs.StringVar(&o.Label, "label", "", "the label to synthesize rows of (required)")
	fs.IntVar(&o.N, "n", 500, "rows wanted")
	fs.IntVar(&o.Shots, "shots", augment.DefaultShots, "examples of --label each prompt shows")
	fs.IntVar(&o.Contrast, "contrast", augment.DefaultContrast, "examples of other labels each prompt shows (-1: none)")
	fs.IntVar(&o.Batch, "batch", augment.DefaultBatch, "rows each call asks for (at most 100)")
	fs.IntVar(&o.MaxCalls, "max-calls", 0, "most model calls, retries included (default: four times the calls --n needs)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed drawing each prompt's examples, also sent to the model")
	fs.Var(&o.GuardPaths, "guard", "dev or test file no generated row may reproduce, even nearly (repeat for several)")
	fs.StringVar(&o.Out, "out", "", "JSONL file the kept rows are written to, with their \"synthetic\" provenance (required)")
	fs.BoolVar(&f.json, "json", false, "print the report as JSON")
	fs.BoolVar(&f.verbose, "verbose", false, "report each LLM retry on stderr")
	f.data.register(fs, "")
	registerLLMFlags(fs, &o.LLM)
}

func (m *Main) runAugment(ctx context.Context, args []string) error {
	fs := m.newFlagSet(augmentDoc)
	var f augmentFlags
	f.register(fs)
	if err := m.parseNoArgs(fs, augmentDoc, args, "give files with --train, --guard and --out"); err != nil {
		return err
	}
	o := &f.opts
	o.LLM.Getenv, o.LLM.Given = m.Getenv, givenFlags(fs)
	var err error
	if o.Data, err = f.data.options(); err != nil {
		return err
	}
	if f.verbose {
		o.OnRetry = func(attempt int, err error, wait time.Duration) {
			fmt.Fprintf(m.Stderr, "osler augment: retry %d in %s after: %v\n", attempt, wait.Round(time.Millisecond), err)
		}
	}
	res, err := augment.Run(ctx, *o)
	if err != nil {
		return usageOf(err)
	}
	rep := res.Report(o.Label, o.Out)
	if f.json {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(m.Stdout)
}
