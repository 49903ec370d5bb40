package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/report"
)

var evalCompareDoc = cmdDoc{
	Usage: "osler eval compare [flags] (--references REFS | --gold GOLD) [NAME=]PRED [NAME=]PRED...",
	Summary: `Compare several systems on one reference set in one side-by-side table, one row per system ` +
		`(e.g. pre-trained vs fine-tuned). With --references, each PRED is scored with ROUGE: REFS is JSONL ` +
		`{"id", "reference"} (or "target", "summary", "references": [...]) or a .txt file with one reference per line; ` +
		`each PRED is JSONL {"id", "prediction"} (or "summary") or a .txt file, matched to REFS by id or by line. ` +
		`The table shows each type's mean F with bootstrap intervals, then each system's difference from the first ` +
		`with a paired bootstrap interval on the same examples. With --gold, each PRED is a classifier's predictions ` +
		`(as for "osler eval classification") and the table shows accuracy, micro/macro/weighted F1, macro AP and ROC AUC, ` +
		`and the Brier score. NAME labels the row (default: the file name). With --references, --sources DOCS adds each ` +
		`system's share of summaries holding a claim their document does not back (osler eval faithfulness), with its interval.`,
	Example: `osler eval compare --references test.jsonl --stemmer pre-trained=base.jsonl fine-tuned=tuned.jsonl
osler eval compare --references refs.txt --format markdown --report compare.html a.txt b.txt c.txt
osler eval compare --references dev.jsonl --sources dev.jsonl trained=dev.sum.jsonl llm=dev.llm.jsonl
osler eval compare --gold test.jsonl --thresholds thresholds.json linear=linear.pred.jsonl service=comprehend.jsonl`,
}

// system is one compared prediction file.
type system struct{ name, path string }

func parseSystems(cmd string, args []string) ([]system, error) {
	var out []system
	seen := map[string]bool{}
	for _, a := range args {
		s := system{path: a}
		if name, path, ok := strings.Cut(a, "="); ok && name != "" && !strings.ContainsAny(name, `/\`) {
			s = system{name: name, path: path}
		} else {
			s.name = strings.TrimSuffix(filepath.Base(a), filepath.Ext(a))
		}
		if s.path == "" {
			return nil, usageError{fmt.Errorf("%s: %q names no file", cmd, a)}
		}
		if seen[s.name] {
			return nil, usageError{fmt.Errorf("%s: two systems are named %q; name them with NAME=FILE", cmd, s.name)}
		}
		seen[s.name] = true
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
	refsPath := fs.String("references", "", `ROUGE: the reference set, JSONL {"id", "reference"} or a .txt file with one reference per line`)
	sourcesPath := fs.String("sources", "", `ROUGE: the documents the systems summarized ({"id","source"}); adds each system's share of unfaithful summaries (osler eval faithfulness)`)
	vocab := fs.String("vocab", "", "with --sources: a lexicon file that extends the faithfulness check's vocabulary")
	format := fs.String("format", "table", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML comparison (table, bar chart, box plots) to this file")
	title := fs.String("title", "", "title of the HTML report")
	pos, err := m.parseFlags(fs, evalCompareDoc, args)
	if err != nil {
		return err
	}
	systems, err := parseSystems(cmd, pos)
	if err != nil {
		return err
	}
	outFmt, err := parseOutputFormat(cmd, *format)
	if err != nil {
		return err
	}
	switch {
	case *refsPath != "" && cf.goldPath != "":
		return usageError{fmt.Errorf("%s: give --references (ROUGE) or --gold (classification), not both", cmd)}
	case *refsPath != "":
		var faith *compareFaith
		if *sourcesPath != "" {
			checker, err := m.checker(*vocab)
			if err != nil {
				return fmt.Errorf("%s: %w", cmd, err)
			}
			recs, err := dataset.ReadAll(*sourcesPath, m.Stdin, dataset.Options{})
			if err != nil {
				return fmt.Errorf("%s: %w", cmd, err)
			}
			faith = &compareFaith{path: *sourcesPath, recs: recs, checker: checker}
		}
		return m.compareRouge(ctx, cmd, *refsPath, systems, &rf, outFmt, *reportPath, *title, faith)
	case *sourcesPath != "":
		return usageError{fmt.Errorf("%s: --sources goes with --references (summaries), not --gold", cmd)}
	case cf.goldPath != "":
		return m.compareClassification(cmd, &cf, systems, outFmt, *reportPath, *title)
	}
	return usageError{fmt.Errorf("%s: %w: give --references REFS (ROUGE) or --gold GOLD (classification) (see --help)", cmd, errNoInput)}
}

// compareFaith are the sources the compared summaries are checked against.
type compareFaith struct {
	path    string
	recs    []dataset.Record
	checker *clinical.Checker
}

// check joins a system's summaries to the sources and checks them.
func (m *Main) compareFaithfulness(ctx context.Context, f *compareFaith, s system, rf *rougeFlags) (*eval.FaithfulnessReport, error) {
	if isPlainText(s.path) {
		return nil, fmt.Errorf("%s: --sources needs JSONL predictions with ids, to match them to their documents", s.path)
	}
	in, err := m.openInput(s.path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	pairs, err := eval.JoinSummaries(f.recs, f.path, eval.NewTextPredictionReader(in, s.path, false))
	if err != nil {
		return nil, err
	}
	boot := eval.BootstrapOptions{Samples: -1}
	if rf.bootstrap > 0 {
		boot = rf.bootstrapOptions()
	}
	return eval.EvaluateFaithfulness(ctx, pairs, eval.FaithfulnessOptions{Checker: f.checker, Bootstrap: boot, Workers: rf.workers})
}

func (m *Main) compareRouge(ctx context.Context, cmd, refsPath string, systems []system, rf *rougeFlags, outFmt outputFormat, reportPath, title string, faith *compareFaith) error {
	scorer, tok, err := rf.scorer(cmd)
	if err != nil {
		return err
	}
	rfile, err := m.openInput(refsPath)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	refs, err := eval.ReadReferenceSet(rfile, refsPath, isPlainText(refsPath))
	rfile.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	var rows []eval.RougeSystem
	for i, s := range systems {
		f, err := m.openInput(s.path)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		bar := progress.New(m.Stderr, m.IsTerminal(m.Stderr), int64(refs.Len()), "scoring "+s.name)
		res, err := scorer.ScoreStream(ctx, refs.Pairs(eval.NewTextPredictionReader(f, s.path, isPlainText(s.path))),
			eval.StreamOptions{Workers: rf.workers, Progress: bar.Add})
		bar.Finish()
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		// Line every system up in reference order for the paired bootstrap.
		if res, err = res.Reorder(refs.IDs); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		var boot eval.BootstrapOptions
		if rf.bootstrap > 0 {
			boot = rf.bootstrapOptions()
		}
		sum, err := res.Summarize(ctx, rf.stemmer, tok, boot)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		row := eval.RougeSystem{Name: s.name, Source: s.path, Summary: sum, Result: res}
		if faith != nil {
			if row.Faithfulness, err = m.compareFaithfulness(ctx, faith, s, rf); err != nil {
				return fmt.Errorf("%s: %w", cmd, err)
			}
		}
		if i > 0 && rf.bootstrap > 0 {
			if row.Diff, err = eval.PairedBootstrap(ctx, rows[0].Result, res, rf.bootstrapOptions()); err != nil {
				return fmt.Errorf("%s: %w", cmd, err)
			}
		}
		rows = append(rows, row)
	}
	if err := report.WriteRougeComparison(m.Stdout, outFmt, &eval.RougeComparison{References: refsPath, Systems: rows}); err != nil {
		return err
	}
	if reportPath != "" {
		if title == "" {
			title = "Comparison on " + filepath.Base(refsPath)
		}
		err := writeReport(reportPath, func(w io.Writer) error {
			return report.Compare(w, report.ComparePage{Header: m.reportHeader(title, refsPath), Rouge: rows})
		})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote report to %s\n", reportPath)
	}
	return nil
}

func (m *Main) compareClassification(cmd string, cf *classFlags, systems []system, outFmt outputFormat, reportPath, title string) error {
	opts, err := cf.options(cmd, false)
	if err != nil {
		return err
	}
	gold, err := m.readGold(cmd, cf)
	if err != nil {
		return err
	}
	var rows []eval.ClassificationSystem
	for _, s := range systems {
		exs, err := m.readClassPredictions(cmd, s.path, gold, cf.goldPath)
		if err != nil {
			return err
		}
		sopts := opts
		byDefault := !decided(opts)
		if byDefault {
			if err := decideByDefault(cmd, &sopts, exs, s.path); err != nil {
				return err
			}
		}
		res, err := eval.EvaluateClassification(exs, sopts)
		if err != nil {
			return thresholdsSource(cmd, s.path+": --thresholds "+cf.thresholds, err)
		}
		if byDefault {
			noteDefaultThreshold(res, s.path)
		}
		rows = append(rows, eval.ClassificationSystem{Name: s.name, Source: s.path, Result: res})
	}
	if err := report.WriteClassificationComparison(m.Stdout, outFmt, &eval.ClassificationComparison{Gold: cf.goldPath, Systems: rows}); err != nil {
		return err
	}
	if reportPath != "" {
		if title == "" {
			title = "Comparison on " + filepath.Base(cf.goldPath)
		}
		err := writeReport(reportPath, func(w io.Writer) error {
			return report.Compare(w, report.ComparePage{Header: m.reportHeader(title, cf.goldPath), Classification: rows})
		})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote report to %s\n", reportPath)
	}
	return nil
}
