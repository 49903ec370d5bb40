package cdshooks

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/osler-health/osler/internal/fhir"
)

func TestPeekResourceType(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"resourceType":"Bundle"}`, "Bundle"},
		{` { "id" : "x", "meta": {"resourceType":"Patient","a":[1,{"b":"}"}]}, "n": -1.5e3, "t": true, "z": null, "s": "a\"b", "resourceType" : "Coverage" }`, "Coverage"},
		{`{"id":"x"}`, ""},
		{`{}`, ""},
		{`{"resource\u0054ype":"Patient"}`, ""},
		{`{"resourceType":"Pat\u0069ent"}`, ""},
		{`{"resourceType":1}`, ""},
		{`[{"resourceType":"Patient"}]`, ""},
		{`{"a":{"resourceType":"Patient"}}`, ""},
		{`{"a":"unterminated`, ""},
		{`{"a":[1,2`, ""},
		{``, ""},
		{`{"resourceType"`, ""},
	} {
		if got := peekResourceType([]byte(tc.in)); got != tc.want {
			t.Errorf("peekResourceType(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// parseSlow is parsePrefetch's former path: fhir.Parse, then the bundle's
// Resources.
func parseSlow(raw []byte) ([]fhir.Resource, error) {
	r, err := fhir.Parse(raw)
	if err != nil {
		return nil, err
	}
	if b, ok := r.(*fhir.Bundle); ok {
		return b.Resources()
	}
	return []fhir.Resource{r}, nil
}

// TestParsePrefetchSameAsParse: the single-decoding path returns what
// fhir.Parse and Bundle.Resources return (Source included), and the same
// errors, on every Synthea bundle and on crafted ones.
func TestParsePrefetchSameAsParse(t *testing.T) {
	inputs := [][]byte{
		[]byte(`{"resourceType":"OperationOutcome","issue":[]}`),
		[]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"p"}},{"resource":null},{}]}`),
		// resourceType twice: encoding/json keeps the last.
		[]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"DocumentReference","resourceType":"Patient","id":"p"}}]}`),
		[]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Medication","id":"m"}}]}`),
		[]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":7}}]}`),
		[]byte(`{"resourceType":"Bundle","total":"x","entry":[]}`),
		[]byte(`{"resourceType":"Bundle","resourceType":"Patient","id":"p"}`),
		[]byte(`{"resourceType":"Coverage","id":"c1","type":{"text":"x"}}`),
	}
	for _, path := range syntheaBundles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	// The prefetch an EHR sends (searchsets of the types the services read).
	h := newTestHandler(t, Config{Rules: exampleRules(t)})
	order := json.RawMessage(`{"resourceType":"MedicationRequest","id":"o1","status":"draft","intent":"order","medicationCodeableConcept":{"text":"aspirin"}}`)
	for _, path := range syntheaBundles(t) {
		src, err := ReadBundleFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, svc := range h.Discovery().Services {
			req, err := NewRequest(svc, src, RequestOptions{Orders: []json.RawMessage{order}})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range req.Prefetch {
				inputs = append(inputs, v)
			}
		}
	}
	fast := 0
	for i, in := range inputs {
		if peekResourceType(in) == "Bundle" {
			var b fhir.Bundle
			if json.Unmarshal(in, &b) == nil {
				if _, ok := fastResources(&b); ok {
					fast++
				}
			}
		}
		got, outcome, err := parsePrefetch(in)
		if outcome {
			if !isOperationOutcome(in) || got != nil || err != nil {
				t.Errorf("input %d: outcome %v %v", i, got, err)
			}
			continue
		}
		want, werr := parseSlow(in)
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Errorf("input %d: error %v, want %v", i, err, werr)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("input %d: %d resources, want %d", i, len(got), len(want))
			continue
		}
		for j := range got {
			if !reflect.DeepEqual(got[j], want[j]) || !json.Valid(got[j].Source()) {
				t.Errorf("input %d: resource %d (%s) differs", i, j, want[j].Type())
			}
		}
	}
	if fast < len(inputs)/2 {
		t.Errorf("only %d of %d inputs took the fast path", fast, len(inputs))
	}
	t.Logf("%d inputs, %d on the fast path", len(inputs), fast)
}

// TestMentionsSameAsFields: mentions reads the words FieldsFunc of the
// lower-cased sentence gives.
func TestMentionsSameAsFields(t *testing.T) {
	terms := map[string][2]string{"aspirin": {"aspirin", "same drug"}, "ibuprofen": {"ibuprofen", "same class: NSAID"}, "äspirin": {"x", "y"}, "ǆ": {"dz", "z"}}
	slow := func(s string) ([2]string, bool) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if t, ok := terms[w]; ok {
				return t, true
			}
		}
		return [2]string{}, false
	}
	for _, s := range []string{
		"", "Aspirin", "took ASPIRIN.", "aspirin-induced rash", "no aspirins", "Ibuprofen, then aspirin", "ÄSPIRIN caused hives",
		"x\xffaspirin\xfe", "a Ǆ b", "aspirin2", strings.Repeat("a", 100) + " aspirin", "Ⅰ aspirin", "nsaid: IBUPROFEN",
	} {
		g, gok := mentions(s, terms)
		w, wok := slow(s)
		if g != w || gok != wok {
			t.Errorf("mentions(%q) = %v %v, want %v %v", s, g, gok, w, wok)
		}
	}
}
