package cdshooks

import (
	"encoding/json"

	"github.com/osler-health/osler/internal/fhir"
)

// Prefetched bundles are the bulk of a CDS request (50 notes are ~45 KB),
// and fhir.Parse reads each JSON value twice (resourceType first, then the
// resource), once more for the Bundle and each of its entries, on top of
// the request's own decoding. parsePrefetch instead reads the resourceType
// by scanning the JSON (already checked by the request's decoding) and
// decodes each value once into its type. Anything unusual (escapes, a
// resourceType given twice, a decoding error, a type the services do not
// read) takes the fhir.Parse path, so errors and results are the same.

// peekResourceType returns the string value of the top-level
// "resourceType" key of data, a JSON object, or "" when it cannot tell
// cheaply (no such key, escapes in a key or the value, not an object).
// data must be valid JSON; on any input it only reads within bounds.
func peekResourceType(data []byte) string {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ""
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return "" // '}' (no resourceType) or not valid JSON
		}
		key, next, ok := plainString(data, i)
		if !ok {
			return ""
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return ""
		}
		i = skipSpace(data, i+1)
		if key == "resourceType" {
			if i >= len(data) || data[i] != '"' {
				return ""
			}
			v, _, ok := plainString(data, i)
			if !ok {
				return ""
			}
			return v
		}
		if i = skipValue(data, i); i < 0 {
			return ""
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return ""
		}
		i++
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// plainString reads the JSON string starting at data[i] ('"'); ok is
// false when it holds an escape or is unterminated.
func plainString(data []byte, i int) (s string, next int, ok bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			return "", 0, false
		case '"':
			return string(data[i+1 : j]), j + 1, true
		}
	}
	return "", 0, false
}

// skipValue returns the index just past the JSON value at data[i], or -1.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				j := skipString(data, i)
				if j < 0 {
					return -1
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null.
	for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ']' && skipSpace(data, i) == i {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string at data[i], or -1.
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// parsePrefetch reads one prefetched value: a resource or a Bundle, whose
// resources it returns; isOutcome reports an OperationOutcome (the
// client's way of saying it could not get the data), returned unparsed.
func parsePrefetch(raw json.RawMessage) (rs []fhir.Resource, isOutcome bool, err error) {
	if peekResourceType(raw) == "Bundle" {
		var b fhir.Bundle
		if json.Unmarshal(raw, &b) == nil && b.ResourceType == "Bundle" {
			if rs, ok := fastResources(&b); ok {
				return rs, false, nil
			}
		}
	}
	// The general path, which also words the errors.
	if isOperationOutcome(raw) {
		return nil, true, nil
	}
	r, err := fhir.Parse(raw)
	if err != nil {
		return nil, false, err
	}
	if b, ok := r.(*fhir.Bundle); ok {
		rs, err := b.Resources()
		return rs, false, err
	}
	return []fhir.Resource{r}, false, nil
}

// fastResources decodes the entries of b each once into the types the
// services read; ok is false when one needs fhir.Parse (another type, an
// error), and the caller then parses the bundle that way.
func fastResources(b *fhir.Bundle) ([]fhir.Resource, bool) {
	out := make([]fhir.Resource, 0, len(b.Entry))
	for _, e := range b.Entry {
		if len(e.Resource) == 0 || string(e.Resource) == "null" {
			continue
		}
		rt := peekResourceType(e.Resource)
		var r fhir.Resource
		switch rt {
		case "Patient":
			r = new(fhir.Patient)
		case "Condition":
			r = new(fhir.Condition)
		case "AllergyIntolerance":
			r = new(fhir.AllergyIntolerance)
		case "DocumentReference":
			r = new(fhir.DocumentReference)
		case "DiagnosticReport":
			r = new(fhir.DiagnosticReport)
		case "Coverage":
			r = new(fhir.Coverage)
		default:
			return nil, false
		}
		if json.Unmarshal(e.Resource, r) != nil || r.Type() != rt {
			return nil, false
		}
		// e.Resource is this bundle's own copy of the bytes, as Parse's
		// clone would be.
		setRaw(r, e.Resource)
		out = append(out, r)
	}
	return out, true
}

// setRaw sets the Source of a resource fastResources decoded.
func setRaw(r fhir.Resource, raw json.RawMessage) {
	switch r := r.(type) {
	case *fhir.Patient:
		r.Raw = raw
	case *fhir.Condition:
		r.Raw = raw
	case *fhir.AllergyIntolerance:
		r.Raw = raw
	case *fhir.DocumentReference:
		r.Raw = raw
	case *fhir.DiagnosticReport:
		r.Raw = raw
	case *fhir.Coverage:
		r.Raw = raw
	}
}
