package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidCSV wraps encoding/csv's own errors (e.g. a bare quote).
var ErrInvalidCSV = errors.New("invalid CSV")

// Reader reads records one at a time. Read returns io.EOF after the last
// record. A *ParseError is returned for a record that cannot be decoded;
// the next Read continues with the following record.
type Reader interface {
	Read() (Record, error)
}

// File is an open dataset file.
type File struct {
	Reader
	Name    string  // as given; "-" for standard input
	Options Options // resolved options
	closer  io.Closer
}

// Close closes the underlying file.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// Open opens a dataset file for reading; "-" reads stdin. opts are resolved
// against the file name (see [Options.Resolve]).
func Open(name string, stdin io.Reader, opts Options) (*File, error) {
	opts = opts.Resolve(name)
	rc, err := OpenInput(name, stdin)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	rd, err := NewReader(rc, name, opts)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &File{Reader: rd, Name: name, Options: opts, closer: rc}, nil
}

// OpenInput opens a file of any kind for reading; "-" reads stdin (nil:
// os.Stdin), which closing leaves open. The error of a file that cannot be
// opened is os.Open's.
func OpenInput(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		return io.NopCloser(stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// NewReader returns a reader for r in the format opts names. name is used
// in error messages only. opts should already be resolved.
func NewReader(r io.Reader, name string, opts Options) (Reader, error) {
	opts = opts.Resolve(name)
	switch opts.Format {
	case FormatJSONL:
		return NewJSONLReader(r, name, opts), nil
	case FormatCSV:
		return NewCSVReader(r, name, opts), nil
	case FormatTable:
		return NewTableReader(r, name, opts)
	case FormatText:
		return NewTextReader(r, name, opts), nil
	}
	return nil, &FieldError{Field: "format", Value: string(opts.Format), Msg: "unknown format"}
}

// ReadAll reads every record of a file, stopping at the first error.
func ReadAll(name string, stdin io.Reader, opts Options) ([]Record, error) {
	f, err := Open(name, stdin, opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	for {
		rec, err := f.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}

// ---- JSONL ----

// JSONLReader reads one JSON object per line. Blank lines are skipped.
type JSONLReader struct {
	br   *bufio.Reader
	name string
	opts Options
	line int
	long []byte // buffer for lines longer than the bufio buffer
	rec  jsonlRecord
}

// NewJSONLReader returns a reader of JSONL records from r.
func NewJSONLReader(r io.Reader, name string, opts Options) *JSONLReader {
	opts = opts.Resolve(name)
	return &JSONLReader{br: bufio.NewReaderSize(r, 256<<10), name: name, opts: opts}
}

// jsonlRecord is the union of the classification and summarization shapes.
type jsonlRecord struct {
	ID      flexString `json:"id"`
	Text    *string    `json:"text"`
	Source  *string    `json:"source"`
	Summary *string    `json:"summary"`
	Labels  flexLabels `json:"labels"`
	Label   flexLabels `json:"label"`
	Split   string     `json:"split"`
	// Synthetic is never set by fastDecode, which leaves lines with the
	// key to encoding/json.
	Synthetic *Provenance `json:"synthetic"`
}

// readLine returns the next line without its terminator; the slice is valid
// until the next call.
func (r *JSONLReader) readLine() ([]byte, error) {
	line, tooLong, err := readChunk(r.br, &r.long, r.opts.MaxLineBytes)
	if tooLong {
		r.line++
		return nil, lineTooLong(r.name, r.line, r.opts.MaxLineBytes)
	}
	if len(line) == 0 && err != nil {
		return nil, err
	}
	r.line++
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if err != nil && err != io.EOF {
		return nil, err
	}
	return line, nil
}

// readChunk reads up to and including the next LF (a file's last line may
// lack it); the chunk is valid until the next call, long holding a line
// longer than br's buffer. A line over max bytes is skipped to its end, so
// the next read starts cleanly, and reported as tooLong.
func readChunk(br *bufio.Reader, long *[]byte, max int) (chunk []byte, tooLong bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, false, err
	}
	*long = append((*long)[:0], line...)
	for err == bufio.ErrBufferFull {
		if len(*long) > max {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			return nil, true, nil
		}
		line, err = br.ReadSlice('\n')
		*long = append(*long, line...)
	}
	return *long, false, err
}

// lineTooLong is the error for a line over the limit.
func lineTooLong(name string, line, max int) error {
	return &ParseError{File: name, Line: line, Err: ErrLineTooLong, Hint: fmt.Sprintf("lines are limited to %d bytes", max)}
}

// Read returns the next record.
func (r *JSONLReader) Read() (Record, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return Record{}, err
		}
		if r.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return r.decode(line)
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (r *JSONLReader) decode(line []byte) (Record, error) {
	if !utf8.Valid(line) {
		return Record{}, &ParseError{File: r.name, Line: r.line, Field: invalidUTF8Field(line), Err: ErrInvalidUTF8,
			Hint: fmt.Sprintf("byte offset %d; re-encode the file as UTF-8", invalidUTF8Offset(line))}
	}
	r.rec = jsonlRecord{}
	if fastDecode(line, &r.rec) {
		return r.record()
	}
	r.rec = jsonlRecord{}
	if r.opts.IgnoreLabels {
		// Labels of any shape are skipped, not decoded.
		var v struct {
			ID      flexString  `json:"id"`
			Text    *string     `json:"text"`
			Source  *string     `json:"source"`
			Summary *string     `json:"summary"`
			Labels  ignored     `json:"labels"`
			Label   ignored     `json:"label"`
			Split   string      `json:"split"`
			Synth   *Provenance `json:"synthetic"`
		}
		if json.Unmarshal(line, &v) == nil {
			r.rec = jsonlRecord{ID: v.ID, Text: v.Text, Source: v.Source, Summary: v.Summary, Split: v.Split, Synthetic: v.Synth}
			return r.record()
		}
	}
	if err := json.Unmarshal(line, &r.rec); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Record{}, &ParseError{File: r.name, Line: r.line, Err: fmt.Errorf("%w: %s", ErrInvalidJSON, jsonErrorText(err)),
				Hint: "each line must be one JSON object"}
		}
		// Valid JSON of the wrong shape: find the field, and say what it
		// should hold in JSON's terms (encoding/json's message names Go
		// types, and a custom decoder's does not name its field).
		return Record{}, r.shapeError(line, err)
	}
	return r.record()
}

// jsonlFields are the fields of a JSONL record: what each must hold, and
// a decoder into the type jsonlRecord gives it.
var jsonlFields = []struct {
	name, want, hint string
	decode           func(raw []byte) error
}{
	{"id", "a string or a number", `e.g. "id": "17"`, func(b []byte) error { var v flexString; return json.Unmarshal(b, &v) }},
	{"text", "a string", `the document, as one JSON string`, func(b []byte) error { var v *string; return json.Unmarshal(b, &v) }},
	{"source", "a string", `the document to summarize, as one JSON string`, func(b []byte) error { var v *string; return json.Unmarshal(b, &v) }},
	{"summary", "a string", `the reference summary, as one JSON string`, func(b []byte) error { var v *string; return json.Unmarshal(b, &v) }},
	{"labels", "an array of strings (or one string)", `e.g. "labels": ["sepsis", "pneumonia"]`, func(b []byte) error { var v flexLabels; return json.Unmarshal(b, &v) }},
	{"label", "an array of strings (or one string)", `e.g. "label": "sepsis"`, func(b []byte) error { var v flexLabels; return json.Unmarshal(b, &v) }},
	{"split", "a string", `e.g. "split": "train"`, func(b []byte) error { var v string; return json.Unmarshal(b, &v) }},
	{"synthetic", "an object", `the provenance of a generated row, e.g. "synthetic": {"backend": "openai", "model": "...", "prompt_sha256": "...", "seed": 1, "shots": ["..."]}`, func(b []byte) error { var v *Provenance; return json.Unmarshal(b, &v) }},
}

// shapeError describes why a line of valid JSON does not decode as a
// record: not an object, or which field holds what instead of what it
// should. It never quotes values, which may be patient text.
func (r *JSONLReader) shapeError(line []byte, err error) *ParseError {
	var obj map[string]json.RawMessage
	if json.Unmarshal(line, &obj) != nil || obj == nil {
		return &ParseError{File: r.name, Line: r.line, Err: fmt.Errorf("%w: the line is %s, not an object", ErrWrongType, jsonKind(bytes.TrimSpace(line))),
			Hint: `each line must be one JSON object, e.g. {"id": "1", "text": "...", "labels": ["..."]}`}
	}
	for _, f := range jsonlFields {
		if r.opts.IgnoreLabels && (f.name == "labels" || f.name == "label") {
			continue
		}
		// encoding/json matches a key exactly, else case-insensitively.
		for key, raw := range obj {
			if key != f.name && !strings.EqualFold(key, f.name) {
				continue
			}
			if f.decode(raw) == nil {
				continue
			}
			what := jsonKind(raw)
			if raw[0] == '[' && (f.name == "labels" || f.name == "label") {
				var elems []json.RawMessage
				if json.Unmarshal(raw, &elems) == nil {
					for _, e := range elems {
						if len(e) > 0 && e[0] != '"' {
							what = "an array holding " + jsonKind(e)
							break
						}
					}
				}
			}
			return &ParseError{File: r.name, Line: r.line, Field: f.name,
				Err: fmt.Errorf("%w: must be %s, not %s", ErrWrongType, f.want, what), Hint: f.hint}
		}
	}
	// Not expected: every field decodes alone. Say so without Go types.
	return &ParseError{File: r.name, Line: r.line, Err: fmt.Errorf("%w: the record does not decode", ErrWrongType),
		Hint: `"id" is a string or a number, "text", "source" and "summary" are strings, "labels" is an array of strings`}
}

// jsonKind names the kind of a JSON value, with its article.
func jsonKind(raw []byte) string {
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// record converts the decoded line into a Record.
func (r *JSONLReader) record() (Record, error) {
	rec := Record{ID: string(r.rec.ID), Split: r.rec.Split, Line: r.line, Synthetic: r.rec.Synthetic}
	switch {
	case r.rec.Text != nil:
		rec.Text = *r.rec.Text
	case r.rec.Source != nil:
		rec.Text = *r.rec.Source
	default:
		return Record{}, &ParseError{File: r.name, Line: r.line, Field: "text", Err: ErrMissingField,
			Hint: `each line needs "text" (classification) or "source" (summarization)`}
	}
	if r.rec.Summary != nil {
		rec.Summary = *r.rec.Summary
	}
	if r.rec.Source != nil || r.rec.Summary != nil {
		rec.Kind = KindSummarization
	}
	rec.Labels = []string(r.rec.Labels)
	if rec.Labels == nil && r.rec.Label != nil {
		rec.Labels = []string(r.rec.Label)
	}
	if r.opts.IgnoreLabels {
		rec.Labels = nil
	}
	if len(rec.Labels) == 0 && r.opts.UnlabeledAs != "" && rec.Kind == KindClassification {
		rec.Labels = []string{r.opts.UnlabeledAs}
	}
	return rec, nil
}

// jsonErrorText drops encoding/json's "json: " prefix, which says nothing
// the hint does not.
func jsonErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// invalidUTF8Field guesses which JSON field holds the first invalid byte:
// the field whose name appears last before it.
func invalidUTF8Field(b []byte) string {
	off := invalidUTF8Offset(b)
	if off < 0 {
		return ""
	}
	best, bestAt := "", -1
	for _, f := range []string{"id", "text", "source", "summary", "labels", "label"} {
		if at := bytes.LastIndex(b[:off], []byte(`"`+f+`"`)); at > bestAt {
			best, bestAt = f, at
		}
	}
	return best
}

// ignored accepts any JSON value and keeps nothing.
type ignored struct{}

func (ignored) UnmarshalJSON([]byte) error { return nil }

// flexString accepts a JSON string or number (ids are often numeric).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	if string(b) == "null" {
		*s = ""
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("%w: id must be a string or a number", ErrWrongType)
	}
	*s = flexString(b)
	return nil
}

// flexLabels accepts an array of strings, a single string or null.
type flexLabels []string

func (l *flexLabels) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*l = flexLabels{v}
		return nil
	case len(b) > 0 && b[0] == '[':
		var v []string
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("%w: labels must be strings", ErrWrongType)
		}
		if v == nil {
			v = []string{}
		}
		*l = v
		return nil
	}
	return fmt.Errorf("%w: labels must be an array of strings", ErrWrongType)
}

// ---- two-column CSV ----

// CSVReader reads the header-less two-column "label,text" CSV.
type CSVReader struct {
	cr    *csv.Reader
	name  string
	opts  Options
	first bool
}

// NewCSVReader returns a reader of two-column CSV records from r.
func NewCSVReader(r io.Reader, name string, opts Options) *CSVReader {
	opts = opts.Resolve(name)
	cr := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	cr.Comma = opts.Delimiter
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &CSVReader{cr: cr, name: name, opts: opts, first: true}
}

// Read returns the next record.
func (r *CSVReader) Read() (Record, error) {
	for {
		fields, err := r.cr.Read()
		if err != nil {
			return Record{}, csvError(r.name, err)
		}
		line, _ := r.cr.FieldPos(0)
		if r.first {
			r.first = false
			fields[0] = strings.TrimPrefix(fields[0], "\uFEFF")
		}
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			continue // blank line
		}
		for i, f := range fields {
			if !utf8.ValidString(f) {
				field := "text"
				if i == 0 && len(fields) > 1 {
					field = "label"
				}
				return Record{}, &ParseError{File: r.name, Line: line, Field: field, Err: ErrInvalidUTF8,
					Hint: fmt.Sprintf("byte offset %d of the field; re-encode the file as UTF-8", invalidUTF8Offset([]byte(f)))}
			}
		}
		if len(fields) != 2 {
			return Record{}, &ParseError{File: r.name, Line: line, Err: fmt.Errorf("%w: %d, want 2 (label%stext)", ErrFieldCount, len(fields), string(r.opts.Delimiter)),
				Hint: fieldCountHint(fields, r.opts.Delimiter)}
		}
		rec := Record{Text: fields[1], Line: line, Labels: splitLabels(fields[0], r.opts.LabelDelimiter)}
		if len(rec.Labels) == 0 && r.opts.UnlabeledAs != "" {
			rec.Labels = []string{r.opts.UnlabeledAs}
		}
		return rec, nil
	}
}

// splitLabels splits a label field; an empty field means no label.
func splitLabels(field, delim string) []string {
	if field == "" {
		return nil
	}
	return strings.Split(field, delim)
}

// fieldCountHint suggests the fix for a CSV line with the wrong field count.
func fieldCountHint(fields []string, delim rune) string {
	if len(fields) == 1 {
		for _, d := range []rune{';', '\t', '|', ','} {
			if d != delim && strings.ContainsRune(fields[0], d) {
				name := string(d)
				if d == '\t' {
					name = "tab"
				}
				return fmt.Sprintf("the line seems to use %q as its delimiter; fix the line or pass --delimiter %q", name, name)
			}
		}
		return "the line has no delimiter: put the label first, then the text"
	}
	return fmt.Sprintf("quote the text when it contains %q, or check --delimiter", string(delim))
}

func csvError(name string, err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Line: pe.StartLine, Err: fmt.Errorf("%w: %v (column %d)", ErrInvalidCSV, pe.Err, pe.Column),
			Hint: `quote fields that contain quotes, delimiters or newlines, and double quotes inside them ("")`}
	}
	return fmt.Errorf("dataset: %s: %w", name, err)
}

// ---- CSV/TSV with a header ----

// TableReader reads CSV or TSV with a header row, mapping columns by name.
type TableReader struct {
	cr                             *csv.Reader
	name                           string
	opts                           Options
	text, label, summary, id, size int
}

// NewTableReader reads the header of r and returns a reader for its rows.
func NewTableReader(r io.Reader, name string, opts Options) (*TableReader, error) {
	opts = opts.Resolve(name)
	cr := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	cr.Comma = opts.Delimiter
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Line: 1, Err: ErrMissingColumn, Hint: "the file is empty; a header row is expected"}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	t := &TableReader{cr: cr, name: name, opts: opts, text: -1, label: -1, summary: -1, id: -1}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		header[i] = h
		if _, dup := cols[strings.ToLower(h)]; !dup {
			cols[strings.ToLower(h)] = i
		}
	}
	find := func(flagName, want string, defaults ...string) (int, error) {
		if want != "" {
			if i, ok := cols[strings.ToLower(want)]; ok {
				return i, nil
			}
			return -1, &ParseError{File: name, Line: 1, Field: want, Err: ErrMissingColumn,
				Hint: fmt.Sprintf("--%s names a column the header lacks; the header has %s", flagName, strings.Join(quoteAll(header), ", "))}
		}
		for _, d := range defaults {
			if i, ok := cols[d]; ok {
				return i, nil
			}
		}
		return -1, nil
	}
	if t.text, err = find("text-column", opts.TextColumn, "text", "source", "document", "note"); err != nil {
		return nil, err
	}
	if t.text < 0 {
		return nil, &ParseError{File: name, Line: 1, Field: "text", Err: ErrMissingColumn,
			Hint: fmt.Sprintf("name the text column with --text-column; the header has %s", strings.Join(quoteAll(header), ", "))}
	}
	if t.label, err = find("label-column", opts.LabelColumn, "labels", "label", "class", "category"); err != nil {
		return nil, err
	}
	if t.summary, err = find("summary-column", opts.SummaryColumn, "summary", "target", "impression"); err != nil {
		return nil, err
	}
	if t.id, err = find("id-column", opts.IDColumn, "id"); err != nil {
		return nil, err
	}
	t.size = max(t.text, t.label, t.summary, t.id) + 1
	return t, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// Read returns the next row.
func (t *TableReader) Read() (Record, error) {
	for {
		fields, err := t.cr.Read()
		if err != nil {
			return Record{}, csvError(t.name, err)
		}
		line, _ := t.cr.FieldPos(0)
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			continue
		}
		if len(fields) < t.size {
			return Record{}, &ParseError{File: t.name, Line: line, Err: fmt.Errorf("%w: %d, the header has at least %d", ErrFieldCount, len(fields), t.size),
				Hint: fieldCountHint(fields, t.opts.Delimiter)}
		}
		for i, f := range fields {
			if !utf8.ValidString(f) {
				return Record{}, &ParseError{File: t.name, Line: line, Field: fmt.Sprintf("column %d", i+1), Err: ErrInvalidUTF8,
					Hint: "re-encode the file as UTF-8"}
			}
		}
		rec := Record{Text: fields[t.text], Line: line}
		if t.id >= 0 {
			rec.ID = fields[t.id]
		}
		if t.summary >= 0 {
			rec.Summary = fields[t.summary]
			if t.label < 0 {
				rec.Kind = KindSummarization
			}
		}
		if t.label >= 0 {
			rec.Labels = splitLabels(fields[t.label], t.opts.LabelDelimiter)
			if len(rec.Labels) == 0 && t.opts.UnlabeledAs != "" {
				rec.Labels = []string{t.opts.UnlabeledAs}
			}
		}
		return rec, nil
	}
}

// HasSummary reports whether the table maps a summary column.
func (t *TableReader) HasSummary() bool { return t.summary >= 0 }
