package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/osler-health/osler/internal/sharedtest"
)

// BenchmarkEvalRougeCommand runs `osler eval rouge --pairs bench_pairs.jsonl
// --stemmer` in-process, each iteration with a new scorer, reader and
// result (cold token tables and stem cache; only the process start and the
// Go heap are warm), single-threaded as the acceptance bar states it:
//
//	go test ./cmd/osler -run '^$' -bench EvalRougeCommand -cpu 1 -cpuprofile cpu.out
//
// scripts/bench-rouge-cold.sh times the same command as a fresh process.
func BenchmarkEvalRougeCommand(b *testing.B) {
	pairs := sharedtest.Path(b, "fixtures", "rouge", "bench_pairs.jsonl")
	for _, bc := range []struct{ name, bootstrap string }{{"default", "1000"}, {"bootstrap0", "0"}} {
		b.Run(bc.name, func(b *testing.B) {
			var out bytes.Buffer
			m := &Main{Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				if err := m.Run(context.Background(), []string{"eval", "rouge", "--pairs", pairs, "--stemmer", "--bootstrap", bc.bootstrap}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
