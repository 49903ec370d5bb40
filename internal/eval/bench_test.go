package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/sharedtest"
)

type benchPair struct {
	Reference  string `json:"reference"`
	Prediction string `json:"prediction"`
}

func loadBenchPairs(b *testing.B, name string) []benchPair {
	b.Helper()
	f, err := os.Open(sharedtest.Path(b, "fixtures", "rouge", name))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []benchPair
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var p benchPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// benchmarkRouge scores every pair of a bench file once per iteration,
// single-threaded, all four types with stemming: the reference's timing
// setup (../shared/fixtures/rouge/README.md).
func benchmarkRouge(b *testing.B, name string, stem bool) {
	pairs := loadBenchPairs(b, name)
	s, err := NewRougeScorer(RougeOptions{Stemmer: stem})
	if err != nil {
		b.Fatal(err)
	}
	var dst []Score
	refs := make([]string, 1)
	// Warm up: the first pass fills the token tables.
	for _, p := range pairs {
		refs[0] = p.Reference
		dst = s.AppendScores(dst[:0], refs, p.Prediction)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		for _, p := range pairs {
			refs[0] = p.Reference
			dst = s.AppendScores(dst[:0], refs, p.Prediction)
		}
	}
	reportPerPair(b, len(pairs), processCPU()-cpu0)
}

// reportPerPair adds wall and CPU time per pair and CPU time per pass over
// the file: on a shared machine the CPU time is the steadier number.
func reportPerPair(b *testing.B, pairs int, cpu time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(pairs), "ns/pair")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(pairs), "cpu-ns/pair")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/file")
	}
}

func BenchmarkRougeBenchPairs(b *testing.B)       { benchmarkRouge(b, "bench_pairs.jsonl", true) }
func BenchmarkRougeBenchPairs30to60(b *testing.B) { benchmarkRouge(b, "bench_pairs_30_60.jsonl", true) }

// benchmarkRougeParallel scores every pair of a bench file once per
// iteration with ScoreAll on all cores (GOMAXPROCS workers).
func benchmarkRougeParallel(b *testing.B, name string) {
	raw := loadBenchPairs(b, name)
	pairs := make([]RougePair, len(raw))
	for i, p := range raw {
		pairs[i] = RougePair{ID: strconv.Itoa(i), References: []string{p.Reference}, Prediction: p.Prediction}
	}
	s, err := NewRougeScorer(RougeOptions{Stemmer: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.ScoreAll(ctx, pairs, 0); err != nil { // warm up
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := s.ScoreAll(ctx, pairs, 0); err != nil {
			b.Fatal(err)
		}
	}
	reportPerPair(b, len(pairs), processCPU()-cpu0)
}

func BenchmarkRougeBenchPairsParallel(b *testing.B) { benchmarkRougeParallel(b, "bench_pairs.jsonl") }
func BenchmarkRougeBenchPairs30to60Parallel(b *testing.B) {
	benchmarkRougeParallel(b, "bench_pairs_30_60.jsonl")
}

// BenchmarkRougeBootstrapBenchPairs times the default bootstrap (1,000
// resamples, seed 42) of bench_pairs.jsonl's scores with stemming: every
// interval (all: what --format json prints) and those of F alone
// (fmeasure: the interval part of `osler eval rouge --pairs
// bench_pairs.jsonl --stemmer`, whose table shows F only).
func BenchmarkRougeBootstrapBenchPairs(b *testing.B) {
	r := benchPairsResult(b)
	ctx := context.Background()
	for _, fOnly := range []bool{false, true} {
		b.Run(map[bool]string{false: "all", true: "fmeasure"}[fOnly], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Bootstrap(ctx, BootstrapOptions{Seed: 42, FMeasureOnly: fOnly}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRougeDistributions times the distribution tables of
// bench_pairs.jsonl's scores with stemming (count, mean, std, min,
// quartiles and max of each type's precision, recall and F).
func BenchmarkRougeDistributions(b *testing.B) {
	r := benchPairsResult(b)
	b.ReportAllocs()
	for b.Loop() {
		r.Distributions()
	}
}

// benchPairsResult scores bench_pairs.jsonl with stemming.
func benchPairsResult(b *testing.B) *RougeResult {
	raw := loadBenchPairs(b, "bench_pairs.jsonl")
	pairs := make([]RougePair, len(raw))
	for i, p := range raw {
		pairs[i] = RougePair{ID: strconv.Itoa(i), References: []string{p.Reference}, Prediction: p.Prediction}
	}
	s, err := NewRougeScorer(RougeOptions{Stemmer: true})
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.ScoreAll(context.Background(), pairs, 1)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkRougeBootstrap times the default bootstrap (1,000 resamples,
// four types) over 10,000 examples.
func BenchmarkRougeBootstrap(b *testing.B) {
	r := syntheticResult(10000)
	r4 := NewRougeResult(DefaultRougeTypes())
	for i := range r.Len() {
		e := r.Example(i)
		r4.Add(r.IDs[i], []Score{e[0], e[1], e[0], e[1]})
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r4.Bootstrap(ctx, BootstrapOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
