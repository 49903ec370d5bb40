package eval

import (
	"math"
	"slices"
)

// sortFloats sorts v in increasing order, as slices.Sort does. Scores are
// never negative, and the bits of non-negative floats (NaN aside) sort as
// the floats do, so such data goes through an LSD radix sort of the bits,
// several times faster than comparison sorting on ten thousand values:
// the result is the same slice, because equal non-negative floats have
// equal bits. Anything else (a negative value, -0, NaN, short input)
// goes to slices.Sort.
func sortFloats(v []float64) {
	if len(v) < 512 {
		slices.Sort(v)
		return
	}
	const digit = 11 // 6 passes of 2,048 buckets cover 64 bits
	const passes = (64 + digit - 1) / digit
	var counts [passes][1 << digit]int
	for _, f := range v {
		b := math.Float64bits(f)
		if b>>63 != 0 || f != f {
			slices.Sort(v)
			return
		}
		for p := range passes {
			counts[p][b>>(p*digit)&(1<<digit-1)]++
		}
	}
	src := make([]uint64, len(v))
	for i, f := range v {
		src[i] = math.Float64bits(f)
	}
	dst := make([]uint64, len(v))
	for p := range passes {
		c := &counts[p]
		if c[src[0]>>(p*digit)&(1<<digit-1)] == len(v) {
			continue // every value has this digit
		}
		sum := 0
		for d, n := range c {
			c[d] = sum
			sum += n
		}
		for _, b := range src {
			d := b >> (p * digit) & (1<<digit - 1)
			dst[c[d]] = b
			c[d]++
		}
		src, dst = dst, src
	}
	for i, b := range src {
		v[i] = math.Float64frombits(b)
	}
}
