package eval

import (
	"bufio"
	"math"
	"strconv"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/jsonstr"
)

// PerExampleFile writes one JSONL line of scores per pair, in the order
// given (StreamOptions.OnExample keeps input order), atomically: the file
// appears only on Commit, when every pair has been scored. A line is
// {"id", "scores": {type: {"precision", "recall", "fmeasure"}}}, numbers
// as encoding/json writes them.
type PerExampleFile struct {
	f     *atomicfile.File
	bw    *bufio.Writer
	types []RougeType
	buf   []byte
}

// CreatePerExampleFile starts the file at path for the given types.
func CreatePerExampleFile(path string, types []RougeType) (*PerExampleFile, error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, err
	}
	return &PerExampleFile{f: f, bw: bufio.NewWriterSize(f, 256<<10), types: types}, nil
}

// Write writes a pair's line; it is a StreamOptions.OnExample.
func (p *PerExampleFile) Write(pair *RougePair, scores []Score) error {
	p.buf = AppendPerExample(p.buf[:0], pair.ID, p.types, scores)
	_, err := p.bw.Write(p.buf)
	return err
}

// AppendPerExample appends one pair's per-example line, with its newline,
// to dst: {"id", "scores": {type: {"precision", "recall", "fmeasure"}}},
// scores[k] being the score of types[k]. It is the line [PerExampleFile]
// writes, for engines that write the lines themselves (osler batch rouge).
func AppendPerExample(dst []byte, id string, types []RougeType, scores []Score) []byte {
	b := append(dst, `{"id":`...)
	b = jsonstr.Append(b, id)
	b = append(b, `,"scores":{`...)
	for k, t := range types {
		if k > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, string(t))
		b = append(b, `:{"precision":`...)
		b = appendJSONFloat(b, scores[k].Precision)
		b = append(b, `,"recall":`...)
		b = appendJSONFloat(b, scores[k].Recall)
		b = append(b, `,"fmeasure":`...)
		b = appendJSONFloat(b, scores[k].FMeasure)
		b = append(b, '}')
	}
	return append(b, "}}\n"...)
}

// Commit publishes the file.
func (p *PerExampleFile) Commit() error {
	if err := p.bw.Flush(); err != nil {
		return err
	}
	return p.f.Commit()
}

// Abort removes the unfinished file; after Commit it does nothing.
func (p *PerExampleFile) Abort() { p.f.Abort() }

// appendJSONFloat formats f as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// "1e-07" -> "1e-7", as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
