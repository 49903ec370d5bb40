package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/osler-health/osler/internal/dataset"
)

var dataConvertDoc = cmdDoc{
	Usage: "osler data convert [flags] IN OUT",
	Summary: `Convert a dataset between formats: JSONL ({"id","text","labels"} or {"id","source","summary"}), ` +
		`the two-column CSV of managed custom classifiers ("label,text", "label1|label2,text", no header) and CSV/TSV with a header. ` +
		`Formats come from the file extensions unless --format/--to say otherwise; "-" is stdin or stdout. ` +
		`A .txt OUT holds the texts only, one per line: the managed service's "one document per line" input. ` +
		`Classification rows without a label are written as they are, and counted in a warning on stderr with their first line numbers ` +
		`(the managed service rejects such training rows; Osler's multi-label training reads them as negatives for every label; --unlabeled-as gives them a label). ` +
		`The input is streamed, and OUT appears only once it is complete.`,
	Example: `osler data convert train.csv train.jsonl
osler data convert --format table --text-column note_text --label-column specialty notes.tsv notes.jsonl
osler data convert --to csv --to-label-delimiter '|' train.jsonl comprehend-train.csv
osler data convert test.jsonl test.txt`,
}

func (m *Main) runDataConvert(ctx context.Context, args []string) error {
	fs := m.newFlagSet(dataConvertDoc)
	var in, out dataFlags
	in.register(fs, "")
	to := fs.String("to", "", "output format: jsonl, csv or table; default: from OUT's extension")
	toDelim := fs.String("to-delimiter", "", "output CSV field delimiter; default as for input")
	toLabelDelim := fs.String("to-label-delimiter", "|", "output separator between labels in one CSV field")
	pos, err := m.parseFlags(fs, dataConvertDoc, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError{errors.New("data convert: want IN and OUT (see --help)")}
	}
	inOpts, err := in.options()
	if err != nil {
		return err
	}
	out.format, out.delimiter, out.labelDelimiter = *to, *toDelim, *toLabelDelim
	out.textColumn, out.labelColumn, out.summaryColumn, out.id = in.textColumn, in.labelColumn, in.summaryColumn, in.id
	outOpts, err := out.options()
	if err != nil {
		return err
	}
	st, err := dataset.ConvertFile(ctx, pos[0], pos[1], m.Stdin, m.Stdout, inOpts, outOpts)
	if err != nil {
		return err
	}
	if pos[1] != "-" {
		fmt.Fprintf(m.Stderr, "wrote %d %s records to %s\n", st.Records, st.Kind, pos[1])
	}
	if w := st.UnlabeledWarning(pos[0]); w != "" {
		fmt.Fprintln(m.Stderr, w)
	}
	return nil
}
