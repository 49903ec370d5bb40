package classify

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
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
	ClassWeight ClassWeight
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
	NB NBScaling
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
		NB:          NBAuto,
		ClassWeight: ClassWeightNone,
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
	for _, v := range []struct {
		name string
		v    flag.Value
	}{{"loss", &c.Loss}, {"nb", &c.NB}, {"class weight", &c.ClassWeight}} {
		if err := v.v.Set(v.v.String()); err != nil {
			return fmt.Errorf("%s %q: %w", v.name, v.v.String(), err)
		}
	}
	if !(c.C > 0) {
		return fmt.Errorf("C %v: want a positive number", c.C)
	}
	for _, v := range c.CGrid {
		if !(v > 0) {
			return fmt.Errorf("C grid value %v: want positive numbers", v)
		}
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
	nbs := []bool{cfg.NB == NBOn}
	if haveDev && cfg.NB == NBAuto {
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
//
// Training runs in stages, one method of [trainer] each: featurize the
// training data, fix the vocabulary, featurize dev, choose the setting
// (C, NB scaling) on dev, solve every output (cross-validating thresholds
// alongside when there is no dev set), assemble the model and tune its
// thresholds.
func Train(ctx context.Context, cfg TrainConfig, train dataset.Reader, dev []dataset.Record) (*Model, *TrainReport, error) {
	t, err := newTrainer(cfg, dev)
	if err != nil {
		return nil, nil, err
	}
	df, err := t.featurize(ctx, train)
	if err != nil {
		return nil, nil, err
	}
	if err := t.fixVocabulary(df); err != nil {
		return nil, nil, err
	}
	if err := t.featurizeDev(); err != nil {
		return nil, nil, err
	}
	t.rep.Featurize = time.Since(t.start)
	solveStart := time.Now()
	if err := t.chooseSetting(ctx); err != nil {
		return nil, nil, err
	}
	cvCtx, cvCancel := context.WithCancel(ctx)
	defer cvCancel() // stops cross-validation when training fails
	t.startCrossValidation(cvCtx)
	if err := t.solve(ctx); err != nil {
		return nil, nil, err
	}
	t.rep.Solve = time.Since(solveStart)
	if err := t.assemble(); err != nil {
		return nil, nil, err
	}
	if err := t.tuneThresholds(ctx); err != nil {
		return nil, nil, err
	}
	t.model.meta.Training.Seconds = math.Round(time.Since(t.start).Seconds()*1000) / 1000
	return t.model, t.rep, nil
}

// trainer is one training run as it moves through the stages of [Train].
// Each stage fills the fields the next ones read; the cross-validation
// goroutine only reads fields no stage changes after it starts.
type trainer struct {
	cfg   TrainConfig
	lex   *Lexicon
	rep   *TrainReport
	start time.Time

	// The featurized training data (featurize, fixVocabulary).
	ts       *trainSet
	labels   []string
	positive int // the positive label of a binary model
	n, nout  int // documents; outputs (1 for binary, else one per label)
	allDocs  []int32
	newID    []int32 // hashed feature id -> compact id (-1: dropped)
	ids      []uint32
	idf      []float32
	fs       *featureSpace

	// The dev set (featurizeDev): its matrix and, per label, which
	// documents carry it.
	dev  []dataset.Record
	devM *matrix
	devY [][]bool

	// The setting chosen and the solutions of each output.
	cands  []candidate
	chosen candidate
	best   []*solution

	// Cross-validated thresholds, when there is no dev set.
	useCV   bool
	cvFolds int
	cvDone  chan cvResult

	model *Model
}

// cvResult is what the cross-validation goroutine hands back.
type cvResult struct {
	thr  []float64
	warn []string
	took time.Duration
	err  error
}

// newTrainer checks the configuration and fills its defaults.
func newTrainer(cfg TrainConfig, dev []dataset.Record) (*trainer, error) {
	t := &trainer{cfg: cfg, dev: dev, rep: &TrainReport{}, start: time.Now()}
	if err := t.cfg.validate(); err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	if t.cfg.Workers <= 0 {
		t.cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if t.cfg.TrainName == "" {
		t.cfg.TrainName = "train"
	}
	if t.cfg.DevName == "" {
		t.cfg.DevName = "dev"
	}
	if len(t.cfg.Lexicon) > 0 {
		lex, err := NewLexicon(t.cfg.Lexicon, t.cfg.Features)
		if err != nil {
			return nil, fmt.Errorf("classify: %w", err)
		}
		if lex.Len() > 0 {
			t.lex = lex
		}
	}
	return t, nil
}

// progress reports to the configured progress reporter, if any.
func (t *trainer) stage(name string, total int) {
	if t.cfg.Progress != nil {
		t.cfg.Progress.Stage(name, total)
	}
}

func (t *trainer) advance(n int) {
	if t.cfg.Progress != nil {
		t.cfg.Progress.Add(n)
	}
}

// featurize reads and featurizes the training data, counts its labels and
// checks the mode can train on them. It returns the hashed features'
// document frequencies.
func (t *trainer) featurize(ctx context.Context, train dataset.Reader) ([]uint32, error) {
	ts, labels, df, err := featurizeTrain(ctx, &t.cfg, t.lex, train)
	if err != nil {
		return nil, err
	}
	t.ts, t.labels, t.n = ts, labels, ts.m.rows()
	t.rep.Documents = t.n
	t.rep.Labels = labels
	t.rep.LabelCounts = make([]int, len(labels))
	for _, l := range ts.labs {
		t.rep.LabelCounts[l]++
	}
	if err := checkLabels(&t.cfg, labels, t.rep.LabelCounts, t.n); err != nil {
		return nil, err
	}
	t.nout = len(labels)
	if t.cfg.Mode == dataset.ModeBinary {
		t.nout = 1
		t.positive = choosePositive(t.cfg.PositiveLabel, labels, t.rep.LabelCounts)
		if t.positive < 0 {
			return nil, fmt.Errorf("classify: positive label %q is not one of the training labels (%s)", t.cfg.PositiveLabel, strings.Join(labels, ", "))
		}
	}
	t.allDocs = make([]int32, t.n)
	for i := range t.allDocs {
		t.allDocs[i] = int32(i)
	}
	return df, nil
}

// fixVocabulary keeps the features seen in enough documents, numbered in
// order of their hashed ids (so compact ids keep the block order), and
// weighs the training matrix with their idf.
func (t *trainer) fixVocabulary(df []uint32) error {
	base := t.cfg.Features.space()
	minDF := [numBlocks]uint32{uint32(t.cfg.Features.WordMinDF), uint32(t.cfg.Features.CharMinDF), 1}
	t.newID = make([]int32, len(df))
	var blockStart [numBlocks + 1]uint32
	blk := 0
	for id, d := range df {
		for blk < numBlocks && uint32(id) >= base[blk+1] {
			blk++
			blockStart[blk] = uint32(len(t.ids))
		}
		if d == 0 || d < minDF[blk] {
			t.newID[id] = -1
			continue
		}
		t.newID[id] = int32(len(t.ids))
		t.ids = append(t.ids, uint32(id))
		t.idf = append(t.idf, float32(math.Log(float64(1+t.n)/float64(1+d))+1))
	}
	for blk < numBlocks {
		blk++
		blockStart[blk] = uint32(len(t.ids))
	}
	t.ts.m.remap(t.newID)
	t.fs = &featureSpace{idf: t.idf, blockStart: blockStart, sublinear: t.cfg.Features.SublinearTF}
	t.ts.m.normalize(t.idf, &t.fs.blockStart, t.fs.sublinear)
	t.ts.m.expand(t.fs)
	t.rep.MatrixBytes = t.ts.m.bytes()
	t.rep.Features = len(t.ids)
	if len(t.ids) == 0 {
		return fmt.Errorf("classify: %s: no features (are the texts empty?)", t.cfg.TrainName)
	}
	return nil
}

// featurizeDev featurizes the dev records in the training vocabulary.
func (t *trainer) featurizeDev() error {
	if len(t.dev) == 0 {
		return nil
	}
	labelIndex := map[string]int{}
	for i, l := range t.labels {
		labelIndex[l] = i
	}
	var err error
	t.devM, t.devY, err = featurizeDev(&t.cfg, t.lex, t.dev, t.newID, labelIndex, t.rep)
	if err != nil {
		return err
	}
	t.devM.normalize(t.idf, &t.fs.blockStart, t.fs.sublinear)
	t.devM.expand(t.fs)
	t.rep.DevDocuments = len(t.dev)
	return nil
}

// outLabel is the label output o scores.
func (t *trainer) outLabel(o int) int {
	if t.cfg.Mode == dataset.ModeBinary {
		return t.positive
	}
	return o
}

// problem is output o's problem on the training documents docs.
func (t *trainer) problem(o int, docs []int32, cand candidate) *problem {
	p := &problem{m: t.ts.m, feats: t.fs, docs: docs, y: make([]int8, len(docs)), bias: 1}
	npos := 0
	for k, d := range docs {
		if t.ts.has(int(d), t.outLabel(o)) {
			p.y[k] = 1
			npos++
		} else {
			p.y[k] = -1
		}
	}
	p.wPos, p.wNeg = 1, 1
	if t.cfg.ClassWeight == ClassWeightBalanced && npos > 0 && npos < len(docs) {
		p.wPos = float64(len(docs)) / (2 * float64(npos))
		p.wNeg = float64(len(docs)) / (2 * float64(len(docs)-npos))
	}
	p.setC(cand.c)
	if cand.nb {
		p.d2 = nbScale(p)
	}
	return p
}

// devProblem is output o's problem on the dev documents (nil without
// dev), with train's costs.
func (t *trainer) devProblem(o int, train *problem) *problem {
	if t.devM == nil {
		return nil
	}
	p := &problem{m: t.devM, feats: t.fs, docs: make([]int32, t.devM.rows()), y: make([]int8, t.devM.rows()), bias: 1, cPos: train.cPos, cNeg: train.cNeg}
	for i := range p.docs {
		p.docs[i] = int32(i)
		p.y[i] = -1
		if t.devY[t.outLabel(o)][i] {
			p.y[i] = 1
		}
	}
	return p
}

// solveOptions are output o's solver settings; dev, when given, is used
// for early stopping.
func (t *trainer) solveOptions(o int, dev *problem) solveOptions {
	so := solveOptions{loss: t.cfg.Loss, eps: t.cfg.Epsilon, maxEpoch: t.cfg.MaxEpochs, seed: t.cfg.Seed + uint64(o)*0x9e3779b97f4a7c15}
	if dev != nil && t.cfg.Patience > 0 {
		so.dev, so.patience = dev, t.cfg.Patience
	}
	return so
}

// chooseSetting picks among the candidate settings (C, NB scaling) by dev
// score: one job per (NB choice, output) walks the C grid upwards, each C
// warm-started from the previous one and given a few epochs (rankings do
// not need more, see gridMaxEpochs); only dev scores are kept.
func (t *trainer) chooseSetting(ctx context.Context) error {
	t.cands = candidates(&t.cfg, t.devM != nil)
	t.chosen = t.cands[0]
	if len(t.cands) < 2 {
		return nil
	}
	cs, nbs := candidateAxes(t.cands)
	t.stage("choosing C on "+t.cfg.DevName, len(t.cands)*t.nout)
	raw := make([][][]float64, len(t.cands)) // [candidate][output][dev doc]
	for k := range raw {
		raw[k] = make([][]float64, t.nout)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(t.cfg.Workers)
	for nbi, nb := range nbs {
		for o := 0; o < t.nout; o++ {
			g.Go(func() error {
				var init []float64
				p := t.problem(o, t.allDocs, candidate{c: cs[0], nb: nb})
				for ci, c := range cs {
					p.setC(c)
					so := t.solveOptions(o, nil)
					so.maxEpoch, so.init = min(t.cfg.MaxEpochs, gridMaxEpochs), init
					s, err := solve(gctx, p, so)
					if err != nil {
						return err
					}
					init = s.alpha
					raw[nbi*len(cs)+ci][o] = scoreMatrix(t.devM, t.fs, s) // one writer per cell
					t.advance(1)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	bestScore := math.Inf(-1)
	for k, c := range t.cands {
		score := selectionScore(t.cfg.Mode, raw[k], t.devY, t.positive)
		t.rep.Grid = append(t.rep.Grid, GridPoint{C: c.c, NB: c.nb, Score: score})
		if score > bestScore {
			t.chosen, bestScore = c, score
		}
	}
	return nil
}

// startCrossValidation starts tuning thresholds by cross-validation when
// there is no dev set; it runs alongside the final training and hands its
// result to tuneThresholds.
func (t *trainer) startCrossValidation(ctx context.Context) {
	t.useCV = len(t.dev) == 0 && t.cfg.CVFolds > 1 && t.cfg.Mode != dataset.ModeMultiClass
	t.cvFolds = min(t.cfg.CVFolds, t.n)
	total := t.nout
	if t.useCV {
		total += cvJobs(t.n, t.cvFolds) * t.nout
	}
	t.stage("training", total)
	if !t.useCV {
		return
	}
	t.cvDone = make(chan cvResult, 1)
	go func() {
		start := time.Now()
		thr, warn, err := t.cvThresholds(ctx, t.cvFolds)
		t.cvDone <- cvResult{thr, warn, time.Since(start), err}
	}()
}

// solve trains every output with the chosen setting to the solver's
// tolerance.
func (t *trainer) solve(ctx context.Context) error {
	t.best = make([]*solution, t.nout)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(t.cfg.Workers)
	for o := 0; o < t.nout; o++ {
		g.Go(func() error {
			p := t.problem(o, t.allDocs, t.chosen)
			s, err := solve(gctx, p, t.solveOptions(o, t.devProblem(o, p)))
			if err != nil {
				return err
			}
			t.best[o] = s
			t.advance(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	t.rep.C, t.rep.NB = t.chosen.c, t.chosen.nb
	for _, s := range t.best {
		t.rep.Epochs = append(t.rep.Epochs, s.epochs)
		t.rep.Converged = append(t.rep.Converged, s.converged)
	}
	return nil
}

// assemble builds the model: per feature the idf, then the weights of
// every output, as float32; and its metadata.
func (t *trainer) assemble() error {
	stride := 1 + t.nout
	rows := make([]float32, len(t.ids)*stride)
	for r := range t.ids {
		rows[r*stride] = t.idf[r]
		for o, s := range t.best {
			rows[r*stride+1+o] = float32(s.w[r])
		}
	}
	bias := make([]float32, t.nout)
	for o, s := range t.best {
		bias[o] = float32(s.b)
	}
	t.best = nil
	cfg, rep := &t.cfg, t.rep
	meta := Metadata{
		Format:        FormatName,
		FormatVersion: FormatVersion,
		OslerVersion:  version.String(),
		Created:       time.Now().UTC().Format(time.RFC3339),
		Mode:          string(cfg.Mode),
		Labels:        t.labels,
		Hyperparameters: Hyperparameters{
			Loss: cfg.Loss, C: rep.C, NB: rep.NB, ClassWeight: string(cfg.ClassWeight), Epsilon: cfg.Epsilon,
			MaxEpochs: cfg.MaxEpochs, Seed: cfg.Seed,
		},
		Features: cfg.Features,
		Training: TrainingInfo{Documents: t.n, DevDocuments: rep.DevDocuments, Features: len(t.ids), Epochs: rep.Epochs, Converged: rep.Converged},
	}
	if len(t.cands) > 1 {
		meta.Hyperparameters.Grid = rep.Grid
	}
	if t.devM != nil && cfg.Patience > 0 {
		meta.Hyperparameters.Patience = cfg.Patience
	}
	if cfg.Mode == dataset.ModeBinary {
		meta.PositiveLabel = t.labels[t.positive]
	}
	if t.lex != nil {
		meta.Lexicon = &LexiconInfo{Phrases: t.lex.Len(), Categories: t.lex.CategoryCounts(), Sources: cfg.LexiconSources}
	}
	model, err := newModel(meta, cfg.Features, t.lex, t.ids, rows, bias)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	t.model = model
	return nil
}

// tuneThresholds sets each label's threshold: F1-optimal on dev, from
// cross-validation without dev, none for multi-class models (the top
// label wins).
func (t *trainer) tuneThresholds(ctx context.Context) error {
	tuneStart := time.Now()
	thr := make([]float64, len(t.labels))
	for i := range thr {
		thr[i] = 0.5
	}
	rep := t.rep
	switch {
	case t.cfg.Mode == dataset.ModeMultiClass:
		rep.ThresholdSource = "none (multi-class: the top label wins)"
	case len(t.dev) > 0:
		if err := t.devThresholds(ctx, thr); err != nil {
			return err
		}
		rep.ThresholdSource = "dev"
	case t.useCV:
		cv := <-t.cvDone
		if cv.err != nil {
			return cv.err
		}
		copy(thr, cv.thr)
		rep.Warnings = append(rep.Warnings, cv.warn...)
		rep.ThresholdSource = "cross-validation"
		if cvJobs(t.n, t.cvFolds) == 1 {
			rep.ThresholdSource = fmt.Sprintf("held-out 1/%d of the training data", t.cvFolds)
		}
		t.model.meta.Hyperparameters.CVFolds = t.cvFolds
		rep.Tune = cv.took
	default:
		rep.ThresholdSource = "fixed"
	}
	if !t.useCV {
		rep.Tune = time.Since(tuneStart)
	}
	rep.Thresholds = thr
	m := t.model
	m.thresholds = thr
	m.meta.ThresholdSource = rep.ThresholdSource
	m.meta.Thresholds = map[string]float64{}
	for l, name := range t.labels {
		if t.cfg.Mode == dataset.ModeMultiClass || (t.cfg.Mode == dataset.ModeBinary && l != t.positive) {
			continue
		}
		m.meta.Thresholds[name] = thr[l]
	}
	return nil
}

// devThresholds sets thr to each label's F1-optimal threshold on the dev
// records, scored by the assembled model.
func (t *trainer) devThresholds(ctx context.Context, thr []float64) error {
	scores := make([][]float64, len(t.labels))
	var buf []float64
	for i, r := range t.dev {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		buf = t.model.AppendScores(buf[:0], r.Text)
		for l, s := range buf {
			scores[l] = append(scores[l], s)
		}
	}
	for l := range t.labels {
		if t.cfg.Mode == dataset.ModeBinary && l != t.positive {
			continue
		}
		if v, ok := bestThreshold(t.devY[l], scores[l]); ok {
			thr[l] = v
		} else {
			t.rep.Warnings = append(t.rep.Warnings, fmt.Sprintf("label %q has no positive %s document: its threshold stays 0.5", t.labels[l], t.cfg.DevName))
		}
	}
	return nil
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
// fold and output is trained on the other folds with the chosen setting,
// and each label's threshold is the F1-optimal one over the out-of-fold
// scores. From cvHoldoutMin documents on, only the first fold is held out
// and scored.
func (t *trainer) cvThresholds(ctx context.Context, k int) ([]float64, []string, error) {
	n := t.n
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(t.cfg.Seed, 0x6376))
	rng.Shuffle(n, func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
	fold := make([]int, n)
	for pos, d := range perm {
		fold[d] = pos % k
	}
	raw := make([][]float64, t.nout)
	for o := range raw {
		raw[o] = make([]float64, n)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(t.cfg.Workers)
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
		for o := 0; o < t.nout; o++ {
			g.Go(func() error {
				p := t.problem(o, trainDocs, t.chosen)
				s, err := solve(gctx, p, t.solveOptions(o, nil))
				if err != nil {
					return err
				}
				var buf rowBuf
				for _, d := range heldOut {
					cols, vals := p.row(&buf, d)
					raw[o][d] = dot(s.w, cols, vals) + s.b
				}
				t.advance(1)
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return t.outOfFoldThresholds(raw, fold, folds)
}

// outOfFoldThresholds picks each label's threshold on the out-of-fold
// scores raw (per output, per training document) of the documents in the
// first folds folds.
func (t *trainer) outOfFoldThresholds(raw [][]float64, fold []int, folds int) ([]float64, []string, error) {
	var scored []int
	for d := 0; d < t.n; d++ {
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
	p := probs(t.cfg.Mode, raw, len(t.labels), t.positive)
	thr := make([]float64, len(t.labels))
	var warn []string
	for l := range t.labels {
		thr[l] = 0.5
		if t.cfg.Mode == dataset.ModeBinary && l != t.positive {
			continue
		}
		y := make([]bool, len(scored))
		for k, d := range scored {
			y[k] = t.ts.has(d, l)
		}
		if v, ok := bestThreshold(y, p[l]); ok {
			thr[l] = v
		} else {
			warn = append(warn, fmt.Sprintf("label %q: no positive out-of-fold document; threshold stays 0.5", t.labels[l]))
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
