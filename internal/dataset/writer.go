package dataset

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/osler-health/osler/internal/atomicfile"
)

// Writer writes records one at a time. Call Flush when done.
type Writer interface {
	Write(rec Record) error
	Flush() error
}

// NewWriter returns a writer for w in the format opts names (opts should be
// resolved against the output name). kind chooses the JSONL fields.
func NewWriter(w io.Writer, name string, kind Kind, opts Options) (Writer, error) {
	opts = opts.Resolve(name)
	switch opts.Format {
	case FormatJSONL:
		return NewJSONLWriter(w, kind), nil
	case FormatCSV:
		if kind == KindSummarization {
			return nil, &FieldError{Field: "format", Value: "csv", Msg: "the two-column CSV holds labels and text only; write summarization data as jsonl or table"}
		}
		return NewCSVWriter(w, opts), nil
	case FormatTable:
		return NewTableWriter(w, kind, opts), nil
	case FormatText:
		return NewTextWriter(w), nil
	}
	return nil, &FieldError{Field: "format", Value: string(opts.Format), Msg: "unknown format"}
}

// JSONLWriter writes one JSON object per line in Osler's field order.
type JSONLWriter struct {
	bw   *bufio.Writer
	enc  *json.Encoder
	kind Kind
}

// NewJSONLWriter returns a JSONL writer of classification or summarization records.
func NewJSONLWriter(w io.Writer, kind Kind) *JSONLWriter {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{bw: bw, enc: enc, kind: kind}
}

type jsonlClassification struct {
	ID        string      `json:"id"`
	Text      string      `json:"text"`
	Labels    []string    `json:"labels"`
	Split     string      `json:"split,omitempty"`
	Synthetic *Provenance `json:"synthetic,omitempty"`
}

type jsonlSummarization struct {
	ID        string      `json:"id"`
	Source    string      `json:"source"`
	Summary   string      `json:"summary"`
	Split     string      `json:"split,omitempty"`
	Synthetic *Provenance `json:"synthetic,omitempty"`
}

// Write writes rec as one line.
func (w *JSONLWriter) Write(rec Record) error {
	if w.kind == KindSummarization {
		return w.enc.Encode(jsonlSummarization{ID: rec.ID, Source: rec.Text, Summary: rec.Summary, Split: rec.Split, Synthetic: rec.Synthetic})
	}
	labels := rec.Labels
	if labels == nil {
		labels = []string{}
	}
	return w.enc.Encode(jsonlClassification{ID: rec.ID, Text: rec.Text, Labels: labels, Split: rec.Split, Synthetic: rec.Synthetic})
}

// Flush writes buffered data.
func (w *JSONLWriter) Flush() error { return w.bw.Flush() }

// CSVWriter writes the two-column "label,text" CSV.
type CSVWriter struct {
	cw    *csv.Writer
	delim string
	row   [2]string
}

// NewCSVWriter returns a two-column CSV writer.
func NewCSVWriter(w io.Writer, opts Options) *CSVWriter {
	opts = opts.Resolve("")
	cw := csv.NewWriter(w)
	cw.Comma = opts.Delimiter
	return &CSVWriter{cw: cw, delim: opts.LabelDelimiter}
}

// Write writes rec as one row.
func (w *CSVWriter) Write(rec Record) error {
	for _, l := range rec.Labels {
		if strings.Contains(l, w.delim) {
			return fmt.Errorf("dataset: record %q: label %q contains the label delimiter %q; choose another --label-delimiter", rec.ID, l, w.delim)
		}
	}
	w.row[0] = strings.Join(rec.Labels, w.delim)
	w.row[1] = rec.Text
	return w.cw.Write(w.row[:])
}

// Flush writes buffered data.
func (w *CSVWriter) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// TableWriter writes CSV/TSV with a header: id, text, labels for
// classification or id, source, summary for summarization (column names
// follow the options' column mapping when set).
type TableWriter struct {
	cw     *csv.Writer
	kind   Kind
	delim  string
	header []string
	wrote  bool
}

// NewTableWriter returns a CSV/TSV writer with a header row.
func NewTableWriter(w io.Writer, kind Kind, opts Options) *TableWriter {
	opts = opts.Resolve("")
	cw := csv.NewWriter(w)
	cw.Comma = opts.Delimiter
	name := func(set, def string) string {
		if set != "" {
			return set
		}
		return def
	}
	header := []string{name(opts.IDColumn, "id"), name(opts.TextColumn, "text"), name(opts.LabelColumn, "labels")}
	if kind == KindSummarization {
		header = []string{name(opts.IDColumn, "id"), name(opts.TextColumn, "source"), name(opts.SummaryColumn, "summary")}
	}
	return &TableWriter{cw: cw, kind: kind, delim: opts.LabelDelimiter, header: header}
}

// Write writes rec as one row, preceded by the header on the first call.
func (w *TableWriter) Write(rec Record) error {
	if !w.wrote {
		w.wrote = true
		if err := w.cw.Write(w.header); err != nil {
			return err
		}
	}
	if w.kind == KindSummarization {
		return w.cw.Write([]string{rec.ID, rec.Text, rec.Summary})
	}
	return w.cw.Write([]string{rec.ID, rec.Text, strings.Join(rec.Labels, w.delim)})
}

// Flush writes buffered data (and the header of an empty file).
func (w *TableWriter) Flush() error {
	if !w.wrote {
		w.wrote = true
		w.cw.Write(w.header)
	}
	w.cw.Flush()
	return w.cw.Error()
}

// OutputFile is a dataset being written to a path ("-" for stdout). The
// file appears only when Commit succeeds, so a failure leaves nothing half
// written.
type OutputFile struct {
	Writer
	af *atomicfile.File
}

// Create starts writing a dataset file. stdout is used for "-".
func Create(name string, stdout io.Writer, kind Kind, opts Options) (*OutputFile, error) {
	opts = opts.Resolve(name)
	var w io.Writer
	var af *atomicfile.File
	if name == "-" {
		if stdout == nil {
			stdout = os.Stdout
		}
		w = stdout
	} else {
		var err error
		af, err = atomicfile.Create(name, 0o644)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		w = af
	}
	dw, err := NewWriter(w, name, kind, opts)
	if err != nil {
		if af != nil {
			af.Abort()
		}
		return nil, err
	}
	return &OutputFile{Writer: dw, af: af}, nil
}

// Commit flushes and publishes the file.
func (o *OutputFile) Commit() error {
	if err := o.Writer.Flush(); err != nil {
		o.Abort()
		return err
	}
	if o.af == nil {
		return nil
	}
	return o.af.Commit()
}

// Abort discards the file; safe after Commit.
func (o *OutputFile) Abort() {
	if o.af != nil {
		o.af.Abort()
	}
}
