package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/classify/predict"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
)

var predictDoc = helpDoc("predict")

func (m *Main) runPredict(ctx context.Context, args []string) error {
	fs := m.newFlagSet(predictDoc)
	modelPath := fs.String("model", "", modelRefHelp+" (required)")
	var rf registryFlags
	rf.registerRead(fs)
	input := fs.String("input", "-", `documents to classify ("-": standard input)`)
	output := fs.String("output", "-", `where to write predictions ("-": standard output)`)
	var enums enumFlags
	format := predict.FormatOsler
	enums.Var(fs, &format, "format", `output shape: osler ({"id","labels","scores"}) or comprehend ({"File","Line","Classes"|"Labels","Predicted"})`)
	thresholds := fs.String("thresholds", "", `decide with these thresholds instead of the model's: a JSON file {"label": t} naming every label (a binary model's positive label), or one number for every label`)
	threshold := fs.Float64("threshold", -1, "decide every label at this score instead of the model's thresholds (the same as --thresholds N)")
	workers := fs.Int("workers", 0, "goroutines scoring batches (default: GOMAXPROCS)")
	// --format is the output shape, so the input's layout flags are
	// --input-format, --input-text-column, ...
	var df dataFlags
	df.register(fs, "input-")
	if err := m.parseNoArgs(fs, predictDoc, args, "give files with --input and --output"); err != nil {
		return err
	}
	if *modelPath == "" {
		return usageError{errors.New("predict: --model is required (see --help)")}
	}
	if err := enums.set(); err != nil {
		return err
	}
	decision, err := predict.ParseDecision(*thresholds, *threshold)
	if err != nil {
		return usageOf(err)
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	opts.IgnoreLabels = true // only the text is read: labels of any shape are fine
	lc, err := m.loadClassifier(ctx, "predict", *modelPath, &rf)
	if err != nil {
		return err
	}
	model, err := decision.Apply(ctx, lc.Model, *modelPath)
	if err != nil {
		return usageOf(err)
	}
	in, err := dataset.Open(*input, m.Stdin, opts)
	if err != nil {
		return err
	}
	defer in.Close()

	var out io.Writer = m.Stdout
	var af *atomicfile.File
	if *output != "-" {
		if af, err = atomicfile.Create(*output, 0o644); err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		defer af.Abort()
		out = af
	}
	bar := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	start := time.Now()
	n, err := predict.Run(ctx, model, in, out, predict.Options{Format: format, Input: *input, Threshold: decision.Threshold, Workers: *workers, Progress: bar})
	bar.Finish()
	if err != nil {
		return err
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return err
		}
		el := time.Since(start).Seconds()
		fmt.Fprintf(m.Stderr, "predicted %d documents in %.2f s (%.0f/s); wrote %s\n", n, el, float64(n)/max(el, 1e-9), *output)
	}
	return nil
}
