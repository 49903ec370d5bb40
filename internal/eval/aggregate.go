package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"
)

// RougeResult holds the per-example scores of an evaluation, in input
// order, and aggregates them. Texts are not kept: per-example scores are
// small, so millions of pairs fit in memory.
type RougeResult struct {
	// Types are the ROUGE types, in the order each example's scores list
	// them.
	Types []RougeType
	// IDs identify the examples.
	IDs []string
	// Scores holds len(Types) scores per example: example i's score for
	// Types[k] is Scores[i*len(Types)+k].
	Scores []Score
}

// NewRougeResult returns an empty result for types.
func NewRougeResult(types []RougeType) *RougeResult {
	return &RougeResult{Types: slices.Clone(types)}
}

// Add appends one example's scores (one per type, in Types order).
func (r *RougeResult) Add(id string, scores []Score) {
	if len(scores) != len(r.Types) {
		panic(fmt.Sprintf("eval: RougeResult.Add: %d scores for %d types", len(scores), len(r.Types)))
	}
	// Grow by doubling: append grows big slices by a quarter, which copies
	// the scores of 10,000 pairs five times over.
	if len(r.IDs) == cap(r.IDs) {
		r.IDs = slices.Grow(r.IDs, max(len(r.IDs), 64))
	}
	if cap(r.Scores)-len(r.Scores) < len(scores) {
		r.Scores = slices.Grow(r.Scores, max(len(r.Scores), 64*len(scores)))
	}
	r.IDs = append(r.IDs, id)
	r.Scores = append(r.Scores, scores...)
}

// Len returns the number of examples.
func (r *RougeResult) Len() int { return len(r.IDs) }

// Example returns example i's scores, one per type in Types order.
func (r *RougeResult) Example(i int) []Score {
	k := len(r.Types)
	return r.Scores[i*k : (i+1)*k : (i+1)*k]
}

// ExampleMap returns example i's scores by type.
func (r *RougeResult) ExampleMap(i int) map[RougeType]Score {
	out := make(map[RougeType]Score, len(r.Types))
	for k, s := range r.Example(i) {
		out[r.Types[k]] = s
	}
	return out
}

// column returns the values of one type and measure (0 precision,
// 1 recall, 2 F) across examples.
func (r *RougeResult) column(k, measure int) []float64 {
	out := make([]float64, r.Len())
	for i := range out {
		out[i] = r.Scores[i*len(r.Types)+k].Measure(measure)
	}
	return out
}

// Measure is the score's m-th value in [Measures] order: precision,
// recall, F.
func (s Score) Measure(m int) float64 {
	switch m {
	case 0:
		return s.Precision
	case 1:
		return s.Recall
	}
	return s.FMeasure
}

// Measures names the three values of a [Score] in the order tables and
// plots show them.
var Measures = []string{"precision", "recall", "fmeasure"}

// Mean returns the plain mean of every precision, recall and F, summed
// left to right in example order and divided by the count (zero scores
// when there are no examples). This is the number to compare with other
// tools: rouge-score's BootstrapAggregator reports a random estimate of
// it as "mid".
func (r *RougeResult) Mean() map[RougeType]Score {
	out := make(map[RougeType]Score, len(r.Types))
	n := r.Len()
	for k, t := range r.Types {
		var sum Score
		for i := 0; i < n; i++ {
			s := r.Scores[i*len(r.Types)+k]
			sum.Precision += s.Precision
			sum.Recall += s.Recall
			sum.FMeasure += s.FMeasure
		}
		if n > 0 {
			sum.Precision /= float64(n)
			sum.Recall /= float64(n)
			sum.FMeasure /= float64(n)
		}
		out[t] = sum
	}
	return out
}

// BootstrapOptions configure [RougeResult.Bootstrap].
type BootstrapOptions struct {
	// Samples is the number of resamples; 0 means 1,000 (rouge-score's
	// default).
	Samples int
	// Confidence is the interval's coverage; 0 means 0.95, giving the 2.5,
	// 50 and 97.5 percentiles.
	Confidence float64
	// Seed makes the resamples, and so the intervals, reproducible: the
	// same seed and data give the same intervals whatever Workers is.
	Seed uint64
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// FMeasureOnly computes the intervals of F alone, for an output that
	// shows no others (the text table): the precision and recall of every
	// interval are left zero. The F intervals are the same as without it,
	// and cost about two thirds as much on radiology-length texts.
	FMeasureOnly bool
}

func (o BootstrapOptions) withDefaults() BootstrapOptions {
	if o.Samples <= 0 {
		o.Samples = 1000
	}
	if o.Confidence <= 0 {
		o.Confidence = 0.95
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Interval is a bootstrap confidence interval of a [Score]: its low, mid
// and high percentiles, as in rouge-score's AggregateScore.
type Interval struct {
	Low  Score `json:"low"`
	Mid  Score `json:"mid"`
	High Score `json:"high"`
}

// Bootstrap estimates confidence intervals of the mean scores the way
// rouge-score's BootstrapAggregator does: opts.Samples resamples of the
// examples with replacement, the mean of each, and the (1-c)/2, 50% and
// (1+c)/2 percentiles of those means (linear interpolation, as numpy's
// percentile). Unlike the reference it is seeded, so reruns agree; the
// values differ from the reference's, which come from numpy's random
// generator. It returns an error when there are no examples.
func (r *RougeResult) Bootstrap(ctx context.Context, opts BootstrapOptions) (map[RougeType]Interval, error) {
	ms := opts.measures()
	return bootstrapIntervals(ctx, r.Types, r.Len(), opts, r.matrix(nil, ms))
}

// matrix returns the scores as rows of the given measures (0 precision,
// 1 recall, 2 F) per type, minus base's when base is not nil.
func (r *RougeResult) matrix(base *RougeResult, measures []int) []float64 {
	m := make([]float64, 0, len(measures)*len(r.Scores))
	for i, s := range r.Scores {
		for _, k := range measures {
			v := s.Measure(k)
			if base != nil {
				v -= base.Scores[i].Measure(k)
			}
			m = append(m, v)
		}
	}
	return m
}

// measures returns the measures the bootstrap resamples (0 precision,
// 1 recall, 2 F).
func (o BootstrapOptions) measures() []int {
	if o.FMeasureOnly {
		return []int{2}
	}
	return []int{0, 1, 2}
}

// PairedBootstrap estimates confidence intervals of the difference of mean
// scores other - base, on the same examples (a paired bootstrap: each
// resample draws the same examples for both). An interval that excludes 0
// means the difference is unlikely to be resampling noise. The results
// must have the same types and examples in the same order.
func PairedBootstrap(ctx context.Context, base, other *RougeResult, opts BootstrapOptions) (map[RougeType]Interval, error) {
	if !slices.Equal(base.Types, other.Types) {
		return nil, fmt.Errorf("eval: paired bootstrap: rouge types differ (%v vs %v)", base.Types, other.Types)
	}
	if base.Len() != other.Len() {
		return nil, fmt.Errorf("eval: paired bootstrap: %d vs %d examples", base.Len(), other.Len())
	}
	return bootstrapIntervals(ctx, base.Types, base.Len(), opts, other.matrix(base, opts.measures()))
}

// bootstrapIntervals resamples the n rows of matrix (opts.measures() per
// type) opts.Samples times and returns the percentiles of the resample
// means per type.
func bootstrapIntervals(ctx context.Context, types []RougeType, n int, opts BootstrapOptions, matrix []float64) (map[RougeType]Interval, error) {
	opts = opts.withDefaults()
	if opts.Confidence >= 1 {
		return nil, fmt.Errorf("eval: bootstrap confidence %v must be below 1", opts.Confidence)
	}
	if n == 0 {
		return nil, fmt.Errorf("eval: no examples to bootstrap")
	}
	// Resampling F alone gives the F sums of the full matrix: a column's
	// sums depend on that column alone.
	measures := opts.measures()
	cols := len(types) * len(measures)
	// means[s*cols+c] is resample s's mean of column c.
	means, err := bootstrapSums(ctx, n, cols, matrix, opts)
	if err != nil {
		return nil, err
	}
	for k := range means {
		means[k] /= float64(n)
	}
	delta := (1 - opts.Confidence) / 2
	qs := []float64{delta, 0.5, 1 - delta}
	col := make([]float64, opts.Samples)
	out := make(map[RougeType]Interval, len(types))
	for k, t := range types {
		var iv [3]Score // low, mid, high
		for j, m := range measures {
			for s := range col {
				col[s] = means[s*cols+len(measures)*k+j]
			}
			slices.Sort(col)
			for q, p := range qs {
				v := percentileSorted(col, p)
				switch m {
				case 0:
					iv[q].Precision = v
				case 1:
					iv[q].Recall = v
				default:
					iv[q].FMeasure = v
				}
			}
		}
		out[t] = Interval{Low: iv[0], Mid: iv[1], High: iv[2]}
	}
	return out, nil
}

// bootstrapSums draws opts.Samples resamples (with replacement) of the n
// rows of matrix, cols values each, and returns each resample's column
// sums: out[s*cols+c]. Resample s draws its rows with
// rand.New(rand.NewPCG(opts.Seed, s)).IntN(n) and adds them in draw order
// (resampleTable does it fast, to the same bits), so the result does not
// depend on opts.Workers. opts must have its defaults.
func bootstrapSums(ctx context.Context, n, cols int, matrix []float64, opts BootstrapOptions) ([]float64, error) {
	t := newResampleTable(n, cols, matrix)
	sums := make([]float64, opts.Samples*cols)
	g, ctx := errgroup.WithContext(ctx)
	per := (opts.Samples + opts.Workers - 1) / opts.Workers
	for lo := 0; lo < opts.Samples; lo += per {
		hi := min(lo+per, opts.Samples)
		g.Go(func() error {
			acc := make([]float64, t.width)
			for s := lo; s < hi; s++ {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				t.resample(opts.Seed, uint64(s), acc)
				out := sums[s*cols : (s+1)*cols]
				for c := range out {
					out[c] = acc[t.col[c]]
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return sums, nil
}

// percentileSorted is numpy's percentile (method "linear") of sorted data
// at fraction p in [0, 1], with numpy's interpolation formula.
func percentileSorted(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	pos := p * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		return sorted[n-1]
	}
	if lo < 0 {
		return sorted[0]
	}
	t := pos - float64(lo)
	a, b := sorted[lo], sorted[lo+1]
	diff := b - a
	if t >= 0.5 {
		return b - diff*(1-t)
	}
	return a + diff*t
}

// Stats describes a distribution the way pandas' describe() does: count,
// mean, sample standard deviation (n-1), minimum, quartiles (linear
// interpolation) and maximum. Std is NaN for fewer than two values, and
// every field but Count is NaN for none; NaN is written as null in JSON.
type Stats struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	Std   float64 `json:"std"`
	Min   float64 `json:"min"`
	P25   float64 `json:"p25"`
	P50   float64 `json:"p50"`
	P75   float64 `json:"p75"`
	Max   float64 `json:"max"`
}

// Describe returns the [Stats] of values; values is not modified.
func Describe(values []float64) Stats {
	st := Stats{Count: len(values)}
	nan := math.NaN()
	if len(values) == 0 {
		st.Mean, st.Std, st.Min, st.P25, st.P50, st.P75, st.Max = nan, nan, nan, nan, nan, nan, nan
		return st
	}
	// The order statistics the table shows, in place of a sort.
	n := len(values)
	sorted := slices.Clone(values)
	var ks []int
	for _, p := range []float64{0, 0.25, 0.5, 0.75} {
		lo := int(math.Floor(p * float64(n-1)))
		ks = append(ks, lo, lo+1)
	}
	ks = append(ks, n-1)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	if ks[len(ks)-1] >= n {
		ks = ks[:len(ks)-1]
	}
	if !placeOrderStats(sorted, ks...) {
		slices.Sort(sorted)
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	st.Mean = sum / float64(len(values))
	st.Std = nan
	if len(values) > 1 {
		var ss float64
		for _, v := range values {
			d := v - st.Mean
			ss += d * d
		}
		st.Std = math.Sqrt(ss / float64(len(values)-1))
	}
	st.Min, st.Max = sorted[0], sorted[len(sorted)-1]
	st.P25 = percentileSorted(sorted, 0.25)
	st.P50 = percentileSorted(sorted, 0.5)
	st.P75 = percentileSorted(sorted, 0.75)
	return st
}

// MarshalJSON writes NaN fields as null.
func (s Stats) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Count int      `json:"count"`
		Mean  *float64 `json:"mean"`
		Std   *float64 `json:"std"`
		Min   *float64 `json:"min"`
		P25   *float64 `json:"p25"`
		P50   *float64 `json:"p50"`
		P75   *float64 `json:"p75"`
		Max   *float64 `json:"max"`
	}{s.Count, nullNaN(s.Mean), nullNaN(s.Std), nullNaN(s.Min), nullNaN(s.P25), nullNaN(s.P50), nullNaN(s.P75), nullNaN(s.Max)})
}

// UnmarshalJSON reads null fields as NaN.
func (s *Stats) UnmarshalJSON(b []byte) error {
	var v struct {
		Count                              int
		Mean, Std, Min, P25, P50, P75, Max *float64
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.Count = v.Count
	s.Mean, s.Std, s.Min, s.P25, s.P50, s.P75, s.Max = nanNull(v.Mean), nanNull(v.Std), nanNull(v.Min), nanNull(v.P25), nanNull(v.P50), nanNull(v.P75), nanNull(v.Max)
	return nil
}

func nullNaN(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func nanNull(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// ScoreStats is the distribution of one ROUGE type's three measures
// across examples.
type ScoreStats struct {
	Precision Stats `json:"precision"`
	Recall    Stats `json:"recall"`
	FMeasure  Stats `json:"fmeasure"`
}

// Distributions returns, per type, the distribution table of precision,
// recall and F across examples.
func (r *RougeResult) Distributions() map[RougeType]ScoreStats {
	// A column equal to one already described, bit for bit (rougeLsum of
	// single-line texts is rougeL), has its table.
	type described struct {
		col   []float64
		stats Stats
	}
	var done []described
	describe := func(k, m int) Stats {
		col := r.column(k, m)
		for _, d := range done {
			if equalBits(d.col, col) {
				return d.stats
			}
		}
		st := Describe(col)
		done = append(done, described{col, st})
		return st
	}
	out := make(map[RougeType]ScoreStats, len(r.Types))
	for k, t := range r.Types {
		out[t] = ScoreStats{
			Precision: describe(k, 0),
			Recall:    describe(k, 1),
			FMeasure:  describe(k, 2),
		}
	}
	return out
}

// Values returns one type's measure (0 precision, 1 recall, 2 F) for
// every example, in order: the data behind box plots.
func (r *RougeResult) Values(t RougeType, measure int) []float64 {
	k := slices.Index(r.Types, t)
	if k < 0 || measure < 0 || measure > 2 {
		return nil
	}
	return r.column(k, measure)
}

// RougeSummary is what `osler eval rouge --format json` prints and
// reports show: the example count, means, optional bootstrap intervals
// and distribution tables.
type RougeSummary struct {
	N            int                      `json:"n"`
	Types        []RougeType              `json:"types"`
	Stemmer      bool                     `json:"stemmer"`
	Tokenizer    string                   `json:"tokenizer"`
	Mean         map[RougeType]Score      `json:"mean"`
	Bootstrap    *BootstrapSummary        `json:"bootstrap,omitempty"`
	Distribution map[RougeType]ScoreStats `json:"distribution"`
}

// BootstrapSummary is a bootstrap's settings and intervals.
type BootstrapSummary struct {
	Samples    int                    `json:"samples"`
	Confidence float64                `json:"confidence"`
	Seed       uint64                 `json:"seed"`
	Intervals  map[RougeType]Interval `json:"intervals"`
	// FMeasureOnly says the intervals hold F alone
	// ([BootstrapOptions].FMeasureOnly).
	FMeasureOnly bool `json:"fmeasure_only,omitempty"`
}

// Summarize computes a [RougeSummary]. The bootstrap runs only when
// boot.Samples > 0. stemmer and tokenizer are recorded as given, so the
// summary says how its numbers were made.
func (r *RougeResult) Summarize(ctx context.Context, stemmer bool, tokenizer Tokenizer, boot BootstrapOptions) (*RougeSummary, error) {
	sum := &RougeSummary{
		N:            r.Len(),
		Types:        slices.Clone(r.Types),
		Stemmer:      stemmer,
		Tokenizer:    tokenizer.String(),
		Mean:         r.Mean(),
		Distribution: r.Distributions(),
	}
	if boot.Samples > 0 && r.Len() > 0 {
		b := boot.withDefaults()
		iv, err := r.Bootstrap(ctx, b)
		if err != nil {
			return nil, err
		}
		sum.Bootstrap = &BootstrapSummary{Samples: b.Samples, Confidence: b.Confidence, Seed: b.Seed, Intervals: iv, FMeasureOnly: b.FMeasureOnly}
	}
	return sum, nil
}
