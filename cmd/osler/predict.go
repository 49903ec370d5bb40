package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/jsonstr"
	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/progress"
)

var predictDoc = cmdDoc{
	Usage: "osler predict --model MODEL [--input IN] [--output OUT] [flags]",
	Summary: `Classify every document of IN with a classifier and write one JSON line per document, in input order: ` +
		`{"id": ..., "labels": [predicted labels], "scores": {label: score, ...}} with every label's score. ` +
		`MODEL is a model directory or a registry reference NAME[:VERSION] (see --home). ` +
		`The id is the record's id, or, for a record without one, its line number in IN (1-based, as an editor counts; a CSV header is line 1), ` +
		`which is how osler eval classification knows the gold file's records without ids. ` +
		"\n\n" +
		`Labels are decided with the model's thresholds (tuned at training time, or by osler thresholds tune), ` +
		`unless --thresholds gives others: a JSON file {"label": t} or {"thresholds": {...}} (every label of a multi-label model, ` +
		`the positive label of a binary one; a file that leaves a label out or names one the model does not have is an error), or one number for every label. ` +
		`Binary models predict the positive label when its score reaches its threshold, multi-class models the top label (thresholds do not apply), ` +
		`multi-label models every label at or above its threshold. ` +
		"\n\n" +
		`--format comprehend writes the output shape of the managed custom-classification service's batch jobs instead: ` +
		`{"File": IN's name, "Line": "0-based line", "Classes": [{"Name", "Score"}, ...]} ("Labels" for multi-label models), every label sorted by score, ` +
		`plus "Predicted": [the labels the model decided on], an extra member: a reader of the service's fields finds them unchanged (every label with its score; the service's own multi-label output also lists labels scoring below 0.5, so the list is not the decision). ` +
		`"Line" is the document's line number in IN counted from 0, as the service counts the lines of a one-document-per-line file (ids are not written). ` +
		"\n\n" +
		`IN may be any format of the data layer: JSONL, two-column CSV, CSV/TSV with a header (the --input-* flags), ` +
		`or a .txt file with one document per line, the service's "one document per line" input (blank lines are skipped, their numbers kept); ` +
		`labels, if any, are ignored. "-" is standard input and output. ` +
		`Documents are scored in batches by --workers goroutines; OUT appears only once complete.`,
	Example: `osler predict --model ade-model --input sentences.jsonl --output predictions.jsonl
osler predict --model specialty:approved --input notes.txt --format comprehend --output out.jsonl
osler predict --model hallmarks --input dev.jsonl --thresholds recall-thresholds.json --output dev.pred.jsonl
cat notes.jsonl | osler predict --model specialty-model --thresholds 0.5 > predictions.jsonl`,
}

func (m *Main) runPredict(ctx context.Context, args []string) error {
	fs := m.newFlagSet(predictDoc)
	modelPath := fs.String("model", "", modelRefHelp+" (required)")
	var rf registryFlags
	rf.registerRead(fs)
	input := fs.String("input", "-", `documents to classify ("-": standard input)`)
	output := fs.String("output", "-", `where to write predictions ("-": standard output)`)
	format := fs.String("format", "osler", `output shape: osler ({"id","labels","scores"}) or comprehend ({"File","Line","Classes"|"Labels","Predicted"})`)
	thresholds := fs.String("thresholds", "", `decide with these thresholds instead of the model's: a JSON file {"label": t} naming every label (a binary model's positive label), or one number for every label`)
	threshold := fs.Float64("threshold", -1, "decide every label at this score instead of the model's thresholds (the same as --thresholds N)")
	workers := fs.Int("workers", 0, "goroutines scoring batches (default: GOMAXPROCS)")
	// --format is the output shape, so the input's layout flags are
	// --input-format, --input-text-column, ...
	var df dataFlags
	df.register(fs, "input-")
	pos, err := m.parseFlags(fs, predictDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("predict: unexpected argument %q; give files with --input and --output (see --help)", pos[0])}
	}
	if *modelPath == "" {
		return usageError{errors.New("predict: --model is required (see --help)")}
	}
	if *format != "osler" && *format != "comprehend" {
		return usageError{fmt.Errorf("predict: --format %q: want osler or comprehend", *format)}
	}
	var thresholdsFile string
	if *thresholds != "" {
		if *threshold >= 0 {
			return usageError{errors.New("predict: give --thresholds or --threshold, not both")}
		}
		if v, err := strconv.ParseFloat(*thresholds, 64); err == nil {
			*threshold = v
			if v < 0 {
				return usageError{fmt.Errorf("predict: --thresholds %g: scores are between 0 and 1", v)}
			}
		} else {
			thresholdsFile = *thresholds
		}
	}
	if *threshold > 1 || math.IsNaN(*threshold) {
		return usageError{fmt.Errorf("predict: --threshold %g: scores are between 0 and 1", *threshold)}
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	opts.IgnoreLabels = true // only the text is read: labels of any shape are fine
	if *workers <= 0 {
		*workers = runtime.GOMAXPROCS(0)
	}
	lc, err := m.loadClassifier(ctx, "predict", *modelPath, &rf)
	if err != nil {
		return err
	}
	model := lc.Model
	if (*threshold >= 0 || thresholdsFile != "") && model.Mode() == dataset.ModeMultiClass {
		return usageError{fmt.Errorf("predict: %s is a multi-class model: it predicts its top-scored label, and thresholds do not change that", *modelPath)}
	}
	if thresholdsFile != "" {
		fh, err := os.Open(thresholdsFile)
		if err != nil {
			return usageError{fmt.Errorf("predict: --thresholds %q is neither a number nor a readable file: %w", thresholdsFile, err)}
		}
		th, err := eval.ReadThresholds(fh, thresholdsFile)
		fh.Close()
		if err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		if model, err = model.WithThresholds(th, "file "+thresholdsFile); err != nil {
			return fmt.Errorf("predict: --thresholds %s: %w", thresholdsFile, err)
		}
	}
	in, err := dataset.Open(*input, m.Stdin, opts)
	if err != nil {
		return err
	}
	defer in.Close()

	var out io.Writer = m.Stdout
	var af *atomicfile.File
	if *output != "-" {
		if af, err = atomicfile.Create(*output, 0o644); err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		defer af.Abort()
		out = af
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	file := filepath.Base(*input)
	if *input == "-" {
		file = "stdin"
	}
	f := newPredFormatter(model, *format == "comprehend", file, *threshold)
	bar := progress.New(m.Stderr, m.IsTerminal(m.Stderr), -1, "predicting")
	start := time.Now()
	n, err := predictStream(ctx, in, bw, f, *workers, bar.Add)
	bar.Finish()
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return err
		}
		el := time.Since(start).Seconds()
		fmt.Fprintf(m.Stderr, "predicted %d documents in %.2f s (%.0f/s); wrote %s\n", n, el, float64(n)/max(el, 1e-9), *output)
	}
	return nil
}

const predBatchSize = 512

// predictStream reads every record of in, scores it and writes its line to
// w in input order, on workers goroutines (internal/ordered). It returns
// the number of records.
func predictStream(ctx context.Context, in dataset.Reader, w io.Writer, f *predFormatter, workers int, progress func(int)) (int, error) {
	scratch := sync.Pool{New: func() any { return f.newScratch() }}
	n := 0
	err := ordered.Map(ctx, ordered.Options{Workers: workers, Batch: predBatchSize},
		func(rec *dataset.Record) error {
			r, err := in.Read()
			*rec = r
			return err
		},
		func(_ context.Context, rec *dataset.Record, line *[]byte) error {
			s := scratch.Get().(*predScratch)
			*line = f.appendLine((*line)[:0], rec, s)
			scratch.Put(s)
			return nil
		},
		func(_ *dataset.Record, line *[]byte) error {
			if _, err := w.Write(*line); err != nil {
				return fmt.Errorf("predict: %w", err)
			}
			if n++; n%predBatchSize == 0 {
				progress(predBatchSize)
			}
			return nil
		})
	progress(n % predBatchSize)
	return n, err
}

// predFormatter writes prediction lines. Label names are encoded once.
type predFormatter struct {
	model      *classify.Model
	comprehend bool
	threshold  float64
	labels     [][]byte // each label as a JSON string
	file       []byte   // comprehend: the input's name as a JSON string
	key        string   // comprehend: "Classes" or "Labels"
}

func newPredFormatter(m *classify.Model, comprehend bool, file string, threshold float64) *predFormatter {
	f := &predFormatter{model: m, comprehend: comprehend, threshold: threshold, file: jsonstr.Append(nil, file), key: "Classes"}
	if m.Mode() == dataset.ModeMultiLabel {
		f.key = "Labels"
	}
	for _, l := range m.Labels() {
		f.labels = append(f.labels, jsonstr.Append(nil, l))
	}
	return f
}

// predScratch is one goroutine's buffers.
type predScratch struct {
	scores []float64
	pred   []int
	order  []int
}

func (f *predFormatter) newScratch() *predScratch {
	n := len(f.labels)
	return &predScratch{scores: make([]float64, 0, n), pred: make([]int, 0, n), order: make([]int, n)}
}

// appendLine appends rec's output line (with its newline) to dst.
func (f *predFormatter) appendLine(dst []byte, rec *dataset.Record, s *predScratch) []byte {
	s.scores = f.model.AppendScores(s.scores[:0], rec.Text)
	s.pred = f.model.Decide(s.pred[:0], s.scores, f.threshold)
	if f.comprehend {
		dst = append(dst, `{"File":`...)
		dst = append(dst, f.file...)
		dst = append(dst, `,"Line":"`...)
		dst = strconv.AppendInt(dst, int64(rec.Line-1), 10)
		dst = append(dst, `","`...)
		dst = append(dst, f.key...)
		dst = append(dst, `":[`...)
		// Every label, highest score first (label order on ties).
		for i := range s.order {
			s.order[i] = i
		}
		for i := 1; i < len(s.order); i++ {
			for j := i; j > 0 && s.scores[s.order[j]] > s.scores[s.order[j-1]]; j-- {
				s.order[j], s.order[j-1] = s.order[j-1], s.order[j]
			}
		}
		for k, i := range s.order {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"Name":`...)
			dst = append(dst, f.labels[i]...)
			dst = append(dst, `,"Score":`...)
			dst = strconv.AppendFloat(dst, s.scores[i], 'g', -1, 64)
			dst = append(dst, '}')
		}
		// The decisions, which the service's output lacks, in an extra
		// member its consumers skip.
		dst = append(dst, `],"Predicted":[`...)
		for k, i := range s.pred {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, f.labels[i]...)
		}
		return append(dst, "]}\n"...)
	}
	dst = append(dst, `{"id":`...)
	if rec.ID != "" {
		dst = jsonstr.Append(dst, rec.ID)
	} else {
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, int64(rec.Line), 10)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"labels":[`...)
	for k, i := range s.pred {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, f.labels[i]...)
	}
	dst = append(dst, `],"scores":{`...)
	for i, sc := range s.scores {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, f.labels[i]...)
		dst = append(dst, ':')
		dst = strconv.AppendFloat(dst, sc, 'g', -1, 64)
	}
	return append(dst, "}}\n"...)
}
