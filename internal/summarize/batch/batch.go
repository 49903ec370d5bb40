// Package batch summarizes a stream of records with any
// summarize.Summarizer and writes one JSON line per record, in input
// order ([Line]): the id and the summary, the faithfulness check's
// "warnings", and optionally the provenance fields. It is the loop of osler
// summarize, on internal/ordered: documents are summarized concurrently
// and in bounded memory, a bad input line or a failed document stops the
// run (or, with KeepGoing, is reported and skipped), and progress is
// reported through the progress.Reporter contract.
package batch

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/summarize"
)

// Line is one output line: the id, the summary, the check's warnings and,
// with Options.Provenance, the provenance fields.
type Line struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Warnings are the faithfulness check's issues (omitted when none).
	Warnings []clinical.Issue `json:"warnings,omitempty"`
	*summarize.Provenance
}

// NewLine is the line of the record id summarized as res; provenance adds
// res's provenance fields. Encode it with encoding/json, HTML escaping off,
// as [Run] does ([EncodeLine]).
func NewLine(id string, res summarize.Result, provenance bool) Line {
	l := Line{ID: id, Summary: res.Summary, Warnings: res.Warnings}
	if provenance {
		l.Provenance = res.Provenance
	}
	return l
}

// EncodeLine writes l to w as [Run] writes a line: JSON, HTML escaping
// off, and a newline.
func EncodeLine(w io.Writer, l Line) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(l)
}

// Options configure [Run].
type Options struct {
	// Workers is the number of documents summarized at once; less than 1
	// means 1.
	Workers int
	// Provenance adds the provenance fields (method, chunks, llm_calls,
	// source_sentences, neighbors, notes, check) to each line.
	Provenance bool
	// KeepGoing reports a bad input line or a failed document to
	// OnFailure and goes on; otherwise the first one stops the run.
	KeepGoing bool
	// OnFailure, with KeepGoing, is told of each failure, in input order.
	// The error names the input, line and id, never the text.
	OnFailure func(error)
	// Input names the input in messages ("-" or "" is standard input).
	Input string
	// Output names w in messages. "-" is standard output: each line is
	// flushed as it is written, so a reader of the pipe sees summaries as
	// they come.
	Output string
	// Total is the number of records expected (< 0: unknown), for
	// Progress.
	Total int
	// Progress is told of each record handled, in a stage "summarizing"
	// of Total records; nil reports nothing. The caller finishes it.
	Progress progress.Reporter
}

// Stats count what a run did.
type Stats struct {
	// Docs counts the lines written; Failed the records reported to
	// OnFailure.
	Docs, Failed int
	// Unfaithful counts the summaries written with a claim their
	// document does not back.
	Unfaithful int
	// Chunks and LLMCalls add up the provenance of the summaries written.
	Chunks, LLMCalls int
}

// job is a record to summarize, or the error reading it.
type job struct {
	rec dataset.Record
	err error // a parse error: the record could not be decoded
}

// done is a summary, or the error making it.
type done struct {
	res summarize.Result
	err error
}

// Run reads in to its end, summarizes each record with s on opts.Workers
// goroutines and writes the lines to w in input order, through a buffer
// it flushes before it returns. It stops at the first error reading or
// writing, at ctx's end, and (unless KeepGoing) at the first bad line or
// failed document; the Stats count what was written until then.
func Run(ctx context.Context, s summarize.Summarizer, in dataset.Reader, w io.Writer, opts Options) (Stats, error) {
	r := &runner{opts: opts, rep: progress.Or(opts.Progress), bw: bufio.NewWriterSize(w, 64<<10)}
	r.enc = json.NewEncoder(r.bw)
	r.enc.SetEscapeHTML(false)
	r.rep.Stage("summarizing", opts.Total)
	inName := cmp.Or(opts.Input, "-")
	if inName == "-" {
		inName = "stdin"
	}
	err := ordered.Map(ctx, ordered.Options{Workers: max(1, opts.Workers)},
		func(j *job) error {
			rec, err := in.Read()
			var pe *dataset.ParseError
			if err != nil && !errors.As(err, &pe) {
				return err // io.EOF, or an I/O error: nothing more can be read
			}
			*j = job{rec: rec, err: err}
			return nil
		},
		func(ctx context.Context, j *job, d *done) error {
			*d = done{}
			if j.err != nil {
				return nil
			}
			d.res, d.err = s.Summarize(ctx, summarize.Document{ID: j.rec.ID, Text: j.rec.Text})
			if d.err != nil {
				if ctx.Err() != nil {
					return ctx.Err() // interrupted: stop
				}
				d.err = fmt.Errorf("%s:%d: id %q: %w", inName, j.rec.Line, j.rec.ID, d.err)
			}
			return nil
		},
		r.emit)
	if err != nil {
		return r.stats, err
	}
	if err := r.bw.Flush(); err != nil {
		return r.stats, fmt.Errorf("summarize: writing %s: %w", opts.Output, err)
	}
	return r.stats, nil
}

// runner writes a run's lines and counts them.
type runner struct {
	opts  Options
	rep   progress.Reporter
	bw    *bufio.Writer
	enc   *json.Encoder
	stats Stats
}

// emit writes one record's line, or reports its failure: it stops the run
// unless KeepGoing.
func (r *runner) emit(j *job, d *done) error {
	if err := cmp.Or(j.err, d.err); err != nil {
		if !r.opts.KeepGoing {
			return err
		}
		r.stats.Failed++
		if r.opts.OnFailure != nil {
			r.opts.OnFailure(err)
		}
		r.rep.Add(1)
		return nil
	}
	line := NewLine(j.rec.ID, d.res, r.opts.Provenance)
	if !d.res.Faithful() && d.res.Checked {
		r.stats.Unfaithful++
	}
	if err := r.enc.Encode(line); err != nil {
		return fmt.Errorf("summarize: writing %s: %w", r.opts.Output, err)
	}
	if r.opts.Output == "-" {
		if err := r.bw.Flush(); err != nil {
			return fmt.Errorf("summarize: writing to stdout: %w", err)
		}
	}
	r.stats.Docs++
	if p := d.res.Provenance; p != nil {
		r.stats.Chunks += p.Chunks
		r.stats.LLMCalls += p.LLMCalls
	}
	r.rep.Add(1)
	return nil
}
