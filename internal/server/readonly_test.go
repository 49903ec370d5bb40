package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/registry"
)

// TestReadOnlyRegistry: a server on a registry opened read-only (osler
// serve --read-only, issue 10) serves the approved models to valid keys
// and refuses approvals with 409 saying why, instead of failing to start.
func TestReadOnlyRegistry(t *testing.T) {
	e := newTestEnv(t, envOptions{skipServer: true})
	ctx := context.Background()
	ro, err := registry.Open(ctx, e.home, registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	srv, err := New(ctx, Config{Store: ro, LogOutput: e.logs})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e.srv, e.ts = srv, httptest.NewServer(srv.Handler())
	defer e.ts.Close()
	if code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade"); code != 200 {
		t.Fatalf("classify: %d %s", code, body)
	}
	if code, _, _ := e.do("POST", "/invocations", "application/json", "osk_nosuchkey_secret", `{"inputs": "x"}`); code != 401 {
		t.Fatalf("bad key: %d", code)
	}
	code, _, body := e.do("POST", "/v1/models/ade/versions/1/reject", "", e.adminKey, "")
	if code != 409 || !strings.Contains(string(body), api.CodeConflict) || !strings.Contains(string(body), "read-only") {
		t.Fatalf("reject on a read-only registry: %d %s", code, body)
	}
}
