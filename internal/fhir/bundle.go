package fhir

import (
	"encoding/json"
	"fmt"
)

// Bundle is the FHIR R4 Bundle resource: a search result, a CDS Hooks
// prefetch answer or any collection of resources. Entries keep their
// resources as JSON; [Bundle.Resources] parses them.
type Bundle struct {
	Base
	// BundleType is FHIR's type: "searchset", "collection",
	// "transaction", ... (The Go name differs because Type is the
	// [Resource] method.)
	BundleType string        `json:"type,omitempty"`
	Total      *int64        `json:"total,omitempty"`
	Link       []BundleLink  `json:"link,omitempty"`
	Entry      []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a link of a [Bundle], such as the next page of a search.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one entry of a [Bundle].
type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *BundleSearch   `json:"search,omitempty"`
}

// BundleSearch says why an entry is in a search result.
type BundleSearch struct {
	// Mode is "match", "include" or "outcome".
	Mode  string   `json:"mode,omitempty"`
	Score *float64 `json:"score,omitempty"`
}

// ParseBundle reads a Bundle in JSON; any other resourceType is an error.
func ParseBundle(data []byte) (*Bundle, error) {
	r, err := Parse(data)
	if err != nil {
		return nil, err
	}
	b, ok := r.(*Bundle)
	if !ok {
		return nil, &ParseError{Field: "resourceType", Problem: "want Bundle, got " + safeType(r.Type())}
	}
	return b, nil
}

// safeType returns rt when it looks like a FHIR resource type name (an
// ASCII letter then letters and digits, up to 64), else "another type", so
// an error message cannot carry arbitrary input.
func safeType(rt string) string {
	if !isTypeName(rt) {
		return "another type"
	}
	return rt
}

// isTypeName reports whether s looks like a FHIR resource type name: an
// ASCII letter, then letters and digits, 64 at most.
func isTypeName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Resources parses the resources of the bundle's entries, in order,
// skipping entries without one. The first entry that does not parse stops
// it with a [*ParseError] whose Path is "entry[i].resource".
func (b *Bundle) Resources() ([]Resource, error) {
	out := make([]Resource, 0, len(b.Entry))
	for i, e := range b.Entry {
		if len(e.Resource) == 0 || string(e.Resource) == "null" {
			continue
		}
		r, err := Parse(e.Resource)
		if err != nil {
			pe := *err.(*ParseError)
			pe.Path = fmt.Sprintf("entry[%d].resource", i)
			return nil, &pe
		}
		out = append(out, r)
	}
	return out, nil
}

// Next returns the URL of the bundle's next page, "" when there is none.
func (b *Bundle) Next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// All returns the resources of type T among rs, in order:
//
//	conditions := fhir.All[*fhir.Condition](rs)
func All[T Resource](rs []Resource) []T {
	var out []T
	for _, r := range rs {
		if t, ok := r.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// ByID returns the first resource of type T among rs with the id.
func ByID[T Resource](rs []Resource, id string) (T, bool) {
	for _, r := range rs {
		if t, ok := r.(T); ok && r.GetID() == id {
			return t, true
		}
	}
	var zero T
	return zero, false
}
