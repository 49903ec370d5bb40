package coverage

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/goldentest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// day is the evaluation date of every test.
var day = time.Date(2026, 4, 2, 15, 0, 0, 0, time.UTC)

func loadExample(t *testing.T) *Rules {
	t.Helper()
	r, err := Load("example-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func f(v float64) *float64 { return &v }

const rules = `version: 1
payer: {id: acme, name: Acme}
rules:
  - id: age
    codes: [{system: cpt, code: "1"}]
    when: {age: {min: 18, max: 64}}
    coverage: {covered: covered, pa_needed: auth-needed}
  - id: gender
    codes: [{system: cpt, code: "2"}]
    when: {gender: [female]}
    coverage: {covered: covered, pa_needed: auth-needed}
  - id: dx-any
    codes: [{system: cpt, code: "3"}]
    when: {diagnoses: {any: [{system: icd10cm, code: "M54.*"}]}}
    coverage: {covered: covered, pa_needed: auth-needed}
  - id: dx-none
    codes: [{system: cpt, code: "4"}]
    when: {diagnoses: {none: [{system: snomed, code: "44054006"}]}}
    coverage: {covered: covered, pa_needed: auth-needed}
  - id: qty
    codes: [{system: rxnorm, code: "5"}]
    when: {quantity: {min: 1, max: 30}}
    coverage: {covered: covered, pa_needed: auth-needed}
  - id: pos
    codes: [{system: cpt, code: "6"}]
    when: {place_of_service: ["11", "22"]}
    coverage: {covered: covered, pa_needed: auth-needed}
  - id: uri
    codes: [{system: "http://www.ama-assn.org/go/cpt", code: "7"}]
    coverage: {covered: covered, pa_needed: no-auth}
`

// TestConditions checks each condition at and beyond its bounds.
func TestConditions(t *testing.T) {
	r, err := Parse([]byte(rules), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cpt := func(c string) []Code { return []Code{{System: SystemCPT, Code: c}} }
	adult := Patient{Age: 40, AgeKnown: true, Gender: "male"}
	tests := []struct {
		name    string
		order   Order
		patient Patient
		want    string // rule id, "" for no decision
	}{
		{"age at min", Order{Codes: cpt("1")}, Patient{Age: 18, AgeKnown: true}, "age"},
		{"age at max", Order{Codes: cpt("1")}, Patient{Age: 64, AgeKnown: true}, "age"},
		{"age below min", Order{Codes: cpt("1")}, Patient{Age: 17, AgeKnown: true}, ""},
		{"age above max", Order{Codes: cpt("1")}, Patient{Age: 65, AgeKnown: true}, ""},
		{"age unknown", Order{Codes: cpt("1")}, Patient{Age: 40}, ""},
		{"gender listed", Order{Codes: cpt("2")}, Patient{Gender: "female"}, "gender"},
		{"gender not listed", Order{Codes: cpt("2")}, Patient{Gender: "male"}, ""},
		{"gender absent", Order{Codes: cpt("2")}, Patient{}, ""},
		{"dx prefix", Order{Codes: cpt("3")}, Patient{Diagnoses: []Code{{SystemICD10CM, "M54.50"}}}, "dx-any"},
		{"dx prefix without dot", Order{Codes: cpt("3")}, Patient{Diagnoses: []Code{{SystemICD10CM, "m545"}}}, "dx-any"},
		{"dx other", Order{Codes: cpt("3")}, Patient{Diagnoses: []Code{{SystemICD10CM, "M55.0"}}}, ""},
		{"dx other system", Order{Codes: cpt("3")}, Patient{Diagnoses: []Code{{SystemSNOMED, "M54.5"}}}, ""},
		{"dx none absent", Order{Codes: cpt("4")}, adult, "dx-none"},
		{"dx none present", Order{Codes: cpt("4")}, Patient{Diagnoses: []Code{{"urn:oid:2.16.840.1.113883.6.96", "44054006"}}}, ""},
		{"quantity at min", Order{Codes: []Code{{SystemRxNorm, "5"}}, Quantity: f(1)}, adult, "qty"},
		{"quantity at max", Order{Codes: []Code{{SystemRxNorm, "5"}}, Quantity: f(30)}, adult, "qty"},
		{"quantity above", Order{Codes: []Code{{SystemRxNorm, "5"}}, Quantity: f(30.5)}, adult, ""},
		{"quantity absent", Order{Codes: []Code{{SystemRxNorm, "5"}}}, adult, ""},
		{"pos listed", Order{Codes: cpt("6"), PlaceOfService: "22"}, adult, "pos"},
		{"pos other", Order{Codes: cpt("6"), PlaceOfService: "21"}, adult, ""},
		{"pos unknown", Order{Codes: cpt("6")}, adult, ""},
		{"alias and URI match", Order{Codes: cpt("7")}, adult, "uri"},
		{"OID system matches", Order{Codes: []Code{{"urn:oid:2.16.840.1.113883.6.12", "7"}}}, adult, "uri"},
		{"code not named", Order{Codes: cpt("99999")}, adult, ""},
		{"code in other system", Order{Codes: []Code{{SystemHCPCS, "7"}}}, adult, ""},
		{"second coding named", Order{Codes: []Code{{SystemLOINC, "x"}, {SystemCPT, "7"}}}, adult, "uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			ds := r.EvaluateAt(tt.order, tt.patient, day)
			if len(ds) > 1 {
				t.Fatalf("%d decisions, want at most 1", len(ds))
			}
			if len(ds) == 1 {
				got = ds[0].Rule.ID
			}
			if got != tt.want {
				t.Errorf("rule %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPrecedence: the first matching rule in file order decides.
func TestPrecedence(t *testing.T) {
	r := loadExample(t)
	semaglutide := Order{ID: "o1", ResourceType: "MedicationRequest", Codes: []Code{{SystemRxNorm, "2398842"}}}
	d := r.EvaluateAt(semaglutide, Patient{}, day)
	if len(d) != 1 || d[0].Rule.ID != "semaglutide-no-diabetes" || !d[0].NeedsAction() {
		t.Fatalf("without diabetes: %+v", d)
	}
	d = r.EvaluateAt(semaglutide, Patient{Diagnoses: []Code{{SystemICD10CM, "E11.9"}}}, day)
	if len(d) != 1 || d[0].Rule.ID != "semaglutide" || d[0].NeedsAction() || d[0].PANeeded != "no-auth" {
		t.Fatalf("with diabetes: %+v", d)
	}
	lisinopril := Order{ID: "o2", ResourceType: "MedicationRequest", Codes: []Code{{SystemRxNorm, "314076"}}}
	d = r.EvaluateAt(lisinopril, Patient{}, day)
	if len(d) != 1 || d[0].NeedsAction() || d[0].Covered != "covered" {
		t.Fatalf("lisinopril: %+v", d)
	}
	mri := Order{ID: "o3", ResourceType: "ServiceRequest", Codes: []Code{{SystemCPT, "72148"}}}
	if d := r.EvaluateAt(mri, Patient{Age: 12, AgeKnown: true}, day); d != nil {
		t.Fatalf("child MRI: want no decision, got %+v", d)
	}
}

// TestUnreachableRule: a rule below an unconditional rule for the same
// codes is rejected, since it could never decide.
func TestUnreachableRule(t *testing.T) {
	src := `version: 1
payer: {id: acme, name: Acme}
rules:
  - id: all
    codes: [{system: cpt, code: "1"}, {system: cpt, code: "2"}]
    coverage: {covered: covered, pa_needed: no-auth}
  - id: adults
    codes: [{system: cpt, code: "2"}]
    when: {age: {min: 18}}
    coverage: {covered: covered, pa_needed: auth-needed}
`
	_, err := Parse([]byte(src), "r.yaml")
	if err == nil || !strings.Contains(err.Error(), "r.yaml:7: rules[1]") || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("got %v", err)
	}
}

func TestAssertionIDDeterministic(t *testing.T) {
	r := loadExample(t)
	o := Order{ID: "sr-1", ResourceType: "ServiceRequest", Codes: []Code{{SystemCPT, "72148"}}}
	p := Patient{Age: 40, AgeKnown: true}
	a := r.EvaluateAt(o, p, day)[0].AssertionID
	b := r.EvaluateAt(o, p, day.AddDate(0, 0, 3))[0].AssertionID
	if a != b || !strings.HasPrefix(a, "acme-health-lumbar-mri-") || len(a) != len("acme-health-lumbar-mri-")+16 {
		t.Fatalf("ids %q, %q", a, b)
	}
	o.ID = "sr-2"
	if c := r.EvaluateAt(o, p, day)[0].AssertionID; c == a {
		t.Fatalf("another order got the same id %q", c)
	}
}

// TestExtensionGolden pins the exact JSON of the extension for rules that
// use each sub-extension.
func TestExtensionGolden(t *testing.T) {
	r := loadExample(t)
	cases := []struct {
		name  string
		order Order
		p     Patient
	}{
		{"lumbar-mri", Order{ID: "sr-1", ResourceType: "ServiceRequest", Codes: []Code{{SystemCPT, "72148"}}}, Patient{Age: 40, AgeKnown: true}},
		{"adalimumab", Order{ID: "mr-1", ResourceType: "MedicationRequest", Codes: []Code{{SystemRxNorm, "327361"}}, Quantity: f(4)}, Patient{}},
		{"cpap", Order{ID: "dr-1", ResourceType: "DeviceRequest", Codes: []Code{{SystemHCPCS, "E0601"}}}, Patient{}},
		{"ct-conditional", Order{ID: "sr-2", ResourceType: "ServiceRequest", Codes: []Code{{SystemSNOMED, "77477000"}}}, Patient{}},
		{"lisinopril", Order{ID: "mr-2", ResourceType: "MedicationRequest", Codes: []Code{{SystemRxNorm, "314076"}}}, Patient{}},
		{"not-covered", Order{ID: "mr-3", ResourceType: "MedicationRequest", Codes: []Code{{SystemHCPCS, "J0585"}}}, Patient{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := r.EvaluateAt(c.order, c.p, day)
			if len(ds) != 1 {
				t.Fatalf("%d decisions", len(ds))
			}
			b, err := json.MarshalIndent(ds[0].Extension("Coverage/cov-1"), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			goldentest.Check(t, filepath.Join("testdata", "ext-"+c.name+".golden.json"), string(b)+"\n", *update)
		})
	}
}

func TestAddExtension(t *testing.T) {
	r := loadExample(t)
	order := []byte(`{
  "resourceType": "ServiceRequest",
  "id": "sr-1",
  "status": "draft",
  "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "72148", "display": "MRI <lumbar> & spine"}]},
  "quantityQuantity": {"value": 1.50},
  "extension": [{"url": "http://example.org/other", "valueString": "keep"}],
  "note": [{"text": "x\u00e9"}]
}`)
	d := r.EvaluateAt(Order{ID: "sr-1", ResourceType: "ServiceRequest", Codes: []Code{{SystemCPT, "72148"}}}, Patient{Age: 40, AgeKnown: true}, day)[0]
	ext := d.Extension("Coverage/cov-1")
	out, err := AddExtension(order, ext)
	if err != nil {
		t.Fatal(err)
	}
	// Every member other than extension keeps its bytes; the order of keys too.
	for _, keep := range []string{`"resourceType": "ServiceRequest"`, `{"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "72148", "display": "MRI <lumbar> & spine"}]}`,
		`{"value": 1.50}`, `{"url": "http://example.org/other", "valueString": "keep"}`, `[{"text": "x\u00e9"}]`} {
		if !bytes.Contains(out, []byte(strings.SplitN(keep, ": ", 2)[len(strings.SplitN(keep, ": ", 2))-1])) {
			t.Errorf("output lost %s:\n%s", keep, out)
		}
	}
	if i, j := bytes.Index(out, []byte(`"status"`)), bytes.Index(out, []byte(`"note"`)); i < 0 || j < i {
		t.Errorf("key order changed:\n%s", out)
	}
	var before, after map[string]any
	if err := json.Unmarshal(order, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &after); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	exts := after["extension"].([]any)
	if len(exts) != 2 {
		t.Fatalf("%d extensions, want 2", len(exts))
	}
	delete(before, "extension")
	delete(after, "extension")
	bb, _ := json.Marshal(before)
	ab, _ := json.Marshal(after)
	if !bytes.Equal(bb, ab) {
		t.Errorf("fields changed:\n%s\n%s", bb, ab)
	}

	// Adding again (a re-evaluation) replaces, by coverage-assertion-id.
	d.Date = "2026-04-03"
	again, err := AddExtension(out, d.Extension("Coverage/cov-1"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(again, []byte(ExtensionURL)); n != 1 || !bytes.Contains(again, []byte("2026-04-03")) {
		t.Errorf("%d coverage-information extensions after re-adding, want 1 with the new date:\n%s", n, again)
	}
	// A resource without extensions gets the array.
	bare, err := AddExtension([]byte(`{"resourceType":"DeviceRequest","id":"d"}`), ext)
	if err != nil || !bytes.HasPrefix(bare, []byte(`{"resourceType":"DeviceRequest","id":"d","extension":[{"url":"`+ExtensionURL)) {
		t.Errorf("bare: %v %s", err, bare)
	}
	for name, in := range map[string]string{"array": `[]`, "bad extension": `{"extension": 3}`, "duplicate": `{"a":1,"a":2}`, "trailing": `{} {}`} {
		if _, err := AddExtension([]byte(in), ext); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := AddExtension(order, d.Extension("")); err == nil {
		t.Error("empty coverage reference: no error")
	}
}

// TestParseErrors checks that every problem is reported with file, line,
// field path and value, in JSON and YAML alike.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"testdata/bad-fields.yaml", []string{
			`testdata/bad-fields.yaml:9: rules[0].coverage.pa_needed: "auth": not a code of the CRD pa-needed value set (use one of no-auth, auth-needed,`,
			`testdata/bad-fields.yaml:10: rules[1].id: "lumbar-mri": duplicate rule id (also rules[0])`,
			`testdata/bad-fields.yaml:11: rules[1].codes: empty list of codes`,
			`testdata/bad-fields.yaml:14: rules[1].coverage.colour: unknown field`,
			`testdata/bad-fields.yaml:15: rules[2].id: "Bad_Id": not a valid id`,
			`testdata/bad-fields.yaml:17: rules[2].codes[0].system: "cptx": unknown code system alias`,
			`testdata/bad-fields.yaml:19: rules[2].when.age.min: "65": min is greater than max (18)`,
			`testdata/bad-fields.yaml:22: rules[2].coverage.pa_needed: "no-auth": pa_needed with covered: not-covered (CRD invariant crd-ci-q2)`,
			`testdata/bad-fields.yaml:23: rules[2].coverage.doc_needed[0]: "both": not a code of the CRD doc-needed value set`,
			`testdata/bad-fields.yaml:24: rules[2].coverage.questionnaire: questionnaire without doc_needed (CRD invariant crd-ci-q1)`,
		}},
		{"testdata/bad-fields.json", []string{
			`testdata/bad-fields.json:8: rules[0].coverage.pa_needed: "auth": not a code of the CRD pa-needed value set`,
			`testdata/bad-fields.json:11: rules[1].id: "lumbar-mri": duplicate rule id (also rules[0])`,
			`testdata/bad-fields.json:12: rules[1].codes: empty list of codes`,
			`testdata/bad-fields.json:13: rules[1].coverage.colour: unknown field`,
			`testdata/bad-fields.json:17: rules[2].codes[0].code: "601": want a string, got a number (quote the value)`,
			`testdata/bad-fields.json:18: rules[2].when.quantity.min: "5": min is greater than max (1)`,
			`testdata/bad-fields.json:19: rules[2].coverage.info_needed: missing: a conditional answer needs info_needed (CRD invariant crd-ci-q3)`,
		}},
		{"testdata/bad-syntax.yaml", []string{`testdata/bad-syntax.yaml:`, `invalid YAML`}},
		{"testdata/bad-syntax.json", []string{`testdata/bad-syntax.json:3: invalid JSON: invalid character ','`}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			_, err := Load(tt.file)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("missing %q in:\n%s", w, msg)
				}
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Line == 0 {
				t.Errorf("errors.As FieldError: %v", fe)
			}
		})
	}
}

// TestExampleFilesAgree: the docs copy users read is the one tested.
func TestExampleFilesAgree(t *testing.T) {
	a, err := os.ReadFile("example-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../docs/examples/crd-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("example-rules.yaml and docs/examples/crd-rules.yaml differ; copy one over the other")
	}
}

// TestJSONAndYAMLAgree: the same rules in either format parse alike.
func TestJSONAndYAMLAgree(t *testing.T) {
	y, err := Parse([]byte(rules), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	js := `{"version":1,"payer":{"id":"acme","name":"Acme"},"rules":[{"id":"age","codes":[{"system":"cpt","code":"1"}],
"when":{"age":{"min":18,"max":64}},"coverage":{"covered":"covered","pa_needed":"auth-needed"}}]}`
	j, err := Parse([]byte(js), "r.json")
	if err != nil {
		t.Fatal(err)
	}
	if y.Rules[0].Codes[0] != j.Rules[0].Codes[0] || *y.Rules[0].When.Age.Max != *j.Rules[0].When.Age.Max || y.Payer != j.Payer {
		t.Errorf("yaml %+v, json %+v", y.Rules[0], j.Rules[0])
	}
}

func TestAgeAt(t *testing.T) {
	b := time.Date(2000, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2018, 6, 14, 0, 0, 0, 0, time.UTC), 17},
		{time.Date(2018, 6, 15, 0, 0, 0, 0, time.UTC), 18},
		{time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), 18},
	} {
		if got := AgeAt(b, tt.at); got != tt.want {
			t.Errorf("AgeAt(%v) = %d, want %d", tt.at, got, tt.want)
		}
	}
}
