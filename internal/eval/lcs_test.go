package eval

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// lcsTable is rouge-score's _lcs_table: t[i][j] = LCS(ref[:i], can[:j]).
func lcsTable(ref, can []int32) [][]int {
	t := make([][]int, len(ref)+1)
	for i := range t {
		t[i] = make([]int, len(can)+1)
	}
	for i := 1; i <= len(ref); i++ {
		for j := 1; j <= len(can); j++ {
			if ref[i-1] == can[j-1] {
				t[i][j] = t[i-1][j-1] + 1
			} else {
				t[i][j] = max(t[i-1][j], t[i][j-1])
			}
		}
	}
	return t
}

// markLCSTable is rouge-score's _backtrack_norec over the full table: the
// reference markLCS must reproduce.
func markLCSTable(ref, can []int32, mark []bool) {
	t := lcsTable(ref, can)
	i, j := len(ref), len(can)
	for i > 0 && j > 0 {
		switch {
		case ref[i-1] == can[j-1]:
			mark[i-1] = true
			i--
			j--
		case t[i][j-1] > t[i-1][j]:
			j--
		default:
			i--
		}
	}
}

// randomIDs returns n token ids below vocab; a small vocabulary gives many
// LCS ties, where the backtracking order decides rougeLsum.
func randomIDs(rng *rand.Rand, n, vocab int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(rng.IntN(vocab))
	}
	return out
}

// newTestWork returns a work area for token ids below vocab, with the
// given limits.
func newTestWork(vocab int, limits lcsLimits) *rougeWork {
	w := newRougeWork(false)
	w.limits = limits
	w.local = make([]int32, vocab)
	return w
}

// TestLCSAgainstTable checks the bit-parallel LCS length and rougeLsum's
// marks against rouge-score's table and backtracking, on random sequences
// over small and large vocabularies, with the default limits and with
// limits low enough that every sequence takes the paths of long texts
// (masks kept as positions, columns recomputed from checkpoints).
func TestLCSAgainstTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, limits := range []lcsLimits{defaultLCSLimits, {maskWords: 1, columnWords: 1}, {maskWords: 3, columnWords: 40}} {
		for iter := range 1500 {
			vocab := []int{2, 3, 6, 50, 1000}[iter%5]
			ref := randomIDs(rng, rng.IntN(300), vocab)
			can := randomIDs(rng, rng.IntN(300), vocab)
			if iter%7 == 0 { // long runs of one token: the masks kept whole in the long-text path
				for i := range ref {
					if rng.IntN(2) == 0 {
						ref[i] = 0
					}
				}
			}
			w := newTestWork(vocab, limits)
			tab := lcsTable(ref, can)
			if got, want := w.lcsLength(ref, can), tab[len(ref)][len(can)]; got != want {
				t.Fatalf("limits %+v: lcsLength(%v, %v) = %d, want %d", limits, ref, can, got, want)
			}
			got, want := make([]bool, len(ref)), make([]bool, len(ref))
			w.prepareMasks(ref)
			w.markLCS(ref, can, got)
			w.releaseMasks(ref)
			markLCSTable(ref, can, want)
			if !slices.Equal(got, want) {
				t.Fatalf("limits %+v: markLCS(%v, %v) = %v, want %v", limits, ref, can, got, want)
			}
			if slices.ContainsFunc(w.local, func(v int32) bool { return v != 0 }) {
				t.Fatal("local token numbers left set")
			}
		}
	}
}

// longText returns n tokens over a vocabulary of vocab words, in lines
// of perLine tokens (one line when perLine is 0).
func longText(rng *rand.Rand, n, vocab, perLine int) string {
	var b strings.Builder
	for i := range n {
		switch {
		case i == 0:
		case perLine > 0 && i%perLine == 0:
			b.WriteByte('\n')
		default:
			b.WriteByte(' ')
		}
		b.WriteString("w")
		b.WriteString(strconv.Itoa(rng.IntN(vocab)))
	}
	return b.String()
}

// TestRougeLLongTextsMemory scores pairs of 100,000-token texts (over
// 200,000 words, so nearly every token of the shorter text is distinct)
// and bounds what scoring allocates. Masks kept one per distinct token
// took 1.03 GB for rougeL; rougeLsum's integer table for the 50,000-token
// lines of the second case would take 10 GB. Both now stay small: a few
// megabytes for the LCS, under 64 MB even with the token tables the
// scorer keeps.
func TestRougeLLongTextsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 100,000-token texts")
	}
	for _, tc := range []struct {
		typ     RougeType
		perLine int
	}{
		{RougeL, 0},
		{RougeLsum, 50000}, // two lines of 50,000 tokens each
	} {
		t.Run(fmt.Sprintf("%s/%d-token-lines", tc.typ, tc.perLine), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			ref, pred := longText(rng, 100000, 200000, tc.perLine), longText(rng, 100000, 200000, tc.perLine)
			s, err := NewRougeScorer(RougeOptions{Types: []RougeType{tc.typ}})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got := s.Score(ref, pred)[tc.typ]
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %+v, %.1f MB allocated", tc.typ, got, float64(alloc)/1e6)
			if alloc > 64<<20 {
				t.Errorf("scoring allocated %.0f MB, want under 64 MB (linear in the length)", float64(alloc)/1e6)
			}
			if got.FMeasure <= 0 || got.FMeasure >= 0.1 {
				t.Errorf("implausible score %+v for unrelated random texts", got)
			}
		})
	}
}

// BenchmarkLCSLongTexts times the LCS of two 100,000-token texts over
// 200,000 words and reports its memory (B/op: the masks, the columns and
// checkpoints, and the work area's first growth): rougeL's length, and
// rougeLsum's marks with the texts as single sentences (the
// checkpointed backtrack).
func BenchmarkLCSLongTexts(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, c := randomIDs(rng, 100000, 200000), randomIDs(rng, 100000, 200000)
	b.Run("length", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := newTestWork(200000, defaultLCSLimits)
			w.lcsLength(a, c)
		}
	})
	b.Run("marks", func(b *testing.B) {
		mark := make([]bool, len(a))
		b.ReportAllocs()
		for b.Loop() {
			w := newTestWork(200000, defaultLCSLimits)
			w.prepareMasks(a)
			w.markLCS(a, c, mark)
			w.releaseMasks(a)
		}
	})
}
