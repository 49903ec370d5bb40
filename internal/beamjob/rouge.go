package beamjob

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

// RougeOptions are osler eval rouge's scoring flags.
type RougeOptions struct {
	// Types is the comma-separated list of ROUGE types.
	Types          string
	Stemmer        bool
	Tokenizer      string
	SplitSentences bool
	// Bootstrap is the number of resamples of the aggregate's intervals;
	// 0 turns them off.
	Bootstrap  int
	Seed       uint64
	Confidence float64
}

// scorer builds the scorer osler eval rouge builds from the same flags.
func (o RougeOptions) scorer() (*eval.RougeScorer, eval.Tokenizer, error) {
	types, err := eval.ParseRougeTypes(o.Types)
	if err != nil {
		return nil, 0, fmt.Errorf("batch: --types: %w", err)
	}
	tok, err := eval.ParseTokenizer(o.Tokenizer)
	if err != nil {
		return nil, 0, fmt.Errorf("batch: --tokenizer: %w", err)
	}
	if o.Bootstrap < 0 {
		return nil, 0, fmt.Errorf("batch: --bootstrap must be 0 or more")
	}
	if o.Bootstrap > 0 && (o.Confidence <= 0 || o.Confidence >= 1) {
		return nil, 0, fmt.Errorf("batch: --confidence must be between 0 and 1")
	}
	ro := eval.RougeOptions{Types: types, Stemmer: o.Stemmer, Tokenizer: tok}
	if o.SplitSentences {
		ro.SplitSentences = eval.SplitClinicalSentences
	}
	s, err := eval.NewRougeScorer(ro)
	if err != nil {
		return nil, 0, fmt.Errorf("batch: %w", err)
	}
	return s, tok, nil
}

// rougeFn scores pairs: each pair's per-example line, and its scores for
// the aggregate.
type rougeFn struct {
	Options RougeOptions

	scorer *eval.RougeScorer
	types  []eval.RougeType
	scores []eval.Score
	line   []byte
}

// Setup builds the scorer.
func (f *rougeFn) Setup() error {
	s, _, err := f.Options.scorer()
	if err != nil {
		return err
	}
	f.scorer, f.types = s, s.Types()
	return nil
}

// ProcessElement scores one pair.
func (f *rougeFn) ProcessElement(p Pair, emit func(Out), emitScores func(Scored)) {
	f.scores = f.scorer.AppendScores(f.scores[:0], p.References, p.Prediction)
	f.line = eval.AppendPerExample(f.line[:0], p.ID, f.types, f.scores)
	emit(Out{File: p.File, Line: p.Line, JSON: string(f.line)})
	flat := make([]float64, 0, 3*len(f.scores))
	for _, s := range f.scores {
		flat = append(flat, s.Precision, s.Recall, s.FMeasure)
	}
	emitScores(Scored{File: p.File, Line: p.Line, ID: p.ID, Scores: flat})
}

// rougeSummaryFn summarizes every pair's scores, in input order, as osler
// eval rouge --format json does, and writes the summary to Path.
type rougeSummaryFn struct {
	Options RougeOptions
	Path    string
}

// ProcessElement gets every pair's scores under one key.
func (f *rougeSummaryFn) ProcessElement(ctx context.Context, _ int, iter func(*Scored) bool) error {
	var all []Scored
	var s Scored
	for iter(&s) {
		all = append(all, s)
		s = Scored{}
	}
	slices.SortFunc(all, func(a, b Scored) int {
		if less(a.File, a.Line, b.File, b.Line) {
			return -1
		}
		if less(b.File, b.Line, a.File, a.Line) {
			return 1
		}
		return 0
	})
	sc, tok, err := f.Options.scorer()
	if err != nil {
		return err
	}
	res := eval.NewRougeResult(sc.Types())
	scores := make([]eval.Score, len(res.Types))
	for _, s := range all {
		if len(s.Scores) != 3*len(scores) {
			return fmt.Errorf("batch: %s:%d: %d scores for %d types", s.File, s.Line, len(s.Scores), len(scores))
		}
		for k := range scores {
			scores[k] = eval.Score{Precision: s.Scores[3*k], Recall: s.Scores[3*k+1], FMeasure: s.Scores[3*k+2]}
		}
		res.Add(s.ID, scores)
	}
	var boot eval.BootstrapOptions
	if f.Options.Bootstrap > 0 {
		boot = eval.BootstrapOptions{Samples: f.Options.Bootstrap, Seed: f.Options.Seed, Confidence: f.Options.Confidence}
	}
	sum, err := res.Summarize(ctx, f.Options.Stemmer, tok, boot)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	return writeFile(ctx, f.Path, func(w *bufWriter) error { return report.WriteRougeSummary(w, report.JSON, sum) })
}

// writeFile writes path through Beam's filesystems. A local file is
// written to a temporary name beside it, synced and renamed into place,
// so a failed or killed worker never leaves a partial shard under the
// final name; object stores (gs://, s3://) publish an object only when its
// upload completes, so they are written directly.
func writeFile(ctx context.Context, path string, write func(w *bufWriter) error) error {
	bfs, err := filesystem.New(ctx, path)
	if err != nil {
		return fmt.Errorf("batch: %s: %w", path, err)
	}
	defer bfs.Close()
	tmp := path
	renamer, local := bfs.(filesystem.Renamer)
	local = local && !strings.Contains(path, "://")
	if local {
		tmp = fmt.Sprintf("%s.tmp-%d", path, rand.Int64())
	}
	wc, err := bfs.OpenWrite(ctx, tmp)
	if err != nil {
		return fmt.Errorf("batch: %s: %w", path, err)
	}
	fail := func(err error) error {
		wc.Close()
		if r, ok := bfs.(filesystem.Remover); ok && local {
			r.Remove(ctx, tmp)
		}
		return fmt.Errorf("batch: writing %s: %w", path, err)
	}
	bw := newBufWriter(wc)
	if err := write(bw); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if s, ok := wc.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := wc.Close(); err != nil {
		return fail(err)
	}
	if local {
		if err := renamer.Rename(ctx, tmp, path); err != nil {
			return fmt.Errorf("batch: %s: %w", path, err)
		}
	}
	return nil
}
