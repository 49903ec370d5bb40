package fhir

import (
	"net/url"
	"strings"
)

// Coding is a code from a code system (FHIR Coding).
type Coding struct {
	System  string `json:"system,omitempty"`
	Version string `json:"version,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a concept given as codes and/or text (FHIR
// CodeableConcept).
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// HasCode reports whether one of the codings has the code in the system.
// An empty system matches any system.
func (c CodeableConcept) HasCode(system, code string) bool {
	for _, cd := range c.Coding {
		if cd.Code == code && (system == "" || cd.System == system) {
			return true
		}
	}
	return false
}

// Label returns a human-readable name for the concept: its text, else the
// first coding's display, else the first code; "" when there is none.
func (c CodeableConcept) Label() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// Codes returns the non-empty codes of the codings, in order.
func (c CodeableConcept) Codes() []string {
	var out []string
	for _, cd := range c.Coding {
		if cd.Code != "" {
			out = append(out, cd.Code)
		}
	}
	return out
}

// hasAnyCode reports whether one of the codings has one of the codes, in
// any system.
func (c CodeableConcept) hasAnyCode(codes ...string) bool {
	for _, code := range codes {
		if c.HasCode("", code) {
			return true
		}
	}
	return false
}

// Reference points to another resource (FHIR Reference).
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// ID returns the id of the referenced resource when the reference is a
// literal one to a resource of resourceType (any type when resourceType is
// ""): relative ("Patient/123", "Patient/123/_history/2"), absolute
// ("https://ehr.example/fhir/Patient/123") or a bundle-local
// "urn:uuid:<id>" (whose type cannot be checked). Contained ("#med1"),
// conditional ("Patient?identifier=...") and empty references give false.
func (r Reference) ID(resourceType string) (string, bool) {
	ref := r.Reference
	if id, ok := strings.CutPrefix(ref, "urn:uuid:"); ok {
		return id, id != ""
	}
	if ref == "" || strings.HasPrefix(ref, "#") || strings.ContainsAny(ref, "?#") {
		return "", false
	}
	if strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil {
			return "", false
		}
		ref = strings.Trim(u.Path, "/")
	}
	parts := strings.Split(ref, "/")
	// Drop a version suffix: Type/id/_history/vid.
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	if len(parts) < 2 {
		return "", false
	}
	typ, id := parts[len(parts)-2], parts[len(parts)-1]
	if typ == "" || id == "" || (resourceType != "" && typ != resourceType) {
		return "", false
	}
	return id, true
}

// Quantity is a measured amount (FHIR Quantity, also used for Duration).
type Quantity struct {
	Value      *float64 `json:"value,omitempty"`
	Comparator string   `json:"comparator,omitempty"`
	Unit       string   `json:"unit,omitempty"`
	System     string   `json:"system,omitempty"`
	Code       string   `json:"code,omitempty"`
}

// Period is a time range; either end may be absent (FHIR Period). Start
// and End are FHIR dateTimes, read with [ParseDate].
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Identifier is a business identifier such as a medical record number
// (FHIR Identifier).
type Identifier struct {
	Use    string           `json:"use,omitempty"`
	Type   *CodeableConcept `json:"type,omitempty"`
	System string           `json:"system,omitempty"`
	Value  string           `json:"value,omitempty"`
	Period *Period          `json:"period,omitempty"`
}

// HumanName is a person's name (FHIR HumanName).
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Prefix []string `json:"prefix,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
	Period *Period  `json:"period,omitempty"`
}

// String returns the name's text, else its given names and family name
// joined by spaces.
func (n HumanName) String() string {
	if n.Text != "" {
		return n.Text
	}
	parts := append([]string(nil), n.Given...)
	if n.Family != "" {
		parts = append(parts, n.Family)
	}
	return strings.Join(parts, " ")
}

// Annotation is a note with optional author and time (FHIR Annotation).
type Annotation struct {
	AuthorReference *Reference `json:"authorReference,omitempty"`
	AuthorString    string     `json:"authorString,omitempty"`
	Time            string     `json:"time,omitempty"`
	Text            string     `json:"text"`
}

// Meta is resource metadata (FHIR Meta).
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Source      string   `json:"source,omitempty"`
	Profile     []string `json:"profile,omitempty"`
	Security    []Coding `json:"security,omitempty"`
	Tag         []Coding `json:"tag,omitempty"`
}

// Extension is a FHIR extension: a URL and one value[x], or nested
// extensions (complex extensions such as the Da Vinci CRD
// coverage-information extension). Only the value types Osler reads or
// writes are modelled; an extension with another value type parses with
// no value set.
type Extension struct {
	URL                  string           `json:"url"`
	ValueString          string           `json:"valueString,omitempty"`
	ValueCode            string           `json:"valueCode,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueInteger         *int64           `json:"valueInteger,omitempty"`
	ValueDecimal         *float64         `json:"valueDecimal,omitempty"`
	ValueDate            string           `json:"valueDate,omitempty"`
	ValueDateTime        string           `json:"valueDateTime,omitempty"`
	ValueURI             string           `json:"valueUri,omitempty"`
	ValueURL             string           `json:"valueUrl,omitempty"`
	ValueCanonical       string           `json:"valueCanonical,omitempty"`
	ValueCoding          *Coding          `json:"valueCoding,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueReference       *Reference       `json:"valueReference,omitempty"`
	ValueQuantity        *Quantity        `json:"valueQuantity,omitempty"`
	ValuePeriod          *Period          `json:"valuePeriod,omitempty"`
	Extension            []Extension      `json:"extension,omitempty"`
}

// FindExtension returns the first extension in exts with the URL. For a
// complex extension, pass its Extension field to find a part by its
// (relative) URL.
func FindExtension(exts []Extension, url string) (Extension, bool) {
	for _, e := range exts {
		if e.URL == url {
			return e, true
		}
	}
	return Extension{}, false
}

// Attachment is content inline (base64 Data) or by URL (FHIR Attachment);
// [Attachment.Text] reads it as text.
type Attachment struct {
	ContentType string `json:"contentType,omitempty"`
	Language    string `json:"language,omitempty"`
	// Data is the content, base64-encoded.
	Data string `json:"data,omitempty"`
	// URL is where the content is, absolute or relative to the FHIR
	// server's base ("Binary/123").
	URL      string `json:"url,omitempty"`
	Size     int64  `json:"size,omitempty"`
	Hash     string `json:"hash,omitempty"`
	Title    string `json:"title,omitempty"`
	Creation string `json:"creation,omitempty"`
}
