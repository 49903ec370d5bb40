package coverage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ExtensionURL is the canonical URL of the CRD coverage-information
// extension.
const ExtensionURL = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"

// Extension is a FHIR Extension, with the value[x] types the
// coverage-information extension uses. It marshals to FHIR JSON.
type Extension struct {
	URL                  string           `json:"url"`
	Extension            []Extension      `json:"extension,omitempty"`
	ValueReference       *Reference       `json:"valueReference,omitempty"`
	ValueCode            string           `json:"valueCode,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueCanonical       string           `json:"valueCanonical,omitempty"`
	ValueDate            string           `json:"valueDate,omitempty"`
	ValueString          string           `json:"valueString,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueURL             string           `json:"valueUrl,omitempty"`
	ValueQuantity        *Quantity        `json:"valueQuantity,omitempty"`
	ValuePeriod          *Period          `json:"valuePeriod,omitempty"`
}

// Reference is a FHIR Reference.
type Reference struct {
	Reference string `json:"reference"`
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Quantity is a FHIR SimpleQuantity.
type Quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

// Period is a FHIR Period of dates.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Extension builds the coverage-information extension for the decision.
// coverageRef is the reference to the patient's Coverage resource on the
// CRD client ("Coverage/123"), which the extension requires (1..1).
// Sub-extensions come in the IG's order: coverage, covered, pa-needed,
// doc-needed, doc-purpose, info-needed, reason, detail, questionnaire,
// date, coverage-assertion-id, satisfied-pa-id.
func (d Decision) Extension(coverageRef string) Extension {
	sub := []Extension{
		{URL: "coverage", ValueReference: &Reference{Reference: coverageRef}},
		{URL: "covered", ValueCode: d.Covered},
	}
	if d.PANeeded != "" {
		sub = append(sub, Extension{URL: "pa-needed", ValueCode: d.PANeeded})
	}
	for _, list := range []struct {
		url   string
		codes []string
	}{{"doc-needed", d.DocNeeded}, {"doc-purpose", d.DocPurpose}, {"info-needed", d.InfoNeeded}} {
		for _, c := range list.codes {
			sub = append(sub, Extension{URL: list.url, ValueCode: c})
		}
	}
	if d.Reason != "" {
		sub = append(sub, Extension{URL: "reason", ValueCodeableConcept: &CodeableConcept{Text: d.Reason}})
	}
	for _, dt := range d.Details {
		sub = append(sub, dt.extension())
	}
	for _, q := range d.Questionnaires {
		sub = append(sub, Extension{URL: "questionnaire", ValueCanonical: q})
	}
	sub = append(sub,
		Extension{URL: "date", ValueDate: d.Date},
		Extension{URL: "coverage-assertion-id", ValueString: d.AssertionID})
	if d.SatisfiedPAID != "" {
		sub = append(sub, Extension{URL: "satisfied-pa-id", ValueString: d.SatisfiedPAID})
	}
	return Extension{URL: ExtensionURL, Extension: sub}
}

// extension builds a detail sub-extension.
func (dt Detail) extension() Extension {
	val := Extension{URL: "value"}
	v := dt.Value
	switch {
	case v.String != nil:
		val.ValueString = *v.String
	case v.Boolean != nil:
		b := *v.Boolean
		val.ValueBoolean = &b
	case v.URL != nil:
		val.ValueURL = *v.URL
	case v.Quantity != nil:
		q := *v.Quantity
		val.ValueQuantity = &q
	case v.Period != nil:
		p := *v.Period
		val.ValuePeriod = &p
	}
	sub := []Extension{
		{URL: "category", ValueCode: dt.Category},
		{URL: "code", ValueCodeableConcept: &CodeableConcept{Coding: []Coding{dt.Code}}},
		val,
	}
	if dt.Qualification != "" {
		sub = append(sub, Extension{URL: "qualification", ValueString: dt.Qualification})
	}
	return Extension{URL: "detail", Extension: sub}
}

// AssertionID returns the value of the coverage-assertion-id
// sub-extension, or "".
func (e Extension) AssertionID() string {
	for _, s := range e.Extension {
		if s.URL == "coverage-assertion-id" {
			return s.ValueString
		}
	}
	return ""
}

// AddExtension returns the FHIR resource JSON with ext appended to its
// top-level extension array, or put in place of an existing
// coverage-information extension with the same coverage-assertion-id.
// Every other member keeps its key order and its bytes (including those
// of the other extensions); only the white space between top-level
// members changes.
func AddExtension(resourceJSON []byte, ext Extension) ([]byte, error) {
	if ext.URL != ExtensionURL {
		return nil, fmt.Errorf("coverage: extension url %q is not %s", ext.URL, ExtensionURL)
	}
	id := ext.AssertionID()
	if id == "" {
		return nil, errors.New("coverage: extension has no coverage-assertion-id")
	}
	for _, s := range ext.Extension {
		if s.URL == "coverage" && (s.ValueReference == nil || s.ValueReference.Reference == "") {
			return nil, errors.New("coverage: extension has an empty coverage reference (the IG allows no coverage-information without a Coverage)")
		}
	}
	newExt, err := marshal(ext)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	members, err := objectMembers(resourceJSON)
	if err != nil {
		return nil, fmt.Errorf("coverage: resource: %w", err)
	}
	found := false
	for i := range members {
		if members[i].key != "extension" {
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(members[i].raw, &items); err != nil {
			return nil, fmt.Errorf("coverage: resource: extension is not an array of extensions: %w", err)
		}
		items = replaceOrAppend(items, id, newExt)
		raw := []byte("[")
		for j, it := range items {
			if j > 0 {
				raw = append(raw, ',')
			}
			raw = append(raw, it...)
		}
		members[i].raw = append(raw, ']')
		found = true
	}
	if !found {
		members = append(members, member{key: "extension", raw: append(append([]byte("["), newExt...), ']')})
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		k, _ := marshal(m.key)
		out.Write(k)
		out.WriteByte(':')
		out.Write(m.raw)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// replaceOrAppend puts ext in place of the coverage-information
// extensions with assertion id, or appends it.
func replaceOrAppend(items []json.RawMessage, id string, ext json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	replaced := false
	for _, it := range items {
		var e Extension
		if json.Unmarshal(it, &e) == nil && e.URL == ExtensionURL && e.AssertionID() == id {
			if !replaced {
				out = append(out, ext)
				replaced = true
			}
			continue
		}
		out = append(out, it)
	}
	if !replaced {
		out = append(out, ext)
	}
	return out
}

// member is one top-level member of a JSON object, its value as written.
type member struct {
	key string
	raw json.RawMessage
}

// objectMembers splits a JSON object into its members, in order.
func objectMembers(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var ms []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("duplicate member %q", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		ms = append(ms, member{key: key, raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the object")
	}
	return ms, nil
}

// marshal is json.Marshal without HTML escaping and the trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
