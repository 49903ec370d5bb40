package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/crypt"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize/trained"
	"github.com/osler-health/osler/internal/synth"
)

// Fixtures: a binary ADE classifier and a radiology summarizer trained once
// per test binary on synthetic data (no real patients), saved as model
// directories.

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// fixtureModels returns the classifier's and the summarizer's directories.
func fixtureModels(t testing.TB) (clfDir, sumDir string) {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "osler-server-test-")
		if fixtureErr != nil {
			return
		}
		fixtureErr = trainFixtures(fixtureDir)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return filepath.Join(fixtureDir, "ade"), filepath.Join(fixtureDir, "rad")
}

func trainFixtures(dir string) error {
	ctx := context.Background()
	var train, dev []dataset.Record
	err := synth.Generate(ctx, synth.Options{Kind: synth.KindADE, Seed: 3}, 1200, func(s synth.Sample) error {
		if len(train) < 1000 {
			train = append(train, s.Record)
		} else {
			dev = append(dev, s.Record)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var jsonl bytes.Buffer
	w := dataset.NewJSONLWriter(&jsonl, dataset.KindClassification)
	for _, r := range train {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	cfg := classify.DefaultTrainConfig(dataset.ModeBinary)
	cfg.CGrid = []float64{4}
	clf, _, err := classify.Train(ctx, cfg, dataset.NewJSONLReader(&jsonl, "train.jsonl", dataset.Options{}), dev)
	if err != nil {
		return err
	}
	metrics := map[string]any{"dev": map[string]any{"micro": map[string]float64{"f1": 0.9}, "per_label": []map[string]any{{"label": "Adverse_Event", "f1": 0.85}}}}
	mb, _ := json.Marshal(metrics)
	report := []byte("<!doctype html><title>report</title><style>h1{color:#333}</style><h1>Evaluation report</h1><svg width=\"10\" height=\"10\"></svg>")
	if err := clf.Save(filepath.Join(dir, "ade"), map[string][]byte{"metrics.json": mb, "report.html": report}); err != nil {
		return err
	}
	var exs []trained.Example
	err = synth.Generate(ctx, synth.Options{Kind: synth.KindRadiology, Seed: 3}, 150, func(s synth.Sample) error {
		exs = append(exs, trained.Example{ID: s.Record.ID, Source: s.Record.Text, Summary: s.Record.Summary})
		return nil
	})
	if err != nil {
		return err
	}
	sm, _, err := trained.Train(ctx, exs, trained.Options{Trees: 30, Ensemble: 1, SkipCrossValidation: true}, nil)
	if err != nil {
		return err
	}
	return sm.Save(filepath.Join(dir, "rad"))
}

// testEnv is a registry with the two fixture models registered and
// approved, API keys, and a server in front of it.
type testEnv struct {
	t          testing.TB
	home       string
	key        *crypt.Key
	store      *registry.Store
	srv        *Server
	ts         *httptest.Server
	predictKey string
	adminKey   string
	logs       *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type envOptions struct {
	encrypted bool
	cfg       Config
	// skipServer builds the registry only.
	skipServer bool
	// artifacts keeps the registry's blobs; nil: the home's directory.
	artifacts registry.ArtifactStore
}

func newTestEnv(t testing.TB, o envOptions) *testEnv {
	t.Helper()
	clfDir, sumDir := fixtureModels(t)
	ctx := context.Background()
	e := &testEnv{t: t, home: filepath.Join(t.TempDir(), "home"), logs: &syncBuffer{}}
	if o.encrypted {
		k, err := crypt.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		e.key = k
	}
	st, err := registry.Open(ctx, e.home, registry.Options{Key: e.key, Artifacts: o.artifacts})
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	t.Cleanup(func() { st.Close() })
	for _, m := range []struct {
		name string
		kind registry.Kind
		dir  string
	}{{"ade", registry.KindClassifier, clfDir}, {"rad", registry.KindSummarizer, sumDir}} {
		if _, err := st.Register(ctx, registry.Registration{Name: m.name, Kind: m.kind, Artifact: m.dir, Metrics: json.RawMessage(`{"dev":{"f1":0.9}}`), By: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.Approve(ctx, registry.Ref{Name: m.name, Version: 1}, "test", "fixture"); err != nil {
			t.Fatal(err)
		}
	}
	if _, e.predictKey, err = st.CreateKey(ctx, "predict", []registry.Scope{registry.ScopePredict}, time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, e.adminKey, err = st.CreateKey(ctx, "admin", []registry.Scope{registry.ScopeAdmin}, time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	if o.skipServer {
		return e
	}
	e.start(o.cfg)
	return e
}

// start builds the server with cfg (Store and LogOutput filled in).
func (e *testEnv) start(cfg Config) {
	e.t.Helper()
	cfg.Store = e.store
	if cfg.LogOutput == nil {
		cfg.LogOutput = e.logs
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv.Handler())
	e.t.Cleanup(func() {
		e.ts.Close()
		srv.Close()
	})
}

func (e *testEnv) client(key string) *api.Client {
	c, err := api.NewClient(e.ts.URL, key, e.ts.Client())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// do sends a raw request and returns the status, headers and body.
func (e *testEnv) do(method, path, contentType, key string, body string, hdr ...string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// newHTTPTestServer serves s on a test listener, closed with the test.
func newHTTPTestServer(t testing.TB, s *Server) *httptest.Server {
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}
