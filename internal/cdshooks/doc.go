// Package cdshooks is Osler's CDS Hooks 2.0 service provider: the three
// decision-support services an EHR calls at the moment of care, with the
// request validation, prefetch handling and card building they share.
//
//   - osler-note-summary (patient-view) summarizes the patient's recent
//     notes and reports with the registry's newest Approved summarizer
//     into one info card, carrying the faithfulness warnings of the
//     clinical check (internal/clinical). A summary the check flags is
//     never shown: the card quotes the note's own sentences instead.
//   - osler-ade-alert (order-select, order-sign) looks for evidence that
//     the patient reacted badly to a drafted drug or its class: recorded
//     AllergyIntolerance resources, and note sentences naming the drug
//     that the newest Approved adverse-drug-event classifier flags. Each
//     drafted drug with evidence gets a warning card quoting it, a
//     suggestion to remove the draft order and override reasons.
//   - osler-crd (order-select, order-sign) answers Da Vinci Coverage
//     Requirements Discovery from a payer rules file (internal/coverage):
//     a systemAction that adds the coverage-information extension to each
//     drafted order a rule names, and an info card only when the order
//     needs prior authorization or documentation.
//
// The HTTP side (routes, JWT authentication of the EHR, limits, metrics,
// logs) is the server's; this package takes a decoded request body and
// returns the response or an [*Error] whose status the server sends (400
// for a request the specification does not allow, 404 for an unknown
// service, 412 when data the service needs was neither prefetched nor
// readable from the EHR's FHIR server).
//
// # Data
//
// Each service declares prefetch templates in discovery. For every
// template the EHR did not satisfy (key absent, or an OperationOutcome in
// its place) the service reads the query from the request's fhirServer
// with the lent access token; a key sent as null means "no data" and is
// not fetched. Resources of another patient than the context's are
// dropped. The access token and resource text are never logged, stored or
// put in an error message.
//
// [BundleSource] answers the same queries from a FHIR Bundle, so `osler
// cds call`, the web UI's preview and the tests build requests exactly as
// an EHR would from a patient's bundle.
package cdshooks
