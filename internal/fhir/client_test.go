package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "tok-s3cr3t"

// newTestClient returns a Client on srv whose waits between attempts are
// recorded instead of slept, so retry tests take no time.
func newTestClient(srv *httptest.Server) (*Client, *[]time.Duration) {
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c := &Client{BaseURL: srv.URL + "/fhir", Token: testToken, HTTP: srv.Client()}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return c, waits
}

// checkClean fails when an error message carries the token or a query.
func checkClean(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); strings.Contains(msg, testToken) || strings.Contains(msg, "?") || strings.Contains(msg, "SECRET") {
		t.Errorf("error leaks: %v", msg)
	}
}

func TestClientRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken || r.Header.Get("Accept") != "application/fhir+json" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/fhir/Patient/p1":
			fmt.Fprint(w, `{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"}`)
		case "/fhir/Patient/p2":
			fmt.Fprint(w, `{"resourceType":"OperationOutcome"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Resource is not known"}]}`)
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	ctx := context.Background()
	r, err := c.Read(ctx, "Patient", "p1")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := r.(*Patient); !ok || p.BirthDate != "1970-01-01" {
		t.Errorf("got %#v", r)
	}
	if _, err := c.Read(ctx, "Patient", "p2"); err == nil || !strings.Contains(err.Error(), "answer is a OperationOutcome") {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := c.Read(ctx, "Patient", "../x"); err == nil {
		t.Error("invalid id accepted")
	}
	_, err = c.Read(ctx, "Patient", "missing")
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || se.URL != "/fhir/Patient/missing" || errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v", err)
	}
	if want := "fhir: GET /fhir/Patient/missing: 404 Not Found (not-found: Resource is not known)"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	c.Token = "wrong"
	if _, err := c.Read(ctx, "Patient", "p1"); !errors.As(err, &se) || se.StatusCode != 401 {
		t.Errorf("wrong token: %v", err)
	}
}

// TestClientTokenStaysOnOrigin: the token goes to the base's origin only,
// on direct requests to another host and on redirects to it.
func TestClientTokenStaysOnOrigin(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		fmt.Fprint(w, "content")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/blob", http.StatusFound)
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	for _, u := range []string{other.URL + "/direct", "Binary/redirected"} {
		body, ct, err := c.GetBinary(context.Background(), u, 0)
		if err != nil || string(body) != "content" || !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: %q %q %v", u, body, ct, err)
		}
	}
	if leaked.Load() {
		t.Error("the token was sent to another origin")
	}
}

func TestClientRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			fmt.Fprint(w, `{"resourceType":"Patient","id":"p1"}`)
		}
	}))
	defer srv.Close()
	c, waits := newTestClient(srv)
	c.backoffBase, c.backoffMax = 100*time.Millisecond, 150*time.Millisecond
	if _, err := c.Read(context.Background(), "Patient", "p1"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(*waits) != 2 {
		t.Fatalf("%d requests, waits %v; want 3 and 2", n.Load(), *waits)
	}
	// Backoff doubles, capped at backoffMax, with jitter down to half.
	if w := (*waits)[0]; w < 50*time.Millisecond || w > 100*time.Millisecond {
		t.Errorf("first wait %v", w)
	}
	if w := (*waits)[1]; w < 75*time.Millisecond || w > 150*time.Millisecond {
		t.Errorf("second wait %v", w)
	}
}

func TestClientRetryAfter(t *testing.T) {
	var n atomic.Int32
	retryAfter := "3"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, `{"resourceType":"Patient","id":"p1"}`)
	}))
	defer srv.Close()
	c, waits := newTestClient(srv)
	if _, err := c.Read(context.Background(), "Patient", "p1"); err != nil {
		t.Fatal(err)
	}
	if len(*waits) != 1 || (*waits)[0] != 3*time.Second {
		t.Errorf("waits %v, want [3s]", *waits)
	}
	// A Retry-After over MaxRetryAfter ends the retries at once.
	n.Store(0)
	retryAfter = "3600"
	c, waits = newTestClient(srv)
	_, err := c.Read(context.Background(), "Patient", "p1")
	if !errors.Is(err, ErrUnavailable) || n.Load() != 1 || len(*waits) != 0 {
		t.Errorf("got %v after %d requests", err, n.Load())
	}
}

func TestClientGivesUp(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"resourceType":"OperationOutcome","issue":[{"code":"transient","diagnostics":"token %s rejected"}]}`, testToken)
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	_, err := c.Search(context.Background(), "MedicationRequest?patient=SECRET1", 1)
	var se *StatusError
	if !errors.Is(err, ErrUnavailable) || !errors.As(err, &se) || se.StatusCode != 503 || n.Load() != 3 {
		t.Fatalf("got %v after %d requests", err, n.Load())
	}
	if want := "fhir: GET /fhir/MedicationRequest: server unavailable after 3 attempts: 503 Service Unavailable"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	checkClean(t, err)
	if se.Issue != "transient" {
		t.Errorf("Issue %q: the text echoing the token must be left out", se.Issue)
	}

	n.Store(0)
	c.Retries = -1
	if _, err := c.Get(context.Background(), "Patient/1"); !errors.Is(err, ErrUnavailable) || n.Load() != 1 {
		t.Errorf("no retries: %v after %d requests", err, n.Load())
	}
}

func TestClientServerClosed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	c, waits := newTestClient(srv)
	srv.Close()
	_, err := c.Get(context.Background(), "Patient?identifier=SECRET")
	if !errors.Is(err, ErrUnavailable) || len(*waits) != 2 {
		t.Fatalf("got %v, waits %v", err, *waits)
	}
	if !strings.HasPrefix(err.Error(), "fhir: GET /fhir/Patient: server unavailable after 3 attempts: dial tcp ") {
		t.Errorf("got %q", err)
	}
	checkClean(t, err)
}

// TestClientAttemptTimeout: an attempt that hangs is cut by Timeout and
// retried.
func TestClientAttemptTimeout(t *testing.T) {
	var n atomic.Int32
	var hang atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 || hang.Load() {
			<-r.Context().Done()
			return
		}
		fmt.Fprint(w, `{"resourceType":"Patient","id":"p1"}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	c.Timeout = 20 * time.Millisecond
	if _, err := c.Read(context.Background(), "Patient", "p1"); err != nil || n.Load() != 2 {
		t.Errorf("got %v after %d requests", err, n.Load())
	}
	// Hanging every time: unavailable, the cause named.
	hang.Store(true)
	c.Retries = 1
	_, err := c.Get(context.Background(), "Patient/p1")
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, errAttemptTimeout) {
		t.Errorf("got %v", err)
	}
}

func TestClientCancelStopsRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(ctx context.Context, d time.Duration) error {
		cancel() // cancelled while waiting to retry
		<-ctx.Done()
		return ctx.Err()
	}
	_, err := c.Get(ctx, "Patient/1")
	if !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Errorf("got %v after %d requests", err, n.Load())
	}
	// Already cancelled: no request at all succeeds.
	if _, err := c.Get(ctx, "Patient/1"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestClientTooLarge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fhir/chunked" {
			w.Write([]byte(strings.Repeat("x", 60)))
			w.(http.Flusher).Flush()
			w.Write([]byte(strings.Repeat("x", 60)))
			return
		}
		fmt.Fprint(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	c.MaxBytes = 100
	for _, path := range []string{"sized", "chunked"} {
		if _, err := c.Get(context.Background(), path); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: got %v", path, err)
		}
	}
	if _, _, err := c.GetBinary(context.Background(), "sized", 2000); err != nil {
		t.Errorf("GetBinary with a larger limit: %v", err)
	}
}

// pagedServer serves a search in three pages; next links are absolute
// (the usual form), relative to the base for page 3.
func pagedServer(t *testing.T, nextHost func() string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		page := r.URL.Query().Get("page")
		next := map[string]string{"": nextHost() + "/fhir/Condition?page=2", "2": "Condition?page=3"}[page]
		link := ""
		if next != "" {
			link = fmt.Sprintf(`"link":[{"relation":"next","url":%q}],`, next)
		}
		fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset",%s"entry":[{"resource":{"resourceType":"Condition","id":"c%s"}}]}`, link, page)
	}))
}

func TestClientSearchPaging(t *testing.T) {
	var srv *httptest.Server
	srv = pagedServer(t, func() string { return srv.URL })
	defer srv.Close()
	c, _ := newTestClient(srv)
	ctx := context.Background()
	b, err := c.Search(ctx, "Condition?patient=p1", 0)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := b.Resources()
	if err != nil || len(All[*Condition](rs)) != 3 || b.Next() != "" {
		t.Fatalf("%d resources, next %q, %v", len(rs), b.Next(), err)
	}
	if again, err := ParseBundle(b.Raw); err != nil || len(again.Entry) != 3 {
		t.Errorf("Raw of the merged bundle: %v", err)
	}
	b, err = c.Search(ctx, "Condition?patient=p1", 2)
	if err != nil || len(b.Entry) != 2 || b.Next() == "" {
		t.Errorf("two pages: %d entries, next %q, %v", len(b.Entry), b.Next(), err)
	}
}

func TestClientSearchCrossOrigin(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	srv := pagedServer(t, func() string { return other.URL })
	defer srv.Close()
	c, _ := newTestClient(srv)
	_, err := c.Search(context.Background(), "Condition?patient=SECRET", 0)
	if !errors.Is(err, ErrCrossOrigin) || hits.Load() != 0 {
		t.Errorf("got %v, %d requests to the other origin", err, hits.Load())
	}
}

func TestClientGetBinary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		fmt.Fprint(w, `{"resourceType":"Binary","id":"b1","contentType":"text/plain; charset=utf-8","data":"bm90ZQ=="}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(srv)
	body, ct, err := c.GetBinary(context.Background(), "Binary/b1", 0)
	if err != nil || string(body) != "note" || ct != "text/plain; charset=utf-8" {
		t.Errorf("got %q %q %v", body, ct, err)
	}
	text, err := (&Attachment{URL: srv.URL + "/fhir/Binary/b1"}).Text(context.Background(), c, 0)
	if err != nil || text != "note" {
		t.Errorf("Text: %q %v", text, err)
	}
}

func TestClientBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "ftp://x/", "not a url", "/relative"} {
		c := &Client{BaseURL: base}
		if _, err := c.Get(context.Background(), "Patient/1"); err == nil {
			t.Errorf("base %q accepted", base)
		}
	}
}
