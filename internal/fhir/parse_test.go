package fhir

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestParseTypes parses a small hand-written resource of every modelled
// type and checks a few fields and Raw.
func TestParseTypes(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, r Resource)
	}{
		{"Patient", `{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-03-04",
			"name":[{"use":"nickname","given":["Jo"]},{"use":"official","family":"Doe","given":["Jane","Q"]}],
			"identifier":[{"system":"urn:mrn","value":"42"}],"deceasedBoolean":false}`,
			func(t *testing.T, r Resource) {
				p := r.(*Patient)
				if p.DisplayName() != "Jane Q Doe" || p.Gender != "female" || p.Identifier[0].Value != "42" || p.Deceased() {
					t.Errorf("got %+v", p)
				}
			}},
		{"Condition", `{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes"}]},
			"subject":{"reference":"Patient/p1"},"onsetDateTime":"2010"}`,
			func(t *testing.T, r Resource) {
				c := r.(*Condition)
				if !c.Active() || !c.Code.HasCode("http://snomed.info/sct", "44054006") || c.Date() != "2010" {
					t.Errorf("got %+v", c)
				}
			}},
		{"AllergyIntolerance", `{"resourceType":"AllergyIntolerance","id":"a1","type":"allergy","category":["medication"],
			"criticality":"high","code":{"text":"Penicillin"},"patient":{"reference":"Patient/p1"},"recordedDate":"2001-02-03",
			"reaction":[{"manifestation":[{"text":"Hives"}],"severity":"moderate"}],"note":[{"text":"n"}]}`,
			func(t *testing.T, r Resource) {
				a := r.(*AllergyIntolerance)
				if !a.Active() || a.AllergyType != "allergy" || a.Code.Label() != "Penicillin" ||
					a.Reaction[0].Manifestation[0].Text != "Hives" || a.Date() != "2001-02-03" {
					t.Errorf("got %+v", a)
				}
			}},
		{"Medication", `{"resourceType":"Medication","id":"m1","code":{"coding":[{"code":"197361"}]}}`,
			func(t *testing.T, r Resource) {
				if r.(*Medication).Code.Label() != "197361" {
					t.Errorf("got %+v", r)
				}
			}},
		{"MedicationRequest", `{"resourceType":"MedicationRequest","id":"mr1","status":"draft","intent":"order",
			"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197361","display":"amlodipine"}]},
			"subject":{"reference":"Patient/p1"},"authoredOn":"2024-01-02","dosageInstruction":[{"text":"once daily"}],
			"dispenseRequest":{"quantity":{"value":30,"unit":"tab"},"numberOfRepeatsAllowed":2,"expectedSupplyDuration":{"value":30,"unit":"d"}},
			"insurance":[{"reference":"Coverage/cov1"}],
			"extension":[{"url":"http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information",
			  "extension":[{"url":"coverage","valueReference":{"reference":"Coverage/cov1"}},{"url":"covered","valueCode":"covered"}]}]}`,
			func(t *testing.T, r Resource) {
				m := r.(*MedicationRequest)
				ext, ok := FindExtension(m.Extension, "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information")
				covered, _ := FindExtension(ext.Extension, "covered")
				if !ok || covered.ValueCode != "covered" || *m.DispenseRequest.Quantity.Value != 30 ||
					*m.DispenseRequest.NumberOfRepeatsAllowed != 2 || m.DosageInstruction[0].Text != "once daily" ||
					m.Insurance[0].Reference != "Coverage/cov1" {
					t.Errorf("got %+v", m)
				}
			}},
		{"DocumentReference", `{"resourceType":"DocumentReference","id":"d1","status":"current","type":{"coding":[{"system":"http://loinc.org","code":"11506-3"}]},
			"context":{"period":{"start":"2020-05-01T10:00:00Z"}},
			"content":[{"attachment":{"contentType":"text/plain","data":"aGVsbG8="},"format":{"code":"urn:ihe:iti:xds:2017:mimeTypeSufficient"}}]}`,
			func(t *testing.T, r Resource) {
				d := r.(*DocumentReference)
				if d.When() != "2020-05-01T10:00:00Z" || !d.DocumentType.HasCode("http://loinc.org", "11506-3") || d.Content[0].Attachment.Data != "aGVsbG8=" {
					t.Errorf("got %+v", d)
				}
			}},
		{"DiagnosticReport", `{"resourceType":"DiagnosticReport","id":"r1","status":"final","code":{"text":"CBC"},
			"effectivePeriod":{"start":"2021-01-01"},"conclusion":"normal","result":[{"reference":"Observation/o1"}],
			"presentedForm":[{"contentType":"text/html","data":"PHA+b2s8L3A+"}]}`,
			func(t *testing.T, r Resource) {
				d := r.(*DiagnosticReport)
				if d.When() != "2021-01-01" || d.Code.Label() != "CBC" || len(d.PresentedForm) != 1 || d.Result[0].Reference != "Observation/o1" {
					t.Errorf("got %+v", d)
				}
			}},
		{"Coverage", `{"resourceType":"Coverage","id":"cov1","status":"active","subscriberId":"S1","beneficiary":{"reference":"Patient/p1"},
			"payor":[{"reference":"Organization/o1"}],"class":[{"type":{"coding":[{"code":"plan"}]},"value":"B","name":"Basic"}],"period":{"start":"2024"}}`,
			func(t *testing.T, r Resource) {
				c := r.(*Coverage)
				if c.SubscriberID != "S1" || c.Class[0].Name != "Basic" || c.Payor[0].Reference != "Organization/o1" {
					t.Errorf("got %+v", c)
				}
			}},
		{"ServiceRequest", `{"resourceType":"ServiceRequest","id":"s1","status":"draft","intent":"order","code":{"text":"MRI"},
			"quantityQuantity":{"value":1},"locationCode":[{"text":"OP"}],"reasonCode":[{"text":"pain"}]}`,
			func(t *testing.T, r Resource) {
				s := r.(*ServiceRequest)
				if s.Code.Label() != "MRI" || *s.QuantityQuantity.Value != 1 || s.LocationCode[0].Text != "OP" {
					t.Errorf("got %+v", s)
				}
			}},
		{"DeviceRequest", `{"resourceType":"DeviceRequest","id":"dr1","status":"draft","intent":"order","codeCodeableConcept":{"text":"CPAP"}}`,
			func(t *testing.T, r Resource) {
				if r.(*DeviceRequest).CodeCodeableConcept.Label() != "CPAP" {
					t.Errorf("got %+v", r)
				}
			}},
		{"Binary", `{"resourceType":"Binary","id":"b1","contentType":"text/plain","data":"aGk="}`,
			func(t *testing.T, r Resource) {
				if r.(*Binary).Data != "aGk=" {
					t.Errorf("got %+v", r)
				}
			}},
		{"Bundle", `{"resourceType":"Bundle","id":"bu","type":"searchset","total":1,"link":[{"relation":"self","url":"x"}],
			"entry":[{"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1"},"search":{"mode":"match"}}]}`,
			func(t *testing.T, r Resource) {
				b := r.(*Bundle)
				if b.BundleType != "searchset" || *b.Total != 1 || b.Entry[0].Search.Mode != "match" || b.Next() != "" {
					t.Errorf("got %+v", b)
				}
			}},
		{"Observation", `{"resourceType":"Observation","id":"o1","status":"final"}`,
			func(t *testing.T, r Resource) {
				if _, ok := r.(*Unknown); !ok {
					t.Errorf("got %T, want *Unknown", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if r.Type() != tt.name || r.GetID() == "" || string(r.Source()) != tt.json {
				t.Errorf("Type %q GetID %q, Source kept: %v", r.Type(), r.GetID(), string(r.Source()) == tt.json)
			}
			tt.check(t, r)
			// Marshalling gives the same resource again.
			out, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(out)
			if err != nil || again.Type() != r.Type() || again.GetID() != r.GetID() {
				t.Errorf("re-parse: %v", err)
			}
		})
	}
}

// TestParseErrors checks that errors name the field and never quote the
// input.
func TestParseErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"resourceType":"Patient","gender":12345}`, "fhir: Patient.gender: want string, got number"},
		{`{"resourceType":"Condition","code":"SECRET-NOTE"}`, "fhir: Condition.code: want object, got string"},
		{`{"resourceType":"AllergyIntolerance","note":[{"text":7}]}`, "fhir: AllergyIntolerance.note.text: want string, got number"},
		{`{"id":"x"}`, "fhir: resourceType: missing"},
		{`{"resourceType":42}`, "fhir: resourceType: want string, got number"},
		{`["SECRET-NOTE"]`, "fhir: want object, got array"},
		{`{"resourceType":"Patient","name":SECRET}`, "fhir: invalid JSON at byte 34"},
		{`{"resourceType":"Patient"`, "fhir: truncated JSON"},
		{`{"resourceType":"MedicationRequest","dispenseRequest":{"quantity":{"value":1e999}}}`, "fhir: MedicationRequest.dispenseRequest.quantity.value: number out of range"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.json))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a *ParseError", tt.json, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.json, err, tt.want)
		}
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "12345") {
			t.Errorf("error quotes the input: %v", err)
		}
	}
}

func TestBundleResources(t *testing.T) {
	b, err := ParseBundle([]byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"p"}},
		{"fullUrl":"urn:uuid:x"},
		{"resource":{"resourceType":"Medication","id":"m1","code":{"text":"aspirin"}}},
		{"resource":{"resourceType":"MedicationRequest","id":"mr","medicationReference":{"reference":"Medication/m1"}}},
		{"resource":{"resourceType":"MedicationRequest","id":"mr2","medicationReference":{"reference":"#c"},
		  "contained":[{"resourceType":"Medication","id":"c","code":{"text":"ibuprofen"}}]}},
		{"resource":{"resourceType":"Condition","id":"c1"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := b.Resources()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 5 {
		t.Fatalf("got %d resources, want 5 (the entry without one skipped)", len(rs))
	}
	mrs := All[*MedicationRequest](rs)
	if len(mrs) != 2 || len(All[*Condition](rs)) != 1 || len(All[*Patient](rs)) != 1 {
		t.Fatalf("All: %d MedicationRequests", len(mrs))
	}
	for i, want := range []string{"aspirin", "ibuprofen"} {
		if med, ok := mrs[i].Medication(rs); !ok || med.Label() != want {
			t.Errorf("Medication of %s = %q, %v; want %q", mrs[i].ID, med.Label(), ok, want)
		}
	}
	if _, ok := ByID[*Condition](rs, "c1"); !ok {
		t.Error("ByID did not find c1")
	}

	bad, _ := ParseBundle([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient"}},
		{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Patient"}},
		{"resource":{"resourceType":"Condition","code":[1]}}]}`))
	if _, err := bad.Resources(); err == nil || err.Error() != "fhir: entry[3].resource: Condition.code: want object, got array" {
		t.Errorf("got %v", err)
	}
	if _, err := ParseBundle([]byte(`{"resourceType":"Patient"}`)); err == nil || err.Error() != "fhir: resourceType: want Bundle, got Patient" {
		t.Errorf("got %v", err)
	}
}

func TestReferenceID(t *testing.T) {
	tests := []struct {
		ref, typ, want string
		ok             bool
	}{
		{"Patient/123", "Patient", "123", true},
		{"Patient/123", "", "123", true},
		{"Patient/123", "Condition", "", false},
		{"Patient/123/_history/4", "Patient", "123", true},
		{"https://ehr.example/fhir/r4/Patient/123", "Patient", "123", true},
		{"urn:uuid:abc-1", "Patient", "abc-1", true},
		{"#med1", "Medication", "", false},
		{"Practitioner?identifier=x|1", "Practitioner", "", false},
		{"", "Patient", "", false},
		{"123", "Patient", "", false},
	}
	for _, tt := range tests {
		got, ok := Reference{Reference: tt.ref}.ID(tt.typ)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ID(%q, %q) = %q, %v; want %q, %v", tt.ref, tt.typ, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCodeableConcept(t *testing.T) {
	c := CodeableConcept{Coding: []Coding{{System: "s", Code: "1"}, {System: "t", Code: "2", Display: "Two"}}}
	if c.Label() != "Two" || !c.HasCode("t", "2") || c.HasCode("s", "2") || !c.HasCode("", "1") {
		t.Errorf("got %q", c.Label())
	}
	if got := strings.Join(c.Codes(), ","); got != "1,2" {
		t.Errorf("Codes = %q", got)
	}
	c.Text = "text"
	if c.Label() != "text" || (CodeableConcept{Coding: []Coding{{Code: "x"}}}).Label() != "x" {
		t.Error("Label")
	}
}

func TestActive(t *testing.T) {
	cc := func(code string) CodeableConcept {
		if code == "" {
			return CodeableConcept{}
		}
		return CodeableConcept{Coding: []Coding{{Code: code}}}
	}
	tests := []struct {
		clinical, verification string
		want                   bool
	}{
		{"active", "confirmed", true},
		{"recurrence", "", true},
		{"relapse", "", true},
		{"", "", true},
		{"resolved", "confirmed", false},
		{"inactive", "", false},
		{"active", "refuted", false},
		{"", "entered-in-error", false},
	}
	for _, tt := range tests {
		c := &Condition{ClinicalStatus: cc(tt.clinical), VerificationStatus: cc(tt.verification)}
		if c.Active() != tt.want {
			t.Errorf("Condition %s/%s: Active = %v", tt.clinical, tt.verification, !tt.want)
		}
		a := &AllergyIntolerance{ClinicalStatus: cc(tt.clinical), VerificationStatus: cc(tt.verification)}
		wantA := tt.want && tt.clinical != "recurrence" && tt.clinical != "relapse"
		if a.Active() != wantA {
			t.Errorf("Allergy %s/%s: Active = %v", tt.clinical, tt.verification, !wantA)
		}
	}
}

func TestPatientAge(t *testing.T) {
	at := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		birth, died string
		want        int
		ok          bool
	}{
		{"2000-05-10", "", 24, true},
		{"2000-05-11", "", 23, true},
		{"1927-05-21", "2001-01-01T00:00:00Z", 73, true},
		{"2000-05", "", 0, false},
		{"2030-01-01", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		p := &Patient{BirthDate: tt.birth, DeceasedDateTime: tt.died}
		if got, ok := p.Age(at); got != tt.want || ok != tt.ok {
			t.Errorf("Age(%s, died %s) = %d, %v; want %d, %v", tt.birth, tt.died, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2020", "2020-05", "2020-05-01", "2020-05-01T10:30:00+02:00", "2020-05-01T10:30:00.123Z", "2020-05-01T10:30:00"} {
		if _, err := ParseDate(s); err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "May 2020", "2020-13", "20"} {
		_, err := ParseDate(s)
		if err == nil {
			t.Errorf("ParseDate(%q) succeeded", s)
		} else if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error quotes the input: %v", err)
		}
	}
	docs := []*DocumentReference{
		{Date: ""},
		{Date: "2021-01-01T00:00:00Z"},
		{Context: DocumentContext{Period: Period{Start: "2019"}}},
		{Content: []DocumentContent{{Attachment: Attachment{Creation: "2020-06"}}}},
	}
	SortByDate(docs, (*DocumentReference).When)
	var got []string
	for _, d := range docs {
		got = append(got, d.When())
	}
	if strings.Join(got, ",") != "2019,2020-06,2021-01-01T00:00:00Z," {
		t.Errorf("sorted: %q", got)
	}
}
