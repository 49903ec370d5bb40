package cdsauth

import "errors"

// ErrUnauthorized is wrapped by every error [Verifier.Verify] returns: the
// request is not from a trusted CDS client. Handlers answer it with a bare
// 401 and log the [Error.Reason], never the token.
var ErrUnauthorized = errors.New("cdsauth: unauthorized")

// Reason is a short, stable code for why a request was not authenticated,
// meant for the audit log. It never contains token contents.
type Reason string

// The reasons [Verifier.Verify] rejects a request for.
const (
	// ReasonMissingHeader: no Authorization header.
	ReasonMissingHeader Reason = "missing_header"
	// ReasonMalformed: not "Bearer <JWT>", or the JWT does not decode, or
	// its header is not one we accept (typ not JWT, kid missing, crit).
	ReasonMalformed Reason = "malformed"
	// ReasonAlgNotAllowed: the JWS alg is not on the allowlist (none and
	// HS* never are), or does not match the alg the JWK declares.
	ReasonAlgNotAllowed Reason = "alg_not_allowed"
	// ReasonUnknownIssuer: iss is not one of the trusted issuers.
	ReasonUnknownIssuer Reason = "unknown_issuer"
	// ReasonUnknownKID: the issuer's JWKS has no usable key with that kid,
	// even after a refresh (or the refresh was rate limited).
	ReasonUnknownKID Reason = "unknown_kid"
	// ReasonBadSignature: the signature does not verify with the key.
	ReasonBadSignature Reason = "bad_signature"
	// ReasonBadAudience: aud contains none of the expected audiences.
	ReasonBadAudience Reason = "bad_audience"
	// ReasonExpired: exp is in the past (beyond the leeway).
	ReasonExpired Reason = "expired"
	// ReasonIssuedInFuture: iat (or nbf) is in the future (beyond the
	// leeway).
	ReasonIssuedInFuture Reason = "issued_in_future"
	// ReasonLifetimeTooLong: exp - iat is more than the maximum lifetime.
	ReasonLifetimeTooLong Reason = "lifetime_too_long"
	// ReasonReplayedJTI: the issuer already used this jti and it has not
	// expired yet.
	ReasonReplayedJTI Reason = "replayed_jti"
	// ReasonMissingClaim: iss, aud, exp, iat or jti is missing.
	ReasonMissingClaim Reason = "missing_claim"
	// ReasonJKUNotAllowed: the jku header is not the issuer's configured
	// JWKS URL.
	ReasonJKUNotAllowed Reason = "jku_not_allowed"
	// ReasonJWKSUnavailable: the issuer's JWKS could not be fetched and no
	// keys are cached for it.
	ReasonJWKSUnavailable Reason = "jwks_unavailable"
)

// Error is a rejected request: it wraps [ErrUnauthorized] and says why in
// Reason. Use errors.As to read it for the audit log.
type Error struct {
	Reason Reason
}

// Error returns "cdsauth: unauthorized: <reason>".
func (e *Error) Error() string { return ErrUnauthorized.Error() + ": " + string(e.Reason) }

// Unwrap returns [ErrUnauthorized].
func (e *Error) Unwrap() error { return ErrUnauthorized }

// reject returns an *Error with reason r.
func reject(r Reason) error { return &Error{Reason: r} }
