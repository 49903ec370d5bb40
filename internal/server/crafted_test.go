package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/registry"
)

// craftedClassifierDir copies a trained classifier and swaps in a
// weights.bin whose header claims about 2^31 rows and outputs (the sizes
// that wrapped the loader's size check, issue 10), re-signed so that
// every checksum holds.
func craftedClassifierDir(t *testing.T, good string) string {
	t.Helper()
	files := map[string][]byte{}
	entries, err := os.ReadDir(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if files[e.Name()], err = os.ReadFile(filepath.Join(good, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	w := make([]byte, 11992)
	copy(w, "OSLERCLF")
	le := binary.LittleEndian
	le.PutUint32(w[8:], 1)
	le.PutUint32(w[12:], 2147380027)
	le.PutUint32(w[16:], 2147587271)
	le.PutUint32(w[20:], 16)
	le.PutUint64(w[24:], uint64(len(w)))
	files["weights.bin"] = w
	var meta map[string]any
	if err := json.Unmarshal(files["model.json"], &meta); err != nil {
		t.Fatal(err)
	}
	meta["files"].(map[string]any)["weights.bin"] = modeldir.Sum(w)
	files["model.json"], _ = json.Marshal(meta)
	delete(files, modeldir.SumsName)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var sums strings.Builder
	for _, n := range names {
		sums.WriteString(modeldir.Sum(files[n]).SHA256 + "  " + n + "\n")
	}
	files[modeldir.SumsName] = []byte(sums.String())
	dir := filepath.Join(t.TempDir(), "crafted")
	os.MkdirAll(dir, 0o755)
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestCraftedArtifactDoesNotCrash approves a re-signed classifier whose
// weights.bin header overflows the loader's size check: the reload reports
// the version as failed and keeps serving the previous one and the other
// models, and a server started afresh on that registry (a restart) starts
// and serves the other models instead of crashing again.
func TestCraftedArtifactDoesNotCrash(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	ctx := context.Background()
	clfDir, _ := fixtureModels(t)
	if _, err := e.store.Register(ctx, registry.Registration{Name: "ade", Kind: registry.KindClassifier, Artifact: craftedClassifierDir(t, clfDir), By: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.Approve(ctx, registry.Ref{Name: "ade", Version: 2}, "test", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	set := e.srv.models.Load()
	if m := set.get("ade"); m == nil || m.version != 1 {
		t.Fatalf("serving %+v, want ade:1 still", m)
	}
	if f, ok := set.failed["ade"]; !ok || !strings.Contains(f.err, "weights.bin: model files are corrupt") {
		t.Fatalf("failure recorded: %+v", f)
	}
	if code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade"); code != 200 {
		t.Fatalf("ade after the failed reload: %d %s", code, body)
	}

	// A restart: ade:2 is the approved version and fails to load; rad
	// serves.
	srv, err := New(ctx, Config{Store: e.store, LogOutput: e.logs})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer srv.Close()
	set = srv.models.Load()
	if set.get("rad") == nil || set.get("ade") != nil {
		t.Fatalf("after a restart: rad %v, ade %v", set.get("rad") != nil, set.get("ade") != nil)
	}
	if _, ok := set.failed["ade"]; !ok {
		t.Fatal("the restart does not report ade's failure")
	}
}

// TestCraftedUploadRefused: the crafted classifier uploaded through the
// admin API (POST /v1/models/{name}/versions) is refused as corrupt and
// nothing is registered; the genuine export of the same model imports.
func TestCraftedUploadRefused(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	ctx := context.Background()
	clfDir, _ := fixtureModels(t)
	v, err := e.store.Register(ctx, registry.Registration{Name: "evil", Kind: registry.KindClassifier, Artifact: craftedClassifierDir(t, clfDir), By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var exp bytes.Buffer
	if err := e.store.Export(ctx, v, &exp, "test"); err != nil {
		t.Fatal(err)
	}
	code, _, body := e.do("POST", "/v1/models/uploaded/versions", "application/x-tar", e.adminKey, exp.String())
	if code != 400 || !strings.Contains(string(body), "weights.bin: model files are corrupt") {
		t.Fatalf("crafted upload: %d %s", code, body)
	}
	if _, err := e.store.Versions(ctx, "uploaded"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("the refused upload registered something: %v", err)
	}
	good, err := e.store.Resolve(ctx, registry.Ref{Name: "ade", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	exp.Reset()
	if err := e.store.Export(ctx, good, &exp, "test"); err != nil {
		t.Fatal(err)
	}
	if code, _, body := e.do("POST", "/v1/models/uploaded/versions", "application/x-tar", e.adminKey, exp.String()); code != 201 {
		t.Fatalf("genuine upload: %d %s", code, body)
	}
}
