// Package cdsauth authenticates CDS Hooks clients (the EHR) to Osler's
// CDS services, and signs such requests for Osler's own test client.
//
// # Why
//
// CDS Hooks 2.0 has the CDS client send, on every request to a CDS
// service (discovery included), "Authorization: Bearer <JWT>" signed with
// the client's private key; the client publishes the public keys as a
// JWK Set (JWKS). TLS authenticates Osler to the EHR; this JWT is the only
// thing that authenticates the EHR to Osler, so every check below is
// required, and a failure is a bare 401.
//
// # Verifying
//
// [New] takes the trusted clients ([Trust]: an issuer and the URL of its
// JWKS, the flag form parsed by [ParseTrust]) and [Verifier.Verify] checks
// a request's Authorization header. The checks, and what each stops:
//
//   - alg on an allowlist of asymmetric algorithms: "none" would be an
//     unsigned token, and HS256 "signed" with the public key as the HMAC
//     secret is the classic key-confusion forgery. Neither can be
//     configured.
//   - iss on the trust list, and the key found by kid in that issuer's
//     JWKS only: a key one issuer publishes never vouches for another.
//   - jku, if sent, equal to the configured JWKS URL: a token must not
//     choose where its verification key comes from, so no other URL is
//     ever fetched (likewise embedded jwk, x5c and x5u are ignored).
//   - aud containing the exact URL the request was addressed to: a token
//     for another service, or for another vendor's endpoint, is refused.
//   - exp, iat (and nbf) with a small leeway for clock skew, and
//     exp - iat at most 5 minutes, as the spec recommends: a stolen token
//     is useful only briefly.
//   - jti not seen before from that issuer: a captured token cannot be
//     replayed while it is still valid.
//
// Rejections are an [*Error] wrapping [ErrUnauthorized] with a stable
// [Reason] code for the audit log; no error carries token contents.
//
// # What is cached
//
// Each issuer's JWKS is fetched lazily, on the first request that needs
// it, so "osler serve" starts while an issuer is down (requests then fail
// with jwks_unavailable). The keys are kept in memory and fetched again
// when a token names an unknown kid (key rotation) or when they are older
// than [Config.RefreshInterval] (default 1 hour); either way at most once
// per [Config.MinRefreshInterval] (default 10 s) per issuer, so tokens
// with made-up kids cannot make Osler hammer the issuer. A failed fetch
// keeps the cached keys. Responses are limited to 1 MiB, keys without a
// kid, not for signing, symmetric, or RSA under 2048 bits are ignored.
//
// The jti replay cache holds each (issuer, jti) until exp plus the
// leeway, in bounded memory ([DefaultReplayCacheSize] entries); see
// [Verifier.Verify].
//
// # Signing
//
// For "osler cds call" and "osler cds keys": [GenerateKey] (ES384 by
// default, or RS384), PKCS#8 PEM with [WritePrivateKeyPEM] and
// [ReadPrivateKeyPEM], the RFC 7638 thumbprint [KeyID] as kid, the JWKS to
// publish ([JWKS]) and [Sign] for one request's token.
//
// # Libraries
//
// github.com/golang-jwt/jwt/v5 parses and verifies the JWS; its parser is
// given the alg allowlist, and the claims are checked here so each
// failure has its own Reason. github.com/MicahParks/jwkset parses and
// writes JWKs. Its HTTP storage (and keyfunc/v3 on top of it) is not used
// for fetching: it fetches eagerly when built, makes a request wait for
// the unknown-kid rate limiter instead of failing fast, does not bound
// the response size, and runs a refresh goroutine per URL that needs a
// context to stop; the small fetcher here does none of that.
package cdsauth
