package predict

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/jsonstr"
)

// Format is the shape of the prediction lines. It is a flag.Value.
type Format string

// The formats.
const (
	// FormatOsler writes {"id": ..., "labels": [decided labels],
	// "scores": {label: score, ...}} with every label's score. The id is
	// the record's, or for a record without one its line number in the
	// input (1-based).
	FormatOsler Format = "osler"
	// FormatComprehend writes the managed custom-classification
	// service's batch-output shape: {"File": the input's base name,
	// "Line": "0-based line", "Classes": [{"Name", "Score"}, ...]}
	// ("Labels" for multi-label models), every label by score, plus
	// "Predicted": [the decided labels], a member the service's readers
	// skip.
	FormatComprehend Format = "comprehend"
)

// String returns the format's name.
func (f Format) String() string { return string(f) }

// Set parses osler or comprehend.
func (f *Format) Set(s string) error {
	switch v := Format(s); v {
	case FormatOsler, FormatComprehend:
		*f = v
		return nil
	}
	return fmt.Errorf("predict: --format %q: want osler or comprehend", s)
}

// Encoder writes a model's prediction lines. Label names are encoded once.
// It is safe for concurrent use.
type Encoder struct {
	comprehend bool
	labels     [][]byte // each label as a JSON string
	file       []byte   // comprehend: the input's name as a JSON string
	key        string   // comprehend: "Classes" or "Labels"
}

// NewEncoder returns an encoder of m's predictions in format f; input is
// the input's name as given ("-" is standard input).
func NewEncoder(m *classify.Model, f Format, input string) *Encoder {
	file := filepath.Base(input)
	if input == "-" {
		file = "stdin"
	}
	e := &Encoder{comprehend: f == FormatComprehend, file: jsonstr.Append(nil, file), key: "Classes"}
	if m.Mode() == dataset.ModeMultiLabel {
		e.key = "Labels"
	}
	for _, l := range m.Labels() {
		e.labels = append(e.labels, jsonstr.Append(nil, l))
	}
	return e
}

// Append appends rec's line, with its newline, to dst. r is rec's
// [Result]; the comprehend format ranks its labels ([Result.Ranked]).
func (e *Encoder) Append(dst []byte, rec *dataset.Record, r *Result) []byte {
	if e.comprehend {
		return e.appendComprehend(dst, rec, r)
	}
	dst = append(dst, `{"id":`...)
	if rec.ID != "" {
		dst = jsonstr.Append(dst, rec.ID)
	} else {
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, int64(rec.Line), 10)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"labels":[`...)
	dst = e.appendLabels(dst, r.Labels)
	dst = append(dst, `],"scores":{`...)
	for i, sc := range r.Scores {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.labels[i]...)
		dst = append(dst, ':')
		dst = strconv.AppendFloat(dst, sc, 'g', -1, 64)
	}
	return append(dst, "}}\n"...)
}

func (e *Encoder) appendComprehend(dst []byte, rec *dataset.Record, r *Result) []byte {
	dst = append(dst, `{"File":`...)
	dst = append(dst, e.file...)
	dst = append(dst, `,"Line":"`...)
	dst = strconv.AppendInt(dst, int64(rec.Line-1), 10)
	dst = append(dst, `","`...)
	dst = append(dst, e.key...)
	dst = append(dst, `":[`...)
	// Every label, highest score first (label order on ties).
	for k, i := range r.Ranked(false) {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Name":`...)
		dst = append(dst, e.labels[i]...)
		dst = append(dst, `,"Score":`...)
		dst = strconv.AppendFloat(dst, r.Scores[i], 'g', -1, 64)
		dst = append(dst, '}')
	}
	// The decisions, which the service's output lacks, in an extra member
	// its consumers skip.
	dst = append(dst, `],"Predicted":[`...)
	dst = e.appendLabels(dst, r.Labels)
	return append(dst, "]}\n"...)
}

// appendLabels appends the labels of idx as JSON strings, comma-separated.
func (e *Encoder) appendLabels(dst []byte, idx []int) []byte {
	for k, i := range idx {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.labels[i]...)
	}
	return dst
}
