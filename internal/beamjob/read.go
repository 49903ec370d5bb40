package beamjob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

// readRecordsFn reads each file as the data layer reads a dataset file:
// JSONL, CSV or text, as Options resolves for its name.
type readRecordsFn struct {
	Options dataset.Options
}

// ProcessElement emits every record of file; a line that does not parse
// stops the job, as it stops osler predict and osler summarize.
func (f *readRecordsFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(Record)) error {
	path := file.Metadata.Path
	rc, err := file.Open(ctx)
	if err != nil {
		return fmt.Errorf("batch: open %s: %w", path, err)
	}
	defer rc.Close()
	rd, err := dataset.NewReader(rc, path, f.Options.Resolve(path))
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		emit(Record{File: path, Line: rec.Line, ID: rec.ID, Text: rec.Text})
	}
}

// readPairsFn reads each file as osler eval rouge --pairs reads its file.
type readPairsFn struct{}

// ProcessElement emits every pair of file.
func (f *readPairsFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(Pair)) error {
	path := file.Metadata.Path
	rc, err := file.Open(ctx)
	if err != nil {
		return fmt.Errorf("batch: open %s: %w", path, err)
	}
	defer rc.Close()
	src := eval.NewPairReader(rc, path)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		emit(Pair{File: path, Line: p.Line, ID: p.ID, References: p.References, Prediction: p.Prediction})
	}
}
