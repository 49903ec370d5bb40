package trained

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/text"
)

// Options are the settings of a trained summarizer. The zero value means
// the defaults (see [DefaultOptions]).
type Options struct {
	// Neighbors is how many similar training sources are retrieved.
	Neighbors int `json:"neighbors"`
	// MBRNeighbors is how many of them vote in the consensus features.
	MBRNeighbors int `json:"mbr_neighbors"`
	// Frequent is how many of the most frequent training summaries are
	// offered for every document (the "normal study" phrases).
	Frequent int `json:"frequent"`
	// MaxSingles is how many single source sentences (the best by the
	// sentence scorer) become candidates.
	MaxSingles int `json:"max_singles"`
	// CombineTop is how many of the best sentences are combined into
	// multi-sentence extracts; MaxExtract is the most sentences combined.
	CombineTop int `json:"combine_top"`
	MaxExtract int `json:"max_extract"`
	// Objective are the ROUGE types (F-measure, averaged) the ranker learns
	// to maximise.
	Objective []eval.RougeType `json:"objective"`
	// Temperature sharpens the ranker's target distribution over a
	// document's candidates (lower: only the best candidate counts).
	Temperature float64 `json:"temperature"`
	// Trees, Depth and LearningRate shape the ranker's boosted trees.
	Trees        int     `json:"trees"`
	Depth        int     `json:"depth"`
	LearningRate float64 `json:"learning_rate"`
	// Ensemble is how many rankers, grown on different subsamples, are
	// averaged: fewer choices flip with the seed.
	Ensemble int `json:"ensemble"`
	// CVFolds is the number of cross-validation folds used for the
	// out-of-fold sentence scores the ranker trains on and for the
	// cross-validated training metrics; at least 2.
	CVFolds int `json:"cv_folds"`
	// Seed makes training reproducible. 0 is a seed like any other (the
	// zero Options train with it); DefaultOptions, and so the CLI, use 1.
	Seed uint64 `json:"seed"`
	// Keep says which findings of a document the guard makes candidates
	// keep, when some candidate does: KeepReportable (critical findings,
	// then lines, tubes and significant findings), KeepCritical, or
	// KeepNone (leave it to the ranker; a normal statement over a critical
	// finding is refused whatever Keep says). KeepAuto (the default)
	// follows the training references: a kind of finding is kept when at
	// least a third of the references whose source states one keep them
	// all (radiology impressions do; one-line descriptions of a visit do
	// not). Training resolves it, and the model records what it chose.
	Keep KeepPolicy `json:"keep,omitempty"`
	// MinReuseSimilarity is the least TF-IDF similarity at which a
	// retrieved specific (not frequent) summary is reused: a summary of a
	// dissimilar report falls back to extraction even when the guard finds
	// nothing wrong with it.
	MinReuseSimilarity float64 `json:"min_reuse_similarity,omitempty"`
	// SkipCrossValidation leaves out the cross-validated training metrics
	// (TrainReport.CV...), which cost five extra rankers; the model is the
	// same either way.
	SkipCrossValidation bool `json:"skip_cross_validation,omitempty"`
	// Workers is the number of goroutines; 0 means all CPUs. It does not
	// change the model.
	Workers int `json:"-"`
}

// KeepPolicy is what [Options.Keep] makes the guard keep.
type KeepPolicy string

// The keep policies.
const (
	KeepAuto       KeepPolicy = "auto"
	KeepReportable KeepPolicy = "reportable"
	KeepCritical   KeepPolicy = "critical"
	KeepNone       KeepPolicy = "none"
)

// ParseKeepPolicy parses a --keep value.
func ParseKeepPolicy(s string) (KeepPolicy, error) {
	switch p := KeepPolicy(s); p {
	case KeepAuto, KeepReportable, KeepCritical, KeepNone:
		return p, nil
	case "":
		return KeepAuto, nil
	}
	return "", fmt.Errorf("trained: unknown keep policy %q (want auto, reportable, critical or none)", s)
}

// keepThreshold is the share of training references that must keep a
// kind of finding for KeepAuto to keep it.
const keepThreshold = 1.0 / 3

// DefaultOptions returns the settings used when a field is zero.
func DefaultOptions() Options {
	return Options{
		Neighbors:    30,
		MBRNeighbors: 10,
		Frequent:     20,
		MaxSingles:   12,
		CombineTop:   5,
		MaxExtract:   3,
		Objective:    []eval.RougeType{eval.Rouge1, eval.Rouge2, eval.RougeL},
		Temperature:  0.05,
		Trees:        150,
		Depth:        4,
		LearningRate: 0.1,
		Ensemble:     5,
		CVFolds:      5,
		Seed:         1,
		Keep:         KeepAuto,

		MinReuseSimilarity: 0.2,
	}
}

// withDefaults fills zero fields.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Neighbors <= 0 {
		o.Neighbors = d.Neighbors
	}
	if o.MBRNeighbors <= 0 {
		o.MBRNeighbors = d.MBRNeighbors
	}
	if o.Frequent <= 0 {
		o.Frequent = d.Frequent
	}
	if o.MaxSingles <= 0 {
		o.MaxSingles = d.MaxSingles
	}
	if o.CombineTop <= 0 {
		o.CombineTop = d.CombineTop
	}
	if o.MaxExtract <= 0 {
		o.MaxExtract = d.MaxExtract
	}
	if len(o.Objective) == 0 {
		o.Objective = d.Objective
	}
	if o.Temperature <= 0 {
		o.Temperature = d.Temperature
	}
	if o.Trees <= 0 {
		o.Trees = d.Trees
	}
	if o.Depth <= 0 {
		o.Depth = d.Depth
	}
	if o.LearningRate <= 0 {
		o.LearningRate = d.LearningRate
	}
	if o.Ensemble <= 0 {
		o.Ensemble = d.Ensemble
	}
	if o.CVFolds < 2 {
		o.CVFolds = d.CVFolds
	}
	if o.Keep == "" {
		o.Keep = d.Keep
	}
	if o.MinReuseSimilarity <= 0 {
		o.MinReuseSimilarity = d.MinReuseSimilarity
	}
	return o
}

// Upper bounds on the options that size the work done for every document
// (candidates retrieved, checked, combined and ranked). Each is well above
// what training needs (the defaults are 30, 10, 20, 12, 5, 3, 150, 4 and
// 5); they exist so that a model, trained or loaded from an artifact,
// cannot make one summary take unbounded time or memory. [Options.Validate]
// enforces them, and so Train and Load.
const (
	MaxNeighborsLimit  = 200  // neighbors, mbr_neighbors
	MaxFrequentLimit   = 200  // frequent
	MaxSinglesLimit    = 50   // max_singles
	MaxCombineTopLimit = 10   // combine_top: at most 45 pairs and 120 triples
	MaxExtractLimit    = 5    // max_extract
	MaxTreesLimit      = 2000 // trees per ranker
	MaxDepthLimit      = 12   // depth
	MaxEnsembleLimit   = 50   // ensemble
	MaxCVFoldsLimit    = 100  // cv_folds
)

// MaxSummaryBytes bounds a training summary (the longest in the reference
// datasets is 6 KB): every summary is a candidate, compared token by token
// with others (ROUGE-L takes time quadratic in length) and checked for
// claims, so Train refuses a longer one and Load an artifact holding one.
const MaxSummaryBytes = 32 << 10

// Validate reports settings that cannot work or exceed the limits above;
// the error names the option by its model.json name.
func (o Options) Validate() error {
	for _, c := range []struct {
		name     string
		v, limit int
		what     string
	}{
		{"neighbors", o.Neighbors, MaxNeighborsLimit, "similar training sources"},
		{"mbr_neighbors", o.MBRNeighbors, MaxNeighborsLimit, "voting neighbours"},
		{"frequent", o.Frequent, MaxFrequentLimit, "frequent summaries"},
		{"max_singles", o.MaxSingles, MaxSinglesLimit, "single sentences"},
		{"combine_top", o.CombineTop, MaxCombineTopLimit, "sentences combined"},
		{"max_extract", o.MaxExtract, MaxExtractLimit, "sentences per extract"},
		{"trees", o.Trees, MaxTreesLimit, "trees"},
		{"depth", o.Depth, MaxDepthLimit, "levels"},
		{"ensemble", o.Ensemble, MaxEnsembleLimit, "rankers"},
		{"cv_folds", o.CVFolds, MaxCVFoldsLimit, "folds"},
	} {
		if c.v < 0 {
			return fmt.Errorf("trained: %s %d: options must not be negative", c.name, c.v)
		}
		if c.v > c.limit {
			return fmt.Errorf("trained: %s %d is too many %s (at most %d)", c.name, c.v, c.what, c.limit)
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"temperature", o.Temperature}, {"learning_rate", o.LearningRate}, {"min_reuse_similarity", o.MinReuseSimilarity}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0 {
			return fmt.Errorf("trained: %s %g must be a number, not negative", c.name, c.v)
		}
	}
	if o.LearningRate > 1 {
		return fmt.Errorf("trained: learning_rate %g is above 1", o.LearningRate)
	}
	for _, t := range o.Objective {
		if _, err := eval.ParseRougeTypes(string(t)); err != nil {
			return fmt.Errorf("trained: objective: %w", err)
		}
	}
	if _, err := ParseKeepPolicy(string(o.Keep)); err != nil {
		return err
	}
	if o.MinReuseSimilarity > 1 {
		return fmt.Errorf("trained: min_reuse_similarity %g must be between 0 and 1", o.MinReuseSimilarity)
	}
	return nil
}

// Model is a trained summarizer. It is safe for concurrent use: Summarize
// only reads it.
type Model struct {
	opts Options
	meta Metadata

	vec        *tfidf
	ix         *index
	docIDs     []string
	docVecs    []sparse
	docSummary []int32 // distinct summary id of each training example

	summaries    []string
	summaryCount []int32
	summaryLen   []int32 // ROUGE tokens
	// sumDocs are the training summaries' claims, checked against each
	// new source before a summary is reused.
	sumDocs    []*clinical.Document
	isFrequent []bool
	frequent   []int // the frequent summary ids, most frequent first

	sent   *sentenceScorer
	ranker *forest

	// features scores candidates against neighbour summaries (rouge1,
	// rougeL).
	features *eval.RougeScorer
	// checker is the faithfulness check every candidate passes.
	checker *clinical.Checker
}

var _ summarize.Summarizer = (*Model)(nil)

// ErrEmptyDocument is returned for a document with nothing to summarize:
// no words, or only headers and no similar training source.
var ErrEmptyDocument = errors.New("document has no words to summarize")

// Metadata returns the model's metadata (model.json).
func (m *Model) Metadata() Metadata { return m.meta }

// Summarize writes a summary of doc: it ranks reused, adapted and
// extracted candidates and returns the best, with provenance naming the
// training examples or source sentences it came from.
func (m *Model) Summarize(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	if err := ctx.Err(); err != nil {
		return summarize.Result{}, err
	}
	if len(text.Words(doc.Text)) == 0 {
		return summarize.Result{}, fmt.Errorf("trained: document %q: %w", doc.ID, ErrEmptyDocument)
	}
	q := m.newQuery(doc.Text, nil, m.sent, -1)
	q.generate()
	if len(q.cands) == 0 && len(q.doc.sents) > 0 {
		// The guard refused every candidate, or there was none: fall
		// back to the first sentence that can be extracted (checked, and
		// its warnings returned, like any other).
		first := 0
		for i := range q.doc.sents {
			if q.doc.extractable(i) {
				first = i
				break
			}
		}
		t := q.doc.sents[first].Text
		q.add(candidate{text: t, kind: kindExtract, summary: -1, sents: []int{first},
			check: m.checker.CheckDocuments(q.srcDoc, m.checker.Extractor().Extract(t))})
	}
	if len(q.cands) == 0 {
		return summarize.Result{}, fmt.Errorf("trained: document %q: %w", doc.ID, ErrEmptyDocument)
	}
	q.featurize(m.features)
	best, scores := m.rank(q)
	chosen := q.cands[best]
	return summarize.Result{Summary: chosen.text, Provenance: q.provenance(best, scores),
		Warnings: chosen.check.Issues, Checked: true}, nil
}

// rank returns the best candidate and every candidate's score.
func (m *Model) rank(q *query) (int, []float64) {
	scores := make([]float64, len(q.cands))
	best := 0
	for i := range q.cands {
		scores[i] = m.ranker.predict(q.cands[i].feats)
		if scores[i] > scores[best] {
			best = i
		}
	}
	return best, scores
}

// newQuery prepares a document: sentences, retrieval, sentence scores and
// facts. exclude hides training examples from retrieval (leave-one-out
// training); selfSummary is the summary id of the document itself when it
// is a training example, else -1.
func (m *Model) newQuery(src string, exclude func(int) bool, sent *sentenceScorer, selfSummary int) *query {
	d := analyzeDocument(src)
	q := &query{m: m, doc: d, selfSummary: selfSummary}
	vec := m.vec.transform(d.retrieval)
	q.nbs = m.retrieve(vec, exclude)
	q.sentScore = make([]float64, len(d.sents))
	var feats []uint32
	for i := range d.sents {
		feats = sentenceFeatures(feats[:0], sent.Bits, d.words[i], d.negated[i], d.sents[i].Section, i, len(d.sents))
		q.sentScore[i] = sent.predictFeats(feats)
	}
	q.srcDoc = m.checker.Extractor().Extract(src)
	q.srcTokens = map[string]bool{}
	for _, t := range eval.Tokenize(src, eval.TokenizerDefault, false) {
		q.srcTokens[t] = true
	}
	return q
}

// retrieve returns the most similar training examples, most similar first
// (ties by training order).
func (m *Model) retrieve(vec sparse, exclude func(int) bool) []neighbor {
	sims := make([]float64, len(m.docIDs))
	m.ix.scores(vec, sims)
	k := m.opts.Neighbors
	out := make([]neighbor, 0, k+1)
	for j, s := range sims {
		if s <= 0 || exclude != nil && exclude(j) {
			continue
		}
		if len(out) == k && s <= out[k-1].sim {
			continue
		}
		// Insert keeping order (k is small).
		pos := sort.Search(len(out), func(i int) bool { return out[i].sim < s })
		if len(out) < k {
			out = append(out, neighbor{})
		}
		copy(out[pos+1:], out[pos:len(out)-1])
		out[pos] = neighbor{doc: j, sim: s}
	}
	return out
}

// provenance explains the chosen candidate.
func (q *query) provenance(best int, scores []float64) *summarize.Provenance {
	m := q.m
	c := q.cands[best]
	p := &summarize.Provenance{Method: "trained:" + c.kind.String()}
	if c.adapted {
		p.Method = "trained:retrieval-adapted"
	}
	p.SourceSentences = append([]int(nil), c.sents...)
	if c.summary >= 0 && c.kind != kindExtract {
		nbs := append(append([]neighbor(nil), c.neighbors...), c.adaptedFrom...)
		if len(nbs) > 10 {
			nbs = nbs[:10]
		}
		for _, nb := range nbs {
			p.Neighbors = append(p.Neighbors, summarize.Neighbor{ID: m.docIDs[nb.doc], Similarity: round4(nb.sim),
				Summary: m.summaries[m.docSummary[nb.doc]]})
		}
	}
	f := c.feats
	switch c.kind {
	case kindNeighbor:
		p.Notes = append(p.Notes, fmt.Sprintf("reused the summary of %d of the %d most similar training reports (best similarity %.2f)",
			len(c.neighbors), len(q.nbs), f[11]))
	case kindFrequent:
		p.Notes = append(p.Notes, fmt.Sprintf("chose a frequent training summary (used %d times in training)", m.summaryCount[c.summary]))
	case kindExtract:
		p.Notes = append(p.Notes, fmt.Sprintf("extracted %d source sentence(s)", len(c.sents)))
	case kindCombined:
		p.Notes = append(p.Notes, fmt.Sprintf("combined a frequent training summary (used %d times) with %d source sentence(s)",
			m.summaryCount[c.summary], len(c.sents)))
	}
	if c.adapted {
		p.Notes = append(p.Notes, "adapted: left and right swapped so the reused summary agrees with the source's laterality")
	} else if len(c.adaptedFrom) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%d more retrieved report(s) had this summary with left and right swapped; it was adapted to the source's laterality",
			len(c.adaptedFrom)))
	}
	if len(q.nbs) > 0 {
		route := "abnormal"
		if f[2] >= 0.5 {
			route = "normal"
		}
		p.Notes = append(p.Notes, fmt.Sprintf("routing: %s study (%.0f%% of the nearest training reports have a frequent, normal-study summary; nearest similarity %.2f)",
			route, 100*f[2], f[0]))
	}
	p.Check = &summarize.CheckRecord{Faithful: c.check.Faithful(), Candidates: len(q.cands) + q.guarded, Removed: q.guarded, Refused: len(q.rejected)}
	if len(q.rejected) > 0 {
		var terms []string
		seen := map[string]bool{}
		for _, r := range q.rejected {
			rj := summarize.Rejected{ID: m.docIDs[r.doc], Summary: m.summaries[m.docSummary[r.doc]]}
			for _, is := range r.issues {
				rj.Issues = append(rj.Issues, is.Message)
				k := is.Kind.String()
				if is.Concept != "" {
					k += " (" + is.Concept + ")"
				}
				if !seen[k] {
					seen[k] = true
					terms = append(terms, k)
				}
			}
			if len(p.Check.Rejected) < 10 {
				p.Check.Rejected = append(p.Check.Rejected, rj)
			}
		}
		if len(terms) > 6 {
			terms = append(terms[:6], "...")
		}
		p.Notes = append(p.Notes, fmt.Sprintf("refused the summaries of %d retrieved training reports the source does not back (%s)",
			len(q.rejected), strings.Join(terms, ", ")))
	}
	if q.guarded > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("faithfulness guard: removed %d of %d candidates", q.guarded, len(q.cands)+q.guarded))
	}
	if len(scores) > 1 {
		second := math.Inf(-1)
		for i, s := range scores {
			if i != best && s > second {
				second = s
			}
		}
		p.Notes = append(p.Notes, fmt.Sprintf("ranked first of %d candidates (score margin %.3f)", len(scores), scores[best]-second))
	}
	return p
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
