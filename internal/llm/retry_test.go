package llm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/osler-health/osler/internal/llm"
	"github.com/osler-health/osler/internal/llm/llmtest"
)

// failing returns a Fake whose first len(errs) calls fail with errs.
func failing(errs ...error) *llmtest.Fake {
	var mu sync.Mutex
	i := 0
	return &llmtest.Fake{Reply: func(context.Context, []llm.Message, llm.Options) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if i < len(errs) {
			i++
			return "", errs[i-1]
		}
		return "done", nil
	}}
}

func status(code int, retryAfter string) error {
	h := map[string][]string{}
	if retryAfter != "" {
		h["Retry-After"] = []string{retryAfter}
	}
	return llm.ParseErrorBody("test", code, h, []byte(`{"error":{"message":"x"}}`), "")
}

var quick = llm.Policy{MaxRetries: 3, InitialBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, MaxRetryAfter: time.Second}

func TestWrapRetries(t *testing.T) {
	overflow := llm.ParseErrorBody("test", 400, nil, []byte(`{"error":{"code":"context_length_exceeded","message":"too long"}}`), "")
	for _, tc := range []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   error // nil: success
	}{
		{"429 then success", []error{status(429, "")}, 2, nil},
		{"three 503 then success", []error{status(503, ""), status(503, ""), status(503, "")}, 4, nil},
		{"four 500 exhaust retries", []error{status(500, ""), status(500, ""), status(500, ""), status(500, "")}, 4, &llm.StatusError{}},
		{"400 is not retried", []error{status(400, "")}, 1, &llm.StatusError{}},
		{"overflow is not retried", []error{overflow}, 1, llm.ErrContextLength},
		{"malformed is not retried", []error{fmt.Errorf("x: %w", llm.ErrMalformedResponse)}, 1, llm.ErrMalformedResponse},
		{"connection reset is retried", []error{&net.OpError{Op: "read", Err: syscall.ECONNRESET}}, 2, nil},
		{"unexpected EOF is retried", []error{io.ErrUnexpectedEOF}, 2, nil},
		{"other errors are not retried", []error{errors.New("boom")}, 1, errors.New("boom")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := failing(tc.errs...)
				resp, err := llm.Wrap(f, quick).Generate(context.Background(), []llm.Message{llm.User("x")})
				if got := len(f.Calls()); got != tc.wantCalls {
					t.Errorf("calls = %d, want %d", got, tc.wantCalls)
				}
				switch want := tc.wantErr.(type) {
				case nil:
					if err != nil || resp.Text != "done" {
						t.Errorf("err = %v, resp = %+v; want success", err, resp)
					}
				case *llm.StatusError:
					var se *llm.StatusError
					if !errors.As(err, &se) {
						t.Errorf("err = %v, want a *llm.StatusError", err)
					}
				default:
					if err == nil || (!errors.Is(err, want) && err.Error() != want.Error()) {
						t.Errorf("err = %v, want %v", err, want)
					}
				}
			})
		})
	}
}

// The retry tests run in synctest bubbles: backoffs, Retry-After waits,
// timeouts and latencies pass on a fake clock at once, and the time a call
// took is exact, so they assert how long each call waited without ever
// depending on how busy the machine is.

func TestWrapHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waits []time.Duration
		p := quick
		p.OnRetry = func(_ int, _ error, wait time.Duration) { waits = append(waits, wait) }
		f := failing(status(429, "0.03"))
		start := time.Now()
		if _, err := llm.Wrap(f, p).Generate(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 1 || waits[0] != 30*time.Millisecond {
			t.Errorf("waits = %v, want the server's 30ms", waits)
		}
		if took := time.Since(start); took != 30*time.Millisecond {
			t.Errorf("the call took %v, want the 30ms Retry-After exactly", took)
		}

		// A server asking for longer than MaxRetryAfter fails the call at once.
		f = failing(status(429, "600"))
		start = time.Now()
		_, err := llm.Wrap(f, p).Generate(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), "retry after 10m0s") {
			t.Errorf("err = %v, want a message naming the 10m wait", err)
		}
		var se *llm.StatusError
		if !errors.As(err, &se) || se.StatusCode != 429 {
			t.Errorf("the 429 is not reachable with errors.As: %v", err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("waited %v although the Retry-After was too long", took)
		}
	})
}

func TestWrapBackoffGrowsAndIsCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waits []time.Duration
		p := llm.Policy{MaxRetries: 5, InitialBackoff: 4 * time.Millisecond, MaxBackoff: 16 * time.Millisecond,
			OnRetry: func(_ int, _ error, wait time.Duration) { waits = append(waits, wait) }}
		f := failing(status(503, ""), status(503, ""), status(503, ""), status(503, ""), status(503, ""))
		start := time.Now()
		if _, err := llm.Wrap(f, p).Generate(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		steps := []time.Duration{4, 8, 16, 16, 16}
		if len(waits) != len(steps) {
			t.Fatalf("waits = %v", waits)
		}
		var total time.Duration
		for i, s := range steps {
			s *= time.Millisecond
			if waits[i] < s/2 || waits[i] > s {
				t.Errorf("wait %d = %v, want within [%v, %v] (jittered step)", i, waits[i], s/2, s)
			}
			total += waits[i]
		}
		if took != total {
			t.Errorf("the call took %v, want the %v of announced waits", took, total)
		}
	})
}

func TestWrapTimeoutPerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &llmtest.Fake{Latency: time.Hour}
		var waits time.Duration
		p := llm.Policy{Timeout: 20 * time.Millisecond, MaxRetries: 2, InitialBackoff: time.Millisecond,
			OnRetry: func(_ int, _ error, wait time.Duration) { waits += wait }}
		start := time.Now()
		_, err := llm.Wrap(f, p).Generate(context.Background(), nil)
		var te *llm.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want *llm.TimeoutError", err)
		}
		if len(f.Calls()) != 3 {
			t.Errorf("calls = %d, want 3 (timeouts are retried)", len(f.Calls()))
		}
		// Three attempts cut at 20ms each, and the two backoffs between.
		if took, want := time.Since(start), 3*p.Timeout+waits; took != want {
			t.Errorf("the call took %v, want %v: the timeout did not cut the hour-long calls short", took, want)
		}
	})
}

func TestWrapCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := failing(status(503, ""), status(503, ""))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p := llm.Policy{MaxRetries: 3, InitialBackoff: 10 * time.Second, MaxBackoff: 10 * time.Second,
			OnRetry: func(int, error, time.Duration) { cancel() }}
		start := time.Now()
		_, err := llm.Wrap(f, p).Generate(ctx, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("the call took %v: cancellation did not interrupt the 5-10s backoff wait", took)
		}
		if n := len(f.Calls()); n != 1 {
			t.Errorf("calls = %d, want 1", n)
		}
	})
}

func TestWrapStreamingRetry(t *testing.T) {
	// Nothing streamed yet: retried.
	f := failing(status(503, ""))
	var got strings.Builder
	_, err := llm.Wrap(f, quick).Generate(context.Background(), nil, llm.WithStreaming(func(_ context.Context, s string) error {
		got.WriteString(s)
		return nil
	}))
	if err != nil || got.String() != "done" {
		t.Errorf("err = %v, streamed %q; want a retried stream of \"done\"", err, got.String())
	}

	// Something streamed, then a temporary failure: not retried, so the
	// callback never sees text twice.
	calls := 0
	partial := &llmtest.Fake{Reply: func(ctx context.Context, _ []llm.Message, o llm.Options) (string, error) {
		calls++
		o.StreamFunc(ctx, "partial ")
		return "", status(503, "")
	}}
	_, err = llm.Wrap(partial, quick).Generate(context.Background(), nil, llm.WithStreaming(func(context.Context, string) error { return nil }))
	if err == nil || calls != 1 {
		t.Errorf("err = %v after %d calls; want the failure after 1 call", err, calls)
	}
}

func TestWrapConcurrencyLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &llmtest.Fake{Latency: 20 * time.Millisecond}
		m := llm.Wrap(f, llm.Policy{Concurrency: 3})
		start := time.Now()
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				if _, err := m.Generate(context.Background(), nil); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := f.MaxInFlight(); got != 3 {
			t.Errorf("%d calls in flight, want the limit of 3", got)
		}
		if len(f.Calls()) != 12 {
			t.Errorf("calls = %d", len(f.Calls()))
		}
		// 12 calls of 20ms, 3 at a time: four rounds.
		if took := time.Since(start); took != 80*time.Millisecond {
			t.Errorf("12 calls took %v, want 80ms (4 rounds of 3)", took)
		}
	})
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{status(429, ""), true},
		{status(502, ""), true},
		{status(404, ""), false},
		{&llm.TimeoutError{After: time.Second}, true},
		{context.Canceled, false},
		{fmt.Errorf("post: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{io.EOF, true},
		{errors.New("x"), false},
		{fmt.Errorf("w: %w", llm.ErrMalformedResponse), false},
	} {
		if got := llm.IsTemporary(tc.err); got != tc.want {
			t.Errorf("IsTemporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestFlattenMessages(t *testing.T) {
	for _, tc := range []struct {
		in   []llm.Message
		want string
	}{
		{[]llm.Message{llm.User("hello")}, "hello"},
		{[]llm.Message{llm.System("sys"), llm.User("note")}, "sys\n\nnote"},
		{[]llm.Message{llm.User("a"), llm.System("sys")}, "sys\n\na"},
		{[]llm.Message{llm.System("sys"), llm.User("q1"), {Role: llm.RoleAssistant, Content: "a1"}, llm.User("q2")},
			"sys\n\nUser: q1\n\nAssistant: a1\n\nUser: q2\n\nAssistant:"},
		{nil, ""},
	} {
		if got := llm.FlattenMessages(tc.in); got != tc.want {
			t.Errorf("FlattenMessages(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestGenerateText(t *testing.T) {
	f := &llmtest.Fake{}
	got, err := llm.GenerateText(context.Background(), f, "prompt", llm.WithMaxTokens(9))
	if err != nil || got != llmtest.FixedReply {
		t.Fatalf("got %q, %v", got, err)
	}
	c := f.Calls()[0]
	if len(c.Messages) != 1 || c.Messages[0] != llm.User("prompt") || c.Options.MaxTokens != 9 {
		t.Errorf("call = %+v", c)
	}
}
