package cdsauth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/osler-health/osler/internal/atomicfile"
)

// DefaultSignAlgorithm is the algorithm [GenerateKey] uses when none is
// given. CDS clients must support ES384 and RS384; ES384 keys are small
// and fast.
const DefaultSignAlgorithm = "ES384"

// DefaultTTL is the token lifetime [Sign] uses when none is given: the
// most CDS Hooks recommends.
const DefaultTTL = 5 * time.Minute

// rsaBits is the size of RSA keys GenerateKey makes.
const rsaBits = 3072

// GenerateKey makes a new signing key for alg: "ES384" (the default for
// "": ECDSA P-384) or "RS384" (RSA, 3072 bits).
func GenerateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case "", "ES384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "RS384":
		return rsa.GenerateKey(rand.Reader, rsaBits)
	}
	return nil, fmt.Errorf("cdsauth: cannot generate a key for %q; use ES384 or RS384", alg)
}

// Algorithm returns the JWS alg Osler signs with for key (a private or
// public key): ES256, ES384 or ES512 by ECDSA curve, RS384 for RSA, EdDSA
// for Ed25519.
func Algorithm(key crypto.PublicKey) (string, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
		return "", fmt.Errorf("cdsauth: unsupported ECDSA curve %s", k.Curve.Params().Name)
	case *rsa.PublicKey:
		return "RS384", nil
	case ed25519.PublicKey:
		return "EdDSA", nil
	}
	return "", fmt.Errorf("cdsauth: unsupported key type %T; use ECDSA, RSA or Ed25519", key)
}

// WritePrivateKeyPEM writes key as a PKCS#8 "PRIVATE KEY" PEM block.
func WritePrivateKeyPEM(w io.Writer, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("cdsauth: private key: %w", err)
	}
	return pem.Encode(w, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// ReadPrivateKeyPEM reads a key written by [WritePrivateKeyPEM] (the first
// PKCS#8 "PRIVATE KEY" block in data) and returns it with the alg
// [Algorithm] gives it.
func ReadPrivateKeyPEM(data []byte) (crypto.Signer, string, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, "", errors.New("cdsauth: no PKCS#8 \"PRIVATE KEY\" PEM block found (convert with: openssl pkcs8 -topk8 -nocrypt)")
		}
		if b.Type != "PRIVATE KEY" {
			continue
		}
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, "", fmt.Errorf("cdsauth: private key: %w", err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, "", fmt.Errorf("cdsauth: private key of type %T cannot sign", k)
		}
		alg, err := Algorithm(s)
		if err != nil {
			return nil, "", err
		}
		return s, alg, nil
	}
}

// KeyID returns the RFC 7638 JWK thumbprint of key (a public key, or a
// private key whose public half is used): the base64url SHA-256 of the
// key's required JWK members in lexicographic order. Osler uses it as the
// kid, so a key's kid never depends on where it is published.
func KeyID(key crypto.PublicKey) (string, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	b64 := base64.RawURLEncoding.EncodeToString
	var members any
	switch k := key.(type) {
	case *rsa.PublicKey:
		members = struct {
			E   string `json:"e"`
			Kty string `json:"kty"`
			N   string `json:"n"`
		}{b64(big.NewInt(int64(k.E)).Bytes()), "RSA", b64(k.N.Bytes())}
	case *ecdsa.PublicKey:
		p, err := k.Bytes() // 0x04 || X || Y, each padded to the curve size
		if err != nil {
			return "", fmt.Errorf("cdsauth: key id: %w", err)
		}
		n := (len(p) - 1) / 2
		members = struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
		}{k.Curve.Params().Name, "EC", b64(p[1 : 1+n]), b64(p[1+n:])}
	case ed25519.PublicKey:
		members = struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
		}{"Ed25519", "OKP", b64(k)}
	default:
		return "", fmt.Errorf("cdsauth: key id: unsupported key type %T", key)
	}
	j, err := json.Marshal(members)
	if err != nil {
		return "", fmt.Errorf("cdsauth: key id: %w", err)
	}
	sum := sha256.Sum256(j)
	return b64(sum[:]), nil
}

// JWKS returns the JWK Set publishing keys (public keys, or private keys
// whose public halves are published) for verifiers: each with kty, kid
// ([KeyID]), use "sig", alg ([Algorithm]) and the key parameters.
func JWKS(keys ...crypto.PublicKey) ([]byte, error) {
	set := jwkset.JWKSMarshal{Keys: make([]jwkset.JWKMarshal, 0, len(keys))}
	for _, k := range keys {
		if s, ok := k.(crypto.Signer); ok {
			k = s.Public()
		}
		kid, err := KeyID(k)
		if err != nil {
			return nil, err
		}
		alg, err := Algorithm(k)
		if err != nil {
			return nil, err
		}
		j, err := jwkset.NewJWKFromKey(k, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
			ALG: jwkset.ALG(alg), KID: kid, USE: jwkset.UseSig,
		}})
		if err != nil {
			return nil, fmt.Errorf("cdsauth: jwks: %w", err)
		}
		set.Keys = append(set.Keys, j.Marshal())
	}
	return json.Marshal(set)
}

// SignOptions are the claims of a token [Sign] makes.
type SignOptions struct {
	Issuer   string        // iss; required
	Subject  string        // sub (the client_id); optional
	Audience string        // aud: the URL the request goes to; required
	JKU      string        // jku header: the issuer's JWKS URL; optional
	TTL      time.Duration // exp - iat (default DefaultTTL)
	Tenant   string        // tenant claim; optional
	Now      time.Time     // iat (default time.Now())
}

// Sign makes a CDS Hooks client JWT signed with key (as made by
// [GenerateKey] or read by [ReadPrivateKeyPEM]): header alg
// ([Algorithm]), typ JWT, kid ([KeyID]) and jku if set; claims iss, sub,
// aud, iat, exp, a random jti and tenant.
func Sign(key crypto.Signer, opts SignOptions) (string, error) {
	if opts.Issuer == "" || opts.Audience == "" {
		return "", errors.New("cdsauth: sign: issuer and audience are required")
	}
	if opts.TTL < 0 {
		return "", fmt.Errorf("cdsauth: sign: ttl %v is negative", opts.TTL)
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	alg, err := Algorithm(key)
	if err != nil {
		return "", err
	}
	kid, err := KeyID(key)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.GetSigningMethod(alg), tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    opts.Issuer,
			Subject:   opts.Subject,
			Audience:  jwt.ClaimStrings{opts.Audience},
			IssuedAt:  jwt.NewNumericDate(opts.Now),
			ExpiresAt: jwt.NewNumericDate(opts.Now.Add(opts.TTL)),
			ID:        rand.Text(),
		},
		Tenant: opts.Tenant,
	})
	t.Header["kid"] = kid
	if opts.JKU != "" {
		t.Header["jku"] = opts.JKU
	}
	s, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("cdsauth: sign: %w", err)
	}
	return s, nil
}

// LoadOrGenerateKey reads the PEM private key at path, or, when there is
// no file, makes one for alg and writes it there (mode 0600, atomically).
// made says which happened.
func LoadOrGenerateKey(path, alg string) (key crypto.Signer, made bool, err error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, _, err := ReadPrivateKeyPEM(data)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	if key, err = GenerateKey(alg); err != nil {
		return nil, false, err
	}
	var buf bytes.Buffer
	if err := WritePrivateKeyPEM(&buf, key); err != nil {
		return nil, false, err
	}
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// ServeJWKS serves jwks at /jwks.json on ln until ctx ends: the public
// keys of a test CDS client, for a server's --cds-trust.
func ServeJWKS(ctx context.Context, ln net.Listener, jwks []byte) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(jwks)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// DefaultClientIssuer is the iss of `osler cds call` and `osler cds keys`
// when none is given: a URI, as CDS Hooks wants, under the reserved
// .invalid domain since the test client is no real host.
const DefaultClientIssuer = "https://osler-cds-client.invalid"
