package cdsauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"testing"

	"github.com/MicahParks/jwkset"
)

// BenchmarkVerify times Verify on valid tokens with warm JWKS and replay
// caches. Tokens are signed before the timer starts (each jti is single
// use); run with -benchtime=Nx to bound the signing time for RS256.
func BenchmarkVerify(b *testing.B) {
	b.Run("ES384", func(b *testing.B) {
		key := ecKey(b)
		srv := newJWKSServer(b, &key.PublicKey)
		benchVerify(b, srv, tokenSpec{key: key, alg: "ES384", kid: kidOf(b, key)})
	})
	b.Run("RS256", func(b *testing.B) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		kid := kidOf(b, key)
		srv := newJWKSServer(b, key.Public())
		// JWKS labels RSA keys RS384, Osler's signing alg; publish this one
		// for RS256.
		j, err := jwkset.NewJWKFromKey(key.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
			ALG: jwkset.AlgRS256, KID: kid, USE: jwkset.UseSig,
		}})
		if err != nil {
			b.Fatal(err)
		}
		body, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{j.Marshal()}})
		if err != nil {
			b.Fatal(err)
		}
		srv.mu.Lock()
		srv.body = body
		srv.mu.Unlock()
		benchVerify(b, srv, tokenSpec{key: key, alg: "RS256", kid: kid})
	})
}

func benchVerify(b *testing.B, srv *jwksServer, spec tokenSpec) {
	clock := newClock()
	v, err := New(Config{Trust: []Trust{{issuerA, srv.jwksURL()}}, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	spec.now = clock.Now()
	aud := []string{audience}
	ctx := context.Background()
	// Warm up: the first call fetches the JWKS.
	if _, err := v.Verify(ctx, "Bearer "+spec.sign(b), aud); err != nil {
		b.Fatal(err)
	}
	headers := make([]string, b.N)
	for i := range headers {
		headers[i] = "Bearer " + spec.sign(b)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := v.Verify(ctx, headers[i], aud); err != nil {
			b.Fatal(err)
		}
	}
}
