package cdsauth

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Trust is one CDS client Osler accepts requests from: tokens whose iss is
// exactly Issuer, signed with a key from the JWKS at JWKSURL.
//
// Both must be absolute https URLs. http is allowed only for loopback
// hosts (localhost and loopback IPs such as 127.0.0.1 and ::1), for tests and local development: a
// JWKS fetched over plain http from elsewhere could be swapped in transit,
// and then anyone could sign as the issuer.
type Trust struct {
	Issuer  string
	JWKSURL string
}

// ParseTrust parses the flag form ISSUER=JWKS_URL, for example
// "https://ehr.example/=https://ehr.example/.well-known/jwks.json". The
// first "=" separates the two; neither may be empty.
func ParseTrust(s string) (Trust, error) {
	iss, jwks, ok := strings.Cut(s, "=")
	if !ok {
		return Trust{}, fmt.Errorf("cdsauth: trust %q: want ISSUER=JWKS_URL, e.g. https://ehr.example=https://ehr.example/jwks.json", s)
	}
	t := Trust{Issuer: strings.TrimSpace(iss), JWKSURL: strings.TrimSpace(jwks)}
	if err := t.Validate(); err != nil {
		return Trust{}, err
	}
	return t, nil
}

// Validate reports whether Issuer and JWKSURL are absolute https URLs (or
// http on a loopback host), saying which one to fix.
func (t Trust) Validate() error {
	if err := checkURL(t.Issuer); err != nil {
		return fmt.Errorf("cdsauth: trust issuer %q: %w", t.Issuer, err)
	}
	if err := checkURL(t.JWKSURL); err != nil {
		return fmt.Errorf("cdsauth: trust JWKS URL %q: %w", t.JWKSURL, err)
	}
	return nil
}

// checkURL accepts absolute https URLs, and http ones on loopback hosts.
func checkURL(s string) error {
	if s == "" {
		return fmt.Errorf("empty; want an absolute https URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("want an absolute URL with a host, like https://ehr.example/jwks.json")
	}
	if u.User != nil {
		return fmt.Errorf("remove the user:password part")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("use https (http is allowed only for 127.0.0.1, ::1 and localhost)")
	default:
		return fmt.Errorf("scheme %q: use https", u.Scheme)
	}
}

// isLoopback reports whether host is localhost or a loopback IP literal.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
