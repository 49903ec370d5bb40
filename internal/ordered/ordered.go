// Package ordered maps a function over a stream of records on several
// goroutines and hands the results on in input order, in bounded memory.
// It is the one batch pipeline of Osler: osler predict, osler summarize,
// ROUGE scoring and the server's batch requests all run on [Map].
//
// Records are read in batches by one goroutine, worked on by Options.Workers
// goroutines (errgroup), and emitted in input order on the caller's
// goroutine; at most about 2×Workers+2 batches exist at once, and their
// storage is reused, so files of any size stream through. The first error
// (from reading, the work, emitting or the context) stops everything: no
// record is emitted after it, every goroutine has returned when Map
// returns, and the error is returned.
//
// Why not a library: errgroup gives the error propagation, but not the
// ordering, batching and storage reuse that make predict run at line rate;
// the few lines that add them are here once instead of three times.
package ordered

import (
	"context"
	"io"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Options configure [Map].
type Options struct {
	// Workers is the number of goroutines doing the work; 0 means
	// GOMAXPROCS. With 1, reading, work and emitting take turns on the
	// calling goroutine.
	Workers int
	// Batch is the number of records handed to a worker at a time; 0
	// means 1. Larger batches cost less coordination per record; memory
	// holds about 2×Workers+2 of them.
	Batch int
}

// batch is a run of records with their results, numbered in input order.
type batch[T, R any] struct {
	seq   int
	items []T
	res   []R
	n     int
}

// Map reads records with next until it returns io.EOF, calls work on each
// record with its result slot, and calls emit on each record and result in
// input order. next fills the record it is given; work fills the result
// (its storage, like the record's, is reused across batches, so a work
// function can append to a buffer it left in the result last time). A
// record that should not stop the run when it fails (osler summarize
// --keep-going) carries its error in the result for emit to report.
func Map[T, R any](ctx context.Context, opts Options,
	next func(item *T) error,
	work func(ctx context.Context, item *T, res *R) error,
	emit func(item *T, res *R) error,
) error {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Batch <= 0 {
		opts.Batch = 1
	}
	if opts.Workers == 1 {
		return sequential(ctx, opts, next, work, emit)
	}
	return concurrent(ctx, opts, next, work, emit)
}

// fill reads up to len(b.items) records into b; it returns io.EOF, with
// the records read so far, at the end of the stream.
func (b *batch[T, R]) fill(next func(*T) error) error {
	b.n = 0
	for b.n < len(b.items) {
		if err := next(&b.items[b.n]); err != nil {
			return err
		}
		b.n++
	}
	return nil
}

func newBatch[T, R any](size int) *batch[T, R] {
	return &batch[T, R]{items: make([]T, size), res: make([]R, size)}
}

func sequential[T, R any](ctx context.Context, opts Options, next func(*T) error,
	work func(context.Context, *T, *R) error, emit func(*T, *R) error) error {
	b := newBatch[T, R](opts.Batch)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rerr := b.fill(next)
		if rerr != nil && rerr != io.EOF {
			return rerr
		}
		for i := 0; i < b.n; i++ {
			if err := work(ctx, &b.items[i], &b.res[i]); err != nil {
				return err
			}
			if err := emit(&b.items[i], &b.res[i]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
	}
}

func concurrent[T, R any](ctx context.Context, opts Options, next func(*T) error,
	work func(context.Context, *T, *R) error, emit func(*T, *R) error) error {
	w := opts.Workers
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g, gctx := errgroup.WithContext(ctx)
	todo := make(chan *batch[T, R], w)
	done := make(chan *batch[T, R], w)
	// free holds the batches not in use; its capacity bounds memory.
	free := make(chan *batch[T, R], 2*w+2)
	for range cap(free) {
		free <- newBatch[T, R](opts.Batch)
	}
	// Reader: fills batches in order and numbers them.
	g.Go(func() error {
		defer close(todo)
		for seq := 0; ; seq++ {
			var b *batch[T, R]
			select {
			case b = <-free:
			case <-gctx.Done():
				return gctx.Err()
			}
			err := b.fill(next)
			if err != nil && err != io.EOF {
				return err
			}
			b.seq = seq
			if b.n > 0 {
				select {
				case todo <- b:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			if err == io.EOF {
				return nil
			}
		}
	})
	// Workers: in g, so the first failure cancels the others.
	var working sync.WaitGroup
	for range w {
		working.Add(1)
		g.Go(func() error {
			defer working.Done()
			for b := range todo {
				for i := 0; i < b.n; i++ {
					if err := work(gctx, &b.items[i], &b.res[i]); err != nil {
						return err
					}
				}
				select {
				case done <- b:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	go func() {
		working.Wait()
		close(done)
	}()
	// Emitter, on the caller's goroutine: in order, handing batches back.
	emitErr := emitInOrder(gctx, done, free, emit)
	if emitErr != nil {
		cancel(emitErr) // stop the reader and the workers
	}
	for range done { // let the workers finish their sends
	}
	err := g.Wait()
	if emitErr != nil && context.Cause(ctx) == emitErr {
		return emitErr // emitting failed first
	}
	return err
}

// emitInOrder emits the batches that come back from the workers in input
// order, returning each to free once emitted. It returns emit's error, and
// nil when done closes or ctx ends.
func emitInOrder[T, R any](ctx context.Context, done <-chan *batch[T, R], free chan<- *batch[T, R], emit func(*T, *R) error) error {
	pending := map[int]*batch[T, R]{}
	nextSeq := 0
	for b := range done {
		pending[b.seq] = b
		for {
			b, ok := pending[nextSeq]
			if !ok {
				break
			}
			delete(pending, nextSeq)
			nextSeq++
			for i := 0; i < b.n; i++ {
				if err := emit(&b.items[i], &b.res[i]); err != nil {
					return err
				}
			}
			if ctx.Err() != nil {
				return nil // another goroutine failed, or the caller cancelled: g.Wait says which
			}
			free <- b
		}
	}
	return nil
}
