package dataset

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ConvertStats say what [ConvertFile] wrote.
type ConvertStats struct {
	Records int
	// Kind is the output's kind: the first record's (classification for
	// an empty input).
	Kind Kind
	// Unlabeled counts the classification records written without a
	// label (not for a text output, which keeps no labels);
	// FirstUnlabeled are the input lines of the first few.
	Unlabeled      int
	FirstUnlabeled []int
}

// ConvertFile streams the records of one file into another ("-" is
// stdin and stdout), in the formats the options give. The output appears
// only once complete.
func ConvertFile(ctx context.Context, inPath, outPath string, stdin io.Reader, stdout io.Writer, inOpts, outOpts Options) (ConvertStats, error) {
	var st ConvertStats
	src, err := Open(inPath, stdin, inOpts)
	if err != nil {
		return st, err
	}
	defer src.Close()
	textOut := outOpts.Resolve(outPath).Format == FormatText
	var dst *OutputFile
	defer func() {
		if dst != nil {
			dst.Abort()
		}
	}()
	st.Kind = KindClassification
	for {
		if st.Records%4096 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		rec, err := src.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
		if dst == nil {
			st.Kind = rec.Kind
			if dst, err = Create(outPath, stdout, st.Kind, outOpts); err != nil {
				return st, err
			}
		}
		if err := dst.Write(rec); err != nil {
			return st, fmt.Errorf("%s: %w", outPath, err)
		}
		if rec.Kind == KindClassification && len(rec.Labels) == 0 && !textOut {
			if st.Unlabeled++; len(st.FirstUnlabeled) < 5 {
				st.FirstUnlabeled = append(st.FirstUnlabeled, rec.Line)
			}
		}
		st.Records++
	}
	if dst == nil {
		if dst, err = Create(outPath, stdout, st.Kind, outOpts); err != nil {
			return st, err
		}
	}
	err = dst.Commit()
	dst = nil
	return st, err
}

// UnlabeledWarning is the warning about the rows written without a label
// ("" when there are none); in names the input.
func (st ConvertStats) UnlabeledWarning(in string) string {
	if st.Unlabeled == 0 {
		return ""
	}
	if in == "-" {
		in = "stdin"
	}
	return fmt.Sprintf("warning: %d of the %d rows written have no label (%s %s); the managed service rejects unlabeled training rows, Osler's multi-label training reads them as negatives for every label, and --unlabeled-as LABEL gives them one",
		st.Unlabeled, st.Records, in, lineList(st.FirstUnlabeled, st.Unlabeled))
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
