package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Client defaults, used for zero fields of [Client].
const (
	DefaultTimeout  = 5 * time.Second
	DefaultRetries  = 2
	DefaultMaxPages = 10
	// MaxRetryAfter is the longest Retry-After a Client waits for; a 429
	// or 503 asking for longer ends the retries at once.
	MaxRetryAfter = 10 * time.Second
)

var (
	// ErrUnavailable is wrapped by the errors of a [Client] whose server
	// could not be reached or kept failing (network errors, timeouts, 429,
	// 502, 503, 504 on every attempt): a CDS Hooks service answers 412.
	ErrUnavailable = errors.New("fhir: server unavailable")
	// ErrTooLarge is wrapped by errors for an answer or attachment over
	// the size limit.
	ErrTooLarge = errors.New("fhir: content over the size limit")
	// ErrCrossOrigin is wrapped by [Client.Search] errors when a next link
	// points off the server's origin.
	ErrCrossOrigin = errors.New("fhir: link leaves the server's origin")
)

// StatusError is an HTTP error answer from the FHIR server; use errors.As
// to read the status. URL is the request's path only: the query is left
// out because it can hold patient identifiers (search parameters); the
// path can still hold a resource id. Issue is the first issue of an
// OperationOutcome answer ("not-found: Resource is not known") when short
// and plain enough to show, else "".
type StatusError struct {
	StatusCode int
	URL        string
	Issue      string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("fhir: GET %s: %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Issue != "" {
		msg += " (" + e.Issue + ")"
	}
	return msg
}

// Client reads from one FHIR R4 server over REST. The zero value of each
// field but BaseURL means its default; a Client is safe for concurrent use
// once its fields are set. It logs nothing.
//
// The bearer Token is sent only to BaseURL's origin (scheme, host and
// port), never to other hosts, including on redirects. Each attempt has
// its own Timeout; network errors, timeouts and 429, 502, 503 and 504
// answers are retried up to Retries times with capped exponential backoff
// and jitter (or the Retry-After of a 429/503, up to [MaxRetryAfter]);
// other errors are not. A context cancelled stops the retries. Every
// answer is limited to MaxBytes ([ErrTooLarge]).
type Client struct {
	// BaseURL is the FHIR server's base ("https://ehr.example/fhir/r4");
	// relative URLs resolve against it.
	BaseURL string
	// Token is the OAuth access token sent as "Authorization: Bearer";
	// "" sends none.
	Token string
	// HTTP makes the requests; nil uses a client on
	// http.DefaultTransport. Its CheckRedirect still runs, after the
	// Client's own (which drops the token off-origin).
	HTTP *http.Client
	// Timeout bounds each attempt (0: DefaultTimeout).
	Timeout time.Duration
	// Retries is how many times a transient failure is retried after the
	// first attempt (0: DefaultRetries; negative: none).
	Retries int
	// MaxBytes limits each answer's body (0: DefaultMaxBytes).
	MaxBytes int64

	// backoffBase and backoffMax shape the backoff (0: 200ms and 2s);
	// sleep waits between attempts (nil: a timer). Tests set them.
	backoffBase, backoffMax time.Duration
	sleep                   func(ctx context.Context, d time.Duration) error
}

// Accept headers: FHIR JSON for resources; anything for binaries (a FHIR
// server answers Binary/<id> with the raw content then).
const (
	acceptFHIR   = "application/fhir+json"
	acceptBinary = "*/*"
)

// Read reads the resource of the type with the id (GET [base]/type/id).
func (c *Client) Read(ctx context.Context, resourceType, id string) (Resource, error) {
	if !validType(resourceType) || !validID(id) {
		return nil, errors.New("fhir: read: invalid resource type or id")
	}
	body, err := c.Get(ctx, resourceType+"/"+id)
	if err != nil {
		return nil, err
	}
	r, err := Parse(body)
	if err != nil {
		return nil, err
	}
	if r.Type() != resourceType {
		return nil, fmt.Errorf("fhir: read %s: the answer is a %s", resourceType, safeType(r.Type()))
	}
	return r, nil
}

// Search runs a search given relative to the base
// ("MedicationRequest?patient=123&status=active") and follows next links
// for up to maxPages pages in all (< 1: DefaultMaxPages), merging the
// entries into the first page's bundle. The merged bundle keeps the last
// page's links, so a next link left says there is more; its Raw is the
// source for one page, the re-encoded merged bundle for several. A next
// link off the server's origin fails with [ErrCrossOrigin].
func (c *Client) Search(ctx context.Context, query string, maxPages int) (*Bundle, error) {
	if maxPages < 1 {
		maxPages = DefaultMaxPages
	}
	body, err := c.Get(ctx, query)
	if err != nil {
		return nil, err
	}
	merged, err := ParseBundle(body)
	if err != nil {
		return nil, err
	}
	for page := 2; page <= maxPages && merged.Next() != ""; page++ {
		u, same, err := c.resolve(merged.Next())
		if err != nil {
			return nil, fmt.Errorf("fhir: search: page %d: %w", page, err)
		}
		if !same {
			return nil, fmt.Errorf("fhir: search: page %d: %w", page, ErrCrossOrigin)
		}
		body, _, err := c.get(ctx, u, same, acceptFHIR, c.maxBytes())
		if err != nil {
			return nil, err
		}
		next, err := ParseBundle(body)
		if err != nil {
			return nil, fmt.Errorf("fhir: search: page %d: %w", page, err)
		}
		merged.Entry = append(merged.Entry, next.Entry...)
		merged.Link = next.Link
		if merged.Raw, err = json.Marshal(merged); err != nil {
			return nil, fmt.Errorf("fhir: search: %w", err)
		}
	}
	return merged, nil
}

// Get fetches a URL, absolute or relative to the base, asking for FHIR
// JSON, and returns the body.
func (c *Client) Get(ctx context.Context, rawURL string) ([]byte, error) {
	u, same, err := c.resolve(rawURL)
	if err != nil {
		return nil, err
	}
	body, _, err := c.get(ctx, u, same, acceptFHIR, c.maxBytes())
	return body, err
}

// GetBinary fetches content, such as an attachment's url, absolute or
// relative to the base, with a limit of maxBytes (<= 0: the Client's
// MaxBytes). It returns the content and its media type; an answer that is
// a FHIR Binary resource in JSON gives the decoded data and the Binary's
// contentType. It makes Client a [Fetcher].
func (c *Client) GetBinary(ctx context.Context, rawURL string, maxBytes int64) ([]byte, string, error) {
	if maxBytes <= 0 {
		maxBytes = c.maxBytes()
	}
	u, same, err := c.resolve(rawURL)
	if err != nil {
		return nil, "", err
	}
	body, ct, err := c.get(ctx, u, same, acceptBinary, maxBytes)
	if err != nil {
		return nil, "", err
	}
	return unwrapBinary(body, ct, maxBytes)
}

var _ Fetcher = (*Client)(nil)

// resolve resolves rawURL against the base and reports whether it is on
// the base's origin. Errors do not quote the URL.
func (c *Client) resolve(rawURL string) (*url.URL, bool, error) {
	base, err := url.Parse(c.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, false, errors.New("fhir: base URL is not an absolute http(s) URL")
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
		base.RawPath = ""
	}
	ref, err := url.Parse(rawURL)
	if err != nil {
		return nil, false, errors.New("fhir: invalid URL")
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, false, errors.New("fhir: URL is not http(s)")
	}
	return u, sameOrigin(u, base), nil
}

// sameOrigin reports whether a and b have the same scheme, host and port
// (default ports made explicit).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// transientError is a failed attempt worth retrying: err is a
// *StatusError or the network cause (without the URL); retryAfter is the
// server's Retry-After (0: none).
type transientError struct {
	err        error
	retryAfter time.Duration
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// unavailableError is the end of the retries: it wraps ErrUnavailable and
// the last attempt's error.
type unavailableError struct {
	path     string
	attempts int
	last     error
}

func (e *unavailableError) Error() string {
	cause := e.last.Error()
	var se *StatusError
	if errors.As(e.last, &se) {
		cause = fmt.Sprintf("%d %s", se.StatusCode, http.StatusText(se.StatusCode))
	}
	return fmt.Sprintf("fhir: GET %s: server unavailable after %d attempts: %s", e.path, e.attempts, cause)
}

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.last} }

// get makes the request with retries (see [Client]).
func (c *Client) get(ctx context.Context, u *url.URL, same bool, accept string, maxBytes int64) ([]byte, string, error) {
	retries := c.Retries
	if retries == 0 {
		retries = DefaultRetries
	}
	sleep := c.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	attempts := 0
	for {
		attempts++
		body, ct, err := c.attempt(ctx, u, same, accept, maxBytes)
		if err == nil {
			return body, ct, nil
		}
		if ctx.Err() != nil {
			return nil, "", fmt.Errorf("fhir: GET %s: %w", u.Path, ctx.Err())
		}
		var te *transientError
		if !errors.As(err, &te) {
			return nil, "", err
		}
		wait := c.backoff(attempts - 1)
		if te.retryAfter > 0 {
			wait = te.retryAfter
		}
		if attempts > retries || wait > MaxRetryAfter {
			return nil, "", &unavailableError{path: u.Path, attempts: attempts, last: te.err}
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, "", fmt.Errorf("fhir: GET %s: %w", u.Path, err)
		}
	}
}

// attempt makes one request under the per-attempt timeout.
func (c *Client) attempt(ctx context.Context, u *url.URL, same bool, accept string, maxBytes int64) ([]byte, string, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("fhir: GET %s: invalid request", u.Path)
	}
	req.Header.Set("Accept", accept)
	if same && c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, "", &transientError{err: attemptCause(ctx, err, timeout)}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", c.statusError(resp, u.Path)
	}
	if resp.ContentLength > maxBytes {
		return nil, "", fmt.Errorf("%w: GET %s (limit %d bytes)", ErrTooLarge, u.Path, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, "", &transientError{err: fmt.Errorf("reading the answer: %w", attemptCause(ctx, err, timeout))}
	}
	if int64(len(body)) > maxBytes {
		return nil, "", fmt.Errorf("%w: GET %s (limit %d bytes)", ErrTooLarge, u.Path, maxBytes)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// statusError turns an HTTP error answer into a *StatusError, wrapped in
// a transientError for the statuses worth retrying.
func (c *Client) statusError(resp *http.Response, path string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	se := &StatusError{StatusCode: resp.StatusCode, URL: path, Issue: c.issue(body)}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return &transientError{err: se, retryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return &transientError{err: se}
	}
	return se
}

// errAttemptTimeout is the cause of an attempt cut by the Client's
// Timeout.
var errAttemptTimeout = errors.New("attempt timed out")

// attemptCause returns what made an attempt fail, for the error that ends
// the retries: errAttemptTimeout when the attempt's own deadline passed
// (ctx is the attempt's context), else the error under a *url.Error,
// whose message would quote the whole URL with its query.
func attemptCause(ctx context.Context, err error, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (%v)", errAttemptTimeout, timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// maxIssue is the longest OperationOutcome issue text a StatusError shows.
const maxIssue = 200

// issue returns "code: text" of the first issue of an OperationOutcome
// body, or just the code when the text is long, multi-line or holds the
// token; "" when body is not an OperationOutcome.
func (c *Client) issue(body []byte) string {
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Code        string          `json:"code"`
			Diagnostics string          `json:"diagnostics"`
			Details     CodeableConcept `json:"details"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &oo) != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		return ""
	}
	is := oo.Issue[0]
	code := is.Code
	if !validType(code) && !validID(code) {
		code = ""
	}
	text := firstNonEmpty(is.Details.Text, is.Diagnostics)
	if text == "" || len(text) > maxIssue || strings.ContainsFunc(text, unicode.IsControl) ||
		strings.Contains(strings.ToLower(text), "bearer") || (c.Token != "" && strings.Contains(text, c.Token)) {
		return code
	}
	if code == "" {
		return text
	}
	return code + ": " + text
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 0 when
// absent or invalid.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// backoff returns the wait after the failed attempt (0-based):
// exponential from backoffBase, capped at backoffMax, with jitter down to
// half.
func (c *Client) backoff(attempt int) time.Duration {
	base, limit := c.backoffBase, c.backoffMax
	if base <= 0 {
		base = 200 * time.Millisecond
	}
	if limit <= 0 {
		limit = 2 * time.Second
	}
	d := limit
	if attempt < 30 && base<<attempt < limit {
		d = base << attempt
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// httpClient returns the HTTP client for a request: c.HTTP (or a
// default one) with a CheckRedirect that drops the token on redirects off
// the base's origin and stops after 10 redirects.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	base, _, _ := c.resolve("")
	inner := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if base == nil || !sameOrigin(req.URL, base) {
			req.Header.Del("Authorization")
		}
		if inner != nil {
			return inner(req, via)
		}
		return nil
	}
	return &hc
}

// validType reports whether s can be a FHIR resource type name.
func validType(s string) bool { return isTypeName(s) }

// validID reports whether s is a FHIR id: [A-Za-z0-9-.]{1,64}.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !isASCIILetter(c) && (c < '0' || c > '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// maxBytes returns the answer size limit.
func (c *Client) maxBytes() int64 {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultMaxBytes
}
