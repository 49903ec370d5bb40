package cdshooks

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/text"
)

// Client calls a CDS Hooks server as an EHR does: discovery, then service
// calls, each with a fresh JWT whose aud is the URL called. `osler cds
// call` uses it to test a deployment, Osler's or any other.
type Client struct {
	// Base is the server's base URL (discovery is Base/cds-services).
	Base string
	// HTTP sends the requests (default http.DefaultClient).
	HTTP *http.Client
	// Key signs the JWTs; nil sends none (a server with --cds-no-auth).
	Key crypto.Signer
	// Issuer is the JWT's iss; JKU, when set, its jku header.
	Issuer, JKU string
}

// maxAnswer bounds a server's answer.
const maxAnswer = 64 << 20

// do sends one request and returns the status, body and time taken.
func (c *Client) do(ctx context.Context, method, path string, body []byte) (int, []byte, time.Duration, error) {
	u := strings.TrimRight(c.Base, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Key != nil {
		tok, err := cdsauth.Sign(c.Key, cdsauth.SignOptions{Issuer: c.Issuer, Audience: u, JKU: c.JKU})
		if err != nil {
			return 0, nil, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, data, time.Since(start), err
}

// Discover reads the server's discovery endpoint.
func (c *Client) Discover(ctx context.Context) (*api.CDSServices, error) {
	where := strings.TrimRight(c.Base, "/") + "/cds-services"
	status, data, _, err := c.do(ctx, http.MethodGet, "/cds-services", nil)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", where, err)
	}
	if status != http.StatusOK {
		hint := ""
		if status == http.StatusUnauthorized {
			hint = " (the server does not accept the JWT: check the issuer, the key and the server's --cds-trust)"
			if c.Key == nil {
				hint = " (the server wants a signed JWT: give a key)"
			}
		}
		return nil, fmt.Errorf("discovery at %s answered HTTP %d%s", where, status, hint)
	}
	var s api.CDSServices
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("discovery at %s: not a CDS Hooks discovery response: %v", where, err)
	}
	return &s, nil
}

// Result is one service call's outcome.
type Result struct {
	Service  api.CDSService
	Status   int
	Elapsed  time.Duration
	Response *api.CDSResponse
	// Problems are the response's departures from the specification
	// ([CheckResponse]).
	Problems error
	// Err is a failure to send the request or read the answer.
	Err  error
	Body []byte
}

// OK reports whether the service answered 200 within the specification.
func (r Result) OK() bool { return r.Err == nil && r.Status == http.StatusOK && r.Problems == nil }

// Call sends req to the service and checks the answer.
func (c *Client) Call(ctx context.Context, svc api.CDSService, req *api.CDSRequest) Result {
	res := Result{Service: svc}
	body, err := json.Marshal(req)
	if err != nil {
		res.Err = err
		return res
	}
	res.Status, res.Body, res.Elapsed, res.Err = c.do(ctx, http.MethodPost, "/cds-services/"+svc.ID, body)
	if res.Err != nil || res.Status != http.StatusOK {
		return res
	}
	var resp api.CDSResponse
	if err := json.Unmarshal(res.Body, &resp); err != nil {
		res.Problems = fmt.Errorf("not a CDS Hooks response: %v", err)
		return res
	}
	res.Response, res.Problems = &resp, CheckResponse(&resp)
	return res
}

// JSONLine is the result as one JSON object: service, hook, status, ms,
// and the response, error or problems.
func (r Result) JSONLine() ([]byte, error) {
	line := map[string]any{"service": r.Service.ID, "hook": r.Service.Hook, "status": r.Status, "ms": r.Elapsed.Milliseconds()}
	if r.Response != nil {
		line["response"] = r.Response
	}
	if r.Err != nil {
		line["error"] = r.Err.Error()
	}
	if r.Problems != nil {
		line["problems"] = strings.Split(r.Problems.Error(), "\n")
	}
	return json.Marshal(line)
}

// WriteResult prints a result for a terminal: each card with its
// indicator, source, detail, suggestions, override reasons and links,
// then the system actions and any departure from the specification.
// Everything the server sent is made terminal-safe.
func WriteResult(out io.Writer, r Result) error {
	w := &text.ErrWriter{W: out}
	id := r.Service.ID + " (" + r.Service.Hook + ")"
	switch {
	case r.Err != nil:
		fmt.Fprintf(w, "%s: request failed: %v\n\n", id, r.Err)
		return w.Err
	case r.Status != http.StatusOK:
		fmt.Fprintf(w, "%s: HTTP %d %s\n\n", id, r.Status, text.TerminalSafe(strings.TrimSpace(string(r.Body))))
		return w.Err
	}
	if resp := r.Response; resp != nil {
		fmt.Fprintf(w, "%s: %d %s, %d system %s  [%d ms]\n", id, len(resp.Cards), plural(len(resp.Cards), "card", "cards"),
			len(resp.SystemActions), plural(len(resp.SystemActions), "action", "actions"), r.Elapsed.Milliseconds())
		for _, c := range resp.Cards {
			writeCard(w, c)
		}
		for _, a := range resp.SystemActions {
			fmt.Fprintf(w, "  system action: %s\n", describeAction(a))
		}
	}
	if r.Problems != nil {
		fmt.Fprintln(w, "  OUTSIDE THE SPECIFICATION:")
		for _, p := range strings.Split(r.Problems.Error(), "\n") {
			fmt.Fprintf(w, "    - %s\n", text.TerminalSafe(p))
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
		rs := make([]string, len(c.OverrideReasons))
		for i, o := range c.OverrideReasons {
			rs[i] = safe(o.Display)
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
