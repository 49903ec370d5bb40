package eval

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/osler-health/osler/internal/clinical"
)

// FaithfulnessPair is a summary and the source it summarizes.
type FaithfulnessPair struct {
	ID      string
	Source  string
	Summary string
}

// FaithfulnessOptions configure [EvaluateFaithfulness].
type FaithfulnessOptions struct {
	// Checker checks each pair; nil means the built-in lexicon.
	Checker *clinical.Checker
	// Bootstrap configures the intervals of the shares; Samples < 0 skips
	// them.
	Bootstrap BootstrapOptions
	// Workers is the number of goroutines checking pairs; 0 means
	// GOMAXPROCS.
	Workers int
}

// Share is a count out of n and its share, with a bootstrap interval when
// one was computed.
type Share struct {
	Count int     `json:"count"`
	N     int     `json:"n"`
	Share float64 `json:"share"`
	// Low and High bound the share's bootstrap interval (nil without one).
	Low  *float64 `json:"low,omitempty"`
	High *float64 `json:"high,omitempty"`
}

func newShare(count, n int) Share {
	s := Share{Count: count, N: n}
	if n > 0 {
		s.Share = float64(count) / float64(n)
	}
	return s
}

// KindCount counts one verdict and kind of issue: the summaries that have
// at least one, and the issues.
type KindCount struct {
	Verdict   clinical.Verdict   `json:"verdict"`
	Kind      clinical.IssueKind `json:"kind"`
	Summaries int                `json:"summaries"`
	Share     float64            `json:"share"`
	Issues    int                `json:"issues"`
}

// PairCheck is the check of one pair.
type PairCheck struct {
	ID      string           `json:"id"`
	Source  string           `json:"-"`
	Summary string           `json:"-"`
	Issues  []clinical.Issue `json:"issues,omitempty"`
	// Flagged says the summary has an unsupported or contradicted claim.
	Flagged bool `json:"flagged"`
	// Critical says the source states a critical finding.
	Critical bool `json:"source_critical,omitempty"`
	// Result keeps the extracted documents, for reports that highlight
	// claims.
	Result clinical.Result `json:"-"`
}

// FaithfulnessReport is the faithfulness of a set of summaries to their
// sources.
type FaithfulnessReport struct {
	Pairs int `json:"pairs"`
	// Unfaithful is the share of summaries with an unsupported or
	// contradicted claim; Unsupported and Contradicted split it.
	Unfaithful   Share `json:"unfaithful"`
	Unsupported  Share `json:"unsupported"`
	Contradicted Share `json:"contradicted"`
	// CriticalMissed is, among the pairs whose source states a critical
	// finding, the share whose summary omits one or calls the study
	// normal; CriticalNormalized the share that calls it normal.
	CriticalMissed     Share `json:"critical_missed"`
	CriticalNormalized Share `json:"critical_normalized"`
	// ReportableOmitted is the share of summaries that leave out a line,
	// tube or significant finding of their source.
	ReportableOmitted Share `json:"reportable_omitted"`
	// Kinds counts every verdict and kind that occurred, most summaries
	// first.
	Kinds []KindCount `json:"kinds"`
	// Bootstrap describes the intervals (nil without them).
	Bootstrap *BootstrapSettings `json:"bootstrap,omitempty"`
	// Checks are the pairs' checks, in input order.
	Checks []PairCheck `json:"-"`
}

// EvaluateFaithfulness checks every summary against its source and
// aggregates the shares, with seeded bootstrap intervals.
func EvaluateFaithfulness(ctx context.Context, pairs []FaithfulnessPair, opts FaithfulnessOptions) (*FaithfulnessReport, error) {
	if len(pairs) == 0 {
		return nil, fmt.Errorf("eval: faithfulness: no pairs")
	}
	checker := opts.Checker
	if checker == nil {
		checker = clinical.NewChecker(nil)
	}
	lex := checker.Extractor().Lexicon()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	checks := make([]PairCheck, len(pairs))
	g, gctx := errgroup.WithContext(ctx)
	per := (len(pairs) + workers - 1) / workers
	for lo := 0; lo < len(pairs); lo += per {
		hi := min(lo+per, len(pairs))
		g.Go(func() error {
			for i := lo; i < hi; i++ {
				if i%256 == 0 && gctx.Err() != nil {
					return gctx.Err()
				}
				p := pairs[i]
				r := checker.Check(p.Source, p.Summary)
				pc := PairCheck{ID: p.ID, Source: p.Source, Summary: p.Summary, Issues: r.Issues, Flagged: !r.Faithful(), Result: r}
				for _, c := range r.Source.Claims {
					if lex.Critical(c) {
						pc.Critical = true
						break
					}
				}
				checks[i] = pc
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return aggregateFaithfulness(ctx, checks, opts.Bootstrap)
}

// faithfulness columns, per pair: 1 or 0.
const (
	colUnfaithful = iota
	colUnsupported
	colContradicted
	colCriticalMissed
	colCriticalNormalized
	colCriticalSource
	colReportable
	numFaithCols
)

func aggregateFaithfulness(ctx context.Context, checks []PairCheck, boot BootstrapOptions) (*FaithfulnessReport, error) {
	n := len(checks)
	matrix := make([]float64, n*numFaithCols)
	type key struct {
		v clinical.Verdict
		k clinical.IssueKind
	}
	kinds := map[key]*KindCount{}
	for i, c := range checks {
		row := matrix[i*numFaithCols : (i+1)*numFaithCols]
		seen := map[key]bool{}
		for _, is := range c.Issues {
			kk := key{is.Verdict, is.Kind}
			kc := kinds[kk]
			if kc == nil {
				kc = &KindCount{Verdict: is.Verdict, Kind: is.Kind}
				kinds[kk] = kc
			}
			kc.Issues++
			if !seen[kk] {
				seen[kk] = true
				kc.Summaries++
			}
			switch {
			case is.Verdict == clinical.Unsupported:
				row[colUnsupported] = 1
			case is.Verdict == clinical.Contradicted:
				row[colContradicted] = 1
			}
			if is.Kind == clinical.IssueCritical {
				row[colCriticalMissed] = 1
				if is.Verdict == clinical.Contradicted {
					row[colCriticalNormalized] = 1
				}
			}
			if is.Verdict == clinical.Omitted && is.Kind != clinical.IssueCritical {
				row[colReportable] = 1
			}
		}
		if c.Flagged {
			row[colUnfaithful] = 1
		}
		if c.Critical {
			row[colCriticalSource] = 1
		}
	}
	var sums [numFaithCols]int
	for i := 0; i < n; i++ {
		for c := range numFaithCols {
			sums[c] += int(matrix[i*numFaithCols+c])
		}
	}
	rep := &FaithfulnessReport{
		Pairs:              n,
		Unfaithful:         newShare(sums[colUnfaithful], n),
		Unsupported:        newShare(sums[colUnsupported], n),
		Contradicted:       newShare(sums[colContradicted], n),
		CriticalMissed:     newShare(sums[colCriticalMissed], sums[colCriticalSource]),
		CriticalNormalized: newShare(sums[colCriticalNormalized], sums[colCriticalSource]),
		ReportableOmitted:  newShare(sums[colReportable], n),
		Checks:             checks,
	}
	for _, kc := range kinds {
		kc.Share = float64(kc.Summaries) / float64(n)
		rep.Kinds = append(rep.Kinds, *kc)
	}
	slices.SortFunc(rep.Kinds, func(a, b KindCount) int {
		if a.Summaries != b.Summaries {
			return b.Summaries - a.Summaries
		}
		if a.Verdict != b.Verdict {
			return int(a.Verdict) - int(b.Verdict)
		}
		return int(a.Kind) - int(b.Kind)
	})
	if boot.Samples < 0 {
		return rep, nil
	}
	boot = boot.withDefaults()
	if boot.Confidence >= 1 {
		return nil, fmt.Errorf("eval: bootstrap confidence %v must be below 1", boot.Confidence)
	}
	// Critical shares are over the pairs with a critical source: a
	// resample's share is its critical-missed count over its
	// critical-source count, so resample the counts and divide.
	ivs, err := bootstrapRatios(ctx, n, numFaithCols, matrix, boot, map[int]int{
		colCriticalMissed: colCriticalSource, colCriticalNormalized: colCriticalSource,
	})
	if err != nil {
		return nil, err
	}
	set := func(s *Share, col int) {
		lo, hi := ivs[col][0], ivs[col][2]
		s.Low, s.High = &lo, &hi
	}
	set(&rep.Unfaithful, colUnfaithful)
	set(&rep.Unsupported, colUnsupported)
	set(&rep.Contradicted, colContradicted)
	set(&rep.ReportableOmitted, colReportable)
	if sums[colCriticalSource] > 0 {
		set(&rep.CriticalMissed, colCriticalMissed)
		set(&rep.CriticalNormalized, colCriticalNormalized)
	}
	rep.Bootstrap = &BootstrapSettings{Samples: boot.Samples, Confidence: boot.Confidence, Seed: boot.Seed}
	return rep, nil
}

// BootstrapSettings say how bootstrap intervals were computed.
type BootstrapSettings struct {
	Samples    int     `json:"samples"`
	Confidence float64 `json:"confidence"`
	Seed       uint64  `json:"seed"`
}

// bootstrapRatios resamples the n rows of matrix (cols values each) and
// returns, per column, the low, mid and high percentiles of the resample
// means, or, for a column mapped in ratios to a denominator column, of the
// resample's column sum over its denominator sum.
func bootstrapRatios(ctx context.Context, n, cols int, matrix []float64, opts BootstrapOptions, ratios map[int]int) ([][3]float64, error) {
	sums, err := bootstrapSums(ctx, n, cols, matrix, opts)
	if err != nil {
		return nil, err
	}
	out := make([][3]float64, cols)
	delta := (1 - opts.Confidence) / 2
	col := make([]float64, 0, opts.Samples)
	for c := range cols {
		col = col[:0]
		for s := range opts.Samples {
			v := sums[s*cols+c]
			if den, ok := ratios[c]; ok {
				d := sums[s*cols+den]
				if d == 0 {
					continue
				}
				v /= d
			} else {
				v /= float64(n)
			}
			col = append(col, v)
		}
		if len(col) == 0 {
			continue
		}
		slices.Sort(col)
		out[c] = [3]float64{percentileSorted(col, delta), percentileSorted(col, 0.5), percentileSorted(col, 1-delta)}
	}
	return out, nil
}
