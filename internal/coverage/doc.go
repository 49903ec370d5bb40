// Package coverage holds a payer's coverage rules for Da Vinci Coverage
// Requirements Discovery (CRD) and turns them into the CRD
// coverage-information extension that osler-crd adds to draft orders.
//
// # CRD version
//
// The extension, its value sets and its invariants follow the Da Vinci
// CRD implementation guide STU 2.2 (version 2.2.1, the latest release:
// HL7/davinci-crd tag 2.2.1, input/fsh/extensions/CoverageInformation.fsh
// and input/fsh/valuesets/CoverageInformationValuesets.fsh; published at
// http://hl7.org/fhir/us/davinci-crd/). The extension URL is
// [ExtensionURL]. Against STU 2.1.0 the differences that matter here are
// the code "indeterminate" (covered, pa-needed, doc-needed), the
// info-needed code "detail-code", the required detail category, and the
// invariants crd-ci-q8 and crd-ci-q9; STU 2.0 had a doc-needed code "both",
// which is gone: list clinical and admin.
//
// # Rules file
//
// A rules file is JSON (.json) or YAML (.yaml, .yml), chosen by the file
// name's extension:
//
//	version: 1
//	payer: {id: acme-health, name: Acme Health}
//	defaults: {questionnaire_base: "https://payer.example/Questionnaire/"}
//	rules:
//	  - id: lumbar-mri
//	    description: MRI lumbar spine needs prior authorization for adults
//	    codes:
//	      - {system: cpt, code: "72148"}
//	    when:
//	      age: {min: 18}
//	    coverage:
//	      covered: covered
//	      pa_needed: auth-needed
//	      doc_needed: clinical
//	      doc_purpose: withpa
//	      questionnaire: lumbar-mri
//	      reason: "Policy 12.3: advanced imaging of the lumbar spine"
//
// A rule names order codes ({system, code}; system is an alias — cpt,
// hcpcs, rxnorm, snomed, icd10cm, loinc — or a full URI), optional
// conditions under when (age, gender, diagnoses any/none with "M54.*"
// prefixes, quantity, place_of_service; all must hold), and the payer's
// answer under coverage, in the extension's own codes. docs/CRD_RULES.md is
// the full reference; docs/examples/crd-rules.yaml is a
// complete example.
//
// [Parse] validates strictly: unknown or duplicate fields, wrong types,
// codes outside the CRD value sets, duplicate rule ids, empty code lists,
// unknown system aliases, min above max, rules no order can reach, and
// answers that would break the extension's invariants (crd-ci-q1 to q9).
// Every problem is reported, each as a [*FieldError] with the file, line,
// field path and value, joined with errors.Join.
//
// # Evaluation
//
// [Rules.Evaluate] returns the decision of the first rule in file order
// that names one of the order's codes and whose conditions all hold, so
// put specific rules (with conditions) above general ones; Parse rejects a
// rule that an earlier unconditional rule makes unreachable. When no rule
// applies, Evaluate returns nothing and the order is not flagged, not even
// with "no-auth": the payer's file is the authority, and its silence means
// Osler has nothing to assert. A rule that answers covered and no-auth is
// a real answer: it yields an extension, but [Decision.NeedsAction] is
// false, so no card.
//
// A condition on a fact the caller does not know does not hold: a rule
// with an age condition does not apply to a patient of unknown age, nor
// a quantity condition to an order without a quantity. Put an
// unconditional rule for the same codes below it to answer those orders.
//
// [Decision.Extension] builds the extension and [AddExtension] adds it to
// the order's JSON, replacing an earlier one with the same
// coverage-assertion-id, which is deterministic ([AssertionID]): the same
// order under the same rule always gets the same id.
package coverage
