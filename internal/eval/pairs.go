package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/dataset"
)

// MaxLineBytes bounds one line of the files this package reads (64 MiB),
// so a file without newlines cannot exhaust memory.
const MaxLineBytes = 64 << 20

// lineReader reads lines without their terminator ("\n" or "\r\n"),
// counting them, stripping a UTF-8 byte-order mark from the first.
type lineReader struct {
	br   *bufio.Reader
	name string
	line int
	long []byte
	max  int
}

func newLineReader(r io.Reader, name string) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), name: name, max: MaxLineBytes}
}

// next returns the next line (valid until the following call) or io.EOF.
func (r *lineReader) next() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(r.long) > r.max {
				for err == bufio.ErrBufferFull {
					_, err = r.br.ReadSlice('\n')
				}
				r.line++
				return nil, &dataset.ParseError{File: r.name, Line: r.line, Err: dataset.ErrLineTooLong,
					Hint: fmt.Sprintf("lines are limited to %d bytes", r.max)}
			}
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if len(line) == 0 && err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	r.line++
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if r.line == 1 {
		line = bytes.TrimPrefix(line, []byte{0xEF, 0xBB, 0xBF})
	}
	return line, nil
}

func (r *lineReader) errorf(field string, sentinel error, hint string, args ...any) error {
	return &dataset.ParseError{File: r.name, Line: r.line, Field: field, Err: sentinel, Hint: fmt.Sprintf(hint, args...)}
}

// PairReader reads ROUGE pairs from JSONL, one object per line:
//
//	{"id": "a1", "reference": "...", "prediction": "..."}
//
// "target" is accepted for "reference", and "references": [...] gives
// several references (the best one counts). "id" is a string or a number;
// a line without one is named by its line number. Other fields are
// ignored; blank lines are skipped. Errors are *dataset.ParseError values
// naming the file, line and field, never the text.
type PairReader struct {
	lr   *lineReader
	seen map[string]int
}

// NewPairReader returns a reader of pairs from r; name is used in errors.
func NewPairReader(r io.Reader, name string) *PairReader {
	return &PairReader{lr: newLineReader(r, name), seen: map[string]int{}}
}

// pairLine is the union of the accepted field names. Raw values let the
// reader say which field has the wrong type.
type pairLine struct {
	ID         json.RawMessage `json:"id"`
	Reference  json.RawMessage `json:"reference"`
	Target     json.RawMessage `json:"target"`
	References json.RawMessage `json:"references"`
	Prediction json.RawMessage `json:"prediction"`
}

// Next returns the next pair, or io.EOF after the last.
func (r *PairReader) Next() (RougePair, error) {
	for {
		line, err := r.lr.next()
		if err != nil {
			return RougePair{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		p, err := r.decode(line)
		if err != nil {
			return RougePair{}, err
		}
		if first, dup := r.seen[p.ID]; dup {
			return RougePair{}, r.lr.errorf("id", ErrDuplicateID, "id %q is also on line %d; ids must be unique", p.ID, first)
		}
		r.seen[p.ID] = p.Line
		return p, nil
	}
}

// ErrDuplicateID is wrapped by errors for an id that occurs twice.
var ErrDuplicateID = errors.New("duplicate id")

func (r *PairReader) decode(line []byte) (RougePair, error) {
	lr := r.lr
	if !utf8.Valid(line) {
		return RougePair{}, lr.errorf("", dataset.ErrInvalidUTF8, "re-encode the file as UTF-8")
	}
	var pl pairLine
	if err := json.Unmarshal(line, &pl); err != nil {
		return RougePair{}, lr.errorf("", fmt.Errorf("%w: %s", dataset.ErrInvalidJSON, jsonErrText(err)), `each line must be one JSON object such as {"id": "1", "reference": "...", "prediction": "..."}`)
	}
	p := RougePair{Line: lr.line}
	var err error
	if p.ID, err = decodeID(pl.ID); err != nil {
		return RougePair{}, lr.errorf("id", dataset.ErrWrongType, "id must be a string or a number")
	}
	if p.ID == "" {
		p.ID = strconv.Itoa(lr.line)
	}
	if isAbsent(pl.Prediction) {
		return RougePair{}, lr.errorf("prediction", dataset.ErrMissingField, `each line needs "prediction" (the generated text)`)
	}
	if p.Prediction, err = decodeString(pl.Prediction); err != nil {
		return RougePair{}, lr.errorf("prediction", dataset.ErrWrongType, "prediction must be a string")
	}
	given := 0
	for _, f := range []json.RawMessage{pl.Reference, pl.Target, pl.References} {
		if !isAbsent(f) {
			given++
		}
	}
	switch {
	case given == 0:
		return RougePair{}, lr.errorf("reference", dataset.ErrMissingField, `each line needs "reference" (or "target", or "references": [...])`)
	case given > 1:
		return RougePair{}, lr.errorf("reference", ErrAmbiguousField, `give one of "reference", "target" and "references"`)
	case !isAbsent(pl.References):
		if err := json.Unmarshal(pl.References, &p.References); err != nil || p.References == nil {
			return RougePair{}, lr.errorf("references", dataset.ErrWrongType, "references must be an array of strings")
		}
		if len(p.References) == 0 {
			return RougePair{}, lr.errorf("references", dataset.ErrMissingField, "references is empty; give at least one reference")
		}
	default:
		raw, field := pl.Reference, "reference"
		if isAbsent(raw) {
			raw, field = pl.Target, "target"
		}
		s, err := decodeString(raw)
		if err != nil {
			return RougePair{}, lr.errorf(field, dataset.ErrWrongType, "%s must be a string", field)
		}
		p.References = []string{s}
	}
	return p, nil
}

// ErrAmbiguousField is wrapped by errors for a line that gives the same
// thing twice under different names.
var ErrAmbiguousField = errors.New("ambiguous fields")

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func decodeString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", dataset.ErrWrongType
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// decodeID accepts a string, a number (kept as written) or nothing.
func decodeID(raw json.RawMessage) (string, error) {
	if isAbsent(raw) {
		return "", nil
	}
	if raw[0] == '"' {
		return decodeString(raw)
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
		return "", dataset.ErrWrongType
	}
	return string(raw), nil
}

func jsonErrText(err error) string {
	// encoding/json's type errors name Go types ("Go value of type struct
	// { ID json.RawMessage ... }"): say it in JSON's terms.
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		value := te.Value
		switch {
		case value == "array" || value == "object":
			value = "an " + value
		case value == "bool":
			value = "true or false"
		case strings.HasPrefix(value, "number"):
			value = "a number"
		default:
			value = "a " + value
		}
		want := "another kind of value"
		if te.Type != nil {
			switch te.Type.Kind() {
			case reflect.Struct, reflect.Map:
				want = "an object"
			case reflect.Slice, reflect.Array:
				want = "an array"
			case reflect.String:
				want = "a string"
			case reflect.Bool:
				want = "true or false"
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
				reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
				want = "a number"
			}
		}
		if te.Field == "" {
			return fmt.Sprintf("found %s where %s was expected", value, want)
		}
		return fmt.Sprintf("field %q holds %s where %s was expected", te.Field, value, want)
	}
	s := err.Error()
	if len(s) > 5 && s[:6] == "json: " {
		return s[6:]
	}
	return s
}

// TextPairReader reads pairs from plain-text files with one text per
// line: line i of each references file and line i of the predictions file
// make pair i, named by its line number. Several reference files give
// several references per pair. Lines may be empty (an empty text); the
// files must have the same number of lines.
type TextPairReader struct {
	refs []*lineReader
	pred *lineReader
}

// NewTextPairReader returns a reader over one predictions file and one or
// more references files, each with its name for errors.
func NewTextPairReader(pred io.Reader, predName string, refs []io.Reader, refNames []string) *TextPairReader {
	t := &TextPairReader{pred: newLineReader(pred, predName)}
	for i, r := range refs {
		t.refs = append(t.refs, newLineReader(r, refNames[i]))
	}
	return t
}

// Next returns the next pair, or io.EOF after the last.
func (t *TextPairReader) Next() (RougePair, error) {
	pline, perr := t.pred.next()
	if perr != nil && perr != io.EOF {
		return RougePair{}, perr
	}
	p := RougePair{Prediction: string(pline)}
	for _, lr := range t.refs {
		line, err := lr.next()
		if err != nil && err != io.EOF {
			return RougePair{}, err
		}
		if (err == io.EOF) != (perr == io.EOF) {
			return RougePair{}, t.lengthError(lr, perr == io.EOF)
		}
		if err == nil {
			if !utf8.Valid(line) {
				return RougePair{}, lr.errorf("", dataset.ErrInvalidUTF8, "re-encode the file as UTF-8")
			}
			p.References = append(p.References, string(line))
		}
	}
	if perr == io.EOF {
		return RougePair{}, io.EOF
	}
	if !utf8.ValidString(p.Prediction) {
		return RougePair{}, t.pred.errorf("", dataset.ErrInvalidUTF8, "re-encode the file as UTF-8")
	}
	p.Line = t.pred.line
	p.ID = strconv.Itoa(p.Line)
	return p, nil
}

// lengthError reports files of different lengths, counting the rest of
// the longer one.
func (t *TextPairReader) lengthError(ref *lineReader, predEnded bool) error {
	longer, shorter := ref, t.pred
	if !predEnded {
		longer, shorter = t.pred, ref
	}
	n := longer.line
	for {
		if _, err := longer.next(); err != nil {
			break
		}
		n = longer.line
	}
	return fmt.Errorf("eval: %s has %d lines but %s has %d; line i of each file must belong to pair i",
		longer.name, n, shorter.name, shorter.line)
}
