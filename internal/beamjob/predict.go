package beamjob

import (
	"context"
	"fmt"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/classify/predict"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/registry"
)

// predictFn scores records with a classifier, writing osler predict's
// lines.
type predictFn struct {
	// Model is the model directory (any Beam filesystem path).
	Model string
	// Format is predict.FormatOsler or predict.FormatComprehend.
	Format string
	// Threshold, when >= 0, decides every label at this score.
	Threshold float64

	model *classify.Model
	enc   map[string]*predict.Encoder // by input file: comprehend names it
	res   predict.Result
	line  []byte
}

// Setup loads the model, once per DoFn instance.
func (f *predictFn) Setup(ctx context.Context) error {
	m, err := loadModel(ctx, f.Model, registry.KindClassifier)
	if err != nil {
		return err
	}
	d := predict.Decision{Threshold: f.Threshold}
	if f.model, err = d.Apply(ctx, m.Classifier, f.Model); err != nil {
		return err
	}
	f.enc = map[string]*predict.Encoder{}
	return nil
}

// ProcessElement scores one record and emits its line.
func (f *predictFn) ProcessElement(rec Record, emit func(Out)) {
	enc := f.enc[rec.File]
	if enc == nil {
		enc = predict.NewEncoder(f.model, predict.Format(f.Format), rec.File)
		f.enc[rec.File] = enc
	}
	f.res.Score(f.model, rec.Text, f.Threshold)
	f.line = enc.Append(f.line[:0], &dataset.Record{ID: rec.ID, Text: rec.Text, Line: rec.Line}, &f.res)
	emit(Out{File: rec.File, Line: rec.Line, JSON: string(f.line)})
}

// checkFormat checks a predict format name.
func checkFormat(s string) error {
	var f predict.Format
	if err := f.Set(s); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	return nil
}
