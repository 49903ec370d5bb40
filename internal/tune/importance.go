package tune

import (
	"cmp"
	"fmt"
	"slices"
)

// ParamImportance is a parameter's share of the objective's variance.
type ParamImportance struct {
	Name  string  `json:"name"`
	Share float64 `json:"share"`
}

// Importance estimates how much of the objective's variance over the
// complete trials each parameter explains, returning shares that sum to
// 1, largest first (ties in space order).
//
// It is a one-way analysis of variance per parameter, a lightweight
// stand-in for fANOVA (Hutter, Hoos and Leyton-Brown, ICML 2014): the
// trials are grouped by the parameter's value (by choice for categorical
// and bool parameters; into up to 10 equal-count bins of the value, in
// log space for log parameters, for numeric ones), and the parameter's
// raw score is the bias-corrected share of variance between the groups'
// means, ε² = (SSB − (k−1)·MSW) / SST, clipped at 0. The scores are then
// normalized to sum to 1 (equal shares when no parameter explains
// anything). Interactions are not separated out, and with random search
// correlated samples are rare, but TPE's samples are correlated, so read
// the shares as a ranking rather than a decomposition.
func Importance(h *History, space *Space) ([]ParamImportance, error) {
	trials := h.Completed()
	if len(trials) < 2 {
		return nil, fmt.Errorf("importance: %d complete trials; need at least 2", len(trials))
	}
	ys := make([]float64, len(trials))
	for i, t := range trials {
		ys[i] = t.Value
	}
	out := make([]ParamImportance, len(space.Params))
	var total float64
	for i, p := range space.Params {
		bins, err := binTrials(p, trials)
		if err != nil {
			return nil, fmt.Errorf("importance: %w", err)
		}
		out[i] = ParamImportance{Name: p.Name, Share: epsilonSquared(ys, bins)}
		total += out[i].Share
	}
	for i := range out {
		if total > 0 {
			out[i].Share /= total
		} else {
			out[i].Share = 1 / float64(len(out))
		}
	}
	slices.SortStableFunc(out, func(a, b ParamImportance) int { return cmp.Compare(b.Share, a.Share) })
	return out, nil
}

// maxImportanceBins is the most bins a numeric parameter is cut into.
const maxImportanceBins = 10

// binTrials returns each trial's group for parameter p.
func binTrials(p Param, trials []Trial) ([]int, error) {
	bins := make([]int, len(trials))
	xs := make([]float64, len(trials))
	for i, t := range trials {
		v, ok := t.Params[p.Name]
		if !ok || p.check(v) != nil {
			return nil, fmt.Errorf("trial %d: no valid value of %s", t.Number, p.Name)
		}
		if !p.numeric() {
			bins[i] = p.index(v)
			continue
		}
		xs[i] = p.internal(v)
	}
	if !p.numeric() {
		return bins, nil
	}
	// Equal-count bins by rank; equal values share the bin of the first.
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	k := min(maxImportanceBins, max(2, len(xs)/5))
	for r, i := range order {
		if r > 0 && xs[i] == xs[order[r-1]] {
			bins[i] = bins[order[r-1]]
			continue
		}
		bins[i] = r * k / len(xs)
	}
	return bins, nil
}

// epsilonSquared is the bias-corrected share of the variance of ys
// between the groups given by bins, clipped at 0.
func epsilonSquared(ys []float64, bins []int) float64 {
	var mean float64
	for _, y := range ys {
		mean += y
	}
	mean /= float64(len(ys))
	sums, counts := map[int]float64{}, map[int]int{}
	var sst float64
	for i, y := range ys {
		sums[bins[i]] += y
		counts[bins[i]]++
		sst += (y - mean) * (y - mean)
	}
	if sst == 0 {
		return 0
	}
	var ssb float64
	for b, n := range counts {
		d := sums[b]/float64(n) - mean
		ssb += float64(n) * d * d
	}
	n, k := len(ys), len(counts)
	if n <= k {
		return ssb / sst
	}
	msw := (sst - ssb) / float64(n-k)
	return max(ssb-float64(k-1)*msw, 0) / sst
}
