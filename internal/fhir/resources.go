package fhir

import (
	"encoding/json"
	"time"
)

// Base holds what every resource has: its type, id and metadata, and the
// exact JSON it was parsed from. Each resource type embeds it, so Base's
// methods make each one a [Resource].
type Base struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	Meta         *Meta  `json:"meta,omitempty"`
	// Raw is the exact source JSON of the resource, set by [Parse] and
	// [Bundle.Resources] (a copy: changing it changes nothing else). It
	// holds the fields the struct does not model, so a caller can re-emit
	// or patch the original. Marshalling the struct ignores it.
	Raw json.RawMessage `json:"-"`
}

// Type returns the resourceType.
func (b *Base) Type() string { return b.ResourceType }

// GetID returns the resource id.
func (b *Base) GetID() string { return b.ID }

// Source returns the JSON the resource was parsed from (Raw).
func (b *Base) Source() json.RawMessage { return b.Raw }

// Patient is the FHIR R4 Patient resource, reduced to demographics.
type Patient struct {
	Base
	Identifier       []Identifier `json:"identifier,omitempty"`
	Active           *bool        `json:"active,omitempty"`
	Name             []HumanName  `json:"name,omitempty"`
	Gender           string       `json:"gender,omitempty"`
	BirthDate        string       `json:"birthDate,omitempty"`
	DeceasedBoolean  *bool        `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime string       `json:"deceasedDateTime,omitempty"`
}

// Deceased reports whether the patient is recorded as deceased (a true
// deceasedBoolean or any deceasedDateTime).
func (p *Patient) Deceased() bool {
	return p.DeceasedDateTime != "" || (p.DeceasedBoolean != nil && *p.DeceasedBoolean)
}

// Age returns the patient's age in completed years at the time at, or at
// death when deceasedDateTime is earlier. It needs a full birthDate
// (YYYY-MM-DD): with none, a partial one, or at before birth, it returns
// false.
func (p *Patient) Age(at time.Time) (int, bool) {
	if len(p.BirthDate) != len("2006-01-02") {
		return 0, false
	}
	birth, err := ParseDate(p.BirthDate)
	if err != nil {
		return 0, false
	}
	if d, err := ParseDate(p.DeceasedDateTime); err == nil && d.Before(at) {
		at = d
	}
	// Compare calendar dates in the birth date's terms (no zone).
	y, m, d := at.Date()
	by, bm, bd := birth.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return age, true
}

// DisplayName returns the patient's official name (else usual, else the
// first) as text; "" when there is none.
func (p *Patient) DisplayName() string {
	for _, use := range []string{"official", "usual"} {
		for _, n := range p.Name {
			if n.Use == use {
				return n.String()
			}
		}
	}
	if len(p.Name) > 0 {
		return p.Name[0].String()
	}
	return ""
}

// Condition is the FHIR R4 Condition resource (a problem or diagnosis).
type Condition struct {
	Base
	ClinicalStatus     CodeableConcept   `json:"clinicalStatus,omitzero"`
	VerificationStatus CodeableConcept   `json:"verificationStatus,omitzero"`
	Category           []CodeableConcept `json:"category,omitempty"`
	Severity           CodeableConcept   `json:"severity,omitzero"`
	Code               CodeableConcept   `json:"code,omitzero"`
	Subject            Reference         `json:"subject,omitzero"`
	Encounter          Reference         `json:"encounter,omitzero"`
	OnsetDateTime      string            `json:"onsetDateTime,omitempty"`
	AbatementDateTime  string            `json:"abatementDateTime,omitempty"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Note               []Annotation      `json:"note,omitempty"`
}

// Active reports whether the condition counts as current: clinicalStatus
// active, recurrence or relapse (or absent), and verificationStatus
// neither refuted nor entered-in-error.
func (c *Condition) Active() bool {
	if c.VerificationStatus.hasAnyCode("refuted", "entered-in-error") {
		return false
	}
	return len(c.ClinicalStatus.Codes()) == 0 || c.ClinicalStatus.hasAnyCode("active", "recurrence", "relapse")
}

// Date returns the condition's best date: onsetDateTime, else recordedDate.
func (c *Condition) Date() string {
	return firstNonEmpty(c.OnsetDateTime, c.RecordedDate)
}

// AllergyIntolerance is the FHIR R4 AllergyIntolerance resource.
type AllergyIntolerance struct {
	Base
	ClinicalStatus     CodeableConcept `json:"clinicalStatus,omitzero"`
	VerificationStatus CodeableConcept `json:"verificationStatus,omitzero"`
	// AllergyType is FHIR's type: "allergy" or "intolerance". (The Go
	// name differs because Type is the [Resource] method.)
	AllergyType string `json:"type,omitempty"`
	// Category holds "food", "medication", "environment" or "biologic".
	Category []string `json:"category,omitempty"`
	// Criticality is "low", "high" or "unable-to-assess".
	Criticality   string            `json:"criticality,omitempty"`
	Code          CodeableConcept   `json:"code,omitzero"`
	Patient       Reference         `json:"patient,omitzero"`
	Encounter     Reference         `json:"encounter,omitzero"`
	OnsetDateTime string            `json:"onsetDateTime,omitempty"`
	RecordedDate  string            `json:"recordedDate,omitempty"`
	Note          []Annotation      `json:"note,omitempty"`
	Reaction      []AllergyReaction `json:"reaction,omitempty"`
}

// AllergyReaction is one reaction of an [AllergyIntolerance].
type AllergyReaction struct {
	Substance     CodeableConcept   `json:"substance,omitzero"`
	Manifestation []CodeableConcept `json:"manifestation,omitempty"`
	Description   string            `json:"description,omitempty"`
	Onset         string            `json:"onset,omitempty"`
	// Severity is "mild", "moderate" or "severe".
	Severity string `json:"severity,omitempty"`
}

// Active reports whether the allergy counts as current: clinicalStatus
// active (or absent), and verificationStatus neither refuted nor
// entered-in-error.
func (a *AllergyIntolerance) Active() bool {
	if a.VerificationStatus.hasAnyCode("refuted", "entered-in-error") {
		return false
	}
	return len(a.ClinicalStatus.Codes()) == 0 || a.ClinicalStatus.HasCode("", "active")
}

// Date returns the allergy's best date: onsetDateTime, else recordedDate.
func (a *AllergyIntolerance) Date() string {
	return firstNonEmpty(a.OnsetDateTime, a.RecordedDate)
}

// Medication is the FHIR R4 Medication resource, reduced to its code; a
// [MedicationRequest] may point to one instead of coding the drug inline.
type Medication struct {
	Base
	Code   CodeableConcept `json:"code,omitzero"`
	Status string          `json:"status,omitempty"`
}

// MedicationRequest is the FHIR R4 MedicationRequest resource (an order or
// prescription).
type MedicationRequest struct {
	Base
	// Contained are resources inside this one (a Medication the
	// medicationReference "#id" points to), as JSON.
	Contained                 []json.RawMessage `json:"contained,omitempty"`
	Extension                 []Extension       `json:"extension,omitempty"`
	Status                    string            `json:"status,omitempty"`
	Intent                    string            `json:"intent,omitempty"`
	Category                  []CodeableConcept `json:"category,omitempty"`
	Priority                  string            `json:"priority,omitempty"`
	MedicationCodeableConcept CodeableConcept   `json:"medicationCodeableConcept,omitzero"`
	MedicationReference       Reference         `json:"medicationReference,omitzero"`
	Subject                   Reference         `json:"subject,omitzero"`
	Encounter                 Reference         `json:"encounter,omitzero"`
	AuthoredOn                string            `json:"authoredOn,omitempty"`
	Requester                 Reference         `json:"requester,omitzero"`
	ReasonCode                []CodeableConcept `json:"reasonCode,omitempty"`
	ReasonReference           []Reference       `json:"reasonReference,omitempty"`
	Insurance                 []Reference       `json:"insurance,omitempty"`
	Note                      []Annotation      `json:"note,omitempty"`
	DosageInstruction         []Dosage          `json:"dosageInstruction,omitempty"`
	DispenseRequest           DispenseRequest   `json:"dispenseRequest,omitzero"`
}

// Dosage is how a medication is to be taken, reduced to its text.
type Dosage struct {
	Sequence *int64 `json:"sequence,omitempty"`
	Text     string `json:"text,omitempty"`
}

// DispenseRequest is the supply part of a [MedicationRequest].
type DispenseRequest struct {
	Quantity               Quantity `json:"quantity,omitzero"`
	NumberOfRepeatsAllowed *int64   `json:"numberOfRepeatsAllowed,omitempty"`
	ExpectedSupplyDuration Quantity `json:"expectedSupplyDuration,omitzero"`
}

// Medication returns the drug ordered: medicationCodeableConcept when
// set, else the code of the Medication that medicationReference points to,
// looked up among the contained resources ("#id") or in others (by id, as
// [Reference.ID] reads it; others is typically a bundle's resources). It
// returns false when the medication cannot be found.
func (m *MedicationRequest) Medication(others []Resource) (CodeableConcept, bool) {
	if len(m.MedicationCodeableConcept.Coding) > 0 || m.MedicationCodeableConcept.Text != "" {
		return m.MedicationCodeableConcept, true
	}
	ref := m.MedicationReference.Reference
	if len(ref) > 1 && ref[0] == '#' {
		for _, raw := range m.Contained {
			if r, err := Parse(raw); err == nil {
				if med, ok := r.(*Medication); ok && med.ID == ref[1:] {
					return med.Code, true
				}
			}
		}
		return CodeableConcept{}, false
	}
	id, ok := m.MedicationReference.ID("Medication")
	if !ok {
		return CodeableConcept{}, false
	}
	if med, ok := ByID[*Medication](others, id); ok {
		return med.Code, true
	}
	return CodeableConcept{}, false
}

// DocumentReference is the FHIR R4 DocumentReference resource (a clinical
// note and its metadata).
type DocumentReference struct {
	Base
	Status    string `json:"status,omitempty"`
	DocStatus string `json:"docStatus,omitempty"`
	// DocumentType is FHIR's type, the kind of note (LOINC). (The Go name
	// differs because Type is the [Resource] method.)
	DocumentType CodeableConcept   `json:"type,omitzero"`
	Category     []CodeableConcept `json:"category,omitempty"`
	Subject      Reference         `json:"subject,omitzero"`
	Date         string            `json:"date,omitempty"`
	Author       []Reference       `json:"author,omitempty"`
	Description  string            `json:"description,omitempty"`
	Content      []DocumentContent `json:"content,omitempty"`
	Context      DocumentContext   `json:"context,omitzero"`
}

// DocumentContent is one rendition of a [DocumentReference].
type DocumentContent struct {
	Attachment Attachment `json:"attachment"`
	Format     Coding     `json:"format,omitzero"`
}

// DocumentContext is the clinical context of a [DocumentReference].
type DocumentContext struct {
	Encounter []Reference `json:"encounter,omitempty"`
	Period    Period      `json:"period,omitzero"`
}

// When returns the document's best date: date, else context.period.start,
// else the first attachment's creation; "" when it has none.
func (d *DocumentReference) When() string {
	if w := firstNonEmpty(d.Date, d.Context.Period.Start); w != "" {
		return w
	}
	for _, c := range d.Content {
		if c.Attachment.Creation != "" {
			return c.Attachment.Creation
		}
	}
	return ""
}

// DiagnosticReport is the FHIR R4 DiagnosticReport resource (a lab panel,
// imaging report or pathology report).
type DiagnosticReport struct {
	Base
	Status            string            `json:"status,omitempty"`
	Category          []CodeableConcept `json:"category,omitempty"`
	Code              CodeableConcept   `json:"code,omitzero"`
	Subject           Reference         `json:"subject,omitzero"`
	Encounter         Reference         `json:"encounter,omitzero"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	EffectivePeriod   Period            `json:"effectivePeriod,omitzero"`
	Issued            string            `json:"issued,omitempty"`
	Result            []Reference       `json:"result,omitempty"`
	Conclusion        string            `json:"conclusion,omitempty"`
	ConclusionCode    []CodeableConcept `json:"conclusionCode,omitempty"`
	PresentedForm     []Attachment      `json:"presentedForm,omitempty"`
}

// When returns the report's best date: effectiveDateTime, else
// effectivePeriod.start, else issued.
func (r *DiagnosticReport) When() string {
	return firstNonEmpty(r.EffectiveDateTime, r.EffectivePeriod.Start, r.Issued)
}

// Coverage is the FHIR R4 Coverage resource (an insurance plan).
type Coverage struct {
	Base
	Extension []Extension `json:"extension,omitempty"`
	Status    string      `json:"status,omitempty"`
	// CoverageType is FHIR's type, the kind of plan. (The Go name differs
	// because Type is the [Resource] method.)
	CoverageType CodeableConcept `json:"type,omitzero"`
	SubscriberID string          `json:"subscriberId,omitempty"`
	Beneficiary  Reference       `json:"beneficiary,omitzero"`
	Period       Period          `json:"period,omitzero"`
	Payor        []Reference     `json:"payor,omitempty"`
	Class        []CoverageClass `json:"class,omitempty"`
}

// CoverageClass is a plan classifier of a [Coverage] (group, plan, ...).
type CoverageClass struct {
	Type  CodeableConcept `json:"type,omitzero"`
	Value string          `json:"value,omitempty"`
	Name  string          `json:"name,omitempty"`
}

// ServiceRequest is the FHIR R4 ServiceRequest resource (an order for a
// procedure, test or referral), reduced to what CDS Hooks order hooks read
// and draft.
type ServiceRequest struct {
	Base
	Extension        []Extension       `json:"extension,omitempty"`
	Status           string            `json:"status,omitempty"`
	Intent           string            `json:"intent,omitempty"`
	Category         []CodeableConcept `json:"category,omitempty"`
	Code             CodeableConcept   `json:"code,omitzero"`
	QuantityQuantity Quantity          `json:"quantityQuantity,omitzero"`
	Subject          Reference         `json:"subject,omitzero"`
	Encounter        Reference         `json:"encounter,omitzero"`
	AuthoredOn       string            `json:"authoredOn,omitempty"`
	Requester        Reference         `json:"requester,omitzero"`
	LocationCode     []CodeableConcept `json:"locationCode,omitempty"`
	ReasonCode       []CodeableConcept `json:"reasonCode,omitempty"`
	Insurance        []Reference       `json:"insurance,omitempty"`
	Note             []Annotation      `json:"note,omitempty"`
}

// DeviceRequest is the FHIR R4 DeviceRequest resource (an order for a
// device), reduced like [ServiceRequest]. In R4 its code is code[x]
// (codeCodeableConcept or codeReference) and it has no quantity or
// locationCode.
type DeviceRequest struct {
	Base
	Extension           []Extension       `json:"extension,omitempty"`
	Status              string            `json:"status,omitempty"`
	Intent              string            `json:"intent,omitempty"`
	CodeCodeableConcept CodeableConcept   `json:"codeCodeableConcept,omitzero"`
	CodeReference       Reference         `json:"codeReference,omitzero"`
	Subject             Reference         `json:"subject,omitzero"`
	Encounter           Reference         `json:"encounter,omitzero"`
	AuthoredOn          string            `json:"authoredOn,omitempty"`
	Requester           Reference         `json:"requester,omitzero"`
	ReasonCode          []CodeableConcept `json:"reasonCode,omitempty"`
	Insurance           []Reference       `json:"insurance,omitempty"`
	Note                []Annotation      `json:"note,omitempty"`
}

// Binary is the FHIR R4 Binary resource: raw content, base64-encoded in
// Data, as a server answers a read of Binary/<id> in JSON.
type Binary struct {
	Base
	ContentType string `json:"contentType,omitempty"`
	Data        string `json:"data,omitempty"`
}

// Unknown is a resource of a type this package does not model. Marshalling
// it writes Raw unchanged.
type Unknown struct {
	Base
}

// MarshalJSON writes the resource's source JSON, or its type and id when
// there is none.
func (u *Unknown) MarshalJSON() ([]byte, error) {
	if len(u.Raw) > 0 {
		return u.Raw, nil
	}
	return json.Marshal(u.Base)
}

// firstNonEmpty returns the first non-empty string of ss.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
