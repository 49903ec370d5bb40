package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/llm"
)

// Flavor is which OpenAI-compatible server a fake imitates: it decides the
// shape of the context-overflow and other error bodies.
type Flavor string

// The OpenAI-compatible servers whose error shapes the fake reproduces.
// The bodies follow each server's source and its users' bug reports; see
// overflowBody.
const (
	FlavorOpenAI     Flavor = "openai"
	FlavorVLLM       Flavor = "vllm"
	FlavorVLLMLegacy Flavor = "vllm-legacy"
	FlavorLlamaCPP   Flavor = "llama.cpp"
	FlavorTGI        Flavor = "tgi"
	FlavorOllama     Flavor = "ollama"
)

// DefaultContextLen is the context window, in tokens, the fake servers'
// overflow messages quote.
const DefaultContextLen = 4096

// Flavors lists every Flavor, for table tests.
var Flavors = []Flavor{FlavorOpenAI, FlavorVLLM, FlavorVLLMLegacy, FlavorLlamaCPP, FlavorTGI, FlavorOllama}

// OpenAIServer is a fake OpenAI-compatible server on 127.0.0.1 serving
// /v1/chat/completions and /v1/completions (also without the /v1 prefix),
// streamed (server-sent events) or not.
type OpenAIServer struct {
	scriptState
	// URL is the base URL clients use, ending in /v1.
	URL string
	// Flavor picks the error shapes (default FlavorOpenAI).
	Flavor Flavor
	// Reply computes successful replies (default DefaultReply).
	Reply ReplyFunc
	// APIKey, when set, is required as "Authorization: Bearer KEY".
	APIKey string

	srv *httptest.Server
}

// NewOpenAIServer starts a fake OpenAI-compatible server that is closed
// when t ends. Set its fields before the first request.
func NewOpenAIServer(t testing.TB) *OpenAIServer {
	t.Helper()
	s := &OpenAIServer{Flavor: FlavorOpenAI, Reply: DefaultReply}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

type openAIMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type openAIRequest struct {
	Model               string          `json:"model"`
	Messages            []openAIMessage `json:"messages"`
	Prompt              json.RawMessage `json:"prompt"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	Stop                json.RawMessage `json:"stop"`
	Stream              bool            `json:"stream"`
}

// stringOrStrings decodes a JSON string or array of strings.
func stringOrStrings(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var ss []string
	json.Unmarshal(raw, &ss)
	return ss
}

// contentText decodes chat content: a string or an array of text parts.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	json.Unmarshal(raw, &parts)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

func (s *OpenAIServer) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/v1")
	shape := ""
	switch path {
	case "/chat/completions":
		shape = "chat"
	case "/completions":
		shape = "completions"
	default:
		writeJSON(w, http.StatusNotFound, `{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}`)
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, `{"error":{"message":"method not allowed","type":"invalid_request_error","param":null,"code":null}}`)
		return
	}
	if s.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.APIKey {
		writeJSON(w, http.StatusUnauthorized, `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in openAIRequest
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, `{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error","param":null,"code":null}}`)
		return
	}
	req := Request{Path: r.URL.Path, Shape: shape, Model: in.Model, Temperature: in.Temperature, TopP: in.TopP,
		Stop: stringOrStrings(in.Stop), Stream: in.Stream, Header: r.Header.Clone()}
	switch {
	case in.MaxCompletionTokens != nil:
		req.MaxTokens = *in.MaxCompletionTokens
	case in.MaxTokens != nil:
		req.MaxTokens = *in.MaxTokens
	}
	if shape == "chat" {
		for _, m := range in.Messages {
			req.Messages = append(req.Messages, llm.Message{Role: llm.Role(m.Role), Content: contentText(m.Content)})
		}
		req.Prompt = llm.FlattenMessages(req.Messages)
	} else {
		req.Prompt = strings.Join(stringOrStrings(in.Prompt), "\n")
	}

	step, done := s.begin(req)
	defer done()
	if !s.wait(r.Context(), step.Latency) {
		return
	}
	if step.RetryAfter != "" {
		w.Header().Set("Retry-After", step.RetryAfter)
	}
	switch {
	case step.DropConnection:
		drop(w)
	case step.Body != "":
		writeJSON(w, statusOr(step.Status, http.StatusOK), step.Body)
	case step.Malformed:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": "chatcmpl-1", "choices": [{"message": {"content": %q`, req.Prompt) // cut short
	case step.ContextOverflow:
		status, b := overflowBody(s.Flavor, len(req.Prompt)/4+DefaultContextLen, req.MaxTokens)
		writeJSON(w, status, b)
	case step.EchoPrompt:
		msg, _ := json.Marshal("invalid request: could not process prompt " + req.Prompt)
		writeJSON(w, statusOr(step.Status, http.StatusBadRequest), fmt.Sprintf(`{"error":{"message":%s,"type":"invalid_request_error","param":null,"code":null}}`, msg))
	case step.Status != 0 && step.Status != http.StatusOK:
		writeJSON(w, step.Status, errorBody(s.Flavor, step.Status))
	default:
		text := step.Reply
		if text == "" {
			text = s.Reply(req)
		}
		if req.Stream {
			s.stream(w, shape, in.Model, text)
			return
		}
		writeJSON(w, http.StatusOK, completionBody(shape, in.Model, text, len(req.Prompt)))
	}
}

func statusOr(status, def int) int {
	if status == 0 {
		return def
	}
	return status
}

func completionBody(shape, model, text string, promptChars int) string {
	t, _ := json.Marshal(text)
	usage := fmt.Sprintf(`{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}`,
		promptChars/4, len(text)/4, promptChars/4+len(text)/4)
	created := time.Now().Unix()
	if shape == "chat" {
		return fmt.Sprintf(`{"id":"chatcmpl-osler","object":"chat.completion","created":%d,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"logprobs":null,"finish_reason":"stop"}],"usage":%s}`,
			created, model, t, usage)
	}
	return fmt.Sprintf(`{"id":"cmpl-osler","object":"text_completion","created":%d,"model":%q,"choices":[{"index":0,"text":%s,"logprobs":null,"finish_reason":"stop"}],"usage":%s}`,
		created, model, t, usage)
}

// stream sends text word by word as server-sent events, ending with [DONE].
func (s *OpenAIServer) stream(w http.ResponseWriter, shape, model, text string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(piece string, finish string) {
		t, _ := json.Marshal(piece)
		fr := "null"
		if finish != "" {
			fr = `"` + finish + `"`
		}
		if shape == "chat" {
			fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-osler\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":%s}]}\n\n", model, t, fr)
		} else {
			fmt.Fprintf(w, "data: {\"id\":\"cmpl-osler\",\"object\":\"text_completion\",\"created\":0,\"model\":%q,\"choices\":[{\"index\":0,\"text\":%s,\"finish_reason\":%s}]}\n\n", model, t, fr)
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	for _, piece := range splitKeep(text) {
		send(piece, "")
	}
	send("", "stop")
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// overflowBody returns the status and body each server sends when the
// prompt does not fit its context window (promptTokens is what the server
// would have counted).
func overflowBody(f Flavor, promptTokens, maxTokens int) (int, string) {
	ctx := DefaultContextLen
	switch f {
	case FlavorVLLM:
		// vLLM's OpenAI server (serving_engine.py, 0.6+).
		return 400, fmt.Sprintf(`{"error":{"message":"This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}}`,
			ctx, promptTokens+maxTokens, promptTokens, maxTokens)
	case FlavorVLLMLegacy:
		// vLLM before 0.6 answered a flat ErrorResponse.
		return 400, fmt.Sprintf(`{"object":"error","message":"This model's maximum context length is %d tokens. However, you requested %d tokens in the messages, Please reduce the length of the messages.","type":"BadRequestError","param":null,"code":400}`,
			ctx, promptTokens)
	case FlavorLlamaCPP:
		// llama.cpp's server (tools/server): exceed_context_size_error.
		return 400, fmt.Sprintf(`{"error":{"code":400,"message":"request (%d tokens) exceeds the available context size (%d tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":%d,"n_ctx":%d}}`,
			promptTokens, ctx, promptTokens, ctx)
	case FlavorTGI:
		// Text Generation Inference's validation error (422).
		return 422, fmt.Sprintf("{\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= %d. Given: %d `inputs` tokens and %d `max_new_tokens`\",\"error_type\":\"validation\"}",
			ctx, promptTokens, maxTokens)
	case FlavorOllama:
		// Ollama's OpenAI-compatible layer wrapping its runner's error
		// (truncation disabled).
		return 400, `{"error":{"message":"the input length exceeds the context length","type":"invalid_request_error","param":null,"code":null}}`
	}
	// OpenAI itself.
	return 400, fmt.Sprintf(`{"error":{"message":"This model's maximum context length is %d tokens. However, your messages resulted in %d tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`,
		ctx, promptTokens)
}

// errorBody is each flavour's body for a plain error status.
func errorBody(f Flavor, status int) string {
	text := http.StatusText(status)
	switch f {
	case FlavorTGI:
		typ := "generation"
		if status == http.StatusTooManyRequests {
			typ, text = "overloaded", "Model is overloaded"
		}
		return fmt.Sprintf(`{"error":%q,"error_type":%q}`, text, typ)
	case FlavorLlamaCPP:
		return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"type":"server_error"}}`, status, text)
	case FlavorVLLMLegacy:
		return fmt.Sprintf(`{"object":"error","message":%q,"type":"InternalServerError","param":null,"code":%d}`, text, status)
	}
	typ := "server_error"
	if status == http.StatusTooManyRequests {
		typ, text = "rate_limit_exceeded", "Rate limit reached for requests"
	}
	return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":null}}`, text, typ)
}
