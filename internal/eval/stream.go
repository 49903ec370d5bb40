package eval

import (
	"context"
	"errors"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"
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
	// means 1024. Memory holds about Workers+2 batches of texts.
	BatchSize int
	// OnExample, when not nil, is called for every pair in input order
	// with its scores (one per type, valid only during the call), e.g. to
	// write per-example output. An error stops the stream.
	OnExample func(pair *RougePair, scores []Score) error
	// Progress, when not nil, is called in order with the number of pairs
	// just finished.
	Progress func(n int)
}

// ScoreStream scores every pair src yields and returns the per-example
// scores in input order. Texts are dropped once scored, so files of any
// size stream through in bounded memory. The first error (from src,
// OnExample or ctx) stops the work and is returned.
func (s *RougeScorer) ScoreStream(ctx context.Context, src PairSource, opts StreamOptions) (*RougeResult, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
	}
	res := NewRougeResult(s.types)
	emit := func(b *pairBatch) error {
		k := len(s.types)
		for i := range b.pairs {
			sc := b.scores[i*k : (i+1)*k]
			res.Add(b.pairs[i].ID, sc)
			if opts.OnExample != nil {
				if err := opts.OnExample(&b.pairs[i], sc); err != nil {
					return err
				}
			}
		}
		if opts.Progress != nil {
			opts.Progress(len(b.pairs))
		}
		return nil
	}
	if opts.Workers == 1 {
		b := &pairBatch{}
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			err := b.fill(src, opts.BatchSize)
			if err != nil && err != io.EOF {
				return nil, err
			}
			s.scoreBatch(b)
			if e := emit(b); e != nil {
				return nil, e
			}
			if err == io.EOF {
				return res, nil
			}
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(cctx)
	work := make(chan *pairBatch, opts.Workers)
	done := make(chan *pairBatch, opts.Workers)
	free := make(chan *pairBatch, 2*opts.Workers+2)
	// The reader fills batches in order and numbers them.
	g.Go(func() error {
		defer close(work)
		for seq := 0; ; seq++ {
			// As the one-worker loop does: a cancelled context stops the
			// reading at the next batch, whichever select case wins below.
			if err := gctx.Err(); err != nil {
				return err
			}
			var b *pairBatch
			select {
			case b = <-free:
			default:
				b = &pairBatch{}
			}
			err := b.fill(src, opts.BatchSize)
			b.seq = seq
			if err != nil && err != io.EOF {
				return err
			}
			if len(b.pairs) > 0 {
				select {
				case work <- b:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			if err == io.EOF {
				return nil
			}
		}
	})
	// Workers score whole batches.
	var wg errgroup.Group
	for range opts.Workers {
		wg.Go(func() error {
			for b := range work {
				s.scoreBatch(b)
				select {
				case done <- b:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		err := wg.Wait()
		close(done)
		return err
	})
	// The collector (this goroutine) emits batches in order.
	pending := map[int]*pairBatch{}
	next := 0
	var emitErr error
	for b := range done {
		if emitErr != nil {
			continue // drain so the workers can finish
		}
		pending[b.seq] = b
		for {
			nb, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := emit(nb); err != nil {
				emitErr = err
				cancel() // stop the reader and the workers
				break
			}
			select {
			case free <- nb:
			default:
			}
		}
	}
	if err := g.Wait(); err != nil && !(emitErr != nil && errors.Is(err, context.Canceled)) {
		return nil, err
	}
	if emitErr != nil {
		return nil, emitErr
	}
	return res, nil
}

// pairBatch is a run of consecutive pairs and, once scored, their scores.
type pairBatch struct {
	seq    int
	pairs  []RougePair
	scores []Score
}

// fill reads up to n pairs; it returns io.EOF (with any pairs read) at the
// end of src.
func (b *pairBatch) fill(src PairSource, n int) error {
	clear(b.pairs) // let the old texts go
	b.pairs = b.pairs[:0]
	for len(b.pairs) < n {
		p, err := src.Next()
		if err != nil {
			return err
		}
		b.pairs = append(b.pairs, p)
	}
	return nil
}

func (s *RougeScorer) scoreBatch(b *pairBatch) {
	b.scores = b.scores[:0]
	for i := range b.pairs {
		b.scores = s.AppendScores(b.scores, b.pairs[i].References, b.pairs[i].Prediction)
	}
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
