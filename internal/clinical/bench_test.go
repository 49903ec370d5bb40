package clinical

import (
	"testing"

	"github.com/osler-health/osler/internal/synth"
)

// benchPairs is the number of (source, summary) pairs of BenchmarkCheck10k.
const benchPairs = 10000

// radiologyPairs returns n synthetic radiology (report, summary) pairs as
// `osler data synth --kind radiology` writes them (seed 13): every even
// pair is a report with its own impression, every odd one a report with
// the impression of another report, so that the check finds issues.
func radiologyPairs(tb testing.TB, n int) (sources, summaries []string) {
	tb.Helper()
	g, err := synth.New(synth.Options{Kind: synth.KindRadiology, Seed: 13})
	if err != nil {
		tb.Fatal(err)
	}
	sources = make([]string, n)
	own := make([]string, n)
	for i := range n {
		s := g.Sample(i)
		sources[i], own[i] = s.Record.Text, s.Record.Summary
	}
	summaries = make([]string, n)
	for i := range n {
		if i%2 == 0 {
			summaries[i] = own[i]
		} else {
			summaries[i] = own[(i+n/2+1)%n]
		}
	}
	return sources, summaries
}

// BenchmarkCheck10k checks 10,000 synthetic radiology pairs per
// iteration (extraction of both texts included): the acceptance bar is
// well under one second per iteration on one core (-cpu 1).
func BenchmarkCheck10k(b *testing.B) {
	sources, summaries := radiologyPairs(b, benchPairs)
	c := NewChecker(nil)
	var bytes int64
	for i := range sources {
		bytes += int64(len(sources[i]) + len(summaries[i]))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	flagged := 0
	for range b.N {
		flagged = 0
		for i := range sources {
			if !c.Check(sources[i], summaries[i]).Faithful() {
				flagged++
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(flagged), "flagged")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchPairs, "ns/pair")
}

// BenchmarkExtract extracts the claims of synthetic radiology reports,
// one report per operation.
func BenchmarkExtract(b *testing.B) {
	sources, _ := radiologyPairs(b, 1000)
	x := NewExtractor(nil)
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for i := range b.N {
		s := sources[i%len(sources)]
		bytes += int64(len(s))
		x.Extract(s)
	}
	b.SetBytes(bytes / int64(max(b.N, 1)))
}
