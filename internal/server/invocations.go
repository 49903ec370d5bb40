package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/osler-health/osler/api"
)

// The managed service's container contract: POST /invocations with
//
//	{"inputs": "text" | ["text", ...], "parameters": {...}}
//
// as application/json (or the text itself as text/plain, or one such
// object or JSON string per line as application/jsonlines, which batch
// transform jobs send). X-Amzn-SageMaker-Target-Model names the model
// ("name", "name.tar.gz" or a path ending in either); without it the
// default model answers.
//
// Classifiers answer in the Hugging Face text-classification shape that
// the managed service's Hugging Face containers return, so a client
// written against one parses Osler's answer unchanged:
//
//	"inputs": "text"                → [{"label", "score"}, ...]            the decided label(s)
//	"inputs": ["a", "b"]            → [{"label", "score", "labels"}, ...]  one per text
//	"inputs": "text", top_k: k      → [{...}, ... k]                       best k labels
//	"inputs": ["a", "b"], top_k: k  → [[{...} ... k], [...]]               per text
//
// Each element also carries "predicted" (Osler's extension): whether the
// label is predicted under the model's thresholds. Labels are ordered
// predicted first, then by score, so what is returned by default is the
// model's decision at its own thresholds, not merely the highest score
// (they differ for a binary model whose threshold is not 0.5). A single
// text gets every label the model predicts: one for a binary or
// multi-class model, any number for a multi-label model (when it predicts
// none, the top-scored label with "predicted": false, so the list is never
// empty). A batch keeps one object per text, its first label, and adds
// "labels": every label predicted for the text, best first (possibly
// none). Parameters: top_k (an integer, or null for every label),
// return_all_scores (true: every label), threshold (decide every label at
// this score).
//
// Summarizers answer [{"generated_text": "..."}], one element per text, as
// text-generation containers do; return_provenance: true adds
// "provenance".
//
// Parameters Osler does not use (max_new_tokens, temperature, ...) are
// accepted and ignored, and named in the X-Osler-Ignored-Parameters
// response header, so a client written for another container keeps
// working and can see what had no effect.

const targetModelHeader = "X-Amzn-Sagemaker-Target-Model"

var (
	hdrJSONLines = []string{"application/jsonlines"}
)

// invocation is one parsed request (one line of a JSON Lines body).
type invocation struct {
	texts  []string
	batch  bool
	params map[string]json.RawMessage
}

// invocationParams are the parameters Osler reads.
type invocationParams struct {
	topK       int // 0: default (decided label only); -1: every label
	threshold  float64
	provenance bool
	ignored    []string
}

func (s *Server) handleInvocations(c *call) {
	ct := mediaType(c.r.Header.Get("Content-Type"))
	var lines bool
	switch ct {
	case "", "application/json", "text/plain":
	case "application/jsonlines", "application/x-jsonlines", "application/jsonl", "application/x-ndjson":
		lines = true
	default:
		msg := "send application/json ({\"inputs\": ...}), text/plain (one text) or application/jsonlines (one request per line)"
		if ct == "application/x-www-form-urlencoded" {
			msg += "; curl -d sends a form: add -H 'Content-Type: application/json'"
		}
		c.fail(http.StatusUnsupportedMediaType, api.CodeUnsupportedMediaType, msg)
		return
	}
	body, ok := c.readBody(s.cfg.MaxBody)
	if !ok {
		return
	}
	var invs []invocation
	switch {
	case ct == "text/plain":
		text := string(body)
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		invs = []invocation{{texts: []string{text}}}
	case lines:
		n := 0
		for i, line := range bytes.Split(body, []byte{'\n'}) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			inv, ok := c.parseInvocation(line, fmt.Sprintf("line %d: ", i+1))
			if !ok {
				return
			}
			invs = append(invs, inv)
			n += len(inv.texts)
		}
		if len(invs) == 0 {
			c.fail(http.StatusBadRequest, api.CodeEmptyInput, "the body holds no line to answer")
			return
		}
	default:
		inv, ok := c.parseInvocation(body, "")
		if !ok {
			return
		}
		invs = []invocation{inv}
	}
	offset := 0
	for _, inv := range invs {
		if !s.checkTexts(c, inv.texts, offset) {
			return
		}
		offset += len(inv.texts)
	}
	m := s.pickModel(c, s.models.Load(), targetModel(c.r))
	if m == nil {
		return
	}
	params := make([]invocationParams, len(invs))
	var ignored []string
	for i, inv := range invs {
		var ok bool
		if params[i], ok = c.parseParams(m, inv.params); !ok {
			return
		}
		for _, p := range params[i].ignored {
			if !slices.Contains(ignored, p) {
				ignored = append(ignored, p)
			}
		}
	}
	if len(ignored) > 0 {
		slices.Sort(ignored)
		c.w.Header()["X-Osler-Ignored-Parameters"] = []string{strings.Join(ignored, ",")}
	}
	c.entry.inputs = offset
	if m.clf != nil {
		s.invokeClassifier(c, m, invs, params, lines)
		return
	}
	s.invokeSummarizer(c, m, invs, params, lines)
}

// targetModel reads X-Amzn-SageMaker-Target-Model: "name", "name.tar.gz"
// or "path/to/name.tar.gz" all name the model "name".
func targetModel(r *http.Request) string {
	v := r.Header[targetModelHeader]
	if len(v) == 0 {
		return ""
	}
	t := strings.TrimSpace(v[0])
	t = path.Base(strings.TrimSuffix(t, "/"))
	if t == "." || t == "/" {
		return ""
	}
	for _, ext := range []string{".tar.gz", ".tgz", ".tar"} {
		t = strings.TrimSuffix(t, ext)
	}
	return t
}

// parseInvocation reads {"inputs": ..., "parameters": {...}} or, on a
// JSON Lines body, a bare JSON string. Other top-level fields are
// ignored, as the managed service's containers ignore them.
func (c *call) parseInvocation(b []byte, where string) (invocation, bool) {
	b = bytes.TrimSpace(b)
	if where != "" && len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			c.fail(http.StatusBadRequest, api.CodeInvalidJSON, where+"not valid JSON")
			return invocation{}, false
		}
		return invocation{texts: []string{s}}, true
	}
	if texts, batch, ok := parseInputsFast(b); ok {
		return invocation{texts: texts, batch: batch}, true
	}
	var req struct {
		Inputs     json.RawMessage            `json:"inputs"`
		Parameters map[string]json.RawMessage `json:"parameters"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		if where != "" {
			if _, ok := err.(*json.SyntaxError); ok {
				c.fail(http.StatusBadRequest, api.CodeInvalidJSON, where+"not valid JSON")
			} else {
				c.fail(http.StatusBadRequest, api.CodeInvalidRequest, where+`want {"inputs": ..., "parameters": {...}} or a JSON string`)
			}
			return invocation{}, false
		}
		if _, ok := err.(*json.UnmarshalTypeError); ok {
			c.fail(http.StatusBadRequest, api.CodeInvalidRequest, `the body must be a JSON object {"inputs": "text" or ["text", ...], "parameters": {...}}`)
			return invocation{}, false
		}
		c.jsonError(err)
		return invocation{}, false
	}
	if len(req.Inputs) == 0 || string(req.Inputs) == "null" {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, where+`"inputs" is required: a string or an array of strings`)
		return invocation{}, false
	}
	var in api.Inputs
	if err := in.UnmarshalJSON(req.Inputs); err != nil {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, where+err.Error())
		return invocation{}, false
	}
	return invocation{texts: in.Texts, batch: in.Batch, params: req.Parameters}, true
}

// parseParams reads the parameters that apply to m's kind.
func (c *call) parseParams(m *loadedModel, raw map[string]json.RawMessage) (invocationParams, bool) {
	p := invocationParams{threshold: -1}
	bad := func(msg string) (invocationParams, bool) {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, msg)
		return p, false
	}
	for k, v := range raw {
		switch {
		case m.clf != nil && k == "top_k":
			if string(v) == "null" {
				p.topK = -1
				continue
			}
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 {
				return bad(`"parameters.top_k" must be a positive integer (or null for every label)`)
			}
			p.topK = n
		case m.clf != nil && k == "return_all_scores":
			var all bool
			if err := json.Unmarshal(v, &all); err != nil {
				return bad(`"parameters.return_all_scores" must be true or false`)
			}
			if all && p.topK == 0 {
				p.topK = -1
			}
		case m.clf != nil && k == "threshold":
			var t float64
			if err := json.Unmarshal(v, &t); err != nil || t < 0 || t > 1 {
				return bad(`"parameters.threshold" must be a number between 0 and 1`)
			}
			p.threshold = t
		case m.sum != nil && k == "return_provenance":
			if err := json.Unmarshal(v, &p.provenance); err != nil {
				return bad(`"parameters.return_provenance" must be true or false`)
			}
		default:
			if safeFieldName(k) {
				p.ignored = append(p.ignored, k)
			} else {
				p.ignored = append(p.ignored, "(unnamed)")
			}
		}
	}
	return p, true
}

// invokeClassifier scores every text and writes the Hugging Face shape
// with a hand-written encoder: the labels' JSON was encoded at load time,
// so an answer costs the scores' digits and no reflection.
func (s *Server) invokeClassifier(c *call, m *loadedModel, invs []invocation, params []invocationParams, lines bool) {
	if !s.acquireWorker(c) {
		return
	}
	defer s.releaseWorker()
	m.counters.requests.Add(1)
	m.counters.inputs.Add(uint64(c.entry.inputs))
	sc := clfPool.Get().(*clfScratch)
	defer clfPool.Put(sc)
	out := sc.out[:0]
	done := 0
	for i, inv := range invs {
		p := params[i]
		if inv.batch {
			out = append(out, '[')
		}
		for j, text := range inv.texts {
			if done%64 == 63 && c.expired() {
				m.counters.errors.Add(1)
				sc.out = out[:0]
				c.fail(http.StatusGatewayTimeout, api.CodeTimeout, fmt.Sprintf("the request took longer than the server's %s limit (--timeout); send smaller batches", s.cfg.Timeout))
				return
			}
			done++
			order := classifyText(m, text, p.threshold, sc)
			if j > 0 {
				out = append(out, ',')
			}
			npred := len(sc.Labels)
			k := max(1, npred) // the decided labels (order starts with them)
			switch {
			case p.topK < 0:
				k = len(order)
			case p.topK > 0:
				k = min(p.topK, len(order))
			case inv.batch:
				k = 1
			}
			// A single text gets a list of labels; a batch gets one label
			// per text, with every decided label in "labels", or a list
			// per text with top_k.
			list := !inv.batch || p.topK != 0
			if list {
				out = append(out, '[')
			}
			for r := range k {
				if r > 0 {
					out = append(out, ',')
				}
				li := order[r]
				out = append(out, m.labelPrefix[li]...)
				out = strconv.AppendFloat(out, sc.Scores[li], 'g', -1, 64)
				if sc.IsDecided(li) {
					out = append(out, `,"predicted":true`...)
				} else {
					out = append(out, `,"predicted":false`...)
				}
				if !list {
					out = append(out, `,"labels":[`...)
					for d, di := range order[:npred] {
						if d > 0 {
							out = append(out, ',')
						}
						out = append(out, quotedLabel(m, di)...)
					}
					out = append(out, ']')
				}
				out = append(out, '}')
			}
			if list {
				out = append(out, ']')
			}
		}
		if inv.batch {
			out = append(out, ']')
		}
		out = append(out, '\n')
	}
	sc.out = out
	if lines {
		c.writeBytes(http.StatusOK, hdrJSONLines, out)
		return
	}
	c.writeBytes(http.StatusOK, hdrJSON, out)
}

func (s *Server) invokeSummarizer(c *call, m *loadedModel, invs []invocation, params []invocationParams, lines bool) {
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	offset := 0
	for i, inv := range invs {
		results, ok := s.summarizeAll(c, m, inv.texts, offset)
		if !ok {
			return
		}
		offset += len(inv.texts)
		out := make([]api.GeneratedText, len(results))
		for j, r := range results {
			out[j].GeneratedText = r.Summary
			out[j].Warnings = apiWarnings(r.Warnings)
			if params[i].provenance {
				out[j].Provenance = apiProvenance(r.Provenance)
			}
		}
		if err := enc.Encode(out); err != nil {
			c.fail(http.StatusInternalServerError, api.CodeInternal, "encoding the answer failed")
			return
		}
	}
	if lines {
		c.writeBytes(http.StatusOK, hdrJSONLines, buf.Bytes())
		return
	}
	c.writeBytes(http.StatusOK, hdrJSON, buf.Bytes())
}
