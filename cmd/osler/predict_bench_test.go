package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/classify/predict"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/sharedtest"
)

// BenchmarkPredictADE measures osler predict's loop end to end (JSONL
// decoding, featurizing, scoring, JSON output) on one core over the ADE dev
// sentences repeated 50 times (104,450 lines), with a model trained on ADE
// train with the relation lexicon, as the acceptance bar states it:
//
//	go test ./cmd/osler -run XXX -bench PredictADE -cpu 1
func BenchmarkPredictADE(b *testing.B) {
	dir := sharedtest.Path(b, "data", "ade_corpus_v2")
	modelDir := filepath.Join(b.TempDir(), "ade-model")
	var sink bytes.Buffer
	m := &Main{Stdin: nil, Stdout: &sink, Stderr: &sink, Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
	if err := m.Run(context.Background(), []string{"train", "classifier", "--train", filepath.Join(dir, "train.jsonl"), "--dev", filepath.Join(dir, "dev.jsonl"),
		"--lexicon", filepath.Join(dir, "relations_drug_ae_train.jsonl"), "--out", modelDir}); err != nil {
		b.Fatalf("%v\n%s", err, sink.String())
	}
	model, err := classify.Load(modelDir)
	if err != nil {
		b.Fatal(err)
	}
	dev, err := os.ReadFile(filepath.Join(dir, "dev.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	input := bytes.Repeat(dev, 50)
	lines := bytes.Count(input, []byte("\n"))
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := dataset.NewJSONLReader(bytes.NewReader(input), "dev.jsonl", dataset.Options{})
		n, err := predict.Run(context.Background(), model, r, io.Discard, predict.Options{Input: "dev.jsonl", Threshold: -1, Workers: 1})
		if err != nil || n != lines {
			b.Fatalf("%d lines, %v", n, err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "sentences/s")
}
