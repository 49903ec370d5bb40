package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/registry/pgtest"
	"github.com/osler-health/osler/internal/registry/s3store/s3test"
)

// cutProxy forwards TCP connections to target until cut, when it closes
// them all and refuses new ones; restore listens again on the same port.
type cutProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	p := &cutProxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore() { p.listen(p.addr) }

// via rewrites a database URL to go through the proxy.
func (p *cutProxy) via(dbURL string) string {
	u, _ := url.Parse(dbURL)
	u.Host = p.addr
	return u.String()
}

// TestReplicasOnPostgres: two servers on one PostgreSQL registry with
// their artifacts on an S3 fake. A version approved through the registry
// is served by both within 5 s while requests keep flowing, none failing.
// A replica that loses the database keeps serving what it has loaded,
// shows the loss in /metrics, and catches up when the database returns.
func TestReplicasOnPostgres(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.Database(t)
	fake := s3test.New(t, "models")
	clfDir, _ := fixtureModels(t)
	pgURL, _ := url.Parse(pg)
	proxy := newCutProxy(t, pgURL.Host)

	open := func(db string) *registry.Store {
		st, err := registry.Open(ctx, t.TempDir(), registry.Options{Database: db, Artifacts: fake.Open(t, "s3://models/osler")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	admin := open(pg)
	publish := func(version int) {
		t.Helper()
		if _, err := admin.Register(ctx, registry.Registration{Name: "ade", Kind: registry.KindClassifier, Artifact: clfDir,
			Metrics: json.RawMessage(`{"dev":{"f1":0.9}}`), By: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := admin.Approve(ctx, registry.Ref{Name: "ade", Version: version}, "test", "replicas"); err != nil {
			t.Fatal(err)
		}
	}
	publish(1)
	_, key, err := admin.CreateKey(ctx, "app", []registry.Scope{registry.ScopePredict}, time.Time{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var replicas []*httptest.Server
	for _, db := range []string{pg, proxy.via(pg)} {
		srv, err := New(ctx, Config{Store: open(db), ReloadInterval: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		go srv.watch(sctx)
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(func() { cancel(); ts.Close(); srv.Close() })
		replicas = append(replicas, ts)
	}

	classify := func(ts *httptest.Server) (int, int) {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/classify", strings.NewReader(`{"inputs":["`+aeSentence+`"]}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := ts.Client().Do(req)
		if err != nil {
			return 0, 0
		}
		defer resp.Body.Close()
		var r api.ClassifyResponse
		json.NewDecoder(resp.Body).Decode(&r)
		return resp.StatusCode, r.Version
	}
	// Requests flow against both replicas for the whole test.
	var failed, sent atomic.Int64
	var latest [2]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, ts := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, v := classify(ts)
				sent.Add(1)
				if code != http.StatusOK {
					failed.Add(1)
					continue
				}
				latest[i].Store(int64(v))
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	waitVersion := func(want int64, replica ...int) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < 10*time.Second {
			ok := true
			for _, i := range replica {
				ok = ok && latest[i].Load() == want
			}
			if ok {
				return time.Since(start)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("replicas %v did not serve version %d within 10 s (serving %d and %d)", replica, want, latest[0].Load(), latest[1].Load())
		return 0
	}
	waitVersion(1, 0, 1)

	publish(2)
	d := waitVersion(2, 0, 1)
	t.Logf("both replicas served the approved version %s after the approval", d.Round(time.Millisecond))
	if d > 5*time.Second {
		t.Errorf("both replicas served version 2 after %s, want within 5 s", d)
	}
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d of %d requests failed during the switch", n, sent.Load())
	}

	// Replica 1 loses the database: it keeps serving version 2 with the
	// key it verified, and says so in /metrics.
	proxy.cut()
	metric := func(ts *httptest.Server) string {
		req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := ts.Client().Do(req)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(metric(replicas[1]), "osler_registry_up 0") {
		if time.Now().After(deadline) {
			t.Fatal("the replica without its database does not show osler_registry_up 0")
		}
		time.Sleep(50 * time.Millisecond)
	}
	publish(3) // approved while replica 1 cannot see it
	waitVersion(3, 0)
	before := failed.Load()
	time.Sleep(500 * time.Millisecond)
	if latest[1].Load() != 2 || failed.Load() != before {
		t.Fatalf("during the outage replica 1 serves version %d with %d new failures", latest[1].Load(), failed.Load()-before)
	}
	proxy.restore()
	d = waitVersion(3, 1)
	t.Logf("the cut replica caught up %s after the database returned", d.Round(time.Millisecond))
	if d > 5*time.Second {
		t.Errorf("replica 1 caught up after %s, want within 5 s", d)
	}
	if !strings.Contains(metric(replicas[1]), "osler_registry_up 1") {
		t.Error("osler_registry_up is not back to 1")
	}
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d requests failed", n, sent.Load())
	}
}
