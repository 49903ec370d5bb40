package augment

import (
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// ErrMalformed is returned by [Parse] for a reply with no usable rows.
var ErrMalformed = errors.New("augment: malformed reply")

// Item is one row as [Parse] found it. Text is cleaned: list numbering,
// surrounding quotes and runs of whitespace are gone. NotText marks a JSON
// value that is not a string (nor an object with a string "text").
type Item struct {
	Text    string
	NotText bool
}

// listKeys are the keys of a JSON object that most likely hold the list,
// tried before the others (which are tried in sorted order).
var listKeys = []string{"sentences", "examples", "texts", "items", "rows", "data", "results", "output"}

// textKeys are the fields of a JSON object in a list that hold its text.
var textKeys = []string{"text", "sentence", "example", "content"}

// Parse extracts the rows of a model's reply. See the package
// documentation for the shapes it accepts. It returns ErrMalformed when the
// reply holds no rows: prose, truncated JSON, an empty list.
func Parse(reply string) ([]Item, error) {
	s := strings.TrimSpace(unfence(reply))
	if items, ok := parseJSON(s); ok {
		if len(items) == 0 {
			return nil, ErrMalformed
		}
		return items, nil
	}
	items := parseLines(s)
	if len(items) == 0 {
		return nil, ErrMalformed
	}
	return items, nil
}

// unfence returns the body of the first Markdown code fence in s, or s.
func unfence(s string) string {
	i := strings.Index(s, "```")
	if i < 0 {
		return s
	}
	body := s[i+3:]
	if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsAny(body[:nl], "[{\"") {
		body = body[nl+1:] // the info string ("json")
	}
	if j := strings.Index(body, "```"); j >= 0 {
		body = body[:j]
	}
	return body
}

// parseJSON decodes s as JSON, or the part of s from its first '[' or '{'
// to the matching last bracket (a reply that begins with a line of prose).
// ok is false when no JSON list of rows is found.
func parseJSON(s string) (items []Item, ok bool) {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		start := strings.IndexAny(s, "[{")
		if start < 0 {
			return nil, false
		}
		end := strings.LastIndexByte(s, "]}"[strings.IndexByte("[{", s[start])])
		if end < start || json.Unmarshal([]byte(s[start:end+1]), &v) != nil {
			return nil, false
		}
	}
	return fromJSON(v, 0)
}

// fromJSON turns a decoded JSON value into rows: a list, or an object that
// holds one (depth bounds the nesting followed).
func fromJSON(v any, depth int) ([]Item, bool) {
	switch x := v.(type) {
	case []any:
		items := make([]Item, 0, len(x))
		for _, e := range x {
			items = append(items, itemOf(e))
		}
		return items, true
	case map[string]any:
		if depth > 2 {
			return nil, false
		}
		if it := itemOf(x); !it.NotText {
			return []Item{it}, true
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range append(append([]string(nil), listKeys...), keys...) {
			if inner, found := x[k]; found {
				if items, ok := fromJSON(inner, depth+1); ok {
					return items, true
				}
			}
		}
	}
	return nil, false
}

// itemOf is one element of a JSON list.
func itemOf(v any) Item {
	switch x := v.(type) {
	case string:
		return Item{Text: clean(x)}
	case map[string]any:
		for _, k := range textKeys {
			if s, ok := x[k].(string); ok {
				return Item{Text: clean(s)}
			}
		}
	}
	return Item{NotText: true}
}

// listMarker matches a line's numbering or bullet: "1.", "2)", "(3)",
// "-", "*", "•".
var listMarker = regexp.MustCompile(`^\s*(?:\(?\d{1,3}[.):]|[-*•–])\s+`)

// parseLines takes the numbered or bulleted lines of s. Lines without a
// marker (an introduction, a closing remark) are skipped; a reply with no
// marked line has no rows.
func parseLines(s string) []Item {
	var items []Item
	for _, line := range strings.Split(s, "\n") {
		if !listMarker.MatchString(line) {
			continue
		}
		items = append(items, Item{Text: clean(line)})
	}
	return items
}

// quotePairs are the quotes a row may be wrapped in.
var quotePairs = [][2]string{{`"`, `"`}, {"'", "'"}, {"“", "”"}, {"‘", "’"}, {"`", "`"}}

// clean strips a row's list marker, trailing comma and surrounding quotes,
// and collapses its whitespace.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		before := s
		s = strings.TrimSpace(listMarker.ReplaceAllString(s, ""))
		s = strings.TrimSpace(strings.TrimSuffix(s, ","))
		for _, q := range quotePairs {
			if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
				s = strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
			}
		}
		if s == before {
			return s
		}
	}
}

// hasLetter reports whether s has a letter.
func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}
