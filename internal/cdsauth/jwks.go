package cdsauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
)

// maxJWKSBytes bounds a JWKS response; real ones are a few kilobytes.
const maxJWKSBytes = 1 << 20

// fetchTimeout bounds one JWKS fetch, whatever the HTTP client allows.
const fetchTimeout = 10 * time.Second

// minRSABits is the smallest RSA modulus accepted from a JWKS.
const minRSABits = 2048

// verifyKey is one usable public key from a JWKS.
type verifyKey struct {
	key crypto.PublicKey
	alg string // the JWK's alg, "" when it declares none
}

// keySet is one issuer's JWKS, fetched lazily and cached. Reads take the
// current map without locking; fetches are serialized by fetchMu and rate
// limited: at most one attempt per minRefresh, whether for an unknown kid,
// the periodic refresh or a first fetch that failed. A failed fetch keeps
// the keys already cached.
type keySet struct {
	url        string
	client     *http.Client
	now        func() time.Time
	refreshAge time.Duration // refresh keys older than this
	minRefresh time.Duration // at most one fetch attempt per this

	keys atomic.Pointer[map[string]verifyKey] // nil until the first successful fetch

	fetchMu     sync.Mutex
	lastAttempt time.Time // guarded by fetchMu
	fetchedAt   atomic.Int64
}

// lookup returns the key kid. A kid not cached triggers a fetch (unless
// one was attempted within minRefresh); keys older than refreshAge are
// refreshed by the first request to notice while others keep using them.
func (s *keySet) lookup(ctx context.Context, kid string) (verifyKey, error) {
	if m := s.keys.Load(); m != nil {
		k, ok := (*m)[kid]
		if ok && !s.stale() {
			return k, nil
		}
		if ok {
			// Stale: one request refreshes; the rest use what is cached.
			if s.fetchMu.TryLock() {
				s.refreshLocked(ctx)
				s.fetchMu.Unlock()
			}
			return s.cached(kid, ReasonUnknownKID)
		}
	}
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	// Another request may have fetched while this one waited.
	if k, err := s.cached(kid, ""); err == nil {
		return k, nil
	}
	err := s.refreshLocked(ctx)
	if s.keys.Load() == nil || (err != nil && !errors.Is(err, errRateLimited)) {
		// Never fetched, or this fetch failed: say so rather than blame
		// the kid.
		return verifyKey{}, reject(ReasonJWKSUnavailable)
	}
	return s.cached(kid, ReasonUnknownKID)
}

// cached returns kid from the cached keys, or reject(r).
func (s *keySet) cached(kid string, r Reason) (verifyKey, error) {
	if m := s.keys.Load(); m != nil {
		if k, ok := (*m)[kid]; ok {
			return k, nil
		}
	}
	return verifyKey{}, reject(r)
}

func (s *keySet) stale() bool {
	return s.now().Sub(time.Unix(0, s.fetchedAt.Load())) > s.refreshAge
}

var errRateLimited = errors.New("jwks fetch rate limited")

// refreshLocked fetches the JWKS unless an attempt was made within
// minRefresh. The caller holds fetchMu.
func (s *keySet) refreshLocked(ctx context.Context) error {
	now := s.now()
	if !s.lastAttempt.IsZero() && now.Sub(s.lastAttempt) < s.minRefresh {
		return errRateLimited
	}
	s.lastAttempt = now
	// The fetch outlives a caller that gives up, so one impatient client
	// does not spend the rate limit for everyone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	m, err := s.fetch(ctx)
	if err != nil {
		return err
	}
	s.keys.Store(&m)
	s.fetchedAt.Store(now.UnixNano())
	return nil
}

// fetch downloads and parses the JWKS. Keys that are not for signatures,
// unsupported, too weak, or without a kid are left out; a JWKS with no
// usable key at all is an error, so the old keys stay.
func (s *keySet) fetch(ctx context.Context) (map[string]verifyKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks %s: status %d", s.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("jwks %s: larger than %d bytes", s.url, maxJWKSBytes)
	}
	return parseJWKS(body)
}

// parseJWKS returns the usable signature keys of a JWKS by kid.
func parseJWKS(body []byte) (map[string]verifyKey, error) {
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	m := make(map[string]verifyKey, len(set.Keys))
	for _, jm := range set.Keys {
		if jm.KID == "" || (jm.USE != "" && jm.USE != jwkset.UseSig) || jm.KTY == jwkset.KtyOct {
			continue
		}
		j, err := jwkset.NewJWKFromMarshal(jm, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			continue // unsupported or invalid: skip it, keep the rest
		}
		pub, ok := publicKey(j.Key())
		if !ok {
			continue
		}
		m[jm.KID] = verifyKey{key: pub, alg: string(jm.ALG)}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("jwks: no usable signature keys")
	}
	return m, nil
}

// publicKey returns the public half of an RSA (2048 bits or more), ECDSA
// or Ed25519 key; anything else (symmetric keys above all) is refused.
func publicKey(k any) (crypto.PublicKey, bool) {
	if s, ok := k.(crypto.Signer); ok {
		k = s.Public()
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		return k, k.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return k, true
	case ed25519.PublicKey:
		return k, true
	}
	return nil, false
}
