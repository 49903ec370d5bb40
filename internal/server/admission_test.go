package server

import (
	"strings"
	"sync"
	"testing"

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
