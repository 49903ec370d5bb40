package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/version"
)

// evalCommands are the subcommands of "osler eval".
func evalCommands() []command {
	return []command{
		{"rouge", "score generated text against references with ROUGE, exactly as rouge-score", (*Main).runEvalRouge},
		{"classification", "score classifier predictions against gold labels, as scikit-learn", (*Main).runEvalClassification},
		{"compare", "compare several systems' predictions on one reference or gold set", (*Main).runEvalCompare},
		{"faithfulness", "check summaries against their sources: unsupported and contradicted claims, missed critical findings", (*Main).runEvalFaithfulness},
		{"cases", "score summaries on a checklist of hand-written cases (must mention, must not say)", (*Main).runEvalCases},
	}
}

func (m *Main) runEval(ctx context.Context, args []string) error {
	return m.runGroup(ctx, "osler eval", "Evaluate models: exact ROUGE and classification metrics, tables, distributions and HTML reports.", evalCommands(), args)
}

// outputFormat is how eval commands print their results; the renderers
// are report's.
type outputFormat = report.Format

const (
	formatJSON     = report.JSON
	formatCSV      = report.CSV
	formatMarkdown = report.Markdown
)

// parseOutputFormat reads --format, saying which command refused it.
func parseOutputFormat(cmd, s string) (outputFormat, error) {
	f, err := report.ParseFormat(s)
	if err != nil {
		return "", usageError{fmt.Errorf("%s: unknown --format %q (want table, json, csv or markdown)", cmd, s)}
	}
	return f, nil
}

// rougeFlags are the scoring flags shared by eval rouge and eval compare.
type rougeFlags struct {
	types          string
	stemmer        bool
	tokenizer      string
	splitSentences bool
	bootstrap      int
	seed           uint64
	confidence     float64
	workers        int
}

func (f *rougeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.types, "types", "rouge1,rouge2,rougeL,rougeLsum", "comma-separated ROUGE types: rouge1 to rouge9, rougeL, rougeLsum")
	fs.BoolVar(&f.stemmer, "stemmer", false, "apply the Porter stemmer (NLTK's) to tokens longer than 3 characters, as rouge-score's use_stemmer=True; most papers report stemmed scores")
	fs.StringVar(&f.tokenizer, "tokenizer", "default", `"default" (rouge-score's: comparable with published numbers) or "unicode" (keeps non-Latin scripts; NOT comparable with published numbers)`)
	fs.BoolVar(&f.splitSentences, "split-sentences", false, "for rougeLsum, split texts without newlines into sentences with Osler's clinical sentence splitter (like rouge-score's split_summaries=True, which uses NLTK's punkt; values differ where the splitters disagree)")
	fs.IntVar(&f.bootstrap, "bootstrap", 1000, "bootstrap resamples for confidence intervals of the means, as rouge-score's BootstrapAggregator; 0 turns them off")
	fs.Uint64Var(&f.seed, "seed", 42, "bootstrap seed: the same seed and data give the same intervals")
	fs.Float64Var(&f.confidence, "confidence", 0.95, "coverage of the bootstrap intervals")
	fs.IntVar(&f.workers, "workers", 0, "scoring goroutines; 0 uses every core, 1 scores on one thread")
}

// scorer builds the ROUGE scorer the flags describe.
func (f *rougeFlags) scorer(cmd string) (*eval.RougeScorer, eval.Tokenizer, error) {
	types, err := eval.ParseRougeTypes(f.types)
	if err != nil {
		return nil, 0, usageError{fmt.Errorf("%s: --types: %w", cmd, err)}
	}
	tok, err := eval.ParseTokenizer(f.tokenizer)
	if err != nil {
		return nil, 0, usageError{fmt.Errorf("%s: --tokenizer: %w", cmd, err)}
	}
	if f.bootstrap < 0 {
		return nil, 0, usageError{fmt.Errorf("%s: --bootstrap must be 0 or more", cmd)}
	}
	if f.confidence <= 0 || f.confidence >= 1 {
		return nil, 0, usageError{fmt.Errorf("%s: --confidence must be between 0 and 1", cmd)}
	}
	if f.workers < 0 {
		return nil, 0, usageError{fmt.Errorf("%s: --workers must be 0 or more", cmd)}
	}
	opts := eval.RougeOptions{Types: types, Stemmer: f.stemmer, Tokenizer: tok}
	if f.splitSentences {
		opts.SplitSentences = eval.SplitClinicalSentences
	}
	s, err := eval.NewRougeScorer(opts)
	if err != nil {
		return nil, 0, usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	return s, tok, nil
}

func (f *rougeFlags) bootstrapOptions() eval.BootstrapOptions {
	return eval.BootstrapOptions{Samples: f.bootstrap, Seed: f.seed, Confidence: f.confidence, Workers: f.workers}
}

// openInput opens a file for reading; "-" is stdin.
func (m *Main) openInput(name string) (io.ReadCloser, error) {
	return dataset.OpenInput(name, m.Stdin)
}

// writeReport renders an HTML report atomically.
func writeReport(path string, render func(io.Writer) error) error {
	if err := atomicfile.Write(path, 0o644, render); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}

// reportHeader says what a report is about and who made it, without text.
func (m *Main) reportHeader(title string, sources ...string) report.Header {
	gen := "osler " + version.String()
	if m.Getenv("OSLER_REPRODUCIBLE") == "" {
		gen += ", " + time.Now().UTC().Format("2006-01-02 15:04 UTC")
	}
	return report.Header{Title: title, Sources: sources, Generated: gen}
}

// fnum formats a metric for tables.
func fnum(v float64) string { return report.Number(v) }

// csvNum formats a metric for CSV with full precision (empty when
// undefined).
func csvNum(v float64) string { return report.CSVNumber(v) }

// textTable prints rows as an aligned table or a GitHub markdown table
// ([report.WriteTable]).
func textTable(w io.Writer, markdown bool, header []string, rows [][]string) {
	report.WriteTable(w, markdown, header, rows)
}

// errNoInput is returned when a command got neither of its input forms.
var errNoInput = errors.New("no input")
