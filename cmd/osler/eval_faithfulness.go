package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

var evalFaithfulnessDoc = helpDoc("eval-faithfulness")

func (m *Main) runEvalFaithfulness(ctx context.Context, args []string) error {
	const cmd = "eval faithfulness"
	fs := m.newFlagSet(evalFaithfulnessDoc)
	var df dataFlags
	df.register(fs, "in-")
	in := eval.FaithfulnessInput{Stdin: m.Stdin}
	fs.StringVar(&in.Pairs, "pairs", "", `dataset of {"id","source","summary"} records ("-" reads stdin)`)
	fs.StringVar(&in.Sources, "sources", "", `dataset of the sources ({"id","source"}, or CSV/TSV with --text-column)`)
	fs.StringVar(&in.Summaries, "summaries", "", `the summaries to check: {"id","summary"} lines, as osler summarize writes them`)
	vocab := fs.String("vocab", "", "a lexicon file that extends the built-in vocabulary")
	format := report.Table
	fs.Var(&format, "format", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML report that highlights claims in the texts (it quotes them)")
	title := fs.String("title", "", "title of the HTML report (default: from the input file)")
	show := fs.Int("show", 0, "list this many flagged summaries with their issues (table format)")
	perPair := fs.String("per-pair", "", `write every pair's check to this JSONL file, in input order: {"id", "flagged", "source_critical", "issues": [...]}`)
	failAbove := fs.Float64("fail-above", -1, "exit 1 when the share of unfaithful summaries is above this (0 to 1)")
	var opts eval.FaithfulnessOptions
	fs.IntVar(&opts.Bootstrap.Samples, "bootstrap", 1000, "bootstrap resamples for the intervals of the shares; 0 turns them off")
	fs.Uint64Var(&opts.Bootstrap.Seed, "seed", 42, "bootstrap seed: the same seed and data give the same intervals")
	fs.Float64Var(&opts.Bootstrap.Confidence, "confidence", 0.95, "coverage of the bootstrap intervals")
	fs.IntVar(&opts.Workers, "workers", 0, "checking goroutines; 0 uses every core")
	pos, err := m.parseFlags(fs, evalFaithfulnessDoc, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && in.Pairs == "" && in.Sources == "" {
		in.Pairs, pos = pos[0], nil
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (see --help)", cmd, pos)}
	}
	switch {
	case opts.Bootstrap.Samples < 0:
		return usageError{fmt.Errorf("%s: --bootstrap must be 0 or more", cmd)}
	case opts.Bootstrap.Confidence <= 0 || opts.Bootstrap.Confidence >= 1:
		return usageError{fmt.Errorf("%s: --confidence must be between 0 and 1", cmd)}
	case *failAbove > 1:
		return usageError{fmt.Errorf("%s: --fail-above is a share from 0 to 1", cmd)}
	}
	if opts.Bootstrap.Samples == 0 {
		opts.Bootstrap.Samples = -1
	}
	opts.Bootstrap.Workers = opts.Workers
	if in.Data, err = df.options(); err != nil {
		return err
	}
	if opts.Checker, err = m.checker(*vocab); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	switch {
	case in.Pairs != "" && (in.Sources != "" || in.Summaries != ""):
		return usageError{fmt.Errorf("%s: give --pairs, or --sources with --summaries, not both", cmd)}
	case in.Pairs == "" && (in.Sources == "" || in.Summaries == ""):
		return usageError{fmt.Errorf("%s: %w: give --pairs FILE, or --sources FILE with --summaries FILE (see --help)", cmd, errNoInput)}
	}
	pairs, err := eval.ReadFaithfulnessPairs(ctx, in)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	rep, err := eval.EvaluateFaithfulness(ctx, pairs, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := report.WriteFaithfulness(m.Stdout, format, rep, *show); err != nil {
		return err
	}
	if *perPair != "" {
		if err := atomicfile.Write(*perPair, 0o644, func(w io.Writer) error { return report.WriteFaithfulnessChecks(w, rep) }); err != nil {
			return fmt.Errorf("%s: --per-pair: %w", cmd, err)
		}
	}
	if *reportPath != "" {
		sources := in.Files()
		t := *title
		if t == "" {
			t = "Faithfulness: " + filepath.Base(sources[len(sources)-1])
		}
		page := report.FaithfulnessPage{Header: m.reportHeader(t, sources...), Report: rep}
		if err := writeReport(*reportPath, func(w io.Writer) error { return report.Faithfulness(w, page) }); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote %s\n", *reportPath)
	}
	if *failAbove >= 0 && rep.Unfaithful.Share > *failAbove {
		return exitError{code: 1, msg: fmt.Sprintf("%s: %.2f%% of summaries are unfaithful, above --fail-above %.2f%%", cmd, 100*rep.Unfaithful.Share, 100**failAbove)}
	}
	return nil
}

// checker builds the faithfulness checker --vocab asks for.
func (m *Main) checker(vocab string) (*clinical.Checker, error) {
	c, err := clinical.LoadChecker(vocab)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "open" {
		return nil, fmt.Errorf("--vocab: %w", err)
	}
	return c, err
}

var evalCasesDoc = helpDoc("eval-cases")

func (m *Main) runEvalCases(ctx context.Context, args []string) error {
	const cmd = "eval cases"
	fs := m.newFlagSet(evalCasesDoc)
	files := eval.CaseFiles{Stdin: m.Stdin}
	fs.StringVar(&files.Cases, "cases", "", "the checklist: JSONL cases")
	fs.StringVar(&files.Summaries, "summaries", "", `the summaries of the cases' sources: {"id","summary"} lines`)
	vocab := fs.String("vocab", "", "a lexicon file that extends the built-in vocabulary (for the critical-finding check)")
	format := report.Table
	fs.Var(&format, "format", "output format: table, json or markdown")
	maxFail := fs.Float64("max-fail", 1, "exit 1 when more than this share of the cases fail (0 to 1)")
	err := m.parseNoArgs(fs, evalCasesDoc, args, "")
	if err != nil {
		return err
	}
	if files.Cases == "" || files.Summaries == "" {
		return usageError{fmt.Errorf("%s: %w: give --cases FILE and --summaries FILE (see --help)", cmd, errNoInput)}
	}
	if format == report.CSV {
		return usageError{fmt.Errorf("%s: --format csv is not offered; use table, json or markdown", cmd)}
	}
	if files.Checker, err = m.checker(*vocab); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	rep, err := eval.CheckCaseFiles(ctx, files)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := report.WriteCases(m.Stdout, format, rep); err != nil {
		return err
	}
	if rep.FailRate > *maxFail {
		return exitError{code: 1, msg: fmt.Sprintf("%s: %.1f%% of the cases failed, above --max-fail %.1f%%", cmd, 100*rep.FailRate, 100**maxFail)}
	}
	return nil
}
