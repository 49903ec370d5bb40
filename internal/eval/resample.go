package eval

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// This file is the bootstrap's inner loop. A resample draws n examples
// with replacement, with the seeded stream rand.New(rand.NewPCG(seed, s))
// and IntN(n), and sums each column of the drawn rows in draw order. The
// sums must stay bit for bit what that plain loop gives (a float sum
// depends on its order), so that intervals do not change with the code;
// what is left to speed is the form of the data and of the loop:
//
//   - a column equal to another in every row (rougeLsum of single-line
//     texts is rougeL) is summed once;
//   - identical rows (all-zero rows, exact matches) are stored once;
//   - the PCG step and IntN's reduction are inlined into the loop, and the
//     sums stay in registers: one kernel per width of 3, 6, 9 or 12
//     columns (wider data is summed 12 columns at a time, replaying the
//     stream; a power-of-two number of examples takes the plain loop).
//
// Each draw still costs one PCG output in sequence (its 128-bit state
// step and output mix take five multiplications, IntN's reduction a
// sixth) and one add per column, which bounds the loop at a few
// nanoseconds a draw: 1,000 resamples of 10,000 examples are 10 million
// draws. (Counting the draws per row and multiplying the counts by the
// rows instead measured only about a quarter faster, and would change
// every interval, eval faithfulness's too.)

// resampleTable holds a bootstrap's rows in the form the kernels read.
type resampleTable struct {
	width  int         // stored columns per row: the distinct columns, padded with zeros to a multiple of 3
	col    []int       // input column -> stored column
	blocks [][]float64 // the distinct rows, 12 columns (the last block: width mod 12, rounded up to 3) at a time
	group  []int32     // example -> its distinct row
}

// newResampleTable stores the n rows of matrix (cols values each).
func newResampleTable(n, cols int, matrix []float64) *resampleTable {
	t := &resampleTable{col: make([]int, cols)}
	// Distinct columns, compared bit for bit.
	var keep []int
	for c := range cols {
		t.col[c] = -1
		for k, d := range keep {
			if equalColumns(matrix, n, cols, c, d) {
				t.col[c] = k
				break
			}
		}
		if t.col[c] < 0 {
			t.col[c] = len(keep)
			keep = append(keep, c)
		}
	}
	t.width = (len(keep) + 2) / 3 * 3
	// Distinct rows, compared bit for bit.
	rows := make([]float64, 0, n*t.width)
	t.group = make([]int32, n)
	size := 16
	for size < 2*n {
		size *= 2
	}
	slots := make([]int32, size) // 1 + distinct row, 0 when empty
	row := make([]float64, t.width)
	for i := range n {
		for k, c := range keep {
			row[k] = matrix[i*cols+c]
		}
		h := uint64(0x9e3779b97f4a7c15)
		for _, v := range row {
			h = (h ^ math.Float64bits(v)) * 0xbf58476d1ce4e5b9
			h ^= h >> 31
		}
		j := int(h) & (size - 1)
		for ; slots[j] != 0; j = (j + 1) & (size - 1) {
			g := int(slots[j] - 1)
			if equalBits(rows[g*t.width:(g+1)*t.width], row) {
				break
			}
		}
		if slots[j] == 0 {
			slots[j] = int32(len(rows)/t.width + 1)
			rows = append(rows, row...)
		}
		t.group[i] = slots[j] - 1
	}
	// Split the columns into blocks of at most 12.
	distinct := len(rows) / max(t.width, 1)
	for lo := 0; lo < t.width; lo += 12 {
		w := min(12, t.width-lo)
		b := make([]float64, 0, distinct*w)
		for g := range distinct {
			b = append(b, rows[g*t.width+lo:g*t.width+lo+w]...)
		}
		t.blocks = append(t.blocks, b)
	}
	return t
}

func equalColumns(m []float64, n, cols, a, b int) bool {
	for i := range n {
		if math.Float64bits(m[i*cols+a]) != math.Float64bits(m[i*cols+b]) {
			return false
		}
	}
	return true
}

// equalBits reports whether a and b hold the same floats, bit for bit.
func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// resample sets acc (t.width values) to resample stream's sums: those
// that rand.New(rand.NewPCG(seed, stream)).IntN(n) draws give for the n
// examples, each drawn row added in turn.
func (t *resampleTable) resample(seed, stream uint64, acc []float64) {
	// IntN masks a power of two instead of multiplying: the plain loop
	// takes those sizes, which keeps the kernels' registers for the rest.
	pow2 := len(t.group)&(len(t.group)-1) == 0
	for b, rows := range t.blocks {
		out := acc[12*b : 12*b+min(12, t.width-12*b)]
		ok := false
		switch {
		case pow2:
		case len(out) == 3:
			ok = resample3(rows, t.group, seed, stream, (*[3]float64)(out))
		case len(out) == 6:
			ok = resample6(rows, t.group, seed, stream, (*[6]float64)(out))
		case len(out) == 9:
			ok = resample9(rows, t.group, seed, stream, (*[9]float64)(out))
		case len(out) == 12:
			ok = resample12(rows, t.group, seed, stream, (*[12]float64)(out))
		}
		if !ok {
			resampleSlow(rows, t.group, seed, stream, out)
		}
	}
}

// resampleSlow is the plain loop the kernels reproduce, for the cases
// they leave out.
func resampleSlow(rows []float64, group []int32, seed, stream uint64, acc []float64) {
	clear(acc)
	w := len(acc)
	rng := rand.New(rand.NewPCG(seed, stream))
	for range group {
		g := int(group[rng.IntN(len(group))])
		for k, v := range rows[g*w : (g+1)*w] {
			acc[k] += v
		}
	}
}

// pcgNext is one step of math/rand/v2's PCG (its next and Uint64, with
// the same constants): the state (hi, lo) advances and out is the
// output. The kernels keep the state in locals, which a *rand.PCG's
// fields do not stay in. TestPCGNext holds it to rand.PCG.
func pcgNext(hi, lo uint64) (nhi, nlo, out uint64) {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	nhi, nlo = bits.Mul64(lo, mulLo)
	nhi += hi*mulLo + lo*mulHi
	var c uint64
	nlo, c = bits.Add64(nlo, incLo, 0)
	nhi, _ = bits.Add64(nhi, incHi, c)
	out = nhi ^ nhi>>32
	out *= cheapMul
	out ^= out >> 48
	out *= nlo | 1
	return nhi, nlo, out
}

// drawIndex reduces one PCG output x to an index below n (not a power of
// two) as IntN does, with Lemire's multiply-shift. It reports false where
// IntN might reject x and draw again (a chance of under n in 2^64),
// leaving that resample to resampleSlow.
func drawIndex(x, n uint64) (uint64, bool) {
	hi, lo := bits.Mul64(x, n)
	return hi, lo >= n
}

// The kernels differ only in width; each keeps its sums in locals so that
// they stay in registers (and counts its draws down, which with the
// power-of-two case left out keeps the PCG state in registers too). They
// return false to leave the resample to resampleSlow.

func resample3(rows []float64, group []int32, seed, stream uint64, acc *[3]float64) bool {
	hi, lo := seed, stream // rand.NewPCG(seed, stream)
	n := uint64(len(group))
	var a0, a1, a2 float64
	for j := len(group); j > 0; j-- {
		var x uint64
		hi, lo, x = pcgNext(hi, lo)
		i, ok := drawIndex(x, n)
		if !ok {
			return false
		}
		g := int(group[i])
		r := rows[3*g : 3*g+3 : 3*g+3]
		a0 += r[0]
		a1 += r[1]
		a2 += r[2]
	}
	*acc = [3]float64{a0, a1, a2}
	return true
}

func resample6(rows []float64, group []int32, seed, stream uint64, acc *[6]float64) bool {
	hi, lo := seed, stream // rand.NewPCG(seed, stream)
	n := uint64(len(group))
	var a0, a1, a2, a3, a4, a5 float64
	for j := len(group); j > 0; j-- {
		var x uint64
		hi, lo, x = pcgNext(hi, lo)
		i, ok := drawIndex(x, n)
		if !ok {
			return false
		}
		g := int(group[i])
		r := rows[6*g : 6*g+6 : 6*g+6]
		a0 += r[0]
		a1 += r[1]
		a2 += r[2]
		a3 += r[3]
		a4 += r[4]
		a5 += r[5]
	}
	*acc = [6]float64{a0, a1, a2, a3, a4, a5}
	return true
}

func resample9(rows []float64, group []int32, seed, stream uint64, acc *[9]float64) bool {
	hi, lo := seed, stream // rand.NewPCG(seed, stream)
	n := uint64(len(group))
	var a0, a1, a2, a3, a4, a5, a6, a7, a8 float64
	for j := len(group); j > 0; j-- {
		var x uint64
		hi, lo, x = pcgNext(hi, lo)
		i, ok := drawIndex(x, n)
		if !ok {
			return false
		}
		g := int(group[i])
		r := rows[9*g : 9*g+9 : 9*g+9]
		a0 += r[0]
		a1 += r[1]
		a2 += r[2]
		a3 += r[3]
		a4 += r[4]
		a5 += r[5]
		a6 += r[6]
		a7 += r[7]
		a8 += r[8]
	}
	*acc = [9]float64{a0, a1, a2, a3, a4, a5, a6, a7, a8}
	return true
}

func resample12(rows []float64, group []int32, seed, stream uint64, acc *[12]float64) bool {
	hi, lo := seed, stream // rand.NewPCG(seed, stream)
	n := uint64(len(group))
	var a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 float64
	for j := len(group); j > 0; j-- {
		var x uint64
		hi, lo, x = pcgNext(hi, lo)
		i, ok := drawIndex(x, n)
		if !ok {
			return false
		}
		g := int(group[i])
		r := rows[12*g : 12*g+12 : 12*g+12]
		a0 += r[0]
		a1 += r[1]
		a2 += r[2]
		a3 += r[3]
		a4 += r[4]
		a5 += r[5]
		a6 += r[6]
		a7 += r[7]
		a8 += r[8]
		a9 += r[9]
		a10 += r[10]
		a11 += r[11]
	}
	*acc = [12]float64{a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11}
	return true
}
