package eval

import (
	"math"
	"math/bits"
	"slices"
)

// This file computes rougeL's LCS length and rougeLsum's LCS marks with the
// bit-parallel algorithm of Allison and Dix (1986) in Hyyrö's
// formulation. One sequence, a, is a bit vector V with one bit per
// position, all ones at first; each token t of the other sequence updates
// it with one addition of words:
//
//	U = V & M(t); V = (V + U) | (V - U)
//
// where M(t) has bit i set when a[i] == t. After j tokens, V is column j
// of the LCS table: the number of zero bits of V below bit i is
// LCS(a[:i], b[:j]). A pair of radiology-length texts costs a few dozen
// word operations instead of a table.
//
// Memory stays linear in the texts' length for rougeL, and grows as the
// 1.5th power for rougeLsum's long sentences, never as the square. The
// masks M(t) take one vector per distinct token of a when that is small;
// for long texts with many distinct tokens (100,000 tokens: gigabytes)
// only the tokens that occur at least once per 64 positions keep a vector
// (at most 64 of them) and the others keep their positions, from which a
// step builds the vector it needs. rougeLsum backtracks through the table
// as rouge-score does, which needs every column: they are kept (one bit a
// cell, 32 times smaller than a table of int32) when that is small, and
// otherwise recomputed a segment at a time from checkpoints sqrt(n)
// columns apart: n^1.5/4 bytes for two sentences of n tokens (8 MB for
// 100,000).

// lcsLimits bound the memory of the LCS; tests lower them to reach the
// paths long texts take.
type lcsLimits struct {
	// maskWords bounds the words of masks kept one per distinct token.
	maskWords int
	// columnWords bounds the words of table columns rougeLsum keeps for
	// one pair of sentences before it switches to checkpoints.
	columnWords int
}

var defaultLCSLimits = lcsLimits{maskWords: 1 << 16, columnWords: 1 << 16} // 512 KiB each

// bitMasks are the match masks M(t) of one sequence.
type bitMasks struct {
	words   int      // words per vector
	dense   []uint64 // the vectors kept whole, words each
	slot    []int32  // per local token index: its vector in dense, or -1 when positions keep it
	start   []int32  // per local token index (with positions): pos[start[k]:start[k+1]]
	pos     []int32  // positions of the tokens without a vector
	scratch []uint64 // the vector of a token without one, for one step
}

// prepareMasks builds the masks of a and numbers a's distinct tokens:
// w.local[t] = 1 + the token's index. releaseMasks(a) undoes the
// numbering.
func (w *rougeWork) prepareMasks(a []int32) *bitMasks {
	bm := &w.bm
	nLocal := 0
	for _, t := range a {
		if w.local[t] == 0 {
			nLocal++
			w.local[t] = int32(nLocal)
		}
	}
	words := (len(a) + 63) / 64
	bm.words = words
	bm.slot = slices.Grow(bm.slot[:0], nLocal)[:nLocal]
	if nLocal*words <= w.limits.maskWords {
		bm.dense = slices.Grow(bm.dense[:0], nLocal*words)[:nLocal*words]
		clear(bm.dense)
		for k := range bm.slot {
			bm.slot[k] = int32(k)
		}
		for i, t := range a {
			bm.dense[int(w.local[t]-1)*words+i/64] |= 1 << (i % 64)
		}
		return bm
	}
	// Count each token's positions; tokens at least as frequent as there
	// are words get a vector (at most 64 of them).
	bm.start = slices.Grow(bm.start[:0], nLocal+1)[:nLocal+1]
	clear(bm.start)
	for _, t := range a {
		bm.start[w.local[t]]++ // counts, shifted by one for the prefix sums below
	}
	nDense := 0
	for k := range nLocal {
		if int(bm.start[k+1]) >= words {
			bm.slot[k] = int32(nDense)
			nDense++
			bm.start[k+1] = 0
		} else {
			bm.slot[k] = -1
		}
	}
	for k := range nLocal {
		bm.start[k+1] += bm.start[k]
	}
	bm.dense = slices.Grow(bm.dense[:0], nDense*words)[:nDense*words]
	clear(bm.dense)
	bm.pos = slices.Grow(bm.pos[:0], int(bm.start[nLocal]))[:bm.start[nLocal]]
	fill := slices.Clone(bm.start[:nLocal]) // next free position per token
	for i, t := range a {
		k := w.local[t] - 1
		if s := bm.slot[k]; s >= 0 {
			bm.dense[int(s)*words+i/64] |= 1 << (i % 64)
		} else {
			bm.pos[fill[k]] = int32(i)
			fill[k]++
		}
	}
	bm.scratch = slices.Grow(bm.scratch[:0], words)[:words]
	clear(bm.scratch)
	return bm
}

func (w *rougeWork) releaseMasks(a []int32) {
	for _, t := range a {
		w.local[t] = 0
	}
}

// apply sets dst to src updated with the token of local index k (dst may
// be src).
func (bm *bitMasks) apply(dst, src []uint64, k int32) {
	var m []uint64
	s := bm.slot[k]
	if s >= 0 {
		m = bm.dense[int(s)*bm.words : int(s+1)*bm.words]
	} else {
		m = bm.scratch
		for _, p := range bm.pos[bm.start[k]:bm.start[k+1]] {
			m[p/64] |= 1 << (p % 64)
		}
	}
	m = m[:len(src)]
	dst = dst[:len(src)]
	var carry uint64
	for i, v := range src {
		u := v & m[i]
		var sum uint64
		sum, carry = bits.Add64(v, u, carry)
		dst[i] = sum | (v - u)
	}
	if s < 0 {
		for _, p := range bm.pos[bm.start[k]:bm.start[k+1]] {
			m[p/64] = 0
		}
	}
}

// zerosBelow returns the number of zero bits of v below bit i.
func zerosBelow(v []uint64, i int) int {
	ones := 0
	for _, x := range v[:i/64] {
		ones += bits.OnesCount64(x)
	}
	if r := i % 64; r != 0 {
		ones += bits.OnesCount64(v[i/64] & (1<<r - 1))
	}
	return i - ones
}

// zeroBit returns 1 when bit i of v is zero, else 0.
func zeroBit(v []uint64, i int) int {
	return int(^v[i/64] >> (i % 64) & 1)
}

// lcsLength returns the length of the longest common subsequence of a and
// b, in memory linear in their length.
func (w *rougeWork) lcsLength(a, b []int32) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	m := len(a)
	bm := w.prepareMasks(a)
	var zeros int
	if bm.words == 1 {
		// At most 64 tokens: one word, and every mask is kept whole.
		v := ^uint64(0)
		for _, t := range b {
			if k := w.local[t]; k != 0 {
				u := v & bm.dense[k-1]
				v = (v + u) | (v - u)
			}
		}
		zeros = m - bits.OnesCount64(v&(^uint64(0)>>(64-m)))
	} else {
		v := slices.Grow(w.v[:0], bm.words)[:bm.words]
		for i := range v {
			v[i] = ^uint64(0)
		}
		for _, t := range b {
			if k := w.local[t]; k != 0 {
				bm.apply(v, v, k-1)
			}
		}
		zeros = zerosBelow(v, m)
		w.v = v
	}
	w.releaseMasks(a)
	return zeros
}

// markLCS marks in mark the positions of ref on the LCS of ref and can
// that rouge-score picks: its _lcs_table followed by _backtrack_norec,
// which from the table's corner takes a match where the tokens match,
// else moves left when the cell there is larger than the one above, else
// up. The masks of ref must be prepared (prepareMasks(ref)).
func (w *rougeWork) markLCS(ref, can []int32, mark []bool) {
	rows, cols := len(ref), len(can)
	if rows == 0 || cols == 0 {
		return
	}
	tc := w.lcsColumns(can)
	// The backtrack keeps the cells (i, j) and (i, j-1) of the table:
	// here = LCS(ref[:i], can[:j]) and left = LCS(ref[:i], can[:j-1]).
	i, j := rows, cols
	prev, cur := tc.pair(j)
	here, left := zerosBelow(cur, i), zerosBelow(prev, i)
	for i > 0 && j > 0 {
		switch up := here - zeroBit(cur, i-1); { // up = LCS(ref[:i-1], can[:j])
		case ref[i-1] == can[j-1]:
			mark[i-1] = true
			here = left - zeroBit(prev, i-1)
			i--
			j--
		case left > up:
			here = left
			j--
		default:
			left -= zeroBit(prev, i-1)
			here = up
			i--
			continue
		}
		if j > 0 {
			prev, cur = tc.pair(j)
			left = zerosBelow(prev, i)
		}
	}
}

// tableColumns gives the columns of the LCS table of the prepared
// sequence (rows) and can, for a backtrack that visits them from the last
// to the first.
type tableColumns struct {
	bm      *bitMasks
	local   []int32 // token id -> 1 + local index in the prepared sequence, 0 if absent
	can     []int32
	per     int      // columns per segment
	seg     []uint64 // columns s*per to min((s+1)*per, len(can)) of segment s
	loaded  int      // the segment in seg
	checkpt []uint64 // column s*per for every segment s, when there is more than one
}

// lcsColumns computes what the backtrack of the prepared sequence against
// can needs: every column when they fit in w.limits.columnWords, else one
// checkpoint per segment of about sqrt(len(can)) columns.
func (w *rougeWork) lcsColumns(can []int32) *tableColumns {
	bm := &w.bm
	words, cols := bm.words, len(can)
	tc := &w.cols
	*tc = tableColumns{bm: bm, local: w.local, can: can, per: cols, loaded: -1, seg: tc.seg, checkpt: tc.checkpt}
	if (cols+1)*words > w.limits.columnWords {
		tc.per = max(1, int(math.Sqrt(float64(cols))))
	}
	tc.seg = slices.Grow(tc.seg[:0], (tc.per+1)*words)[:(tc.per+1)*words]
	if tc.per < cols {
		nseg := (cols + tc.per - 1) / tc.per
		tc.checkpt = slices.Grow(tc.checkpt[:0], nseg*words)[:nseg*words]
		v := tc.seg[:words]
		for i := range v {
			v[i] = ^uint64(0)
		}
		for j, t := range can {
			if j%tc.per == 0 {
				copy(tc.checkpt[j/tc.per*words:], v)
			}
			if k := w.local[t]; k != 0 {
				bm.apply(v, v, k-1)
			}
		}
	}
	return tc
}

// pair returns columns j-1 and j (j >= 1). Calls must not increase j.
func (tc *tableColumns) pair(j int) (prev, cur []uint64) {
	words := tc.bm.words
	s := (j - 1) / tc.per
	if s != tc.loaded {
		first := tc.seg[:words]
		if tc.checkpt != nil && tc.per < len(tc.can) {
			copy(first, tc.checkpt[s*words:(s+1)*words])
		} else {
			for i := range first {
				first[i] = ^uint64(0)
			}
		}
		for c := 1; c <= min(tc.per, len(tc.can)-s*tc.per); c++ {
			p, q := tc.seg[(c-1)*words:c*words], tc.seg[c*words:(c+1)*words]
			if k := tc.local[tc.can[s*tc.per+c-1]]; k != 0 {
				tc.bm.apply(q, p, k-1)
			} else {
				copy(q, p)
			}
		}
		tc.loaded = s
	}
	c := j - s*tc.per
	return tc.seg[(c-1)*words : c*words], tc.seg[c*words : (c+1)*words]
}
