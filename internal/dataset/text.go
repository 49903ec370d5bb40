package dataset

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ---- plain text, one document per line ----

// TextReader reads plain text with one document per line, the managed
// classification service's "one document per line" input: no header, no
// labels, no ids. A line ends with LF, CR or CRLF (as the service
// accepts). Each record's Line is its line number, so a record is known by
// it (osler predict writes it as the id, and as the service's 0-based
// "Line" minus one). Blank lines hold no document and are skipped; the
// lines after them keep their numbers. A UTF-8 byte order mark that starts
// a line is dropped (files joined with cat keep theirs).
type TextReader struct {
	br    *bufio.Reader
	name  string
	opts  Options
	line  int
	long  []byte
	queue [][]byte // lines split at lone CRs, not yet returned
}

// NewTextReader returns a reader of one document per line from r.
func NewTextReader(r io.Reader, name string, opts Options) *TextReader {
	opts = opts.Resolve(name)
	return &TextReader{br: bufio.NewReaderSize(r, 256<<10), name: name, opts: opts}
}

// readLine returns the next LF-terminated chunk without the LF; it is
// valid until the next call. Line numbers are Read's to count (a chunk may
// hold several lines split by lone CRs).
func (r *TextReader) readLine() ([]byte, error) {
	line, tooLong, err := readChunk(r.br, &r.long, r.opts.MaxLineBytes)
	if tooLong {
		r.line++
		return nil, lineTooLong(r.name, r.line, r.opts.MaxLineBytes)
	}
	if len(line) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(line) > r.opts.MaxLineBytes+1 {
		r.line++
		return nil, lineTooLong(r.name, r.line, r.opts.MaxLineBytes)
	}
	return bytes.TrimSuffix(line, []byte{'\n'}), nil
}

// Read returns the next document.
func (r *TextReader) Read() (Record, error) {
	for {
		if len(r.queue) == 0 {
			chunk, err := r.readLine()
			if err != nil {
				return Record{}, err
			}
			chunk = bytes.TrimSuffix(chunk, []byte{'\r'})
			if bytes.IndexByte(chunk, '\r') < 0 {
				r.queue = append(r.queue[:0], chunk)
			} else {
				r.queue = append(r.queue[:0], bytes.Split(chunk, []byte{'\r'})...)
			}
		}
		text := r.queue[0]
		r.queue = r.queue[1:]
		r.line++
		for bytes.HasPrefix(text, utf8BOM) {
			text = text[len(utf8BOM):]
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if !utf8.Valid(text) {
			return Record{}, &ParseError{File: r.name, Line: r.line, Err: ErrInvalidUTF8,
				Hint: fmt.Sprintf("byte offset %d; re-encode the file as UTF-8", invalidUTF8Offset(text))}
		}
		rec := Record{Text: string(text), Line: r.line}
		if r.opts.UnlabeledAs != "" {
			rec.Labels = []string{r.opts.UnlabeledAs}
		}
		return rec, nil
	}
}

// TextWriter writes each record's text on a line of its own, the input of
// the managed service's "one document per line" jobs; ids, labels and
// summaries are not kept.
type TextWriter struct {
	bw *bufio.Writer
	n  int
}

// NewTextWriter returns a writer of one text per line.
func NewTextWriter(w io.Writer) *TextWriter {
	return &TextWriter{bw: bufio.NewWriterSize(w, 256<<10)}
}

// Write writes rec's text and a newline. A text that holds a line break
// would become several documents, so it is an error.
func (w *TextWriter) Write(rec Record) error {
	w.n++
	if strings.ContainsAny(rec.Text, "\r\n") {
		who := fmt.Sprintf("record %d", w.n)
		if rec.ID != "" {
			who += fmt.Sprintf(" (id %q)", rec.ID)
		}
		return fmt.Errorf("dataset: %s: the text spans several lines, and a .txt file holds one document per line; write jsonl or csv instead, or join the lines first", who)
	}
	if strings.TrimSpace(rec.Text) == "" {
		return fmt.Errorf("dataset: record %d: the text is empty, and a blank line holds no document in a .txt file", w.n)
	}
	w.bw.WriteString(rec.Text)
	return w.bw.WriteByte('\n')
}

// Flush writes buffered data.
func (w *TextWriter) Flush() error { return w.bw.Flush() }
