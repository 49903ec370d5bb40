package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

var evalClassificationDoc = helpDoc("eval-classification")

// classFlags are the flags shared by eval classification and eval compare.
type classFlags struct {
	opts       eval.PredictionsOptions
	gold       dataFlags
	goldPath   string
	labels     string
	thresholds string
}

func (c *classFlags) register(fs *flag.FlagSet, allowTuned bool) {
	c.gold.register(fs, "gold-")
	fs.StringVar(&c.goldPath, "gold", "", `gold labels: a dataset file (JSONL, two-column CSV, or CSV/TSV with --text-column and --label-column); "-" reads stdin`)
	fs.Var(&c.opts.Mode, "mode", "binary, multi-class or multi-label (default: multi-label when some record has no label or several, else binary for two labels, else multi-class)")
	fs.StringVar(&c.labels, "labels", "", "comma-separated labels to evaluate, in report order (default: every gold and predicted label, sorted)")
	fs.StringVar(&c.opts.PositiveLabel, "positive-label", "", "binary data: the positive label, predicted when its score reaches its threshold (default: the higher score wins)")
	help := `decide labels with these thresholds instead of the decisions the predictions record: one number for every label (e.g. 0.5), or a JSON file {"label": t} or {"thresholds": {...}} naming every label`
	if allowTuned {
		help += `, or "tuned" for each label's F1-optimal threshold on these examples`
	}
	fs.StringVar(&c.thresholds, "thresholds", "", help+` (default: the predictions' own decisions; 0.5 for predictions with scores only)`)
}

// options binds the flags into evaluation options (a --thresholds file is
// read here).
func (c *classFlags) options(cmd string, stdin io.Reader) (eval.PredictionsOptions, error) {
	opts := c.opts
	opts.Stdin = stdin
	for l := range strings.SplitSeq(c.labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			opts.Labels = append(opts.Labels, l)
		}
	}
	if err := opts.SetThresholds(c.thresholds); err != nil {
		var se *eval.ThresholdsSpecError
		if errors.As(err, &se) {
			return opts, usageError{fmt.Errorf("%s: %w", cmd, err)}
		}
		return opts, fmt.Errorf("%s: %w", cmd, err)
	}
	return opts, nil
}

// readGold reads the gold file.
func (m *Main) readGold(ctx context.Context, cmd string, c *classFlags) (*eval.GoldSet, error) {
	if c.goldPath == "" {
		return nil, usageError{fmt.Errorf("%s: --gold is required (see --help)", cmd)}
	}
	dopts, err := c.gold.options()
	if err != nil {
		return nil, err
	}
	gold, err := eval.ReadGoldSet(ctx, c.goldPath, m.Stdin, dopts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return gold, nil
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
	format := report.Table
	fs.Var(&format, "format", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML report (tables, PR curves, confusion matrices) to this file")
	title := fs.String("title", "", "title of the HTML report (default: from the predictions file)")
	if err := m.parseNoArgs(fs, evalClassificationDoc, args, ""); err != nil {
		return err
	}
	if *predPath == "" {
		return usageError{fmt.Errorf("%s: --pred is required (see --help)", cmd)}
	}
	opts, err := cf.options(cmd, m.Stdin)
	if err != nil {
		return err
	}
	if *writeTh != "" && !opts.TuneThresholds {
		return usageError{fmt.Errorf("%s: --write-thresholds needs --thresholds tuned", cmd)}
	}
	if *modelPath != "" {
		if err := m.decideWithModel(ctx, cmd, *modelPath, &rf, cf.thresholds, &opts); err != nil {
			return err
		}
	}
	opts.MaxCurvePoints = *curvePoints
	gold, err := m.readGold(ctx, cmd, &cf)
	if err != nil {
		return err
	}
	res, err := gold.EvaluatePredictions(ctx, *predPath, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := report.WriteClassification(m.Stdout, format, res); err != nil {
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

// decideWithModel loads the --model classifier and makes its thresholds,
// mode and positive label decide the labels; the flags must agree with it.
func (m *Main) decideWithModel(ctx context.Context, cmd, spec string, rf *registryFlags, thresholds string, opts *eval.PredictionsOptions) error {
	if thresholds != "" {
		return usageError{fmt.Errorf("%s: give --model (its thresholds) or --thresholds, not both", cmd)}
	}
	lc, err := m.loadClassifier(ctx, cmd, spec, rf)
	if err != nil {
		return err
	}
	if opts.Mode != "" && opts.Mode != lc.Mode() {
		return usageError{fmt.Errorf("%s: --mode %s, but %s is a %s model", cmd, opts.Mode, lc.Source, lc.Mode())}
	}
	if opts.PositiveLabel != "" && opts.PositiveLabel != lc.PositiveLabel() {
		return usageError{fmt.Errorf("%s: --positive-label %q, but the positive label of %s is %q", cmd, opts.PositiveLabel, lc.Source, lc.PositiveLabel())}
	}
	opts.UseModel(&eval.DecisionModel{Name: spec, Source: lc.Source, Mode: lc.Mode(), PositiveLabel: lc.PositiveLabel(),
		Thresholds: lc.Metadata().Thresholds, Labels: lc.Labels()})
	return nil
}
