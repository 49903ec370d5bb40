package main

import (
	"flag"

	"github.com/osler-health/osler/internal/dataset"
)

// dataFlags are the flags that describe an input file's layout. Every
// command that reads a dataset registers them, so every command accepts
// every format of the data layer.
type dataFlags struct {
	format, delimiter, labelDelimiter          string
	textColumn, labelColumn, summaryColumn, id string
	unlabeledAs                                string
}

// register adds the flags to fs. prefix is prepended to each flag name
// (e.g. "in-" for convert's input side); usually it is empty.
func (d *dataFlags) register(fs *flag.FlagSet, prefix string) {
	fs.StringVar(&d.format, prefix+"format", "", "input format: jsonl, csv (two-column label,text without header), table (CSV/TSV with a header) or text (one document per line, no labels: .txt); default: from the file extension")
	fs.StringVar(&d.delimiter, prefix+"delimiter", "", `CSV field delimiter (one character, or "tab"); default "," and tab for .tsv`)
	fs.StringVar(&d.labelDelimiter, prefix+"label-delimiter", "|", "separator between several labels in one CSV field")
	fs.StringVar(&d.textColumn, prefix+"text-column", "", "header name of the text (or source) column of a CSV/TSV with a header")
	fs.StringVar(&d.labelColumn, prefix+"label-column", "", "header name of the label column of a CSV/TSV with a header")
	fs.StringVar(&d.summaryColumn, prefix+"summary-column", "", "header name of the summary column of a CSV/TSV with a header")
	fs.StringVar(&d.id, prefix+"id-column", "", "header name of the id column of a CSV/TSV with a header")
	fs.StringVar(&d.unlabeledAs, prefix+"unlabeled-as", "", "give rows without a label this label (e.g. clean) instead of reporting them")
}

// options converts the flags into dataset options.
func (d *dataFlags) options() (dataset.Options, error) {
	format, err := dataset.ParseFormat(d.format)
	if err != nil {
		return dataset.Options{}, usageError{err}
	}
	delim, err := dataset.ParseDelimiter(d.delimiter)
	if err != nil {
		return dataset.Options{}, usageError{err}
	}
	return dataset.Options{
		Format:         format,
		Delimiter:      delim,
		LabelDelimiter: d.labelDelimiter,
		TextColumn:     d.textColumn,
		LabelColumn:    d.labelColumn,
		SummaryColumn:  d.summaryColumn,
		IDColumn:       d.id,
		UnlabeledAs:    d.unlabeledAs,
	}, nil
}
