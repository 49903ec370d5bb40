package predict

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/dataset"
)

// Small models trained once on made-up sentences.
var (
	modelsOnce sync.Once
	models     map[dataset.Mode]*classify.Model
	modelsErr  error
)

func model(t testing.TB, mode dataset.Mode) *classify.Model {
	t.Helper()
	modelsOnce.Do(func() {
		models = map[dataset.Mode]*classify.Model{}
		for _, mode := range []dataset.Mode{dataset.ModeBinary, dataset.ModeMultiLabel, dataset.ModeMultiClass} {
			m, err := train(mode)
			if err != nil {
				modelsErr = fmt.Errorf("%s: %w", mode, err)
				return
			}
			models[mode] = m
		}
	})
	if modelsErr != nil {
		t.Fatal(modelsErr)
	}
	return models[mode]
}

var words = map[string]string{"rash": "developed a rash", "cough": "has a dry cough", "fever": "runs a fever"}

func train(mode dataset.Mode) (*classify.Model, error) {
	var recs []dataset.Record
	for i := range 90 {
		switch mode {
		case dataset.ModeBinary:
			if i%3 == 0 {
				recs = append(recs, dataset.Record{Text: fmt.Sprintf("patient %d developed a rash after the drug", i), Labels: []string{"ae"}})
			} else {
				recs = append(recs, dataset.Record{Text: fmt.Sprintf("patient %d walked in the hall", i), Labels: []string{"not_ae"}})
			}
		case dataset.ModeMultiClass:
			l := []string{"rash", "cough", "fever"}[i%3]
			recs = append(recs, dataset.Record{Text: fmt.Sprintf("patient %d %s", i, words[l]), Labels: []string{l}})
		case dataset.ModeMultiLabel:
			var labels, parts []string
			for k, l := range []string{"rash", "cough", "fever"} {
				if (i>>k)&1 == 1 {
					labels = append(labels, l)
					parts = append(parts, words[l])
				}
			}
			recs = append(recs, dataset.Record{Text: fmt.Sprintf("patient %d %s", i, strings.Join(parts, " and ")), Labels: labels})
		}
	}
	cfg := classify.DefaultTrainConfig(mode)
	cfg.Workers = 1
	m, _, err := classify.Train(context.Background(), cfg, &sliceReader{recs: recs}, nil)
	return m, err
}

// sliceReader reads records from a slice, numbering their lines; after
// failAt records (when > 0) it returns err.
type sliceReader struct {
	recs   []dataset.Record
	i      int
	failAt int
	err    error
}

func (r *sliceReader) Read() (dataset.Record, error) {
	if r.failAt > 0 && r.i == r.failAt {
		return dataset.Record{}, r.err
	}
	if r.i == len(r.recs) {
		return dataset.Record{}, io.EOF
	}
	rec := r.recs[r.i]
	r.i++
	if rec.Line == 0 {
		rec.Line = r.i
	}
	return rec, nil
}

func docs(n int) []dataset.Record {
	out := make([]dataset.Record, n)
	texts := []string{"she developed a rash", "walked in the hall", "has a dry cough and runs a fever", "nothing at all"}
	for i := range out {
		out[i] = dataset.Record{ID: fmt.Sprintf("d%d", i), Text: fmt.Sprintf("%s %d", texts[i%len(texts)], i)}
	}
	return out
}

type oslerLine struct {
	ID     string             `json:"id"`
	Labels []string           `json:"labels"`
	Scores map[string]float64 `json:"scores"`
}

// Run writes one line per record in input order, over several batches
// and workers, with the labels and scores the model gives.
func TestRunOslerFormat(t *testing.T) {
	for _, mode := range []dataset.Mode{dataset.ModeBinary, dataset.ModeMultiLabel, dataset.ModeMultiClass} {
		t.Run(string(mode), func(t *testing.T) {
			m := model(t, mode)
			recs := docs(3*BatchSize + 7)
			recs[5].ID = "" // written as its line number
			var out bytes.Buffer
			n, err := Run(context.Background(), m, &sliceReader{recs: recs}, &out, Options{Threshold: -1, Workers: 4})
			if err != nil || n != len(recs) {
				t.Fatalf("Run = %d, %v; want %d records", n, err, len(recs))
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(recs) {
				t.Fatalf("%d lines, want %d", len(lines), len(recs))
			}
			labels := m.Labels()
			var idx []int
			for i, l := range lines {
				var got oslerLine
				if err := json.Unmarshal([]byte(l), &got); err != nil {
					t.Fatalf("line %d %q: %v", i, l, err)
				}
				wantID := recs[i].ID
				if wantID == "" {
					wantID = "6"
				}
				scores := m.Scores(recs[i].Text)
				idx = m.Decide(idx[:0], scores, -1)
				var want []string
				for _, k := range idx {
					want = append(want, labels[k])
				}
				if got.ID != wantID || !slices.Equal(got.Labels, want) && len(want)+len(got.Labels) > 0 {
					t.Fatalf("line %d = %s; want id %q, labels %v", i, l, wantID, want)
				}
				for k, lb := range labels {
					if got.Scores[lb] != scores[k] {
						t.Fatalf("line %d: score of %s = %v, want %v", i, lb, got.Scores[lb], scores[k])
					}
				}
			}
		})
	}
}

// The line shapes, byte for byte, from a hand-made result.
func TestEncoderAppend(t *testing.T) {
	m := model(t, dataset.ModeMultiLabel) // labels cough, fever, rash
	if got := m.Labels(); !slices.Equal(got, []string{"cough", "fever", "rash"}) {
		t.Fatalf("labels %v", got)
	}
	r := &Result{Scores: []float64{0.25, 0.75, 0.75}, Labels: []int{1, 2}}
	rec := &dataset.Record{ID: `a"<b>é`, Line: 3}
	got := string(NewEncoder(m, FormatOsler, "x.jsonl").Append([]byte("prefix "), rec, r))
	want := `prefix {"id":"a\"<b>é","labels":["fever","rash"],"scores":{"cough":0.25,"fever":0.75,"rash":0.75}}` + "\n"
	if got != want {
		t.Errorf("osler:\n got %s\nwant %s", got, want)
	}
	got = string(NewEncoder(m, FormatComprehend, "dir/notes.txt").Append(nil, rec, r))
	want = `{"File":"notes.txt","Line":"2","Labels":[{"Name":"fever","Score":0.75},{"Name":"rash","Score":0.75},{"Name":"cough","Score":0.25}],"Predicted":["fever","rash"]}` + "\n"
	if got != want {
		t.Errorf("comprehend:\n got %s\nwant %s", got, want)
	}
	bin := model(t, dataset.ModeBinary)
	r = &Result{Scores: []float64{0.9, 0.1}, Labels: nil}
	got = string(NewEncoder(bin, FormatComprehend, "-").Append(nil, &dataset.Record{Line: 1}, r))
	want = `{"File":"stdin","Line":"0","Classes":[{"Name":"ae","Score":0.9},{"Name":"not_ae","Score":0.1}],"Predicted":[]}` + "\n"
	if got != want {
		t.Errorf("comprehend, binary, stdin:\n got %s\nwant %s", got, want)
	}
	got = string(NewEncoder(bin, "", "").Append(nil, &dataset.Record{Line: 12}, r))
	if want := `{"id":"12","labels":[],"scores":{"ae":0.9,"not_ae":0.1}}` + "\n"; got != want {
		t.Errorf("zero format, no id:\n got %s\nwant %s", got, want)
	}
}

func TestResultRanked(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		scores        []float64
		decided       []int
		decidedFirst  bool
		want          []int
		wantIsDecided []bool
	}{
		{[]float64{0.1, 0.5, 0.3}, []int{0}, false, []int{1, 2, 0}, []bool{true, false, false}},
		{[]float64{0.1, 0.5, 0.3}, []int{0}, true, []int{0, 1, 2}, []bool{true, false, false}},
		{[]float64{0.5, 0.5, 0.5, 0.6}, nil, false, []int{3, 0, 1, 2}, []bool{false, false, false, false}}, // ties keep label order
		{[]float64{0.2, 0.9, 0.4, 0.8}, []int{0, 2}, true, []int{2, 0, 1, 3}, []bool{true, false, true, false}},
		{[]float64{nan, 0.5}, nil, false, []int{0, 1}, []bool{false, false}}, // NaN moves nothing
		{nil, nil, true, []int{}, []bool{}},
	} {
		r := &Result{Scores: tc.scores, Labels: tc.decided}
		got := r.Ranked(tc.decidedFirst)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Ranked(%v) of %v decided %v = %v, want %v", tc.decidedFirst, tc.scores, tc.decided, got, tc.want)
		}
		for i, w := range tc.wantIsDecided {
			if r.IsDecided(i) != w {
				t.Errorf("%v decided %v: IsDecided(%d) = %v", tc.scores, tc.decided, i, !w)
			}
		}
	}
	// Buffers are reused: a second, shorter ranking forgets the first.
	r := &Result{Scores: []float64{0.1, 0.9, 0.5}, Labels: []int{1}}
	r.Ranked(true)
	r.Scores, r.Labels = []float64{0.3, 0.7}, []int{0}
	if got := r.Ranked(true); !slices.Equal(got, []int{0, 1}) || !r.IsDecided(0) || r.IsDecided(1) {
		t.Errorf("reused: %v", got)
	}
}

// A threshold for every label overrides the model's thresholds.
func TestRunThreshold(t *testing.T) {
	m := model(t, dataset.ModeMultiLabel)
	recs := docs(20)
	for _, tc := range []struct {
		threshold float64
		want      func(n int) bool
	}{
		{0, func(n int) bool { return n == 3 }},
		{1.0000001, func(n int) bool { return n == 0 }},
	} {
		var out bytes.Buffer
		if _, err := Run(context.Background(), m, &sliceReader{recs: recs}, &out, Options{Threshold: tc.threshold, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var got oslerLine
			if err := json.Unmarshal([]byte(l), &got); err != nil || !tc.want(len(got.Labels)) {
				t.Errorf("threshold %v: %s (%v)", tc.threshold, l, err)
			}
		}
	}
}

type recorder struct {
	mu     sync.Mutex
	stages []string
	added  int
}

func (r *recorder) Stage(name string, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stages = append(r.stages, fmt.Sprintf("%s/%d", name, total))
}

func (r *recorder) Add(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.added += n
}

func TestRunProgress(t *testing.T) {
	rec := &recorder{}
	n, err := Run(context.Background(), model(t, dataset.ModeBinary), &sliceReader{recs: docs(BatchSize + 3)}, io.Discard, Options{Threshold: -1, Workers: 2, Progress: rec})
	if err != nil || n != BatchSize+3 {
		t.Fatal(n, err)
	}
	if !slices.Equal(rec.stages, []string{"predicting/-1"}) || rec.added != n {
		t.Errorf("stages %v, added %d; want one stage and %d records", rec.stages, rec.added, n)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestRunErrors(t *testing.T) {
	m := model(t, dataset.ModeBinary)
	bad := errors.New("disk on fire")
	for _, workers := range []int{1, 3} {
		_, err := Run(context.Background(), m, &sliceReader{recs: docs(2000), failAt: 1500, err: bad}, io.Discard, Options{Threshold: -1, Workers: workers})
		if !errors.Is(err, bad) {
			t.Errorf("workers %d: read error: %v", workers, err)
		}
		// The buffer fills past 256 KiB before the first write reaches w.
		_, err = Run(context.Background(), m, &sliceReader{recs: docs(5000)}, failWriter{bad}, Options{Threshold: -1, Workers: workers})
		if !errors.Is(err, bad) || !strings.HasPrefix(err.Error(), "predict: ") {
			t.Errorf("workers %d: write error: %v", workers, err)
		}
		// A small output fails on the final flush.
		_, err = Run(context.Background(), m, &sliceReader{recs: docs(3)}, failWriter{bad}, Options{Threshold: -1, Workers: workers})
		if !errors.Is(err, bad) {
			t.Errorf("workers %d: flush error: %v", workers, err)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	n, err := Run(ctx, model(t, dataset.ModeBinary), &sliceReader{recs: docs(100)}, &out, Options{Threshold: -1, Workers: 2})
	if !errors.Is(err, context.Canceled) || n != 0 || out.Len() != 0 {
		t.Errorf("cancelled: %d records, %v, %d bytes written", n, err, out.Len())
	}
}

func TestFormatSet(t *testing.T) {
	var f Format
	for _, s := range []string{"osler", "comprehend"} {
		if err := f.Set(s); err != nil || f.String() != s {
			t.Errorf("Set(%q): %v, %q", s, err, f)
		}
	}
	if err := f.Set("xml"); err == nil || err.Error() != `predict: --format "xml": want osler or comprehend` || f != FormatComprehend {
		t.Errorf("Set(xml): %v, format now %q", err, f)
	}
}

func TestParseDecision(t *testing.T) {
	for _, tc := range []struct {
		thresholds string
		threshold  float64
		want       Decision
		err        string
	}{
		{"", -1, Decision{Threshold: -1}, ""},
		{"", 0.3, Decision{Threshold: 0.3}, ""},
		{"0.7", -1, Decision{Threshold: 0.7}, ""},
		{"th.json", -1, Decision{Threshold: -1, ThresholdsFile: "th.json"}, ""},
		{"0.7", 0.2, Decision{}, "give --thresholds or --threshold, not both"},
		{"-0.5", -1, Decision{}, "--thresholds -0.5: scores are between 0 and 1"},
		{"", 1.5, Decision{}, "--threshold 1.5: scores are between 0 and 1"},
		{"NaN", -1, Decision{}, "--threshold NaN: scores are between 0 and 1"},
	} {
		d, err := ParseDecision(tc.thresholds, tc.threshold)
		if tc.err != "" {
			var oe *config.OptionError
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &oe) {
				t.Errorf("ParseDecision(%q, %v) = %v, want an OptionError with %q", tc.thresholds, tc.threshold, err, tc.err)
			}
			continue
		}
		if err != nil || d != tc.want {
			t.Errorf("ParseDecision(%q, %v) = %+v, %v; want %+v", tc.thresholds, tc.threshold, d, err, tc.want)
		}
	}
}

func TestDecisionApply(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ml := model(t, dataset.ModeMultiLabel)
	got, err := Decision{Threshold: -1, ThresholdsFile: file("th.json", `{"cough": 0.1, "fever": 0.2, "rash": 0.3}`)}.Apply(ctx, ml, "ml")
	if err != nil || !slices.Equal(got.Thresholds(), []float64{0.1, 0.2, 0.3}) || slices.Equal(ml.Thresholds(), got.Thresholds()) {
		t.Fatalf("Apply: %v, %v (model's %v)", got.Thresholds(), err, ml.Thresholds())
	}
	if got, err := (Decision{Threshold: 0.4}).Apply(ctx, ml, "ml"); got != ml || err != nil {
		t.Errorf("a single threshold returns the model itself: %v", err)
	}
	var oe *config.OptionError
	mc := model(t, dataset.ModeMultiClass)
	if _, err := (Decision{Threshold: 0.4}).Apply(ctx, mc, "mc-model"); !errors.As(err, &oe) || !strings.Contains(err.Error(), "mc-model is a multi-class model") {
		t.Errorf("multi-class with a threshold: %v", err)
	}
	if got, err := (Decision{Threshold: -1}).Apply(ctx, mc, "mc"); got != mc || err != nil {
		t.Errorf("multi-class with its own decision: %v", err)
	}
	if _, err := (Decision{Threshold: -1, ThresholdsFile: filepath.Join(dir, "none.json")}).Apply(ctx, ml, "ml"); !errors.As(err, &oe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for name, body := range map[string]string{"garbage.json": "not json", "unknown.json": `{"cough": 0.1, "fever": 0.2, "rash": 0.3, "nope": 0.5}`, "short.json": `{"cough": 0.1}`} {
		_, err := Decision{Threshold: -1, ThresholdsFile: file(name, body)}.Apply(ctx, ml, "ml")
		if err == nil || errors.As(err, &oe) || !strings.HasPrefix(err.Error(), "predict: ") {
			t.Errorf("%s: %v; want an error that is not the caller's options", name, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (Decision{Threshold: -1}).Apply(cancelled, ml, "ml"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
