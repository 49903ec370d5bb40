package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
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
	var rows []report.RougeSystem
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
		row := report.RougeSystem{Name: s.name, Source: s.path, Summary: sum, Result: res}
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
	if err := printRougeComparison(m.Stdout, outFmt, refsPath, rows); err != nil {
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

func printRougeComparison(w io.Writer, f outputFormat, refsPath string, rows []report.RougeSystem) error {
	first := rows[0].Summary
	types := first.Types
	switch f {
	case formatJSON:
		type sysJSON struct {
			Name         string                           `json:"name"`
			File         string                           `json:"file"`
			Summary      *eval.RougeSummary               `json:"summary"`
			Difference   map[eval.RougeType]eval.Interval `json:"difference_from_first,omitempty"`
			Faithfulness *eval.FaithfulnessReport         `json:"faithfulness,omitempty"`
		}
		out := struct {
			References string    `json:"references"`
			Systems    []sysJSON `json:"systems"`
		}{References: refsPath}
		for _, r := range rows {
			out.Systems = append(out.Systems, sysJSON{r.Name, r.Source, r.Summary, r.Diff, r.Faithfulness})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case formatCSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"system", "file", "n", "type", "precision", "recall", "fmeasure", "f_low", "f_high", "diff_f", "diff_low", "diff_high", "unfaithful"})
		for _, r := range rows {
			for _, t := range types {
				mean := r.Summary.Mean[t]
				lo, hi, d, dlo, dhi := "", "", "", "", ""
				if r.Summary.Bootstrap != nil {
					iv := r.Summary.Bootstrap.Intervals[t]
					lo, hi = csvNum(iv.Low.FMeasure), csvNum(iv.High.FMeasure)
				}
				if r.Diff != nil {
					d = csvNum(mean.FMeasure - first.Mean[t].FMeasure)
					dlo, dhi = csvNum(r.Diff[t].Low.FMeasure), csvNum(r.Diff[t].High.FMeasure)
				}
				unfaithful := ""
				if r.Faithfulness != nil {
					unfaithful = csvNum(r.Faithfulness.Unfaithful.Share)
				}
				cw.Write([]string{r.Name, r.Source, strconv.Itoa(r.Summary.N), string(t), csvNum(mean.Precision), csvNum(mean.Recall), csvNum(mean.FMeasure), lo, hi, d, dlo, dhi, unfaithful})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	md := f == formatMarkdown
	desc := fmt.Sprintf("%d systems on %s references (%s), stemmer %s, %s tokenizer", len(rows), thousandsInt(first.N), refsPath, onOff(first.Stemmer), first.Tokenizer)
	if first.Bootstrap != nil {
		desc += fmt.Sprintf(", %s%% bootstrap intervals (%s resamples, seed %d)",
			strconv.FormatFloat(100*first.Bootstrap.Confidence, 'f', -1, 64), thousandsInt(first.Bootstrap.Samples), first.Bootstrap.Seed)
	}
	fmt.Fprintf(w, "%s\n\n", desc)
	header := []string{"system", ">n"}
	for _, t := range types {
		header = append(header, ">"+string(t)+" F")
	}
	faith := rows[0].Faithfulness != nil
	if faith {
		header = append(header, ">unfaithful")
	}
	var table [][]string
	for _, r := range rows {
		row := []string{r.Name, thousandsInt(r.Summary.N)}
		for _, t := range types {
			cell := fnum(r.Summary.Mean[t].FMeasure)
			if r.Summary.Bootstrap != nil {
				iv := r.Summary.Bootstrap.Intervals[t]
				cell += fmt.Sprintf(" [%s, %s]", fnum(iv.Low.FMeasure), fnum(iv.High.FMeasure))
			}
			row = append(row, cell)
		}
		if faith {
			u := r.Faithfulness.Unfaithful
			cell := fmt.Sprintf("%.1f%%", 100*u.Share)
			if u.Low != nil {
				cell += fmt.Sprintf(" [%.1f%%, %.1f%%]", 100**u.Low, 100**u.High)
			}
			row = append(row, cell)
		}
		table = append(table, row)
	}
	textTable(w, md, header, table)
	var deltas [][]string
	for _, r := range rows[1:] {
		if r.Diff == nil {
			continue
		}
		row := []string{r.Name, thousandsInt(r.Summary.N)}
		for _, t := range types {
			iv := r.Diff[t]
			mark := ""
			if iv.Low.FMeasure > 0 || iv.High.FMeasure < 0 {
				mark = " *"
			}
			row = append(row, fmt.Sprintf("%+.4f [%+.4f, %+.4f]%s", r.Summary.Mean[t].FMeasure-first.Mean[t].FMeasure, iv.Low.FMeasure, iv.High.FMeasure, mark))
		}
		if faith {
			row = append(row, fmt.Sprintf("%+.1f%%", 100*(r.Faithfulness.Unfaithful.Share-rows[0].Faithfulness.Unfaithful.Share)))
		}
		deltas = append(deltas, row)
	}
	if len(deltas) > 0 {
		fmt.Fprintln(w)
		line := fmt.Sprintf("Difference from %s (mean F, paired bootstrap interval; * where it excludes 0)", rows[0].Name)
		if md {
			line = "**" + line + "**"
		}
		fmt.Fprintf(w, "%s\n\n", line)
		textTable(w, md, header, deltas)
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
	var rows []report.ClassificationSystem
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
		rows = append(rows, report.ClassificationSystem{Name: s.name, Source: s.path, Result: res})
	}
	if err := printClassComparison(m.Stdout, outFmt, cf.goldPath, rows); err != nil {
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

func printClassComparison(w io.Writer, f outputFormat, goldPath string, rows []report.ClassificationSystem) error {
	switch f {
	case formatJSON:
		type sysJSON struct {
			Name   string                     `json:"name"`
			File   string                     `json:"file"`
			Result *eval.ClassificationResult `json:"result"`
		}
		out := struct {
			Gold    string    `json:"gold"`
			Systems []sysJSON `json:"systems"`
		}{Gold: goldPath}
		for _, r := range rows {
			out.Systems = append(out.Systems, sysJSON{r.Name, r.Source, r.Result})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case formatCSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"system", "file", "n", "decided_by", "accuracy", "hamming_loss", "micro_f1", "macro_f1", "weighted_f1", "samples_f1", "macro_average_precision", "macro_roc_auc", "brier"})
		for _, r := range rows {
			res := r.Result
			sf := ""
			if res.Samples != nil {
				sf = csvNum(res.Samples.F1)
			}
			cw.Write([]string{r.Name, r.Source, strconv.Itoa(res.N), decidedBy(res), csvNum(res.Accuracy), csvNum(res.HammingLoss), csvNum(res.Micro.F1), csvNum(res.Macro.F1),
				csvNum(res.Weighted.F1), sf, csvOpt(res.MacroAveragePrecision), csvOpt(res.MacroROCAUC), csvNum(res.Brier)})
		}
		cw.Flush()
		return cw.Error()
	}
	first := rows[0].Result
	fmt.Fprintf(w, "%d systems on %s examples (%s), %s, %d labels\n\n", len(rows), thousandsInt(first.N), goldPath, first.Mode, len(first.Labels))
	header := []string{"system", ">n", "decided by", ">accuracy", ">micro F1", ">macro F1", ">weighted F1", ">macro AP", ">macro ROC AUC", ">Brier"}
	var table [][]string
	for _, r := range rows {
		res := r.Result
		table = append(table, []string{r.Name, thousandsInt(res.N), decidedBy(res), fnum(res.Accuracy), fnum(res.Micro.F1), fnum(res.Macro.F1), fnum(res.Weighted.F1),
			fopt(res.MacroAveragePrecision), fopt(res.MacroROCAUC), fnum(res.Brier)})
	}
	textTable(w, f == formatMarkdown, header, table)
	return nil
}

// decidedBy says in a few words how a result's labels were decided: the
// predictions' own decisions, the top score, one threshold for every
// label, or per-label thresholds.
func decidedBy(r *eval.ClassificationResult) string {
	switch r.Decisions {
	case "predictions":
		return "predictions"
	case "top label":
		return "top score"
	}
	first, seen, same := 0.0, false, true
	for _, l := range r.Labels {
		t, ok := r.Thresholds[l]
		switch {
		case !ok:
		case !seen:
			first, seen = t, true
		case t != first:
			same = false
		}
	}
	if seen && same {
		return "threshold " + strconv.FormatFloat(first, 'g', -1, 64)
	}
	return "thresholds"
}
