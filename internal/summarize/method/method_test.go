package method

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/llm/llmtest"
	"github.com/osler-health/osler/internal/summarize"
)

var _ flag.Value = (*Spec)(nil)

const report = "FINDINGS: The heart is normal in size. There is a small right pleural effusion. No pneumothorax.\n\nIMPRESSION: Small right effusion."

func TestSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
		err  string
	}{
		{"", Spec{}, ""},
		{"llm", Spec{Kind: LLM}, ""},
		{"extractive", Spec{Kind: Extractive}, ""},
		{"model:models/rad", Spec{Kind: Model, Path: "models/rad"}, ""},
		{"model:a:b", Spec{Kind: Model, Path: "a:b"}, ""},
		{"model:", Spec{}, "summarize: --method model:DIR needs the model directory written by osler train summarizer"},
		{"abstractive", Spec{}, `summarize: unknown --method "abstractive" (available in this build: llm, extractive, model:PATH)`},
		{"model", Spec{}, `unknown --method "model"`},
		{"LLM", Spec{}, `unknown --method "LLM"`},
	} {
		s := Spec{Kind: Extractive} // kept on errors
		err := s.Set(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || s != (Spec{Kind: Extractive}) {
				t.Errorf("Set(%q) = %v, spec %+v; want an error with %q", tc.in, err, s, tc.err)
			}
			continue
		}
		if err != nil || s != tc.want || s.String() != tc.in {
			t.Errorf("Set(%q) = %v, spec %+v (%q); want %+v", tc.in, err, s, s, tc.want)
		}
	}
	if Names() != "llm, extractive, model:PATH" {
		t.Errorf("Names() = %q", Names())
	}
}

func TestDefault(t *testing.T) {
	if got := Default(config.LLMLayers{}); got != (Spec{Kind: Extractive}) {
		t.Errorf("nothing configured: %+v", got)
	}
	env := func(k string) string { return map[string]string{"OSLER_LLM_URL": "http://127.0.0.1:1/v1"}[k] }
	if got := Default(config.LLMLayers{Getenv: env}); got != (Spec{Kind: LLM}) {
		t.Errorf("an LLM in the environment: %+v", got)
	}
}

func TestOpenExtractive(t *testing.T) {
	ctx := context.Background()
	o := DefaultOptions()
	s, err := Open(ctx, Spec{Kind: Extractive}, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Summarize(ctx, summarize.Document{ID: "r1", Text: report})
	if err != nil || res.Summary == "" || !res.Checked || res.Provenance == nil || !strings.HasPrefix(res.Provenance.Method, "extractive") {
		t.Errorf("verified extractive: %+v, %v", res, err)
	}
	o.Verify = summarize.VerifyOff
	s, _ = Open(ctx, Spec{Kind: Extractive}, o)
	if res, err := s.Summarize(ctx, summarize.Document{ID: "r1", Text: report}); err != nil || res.Checked {
		t.Errorf("--verify off: checked %v, %v", res.Checked, err)
	}
}

// What the caller got wrong is an OptionError; what failed opening is not.
func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	badPrompts := filepath.Join(dir, "prompts.json")
	if err := os.WriteFile(badPrompts, []byte(`{"stuff": "no text field"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	llmOK := config.LLMLayers{Flags: config.LLM{URL: "http://127.0.0.1:1/v1", Model: "m"}, Given: func(f string) bool { return f == config.FlagLLMURL || f == config.FlagLLMModel }}
	with := func(f func(*Options)) Options {
		o := DefaultOptions()
		o.LLM = llmOK
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		spec Spec
		o    Options
		want string
	}{
		{"no method", Spec{}, DefaultOptions(), "no method named"},
		{"retries", Spec{Kind: Extractive}, with(func(o *Options) { o.VerifyRetries = 0 }), "--verify-retries must be at least 1"},
		{"retry without LLM", Spec{Kind: Extractive}, with(func(o *Options) { o.Verify = summarize.VerifyRetry }), "needs an LLM method"},
		{"model without dir", Spec{Kind: Model}, DefaultOptions(), "needs the model directory"},
		{"LLM not configured", Spec{Kind: LLM}, DefaultOptions(), "llm.url"},
		{"prompts", Spec{Kind: LLM}, with(func(o *Options) { o.Chain.PromptsFile = badPrompts }), ".Text"},
		{"missing prompts", Spec{Kind: LLM}, with(func(o *Options) { o.Chain.PromptsFile = filepath.Join(dir, "none.json") }), "none.json"},
		{"overlap", Spec{Kind: LLM}, with(func(o *Options) { o.Chain.ChunkOverlap = 5000 }), "--chunk-size/--chunk-overlap"},
		{"token max", Spec{Kind: LLM}, with(func(o *Options) { o.Chain.TokenMax = 0 }), "--token-max and --map-concurrency"},
		{"map concurrency", Spec{Kind: LLM}, with(func(o *Options) { o.Chain.MapConcurrency = 0 }), "--token-max and --map-concurrency"},
	} {
		_, err := Open(ctx, tc.spec, tc.o)
		var oe *config.OptionError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an OptionError with %q", tc.name, err, tc.want)
		}
	}
	_, err := Open(ctx, Spec{Kind: Model, Path: filepath.Join(dir, "no-model")}, DefaultOptions())
	var oe *config.OptionError
	if err == nil || errors.As(err, &oe) || !strings.HasPrefix(err.Error(), "summarize: ") {
		t.Errorf("a model directory that does not load: %v; want a failure, not an OptionError", err)
	}
}

// The llm method calls the configured server through the configured chain,
// with the generation settings, and reports calls and retries.
func TestOpenLLM(t *testing.T) {
	restore := llmtest.GuardNetwork()
	defer restore()
	srv := llmtest.NewOpenAIServer(t)
	srv.Script(llmtest.Step{Status: 503, RetryAfter: "0"})
	o := DefaultOptions()
	o.LLM = config.LLMLayers{
		Getenv: func(k string) string {
			return map[string]string{"OSLER_LLM_URL": srv.URL, "OSLER_LLM_MODEL": "clin-7b", "OSLER_LLM_MAX_TOKENS": "64"}[k]
		},
	}
	o.Chain.Kind, o.Chain.Task = summarize.ChainStuff, summarize.TaskRadiology
	o.Verify = summarize.VerifyOff
	var calls, retries atomic.Int64
	o.OnCall = func(e summarize.Event) {
		if e.DocID == "r1" && e.Stage == summarize.StageStuff {
			calls.Add(1)
		}
	}
	o.OnRetry = func(int, error, time.Duration) { retries.Add(1) }
	s, err := Open(context.Background(), Spec{Kind: LLM}, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Summarize(context.Background(), summarize.Document{ID: "r1", Text: report})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Summary, "Summary of ") || res.Provenance.Method != "llm:stuff" || res.Provenance.LLMCalls != 1 {
		t.Errorf("result %+v, provenance %+v", res, res.Provenance)
	}
	if calls.Load() != 1 || retries.Load() != 1 {
		t.Errorf("OnCall told %d times, OnRetry %d; want 1 and 1", calls.Load(), retries.Load())
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[1].Model != "clin-7b" || reqs[1].MaxTokens != 64 || !strings.Contains(reqs[1].Prompt, "IMPRESSION") {
		t.Errorf("requests %+v", reqs)
	}

	// A cancelled context stops the call.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Summarize(ctx, summarize.Document{ID: "r2", Text: report}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
