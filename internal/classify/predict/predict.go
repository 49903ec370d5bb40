// Package predict runs a loaded classifier over a stream of records: it
// decides each record's labels ([Decision]: the model's thresholds, one
// threshold for every label, or a thresholds file), and writes one JSON
// line per record in input order, in Osler's {"id","labels","scores"}
// shape or the managed custom-classification service's batch-output shape
// ([Format]). [Run] is what osler predict does; [Result] is the scoring
// step alone (scores, decided labels and their ranking, in reused
// buffers), which the server's classify endpoints share.
//
// Records are scored by several goroutines on internal/ordered, in
// batches, and written through a hand-written encoder: label names are
// encoded once, so a line costs its scores' digits and no reflection.
package predict

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/progress"
)

// Options configure [Run].
type Options struct {
	// Format is the shape of the output lines; "" means [FormatOsler].
	Format Format
	// Input is the input's name as given ("-" is standard input); the
	// comprehend format writes its base name as "File".
	Input string
	// Threshold, when >= 0, decides every label at this score; -1 (any
	// negative value) uses the model's thresholds, as in
	// [classify.Model.Decide]. Set it from [Decision.Threshold], with the
	// model [Decision.Apply] returns.
	Threshold float64
	// Workers is the number of goroutines scoring batches; 0 means
	// GOMAXPROCS.
	Workers int
	// Progress is told of the records written, in a stage "predicting" of
	// unknown length; nil reports nothing. The caller finishes it.
	Progress progress.Reporter
}

// BatchSize is the number of records a worker scores at a time, and the
// step in which progress is reported.
const BatchSize = 512

// Run reads every record of in, decides its labels with m and writes its
// line to w in input order. w is written through a buffer that Run flushes
// before it returns. It returns the number of records written; the first
// error (reading, writing or ctx) stops the run.
func Run(ctx context.Context, m *classify.Model, in dataset.Reader, w io.Writer, opts Options) (int, error) {
	enc := NewEncoder(m, opts.Format, opts.Input)
	rep := progress.Or(opts.Progress)
	rep.Stage("predicting", -1)
	bw := bufio.NewWriterSize(w, 256<<10)
	results := sync.Pool{New: func() any { return new(Result) }}
	n := 0
	err := ordered.Map(ctx, ordered.Options{Workers: opts.Workers, Batch: BatchSize},
		func(rec *dataset.Record) error {
			r, err := in.Read()
			*rec = r
			return err
		},
		func(_ context.Context, rec *dataset.Record, line *[]byte) error {
			r := results.Get().(*Result)
			r.Score(m, rec.Text, opts.Threshold)
			*line = enc.Append((*line)[:0], rec, r)
			results.Put(r)
			return nil
		},
		func(_ *dataset.Record, line *[]byte) error {
			if _, err := bw.Write(*line); err != nil {
				return fmt.Errorf("predict: %w", err)
			}
			if n++; n%BatchSize == 0 {
				rep.Add(BatchSize)
			}
			return nil
		})
	rep.Add(n % BatchSize)
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("predict: %w", err)
	}
	return n, nil
}
