package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/synth"
)

// multiLabelServer trains a small multi-label classifier on synthetic
// clinic notes, serves its directory, and returns the model, some notes
// and the server's URL.
func multiLabelServer(t *testing.T) (*classify.Model, []string, string) {
	t.Helper()
	ctx := context.Background()
	var recs []dataset.Record
	err := synth.Generate(ctx, synth.Options{Kind: synth.KindMultiLabel, Seed: 9}, 400, func(s synth.Sample) error {
		recs = append(recs, s.Record)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var jsonl bytes.Buffer
	w := dataset.NewJSONLWriter(&jsonl, dataset.KindClassification)
	for _, r := range recs[:300] {
		w.Write(r)
	}
	w.Flush()
	cfg := classify.DefaultTrainConfig(dataset.ModeMultiLabel)
	cfg.CGrid = []float64{4}
	cfg.Features.HashBits = 16
	m, _, err := classify.Train(ctx, cfg, dataset.NewJSONLReader(&jsonl, "train.jsonl", dataset.Options{}), recs[300:])
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "problems")
	if err := m.Save(dir, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := New(ctx, Config{ModelDir: dir, NoAuth: true, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ts := newHTTPTestServer(t, srv)
	t.Cleanup(srv.Close)
	var texts []string
	for _, r := range recs[300:] {
		texts = append(texts, r.Text)
	}
	// A text that mentions no problem at all.
	texts = append(texts, "Patient seen today. Vitals reviewed. Follow up in one year.")
	return m, texts, ts.URL
}

// TestMultiLabelDecisions checks that /invocations and /v1/classify return
// every label a multi-label model predicts, in the shapes the contract
// has, with "labels" added to a batch's objects.
func TestMultiLabelDecisions(t *testing.T) {
	m, texts, url := multiLabelServer(t)
	labels := m.Labels()
	// decided returns the labels the model predicts for text, best first.
	decided := func(text string) []string {
		sc := m.Scores(text)
		idx := m.Decide(nil, sc, -1)
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case sc[a] > sc[b]:
				return -1
			case sc[a] < sc[b]:
				return 1
			}
			return a - b
		})
		out := []string{}
		for _, i := range idx {
			out = append(out, labels[i])
		}
		return out
	}
	post := func(body string) []byte {
		t.Helper()
		resp, err := http.Post(url+"/invocations", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%d: %s", resp.StatusCode, b)
		}
		return b
	}
	several, none := 0, 0
	quoted := make([]string, len(texts))
	for i, text := range texts {
		b, _ := json.Marshal(text)
		quoted[i] = string(b)
		want := decided(text)
		switch {
		case len(want) >= 2:
			several++
		case len(want) == 0:
			none++
		}
		var got []api.LabelScore
		if err := json.Unmarshal(post(`{"inputs": `+quoted[i]+`}`), &got); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range got {
			names = append(names, l.Label)
		}
		if len(want) == 0 {
			// No label predicted: the top-scored one, marked so.
			if len(got) != 1 || got[0].Predicted {
				t.Errorf("text %d predicts nothing; got %+v", i, got)
			}
			continue
		}
		if !slices.Equal(names, want) || slices.ContainsFunc(got, func(l api.LabelScore) bool { return !l.Predicted }) {
			t.Errorf("text %d: /invocations answered %+v, the model predicts %v", i, got, want)
		}
	}
	if several == 0 || none == 0 {
		t.Fatalf("%d texts with several labels and %d with none: the data should have both", several, none)
	}

	// A batch: one object per text with every predicted label.
	var batch []api.InvocationLabel
	dec := json.NewDecoder(bytes.NewReader(post(`{"inputs": [` + strings.Join(quoted, ",") + `]}`)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&batch); err != nil || len(batch) != len(texts) {
		t.Fatalf("batch: %v, %d answers for %d texts", err, len(batch), len(texts))
	}
	for i, a := range batch {
		want := decided(texts[i])
		if a.Labels == nil || !slices.Equal(a.Labels, want) && len(want)+len(a.Labels) > 0 {
			t.Errorf("text %d: batch labels %q, the model predicts %q", i, a.Labels, want)
		}
		if len(want) > 0 && (a.Label != want[0] || !a.Predicted) || len(want) == 0 && a.Predicted {
			t.Errorf("text %d: first label %+v, predicted %q", i, a, want)
		}
	}

	// /v1/classify lists them in "labels".
	body, _ := json.Marshal(api.ClassifyRequest{Inputs: api.Batch(texts...), TopK: 2})
	resp, err := http.Post(url+"/v1/classify", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var cr api.ClassifyResponse
	json.NewDecoder(resp.Body).Decode(&cr)
	resp.Body.Close()
	for i, r := range cr.Results {
		if want := decided(texts[i]); !slices.Equal(r.Labels, want) || len(r.Scores) != 2 {
			t.Errorf("text %d: /v1/classify labels %q (%d scores), the model predicts %q", i, r.Labels, len(r.Scores), want)
		}
	}
}
