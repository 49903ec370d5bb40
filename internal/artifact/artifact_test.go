package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize/trained"
	"github.com/osler-health/osler/internal/synth"
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// fixtures trains a small classifier and summarizer once per test binary.
func fixtures(t *testing.T) (clfDir, sumDir string) {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "osler-artifact-test-")
		if fixtureErr == nil {
			fixtureErr = trainFixtures(fixtureDir)
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return filepath.Join(fixtureDir, "clf"), filepath.Join(fixtureDir, "sum")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func trainFixtures(dir string) error {
	ctx := context.Background()
	var train []dataset.Record
	var exs []trained.Example
	if err := synth.Generate(ctx, synth.Options{Kind: synth.KindADE, Seed: 1}, 300, func(s synth.Sample) error {
		train = append(train, s.Record)
		return nil
	}); err != nil {
		return err
	}
	var jsonl bytes.Buffer
	w := dataset.NewJSONLWriter(&jsonl, dataset.KindClassification)
	for _, r := range train[:250] {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	cfg := classify.DefaultTrainConfig(dataset.ModeBinary)
	cfg.CGrid = []float64{4}
	clf, _, err := classify.Train(ctx, cfg, dataset.NewJSONLReader(&jsonl, "train.jsonl", dataset.Options{}), train[250:])
	if err != nil {
		return err
	}
	if err := clf.Save(filepath.Join(dir, "clf"), map[string][]byte{"report.html": []byte("<!doctype html><title>r</title>")}); err != nil {
		return err
	}
	if err := synth.Generate(ctx, synth.Options{Kind: synth.KindRadiology, Seed: 1}, 80, func(s synth.Sample) error {
		exs = append(exs, trained.Example{ID: s.Record.ID, Source: s.Record.Text, Summary: s.Record.Summary})
		return nil
	}); err != nil {
		return err
	}
	sm, _, err := trained.Train(ctx, exs, trained.Options{Trees: 10, Ensemble: 1, SkipCrossValidation: true}, nil)
	if err != nil {
		return err
	}
	return sm.Save(filepath.Join(dir, "sum"))
}

func TestInspectAndLoad(t *testing.T) {
	clfDir, sumDir := fixtures(t)
	for _, tc := range []struct {
		dir        string
		kind       registry.Kind
		hasReport  bool
		wantFormat string
	}{
		{clfDir, registry.KindClassifier, true, classify.FormatName},
		{sumDir, registry.KindSummarizer, false, trained.FormatName},
	} {
		info, err := InspectDir(tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		if info.Format != tc.wantFormat || info.Kind != tc.kind {
			t.Errorf("%s: format %q kind %q, want %q %q", tc.dir, info.Format, info.Kind, tc.wantFormat, tc.kind)
		}
		m, err := Load(os.DirFS(tc.dir), "m", "")
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind() != tc.kind || m.HasReport != tc.hasReport {
			t.Errorf("%s: loaded kind %q report %v, want %q %v", tc.dir, m.Kind(), m.HasReport, tc.kind, tc.hasReport)
		}
		if (m.Classifier != nil) != (tc.kind == registry.KindClassifier) || (m.Summarizer != nil) != (tc.kind == registry.KindSummarizer) {
			t.Errorf("%s: classifier %v summarizer %v", tc.dir, m.Classifier != nil, m.Summarizer != nil)
		}
		if _, err := Load(os.DirFS(tc.dir), "m", tc.kind); err != nil {
			t.Errorf("%s: load as its own kind: %v", tc.dir, err)
		}
	}
	if _, err := Load(os.DirFS(clfDir), "ade:1", registry.KindSummarizer); err == nil || !strings.Contains(err.Error(), "a summarizer is wanted but the artifact is a classifier") {
		t.Errorf("classifier loaded as a summarizer: %v", err)
	}
}

func TestLoadRejects(t *testing.T) {
	clfDir, _ := fixtures(t)
	dir := t.TempDir()
	if _, err := Load(os.DirFS(dir), "empty", ""); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("no model.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"format":"someone-else"}`), 0o600)
	if _, err := Load(os.DirFS(dir), "other", ""); err == nil || !strings.Contains(err.Error(), `format "someone-else" is not a model Osler can serve`) {
		t.Errorf("foreign format: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"format":`), 0o600)
	if _, err := Load(os.DirFS(dir), "broken", ""); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("broken JSON: %v", err)
	}
	// A tampered weights file fails its package's checksum.
	tampered := t.TempDir()
	for _, name := range []string{"model.json", "weights.bin", "SHA256SUMS"} {
		b, err := os.ReadFile(filepath.Join(clfDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "weights.bin" {
			b[len(b)-1] ^= 1
		}
		os.WriteFile(filepath.Join(tampered, name), b, 0o600)
	}
	if _, err := Load(os.DirFS(tampered), "tampered", ""); err == nil {
		t.Error("a tampered weights.bin loaded")
	}
}

func TestRegistration(t *testing.T) {
	clfDir, sumDir := fixtures(t)
	ctx := context.Background()
	s, err := registry.Open(ctx, t.TempDir(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	r, err := Registration(ctx, s, RegisterOptions{Name: "rad", Dir: sumDir, Approve: true, Parent: "rad:1", Condition: "dev.rougeL>=0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != registry.KindSummarizer || r.Status != registry.StatusApproved || r.Parent == nil || r.Parent.String() != "rad:1" || r.Condition == nil {
		t.Errorf("registration %+v", r)
	}
	if len(r.Hyperparameters) == 0 {
		t.Error("hyperparameters not read from model.json")
	}

	// Flags replace model.json's metrics; --data replaces its data files.
	metrics := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(metrics, []byte(`{"dev":{"micro":{"f1":0.5}}}`), 0o600)
	data := filepath.Join(t.TempDir(), "train.jsonl")
	os.WriteFile(data, []byte(`{"text":"a","labels":["x"]}`+"\n"), 0o600)
	r, err = Registration(ctx, s, RegisterOptions{Name: "ade", Dir: clfDir, MetricsFile: metrics, Data: []string{"train=" + data}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Metrics, &m); err != nil || m["dev"] == nil {
		t.Errorf("metrics %s: %v", r.Metrics, err)
	}
	if len(r.Data) != 1 || r.Data[0].Role != "train" || len(r.Data[0].SHA256) != 64 || r.Data[0].Bytes == 0 {
		t.Errorf("data refs %+v", r.Data)
	}

	// A directory without model.json needs --kind.
	bare := t.TempDir()
	if _, err := Registration(ctx, s, RegisterOptions{Name: "x", Dir: bare}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--kind is required") {
		t.Errorf("bare directory: %v", err)
	}
	if r, err := Registration(ctx, s, RegisterOptions{Name: "x", Dir: bare, Kind: "classifier"}); err != nil || r.Kind != registry.KindClassifier || r.Metrics != nil {
		t.Errorf("bare directory with --kind: %+v %v", r, err)
	}
	for _, tc := range []struct {
		o    RegisterOptions
		want string
	}{
		{RegisterOptions{Name: "bad name!", Dir: clfDir}, "name"},
		{RegisterOptions{Name: "x", Dir: clfDir, Kind: "regressor"}, "regressor"},
		{RegisterOptions{Name: "x", Dir: clfDir, Parent: "::"}, "--parent"},
		{RegisterOptions{Name: "x", Dir: clfDir, Condition: "dev.f1 ~ 3"}, ""},
		{RegisterOptions{Name: "x", Dir: clfDir, Data: []string{"train"}}, "ROLE=PATH"},
		{RegisterOptions{Name: "x", Dir: clfDir, StoreData: true}, "--store-data needs --data"},
	} {
		_, err := Registration(ctx, s, tc.o)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an ErrInvalid naming %q", tc.o, err, tc.want)
		}
	}
	if _, err := Registration(ctx, s, RegisterOptions{Name: "x", Dir: clfDir, MetricsFile: filepath.Join(bare, "missing.json")}); err == nil || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--metrics") {
		t.Errorf("missing metrics file: %v", err)
	}
}

func TestKindOf(t *testing.T) {
	for format, want := range map[string]registry.Kind{
		classify.FormatName: registry.KindClassifier,
		trained.FormatName:  registry.KindSummarizer,
		"onnx":              "",
		"":                  "",
	} {
		if got := KindOf(format); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", format, got, want)
		}
	}
}

func TestVerify(t *testing.T) {
	clfDir, sumDir := fixtures(t)
	ctx := context.Background()
	s, err := registry.Open(ctx, t.TempDir(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, reg := range []struct{ name, dir string }{{"ade", clfDir}, {"ade", clfDir}, {"rad", sumDir}} {
		r, err := Registration(ctx, s, RegisterOptions{Name: reg.name, Dir: reg.dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		targets []string
		want    string
	}{
		{nil, "database ade:1 ade:2 rad:1"},
		{[]string{"ade"}, "database ade:1 ade:2"},
		{[]string{"ade:2", "rad:latest"}, "database ade:2 rad:1"},
	} {
		res, err := Verify(ctx, s, tc.targets, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res {
			got = append(got, r.Target)
		}
		if strings.Join(got, " ") != tc.want || Failed(res) != 0 {
			t.Errorf("Verify(%v): %v, %d failed; want %s", tc.targets, res, Failed(res), tc.want)
		}
	}
	if _, err := Verify(ctx, s, []string{"nope:1"}, nil); err == nil {
		t.Error("an unknown version verified")
	}
	var b strings.Builder
	res := []VerifyResult{{Target: "database", OK: true}, {Target: "ade:1", Error: "sha256 mismatch"}}
	if err := WriteVerifyResults(&b, res); err != nil || b.String() != "ok     database\nFAILED ade:1: sha256 mismatch\n" || Failed(res) != 1 {
		t.Errorf("text %q %v", b.String(), err)
	}
}

func TestOpen(t *testing.T) {
	clfDir, sumDir := fixtures(t)
	ctx := context.Background()
	home := t.TempDir()
	s, err := registry.Open(ctx, home, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Registration(ctx, s, RegisterOptions{Name: "rad", Dir: sumDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, r); err != nil {
		t.Fatal(err)
	}
	s.Close()
	opened := 0
	openReg := func(ctx context.Context) (*registry.Store, error) {
		opened++
		return registry.Open(ctx, home, registry.Options{})
	}
	// A directory (or its model.json) needs no registry.
	for _, spec := range []string{clfDir, filepath.Join(clfDir, "model.json")} {
		loc, err := Open(ctx, spec, registry.KindClassifier, openReg)
		if err != nil || loc.Classifier == nil || loc.Source != spec || loc.Version != nil || len(loc.MetaSHA256) != 64 {
			t.Fatalf("Open(%s): %+v %v", spec, loc, err)
		}
	}
	if opened != 0 {
		t.Error("a directory opened the registry")
	}
	// A reference loads from the registry, in memory.
	loc, err := Open(ctx, "rad:latest", "", openReg)
	if err != nil || loc.Summarizer == nil || loc.Source != "rad:1" || loc.Version == nil || loc.Version.Version != 1 {
		t.Fatalf("rad:latest: %+v %v", loc, err)
	}
	if _, err := Open(ctx, "rad", registry.KindClassifier, openReg); err == nil || !strings.Contains(err.Error(), "rad:1 is a summarizer, not a classifier") {
		t.Errorf("summarizer as a classifier: %v", err)
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "nope", "x"), "", openReg); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing path: %v", err)
	}
	if _, err := Open(ctx, t.TempDir(), registry.KindClassifier, openReg); err == nil || !strings.Contains(err.Error(), "not an Osler classifier (train one with osler train classifier)") {
		t.Errorf("an empty directory: %v", err)
	}
}
