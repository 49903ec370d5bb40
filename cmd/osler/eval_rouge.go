package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/report"
)

var evalRougeDoc = cmdDoc{
	Usage: "osler eval rouge [flags] --pairs FILE.jsonl | --references R.txt --predictions P.txt",
	Summary: `Score generated text against references with ROUGE, computing exactly what Google's rouge-score 0.1.2 ` +
		`(Hugging Face evaluate's ROUGE) computes, on every core. --pairs reads JSONL lines {"id", "reference", "prediction"} ` +
		`("target" is accepted for "reference"; "references": [...] gives several, and the best counts); --references and ` +
		`--predictions read plain text, one text per line (repeat --references for several references). Prints the mean ` +
		`precision, recall and F of each type with seeded bootstrap intervals, and the distribution of F (count, mean, std, ` +
		`min, quartiles, max). The input is streamed; --per-example writes one JSONL line per pair in input order, and ` +
		`--report writes a self-contained HTML page with box plots.`,
	Example: `osler eval rouge --pairs predictions.jsonl --stemmer
osler eval rouge --references refs.txt --predictions preds.txt --types rouge1,rouge2,rougeL --format markdown
osler eval rouge --pairs dev.pairs.jsonl --stemmer --per-example scores.jsonl --report rouge.html`,
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (m *Main) runEvalRouge(ctx context.Context, args []string) error {
	const cmd = "eval rouge"
	fs := m.newFlagSet(evalRougeDoc)
	var rf rougeFlags
	rf.register(fs)
	pairsPath := fs.String("pairs", "", `JSONL file of {"id", "reference", "prediction"} lines ("-" reads stdin)`)
	var refPaths stringList
	fs.Var(&refPaths, "references", "text file with one reference per line (repeat for several references per prediction)")
	predPath := fs.String("predictions", "", "text file with one prediction per line, matching --references line by line")
	perExample := fs.String("per-example", "", `write each pair's scores to this JSONL file, in input order: {"id", "scores": {type: {"precision", "recall", "fmeasure"}}}`)
	format := fs.String("format", "table", "output format: table, json, csv or markdown")
	reportPath := fs.String("report", "", "write a self-contained HTML report with box plots to this file")
	title := fs.String("title", "", "title of the HTML report (default: from the input file)")
	pos, err := m.parseFlags(fs, evalRougeDoc, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && *pairsPath == "" && len(refPaths) == 0 {
		*pairsPath = pos[0]
		pos = nil
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected arguments %q (see --help)", cmd, pos)}
	}
	outFmt, err := parseOutputFormat(cmd, *format)
	if err != nil {
		return err
	}
	scorer, tok, err := rf.scorer(cmd)
	if err != nil {
		return err
	}

	// The input: JSONL pairs or text files.
	var src eval.PairSource
	var sources []string
	switch {
	case *pairsPath != "" && (len(refPaths) > 0 || *predPath != ""):
		return usageError{fmt.Errorf("%s: give --pairs, or --references with --predictions, not both", cmd)}
	case *pairsPath != "":
		f, err := m.openInput(*pairsPath)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer f.Close()
		src = eval.NewPairReader(f, *pairsPath)
		sources = []string{*pairsPath}
	case len(refPaths) > 0 && *predPath != "":
		pf, err := m.openInput(*predPath)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer pf.Close()
		var readers []io.Reader
		for _, p := range refPaths {
			rf, err := m.openInput(p)
			if err != nil {
				return fmt.Errorf("%s: %w", cmd, err)
			}
			defer rf.Close()
			readers = append(readers, rf)
		}
		src = eval.NewTextPairReader(pf, *predPath, readers, refPaths)
		sources = append([]string{*predPath}, refPaths...)
	default:
		return usageError{fmt.Errorf("%s: %w: give --pairs FILE.jsonl, or --references R.txt with --predictions P.txt (see --help)", cmd, errNoInput)}
	}

	var pe *perExampleWriter
	if *perExample != "" {
		if pe, err = newPerExampleWriter(*perExample, scorer.Types()); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer pe.abort()
	}
	bar := progress.New(m.Stderr, m.IsTerminal(m.Stderr), -1, "scoring pairs")
	start := time.Now()
	opts := eval.StreamOptions{Workers: rf.workers, Progress: bar.Add}
	if pe != nil {
		opts.OnExample = pe.write
	}
	res, err := scorer.ScoreStream(ctx, src, opts)
	bar.Finish()
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if res.Len() == 0 {
		return fmt.Errorf("%s: %s has no pairs", cmd, strings.Join(sources, ", "))
	}
	elapsed := time.Since(start)
	var boot eval.BootstrapOptions
	if rf.bootstrap > 0 {
		boot = rf.bootstrapOptions()
		// The table shows the intervals of F alone; JSON, CSV and the
		// report show them all.
		boot.FMeasureOnly = (outFmt == formatTable || outFmt == formatMarkdown) && *reportPath == ""
	}
	sum, err := res.Summarize(ctx, rf.stemmer, tok, boot)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if pe != nil {
		if err := pe.commit(); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
	}
	if err := printRougeSummary(m.Stdout, outFmt, sum); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "scored %s pairs in %.3f s\n", thousandsInt(res.Len()), elapsed.Seconds())
	if pe != nil {
		fmt.Fprintf(m.Stderr, "wrote per-example scores to %s\n", *perExample)
	}
	if *reportPath != "" {
		t := *title
		if t == "" {
			t = "ROUGE: " + filepath.Base(sources[0])
		}
		err := writeReport(*reportPath, func(w io.Writer) error {
			return report.Rouge(w, report.RougePage{Header: m.reportHeader(t, sources...), Summary: sum, Result: res})
		})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		fmt.Fprintf(m.Stderr, "wrote report to %s\n", *reportPath)
	}
	return nil
}

// perExampleWriter writes one JSONL line of scores per pair, atomically:
// the file appears only when every pair has been scored.
type perExampleWriter struct {
	f     *atomicfile.File
	bw    *bufio.Writer
	types []eval.RougeType
	buf   []byte
}

func newPerExampleWriter(path string, types []eval.RougeType) (*perExampleWriter, error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, err
	}
	return &perExampleWriter{f: f, bw: bufio.NewWriterSize(f, 256<<10), types: types}, nil
}

func (p *perExampleWriter) write(pair *eval.RougePair, scores []eval.Score) error {
	b := append(p.buf[:0], `{"id":`...)
	b = strconv.AppendQuote(b, pair.ID)
	b = append(b, `,"scores":{`...)
	for k, t := range p.types {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, string(t))
		b = append(b, `:{"precision":`...)
		b = appendJSONFloat(b, scores[k].Precision)
		b = append(b, `,"recall":`...)
		b = appendJSONFloat(b, scores[k].Recall)
		b = append(b, `,"fmeasure":`...)
		b = appendJSONFloat(b, scores[k].FMeasure)
		b = append(b, '}')
	}
	b = append(b, "}}\n"...)
	p.buf = b
	_, err := p.bw.Write(b)
	return err
}

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

func (p *perExampleWriter) commit() error {
	if err := p.bw.Flush(); err != nil {
		return err
	}
	return p.f.Commit()
}

func (p *perExampleWriter) abort() { p.f.Abort() }

// printRougeSummary prints a summary in the chosen format.
func printRougeSummary(w io.Writer, f outputFormat, s *eval.RougeSummary) error {
	switch f {
	case formatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	case formatCSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"type", "measure", "mean", "ci_low", "ci_high", "count", "std", "min", "p25", "p50", "p75", "max"})
		for _, t := range s.Types {
			d := s.Distribution[t]
			for k, name := range eval.Measures {
				st := []eval.Stats{d.Precision, d.Recall, d.FMeasure}[k]
				lo, hi := "", ""
				if s.Bootstrap != nil {
					iv := s.Bootstrap.Intervals[t]
					lo, hi = csvNum(measureOf(iv.Low, k)), csvNum(measureOf(iv.High, k))
				}
				cw.Write([]string{string(t), name, csvNum(measureOf(s.Mean[t], k)), lo, hi, strconv.Itoa(st.Count),
					csvNum(st.Std), csvNum(st.Min), csvNum(st.P25), csvNum(st.P50), csvNum(st.P75), csvNum(st.Max)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	md := f == formatMarkdown
	desc := fmt.Sprintf("%s pairs, stemmer %s, %s tokenizer", thousandsInt(s.N), onOff(s.Stemmer), s.Tokenizer)
	if s.Bootstrap != nil {
		desc += fmt.Sprintf(", %s%% bootstrap intervals (%s resamples, seed %d)",
			strconv.FormatFloat(100*s.Bootstrap.Confidence, 'f', -1, 64), thousandsInt(s.Bootstrap.Samples), s.Bootstrap.Seed)
	}
	if s.Tokenizer == eval.TokenizerUnicode.String() {
		desc += " (not comparable with published ROUGE numbers)"
	}
	fmt.Fprintln(w, desc)
	fmt.Fprintln(w)
	header := []string{"type", ">precision", ">recall", ">F-measure"}
	if s.Bootstrap != nil {
		header = append(header, ">F low", ">F high")
	}
	var rows [][]string
	for _, t := range s.Types {
		mean := s.Mean[t]
		row := []string{string(t), fnum(mean.Precision), fnum(mean.Recall), fnum(mean.FMeasure)}
		if s.Bootstrap != nil {
			iv := s.Bootstrap.Intervals[t]
			row = append(row, fnum(iv.Low.FMeasure), fnum(iv.High.FMeasure))
		}
		rows = append(rows, row)
	}
	textTable(w, md, header, rows)
	fmt.Fprintln(w)
	if md {
		fmt.Fprintln(w, "**F-measure distribution per pair**")
	} else {
		fmt.Fprintln(w, "F-measure distribution per pair")
	}
	fmt.Fprintln(w)
	rows = nil
	for _, t := range s.Types {
		st := s.Distribution[t].FMeasure
		rows = append(rows, []string{string(t), thousandsInt(st.Count), fnum(st.Mean), fnum(st.Std), fnum(st.Min), fnum(st.P25), fnum(st.P50), fnum(st.P75), fnum(st.Max)})
	}
	textTable(w, md, []string{"type", ">count", ">mean", ">std", ">min", ">25%", ">50%", ">75%", ">max"}, rows)
	return nil
}

func measureOf(s eval.Score, k int) float64 {
	switch k {
	case 0:
		return s.Precision
	case 1:
		return s.Recall
	}
	return s.FMeasure
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
