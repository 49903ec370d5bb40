package coverage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// decoder walks a tree into Go values, collecting every error.
type decoder struct {
	file string
	yaml bool    // YAML scalars such as 72148 may fill string fields
	errs []error // each a *FieldError
}

// add records an error at n (its line) for the field path.
func (d *decoder) add(n *node, path, value, msg, hint string) {
	ln := 0
	if n != nil {
		ln = n.line
	}
	d.errs = append(d.errs, &FieldError{File: d.file, Line: ln, Field: path, Value: value, Msg: msg, Hint: hint})
}

// fields checks that n is a mapping whose keys are all known, each once,
// and returns its values by key; nil when n is not a mapping.
func (d *decoder) fields(n *node, path string, known ...string) map[string]*node {
	if n.kind != kindMap {
		d.add(n, path, "", "want a mapping, got "+n.kind.String(), "write the fields "+strings.Join(known, ", "))
		return nil
	}
	m := make(map[string]*node, len(n.keys))
	for i, k := range n.keys {
		name := k.text
		switch {
		case !slices.Contains(known, name):
			d.add(k, join(path, name), "", "unknown field", "the fields here are "+strings.Join(known, ", "))
		case m[name] != nil:
			d.add(k, join(path, name), "", "duplicate field", "give each field once")
		default:
			m[name] = n.vals[i]
		}
	}
	return m
}

// required reports a missing field of the mapping parent and returns
// whether it is present.
func (d *decoder) required(m map[string]*node, parent *node, path, name, hint string) bool {
	if m[name] == nil {
		d.add(parent, join(path, name), "", "missing required field", hint)
		return false
	}
	return true
}

// str returns a string scalar. In YAML an unquoted number or boolean
// counts as its text (code: 72148); in JSON it must be a string.
func (d *decoder) str(n *node, path string) (string, bool) {
	switch {
	case n.kind == kindString:
		return n.text, true
	case d.yaml && (n.kind == kindNumber || n.kind == kindBool):
		return n.text, true
	}
	d.add(n, path, n.text, "want a string, got "+n.kind.String(), "quote the value")
	return "", false
}

// nonEmpty returns a string scalar that must not be empty.
func (d *decoder) nonEmpty(n *node, path string) (string, bool) {
	s, ok := d.str(n, path)
	if ok && strings.TrimSpace(s) == "" {
		d.add(n, path, "", "empty value", "give a value or leave the field out")
		return "", false
	}
	return s, ok
}

// number returns a numeric scalar.
func (d *decoder) number(n *node, path string) (float64, bool) {
	if n.kind == kindNumber {
		f, err := strconv.ParseFloat(n.text, 64)
		if err == nil {
			return f, true
		}
	}
	d.add(n, path, n.text, "want a number, got "+n.kind.String(), "write a plain number such as 30")
	return 0, false
}

// list returns the items of a list node.
func (d *decoder) list(n *node, path string) ([]*node, bool) {
	if n.kind != kindList {
		d.add(n, path, n.text, "want a list, got "+n.kind.String(), "write [a, b] or one '- item' per line")
		return nil, false
	}
	return n.items, true
}

// enum returns a code that must be one of codes (from a value set named vs).
func (d *decoder) enum(n *node, path string, codes []string, vs string) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	if !slices.Contains(codes, s) {
		d.add(n, path, s, "not a code of "+vs, "use one of "+strings.Join(codes, ", "))
		return "", false
	}
	return s, true
}

// enumList returns a list of codes from one value set, each once. A
// single scalar is taken as a list of one when single is set.
func (d *decoder) enumList(n *node, path string, codes []string, vs string, single bool) []string {
	if single && n.kind != kindList && n.kind != kindMap && n.kind != kindNull {
		n = &node{kind: kindList, line: n.line, items: []*node{n}}
	}
	items, ok := d.list(n, path)
	if !ok {
		return nil
	}
	var out []string
	for i, it := range items {
		p := index(path, i)
		if s, ok := d.enum(it, p, codes, vs); ok {
			if slices.Contains(out, s) {
				d.add(it, p, s, "listed twice", "give each code once")
				continue
			}
			out = append(out, s)
		}
	}
	if len(items) == 0 {
		d.add(n, path, "", "empty list", "list at least one code or leave the field out")
	}
	return out
}

// code decodes {system, code}. prefix allows a trailing "*" (a prefix
// match, for diagnoses).
func (d *decoder) code(n *node, path string, prefix bool) (Code, bool) {
	m := d.fields(n, path, "system", "code")
	if m == nil {
		return Code{}, false
	}
	ok := d.required(m, n, path, "system", "give cpt, hcpcs, rxnorm, snomed, icd10cm, loinc or a code system URI")
	ok = d.required(m, n, path, "code", "give the code as a string") && ok
	if !ok {
		return Code{}, false
	}
	var c Code
	sys, ok1 := d.nonEmpty(m["system"], join(path, "system"))
	if ok1 {
		c.System, ok1 = canonicalSystem(sys)
		if !ok1 {
			d.add(m["system"], join(path, "system"), sys, "unknown code system alias",
				"use cpt, hcpcs, rxnorm, snomed, icd10cm or loinc, or a full URI such as "+SystemCPT)
		}
	}
	code, ok2 := d.nonEmpty(m["code"], join(path, "code"))
	if ok2 {
		c.Code = code
		body := strings.TrimSuffix(code, "*")
		switch {
		case strings.ContainsAny(code, " \t\r\n"):
			d.add(m["code"], join(path, "code"), code, "code contains white space", "write the code alone")
			ok2 = false
		case strings.Contains(body, "*") || (!prefix && body != code):
			hint := "wildcards are allowed only in when.diagnoses"
			if prefix {
				hint = "only a trailing * is allowed, e.g. M54.*"
			}
			d.add(m["code"], join(path, "code"), code, "misplaced *", hint)
			ok2 = false
		case body == "":
			d.add(m["code"], join(path, "code"), code, "a bare * matches everything", "name a prefix, e.g. M54.*")
			ok2 = false
		}
	}
	return c, ok1 && ok2
}

// codes decodes a non-empty list of codes.
func (d *decoder) codes(n *node, path string, prefix bool) []Code {
	items, ok := d.list(n, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.add(n, path, "", "empty list of codes", "list at least one {system, code}")
	}
	var out []Code
	for i, it := range items {
		if c, ok := d.code(it, index(path, i), prefix); ok {
			out = append(out, c)
		}
	}
	return out
}

// rangeOf decodes {min, max} (inclusive); whole requires whole numbers.
func (d *decoder) rangeOf(n *node, path string, whole bool, lo, hi float64) *Range {
	m := d.fields(n, path, "min", "max")
	if m == nil {
		return nil
	}
	r := &Range{}
	for _, name := range []string{"min", "max"} {
		v := m[name]
		if v == nil {
			continue
		}
		p := join(path, name)
		f, ok := d.number(v, p)
		switch {
		case !ok:
			continue
		case whole && f != float64(int64(f)):
			d.add(v, p, v.text, "want a whole number", "ages are whole years")
			continue
		case f < lo || f > hi:
			d.add(v, p, v.text, fmt.Sprintf("out of range [%g, %g]", lo, hi), "give a value in range")
			continue
		}
		if name == "min" {
			r.Min = &f
		} else {
			r.Max = &f
		}
	}
	if m["min"] == nil && m["max"] == nil {
		d.add(n, path, "", "a range needs min, max or both", "add min or max, or leave the condition out")
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		d.add(m["min"], join(path, "min"), m["min"].text, fmt.Sprintf("min is greater than max (%s)", m["max"].text), "swap them")
	}
	return r
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
