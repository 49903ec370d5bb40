package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/osler-health/osler/api"
)

// The OpenAPI document is written by hand; these tests hold it to the
// routes, to the types of package api, and to what the server answers.

const openAPIURL = "file:///osler/openapi.json"

func loadOpenAPI(t *testing.T) (map[string]any, *jsonschema.Compiler) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openAPIURL, inst); err != nil {
		t.Fatal(err)
	}
	return doc, c
}

// pointerEscape escapes a JSON pointer token.
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// TestOpenAPIRoutes checks every route is documented with its methods, and
// nothing else is; open endpoints are marked security [].
func TestOpenAPIRoutes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi %v", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	served := map[string]bool{}
	for _, rt := range routeTable() {
		item, ok := paths[rt.pattern].(map[string]any)
		if !ok {
			t.Errorf("%s is not documented", rt.pattern)
			continue
		}
		for _, ep := range rt.endpoints {
			key := strings.ToLower(ep.method)
			served[rt.pattern+" "+key] = true
			op, ok := item[key].(map[string]any)
			if !ok {
				t.Errorf("%s %s is not documented", ep.method, rt.pattern)
				continue
			}
			sec, hasSec := op["security"].([]any)
			open := hasSec && len(sec) == 0
			if ep.cds {
				// CDS Hooks endpoints take the EHR's JWT, not a key.
				if len(sec) != 1 || sec[0].(map[string]any)["cdsJWT"] == nil {
					t.Errorf("%s %s: documented security %v, want cdsJWT", ep.method, rt.pattern, sec)
				}
				continue
			}
			if open != (ep.scope == "") {
				t.Errorf("%s %s: documented open=%v, served with scope %q", ep.method, rt.pattern, open, ep.scope)
			}
			if _, ok := op["responses"].(map[string]any)["200"]; !ok && ep.method == "GET" {
				t.Errorf("%s %s: no 200 response documented", ep.method, rt.pattern)
			}
		}
	}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if m == "parameters" {
				continue
			}
			if !served[p+" "+m] {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(m), p)
			}
		}
	}
}

// schemaTypes maps the document's schemas to the api types they describe.
var schemaTypes = map[string]any{
	"Error": api.Error{}, "ErrorResponse": api.ErrorResponse{}, "ClassifyRequest": api.ClassifyRequest{}, "LabelScore": api.LabelScore{},
	"Classification": api.Classification{}, "ClassifyResponse": api.ClassifyResponse{}, "SummarizeRequest": api.SummarizeRequest{},
	"Neighbor": api.Neighbor{}, "Provenance": api.Provenance{}, "Summary": api.Summary{}, "SummarizeResponse": api.SummarizeResponse{},
	"Span": api.Span{}, "Warning": api.Warning{}, "Check": api.Check{},
	"InvocationRequest": api.InvocationRequest{}, "InvocationLabel": api.InvocationLabel{}, "GeneratedText": api.GeneratedText{}, "Ping": api.Ping{}, "ModelList": api.ModelList{},
	"Model": api.Model{}, "Serving": api.Serving{}, "Version": api.Version{}, "DataRef": api.DataRef{}, "StatusChange": api.StatusChange{},
	"StatusChangeResult": api.StatusChangeResult{}, "Dataset": api.Dataset{}, "DatasetList": api.DatasetList{}, "AuditEntry": api.AuditEntry{},
	"AuditLog": api.AuditLog{}, "Identity": api.Identity{},
	"CDSServices": api.CDSServices{}, "CDSService": api.CDSService{}, "FHIRAuthorization": api.FHIRAuthorization{}, "CDSRequest": api.CDSRequest{},
	"CDSResponse": api.CDSResponse{}, "Card": api.Card{}, "Source": api.Source{}, "Coding": api.Coding{}, "Suggestion": api.Suggestion{},
	"Action": api.Action{}, "Link": api.Link{}, "FeedbackRequest": api.FeedbackRequest{}, "Feedback": api.Feedback{},
	"AcceptedSuggestion": api.AcceptedSuggestion{}, "OverrideReason": api.OverrideReason{},
	"CDSPreviewRequest": api.CDSPreviewRequest{}, "CDSPreviewResponse": api.CDSPreviewResponse{}, "CDSPreviewResult": api.CDSPreviewResult{},
	"CDSError": api.CDSError{},
}

// TestOpenAPISchemasMatchTypes checks each schema lists exactly its type's
// JSON fields, and requires exactly those always written.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, v := range schemaTypes {
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		var docProps, docRequired []string
		for p := range s["properties"].(map[string]any) {
			docProps = append(docProps, p)
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				docRequired = append(docRequired, r.(string))
			}
		}
		var goProps, goRequired []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() {
				continue
			}
			parts := strings.Split(tag, ",")
			goProps = append(goProps, parts[0])
			if !slices.Contains(parts[1:], "omitempty") && !slices.Contains(parts[1:], "omitzero") {
				goRequired = append(goRequired, parts[0])
			}
		}
		sort.Strings(docProps)
		sort.Strings(goProps)
		sort.Strings(docRequired)
		sort.Strings(goRequired)
		if !slices.Equal(docProps, goProps) {
			t.Errorf("%s: documented properties %v, api.%s has %v", name, docProps, rt.Name(), goProps)
		}
		if !slices.Equal(docRequired, goRequired) {
			t.Errorf("%s: documented required %v, always written %v", name, docRequired, goRequired)
		}
	}
}

// mediaExamples walks the document and calls fn for every media type that
// has a schema and examples, with the schema's JSON pointer.
func mediaExamples(node any, pointer string, fn func(pointer, mediaType string, examples map[string]any)) {
	switch n := node.(type) {
	case map[string]any:
		if content, ok := n["content"].(map[string]any); ok {
			for mt, m := range content {
				mm := m.(map[string]any)
				if ex, ok := mm["examples"].(map[string]any); ok && mm["schema"] != nil {
					fn(pointer+"/content/"+pointerEscape(mt)+"/schema", mt, ex)
				}
			}
		}
		for k, v := range n {
			mediaExamples(v, pointer+"/"+pointerEscape(k), fn)
		}
	case []any:
		for i, v := range n {
			mediaExamples(v, pointer+"/"+strconv.Itoa(i), fn)
		}
	}
}

// TestOpenAPIExamplesValidate validates every example against its schema,
// and decodes the JSON ones into the api types without unknown fields.
func TestOpenAPIExamplesValidate(t *testing.T) {
	doc, c := loadOpenAPI(t)
	n := 0
	mediaExamples(doc, "", func(pointer, mediaType string, examples map[string]any) {
		sch, err := c.Compile(openAPIURL + "#" + pointer)
		if err != nil {
			t.Errorf("%s: %v", pointer, err)
			return
		}
		for name, ex := range examples {
			val := ex.(map[string]any)["value"]
			raw, _ := json.Marshal(val)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := sch.Validate(inst); err != nil {
				t.Errorf("%s example %q does not validate: %v", pointer, name, err)
			}
			n++
			// Decode into the api type the schema names.
			if ref, ok := resolveSchema(doc, pointer)["$ref"].(string); ok && mediaType == "application/json" {
				typName := strings.TrimPrefix(ref, "#/components/schemas/")
				if v, ok := schemaTypes[typName]; ok {
					dst := reflect.New(reflect.TypeOf(v)).Interface()
					dec := json.NewDecoder(bytes.NewReader(raw))
					dec.DisallowUnknownFields()
					if err := dec.Decode(dst); err != nil {
						t.Errorf("%s example %q does not decode into api.%s: %v", pointer, name, typName, err)
					}
				}
			}
		}
	})
	if n < 30 {
		t.Errorf("only %d examples checked", n)
	}
}

// resolveSchema returns the node at a JSON pointer of the document.
func resolveSchema(doc map[string]any, pointer string) map[string]any {
	var node any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[tok]
	}
	m, _ := node.(map[string]any)
	return m
}

// TestOpenAPIDescribesAnswers validates real answers of the server against
// the documented schemas.
func TestOpenAPIDescribesAnswers(t *testing.T) {
	_, c := loadOpenAPI(t)
	e := newTestEnv(t, envOptions{cfg: Config{DefaultModel: "ade"}})
	check := func(schema string, status int, method, path, body string, hdr ...string) {
		t.Helper()
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		code, _, out := e.do(method, path, ct, e.adminKey, body, hdr...)
		if code != status {
			t.Fatalf("%s %s: %d %s", method, path, code, out)
		}
		sch, err := c.Compile(openAPIURL + "#" + schema)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s %s: the answer does not match %s: %v\n%s", method, path, schema, err, out)
		}
	}
	s := "/components/schemas/"
	check(s+"Ping", 200, "GET", "/ping", "")
	check(s+"ModelList", 200, "GET", "/v1/models", "")
	check(s+"Model", 200, "GET", "/v1/models/ade", "")
	check(s+"Version", 200, "GET", "/v1/models/ade/versions/1", "")
	check(s+"ClassifyResponse", 200, "POST", "/v1/classify", `{"inputs": ["`+aeSentence+`", "`+notSentence+`"]}`)
	check(s+"SummarizeResponse", 200, "POST", "/v1/summarize", `{"model": "rad", "inputs": "FINDINGS: Lungs are clear."}`)
	check(s+"InvocationClassification", 200, "POST", "/invocations", `{"inputs": "`+aeSentence+`"}`)
	check(s+"InvocationClassification", 200, "POST", "/invocations", `{"inputs": ["a rash", "a cough"], "parameters": {"top_k": 2}}`)
	check(s+"InvocationClassification", 200, "POST", "/invocations", `{"inputs": ["a rash", "a cough"]}`)
	check(s+"InvocationSummaries", 200, "POST", "/invocations", `{"inputs": "FINDINGS: Lungs are clear.", "parameters": {"return_provenance": true}}`, "X-Amzn-SageMaker-Target-Model", "rad")
	check(s+"StatusChangeResult", 200, "POST", "/v1/models/ade/versions/1/approve", `{"note": "fine"}`)
	check(s+"AuditLog", 200, "GET", "/v1/audit?limit=5", "")
	check(s+"DatasetList", 200, "GET", "/v1/datasets", "")
	check(s+"Identity", 200, "GET", "/v1/auth", "")
	check(s+"ErrorResponse", 400, "POST", "/v1/classify", `{"inputs": 3}`)
	check(s+"ErrorResponse", 404, "GET", "/v1/models/nosuch", "")

	code, h, _ := e.do("GET", "/openapi.json", "", "", "")
	if code != 200 || h.Get("Content-Type") != "application/json" {
		t.Errorf("/openapi.json: %d %s", code, h.Get("Content-Type"))
	}
}
