package llmtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Test credentials of the fake SageMaker server (not real AWS keys).
const (
	TestAccessKeyID     = "AKIDOSLERTEST"
	TestSecretAccessKey = "osler-test-secret-not-a-real-key"
	TestRegion          = "us-east-1"
)

// SageMakerServer is a fake SageMaker runtime on 127.0.0.1 serving
// POST /endpoints/{name}/invocations. It checks the AWS Signature Version
// 4 of every request against its credentials (recomputing the signature the
// way SageMaker does), and answers the two request shapes LLM containers
// use: {"inputs", "parameters"} → [{"generated_text"}] (Hugging Face TGI
// and LMI containers) and {"text_inputs", ...} → {"generated_texts"}
// (older JumpStart text2text containers). Errors come in SageMaker's shape,
// with the container's own body inside ModelError's OriginalMessage.
type SageMakerServer struct {
	scriptState
	// URL is the endpoint URL override clients use.
	URL string
	// Endpoint is the endpoint name the server answers to.
	Endpoint string
	// Region and Credentials verify signatures; an empty AccessKeyID
	// skips verification.
	Region      string
	Credentials aws.Credentials
	// Reply computes successful replies (default DefaultReply).
	Reply ReplyFunc

	srv *httptest.Server
}

// NewSageMakerServer starts a fake SageMaker runtime for endpoint, with
// the Test* credentials, closed when t ends.
func NewSageMakerServer(t testing.TB, endpoint string) *SageMakerServer {
	t.Helper()
	s := &SageMakerServer{
		Endpoint:    endpoint,
		Region:      TestRegion,
		Credentials: aws.Credentials{AccessKeyID: TestAccessKeyID, SecretAccessKey: TestSecretAccessKey},
		Reply:       DefaultReply,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// awsError writes SageMaker's error shape.
func awsError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", typ+":http://internal.amazon.com/coral/com.amazon.sagemaker/")
	b, _ := json.Marshal(map[string]string{"message": msg})
	writeJSON(w, status, string(b))
}

// modelError writes the ModelError SageMaker returns when the container
// answered originalStatus with originalBody.
func modelError(w http.ResponseWriter, endpoint string, originalStatus int, originalBody string) {
	kind := "server"
	if originalStatus < 500 {
		kind = "client"
	}
	b, _ := json.Marshal(map[string]any{
		"ErrorCode":          strings.ToUpper(kind) + "_ERROR_FROM_MODEL",
		"LogStreamArn":       "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/" + endpoint,
		"Message":            fmt.Sprintf("Received %s error (%d) from primary with message %q. See the endpoint's CloudWatch logs for more information.", kind, originalStatus, originalBody),
		"OriginalMessage":    originalBody,
		"OriginalStatusCode": originalStatus,
	})
	w.Header().Set("X-Amzn-ErrorType", "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/")
	writeJSON(w, http.StatusFailedDependency, string(b))
}

func (s *SageMakerServer) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/endpoints/")
	name, ok2 := strings.CutSuffix(name, "/invocations")
	if !ok || !ok2 || r.Method != http.MethodPost {
		awsError(w, http.StatusNotFound, "UnknownOperationException", "unknown operation")
		return
	}
	body, _ := io.ReadAll(r.Body)
	if s.Credentials.AccessKeyID != "" {
		if msg := s.verify(r, body); msg != "" {
			awsError(w, http.StatusForbidden, "InvalidSignatureException", msg)
			return
		}
	}
	if name != s.Endpoint {
		awsError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("Endpoint %s of account 000000000000 not found.", name))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		awsError(w, http.StatusBadRequest, "ValidationError", "the fake endpoint accepts application/json only, got "+ct)
		return
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		modelError(w, name, 400, `{"error":"Failed to deserialize the JSON body into the target type","error_type":"validation"}`)
		return
	}
	req := Request{Path: r.URL.Path, Header: r.Header.Clone()}
	var params map[string]json.RawMessage
	switch {
	case raw["inputs"] != nil:
		req.Shape = "tgi"
		json.Unmarshal(raw["inputs"], &req.Prompt)
		json.Unmarshal(raw["parameters"], &params)
	case raw["text_inputs"] != nil:
		req.Shape = "text_inputs"
		json.Unmarshal(raw["text_inputs"], &req.Prompt)
		params = raw
	default:
		modelError(w, name, 422, `{"error":"Failed to deserialize the JSON body into the target type: missing field `+"`inputs`"+`","error_type":"validation"}`)
		return
	}
	if params != nil {
		req.Params = map[string]any{}
		for k, v := range params {
			if k == "text_inputs" {
				continue
			}
			var x any
			json.Unmarshal(v, &x)
			req.Params[k] = x
		}
		num := func(k string) (float64, bool) {
			f, ok := req.Params[k].(float64)
			return f, ok
		}
		if f, ok := num("max_new_tokens"); ok {
			req.MaxTokens = int(f)
		} else if f, ok := num("max_length"); ok {
			req.MaxTokens = int(f)
		}
		if f, ok := num("temperature"); ok {
			req.Temperature = &f
		}
		if f, ok := num("top_p"); ok {
			req.TopP = &f
		}
		if f, ok := num("top_k"); ok {
			req.TopK = int(f)
		}
		if st, ok := req.Params["stop"].([]any); ok {
			for _, x := range st {
				if s, ok := x.(string); ok {
					req.Stop = append(req.Stop, s)
				}
			}
		}
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
		fmt.Fprintf(w, `[{"generated_text": %q`, req.Prompt) // cut short
	case step.ContextOverflow:
		// TGI's validation error, wrapped by SageMaker as a ModelError.
		_, inner := overflowBody(FlavorTGI, len(req.Prompt)/4+DefaultContextLen, req.MaxTokens)
		modelError(w, name, 422, inner)
	case step.EchoPrompt:
		inner, _ := json.Marshal(map[string]string{"error": "Input validation error: cannot process " + req.Prompt, "error_type": "validation"})
		modelError(w, name, statusOr(step.Status, 422), string(inner))
	case step.Status == http.StatusTooManyRequests:
		awsError(w, step.Status, "ThrottlingException", "Rate exceeded")
	case step.Status >= 500:
		// A container failure surfaces as ModelError with the container's
		// status; SageMaker's own failures as InternalFailure.
		if step.Status == http.StatusInternalServerError {
			awsError(w, step.Status, "InternalFailure", "An internal failure occurred.")
		} else {
			modelError(w, name, step.Status, `{"error":"Request failed during generation","error_type":"generation"}`)
		}
	case step.Status != 0 && step.Status != http.StatusOK:
		awsError(w, step.Status, "ValidationError", http.StatusText(step.Status))
	default:
		text := step.Reply
		if text == "" {
			text = s.Reply(req)
		}
		t, _ := json.Marshal(text)
		w.Header().Set("X-Amzn-Invoked-Production-Variant", "AllTraffic")
		if req.Shape == "text_inputs" {
			writeJSON(w, http.StatusOK, fmt.Sprintf(`{"generated_texts":[%s]}`, t))
			return
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`[{"generated_text":%s}]`, t))
	}
}

// verify recomputes the request's SigV4 signature from the headers it
// claims to have signed and returns what is wrong, or "" when it matches.
func (s *SageMakerServer) verify(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "Missing Authentication Token"
	}
	fields := map[string]string{}
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return "unsupported signature algorithm"
	}
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[0] != s.Credentials.AccessKeyID || scope[2] != s.Region || scope[3] != "sagemaker" || scope[4] != "aws4_request" {
		return "credential scope " + fields["Credential"] + " does not match access key, region " + s.Region + " and service sagemaker"
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "missing or bad X-Amz-Date"
	}
	sum := sha256.Sum256(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != hex.EncodeToString(sum[:]) {
		return "X-Amz-Content-Sha256 does not match the body"
	}
	check, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		if h == "host" || h == "content-length" {
			continue
		}
		for _, v := range r.Header.Values(h) {
			check.Header.Add(h, v)
		}
	}
	check.Header.Del("X-Amz-Date") // the signer sets it from the signing time
	err = v4.NewSigner().SignHTTP(context.Background(), s.Credentials, check, hex.EncodeToString(sum[:]), "sagemaker", s.Region, when)
	if err != nil {
		return err.Error()
	}
	if check.Header.Get("Authorization") != auth {
		return "The request signature we calculated does not match the signature you provided."
	}
	return ""
}
