package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/report"
)

var evalCompareDoc = helpDoc("eval-compare")

// parseSystems reads the [NAME=]PRED arguments.
func parseSystems(cmd string, args []string) ([]eval.System, error) {
	var out []eval.System
	seen := map[string]bool{}
	for _, a := range args {
		s := eval.System{Path: a}
		if name, path, ok := strings.Cut(a, "="); ok && name != "" && !strings.ContainsAny(name, `/\`) {
			s = eval.System{Name: name, Path: path}
		} else {
			s.Name = strings.TrimSuffix(filepath.Base(a), filepath.Ext(a))
		}
		if s.Path == "" {
			return nil, usageError{fmt.Errorf("%s: %q names no file", cmd, a)}
		}
		if seen[s.Name] {
			return nil, usageError{fmt.Errorf("%s: two systems are named %q; name them with NAME=FILE", cmd, s.Name)}
		}
		seen[s.Name] = true
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, usageError{fmt.Errorf("%s: give at least one prediction file (see --help)", cmd)}
	}
	return out, nil
}

func (m *Main) runEvalCompare(ctx context.Context, args []string) error {
	const cmd = "eval compare"
	fs := m.newFlagSet(evalCompareDoc)
	var rf rougeFlags
	rf.register(fs)
	var cf classFlags
	cf.register(fs, false)
	opts := eval.CompareRougeOptions{Stdin: m.Stdin}
	fs.StringVar(&opts.References, "references", "", `ROUGE: the reference set, JSONL {"id", "reference"} or a .txt file with one reference per line`)
	fs.StringVar(&opts.Sources, "sources", "", `ROUGE: the documents the systems summarized ({"id","source"}); adds each system's share of unfaithful summaries (osler eval faithfulness)`)
	vocab := fs.String("vocab", "", "with --sources: a lexicon file that extends the faithfulness check's vocabulary")
	format := report.Table
	fs.Var(&format, "format", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML comparison (table, bar chart, box plots) to this file")
	title := fs.String("title", "", "title of the HTML report")
	pos, err := m.parseFlags(fs, evalCompareDoc, args)
	if err != nil {
		return err
	}
	if opts.Systems, err = parseSystems(cmd, pos); err != nil {
		return err
	}
	page := report.ComparePage{}
	source := cf.goldPath
	switch {
	case opts.References != "" && cf.goldPath != "":
		return usageError{fmt.Errorf("%s: give --references (ROUGE) or --gold (classification), not both", cmd)}
	case opts.References != "":
		c, err := m.compareRouge(ctx, cmd, &rf, *vocab, opts)
		if err != nil {
			return err
		}
		if err := report.WriteRougeComparison(m.Stdout, format, c); err != nil {
			return err
		}
		page.Rouge, source = c.Systems, opts.References
	case opts.Sources != "":
		return usageError{fmt.Errorf("%s: --sources goes with --references (summaries), not --gold", cmd)}
	case cf.goldPath != "":
		c, err := m.compareClassification(ctx, cmd, &cf, opts.Systems)
		if err != nil {
			return err
		}
		if err := report.WriteClassificationComparison(m.Stdout, format, c); err != nil {
			return err
		}
		page.Classification = c.Systems
	default:
		return usageError{fmt.Errorf("%s: %w: give --references REFS (ROUGE) or --gold GOLD (classification) (see --help)", cmd, errNoInput)}
	}
	if *reportPath == "" {
		return nil
	}
	t := *title
	if t == "" {
		t = "Comparison on " + filepath.Base(source)
	}
	page.Header = m.reportHeader(t, source)
	if err := writeReport(*reportPath, func(w io.Writer) error { return report.Compare(w, page) }); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	fmt.Fprintf(m.Stderr, "wrote report to %s\n", *reportPath)
	return nil
}

// compareRouge scores every system on --references.
func (m *Main) compareRouge(ctx context.Context, cmd string, rf *rougeFlags, vocab string, opts eval.CompareRougeOptions) (*eval.RougeComparison, error) {
	var err error
	if opts.Sources != "" {
		if opts.Checker, err = m.checker(vocab); err != nil {
			return nil, fmt.Errorf("%s: %w", cmd, err)
		}
	}
	if opts.Scorer, opts.Tokenizer, err = rf.scorer(cmd); err != nil {
		return nil, err
	}
	opts.Stemmer, opts.Workers = rf.stemmer, rf.workers
	if rf.bootstrap > 0 {
		opts.Bootstrap = rf.bootstrapOptions()
	}
	bars := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	opts.Progress = bars
	c, err := eval.CompareRouge(ctx, opts)
	bars.Finish()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return c, nil
}

// compareClassification evaluates every system's predictions on --gold.
func (m *Main) compareClassification(ctx context.Context, cmd string, cf *classFlags, systems []eval.System) (*eval.ClassificationComparison, error) {
	opts, err := cf.options(cmd, m.Stdin)
	if err != nil {
		return nil, err
	}
	if opts.TuneThresholds {
		return nil, usageError{fmt.Errorf(`%s: --thresholds tuned would tune on the data being compared; tune on a validation set with "osler eval classification --thresholds tuned" and pass the file it writes`, cmd)}
	}
	gold, err := m.readGold(ctx, cmd, cf)
	if err != nil {
		return nil, err
	}
	c, err := gold.Compare(ctx, systems, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return c, nil
}
