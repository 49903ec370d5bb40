package cdsauth

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// tokenClaims are the claims CDS Hooks defines: the registered ones and
// the optional tenant.
type tokenClaims struct {
	jwt.RegisteredClaims
	Tenant string `json:"tenant,omitempty"`
}

// Verify authenticates one request from its Authorization header value
// and returns who sent it. audience lists the URLs the token may be
// addressed to: the exact URL the request was sent to (for example
// https://osler.example/cds-services/osler-ade-alert) and, where the
// caller accepts it, the discovery URL; an empty list accepts nothing.
//
// Every error wraps [ErrUnauthorized] and is an [*Error] whose Reason is
// for the audit log; answer the caller with a bare 401. In order, Verify
// checks:
//
//   - the header is "Bearer <JWT>" (scheme case-insensitive);
//   - the JWS alg is on the allowlist; typ is JWT (required); kid is
//     present; there is no crit header;
//   - iss is a trusted issuer, and jku, if present, is exactly that
//     issuer's configured JWKS URL (no other URL is ever fetched, and
//     embedded jwk, x5c and x5u headers are ignored);
//   - the signature verifies with the key kid from that issuer's JWKS
//     (never another issuer's), whose own alg, if it has one, matches;
//   - aud contains one of audience exactly; exp and iat are present, exp
//     is not past and iat (and nbf, if present) not in the future, both
//     with the leeway; exp - iat is at most the maximum lifetime;
//   - jti is present and the issuer has not used it before: it is then
//     remembered until exp plus the leeway (see [DefaultReplayCacheSize]).
func (v *Verifier) Verify(ctx context.Context, authorization string, audience []string) (*Client, error) {
	raw, err := bearerToken(authorization)
	if err != nil {
		return nil, err
	}
	var (
		claims tokenClaims
		kid    string
	)
	tok, err := v.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		var err error
		kid, err = v.key(ctx, t, &claims)
		if err != nil {
			return nil, err
		}
		k, err := v.issuers[claims.Issuer].keys.lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		if k.alg != "" && k.alg != t.Method.Alg() {
			return nil, reject(ReasonAlgNotAllowed)
		}
		return k.key, nil
	})
	if err != nil {
		return nil, v.parseError(tok, err)
	}
	if err := v.checkClaims(&claims, audience); err != nil {
		return nil, err
	}
	exp := claims.ExpiresAt.Time
	if !v.replay.add(claims.Issuer, claims.ID, exp.Add(v.leeway), v.now()) {
		return nil, reject(ReasonReplayedJTI)
	}
	return &Client{
		Issuer:   claims.Issuer,
		Subject:  claims.Subject,
		JTI:      claims.ID,
		Expires:  exp,
		KeyID:    kid,
		TenantID: claims.Tenant,
	}, nil
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header value.
func bearerToken(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", reject(ReasonMissingHeader)
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimLeft(tok, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || len(tok) > maxTokenBytes ||
		strings.ContainsAny(tok, " \t\r\n") {
		return "", reject(ReasonMalformed)
	}
	return tok, nil
}

// key checks the JWS header and the issuer before any key is looked up,
// and returns the kid. The claims are not yet verified here: only iss is
// read, to choose whose keys to verify with.
func (v *Verifier) key(ctx context.Context, t *jwt.Token, claims *tokenClaims) (string, error) {
	// CDS Hooks makes typ REQUIRED, with the fixed value JWT.
	if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, "JWT") && !strings.EqualFold(typ, "application/jwt") {
		return "", reject(ReasonMalformed)
	}
	if _, ok := t.Header["crit"]; ok {
		return "", reject(ReasonMalformed) // no extensions are understood
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return "", reject(ReasonMalformed)
	}
	if claims.Issuer == "" {
		return "", reject(ReasonMissingClaim)
	}
	iss, ok := v.issuers[claims.Issuer]
	if !ok {
		return "", reject(ReasonUnknownIssuer)
	}
	if jku, ok := t.Header["jku"]; ok {
		if s, _ := jku.(string); s != iss.trust.JWKSURL {
			return "", reject(ReasonJKUNotAllowed)
		}
	}
	return kid, nil
}

// parseError maps an error from the JWT parser to a Reason.
func (v *Verifier) parseError(tok *jwt.Token, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if tok != nil {
		if alg, ok := tok.Header["alg"].(string); ok && !slices.Contains(v.algs, alg) {
			return reject(ReasonAlgNotAllowed)
		}
	}
	if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		return reject(ReasonBadSignature)
	}
	return reject(ReasonMalformed)
}

// checkClaims checks the verified claims, all but jti's freshness.
func (v *Verifier) checkClaims(c *tokenClaims, audience []string) error {
	if len(c.Audience) == 0 || c.ExpiresAt == nil || c.IssuedAt == nil || c.ID == "" {
		return reject(ReasonMissingClaim)
	}
	if !slices.ContainsFunc(c.Audience, func(a string) bool { return a != "" && slices.Contains(audience, a) }) {
		return reject(ReasonBadAudience)
	}
	now := v.now()
	exp, iat := c.ExpiresAt.Time, c.IssuedAt.Time
	if !now.Before(exp.Add(v.leeway)) || !exp.After(iat) {
		return reject(ReasonExpired)
	}
	if iat.After(now.Add(v.leeway)) || (c.NotBefore != nil && c.NotBefore.After(now.Add(v.leeway))) {
		return reject(ReasonIssuedInFuture)
	}
	if exp.Sub(iat) > v.maxLifetime {
		return reject(ReasonLifetimeTooLong)
	}
	return nil
}
