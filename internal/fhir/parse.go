package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Resource is a parsed FHIR resource: one of this package's typed
// resources (a pointer, such as [*Patient]) or an [*Unknown].
type Resource interface {
	// Type returns the resourceType ("Patient").
	Type() string
	// GetID returns the resource id ("" when it has none).
	GetID() string
	// Source returns the exact JSON the resource was parsed from.
	Source() json.RawMessage
}

// Compile-time checks that every resource type is a Resource.
var (
	_ Resource = (*Patient)(nil)
	_ Resource = (*Condition)(nil)
	_ Resource = (*AllergyIntolerance)(nil)
	_ Resource = (*Medication)(nil)
	_ Resource = (*MedicationRequest)(nil)
	_ Resource = (*DocumentReference)(nil)
	_ Resource = (*DiagnosticReport)(nil)
	_ Resource = (*Coverage)(nil)
	_ Resource = (*ServiceRequest)(nil)
	_ Resource = (*DeviceRequest)(nil)
	_ Resource = (*Binary)(nil)
	_ Resource = (*Bundle)(nil)
	_ Resource = (*Unknown)(nil)
)

// ParseError reports JSON that is not a FHIR resource of the expected
// shape: where, and what is wrong. It never quotes the input, which is
// patient data. Its message reads
//
//	fhir: entry[3].resource: Condition.code: want object, got string
type ParseError struct {
	// Path locates the resource in a larger document ("entry[3].resource"),
	// "" for a resource parsed on its own.
	Path string
	// ResourceType is the resource's type, "" when it could not be read.
	ResourceType string
	// Field is the JSON field inside the resource ("code.coding"), "" for
	// the resource as a whole.
	Field string
	// Problem says what is wrong ("want string, got number", "missing").
	Problem string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("fhir: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	switch {
	case e.ResourceType != "" && e.Field != "":
		b.WriteString(e.ResourceType + "." + e.Field + ": ")
	case e.ResourceType != "":
		b.WriteString(e.ResourceType + ": ")
	case e.Field != "":
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// Parse reads one FHIR R4 resource in JSON. It returns the typed resource
// for the types this package models ([*Patient], [*Condition],
// [*AllergyIntolerance], [*Medication], [*MedicationRequest],
// [*DocumentReference], [*DiagnosticReport], [*Coverage],
// [*ServiceRequest], [*DeviceRequest], [*Binary], [*Bundle]) and an
// [*Unknown] for any other resourceType, each with Raw set to a copy of
// data. Errors are [*ParseError]s.
func Parse(data []byte) (Resource, error) {
	var head struct {
		ResourceType *string `json:"resourceType"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonError("", err, len(data))
	}
	if head.ResourceType == nil || *head.ResourceType == "" {
		return nil, &ParseError{Field: "resourceType", Problem: "missing"}
	}
	rt := *head.ResourceType
	r := newResource(rt)
	if err := json.Unmarshal(data, r); err != nil {
		return nil, jsonError(rt, err, len(data))
	}
	base := baseOf(r)
	base.Raw = bytes.Clone(data)
	return r, nil
}

// newResource returns a new zero resource of the type named rt.
func newResource(rt string) Resource {
	switch rt {
	case "Patient":
		return new(Patient)
	case "Condition":
		return new(Condition)
	case "AllergyIntolerance":
		return new(AllergyIntolerance)
	case "Medication":
		return new(Medication)
	case "MedicationRequest":
		return new(MedicationRequest)
	case "DocumentReference":
		return new(DocumentReference)
	case "DiagnosticReport":
		return new(DiagnosticReport)
	case "Coverage":
		return new(Coverage)
	case "ServiceRequest":
		return new(ServiceRequest)
	case "DeviceRequest":
		return new(DeviceRequest)
	case "Binary":
		return new(Binary)
	case "Bundle":
		return new(Bundle)
	}
	return new(Unknown)
}

// baseOf returns the Base embedded in r (all of newResource's types embed
// one).
func baseOf(r Resource) *Base {
	return r.(interface{ base() *Base }).base()
}

func (b *Base) base() *Base { return b }

// jsonError turns an encoding/json error into a ParseError that names the
// field and the kinds involved but no value (json's own messages can quote
// a number or a character of the input). n is the input's length.
func jsonError(rt string, err error, n int) *ParseError {
	pe := &ParseError{ResourceType: rt, Problem: "invalid value"}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Offset >= int64(n):
		pe.Problem = "truncated JSON"
	case errors.As(err, &syn):
		pe.Problem = fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		pe.Field = typ.Field
		want, got := jsonKind(typ.Type), typ.Value
		if i := strings.IndexByte(got, ' '); i >= 0 {
			got = got[:i]
		}
		if want == got {
			pe.Problem = fmt.Sprintf("%s out of range", got)
		} else {
			pe.Problem = fmt.Sprintf("want %s, got %s", want, got)
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		pe.Problem = "truncated JSON"
	}
	return pe
}

// jsonKind names the JSON kind a Go type is read from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	}
	return "value"
}
