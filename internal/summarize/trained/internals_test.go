package trained

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/text"
)

func TestWordTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Normal chest x-XXXX.", []string{"normal", "chest", "xxxx"}},
		{"A 3.5 cm nodule", []string{"cm", "nodule"}},
		{"T12-L1 snake_case Été", []string{"t12", "l1", "snake_case", "été"}},
		{"a b c de", []string{"de"}},
	}
	for _, tt := range tests {
		if got := wordTokens(nil, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("wordTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTFIDFMatchesScikitLearn checks the vectorizer against values worked
// out by hand with scikit-learn's formulas: smooth idf ln((1+n)/(1+df))+1,
// raw or sublinear tf, L2 norm.
func TestTFIDFMatchesScikitLearn(t *testing.T) {
	docs := []string{"left effusion", "right effusion effusion"}
	v := fitTFIDF(docs, tfidfOptions{MaxN: 1})
	idfShared := math.Log(3.0/3.0) + 1 // "effusion" in both documents
	idfOne := math.Log(3.0/2.0) + 1    // "left", "right"
	vec := v.transform("right effusion effusion")
	got := map[string]float64{}
	for k, id := range vec.idx {
		got[v.terms[id]] = float64(vec.val[k])
	}
	norm := math.Sqrt(idfOne*idfOne + 4*idfShared*idfShared)
	want := map[string]float64{"right": idfOne / norm, "effusion": 2 * idfShared / norm}
	for term, w := range want {
		if math.Abs(got[term]-w) > 1e-6 {
			t.Errorf("%s: %.6f, want %.6f", term, got[term], w)
		}
	}
	if len(got) != 2 {
		t.Errorf("terms %v", got)
	}
	sub := fitTFIDF(docs, tfidfOptions{MaxN: 2, Sublinear: true})
	sv := sub.transform("right effusion effusion")
	for k, id := range sv.idx {
		if sub.terms[id] == "effusion" {
			w := (1 + math.Log(2)) * idfShared
			all := math.Sqrt(w*w + idfOne*idfOne + 2*math.Pow(math.Log(3.0/2.0)+1, 2)) // right, effusion, "right effusion", "effusion effusion"
			if math.Abs(float64(sv.val[k])-w/all) > 1e-6 {
				t.Errorf("sublinear effusion weight %.6f, want %.6f", sv.val[k], w/all)
			}
		}
	}
	if d := dot(vec, vec); math.Abs(d-1) > 1e-6 {
		t.Errorf("vectors are not unit length: %v", d)
	}
	if z := v.transform("unknown words only"); len(z.idx) != 0 {
		t.Errorf("out-of-vocabulary text got %v", z)
	}
	// The inverted index gives the same cosines as dot products.
	vecs := []sparse{v.transform(docs[0]), v.transform(docs[1])}
	ix := newIndex(vecs, len(v.terms))
	scores := make([]float64, 2)
	q := v.transform("left effusion")
	ix.scores(q, scores)
	for i := range vecs {
		if math.Abs(scores[i]-dot(q, vecs[i])) > 1e-9 {
			t.Errorf("index score %d = %v, dot = %v", i, scores[i], dot(q, vecs[i]))
		}
	}
}

func TestListwiseForestLearnsRanking(t *testing.T) {
	// Each query has 6 candidates; the target is high for candidates
	// whose feature 0 is largest and feature 1 is below 0.5 (an
	// interaction a linear model cannot learn).
	d := &rankData{Group: []int{0}}
	rng := func(i int) float32 { return float32((i*7919)%101) / 100 }
	for q := 0; q < 300; q++ {
		for c := 0; c < 6; c++ {
			x0, x1 := rng(q*6+c), rng(q*6+c+13)
			target := 0.0
			if x1 < 0.5 {
				target = float64(x0)
			}
			d.X = append(d.X, []float32{x0, x1, rng(q*6 + c + 29)})
			d.Target = append(d.Target, target)
		}
		d.Group = append(d.Group, len(d.X))
	}
	f, err := trainListwise(context.Background(), d, 0.05, boostOptions{Trees: 100, Depth: 3, LearningRate: 0.1, MinLeaf: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for q := 0; q+1 < len(d.Group); q++ {
		best, bestS, bestT := -1, math.Inf(-1), -1.0
		for i := d.Group[q]; i < d.Group[q+1]; i++ {
			if s := f.predict(d.X[i]); s > bestS {
				best, bestS = i, s
			}
			bestT = math.Max(bestT, d.Target[i])
		}
		if d.Target[best] == bestT {
			right++
		}
	}
	if frac := float64(right) / 300; frac < 0.9 {
		t.Fatalf("forest picks the best candidate in %.2f of queries, want >= 0.9", frac)
	}
	splits := f.featureSplits(3)
	if splits[0] == 0 || splits[1] == 0 || splits[2] > splits[0] {
		t.Fatalf("splits per feature %v: the noise feature should matter least", splits)
	}
}

// TestGuard checks the faithfulness guard on hand-made candidates: what
// the source does not back is removed, and a candidate that omits the
// source's critical finding goes when another keeps it.
func TestGuard(t *testing.T) {
	m := &Model{checker: clinical.NewChecker(nil)}
	src := "There is a small right apical pneumothorax. No pleural effusion. Heart size is normal."
	q := &query{m: m, srcDoc: m.checker.Extractor().Extract(src)}
	for _, text := range []string{
		"No acute cardiopulmonary abnormality.", // a normal template over a critical finding
		"Small left apical pneumothorax.",       // the other side
		"Right pleural effusion.",               // denied by the source
		"Stable right pneumothorax.",            // a comparison the source never made
		"Small right apical pneumothorax.",      // faithful
		"No pleural effusion.",                  // faithful, but omits the pneumothorax
	} {
		q.cands = append(q.cands, candidate{text: text, summary: -1})
	}
	removed := q.guard()
	var kept []string
	for _, c := range q.cands {
		kept = append(kept, c.text)
	}
	if want := []string{"Small right apical pneumothorax."}; !reflect.DeepEqual(kept, want) || removed != 5 {
		t.Fatalf("guard kept %q (removed %d), want %q (removed 5)", kept, removed, want)
	}
	if i, ok := q.seen[candidateKey(kept[0])]; !ok || i != 0 {
		t.Fatalf("candidate index not rebuilt: %v", q.seen)
	}
	// With no candidate that keeps the critical finding, faithful ones
	// that omit it stay (the summarizer must say something).
	q.cands = []candidate{{text: "No pleural effusion.", summary: -1}, {text: "Left pneumothorax.", summary: -1}}
	q.guard()
	if len(q.cands) != 1 || q.cands[0].text != "No pleural effusion." {
		t.Fatalf("guard kept %+v", q.cands)
	}
}

func TestSupport(t *testing.T) {
	c := clinical.NewChecker(nil)
	r := c.Check("Small right pleural effusion. Right upper lobe mass.", "Right pleural effusion. Right upper lobe nodule.")
	if !r.Faithful() {
		t.Fatalf("a nodule is backed by a mass: %v", r.Issues)
	}
	if s := support(r); math.Abs(s-0.5) > 1e-9 {
		t.Errorf("support = %v, want 1/2 (effusion named as in the source, nodule only related to the mass)", s)
	}
	if s := support(c.Check("Lungs are clear.", "No acute disease.")); s != 1 {
		t.Errorf("support of a summary stating nothing = %v, want 1", s)
	}
}

func TestSwapSides(t *testing.T) {
	for in, want := range map[string]string{
		"Left apical pneumothorax.":         "Right apical pneumothorax.",
		"Small right and LEFT effusions.":   "Small left and RIGHT effusions.",
		"Leftover rightward text, no sides": "Leftover rightward text, no sides",
	} {
		if got := swapSides(in); got != want {
			t.Errorf("swapSides(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompressSentence(t *testing.T) {
	for in, want := range map[string]string{
		"There is a small right pleural effusion.":  "Small right pleural effusion.",
		"There is no pleural effusion.":             "No pleural effusion.",
		"2. Calcified granuloma is noted.":          "Calcified granuloma.",
		"Pneumothorax is not seen.":                 "Pneumothorax is not seen.",
		"There are no XXXX of a pleural effusion.":  "No XXXX of a pleural effusion.",
		"Mild cardiomegaly.":                        "Mild cardiomegaly.",
		"There is":                                  "There is",
		"There is evidence of a left-sided lesion.": "A left-sided lesion.",
	} {
		if got := compressSentence(in); got != want {
			t.Errorf("compressSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCompressSentence(f *testing.F) {
	for _, s := range []string{"There is no effusion.", "Pneumothorax is not seen.", "1. There are no XXXX is noted.", "there is ", "3) x is seen"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := compressSentence(s)
		if !sameCues(s, out) {
			t.Fatalf("compressSentence(%q) = %q changed the negation cues", s, out)
		}
		if len(out) > len(s)+3 {
			t.Fatalf("compressSentence(%q) = %q grew", s, out)
		}
	})
}

// FuzzLoad feeds mutated model.bin files (with matching checksums, so the
// decoder and the consistency checks are what is exercised) to Load: it
// must return an error or a model that can summarize, never panic.
func FuzzLoad(f *testing.F) {
	m, err := trainedForFuzz()
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	good := filepath.Join(dir, "good")
	if err := m.Save(good); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(good, dataName))
	meta, _ := os.ReadFile(filepath.Join(good, metadataName))
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := t.TempDir()
		fs := modeldir.Sum(b)
		mb := bytes.Replace(meta, []byte(modeldir.Sum(data).SHA256), []byte(fs.SHA256), 1)
		mb = bytes.Replace(mb, []byte(`"bytes": `+strconv.Itoa(len(data))), []byte(`"bytes": `+strconv.Itoa(len(b))), 1)
		os.WriteFile(filepath.Join(d, dataName), b, 0o644)
		os.WriteFile(filepath.Join(d, metadataName), mb, 0o644)
		rewriteSums(t, d)
		lm, err := Load(d)
		if err != nil {
			return
		}
		if _, err := lm.Summarize(context.Background(), synthDoc); err != nil && !strings.Contains(err.Error(), "no words") {
			t.Fatalf("loaded model fails: %v", err)
		}
	})
}

var synthDoc = summarize.Document{ID: "fuzz", Text: "The heart size is normal. There is a small left pleural effusion."}

func trainedForFuzz() (*Model, error) {
	m, _, err := Train(context.Background(), syntheticReports(40, 9), Options{Trees: 5, CVFolds: 2}, nil)
	return m, err
}

// TestSentenceFeaturesMarkNegation: a negated word is a different feature
// from the same word affirmed.
func TestSentenceFeaturesMarkNegation(t *testing.T) {
	d := analyzeDocument("No pleural effusion. Small pleural effusion.")
	a := sentenceFeatures(nil, sentenceHashBits, d.words[0], d.negated[0], text.SectionNone, 0, 2)
	b := sentenceFeatures(nil, sentenceHashBits, d.words[1], d.negated[1], text.SectionNone, 0, 2)
	shared := 0
	set := map[uint32]bool{}
	for _, x := range a {
		set[x] = true
	}
	for _, x := range b {
		if set[x] {
			shared++
		}
	}
	// Only bias, section, position, length and the bigram "pleural
	// effusion" may be shared; the unigrams differ by negation.
	if shared > 5 {
		t.Fatalf("negated and affirmed sentences share %d features", shared)
	}
	if !d.negated[0][1] || d.negated[1][1] {
		t.Fatalf("negation marks %v %v", d.negated[0], d.negated[1])
	}
}

func TestAnalyzeDocumentSections(t *testing.T) {
	d := analyzeDocument("INDICATION: Cough.\nCOMPARISON: Prior film from last year.\nFINDINGS:\nHeart normal. Small left effusion.\nIMPRESSION:\nEffusion.")
	if !d.hasFindings || !strings.Contains(d.retrieval, "Small left effusion.") || strings.Contains(d.retrieval, "Cough") {
		t.Fatalf("retrieval text %q", d.retrieval)
	}
	var extract []string
	for i := range d.sents {
		if d.extractable(i) {
			extract = append(extract, d.sents[i].Text)
		}
	}
	if strings.Contains(strings.Join(extract, "|"), "Prior film") {
		t.Fatalf("comparison sentence extractable: %q", extract)
	}
}

// TestKeepPolicy checks Options.Keep auto follows the training references:
// a kind of finding is kept when at least a third of the references whose
// source states one keep them all.
func TestKeepPolicy(t *testing.T) {
	cov := func(crit, critKept, rep, repKept int) []keepCoverage {
		var out []keepCoverage
		for i := 0; i < crit; i++ {
			out = append(out, keepCoverage{critical: true, criticalKept: i < critKept})
		}
		for i := 0; i < rep; i++ {
			out = append(out, keepCoverage{reportable: true, reportableKept: i < repKept})
		}
		return append(out, keepCoverage{}) // a source with neither
	}
	for _, tt := range []struct {
		name  string
		given KeepPolicy
		cov   []keepCoverage
		want  KeepPolicy
	}{
		{"impressions keep both", KeepAuto, cov(10, 6, 20, 9), KeepReportable},
		{"descriptions keep neither", KeepAuto, cov(10, 2, 20, 1), KeepNone},
		{"critical only", KeepAuto, cov(3, 3, 30, 3), KeepCritical},
		{"no critical sources", KeepAuto, cov(0, 0, 9, 3), KeepReportable},
		{"given wins", KeepNone, cov(10, 10, 10, 10), KeepNone},
		{"unset is auto", "", cov(10, 10, 10, 0), KeepCritical},
	} {
		m := &Model{opts: Options{Keep: tt.given}}
		rep := &TrainReport{}
		m.resolveKeep(tt.cov, rep)
		if m.opts.Keep != tt.want || rep.Keep != tt.want {
			t.Errorf("%s: keep %q (report %q), want %q", tt.name, m.opts.Keep, rep.Keep, tt.want)
		}
	}
	rep := &TrainReport{}
	(&Model{opts: Options{Keep: KeepAuto}}).resolveKeep(cov(4, 1, 0, 0), rep)
	if rep.KeepCritical.Count != 1 || rep.KeepCritical.N != 4 || rep.KeepCritical.Share != 0.25 || rep.KeepReportable.N != 0 {
		t.Errorf("report %+v %+v", rep.KeepCritical, rep.KeepReportable)
	}
	if _, err := ParseKeepPolicy("everything"); err == nil {
		t.Error("ParseKeepPolicy accepted an unknown policy")
	}
	if err := (Options{Keep: "most"}).Validate(); err == nil {
		t.Error("Validate accepted an unknown keep policy")
	}
}
