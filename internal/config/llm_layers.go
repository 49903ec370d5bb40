package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The command-line flags of the LLM settings. Commands register them under
// these names, bound to the fields of [LLMLayers]; [LLMLayers.Given] names
// the ones set, which is how [LLMLayers.Load] knows what the command line
// overrides.
const (
	FlagConfig                      = "config"
	FlagLLMBackend                  = "llm-backend"
	FlagLLMURL                      = "llm-url"
	FlagLLMModel                    = "llm-model"
	FlagLLMAPI                      = "llm-api"
	FlagLLMAPIKeyFile               = "llm-api-key-file"
	FlagSageMakerEndpoint           = "sagemaker-endpoint"
	FlagSageMakerRegion             = "sagemaker-region"
	FlagSageMakerEndpointURL        = "sagemaker-endpoint-url"
	FlagSageMakerFormat             = "sagemaker-format"
	FlagSageMakerInferenceComponent = "sagemaker-inference-component"
	FlagLLMTimeout                  = "llm-timeout"
	FlagLLMRetries                  = "llm-retries"
	FlagLLMConcurrency              = "llm-concurrency"
	FlagMaxTokens                   = "max-tokens"
	FlagTemperature                 = "temperature"
)

// LLMLayers are the sources of the LLM settings above the defaults, in the
// order they apply: the config file (section "llm"), the environment
// (OSLER_LLM_*, OSLER_SAGEMAKER_*; see [LLMEnv]), the command line. A
// command binds its flags straight to Flags' fields and to ConfigFile,
// Timeout and APIKeyFile, sets Getenv and, once the flags are parsed,
// Given; [LLMLayers.Resolve] then builds the configuration.
type LLMLayers struct {
	// ConfigFile is the config file (--config); empty means the one
	// $OSLER_CONFIG names, if any.
	ConfigFile string
	// Getenv reads the environment: os.Getenv, or a map in tests. nil
	// reads nothing.
	Getenv func(string) string
	// Flags holds the values of the flags; only those Given names apply.
	// Its Timeout is not read: see Timeout.
	Flags LLM
	// Timeout is --llm-timeout as written: a Go duration ("90s") or a
	// number of seconds.
	Timeout string
	// APIKeyFile is a file holding the API key (--llm-api-key-file); it
	// is read whenever set.
	APIKeyFile string
	// Given reports whether the flag of that name (FlagLLMURL, ...) was
	// set on the command line; nil means none was.
	Given func(flag string) bool
}

// Resolve layers the settings ([LLMLayers.Load]) and validates the result.
// Every error is an [*OptionError].
func (l LLMLayers) Resolve() (LLM, error) {
	cfg, err := l.Load()
	if err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, Invalid(err)
	}
	return cfg, nil
}

// Configured reports whether the layers name an LLM server or endpoint
// (commands use it to pick their default method). Errors count as yes, so
// that Resolve reports them.
func (l LLMLayers) Configured() bool {
	cfg, err := l.Load()
	return err != nil || cfg.URL != "" || cfg.SageMakerEndpoint != ""
}

// Load applies the defaults, the config file, the environment and the
// flags that were given, in that order, without validating the result.
// Every error is an [*OptionError].
func (l LLMLayers) Load() (LLM, error) {
	getenv := l.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfg := DefaultLLM()
	path := l.ConfigFile
	if path == "" {
		path = getenv(EnvConfig)
	}
	if path != "" {
		file, err := ReadFile(path)
		if err != nil {
			return cfg, Invalid(err)
		}
		if err := file.Decode("llm", &cfg); err != nil {
			return cfg, Invalid(err)
		}
	}
	if err := cfg.ApplyEnv(getenv); err != nil {
		return cfg, Invalid(err)
	}
	if err := l.applyFlags(&cfg); err != nil {
		return cfg, Invalid(err)
	}
	return cfg, nil
}

// applyFlags overrides cfg with the flags that were given and reads the
// API key file.
func (l LLMLayers) applyFlags(cfg *LLM) error {
	given := l.Given
	if given == nil {
		given = func(string) bool { return false }
	}
	f := l.Flags
	for _, s := range []struct {
		flag     string
		dst, val *string
	}{
		{FlagLLMBackend, &cfg.Backend, &f.Backend},
		{FlagLLMURL, &cfg.URL, &f.URL},
		{FlagLLMModel, &cfg.Model, &f.Model},
		{FlagLLMAPI, &cfg.API, &f.API},
		{FlagSageMakerEndpoint, &cfg.SageMakerEndpoint, &f.SageMakerEndpoint},
		{FlagSageMakerRegion, &cfg.SageMakerRegion, &f.SageMakerRegion},
		{FlagSageMakerEndpointURL, &cfg.SageMakerEndpointURL, &f.SageMakerEndpointURL},
		{FlagSageMakerFormat, &cfg.SageMakerFormat, &f.SageMakerFormat},
		{FlagSageMakerInferenceComponent, &cfg.SageMakerInferenceComponent, &f.SageMakerInferenceComponent},
	} {
		if given(s.flag) {
			*s.dst = *s.val
		}
	}
	// A backend chosen on the command line wins over one from the file or
	// the environment.
	if !given(FlagLLMBackend) {
		switch {
		case given(FlagSageMakerEndpoint) && !given(FlagLLMURL):
			cfg.Backend = BackendSageMaker
		case given(FlagLLMURL) && !given(FlagSageMakerEndpoint):
			cfg.Backend = BackendOpenAI
		}
	}
	var errs []error
	if given(FlagLLMTimeout) {
		d, err := ParseDuration(l.Timeout)
		if err != nil {
			errs = append(errs, &FieldError{Field: "--" + FlagLLMTimeout, Value: l.Timeout, Msg: err.Error()})
		}
		cfg.Timeout = d
	}
	for _, s := range []struct {
		flag     string
		dst, val *int
	}{
		{FlagLLMRetries, &cfg.MaxRetries, &f.MaxRetries},
		{FlagLLMConcurrency, &cfg.Concurrency, &f.Concurrency},
		{FlagMaxTokens, &cfg.MaxTokens, &f.MaxTokens},
	} {
		if given(s.flag) {
			*s.dst = *s.val
		}
	}
	if given(FlagTemperature) {
		cfg.Temperature = f.Temperature
	}
	if l.APIKeyFile != "" {
		b, err := os.ReadFile(l.APIKeyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", FlagLLMAPIKeyFile, err))
		} else if key := strings.TrimSpace(string(b)); key == "" {
			errs = append(errs, fmt.Errorf("--%s: %s is empty", FlagLLMAPIKeyFile, l.APIKeyFile))
		} else {
			cfg.APIKey = key
		}
	}
	return errors.Join(errs...)
}

// OptionError is an error in what a caller asked for (a bad option value
// or combination, a settings file that cannot be read) rather than a
// failure doing it: commands report it as a usage error (exit status 2).
// Its message is the wrapped error's.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *OptionError) Unwrap() error { return e.Err }

// Invalid wraps err in an [*OptionError]; nil stays nil, and an
// OptionError is not wrapped twice.
func Invalid(err error) error {
	var oe *OptionError
	if err == nil || errors.As(err, &oe) {
		return err
	}
	return &OptionError{Err: err}
}
