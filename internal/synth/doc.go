// Package synth generates synthetic clinical text with reference labels and
// summaries: Osler's embedded default dataset. `osler demo` and most tests
// train and evaluate on it, so it needs no network, no files and no real
// patients.
//
// Everything it writes is fake. Patients have no names (people appear only
// as de-identification placeholders such as "Dr. ___", "XXXX" or
// "[**Name (NI) **]"), dates are placeholders, and the clinical content is
// assembled from vocabularies in this package. It is realistic enough to
// train on, in the formats and phrasings real notes use, but it is not
// medical knowledge: never use it for care.
//
// # Kinds
//
// [Kinds] lists what the generator makes, with each label vocabulary:
//
//   - nursing-notes (summarization): nursing and ED notes for chest pain,
//     dyspnea, falls, sepsis, stroke, GI bleeding, hypoglycemia and other
//     presentations, charted as narrative, SOAP or DAR notes with vitals,
//     timed medications and interventions, negations ("Denies N/V", "No
//     LOC") and the abbreviations nurses use; the summary is one line of
//     symptom, diagnosis and key actions ("Chest pain, anterior STEMI, cath
//     lab, PCI.").
//   - radiology (summarization): chest radiographs, head CTs, abdominal
//     ultrasounds and extremity radiographs with EXAMINATION, INDICATION,
//     TECHNIQUE, COMPARISON and FINDINGS sections; the summary is the
//     IMPRESSION. Findings and impression come from one structured draw,
//     so they agree on what is present, on laterality and on measurements,
//     while impressions are phrased in many ways.
//   - ade (binary classification): case-report sentences labelled
//     Adverse_Event or Not_AE as in the ADE Corpus V2, about 20% positive
//     ([Options.PositiveRate]). Negatives include the hard cases: drugs
//     given for an indication, reactions without a drug, negated and
//     hypothetical reactions, drugs treating a reaction, and sentences
//     built like adverse-event reports whose cause is not the drug. As in
//     real corpora, some sentences state a possible but unproven link and
//     are labelled either way (a fifth of the positives and as many
//     negatives), so classifiers cannot be perfect: a TF-IDF + logistic
//     regression baseline reaches an F1 near 0.88. Each Adverse_Event
//     sample carries its drug/effect [Relation]s, written by
//     [RelationWriter] in the shared relations format.
//   - multilabel (multi-label classification): clinic notes tagged with the
//     chronic problems the visit addresses, long-tailed, with five labels
//     under 1% of records. A label is a problem with its own entry in the
//     assessment and plan; notes also name problems that are not labels
//     (on the problem and medication lists but not addressed today, in the
//     family history, negative screens, resolved conditions).
//
// # Determinism and streaming
//
// A [Generator] makes record i from (kind, seed, options, i) alone, with a
// PCG from math/rand/v2 reseeded per record. The same options give the
// same bytes on every machine, n records are a prefix of n+1, and records
// are produced one at a time ([Generator.Generate] with a callback) in
// constant memory. Record IDs look like "synth-ade-000123".
//
// [Options.NearDupRate] (default 0) turns a share of records into
// deliberate near-duplicates of recent ones, as copied-forward notes are:
// same labels or summary, text differing only in letter case and
// punctuation, so they share an internal/text NearDupKey. Originals are
// unchanged by the option and [Sample.DuplicateOf] names the original.
//
// # Vocabularies
//
// The vocabularies are JSON files in data/, embedded in the binary and
// decoded (strictly: unknown keys are errors) the first time a kind is
// used: nursing.json, radiology.json, ade.json and multilabel.json. Each
// file is one object whose keys are documented on the Go type it decodes
// into (nursingFile, radiologyFile, adeFile, multiLabelFile); lists hold
// one phrase a line, so a change reads as a one-line diff. The order of
// every list matters: the generator draws by index, so reordering a list
// changes the output for a seed (TestGolden and TestOutputHashes show it).
//
// Phrases are templates in a small notation (see template.go): {a|b}
// picks one alternative, [a] is optional, <slot> is a value the generator
// fills in (a drug, a side, a size), {#2-9} and {#1.2-4.8} are numbers in
// a range, and a backslash escapes a special character ("SBP \\<90" in
// JSON, a template "SBP \<90"). To add variety, add alternatives or whole
// phrases:
//
//   - nursing.json: "presentations", each with its complaints (each
//     "charted => summary"), history, exam and "diagnoses"; a diagnosis
//     has its vital-sign ranges ("temp" in tenths of a degree F), findings,
//     medications, "acts" (interventions, each charted with a "chance"
//     (always when absent) and named in the summary by "summary") and
//     "dispo" (dispositions); then the phrasings all presentations share.
//   - radiology.json: "phrases", one object per study (chest, ctHead,
//     abdomenUS, extremity) whose keys are the statements the report code
//     makes (radTemplates; F for findings sentences, I for impression
//     sentences), and "extremityParts".
//   - ade.json: "drugs" (drug lines, below), "effects" ("term | groups"
//     lines: the reactions a drug of those effect groups is plausibly
//     blamed for) and "treatments" ("name | groups"), then the sentence
//     templates: "adverseEvent", "ambiguous" and "notAE", the negatives
//     grouped by the reason they are not adverse events, each group with
//     its weight.
//   - multilabel.json: "problems", one per label with its target
//     prevalence and phrasings, then the phrasings of the rest of the
//     note.
//
// A drug line is
//
//	names | class | dose amounts | unit and frequency | route | indications | effect groups
//
// where names are the generic name first, then abbreviations used in case
// reports ("methotrexate;MTX"), several indications are separated by ";"
// and sentences pick a reaction from the drug's effect groups most of the
// time. Every name must be a generic (no brand names) and must not contain
// ", " or ". ".
//
// A file that does not decode, lacks a list or has a template with a
// syntax error or an unknown slot panics when its kind is first used,
// naming the file; the package tests decode and exercise every file, so a
// mistake never reaches a user. The tests also check that what is
// generated stays consistent: run them after any change.
package synth
