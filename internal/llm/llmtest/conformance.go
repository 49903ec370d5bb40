package llmtest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/llm"
)

// Server is the control surface shared by the fake protocol servers.
type Server interface {
	// Script sets how the next requests are answered, one Step each.
	Script(steps ...Step)
	// SetDefault sets the Step used once the script is exhausted.
	SetDefault(step Step)
	// Requests returns what the server received.
	Requests() []Request
	// MaxInFlight is the most requests the server handled at once.
	MaxInFlight() int
	// Abandoned is how many requests the client gave up on while the
	// server delayed its answer (see Step.Latency); call WaitIdle first.
	Abandoned() int
	// WaitIdle waits until the server handles no request.
	WaitIdle()
}

var (
	_ Server = (*OpenAIServer)(nil)
	_ Server = (*SageMakerServer)(nil)
)

// Backend describes a backend to [RunConformance].
type Backend struct {
	// Start starts a fake server of the backend's protocol (closed when t
	// ends) and returns a Model talking to it, not wrapped by llm.Wrap.
	Start func(t *testing.T) (llm.Model, Server)
	// Streams says whether the protocol streams piece by piece; when false
	// the stream callback must get the whole reply in one call.
	Streams bool
	// ContextOverflowStatus is the HTTP status the backend's servers use
	// for a context-length error (400 for OpenAI, 424 for SageMaker).
	ContextOverflowStatus int
}

// secretMarker stands in for patient text in conformance prompts: it must
// never appear in an error message.
const secretMarker = "PATIENT-SECRET-7f3a: 67 year old with chest pain radiating to the left arm"

// fastRetries is a retry policy quick enough for tests.
func fastRetries(n int) llm.Policy {
	return llm.Policy{MaxRetries: n, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: time.Second}
}

// RunConformance checks that a backend behaves as every Osler backend must,
// against its fake protocol server on 127.0.0.1: a reply with the
// generation options sent; 429 then success with Retry-After honoured; 500
// retried then reported with its status; per-attempt timeouts; malformed
// JSON; context overflow as llm.ErrContextLength; cancellation; dropped
// connections; streaming and stopping a stream; the concurrency limit; and
// no prompt text in any error message.
func RunConformance(t *testing.T, b Backend) {
	t.Helper()
	c := conformance{
		Backend: b,
		ctx:     context.Background(),
		prompt:  []llm.Message{llm.System("You summarize clinical notes."), llm.User("Summarize: " + secretMarker)},
	}
	for _, check := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Success", c.success},
		{"RateLimitedThenSuccess", c.rateLimitedThenSuccess},
		{"ServerError", c.serverError},
		{"Timeout", c.timeout},
		{"MalformedJSON", c.malformedJSON},
		{"ContextOverflow", c.contextOverflow},
		{"Cancellation", c.cancellation},
		{"DroppedConnectionThenSuccess", c.droppedConnectionThenSuccess},
		{"Streaming", c.streaming},
		{"StreamStoppedByCallback", c.streamStoppedByCallback},
		{"ConcurrencyLimit", c.concurrencyLimit},
		{"ErrorQuotingPromptIsWithheld", c.errorQuotingPromptIsWithheld},
	} {
		t.Run(check.name, check.run)
	}
}

// conformance is the suite of [RunConformance] for one backend: each
// method is one check, run against a fresh fake server.
type conformance struct {
	Backend
	ctx    context.Context
	prompt []llm.Message // with secretMarker in the user message
}

// success checks a reply and the generation options sent.
func (c conformance) success(t *testing.T) {
	m, srv := c.Start(t)
	srv.Script(Step{Reply: "No acute cardiopulmonary abnormality."})
	resp, err := m.Generate(c.ctx, c.prompt, llm.WithMaxTokens(64), llm.WithTemperature(0.25), llm.WithTopP(0.9))
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if resp.Text != "No acute cardiopulmonary abnormality." {
		t.Errorf("text = %q, want the server's reply", resp.Text)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if !strings.Contains(r.Prompt, secretMarker) || !strings.Contains(r.Prompt, "You summarize clinical notes.") {
		t.Errorf("server prompt %q lacks the system or user message", r.Prompt)
	}
	if r.MaxTokens != 64 {
		t.Errorf("max tokens sent = %d, want 64", r.MaxTokens)
	}
	if r.Temperature == nil || *r.Temperature != 0.25 {
		t.Errorf("temperature sent = %v, want 0.25", r.Temperature)
	}
	if r.TopP == nil || *r.TopP != 0.9 {
		t.Errorf("top_p sent = %v, want 0.9", r.TopP)
	}
}

// rateLimitedThenSuccess checks that a 429 is a temporary *llm.StatusError
// with the server's Retry-After, and that llm.Wrap retries it no sooner.
func (c conformance) rateLimitedThenSuccess(t *testing.T) {
	m, srv := c.Start(t)
	srv.Script(Step{Status: http.StatusTooManyRequests, RetryAfter: "0.05"})
	_, err := m.Generate(c.ctx, c.prompt)
	var se *llm.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests || !se.Temporary() {
		t.Fatalf("unwrapped model: err = %v, want a temporary *llm.StatusError 429", err)
	}
	if se.RetryAfter != 50*time.Millisecond {
		t.Errorf("RetryAfter = %v, want 50ms from the Retry-After header", se.RetryAfter)
	}

	srv.Script(Step{Status: http.StatusTooManyRequests, RetryAfter: "0.05"}, Step{Reply: "ok after retry"})
	before := len(srv.Requests())
	start := time.Now()
	resp, err := llm.Wrap(m, fastRetries(3)).Generate(c.ctx, c.prompt)
	if err != nil {
		t.Fatalf("wrapped model: %v", err)
	}
	if resp.Text != "ok after retry" {
		t.Errorf("text = %q", resp.Text)
	}
	if n := len(srv.Requests()) - before; n != 2 {
		t.Errorf("server saw %d requests, want 2 (429, then success)", n)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("retried after %v, before the server's Retry-After of 50ms", waited)
	}
}

// serverError checks that a 500 is retried, then reported with its status
// and the number of attempts.
func (c conformance) serverError(t *testing.T) {
	m, srv := c.Start(t)
	srv.SetDefault(Step{Status: http.StatusInternalServerError})
	_, err := llm.Wrap(m, fastRetries(2)).Generate(c.ctx, c.prompt)
	var se *llm.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusInternalServerError {
		t.Fatalf("err = %v, want *llm.StatusError 500", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("server saw %d requests, want 3 (1 + 2 retries)", n)
	}
	if !strings.Contains(err.Error(), "3 attempts") {
		t.Errorf("error %q does not say how many attempts were made", err)
	}
}

// timeout checks that a per-attempt timeout cuts a slow reply short and is
// retried, judged by what the server saw (the client left while it
// delayed the answer), not by how long the call took: a backend that
// ignored its context would get the delayed answer, and the test would
// fail after the delay.
func (c conformance) timeout(t *testing.T) {
	m, srv := c.Start(t)
	srv.SetDefault(Step{Latency: 5 * time.Second})
	p := fastRetries(1)
	p.Timeout = 50 * time.Millisecond
	_, err := llm.Wrap(m, p).Generate(c.ctx, c.prompt)
	var te *llm.TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want *llm.TimeoutError matching context.DeadlineExceeded", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("server saw %d requests, want 2 (timeouts are retried once)", n)
	}
	srv.WaitIdle()
	if n := srv.Abandoned(); n != 2 {
		t.Errorf("the client abandoned %d of 2 requests; the 50ms timeout did not cut the 5s replies short", n)
	}
}

// malformedJSON checks that a malformed reply is llm.ErrMalformedResponse,
// not retried, and quotes no prompt text.
func (c conformance) malformedJSON(t *testing.T) {
	m, srv := c.Start(t)
	srv.SetDefault(Step{Malformed: true})
	_, err := llm.Wrap(m, fastRetries(3)).Generate(c.ctx, c.prompt)
	if !errors.Is(err, llm.ErrMalformedResponse) {
		t.Fatalf("err = %v, want llm.ErrMalformedResponse", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (malformed replies are not retried)", n)
	}
	noSecret(t, err)
}

// contextOverflow checks that a context-length error is llm.ErrContextLength
// with the backend's status, and is not retried.
func (c conformance) contextOverflow(t *testing.T) {
	m, srv := c.Start(t)
	srv.SetDefault(Step{ContextOverflow: true})
	_, err := llm.Wrap(m, fastRetries(3)).Generate(c.ctx, c.prompt, llm.WithMaxTokens(256))
	if !errors.Is(err, llm.ErrContextLength) {
		t.Fatalf("err = %v, want llm.ErrContextLength", err)
	}
	var se *llm.StatusError
	if !errors.As(err, &se) || se.StatusCode != c.ContextOverflowStatus {
		t.Errorf("err = %v, want *llm.StatusError with status %d", err, c.ContextOverflowStatus)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (overflow is not retried)", n)
	}
	noSecret(t, err)
}

// cancellation checks that cancelling the context while the server holds
// the request stops the call, without retries, judged as timeout's is.
func (c conformance) cancellation(t *testing.T) {
	m, srv := c.Start(t)
	arrived := make(chan struct{}, 1)
	srv.SetDefault(Step{Latency: 5 * time.Second, Arrived: arrived})
	cctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	go func() {
		<-arrived // cancel while the server holds the request
		cancel()
	}()
	_, err := llm.Wrap(m, fastRetries(3)).Generate(cctx, c.prompt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (a cancelled call is not retried)", n)
	}
	srv.WaitIdle()
	if n := srv.Abandoned(); n != 1 {
		t.Errorf("the client abandoned %d requests, want 1: cancellation did not cut the 5s reply short", n)
	}
}

// droppedConnectionThenSuccess checks that a dropped connection is retried.
func (c conformance) droppedConnectionThenSuccess(t *testing.T) {
	m, srv := c.Start(t)
	srv.Script(Step{DropConnection: true}, Step{Reply: "ok after reconnect"})
	resp, err := llm.Wrap(m, fastRetries(2)).Generate(c.ctx, c.prompt)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if resp.Text != "ok after reconnect" {
		t.Errorf("text = %q", resp.Text)
	}
}

// streaming checks that the stream callback gets the whole reply, in pieces
// when the protocol streams.
func (c conformance) streaming(t *testing.T) {
	m, srv := c.Start(t)
	const reply = "Mild cardiomegaly. No focal consolidation. No pleural effusion."
	srv.Script(Step{Reply: reply})
	var chunks []string
	resp, err := m.Generate(c.ctx, c.prompt, llm.WithStreaming(func(_ context.Context, chunk string) error {
		chunks = append(chunks, chunk)
		return nil
	}))
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if got := strings.Join(chunks, ""); got != reply || resp.Text != reply {
		t.Errorf("streamed %q, returned %q; want both %q", got, resp.Text, reply)
	}
	if c.Streams && len(chunks) < 2 {
		t.Errorf("got %d chunks; a streaming protocol should deliver the reply in pieces", len(chunks))
	}
	if !c.Streams && len(chunks) != 1 {
		t.Errorf("got %d chunks; a non-streaming protocol should deliver the reply once", len(chunks))
	}
}

// streamStoppedByCallback checks that a callback's error stops the stream
// and is not retried.
func (c conformance) streamStoppedByCallback(t *testing.T) {
	m, srv := c.Start(t)
	srv.Script(Step{Reply: "one two three four five six"})
	errStop := errors.New("stop here")
	calls := 0
	_, err := llm.Wrap(m, fastRetries(3)).Generate(c.ctx, c.prompt, llm.WithStreaming(func(context.Context, string) error {
		calls++
		return errStop
	}))
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("callback called %d times after it asked to stop", calls)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d requests; a stopped stream must not be retried", n)
	}
}

// concurrencyLimit checks that llm.Wrap keeps at most Policy.Concurrency
// requests in flight.
func (c conformance) concurrencyLimit(t *testing.T) {
	m, srv := c.Start(t)
	srv.SetDefault(Step{Latency: 40 * time.Millisecond})
	wm := llm.Wrap(m, llm.Policy{Concurrency: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := wm.Generate(c.ctx, c.prompt)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
	}
	if got := srv.MaxInFlight(); got > 2 || got < 1 {
		t.Errorf("server saw %d requests in flight, want at most 2", got)
	}
	if n := len(srv.Requests()); n != 6 {
		t.Errorf("server saw %d requests, want 6", n)
	}
}

// errorQuotingPromptIsWithheld checks that a server error message quoting
// the prompt is withheld.
func (c conformance) errorQuotingPromptIsWithheld(t *testing.T) {
	m, srv := c.Start(t)
	srv.SetDefault(Step{EchoPrompt: true})
	_, err := m.Generate(c.ctx, c.prompt)
	var se *llm.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *llm.StatusError", err)
	}
	if !se.MessageWithheld {
		t.Errorf("a server message quoting the prompt was kept: %q", se.Message)
	}
	noSecret(t, err)
}

// noSecret fails the test when err's message quotes the conformance prompt.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), "PATIENT-SECRET") || strings.Contains(err.Error(), "chest pain")) {
		t.Errorf("error message leaks prompt text: %q", err)
	}
}
