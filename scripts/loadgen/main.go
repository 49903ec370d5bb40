// Command loadgen is the overload half of scripts/bench-serve.sh: a
// closed-loop HTTP load generator like wrk (each of -c connections sends
// its next request as soon as the previous answer arrives) that, unlike
// wrk, reports latency per status class, so the p99 of the requests the
// server accepted can be read apart from its fast 429 refusals. It prints
// one JSON object.
//
// For CDS Hooks (scripts/bench-cds.sh), -bodies replays prepared request
// bodies (JSONL, one per line, in turn) and -sign-key sends each request
// with its own JWT, all signed before the timed run starts so that signing
// takes no CPU from the server; each token is used once (the server
// refuses a replayed jti), and the run ends early if they run out. With
// -bodies the requests in flight when the time is up are let finish (and
// counted), not cancelled:
//
//	loadgen -url http://127.0.0.1:8480/cds-services/osler-ade-alert -c 32 -d 20s \
//	  -bodies ade.jsonl -sign-key client.pem -issuer osler-cds-client \
//	  -aud https://osler.example/cds-services/osler-ade-alert -tokens 40000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osler-health/osler/internal/cdsauth"
)

type result struct {
	URL          string         `json:"url"`
	Connections  int            `json:"connections"`
	Seconds      float64        `json:"seconds"`
	Requests     int            `json:"requests"`
	RPS          float64        `json:"rps"`
	AcceptedRPS  float64        `json:"accepted_rps"`
	Status       map[string]int `json:"status"`
	Errors       int            `json:"errors"`
	ErrorSample  string         `json:"error_sample,omitempty"`
	AcceptedP50  float64        `json:"accepted_p50_ms"`
	AcceptedP99  float64        `json:"accepted_p99_ms"`
	AcceptedMax  float64        `json:"accepted_max_ms"`
	RejectedP99  float64        `json:"rejected_p99_ms"`
	ServerErrors int            `json:"server_errors_5xx"`
	// With -bodies and -sign-key only.
	Bodies          int     `json:"bodies,omitempty"`
	BodyBytes       int     `json:"body_bytes,omitempty"`
	Algorithm       string  `json:"jwt_alg,omitempty"`
	TokensSigned    int     `json:"tokens_signed,omitempty"`
	SignSeconds     float64 `json:"sign_seconds,omitempty"`
	TokensExhausted bool    `json:"tokens_exhausted,omitempty"`
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/invocations", "URL to POST to")
	conns := flag.Int("c", 64, "connections (each with one request in flight)")
	dur := flag.Duration("d", 10*time.Second, "duration")
	body := flag.String("body", `{"inputs": "The patient developed a widespread rash two days after starting amoxicillin."}`, "request body")
	key := flag.String("key", "", "API key (Authorization: Bearer)")
	bodiesFile := flag.String("bodies", "", "JSONL file of request bodies, sent in turn (instead of -body)")
	signKey := flag.String("sign-key", "", "private key (PEM, from osler cds keys) to sign a fresh JWT per request with (instead of -key)")
	issuer := flag.String("issuer", "osler-cds-client", "the JWTs' iss (with -sign-key)")
	aud := flag.String("aud", "", "the JWTs' aud (with -sign-key): the server's --public-url followed by the path of -url")
	ntok := flag.Int("tokens", 20000, "JWTs to sign before the run (with -sign-key); the run stops when they are used up")
	flag.Parse()

	res := result{}
	bodies := [][]byte{[]byte(*body)}
	if *bodiesFile != "" {
		var err error
		if bodies, err = readBodies(*bodiesFile); err != nil {
			fatal(err)
		}
		res.Bodies = len(bodies)
		res.BodyBytes = len(bodies[0])
	}
	var tokens []string
	if *signKey != "" {
		if *aud == "" {
			fatal(fmt.Errorf("-sign-key needs -aud: the server's --public-url followed by the path called"))
		}
		t0 := time.Now()
		var err error
		if tokens, res.Algorithm, err = signTokens(*signKey, *issuer, *aud, *ntok); err != nil {
			fatal(err)
		}
		res.TokensSigned, res.SignSeconds = len(tokens), time.Since(t0).Seconds()
	}
	var next atomic.Int64 // index of the next body and token

	tr := &http.Transport{
		MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns,
		DialContext:        (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		DisableCompression: true,
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()

	type sample struct {
		status int
		d      time.Duration
	}
	var (
		mu      sync.Mutex
		all     []sample
		errs    int
		errText string
		wg      sync.WaitGroup
	)
	start := time.Now()
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]sample, 0, 1<<16)
			var localErrs int
			var localErr string
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if tokens != nil && i >= len(tokens) {
					cancel() // every token is spent: stop all connections
					break
				}
				// Replaying bodies, a request in flight at the end is let
				// finish rather than cancelled, so the server logs no 503
				// for a request its client gave up on.
				rctx := ctx
				if *bodiesFile != "" {
					rctx = context.Background()
				}
				req, _ := http.NewRequestWithContext(rctx, "POST", *url, bytes.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("Content-Type", "application/json")
				switch {
				case tokens != nil:
					req.Header.Set("Authorization", "Bearer "+tokens[i])
				case *key != "":
					req.Header.Set("Authorization", "Bearer "+*key)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						localErrs++
						localErr = err.Error()
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, sample{resp.StatusCode, time.Since(t0)})
			}
			mu.Lock()
			all = append(all, local...)
			errs += localErrs
			if localErr != "" {
				errText = localErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()

	res.URL, res.Connections, res.Seconds, res.Requests = *url, *conns, el, len(all)
	res.Status, res.Errors, res.ErrorSample = map[string]int{}, errs, errText
	res.TokensExhausted = tokens != nil && int(next.Load()) > len(tokens)
	var ok, rejected []time.Duration
	for _, s := range all {
		res.Status[fmt.Sprint(s.status)]++
		switch {
		case s.status >= 200 && s.status < 300:
			ok = append(ok, s.d)
		case s.status == 429:
			rejected = append(rejected, s.d)
		case s.status >= 500:
			res.ServerErrors++
		}
	}
	res.RPS = float64(len(all)) / el
	res.AcceptedRPS = float64(len(ok)) / el
	res.AcceptedP50, res.AcceptedP99, res.AcceptedMax = pct(ok, 0.50), pct(ok, 0.99), pct(ok, 1)
	res.RejectedP99 = pct(rejected, 0.99)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(res)
	if strings.Contains(errText, "connection refused") {
		os.Exit(1)
	}
}

// readBodies reads a JSONL file of request bodies.
func readBodies(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for line := range bytes.Lines(data) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no request bodies", path)
	}
	return out, nil
}

// signTokens signs n JWTs for aud with the key in keyFile, on every CPU.
func signTokens(keyFile, issuer, aud string, n int) ([]string, string, error) {
	pemData, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, "", err
	}
	key, alg, err := cdsauth.ReadPrivateKeyPEM(pemData)
	if err != nil {
		return nil, "", err
	}
	tokens := make([]string, n)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < n; i += len(errs) {
				tok, err := cdsauth.Sign(key, cdsauth.SignOptions{Issuer: issuer, Audience: aud})
				if err != nil {
					errs[w] = err
					return
				}
				tokens[i] = tok
			}
		})
	}
	wg.Wait()
	return tokens, alg, errors.Join(errs...)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(2)
}

// pct returns the q-quantile of ds in milliseconds (nearest rank).
func pct(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.5) - 1
	i = max(0, min(i, len(ds)-1))
	return float64(ds[i].Microseconds()) / 1000
}
