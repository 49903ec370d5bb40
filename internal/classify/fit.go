package classify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/osler-health/osler/internal/checksum"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/text"
)

// FitOptions are one whole training run, as osler train classifier does it:
// the data files and how to read them, the training settings, validation
// and evaluation.
type FitOptions struct {
	// Train is the training data (required); Dev, when given, tunes C, NB
	// scaling and the thresholds; Test is evaluated once at the end. They
	// are read more than once, so they must be files.
	Train, Dev, Test string
	// Data says how to read them (format, columns, delimiters).
	Data dataset.Options
	// Config are the training settings. An empty Config.Mode is inferred
	// from the training data (binary for two labels, multi-label when a
	// row has none or several); TrainName and DevName are set from the
	// file names.
	Config TrainConfig
	// Lexicons are files of phrases to recognize ([ReadLexicon]). Entries
	// whose sentence is in Dev or Test are skipped: a lexicon learns from
	// training sentences only.
	Lexicons []string
	// MinPerLabel is the fewest rows a label needs in each file.
	MinPerLabel int
	// MaxLabels is the most distinct labels (0: data validate's default,
	// 1,000 multi-class and 100 multi-label; -1: no limit). More is
	// usually free text in the label column.
	MaxLabels int
	// AllowLeakage reports texts shared between Train and Dev or Test as
	// validation warnings instead of errors.
	AllowLeakage bool
	// CurvePoints bounds the PR-curve points kept per label in
	// metrics.json (0: all).
	CurvePoints int
	// Notices receives, as they happen, what the user should know before
	// training ends: validation warnings, the inferred mode, skipped
	// lexicon entries. Nil discards them.
	Notices io.Writer
}

// DefaultFitOptions are osler train classifier's defaults.
func DefaultFitOptions() FitOptions {
	return FitOptions{Config: DefaultTrainConfig(""), MinPerLabel: 1, CurvePoints: 200}
}

// FitResult is everything a training run produced: the model, what
// training did, the evaluation, and the files saved beside the model.
type FitResult struct {
	Model  *Model
	Report *TrainReport
	// Metrics is metrics.json: the dev and test evaluations.
	Metrics Metrics
	// Files are the evaluation files saved beside the model: metrics.json,
	// report.html (the test evaluation, or dev without test) and
	// report-dev.html (when both were evaluated).
	Files map[string][]byte
	// Took is the time from the start of Fit to the end of evaluation.
	Took time.Duration
}

// ValidationError is returned by [Fit] when the data have errors; Report
// lists every issue.
type ValidationError struct {
	Report *dataset.Report
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("validation found %d errors", e.Report.Errors)
}

// Fit validates the data, trains a classifier, evaluates it on dev and
// test and renders its evaluation files. Nothing is written to disk: save
// the result with [FitResult.Save].
func Fit(ctx context.Context, o FitOptions) (*FitResult, error) {
	start := time.Now()
	if o.Train == "" {
		return nil, errors.New("classify: fit: no training data")
	}
	check := o.Config
	if check.Mode == "" {
		check.Mode = dataset.ModeBinary
	}
	if err := check.validate(); err != nil { // before the data are read
		return nil, fmt.Errorf("classify: %w", err)
	}
	notices := o.Notices
	if notices == nil {
		notices = io.Discard
	}
	files := []string{o.Train}
	for _, p := range []string{o.Dev, o.Test} {
		if p != "" {
			files = append(files, p)
		}
	}
	mode, rows, err := validateForFit(ctx, files, &o, notices)
	if err != nil {
		return nil, err
	}
	cfg := o.Config
	cfg.Mode, cfg.TrainName, cfg.DevName = mode, o.Train, o.Dev

	// Dev and test stay in memory (they are scored more than once).
	var dev, test []dataset.Record
	if o.Dev != "" {
		if dev, err = dataset.ReadAll(o.Dev, nil, o.Data); err != nil {
			return nil, err
		}
	}
	if o.Test != "" {
		if test, err = dataset.ReadAll(o.Test, nil, o.Data); err != nil {
			return nil, err
		}
	}
	if err := addLexicons(&cfg, o.Lexicons, []string{o.Dev, o.Test}, map[string][]dataset.Record{o.Dev: dev, o.Test: test}, notices); err != nil {
		return nil, err
	}

	tf, err := dataset.Open(o.Train, nil, o.Data)
	if err != nil {
		return nil, err
	}
	model, rep, err := Train(ctx, cfg, tf, dev)
	tf.Close()
	if err != nil {
		return nil, err
	}

	data := map[string]DataFile{}
	for i, p := range files {
		sum, _, err := checksum.File(ctx, p)
		if err != nil {
			return nil, err
		}
		role := map[string]string{o.Train: "train", o.Dev: "dev", o.Test: "test"}[p]
		data[role] = DataFile{Path: p, SHA256: sum, Records: rows[i]}
	}
	model.SetData(data)
	res := &FitResult{Model: model, Report: rep}
	if dev != nil {
		if res.Metrics.Dev, err = model.EvaluateSplit(ctx, o.Dev, dev, o.CurvePoints); err != nil {
			return nil, err
		}
	}
	if test != nil {
		if res.Metrics.Test, err = model.EvaluateSplit(ctx, o.Test, test, o.CurvePoints); err != nil {
			return nil, err
		}
	}
	if err := model.SetMetrics(res.Metrics.Summary()); err != nil {
		return nil, err
	}
	if res.Files, err = EvaluationFiles(model, res.Metrics); err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// Save writes the model directory with its evaluation files (replacing a
// model there; see [Model.Save]) and returns the names of the files
// written, in the order a user reads them.
func (r *FitResult) Save(dir string) ([]string, error) {
	if err := r.Model.Save(dir, r.Files); err != nil {
		return nil, err
	}
	written := []string{"model.json", "weights.bin", "SHA256SUMS"}
	if r.Model.Metadata().Lexicon != nil {
		written = append(written, "lexicon.json")
	}
	for _, name := range []string{"metrics.json", "report.html", "report-dev.html"} {
		if _, ok := r.Files[name]; ok {
			written = append(written, name)
		}
	}
	return written, nil
}

// validateForFit runs the data validator on the files (train first, so
// dev and test are checked for leakage against it), writes the warnings
// to notices, and returns the mode (inferred when not given) and each
// file's row count. Errors come back as a [*ValidationError].
func validateForFit(ctx context.Context, files []string, o *FitOptions, notices io.Writer) (dataset.Mode, []int, error) {
	sources := make([]dataset.Source, len(files))
	for i, p := range files {
		sources[i] = dataset.Source{Path: p, Options: o.Data}
	}
	mode := o.Config.Mode
	vmode := mode
	if vmode == dataset.ModeBinary {
		vmode = dataset.ModeMultiClass
	}
	rep, err := dataset.Validate(ctx, nil, sources, dataset.ValidateOptions{
		Mode:           vmode,
		MinPerLabel:    o.MinPerLabel,
		MaxLabels:      o.MaxLabels,
		AllowUnlabeled: mode == "" || mode == dataset.ModeMultiLabel,
	})
	if err != nil {
		return "", nil, err
	}
	if o.AllowLeakage {
		downgradeLeakage(rep)
	}
	if rep.Errors > 0 {
		return "", nil, &ValidationError{Report: rep}
	}
	for _, fr := range rep.Files {
		for _, is := range fr.Issues {
			loc := fr.Path
			if is.Line > 0 {
				loc += ":" + strconv.Itoa(is.Line)
			}
			fmt.Fprintf(notices, "%s: %s %s: %s\n", loc, is.Severity, is.Rule, is.Message)
		}
		if listed := len(fr.Issues); listed < fr.Errors+fr.Warnings {
			fmt.Fprintf(notices, "%s: %d more warnings (osler data validate --max-issues 0 %s lists them)\n", fr.Path, fr.Errors+fr.Warnings-listed, fr.Path)
		}
	}
	rows := make([]int, len(rep.Files))
	for i, fr := range rep.Files {
		rows[i] = fr.Rows
	}
	if mode == "" {
		train := rep.Files[0]
		mode = train.Mode
		if mode == dataset.ModeMultiClass && len(train.Labels) == 2 {
			mode = dataset.ModeBinary
		}
		if train.Unlabeled > 0 {
			mode = dataset.ModeMultiLabel
		}
		if mode == "" {
			return "", nil, fmt.Errorf("classify: %s: cannot infer the mode; give --mode", files[0])
		}
		fmt.Fprintf(notices, "mode: %s (inferred from %s; set --mode to override)\n", mode, files[0])
	}
	return mode, rows, nil
}

// downgradeLeakage turns the leakage errors of a validation into
// warnings.
func downgradeLeakage(rep *dataset.Report) {
	for _, fr := range rep.Files {
		for i := range fr.Issues {
			if fr.Issues[i].Rule == dataset.RuleLeakage && fr.Issues[i].Severity == dataset.SeverityError {
				fr.Issues[i].Severity = dataset.SeverityWarning
			}
		}
		n := fr.RuleCounts[dataset.RuleLeakage]
		fr.Errors -= n
		fr.Warnings += n
		rep.Errors -= n
		rep.Warnings += n
	}
}

// addLexicons reads the lexicon files into cfg, leaving out the entries
// whose sentence is in an evaluation set (by file name; names orders the
// notices).
func addLexicons(cfg *TrainConfig, paths, names []string, evalSets map[string][]dataset.Record, notices io.Writer) error {
	for _, path := range paths {
		entries, err := ReadLexiconFile(path)
		if err != nil {
			return err
		}
		kept, dropped := DropEvalSentences(entries, evalSets)
		for _, name := range names {
			if n := dropped[name]; n > 0 {
				fmt.Fprintf(notices, "lexicon %s: skipped %d of %d entries whose sentence is in %s (a lexicon learns from training sentences only)\n", path, n, len(entries), name)
			}
		}
		cfg.Lexicon = append(cfg.Lexicon, kept...)
		cfg.LexiconSources = append(cfg.LexiconSources, filepath.Base(path))
	}
	return nil
}

// DropEvalSentences removes the lexicon entries that come from a sentence
// of an evaluation set (their phrases would tell the model those
// sentences' labels), so one relations file covering every split can be
// given. evalSets maps a name to its records; it returns the entries kept
// and, per name, how many were dropped.
func DropEvalSentences(entries []LexiconEntry, evalSets map[string][]dataset.Record) ([]LexiconEntry, map[string]int) {
	in := map[uint64]string{}
	for name, recs := range evalSets {
		for _, r := range recs {
			in[text.NearDupKey(r.Text)] = name
		}
	}
	dropped := map[string]int{}
	kept := entries[:0:0]
	for _, e := range entries {
		if name, ok := in[e.SourceKey]; ok && e.SourceKey != 0 {
			dropped[name]++
			continue
		}
		kept = append(kept, e)
	}
	return kept, dropped
}

// EvaluationFiles renders the files saved beside a model: metrics.json,
// and the HTML evaluation pages: report.html for the test split (or dev
// when there is no test split) and report-dev.html when both were
// evaluated.
func EvaluationFiles(m *Model, metrics Metrics) (map[string][]byte, error) {
	md := m.Metadata()
	page := func(s *SplitMetrics, what string) ([]byte, error) {
		var buf bytes.Buffer
		err := report.Classification(&buf, report.ClassificationPage{
			Header: report.Header{
				Title:     fmt.Sprintf("%s classifier: %s", m.Mode(), what),
				Sources:   []string{filepath.Base(s.File)},
				Generated: fmt.Sprintf("osler %s, %s", md.OslerVersion, md.Created),
			},
			Result: s.Model,
		})
		return buf.Bytes(), err
	}
	out := map[string][]byte{}
	var err error
	switch {
	case metrics.Test != nil:
		if out["report.html"], err = page(metrics.Test, "held-out test"); err != nil {
			return nil, err
		}
		if metrics.Dev != nil {
			if out["report-dev.html"], err = page(metrics.Dev, "dev (thresholds tuned here)"); err != nil {
				return nil, err
			}
		}
	case metrics.Dev != nil:
		if out["report.html"], err = page(metrics.Dev, "dev (thresholds tuned here)"); err != nil {
			return nil, err
		}
	}
	mj, err := json.MarshalIndent(metrics, "", " ")
	if err != nil {
		return nil, err
	}
	out["metrics.json"] = append(mj, '\n')
	return out, nil
}
