package cdsauth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

func TestSignVerifies(t *testing.T) {
	for _, alg := range []string{"", "RS384"} {
		t.Run("alg="+alg, func(t *testing.T) {
			key, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			srv := newJWKSServer(t, key.Public())
			clock := newClock()
			v, err := New(Config{Trust: []Trust{{issuerA, srv.jwksURL()}}, Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := Sign(key, SignOptions{
				Issuer: issuerA, Subject: "osler-test-client", Audience: audience,
				JKU: srv.jwksURL(), Tenant: "tenant-1", Now: clock.Now(),
			})
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(context.Background(), "Bearer "+tok, []string{audience})
			if err != nil {
				t.Fatal(err)
			}
			want := Client{Issuer: issuerA, Subject: "osler-test-client", JTI: c.JTI,
				Expires: clock.Now().Add(DefaultTTL), KeyID: kidOf(t, key), TenantID: "tenant-1"}
			if *c != want || c.JTI == "" {
				t.Errorf("client %+v, want %+v", *c, want)
			}
			// The header says alg, typ, kid and jku.
			tk, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
			if err != nil {
				t.Fatal(err)
			}
			wantAlg := map[string]string{"": "ES384", "RS384": "RS384"}[alg]
			if tk.Header["alg"] != wantAlg || tk.Header["typ"] != "JWT" || tk.Header["kid"] != c.KeyID || tk.Header["jku"] != srv.jwksURL() {
				t.Errorf("header %v", tk.Header)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	key := ecKey(t)
	for _, o := range []SignOptions{{Audience: audience}, {Issuer: issuerA}, {Issuer: issuerA, Audience: audience, TTL: -time.Second}} {
		if _, err := Sign(key, o); err == nil {
			t.Errorf("Sign(%+v) accepted", o)
		}
	}
	if _, err := GenerateKey("HS256"); err == nil {
		t.Error("GenerateKey(HS256) accepted")
	}
}

// TestJWKSParses checks the JWKS is what other JWT stacks read: keyfunc
// (over jwkset) verifies a signed token with it.
func TestJWKSParses(t *testing.T) {
	ec, err := GenerateKey("ES384")
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := JWKS(ec.Public(), ed)
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(b, &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("JWKS %s: %v", b, err)
	}
	for i, want := range []struct{ kty, alg string }{{"EC", "ES384"}, {"OKP", "EdDSA"}} {
		k := set.Keys[i]
		if k["kty"] != want.kty || k["alg"] != want.alg || k["use"] != "sig" || k["kid"] == "" || k["d"] != nil {
			t.Errorf("key %d: %v", i, k)
		}
	}
	kf, err := keyfunc.NewJWKSetJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []crypto.Signer{ec, ed} {
		tok, err := Sign(key, SignOptions{Issuer: issuerA, Audience: audience})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jwt.Parse(tok, kf.Keyfunc, jwt.WithAudience(audience)); err != nil {
			t.Errorf("%T: keyfunc: %v", key, err)
		}
	}
}

// TestKeyIDRFC7638 is the example of RFC 7638 section 3.1.
func TestKeyIDRFC7638(t *testing.T) {
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: 65537}
	got, err := KeyID(pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("KeyID = %s, want %s", got, want)
	}
}

func TestPrivateKeyPEMRoundTrip(t *testing.T) {
	for _, alg := range []string{"ES384", "RS384"} {
		key, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WritePrivateKeyPEM(&buf, key); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("-----BEGIN PRIVATE KEY-----")) {
			t.Errorf("%s: not PKCS#8: %.40s", alg, buf.Bytes())
		}
		got, gotAlg, err := ReadPrivateKeyPEM(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		eq, ok := got.(interface{ Equal(crypto.PrivateKey) bool })
		if gotAlg != alg || !ok || !eq.Equal(key) {
			t.Errorf("%s: read back %T with alg %s", alg, got, gotAlg)
		}
	}
	if _, _, err := ReadPrivateKeyPEM([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")); err == nil {
		t.Error("SEC 1 block accepted")
	}
}
