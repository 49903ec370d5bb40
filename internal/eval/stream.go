package eval

import (
	"context"
	"io"

	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/progress"
)

// RougePair is one prediction and the reference(s) it is scored against.
type RougePair struct {
	ID         string
	References []string
	Prediction string
	// Line is the pair's 1-based line in its file (0 when it did not come
	// from a file); errors use it.
	Line int
}

// PairSource yields pairs one at a time; Next returns io.EOF after the
// last. [PairReader] is one.
type PairSource interface {
	Next() (RougePair, error)
}

// StreamOptions configure [RougeScorer.ScoreStream].
type StreamOptions struct {
	// Workers is the number of scoring goroutines; 0 means GOMAXPROCS.
	// With 1, reading and scoring run one after the other on the calling
	// goroutine.
	Workers int
	// BatchSize is the number of pairs handed to a worker at a time; 0
	// means 1024. Memory holds about 2×Workers+2 batches of texts.
	BatchSize int
	// OnExample, when not nil, is called for every pair in input order
	// with its scores (one per type, valid only during the call), e.g. to
	// write per-example output. An error stops the stream.
	OnExample func(pair *RougePair, scores []Score) error
	// Progress, when not nil, is told of every pair scored (Add; the
	// caller names the stage).
	Progress progress.Reporter
}

// ScoreStream scores every pair src yields and returns the per-example
// scores in input order, on Osler's one batch pipeline ([ordered.Map]).
// Texts are dropped once scored, so files of any size stream through in
// bounded memory. The first error (from src, OnExample or ctx) stops the
// work and is returned.
func (s *RougeScorer) ScoreStream(ctx context.Context, src PairSource, opts StreamOptions) (*RougeResult, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
	}
	pr := progress.Or(opts.Progress)
	res := NewRougeResult(s.types)
	next := func(p *RougePair) error {
		v, err := src.Next()
		*p = v // the old texts go
		return err
	}
	work := func(_ context.Context, p *RougePair, scores *[]Score) error {
		*scores = s.AppendScores((*scores)[:0], p.References, p.Prediction)
		return nil
	}
	emit := func(p *RougePair, scores *[]Score) error {
		res.Add(p.ID, *scores)
		if opts.OnExample != nil {
			if err := opts.OnExample(p, *scores); err != nil {
				return err
			}
		}
		pr.Add(1)
		return nil
	}
	if err := ordered.Map(ctx, ordered.Options{Workers: opts.Workers, Batch: opts.BatchSize}, next, work, emit); err != nil {
		return nil, err
	}
	return res, nil
}

// ScoreAll scores pairs held in memory on workers goroutines (0 means
// GOMAXPROCS) and returns their scores in order.
func (s *RougeScorer) ScoreAll(ctx context.Context, pairs []RougePair, workers int) (*RougeResult, error) {
	return s.ScoreStream(ctx, &sliceSource{pairs: pairs}, StreamOptions{Workers: workers})
}

type sliceSource struct {
	pairs []RougePair
	i     int
}

func (s *sliceSource) Next() (RougePair, error) {
	if s.i >= len(s.pairs) {
		return RougePair{}, io.EOF
	}
	s.i++
	return s.pairs[s.i-1], nil
}
