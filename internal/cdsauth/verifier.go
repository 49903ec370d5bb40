package cdsauth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults for [Config] fields left zero.
const (
	DefaultLeeway             = 30 * time.Second
	DefaultMaxLifetime        = 5 * time.Minute
	DefaultRefreshInterval    = time.Hour
	DefaultMinRefreshInterval = 10 * time.Second
	DefaultHTTPTimeout        = 10 * time.Second
)

// maxTokenBytes bounds the bearer token; CDS Hooks JWTs are well under 2 KB.
const maxTokenBytes = 16 << 10

// DefaultAlgorithms are the JWS algorithms accepted when
// [Config.Algorithms] is empty: every asymmetric one the JWT library
// implements. CDS Hooks clients must support ES384 and RS384.
var DefaultAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512",
	"EdDSA",
}

// Config configures a [Verifier]. Zero fields take the defaults above.
type Config struct {
	// Trust lists the CDS clients accepted; at least one.
	Trust []Trust
	// Algorithms is the JWS alg allowlist (default DefaultAlgorithms).
	// "none" and the HMAC algorithms (HS256...) are refused by [New]: a
	// shared secret is not how CDS clients authenticate, and an HMAC
	// verifier handed a public key is the classic alg-confusion hole.
	Algorithms []string
	// Leeway is the clock skew allowed on exp, iat and nbf (default 30s).
	Leeway time.Duration
	// MaxLifetime is the longest exp - iat accepted (default 5 minutes,
	// the lifetime CDS Hooks recommends).
	MaxLifetime time.Duration
	// ReplayCacheSize bounds the jti replay cache (default
	// DefaultReplayCacheSize); see [Verifier.Verify].
	ReplayCacheSize int
	// RefreshInterval is how old cached JWKS keys may get before they are
	// fetched again (default 1 hour).
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetches of one
	// issuer's JWKS (default 10s), so tokens with made-up kids cannot make
	// Osler hammer the issuer.
	MinRefreshInterval time.Duration
	// HTTPClient fetches the JWKS (default: a client with a 10s timeout
	// that follows redirects only to https, or http on loopback).
	HTTPClient *http.Client
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

// Client is the identity of a verified CDS client request.
type Client struct {
	Issuer   string    // iss: one of the trusted issuers
	Subject  string    // sub: the client_id, when the client sends one
	JTI      string    // jti: unique per token
	Expires  time.Time // exp
	KeyID    string    // kid of the key that signed the token
	TenantID string    // tenant claim, when present
}

// Verifier authenticates CDS Hooks requests by their bearer JWTs. It is
// safe for concurrent use; make one per server and keep it, since it
// holds the JWKS and replay caches.
type Verifier struct {
	issuers     map[string]*issuer
	algs        []string
	leeway      time.Duration
	maxLifetime time.Duration
	now         func() time.Time
	replay      *replayCache
	parser      *jwt.Parser
}

// issuer is one trusted issuer with its keys.
type issuer struct {
	trust Trust
	keys  *keySet
}

// New checks cfg and returns a Verifier. It fetches nothing: each
// issuer's JWKS is fetched on the first request that needs it, so a
// server starts even while an issuer's JWKS endpoint is down.
func New(cfg Config) (*Verifier, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	v := &Verifier{
		issuers:     make(map[string]*issuer, len(cfg.Trust)),
		algs:        cfg.Algorithms,
		leeway:      cfg.Leeway,
		maxLifetime: cfg.MaxLifetime,
		now:         cfg.Now,
		replay:      newReplayCache(cfg.ReplayCacheSize),
		parser:      jwt.NewParser(jwt.WithValidMethods(cfg.Algorithms), jwt.WithoutClaimsValidation()),
	}
	for _, t := range cfg.Trust {
		if _, dup := v.issuers[t.Issuer]; dup {
			return nil, fmt.Errorf("cdsauth: issuer %q is trusted twice; list each issuer once", t.Issuer)
		}
		v.issuers[t.Issuer] = &issuer{trust: t, keys: &keySet{
			url:        t.JWKSURL,
			client:     cfg.HTTPClient,
			now:        cfg.Now,
			refreshAge: cfg.RefreshInterval,
			minRefresh: cfg.MinRefreshInterval,
		}}
	}
	return v, nil
}

// fill validates cfg and sets the defaults.
func (cfg *Config) fill() error {
	if len(cfg.Trust) == 0 {
		return errors.New("cdsauth: no trusted CDS clients; add at least one ISSUER=JWKS_URL")
	}
	for _, t := range cfg.Trust {
		if err := t.Validate(); err != nil {
			return err
		}
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = DefaultAlgorithms
	}
	for _, a := range cfg.Algorithms {
		if err := checkAlgorithm(a); err != nil {
			return err
		}
	}
	cfg.Algorithms = slices.Clone(cfg.Algorithms)
	for _, d := range []struct {
		name string
		p    *time.Duration
		def  time.Duration
	}{
		{"leeway", &cfg.Leeway, DefaultLeeway},
		{"max lifetime", &cfg.MaxLifetime, DefaultMaxLifetime},
		{"refresh interval", &cfg.RefreshInterval, DefaultRefreshInterval},
		{"min refresh interval", &cfg.MinRefreshInterval, DefaultMinRefreshInterval},
	} {
		if *d.p < 0 {
			return fmt.Errorf("cdsauth: %s %v is negative", d.name, *d.p)
		}
		if *d.p == 0 {
			*d.p = d.def
		}
	}
	if cfg.ReplayCacheSize < 0 {
		return fmt.Errorf("cdsauth: replay cache size %d is negative", cfg.ReplayCacheSize)
	}
	if cfg.ReplayCacheSize == 0 {
		cfg.ReplayCacheSize = DefaultReplayCacheSize
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout, CheckRedirect: checkRedirect}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}

// checkRedirect lets a JWKS fetch follow a redirect only to a URL a
// [Trust] could name (https, or http on loopback), at most 5 times.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return checkURL(req.URL.String())
}

// checkAlgorithm accepts the asymmetric JWS algorithms the JWT library
// implements.
func checkAlgorithm(a string) error {
	switch {
	case strings.EqualFold(a, "none"), strings.HasPrefix(strings.ToUpper(a), "HS"):
		return fmt.Errorf("cdsauth: algorithm %q is never accepted: CDS clients sign with asymmetric keys (use e.g. ES384 or RS384)", a)
	case slices.Contains(DefaultAlgorithms, a):
		return nil
	}
	return fmt.Errorf("cdsauth: unknown algorithm %q; choose from %s", a, strings.Join(DefaultAlgorithms, " "))
}
