package cdshooks

import "github.com/osler-health/osler/internal/fhir"

// patientOf returns the id of the patient a resource is about ("" when
// it names none).
func patientOf(r fhir.Resource) string {
	var ref fhir.Reference
	switch r := r.(type) {
	case *fhir.Patient:
		return r.ID
	case *fhir.Condition:
		ref = r.Subject
	case *fhir.AllergyIntolerance:
		ref = r.Patient
	case *fhir.MedicationRequest:
		ref = r.Subject
	case *fhir.DocumentReference:
		ref = r.Subject
	case *fhir.DiagnosticReport:
		ref = r.Subject
	case *fhir.Coverage:
		ref = r.Beneficiary
	case *fhir.ServiceRequest:
		ref = r.Subject
	case *fhir.DeviceRequest:
		ref = r.Subject
	default:
		return ""
	}
	id, _ := ref.ID("Patient")
	return id
}

// statusOf returns a resource's status element.
func statusOf(r fhir.Resource) string {
	switch r := r.(type) {
	case *fhir.MedicationRequest:
		return r.Status
	case *fhir.DocumentReference:
		return r.Status
	case *fhir.DiagnosticReport:
		return r.Status
	case *fhir.Coverage:
		return r.Status
	case *fhir.ServiceRequest:
		return r.Status
	case *fhir.DeviceRequest:
		return r.Status
	}
	return ""
}

// clinicalStatusOf returns the code of a resource's clinicalStatus.
func clinicalStatusOf(r fhir.Resource) string {
	var cc fhir.CodeableConcept
	switch r := r.(type) {
	case *fhir.Condition:
		cc = r.ClinicalStatus
	case *fhir.AllergyIntolerance:
		cc = r.ClinicalStatus
	}
	if len(cc.Coding) == 0 {
		return ""
	}
	return cc.Coding[0].Code
}

// resourceDate is the date a search's _sort=date orders a resource by.
func resourceDate(r fhir.Resource) string {
	switch r := r.(type) {
	case *fhir.Condition:
		if r.RecordedDate != "" {
			return r.RecordedDate
		}
		return r.OnsetDateTime
	case *fhir.AllergyIntolerance:
		return r.Date()
	case *fhir.MedicationRequest:
		return r.AuthoredOn
	case *fhir.DocumentReference:
		return r.When()
	case *fhir.DiagnosticReport:
		return reportDate(r)
	case *fhir.Coverage:
		return r.Period.Start
	case *fhir.ServiceRequest:
		return r.AuthoredOn
	case *fhir.DeviceRequest:
		return r.AuthoredOn
	}
	return ""
}
