package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/sharedtest"
)

// rougeCase is one line of ../shared/fixtures/rouge/cases.jsonl.
type rougeCase struct {
	ID         string              `json:"id"`
	Target     string              `json:"target"`
	Prediction string              `json:"prediction"`
	UseStemmer bool                `json:"use_stemmer"`
	Note       string              `json:"note"`
	Scores     map[RougeType]Score `json:"scores"`
}

func readRougeCases(t testing.TB) []rougeCase {
	t.Helper()
	path := sharedtest.Path(t, "fixtures", "rouge", "cases.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rougeCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c rougeCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("cases.jsonl:%d: %v", len(out)+1, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRougeFixtures reproduces every value rouge-score 0.1.2 computed for
// the shared fixture cases, within 1e-12.
func TestRougeFixtures(t *testing.T) {
	cases := readRougeCases(t)
	if len(cases) < 1000 {
		t.Fatalf("only %d cases", len(cases))
	}
	scorers := map[bool]*RougeScorer{}
	for _, stem := range []bool{false, true} {
		s, err := NewRougeScorer(RougeOptions{Stemmer: stem})
		if err != nil {
			t.Fatal(err)
		}
		scorers[stem] = s
	}
	bad := 0
	for _, c := range cases {
		got := scorers[c.UseStemmer].Score(c.Target, c.Prediction)
		for _, typ := range DefaultRougeTypes() {
			want, ok := c.Scores[typ]
			if !ok {
				t.Fatalf("%s: fixture lacks %s", c.ID, typ)
			}
			g := got[typ]
			if !close12(g.Precision, want.Precision) || !close12(g.Recall, want.Recall) || !close12(g.FMeasure, want.FMeasure) {
				bad++
				if bad <= 15 {
					t.Errorf("%s (%s) %s: got %+v, want %+v", c.ID, c.Note, typ, g, want)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d values differ", bad, len(cases)*4)
	}
}

func close12(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// TestRougeNBruteForce checks rouge1 to rouge9 against n-grams counted
// with string keys, on random texts over a small vocabulary (many repeats).
func TestRougeNBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	vocab := []string{"no", "acute", "effusion", "lungs", "clear", "no", "acute"}
	text := func() string {
		var w []string
		for range rng.IntN(40) {
			w = append(w, vocab[rng.IntN(len(vocab))])
		}
		return strings.Join(w, " ")
	}
	var types []RougeType
	for n := 1; n <= 9; n++ {
		types = append(types, RougeType(fmt.Sprintf("rouge%d", n)))
	}
	s, err := NewRougeScorer(RougeOptions{Types: types})
	if err != nil {
		t.Fatal(err)
	}
	count := func(toks []string, n int) map[string]int {
		m := map[string]int{}
		for i := 0; i+n <= len(toks); i++ {
			m[strings.Join(toks[i:i+n], "\x00")]++
		}
		return m
	}
	for range 300 {
		ref, pred := text(), text()
		got := s.Score(ref, pred)
		rt, pt := strings.Fields(ref), strings.Fields(pred)
		for n := 1; n <= 9; n++ {
			cr, cp := count(rt, n), count(pt, n)
			inter, nr, np := 0, 0, 0
			for k, v := range cr {
				inter += min(v, cp[k])
				nr += v
			}
			for _, v := range cp {
				np += v
			}
			want := newScore(float64(inter)/float64(max(np, 1)), float64(inter)/float64(max(nr, 1)))
			if g := got[types[n-1]]; g != want {
				t.Fatalf("rouge%d(%q, %q) = %+v, want %+v", n, ref, pred, g, want)
			}
		}
	}
}

func TestScoreMultiBestPerType(t *testing.T) {
	s, err := NewRougeScorer(RougeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	refs := []string{"lungs are clear", "no acute effusion of the lungs", "clear lungs no effusion"}
	pred := "no effusion lungs clear"
	got := s.ScoreMulti(refs, pred)
	for _, typ := range DefaultRougeTypes() {
		best := Score{FMeasure: -1}
		for _, r := range refs {
			if sc := s.Score(r, pred)[typ]; sc.FMeasure > best.FMeasure {
				best = sc
			}
		}
		if got[typ] != best {
			t.Errorf("%s: ScoreMulti = %+v, want the best single %+v", typ, got[typ], best)
		}
	}
	if z := s.ScoreMulti(nil, pred); z[Rouge1] != (Score{}) {
		t.Errorf("no references: %+v", z)
	}
}

func TestSplitSentencesEqualsNewlines(t *testing.T) {
	split := func(s string) []string { return strings.SplitAfter(s, ". ") }
	withSplit, err := NewRougeScorer(RougeOptions{SplitSentences: split, Stemmer: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := NewRougeScorer(RougeOptions{Stemmer: true})
	ref := "No acute process. Lungs are clear. Heart size normal."
	pred := "Lungs clear. No acute process. Normal heart."
	a := withSplit.Score(ref, pred)
	b := plain.Score(strings.ReplaceAll(ref, ". ", ".\n"), strings.ReplaceAll(pred, ". ", ".\n"))
	if a[RougeLsum] != b[RougeLsum] || a[RougeL] != b[RougeL] || a[Rouge2] != b[Rouge2] {
		t.Errorf("split %+v != newline-joined %+v", a, b)
	}
	if a[RougeLsum] == a[RougeL] {
		t.Errorf("rougeLsum should differ from rougeL on reordered sentences: %+v", a)
	}
}

func TestRougeTypesFlag(t *testing.T) {
	var v RougeTypes
	if err := v.Set("rouge1, rougeLsum"); err != nil || v.String() != "rouge1,rougeLsum" {
		t.Errorf("Set: %v %q", err, v.String())
	}
	if err := v.Set("rougeX"); err == nil || v.String() != "rouge1,rougeLsum" {
		t.Errorf("bad type: %v, left %q", err, v.String())
	}
}
