package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/cdshooks"
)

// cdsCommands are the subcommands of "osler cds".
func cdsCommands() []command {
	return []command{
		{"call", "call a CDS Hooks server as an EHR would, from a patient's FHIR bundle, and print the cards", (*Main).runCDSCall},
		{"keys", "make a CDS client key pair and print or serve its JWKS", (*Main).runCDSKeys},
	}
}

func (m *Main) runCDS(ctx context.Context, args []string) error {
	return m.runGroup(ctx, "osler cds", "A CDS Hooks 2.0 client for testing a deployment of Osler's CDS services (or any other):\nit signs requests as a trusted EHR would.", cdsCommands(), args)
}

var cdsCallDoc = helpDoc("cds-call")

func (m *Main) runCDSCall(ctx context.Context, args []string) error {
	fs := m.newFlagSet(cdsCallDoc)
	o := cdshooks.CallOptions{Issuer: cdsauth.DefaultClientIssuer, User: "Practitioner/osler-cds-client", Timeout: 30 * time.Second}
	fs.StringVar(&o.Hook, "hook", "", "patient-view, order-select or order-sign (required)")
	fs.StringVar(&o.Bundle, "bundle", "", "the patient's FHIR R4 Bundle (JSON): context and prefetch are built from it (required)")
	fs.Var((*stringList)(&o.Orders), "order", "a draft order for order-select/order-sign: a FHIR resource (MedicationRequest, ServiceRequest, DeviceRequest) or a Bundle of them, in a JSON file (repeatable)")
	fs.Var((*stringList)(&o.Selections), "select", "for order-select, the newly selected order, Type/id (repeatable; default: every --order)")
	fs.StringVar(&o.Base, "url", "", "the CDS server's base URL; its discovery endpoint is URL/cds-services (required)")
	fs.StringVar(&o.Service, "service", "", "call only this service id (default: every service of the server for --hook)")
	fs.StringVar(&o.KeyFile, "key", "", "private key (PEM, from osler cds keys) to sign the JWT with; without it requests carry no JWT")
	fs.StringVar(&o.Issuer, "issuer", o.Issuer, "the JWT's iss: the issuer the server trusts (--cds-trust ISSUER=JWKS_URL)")
	fs.StringVar(&o.JKU, "jku", "", "send this JWKS URL as the JWT's jku header (it must equal the server's configured one)")
	fs.StringVar(&o.User, "user", o.User, "context.userId")
	fs.StringVar(&o.FHIRServer, "fhir-server", "", "send this fhirServer, for services to read what is not prefetched")
	fs.StringVar(&o.AccessToken, "access-token", "", "send this fhirAuthorization access token (needs --fhir-server)")
	fs.BoolVar(&o.NoPrefetch, "no-prefetch", false, "send no prefetch: services must read --fhir-server")
	fs.BoolVar(&o.JSON, "json", false, "print the responses as JSON lines ({service, hook, status, ms, response})")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "time allowed for each request")
	if err := m.parseNoArgs(fs, cdsCallDoc, args, ""); err != nil {
		return err
	}
	if o.Hook == "" || o.Bundle == "" || o.Base == "" {
		return usageError{errors.New("cds call: --hook, --bundle and --url are required (see --help)")}
	}
	if err := cdshooks.CallServices(ctx, o, m.Stdout); err != nil {
		return fmt.Errorf("cds call: %w", err)
	}
	return nil
}

var cdsKeysDoc = helpDoc("cds-keys")

func (m *Main) runCDSKeys(ctx context.Context, args []string) error {
	fs := m.newFlagSet(cdsKeysDoc)
	out := fs.String("out", "", "write the new private key here (PEM, mode 0600); with an existing file, its key is reused")
	alg := fs.String("alg", "ES384", "ES384 or RS384")
	serve := fs.String("serve", "", "serve the JWKS at http://ADDR/jwks.json until interrupted, e.g. 127.0.0.1:8090")
	issuer := fs.String("issuer", cdsauth.DefaultClientIssuer, "the issuer to print in the --cds-trust line")
	if err := m.parseNoArgs(fs, cdsKeysDoc, args, ""); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("cds keys: --out KEY.pem is required: the private key must be kept to sign requests")}
	}
	key, made, err := cdsauth.LoadOrGenerateKey(*out, *alg)
	if err != nil {
		return fmt.Errorf("cds keys: %w", err)
	}
	jwks, err := cdsauth.JWKS(key.Public())
	if err != nil {
		return err
	}
	if made {
		fmt.Fprintf(m.Stderr, "cds keys: wrote a new %s private key to %s (keep it secret)\n", *alg, *out)
	} else {
		fmt.Fprintf(m.Stderr, "cds keys: using the key in %s\n", *out)
	}
	if *serve == "" {
		_, err := fmt.Fprintf(m.Stdout, "%s\n", jwks)
		return err
	}
	ln, err := net.Listen("tcp", *serve)
	if err != nil {
		return fmt.Errorf("cds keys: --serve: %w", err)
	}
	url := "http://" + ln.Addr().String() + "/jwks.json"
	fmt.Fprintf(m.Stderr, "cds keys: serving the JWKS at %s (Ctrl-C stops)\n", url)
	fmt.Fprintf(m.Stdout, "--cds-trust %s=%s\n", *issuer, url)
	if err := cdsauth.ServeJWKS(ctx, ln, jwks); err != nil {
		return fmt.Errorf("cds keys: %w", err)
	}
	return nil
}
