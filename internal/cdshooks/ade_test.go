package cdshooks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/synth"
)

var (
	adeOnce  sync.Once
	adeModel *ADEModel
	adeRecs  []dataset.Record
	adeErr   error
)

// syntheticADE trains a small adverse-drug-event classifier on the
// synthetic generator's sentences, and returns held-out sentences.
func syntheticADE(t *testing.T) (*ADEModel, []dataset.Record) {
	t.Helper()
	adeOnce.Do(func() {
		ctx := context.Background()
		var train []dataset.Record
		adeErr = synth.Generate(ctx, synth.Options{Kind: synth.KindADE, Seed: 11}, 2400, func(s synth.Sample) error {
			if len(train) < 2000 {
				train = append(train, s.Record)
			} else {
				adeRecs = append(adeRecs, s.Record)
			}
			return nil
		})
		if adeErr != nil {
			return
		}
		var buf bytes.Buffer
		w := dataset.NewJSONLWriter(&buf, dataset.KindClassification)
		for _, r := range train {
			if adeErr = w.Write(r); adeErr != nil {
				return
			}
		}
		if adeErr = w.Flush(); adeErr != nil {
			return
		}
		cfg := classify.DefaultTrainConfig(dataset.ModeBinary)
		cfg.CGrid = []float64{4}
		m, _, err := classify.Train(ctx, cfg, dataset.NewJSONLReader(&buf, "train.jsonl", dataset.Options{}), nil)
		if err != nil {
			adeErr = err
			return
		}
		for i, l := range m.Labels() {
			if l == "Adverse_Event" {
				adeModel = &ADEModel{Model: m, Label: i, Threshold: 0.5, Info: ModelInfo{Name: "ade", Version: 3}}
			}
		}
		if adeModel == nil {
			adeErr = fmt.Errorf("no Adverse_Event label in %v", m.Labels())
		}
	})
	if adeErr != nil {
		t.Fatal(adeErr)
	}
	return adeModel, adeRecs
}

// noteBundle is a patient with one note holding text, and nothing else.
func noteBundle(t *testing.T, note string) *BundleSource {
	t.Helper()
	data := base64.StdEncoding.EncodeToString([]byte(note))
	b := `{"resourceType":"Bundle","type":"collection","entry":[
	{"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-01-01"}},
	{"resource":{"resourceType":"DocumentReference","id":"n1","status":"current","subject":{"reference":"Patient/p1"},
	 "date":"2026-11-20T10:00:00Z","type":{"text":"Progress note"},
	 "content":[{"attachment":{"contentType":"text/plain; charset=utf-8","data":"` + data + `"}}]}}]}`
	return bundleFrom(t, b)
}

func bundleFrom(t *testing.T, s string) *BundleSource {
	t.Helper()
	src, err := NewBundleSource(mustBundle(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestADEAlertFromNotes: a note sentence about the drafted drug that the
// classifier flags is quoted on a warning card with its date; a sentence
// it does not flag, or about another drug, gives no card.
func TestADEAlertFromNotes(t *testing.T) {
	m, recs := syntheticADE(t)
	h := newTestHandler(t, Config{Models: fakeModels{ade: m}})
	// A held-out adverse-event sentence naming a drug of the lexicon, which
	// the model flags, and a non-event sentence naming one it does not.
	var flagged, calm string
	var flaggedDrug, calmDrug string
	for _, r := range recs {
		drugs := h.drugs.ingredients(r.Text)
		known := ""
		for _, d := range drugs {
			if _, ok := h.drugs.classes[d]; ok {
				known = d
				break
			}
		}
		if known == "" {
			continue
		}
		score := m.Model.Scores(r.Text)[m.Label]
		switch {
		case flagged == "" && r.Labels[0] == "Adverse_Event" && score >= m.Threshold:
			flagged, flaggedDrug = r.Text, known
		case calm == "" && r.Labels[0] == "Not_AE" && score < 0.2:
			calm, calmDrug = r.Text, known
		}
	}
	if flagged == "" || calm == "" {
		t.Fatal("no held-out sentences to test with")
	}
	order := func(drug string) []json.RawMessage {
		return []json.RawMessage{medOrder("m1", "p1", "1", drug+" 10 MG Oral Tablet", "")}
	}
	src := noteBundle(t, "# Assessment\n"+flagged+"\n")
	resp := mustCall(t, h, ServiceADEAlert, api.HookOrderSelect, src, RequestOptions{Orders: order(flaggedDrug)})
	if len(resp.Cards) != 1 {
		t.Fatalf("%q with a note saying %q: %d cards", flaggedDrug, flagged, len(resp.Cards))
	}
	c := resp.Cards[0]
	if !strings.Contains(c.Summary, "2026-11-20") || !strings.Contains(c.Detail, md(flagged)) || !strings.Contains(c.Source.Label, "ade v3") {
		t.Errorf("card does not quote the note with its date and model:\n%s", describe(resp))
	}
	if resp := mustCall(t, h, ServiceADEAlert, api.HookOrderSelect, noteBundle(t, calm), RequestOptions{Orders: order(calmDrug)}); len(resp.Cards) != 0 {
		t.Errorf("a sentence the model does not flag (%q) gave a card:\n%s", calm, describe(resp))
	}
	// The flagged sentence names another drug than the one drafted, of
	// no shared class: no card.
	other := "lisinopril"
	if h.drugs.relationOK(flaggedDrug, other) {
		other = "simvastatin"
	}
	if resp := mustCall(t, h, ServiceADEAlert, api.HookOrderSelect, src, RequestOptions{Orders: order(other)}); len(resp.Cards) != 0 {
		t.Errorf("a reaction to %s warned about %s:\n%s", flaggedDrug, other, describe(resp))
	}
	// Without a classifier, notes are not evidence.
	plain := newTestHandler(t, Config{})
	if resp := mustCall(t, plain, ServiceADEAlert, api.HookOrderSelect, src, RequestOptions{Orders: order(flaggedDrug)}); len(resp.Cards) != 0 {
		t.Errorf("notes used without an ADE model:\n%s", describe(resp))
	}
}

func TestDrugLexicon(t *testing.T) {
	l, err := loadDrugLexicon()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		label string
		want  []string
	}{
		{"Ibuprofen 400 MG Oral Tablet [Ibu]", []string{"ibuprofen"}},
		{"Sulfamethoxazole / Trimethoprim", []string{"sulfamethoxazole"}},
		{"Advil 200 mg", []string{"ibuprofen"}},
		{"Alendronic acid 10 MG Oral Tablet", []string{"alendronate"}},
		{"1 ML Epoetin Alfa 4000 UNT/ML Injection [Epogen]", []string{"epoetin"}},
		{"Latex (substance)", []string{"latex"}},
	}
	for _, tc := range cases {
		if got := l.ingredients(tc.label); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("ingredients(%q) = %v, want %v", tc.label, got, tc.want)
		}
	}
	if d, how := l.relation([]string{"amoxicillin"}, []string{"penicillin"}); d != "penicillin" || how != "same class: penicillins" {
		t.Errorf("amoxicillin vs penicillin allergy: %q %q", d, how)
	}
	if _, how := l.relation([]string{"lisinopril"}, []string{"aspirin"}); how != "" {
		t.Errorf("lisinopril vs aspirin: %q", how)
	}
	for sentence, want := range map[string]bool{
		"ibuprofen 200 mg oral tablet":                         false,
		"- amoxicillin 500 MG Oral Capsule; ibuprofen 400 mg":  false,
		"She developed hives after amoxicillin.":               true,
		"Rash on the trunk two days after starting phenytoin.": true,
	} {
		if l.narrates(sentence) != want {
			t.Errorf("narrates(%q) = %v", sentence, !want)
		}
	}
	if _, how := l.relation([]string{"latex"}, []string{"latex"}); how != "same drug" {
		t.Errorf("a substance outside the lexicon must still match itself: %q", how)
	}
}

// relationOK reports whether two drugs are the same or share a class.
func (l *drugLexicon) relationOK(a, b string) bool {
	_, how := l.relation([]string{a}, []string{b})
	return how != ""
}
