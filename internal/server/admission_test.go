package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
)

// TestAuthBeforeSlot: with every slot taken by authenticated requests, a
// request with a bad key is answered 401, not 429: the key is checked
// before a slot is taken (issue 10: a flood of bad-key requests made valid
// clients get 429).
func TestAuthBeforeSlot(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{MaxConcurrency: 2}})
	slow := installSlow(e.srv)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "a b c"}`)
		}()
	}
	<-slow.started
	<-slow.started
	for _, key := range []string{"", "osk_nosuchkey_secret", e.predictKey + "x"} {
		code, h, body := e.do("POST", "/invocations", "application/json", key, `{"inputs": "a b c"}`)
		if code != 401 || !strings.Contains(string(body), api.CodeUnauthorized) || h.Get("Retry-After") != "" {
			t.Errorf("key %q with every slot busy: %d %s, want 401", key, code, body)
		}
	}
	close(slow.release)
	wg.Wait()
}

// TestBadKeyFloodLeavesValidClientsAlone: many concurrent requests with
// bad keys and one valid client making requests one at a time: the flood
// gets 401 and the valid client 200 every time, with a limit of one slot.
func TestBadKeyFloodLeavesValidClientsAlone(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{MaxConcurrency: 1}})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	floodCodes := make(chan int, 1024)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _, _ := e.do("POST", "/invocations", "application/json", "osk_nosuchkey_secret", `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade")
				select {
				case floodCodes <- code:
				default:
				}
			}
		}()
	}
	for i := range 50 {
		code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade")
		if code != 200 {
			t.Errorf("valid request %d during the flood: %d %s", i, code, body)
		}
	}
	close(stop)
	wg.Wait()
	close(floodCodes)
	for code := range floodCodes {
		if code != 401 {
			t.Fatalf("a bad-key request got %d, want 401", code)
		}
	}
}

// slowBody opens a connection and sends an /invocations request's headers
// and the first byte of a 1000-byte body, and no more.
func slowBody(t *testing.T, e *testEnv) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /invocations HTTP/1.1\r\nHost: osler\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", e.predictKey)
	return conn
}

// waitInFlight waits (up to 5 s) until n requests are being handled.
func waitInFlight(e *testEnv, n int64) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && e.srv.metrics.inFlight.Load() < n; {
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSlowBodyHoldsNoSlot: requests whose bodies trickle in do not take
// the concurrency slots (issue 10: 64 connections sending a byte every
// 0.2 s starved every valid request for up to 90 s); the body is read
// first, under --body-timeout.
func TestSlowBodyHoldsNoSlot(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{MaxConcurrency: 2, BodyTimeout: time.Minute}})
	for range 4 {
		slowBody(t, e)
	}
	waitInFlight(e, 4)
	for i := range 3 {
		code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade")
		if code != 200 {
			t.Fatalf("valid request %d beside 4 slow bodies: %d %s", i, code, body)
		}
	}
	if n := e.srv.metrics.inFlight.Load(); n != 4 {
		t.Errorf("%d requests in flight, want the 4 slow ones still waiting for their bodies", n)
	}
}

// TestSlowBodyTimesOut: a body that does not arrive within --body-timeout
// is answered 408 and the connection closed.
func TestSlowBodyTimesOut(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{BodyTimeout: 50 * time.Millisecond}})
	conn := slowBody(t, e)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), api.CodeTimeout) || !resp.Close {
		t.Fatalf("%d close=%v %s", resp.StatusCode, resp.Close, body)
	}
	// A body sent at once is unaffected.
	if code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+aeSentence+`"}`, "X-Amzn-SageMaker-Target-Model", "ade"); code != 200 {
		t.Fatalf("a prompt body: %d %s", code, body)
	}
}
