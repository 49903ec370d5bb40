package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/osler-health/osler/internal/sharedtest"
)

// TestRougeMeanFixtures checks the means of all fixture cases against
// aggregate.json (sums in file order / count), within 1e-12.
func TestRougeMeanFixtures(t *testing.T) {
	cases := readRougeCases(t)
	raw, err := os.ReadFile(sharedtest.Path(t, "fixtures", "rouge", "aggregate.json"))
	if err != nil {
		t.Fatal(err)
	}
	var agg map[string]json.RawMessage
	if err := json.Unmarshal(raw, &agg); err != nil {
		t.Fatal(err)
	}
	for _, group := range []struct {
		key  string
		keep func(rougeCase) bool
	}{
		{"all", func(rougeCase) bool { return true }},
		{"use_stemmer_false", func(c rougeCase) bool { return !c.UseStemmer }},
		{"use_stemmer_true", func(c rougeCase) bool { return c.UseStemmer }},
	} {
		var want map[string]json.RawMessage
		if err := json.Unmarshal(agg[group.key], &want); err != nil {
			t.Fatalf("%s: %v", group.key, err)
		}
		scorers := map[bool]*RougeScorer{}
		for _, stem := range []bool{false, true} {
			scorers[stem], _ = NewRougeScorer(RougeOptions{Stemmer: stem})
		}
		res := NewRougeResult(DefaultRougeTypes())
		for _, c := range cases {
			if group.keep(c) {
				res.Add(c.ID, scorers[c.UseStemmer].AppendScores(nil, []string{c.Target}, c.Prediction))
			}
		}
		mean := res.Mean()
		for _, typ := range DefaultRougeTypes() {
			var w Score
			if err := json.Unmarshal(want[string(typ)], &w); err != nil {
				t.Fatalf("%s %s: %v", group.key, typ, err)
			}
			if g := mean[typ]; !close12(g.Precision, w.Precision) || !close12(g.Recall, w.Recall) || !close12(g.FMeasure, w.FMeasure) {
				t.Errorf("%s %s mean: got %+v, want %+v", group.key, typ, g, w)
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	// Values checked with pandas 1.5: pd.Series(v).describe().
	tests := []struct {
		in   []float64
		want Stats
	}{
		{[]float64{1, 2, 3, 4}, Stats{Count: 4, Mean: 2.5, Std: 1.2909944487358056, Min: 1, P25: 1.75, P50: 2.5, P75: 3.25, Max: 4}},
		{[]float64{0.5, 0, 1}, Stats{Count: 3, Mean: 0.5, Std: 0.5, Min: 0, P25: 0.25, P50: 0.5, P75: 0.75, Max: 1}},
		{[]float64{7, 1, 3, 3, 10}, Stats{Count: 5, Mean: 4.8, Std: 3.63318042491699, Min: 1, P25: 3, P50: 3, P75: 7, Max: 10}},
	}
	for _, tt := range tests {
		got := Describe(tt.in)
		if got != tt.want {
			t.Errorf("Describe(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	one := Describe([]float64{0.25})
	if one.Count != 1 || one.Mean != 0.25 || !math.IsNaN(one.Std) || one.P50 != 0.25 {
		t.Errorf("Describe of one value = %+v", one)
	}
	b, err := json.Marshal(one)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"count":1,"mean":0.25,"std":null,"min":0.25,"p25":0.25,"p50":0.25,"p75":0.25,"max":0.25}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back Stats
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(back.Std) || back.Max != 0.25 {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if empty := Describe(nil); empty.Count != 0 || !math.IsNaN(empty.Mean) {
		t.Errorf("Describe(nil) = %+v", empty)
	}
}

func TestPercentileNumpy(t *testing.T) {
	// numpy 1.24: np.percentile(x, q) for x = [0.1, 0.2, 0.7, 0.9, 1.0].
	x := []float64{0.1, 0.2, 0.7, 0.9, 1.0}
	for _, tt := range []struct{ p, want float64 }{
		{0, 0.1}, {0.025, 0.11000000000000001}, {0.5, 0.7}, {0.975, 0.99}, {1, 1.0}, {0.3, 0.3},
	} {
		if got := percentileSorted(x, tt.p); got != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func syntheticResult(n int) *RougeResult {
	r := NewRougeResult([]RougeType{Rouge1, RougeL})
	for i := range n {
		v := float64(i%17) / 16
		r.Add(fmt.Sprint(i), []Score{newScore(v, 1-v/2), newScore(v/2, v)})
	}
	return r
}

func TestBootstrapSeeded(t *testing.T) {
	ctx := context.Background()
	r := syntheticResult(500)
	a, err := r.Bootstrap(ctx, BootstrapOptions{Seed: 7, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Bootstrap(ctx, BootstrapOptions{Seed: 7, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range r.Types {
		if a[typ] != b[typ] {
			t.Errorf("%s: workers changed the intervals: %+v vs %+v", typ, a[typ], b[typ])
		}
	}
	c, _ := r.Bootstrap(ctx, BootstrapOptions{Seed: 8})
	if c[Rouge1] == a[Rouge1] {
		t.Errorf("another seed gave identical intervals")
	}
	mean := r.Mean()
	for _, typ := range r.Types {
		iv := a[typ]
		if !(iv.Low.FMeasure <= iv.Mid.FMeasure && iv.Mid.FMeasure <= iv.High.FMeasure) {
			t.Errorf("%s: unordered interval %+v", typ, iv)
		}
		if m := mean[typ].FMeasure; m < iv.Low.FMeasure || m > iv.High.FMeasure {
			t.Errorf("%s: mean %v outside [%v, %v]", typ, m, iv.Low.FMeasure, iv.High.FMeasure)
		}
		if iv.High.FMeasure-iv.Low.FMeasure > 0.1 || iv.High.FMeasure == iv.Low.FMeasure {
			t.Errorf("%s: implausible width %v", typ, iv.High.FMeasure-iv.Low.FMeasure)
		}
	}
	if _, err := NewRougeResult(r.Types).Bootstrap(ctx, BootstrapOptions{}); err == nil {
		t.Error("bootstrap of no examples: want an error")
	}
}

func TestScoreStreamOrderAndWorkers(t *testing.T) {
	s, err := NewRougeScorer(RougeOptions{Stemmer: true})
	if err != nil {
		t.Fatal(err)
	}
	var pairs []RougePair
	words := []string{"lungs", "clear", "no", "acute", "effusion", "pleural", "heart", "normal", "size"}
	for i := range 2500 {
		ref, pred := "", ""
		for j := range 5 + i%7 {
			ref += words[(i*3+j)%len(words)] + " "
			pred += words[(i+j*2)%len(words)] + " "
		}
		pairs = append(pairs, RougePair{ID: fmt.Sprint("p", i), References: []string{ref}, Prediction: pred})
	}
	var results []*RougeResult
	for _, workers := range []int{1, 2, 4} {
		var seen []string
		res, err := s.ScoreStream(context.Background(), &sliceSource{pairs: pairs}, StreamOptions{
			Workers: workers, BatchSize: 97,
			OnExample: func(p *RougePair, _ []Score) error { seen = append(seen, p.ID); return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Len() != len(pairs) || len(seen) != len(pairs) {
			t.Fatalf("workers=%d: %d results, %d callbacks for %d pairs", workers, res.Len(), len(seen), len(pairs))
		}
		for i, p := range pairs {
			if res.IDs[i] != p.ID || seen[i] != p.ID {
				t.Fatalf("workers=%d: example %d is %s/%s, want %s", workers, i, res.IDs[i], seen[i], p.ID)
			}
			want := s.AppendScores(nil, p.References, p.Prediction)
			for k := range want {
				if res.Example(i)[k] != want[k] {
					t.Fatalf("workers=%d: example %d scores differ", workers, i)
				}
			}
		}
		results = append(results, res)
	}
	stop := errors.New("stop here")
	n := 0
	_, err = s.ScoreStream(context.Background(), &sliceSource{pairs: pairs}, StreamOptions{
		Workers: 2, BatchSize: 10,
		OnExample: func(*RougePair, []Score) error {
			n++
			if n == 15 {
				return stop
			}
			return nil
		},
	})
	if !errors.Is(err, stop) {
		t.Errorf("callback error: got %v", err)
	}
	bad := &failingSource{n: 300, err: errors.New("line 301: broken")}
	for _, workers := range []int{1, 2} {
		bad.i = 0
		if _, err := s.ScoreStream(context.Background(), bad, StreamOptions{Workers: workers, BatchSize: 64}); err == nil || err.Error() != "line 301: broken" {
			t.Errorf("workers=%d: source error: got %v", workers, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.ScoreAll(ctx, pairs, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: got %v", err)
	}
}

type failingSource struct {
	i, n int
	err  error
}

func (f *failingSource) Next() (RougePair, error) {
	if f.i >= f.n {
		return RougePair{}, f.err
	}
	f.i++
	return RougePair{ID: fmt.Sprint(f.i), References: []string{"a b"}, Prediction: "a"}, nil
}

func TestPairedBootstrap(t *testing.T) {
	ctx := context.Background()
	base := syntheticResult(300)
	same, err := PairedBootstrap(ctx, base, base, BootstrapOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if iv := same[Rouge1]; iv.Low != (Score{}) || iv.High != (Score{}) {
		t.Errorf("identical systems: %+v, want all zero", iv)
	}
	// other = base with every F raised by 0.05.
	other := NewRougeResult(base.Types)
	for i := range base.Len() {
		sc := append([]Score(nil), base.Example(i)...)
		for k := range sc {
			sc[k].FMeasure += 0.05
		}
		other.Add(base.IDs[i], sc)
	}
	diff, err := PairedBootstrap(ctx, base, other, BootstrapOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range base.Types {
		iv := diff[typ]
		if math.Abs(iv.Low.FMeasure-0.05) > 1e-12 || math.Abs(iv.High.FMeasure-0.05) > 1e-12 || iv.Mid.Precision != 0 {
			t.Errorf("%s: constant shift gave %+v", typ, iv)
		}
	}
	if _, err := PairedBootstrap(ctx, base, syntheticResult(10), BootstrapOptions{}); err == nil {
		t.Error("different lengths: want an error")
	}
}

// bootstrapSumsPlain is the bootstrap's resampling loop in its plain form:
// what bootstrapSums must reproduce bit for bit.
func bootstrapSumsPlain(n, cols int, matrix []float64, samples int, seed uint64) []float64 {
	sums := make([]float64, samples*cols)
	for s := range samples {
		rng := rand.New(rand.NewPCG(seed, uint64(s)))
		out := sums[s*cols : (s+1)*cols]
		for range n {
			row := matrix[rng.IntN(n)*cols:][:cols]
			for c, v := range row {
				out[c] += v
			}
		}
	}
	return sums
}

// TestBootstrapSumsBitIdentical checks the resampling kernels against the
// plain loop on data of every width (1 to 40 columns, so every kernel and
// several blocks), with repeated columns and rows, negative values (paired
// differences), and sizes that are powers of two (IntN masks instead of
// multiplying).
func TestBootstrapSumsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ctx := context.Background()
	for _, n := range []int{1, 2, 3, 7, 64, 100, 1000, 1024, 1500} {
		for cols := 1; cols <= 40; cols += 1 + rng.IntN(4) {
			m := make([]float64, n*cols)
			for i := range n {
				for c := range cols {
					switch {
					case c > 0 && c%4 == 3: // a copy of the column before
						m[i*cols+c] = m[i*cols+c-1]
					case i > 0 && rng.IntN(3) == 0: // a repeated row value
						m[i*cols+c] = m[(i-1)*cols+c]
					case rng.IntN(5) == 0:
						m[i*cols+c] = 0
					default:
						m[i*cols+c] = float64(rng.IntN(41)-20) / float64(1+rng.IntN(60))
					}
				}
			}
			for _, workers := range []int{1, 3} {
				opts := BootstrapOptions{Samples: 37, Seed: uint64(n*cols + workers)}.withDefaults()
				opts.Workers = workers
				got, err := bootstrapSums(ctx, n, cols, m, opts)
				if err != nil {
					t.Fatal(err)
				}
				want := bootstrapSumsPlain(n, cols, m, opts.Samples, opts.Seed)
				for k := range want {
					if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
						t.Fatalf("n=%d cols=%d workers=%d: sum %d = %v, want %v", n, cols, workers, k, got[k], want[k])
					}
				}
			}
		}
	}
}

// TestResampleSlowAgrees checks that the kernels and the fallback they
// leave rare cases to give the same sums.
func TestResampleSlowAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, w := range []int{3, 6, 9, 12} {
		n := 500 + rng.IntN(500)
		rows := make([]float64, n*w)
		group := make([]int32, n)
		for i := range group {
			group[i] = int32(i)
			for k := range w {
				rows[i*w+k] = rng.Float64()
			}
		}
		t0 := &resampleTable{width: w, blocks: [][]float64{rows}, group: group}
		fast := make([]float64, w)
		slow := make([]float64, w)
		for s := range uint64(20) {
			t0.resample(9, s, fast)
			resampleSlow(rows, group, 9, s, slow)
			if !slices.Equal(fast, slow) {
				t.Fatalf("width %d, resample %d: kernel %v, slow path %v", w, s, fast, slow)
			}
		}
	}
}

func TestPCGNext(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {42, 7}, {^uint64(0), 1 << 63}} {
		p := rand.NewPCG(seed[0], seed[1])
		hi, lo := seed[0], seed[1]
		for range 1000 {
			var x uint64
			hi, lo, x = pcgNext(hi, lo)
			if want := p.Uint64(); x != want {
				t.Fatalf("seed %v: pcgNext gives %#x, rand.PCG %#x", seed, x, want)
			}
		}
	}
}

// TestDescribeOrderStats checks Describe's order statistics, placed
// without a sort, against those of a sorted copy, bit for bit, on
// score-like data (many ties), on all-equal and sorted data, and on data
// it must hand to the sort (negative values, -0, NaN).
func TestDescribeOrderStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gen := []func(i int) float64{
		func(int) float64 { return float64(rng.IntN(30)) / float64(1+rng.IntN(40)) },
		func(int) float64 { return rng.Float64() },
		func(int) float64 { return 0.5 },
		func(i int) float64 { return float64(i) },
		func(i int) float64 { return float64(-i) },
		func(int) float64 { return rng.NormFloat64() },
		func(int) float64 { return []float64{0, 1, math.NaN(), math.Copysign(0, -1)}[rng.IntN(4)] },
	}
	for gi, g := range gen {
		for _, n := range []int{1, 2, 3, 4, 5, 13, 100, 1001, 10000} {
			v := make([]float64, n)
			for i := range v {
				v[i] = g(i)
			}
			sorted := slices.Clone(v)
			slices.Sort(sorted)
			want := Stats{Count: n, Min: sorted[0], Max: sorted[n-1], P25: percentileSorted(sorted, 0.25),
				P50: percentileSorted(sorted, 0.5), P75: percentileSorted(sorted, 0.75)}
			got := Describe(v)
			for _, pair := range [][2]float64{{got.Min, want.Min}, {got.Max, want.Max}, {got.P25, want.P25}, {got.P50, want.P50}, {got.P75, want.P75}} {
				if math.Float64bits(pair[0]) != math.Float64bits(pair[1]) && !(pair[0] != pair[0] && pair[1] != pair[1]) {
					t.Fatalf("generator %d, n=%d: Describe = %+v, want %+v", gi, n, got, want)
				}
			}
		}
	}
}

// TestSelectFloat checks every position of small arrays and random
// positions of larger ones against a sort.
func TestSelectFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for iter := range 3000 {
		n := 1 + rng.IntN(60)
		if iter%10 == 0 {
			n = 100 + rng.IntN(3000)
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.IntN(1 + iter%40))
		}
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		for _, k := range []int{0, n - 1, rng.IntN(n), rng.IntN(n)} {
			w := slices.Clone(v)
			selectFloat(w, k)
			if w[k] != sorted[k] {
				t.Fatalf("n=%d k=%d: %v, want %v", n, k, w[k], sorted[k])
			}
			for i := range w {
				if i < k && w[i] > w[k] || i > k && w[i] < w[k] {
					t.Fatalf("n=%d k=%d: v[%d]=%v on the wrong side of %v", n, k, i, w[i], w[k])
				}
			}
		}
	}
}

// TestBootstrapFMeasureOnly checks that the F intervals computed alone
// are those of the full bootstrap, and that the others are left zero.
func TestBootstrapFMeasureOnly(t *testing.T) {
	ctx := context.Background()
	r := syntheticResult(700)
	for _, seed := range []uint64{1, 42} {
		all, err := r.Bootstrap(ctx, BootstrapOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		f, err := r.Bootstrap(ctx, BootstrapOptions{Seed: seed, FMeasureOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range r.Types {
			a, b := all[typ], f[typ]
			if a.Low.FMeasure != b.Low.FMeasure || a.Mid.FMeasure != b.Mid.FMeasure || a.High.FMeasure != b.High.FMeasure {
				t.Errorf("%s: F alone %+v, with the others %+v", typ, b, a)
			}
			if b.Low.Precision != 0 || b.High.Recall != 0 {
				t.Errorf("%s: FMeasureOnly left precision or recall: %+v", typ, b)
			}
		}
	}
}
