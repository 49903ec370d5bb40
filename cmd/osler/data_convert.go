package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

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
	res, err := convertDataset(ctx, pos[0], pos[1], m.Stdin, m.Stdout, inOpts, outOpts)
	if err != nil {
		return err
	}
	if pos[1] != "-" {
		fmt.Fprintf(m.Stderr, "wrote %d %s records to %s\n", res.n, res.kind, pos[1])
	}
	if n := res.unlabeled; n > 0 {
		in := pos[0]
		if in == "-" {
			in = "stdin"
		}
		fmt.Fprintf(m.Stderr, "warning: %d of the %d rows written have no label (%s %s); the managed service rejects unlabeled training rows, Osler's multi-label training reads them as negatives for every label, and --unlabeled-as LABEL gives them one\n",
			n, res.n, in, lineList(res.firstUnlabeled, n))
	}
	return nil
}

// lineList formats the first of total line numbers as "line 4" or
// "lines 4, 9, 12 and 7 more".
func lineList(first []int, total int) string {
	parts := make([]string, len(first))
	for i, l := range first {
		parts[i] = strconv.Itoa(l)
	}
	s := "line " + strings.Join(parts, ", ")
	if total > 1 {
		s = "lines " + strings.Join(parts, ", ")
	}
	if total > len(first) {
		s += fmt.Sprintf(" and %d more", total-len(first))
	}
	return s
}

// converted is what convertDataset did.
type converted struct {
	n    int
	kind dataset.Kind
	// unlabeled counts the classification records written without a
	// label (not for a text output, which keeps no labels);
	// firstUnlabeled are the input lines of the first few.
	unlabeled      int
	firstUnlabeled []int
}

// convertDataset streams records from one file into another. The kind of
// the output (classification or summarization) follows the first record.
func convertDataset(ctx context.Context, inPath, outPath string, stdin io.Reader, stdout io.Writer, inOpts, outOpts dataset.Options) (converted, error) {
	var res converted
	src, err := dataset.Open(inPath, stdin, inOpts)
	if err != nil {
		return res, err
	}
	textOut := outOpts.Resolve(outPath).Format == dataset.FormatText
	defer src.Close()
	var dst *dataset.OutputFile
	defer func() {
		if dst != nil {
			dst.Abort()
		}
	}()
	res.kind = dataset.KindClassification
	for {
		if res.n%4096 == 0 && ctx.Err() != nil {
			return res, ctx.Err()
		}
		rec, err := src.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		if dst == nil {
			res.kind = rec.Kind
			if dst, err = dataset.Create(outPath, stdout, res.kind, outOpts); err != nil {
				return res, err
			}
		}
		if err := dst.Write(rec); err != nil {
			return res, fmt.Errorf("%s: %w", outPath, err)
		}
		if rec.Kind == dataset.KindClassification && len(rec.Labels) == 0 && !textOut {
			if res.unlabeled++; len(res.firstUnlabeled) < 5 {
				res.firstUnlabeled = append(res.firstUnlabeled, rec.Line)
			}
		}
		res.n++
	}
	if dst == nil {
		if dst, err = dataset.Create(outPath, stdout, res.kind, outOpts); err != nil {
			return res, err
		}
	}
	err = dst.Commit()
	dst = nil
	return res, err
}
