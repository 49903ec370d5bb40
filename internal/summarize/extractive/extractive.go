// Package extractive summarizes a document by copying its most central
// sentences, with no training and no model: sentences are ranked on a
// graph of TF-IDF cosine similarities (TextRank, or LexRank's thresholded
// graph), then picked by maximal marginal relevance so the summary does not
// repeat itself, within a budget in sentences or words.
//
// It is section-aware: sentences of preferred sections (FINDINGS by
// default, which an impression summarizes) are used when the document has
// any, and administrative sections (COMPARISON, TECHNIQUE, EXAMINATION)
// never are. Sentences are copied whole, so every negation cue of a
// sentence ("no", "without", "negative for") survives into the summary.
//
// The ranking is hand-written: TextRank and LexRank are a power iteration
// over the similarities of a few dozen sentences, smaller than any
// dependency, and must use Osler's clinical sentence splitter and negation
// marking (a word in a negation scope is a different term from the same
// word affirmed, so "No effusion." and "Small effusion." are not
// near-duplicates).
package extractive

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/text"
)

// Method is the graph ranking used.
type Method int

const (
	// TextRank ranks on the weighted graph of cosine similarities
	// (Mihalcea and Tarau 2004; "continuous LexRank").
	TextRank Method = iota
	// LexRank ranks on the unweighted graph of similarities at or above
	// a threshold (Erkan and Radev 2004).
	LexRank
)

func (m Method) String() string {
	if m == LexRank {
		return "lexrank"
	}
	return "textrank"
}

// ParseMethod parses "textrank" or "lexrank".
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(s) {
	case "textrank", "":
		return TextRank, nil
	case "lexrank":
		return LexRank, nil
	}
	return 0, fmt.Errorf("extractive: unknown method %q (want textrank or lexrank)", s)
}

// Options configure a [Summarizer]. The zero value is usable: TextRank,
// three sentences, FINDINGS preferred.
type Options struct {
	Method Method
	// MaxSentences is the most sentences in a summary (default 3).
	MaxSentences int
	// MaxWords, when positive, is the most words in a summary. Sentences
	// are never cut, so a sentence that would overflow is skipped; if no
	// sentence fits, the shortest one is returned alone.
	MaxWords int
	// Lambda trades relevance (1) against novelty (0) in maximal marginal
	// relevance (default 0.7).
	Lambda float64
	// MaxSimilarity: a sentence at least this similar (cosine) to one
	// already chosen is never added, whatever its relevance (default 0.8).
	MaxSimilarity float64
	// Threshold is LexRank's similarity threshold for an edge (default 0.1).
	Threshold float64
	// Damping is the PageRank damping factor (default 0.85).
	Damping float64
	// Prefer lists sections to draw from, most preferred first: the first
	// of them the document has is used alone. Nil means FINDINGS; an empty,
	// non-nil slice means every section.
	Prefer []text.SectionKind
	// Skip lists sections never drawn from. Nil means COMPARISON,
	// TECHNIQUE and EXAMINATION.
	Skip []text.SectionKind
	// Separator joins the chosen sentences (default " ").
	Separator string
	// Window links each candidate sentence to the Window candidates
	// before and after it in the similarity graph (default
	// [DefaultWindow]), so the graph's memory and time grow linearly with
	// the document, not with its square; a document of at most
	// 2*Window+1 candidates gets the complete graph TextRank and LexRank
	// define.
	Window int
	// MaxCandidates is the most sentences considered per document
	// (default [DefaultMaxCandidates]); a longer document is summarized
	// from its first MaxCandidates candidates, and the provenance says so.
	MaxCandidates int
	// MaxBytes is the most text read per document (default
	// [DefaultMaxBytes]); a longer document is summarized from its
	// beginning, without the sentence the cut falls in, and the
	// provenance says so.
	MaxBytes int
}

// Defaults of the limits on the work per document: a 229 KB document of
// 12,000 sentences once took 2.3 GB (a dense similarity matrix); now the
// graph holds at most DefaultMaxCandidates x DefaultWindow similarities
// (1.6 MB). The window of 100 gives the complete graph to documents of up
// to 201 candidate sentences, which every report of the IU X-ray and
// MTSamples dev sets is: their summaries are unchanged.
const (
	DefaultWindow        = 100
	DefaultMaxCandidates = 2000
	DefaultMaxBytes      = 4 << 20
)

func (o Options) withDefaults() Options {
	if o.MaxSentences <= 0 {
		o.MaxSentences = 3
	}
	if o.Lambda <= 0 || o.Lambda > 1 {
		o.Lambda = 0.7
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.1
	}
	if o.MaxSimilarity <= 0 || o.MaxSimilarity > 1 {
		o.MaxSimilarity = 0.8
	}
	if o.Damping <= 0 || o.Damping >= 1 {
		o.Damping = 0.85
	}
	if o.Prefer == nil {
		o.Prefer = []text.SectionKind{text.SectionFindings}
	}
	if o.Skip == nil {
		o.Skip = []text.SectionKind{text.SectionComparison, text.SectionTechnique, text.SectionExamination}
	}
	if o.Separator == "" {
		o.Separator = " "
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = DefaultMaxCandidates
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return o
}

// Summarizer is the extractive summarizer. It is safe for concurrent use.
type Summarizer struct {
	opts Options
}

var _ summarize.Summarizer = (*Summarizer)(nil)

// New returns a summarizer with opts.
func New(opts Options) (*Summarizer, error) {
	if opts.MaxSentences < 0 || opts.MaxWords < 0 || opts.Window < 0 || opts.MaxCandidates < 0 || opts.MaxBytes < 0 {
		return nil, errors.New("extractive: budgets and limits must not be negative")
	}
	if opts.Lambda < 0 || opts.Lambda > 1 {
		return nil, fmt.Errorf("extractive: lambda %g is outside [0, 1]", opts.Lambda)
	}
	if opts.MaxSimilarity < 0 || opts.MaxSimilarity > 1 {
		return nil, fmt.Errorf("extractive: max similarity %g is outside [0, 1]", opts.MaxSimilarity)
	}
	if opts.Threshold < 0 || opts.Threshold > 1 {
		return nil, fmt.Errorf("extractive: threshold %g is outside [0, 1]", opts.Threshold)
	}
	if opts.Damping < 0 || opts.Damping >= 1 {
		return nil, fmt.Errorf("extractive: damping %g is outside [0, 1)", opts.Damping)
	}
	if opts.Method != TextRank && opts.Method != LexRank {
		return nil, fmt.Errorf("extractive: unknown method %d", opts.Method)
	}
	return &Summarizer{opts: opts.withDefaults()}, nil
}

// ErrEmptyDocument is returned for a document with no sentence.
var ErrEmptyDocument = errors.New("document has no sentence to extract")

// Summarize picks the document's most central, least redundant sentences
// and returns them in document order. Provenance names them by their index
// in [text.SplitSentences] of the document. The work is bounded per
// document (its first [Options.MaxBytes], at most [Options.MaxCandidates]
// sentences, each compared with the [Options.Window] around it), and ctx
// is checked throughout, so a cancelled or timed-out call returns its
// error promptly.
func (s *Summarizer) Summarize(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	if err := ctx.Err(); err != nil {
		return summarize.Result{}, err
	}
	src, cut := doc.Text, false
	if len(src) > s.opts.MaxBytes {
		src, cut = src[:s.opts.MaxBytes], true
	}
	sents := text.SplitSentences(src)
	if cut && len(sents) > 1 {
		sents = sents[:len(sents)-1] // the cut may fall inside it
	}
	pool, section := s.pool(sents)
	if len(pool) == 0 {
		return summarize.Result{}, fmt.Errorf("extractive: document %q: %w", doc.ID, ErrEmptyDocument)
	}
	candidates := len(pool)
	if len(pool) > s.opts.MaxCandidates {
		pool = pool[:s.opts.MaxCandidates]
	}
	vecs, err := vectors(ctx, sents, pool)
	if err != nil {
		return summarize.Result{}, err
	}
	g, err := s.newGraph(ctx, vecs)
	if err != nil {
		return summarize.Result{}, err
	}
	scores, err := s.rank(ctx, g)
	if err != nil {
		return summarize.Result{}, err
	}
	chosen, over, err := s.selectMMR(ctx, sents, pool, vecs, scores)
	if err != nil {
		return summarize.Result{}, err
	}
	sort.Ints(chosen)

	var b strings.Builder
	prov := &summarize.Provenance{Method: "extractive:" + s.opts.Method.String()}
	for k, c := range chosen {
		if k > 0 {
			b.WriteString(s.opts.Separator)
		}
		b.WriteString(sents[pool[c]].Text)
		prov.SourceSentences = append(prov.SourceSentences, pool[c])
	}
	if section != text.SectionNone {
		prov.Notes = append(prov.Notes, fmt.Sprintf("drew from the %s section", section))
	}
	prov.Notes = append(prov.Notes, fmt.Sprintf("chose %d of %d candidate sentences", len(chosen), len(pool)))
	if cut {
		prov.Notes = append(prov.Notes, fmt.Sprintf("read the first %d of %d bytes (the limit per document)", s.opts.MaxBytes, len(doc.Text)))
	}
	if candidates > len(pool) {
		prov.Notes = append(prov.Notes, fmt.Sprintf("considered the first %d of %d candidate sentences (the limit per document)", len(pool), candidates))
	}
	if over {
		prov.Notes = append(prov.Notes, fmt.Sprintf("no sentence fits %d words; returned the shortest", s.opts.MaxWords))
	}
	return summarize.Result{Summary: b.String(), Provenance: prov}, nil
}

// pool returns the indices of the sentences to choose from and the
// preferred section they come from (SectionNone when all are used).
func (s *Summarizer) pool(sents []text.Sentence) ([]int, text.SectionKind) {
	skip := func(k text.SectionKind) bool {
		for _, x := range s.opts.Skip {
			if x == k {
				return true
			}
		}
		return false
	}
	for _, want := range s.opts.Prefer {
		var out []int
		for i, st := range sents {
			if st.Section == want {
				out = append(out, i)
			}
		}
		if len(out) > 0 {
			return out, want
		}
	}
	var out []int
	for i, st := range sents {
		if !skip(st.Section) {
			out = append(out, i)
		}
	}
	return out, text.SectionNone
}

// ctxEvery is how many units of work (sentences, graph rows) pass
// between checks of the context.
const ctxEvery = 256

// svec is a sparse, L2-normalised term vector: term ids ascending.
type svec struct {
	idx []int32
	val []float64
}

// dot is the cosine similarity of two normalised vectors.
func dot(a, b svec) float64 {
	var d float64
	for i, j := 0, 0; i < len(a.idx) && j < len(b.idx); {
		switch {
		case a.idx[i] < b.idx[j]:
			i++
		case a.idx[i] > b.idx[j]:
			j++
		default:
			d += a.val[i] * b.val[j]
			i++
			j++
		}
	}
	return d
}

// vectors returns TF-IDF vectors of the pool's sentences, with the
// sentences as documents (smooth idf). Words in a negation scope become
// "NOT_word"; stop words are dropped.
func vectors(ctx context.Context, sents []text.Sentence, pool []int) ([]svec, error) {
	vocab := map[string]int32{}
	var df []int
	var spans []text.Span
	var negs []text.Negation
	var ids []int32
	out := make([]svec, len(pool))
	for k, i := range pool {
		if k%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		st := sents[i].Text
		spans = text.AppendWords(spans[:0], st)
		negs = text.AppendNegations(negs[:0], st, spans)
		ids = ids[:0]
		for _, sp := range spans {
			w := strings.ToLower(st[sp.Start:sp.End])
			if stopWords[w] || text.IsPlaceholder(st[sp.Start:sp.End]) {
				continue
			}
			if text.IsNegated(negs, sp.Start, sp.End) {
				w = "NOT_" + w
			}
			id, ok := vocab[w]
			if !ok {
				id = int32(len(df))
				vocab[w] = id
				df = append(df, 0)
			}
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var v svec
		for a := 0; a < len(ids); {
			b := a
			for b < len(ids) && ids[b] == ids[a] {
				b++
			}
			v.idx = append(v.idx, ids[a])
			v.val = append(v.val, float64(b-a)) // term frequency, for now
			df[ids[a]]++
			a = b
		}
		out[k] = v
	}
	n := float64(len(pool))
	for _, v := range out {
		var norm float64
		for t, id := range v.idx {
			x := v.val[t] * (math.Log((1+n)/(1+float64(df[id]))) + 1)
			v.val[t] = x
			norm += x * x
		}
		norm = math.Sqrt(norm)
		for t := range v.val {
			v.val[t] /= norm
		}
	}
	return out, nil
}

// graph is the similarity graph of the pool's sentences, each linked to
// the window sentences on either side of it: band[i][d-1] is the
// similarity of sentences i and i+d, for d in 1..window. Memory is linear
// in the number of sentences; with at most 2*window+1 sentences every
// pair is linked.
type graph struct {
	n      int
	window int
	band   [][]float64
}

func (s *Summarizer) newGraph(ctx context.Context, vs []svec) (*graph, error) {
	g := &graph{n: len(vs), window: s.opts.Window, band: make([][]float64, len(vs))}
	for i := range vs {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		hi := min(len(vs)-1, i+g.window)
		row := make([]float64, hi-i)
		for j := i + 1; j <= hi; j++ {
			row[j-i-1] = dot(vs[i], vs[j])
		}
		g.band[i] = row
	}
	return g, nil
}

// neighbors returns the range of sentences linked to i (i included).
func (g *graph) neighbors(i int) (lo, hi int) {
	return max(0, i-g.window), min(g.n-1, i+g.window)
}

// sim is the similarity of linked sentences i != j.
func (g *graph) sim(i, j int) float64 {
	if i > j {
		i, j = j, i
	}
	return g.band[i][j-i-1]
}

// weight is the edge weight from i to j: the similarity for TextRank, 1
// at or above the threshold for LexRank.
func (s *Summarizer) weight(g *graph, i, j int) float64 {
	x := g.sim(i, j)
	if s.opts.Method == LexRank {
		if x >= s.opts.Threshold {
			return 1
		}
		return 0
	}
	return x
}

// rank runs PageRank on the similarity graph (weighted for TextRank,
// thresholded for LexRank) and returns each sentence's centrality.
func (s *Summarizer) rank(ctx context.Context, g *graph) ([]float64, error) {
	n := g.n
	out := make([]float64, n) // row sums
	for i := 0; i < n; i++ {
		lo, hi := g.neighbors(i)
		for j := lo; j <= hi; j++ {
			if j != i {
				out[i] += s.weight(g, i, j)
			}
		}
	}
	d := s.opts.Damping
	p := make([]float64, n)
	next := make([]float64, n)
	for i := range p {
		p[i] = 1 / float64(n)
	}
	for iter := 0; iter < 200; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// A sentence with no edge spreads its score evenly (a dangling
		// node), so scores keep summing to one.
		var dangling float64
		for j := range p {
			if out[j] == 0 {
				dangling += p[j]
			}
		}
		var delta float64
		for i := range next {
			x := (1-d)/float64(n) + d*dangling/float64(n)
			lo, hi := g.neighbors(i)
			for j := lo; j <= hi; j++ {
				if j == i {
					continue
				}
				if w := s.weight(g, j, i); w > 0 {
					x += d * p[j] * w / out[j]
				}
			}
			next[i] = x
			delta += math.Abs(x - p[i])
		}
		p, next = next, p
		if delta < 1e-9 {
			break
		}
	}
	return p, nil
}

// selectMMR picks sentences by maximal marginal relevance within the
// budget. It returns positions in pool; over is true when no sentence fit
// the word budget and the shortest was returned. The redundancy of each
// sentence (its highest similarity to one chosen) is kept up to date as
// sentences are chosen, so each pick costs one pass.
func (s *Summarizer) selectMMR(ctx context.Context, sents []text.Sentence, pool []int, vecs []svec, scores []float64) ([]int, bool, error) {
	maxScore := 0.0
	for _, x := range scores {
		maxScore = math.Max(maxScore, x)
	}
	words := make([]int, len(pool))
	for k, i := range pool {
		words[k] = len(text.Words(sents[i].Text))
	}
	var chosen []int
	used := make([]bool, len(pool))
	red := make([]float64, len(pool))
	total := 0
	for len(chosen) < s.opts.MaxSentences {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		best, bestV := -1, math.Inf(-1)
		for k := range pool {
			if used[k] || s.opts.MaxWords > 0 && total+words[k] > s.opts.MaxWords {
				continue
			}
			rel := scores[k]
			if maxScore > 0 {
				rel /= maxScore
			}
			if red[k] >= s.opts.MaxSimilarity {
				continue
			}
			v := s.opts.Lambda*rel - (1-s.opts.Lambda)*red[k]
			if v > bestV+1e-12 {
				best, bestV = k, v
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		chosen = append(chosen, best)
		total += words[best]
		for k := range pool {
			if !used[k] {
				red[k] = math.Max(red[k], dot(vecs[k], vecs[best]))
			}
		}
	}
	if len(chosen) == 0 {
		shortest := 0
		for k := range pool {
			if words[k] < words[shortest] {
				shortest = k
			}
		}
		return []int{shortest}, true, nil
	}
	return chosen, false, nil
}

// stopWords are dropped before similarity; negation words are not stop
// words (they are marked on the words they negate instead, and kept).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or of to in on at by for with from as is are was were be been being
this that these those it its there here which who whom whose what when where how than then also
has have had do does did will would can could may might shall should must he she they we i you his her
their our your him them us me my mr mrs ms dr patient pt s`) {
		m[w] = true
	}
	return m
}()
