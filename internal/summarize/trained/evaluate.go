package trained

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/summarize"
)

// EvalReport is ROUGE (rouge-score 0.1.2 settings: default tokenizer, no
// stemming, F-measure averaged over documents) of a summarizer on pairs,
// for all of them and for the "abnormal" ones: those whose reference is
// not one of the most frequent training summaries. On radiology data the
// frequent summaries are normal-study phrases that any retrieval method
// copies well, so the abnormal subset is where methods differ.
type EvalReport struct {
	All      RougeMeans `json:"all"`
	Abnormal RougeMeans `json:"abnormal"`
	// FrequentSummaries is how many frequent training summaries define
	// the abnormal subset.
	FrequentSummaries int `json:"frequent_summaries"`
	// Methods counts the provenance methods of the summaries.
	Methods map[string]int `json:"methods"`
	// Faithfulness is the share of summaries with a claim their source
	// does not back (internal/clinical), and of critical findings missed.
	Faithfulness *Faithfulness `json:"faithfulness,omitempty"`
	// Seconds is the wall time; DocsPerSecond the throughput.
	Seconds       float64 `json:"seconds"`
	DocsPerSecond float64 `json:"docs_per_second"`
}

// Faithfulness is the headline of a faithfulness check (eval.Share:
// count, n, share; no interval).
type Faithfulness struct {
	Unfaithful     eval.Share `json:"unfaithful"`
	Unsupported    eval.Share `json:"unsupported"`
	Contradicted   eval.Share `json:"contradicted"`
	CriticalMissed eval.Share `json:"critical_missed"`
}

// CheckFaithfulness checks summaries against the examples' sources.
func CheckFaithfulness(ctx context.Context, examples []Example, summaries []string, workers int) (*Faithfulness, error) {
	pairs := make([]eval.FaithfulnessPair, len(examples))
	for i, ex := range examples {
		pairs[i] = eval.FaithfulnessPair{ID: ex.ID, Source: ex.Source, Summary: summaries[i]}
	}
	r, err := eval.EvaluateFaithfulness(ctx, pairs, eval.FaithfulnessOptions{Bootstrap: eval.BootstrapOptions{Samples: -1}, Workers: workers})
	if err != nil {
		return nil, err
	}
	return &Faithfulness{Unfaithful: r.Unfaithful, Unsupported: r.Unsupported, Contradicted: r.Contradicted, CriticalMissed: r.CriticalMissed}, nil
}

// FrequentSummaries returns the k most frequent summaries of examples
// (trimmed, exact text; ties broken by text), the "normal study" phrases
// that define the abnormal subset of [Evaluate].
func FrequentSummaries(examples []Example, k int) map[string]bool {
	count := map[string]int{}
	for _, ex := range examples {
		count[strings.TrimSpace(ex.Summary)]++
	}
	keys := make([]string, 0, len(count))
	for s := range count {
		keys = append(keys, s)
	}
	sort.Slice(keys, func(a, b int) bool {
		if count[keys[a]] != count[keys[b]] {
			return count[keys[a]] > count[keys[b]]
		}
		return keys[a] < keys[b]
	})
	out := map[string]bool{}
	for i := 0; i < k && i < len(keys); i++ {
		out[keys[i]] = true
	}
	return out
}

// Evaluate summarizes every example's source with s and scores the
// summaries against the references. frequent are the frequent training
// summaries (see [FrequentSummaries]); examples whose summary is not among
// them form the abnormal subset. workers <= 0 means all CPUs; pr, when not
// nil, is told of each document done (the caller names the stage).
func Evaluate(ctx context.Context, s summarize.Summarizer, examples []Example, frequent map[string]bool, workers int, pr progress.Reporter) (*EvalReport, error) {
	start := time.Now()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sc, err := eval.NewRougeScorer(eval.RougeOptions{})
	if err != nil {
		return nil, err
	}
	preds := make([]summarize.Result, len(examples))
	if err := parallel(ctx, workers, len(examples), func(i int) error {
		r, err := s.Summarize(ctx, summarize.Document{ID: examples[i].ID, Text: examples[i].Source})
		if err != nil {
			return fmt.Errorf("example %d (id %q): %w", i+1, examples[i].ID, err)
		}
		preds[i] = r
		return nil
	}, pr); err != nil {
		return nil, err
	}
	rep := &EvalReport{FrequentSummaries: len(frequent), Methods: map[string]int{}}
	var scores []eval.Score
	for i, ex := range examples {
		scores = sc.AppendScores(scores[:0], []string{ex.Summary}, preds[i].Summary)
		rep.All.add(scores)
		if !frequent[strings.TrimSpace(ex.Summary)] {
			rep.Abnormal.add(scores)
		}
		method := "unknown"
		if preds[i].Provenance != nil {
			method = preds[i].Provenance.Method
		}
		rep.Methods[method]++
	}
	rep.All.finish()
	rep.Abnormal.finish()
	texts := make([]string, len(preds))
	for i, p := range preds {
		texts[i] = p.Summary
	}
	if rep.Faithfulness, err = CheckFaithfulness(ctx, examples, texts, workers); err != nil {
		return nil, err
	}
	rep.Seconds = time.Since(start).Seconds()
	if rep.Seconds > 0 {
		rep.DocsPerSecond = float64(len(examples)) / rep.Seconds
	}
	return rep, nil
}
