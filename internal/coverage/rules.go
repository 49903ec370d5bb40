package coverage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// FormatVersion is the rules file format version this package reads.
const FormatVersion = 1

// Rules is a payer's rules file, validated.
type Rules struct {
	File     string // the name given to Parse or the path given to Load
	Version  int
	Payer    Payer
	Defaults Defaults
	Rules    []*Rule // in file order, which is precedence order
}

// Payer names the payer whose rules these are.
type Payer struct {
	ID   string // [a-z0-9-]; starts every coverage-assertion-id
	Name string // shown as the source of cards
}

// Defaults hold settings shared by all rules.
type Defaults struct {
	// QuestionnaireBase is prefixed to questionnaire entries that are not
	// absolute URLs.
	QuestionnaireBase string
}

// Rule is one coverage rule: the codes it names, the conditions under
// which it applies, and the payer's answer.
type Rule struct {
	ID          string
	Description string
	Line        int    // line of the rule in the file
	Codes       []Code // the order matches when it carries any of these
	When        Conditions
	Coverage    Coverage
}

// Code is a coded concept: System is a canonical URI ([SystemCPT], ...).
// In when.diagnoses a Code ending in "*" matches by prefix.
type Code struct {
	System string
	Code   string
}

// Conditions must all hold for a rule to apply; a nil or empty field is
// no condition.
type Conditions struct {
	Age            *Range   // whole years at the order date, inclusive
	Gender         []string // FHIR administrative-gender codes
	Diagnoses      *DiagnosisCondition
	Quantity       *Range   // the ordered quantity, inclusive
	PlaceOfService []string // CMS place-of-service codes ("11")
}

// Range is an inclusive range; a nil bound is open.
type Range struct {
	Min, Max *float64
}

// DiagnosisCondition holds when the patient has an active condition
// matching one of Any (when Any is set) and none matching None.
type DiagnosisCondition struct {
	Any, None []Code
}

// Coverage is the payer's answer, as the coverage-information extension
// carries it. The codes are from the CRD value sets (see the package doc).
type Coverage struct {
	Covered        string   // covered-info: covered | not-covered | conditional | indeterminate
	PANeeded       string   // pa-needed, optional; absent when not-covered
	DocNeeded      []string // doc-needed, 0..*
	DocPurpose     []string // doc-purpose, 0..*
	InfoNeeded     []string // info-needed, 0..*
	Questionnaires []string // questionnaire canonicals, resolved against Defaults.QuestionnaireBase
	Reason         string   // reason text
	SatisfiedPAID  string   // satisfied-pa-id, exactly when PANeeded is "satisfied"
	Details        []Detail // detail, 0..*
}

// Detail is one detail sub-extension: a named value qualifying the
// assertion (e.g. allowed-quantity 30).
type Detail struct {
	Category      string // cat-limitation | cat-decisional | cat-other
	Code          Coding // default system SystemCoverageDetail
	Value         DetailValue
	Qualification string
}

// DetailValue holds exactly one of its fields, the value[x] choices the
// IG allows.
type DetailValue struct {
	String   *string
	Boolean  *bool
	URL      *string
	Quantity *Quantity
	Period   *Period
}

// Load reads and validates the rules file at path; the extension (.json,
// .yaml or .yml) picks the format.
func Load(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("coverage rules: %w", err)
	}
	return Parse(data, path)
}

// Parse validates a rules file; name is used in errors and its extension
// (.json, .yaml or .yml) picks the format. The error joins a
// [*FieldError] for every problem found.
func Parse(data []byte, name string) (*Rules, error) {
	var (
		root *node
		ferr *FieldError
		yaml bool
	)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		root, ferr = jsonTree(data)
	case ".yaml", ".yml":
		yaml = true
		root, ferr = yamlTree(data)
	default:
		return nil, &FieldError{File: name, Msg: "unknown rules file format", Hint: "name the file .json, .yaml or .yml"}
	}
	if ferr != nil {
		ferr.File = name
		return nil, ferr
	}
	d := &decoder{file: name, yaml: yaml}
	r := d.rules(root)
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b error) int { return a.(*FieldError).Line - b.(*FieldError).Line })
		return nil, errors.Join(d.errs...)
	}
	r.File = name
	return r, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// id decodes an identifier of lowercase letters, digits and dashes.
func (d *decoder) id(n *node, path string) string {
	s, ok := d.nonEmpty(n, path)
	if ok && !idPattern.MatchString(s) {
		d.add(n, path, s, "not a valid id", "use lowercase letters, digits and single dashes, e.g. lumbar-mri")
		return ""
	}
	return s
}

func (d *decoder) rules(root *node) *Rules {
	r := &Rules{}
	m := d.fields(root, "", "version", "payer", "defaults", "rules")
	if m == nil {
		return r
	}
	if d.required(m, root, "", "version", fmt.Sprintf("start the file with version: %d", FormatVersion)) {
		if v, ok := d.number(m["version"], "version"); ok && v != FormatVersion {
			d.add(m["version"], "version", m["version"].text, "unsupported version", fmt.Sprintf("this Osler reads version %d", FormatVersion))
		}
		r.Version = FormatVersion
	}
	if d.required(m, root, "", "payer", "give payer: {id: ..., name: ...}") {
		p := m["payer"]
		if pm := d.fields(p, "payer", "id", "name"); pm != nil {
			if d.required(pm, p, "payer", "id", "give the payer's id, e.g. acme-health") {
				r.Payer.ID = d.id(pm["id"], "payer.id")
			}
			if d.required(pm, p, "payer", "name", "give the payer's name as users should see it") {
				r.Payer.Name, _ = d.nonEmpty(pm["name"], "payer.name")
			}
		}
	}
	if n := m["defaults"]; n != nil {
		if dm := d.fields(n, "defaults", "questionnaire_base"); dm != nil && dm["questionnaire_base"] != nil {
			p := "defaults.questionnaire_base"
			if s, ok := d.nonEmpty(dm["questionnaire_base"], p); ok {
				if !isAbsURL(s) {
					d.add(dm["questionnaire_base"], p, s, "not an absolute URL", "give e.g. https://payer.example/Questionnaire/")
				}
				r.Defaults.QuestionnaireBase = s
			}
		}
	}
	if !d.required(m, root, "", "rules", "list the rules under rules:") {
		return r
	}
	items, ok := d.list(m["rules"], "rules")
	if ok && len(items) == 0 {
		d.add(m["rules"], "rules", "", "no rules", "add at least one rule")
	}
	seen := map[string]int{}
	for i, it := range items {
		path := index("rules", i)
		rule := d.rule(it, path, r.Defaults)
		if rule.ID != "" {
			if j, dup := seen[rule.ID]; dup {
				d.add(it.get("id"), join(path, "id"), rule.ID, fmt.Sprintf("duplicate rule id (also rules[%d])", j), "give each rule its own id")
			}
			seen[rule.ID] = i
		}
		r.Rules = append(r.Rules, rule)
	}
	d.unreachable(r.Rules, items)
	return r
}

func (d *decoder) rule(n *node, path string, defs Defaults) *Rule {
	rule := &Rule{Line: n.line}
	m := d.fields(n, path, "id", "description", "codes", "when", "coverage")
	if m == nil {
		return rule
	}
	if d.required(m, n, path, "id", "give the rule an id, e.g. lumbar-mri") {
		rule.ID = d.id(m["id"], join(path, "id"))
	}
	if v := m["description"]; v != nil {
		rule.Description, _ = d.str(v, join(path, "description"))
	}
	if d.required(m, n, path, "codes", "list the order codes the rule names") {
		rule.Codes = d.codes(m["codes"], join(path, "codes"), false)
	}
	if v := m["when"]; v != nil {
		rule.When = d.when(v, join(path, "when"))
	}
	if d.required(m, n, path, "coverage", "give the payer's answer under coverage:") {
		rule.Coverage = d.coverage(m["coverage"], join(path, "coverage"), defs)
	}
	return rule
}

func (d *decoder) when(n *node, path string) Conditions {
	var c Conditions
	m := d.fields(n, path, "age", "gender", "diagnoses", "quantity", "place_of_service")
	if m == nil {
		return c
	}
	if v := m["age"]; v != nil {
		c.Age = d.rangeOf(v, join(path, "age"), true, 0, 150)
	}
	if v := m["gender"]; v != nil {
		c.Gender = d.enumList(v, join(path, "gender"), genderCodes, "FHIR administrative-gender", false)
	}
	if v := m["diagnoses"]; v != nil {
		p := join(path, "diagnoses")
		if dm := d.fields(v, p, "any", "none"); dm != nil {
			c.Diagnoses = &DiagnosisCondition{}
			if dm["any"] != nil {
				c.Diagnoses.Any = d.codes(dm["any"], join(p, "any"), true)
			}
			if dm["none"] != nil {
				c.Diagnoses.None = d.codes(dm["none"], join(p, "none"), true)
			}
			if dm["any"] == nil && dm["none"] == nil {
				d.add(v, p, "", "no diagnoses listed", "give any: [...], none: [...] or both")
			}
		}
	}
	if v := m["quantity"]; v != nil {
		c.Quantity = d.rangeOf(v, join(path, "quantity"), false, 0, 1e9)
	}
	if v := m["place_of_service"]; v != nil {
		p := join(path, "place_of_service")
		if items, ok := d.list(v, p); ok {
			if len(items) == 0 {
				d.add(v, p, "", "empty list", "list CMS place-of-service codes or leave the condition out")
			}
			for i, it := range items {
				s, ok := d.str(it, index(p, i))
				if ok && (len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') {
					d.add(it, index(p, i), s, "not a CMS place-of-service code", "use the two-digit code, quoted: \"11\" (office), \"22\" (outpatient hospital)")
					continue
				}
				if ok {
					c.PlaceOfService = append(c.PlaceOfService, s)
				}
			}
		}
	}
	return c
}

// empty reports whether no condition is set.
func (c Conditions) empty() bool {
	return c.Age == nil && len(c.Gender) == 0 && c.Diagnoses == nil && c.Quantity == nil && len(c.PlaceOfService) == 0
}

// unreachable reports rules that can never apply because an earlier rule
// with no conditions names all their codes (the first match wins).
func (d *decoder) unreachable(rules []*Rule, items []*node) {
	for j, later := range rules {
		if len(later.Codes) == 0 {
			continue
		}
		for i, earlier := range rules[:j] {
			if earlier.When.empty() && len(earlier.Codes) > 0 && covers(earlier.Codes, later.Codes) {
				d.add(items[j], index("rules", j), later.ID,
					fmt.Sprintf("unreachable: rules[%d] (%s) has no conditions and names all its codes, and the first matching rule wins", i, earlier.ID),
					"move this rule above "+earlier.ID+" or remove it")
				break
			}
		}
	}
}

// covers reports whether every code of b is in a.
func covers(a, b []Code) bool {
	for _, c := range b {
		if !slices.ContainsFunc(a, func(x Code) bool { return codeEqual(x, c) }) {
			return false
		}
	}
	return true
}

// get returns the value of key in a mapping node, or n itself.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k.text == key {
			return n.vals[i]
		}
	}
	return n
}

func isAbsURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "urn:")) &&
		!strings.ContainsAny(s, " \t\r\n")
}
