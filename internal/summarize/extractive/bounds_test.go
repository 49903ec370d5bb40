package extractive

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/text"
)

// longDocument is n short sentences of varied words, about 19 bytes each
// (12,000 make the 229 KB document of issue 10).
func longDocument(n int) string {
	first := []string{"Left", "Right", "Basal", "Apical", "Mild", "New", "Old", "Small", "Large", "Stable"}
	words := []string{"effusion", "opacity", "nodule", "edema", "atelectasis", "pneumothorax", "cardiomegaly", "fracture", "granuloma", "scarring"}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s %s seen. ", first[i%len(first)], words[i/len(first)%len(words)])
	}
	return b.String()
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongDocumentBoundedMemory: a 12,000-sentence document is summarized
// with memory linear in its length (issue 10: it peaked at 2.3 GB with a
// dense similarity matrix), from its first MaxCandidates sentences by
// default, and from all of them, on the windowed graph, when asked.
func TestLongDocumentBoundedMemory(t *testing.T) {
	doc := summarize.Document{ID: "long", Text: longDocument(12000)}
	if n := len(text.SplitSentences(doc.Text)); n != 12000 {
		t.Fatalf("%d sentences", n)
	}
	for _, tc := range []struct {
		name  string
		opts  Options
		limit uint64
		note  string
	}{
		{"default", Options{Prefer: []text.SectionKind{}}, 48 << 20, "considered the first 2000 of 12000 candidate sentences"},
		{"every sentence", Options{Prefer: []text.SectionKind{}, MaxCandidates: 12000, Method: LexRank}, 96 << 20, "chose 3 of 12000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var res summarize.Result
			n := allocated(func() { res, err = s.Summarize(context.Background(), doc) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("allocated %.1f MB", float64(n)/(1<<20))
			if n > tc.limit {
				t.Errorf("allocated %d MB, want at most %d MB", n>>20, tc.limit>>20)
			}
			if len(res.Provenance.SourceSentences) != 3 || !strings.Contains(strings.Join(res.Provenance.Notes, "; "), tc.note) {
				t.Errorf("summary %q, provenance %+v", res.Summary, res.Provenance)
			}
		})
	}
}

// cancelAfter is a context whose Err reports Canceled from its nth call
// on: it is cancelled part-way through the work, at a point the test
// chooses, without timing.
type cancelAfter struct {
	context.Context
	calls atomic.Int64
	n     int64
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) >= c.n {
		return context.Canceled
	}
	return nil
}

// TestCancelledPartWay: a context cancelled after Summarize started stops
// it (issue 10: Ctrl-C printed "interrupted" and the summary kept running
// for seconds to minutes); each stage checks it.
func TestCancelledPartWay(t *testing.T) {
	s, _ := New(Options{Prefer: []text.SectionKind{}})
	doc := summarize.Document{ID: "long", Text: longDocument(12000)}
	// Cancel at the 2nd, 4th, 6th, ... check until one comes after the
	// last: every earlier one must stop the summary.
	n := int64(2)
	for ; ; n += 2 {
		ctx := &cancelAfter{Context: context.Background(), n: n}
		_, err := s.Summarize(ctx, doc)
		if err == nil {
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled at check %d: err %v, want context.Canceled", n, err)
		}
	}
	// Its 2,000 candidates pass 8 checks while vectorizing, 8 while
	// building the graph, one per PageRank iteration and one per pick.
	if n < 24 {
		t.Fatalf("the summary checked its context only %d times", n)
	}
}

// TestHugeDocumentReadsItsBeginning: a document over MaxBytes is
// summarized from its beginning (issue 10: a 50 MB document exhausted
// 24 GB), without a sentence the cut may have split.
func TestHugeDocumentReadsItsBeginning(t *testing.T) {
	s, _ := New(Options{Prefer: []text.SectionKind{}, MaxBytes: 1000, MaxSentences: 100, MaxSimilarity: 1})
	doc := longDocument(200) // about 4 KB
	res, err := s.Summarize(context.Background(), summarize.Document{ID: "huge", Text: doc})
	if err != nil {
		t.Fatal(err)
	}
	full := text.SplitSentences(doc)
	last := 0
	for _, i := range res.Provenance.SourceSentences {
		if full[i].End > 1000 {
			t.Fatalf("sentence %d ends at byte %d, past the limit", i, full[i].End)
		}
		if !strings.Contains(res.Summary, full[i].Text) {
			t.Fatalf("sentence %d (%q) is not whole in the summary", i, full[i].Text)
		}
		last = max(last, i)
	}
	if !strings.Contains(strings.Join(res.Provenance.Notes, "; "), "read the first 1000 of") {
		t.Fatalf("notes %q", res.Provenance.Notes)
	}
	// 50 MB, with the default limits.
	big := longDocument(2_500_000)
	d, _ := New(Options{Prefer: []text.SectionKind{}})
	n := allocated(func() { _, err = d.Summarize(context.Background(), summarize.Document{Text: big}) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d MB document: allocated %.1f MB", len(big)>>20, float64(n)/(1<<20))
	if n > 128<<20 {
		t.Errorf("a %d MB document allocated %d MB", len(big)>>20, n>>20)
	}
}

func BenchmarkSummarizeLong(b *testing.B) {
	s, _ := New(Options{Prefer: []text.SectionKind{}})
	doc := summarize.Document{Text: longDocument(12000)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Summarize(context.Background(), doc); err != nil {
			b.Fatal(err)
		}
	}
}
