package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/report"
	"github.com/osler-health/osler/internal/text"
)

var trainClassifierDoc = cmdDoc{
	Usage: "osler train classifier --train FILE [--dev FILE] [--test FILE] [--mode MODE] --out MODEL [flags]",
	Summary: `Train a text classifier: word and character n-gram TF-IDF features (normalized for clinical text) ` +
		`and one L2-regularized logistic regression (or linear SVM) per label, trained with LIBLINEAR's dual coordinate descent on all cores. ` +
		`The data are validated first with the rules of osler data validate (errors stop training, warnings are printed; ` +
		`texts shared between --train and --dev/--test are leakage errors). Multi-label rows without a label are negatives for every label. ` +
		"\n\n" +
		`With --dev, C and naive-Bayes feature scaling are chosen on dev and each label's F1-optimal threshold on dev is stored in the model; ` +
		`without it thresholds come from 5-fold cross-validation on the training data (one held-out fold from 100,000 documents on). ` +
		`--lexicon adds phrases in categories (drugs, effects, ...) that are recognized in texts: relation lines {"text","drug","effect"}, ` +
		`annotated spans {"text","spans":[{"start","end","label"}]} or a term list ("CATEGORY<tab>phrase" per line). ` +
		`It is learned from training data only: entries whose sentence is in --dev or --test are skipped. ` +
		"\n\n" +
		`Prints dev and test metrics at the tuned thresholds and at 0.5, and writes MODEL/ (model.json, weights.bin, SHA256SUMS, ` +
		`lexicon.json with --lexicon) with metrics.json and report.html (the test evaluation, or dev without --test; report-dev.html too when both) ` +
		`beside them. MODEL appears only once complete.`,
	Example: `osler train classifier --train train.jsonl --dev dev.jsonl --test test.jsonl --mode binary --out ade-model
osler train classifier --train ade/train.jsonl --dev ade/dev.jsonl --lexicon ade/relations_drug_ae_train.jsonl --out ade-model
osler train classifier --train notes.csv --mode multi-label --label-delimiter ';' --out specialty-model`,
}

// classifierFlags are the training settings given on the command line.
type classifierFlags struct {
	train, dev, test, out    string
	mode, positive           string
	lexicons                 stringList
	c, cGrid, nb, loss       string
	classWeight              string
	patience, folds, workers int
	seed                     uint64
	epsilon                  float64
	maxEpochs                int
	hashBits                 int
	wordNgrams, charNgrams   string
	wordMinDF, charMinDF     int
	normalize                string
	lexiconMask              bool
	minPerLabel, maxLabels   int
	allowLeakage             bool
	maxCurvePoints           int
}

func (f *classifierFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.train, "train", "", "training data (required)")
	fs.StringVar(&f.dev, "dev", "", "dev data: C, NB scaling and thresholds are tuned on it")
	fs.StringVar(&f.test, "test", "", "held-out test data, evaluated once at the end")
	fs.StringVar(&f.out, "out", "", "model directory to write (required); replaced if it holds a model")
	fs.StringVar(&f.mode, "mode", "", "binary, multi-class or multi-label; default: inferred from the training data")
	fs.StringVar(&f.positive, "positive", "", "binary mode: the label to score (default: the rarer label)")
	fs.Var(&f.lexicons, "lexicon", "phrases to recognize: relation lines, annotated spans or a term list (repeatable)")
	fs.StringVar(&f.c, "c", "auto", `inverse regularization strength, or "auto": chosen on --dev from --c-grid (4 without --dev)`)
	fs.StringVar(&f.cGrid, "c-grid", "1,4,16", "values of C tried with --c auto")
	fs.StringVar(&f.nb, "nb", "auto", "naive-Bayes feature scaling (NBSVM): on, off, or auto (tried both ways on --dev)")
	fs.StringVar(&f.loss, "loss", "logistic", "logistic (probabilities) or svm (squared hinge)")
	fs.StringVar(&f.classWeight, "class-weight", "none", "none, or balanced (weigh each class inversely to its frequency)")
	fs.IntVar(&f.patience, "early-stopping", 0, "with --dev: stop a label's solver after this many epochs without a better dev loss (0: off)")
	fs.IntVar(&f.folds, "cv-folds", 5, "without --dev: cross-validation folds for thresholds (1: keep 0.5)")
	fs.IntVar(&f.workers, "workers", 0, "parallel workers (default: all cores)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed; the same data, flags and seed give the same model")
	fs.Float64Var(&f.epsilon, "epsilon", 0.1, "solver stopping tolerance (LIBLINEAR's default)")
	fs.IntVar(&f.maxEpochs, "max-epochs", 1000, "most passes of a solver over the data")
	fs.IntVar(&f.hashBits, "hash-bits", 20, "feature hash space: 2^N word and 2^N character features")
	fs.StringVar(&f.wordNgrams, "word-ngrams", "1-2", `word n-gram range, e.g. "1-2", or "0" for none`)
	fs.StringVar(&f.charNgrams, "char-ngrams", "2-5", `character n-gram range inside words, e.g. "2-5", or "0" for none`)
	fs.IntVar(&f.wordMinDF, "word-min-df", 1, "drop word n-grams in fewer training documents")
	fs.IntVar(&f.charMinDF, "char-min-df", 2, "drop character n-grams in fewer training documents")
	fs.StringVar(&f.normalize, "normalize", "lower,digits,units,deid", `text normalization: any of lower, digits (fold to 0), units ("10mg" -> "10 mg"), deid (placeholders such as XXXX), or "none"`)
	fs.BoolVar(&f.lexiconMask, "lexicon-mask", true, "replace lexicon phrases by their category in word n-grams (false: indicator features only)")
	fs.IntVar(&f.maxLabels, "max-labels", 0, "validation: most distinct labels (default 1,000 multi-class, 100 multi-label, as osler data validate; -1: no limit); more is usually free text in the label column, and every label is one more model to train")
	fs.IntVar(&f.minPerLabel, "min-per-label", 1, "validation: fewest rows a label needs in each file (managed services ask 10 multi-label, 50 multi-class)")
	fs.BoolVar(&f.allowLeakage, "allow-leakage", false, "report texts shared between --train and --dev/--test as warnings instead of errors")
	fs.IntVar(&f.maxCurvePoints, "curve-points", 200, "PR curve points kept per label in metrics.json (0: all)")
}

// config turns the flags into a training configuration.
func (f *classifierFlags) config(mode dataset.Mode) (classify.TrainConfig, error) {
	cfg := classify.DefaultTrainConfig(mode)
	cfg.PositiveLabel = f.positive
	cfg.Loss = classify.Loss(f.loss)
	cfg.NB = f.nb
	cfg.ClassWeight = f.classWeight
	cfg.Patience = f.patience
	cfg.CVFolds = f.folds
	cfg.Workers = f.workers
	cfg.Seed = f.seed
	cfg.Epsilon = f.epsilon
	cfg.MaxEpochs = f.maxEpochs
	grid, err := parseFloats(f.cGrid)
	if err != nil {
		return cfg, fmt.Errorf("--c-grid: %w", err)
	}
	cfg.CGrid = grid
	if f.c != "auto" {
		c, err := strconv.ParseFloat(f.c, 64)
		if err != nil || !(c > 0) {
			return cfg, fmt.Errorf(`--c %q: want a positive number or "auto"`, f.c)
		}
		cfg.C, cfg.CGrid = c, nil
	}
	ft := &cfg.Features
	ft.HashBits = f.hashBits
	if ft.WordNgramMin, ft.WordNgramMax, err = parseRange(f.wordNgrams); err != nil {
		return cfg, fmt.Errorf("--word-ngrams: %w", err)
	}
	if ft.CharNgramMin, ft.CharNgramMax, err = parseRange(f.charNgrams); err != nil {
		return cfg, fmt.Errorf("--char-ngrams: %w", err)
	}
	ft.WordMinDF, ft.CharMinDF = f.wordMinDF, f.charMinDF
	ft.Lowercase, ft.FoldDigits, ft.SplitUnits, ft.Deid = false, false, false, false
	for _, n := range strings.Split(f.normalize, ",") {
		switch strings.TrimSpace(n) {
		case "lower":
			ft.Lowercase = true
		case "digits":
			ft.FoldDigits = true
		case "units":
			ft.SplitUnits = true
		case "deid":
			ft.Deid = true
		case "none", "":
		default:
			return cfg, fmt.Errorf("--normalize: unknown step %q (want lower, digits, units, deid or none)", n)
		}
	}
	ft.LexiconMask = f.lexiconMask
	if err := ft.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(v > 0) {
			return nil, fmt.Errorf("%q: want positive numbers separated by commas", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseRange parses "2-5", "1" (1-1) or "0" (none).
func parseRange(s string) (int, int, error) {
	lo, hi, found := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b := a
	var err2 error
	if found {
		b, err2 = strconv.Atoi(strings.TrimSpace(hi))
	}
	if err1 != nil || err2 != nil || a < 0 || b < a {
		return 0, 0, fmt.Errorf(`%q: want a range such as "1-2", one number, or "0"`, s)
	}
	return a, b, nil
}

func (m *Main) runTrainClassifier(ctx context.Context, args []string) error {
	start := time.Now()
	fs := m.newFlagSet(trainClassifierDoc)
	var f classifierFlags
	f.register(fs)
	var df dataFlags
	df.register(fs, "")
	var reg trainRegisterFlags
	reg.add(fs)
	pos, err := m.parseFlags(fs, trainClassifierDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("train classifier: unexpected argument %q; give files with --train, --dev and --test (see --help)", pos[0])}
	}
	if err := reg.check("train classifier"); err != nil {
		return err
	}
	if f.train == "" || f.out == "" {
		return usageError{errors.New("train classifier: --train and --out are required (see --help)")}
	}
	for _, p := range []string{f.train, f.dev, f.test} {
		if p == "-" {
			return usageError{errors.New("train classifier: data must be files, not standard input (they are read more than once)")}
		}
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	mode, err := dataset.ParseMode(f.mode)
	if err != nil {
		return usageError{err}
	}
	if _, err := f.config(dataset.ModeBinary); err != nil {
		return usageError{fmt.Errorf("train classifier: %w", err)}
	}

	// 1. Validate every file, train first so dev and test are checked for
	// leakage against it.
	files := []string{f.train}
	for _, p := range []string{f.dev, f.test} {
		if p != "" {
			files = append(files, p)
		}
	}
	mode, rows, err := m.validateForTraining(ctx, files, opts, mode, &f)
	if err != nil {
		return err
	}
	cfg, err := f.config(mode)
	if err != nil {
		return usageError{fmt.Errorf("train classifier: %w", err)}
	}
	cfg.TrainName, cfg.DevName = f.train, f.dev

	// 2. Dev and test stay in memory (they are scored more than once).
	var dev, test []dataset.Record
	if f.dev != "" {
		if dev, err = dataset.ReadAll(f.dev, nil, opts); err != nil {
			return err
		}
	}
	if f.test != "" {
		if test, err = dataset.ReadAll(f.test, nil, opts); err != nil {
			return err
		}
	}

	// 3. Lexicon: training data only.
	for _, path := range f.lexicons {
		entries, err := readLexiconFile(path)
		if err != nil {
			return err
		}
		kept, dropped := dropEvalSentences(entries, map[string][]dataset.Record{f.dev: dev, f.test: test})
		for _, name := range []string{f.dev, f.test} {
			if n := dropped[name]; n > 0 {
				fmt.Fprintf(m.Stderr, "lexicon %s: skipped %d of %d entries whose sentence is in %s (a lexicon learns from training sentences only)\n", path, n, len(entries), name)
			}
		}
		cfg.Lexicon = append(cfg.Lexicon, kept...)
		cfg.LexiconSources = append(cfg.LexiconSources, filepath.Base(path))
	}

	// 4. Train.
	prog := &barProgress{w: m.Stderr, enabled: m.IsTerminal(m.Stderr)}
	cfg.Progress = prog
	tf, err := dataset.Open(f.train, nil, opts)
	if err != nil {
		return err
	}
	model, rep, err := classify.Train(ctx, cfg, tf, dev)
	tf.Close()
	prog.done()
	if err != nil {
		return err
	}

	// 5. Evaluate, record, save.
	data := map[string]classify.DataFile{}
	for i, p := range files {
		sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		role := map[string]string{f.train: "train", f.dev: "dev", f.test: "test"}[p]
		data[role] = classify.DataFile{Path: p, SHA256: sum, Records: rows[i]}
	}
	model.SetData(data)
	metrics := classify.Metrics{}
	if dev != nil {
		if metrics.Dev, err = model.EvaluateSplit(ctx, f.dev, dev, f.maxCurvePoints); err != nil {
			return err
		}
	}
	if test != nil {
		if metrics.Test, err = model.EvaluateSplit(ctx, f.test, test, f.maxCurvePoints); err != nil {
			return err
		}
	}
	if err := model.SetMetrics(metrics.Summary()); err != nil {
		return err
	}
	mj, err := json.MarshalIndent(metrics, "", " ")
	if err != nil {
		return err
	}
	extra, err := classifierReports(model, metrics)
	if err != nil {
		return err
	}
	extra["metrics.json"] = append(mj, '\n')
	if err := model.Save(f.out, extra); err != nil {
		return err
	}
	printTrainReport(m.Stdout, model, rep, metrics, time.Since(start))
	written := []string{"model.json", "weights.bin", "SHA256SUMS"}
	if len(cfg.Lexicon) > 0 {
		written = append(written, "lexicon.json")
	}
	for _, name := range []string{"metrics.json", "report.html", "report-dev.html"} {
		if _, ok := extra[name]; ok {
			written = append(written, name)
		}
	}
	fmt.Fprintf(m.Stdout, "\nwrote %s (%s)\n", f.out, strings.Join(written, ", "))
	_, err = m.registerTrained(ctx, "train classifier", &reg, trainedModel{Dir: f.out, Kind: registry.KindClassifier})
	return err
}

// validateForTraining runs the data validator on the files (train first),
// prints its issues (all of them when there are errors), and returns the
// mode (inferred when not given) and each file's row count.
func (m *Main) validateForTraining(ctx context.Context, files []string, opts dataset.Options, mode dataset.Mode, f *classifierFlags) (dataset.Mode, []int, error) {
	sources := make([]dataset.Source, len(files))
	for i, p := range files {
		sources[i] = dataset.Source{Path: p, Options: opts}
	}
	vmode := mode
	if vmode == dataset.ModeBinary {
		vmode = dataset.ModeMultiClass
	}
	rep, err := dataset.Validate(ctx, nil, sources, dataset.ValidateOptions{
		Mode:           vmode,
		MinPerLabel:    f.minPerLabel,
		MaxLabels:      f.maxLabels,
		AllowUnlabeled: mode == "" || mode == dataset.ModeMultiLabel,
	})
	if err != nil {
		return "", nil, err
	}
	if f.allowLeakage {
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
	if rep.Errors > 0 {
		fmt.Fprintf(m.Stderr, "The data have %d errors; fix them (or see osler data validate --help) and train again.\n\n", rep.Errors)
		if err := rep.WriteText(m.Stderr); err != nil {
			return "", nil, err
		}
		return "", nil, exitError{code: 1, msg: fmt.Sprintf("train classifier: validation found %d errors", rep.Errors)}
	}
	for _, fr := range rep.Files {
		for _, is := range fr.Issues {
			loc := fr.Path
			if is.Line > 0 {
				loc += ":" + strconv.Itoa(is.Line)
			}
			fmt.Fprintf(m.Stderr, "%s: %s %s: %s\n", loc, is.Severity, is.Rule, is.Message)
		}
		if listed := len(fr.Issues); listed < fr.Errors+fr.Warnings {
			fmt.Fprintf(m.Stderr, "%s: %d more warnings (osler data validate --max-issues 0 %s lists them)\n", fr.Path, fr.Errors+fr.Warnings-listed, fr.Path)
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
			return "", nil, fmt.Errorf("train classifier: %s: cannot infer the mode; give --mode", files[0])
		}
		fmt.Fprintf(m.Stderr, "mode: %s (inferred from %s; set --mode to override)\n", mode, files[0])
	}
	return mode, rows, nil
}

func readLexiconFile(path string) ([]classify.LexiconEntry, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	defer fh.Close()
	return classify.ReadLexicon(fh, path)
}

// dropEvalSentences removes the lexicon entries that come from a sentence
// of the dev or test data (their phrases would tell the model those
// sentences' labels), so one relations file covering every split can be
// given. It returns the entries kept and, per file, how many were dropped.
func dropEvalSentences(entries []classify.LexiconEntry, evalSets map[string][]dataset.Record) ([]classify.LexiconEntry, map[string]int) {
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

func fileSHA256(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// barProgress shows training stages as progress bars on a terminal.
type barProgress struct {
	w       io.Writer
	enabled bool
	bar     *progress.Bar
}

func (p *barProgress) Stage(name string, total int) {
	p.bar.Finish()
	p.bar = progress.New(p.w, p.enabled, int64(total), name)
}

func (p *barProgress) Add(n int) { p.bar.Add(n) }

func (p *barProgress) done() { p.bar.Finish() }

// printTrainReport prints what was trained and how it scores.
func printTrainReport(w io.Writer, m *classify.Model, rep *classify.TrainReport, metrics classify.Metrics, took time.Duration) {
	md := m.Metadata()
	fmt.Fprintf(w, "trained a %s classifier: %d labels, %d documents, %d features, in %.2f s (features %.2f s, solver %.2f s, thresholds %.2f s)\n",
		m.Mode(), len(rep.Labels), rep.Documents, rep.Features, took.Seconds(), rep.Featurize.Seconds(), rep.Solve.Seconds(), rep.Tune.Seconds())
	hp := md.Hyperparameters
	nb := "off"
	if hp.NB {
		nb = "on"
	}
	fmt.Fprintf(w, "  %s loss, C=%g, NB scaling %s, class weight %s", hp.Loss, hp.C, nb, hp.ClassWeight)
	if len(rep.Grid) > 1 {
		fmt.Fprintf(w, " (best of %d settings on dev)", len(rep.Grid))
	}
	fmt.Fprintln(w)
	if md.Lexicon != nil {
		cats := make([]string, 0, len(md.Lexicon.Categories))
		for c, n := range md.Lexicon.Categories {
			cats = append(cats, fmt.Sprintf("%s %d", c, n))
		}
		slices.Sort(cats)
		fmt.Fprintf(w, "  lexicon: %d phrases (%s)\n", md.Lexicon.Phrases, strings.Join(cats, ", "))
	}
	if pl := m.PositiveLabel(); pl != "" {
		fmt.Fprintf(w, "  positive label: %s\n", pl)
	}
	fmt.Fprintf(w, "  thresholds: %s\n", rep.ThresholdSource)
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	for _, s := range []struct {
		name string
		m    *classify.SplitMetrics
	}{{"dev", metrics.Dev}, {"test", metrics.Test}} {
		if s.m == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s, %d documents)", s.name, s.m.File, s.m.Model.N)
		if s.name == "dev" && rep.ThresholdSource == "dev" {
			fmt.Fprint(w, ", thresholds tuned on this file")
		}
		fmt.Fprintln(w, ":")
		printEvaluation(w, m, s.m)
	}
}

func printEvaluation(w io.Writer, m *classify.Model, s *classify.SplitMetrics) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	half := s.AtHalf
	if half != nil {
		fmt.Fprintf(tw, "  label\tthreshold\tprecision\trecall\tF1\t\tP@0.5\tR@0.5\tF1@0.5\t\n")
	} else {
		fmt.Fprintf(tw, "  label\tprecision\trecall\tF1\tsupport\t\n")
	}
	row := func(name string, thr string, a, b eval.Averages) {
		if half != nil {
			fmt.Fprintf(tw, "  %s\t%s\t%.4f\t%.4f\t%.4f\t\t%.4f\t%.4f\t%.4f\t\n", name, thr, a.Precision, a.Recall, a.F1, b.Precision, b.Recall, b.F1)
		}
	}
	positive := m.PositiveLabel()
	for i, lm := range s.Model.PerLabel {
		if positive != "" && lm.Label != positive {
			continue
		}
		if half == nil {
			fmt.Fprintf(tw, "  %s\t%.4f\t%.4f\t%.4f\t%d\t\n", lm.Label, lm.Precision, lm.Recall, lm.F1, lm.Support)
			continue
		}
		thr := "-"
		if lm.Threshold != nil {
			thr = strconv.FormatFloat(*lm.Threshold, 'f', 4, 64)
		}
		hl := half.PerLabel[i]
		row(lm.Label, thr, eval.Averages{Precision: lm.Precision, Recall: lm.Recall, F1: lm.F1}, eval.Averages{Precision: hl.Precision, Recall: hl.Recall, F1: hl.F1})
	}
	if positive == "" {
		if half != nil {
			row("micro", "", s.Model.Micro, half.Micro)
			row("macro", "", s.Model.Macro, half.Macro)
		} else {
			fmt.Fprintf(tw, "  macro\t%.4f\t%.4f\t%.4f\t\t\n", s.Model.Macro.Precision, s.Model.Macro.Recall, s.Model.Macro.F1)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "  accuracy %.4f", s.Model.Accuracy)
	if half != nil {
		fmt.Fprintf(w, " (%.4f at 0.5)", half.Accuracy)
	}
	fmt.Fprintln(w)
}

// classifierReports renders the HTML evaluation pages: report.html for the
// test split (or dev when there is no test split) and report-dev.html when
// both were evaluated.
func classifierReports(m *classify.Model, metrics classify.Metrics) (map[string][]byte, error) {
	md := m.Metadata()
	page := func(s *classify.SplitMetrics, what string) ([]byte, error) {
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
	switch {
	case metrics.Test != nil:
		b, err := page(metrics.Test, "held-out test")
		if err != nil {
			return nil, err
		}
		out["report.html"] = b
		if metrics.Dev != nil {
			if out["report-dev.html"], err = page(metrics.Dev, "dev (thresholds tuned here)"); err != nil {
				return nil, err
			}
		}
	case metrics.Dev != nil:
		b, err := page(metrics.Dev, "dev (thresholds tuned here)")
		if err != nil {
			return nil, err
		}
		out["report.html"] = b
	}
	return out, nil
}
