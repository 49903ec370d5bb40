package dataset

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/text"
)

// zipfRows makes n multi-label rows over nLabels labels with long-tailed
// frequencies (the rarest well under 1%), 1-4 labels a row, and about 2%
// near-duplicates of earlier rows (case and punctuation changed).
func zipfRows(n, nLabels int, seed uint64) (texts []string, labels [][]string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	weights := make([]float64, nLabels)
	sum := 0.0
	for i := range weights {
		weights[i] = 1 / math.Pow(float64(i+1), 1.8)
		sum += weights[i]
	}
	pick := func() int {
		x := rng.Float64() * sum
		for i, w := range weights {
			if x < w {
				return i
			}
			x -= w
		}
		return nLabels - 1
	}
	for i := 0; i < n; i++ {
		if i > 100 && rng.IntN(50) == 0 {
			j := rng.IntN(i)
			texts = append(texts, strings.ToUpper(texts[j])+" !!")
			labels = append(labels, labels[j])
			continue
		}
		k := 1 + rng.IntN(4)
		set := map[int]bool{}
		for len(set) < k {
			set[pick()] = true
		}
		var ls []string
		for l := 0; l < nLabels; l++ {
			if set[l] {
				ls = append(ls, fmt.Sprintf("label%02d", l))
			}
		}
		texts = append(texts, fmt.Sprintf("note %d about %v with token %x", i, ls, rng.Uint64()))
		labels = append(labels, ls)
	}
	return texts, labels
}

func TestSplitKeepsLabelSharesAndDuplicatesTogether(t *testing.T) {
	const n = 100_000
	texts, labels := zipfRows(n, 40, 42)
	sp, err := NewSplitter(SplitOptions{Test: 0.2, Dev: 0.1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		sp.Add(texts[i], labels[i])
	}
	a := sp.Assign()
	st := sp.Stats(a)

	rare := 0
	for _, l := range st.Labels {
		whole := float64(l.Total) / n
		if whole < 0.01 {
			rare++
		}
		for j, c := range l.Counts {
			rows := st.Rows[j]
			expected := whole * float64(rows)
			pp := 100 * math.Abs(float64(c)/float64(rows)-whole)
			if pp > 1 && math.Abs(float64(c)-expected) > 1 {
				t.Errorf("label %s in %s: %d rows (%.3f%%), whole file %.3f%%", l.Label, st.Names[j], c, 100*float64(c)/float64(rows), 100*whole)
			}
			// The stronger property iterative stratification gives: counts
			// within a few rows of the ideal, rare labels included.
			if math.Abs(float64(c)-expected) > math.Max(3, 0.02*expected) {
				t.Errorf("label %s in %s: %d rows, ideal %.1f", l.Label, st.Names[j], c, expected)
			}
		}
	}
	if rare < 5 {
		t.Fatalf("test data has only %d labels under 1%%; the test would not exercise rare labels", rare)
	}
	for j, r := range st.Rows {
		want := []float64{0.7, 0.1, 0.2}[j] * n
		if math.Abs(float64(r)-want) > 0.002*n {
			t.Errorf("%s has %d rows, want about %.0f", st.Names[j], r, want)
		}
	}
	splitOf := map[uint64]uint8{}
	dups := 0
	for i, txt := range texts {
		k := text.NearDupKey(txt)
		if s, ok := splitOf[k]; ok {
			dups++
			if s != a.Row[i] {
				t.Fatalf("row %d is a near-duplicate of an earlier row but went to %s, not %s", i, a.Names[a.Row[i]], a.Names[s])
			}
		}
		splitOf[k] = a.Row[i]
	}
	if dups < 1000 {
		t.Fatalf("only %d near-duplicate rows; the test would not exercise grouping", dups)
	}
}

func TestSplitDeterministic(t *testing.T) {
	texts, labels := zipfRows(5000, 12, 3)
	assign := func(seed uint64) Assignment {
		sp, _ := NewSplitter(SplitOptions{Test: 0.2, Dev: 0.1, Seed: seed})
		for i := range texts {
			sp.Add(texts[i], labels[i])
		}
		return sp.Assign()
	}
	a, b, c := assign(1), assign(1), assign(2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different splits")
	}
	if reflect.DeepEqual(a.Row, c.Row) {
		t.Fatal("different seeds gave the same split")
	}
}

func TestSplitMultiClassStratified(t *testing.T) {
	sp, _ := NewSplitter(SplitOptions{Test: 0.25, Seed: 5})
	for i := 0; i < 1000; i++ {
		l := "common"
		if i%10 == 0 {
			l = "rare"
		}
		sp.Add(fmt.Sprintf("text %d", i), []string{l})
	}
	st := sp.Stats(sp.Assign())
	for _, l := range st.Labels {
		if want := l.Total / 4; l.Counts[1] != want {
			t.Errorf("%s: %d in test, want exactly %d", l.Label, l.Counts[1], want)
		}
	}
}

func TestSplitOptionsValidate(t *testing.T) {
	for _, o := range []SplitOptions{{Test: 0}, {Test: 1}, {Test: 0.5, Dev: 0.5}, {Test: 0.2, Dev: -0.1}} {
		if o.Validate() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestSplitFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "notes.jsonl")
	var b strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, `{"id":"r%d","text":"note %d","labels":["%s"]}`+"\n", i, i, []string{"a", "b"}[i%2])
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	out := func(s string) string { return filepath.Join(dir, "notes."+s+".jsonl") }
	st, err := SplitFile(context.Background(), in, Options{}, SplitOptions{Test: 0.2, Dev: 0.1, Seed: 1}, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	seen := map[string]bool{}
	for j, name := range st.Names {
		recs, err := ReadAll(out(name), nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != st.Rows[j] {
			t.Fatalf("%s: %d records, stats say %d", name, len(recs), st.Rows[j])
		}
		for _, r := range recs {
			if r.Split != name || seen[r.ID] {
				t.Fatalf("record %s: split %q in %s file (or seen twice)", r.ID, r.Split, name)
			}
			seen[r.ID] = true
		}
		total += len(recs)
	}
	if total != 200 {
		t.Fatalf("%d records written, want 200", total)
	}
	// A broken input writes nothing.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"text":"a","labels":["a"]}`+"\n{oops\n"), 0o644)
	outBad := func(s string) string { return filepath.Join(dir, "bad."+s+".jsonl") }
	if _, err := SplitFile(context.Background(), bad, Options{}, SplitOptions{Test: 0.5, Seed: 1}, outBad, Options{}); err == nil || !strings.Contains(err.Error(), "bad.jsonl:2") {
		t.Fatalf("error %v, want one naming bad.jsonl:2", err)
	}
	if _, err := os.Stat(outBad("train")); !os.IsNotExist(err) {
		t.Fatal("a failed split left an output file behind")
	}
}

func TestOversample(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "train.jsonl")
	var b strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, `{"id":"c%d","text":"common %d","labels":["common"]}`+"\n", i, i)
	}
	for i := 0; i < 7; i++ {
		fmt.Fprintf(&b, `{"id":"r%d","text":"rare %d","labels":["rare","common"]}`+"\n", i, i)
	}
	fmt.Fprintf(&b, `{"id":"x0","text":"rarest","labels":["rarest"]}`+"\n")
	os.WriteFile(in, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "train.os.jsonl")
	rep, err := OversampleFile(context.Background(), in, Options{}, out, Options{}, OversampleOptions{MinPerLabel: 25, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := ReadAll(out, nil, Options{})
	counts := map[string]int{}
	copiesOf := map[string]int{}
	for _, r := range recs {
		for _, l := range r.Labels {
			counts[l]++
		}
		if i := strings.Index(r.ID, "#copy"); i > 0 {
			copiesOf[r.ID[:i]]++
		}
	}
	if counts["rare"] != 25 || counts["rarest"] != 25 || counts["common"] != 125 {
		t.Fatalf("counts after oversampling %v", counts)
	}
	if rep.RowsAdded != 18+24 || len(recs) != 108+42 {
		t.Fatalf("report says %d rows added, file has %d rows", rep.RowsAdded, len(recs))
	}
	// Copies are spread evenly over a label's rows: 18 copies over 7 rows.
	for i := 0; i < 7; i++ {
		if c := copiesOf[fmt.Sprintf("r%d", i)]; c < 2 || c > 3 {
			t.Fatalf("row r%d copied %d times; copies should be spread evenly", i, c)
		}
	}
	// Test splits are refused, by name or by mark.
	test := filepath.Join(dir, "hoc.test.jsonl")
	os.WriteFile(test, []byte(b.String()), 0o644)
	if _, err := OversampleFile(context.Background(), test, Options{}, out, Options{}, OversampleOptions{MinPerLabel: 25}); err == nil {
		t.Fatal("oversampled a file named like a test split")
	}
	marked := filepath.Join(dir, "holdout.jsonl")
	os.WriteFile(marked, []byte(`{"text":"x","labels":["a"],"split":"test"}`+"\n"), 0o644)
	if _, err := OversampleFile(context.Background(), marked, Options{}, out, Options{}, OversampleOptions{MinPerLabel: 25}); err == nil {
		t.Fatal("oversampled rows marked as test")
	}
	if _, err := OversampleFile(context.Background(), marked, Options{}, out, Options{}, OversampleOptions{MinPerLabel: 5, Force: true}); err != nil {
		t.Fatalf("--force: %v", err)
	}
}

func TestLooksLikeTestSplit(t *testing.T) {
	for name, want := range map[string]bool{
		"test.jsonl": true, "hoc.test.jsonl": true, "notes-test.csv": true, "dir/TEST_split.tsv": true,
		"train.jsonl": false, "latest.jsonl": false, "contest.csv": false, "testing-notes.jsonl": false,
	} {
		if got := LooksLikeTestSplit(name); got != want {
			t.Errorf("LooksLikeTestSplit(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSplitAndOversampleText(t *testing.T) {
	st := SplitStats{Names: []string{"train", "test"}, Rows: []int{8000, 2000},
		Labels: []SplitLabelStat{{Label: "a", Total: 9000, Counts: []int{7200, 1800}}, {Label: "long_label", Total: 1000, Counts: []int{800, 200}}}}
	var b strings.Builder
	if err := st.WriteText(&b, func(s string) string { return "x." + s + ".jsonl" }); err != nil {
		t.Fatal(err)
	}
	want := "train      8,000 rows   80.0%  x.train.jsonl\n" +
		"test       2,000 rows   20.0%  x.test.jsonl\n\n" +
		"label             all      train       test\n" +
		"a               9,000      7,200      1,800\n" +
		"long_label      1,000        800        200\n"
	if !strings.HasPrefix(b.String(), want) || !strings.Contains(b.String(), "Largest gap") {
		t.Errorf("split text:\n%s\nwant prefix:\n%s", b.String(), want)
	}
	r := &OversampleReport{Rows: 100, RowsAdded: 40, Labels: []OversampleLabel{{Label: "rare", Before: 10, Added: 40, After: 50}}}
	b.Reset()
	if err := r.WriteText(&b, "o.jsonl"); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "label     before      added      after\nrare          10         40         50\n\nadded 40 copies to 100 rows; wrote 140 rows to o.jsonl\n" {
		t.Errorf("oversample text:\n%q", got)
	}
}
