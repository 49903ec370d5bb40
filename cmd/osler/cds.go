package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/cdshooks"
	"github.com/osler-health/osler/internal/fhir"
	"github.com/osler-health/osler/internal/text"
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

// cdsCallFlags are osler cds call's flags.
type cdsCallFlags struct {
	hook, bundle, url, key, issuer, jku, service string
	orders, selections                           stringList
	fhirServer, accessToken, user                string
	noPrefetch, asJSON                           bool
	timeout                                      time.Duration
}

func (m *Main) runCDSCall(ctx context.Context, args []string) error {
	fs := m.newFlagSet(cdsCallDoc)
	var f cdsCallFlags
	fs.StringVar(&f.hook, "hook", "", "patient-view, order-select or order-sign (required)")
	fs.StringVar(&f.bundle, "bundle", "", "the patient's FHIR R4 Bundle (JSON): context and prefetch are built from it (required)")
	fs.Var(&f.orders, "order", "a draft order for order-select/order-sign: a FHIR resource (MedicationRequest, ServiceRequest, DeviceRequest) or a Bundle of them, in a JSON file (repeatable)")
	fs.Var(&f.selections, "select", "for order-select, the newly selected order, Type/id (repeatable; default: every --order)")
	fs.StringVar(&f.url, "url", "", "the CDS server's base URL; its discovery endpoint is URL/cds-services (required)")
	fs.StringVar(&f.service, "service", "", "call only this service id (default: every service of the server for --hook)")
	fs.StringVar(&f.key, "key", "", "private key (PEM, from osler cds keys) to sign the JWT with; without it requests carry no JWT")
	fs.StringVar(&f.issuer, "issuer", "osler-cds-client", "the JWT's iss: the issuer the server trusts (--cds-trust ISSUER=JWKS_URL)")
	fs.StringVar(&f.jku, "jku", "", "send this JWKS URL as the JWT's jku header (it must equal the server's configured one)")
	fs.StringVar(&f.user, "user", "Practitioner/osler-cds-client", "context.userId")
	fs.StringVar(&f.fhirServer, "fhir-server", "", "send this fhirServer, for services to read what is not prefetched")
	fs.StringVar(&f.accessToken, "access-token", "", "send this fhirAuthorization access token (needs --fhir-server)")
	fs.BoolVar(&f.noPrefetch, "no-prefetch", false, "send no prefetch: services must read --fhir-server")
	fs.BoolVar(&f.asJSON, "json", false, "print the responses as JSON lines ({service, hook, status, response})")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "time allowed for each request")
	pos, err := m.parseFlags(fs, cdsCallDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("cds call: unexpected argument %q", pos[0])}
	}
	if f.hook == "" || f.bundle == "" || f.url == "" {
		return usageError{errors.New("cds call: --hook, --bundle and --url are required (see --help)")}
	}
	if f.accessToken != "" && f.fhirServer == "" {
		return usageError{errors.New("cds call: --access-token needs --fhir-server")}
	}
	cl, err := newCDSClient(f)
	if err != nil {
		return err
	}
	src, orders, err := readCDSInputs(f)
	if err != nil {
		return err
	}
	services, err := cl.discover(ctx)
	if err != nil {
		return err
	}
	called := 0
	problems := 0
	for _, svc := range services.Services {
		if svc.Hook != f.hook || f.service != "" && svc.ID != f.service {
			continue
		}
		called++
		req, err := cdshooks.NewRequest(svc, src, cdshooks.RequestOptions{UserID: f.user, Orders: orders, Selections: f.selections,
			FHIRServer: f.fhirServer, AccessToken: f.accessToken, NoPrefetch: f.noPrefetch})
		if err != nil {
			return fmt.Errorf("cds call: %s: %w", svc.ID, err)
		}
		res := cl.call(ctx, svc.ID, req)
		if !res.ok() {
			problems++
		}
		if err := m.printCDSResult(f.asJSON, svc, res); err != nil {
			return err
		}
	}
	if called == 0 {
		return fmt.Errorf("cds call: %s lists no service for %s%s", strings.TrimRight(f.url, "/")+"/cds-services", f.hook, cond(f.service != "", " with id "+f.service, ""))
	}
	if problems > 0 {
		return fmt.Errorf("cds call: %d of %d services failed or answered outside the specification", problems, called)
	}
	return nil
}

func cond(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// readCDSInputs reads the bundle and the draft orders.
func readCDSInputs(f cdsCallFlags) (*cdshooks.BundleSource, []json.RawMessage, error) {
	data, err := os.ReadFile(f.bundle)
	if err != nil {
		return nil, nil, fmt.Errorf("cds call: --bundle: %w", err)
	}
	b, err := fhir.ParseBundle(data)
	if err != nil {
		return nil, nil, fmt.Errorf("cds call: --bundle %s: %w", f.bundle, err)
	}
	src, err := cdshooks.NewBundleSource(b)
	if err != nil {
		return nil, nil, fmt.Errorf("cds call: --bundle %s: %w", f.bundle, err)
	}
	var orders []json.RawMessage
	for _, path := range f.orders {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("cds call: --order: %w", err)
		}
		r, err := fhir.Parse(data)
		if err != nil {
			return nil, nil, fmt.Errorf("cds call: --order %s: %w", path, err)
		}
		if ob, ok := r.(*fhir.Bundle); ok {
			for i, e := range ob.Entry {
				if len(e.Resource) == 0 {
					return nil, nil, fmt.Errorf("cds call: --order %s: entry[%d] has no resource", path, i)
				}
				orders = append(orders, e.Resource)
			}
			continue
		}
		orders = append(orders, json.RawMessage(data))
	}
	return src, orders, nil
}

// cdsClient calls a CDS server, signing each request when it has a key.
type cdsClient struct {
	base    string
	http    *http.Client
	key     crypto.Signer
	issuer  string
	jku     string
	timeout time.Duration
}

func newCDSClient(f cdsCallFlags) (*cdsClient, error) {
	c := &cdsClient{base: strings.TrimRight(f.url, "/"), http: &http.Client{Timeout: f.timeout}, issuer: f.issuer, jku: f.jku, timeout: f.timeout}
	if f.key != "" {
		data, err := os.ReadFile(f.key)
		if err != nil {
			return nil, fmt.Errorf("cds call: --key: %w", err)
		}
		key, _, err := cdsauth.ReadPrivateKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("cds call: --key %s: %w", f.key, err)
		}
		c.key = key
	}
	return c, nil
}

// do sends one request with a fresh JWT whose aud is the URL called.
func (c *cdsClient) do(ctx context.Context, method, path string, body []byte) (int, []byte, time.Duration, error) {
	u := c.base + path
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.key != nil {
		tok, err := cdsauth.Sign(c.key, cdsauth.SignOptions{Issuer: c.issuer, Audience: u, JKU: c.jku})
		if err != nil {
			return 0, nil, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, data, time.Since(start), err
}

func (c *cdsClient) discover(ctx context.Context) (*api.CDSServices, error) {
	status, data, _, err := c.do(ctx, http.MethodGet, "/cds-services", nil)
	if err != nil {
		return nil, fmt.Errorf("cds call: discovery at %s/cds-services: %w", c.base, err)
	}
	if status != http.StatusOK {
		hint := ""
		if status == http.StatusUnauthorized {
			hint = cond(c.key == nil, " (the server wants a signed JWT: pass --key)", " (the server does not accept the JWT: check --issuer, the key and the server's --cds-trust)")
		}
		return nil, fmt.Errorf("cds call: discovery at %s/cds-services answered HTTP %d%s", c.base, status, hint)
	}
	var s api.CDSServices
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("cds call: discovery at %s/cds-services: not a CDS Hooks discovery response: %v", c.base, err)
	}
	return &s, nil
}

// cdsResult is one service call's outcome.
type cdsResult struct {
	status   int
	elapsed  time.Duration
	response *api.CDSResponse
	problems error // the response's departures from the specification
	err      error
	body     []byte
}

func (r cdsResult) ok() bool { return r.err == nil && r.status == http.StatusOK && r.problems == nil }

func (c *cdsClient) call(ctx context.Context, id string, req *api.CDSRequest) cdsResult {
	body, err := json.Marshal(req)
	if err != nil {
		return cdsResult{err: err}
	}
	status, data, elapsed, err := c.do(ctx, http.MethodPost, "/cds-services/"+id, body)
	res := cdsResult{status: status, elapsed: elapsed, err: err, body: data}
	if err != nil || status != http.StatusOK {
		return res
	}
	var resp api.CDSResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		res.problems = fmt.Errorf("not a CDS Hooks response: %v", err)
		return res
	}
	res.response, res.problems = &resp, cdshooks.CheckResponse(&resp)
	return res
}

// printCDSResult prints one service's answer, readably or as a JSON line.
func (m *Main) printCDSResult(asJSON bool, svc api.CDSService, r cdsResult) error {
	if asJSON {
		line := map[string]any{"service": svc.ID, "hook": svc.Hook, "status": r.status, "ms": r.elapsed.Milliseconds()}
		if r.response != nil {
			line["response"] = r.response
		}
		if r.err != nil {
			line["error"] = r.err.Error()
		}
		if r.problems != nil {
			line["problems"] = strings.Split(r.problems.Error(), "\n")
		}
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(m.Stdout, "%s\n", b)
		return err
	}
	w := &text.ErrWriter{W: m.Stdout}
	switch {
	case r.err != nil:
		fmt.Fprintf(w, "%s (%s): request failed: %v\n\n", svc.ID, svc.Hook, r.err)
		return w.Err
	case r.status != http.StatusOK:
		fmt.Fprintf(w, "%s (%s): HTTP %d %s\n\n", svc.ID, svc.Hook, r.status, text.TerminalSafe(strings.TrimSpace(string(r.body))))
		return w.Err
	}
	resp := r.response
	fmt.Fprintf(w, "%s (%s): %d %s, %d system %s  [%d ms]\n", svc.ID, svc.Hook, len(resp.Cards), cond(len(resp.Cards) == 1, "card", "cards"),
		len(resp.SystemActions), cond(len(resp.SystemActions) == 1, "action", "actions"), r.elapsed.Milliseconds())
	for _, c := range resp.Cards {
		writeCard(w, c)
	}
	for _, a := range resp.SystemActions {
		fmt.Fprintf(w, "  system action: %s\n", describeAction(a))
	}
	if r.problems != nil {
		fmt.Fprintln(w, "  OUTSIDE THE SPECIFICATION:")
		for _, p := range strings.Split(r.problems.Error(), "\n") {
			fmt.Fprintf(w, "    - %s\n", p)
		}
	}
	fmt.Fprintln(w)
	return w.Err
}

func writeCard(w io.Writer, c api.Card) {
	safe := text.TerminalSafe
	fmt.Fprintf(w, "  [%s] %s\n", strings.ToUpper(safe(c.Indicator)), safe(c.Summary))
	fmt.Fprintf(w, "      source: %s\n", safe(c.Source.Label))
	for _, line := range strings.Split(c.Detail, "\n") {
		if strings.TrimSpace(line) != "" {
			fmt.Fprintf(w, "      | %s\n", safe(line))
		}
	}
	for _, s := range c.Suggestions {
		fmt.Fprintf(w, "      suggestion: %s", safe(s.Label))
		for _, a := range s.Actions {
			fmt.Fprintf(w, " [%s]", describeAction(a))
		}
		fmt.Fprintln(w)
	}
	if len(c.OverrideReasons) > 0 {
		var rs []string
		for _, o := range c.OverrideReasons {
			rs = append(rs, safe(o.Display))
		}
		fmt.Fprintf(w, "      override reasons: %s\n", strings.Join(rs, "; "))
	}
	for _, l := range c.Links {
		fmt.Fprintf(w, "      link: %s <%s>\n", safe(l.Label), safe(l.URL))
	}
}

func describeAction(a api.Action) string {
	target := a.ResourceID
	if target == "" && len(a.Resource) > 0 {
		var probe struct{ ResourceType, ID string }
		if json.Unmarshal(a.Resource, &probe) == nil {
			target = probe.ResourceType + "/" + probe.ID
		}
	}
	return text.TerminalSafe(fmt.Sprintf("%s %s: %s", a.Type, target, a.Description))
}

var cdsKeysDoc = helpDoc("cds-keys")

func (m *Main) runCDSKeys(ctx context.Context, args []string) error {
	fs := m.newFlagSet(cdsKeysDoc)
	out := fs.String("out", "", "write the new private key here (PEM, mode 0600); with an existing file, its key is reused")
	alg := fs.String("alg", "ES384", "ES384 or RS384")
	serve := fs.String("serve", "", "serve the JWKS at http://ADDR/jwks.json until interrupted, e.g. 127.0.0.1:8090")
	issuer := fs.String("issuer", "osler-cds-client", "the issuer to print in the --cds-trust line")
	pos, err := m.parseFlags(fs, cdsKeysDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("cds keys: unexpected argument %q", pos[0])}
	}
	if *out == "" {
		return usageError{errors.New("cds keys: --out KEY.pem is required: the private key must be kept to sign requests")}
	}
	key, made, err := loadOrMakeKey(*out, *alg)
	if err != nil {
		return err
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
	return m.serveJWKS(ctx, *serve, *issuer, jwks)
}

// loadOrMakeKey reads the key at path, or makes one and writes it there.
func loadOrMakeKey(path, alg string) (crypto.Signer, bool, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, _, err := cdsauth.ReadPrivateKeyPEM(data)
		if err != nil {
			return nil, false, fmt.Errorf("cds keys: %s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("cds keys: %w", err)
	}
	key, err := cdsauth.GenerateKey(alg)
	if err != nil {
		return nil, false, usageError{fmt.Errorf("cds keys: --alg: %w", err)}
	}
	var buf bytes.Buffer
	if err := cdsauth.WritePrivateKeyPEM(&buf, key); err != nil {
		return nil, false, err
	}
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return nil, false, fmt.Errorf("cds keys: %w", err)
	}
	return key, true, nil
}

func (m *Main) serveJWKS(ctx context.Context, addr, issuer string, jwks []byte) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cds keys: --serve: %w", err)
	}
	url := "http://" + ln.Addr().String() + "/jwks.json"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(jwks)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(m.Stderr, "cds keys: serving the JWKS at %s (Ctrl-C stops)\n", url)
	fmt.Fprintf(m.Stdout, "--cds-trust %s=%s\n", issuer, url)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("cds keys: %w", err)
	}
	return nil
}
