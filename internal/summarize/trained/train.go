package trained

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/text"
)

// Example is one training pair.
type Example struct {
	ID      string
	Source  string
	Summary string
}

// MinExamples is the fewest training pairs Train accepts.
const MinExamples = 10

// ErrTooFewExamples is returned when there is not enough training data.
var ErrTooFewExamples = errors.New("too few training examples")

// TrainReport describes a training run.
type TrainReport struct {
	Examples          int `json:"examples"`
	DistinctSummaries int `json:"distinct_summaries"`
	FrequentSummaries int `json:"frequent_summaries"`
	Vocabulary        int `json:"vocabulary"`
	// Candidates is the mean number of candidates per training document.
	Candidates float64 `json:"candidates_per_document"`
	// CV are cross-validated ROUGE scores on the training set: each
	// document's summary chosen by a ranker that did not see it, from
	// candidates retrieved without it. N is 0 when cross-validation was
	// skipped (Options.SkipCrossValidation).
	CV RougeMeans `json:"cv"`
	// CVNearest is the same for copying the nearest other training
	// example's summary: the baseline the ranker has to beat.
	CVNearest RougeMeans `json:"cv_nearest_neighbor"`
	// CVOracle is the best candidate per document: the ceiling of
	// choosing among these candidates.
	CVOracle RougeMeans `json:"cv_oracle"`
	// ChosenKinds counts the kinds of candidates chosen in
	// cross-validation ("retrieval", "extractive", ...).
	ChosenKinds map[string]int `json:"cv_chosen_kinds"`
	// KeepCritical and KeepReportable are the shares of the training
	// references that keep every critical finding (of the sources that
	// state one), and every line, tube and significant finding, of their
	// source; Keep is the policy they gave (Options.Keep auto) or the one
	// given.
	KeepCritical   eval.Share `json:"keep_critical"`
	KeepReportable eval.Share `json:"keep_reportable"`
	Keep           KeepPolicy `json:"keep"`
	// FeatureSplits counts the ranker's splits per feature (importance).
	FeatureSplits map[string]int     `json:"feature_splits"`
	StageSeconds  map[string]float64 `json:"stage_seconds"`
	Seconds       float64            `json:"seconds"`
}

// RougeMeans are mean ROUGE F-measures over documents.
type RougeMeans struct {
	N         int     `json:"n"`
	Rouge1    float64 `json:"rouge1"`
	Rouge2    float64 `json:"rouge2"`
	RougeL    float64 `json:"rougeL"`
	RougeLsum float64 `json:"rougeLsum"`
}

func (r *RougeMeans) add(s []eval.Score) {
	r.N++
	r.Rouge1 += s[0].FMeasure
	r.Rouge2 += s[1].FMeasure
	r.RougeL += s[2].FMeasure
	r.RougeLsum += s[3].FMeasure
}

func (r *RougeMeans) finish() {
	if r.N == 0 {
		return
	}
	n := float64(r.N)
	r.Rouge1 /= n
	r.Rouge2 /= n
	r.RougeL /= n
	r.RougeLsum /= n
}

// Train learns a summarizer from (source, summary) pairs.
//
// The model keeps the training sources as TF-IDF vectors (not their text)
// and the training summaries. For a new document it builds candidates:
// the summaries of the most similar training sources, the most frequent
// summaries, source sentences chosen by a supervised sentence scorer
// (alone, shortened and combined), and frequent summaries combined with the
// best sentence; the faithfulness guard removes those the document does not
// back (see the package doc). A listwise ranker of boosted trees over
// consensus, similarity, support and sentence features picks one. reporter,
// when not nil, is told each stage and its progress. Both learned parts are trained on
// out-of-fold data: candidates for a training document are retrieved
// without it (and without sources identical to it), and its sentence
// scores come from a scorer that did not see it.
func Train(ctx context.Context, examples []Example, opts Options, reporter progress.Reporter) (*Model, *TrainReport, error) {
	start := time.Now()
	pr := progress.Or(reporter)
	m, ts, rep, err := prepare(ctx, examples, opts, pr)
	if err != nil {
		return nil, nil, err
	}
	o := m.opts
	stage := time.Now()
	boost := boostOptions{Trees: o.Trees, Depth: o.Depth, LearningRate: o.LearningRate, Seed: o.Seed}
	rankers := 1
	if !o.SkipCrossValidation {
		rankers += o.CVFolds
	}
	pr.Stage("ranker", rankers)
	tick := func() { pr.Add(1) }
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ts.workers)
	g.Go(func() error {
		f, err := trainEnsemble(gctx, ts.rankData(func(int) bool { return true }), o.Temperature, boost, o.Ensemble)
		m.ranker = f
		tick()
		return err
	})
	var cv *cvResult
	if !o.SkipCrossValidation {
		g.Go(func() error {
			var err error
			cv, err = ts.crossValidate(gctx, o.Temperature, boost, o.Ensemble, tick)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if cv != nil {
		rep.CV, rep.CVNearest, rep.CVOracle, rep.ChosenKinds = cv.model, cv.nearest, cv.oracle, cv.kinds
	}
	rep.FeatureSplits = map[string]int{}
	for f, c := range m.ranker.featureSplits(numFeatures) {
		if c > 0 {
			rep.FeatureSplits[featureNames[f]] = c
		}
	}
	rep.StageSeconds["ranker"] = time.Since(stage).Seconds()
	rep.Seconds = time.Since(start).Seconds()
	m.meta = newMetadata(o, rep)
	return m, rep, nil
}

// trainingSet holds the ranker's training data: every training document's
// leave-one-out candidates with features and targets.
type trainingSet struct {
	examples []Example
	docs     []docCands
	folds    []int
	workers  int
	report   *eval.RougeScorer
}

type docCands struct {
	feats   [][]float32
	target  []float64
	texts   []string
	kinds   []candidateKind
	nearest int // candidate index of the nearest neighbour's summary, or -1
}

// prepare checks the examples and builds everything but the ranker: the
// retrieval index, the summary tables, the sentence scorer, and the
// leave-one-out candidates the ranker learns from.
func prepare(ctx context.Context, examples []Example, opts Options, pr progress.Reporter) (*Model, *trainingSet, *TrainReport, error) {
	p, err := newPreparer(ctx, examples, opts, pr)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, stage := range []func() error{p.analyse, p.sentenceScorer, p.candidates} {
		if err := stage(); err != nil {
			return nil, nil, nil, err
		}
	}
	return p.m, p.ts, p.rep, nil
}

// preparer holds what prepare's stages share: the model and training set
// being built, the report, and what one stage leaves for the next.
type preparer struct {
	ctx       context.Context
	examples  []Example
	o         Options // with defaults
	workers   int
	pr        progress.Reporter
	rep       *TrainReport
	stage     time.Time // when the current stage started
	m         *Model
	ts        *trainingSet
	objective *eval.RougeScorer // what the ranker's targets measure

	docs        []*document       // analysed training sources (analyse)
	keys        []uint64          // their near-duplicate keys (analyse)
	foldScorers []*sentenceScorer // the sentence scorer without each fold (sentenceScorer)
}

// newPreparer checks the options and examples and sets up the scorers.
func newPreparer(ctx context.Context, examples []Example, opts Options, pr progress.Reporter) (*preparer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	if err := checkExamples(examples); err != nil {
		return nil, err
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &preparer{
		ctx: ctx, examples: examples, o: o, workers: workers, pr: pr,
		rep:   &TrainReport{Examples: len(examples), StageSeconds: map[string]float64{}},
		stage: time.Now(),
		m:     &Model{opts: o, checker: clinical.NewChecker(nil)},
		ts:    &trainingSet{examples: examples, workers: workers},
	}
	var err error
	if p.m.features, err = eval.NewRougeScorer(eval.RougeOptions{Types: []eval.RougeType{eval.Rouge1, eval.RougeL}}); err != nil {
		return nil, err
	}
	if p.objective, err = eval.NewRougeScorer(eval.RougeOptions{Types: o.Objective}); err != nil {
		return nil, err
	}
	if p.ts.report, err = eval.NewRougeScorer(eval.RougeOptions{}); err != nil {
		return nil, err
	}
	return p, nil
}

// checkExamples requires MinExamples pairs, each with a source and a
// summary.
func checkExamples(examples []Example) error {
	if len(examples) < MinExamples {
		return fmt.Errorf("trained: %d examples: %w (need at least %d (source, summary) pairs)", len(examples), ErrTooFewExamples, MinExamples)
	}
	for i, ex := range examples {
		if strings.TrimSpace(ex.Source) == "" || strings.TrimSpace(ex.Summary) == "" {
			field := "source"
			if strings.TrimSpace(ex.Source) != "" {
				field = "summary"
			}
			return fmt.Errorf("trained: example %d (id %q): empty %s; every pair needs a source and a summary", i+1, ex.ID, field)
		}
		if len(ex.Summary) > MaxSummaryBytes {
			return fmt.Errorf("trained: example %d (id %q): the summary is %d bytes, over the %d a summary may have; is the summary column the source?", i+1, ex.ID, len(ex.Summary), MaxSummaryBytes)
		}
	}
	return nil
}

// lap records how long the stage name took and starts the next.
func (p *preparer) lap(name string) {
	p.rep.StageSeconds[name] = time.Since(p.stage).Seconds()
	p.stage = time.Now()
}

// analyse is stage 1: documents, retrieval vectors, distinct summaries;
// what the references keep of their sources.
func (p *preparer) analyse() error {
	n := len(p.examples)
	p.docs = make([]*document, n)
	coverage := make([]keepCoverage, n)
	p.pr.Stage("analysing", n)
	if err := parallel(p.ctx, p.workers, n, func(i int) error {
		p.docs[i] = analyzeDocument(p.examples[i].Source)
		coverage[i] = p.m.referenceCoverage(p.examples[i])
		return nil
	}, p.pr); err != nil {
		return err
	}
	p.m.resolveKeep(coverage, p.rep)
	p.index()
	p.summaries()
	p.rep.Vocabulary = len(p.m.vec.terms)
	p.lap("analyse")
	return nil
}

// index fits the retrieval vectors of the training sources and indexes
// them, keeping each source's ID and near-duplicate key.
func (p *preparer) index() {
	m, n := p.m, len(p.examples)
	retr := make([]string, n)
	for i, d := range p.docs {
		retr[i] = d.retrieval
	}
	m.vec = fitTFIDF(retr, tfidfOptions{MaxN: 2, Sublinear: true})
	m.docVecs = make([]sparse, n)
	m.docIDs = make([]string, n)
	p.keys = make([]uint64, n)
	for i := range p.docs {
		m.docVecs[i] = m.vec.transform(retr[i])
		m.docIDs[i] = p.examples[i].ID
		if m.docIDs[i] == "" {
			m.docIDs[i] = fmt.Sprintf("#%d", i+1)
		}
		p.keys[i] = text.NearDupKey(retr[i])
	}
	m.ix = newIndex(m.docVecs, len(m.vec.terms))
}

// summaries collects the distinct training summaries, how often each
// occurs, and which one each document has.
func (p *preparer) summaries() {
	m := p.m
	sumIDs := map[string]int32{}
	m.docSummary = make([]int32, len(p.examples))
	for i, ex := range p.examples {
		s := strings.TrimSpace(ex.Summary)
		id, ok := sumIDs[s]
		if !ok {
			id = int32(len(m.summaries))
			sumIDs[s] = id
			m.summaries = append(m.summaries, s)
			m.summaryCount = append(m.summaryCount, 0)
		}
		m.docSummary[i] = id
		m.summaryCount[id]++
	}
	m.deriveSummaryTables()
	p.rep.DistinctSummaries = len(m.summaries)
	p.rep.FrequentSummaries = len(m.frequent)
}

// sentenceScorer is stage 2: the sentence scorer, cross-fitted: each
// training document's sentence scores come from the scorer of the folds
// it is not in; the model keeps the one trained on all folds.
func (p *preparer) sentenceScorer() error {
	n, o := len(p.examples), p.o
	p.ts.folds = foldsOf(n, o.CVFolds, o.Seed)
	sentRows := make([][]sentenceExample, n)
	p.pr.Stage("sentence scorer", n+o.CVFolds+1)
	if err := parallel(p.ctx, p.workers, n, func(i int) error {
		sentRows[i] = sentenceRows(p.docs[i], p.examples[i].Summary, p.ts.report)
		return nil
	}, p.pr); err != nil {
		return err
	}
	p.foldScorers = make([]*sentenceScorer, o.CVFolds)
	g, gctx := errgroup.WithContext(p.ctx)
	g.SetLimit(p.workers)
	for k := 0; k <= o.CVFolds; k++ {
		g.Go(func() error {
			var rows []sentenceExample
			for i := range sentRows {
				if k == o.CVFolds || p.ts.folds[i] != k {
					rows = append(rows, sentRows[i]...)
				}
			}
			s, err := trainSentenceScorer(gctx, rows, 5, 1e-4, o.Seed+uint64(k))
			if err != nil {
				return err
			}
			if k == o.CVFolds {
				p.m.sent = s
			} else {
				p.foldScorers[k] = s
			}
			p.pr.Add(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	p.lap("sentence_scorer")
	return nil
}

// candidates is stage 3: each training document's leave-one-out
// candidates and their targets.
func (p *preparer) candidates() error {
	n := len(p.examples)
	p.ts.docs = make([]docCands, n)
	p.pr.Stage("candidates", n)
	if err := parallel(p.ctx, p.workers, n, func(i int) error {
		p.ts.docs[i] = p.docCandidates(i)
		return nil
	}, p.pr); err != nil {
		return err
	}
	total := 0
	for _, dc := range p.ts.docs {
		total += len(dc.texts)
	}
	p.rep.Candidates = float64(total) / float64(n)
	p.lap("candidates")
	return nil
}

// docCandidates builds document i's candidates without it (and sources
// identical to it), with their features and objective scores against its
// reference.
func (p *preparer) docCandidates(i int) docCands {
	m, keys := p.m, p.keys
	exclude := func(j int) bool { return j == i || keys[j] == keys[i] }
	q := m.newQuery(p.examples[i].Source, exclude, p.foldScorers[p.ts.folds[i]], int(m.docSummary[i]))
	q.generate()
	q.featurize(m.features)
	dc := docCands{nearest: -1}
	refs := []string{p.examples[i].Summary}
	var sc []eval.Score
	for ci, c := range q.cands {
		sc = p.objective.AppendScores(sc[:0], refs, c.text)
		var t float64
		for _, s := range sc {
			t += s.FMeasure
		}
		dc.feats = append(dc.feats, c.feats)
		dc.target = append(dc.target, t/float64(len(sc)))
		dc.texts = append(dc.texts, c.text)
		dc.kinds = append(dc.kinds, c.kind)
		if len(q.nbs) > 0 && c.summary == int(m.docSummary[q.nbs[0].doc]) && c.kind == kindNeighbor {
			dc.nearest = ci
		}
	}
	return dc
}

// rankData gathers the candidates of the documents keep accepts.
func (ts *trainingSet) rankData(keep func(i int) bool) *rankData {
	d := &rankData{Group: []int{0}}
	for i, dc := range ts.docs {
		if !keep(i) || len(dc.feats) == 0 {
			continue
		}
		d.X = append(d.X, dc.feats...)
		d.Target = append(d.Target, dc.target...)
		d.Group = append(d.Group, len(d.X))
	}
	return d
}

// cvResult are cross-validated scores on the training set.
type cvResult struct {
	model, nearest, oracle RougeMeans
	kinds                  map[string]int
}

// crossValidate trains one ranker per fold on the other folds and scores
// the candidate it picks for each held-out document.
func (ts *trainingSet) crossValidate(ctx context.Context, temperature float64, boost boostOptions, ensemble int, tick func()) (*cvResult, error) {
	k := 0
	for _, f := range ts.folds {
		k = max(k, f+1)
	}
	forests := make([]*forest, k)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ts.workers)
	for fold := 0; fold < k; fold++ {
		g.Go(func() error {
			f, err := trainEnsemble(gctx, ts.rankData(func(i int) bool { return ts.folds[i] != fold }), temperature, boost, ensemble)
			forests[fold] = f
			if tick != nil {
				tick()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res := &cvResult{kinds: map[string]int{}}
	var sc []eval.Score
	for i, dc := range ts.docs {
		if len(dc.feats) == 0 {
			continue
		}
		refs := []string{ts.examples[i].Summary}
		f := forests[ts.folds[i]]
		best, bestS := 0, f.predict(dc.feats[0])
		oracle, oracleT := 0, dc.target[0]
		for ci := 1; ci < len(dc.feats); ci++ {
			if s := f.predict(dc.feats[ci]); s > bestS {
				best, bestS = ci, s
			}
			if dc.target[ci] > oracleT {
				oracle, oracleT = ci, dc.target[ci]
			}
		}
		res.kinds[dc.kinds[best].String()]++
		sc = ts.report.AppendScores(sc[:0], refs, dc.texts[best])
		res.model.add(sc)
		sc = ts.report.AppendScores(sc[:0], refs, dc.texts[oracle])
		res.oracle.add(sc)
		nearest := ""
		if dc.nearest >= 0 {
			nearest = dc.texts[dc.nearest]
		}
		sc = ts.report.AppendScores(sc[:0], refs, nearest)
		res.nearest.add(sc)
	}
	res.model.finish()
	res.oracle.finish()
	res.nearest.finish()
	return res, nil
}

// deriveSummaryTables fills the per-summary tables computed from the
// summaries and their counts (also after loading a model).
func (m *Model) deriveSummaryTables() {
	m.summaryLen = make([]int32, len(m.summaries))
	m.sumDocs = make([]*clinical.Document, len(m.summaries))
	x := m.checker.Extractor()
	for i, s := range m.summaries {
		m.summaryLen[i] = int32(len(eval.Tokenize(s, eval.TokenizerDefault, false)))
		m.sumDocs[i] = x.Extract(s)
	}
	ids := make([]int, len(m.summaries))
	for i := range ids {
		ids[i] = i
	}
	sort.SliceStable(ids, func(a, b int) bool { return m.summaryCount[ids[a]] > m.summaryCount[ids[b]] })
	m.isFrequent = make([]bool, len(m.summaries))
	m.frequent = m.frequent[:0]
	for _, id := range ids {
		if len(m.frequent) >= m.opts.Frequent || m.summaryCount[id] < 2 {
			break
		}
		m.frequent = append(m.frequent, id)
		m.isFrequent[id] = true
	}
}

// sentenceRows are the sentence scorer's training rows of one document:
// each extractable sentence with the ROUGE-1 precision of the sentence
// against the reference summary as target.
func sentenceRows(d *document, summary string, sc *eval.RougeScorer) []sentenceExample {
	var rows []sentenceExample
	refs := []string{summary}
	var s []eval.Score
	for i := range d.sents {
		if !d.extractable(i) {
			continue
		}
		s = sc.AppendScores(s[:0], refs, d.sents[i].Text)
		rows = append(rows, sentenceExample{
			feats:  sentenceFeatures(nil, sentenceHashBits, d.words[i], d.negated[i], d.sents[i].Section, i, len(d.sents)),
			target: s[0].Precision,
		})
	}
	return rows
}

// foldsOf assigns each of n items to one of k folds, balanced and seeded.
func foldsOf(n, k int, seed uint64) []int {
	perm := rand.New(rand.NewPCG(seed, 0xf01d)).Perm(n)
	folds := make([]int, n)
	for pos, i := range perm {
		folds[i] = pos % k
	}
	return folds
}

// parallel runs fn(i) for i in [0, n) on workers goroutines, stopping at
// the first error or when ctx is done; tick, when not nil, is told how
// many have finished.
func parallel(ctx context.Context, workers, n int, fn func(i int) error, pr progress.Reporter) error {
	g, gctx := errgroup.WithContext(ctx)
	pr = progress.Or(pr)
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				if err := fn(i); err != nil {
					return err
				}
				pr.Add(1)
			}
		})
	}
	return g.Wait()
}

// keepCoverage says whether a training source states critical findings
// (reportable ones), and whether its reference keeps them all.
type keepCoverage struct {
	critical, criticalKept     bool
	reportable, reportableKept bool
}

// referenceCoverage checks what a training reference keeps of its source.
func (m *Model) referenceCoverage(ex Example) keepCoverage {
	r := m.checker.Check(ex.Source, ex.Summary)
	lex := m.checker.Extractor().Lexicon()
	var c keepCoverage
	for _, cl := range r.Source.Claims {
		c.critical = c.critical || lex.Critical(cl)
		c.reportable = c.reportable || lex.Reportable(cl)
	}
	c.criticalKept, c.reportableKept = c.critical, c.reportable
	for _, is := range r.Issues {
		switch {
		case is.Kind == clinical.IssueCritical:
			c.criticalKept = false
		case is.Verdict == clinical.Omitted:
			c.reportableKept = false
		}
	}
	return c
}

// resolveKeep records what the references keep and, for KeepAuto, picks
// the policy they follow.
func (m *Model) resolveKeep(cov []keepCoverage, rep *TrainReport) {
	var crit, critKept, repo, repoKept int
	for _, c := range cov {
		if c.critical {
			crit++
			if c.criticalKept {
				critKept++
			}
		}
		if c.reportable {
			repo++
			if c.reportableKept {
				repoKept++
			}
		}
	}
	rep.KeepCritical = eval.Share{Count: critKept, N: crit}
	rep.KeepReportable = eval.Share{Count: repoKept, N: repo}
	for _, s := range []*eval.Share{&rep.KeepCritical, &rep.KeepReportable} {
		if s.N > 0 {
			s.Share = float64(s.Count) / float64(s.N)
		}
	}
	if m.opts.Keep == KeepAuto || m.opts.Keep == "" {
		// With no such sources, keeping costs nothing: keep.
		keepsCritical := crit == 0 || rep.KeepCritical.Share >= keepThreshold
		keepsReportable := repo == 0 || rep.KeepReportable.Share >= keepThreshold
		switch {
		case keepsCritical && keepsReportable:
			m.opts.Keep = KeepReportable
		case keepsCritical:
			m.opts.Keep = KeepCritical
		default:
			m.opts.Keep = KeepNone
		}
	}
	rep.Keep = m.opts.Keep
}
