package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

var evalClassificationDoc = cmdDoc{
	Usage: "osler eval classification [flags] --gold GOLD --pred PRED.jsonl",
	Summary: `Score classifier predictions against gold labels, matching scikit-learn: per-label precision, recall, F1, ` +
		`support and 2x2 confusion matrices, micro/macro/weighted/samples averages, accuracy (subset accuracy for ` +
		`multi-label data), Hamming loss, the multi-class confusion matrix, ROC AUC, average precision, Brier scores, ` +
		`and each label's F1-optimal threshold. GOLD is any dataset file (JSONL, two-column CSV, CSV/TSV with a header). ` +
		`PRED has one JSON line per document: osler predict's {"id", "labels", "scores"}, scores only {"id", "scores": {"label": p}}, hard {"id", "labels": [...]}, or the managed ` +
		`service's batch output with "Labels" or "Classes" of {"Name", "Score"} (and "Predicted", from osler predict --format comprehend). ` +
		`Lines are matched to GOLD by id, by the service's "Line", or in order; a GOLD record without an id is known by its line number ` +
		`(the id osler predict writes for it, and the service's 0-based "Line" plus one), so predict GOLD itself (its labels are ignored) and evaluate against it. ` +
		"\n\n" +
		`How labels are decided: by default, the decisions PRED records (osler predict's "labels", "Predicted" in its comprehend output), ` +
		`so what is scored is what the model decided with its own thresholds; a PRED with scores only is decided at 0.5, with a note saying so. ` +
		`--model MODEL decides with that model's thresholds instead, and --thresholds with one number for every label (--thresholds 0.5), ` +
		`a JSON file {"label": t} naming every label (a binary model's positive label; a missing or unknown label is an error), ` +
		`or "tuned": each label's F1-optimal threshold on these examples (use a validation set), written to --write-thresholds for the test set's --thresholds FILE.json. ` +
		`Multi-class data is decided by the top score whatever the thresholds.`,
	Example: `osler predict --model hallmarks --input dev.jsonl --output dev.pred.jsonl
osler eval classification --gold dev.jsonl --pred dev.pred.jsonl
osler eval classification --gold dev.jsonl --pred dev.pred.jsonl --thresholds 0.5
osler eval classification --gold dev.jsonl --pred dev.pred.jsonl --thresholds tuned --write-thresholds thresholds.json
osler eval classification --gold test.csv --pred comprehend-output.jsonl --mode multi-label --format markdown`,
}

// classFlags are the flags shared by eval classification and eval compare.
type classFlags struct {
	gold       dataFlags
	goldPath   string
	mode       string
	labels     string
	positive   string
	thresholds string
}

func (c *classFlags) register(fs *flag.FlagSet, allowTuned bool) {
	c.gold.register(fs, "gold-")
	fs.StringVar(&c.goldPath, "gold", "", `gold labels: a dataset file (JSONL, two-column CSV, or CSV/TSV with --text-column and --label-column); "-" reads stdin`)
	fs.StringVar(&c.mode, "mode", "", "binary, multi-class or multi-label (default: multi-label when some record has no label or several, else binary for two labels, else multi-class)")
	fs.StringVar(&c.labels, "labels", "", "comma-separated labels to evaluate, in report order (default: every gold and predicted label, sorted)")
	fs.StringVar(&c.positive, "positive-label", "", "binary data: the positive label, predicted when its score reaches its threshold (default: the higher score wins)")
	help := `decide labels with these thresholds instead of the decisions the predictions record: one number for every label (e.g. 0.5), or a JSON file {"label": t} or {"thresholds": {...}} naming every label`
	if allowTuned {
		help += `, or "tuned" for each label's F1-optimal threshold on these examples`
	}
	fs.StringVar(&c.thresholds, "thresholds", "", help+` (default: the predictions' own decisions; 0.5 for predictions with scores only)`)
}

// options resolves the flags into evaluation options. With no
// --thresholds the options leave the decisions to [decideByDefault].
func (c *classFlags) options(cmd string, allowTuned bool) (eval.ClassificationOptions, error) {
	var opts eval.ClassificationOptions
	mode, err := dataset.ParseMode(c.mode)
	if err != nil {
		return opts, usageError{fmt.Errorf("%s: --mode: %w", cmd, err)}
	}
	opts.Mode = mode
	if c.labels != "" {
		for l := range strings.SplitSeq(c.labels, ",") {
			if l = strings.TrimSpace(l); l != "" {
				opts.Labels = append(opts.Labels, l)
			}
		}
	}
	opts.PositiveLabel = c.positive
	t := strings.TrimSpace(c.thresholds)
	switch t {
	case "":
		return opts, nil
	case "tuned":
		if !allowTuned {
			return opts, usageError{fmt.Errorf(`%s: --thresholds tuned would tune on the data being compared; tune on a validation set with "osler eval classification --thresholds tuned" and pass the file it writes`, cmd)}
		}
		opts.TuneThresholds = true
		return opts, nil
	}
	if v, err := strconv.ParseFloat(t, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return opts, usageError{fmt.Errorf("%s: --thresholds must be a finite number", cmd)}
		}
		opts.Threshold = &v
		return opts, nil
	}
	f, err := os.Open(t)
	if err != nil {
		return opts, usageError{fmt.Errorf("%s: --thresholds %q is neither a number, \"tuned\" nor a readable file: %w", cmd, t, err)}
	}
	defer f.Close()
	if opts.Thresholds, err = eval.ReadThresholds(f, t); err != nil {
		return opts, fmt.Errorf("%s: %w", cmd, err)
	}
	opts.CompleteThresholds = true
	return opts, nil
}

// decided reports whether opts already say how labels are decided.
func decided(opts eval.ClassificationOptions) bool {
	return opts.Threshold != nil || opts.Thresholds != nil || opts.TuneThresholds || opts.UseDecisions
}

// decideByDefault makes the predictions' own decisions the ones scored
// when every example carries them, and leaves scores-only predictions to
// 0.5. It refuses a file where only some lines carry decisions.
func decideByDefault(cmd string, opts *eval.ClassificationOptions, exs []eval.ClassExample, predPath string) error {
	with := 0
	for _, ex := range exs {
		if ex.Predicted != nil {
			with++
		}
	}
	switch {
	case with == len(exs):
		opts.UseDecisions = true
	case with > 0:
		return fmt.Errorf(`%s: %s: %d predictions record decided labels and %d do not; give --thresholds to decide them all from their scores`, cmd, predPath, with, len(exs)-with)
	}
	return nil
}

// noteDefaultThreshold adds a note to a result decided at 0.5 because the
// predictions recorded no decisions.
func noteDefaultThreshold(res *eval.ClassificationResult, predPath string) {
	if res.Decisions == "thresholds" {
		res.Notes = append(res.Notes, fmt.Sprintf("%s records scores but no decided labels, so every label was decided at 0.5; --thresholds or --model choose other thresholds", filepath.Base(predPath)))
	}
}

// thresholdsSource wraps a thresholds error with where the thresholds came
// from.
func thresholdsSource(cmd, source string, err error) error {
	var te *eval.ThresholdsError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %s: %w", cmd, source, err)
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

// readGold reads every record of the gold file.
func (m *Main) readGold(cmd string, c *classFlags) ([]dataset.Record, error) {
	if c.goldPath == "" {
		return nil, usageError{fmt.Errorf("%s: --gold is required (see --help)", cmd)}
	}
	dopts, err := c.gold.options()
	if err != nil {
		return nil, err
	}
	recs, err := dataset.ReadAll(c.goldPath, m.Stdin, dopts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: %s has no records", cmd, c.goldPath)
	}
	return recs, nil
}

// readClassPredictions reads a predictions file and matches it with gold.
func (m *Main) readClassPredictions(cmd, path string, gold []dataset.Record, goldPath string) ([]eval.ClassExample, error) {
	f, err := m.openInput(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	defer f.Close()
	r := eval.NewClassPredictionReader(f, path)
	var preds []eval.ClassPrediction
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cmd, err)
		}
		preds = append(preds, p)
	}
	if len(preds) == 0 {
		return nil, fmt.Errorf("%s: %s has no predictions", cmd, path)
	}
	exs, err := eval.MatchPredictions(gold, preds, goldPath, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return exs, nil
}

func (m *Main) runEvalClassification(ctx context.Context, args []string) error {
	const cmd = "eval classification"
	fs := m.newFlagSet(evalClassificationDoc)
	var cf classFlags
	cf.register(fs, true)
	predPath := fs.String("pred", "", "predictions: JSONL, one line per document (see above)")
	modelPath := fs.String("model", "", "decide with this classifier's thresholds (and its mode and positive label): "+modelRefHelp)
	var rf registryFlags
	rf.registerRead(fs)
	writeTh := fs.String("write-thresholds", "", `with --thresholds tuned, write the tuned thresholds here (default "thresholds.json")`)
	metricsPath := fs.String("metrics", "", "also write the full result (every metric, PR curves) as JSON to this file")
	curvePoints := fs.Int("curve-points", 0, "thin each PR curve in JSON output to about this many points (0 keeps every threshold)")
	format := fs.String("format", "table", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML report (tables, PR curves, confusion matrices) to this file")
	title := fs.String("title", "", "title of the HTML report (default: from the predictions file)")
	pos, err := m.parseFlags(fs, evalClassificationDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (see --help)", cmd, pos)}
	}
	if *predPath == "" {
		return usageError{fmt.Errorf("%s: --pred is required (see --help)", cmd)}
	}
	outFmt, err := parseOutputFormat(cmd, *format)
	if err != nil {
		return err
	}
	opts, err := cf.options(cmd, true)
	if err != nil {
		return err
	}
	if *writeTh != "" && !opts.TuneThresholds {
		return usageError{fmt.Errorf("%s: --write-thresholds needs --thresholds tuned", cmd)}
	}
	thSource := "--thresholds " + cf.thresholds
	var modelLabels []string
	if *modelPath != "" {
		if cf.thresholds != "" {
			return usageError{fmt.Errorf("%s: give --model (its thresholds) or --thresholds, not both", cmd)}
		}
		lc, err := m.loadClassifier(ctx, cmd, *modelPath, &rf)
		if err != nil {
			return err
		}
		if opts.Mode != "" && opts.Mode != lc.Mode() {
			return usageError{fmt.Errorf("%s: --mode %s, but %s is a %s model", cmd, opts.Mode, lc.Source, lc.Mode())}
		}
		if opts.PositiveLabel != "" && opts.PositiveLabel != lc.PositiveLabel() {
			return usageError{fmt.Errorf("%s: --positive-label %q, but the positive label of %s is %q", cmd, opts.PositiveLabel, lc.Source, lc.PositiveLabel())}
		}
		opts.Mode, opts.PositiveLabel = lc.Mode(), lc.PositiveLabel()
		opts.Thresholds = lc.Metadata().Thresholds
		if opts.Thresholds == nil {
			opts.Thresholds = map[string]float64{}
		}
		opts.CompleteThresholds = true
		thSource = "the thresholds of " + lc.Source
		modelLabels = lc.Labels()
	}
	opts.MaxCurvePoints = *curvePoints
	gold, err := m.readGold(cmd, &cf)
	if err != nil {
		return err
	}
	if modelLabels != nil {
		for _, g := range gold {
			for _, l := range g.Labels {
				if !slices.Contains(modelLabels, l) {
					return fmt.Errorf("%s: %s:%d: gold label %q is not a label of %s (its labels: %s)", cmd, cf.goldPath, g.Line, l, *modelPath, strings.Join(modelLabels, ", "))
				}
			}
		}
	}
	exs, err := m.readClassPredictions(cmd, *predPath, gold, cf.goldPath)
	if err != nil {
		return err
	}
	byDefault := !decided(opts)
	if byDefault {
		if err := decideByDefault(cmd, &opts, exs, *predPath); err != nil {
			return err
		}
	}
	res, err := eval.EvaluateClassification(exs, opts)
	if err != nil {
		return thresholdsSource(cmd, thSource, err)
	}
	if byDefault {
		noteDefaultThreshold(res, *predPath)
	}
	if *modelPath != "" {
		res.Notes = append(res.Notes, "labels decided with "+thSource)
	}
	if err := report.WriteClassification(m.Stdout, outFmt, res); err != nil {
		return err
	}
	if opts.TuneThresholds {
		path := *writeTh
		if path == "" {
			path = "thresholds.json"
		}
		if err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return eval.WriteThresholds(w, res.Thresholds) }); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote tuned thresholds to %s (use them on the test set with --thresholds %s)\n", path, path)
	}
	if *metricsPath != "" {
		if err := atomicfile.Write(*metricsPath, 0o644, func(w io.Writer) error { return report.WriteClassification(w, report.JSON, res) }); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote metrics to %s\n", *metricsPath)
	}
	if *reportPath != "" {
		t := *title
		if t == "" {
			t = "Classification: " + filepath.Base(*predPath)
		}
		err := writeReport(*reportPath, func(w io.Writer) error {
			return report.Classification(w, report.ClassificationPage{Header: m.reportHeader(t, cf.goldPath, *predPath), Result: res})
		})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote report to %s\n", *reportPath)
	}
	return nil
}
