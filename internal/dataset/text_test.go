package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func readText(t *testing.T, in string, opts Options) ([]Record, error) {
	t.Helper()
	r := NewTextReader(strings.NewReader(in), "notes.txt", opts)
	var out []Record
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

// TestTextReader checks one document per line: every line ending the
// service accepts (LF, CR, CRLF), blank lines skipped with their numbers
// kept, a byte order mark dropped.
func TestTextReader(t *testing.T) {
	in := "\ufeffFirst note.\r\nSecond note, with a comma.\n\n   \nFifth line\rsixth line\r\n\ufeff\"Quoted\" text\tand a tab\nlast line without newline"
	got, err := readText(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Text: "First note.", Line: 1},
		{Text: "Second note, with a comma.", Line: 2},
		{Text: "Fifth line", Line: 5},
		{Text: "sixth line", Line: 6},
		{Text: "\"Quoted\" text\tand a tab", Line: 7},
		{Text: "last line without newline", Line: 8},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Text != want[i].Text || got[i].Line != want[i].Line || got[i].ID != "" || got[i].Labels != nil {
			t.Errorf("record %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// --unlabeled-as applies, as for the other formats.
	got, _ = readText(t, "a\n", Options{UnlabeledAs: "clean"})
	if len(got) != 1 || len(got[0].Labels) != 1 || got[0].Labels[0] != "clean" {
		t.Errorf("unlabeled-as: %+v", got)
	}
}

func TestTextReaderErrors(t *testing.T) {
	_, err := readText(t, "fine\nbad \xff byte\n", Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !errors.Is(err, ErrInvalidUTF8) || strings.Contains(err.Error(), "bad") {
		t.Errorf("invalid UTF-8: %v (the message must name the line, never the text)", err)
	}
	long := strings.Repeat("x", 300) + "\nshort\n"
	r := NewTextReader(strings.NewReader(long), "n.txt", Options{MaxLineBytes: 100})
	if _, err := r.Read(); !errors.As(err, &pe) || pe.Line != 1 || !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("long line: %v", err)
	}
	if rec, err := r.Read(); err != nil || rec.Text != "short" || rec.Line != 2 {
		t.Errorf("after a long line: %+v %v", rec, err)
	}
}

func TestTextFormatResolve(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		want Format
	}{
		{"notes.txt", Options{}, FormatText},
		{"NOTES.TXT", Options{}, FormatText},
		{"notes.txt.gz", Options{}, FormatText},
		{"notes.txt", Options{TextColumn: "note"}, FormatTable},
		{"notes.csv", Options{}, FormatCSV},
	} {
		if got := tt.opts.Resolve(tt.name).Format; got != tt.want {
			t.Errorf("%s %+v: %s, want %s", tt.name, tt.opts, got, tt.want)
		}
	}
	for _, s := range []string{"text", "txt", "lines"} {
		if f, err := ParseFormat(s); err != nil || f != FormatText {
			t.Errorf("ParseFormat(%q) = %s, %v", s, f, err)
		}
	}
}

func TestTextWriter(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "out.txt", KindClassification, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Record{ID: "a", Text: "one", Labels: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Record{ID: "b", Text: "two\nlines"}); err == nil || !strings.Contains(err.Error(), `record 2 (id "b"): the text spans several lines`) {
		t.Errorf("multi-line text: %v", err)
	}
	if err := w.Write(Record{Text: "  "}); err == nil || !strings.Contains(err.Error(), "record 3: the text is empty") {
		t.Errorf("empty text: %v", err)
	}
	w.Flush()
	if buf.String() != "one\n" {
		t.Errorf("wrote %q", buf.String())
	}
}

// FuzzTextReader: any input reads without panics, with lines in 1..n+1
// and valid UTF-8, and what is read writes and reads back the same.
func FuzzTextReader(f *testing.F) {
	for _, s := range []string{"a\nb\r\nc\rd", "\ufeffx\n\n  \ny", "caf\xe9\nok", "\r\r\n\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		lines := strings.Count(in, "\n") + strings.Count(in, "\r") + 1
		recs := readBounded(t, NewTextReader(strings.NewReader(in), "f.txt", Options{MaxLineBytes: 1 << 16}), lines+1)
		prev := 0
		for _, rec := range recs {
			if rec.Line <= prev || rec.Line > lines || !utf8.ValidString(rec.Text) || strings.ContainsAny(rec.Text, "\r\n") {
				t.Fatalf("record %+v after line %d of %d", rec, prev, lines)
			}
			prev = rec.Line
		}
		// What was read round-trips.
		roundTrip(t, "x.txt", KindClassification, Options{}.Resolve("x.txt"), recs, func(a, b Record) bool {
			return a.Text == b.Text
		})
	})
}

func ExampleTextReader() {
	r := NewTextReader(strings.NewReader("Rash after amoxicillin.\n\nNo complaints today.\n"), "notes.txt", Options{})
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		fmt.Printf("line %d: %s\n", rec.Line, rec.Text)
	}
	// Output:
	// line 1: Rash after amoxicillin.
	// line 3: No complaints today.
}
