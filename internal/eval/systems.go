package eval

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
)

// System is one of the systems a comparison puts side by side: a name for
// its row and the file of its predictions.
type System struct {
	Name string
	// Path is the predictions file; "-" reads stdin.
	Path string
}

// RougeSystem is one system's row of a ROUGE comparison.
type RougeSystem struct {
	Name string `json:"name"`
	// Source is the system's predictions file.
	Source  string        `json:"file"`
	Summary *RougeSummary `json:"summary"`
	// Result holds the per-example scores (for box plots and the paired
	// bootstrap), in the order of the reference set.
	Result *RougeResult `json:"-"`
	// Diff is the paired bootstrap interval of this system's mean scores
	// minus the first system's ([PairedBootstrap]); nil for the first
	// system or when not computed.
	Diff map[RougeType]Interval `json:"difference_from_first,omitempty"`
	// Faithfulness is the check of the system's summaries against their
	// sources (nil when no sources were given).
	Faithfulness *FaithfulnessReport `json:"faithfulness,omitempty"`
}

// RougeComparison is several systems scored with ROUGE on one reference
// set, the first being the baseline the others' differences are taken
// from.
type RougeComparison struct {
	// References names the reference set file.
	References string        `json:"references"`
	Systems    []RougeSystem `json:"systems"`
}

// ClassificationSystem is one system's row of a classification
// comparison.
type ClassificationSystem struct {
	Name string `json:"name"`
	// Source is the system's predictions file.
	Source string                `json:"file"`
	Result *ClassificationResult `json:"result"`
}

// ClassificationComparison is several classifiers' predictions evaluated
// on one gold set.
type ClassificationComparison struct {
	// Gold names the gold file.
	Gold    string                 `json:"gold"`
	Systems []ClassificationSystem `json:"systems"`
}

// CompareRougeOptions configure [CompareRouge].
type CompareRougeOptions struct {
	// References is the reference set: JSONL {"id", "reference"} or, for
	// a .txt name, one reference per line ([ReadReferenceSet]); "-" reads
	// Stdin.
	References string
	// Systems are scored in order; the first is the baseline. Each file
	// is JSONL {"id", "prediction"} or a .txt file
	// ([TextPredictionReader]), matched to the references by id or line.
	Systems []System
	Scorer  *RougeScorer
	// Stemmer and Tokenizer are the scorer's settings, recorded in each
	// summary.
	Stemmer   bool
	Tokenizer Tokenizer
	// Bootstrap configures the intervals of each system's means, of its
	// paired difference from the first system and of its faithfulness
	// shares; Samples <= 0 computes none of them.
	Bootstrap BootstrapOptions
	// Workers is the number of scoring (and checking) goroutines; 0 means
	// GOMAXPROCS.
	Workers int
	// Sources, when not empty, is a dataset of the documents the systems
	// summarized ({"id", "source"}): each system's summaries are then
	// checked against them ([EvaluateFaithfulness]) with Checker (nil: the
	// built-in vocabulary).
	Sources string
	Checker *clinical.Checker
	// Progress is told of a stage per system as its pairs are scored.
	Progress progress.Reporter
	// Stdin is read for a path "-".
	Stdin io.Reader
}

// CompareRouge scores several systems on one reference set with ROUGE:
// each system's summary (means, distributions, bootstrap intervals) and
// per-example scores in reference order, its paired bootstrap difference
// from the first system and, with Sources, its faithfulness report.
func CompareRouge(ctx context.Context, opts CompareRougeOptions) (*RougeComparison, error) {
	var sources []dataset.Record
	if opts.Sources != "" {
		var err error
		if sources, err = dataset.ReadAll(opts.Sources, opts.Stdin, dataset.Options{}); err != nil {
			return nil, err
		}
	}
	f, err := dataset.OpenInput(opts.References, opts.Stdin)
	if err != nil {
		return nil, err
	}
	refs, err := ReadReferenceSet(f, opts.References, plainTextFile(opts.References))
	f.Close()
	if err != nil {
		return nil, err
	}
	c := &RougeComparison{References: opts.References}
	prog := progress.Or(opts.Progress)
	for i, s := range opts.Systems {
		prog.Stage("scoring "+s.Name, refs.Len())
		row, err := opts.score(ctx, refs, s, prog)
		if err != nil {
			return nil, err
		}
		if sources != nil {
			if row.Faithfulness, err = opts.checkFaithfulness(ctx, sources, s); err != nil {
				return nil, err
			}
		}
		if i > 0 && opts.Bootstrap.Samples > 0 {
			if row.Diff, err = PairedBootstrap(ctx, c.Systems[0].Result, row.Result, opts.Bootstrap); err != nil {
				return nil, err
			}
		}
		c.Systems = append(c.Systems, row)
	}
	return c, nil
}

// score scores one system and summarizes its scores.
func (o *CompareRougeOptions) score(ctx context.Context, refs *ReferenceSet, s System, prog progress.Reporter) (RougeSystem, error) {
	f, err := dataset.OpenInput(s.Path, o.Stdin)
	if err != nil {
		return RougeSystem{}, err
	}
	defer f.Close()
	res, err := o.Scorer.ScoreStream(ctx, refs.Pairs(NewTextPredictionReader(f, s.Path, plainTextFile(s.Path))),
		StreamOptions{Workers: o.Workers, Progress: prog.Add})
	if err != nil {
		return RougeSystem{}, err
	}
	// Line every system up in reference order for the paired bootstrap.
	if res, err = res.Reorder(refs.IDs); err != nil {
		return RougeSystem{}, err
	}
	var boot BootstrapOptions
	if o.Bootstrap.Samples > 0 {
		boot = o.Bootstrap
	}
	sum, err := res.Summarize(ctx, o.Stemmer, o.Tokenizer, boot)
	if err != nil {
		return RougeSystem{}, err
	}
	return RougeSystem{Name: s.Name, Source: s.Path, Summary: sum, Result: res}, nil
}

// checkFaithfulness joins a system's summaries to their sources by id and
// checks them.
func (o *CompareRougeOptions) checkFaithfulness(ctx context.Context, sources []dataset.Record, s System) (*FaithfulnessReport, error) {
	if plainTextFile(s.Path) {
		return nil, fmt.Errorf("%s: --sources needs JSONL predictions with ids, to match them to their documents", s.Path)
	}
	f, err := dataset.OpenInput(s.Path, o.Stdin)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pairs, err := JoinSummaries(sources, o.Sources, NewTextPredictionReader(f, s.Path, false))
	if err != nil {
		return nil, err
	}
	boot := BootstrapOptions{Samples: -1}
	if o.Bootstrap.Samples > 0 {
		boot = o.Bootstrap
	}
	return EvaluateFaithfulness(ctx, pairs, FaithfulnessOptions{Checker: o.Checker, Bootstrap: boot, Workers: o.Workers})
}

// plainTextFile says whether a file holds one text per line rather than
// JSONL: its name ends in .txt.
func plainTextFile(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".txt")
}
