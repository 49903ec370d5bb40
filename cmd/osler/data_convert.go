package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/osler-health/osler/internal/dataset"
)

var dataConvertDoc = helpDoc("data-convert")

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
