package coverage

import (
	"slices"
	"strings"
	"time"
)

// coverageFields are the fields of a rule's coverage mapping.
var coverageFields = []string{"covered", "pa_needed", "doc_needed", "doc_purpose", "info_needed",
	"questionnaire", "reason", "satisfied_pa_id", "detail"}

func (d *decoder) coverage(n *node, path string, defs Defaults) Coverage {
	var c Coverage
	m := d.fields(n, path, coverageFields...)
	if m == nil {
		return c
	}
	p := func(name string) string { return join(path, name) }
	if d.required(m, n, path, "covered", "give covered: covered, not-covered, conditional or indeterminate") {
		c.Covered, _ = d.enum(m["covered"], p("covered"), coveredCodes, "the CRD covered value set")
	}
	if v := m["pa_needed"]; v != nil {
		c.PANeeded, _ = d.enum(v, p("pa_needed"), paNeededCodes, "the CRD pa-needed value set")
	}
	if v := m["doc_needed"]; v != nil {
		c.DocNeeded = d.enumList(v, p("doc_needed"), docNeededCodes, "the CRD doc-needed value set", true)
	}
	if v := m["doc_purpose"]; v != nil {
		c.DocPurpose = d.enumList(v, p("doc_purpose"), docPurposeCodes, "the CRD doc-purpose value set", true)
	}
	if v := m["info_needed"]; v != nil {
		c.InfoNeeded = d.enumList(v, p("info_needed"), infoNeededCodes, "the CRD info-needed value set", true)
	}
	if v := m["questionnaire"]; v != nil {
		c.Questionnaires = d.questionnaires(v, p("questionnaire"), defs)
	}
	if v := m["reason"]; v != nil {
		c.Reason, _ = d.nonEmpty(v, p("reason"))
	}
	if v := m["satisfied_pa_id"]; v != nil {
		c.SatisfiedPAID, _ = d.nonEmpty(v, p("satisfied_pa_id"))
	}
	if v := m["detail"]; v != nil {
		if items, ok := d.list(v, p("detail")); ok {
			for i, it := range items {
				if dt, ok := d.detail(it, index(p("detail"), i)); ok {
					c.Details = append(c.Details, dt)
				}
			}
		}
	}
	d.invariants(c, m, n, path)
	return c
}

// questionnaires decodes questionnaire canonicals (one or a list),
// resolving relative ones against defaults.questionnaire_base.
func (d *decoder) questionnaires(n *node, path string, defs Defaults) []string {
	if n.kind != kindList && n.kind != kindMap && n.kind != kindNull {
		n = &node{kind: kindList, line: n.line, items: []*node{n}}
	}
	items, ok := d.list(n, path)
	if !ok {
		return nil
	}
	var out []string
	for i, it := range items {
		s, ok := d.nonEmpty(it, index(path, i))
		switch {
		case !ok:
		case strings.ContainsAny(s, " \t\r\n"):
			d.add(it, index(path, i), s, "contains white space", "give a Questionnaire canonical URL")
		case isAbsURL(s):
			out = append(out, s)
		case defs.QuestionnaireBase == "":
			d.add(it, index(path, i), s, "not an absolute URL and no defaults.questionnaire_base",
				"give the full canonical URL, or set defaults.questionnaire_base")
		default:
			out = append(out, defs.QuestionnaireBase+s)
		}
	}
	return out
}

// invariants checks the CRD extension's constraints crd-ci-q1 to q9 (STU
// 2.2), so that every decision the rule produces is a valid extension.
// Each error points at the field that breaks the constraint.
func (d *decoder) invariants(c Coverage, m map[string]*node, n *node, path string) {
	at := func(name string) *node {
		if v := m[name]; v != nil {
			return v
		}
		return n
	}
	p := func(name string) string { return join(path, name) }
	has := func(code string) bool {
		return c.Covered == code || c.PANeeded == code || slices.Contains(c.DocNeeded, code)
	}
	if len(c.Questionnaires) > 0 && len(c.DocNeeded) == 0 {
		d.add(at("questionnaire"), p("questionnaire"), "", "questionnaire without doc_needed (CRD invariant crd-ci-q1)",
			"add doc_needed: clinical, admin or patient")
	}
	if c.Covered == "not-covered" && c.PANeeded != "" {
		d.add(at("pa_needed"), p("pa_needed"), c.PANeeded, "pa_needed with covered: not-covered (CRD invariant crd-ci-q2)",
			"remove pa_needed: a service that is not covered needs no authorization")
	}
	conditional := has("conditional")
	if conditional && len(c.InfoNeeded) == 0 {
		d.add(n, p("info_needed"), "", "missing: a conditional answer needs info_needed (CRD invariant crd-ci-q3)",
			"say what would decide it: performer, location, timeframe, contract-window, detail-code or OTH")
	}
	if !conditional && len(c.InfoNeeded) > 0 {
		d.add(at("info_needed"), p("info_needed"), strings.Join(c.InfoNeeded, ","),
			"info_needed without a conditional covered, pa_needed or doc_needed (CRD invariant crd-ci-q3: if and only if)",
			"remove info_needed, or make the answer conditional")
	}
	if slices.Contains(c.DocPurpose, "withpa") && (c.PANeeded == "satisfied" || c.PANeeded == "no-auth" || c.Covered == "not-covered") {
		d.add(at("doc_purpose"), p("doc_purpose"), "withpa", "withpa when no prior authorization will be requested (CRD invariant crd-ci-q4)",
			"use withclaim, withorder or retain-doc")
	}
	if (c.PANeeded == "satisfied") != (c.SatisfiedPAID != "") {
		if c.PANeeded == "satisfied" {
			d.add(n, p("satisfied_pa_id"), "", "missing: pa_needed: satisfied needs satisfied_pa_id (CRD invariant crd-ci-q5)", "give the authorization number")
		} else {
			d.add(at("satisfied_pa_id"), p("satisfied_pa_id"), c.SatisfiedPAID, "satisfied_pa_id without pa_needed: satisfied (CRD invariant crd-ci-q5)", "remove it")
		}
	}
	if slices.Contains(c.InfoNeeded, "OTH") && c.Reason == "" {
		d.add(n, p("reason"), "", "missing: info_needed OTH needs a reason (CRD invariant crd-ci-q6)", "say what information is needed")
	}
	if len(c.DocPurpose) > 0 && c.Reason == "" {
		d.add(n, p("reason"), "", "missing: doc_purpose needs a reason (CRD invariant crd-ci-q8)", "say why the documentation is needed")
	}
	if has("indeterminate") && c.Reason == "" {
		d.add(n, p("reason"), "", "missing: an indeterminate answer needs a reason (CRD invariant crd-ci-q9)", "say what prevents a determination")
	}
	if len(c.DocPurpose) > 0 && len(c.DocNeeded) == 0 {
		d.add(at("doc_purpose"), p("doc_purpose"), "", "doc_purpose without doc_needed", "add doc_needed: clinical, admin or patient")
	}
}

// detail decodes one detail: {category, code, value, qualification}.
func (d *decoder) detail(n *node, path string) (Detail, bool) {
	var dt Detail
	m := d.fields(n, path, "category", "code", "value", "qualification")
	if m == nil {
		return dt, false
	}
	ok := d.required(m, n, path, "category", "give cat-limitation, cat-decisional or cat-other")
	ok = d.required(m, n, path, "code", "give code: {code: allowed-quantity}") && ok
	ok = d.required(m, n, path, "value", "give value: {string|boolean|url|quantity|period: ...}") && ok
	if !ok {
		return dt, false
	}
	var ok1, ok2, ok3 bool
	dt.Category, ok1 = d.enum(m["category"], join(path, "category"), detailCategoryCodes, "the CRD detail category value set")
	dt.Code, ok2 = d.coding(m["code"], join(path, "code"))
	dt.Value, ok3 = d.detailValue(m["value"], join(path, "value"))
	if v := m["qualification"]; v != nil {
		dt.Qualification, _ = d.nonEmpty(v, join(path, "qualification"))
	}
	return dt, ok1 && ok2 && ok3
}

// coding decodes {system, code, display}; system defaults to
// SystemCoverageDetail.
func (d *decoder) coding(n *node, path string) (Coding, bool) {
	c := Coding{System: SystemCoverageDetail}
	m := d.fields(n, path, "system", "code", "display")
	if m == nil || !d.required(m, n, path, "code", "give the detail code, e.g. allowed-quantity") {
		return c, false
	}
	ok := true
	if v := m["system"]; v != nil {
		if s, ok1 := d.nonEmpty(v, join(path, "system")); ok1 {
			if c.System, ok1 = canonicalSystem(s); !ok1 {
				d.add(v, join(path, "system"), s, "unknown code system", "give a code system URI, or leave it out for "+SystemCoverageDetail)
			}
		}
	}
	c.Code, ok = d.nonEmpty(m["code"], join(path, "code"))
	if v := m["display"]; v != nil {
		c.Display, _ = d.nonEmpty(v, join(path, "display"))
	}
	return c, ok
}

// detailValue decodes a value with exactly one of string, boolean, url,
// quantity {value, unit, system, code} or period {start, end}.
func (d *decoder) detailValue(n *node, path string) (DetailValue, bool) {
	var v DetailValue
	m := d.fields(n, path, "string", "boolean", "url", "quantity", "period")
	if m == nil {
		return v, false
	}
	if len(m) != 1 {
		d.add(n, path, "", "want exactly one of string, boolean, url, quantity, period", "give one kind of value")
		return v, false
	}
	ok := true
	switch {
	case m["string"] != nil:
		var s string
		s, ok = d.nonEmpty(m["string"], join(path, "string"))
		v.String = &s
	case m["boolean"] != nil:
		b := m["boolean"]
		ok = b.kind == kindBool && (b.text == "true" || b.text == "false")
		if !ok {
			d.add(b, join(path, "boolean"), b.text, "want true or false", "write true or false unquoted")
		}
		t := b.text == "true"
		v.Boolean = &t
	case m["url"] != nil:
		var s string
		if s, ok = d.nonEmpty(m["url"], join(path, "url")); ok && !isAbsURL(s) {
			d.add(m["url"], join(path, "url"), s, "not an absolute URL", "give an http(s) URL")
			ok = false
		}
		v.URL = &s
	case m["quantity"] != nil:
		v.Quantity, ok = d.quantity(m["quantity"], join(path, "quantity"))
	case m["period"] != nil:
		v.Period, ok = d.period(m["period"], join(path, "period"))
	}
	return v, ok
}

func (d *decoder) quantity(n *node, path string) (*Quantity, bool) {
	m := d.fields(n, path, "value", "unit", "system", "code")
	if m == nil || !d.required(m, n, path, "value", "give the number") {
		return nil, false
	}
	q := &Quantity{}
	var ok bool
	q.Value, ok = d.number(m["value"], join(path, "value"))
	for _, f := range []struct {
		name string
		dst  *string
	}{{"unit", &q.Unit}, {"system", &q.System}, {"code", &q.Code}} {
		if v := m[f.name]; v != nil {
			*f.dst, _ = d.nonEmpty(v, join(path, f.name))
		}
	}
	return q, ok
}

func (d *decoder) period(n *node, path string) (*Period, bool) {
	m := d.fields(n, path, "start", "end")
	if m == nil {
		return nil, false
	}
	p := &Period{}
	ok := true
	for _, f := range []struct {
		name string
		dst  *string
	}{{"start", &p.Start}, {"end", &p.End}} {
		name, dst := f.name, f.dst
		v := m[name]
		if v == nil {
			continue
		}
		s, ok1 := d.str(v, join(path, name))
		if ok1 {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				d.add(v, join(path, name), s, "not a date", "write YYYY-MM-DD")
				ok1 = false
			}
		}
		*dst, ok = s, ok && ok1
	}
	if p.Start == "" && p.End == "" {
		d.add(n, path, "", "a period needs start, end or both", "add start or end")
		ok = false
	}
	return p, ok
}
