package eval

import (
	"math"
	"math/bits"
	"slices"
)

// placeOrderStats rearranges v so that v[k], for each k of ks (in
// increasing order), holds what v[k] would hold sorted, and reports
// true; a distribution table needs five to eight such values, not a sort.
// Equal values must then have equal bits for the result to be the bits a
// sort gives, so data with a negative value, -0 or NaN is declined (false,
// v unchanged): scores are never negative.
func placeOrderStats(v []float64, ks ...int) bool {
	for _, f := range v {
		if math.Float64bits(f)>>63 != 0 || f != f {
			return false
		}
	}
	from := 0
	for _, k := range ks {
		selectFloat(v[from:], k-from)
		from = k + 1
	}
	return true
}

// selectFloat rearranges v so that v[k] is the k-th smallest value, with
// no greater value before it and no smaller one after (quickselect with
// three-way partitions, which keeps ties cheap; a sort past a depth
// bound, so that adversarial orders stay O(n log n)).
func selectFloat(v []float64, k int) {
	lo, hi := 0, len(v)
	for depth := 2 * bits.Len(uint(len(v))); hi-lo > 12; depth-- {
		if depth == 0 {
			slices.Sort(v[lo:hi])
			return
		}
		a, b, c := v[lo], v[lo+(hi-lo)/2], v[hi-1]
		pivot := max(min(a, b), min(max(a, b), c)) // the median of three
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch x := v[i]; {
			case x < pivot:
				v[lt], v[i] = x, v[lt]
				lt++
				i++
			case x > pivot:
				gt--
				v[gt], v[i] = x, v[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return // v[lt:gt] all equal the pivot
		}
	}
	slices.Sort(v[lo:hi])
}
