package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func given(names ...string) func(string) bool {
	return func(n string) bool {
		for _, g := range names {
			if g == n {
				return true
			}
		}
		return false
	}
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// defaults < file < environment < the flags given; flags not given leave
// the lower layers alone even when their values differ from the defaults.
func TestLLMLayersPrecedence(t *testing.T) {
	file := writeTemp(t, "osler.json", `{"llm": {"url": "http://file:1/v1", "model": "file-model", "max_tokens": 100, "temperature": 0.3, "max_retries": 1}}`)
	l := LLMLayers{
		Getenv: env(map[string]string{"OSLER_CONFIG": file, "OSLER_LLM_MODEL": "env-model", "OSLER_LLM_MAX_TOKENS": "200", "OSLER_LLM_CONCURRENCY": "9"}),
		Flags:  LLM{Model: "flag-model", MaxTokens: 300, Concurrency: 2, URL: "http://unused:1/v1", MaxRetries: 7},
		Given:  given(FlagLLMModel, FlagMaxTokens),
	}
	cfg, err := l.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != "http://file:1/v1" || cfg.Model != "flag-model" || cfg.MaxTokens != 300 || cfg.Temperature != 0.3 || cfg.Concurrency != 9 || cfg.MaxRetries != 1 {
		t.Errorf("layered: %+v", cfg)
	}
	// A flag set to the default still overrides the environment.
	l.Flags.Concurrency = DefaultLLM().Concurrency
	l.Given = given(FlagLLMConcurrency)
	if cfg, _ := l.Load(); cfg.Concurrency != DefaultLLM().Concurrency || cfg.Model != "env-model" {
		t.Errorf("--llm-concurrency at its default: %+v", cfg)
	}
	// --config wins over OSLER_CONFIG.
	other := writeTemp(t, "other.json", `{"llm": {"url": "http://other:1/v1"}}`)
	l.ConfigFile = other
	if cfg, _ := l.Load(); cfg.URL != "http://other:1/v1" || cfg.MaxTokens != 200 {
		t.Errorf("--config: %+v", cfg)
	}
}

func TestLLMLayersNilFuncs(t *testing.T) {
	cfg, err := LLMLayers{Flags: LLM{URL: "http://x:1/v1"}}.Load()
	if err != nil || cfg != DefaultLLM() {
		t.Errorf("no environment, no flags given: %+v, %v; want the defaults", cfg, err)
	}
	if (LLMLayers{}).Configured() {
		t.Error("Configured with nothing configured")
	}
}

// The backend follows the one of --llm-url and --sagemaker-endpoint given
// alone, unless --llm-backend is given.
func TestLLMLayersBackendInference(t *testing.T) {
	e := env(map[string]string{"OSLER_LLM_BACKEND": "sagemaker", "OSLER_SAGEMAKER_ENDPOINT": "ep"})
	for _, tc := range []struct {
		given []string
		want  string
	}{
		{nil, BackendSageMaker},
		{[]string{FlagLLMURL}, BackendOpenAI},
		{[]string{FlagSageMakerEndpoint}, BackendSageMaker},
		{[]string{FlagLLMURL, FlagSageMakerEndpoint}, BackendSageMaker}, // both: the environment's stays
		{[]string{FlagLLMURL, FlagLLMBackend}, ""},                      // --llm-backend "" given
	} {
		l := LLMLayers{Getenv: e, Flags: LLM{URL: "http://x:1/v1", SageMakerEndpoint: "ep2"}, Given: given(tc.given...)}
		cfg, err := l.Load()
		if err != nil || cfg.Backend != tc.want {
			t.Errorf("given %v: backend %q, %v; want %q", tc.given, cfg.Backend, err, tc.want)
		}
	}
}

func TestLLMLayersTimeoutAndKeyFile(t *testing.T) {
	key := writeTemp(t, "key", "  sk-local\n")
	l := LLMLayers{Timeout: "90", APIKeyFile: key, Given: given(FlagLLMTimeout)}
	cfg, err := l.Load()
	if err != nil || cfg.Timeout != Duration(90*time.Second) || cfg.APIKey != "sk-local" {
		t.Fatalf("%+v, %v", cfg, err)
	}
	// Not given: the default timeout, whatever Timeout holds.
	l.Given, l.Timeout = nil, "soon"
	if cfg, err := l.Load(); err != nil || cfg.Timeout != DefaultLLM().Timeout {
		t.Errorf("timeout not given: %v, %v", cfg.Timeout, err)
	}

	// Both errors are reported at once, each naming its flag.
	l = LLMLayers{Timeout: "soon", APIKeyFile: writeTemp(t, "empty", " \n"), Given: given(FlagLLMTimeout)}
	_, err = l.Load()
	var fe *FieldError
	var oe *OptionError
	if !errors.As(err, &oe) || !errors.As(err, &fe) || fe.Field != "--llm-timeout" || !strings.Contains(err.Error(), "--llm-api-key-file:") || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("err = %v", err)
	}
	l = LLMLayers{APIKeyFile: filepath.Join(t.TempDir(), "missing")}
	if _, err := l.Load(); !errors.As(err, &oe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing key file: %v", err)
	}
}

// Every error of Load and Resolve is an OptionError, with the message of
// the error it wraps; errors make Configured true so Resolve reports them.
func TestLLMLayersErrors(t *testing.T) {
	bad := writeTemp(t, "bad.json", `{"llm": {"urll": "x"}}`)
	for name, l := range map[string]LLMLayers{
		"unknown key":  {ConfigFile: bad},
		"missing file": {ConfigFile: filepath.Join(t.TempDir(), "nope.json")},
		"bad env":      {Getenv: env(map[string]string{"OSLER_LLM_MAX_TOKENS": "many"})},
		"invalid":      {Flags: LLM{URL: "http://x:1/v1"}, Given: given(FlagLLMURL)}, // no model
	} {
		_, err := l.Resolve()
		var oe *OptionError
		if !errors.As(err, &oe) || err.Error() != oe.Err.Error() {
			t.Errorf("%s: %v (%T), want an OptionError", name, err, err)
		}
		if !l.Configured() {
			t.Errorf("%s: Configured is false for layers that fail", name)
		}
	}
	l := LLMLayers{Getenv: env(map[string]string{"OSLER_LLM_URL": "http://x:1/v1", "OSLER_LLM_MODEL": "m"})}
	if _, err := l.Resolve(); err != nil || !l.Configured() {
		t.Errorf("configured by the environment: %v, %v", err, l.Configured())
	}
	if l := (LLMLayers{Getenv: env(map[string]string{"OSLER_SAGEMAKER_ENDPOINT": "ep"})}); !l.Configured() {
		t.Error("a SageMaker endpoint does not count as configured")
	}
}

func TestInvalid(t *testing.T) {
	if Invalid(nil) != nil {
		t.Error("Invalid(nil) != nil")
	}
	base := errors.New("bad value")
	err := Invalid(base)
	if err.Error() != "bad value" || !errors.Is(err, base) {
		t.Errorf("Invalid: %v", err)
	}
	if again := Invalid(err); again != err {
		t.Error("an OptionError is wrapped twice")
	}
}
