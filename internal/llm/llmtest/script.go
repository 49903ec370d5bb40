package llmtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/osler-health/osler/internal/llm"
)

// Step is how a fake server answers one request. The zero Step answers
// successfully with the server's Reply function.
type Step struct {
	// Status is the HTTP status to answer with; 0 means 200. A non-2xx
	// status sends the protocol's generic error body for it.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header ("2", "0.05"
	// or an HTTP date).
	RetryAfter string
	// Latency delays the answer (cut short when the client goes away).
	Latency time.Duration
	// Arrived, when set, is sent a value (without blocking) when the
	// request arrives, before Latency: a test cancels a call in flight
	// with it rather than after a guessed delay.
	Arrived chan<- struct{}
	// Reply replaces the server's Reply function for a successful answer.
	Reply string
	// Malformed answers 200 with a body that is not JSON (and that quotes
	// the prompt, to check that clients do not leak it into errors).
	Malformed bool
	// ContextOverflow answers with the server flavour's real
	// context-length error (status and body).
	ContextOverflow bool
	// EchoPrompt answers Status (default 400) with an error message that
	// quotes the prompt, as some servers' validation errors do.
	EchoPrompt bool
	// DropConnection closes the connection without answering.
	DropConnection bool
	// Body, when set, is sent verbatim with Status (default 200) and
	// Content-Type application/json.
	Body string
}

// Request is what a fake server recorded of one request.
type Request struct {
	// Path is the URL path ("/v1/chat/completions", "/endpoints/x/invocations").
	Path string
	// Shape is the request shape: "chat", "completions", "tgi" ({"inputs"})
	// or "text_inputs".
	Shape string
	// Model is the "model" field of OpenAI requests.
	Model string
	// Messages are the chat messages (shape "chat").
	Messages []llm.Message
	// Prompt is the prompt text: the completions prompt, the SageMaker
	// inputs, or the flattened chat messages.
	Prompt string
	// MaxTokens is max_tokens (OpenAI) or max_new_tokens (SageMaker); 0
	// when absent.
	MaxTokens int
	// Temperature and TopP are nil when absent.
	Temperature *float64
	TopP        *float64
	// TopK is 0 when absent.
	TopK int
	// Stop sequences.
	Stop []string
	// Stream is true for a streamed request.
	Stream bool
	// Header holds the request headers (Authorization included).
	Header http.Header
	// Params is the raw SageMaker "parameters" object; nil for OpenAI.
	Params map[string]any
}

// ReplyFunc computes a successful reply from a request.
type ReplyFunc func(Request) string

// DefaultReply answers with a short fixed text that names the prompt's
// length, so tests can tell calls apart without quoting patient text.
func DefaultReply(r Request) string {
	return fmt.Sprintf("Summary of %d characters.", len(r.Prompt))
}

// FixedLengthReply returns a ReplyFunc that always answers n characters:
// the prompt's first characters, padded with dots. The map-reduce
// benchmark uses it as "a summary of fixed length".
func FixedLengthReply(n int) ReplyFunc {
	return func(r Request) string {
		s := strings.Join(strings.Fields(r.Prompt), " ")
		if len(s) >= n {
			s = s[:n]
			for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 { // do not split a UTF-8 sequence
				s = s[:len(s)-1]
			}
		}
		return s + strings.Repeat(".", n-len(s))
	}
}

// scriptState is the part of a fake server shared by both protocols:
// the scripted steps, the recorded requests and the in-flight count.
type scriptState struct {
	mu          sync.Mutex
	idle        sync.Cond // signalled when inFlight drops to 0
	steps       []Step
	def         Step
	requests    []Request
	inFlight    int
	maxInFlight int
	abandoned   int
}

// Script sets the answers to the next requests, one step each; once they
// are used up the server answers with the default step (see SetDefault).
func (s *scriptState) Script(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps = append([]Step(nil), steps...)
}

// SetDefault sets the step used when the script is exhausted (initially
// the zero Step: success).
func (s *scriptState) SetDefault(step Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.def = step
}

// Requests returns the requests received so far.
func (s *scriptState) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxInFlight is the largest number of requests handled at once.
func (s *scriptState) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Abandoned is how many requests the client gave up on (cancelled, timed
// out, closed the connection) while the server was still delaying its
// answer. Call WaitIdle first: the server notices a client leaving a
// moment after the client has moved on.
func (s *scriptState) Abandoned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.abandoned
}

// WaitIdle waits until no request is being handled.
func (s *scriptState) WaitIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.inFlight > 0 {
		s.cond().Wait()
	}
}

// cond returns s.idle bound to s.mu; call it with s.mu held.
func (s *scriptState) cond() *sync.Cond {
	if s.idle.L == nil {
		s.idle.L = &s.mu
	}
	return &s.idle
}

// begin records a request and returns its step and a func to call when
// the answer is sent.
func (s *scriptState) begin(r Request) (Step, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	step := s.def
	if len(s.steps) > 0 {
		step, s.steps = s.steps[0], s.steps[1:]
	}
	s.inFlight++
	if s.inFlight > s.maxInFlight {
		s.maxInFlight = s.inFlight
	}
	if step.Arrived != nil {
		select {
		case step.Arrived <- struct{}{}:
		default:
		}
	}
	return step, func() {
		s.mu.Lock()
		s.inFlight--
		if s.inFlight == 0 {
			s.cond().Broadcast()
		}
		s.mu.Unlock()
	}
}

// wait sleeps for d unless ctx ends first; it reports whether to go on,
// and counts a request the client abandoned.
func (s *scriptState) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		s.mu.Lock()
		s.abandoned++
		s.mu.Unlock()
		return false
	}
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("llmtest: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}
