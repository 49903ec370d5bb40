package beamjob

import (
	"bytes"
	"context"
	"fmt"

	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/batch"
	"github.com/osler-health/osler/internal/summarize/method"
)

// summarizeFn summarizes records, writing osler summarize's lines.
type summarizeFn struct {
	// Model is a trained summarizer's directory (any Beam filesystem
	// path); "" is the extractive method.
	Model string
	// Verify is the faithfulness check's mode (summarize.VerifyMode).
	Verify     string
	Provenance bool

	sum summarize.Summarizer
	buf bytes.Buffer
}

// Setup opens the summarizer, once per DoFn instance, checked as osler
// summarize checks it.
func (f *summarizeFn) Setup(ctx context.Context) error {
	o := method.DefaultOptions()
	o.Verify = summarize.VerifyMode(f.Verify)
	if f.Model == "" {
		s, err := method.Open(ctx, method.Spec{Kind: method.Extractive}, o)
		f.sum = s
		return err
	}
	m, err := loadModel(ctx, f.Model, registry.KindSummarizer)
	if err != nil {
		return err
	}
	f.sum, err = method.Checked(m.Summarizer, o)
	return err
}

// ProcessElement summarizes one record and emits its line; a document
// that fails fails the bundle, as it stops osler summarize.
func (f *summarizeFn) ProcessElement(ctx context.Context, rec Record, emit func(Out)) error {
	res, err := f.sum.Summarize(ctx, summarize.Document{ID: rec.ID, Text: rec.Text})
	if err != nil {
		return fmt.Errorf("%s:%d: id %q: %w", rec.File, rec.Line, rec.ID, err)
	}
	f.buf.Reset()
	if err := batch.EncodeLine(&f.buf, batch.NewLine(rec.ID, res, f.Provenance)); err != nil {
		return err
	}
	emit(Out{File: rec.File, Line: rec.Line, JSON: f.buf.String()})
	return nil
}
