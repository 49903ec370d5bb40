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

var predictDoc = cmdDoc{
	Usage: "osler predict --model MODEL [--input IN] [--output OUT] [flags]",
	Summary: `Classify every document of IN with a classifier and write one JSON line per document, in input order: ` +
		`{"id": ..., "labels": [predicted labels], "scores": {label: score, ...}} with every label's score. ` +
		`MODEL is a model directory or a registry reference NAME[:VERSION] (see --home). ` +
		`The id is the record's id, or, for a record without one, its line number in IN (1-based, as an editor counts; a CSV header is line 1), ` +
		`which is how osler eval classification knows the gold file's records without ids. ` +
		"\n\n" +
		`Labels are decided with the model's thresholds (tuned at training time, or by osler thresholds tune), ` +
		`unless --thresholds gives others: a JSON file {"label": t} or {"thresholds": {...}} (every label of a multi-label model, ` +
		`the positive label of a binary one; a file that leaves a label out or names one the model does not have is an error), or one number for every label. ` +
		`Binary models predict the positive label when its score reaches its threshold, multi-class models the top label (thresholds do not apply), ` +
		`multi-label models every label at or above its threshold. ` +
		"\n\n" +
		`--format comprehend writes the output shape of the managed custom-classification service's batch jobs instead: ` +
		`{"File": IN's name, "Line": "0-based line", "Classes": [{"Name", "Score"}, ...]} ("Labels" for multi-label models), every label sorted by score, ` +
		`plus "Predicted": [the labels the model decided on], an extra member: a reader of the service's fields finds them unchanged (every label with its score; the service's own multi-label output also lists labels scoring below 0.5, so the list is not the decision). ` +
		`"Line" is the document's line number in IN counted from 0, as the service counts the lines of a one-document-per-line file (ids are not written). ` +
		"\n\n" +
		`IN may be any format of the data layer: JSONL, two-column CSV, CSV/TSV with a header (the --input-* flags), ` +
		`or a .txt file with one document per line, the service's "one document per line" input (blank lines are skipped, their numbers kept); ` +
		`labels, if any, are ignored. "-" is standard input and output. ` +
		`Documents are scored in batches by --workers goroutines; OUT appears only once complete.`,
	Example: `osler predict --model ade-model --input sentences.jsonl --output predictions.jsonl
osler predict --model specialty:approved --input notes.txt --format comprehend --output out.jsonl
osler predict --model hallmarks --input dev.jsonl --thresholds recall-thresholds.json --output dev.pred.jsonl
cat notes.jsonl | osler predict --model specialty-model --thresholds 0.5 > predictions.jsonl`,
}

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
	pos, err := m.parseFlags(fs, predictDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("predict: unexpected argument %q; give files with --input and --output (see --help)", pos[0])}
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
