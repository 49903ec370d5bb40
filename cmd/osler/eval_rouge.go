package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/text"
)

var evalRougeDoc = helpDoc("eval-rouge")

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (m *Main) runEvalRouge(ctx context.Context, args []string) error {
	const cmd = "eval rouge"
	fs := m.newFlagSet(evalRougeDoc)
	var rf rougeFlags
	rf.register(fs)
	pairsPath := fs.String("pairs", "", `JSONL file of {"id", "reference", "prediction"} lines ("-" reads stdin)`)
	var refPaths stringList
	fs.Var(&refPaths, "references", "text file with one reference per line (repeat for several references per prediction)")
	predPath := fs.String("predictions", "", "text file with one prediction per line, matching --references line by line")
	perExample := fs.String("per-example", "", `write each pair's scores to this JSONL file, in input order: {"id", "scores": {type: {"precision", "recall", "fmeasure"}}}`)
	outFmt := report.Table
	fs.Var(&outFmt, "format", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML report with box plots to this file")
	title := fs.String("title", "", "title of the HTML report (default: from the input file)")
	pos, err := m.parseFlags(fs, evalRougeDoc, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && *pairsPath == "" && len(refPaths) == 0 {
		*pairsPath = pos[0]
		pos = nil
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (see --help)", cmd, pos)}
	}
	scorer, tok, err := rf.scorer(cmd)
	if err != nil {
		return err
	}

	// The input: JSONL pairs or text files.
	var src eval.PairSource
	var sources []string
	switch {
	case *pairsPath != "" && (len(refPaths) > 0 || *predPath != ""):
		return usageError{fmt.Errorf("%s: give --pairs, or --references with --predictions, not both", cmd)}
	case *pairsPath != "":
		f, err := dataset.OpenInput(*pairsPath, m.Stdin)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer f.Close()
		src = eval.NewPairReader(f, *pairsPath)
		sources = []string{*pairsPath}
	case len(refPaths) > 0 && *predPath != "":
		pf, err := dataset.OpenInput(*predPath, m.Stdin)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer pf.Close()
		var readers []io.Reader
		for _, p := range refPaths {
			rf, err := dataset.OpenInput(p, m.Stdin)
			if err != nil {
				return fmt.Errorf("%s: %w", cmd, err)
			}
			defer rf.Close()
			readers = append(readers, rf)
		}
		src = eval.NewTextPairReader(pf, *predPath, readers, refPaths)
		sources = append([]string{*predPath}, refPaths...)
	default:
		return usageError{fmt.Errorf("%s: %w: give --pairs FILE.jsonl, or --references R.txt with --predictions P.txt (see --help)", cmd, errNoInput)}
	}

	var pe *eval.PerExampleFile
	if *perExample != "" {
		if pe, err = eval.CreatePerExampleFile(*perExample, scorer.Types()); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer pe.Abort()
	}
	bar := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	bar.Stage("scoring pairs", -1)
	start := time.Now()
	opts := eval.StreamOptions{Workers: rf.workers, Progress: bar}
	if pe != nil {
		opts.OnExample = pe.Write
	}
	res, err := scorer.ScoreStream(ctx, src, opts)
	bar.Finish()
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if res.Len() == 0 {
		return fmt.Errorf("%s: %s has no pairs", cmd, strings.Join(sources, ", "))
	}
	elapsed := time.Since(start)
	var boot eval.BootstrapOptions
	if rf.bootstrap > 0 {
		boot = rf.bootstrapOptions()
		// The table shows the intervals of F alone; JSON, CSV and the
		// report show them all.
		boot.FMeasureOnly = (outFmt == report.Table || outFmt == report.Markdown) && *reportPath == ""
	}
	sum, err := res.Summarize(ctx, rf.stemmer, tok, boot)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if pe != nil {
		if err := pe.Commit(); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
	}
	if err := report.WriteRougeSummary(m.Stdout, outFmt, sum); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "scored %s pairs in %.3f s\n", text.Thousands(res.Len()), elapsed.Seconds())
	if pe != nil {
		fmt.Fprintf(m.Stderr, "wrote per-example scores to %s\n", *perExample)
	}
	if *reportPath != "" {
		t := *title
		if t == "" {
			t = "ROUGE: " + filepath.Base(sources[0])
		}
		err := writeReport(*reportPath, func(w io.Writer) error {
			return report.Rouge(w, report.RougePage{Header: m.reportHeader(t, sources...), Summary: sum, Result: res})
		})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote report to %s\n", *reportPath)
	}
	return nil
}
