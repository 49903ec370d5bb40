package report_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

// describe prints what a page holds: its title, its plots and whether it
// is self-contained (no scripts, stylesheets or other files to fetch).
func describe(page string) {
	title := regexp.MustCompile(`<title>(.*?)</title>`).FindStringSubmatch(page)
	fmt.Println("title:", title[1])
	fmt.Println("plots:", strings.Count(page, "<svg "))
	fmt.Println("self-contained:", !strings.Contains(page, "<script") && !strings.Contains(page, "<link") && !strings.Contains(page, "src="))
}

// A classifier's training run writes the same page as
// `osler eval classification --report` (the command writes it to a file).
func ExampleClassification() {
	res, err := eval.EvaluateClassification([]eval.ClassExample{
		{ID: "1", Gold: []string{"pneumonia"}, Scores: map[string]float64{"pneumonia": 0.9}},
		{ID: "2", Gold: nil, Scores: map[string]float64{"pneumonia": 0.2}},
	}, eval.ClassificationOptions{})
	if err != nil {
		panic(err)
	}
	var page bytes.Buffer
	err = report.Classification(&page, report.ClassificationPage{
		Header: report.Header{Title: "Pneumonia classifier, validation set", Sources: []string{"dev.jsonl"}},
		Result: res,
	})
	if err != nil {
		panic(err)
	}
	describe(page.String())
	// Output:
	// title: Pneumonia classifier, validation set
	// plots: 2
	// self-contained: true
}

// A summarizer's evaluation writes the same page as
// `osler eval rouge --report`.
func ExampleRouge() {
	scorer, err := eval.NewRougeScorer(eval.RougeOptions{Stemmer: true})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	res, err := scorer.ScoreAll(ctx, []eval.RougePair{
		{ID: "a", References: []string{"No acute process."}, Prediction: "No acute cardiopulmonary process."},
		{ID: "b", References: []string{"Small left effusion."}, Prediction: "Left pleural effusion."},
	}, 0)
	if err != nil {
		panic(err)
	}
	sum, err := res.Summarize(ctx, true, eval.TokenizerDefault, eval.BootstrapOptions{Samples: 1000, Seed: 42})
	if err != nil {
		panic(err)
	}
	var page bytes.Buffer
	if err := report.Rouge(&page, report.RougePage{Header: report.Header{Title: "ROUGE"}, Summary: sum, Result: res}); err != nil {
		panic(err)
	}
	describe(page.String())
	fmt.Printf("rougeL F mean %.4f over %d pairs\n", sum.Mean[eval.RougeL].FMeasure, sum.N)
	// Output:
	// title: ROUGE
	// plots: 3
	// self-contained: true
	// rougeL F mean 0.7619 over 2 pairs
}
