package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

var evalFaithfulnessDoc = cmdDoc{
	Usage: "osler eval faithfulness [flags] --pairs FILE | --sources FILE --summaries FILE",
	Summary: `Check summaries against their sources the way a radiologist reads them: the claims of each summary ` +
		`(findings with their negation, certainty, side, location and size; normal statements; comparisons such as ` +
		`"stable" or "since prior"; measurements; communications such as "discussed with"; de-identification ` +
		`placeholders) that its source does not support, those that contradict it (a negation or side flipped, a normal ` +
		`study over an acute finding), and critical findings of the source the summary omits or calls normal. --pairs ` +
		`reads {"id","source","summary"} lines (a summarization dataset: check the reference summaries themselves); ` +
		`--sources with --summaries joins a system's output ({"id","summary"}, as osler summarize writes it) to its sources ` +
		`by id. Prints the share of unfaithful summaries with seeded bootstrap intervals and the counts per kind; ` +
		`--report writes an HTML page that highlights the claims in summary and source (it quotes the texts). ` +
		`--vocab FILE adds concepts and phrases to the built-in vocabulary (same format as internal/clinical/lexicon). ` +
		`--fail-above S exits 1 when the unfaithful share exceeds S, for CI. CSV/TSV inputs take the in- data flags ` +
		`(--in-text-column, --in-summary-column, ...). docs/FAITHFULNESS.md says what the check ` +
		`can and cannot see.`,
	Example: `osler eval faithfulness --pairs dev.jsonl
osler summarize --method model:models/impressions --input dev.jsonl --output dev.sum.jsonl
osler eval faithfulness --sources dev.jsonl --summaries dev.sum.jsonl --report faithfulness.html --show 5 --per-pair checks.jsonl
osler eval faithfulness --sources notes.jsonl --summaries llm.jsonl --vocab our-terms.txt --fail-above 0.015`,
}

func (m *Main) runEvalFaithfulness(ctx context.Context, args []string) error {
	const cmd = "eval faithfulness"
	fs := m.newFlagSet(evalFaithfulnessDoc)
	var df dataFlags
	df.register(fs, "in-")
	pairsPath := fs.String("pairs", "", `dataset of {"id","source","summary"} records ("-" reads stdin)`)
	sourcesPath := fs.String("sources", "", `dataset of the sources ({"id","source"}, or CSV/TSV with --text-column)`)
	summariesPath := fs.String("summaries", "", `the summaries to check: {"id","summary"} lines, as osler summarize writes them`)
	vocab := fs.String("vocab", "", "a lexicon file that extends the built-in vocabulary")
	format := fs.String("format", "table", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML report that highlights claims in the texts (it quotes them)")
	title := fs.String("title", "", "title of the HTML report (default: from the input file)")
	show := fs.Int("show", 0, "list this many flagged summaries with their issues (table format)")
	perPair := fs.String("per-pair", "", `write every pair's check to this JSONL file, in input order: {"id", "flagged", "source_critical", "issues": [...]}`)
	failAbove := fs.Float64("fail-above", -1, "exit 1 when the share of unfaithful summaries is above this (0 to 1)")
	bootstrap := fs.Int("bootstrap", 1000, "bootstrap resamples for the intervals of the shares; 0 turns them off")
	seed := fs.Uint64("seed", 42, "bootstrap seed: the same seed and data give the same intervals")
	confidence := fs.Float64("confidence", 0.95, "coverage of the bootstrap intervals")
	workers := fs.Int("workers", 0, "checking goroutines; 0 uses every core")
	pos, err := m.parseFlags(fs, evalFaithfulnessDoc, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && *pairsPath == "" && *sourcesPath == "" {
		*pairsPath, pos = pos[0], nil
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (see --help)", cmd, pos)}
	}
	outFmt, err := parseOutputFormat(cmd, *format)
	if err != nil {
		return err
	}
	switch {
	case *bootstrap < 0:
		return usageError{fmt.Errorf("%s: --bootstrap must be 0 or more", cmd)}
	case *confidence <= 0 || *confidence >= 1:
		return usageError{fmt.Errorf("%s: --confidence must be between 0 and 1", cmd)}
	case *failAbove > 1:
		return usageError{fmt.Errorf("%s: --fail-above is a share from 0 to 1", cmd)}
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	checker, err := m.checker(*vocab)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	pairs, sources, err := m.faithfulnessPairs(*pairsPath, *sourcesPath, *summariesPath, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	boot := eval.BootstrapOptions{Samples: *bootstrap, Seed: *seed, Confidence: *confidence, Workers: *workers}
	if *bootstrap == 0 {
		boot.Samples = -1
	}
	rep, err := eval.EvaluateFaithfulness(ctx, pairs, eval.FaithfulnessOptions{Checker: checker, Bootstrap: boot, Workers: *workers})
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := report.WriteFaithfulness(m.Stdout, outFmt, rep, *show); err != nil {
		return err
	}
	if *perPair != "" {
		if err := atomicfile.Write(*perPair, 0o644, func(w io.Writer) error { return report.WriteFaithfulnessChecks(w, rep) }); err != nil {
			return fmt.Errorf("%s: --per-pair: %w", cmd, err)
		}
	}
	if *reportPath != "" {
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

// checker opens the faithfulness checker, with a user's vocabulary file
// when given.
func (m *Main) checker(vocab string) (*clinical.Checker, error) {
	if vocab == "" {
		return clinical.NewChecker(nil), nil
	}
	f, err := os.Open(vocab)
	if err != nil {
		return nil, fmt.Errorf("--vocab: %w", err)
	}
	defer f.Close()
	lex, err := clinical.ReadLexicon(f, vocab)
	if err != nil {
		return nil, err
	}
	return clinical.NewChecker(lex), nil
}

// faithfulnessPairs reads (source, summary) pairs: one dataset with both,
// or sources and a system's summaries joined by id. It returns the input
// names for the report.
func (m *Main) faithfulnessPairs(pairsPath, sourcesPath, summariesPath string, opts dataset.Options) ([]eval.FaithfulnessPair, []string, error) {
	switch {
	case pairsPath != "" && (sourcesPath != "" || summariesPath != ""):
		return nil, nil, usageError{errors.New("give --pairs, or --sources with --summaries, not both")}
	case pairsPath != "":
		recs, err := dataset.ReadAll(pairsPath, m.Stdin, opts)
		if err != nil {
			return nil, nil, err
		}
		pairs, err := eval.FaithfulnessPairs(recs, pairsPath)
		return pairs, []string{pairsPath}, err
	case sourcesPath != "" && summariesPath != "":
		recs, err := dataset.ReadAll(sourcesPath, m.Stdin, opts)
		if err != nil {
			return nil, nil, err
		}
		f, err := m.openInput(summariesPath)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		pairs, err := eval.JoinSummaries(recs, sourcesPath, eval.NewTextPredictionReader(f, summariesPath, false))
		return pairs, []string{sourcesPath, summariesPath}, err
	}
	return nil, nil, usageError{fmt.Errorf("%w: give --pairs FILE, or --sources FILE with --summaries FILE (see --help)", errNoInput)}
}

var evalCasesDoc = cmdDoc{
	Usage: "osler eval cases --cases FILE --summaries FILE [flags]",
	Summary: `Score a summarizer on a checklist of hand-written cases: each case (JSONL {"id","source","must_mention",` +
		`"must_not_say","critical","category","note"}) says what the summary of its source must mention (groups of ` +
		`alternative phrases: one of each group) and must never say; matching is case-insensitive on whole words. A case ` +
		`passes when every group is matched, no forbidden phrase appears and, for a critical case, the summary does not ` +
		`turn the critical finding into a normal study. Summarize the cases file first (its "source" field is what ` +
		`osler summarize reads). Exits 1 when more than --max-fail of the cases fail. Osler's own radiology checklist is ` +
		`internal/summarize/trained/testdata/radiology_cases.jsonl.`,
	Example: `osler summarize --method model:models/impressions --input radiology_cases.jsonl --output cases.sum.jsonl
osler eval cases --cases radiology_cases.jsonl --summaries cases.sum.jsonl
osler eval cases --cases ours.jsonl --summaries llm.jsonl --max-fail 0.1 --format json`,
}

func (m *Main) runEvalCases(ctx context.Context, args []string) error {
	const cmd = "eval cases"
	fs := m.newFlagSet(evalCasesDoc)
	casesPath := fs.String("cases", "", "the checklist: JSONL cases")
	summariesPath := fs.String("summaries", "", `the summaries of the cases' sources: {"id","summary"} lines`)
	vocab := fs.String("vocab", "", "a lexicon file that extends the built-in vocabulary (for the critical-finding check)")
	format := fs.String("format", "table", "output format: table, json or markdown")
	maxFail := fs.Float64("max-fail", 1, "exit 1 when more than this share of the cases fail (0 to 1)")
	pos, err := m.parseFlags(fs, evalCasesDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (see --help)", cmd, pos)}
	}
	if *casesPath == "" || *summariesPath == "" {
		return usageError{fmt.Errorf("%s: %w: give --cases FILE and --summaries FILE (see --help)", cmd, errNoInput)}
	}
	outFmt, err := parseOutputFormat(cmd, *format)
	if err != nil {
		return err
	}
	if outFmt == formatCSV {
		return usageError{fmt.Errorf("%s: --format csv is not offered; use table, json or markdown", cmd)}
	}
	checker, err := m.checker(*vocab)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	cf, err := m.openInput(*casesPath)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	defer cf.Close()
	cases, err := eval.ReadCases(cf, *casesPath)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	sf, err := m.openInput(*summariesPath)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	defer sf.Close()
	summaries := map[string]string{}
	rd := eval.NewTextPredictionReader(sf, *summariesPath, false)
	for {
		p, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		summaries[p.ID] = p.Text
	}
	rep, err := eval.CheckCases(cases, summaries, checker)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := report.WriteCases(m.Stdout, outFmt, rep); err != nil {
		return err
	}
	if rep.FailRate > *maxFail {
		return exitError{code: 1, msg: fmt.Sprintf("%s: %.1f%% of the cases failed, above --max-fail %.1f%%", cmd, 100*rep.FailRate, 100**maxFail)}
	}
	return nil
}
