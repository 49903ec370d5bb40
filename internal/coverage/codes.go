package coverage

import (
	"strings"
)

// Canonical FHIR code system URIs, as the CRD IG's aliases.fsh and HL7
// Terminology (THO) write them.
const (
	SystemCPT      = "http://www.ama-assn.org/go/cpt"
	SystemHCPCS    = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
	SystemRxNorm   = "http://www.nlm.nih.gov/research/umls/rxnorm"
	SystemSNOMED   = "http://snomed.info/sct"
	SystemICD10CM  = "http://hl7.org/fhir/sid/icd-10-cm"
	SystemLOINC    = "http://loinc.org"
	SystemPOS      = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
	SystemNullFlav = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
	// SystemCoverageDetail is the default system of a detail code: THO's
	// crd-coverage-detail, which the IG's CRDCoverageDetailCodesNew value
	// set includes.
	SystemCoverageDetail = "http://terminology.hl7.org/CodeSystem/crd-coverage-detail"
)

// systemAliases are the short names a rules file may use for a system.
var systemAliases = map[string]string{
	"cpt":     SystemCPT,
	"hcpcs":   SystemHCPCS,
	"rxnorm":  SystemRxNorm,
	"snomed":  SystemSNOMED,
	"icd10cm": SystemICD10CM,
	"loinc":   SystemLOINC,
}

// systemVariants are other spellings of the same systems seen in FHIR
// data (http instead of https, OIDs), so an order coded either way
// matches a rule.
var systemVariants = map[string]string{
	"http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": SystemHCPCS,
	"urn:oid:2.16.840.1.113883.6.12":                          SystemCPT,
	"urn:oid:2.16.840.1.113883.6.285":                         SystemHCPCS,
	"urn:oid:2.16.840.1.113883.6.88":                          SystemRxNorm,
	"urn:oid:2.16.840.1.113883.6.96":                          SystemSNOMED,
	"urn:oid:2.16.840.1.113883.6.90":                          SystemICD10CM,
	"urn:oid:2.16.840.1.113883.6.1":                           SystemLOINC,
}

// canonicalSystem returns the canonical URI for an alias, a variant or a
// URI, and false for a name that is neither an alias nor a URI.
func canonicalSystem(s string) (string, bool) {
	if u, ok := systemAliases[strings.ToLower(s)]; ok {
		return u, true
	}
	if u, ok := systemVariants[s]; ok {
		return u, true
	}
	if strings.Contains(s, ":") && !strings.ContainsAny(s, " \t\n") {
		return s, true
	}
	return "", false
}

// normCode returns a code as compared: ICD-10-CM codes ignore case and
// the dot ("m54.5" = "M545"); other systems compare exactly.
func normCode(system, code string) string {
	if system == SystemICD10CM {
		return strings.ToUpper(strings.ReplaceAll(code, ".", ""))
	}
	return code
}

// The CRD value sets the extension's codes are bound to (all required
// bindings), from HL7/davinci-crd tag 2.2.1, input/fsh/valuesets/
// CoverageInformationValuesets.fsh.
var (
	// CRDCoveredInfo.
	coveredCodes = []string{"covered", "not-covered", "conditional", "indeterminate"}
	// CRDCoveragePaDetail.
	paNeededCodes = []string{"no-auth", "auth-needed", "satisfied", "performpa", "conditional", "indeterminate"}
	// CRDAdditionalDoc. ("both" was in STU 2.0 and is gone: list clinical and admin.)
	docNeededCodes = []string{"clinical", "admin", "patient", "conditional", "indeterminate"}
	// CRDDocReason.
	docPurposeCodes = []string{"withpa", "withclaim", "withorder", "retain-doc", "OTH"}
	// CRDInformationNeeded.
	infoNeededCodes = []string{"performer", "location", "timeframe", "contract-window", "detail-code", "OTH"}
	// CRDCoverageDetailCategories.
	detailCategoryCodes = []string{"cat-limitation", "cat-decisional", "cat-other"}
	// FHIR administrative-gender, what Patient.gender holds.
	genderCodes = []string{"male", "female", "other", "unknown"}
)
