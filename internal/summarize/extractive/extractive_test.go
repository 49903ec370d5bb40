package extractive

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/sharedtest"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/text"
)

func summarizeText(t *testing.T, o Options, doc string) summarize.Result {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Summarize(context.Background(), summarize.Document{ID: "d1", Text: doc})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const report = `INDICATION: Cough and fever for three days.
COMPARISON: None.
FINDINGS:
There is a focal consolidation in the right lower lobe. The consolidation in the right lower lobe is dense.
No pleural effusion or pneumothorax. The heart size is normal. The right lower lobe consolidation obscures the right hemidiaphragm.
Degenerative changes of the thoracic spine.`

func TestSummarizeTable(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		doc  string
		want []string // sentences of the summary, in order
	}{
		{"single sentence", Options{}, "No acute disease.", []string{"No acute disease."}},
		{"prefers findings: the most central sentences", Options{MaxSentences: 2}, report,
			[]string{"There is a focal consolidation in the right lower lobe.", "The consolidation in the right lower lobe is dense."}},
		{"relevance against novelty", Options{MaxSentences: 2, Lambda: 0.3}, report,
			[]string{"There is a focal consolidation in the right lower lobe.", "No pleural effusion or pneumothorax."}},
		{"document order, not rank order", Options{MaxSentences: 2, Lambda: 0.3, Prefer: []text.SectionKind{}}, "Heart normal. Right effusion. Large right effusion seen. Right effusion persists.",
			[]string{"Heart normal.", "Right effusion."}},
		{"one sentence budget", Options{MaxSentences: 1}, report,
			[]string{"There is a focal consolidation in the right lower lobe."}},
		{"word budget skips long sentences", Options{MaxSentences: 5, MaxWords: 11}, report,
			[]string{"There is a focal consolidation in the right lower lobe."}},
		{"prefer indication", Options{MaxSentences: 1, Prefer: []text.SectionKind{text.SectionIndication}}, report,
			[]string{"Cough and fever for three days."}},
		{"no findings falls back to all but skipped sections", Options{MaxSentences: 5},
			"COMPARISON: Chest radiograph from last year.\nIMPRESSION: Stable cardiomegaly.",
			[]string{"Stable cardiomegaly."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := summarizeText(t, tt.opts, tt.doc)
			sents := text.SplitSentences(tt.doc)
			var got []string
			for _, i := range r.Provenance.SourceSentences {
				got = append(got, sents[i].Text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("sentences %q, want %q", got, tt.want)
			}
			if r.Summary != strings.Join(tt.want, " ") {
				t.Fatalf("summary %q is not the chosen sentences joined", r.Summary)
			}
		})
	}
}

func TestMMRRemovesRedundancy(t *testing.T) {
	doc := "Large right pleural effusion. Large right pleural effusion is present. Large right sided pleural effusion. " +
		"Mild cardiomegaly. Right pleural effusion large."
	all := []text.SectionKind{}
	novel := summarizeText(t, Options{MaxSentences: 2, Lambda: 0.3, Prefer: all}, doc)
	if !strings.Contains(novel.Summary, "cardiomegaly") {
		t.Fatalf("MMR with lambda 0.3 kept near-duplicates: %q", novel.Summary)
	}
	relevant := summarizeText(t, Options{MaxSentences: 2, Lambda: 1, MaxSimilarity: 1, Prefer: all}, doc)
	if strings.Contains(relevant.Summary, "cardiomegaly") {
		t.Fatalf("with pure relevance the two most central sentences are effusion sentences; got %q", relevant.Summary)
	}
	// The same words in another order (cosine 1) are never added, even
	// with pure relevance, under the default MaxSimilarity.
	dedup := summarizeText(t, Options{MaxSentences: 5, Lambda: 1, Prefer: all}, doc)
	if strings.Contains(dedup.Summary, "Large right pleural effusion.") && strings.Contains(dedup.Summary, "Right pleural effusion large.") {
		t.Fatalf("kept two sentences with the same words: %q", dedup.Summary)
	}
}

func TestNegatedAndAffirmedSentencesDiffer(t *testing.T) {
	// With negation marking, "No effusion" is not similar to "Small
	// effusion", so MMR keeps both statements about effusion.
	v, _ := vectors(context.Background(), text.SplitSentences("No pleural effusion. Small pleural effusion."), []int{0, 1})
	if sim := dot(v[0], v[1]); sim != 0 {
		t.Fatalf("similarity of a negated and an affirmed finding = %v, want 0", sim)
	}
}

func TestLexRankThreshold(t *testing.T) {
	s, _ := New(Options{Method: LexRank, Threshold: 0.99})
	// With a threshold no pair reaches, every sentence is isolated and
	// scores are uniform.
	ctx := context.Background()
	vs, _ := vectors(ctx, text.SplitSentences(report), []int{2, 3, 4, 5, 6})
	g, _ := s.newGraph(ctx, vs)
	scores, _ := s.rank(ctx, g)
	for _, x := range scores {
		if diff := x - scores[0]; diff > 1e-12 || diff < -1e-12 {
			t.Fatalf("isolated sentences should score alike: %v", scores)
		}
	}
	tr, _ := New(Options{Method: TextRank})
	scores, _ = tr.rank(ctx, g)
	var sum float64
	for _, x := range scores {
		sum += x
	}
	if sum < 0.999999 || sum > 1.000001 {
		t.Fatalf("PageRank scores sum to %v, want 1", sum)
	}
	// The consolidation sentences share words, so they are the most central.
	if !(scores[0] > scores[3] && scores[1] > scores[3]) {
		t.Fatalf("consolidation sentences should outrank the heart sentence: %v", scores)
	}
}

func TestErrors(t *testing.T) {
	s, _ := New(Options{})
	for _, doc := range []string{"", "   ", "COMPARISON: None."} {
		if _, err := s.Summarize(context.Background(), summarize.Document{Text: doc}); !errors.Is(err, ErrEmptyDocument) {
			t.Errorf("Summarize(%q) error = %v, want ErrEmptyDocument", doc, err)
		}
	}
	for _, o := range []Options{{MaxSentences: -1}, {MaxWords: -2}, {Lambda: 2}, {Threshold: 1.5}, {Damping: 1}, {Method: 7}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted bad options", o)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Summarize(ctx, summarize.Document{Text: report}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: error = %v", err)
	}
	if _, err := ParseMethod("pagerank"); err == nil {
		t.Fatal("ParseMethod accepted an unknown method")
	}
	if m, err := ParseMethod("LexRank"); err != nil || m != LexRank {
		t.Fatalf("ParseMethod(LexRank) = %v, %v", m, err)
	}
}

func TestOverBudgetReturnsShortest(t *testing.T) {
	r := summarizeText(t, Options{MaxWords: 2, Prefer: []text.SectionKind{}}, "The heart is normal in size. Lungs are clear and expanded.")
	if r.Summary != "Lungs are clear and expanded." {
		t.Fatalf("got %q", r.Summary)
	}
	if len(r.Provenance.Notes) == 0 || !strings.Contains(strings.Join(r.Provenance.Notes, " "), "no sentence fits") {
		t.Fatalf("notes %q should say the budget was exceeded", r.Provenance.Notes)
	}
}

// TestSharedData runs the summarizer over the dev splits: every summary is
// made of whole source sentences within budget, keeping their negation
// cues, and the ROUGE is logged for reference.
func TestSharedData(t *testing.T) {
	for _, name := range []string{"iu_xray", "mtsamples_summary"} {
		t.Run(name, func(t *testing.T) {
			recs, err := dataset.ReadAll(sharedtest.Path(t, "data", name, "dev.jsonl"), nil, dataset.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sc, _ := eval.NewRougeScorer(eval.RougeOptions{})
			for _, m := range []Method{TextRank, LexRank} {
				s, _ := New(Options{Method: m, MaxSentences: 1})
				var sums [4]float64
				n := 0
				for _, r := range recs {
					res, err := s.Summarize(context.Background(), summarize.Document{ID: r.ID, Text: r.Text})
					if errors.Is(err, ErrEmptyDocument) {
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					sents := text.SplitSentences(r.Text)
					if len(res.Provenance.SourceSentences) != 1 || res.Summary != sents[res.Provenance.SourceSentences[0]].Text {
						t.Fatalf("%s: summary is not one whole source sentence", r.ID)
					}
					if got, want := text.NegationCues(res.Summary), text.NegationCues(sents[res.Provenance.SourceSentences[0]].Text); !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: negation cues %q, source sentence has %q", r.ID, got, want)
					}
					for k, x := range sc.AppendScores(nil, []string{r.Summary}, res.Summary) {
						sums[k] += x.FMeasure
					}
					n++
				}
				t.Logf("%s %s 1 sentence, %d docs: ROUGE-1 %.4f ROUGE-2 %.4f ROUGE-L %.4f ROUGE-Lsum %.4f",
					name, m, n, sums[0]/float64(n), sums[1]/float64(n), sums[2]/float64(n), sums[3]/float64(n))
			}
		})
	}
}

func BenchmarkSummarize(b *testing.B) {
	s, _ := New(Options{})
	doc := summarize.Document{Text: strings.Repeat(report+"\n", 3)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Summarize(context.Background(), doc); err != nil {
			b.Fatal(err)
		}
	}
}
