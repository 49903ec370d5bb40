package cdsauth

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fixture is two trusted issuers, A and B, each with an ES384 key served
// by its own JWKS server, and an untrusted server a jku may point at.
type fixture struct {
	clock      *fakeClock
	v          *Verifier
	srvA, srvB *jwksServer
	evil       *jwksServer
	keyA, keyB any
	kidA, kidB string
	pubPEM     []byte // A's public key as PEM, for the HS256 confusion attack
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	kA, kB := ecKey(t), ecKey(t)
	f := &fixture{clock: newClock(), keyA: kA, keyB: kB, kidA: kidOf(t, kA), kidB: kidOf(t, kB)}
	f.srvA, f.srvB = newJWKSServer(t, &kA.PublicKey), newJWKSServer(t, &kB.PublicKey)
	f.evil = newJWKSServer(t, &kB.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(&kA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	f.pubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	f.v, err = New(Config{
		Trust:              []Trust{{issuerA, f.srvA.jwksURL()}, {issuerB, f.srvB.jwksURL()}},
		Now:                f.clock.Now,
		MinRefreshInterval: 10 * time.Second,
		RefreshInterval:    time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tokenA is a valid token from issuer A.
func (f *fixture) tokenA() tokenSpec {
	return tokenSpec{key: f.keyA, alg: "ES384", kid: f.kidA, now: f.clock.Now()}
}

func (f *fixture) verify(tok string) (*Client, error) {
	return f.v.Verify(context.Background(), "Bearer "+tok, []string{audience, "https://osler.example/cds-services"})
}

// reasonOf returns the Reason of err ("" for nil), failing on errors that
// are not *Error wrapping ErrUnauthorized.
func reasonOf(t testing.TB, err error) Reason {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("error %v is not a *cdsauth.Error wrapping ErrUnauthorized", err)
	}
	return e.Reason
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	edit := func(fn func(h, c map[string]any)) func(tokenSpec) tokenSpec {
		return func(s tokenSpec) tokenSpec { s.edit = fn; return s }
	}
	cases := []struct {
		name   string
		header func(f *fixture) string // the whole Authorization value; nil: "Bearer " + token
		spec   func(tokenSpec) tokenSpec
		want   Reason
	}{
		{name: "valid", want: ""},
		{name: "aud array", spec: edit(func(h, c map[string]any) { c["aud"] = []string{"https://other.example", audience} })},
		{name: "typ absent (required by CDS Hooks)", spec: edit(func(h, c map[string]any) { delete(h, "typ") }), want: ReasonMalformed},
		{name: "jku is the configured URL", spec: func(s tokenSpec) tokenSpec {
			s.edit = func(h, c map[string]any) { h["jku"] = f.srvA.jwksURL() }
			return s
		}},
		{name: "missing header", header: func(*fixture) string { return "" }, want: ReasonMissingHeader},
		{name: "basic scheme", header: func(*fixture) string { return "Basic dXNlcjpwYXNz" }, want: ReasonMalformed},
		{name: "bearer without token", header: func(*fixture) string { return "Bearer " }, want: ReasonMalformed},
		{name: "not a JWT", header: func(*fixture) string { return "Bearer abc.def" }, want: ReasonMalformed},
		{name: "alg none", spec: func(s tokenSpec) tokenSpec {
			s.method, s.key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
			return s
		}, want: ReasonAlgNotAllowed},
		{name: "HS256 with the public key PEM as secret", spec: func(s tokenSpec) tokenSpec {
			s.alg, s.key = "HS256", f.pubPEM
			return s
		}, want: ReasonAlgNotAllowed},
		{name: "typ not JWT", spec: edit(func(h, c map[string]any) { h["typ"] = "at+jwt" }), want: ReasonMalformed},
		{name: "kid missing", spec: edit(func(h, c map[string]any) { delete(h, "kid") }), want: ReasonMalformed},
		{name: "crit header", spec: edit(func(h, c map[string]any) { h["crit"] = []string{"exp"} }), want: ReasonMalformed},
		{name: "unknown issuer", spec: edit(func(h, c map[string]any) { c["iss"] = "https://evil.example" }), want: ReasonUnknownIssuer},
		{name: "iss missing", spec: edit(func(h, c map[string]any) { delete(c, "iss") }), want: ReasonMissingClaim},
		{name: "unknown kid", spec: edit(func(h, c map[string]any) { h["kid"] = "no-such-kid" }), want: ReasonUnknownKID},
		{name: "issuer B's key and kid claiming issuer A", spec: func(s tokenSpec) tokenSpec {
			s.key, s.kid = f.keyB, f.kidB
			return s
		}, want: ReasonUnknownKID},
		{name: "issuer B's key with issuer A's kid", spec: func(s tokenSpec) tokenSpec {
			s.key = f.keyB
			return s
		}, want: ReasonBadSignature},
		{name: "jku elsewhere", spec: func(s tokenSpec) tokenSpec {
			s.edit = func(h, c map[string]any) { h["jku"] = f.evil.jwksURL() }
			return s
		}, want: ReasonJKUNotAllowed},
		{name: "wrong aud", spec: edit(func(h, c map[string]any) { c["aud"] = "https://osler.example/cds-services/other" }), want: ReasonBadAudience},
		{name: "aud prefix only", spec: edit(func(h, c map[string]any) { c["aud"] = "https://osler.example/" }), want: ReasonBadAudience},
		{name: "aud missing", spec: edit(func(h, c map[string]any) { delete(c, "aud") }), want: ReasonMissingClaim},
		{name: "expired", spec: edit(func(h, c map[string]any) {
			c["iat"], c["exp"] = c["iat"].(int64)-300, c["iat"].(int64)-31
		}), want: ReasonExpired},
		{name: "expired within leeway", spec: edit(func(h, c map[string]any) {
			c["iat"], c["exp"] = c["iat"].(int64)-200, c["iat"].(int64)-20
		})},
		{name: "exp missing", spec: edit(func(h, c map[string]any) { delete(c, "exp") }), want: ReasonMissingClaim},
		{name: "iat in future", spec: edit(func(h, c map[string]any) {
			c["iat"], c["exp"] = c["iat"].(int64)+60, c["iat"].(int64)+120
		}), want: ReasonIssuedInFuture},
		{name: "nbf in future", spec: edit(func(h, c map[string]any) { c["nbf"] = c["iat"].(int64) + 60 }), want: ReasonIssuedInFuture},
		{name: "iat missing", spec: edit(func(h, c map[string]any) { delete(c, "iat") }), want: ReasonMissingClaim},
		{name: "lifetime too long", spec: edit(func(h, c map[string]any) { c["exp"] = c["iat"].(int64) + 301 }), want: ReasonLifetimeTooLong},
		{name: "jti missing", spec: edit(func(h, c map[string]any) { delete(c, "jti") }), want: ReasonMissingClaim},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := "Bearer "
			if tc.header != nil {
				header = tc.header(f)
			} else {
				spec := f.tokenA()
				if tc.spec != nil {
					spec = tc.spec(spec)
				}
				header += spec.sign(t)
			}
			c, err := f.v.Verify(context.Background(), header, []string{audience})
			if got := reasonOf(t, err); got != tc.want {
				t.Fatalf("reason %q, want %q", got, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "ey") {
				t.Errorf("error %q may contain token contents", err)
			}
			if tc.want == "" && (c.Issuer != issuerA || c.KeyID != f.kidA || c.Subject != "ehr-client" || c.TenantID != "t1" || c.JTI == "") {
				t.Errorf("client %+v", c)
			}
		})
	}
	if n := f.evil.hits.Load(); n != 0 {
		t.Errorf("the untrusted jku was fetched %d times", n)
	}
}

func TestVerifyReplay(t *testing.T) {
	f := newFixture(t)
	sameJTI := func(iss string) func(h, c map[string]any) {
		return func(h, c map[string]any) { c["iss"], c["jti"] = iss, "same-jti" }
	}
	specA := f.tokenA()
	specA.edit = sameJTI(issuerA)
	tok := specA.sign(t)
	if _, err := f.verify(tok); err != nil {
		t.Fatal(err)
	}
	if _, err := f.verify(tok); reasonOf(t, err) != ReasonReplayedJTI {
		t.Fatalf("second use: %v, want replayed_jti", err)
	}
	// The same jti from another issuer is another token.
	specB := tokenSpec{key: f.keyB, alg: "ES384", kid: f.kidB, now: f.clock.Now(), edit: sameJTI(issuerB)}
	if _, err := f.verify(specB.sign(t)); err != nil {
		t.Fatalf("issuer B, same jti: %v", err)
	}
	// Once the token has expired (plus leeway) its jti is forgotten, and
	// the token itself is rejected as expired.
	f.clock.Advance(2*time.Minute + DefaultLeeway)
	if _, err := f.verify(tok); reasonOf(t, err) != ReasonExpired {
		t.Fatalf("after expiry: %v, want expired", err)
	}
}

func TestVerifyEmptyAudienceAcceptsNothing(t *testing.T) {
	f := newFixture(t)
	for _, aud := range [][]string{nil, {""}} {
		_, err := f.v.Verify(context.Background(), "Bearer "+f.tokenA().sign(t), aud)
		if reasonOf(t, err) != ReasonBadAudience {
			t.Errorf("audience %q: %v, want bad_audience", aud, err)
		}
	}
}

func TestReplayCacheBound(t *testing.T) {
	c := newReplayCache(3)
	now := time.Unix(1000, 0)
	for i, jti := range []string{"a", "b", "c"} {
		if !c.add("iss", jti, now.Add(time.Duration(i+1)*time.Minute), now) {
			t.Fatalf("%s: not new", jti)
		}
	}
	if c.add("iss", "b", now.Add(time.Hour), now) {
		t.Fatal("replay of a held jti accepted")
	}
	// Full: adding d evicts a, which expires soonest; b and c stay held.
	if !c.add("iss", "d", now.Add(10*time.Minute), now) || c.len() != 3 {
		t.Fatalf("add d: len %d", c.len())
	}
	if c.add("iss", "b", now.Add(time.Hour), now) || c.add("iss", "c", now.Add(time.Hour), now) {
		t.Fatal("replay of a held jti accepted after eviction")
	}
	// Past their expiry, entries are dropped before anything is evicted.
	later := now.Add(5 * time.Minute)
	if !c.add("iss", "b", later.Add(time.Minute), later) || c.len() != 2 {
		t.Fatalf("expired b not dropped: len %d", c.len())
	}
}

func TestVerifyKeyRotation(t *testing.T) {
	f := newFixture(t)
	if _, err := f.verify(f.tokenA().sign(t)); err != nil {
		t.Fatal(err)
	}
	if n := f.srvA.hits.Load(); n != 1 {
		t.Fatalf("%d fetches after first use, want 1", n)
	}
	// The issuer rotates to a new key.
	k2 := ecKey(t)
	f.srvA.setKeys(t, &k2.PublicKey)
	newTok := func() string {
		return tokenSpec{key: k2, alg: "ES384", kid: kidOf(t, k2), now: f.clock.Now()}.sign(t)
	}
	// Within the rate limit the new kid is unknown and nothing is fetched.
	if _, err := f.verify(newTok()); reasonOf(t, err) != ReasonUnknownKID {
		t.Fatalf("new kid within rate limit: %v", err)
	}
	if n := f.srvA.hits.Load(); n != 1 {
		t.Fatalf("%d fetches within the rate limit, want 1", n)
	}
	f.clock.Advance(11 * time.Second)
	c, err := f.verify(newTok())
	if err != nil {
		t.Fatalf("new kid after the rate limit: %v", err)
	}
	if c.KeyID != kidOf(t, k2) || f.srvA.hits.Load() != 2 {
		t.Fatalf("kid %s, %d fetches", c.KeyID, f.srvA.hits.Load())
	}
	// The old key is gone from the JWKS, so its tokens no longer verify.
	if _, err := f.verify(f.tokenA().sign(t)); reasonOf(t, err) != ReasonUnknownKID {
		t.Fatalf("rotated-out key: %v", err)
	}
	// Past RefreshInterval the keys are fetched again, in line.
	f.clock.Advance(2 * time.Minute)
	if _, err := f.verify(newTok()); err != nil {
		t.Fatal(err)
	}
	if n := f.srvA.hits.Load(); n != 3 {
		t.Fatalf("%d fetches after the refresh interval, want 3", n)
	}
}

func TestVerifyJWKSDown(t *testing.T) {
	f := newFixture(t)
	if _, err := f.verify(f.tokenA().sign(t)); err != nil {
		t.Fatal(err)
	}
	f.srvA.setDown(true)
	f.clock.Advance(2 * time.Minute) // the cache is stale: a refresh is tried and fails
	if _, err := f.verify(f.tokenA().sign(t)); err != nil {
		t.Fatalf("cached key after the JWKS went down: %v", err)
	}
	if n := f.srvA.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2 (first, failed refresh)", n)
	}
	// An issuer never fetched while down: jwks_unavailable, then rate
	// limited without another fetch.
	f.srvB.setDown(true)
	tokB := func() string {
		s := tokenSpec{key: f.keyB, alg: "ES384", kid: f.kidB, now: f.clock.Now()}
		s.edit = func(h, c map[string]any) { c["iss"] = issuerB }
		return s.sign(t)
	}
	for range 2 {
		if _, err := f.verify(tokB()); reasonOf(t, err) != ReasonJWKSUnavailable {
			t.Fatalf("issuer B down: %v", err)
		}
	}
	if n := f.srvB.hits.Load(); n != 1 {
		t.Fatalf("%d fetches of B, want 1", n)
	}
	// B comes back: after the rate limit its keys are fetched.
	f.srvB.setDown(false)
	f.clock.Advance(11 * time.Second)
	if _, err := f.verify(tokB()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	f := newFixture(t)
	const workers, each = 8, 20
	toks := make([][]string, workers)
	for w := range toks {
		for range each {
			toks[w] = append(toks[w], f.tokenA().sign(t))
		}
	}
	shared := f.tokenA().sign(t)
	var wg sync.WaitGroup
	var sharedOK atomic.Int64
	for w := range workers {
		wg.Go(func() {
			for _, tok := range toks[w] {
				if _, err := f.verify(tok); err != nil {
					t.Error(err)
				}
			}
			if _, err := f.verify(shared); err == nil {
				sharedOK.Add(1)
			}
		})
	}
	wg.Wait()
	if n := sharedOK.Load(); n != 1 {
		t.Errorf("one token accepted %d times by parallel requests, want 1", n)
	}
	if n := f.srvA.hits.Load(); n != 1 {
		t.Errorf("%d JWKS fetches, want 1", n)
	}
}

func TestNewRejectsConfig(t *testing.T) {
	good := []Trust{{issuerA, "https://ehr-a.example/jwks"}}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no trust", Config{}, "no trusted"},
		{"none", Config{Trust: good, Algorithms: []string{"ES384", "none"}}, "never accepted"},
		{"HS256", Config{Trust: good, Algorithms: []string{"HS256"}}, "never accepted"},
		{"unknown alg", Config{Trust: good, Algorithms: []string{"XS1"}}, "unknown algorithm"},
		{"http elsewhere", Config{Trust: []Trust{{issuerA, "http://ehr-a.example/jwks"}}}, "use https"},
		{"duplicate issuer", Config{Trust: append(good, good...)}, "twice"},
		{"negative leeway", Config{Trust: good, Leeway: -time.Second}, "negative"},
	}
	for _, tc := range cases {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.want)
		}
	}
}

func TestParseTrust(t *testing.T) {
	cases := []struct {
		in      string
		want    Trust
		wantErr string
	}{
		{in: "https://ehr.example=https://ehr.example/jwks.json", want: Trust{"https://ehr.example", "https://ehr.example/jwks.json"}},
		{in: "https://ehr.example/fhir=http://127.0.0.1:8080/jwks", want: Trust{"https://ehr.example/fhir", "http://127.0.0.1:8080/jwks"}},
		{in: "http://localhost:9000=http://[::1]:9000/jwks", want: Trust{"http://localhost:9000", "http://[::1]:9000/jwks"}},
		{in: "https://ehr.example", wantErr: "want ISSUER=JWKS_URL"},
		{in: "=https://ehr.example/jwks", wantErr: "issuer"},
		{in: "https://ehr.example=", wantErr: "JWKS URL"},
		{in: "https://ehr.example=http://ehr.example/jwks", wantErr: "use https"},
		{in: "ehr.example=https://ehr.example/jwks", wantErr: "absolute URL"},
		{in: "https://ehr.example=ftp://ehr.example/jwks", wantErr: "use https"},
	}
	for _, tc := range cases {
		got, err := ParseTrust(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseTrust(%q): error %v, want it to say %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTrust(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}
