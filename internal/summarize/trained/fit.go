package trained

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/checksum"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/extractive"
	"github.com/osler-health/osler/internal/text"
)

// FitOptions are one whole training run, as osler train summarizer does
// it: the data files and how to read them, the model's options, and the
// dev evaluation.
type FitOptions struct {
	// Train is the file of training pairs (required); Dev, when given, is
	// evaluated after training, with the baselines. They must be files:
	// their checksums go into the model.
	Train, Dev string
	// Data says how to read them (format, columns, delimiters).
	Data dataset.Options
	// Options are the model's settings.
	Options Options
	// AbnormalTop defines the abnormal dev subset: the pairs whose
	// reference is not among this many most frequent training summaries.
	AbnormalTop int
	// Baselines also evaluates the nearest-neighbour, most-frequent,
	// lead-1 and TextRank baselines on dev.
	Baselines bool
	// Progress is told how training and evaluation advance (nil: not).
	Progress progress.Reporter
	// Notices receives warnings as they happen (dev sources shared with
	// training); nil discards them.
	Notices io.Writer
}

// DefaultFitOptions are osler train summarizer's defaults.
func DefaultFitOptions() FitOptions {
	return FitOptions{Options: DefaultOptions(), AbnormalTop: 20, Baselines: true}
}

// FitResult is a trained model and what osler train summarizer prints
// about it.
type FitResult struct {
	Model *Model
	// Report is the run's report ([WriteReport]); its Out is set by Save.
	Report ReportText
}

// Fit reads the pairs, trains a summarizer, and evaluates it and the
// baselines on dev. Nothing is written: save the result with
// [FitResult.Save].
func Fit(ctx context.Context, o FitOptions) (*FitResult, error) {
	if o.Train == "" {
		return nil, errors.New("trained: fit: no training data")
	}
	if err := o.Options.Validate(); err != nil {
		return nil, err
	}
	if o.AbnormalTop < 0 {
		return nil, fmt.Errorf("trained: the abnormal subset's top %d must not be negative", o.AbnormalTop)
	}
	pr := progress.Or(o.Progress)
	train, trainFile, err := ReadExamples(ctx, o.Train, o.Data)
	if err != nil {
		return nil, err
	}
	var dev []Example
	var devFile DataFile
	if o.Dev != "" {
		if dev, devFile, err = ReadExamples(ctx, o.Dev, o.Data); err != nil {
			return nil, err
		}
		if n := SharedSources(train, dev); n > 0 && o.Notices != nil {
			fmt.Fprintf(o.Notices, "osler train summarizer: warning: %d of %d dev sources are (near-)identical to training sources; dev scores are optimistic\n", n, len(dev))
		}
	}
	start := time.Now()
	model, rep, err := Train(ctx, train, o.Options, pr)
	if err != nil {
		return nil, err
	}
	model.RecordData("train", trainFile)
	res := &FitResult{Model: model, Report: ReportText{Train: rep, CVFolds: o.Options.CVFolds, Dev: o.Dev, DevPairs: len(dev), AbnormalTop: o.AbnormalTop}}
	if len(dev) > 0 {
		model.RecordData("dev", devFile)
		if err := res.evaluateDev(ctx, &o, train, dev, pr); err != nil {
			return nil, err
		}
	}
	res.Report.Elapsed = time.Since(start)
	return res, nil
}

// evaluateDev evaluates the model, the dev references' own faithfulness
// and, when asked, the baselines on dev.
func (r *FitResult) evaluateDev(ctx context.Context, o *FitOptions, train, dev []Example, pr progress.Reporter) error {
	frequent := FrequentSummaries(train, o.AbnormalTop)
	evaluate := func(name string, s summarize.Summarizer) error {
		pr.Stage("evaluating "+name, len(dev))
		rep, err := Evaluate(ctx, s, dev, frequent, o.Options.Workers, pr)
		if err != nil {
			return fmt.Errorf("evaluate %s on %s: %w", name, o.Dev, err)
		}
		r.Report.Results = append(r.Report.Results, DevResult{Name: name, Report: rep})
		return nil
	}
	if err := evaluate("trained", r.Model); err != nil {
		return err
	}
	r.Model.RecordMetrics("dev", r.Report.Results[0].Report)
	refs := make([]string, len(dev))
	for i, ex := range dev {
		refs[i] = ex.Summary
	}
	var err error
	if r.Report.References, err = CheckFaithfulness(ctx, dev, refs, o.Options.Workers); err != nil {
		return err
	}
	if !o.Baselines {
		return nil
	}
	baselines, err := Baselines(train)
	if err != nil {
		return err
	}
	for _, b := range baselines {
		if err := evaluate(b.Name, b.Summarizer); err != nil {
			return err
		}
	}
	return nil
}

// Save writes the model directory (replacing a summarizer there).
func (r *FitResult) Save(dir string) error {
	if err := r.Model.Save(dir); err != nil {
		return err
	}
	r.Report.Out = dir
	return nil
}

// WriteText prints the run's report ([WriteReport]).
func (r *FitResult) WriteText(w io.Writer) error { return WriteReport(w, r.Report) }

// Baseline is a simple summarizer a trained model is compared with.
type Baseline struct {
	Name       string
	Summarizer summarize.Summarizer
}

// Baselines are the nearest-neighbour, most-frequent, lead-1 and
// TextRank-1 baselines of training pairs.
func Baselines(train []Example) ([]Baseline, error) {
	nn, err := NewNearestNeighbor(train)
	if err != nil {
		return nil, err
	}
	mf, err := NewMostFrequent(train)
	if err != nil {
		return nil, err
	}
	ex, err := extractive.New(extractive.Options{MaxSentences: 1})
	if err != nil {
		return nil, err
	}
	return []Baseline{{"nearest-neighbour", nn}, {"most-frequent", mf}, {"lead-1", Lead{Naive: true}}, {"textrank-1", lenientExtractive{ex}}}, nil
}

// lenientExtractive turns an extractive summarizer's "nothing to extract"
// into an empty summary, so a baseline scores 0 on such a document instead
// of stopping the evaluation.
type lenientExtractive struct{ s summarize.Summarizer }

func (l lenientExtractive) Summarize(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	r, err := l.s.Summarize(ctx, doc)
	if errors.Is(err, extractive.ErrEmptyDocument) {
		return summarize.Result{Provenance: &summarize.Provenance{Method: "extractive:empty"}}, nil
	}
	return r, err
}

// ReadExamples reads a file of summarization pairs whole, checking every
// row has a source and a summary, and hashes it for the model's metadata.
// A row without an id is named after its line ("line-7").
func ReadExamples(ctx context.Context, path string, opts dataset.Options) ([]Example, DataFile, error) {
	if path == "-" {
		return nil, DataFile{}, errors.New("training data must be a file, not stdin (its checksum goes into the model)")
	}
	recs, err := dataset.ReadAll(path, nil, opts)
	if err != nil {
		return nil, DataFile{}, err
	}
	out := make([]Example, 0, len(recs))
	for _, r := range recs {
		field := ""
		switch {
		case strings.TrimSpace(r.Text) == "":
			field = "source"
		case strings.TrimSpace(r.Summary) == "":
			field = "summary"
		}
		if field != "" {
			return nil, DataFile{}, &dataset.ParseError{File: path, Line: r.Line, Field: field, Err: dataset.ErrMissingField,
				Hint: `every row of a summarization file needs a non-empty "source" and "summary" (for CSV/TSV name them with --text-column and --summary-column)`}
		}
		id := r.ID
		if id == "" {
			id = fmt.Sprintf("line-%d", r.Line)
		}
		out = append(out, Example{ID: id, Source: r.Text, Summary: r.Summary})
	}
	sum, _, err := checksum.File(ctx, path)
	if err != nil {
		return nil, DataFile{}, err
	}
	return out, DataFile{Path: path, SHA256: sum, Records: len(out)}, nil
}

// SharedSources counts the dev sources that are near-identical (same
// words ignoring case, spacing and punctuation) to a training source.
func SharedSources(train, dev []Example) int {
	keys := map[uint64]bool{}
	for _, ex := range train {
		keys[text.NearDupKey(ex.Source)] = true
	}
	n := 0
	for _, ex := range dev {
		if keys[text.NearDupKey(ex.Source)] {
			n++
		}
	}
	return n
}
