package classify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/text"
	"github.com/osler-health/osler/internal/version"
)

// TrainConfig are the settings of one training run.
type TrainConfig struct {
	// Mode is binary, multi-class or multi-label.
	Mode dataset.Mode
	// PositiveLabel is the label a binary model scores; default: the rarer
	// of the two.
	PositiveLabel string
	Features      FeatureConfig
	// Loss is logistic (default) or svm.
	Loss Loss
	// C is the inverse regularization strength (larger fits the training
	// data more closely).
	C float64
	// CGrid, when it has several values and a dev set is given, is searched
	// and the C with the best dev score is kept (see [TrainReport.Grid]).
	CGrid []float64
	// ClassWeight is "balanced" (each class weighs inversely to its
	// frequency, per label) or "none".
	ClassWeight string
	// Epsilon is the solver's stopping tolerance; MaxEpochs bounds its
	// passes over the data.
	Epsilon   float64
	MaxEpochs int
	// Patience, when positive and a dev set is given, stops a solver once
	// its dev loss has not improved for that many epochs and keeps the
	// weights of its best epoch.
	Patience int
	// NB scales each feature by its naive-Bayes log-count ratio for the
	// label (as NBSVM does), so features indicative of the label are
	// regularized less: "on", "off", or "auto" (try both when a dev set is
	// given, keep the better; off otherwise).
	NB string
	// Seed makes training deterministic: same data, settings and seed give
	// the same model bit for bit, whatever the number of workers.
	Seed uint64
	// Workers bounds parallelism; 0 means GOMAXPROCS.
	Workers int
	// CVFolds is the number of cross-validation folds used to tune
	// thresholds when no dev set is given (default 5; 1 or less keeps 0.5).
	CVFolds int
	// Lexicon are phrases to recognize (see [ReadLexicon]); learned from
	// training data only. LexiconSources names their files for the record.
	Lexicon        []LexiconEntry
	LexiconSources []string
	// TrainName and DevName name the data in error messages.
	TrainName, DevName string
	// Progress, when set, is told how training advances.
	Progress Progress
}

// Progress receives training progress: Osler's progress contract.
type Progress = progress.Reporter

// DefaultTrainConfig returns Osler's defaults for mode.
func DefaultTrainConfig(mode dataset.Mode) TrainConfig {
	return TrainConfig{
		Mode:        mode,
		Features:    DefaultFeatureConfig(),
		Loss:        LossLogistic,
		C:           4,
		CGrid:       []float64{1, 4, 16},
		NB:          "auto",
		ClassWeight: "none",
		Epsilon:     0.1,
		MaxEpochs:   1000,
		Seed:        1,
		CVFolds:     5,
	}
}

func (c *TrainConfig) validate() error {
	switch c.Mode {
	case dataset.ModeBinary, dataset.ModeMultiClass, dataset.ModeMultiLabel:
	default:
		return fmt.Errorf("mode %q: want binary, multi-class or multi-label", c.Mode)
	}
	if err := c.Features.Validate(); err != nil {
		return err
	}
	switch c.Loss {
	case LossLogistic, LossSVM:
	default:
		return fmt.Errorf("loss %q: want logistic or svm", c.Loss)
	}
	if !(c.C > 0) {
		return fmt.Errorf("C %v: want a positive number", c.C)
	}
	for _, v := range c.CGrid {
		if !(v > 0) {
			return fmt.Errorf("C grid value %v: want positive numbers", v)
		}
	}
	switch c.NB {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("nb %q: want auto, on or off", c.NB)
	}
	switch c.ClassWeight {
	case "none", "balanced":
	default:
		return fmt.Errorf("class weight %q: want none or balanced", c.ClassWeight)
	}
	if c.Epsilon <= 0 || c.MaxEpochs <= 0 {
		return errors.New("epsilon and max epochs must be positive")
	}
	return nil
}

// TrainReport says what training did.
type TrainReport struct {
	Labels       []string
	Documents    int
	DevDocuments int
	// LabelCounts is the number of training documents of each label.
	LabelCounts []int
	Features    int
	// C and NB are the settings of the model; Grid has the dev score of
	// every candidate tried.
	C    float64
	NB   bool
	Grid []GridPoint
	// Thresholds are the tuned per-label thresholds ([Model.Labels]
	// order); ThresholdSource says how they were tuned.
	Thresholds      []float64
	ThresholdSource string
	Epochs          []int
	Converged       []bool
	// Warnings are things the user should know (labels only in dev, ...).
	Warnings []string
	// Featurize, Solve and Tune are the time spent in each stage.
	Featurize, Solve, Tune time.Duration
	// MatrixBytes is the memory taken by the training documents' features.
	MatrixBytes int64
}

// GridPoint is one candidate setting tried and its dev score: the F1 of
// the positive label for binary models, the mean of micro- and macro-F1
// for multi-label models (each at thresholds tuned on dev), accuracy for
// multi-class models.
type GridPoint struct {
	C     float64 `json:"c"`
	NB    bool    `json:"nb"`
	Score float64 `json:"score"`
}

// candidate is one setting tried.
type candidate struct {
	c  float64
	nb bool
}

// gridMaxEpochs bounds the epochs spent on each candidate setting: the
// dev scores that rank candidates settle long before the solver's own
// tolerance is met, and each C starts from the previous C's solution.
const gridMaxEpochs = 5

// candidateAxes returns the distinct C values (increasing) and NB choices
// of cands, which [candidates] lists NB-major, C fastest.
func candidateAxes(cands []candidate) (cs []float64, nbs []bool) {
	for _, c := range cands {
		if !slices.Contains(cs, c.c) {
			cs = append(cs, c.c)
		}
		if !slices.Contains(nbs, c.nb) {
			nbs = append(nbs, c.nb)
		}
	}
	return cs, nbs
}

// candidates lists the settings to train: the C grid (or C) times the NB
// choices, C varying fastest.
func candidates(cfg *TrainConfig, haveDev bool) []candidate {
	cs := []float64{cfg.C}
	if haveDev && len(cfg.CGrid) > 0 {
		cs = slices.Clone(cfg.CGrid)
		slices.Sort(cs)
		cs = slices.Compact(cs)
	}
	nbs := []bool{cfg.NB == "on"}
	if haveDev && cfg.NB == "auto" {
		nbs = []bool{false, true}
	}
	var out []candidate
	for _, nb := range nbs {
		for _, c := range cs {
			out = append(out, candidate{c: c, nb: nb})
		}
	}
	return out
}

// trainSet is the featurized training data.
type trainSet struct {
	m      *matrix
	labOff []uint32 // labels of document i: labs[labOff[i]:labOff[i+1]]
	labs   []uint16
}

func (t *trainSet) has(doc int, label int) bool {
	for _, l := range t.labs[t.labOff[doc]:t.labOff[doc+1]] {
		if int(l) == label {
			return true
		}
	}
	return false
}

// Train trains a classifier on the records of train and, when dev is not
// empty, tunes thresholds (and C, and early stopping) on dev. Records of
// train are streamed: only their features are kept. Multi-label records
// without labels are negatives for every label.
func Train(ctx context.Context, cfg TrainConfig, train dataset.Reader, dev []dataset.Record) (*Model, *TrainReport, error) {
	start := time.Now()
	if err := cfg.validate(); err != nil {
		return nil, nil, fmt.Errorf("classify: %w", err)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.TrainName == "" {
		cfg.TrainName = "train"
	}
	if cfg.DevName == "" {
		cfg.DevName = "dev"
	}
	var lex *Lexicon
	if len(cfg.Lexicon) > 0 {
		var err error
		if lex, err = NewLexicon(cfg.Lexicon, cfg.Features); err != nil {
			return nil, nil, fmt.Errorf("classify: %w", err)
		}
		if lex.Len() == 0 {
			lex = nil
		}
	}
	rep := &TrainReport{}
	ts, labels, df, err := featurizeTrain(ctx, &cfg, lex, train)
	if err != nil {
		return nil, nil, err
	}
	n := ts.m.rows()
	rep.Documents = n
	rep.Labels = labels
	rep.LabelCounts = make([]int, len(labels))
	for _, l := range ts.labs {
		rep.LabelCounts[l]++
	}
	if err := checkLabels(&cfg, labels, rep.LabelCounts, n); err != nil {
		return nil, nil, err
	}
	positive := 0
	if cfg.Mode == dataset.ModeBinary {
		positive = choosePositive(cfg.PositiveLabel, labels, rep.LabelCounts)
		if positive < 0 {
			return nil, nil, fmt.Errorf("classify: positive label %q is not one of the training labels (%s)", cfg.PositiveLabel, strings.Join(labels, ", "))
		}
	}

	// Fix the vocabulary: features seen in enough documents, numbered in
	// order of their hashed ids (so compact ids keep the block order).
	base := cfg.Features.space()
	minDF := [numBlocks]uint32{uint32(cfg.Features.WordMinDF), uint32(cfg.Features.CharMinDF), 1}
	newID := make([]int32, len(df))
	var ids []uint32
	var idf []float32
	var blockStart [numBlocks + 1]uint32
	blk := 0
	for id, d := range df {
		for blk < numBlocks && uint32(id) >= base[blk+1] {
			blk++
			blockStart[blk] = uint32(len(ids))
		}
		if d == 0 || d < minDF[blk] {
			newID[id] = -1
			continue
		}
		newID[id] = int32(len(ids))
		ids = append(ids, uint32(id))
		idf = append(idf, float32(math.Log(float64(1+n)/float64(1+d))+1))
	}
	for blk < numBlocks {
		blk++
		blockStart[blk] = uint32(len(ids))
	}
	df = nil
	ts.m.remap(newID)
	fs := &featureSpace{idf: idf, blockStart: blockStart, sublinear: cfg.Features.SublinearTF}
	ts.m.normalize(idf, &blockStart, fs.sublinear)
	ts.m.expand(fs)
	rep.MatrixBytes = ts.m.bytes()
	rep.Features = len(ids)
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("classify: %s: no features (are the texts empty?)", cfg.TrainName)
	}

	// Dev set.
	labelIndex := map[string]int{}
	for i, l := range labels {
		labelIndex[l] = i
	}
	var devM *matrix
	var devY [][]bool // per label, per dev document
	if len(dev) > 0 {
		devM, devY, err = featurizeDev(&cfg, lex, dev, newID, labelIndex, rep)
		if err != nil {
			return nil, nil, err
		}
		devM.normalize(idf, &blockStart, fs.sublinear)
		devM.expand(fs)
		rep.DevDocuments = len(dev)
	}
	rep.Featurize = time.Since(start)

	nout := len(labels)
	if cfg.Mode == dataset.ModeBinary {
		nout = 1
	}
	outLabel := func(o int) int {
		if cfg.Mode == dataset.ModeBinary {
			return positive
		}
		return o
	}
	allDocs := make([]int32, n)
	for i := range allDocs {
		allDocs[i] = int32(i)
	}
	mkProblem := func(o int, docs []int32, cand candidate) *problem {
		c := cand.c
		p := &problem{m: ts.m, feats: fs, docs: docs, y: make([]int8, len(docs)), bias: 1}
		npos := 0
		for k, d := range docs {
			if ts.has(int(d), outLabel(o)) {
				p.y[k] = 1
				npos++
			} else {
				p.y[k] = -1
			}
		}
		p.wPos, p.wNeg = 1, 1
		if cfg.ClassWeight == "balanced" && npos > 0 && npos < len(docs) {
			p.wPos = float64(len(docs)) / (2 * float64(npos))
			p.wNeg = float64(len(docs)) / (2 * float64(len(docs)-npos))
		}
		p.setC(c)
		if cand.nb {
			p.d2 = nbScale(p)
		}
		return p
	}
	devProblem := func(o int, train *problem) *problem {
		if devM == nil {
			return nil
		}
		p := &problem{m: devM, feats: fs, docs: make([]int32, devM.rows()), y: make([]int8, devM.rows()), bias: 1, cPos: train.cPos, cNeg: train.cNeg}
		for i := range p.docs {
			p.docs[i] = int32(i)
			p.y[i] = -1
			if devY[outLabel(o)][i] {
				p.y[i] = 1
			}
		}
		return p
	}
	opts := func(o int, dev *problem) solveOptions {
		so := solveOptions{loss: cfg.Loss, eps: cfg.Epsilon, maxEpoch: cfg.MaxEpochs, seed: cfg.Seed + uint64(o)*0x9e3779b97f4a7c15}
		if dev != nil && cfg.Patience > 0 {
			so.dev, so.patience = dev, cfg.Patience
		}
		return so
	}

	// Choose among the candidate settings (C, NB scaling) by dev score:
	// one job per (NB choice, output) walks the C grid upwards, each C
	// warm-started from the previous one and given a few epochs (rankings
	// do not need more, see gridMaxEpochs); only dev scores are kept. Then
	// the chosen setting is trained to the solver's tolerance.
	cands := candidates(&cfg, devM != nil)
	cs, nbs := candidateAxes(cands)
	solveStart := time.Now()
	chosen := cands[0]
	if len(cands) > 1 {
		if cfg.Progress != nil {
			cfg.Progress.Stage("choosing C on "+cfg.DevName, len(cands)*nout)
		}
		raw := make([][][]float64, len(cands)) // [candidate][output][dev doc]
		for k := range raw {
			raw[k] = make([][]float64, nout)
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(cfg.Workers)
		for nbi, nb := range nbs {
			for o := 0; o < nout; o++ {
				g.Go(func() error {
					var init []float64
					p := mkProblem(o, allDocs, candidate{c: cs[0], nb: nb})
					for ci, c := range cs {
						p.setC(c)
						so := opts(o, nil)
						so.maxEpoch, so.init = min(cfg.MaxEpochs, gridMaxEpochs), init
						s, err := solve(gctx, p, so)
						if err != nil {
							return err
						}
						init = s.alpha
						raw[nbi*len(cs)+ci][o] = scoreMatrix(devM, fs, s) // one writer per cell
						if cfg.Progress != nil {
							cfg.Progress.Add(1)
						}
					}
					return nil
				})
			}
		}
		if err := g.Wait(); err != nil {
			return nil, nil, err
		}
		bestScore := math.Inf(-1)
		for k, c := range cands {
			score := selectionScore(cfg.Mode, raw[k], devY, positive)
			rep.Grid = append(rep.Grid, GridPoint{C: c.c, NB: c.nb, Score: score})
			if score > bestScore {
				chosen, bestScore = c, score
			}
		}
	}
	// Without a dev set, thresholds come from cross-validation, which
	// runs alongside the final training.
	useCV := len(dev) == 0 && cfg.CVFolds > 1 && cfg.Mode != dataset.ModeMultiClass
	cvFolds := min(cfg.CVFolds, n)
	type cvResult struct {
		thr  []float64
		warn []string
		took time.Duration
		err  error
	}
	cvDone := make(chan cvResult, 1)
	if cfg.Progress != nil {
		total := nout
		if useCV {
			total += cvJobs(n, cvFolds) * nout
		}
		cfg.Progress.Stage("training", total)
	}
	cvCtx, cvCancel := context.WithCancel(ctx)
	defer cvCancel() // stops cross-validation when training fails
	if useCV {
		go func() {
			start := time.Now()
			thr, warn, err := cvThresholds(cvCtx, &cfg, ts, n, nout, cvFolds, labels, positive, chosen, mkProblem, opts)
			cvDone <- cvResult{thr, warn, time.Since(start), err}
		}()
	}
	best := make([]*solution, nout)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
	for o := 0; o < nout; o++ {
		g.Go(func() error {
			p := mkProblem(o, allDocs, chosen)
			s, err := solve(gctx, p, opts(o, devProblem(o, p)))
			if err != nil {
				return err
			}
			best[o] = s
			if cfg.Progress != nil {
				cfg.Progress.Add(1)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	rep.Solve = time.Since(solveStart)
	rep.C, rep.NB = chosen.c, chosen.nb
	for _, s := range best {
		rep.Epochs = append(rep.Epochs, s.epochs)
		rep.Converged = append(rep.Converged, s.converged)
	}

	// Assemble the model: per row the idf, then the weights of every
	// output, as float32.
	stride := 1 + nout
	rows := make([]float32, len(ids)*stride)
	for r := range ids {
		rows[r*stride] = idf[r]
		for o, s := range best {
			rows[r*stride+1+o] = float32(s.w[r])
		}
	}
	bias := make([]float32, nout)
	for o, s := range best {
		bias[o] = float32(s.b)
	}
	best = nil
	meta := Metadata{
		Format:        FormatName,
		FormatVersion: FormatVersion,
		OslerVersion:  version.String(),
		Created:       time.Now().UTC().Format(time.RFC3339),
		Mode:          string(cfg.Mode),
		Labels:        labels,
		Hyperparameters: Hyperparameters{
			Loss: cfg.Loss, C: rep.C, NB: rep.NB, ClassWeight: cfg.ClassWeight, Epsilon: cfg.Epsilon,
			MaxEpochs: cfg.MaxEpochs, Seed: cfg.Seed,
		},
		Features: cfg.Features,
		Training: TrainingInfo{Documents: n, DevDocuments: rep.DevDocuments, Features: len(ids), Epochs: rep.Epochs, Converged: rep.Converged},
	}
	if len(cands) > 1 {
		meta.Hyperparameters.Grid = rep.Grid
	}
	if devM != nil && cfg.Patience > 0 {
		meta.Hyperparameters.Patience = cfg.Patience
	}
	if cfg.Mode == dataset.ModeBinary {
		meta.PositiveLabel = labels[positive]
	}
	if lex != nil {
		meta.Lexicon = &LexiconInfo{Phrases: lex.Len(), Categories: lex.CategoryCounts(), Sources: cfg.LexiconSources}
	}
	model, err := newModel(meta, cfg.Features, lex, ids, rows, bias)
	if err != nil {
		return nil, nil, fmt.Errorf("classify: %w", err)
	}

	// Thresholds.
	tuneStart := time.Now()
	thr := make([]float64, len(labels))
	for i := range thr {
		thr[i] = 0.5
	}
	switch {
	case cfg.Mode == dataset.ModeMultiClass:
		rep.ThresholdSource = "none (multi-class: the top label wins)"
	case len(dev) > 0:
		scores := make([][]float64, len(labels))
		var buf []float64
		for i, r := range dev {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
			}
			buf = model.AppendScores(buf[:0], r.Text)
			for l, s := range buf {
				scores[l] = append(scores[l], s)
			}
		}
		for l := range labels {
			if cfg.Mode == dataset.ModeBinary && l != positive {
				continue
			}
			if t, ok := bestThreshold(devY[l], scores[l]); ok {
				thr[l] = t
			} else {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("label %q has no positive %s document: its threshold stays 0.5", labels[l], cfg.DevName))
			}
		}
		rep.ThresholdSource = "dev"
	case useCV:
		cv := <-cvDone
		if cv.err != nil {
			return nil, nil, cv.err
		}
		copy(thr, cv.thr)
		rep.Warnings = append(rep.Warnings, cv.warn...)
		rep.ThresholdSource = "cross-validation"
		if cvJobs(n, cvFolds) == 1 {
			rep.ThresholdSource = fmt.Sprintf("held-out 1/%d of the training data", cvFolds)
		}
		model.meta.Hyperparameters.CVFolds = cvFolds
		rep.Tune = cv.took
	default:
		rep.ThresholdSource = "fixed"
	}
	if !useCV {
		rep.Tune = time.Since(tuneStart)
	}
	rep.Thresholds = thr
	model.thresholds = thr
	model.meta.ThresholdSource = rep.ThresholdSource
	model.meta.Thresholds = map[string]float64{}
	for l, name := range labels {
		if cfg.Mode == dataset.ModeMultiClass || (cfg.Mode == dataset.ModeBinary && l != positive) {
			continue
		}
		model.meta.Thresholds[name] = thr[l]
	}
	model.meta.Training.Seconds = math.Round(time.Since(start).Seconds()*1000) / 1000
	return model, rep, nil
}

// checkLabels refuses label sets the mode cannot train on.
func checkLabels(cfg *TrainConfig, labels []string, counts []int, n int) error {
	if n < 2 {
		return fmt.Errorf("classify: %s has %d records; at least 2 are needed", cfg.TrainName, n)
	}
	switch cfg.Mode {
	case dataset.ModeBinary:
		if len(labels) != 2 {
			return fmt.Errorf("classify: %s: binary mode needs exactly 2 labels, found %d (%s); use --mode multi-class or multi-label", cfg.TrainName, len(labels), summarizeLabels(labels))
		}
	case dataset.ModeMultiClass:
		if len(labels) < 2 {
			return fmt.Errorf("classify: %s: multi-class mode needs at least 2 labels, found %d", cfg.TrainName, len(labels))
		}
	case dataset.ModeMultiLabel:
		if len(labels) == 0 {
			return fmt.Errorf("classify: %s: no labels", cfg.TrainName)
		}
		for i, c := range counts {
			if c == n {
				return fmt.Errorf("classify: %s: every record has label %q, so there is nothing to learn for it; remove it", cfg.TrainName, labels[i])
			}
		}
	}
	return nil
}

func summarizeLabels(labels []string) string {
	if len(labels) > 5 {
		return strings.Join(labels[:5], ", ") + ", ..."
	}
	return strings.Join(labels, ", ")
}

// choosePositive returns the positive label of a binary problem: the named
// one, or the rarer (the later in sort order on a tie).
func choosePositive(name string, labels []string, counts []int) int {
	if name != "" {
		return slices.Index(labels, name)
	}
	if counts[0] < counts[1] {
		return 0
	}
	return 1
}

// typeDict numbers the word types (space-separated words of normalized
// text) seen in training and keeps each type's character n-grams, so they
// are computed once per type and stored once (see [matrix]). Workers keep
// their own cache of it, so the lock is taken only for types new to them.
type typeDict struct {
	mu    sync.Mutex
	index map[string]int32
	lists [][]uint64 // per type: feature id<<32 | count, increasing ids
}

// typeRef is a worker's cached view of one type.
type typeRef struct {
	id   int32
	list []uint64
}

// lookup returns the type of padded word w, adding it when new; cache is
// the calling worker's own.
func (d *typeDict) lookup(w []byte, ex *extractor, tab *countTable, cache map[string]typeRef) typeRef {
	if r, ok := cache[string(w)]; ok {
		return r
	}
	d.mu.Lock()
	id, ok := d.index[string(w)]
	if !ok {
		tab.reset()
		ex.wordCharFeatures(w, tab)
		list := make([]uint64, len(tab.used))
		for k, s := range tab.used {
			list[k] = uint64(tab.id(s))<<32 | uint64(tab.count(s))
		}
		slices.Sort(list)
		id = int32(len(d.lists))
		d.lists = append(d.lists, list)
		d.index[string(w)] = id
	}
	r := typeRef{id: id, list: d.lists[id]}
	d.mu.Unlock()
	cache[string(w)] = r
	return r
}

// table flattens the dictionary into a typeTable (in type order).
func (d *typeDict) table() *typeTable {
	n := 0
	for _, l := range d.lists {
		n += len(l)
	}
	t := &typeTable{ids: make([]uint32, 0, n), cnts: make([]uint32, 0, n), off: make([]uint32, 1, len(d.lists)+1)}
	for _, l := range d.lists {
		for _, v := range l {
			t.ids = append(t.ids, uint32(v>>32))
			t.cnts = append(t.cnts, uint32(v))
		}
		t.off = append(t.off, uint32(len(t.ids)))
	}
	return t
}

// featurizeTrain reads and featurizes the training records in parallel:
// this goroutine reads (decoding is sequential), workers featurize batches,
// and the batches are put back in order so the result does not depend on
// scheduling. It returns the matrix with hashed ids and their document
// frequencies.
func featurizeTrain(ctx context.Context, cfg *TrainConfig, lex *Lexicon, r dataset.Reader) (*trainSet, []string, []uint32, error) {
	const batchSize = 256
	type batch struct {
		idx   int
		texts []string
	}
	type result struct {
		data []byte
		ends []docEnd
	}
	space := cfg.Features.space()
	loo := lex != nil && lex.hasSources()
	chars := cfg.Features.CharNgramMax > 0
	dict := &typeDict{index: map[string]int32{}}
	work := make(chan batch, cfg.Workers)
	var mu sync.Mutex
	var results []result
	dfs := make([][]uint32, cfg.Workers)
	g, gctx := errgroup.WithContext(ctx)
	for w := 0; w < cfg.Workers; w++ {
		g.Go(func() error {
			ex := newExtractor(cfg.Features, lex)
			var df []uint32
			var ids, tfs []uint32
			var types []int32
			var buf []byte
			var merge, scratch countTable
			merge.init(10)
			scratch.init(10)
			cache := map[string]typeRef{}
			for b := range work {
				if df == nil {
					df = make([]uint32, space[numBlocks])
					dfs[w] = df
				}
				var res result
				buf = buf[:0]
				for _, t := range b.texts {
					var key uint64
					if loo {
						key = text.NearDupKey(t)
					}
					ex.extractWords(t, key)
					ids, tfs = ex.sortedCounts(nil, ids[:0], tfs[:0])
					for _, id := range ids {
						df[id]++
					}
					buf = appendDoc(buf, ids, tfs)
					mid := uint32(len(buf))
					if chars {
						// Word types, and the distinct character n-grams of
						// the document for their document frequency.
						types = types[:0]
						merge.reset()
						ex.eachWord(func(w []byte) {
							r := dict.lookup(w, ex, &scratch, cache)
							types = append(types, r.id)
							for _, v := range r.list {
								merge.add(uint32(v >> 32))
							}
						})
						for _, s := range merge.used {
							df[merge.id(s)]++
						}
						buf = appendTypes(buf, types)
					}
					res.ends = append(res.ends, docEnd{mid: mid, end: uint32(len(buf))})
				}
				res.data = slices.Clone(buf) // exactly sized: the matrix lives long
				mu.Lock()
				for len(results) <= b.idx {
					results = append(results, result{})
				}
				results[b.idx] = res
				mu.Unlock()
				if cfg.Progress != nil {
					cfg.Progress.Add(len(b.texts))
				}
			}
			return nil
		})
	}
	ts := &trainSet{m: &matrix{}, labOff: []uint32{0}}
	labelIdx := map[string]int{}
	var labels []string
	var seen []int
	readErr := func() error {
		defer close(work)
		if cfg.Progress != nil {
			cfg.Progress.Stage("featurizing "+cfg.TrainName, -1)
		}
		cur := batch{}
		nb := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("classify: %w", err)
			}
			if (cfg.Mode == dataset.ModeBinary || cfg.Mode == dataset.ModeMultiClass) && len(rec.Labels) != 1 {
				return fmt.Errorf("classify: %s:%d: %d labels; %s training needs exactly one per record (use --mode multi-label, or fix the record)", cfg.TrainName, rec.Line, len(rec.Labels), cfg.Mode)
			}
			seen = seen[:0]
			for _, l := range rec.Labels {
				if l == "" {
					return fmt.Errorf("classify: %s:%d: empty label", cfg.TrainName, rec.Line)
				}
				i, ok := labelIdx[l]
				if !ok {
					if len(labels) == math.MaxUint16 {
						return fmt.Errorf("classify: %s: more than %d labels", cfg.TrainName, math.MaxUint16)
					}
					i = len(labels)
					labelIdx[l] = i
					labels = append(labels, l)
				}
				if !slices.Contains(seen, i) {
					seen = append(seen, i)
					ts.labs = append(ts.labs, uint16(i))
				}
			}
			ts.labOff = append(ts.labOff, uint32(len(ts.labs)))
			cur.texts = append(cur.texts, rec.Text)
			if len(cur.texts) == batchSize {
				cur.idx = nb
				nb++
				select {
				case work <- cur:
				case <-gctx.Done():
					return gctx.Err()
				}
				cur = batch{}
			}
		}
		if len(cur.texts) > 0 {
			cur.idx = nb
			select {
			case work <- cur:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	}()
	if err := g.Wait(); err != nil {
		return nil, nil, nil, err
	}
	if readErr != nil {
		return nil, nil, nil, readErr
	}
	for _, res := range results {
		ts.m.addChunk(res.data, res.ends)
	}
	if chars {
		ts.m.types = dict.table()
	}
	// Number labels in sorted order.
	order := slices.Clone(labels)
	sort.Strings(order)
	remap := make([]uint16, len(labels))
	for i, l := range labels {
		remap[i] = uint16(slices.Index(order, l))
	}
	for i, l := range ts.labs {
		ts.labs[i] = remap[l]
	}
	// Merge the workers' document frequencies.
	var df []uint32
	for _, d := range dfs {
		if d == nil {
			continue
		}
		if df == nil {
			df = d
			continue
		}
		for i, v := range d {
			df[i] += v
		}
	}
	if df == nil {
		df = make([]uint32, space[numBlocks])
	}
	return ts, order, df, nil
}

// featurizeDev featurizes dev records in the training vocabulary and
// returns, per label, which dev documents carry it.
func featurizeDev(cfg *TrainConfig, lex *Lexicon, dev []dataset.Record, newID []int32, labelIndex map[string]int, rep *TrainReport) (*matrix, [][]bool, error) {
	ex := newExtractor(cfg.Features, lex)
	y := make([][]bool, len(labelIndex))
	for l := range y {
		y[l] = make([]bool, len(dev))
	}
	unknown := map[string]int{}
	var data []byte
	var ends []docEnd
	var ids, tfs []uint32
	for i, r := range dev {
		if (cfg.Mode == dataset.ModeBinary || cfg.Mode == dataset.ModeMultiClass) && len(r.Labels) != 1 {
			return nil, nil, fmt.Errorf("classify: %s:%d: %d labels; %s needs exactly one per record", cfg.DevName, r.Line, len(r.Labels), cfg.Mode)
		}
		for _, l := range r.Labels {
			k, ok := labelIndex[l]
			if !ok {
				unknown[l]++
				continue
			}
			y[k][i] = true
		}
		ex.extract(r.Text, 0)
		ids, tfs = ex.sortedCounts(newID, ids[:0], tfs[:0])
		data = appendDoc(data, ids, tfs)
		ends = append(ends, docEnd{mid: uint32(len(data)), end: uint32(len(data))})
	}
	if len(unknown) > 0 {
		names := make([]string, 0, len(unknown))
		for l := range unknown {
			names = append(names, l)
		}
		sort.Strings(names)
		if cfg.Mode != dataset.ModeMultiLabel {
			return nil, nil, fmt.Errorf("classify: %s has labels the training data does not: %s", cfg.DevName, summarizeLabels(names))
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s has %d labels the training data does not (ignored): %s", cfg.DevName, len(names), summarizeLabels(names)))
	}
	m := &matrix{}
	m.addChunk(data, ends)
	return m, y, nil
}

// scoreMatrix returns the raw linear score of every document of m.
func scoreMatrix(m *matrix, fs *featureSpace, s *solution) []float64 {
	raw := make([]float64, m.rows())
	var buf rowBuf
	p := &problem{m: m, feats: fs}
	for i := range raw {
		cols, vals := p.row(&buf, int32(i))
		raw[i] = dot(s.w, cols, vals) + s.b
	}
	return raw
}

// probs turns raw scores (per output, per document) into per-label
// probabilities as [Model.AppendScores] does.
func probs(mode dataset.Mode, raw [][]float64, nlabels, positive int) [][]float64 {
	out := make([][]float64, nlabels)
	ndoc := len(raw[0])
	for l := range out {
		out[l] = make([]float64, ndoc)
	}
	buf := make([]float64, len(raw))
	var p []float64
	for i := 0; i < ndoc; i++ {
		for o := range raw {
			buf[o] = raw[o][i]
		}
		p = appendProbs(p[:0], mode, positive, nlabels, buf)
		for l := range out {
			out[l][i] = p[l]
		}
	}
	return out
}

// cvHoldoutMin is the number of training documents from which one
// held-out fold (a 1/k holdout, still tens of thousands of documents)
// tunes thresholds instead of all k folds.
var cvHoldoutMin = 100_000

// cvJobs is the number of folds trained for thresholds: k, or 1 for large
// data (see cvHoldoutMin).
func cvJobs(n, k int) int {
	if n >= cvHoldoutMin {
		return 1
	}
	return k
}

// cvThresholds tunes thresholds on out-of-fold scores: the training
// documents are dealt into k folds (shuffled with the seed), a model per
// fold and output is trained on the other folds, and each label's
// threshold is the F1-optimal one over the out-of-fold scores. From
// cvHoldoutMin documents on, only the first fold is held out and scored.
func cvThresholds(ctx context.Context, cfg *TrainConfig, ts *trainSet, n, nout, k int, labels []string, positive int, cand candidate,
	mkProblem func(o int, docs []int32, cand candidate) *problem, opts func(o int, dev *problem) solveOptions) ([]float64, []string, error) {
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6376))
	rng.Shuffle(n, func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
	fold := make([]int, n)
	for pos, d := range perm {
		fold[d] = pos % k
	}
	raw := make([][]float64, nout)
	for o := range raw {
		raw[o] = make([]float64, n)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
	folds := cvJobs(n, k)
	for f := 0; f < folds; f++ {
		var trainDocs, heldOut []int32
		for d := 0; d < n; d++ {
			if fold[d] == f {
				heldOut = append(heldOut, int32(d))
			} else {
				trainDocs = append(trainDocs, int32(d))
			}
		}
		for o := 0; o < nout; o++ {
			g.Go(func() error {
				p := mkProblem(o, trainDocs, cand)
				s, err := solve(gctx, p, opts(o, nil))
				if err != nil {
					return err
				}
				var buf rowBuf
				for _, d := range heldOut {
					cols, vals := p.row(&buf, d)
					raw[o][d] = dot(s.w, cols, vals) + s.b
				}
				if cfg.Progress != nil {
					cfg.Progress.Add(1)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	// Only documents of the folds trained have out-of-fold scores.
	var scored []int
	for d := 0; d < n; d++ {
		if fold[d] < folds {
			scored = append(scored, d)
		}
	}
	for o := range raw {
		r := make([]float64, len(scored))
		for k, d := range scored {
			r[k] = raw[o][d]
		}
		raw[o] = r
	}
	p := probs(cfg.Mode, raw, len(labels), positive)
	thr := make([]float64, len(labels))
	var warn []string
	for l := range labels {
		thr[l] = 0.5
		if cfg.Mode == dataset.ModeBinary && l != positive {
			continue
		}
		y := make([]bool, len(scored))
		for k, d := range scored {
			y[k] = ts.has(d, l)
		}
		if t, ok := bestThreshold(y, p[l]); ok {
			thr[l] = t
		} else {
			warn = append(warn, fmt.Sprintf("label %q: no positive out-of-fold document; threshold stays 0.5", labels[l]))
		}
	}
	return thr, warn, nil
}

// nbScale returns the squared naive-Bayes log-count ratios of a problem's
// features: r_c = ln((p_c/|p|)/(q_c/|q|)) with p_c (q_c) one plus the
// number of positive (negative) documents that have feature c.
func nbScale(p *problem) []float64 {
	n := p.feats.n()
	pc := make([]float64, n)
	qc := make([]float64, n)
	var buf rowBuf
	for k, d := range p.docs {
		cols, _ := p.row(&buf, d)
		t := qc
		if p.y[k] > 0 {
			t = pc
		}
		for _, c := range cols {
			t[c]++
		}
	}
	var sp, sq float64
	for c := range pc {
		pc[c]++
		qc[c]++
		sp += pc[c]
		sq += qc[c]
	}
	for c := range pc {
		r := math.Log((pc[c] / sp) / (qc[c] / sq))
		pc[c] = r * r
	}
	return pc
}
