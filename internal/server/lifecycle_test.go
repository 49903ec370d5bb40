package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize"
)

// The lifecycle tests run the server inside testing/synctest bubbles, on
// an in-memory network (pipeListener): reload intervals, request timeouts
// and drain deadlines pass on the bubble's fake clock, so each test asserts
// exactly when something happened instead of bounding it by the wall clock,
// and never flakes on a busy machine. A server that waits forever where it
// must not shows as a deadlock of the bubble, which fails the test.

// TestReloadOnApproval approves and rejects versions from another Store
// (as osler models approve in another process does) while requests flow,
// and checks the server switches versions within one reload interval
// without failing a request.
func TestReloadOnApproval(t *testing.T) {
	clfDir, _ := fixtureModels(t) // trained once, outside the bubble
	synctest.Test(t, func(t *testing.T) {
		const interval = 20 * time.Millisecond
		e := newTestEnv(t, envOptions{skipServer: true})
		e.startInMemory(Config{ReloadInterval: interval})
		ctx, cancel := context.WithCancel(context.Background())
		watching := make(chan struct{})
		go func() {
			defer close(watching)
			e.srv.Watch(ctx)
		}()
		defer func() {
			cancel()
			<-watching
		}()

		other, err := registry.Open(ctx, e.home, registry.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := other.Register(ctx, registry.Registration{Name: "ade", Kind: registry.KindClassifier, Artifact: clfDir, By: "test"}); err != nil {
			t.Fatal(err)
		}

		var (
			versions sync.Map // version -> count
			failures atomic.Int64
			failMsg  atomic.Value
			stop     atomic.Bool
			wg       sync.WaitGroup
		)
		c := e.client(e.predictKey)
		for range 4 {
			wg.Go(func() {
				for !stop.Load() {
					res, err := c.Classify(ctx, api.ClassifyRequest{Model: "ade", Inputs: api.Text(aeSentence)})
					if err != nil {
						failures.Add(1)
						failMsg.Store(err.Error())
					} else {
						n, _ := versions.LoadOrStore(res.Version, new(atomic.Int64))
						n.(*atomic.Int64).Add(1)
					}
					time.Sleep(time.Millisecond) // a request per client per fake millisecond
				}
			})
		}
		// served waits for the server to serve version want (0: none) and
		// checks it took at most one reload interval after the change.
		served := func(want int) {
			t.Helper()
			start := time.Now()
			for {
				m := e.srv.models.Load().get("ade")
				if want == 0 && m == nil || m != nil && m.version == want {
					break
				}
				time.Sleep(time.Millisecond)
			}
			if took := time.Since(start); took > interval {
				t.Errorf("the server took %s to serve version %d, more than the %s reload interval", took, want, interval)
			}
		}
		time.Sleep(50 * time.Millisecond)
		if _, _, err := other.Approve(ctx, registry.Ref{Name: "ade", Version: 2}, "test", "better"); err != nil {
			t.Fatal(err)
		}
		served(2)
		time.Sleep(50 * time.Millisecond)
		if _, _, err := other.Reject(ctx, registry.Ref{Name: "ade", Version: 2}, "test", "worse after all"); err != nil {
			t.Fatal(err)
		}
		served(1)
		time.Sleep(50 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		if n := failures.Load(); n > 0 {
			t.Errorf("%d requests failed during reloads, e.g. %v", n, failMsg.Load())
		}
		for _, v := range []int{1, 2} {
			n, ok := versions.Load(v)
			if !ok || n.(*atomic.Int64).Load() == 0 {
				t.Errorf("no request was answered by version %d", v)
			}
		}
		// Rejecting the last approved version unloads the model.
		if _, _, err := other.Reject(ctx, registry.Ref{Name: "ade", Version: 1}, "test", "withdrawn"); err != nil {
			t.Fatal(err)
		}
		served(0)
		code, _, body := e.do("POST", "/v1/classify", "application/json", e.predictKey, `{"model": "ade", "inputs": "a"}`)
		if code != 404 {
			t.Errorf("unloaded model: %d %s", code, body)
		}
	})
}

// TestFailedLoadKeepsServing damages a newly approved version's artifact
// and checks the old version keeps answering while the failure is
// reported.
func TestFailedLoadKeepsServing(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "bad")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"format":"osler-classifier","format_version":1}`), 0o644)
	if _, err := e.store.Register(ctx, registry.Registration{Name: "ade", Kind: registry.KindClassifier, Artifact: dir, By: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.Approve(ctx, registry.Ref{Name: "ade", Version: 2}, "test", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if m := e.srv.models.Load().get("ade"); m == nil || m.version != 1 {
		t.Fatalf("serving %+v, want version 1 still", m)
	}
	m, err := e.client(e.predictKey).Model(ctx, "ade")
	if err != nil {
		t.Fatal(err)
	}
	if m.State != api.StateFailed || !strings.Contains(m.Error, "version 2") || m.Serving == nil || m.Serving.Version != 1 {
		t.Errorf("model %+v", m)
	}
	code, _, body := e.do("GET", "/metrics", "", e.predictKey, "")
	if code != 200 || !strings.Contains(string(body), `osler_model_load_failed{model="ade",kind="classifier",version="2"} 1`) ||
		!strings.Contains(string(body), `osler_model_loaded{model="ade",kind="classifier",version="1"} 1`) {
		t.Errorf("metrics do not show the failure:\n%s", body)
	}
}

// blockingSummarizer waits for release (or the request's context).
type blockingSummarizer struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingSummarizer) Summarize(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	b.started <- struct{}{}
	select {
	case <-b.release:
		return summarize.Result{Summary: "done"}, nil
	case <-ctx.Done():
		return summarize.Result{}, ctx.Err()
	}
}

// installSlow makes the server serve only a summarizer that blocks.
func installSlow(s *Server) *blockingSummarizer {
	b := &blockingSummarizer{started: make(chan struct{}, 16), release: make(chan struct{})}
	m := &loadedModel{name: "slow", kind: registry.KindSummarizer, sum: b, counters: s.metrics.model("slow"), loadedAt: time.Now(), source: sourceDirectory}
	s.models.Store(newModelSet(map[string]*loadedModel{"slow": m}, nil, s.models.Load().generation, ""))
	return b
}

// TestConcurrencyLimit fills the limit and checks the next request is
// answered 429 with Retry-After at once (no fake time passes), and that
// /ping stays open.
func TestConcurrencyLimit(t *testing.T) {
	fixtureModels(t)
	synctest.Test(t, func(t *testing.T) {
		e := newTestEnv(t, envOptions{skipServer: true})
		e.startInMemory(Config{MaxConcurrency: 2})
		slow := installSlow(e.srv)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range 2 {
			wg.Go(func() {
				codes[i], _, _ = e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "a b c"}`)
			})
		}
		<-slow.started
		<-slow.started
		start := time.Now()
		code, h, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "a b c"}`)
		if code != 429 || h.Get("Retry-After") != "1" || !strings.Contains(string(body), api.CodeOverloaded) {
			t.Errorf("third request: %d Retry-After %q: %s", code, h.Get("Retry-After"), body)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("the 429 came after %s: it must not wait for a slot", d)
		}
		if code, _, _ := e.do("GET", "/ping", "", "", ""); code != 200 {
			t.Errorf("/ping under load: %d", code)
		}
		close(slow.release)
		wg.Wait()
		if codes[0] != 200 || codes[1] != 200 {
			t.Errorf("the admitted requests: %v", codes)
		}
		code, _, body = e.do("GET", "/metrics", "", e.predictKey, "")
		if code != 200 || !strings.Contains(string(body), "osler_http_rejected_total 1") {
			t.Errorf("metrics:\n%s", body)
		}
	})
}

// TestTimeout checks a request that outlives --timeout gets 504 at the
// timeout.
func TestTimeout(t *testing.T) {
	fixtureModels(t)
	synctest.Test(t, func(t *testing.T) {
		const timeout = 100 * time.Millisecond
		e := newTestEnv(t, envOptions{skipServer: true})
		e.startInMemory(Config{Timeout: timeout})
		installSlow(e.srv)
		start := time.Now()
		code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "a b c"}`)
		if code != 504 || !strings.Contains(string(body), api.CodeTimeout) {
			t.Errorf("%d %s", code, body)
		}
		if d := time.Since(start); d != timeout {
			t.Errorf("answered after %s, want at the %s timeout", d, timeout)
		}
	})
}

// TestPingWithoutModels checks /ping is 503 until a model is approved.
func TestPingWithoutModels(t *testing.T) {
	e := newTestEnv(t, envOptions{skipServer: true})
	ctx := context.Background()
	for _, n := range []string{"ade", "rad"} {
		if _, _, err := e.store.Reject(ctx, registry.Ref{Name: n, Version: 1}, "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	e.start(Config{})
	code, _, body := e.do("GET", "/ping", "", "", "")
	var p api.Ping
	json.Unmarshal(body, &p)
	if code != 503 || p.Status != api.CodeNoModel {
		t.Errorf("no model: %d %s", code, body)
	}
	code, _, body = e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "a"}`)
	if code != 503 || !strings.Contains(string(body), api.CodeNoModel) {
		t.Errorf("invocation without a model: %d %s", code, body)
	}
	// Approving through the admin API loads the model before answering.
	res, err := e.client(e.adminKey).Approve(ctx, "ade", 1, "re-approved")
	if err != nil || !res.Changed || !res.Version.Serving {
		t.Fatalf("%+v %v", res, err)
	}
	if code, _, _ := e.do("GET", "/ping", "", "", ""); code != 200 {
		t.Errorf("after approval: %d", code)
	}
}

// TestGracefulShutdown cancels Serve while a request is in flight: new
// connections are refused, the in-flight request completes, Serve returns.
func TestGracefulShutdown(t *testing.T) {
	fixtureModels(t)
	synctest.Test(t, func(t *testing.T) {
		e := newTestEnv(t, envOptions{skipServer: true})
		e.startInMemory(Config{})
		slow := installSlow(e.srv)
		ln := newPipeListener()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		served := make(chan error, 1)
		go func() { served <- e.srv.Serve(ctx, ln, nil) }()
		result := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest("POST", "http://osler/invocations", strings.NewReader(`{"inputs": "a b c"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.predictKey)
			resp, err := ln.Client().Do(req)
			if err != nil {
				result <- -1
				return
			}
			resp.Body.Close()
			result <- resp.StatusCode
		}()
		<-slow.started
		cancel()
		synctest.Wait() // Serve has begun draining
		if c, err := ln.DialContext(context.Background(), "", ""); err == nil {
			c.Close()
			t.Fatal("still accepting connections after shutdown began")
		}
		// Long after (on the fake clock), still within the 25 s drain
		// deadline, Serve waits for the request.
		time.Sleep(10 * time.Second)
		select {
		case err := <-served:
			t.Fatalf("Serve returned (%v) before the in-flight request finished", err)
		default:
		}
		close(slow.release)
		if code := <-result; code != 200 {
			t.Errorf("in-flight request: %d", code)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if !strings.Contains(e.logs.String(), `"msg":"draining"`) || !strings.Contains(e.logs.String(), `"msg":"stopped"`) {
			t.Errorf("logs:\n%s", e.logs.String())
		}
	})
}

// TestDrainDeadline checks a request that does not finish is cut at the
// drain deadline, exactly, and Serve still returns.
func TestDrainDeadline(t *testing.T) {
	fixtureModels(t)
	synctest.Test(t, func(t *testing.T) {
		const drain = 100 * time.Millisecond
		e := newTestEnv(t, envOptions{skipServer: true})
		e.startInMemory(Config{DrainTimeout: drain})
		slow := installSlow(e.srv)
		ln := newPipeListener()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		served := make(chan error, 1)
		go func() { served <- e.srv.Serve(ctx, ln, nil) }()
		go func() {
			req, _ := http.NewRequest("POST", "http://osler/invocations", strings.NewReader(`{"inputs": "a"}`))
			req.Header.Set("Authorization", "Bearer "+e.predictKey)
			resp, err := ln.Client().Do(req)
			if err == nil {
				resp.Body.Close()
			}
		}()
		<-slow.started
		start := time.Now()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if d := time.Since(start); d != drain {
			t.Errorf("Serve returned %s after shutdown began, want at the %s drain deadline", d, drain)
		}
		if !strings.Contains(e.logs.String(), "drain deadline passed") {
			t.Errorf("logs do not report the cut:\n%s", e.logs.String())
		}
		close(slow.release)
	})
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "osler test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS serves HTTPS from certificate files and refuses TLS 1.1.
func TestTLS(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	certFile, keyFile, pool := selfSigned(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- e.srv.Serve(ctx, ln, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}})
	}()
	url := "https://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer func() {
		client.CloseIdleConnections() // so draining does not wait for them
		cancel()
		<-served
	}()
	c, err := api.NewClient(url, e.predictKey, client)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Classify(ctx, api.ClassifyRequest{Model: "ade", Inputs: api.Text(aeSentence)})
	if err != nil || res.Results[0].Labels[0] != "Adverse_Event" {
		t.Fatalf("over TLS: %+v %v", res, err)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get(url + "/ping"); err == nil {
		t.Error("a TLS 1.1 client was served")
	}
	plain := &http.Client{Timeout: 2 * time.Second}
	if resp, err := plain.Get("http://" + ln.Addr().String() + "/ping"); err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("plain HTTP to the TLS port answered %d", resp.StatusCode)
		}
	}
	var se *api.StatusError
	if _, err := c.Classify(ctx, api.ClassifyRequest{Model: "nosuch", Inputs: api.Text("a")}); !errors.As(err, &se) || se.StatusCode != 404 {
		t.Errorf("error over TLS: %v", err)
	}
}
