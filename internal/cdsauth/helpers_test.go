package cdsauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwksServer serves a JWKS at /jwks on 127.0.0.1 and counts requests.
type jwksServer struct {
	*httptest.Server
	mu   sync.Mutex
	body []byte
	down bool
	hits atomic.Int64
}

func newJWKSServer(t testing.TB, keys ...crypto.PublicKey) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.setKeys(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, down := s.body, s.down
		s.mu.Unlock()
		if down || r.URL.Path != "/jwks" {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(t testing.TB, keys ...crypto.PublicKey) {
	t.Helper()
	b, err := JWKS(keys...)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

func (s *jwksServer) setDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

func (s *jwksServer) jwksURL() string { return s.URL + "/jwks" }

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func kidOf(t testing.TB, k crypto.PublicKey) string {
	t.Helper()
	kid, err := KeyID(k)
	if err != nil {
		t.Fatal(err)
	}
	return kid
}

const (
	issuerA  = "https://ehr-a.example"
	issuerB  = "https://ehr-b.example"
	audience = "https://osler.example/cds-services/osler-ade-alert"
)

// tokenSpec describes a token to sign; edit lets a case change the
// header and claims first.
type tokenSpec struct {
	key    any // signing key
	alg    string
	kid    string
	now    time.Time
	edit   func(h, c map[string]any)
	method jwt.SigningMethod // overrides alg
}

// sign makes a token: iss A, aud the service, iat now, exp now+2m, a
// random jti.
func (ts tokenSpec) sign(t testing.TB) string {
	t.Helper()
	c := map[string]any{
		"iss": issuerA, "sub": "ehr-client", "aud": audience,
		"iat": ts.now.Unix(), "exp": ts.now.Add(2 * time.Minute).Unix(),
		"jti": rand.Text(), "tenant": "t1",
	}
	m := ts.method
	if m == nil {
		m = jwt.GetSigningMethod(ts.alg)
	}
	tok := jwt.NewWithClaims(m, jwt.MapClaims(c))
	tok.Header["kid"] = ts.kid
	if ts.edit != nil {
		ts.edit(tok.Header, c)
	}
	s, err := tok.SignedString(ts.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
