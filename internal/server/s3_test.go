package server

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/registry/s3store"
	"github.com/osler-health/osler/internal/registry/s3store/s3test"
)

// TestServeArtifactsFromS3: with the blobs of an encrypted registry in
// object storage (osler serve --artifacts s3://BUCKET/PREFIX), the server
// loads the approved models from the bucket and serves them; the bucket
// holds sealed objects only and the home no blobs.
func TestServeArtifactsFromS3(t *testing.T) {
	fake := s3test.New(t, "models")
	e := newTestEnv(t, envOptions{encrypted: true, artifacts: fake.Open(t, "s3://models/osler")})
	if code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade"); code != 200 {
		t.Fatalf("classify: %d %s", code, body)
	}
	objs := fake.Objects(t, "models")
	if len(objs) == 0 {
		t.Fatal("no objects in the bucket")
	}
	for key, b := range objs {
		if !strings.HasPrefix(key, "osler/sealed/") {
			t.Fatalf("object %s is not a sealed blob under the prefix", key)
		}
		if bytes.Contains(b, []byte(`"format"`)) || bytes.Contains(b, []byte("model.json")) {
			t.Fatalf("object %s holds plaintext", key)
		}
	}
	if _, err := os.Stat(filepath.Join(e.home, "blobs", "sealed")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("blobs in the home too: %v", err)
	}

	// A second server (a replica) opens the same registry read-only by
	// its artifacts URL, as osler serve does, and serves the same model.
	ctx := context.Background()
	ro, err := s3store.Open(ctx, "s3://models/osler", fake.Options())
	if err != nil {
		t.Fatal(err)
	}
	st, err := registry.Open(ctx, e.home, registry.Options{Key: e.key, ReadOnly: true, Artifacts: ro})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	replica, err := New(ctx, Config{Store: st, LogOutput: e.logs})
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	e.srv, e.ts = replica, newHTTPTestServer(t, replica)
	if code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade"); code != 200 {
		t.Fatalf("classify on the replica: %d %s", code, body)
	}
}
