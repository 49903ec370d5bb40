package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls an Osler server. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	http   *http.Client
	apiKey string
}

// NewClient returns a client for the server at base (e.g.
// "https://osler.internal:8080"). apiKey ("osk_...") is sent as a bearer
// token; "" sends none. httpClient nil means http.DefaultClient.
func NewClient(base string, apiKey string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("api: server URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("api: server URL %q: want http:// or https://", base)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: u, http: httpClient, apiKey: apiKey}, nil
}

// Ping calls GET /ping; it returns a *StatusError (503) when no model is
// loaded.
func (c *Client) Ping(ctx context.Context) (Ping, error) {
	var p Ping
	err := c.do(ctx, http.MethodGet, "/ping", nil, "", &p, nil)
	return p, err
}

// Classify scores texts with a classifier.
func (c *Client) Classify(ctx context.Context, req ClassifyRequest) (*ClassifyResponse, error) {
	var out ClassifyResponse
	if err := c.doJSON(ctx, http.MethodPost, "/v1/classify", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Summarize summarizes texts with a summarizer.
func (c *Client) Summarize(ctx context.Context, req SummarizeRequest) (*SummarizeResponse, error) {
	var out SummarizeResponse
	if err := c.doJSON(ctx, http.MethodPost, "/v1/summarize", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Invoke posts req to /invocations as the managed service's runtime does
// and decodes the answer into out. For classifiers: []LabelScore for one
// text (the labels the model predicts, or top_k), []InvocationLabel for a
// batch without top_k, [][]LabelScore for a batch with top_k; for
// summarizers []GeneratedText. targetModel, when not "", is sent as
// X-Amzn-SageMaker-Target-Model.
func (c *Client) Invoke(ctx context.Context, targetModel string, req InvocationRequest, out any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	h := http.Header{}
	if targetModel != "" {
		h.Set("X-Amzn-SageMaker-Target-Model", targetModel)
	}
	return c.do(ctx, http.MethodPost, "/invocations", bytes.NewReader(body), "application/json", out, h)
}

// Models lists the models the server knows.
func (c *Client) Models(ctx context.Context) (*ModelList, error) {
	var out ModelList
	if err := c.do(ctx, http.MethodGet, "/v1/models", nil, "", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Model describes one model, with the metrics of the version it serves.
func (c *Client) Model(ctx context.Context, name string) (*Model, error) {
	var out Model
	if err := c.do(ctx, http.MethodGet, "/v1/models/"+url.PathEscape(name), nil, "", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Version describes one registry version, with its metrics,
// hyperparameters and data lineage.
func (c *Client) Version(ctx context.Context, name string, version int) (*Version, error) {
	var out Version
	if err := c.do(ctx, http.MethodGet, versionPath(name, version), nil, "", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Report returns a version's evaluation report (report.html).
func (c *Client) Report(ctx context.Context, name string, version int) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.do(ctx, http.MethodGet, versionPath(name, version)+"/report", nil, "", &buf, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Approve marks a version Approved (admin key); the server starts serving
// it once loaded.
func (c *Client) Approve(ctx context.Context, name string, version int, note string) (*StatusChangeResult, error) {
	var out StatusChangeResult
	if err := c.doJSON(ctx, http.MethodPost, versionPath(name, version)+"/approve", StatusChange{Note: note}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Reject marks a version Rejected (admin key).
func (c *Client) Reject(ctx context.Context, name string, version int, note string) (*StatusChangeResult, error) {
	var out StatusChangeResult
	if err := c.doJSON(ctx, http.MethodPost, versionPath(name, version)+"/reject", StatusChange{Note: note}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ImportVersion registers an export (the tar file `osler models export`
// writes, optionally gzipped) as the next version of name (admin key). The
// new version is pending approval.
func (c *Client) ImportVersion(ctx context.Context, name string, export io.Reader) (*Version, error) {
	var out Version
	if err := c.do(ctx, http.MethodPost, "/v1/models/"+url.PathEscape(name)+"/versions", export, "application/x-tar", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// PutDataset uploads a data file to the registry (admin key), encrypted at
// rest in an encrypted home.
func (c *Client) PutDataset(ctx context.Context, name string, data io.Reader) (*Dataset, error) {
	var out Dataset
	if err := c.do(ctx, http.MethodPost, "/v1/datasets?name="+url.QueryEscape(name), data, "application/octet-stream", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Datasets lists the stored datasets (admin key).
func (c *Client) Datasets(ctx context.Context) (*DatasetList, error) {
	var out DatasetList
	if err := c.do(ctx, http.MethodGet, "/v1/datasets", nil, "", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Audit returns the newest limit entries of the audit log (admin key; 0
// means the server's default).
func (c *Client) Audit(ctx context.Context, limit int) (*AuditLog, error) {
	var out AuditLog
	p := "/v1/audit"
	if limit > 0 {
		p += "?limit=" + strconv.Itoa(limit)
	}
	if err := c.do(ctx, http.MethodGet, p, nil, "", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Identity says which key the client presents and its scopes.
func (c *Client) Identity(ctx context.Context) (*Identity, error) {
	var out Identity
	if err := c.do(ctx, http.MethodGet, "/v1/auth", nil, "", &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

func versionPath(name string, version int) string {
	return "/v1/models/" + url.PathEscape(name) + "/versions/" + strconv.Itoa(version)
}

func (c *Client) doJSON(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	return c.do(ctx, method, path, bytes.NewReader(body), "application/json", out, nil)
}

// do sends one request. out is decoded as JSON, or filled as is when it is
// a *bytes.Buffer.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any, header http.Header) error {
	ref, err := url.Parse(path)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + ref.Path
	u.RawPath = ""
	if ref.RawPath != "" {
		u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + ref.RawPath
	}
	u.RawQuery = ref.RawQuery
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("api: %s %s: %w", method, ref.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readStatusError(resp)
	}
	if buf, ok := out.(*bytes.Buffer); ok {
		_, err := buf.ReadFrom(resp.Body)
		return err
	}
	if out == nil {
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("api: %s %s: decode the answer: %w", method, ref.Path, err)
	}
	return nil
}

// readStatusError builds a *StatusError from an error response.
func readStatusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	se := &StatusError{StatusCode: resp.StatusCode}
	var er ErrorResponse
	if err := json.Unmarshal(b, &er); err == nil && er.Error.Code != "" {
		se.Code, se.Message, se.RequestID = er.Error.Code, er.Error.Message, er.Error.RequestID
	} else {
		se.Message = strings.TrimSpace(string(b))
		if len(se.Message) > 200 {
			se.Message = se.Message[:200] + "…"
		}
		if se.Message == "" {
			se.Message = http.StatusText(resp.StatusCode)
		}
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			se.RetryAfter = time.Duration(n) * time.Second
		}
	}
	return se
}

// IsCode reports whether err is a *StatusError with the given code.
func IsCode(err error, code string) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == code
}
