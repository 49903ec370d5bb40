package dataset

import (
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Format is an on-disk dataset format.
type Format string

const (
	// FormatJSONL is one JSON object per line.
	FormatJSONL Format = "jsonl"
	// FormatCSV is the two-column, header-less "label,text" CSV of managed
	// custom-classification services.
	FormatCSV Format = "csv"
	// FormatTable is CSV or TSV with a header row and a column mapping.
	FormatTable Format = "table"
	// FormatText is plain text with one document per line and nothing
	// else (no labels, ids or header): the managed service's "one
	// document per line" input. Records are known by their line number.
	FormatText Format = "text"
)

// ParseFormat parses a --format/--from/--to value; "" means detect.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "":
		return "", nil
	case "jsonl", "ndjson", "json":
		return FormatJSONL, nil
	case "csv", "comprehend", "two-column":
		return FormatCSV, nil
	case "table", "header", "tsv":
		return FormatTable, nil
	case "text", "txt", "lines":
		return FormatText, nil
	}
	return "", &FieldError{Field: "format", Value: s, Msg: "want jsonl, csv (two-column label,text), table (CSV/TSV with a header) or text (one document per line)"}
}

// Options describe how a file is laid out. The zero value plus a path is
// enough for JSONL and for the two-column CSV.
type Options struct {
	// Format is the file format; empty means detect from the file name and
	// the column flags (see [Options.Resolve]).
	Format Format
	// Delimiter separates fields in CSV/TSV files. Zero means ',' for .csv
	// and tab for .tsv/.tab files.
	Delimiter rune
	// LabelDelimiter joins several labels in one CSV field. Default "|".
	LabelDelimiter string
	// Column mapping for FormatTable (header names). TextColumn is
	// required there; the others are optional.
	TextColumn    string
	LabelColumn   string
	SummaryColumn string
	IDColumn      string
	// UnlabeledAs, when set, is given as the only label to classification
	// records that have none (e.g. "clean").
	UnlabeledAs string
	// MaxLineBytes bounds one JSONL line or CSV record. Default 64 MiB.
	MaxLineBytes int
	// IgnoreLabels reads records without their labels: a JSONL "labels"
	// or "label" field may then hold anything (osler predict reads only
	// the text, so a gold file's labels of any shape do not stop it).
	IgnoreLabels bool
}

const defaultMaxLineBytes = 64 << 20

// Resolve fills in the defaults that depend on the file name: the format
// (".jsonl" and ".json" are JSONL; ".csv" and ".tsv" are the two-column
// CSV unless a column flag is set, then a table with a header; ".txt" is
// plain text, one document per line) and the delimiter (tab for
// ".tsv"/".tab", otherwise ',').
func (o Options) Resolve(path string) Options {
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(path, ".gz")))
	if o.Format == "" {
		switch {
		case ext == ".jsonl" || ext == ".json" || ext == ".ndjson":
			o.Format = FormatJSONL
		case o.TextColumn != "" || o.LabelColumn != "" || o.SummaryColumn != "" || o.IDColumn != "":
			o.Format = FormatTable
		case ext == ".csv" || ext == ".tsv" || ext == ".tab":
			o.Format = FormatCSV
		case ext == ".txt":
			o.Format = FormatText
		default:
			o.Format = FormatJSONL
		}
	}
	if o.Delimiter == 0 {
		if ext == ".tsv" || ext == ".tab" {
			o.Delimiter = '\t'
		} else {
			o.Delimiter = ','
		}
	}
	if o.LabelDelimiter == "" {
		o.LabelDelimiter = "|"
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = defaultMaxLineBytes
	}
	return o
}

// ParseDelimiter parses a --delimiter flag: a single character, or one of
// the names "tab", "comma", "semicolon", "pipe" or the escape `\t`.
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
		return 0, &FieldError{Field: "delimiter", Value: s, Msg: `want one character such as "," or ";" or the word "tab"`}
	}
	return r, nil
}
