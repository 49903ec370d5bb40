package cdshooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/fhir"
)

// CallOptions are the settings of [CallServices], the workflow of `osler
// cds call`.
type CallOptions struct {
	// Hook is patient-view, order-select or order-sign; Bundle the
	// patient's FHIR Bundle file; Base the CDS server's base URL.
	Hook, Bundle, Base string
	// Orders are files of draft orders (a resource or a Bundle of them);
	// Selections name the newly selected ones (order-select).
	Orders, Selections []string
	// Service calls only this service (default: all for Hook).
	Service string
	// KeyFile signs the JWTs (PEM); Issuer and JKU go in them.
	KeyFile, Issuer, JKU string
	// User is context.userId.
	User string
	// FHIRServer, AccessToken and NoPrefetch shape the requests (see
	// [RequestOptions]).
	FHIRServer, AccessToken string
	NoPrefetch              bool
	// JSON prints JSON lines instead of text.
	JSON bool
	// Timeout bounds each request.
	Timeout time.Duration
}

// CallServices calls every service of the server at o.Base for o.Hook
// with requests built from the bundle, printing each result to out. It
// fails when no service answers the hook, or when any answer is an error
// or breaks the specification.
func CallServices(ctx context.Context, o CallOptions, out io.Writer) error {
	if o.Hook == "" || o.Bundle == "" || o.Base == "" {
		return errors.New("the hook, the bundle and the server's URL are required")
	}
	if o.AccessToken != "" && o.FHIRServer == "" {
		return errors.New("an access token needs a FHIR server to be sent with")
	}
	cl := &Client{Base: o.Base, HTTP: &http.Client{Timeout: o.Timeout}, Issuer: o.Issuer, JKU: o.JKU}
	if o.KeyFile != "" {
		data, err := os.ReadFile(o.KeyFile)
		if err != nil {
			return err
		}
		if cl.Key, _, err = cdsauth.ReadPrivateKeyPEM(data); err != nil {
			return fmt.Errorf("%s: %w", o.KeyFile, err)
		}
	}
	src, err := ReadBundleFile(o.Bundle)
	if err != nil {
		return err
	}
	orders, err := ReadOrderFiles(o.Orders)
	if err != nil {
		return err
	}
	services, err := cl.Discover(ctx)
	if err != nil {
		return err
	}
	called, failed := 0, 0
	for _, svc := range services.Services {
		if svc.Hook != o.Hook || o.Service != "" && svc.ID != o.Service {
			continue
		}
		called++
		req, err := NewRequest(svc, src, RequestOptions{UserID: o.User, Orders: orders, Selections: o.Selections,
			FHIRServer: o.FHIRServer, AccessToken: o.AccessToken, NoPrefetch: o.NoPrefetch})
		if err != nil {
			return fmt.Errorf("%s: %w", svc.ID, err)
		}
		res := cl.Call(ctx, svc, req)
		if !res.OK() {
			failed++
		}
		if err := writeResult(out, res, o.JSON); err != nil {
			return err
		}
	}
	if called == 0 {
		what := o.Hook
		if o.Service != "" {
			what += " with id " + o.Service
		}
		return fmt.Errorf("%s/cds-services lists no service for %s", strings.TrimRight(o.Base, "/"), what)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d services failed or answered outside the specification", failed, called)
	}
	return nil
}

func writeResult(out io.Writer, r Result, asJSON bool) error {
	if !asJSON {
		return WriteResult(out, r)
	}
	b, err := r.JSONLine()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}

// ReadBundleFile reads a patient's FHIR Bundle file as a [BundleSource].
func ReadBundleFile(path string) (*BundleSource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, err := fhir.ParseBundle(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	src, err := NewBundleSource(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, nil
}

// ReadOrderFiles reads draft orders: each file a FHIR resource or a
// Bundle of them.
func ReadOrderFiles(paths []string) ([]json.RawMessage, error) {
	var orders []json.RawMessage
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		r, err := fhir.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b, ok := r.(*fhir.Bundle)
		if !ok {
			orders = append(orders, json.RawMessage(data))
			continue
		}
		for i, e := range b.Entry {
			if len(e.Resource) == 0 {
				return nil, fmt.Errorf("%s: entry[%d] has no resource", path, i)
			}
			orders = append(orders, e.Resource)
		}
	}
	return orders, nil
}
