package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/registry"
)

// TestAdminAPI approves, rejects, imports and uploads through the API with
// an admin key and checks the audit log names the key.
func TestAdminAPI(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	ctx := context.Background()
	admin := e.client(e.adminKey)

	// Import an export of ade:1 as a new model, gzipped and not.
	v1, err := e.store.Resolve(ctx, registry.Ref{Name: "ade", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	var tarball bytes.Buffer
	if err := e.store.Export(ctx, v1, &tarball, "test"); err != nil {
		t.Fatal(err)
	}
	imp, err := admin.ImportVersion(ctx, "ade-copy", bytes.NewReader(tarball.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Version != 1 || imp.Status != api.StatusPending {
		t.Errorf("imported %+v", imp)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tarball.Bytes())
	zw.Close()
	imp2, err := admin.ImportVersion(ctx, "ade-copy", &gz)
	if err != nil || imp2.Version != 2 {
		t.Fatalf("gzipped import: %+v %v", imp2, err)
	}
	// Not served until approved.
	if _, err := e.client(e.predictKey).Classify(ctx, api.ClassifyRequest{Model: "ade-copy", Inputs: api.Text(aeSentence)}); !api.IsCode(err, api.CodeUnknownModel) {
		t.Errorf("pending version served: %v", err)
	}
	res, err := admin.Approve(ctx, "ade-copy", 2, "checked the report")
	if err != nil || !res.Changed || res.Version.Status != api.StatusApproved || !res.Version.Serving {
		t.Fatalf("approve: %+v %v", res, err)
	}
	cl, err := e.client(e.predictKey).Classify(ctx, api.ClassifyRequest{Model: "ade-copy", Inputs: api.Text(aeSentence)})
	if err != nil || cl.Version != 2 {
		t.Fatalf("after approval: %+v %v", cl, err)
	}
	again, err := admin.Approve(ctx, "ade-copy", 2, "")
	if err != nil || again.Changed {
		t.Errorf("approving twice: %+v %v", again, err)
	}
	rej, err := admin.Reject(ctx, "ade-copy", 2, "wrong data")
	if err != nil || !rej.Changed || rej.Version.Serving {
		t.Errorf("reject: %+v %v", rej, err)
	}

	ds, err := admin.PutDataset(ctx, "notes.jsonl", strings.NewReader(`{"text": "synthetic"}`+"\n"))
	if err != nil || ds.Name != "notes.jsonl" || ds.Bytes == 0 || len(ds.SHA256) != 64 {
		t.Fatalf("dataset: %+v %v", ds, err)
	}
	list, err := admin.Datasets(ctx)
	if err != nil || len(list.Datasets) != 1 || list.Datasets[0].SHA256 != ds.SHA256 {
		t.Errorf("datasets: %+v %v", list, err)
	}

	log, err := admin.Audit(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	adminID := strings.Split(e.adminKey, "_")[1]
	seen := map[string]bool{}
	for _, en := range log.Entries {
		if en.Actor == "key:"+adminID {
			seen[en.Action] = true
		}
	}
	for _, action := range []string{registry.ActionImport, registry.ActionApprove, registry.ActionReject, registry.ActionDatasetPut} {
		if !seen[action] {
			t.Errorf("no %s by key:%s in the audit log", action, adminID)
		}
	}
	id, err := admin.Identity(ctx)
	if err != nil || len(id.Scopes) != 2 {
		t.Errorf("admin identity %+v %v", id, err)
	}
}

// TestEncryptedHome serves an encrypted registry and checks no model file
// or uploaded dataset is stored or left anywhere in plaintext: the home and
// the temporary directory are searched for known plaintext.
func TestEncryptedHome(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newTestEnv(t, envOptions{encrypted: true})
	ctx := context.Background()
	if !e.store.Encrypted() {
		t.Fatal("the home is not encrypted")
	}
	// The models load (in memory) and answer.
	res, err := e.client(e.predictKey).Classify(ctx, api.ClassifyRequest{Model: "ade", Inputs: api.Text(aeSentence)})
	if err != nil || res.Results[0].Labels[0] != "Adverse_Event" {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := e.client(e.predictKey).Summarize(ctx, api.SummarizeRequest{Model: "rad", Inputs: api.Text(radReport)}); err != nil {
		t.Fatal(err)
	}
	rep, err := e.client(e.predictKey).Report(ctx, "ade", 1)
	if err != nil || !strings.Contains(string(rep), "Evaluation report") {
		t.Fatalf("report %v", err)
	}
	const datasetText = "SYNTHETIC-DATASET-PLAINTEXT-4f1c9a"
	if _, err := e.client(e.adminKey).PutDataset(ctx, "upload.jsonl", strings.NewReader(`{"text": "`+datasetText+`"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	// Known plaintext: pieces of every model file, the report and the dataset.
	clfDir, sumDir := fixtureModels(t)
	needles := [][]byte{[]byte(datasetText), []byte("Evaluation report"), []byte(`"format": "osler-classifier"`), []byte("osler-summarizer")}
	for _, f := range []string{filepath.Join(clfDir, "weights.bin"), filepath.Join(sumDir, "model.bin")} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		needles = append(needles, b[len(b)/2:len(b)/2+48])
	}
	e.srv.Close()
	e.store.Close()
	files := 0
	for _, root := range []string{e.home, tmp} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files++
			for _, n := range needles {
				if bytes.Contains(b, n) {
					t.Errorf("%s holds plaintext %.40q", p, n)
				}
			}
			return nil
		})
	}
	if files < 5 {
		t.Errorf("searched only %d files; the home should hold the database and the sealed blobs", files)
	}
}

// TestModelDir serves the managed service's /opt/ml/model layouts: a
// directory that is a model, and one whose subdirectories are models.
func TestModelDir(t *testing.T) {
	clfDir, sumDir := fixtureModels(t)
	ctx := context.Background()

	single, err := New(ctx, Config{ModelDir: clfDir, ModelName: "ade", NoAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	if got := single.Models(); len(got) != 1 || got[0] != "ade" || single.DefaultModel() != "ade" {
		t.Fatalf("models %v default %q", got, single.DefaultModel())
	}

	parent := t.TempDir()
	for name, src := range map[string]string{"ade": clfDir, "rad": sumDir} {
		copyDir(t, src, filepath.Join(parent, name))
	}
	os.MkdirAll(filepath.Join(parent, "not-a-model"), 0o755)
	multi, err := New(ctx, Config{ModelDir: parent, NoAuth: true, DefaultModel: "rad"})
	if err != nil {
		t.Fatal(err)
	}
	defer multi.Close()
	e := &testEnv{t: t}
	e.srv = multi
	e.ts = newHTTPTestServer(t, multi)
	code, _, body := e.do("POST", "/invocations", "application/json", "", `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade")
	if code != 200 || !strings.Contains(string(body), "Adverse_Event") {
		t.Errorf("ade: %d %s", code, body)
	}
	code, _, body = e.do("POST", "/invocations", "application/json", "", `{"inputs": "FINDINGS: No effusion. Lungs clear."}`)
	if code != 200 || !strings.Contains(string(body), "generated_text") {
		t.Errorf("default rad: %d %s", code, body)
	}
	list, err := e.client("").Models(ctx)
	if err != nil || len(list.Models) != 2 || list.Models[0].Source != "directory" || list.Default != "rad" {
		t.Fatalf("%+v %v", list, err)
	}
	m, err := e.client("").Model(ctx, "ade")
	if err != nil || m.Serving == nil || len(m.Serving.Metrics) == 0 || !m.Serving.HasReport {
		t.Errorf("directory model detail %+v %v", m, err)
	}
	code, _, body = e.do("GET", "/v1/models/ade/versions/serving/report", "", "", "")
	if code != 200 || !strings.Contains(string(body), "Evaluation report") {
		t.Errorf("report: %d", code)
	}
	code, _, _ = e.do("POST", "/v1/models/ade/versions/1/approve", "", "", "")
	if code != 404 {
		t.Errorf("approve without a registry: %d", code)
	}

	if _, err := New(ctx, Config{ModelDir: t.TempDir(), NoAuth: true}); err == nil || !strings.Contains(err.Error(), "holds no model") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := New(ctx, Config{ModelDir: clfDir}); err == nil {
		t.Error("a model directory with auth on but no registry was accepted")
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// TestRevokedKeyStopsWorking revokes a key from another process's Store
// (osler keys revoke) and checks a running server refuses it once the
// verified-key cache has aged, and not before. It runs in a synctest
// bubble (in-memory network, fake clock), so the cache's age is exact.
func TestRevokedKeyStopsWorking(t *testing.T) {
	fixtureModels(t)
	synctest.Test(t, func(t *testing.T) {
		const age = 50 * time.Millisecond
		e := newTestEnv(t, envOptions{skipServer: true})
		e.startInMemory(Config{KeyCacheAge: age})
		ctx := context.Background()
		c := e.client(e.predictKey)
		if _, err := c.Models(ctx); err != nil { // verified and cached now
			t.Fatal(err)
		}
		other, err := registry.Open(ctx, e.home, registry.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := other.RevokeKey(ctx, e.predictKey, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(age - time.Millisecond)
		if _, err := c.Models(ctx); err != nil {
			t.Errorf("revoked key within the cache age: %v, want it still trusted from the cache", err)
		}
		time.Sleep(time.Millisecond)
		if _, err := c.Models(ctx); !api.IsCode(err, api.CodeUnauthorized) {
			t.Errorf("revoked key at the cache age: %v, want it refused", err)
		}
		if _, err := e.client(e.adminKey).Models(ctx); err != nil {
			t.Errorf("the other key stopped working too: %v", err)
		}
	})
}
