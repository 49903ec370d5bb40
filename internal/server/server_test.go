package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/classify"
)

// Synthetic sentences (no real patients).
const (
	aeSentence  = "The patient developed a widespread rash two days after starting amoxicillin."
	notSentence = "Aspirin was given for the headache and the patient recovered."
	radReport   = "EXAMINATION:\nCHEST (PA AND LAT)\nFINDINGS:\nThe lungs are clear. No pleural effusion or pneumothorax. Heart size is normal."
)

// hfLabel is an element of the Hugging Face text-classification answer.
type hfLabel struct {
	Label     string  `json:"label"`
	Score     float64 `json:"score"`
	Predicted *bool   `json:"predicted"`
}

// TestInvocationsContract sends the managed service's runtime requests as a
// client written for it does (a plain POST of JSON to /invocations) and
// checks the answers' shapes and values against the model itself.
func TestInvocationsContract(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{DefaultModel: "ade"}})
	clfDir, _ := fixtureModels(t)
	ref, err := classify.Load(clfDir)
	if err != nil {
		t.Fatal(err)
	}
	labels := ref.Labels()
	want := func(text string) map[string]float64 {
		out := map[string]float64{}
		for i, s := range ref.Scores(text) {
			out[labels[i]] = s
		}
		return out
	}
	decided := func(text string) string {
		sc := ref.Scores(text)
		return labels[ref.Decide(nil, sc, -1)[0]]
	}
	post := func(body string, hdr ...string) (int, http.Header, []byte) {
		return e.do("POST", "/invocations", "application/json", e.predictKey, body, hdr...)
	}
	checkLabels := func(t *testing.T, text string, got []hfLabel, n int) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%d labels, want %d: %+v", len(got), n, got)
		}
		ws := want(text)
		for _, l := range got {
			if ws[l.Label] != l.Score {
				t.Errorf("%s: score %v, the model says %v", l.Label, l.Score, ws[l.Label])
			}
			if l.Predicted == nil {
				t.Errorf("%s: no \"predicted\"", l.Label)
			}
		}
		if got[0].Label != decided(text) || !*got[0].Predicted {
			t.Errorf("first label %s (predicted %v), the model decides %s", got[0].Label, *got[0].Predicted, decided(text))
		}
	}

	t.Run("single text", func(t *testing.T) {
		code, h, body := post(`{"inputs": "` + aeSentence + `"}`)
		if code != 200 || h.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %s: %s", code, h.Get("Content-Type"), body)
		}
		var got []hfLabel
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		checkLabels(t, aeSentence, got, 1)
		if got[0].Label != "Adverse_Event" {
			t.Errorf("the adverse event sentence was classified %s", got[0].Label)
		}
	})
	t.Run("batch", func(t *testing.T) {
		code, _, body := post(`{"inputs": ["` + aeSentence + `", "` + notSentence + `"]}`)
		var got []hfLabel
		if err := json.Unmarshal(body, &got); code != 200 || err != nil {
			t.Fatalf("%d %v: %s", code, err, body)
		}
		if len(got) != 2 {
			t.Fatalf("%d results for 2 texts", len(got))
		}
		checkLabels(t, aeSentence, got[:1], 1)
		checkLabels(t, notSentence, got[1:], 1)
		// Each object also lists the text's decided labels.
		var full []api.InvocationLabel
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&full); err != nil {
			t.Fatal(err)
		}
		for i, text := range []string{aeSentence, notSentence} {
			if !slices.Equal(full[i].Labels, []string{decided(text)}) {
				t.Errorf("text %d: labels %q, the model decides %s", i, full[i].Labels, decided(text))
			}
		}
	})
	t.Run("single text top_k", func(t *testing.T) {
		code, _, body := post(`{"inputs": "` + notSentence + `", "parameters": {"top_k": 2}}`)
		var got []hfLabel
		if err := json.Unmarshal(body, &got); code != 200 || err != nil {
			t.Fatalf("%d %v: %s", code, err, body)
		}
		checkLabels(t, notSentence, got, 2)
	})
	t.Run("batch top_k null", func(t *testing.T) {
		code, _, body := post(`{"inputs": ["` + aeSentence + `", "` + notSentence + `"], "parameters": {"top_k": null}}`)
		var got [][]hfLabel
		if err := json.Unmarshal(body, &got); code != 200 || err != nil {
			t.Fatalf("%d %v: %s", code, err, body)
		}
		checkLabels(t, aeSentence, got[0], 2)
		checkLabels(t, notSentence, got[1], 2)
	})
	t.Run("return_all_scores and threshold", func(t *testing.T) {
		code, _, body := post(`{"inputs": "` + notSentence + `", "parameters": {"return_all_scores": true, "threshold": 0.0}}`)
		var got []hfLabel
		if err := json.Unmarshal(body, &got); code != 200 || err != nil {
			t.Fatalf("%d %v: %s", code, err, body)
		}
		if len(got) != 2 {
			t.Fatalf("%d labels with return_all_scores", len(got))
		}
		// At threshold 0 a binary model predicts its positive label.
		if got[0].Label != ref.PositiveLabel() || !*got[0].Predicted {
			t.Errorf("threshold 0: first %+v, want the positive label predicted", got[0])
		}
	})
	t.Run("ignored parameters", func(t *testing.T) {
		code, h, _ := post(`{"inputs": "` + aeSentence + `", "parameters": {"max_new_tokens": 20, "truncation": true}}`)
		if code != 200 || h.Get("X-Osler-Ignored-Parameters") != "max_new_tokens,truncation" {
			t.Errorf("%d, X-Osler-Ignored-Parameters %q", code, h.Get("X-Osler-Ignored-Parameters"))
		}
	})
	t.Run("text/plain", func(t *testing.T) {
		code, _, body := e.do("POST", "/invocations", "text/plain; charset=utf-8", e.predictKey, aeSentence)
		var got []hfLabel
		if err := json.Unmarshal(body, &got); code != 200 || err != nil {
			t.Fatalf("%d %v: %s", code, err, body)
		}
		checkLabels(t, aeSentence, got, 1)
	})
	t.Run("jsonlines", func(t *testing.T) {
		body := `{"inputs": "` + aeSentence + `"}` + "\n\n" + `"` + notSentence + `"` + "\n"
		code, h, out := e.do("POST", "/invocations", "application/jsonlines", e.predictKey, body)
		if code != 200 || h.Get("Content-Type") != "application/jsonlines" {
			t.Fatalf("%d %s: %s", code, h.Get("Content-Type"), out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d lines: %s", len(lines), out)
		}
		for i, text := range []string{aeSentence, notSentence} {
			var got []hfLabel
			if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
				t.Fatal(err)
			}
			checkLabels(t, text, got, 1)
		}
	})
	t.Run("target model summarizer", func(t *testing.T) {
		body, _ := json.Marshal(api.InvocationRequest{Inputs: api.Text(radReport), Parameters: map[string]any{"return_provenance": true}})
		for _, target := range []string{"rad", "rad.tar.gz", "models/rad.tar.gz"} {
			code, _, out := post(string(body), "X-Amzn-SageMaker-Target-Model", target)
			var got []api.GeneratedText
			if err := json.Unmarshal(out, &got); code != 200 || err != nil {
				t.Fatalf("%s: %d %v: %s", target, code, err, out)
			}
			if len(got) != 1 || got[0].GeneratedText == "" || got[0].Provenance == nil {
				t.Errorf("%s: %+v", target, got)
			}
		}
	})
	t.Run("client Invoke", func(t *testing.T) {
		var got []api.LabelScore
		if err := e.client(e.predictKey).Invoke(context.Background(), "ade", api.InvocationRequest{Inputs: api.Text(aeSentence)}, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Label != decided(aeSentence) {
			t.Errorf("%+v", got)
		}
	})
}

// TestDefaultModel checks /invocations without a target: the only model,
// the configured default, or a 400 naming the models.
func TestDefaultModel(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	code, _, body := e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "x y z"}`)
	if code != 400 || !strings.Contains(string(body), api.CodeModelRequired) || !strings.Contains(string(body), "ade, rad") {
		t.Errorf("two models, no target: %d %s", code, body)
	}
	e2 := newTestEnv(t, envOptions{cfg: Config{Pins: []Pin{{Name: "rad"}}}})
	code, _, body = e2.do("POST", "/invocations", "application/json", e2.predictKey, `{"inputs": "`+strings.ReplaceAll(radReport, "\n", `\n`)+`"}`)
	if code != 200 || !strings.Contains(string(body), "generated_text") {
		t.Errorf("one model: %d %s", code, body)
	}
}

// marker is planted in requests; it must never appear in logs or error
// messages.
const marker = "PATIENTTEXTMARKER"

// TestBadRequests checks each kind of bad request gets the right status,
// a stable code and a message, never echoing the request's text.
func TestBadRequests(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{MaxBody: 4096, MaxBatch: 5, DefaultModel: "ade"}})
	big := `{"inputs": "` + strings.Repeat(marker+" ", 600) + `"}`
	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		key         string
		body        string
		hdr         []string
		status      int
		code        string
	}{
		{"invalid JSON", "POST", "/invocations", "application/json", "p", `{"inputs": "` + marker, nil, 400, api.CodeInvalidJSON},
		{"invalid JSON classify", "POST", "/v1/classify", "application/json", "p", `{"inputs": [` + marker + `]}`, nil, 400, api.CodeInvalidJSON},
		{"body is an array", "POST", "/invocations", "application/json", "p", `["` + marker + `"]`, nil, 400, api.CodeInvalidRequest},
		{"inputs is a number", "POST", "/invocations", "application/json", "p", `{"inputs": 42}`, nil, 400, api.CodeInvalidRequest},
		{"inputs holds a number", "POST", "/v1/classify", "application/json", "p", `{"inputs": ["` + marker + `", 3]}`, nil, 400, api.CodeInvalidRequest},
		{"inputs missing", "POST", "/invocations", "application/json", "p", `{"text": "` + marker + `"}`, nil, 400, api.CodeInvalidRequest},
		{"inputs null", "POST", "/v1/classify", "application/json", "p", `{"inputs": null}`, nil, 400, api.CodeInvalidRequest},
		{"threshold a string", "POST", "/v1/classify", "application/json", "p", `{"inputs": "` + marker + `", "threshold": "high"}`, nil, 400, api.CodeInvalidRequest},
		{"threshold out of range", "POST", "/invocations", "application/json", "p", `{"inputs": "` + marker + `", "parameters": {"threshold": 2}}`, nil, 400, api.CodeInvalidRequest},
		{"top_k negative", "POST", "/invocations", "application/json", "p", `{"inputs": "` + marker + `", "parameters": {"top_k": -1}}`, nil, 400, api.CodeInvalidRequest},
		{"unknown field", "POST", "/v1/classify", "application/json", "p", `{"inputs": "` + marker + `", "temperature": 1}`, nil, 400, api.CodeInvalidRequest},
		{"unknown field with text as name", "POST", "/v1/classify", "application/json", "p", `{"inputs": "a", "` + marker + ` text here": 1}`, nil, 400, api.CodeInvalidRequest},
		{"empty string", "POST", "/invocations", "application/json", "p", `{"inputs": ""}`, nil, 400, api.CodeEmptyInput},
		{"blank string", "POST", "/v1/classify", "application/json", "p", `{"inputs": ["` + marker + `", " \n\t "]}`, nil, 400, api.CodeEmptyInput},
		{"empty array", "POST", "/invocations", "application/json", "p", `{"inputs": []}`, nil, 400, api.CodeEmptyInput},
		{"empty text/plain", "POST", "/invocations", "text/plain", "p", "", nil, 400, api.CodeEmptyInput},
		{"too many inputs", "POST", "/invocations", "application/json", "p", `{"inputs": ["a","b","c","d","e","f"]}`, nil, 400, api.CodeTooManyInputs},
		{"oversized body", "POST", "/invocations", "application/json", "p", big, nil, 413, api.CodeBodyTooLarge},
		{"oversized body classify", "POST", "/v1/classify", "application/json", "p", big, nil, 413, api.CodeBodyTooLarge},
		{"wrong content type", "POST", "/invocations", "application/x-www-form-urlencoded", "p", "inputs=" + marker, nil, 415, api.CodeUnsupportedMediaType},
		{"wrong content type classify", "POST", "/v1/classify", "text/csv", "p", marker, nil, 415, api.CodeUnsupportedMediaType},
		{"unknown model header", "POST", "/invocations", "application/json", "p", `{"inputs": "` + marker + `"}`, []string{"X-Amzn-SageMaker-Target-Model", "nosuch"}, 404, api.CodeUnknownModel},
		{"unknown model REST", "POST", "/v1/classify", "application/json", "p", `{"model": "nosuch", "inputs": "` + marker + `"}`, nil, 404, api.CodeUnknownModel},
		{"model name is text", "POST", "/v1/classify", "application/json", "p", `{"model": "` + marker + ` of a note", "inputs": "a"}`, nil, 404, api.CodeUnknownModel},
		{"wrong kind", "POST", "/v1/classify", "application/json", "p", `{"model": "rad", "inputs": "` + marker + `"}`, nil, 400, api.CodeWrongModelKind},
		{"wrong kind summarize", "POST", "/v1/summarize", "application/json", "p", `{"model": "ade", "inputs": "` + marker + `"}`, nil, 400, api.CodeWrongModelKind},
		{"missing key", "POST", "/invocations", "application/json", "", `{"inputs": "` + marker + `"}`, nil, 401, api.CodeUnauthorized},
		{"wrong key", "POST", "/invocations", "application/json", "osk_aaaaaaaaaaaaa_" + strings.Repeat("b", 52), `{"inputs": "` + marker + `"}`, nil, 401, api.CodeUnauthorized},
		{"malformed key", "POST", "/v1/classify", "application/json", marker, `{"inputs": "a"}`, nil, 401, api.CodeUnauthorized},
		{"missing key models", "GET", "/v1/models", "", "", "", nil, 401, api.CodeUnauthorized},
		{"missing key metrics", "GET", "/metrics", "", "", "", nil, 401, api.CodeUnauthorized},
		{"predict key approves", "POST", "/v1/models/ade/versions/1/approve", "application/json", "p", `{"note": "ok"}`, nil, 403, api.CodeForbidden},
		{"predict key uploads", "POST", "/v1/datasets?name=a.jsonl", "application/octet-stream", "p", marker, nil, 403, api.CodeForbidden},
		{"predict key audit", "GET", "/v1/audit", "", "p", "", nil, 403, api.CodeForbidden},
		{"wrong method", "GET", "/invocations", "", "p", "", nil, 405, api.CodeMethodNotAllowed},
		{"wrong method models", "DELETE", "/v1/models", "", "p", "", nil, 405, api.CodeMethodNotAllowed},
		{"unknown route", "GET", "/v2/nothing", "", "p", "", nil, 404, api.CodeNotFound},
		{"unknown version", "GET", "/v1/models/ade/versions/99", "", "p", "", nil, 404, api.CodeNotFound},
		{"bad version", "GET", "/v1/models/ade/versions/x", "", "p", "", nil, 400, api.CodeInvalidRequest},
		{"unknown model detail", "GET", "/v1/models/nosuch", "", "p", "", nil, 404, api.CodeUnknownModel},
		{"approve unknown version", "POST", "/v1/models/ade/versions/42/approve", "", "a", "", nil, 404, api.CodeNotFound},
		{"dataset without name", "POST", "/v1/datasets", "application/octet-stream", "a", marker, nil, 400, api.CodeInvalidRequest},
		{"import garbage", "POST", "/v1/models/ade/versions", "application/x-tar", "a", marker, nil, 400, api.CodeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := map[string]string{"p": e.predictKey, "a": e.adminKey}[tc.key]
			if key == "" {
				key = tc.key
			}
			code, h, body := e.do(tc.method, tc.path, tc.contentType, key, tc.body, tc.hdr...)
			if code != tc.status {
				t.Errorf("status %d, want %d: %s", code, tc.status, body)
			}
			var er api.ErrorResponse
			if err := json.Unmarshal(body, &er); err != nil {
				t.Fatalf("not an error response: %v: %s", err, body)
			}
			if er.Error.Code != tc.code || er.Error.Message == "" || er.Error.RequestID == "" || er.Error.RequestID != h.Get("X-Request-Id") {
				t.Errorf("error %+v, want code %s with a message and the request id %s", er.Error, tc.code, h.Get("X-Request-Id"))
			}
			if strings.Contains(string(body), marker) {
				t.Errorf("the error repeats the request's text: %s", body)
			}
			switch code {
			case 401:
				if h.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			case 405:
				if h.Get("Allow") == "" {
					t.Error("405 without Allow")
				}
			}
		})
	}
	e.srv.logw.Flush()
	if strings.Contains(e.logs.String(), marker) {
		t.Errorf("the logs hold request text:\n%s", e.logs.String())
	}
}

// TestClientREST calls the REST API through api.Client.
func TestClientREST(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	ctx := context.Background()
	c := e.client(e.predictKey)
	res, err := c.Classify(ctx, api.ClassifyRequest{Model: "ade", Inputs: api.Batch(aeSentence, notSentence), TopK: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "ade" || res.Version != 1 || len(res.Results) != 2 {
		t.Fatalf("%+v", res)
	}
	if !slices.Equal(res.Results[0].Labels, []string{"Adverse_Event"}) || len(res.Results[0].Scores) != 1 {
		t.Errorf("first result %+v", res.Results[0])
	}
	if !slices.Equal(res.Results[1].Labels, []string{"Not_AE"}) {
		t.Errorf("second result %+v", res.Results[1])
	}
	sum, err := c.Summarize(ctx, api.SummarizeRequest{Model: "rad", Inputs: api.Text(radReport)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Results) != 1 || sum.Results[0].Summary == "" || sum.Results[0].Provenance == nil || sum.Results[0].Provenance.Method == "" {
		t.Errorf("%+v", sum)
	}
	list, err := c.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Models) != 2 || list.Models[0].Name != "ade" || list.Models[0].State != api.StateLoaded || list.Models[0].Serving == nil ||
		!slices.Equal(list.Models[0].Serving.Labels, []string{"Adverse_Event", "Not_AE"}) || len(list.Models[0].Versions) != 1 || !list.Models[0].Versions[0].Serving {
		t.Errorf("%+v", list)
	}
	m, err := c.Model(ctx, "ade")
	if err != nil {
		t.Fatal(err)
	}
	if m.Serving == nil || len(m.Serving.Metrics) == 0 || !m.Serving.HasReport {
		t.Errorf("model detail %+v", m)
	}
	v, err := c.Version(ctx, "ade", 1)
	if err != nil || v.Status != api.StatusApproved || len(v.Metrics) == 0 {
		t.Errorf("version %+v %v", v, err)
	}
	rep, err := c.Report(ctx, "ade", 1)
	if err != nil || !strings.Contains(string(rep), "Evaluation report") {
		t.Errorf("report %q %v", rep, err)
	}
	_, h, _ := e.do("GET", "/v1/models/ade/versions/1/report", "", e.predictKey, "")
	if !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("report CSP %q", h.Get("Content-Security-Policy"))
	}
	id, err := c.Identity(ctx)
	if err != nil || !id.Auth || !slices.Equal(id.Scopes, []string{"predict"}) {
		t.Errorf("identity %+v %v", id, err)
	}
	p, err := c.Ping(ctx)
	if err != nil || p.Status != "ok" || p.Models != 2 {
		t.Errorf("ping %+v %v", p, err)
	}
	_, err = c.Classify(ctx, api.ClassifyRequest{Model: "nosuch", Inputs: api.Text("a")})
	var se *api.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || se.Code != api.CodeUnknownModel || !api.IsCode(err, api.CodeUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
}

// TestAccessLogs checks every request leaves one JSON line with the
// allow-listed fields only.
func TestAccessLogs(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{DefaultModel: "ade"}})
	e.do("POST", "/invocations", "application/json", e.predictKey, `{"inputs": "`+marker+` rash after penicillin"}`)
	e.do("POST", "/v1/summarize", "application/json", e.predictKey, `{"model": "rad", "inputs": "FINDINGS: `+marker+` no effusion."}`)
	e.do("POST", "/invocations", "application/json", "", `{"inputs": "`+marker+`"}`)
	e.srv.logw.Flush()
	allowed := map[string]bool{"time": true, "level": true, "msg": true, "request_id": true, "method": true, "route": true, "status": true, "duration_ms": true,
		"bytes_in": true, "bytes_out": true, "model": true, "version": true, "inputs": true, "key_id": true, "error_code": true}
	var requests int
	sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), marker) {
			t.Errorf("log line holds request text: %s", sc.Text())
		}
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		if line["msg"] != "request" {
			continue
		}
		requests++
		for k := range line {
			if !allowed[k] {
				t.Errorf("access log field %q is not allow-listed", k)
			}
		}
	}
	if requests != 3 {
		t.Errorf("%d access lines for 3 requests:\n%s", requests, e.logs.String())
	}
	if !strings.Contains(e.logs.String(), `"route":"invocations","status":200`) || !strings.Contains(e.logs.String(), `"error_code":"unauthorized"`) {
		t.Errorf("access lines lack route/status/error code:\n%s", e.logs.String())
	}
	for _, want := range []string{`"model":"ade","version":1,"inputs":1`, `"model":"rad","version":1,"inputs":1`} {
		if !strings.Contains(e.logs.String(), want) {
			t.Errorf("no %s in the logs", want)
		}
	}
}
