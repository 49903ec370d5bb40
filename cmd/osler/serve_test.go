package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/crypt"
	"github.com/osler-health/osler/internal/demo"
)

// trainServeModel trains a small real classifier on synthetic ADE
// sentences with the CLI and returns its directory.
func trainServeModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, errOut, code := runOsler(t, "", "data", "synth", "--kind", "ade", "--n", "600", "--seed", "2", "--out", filepath.Join(dir, "ade.jsonl")); code != 0 {
		t.Fatalf("synth: %s", errOut)
	}
	if _, errOut, code := runOsler(t, "", "train", "classifier", "--train", filepath.Join(dir, "ade.jsonl"), "--cv-folds", "1", "--c", "4",
		"--out", filepath.Join(dir, "model")); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	return filepath.Join(dir, "model")
}

// syncBuffer collects a command's output written from several goroutines,
// and wakes a reader waiting for a line (waitFor) on each write.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // a token per batch of writes not yet seen
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.signal() <- struct{}{}:
	default: // a token is already waiting
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// signal returns the write notification channel; call it with s.mu held.
func (s *syncBuffer) signal() chan struct{} {
	if s.written == nil {
		s.written = make(chan struct{}, 1)
	}
	return s.written
}

// waitFor waits until ok accepts what was written and returns it, or
// returns false when stop closes first. It wakes on writes, not on a timer.
func (s *syncBuffer) waitFor(ok func(string) bool, stop <-chan struct{}) (string, bool) {
	s.mu.Lock()
	written := s.signal()
	s.mu.Unlock()
	for {
		if out := s.String(); ok(out) {
			return out, true
		}
		select {
		case <-written:
		case <-stop:
			return s.String(), false
		}
	}
}

var listeningRE = regexp.MustCompile(`listening on (https?://[0-9.:]+)`)

// startServe runs osler serve in-process on a free port and returns its
// URL, its stderr, and a stop function that cancels it and returns its
// error.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	stderr := &syncBuffer{}
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(k string) string { return env[k] },
		IsTerminal: func(io.Writer) bool { return false }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
		close(exited)
	}()
	out, ok := stderr.waitFor(listeningRE.MatchString, exited)
	if !ok {
		cancel()
		t.Fatalf("serve exited before listening: %v\n%s", <-done, out)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return listeningRE.FindStringSubmatch(out)[1], stderr, stop
}

// registryWithModel registers and approves a trained classifier as "ade"
// and creates a predict key; it returns the environment and the key.
func registryWithModel(t *testing.T, model string, masterKey *crypt.Key) (map[string]string, string) {
	t.Helper()
	env := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "home"), "USER": "tester"}
	if masterKey != nil {
		env["OSLER_MASTER_KEY"] = masterKey.Encode()
	}
	if _, errOut, code := runOslerEnv(t, env, "", "models", "register", "--name", "ade", "--kind", "classifier", "--artifact", model); code != 0 {
		t.Fatalf("register: %s", errOut)
	}
	if _, errOut, code := runOslerEnv(t, env, "", "models", "approve", "ade:1"); code != 0 {
		t.Fatalf("approve: %s", errOut)
	}
	out, errOut, code := runOslerEnv(t, env, "", "keys", "create", "--name", "test", "--scope", "predict")
	key := regexp.MustCompile(`osk_[a-z2-7]+_[a-z2-7]+`).FindString(out)
	if code != 0 || key == "" {
		t.Fatalf("keys create: %q %q", out, errOut)
	}
	return env, key
}

func TestServeEndToEnd(t *testing.T) {
	model := trainServeModel(t)
	env, key := registryWithModel(t, model, nil)
	url, stderr, stop := startServe(t, env, "--log-format", "json")
	c, err := api.NewClient(url, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got []api.LabelScore
	if err := c.Invoke(ctx, "", api.InvocationRequest{Inputs: api.Text("Severe rash and fever developed after starting amoxicillin.")}, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || (got[0].Label != "Adverse_Event" && got[0].Label != "Not_AE") {
		t.Errorf("answer %+v", got)
	}
	if _, err := api.NewClient(url, "", nil); err != nil {
		t.Fatal(err)
	}
	noKey, _ := api.NewClient(url, "", nil)
	if _, err := noKey.Models(ctx); !api.IsCode(err, api.CodeUnauthorized) {
		t.Errorf("without a key: %v", err)
	}
	if err := stop(); err != nil {
		t.Errorf("serve returned %v after a clean stop", err)
	}
	logs := stderr.String()
	for _, want := range []string{"serving ade", `"msg":"serving"`, `"msg":"request"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "amoxicillin") {
		t.Errorf("the logs hold request text:\n%s", logs)
	}
	// The audit log records the server's start and stop and the key's use.
	out, _, _ := runOslerEnv(t, env, "", "audit", "--json")
	for _, want := range []string{"server.start", "server.stop", "key.use"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit log lacks %s:\n%s", want, out)
		}
	}
}

func TestServeRefusals(t *testing.T) {
	model := trainServeModel(t)
	mk, _ := crypt.NewKey()
	env, _ := registryWithModel(t, model, mk)
	other, _ := crypt.NewKey()
	wrong := map[string]string{"OSLER_HOME": env["OSLER_HOME"], "OSLER_MASTER_KEY": other.Encode()}
	noKeys := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "home")}
	runOslerEnv(t, noKeys, "", "models", "register", "--name", "ade", "--kind", "classifier", "--artifact", model)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"wrong master key", wrong, nil, 1, "the master key does not match"},
		{"no master key", map[string]string{"OSLER_HOME": env["OSLER_HOME"]}, nil, 1, "this registry is encrypted"},
		{"no registry", map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "none")}, nil, 1, "no registry at"},
		{"no API key", noKeys, nil, 1, "no usable API key"},
		{"cert without key", env, []string{"--tls-cert", "x.pem"}, 2, "--tls-cert and --tls-key go together"},
		{"missing cert", env, []string{"--tls-cert", "x.pem", "--tls-key", "y.pem"}, 1, "TLS certificate x.pem"},
		{"bad size", env, []string{"--max-body", "lots"}, 2, "--max-body"},
		{"bad pin", env, []string{"--models", "ade:x"}, 2, "--models"},
		{"pins with a directory", env, []string{"--models", "ade", "--model-dir", model}, 2, "cannot be combined"},
		{"bad log format", env, []string{"--log-format", "xml"}, 2, "--log-format"},
		{"argument", env, []string{"extra"}, 2, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runOslerEnv(t, tc.env, "", append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errOut, tc.want)
			}
			if strings.Contains(errOut, other.Encode()) || strings.Contains(errOut, mk.Encode()) {
				t.Error("the error shows a master key")
			}
		})
	}
}

func TestServeEncryptedTLS(t *testing.T) {
	model := trainServeModel(t)
	mk, _ := crypt.NewKey()
	env, key := registryWithModel(t, model, mk)
	certFile, keyFile, pool := writeSelfSigned(t)
	url, _, stop := startServe(t, env, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("url %s", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c, _ := api.NewClient(url, key, client)
	res, err := c.Classify(context.Background(), api.ClassifyRequest{Inputs: api.Text("Hives appeared after the first dose of penicillin.")})
	if err != nil || len(res.Results) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

func TestServeModelDir(t *testing.T) {
	model := trainServeModel(t)
	old := sagemakerModelDir
	sagemakerModelDir = model
	t.Cleanup(func() { sagemakerModelDir = old })
	url, stderr, stop := startServe(t, map[string]string{}, "--no-auth")
	if !strings.Contains(stderr.String(), "WARNING: --no-auth") {
		t.Errorf("no loud warning:\n%s", stderr.String())
	}
	resp, err := http.Get(url + "/ping")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("ping: %v %v", resp, err)
	}
	resp.Body.Close()
	c, _ := api.NewClient(url, "", nil)
	var got []api.LabelScore
	if err := c.Invoke(context.Background(), "model", api.InvocationRequest{Inputs: api.Text("Hives after penicillin.")}, &got); err != nil {
		t.Fatal(err)
	}
	var se *api.StatusError
	if err := c.Invoke(context.Background(), "other", api.InvocationRequest{Inputs: api.Text("a")}, &got); !errors.As(err, &se) || se.StatusCode != 404 {
		t.Errorf("unknown target: %v", err)
	}
	stop()
	// Without --no-auth and without a registry, a model directory is refused.
	_, errOut, code := runOslerEnv(t, map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "none")}, "", "serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "to hold API keys") {
		t.Errorf("auth without a registry: %d %q", code, errOut)
	}
}

func TestServeForDemo(t *testing.T) {
	model := trainServeModel(t)
	env := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "demo-home")}
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		done <- demo.Serve(ctx, env["OSLER_HOME"], "127.0.0.1:0", []string{"ade=" + model}, &out)
		close(exited)
	}()
	printed, ok := out.waitFor(func(s string) bool { return strings.Contains(s, "Press Ctrl-C") }, exited)
	if !ok {
		t.Fatalf("the demo exited (%v) before printing its commands:\n%s", <-done, printed)
	}
	key := regexp.MustCompile(`export OSLER_API_KEY=(osk_\S+)`).FindStringSubmatch(printed)
	base := regexp.MustCompile(`Serving on (http://\S+)`).FindStringSubmatch(printed)
	if key == nil || base == nil || !strings.Contains(printed, "curl -s") || !strings.Contains(printed, "/invocations") {
		t.Fatalf("printed:\n%s", printed)
	}
	c, _ := api.NewClient(base[1], key[1], nil)
	if _, err := c.Classify(ctx, api.ClassifyRequest{Model: "ade", Inputs: api.Text("Rash after amoxicillin.")}); err != nil {
		t.Errorf("the printed key and address do not work: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo.Serve: %v", err)
	}
	// The model was registered and approved in the demo's registry.
	list, _, code := runOslerEnv(t, env, "", "models", "show", "ade:1")
	if code != 0 || !strings.Contains(list, "Approved") {
		t.Errorf("models list after the demo:\n%s", list)
	}
}

// writeSelfSigned writes a certificate and key for 127.0.0.1.
func writeSelfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "osler serve test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeNoAuthFromEnvironment: a managed service runs `IMAGE serve` and
// sets only environment variables, so OSLER_NO_AUTH=1 turns keys off for a
// model directory (with the same warning as --no-auth); without it the
// server refuses to start without a registry holding keys.
func TestServeNoAuthFromEnvironment(t *testing.T) {
	model := trainServeModel(t)
	if _, errOut, code := runOslerEnv(t, map[string]string{}, "", "serve", "--addr", "127.0.0.1:0", "--model-dir", model, "--home", filepath.Join(t.TempDir(), "none")); code == 0 ||
		!strings.Contains(errOut, "--no-auth") {
		t.Fatalf("without OSLER_NO_AUTH: exit %d, %s", code, errOut)
	}
	url, stderr, _ := startServe(t, map[string]string{"OSLER_NO_AUTH": "1"}, "--model-dir", model)
	if !strings.Contains(stderr.String(), "API keys are OFF") {
		t.Errorf("no warning:\n%s", stderr.String())
	}
	c, err := api.NewClient(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []api.LabelScore
	if err := c.Invoke(context.Background(), "", api.InvocationRequest{Inputs: api.Text("Severe rash after amoxicillin.")}, &got); err != nil || len(got) != 1 {
		t.Fatalf("invoke without a key: %v %+v", err, got)
	}
}
