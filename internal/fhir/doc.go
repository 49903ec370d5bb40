// Package fhir reads and writes the few FHIR R4 resources Osler's CDS Hooks
// services use, and fetches them from an EHR's FHIR server.
//
// # Why hand-written
//
// The maintained generated Go model of FHIR R4 covers every resource and
// datatype (hundreds of thousands of lines) while a CDS Hooks service reads
// a handful of fields: a patient's age, active conditions and allergies,
// the medication being ordered, the text of recent notes, the coverage to
// check. The structs here hold only those fields, with the JSON names of
// the FHIR R4 JSON format, using encoding/json. Fields this package does
// not model are not lost: every parsed resource keeps its exact source
// JSON in Raw, so a caller can re-emit the original or patch it.
//
// # Reading
//
// [Parse] reads one resource by its resourceType and returns a typed
// pointer ([*Patient], [*Condition], [*MedicationRequest], ...) or an
// [*Unknown] for other types. [ParseBundle] and [Bundle.Resources] read a
// Bundle (a CDS Hooks prefetch entry, a search result), and [All] filters
// resources by type:
//
//	rs, err := bundle.Resources()
//	conditions := fhir.All[*fhir.Condition](rs)
//
// Errors name the field and what is wrong with it ([*ParseError]) and never
// quote a value, because the input is patient data.
//
// Dates stay strings as FHIR writes them, often partial ("2020",
// "2020-05"); [ParseDate], [CompareDates] and [SortByDate] read and order
// them. [Attachment.Text] decodes a note's text, inline or fetched.
//
// # Fetching
//
// [Client] reads resources, runs searches following next links and
// fetches binaries on one FHIR server, with a bearer token sent only to
// that server's origin, per-attempt timeouts, capped retries and a size
// limit on every answer. Its errors ([*StatusError], [ErrUnavailable],
// [ErrTooLarge]) carry URL paths but never queries, tokens or resource
// text. The package logs nothing.
package fhir
