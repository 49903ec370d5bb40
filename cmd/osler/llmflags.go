package main

import (
	"flag"
	"strings"

	"github.com/osler-health/osler/internal/config"
)

// registerLLMFlags adds the flags that say which LLM to call and how,
// bound straight to l; every command that calls an LLM registers them, so
// settings work the same everywhere. After parsing, set l.Getenv and
// l.Given (see [givenFlags]); l.Resolve layers defaults < config file
// (--config or OSLER_CONFIG, section "llm") < environment (OSLER_LLM_*,
// OSLER_SAGEMAKER_*) < flags.
func registerLLMFlags(fs *flag.FlagSet, l *config.LLMLayers) {
	d := config.DefaultLLM()
	f := &l.Flags
	fs.StringVar(&l.ConfigFile, config.FlagConfig, "", `JSON config file with an "llm" section (default: $OSLER_CONFIG); its settings are overridden by `+strings.Join(config.LLMEnv, ", ")+", then by flags")
	fs.StringVar(&f.URL, config.FlagLLMURL, "", "OpenAI-compatible server base URL: vLLM, llama.cpp, Ollama (http://127.0.0.1:11434/v1), TGI; env OSLER_LLM_URL")
	fs.StringVar(&f.Model, config.FlagLLMModel, "", "model name the server serves; env OSLER_LLM_MODEL")
	fs.StringVar(&f.API, config.FlagLLMAPI, "", `"chat" (default) or "completions" (legacy /completions for base models); env OSLER_LLM_API`)
	fs.StringVar(&l.APIKeyFile, config.FlagLLMAPIKeyFile, "", "file holding the server's API key (else env OSLER_LLM_API_KEY or OPENAI_API_KEY)")
	fs.StringVar(&f.Backend, config.FlagLLMBackend, "", "openai or sagemaker; default: sagemaker when an endpoint is given")
	fs.StringVar(&f.SageMakerEndpoint, config.FlagSageMakerEndpoint, "", "SageMaker endpoint name, instead of --llm-url; env OSLER_SAGEMAKER_ENDPOINT")
	fs.StringVar(&f.SageMakerRegion, config.FlagSageMakerRegion, "", "AWS region of the endpoint (default: AWS_REGION or ~/.aws/config)")
	fs.StringVar(&f.SageMakerEndpointURL, config.FlagSageMakerEndpointURL, "", "SageMaker runtime URL override (VPC endpoint); env AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME")
	fs.StringVar(&f.SageMakerFormat, config.FlagSageMakerFormat, "", `payload: "tgi" ({"inputs","parameters"}, default) or "text_inputs" (older JumpStart)`)
	fs.StringVar(&f.SageMakerInferenceComponent, config.FlagSageMakerInferenceComponent, "", "inference component to invoke on the endpoint")
	fs.StringVar(&l.Timeout, config.FlagLLMTimeout, d.Timeout.String(), "time allowed for each LLM call attempt (e.g. 90s, 5m); env OSLER_LLM_TIMEOUT")
	fs.IntVar(&f.MaxRetries, config.FlagLLMRetries, d.MaxRetries, "retries of a call after 429, 5xx, timeouts or dropped connections (exponential backoff, Retry-After honoured)")
	fs.IntVar(&f.Concurrency, config.FlagLLMConcurrency, d.Concurrency, "most LLM calls in flight at once, across all documents")
	fs.IntVar(&f.MaxTokens, config.FlagMaxTokens, d.MaxTokens, "most tokens in each LLM reply")
	fs.Float64Var(&f.Temperature, config.FlagTemperature, d.Temperature, "sampling temperature; 0 is greedy and reproducible")
}

// givenFlags reports which flags of a parsed fs were set on the command
// line.
func givenFlags(fs *flag.FlagSet) func(name string) bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return func(name string) bool { return set[name] }
}
