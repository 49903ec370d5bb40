// Package clinical reads the claims a clinician reads in a text and checks
// a summary's claims against its source: the faithfulness check behind
// `osler eval faithfulness`, the guard in every Osler summarizer, and the
// warnings the server returns.
//
// # Claims
//
// [Extractor.Extract] splits a text into sentences (internal/text, with
// sections) and finds, per sentence:
//
//   - concepts from a curated vocabulary ([Lexicon]): findings with a
//     severity (pneumothorax and free air are critical; opacity, effusion
//     and edema acute; cardiomegaly significant; atelectasis minor;
//     granuloma chronic), lines and tubes, procedures and drugs, each with
//     synonyms and groups (opacity ≈ airspace disease ≈ infiltrate ≈
//     consolidation), and region statements ("heart size is normal" denies
//     cardiomegaly, "lungs are clear" denies opacity);
//   - each concept's assertion, as ConText does (Harkema et al. 2009):
//     affirmed, negated, uncertain, historical, hypothetical or family,
//     from trigger phrases with a direction and a scope that ends at a
//     terminator ("but", "which"), a sentence or clause mark, a comma that
//     opens a new clause, or a window of words; the nearest trigger wins,
//     except that a negation covering both a concept and a nearer trigger
//     wins ("no consolidation to suggest pneumonia"). Sections set the
//     default (family history, past history, indication);
//   - its side (left, right, bilateral), zone (upper, middle, lower) and
//     degree (small, moderate, large) from the words of its clause;
//   - normal statements ("No acute cardiopulmonary abnormality", "Normal
//     chest"), comparison and temporal words (stable, increased, new,
//     resolved, since prior, known, chronic), measurements with units,
//     communication statements (notified, discussed with, by telephone),
//     de-identification placeholders and lobes that do not exist ("left
//     middle lobe").
//
// It is a lexicon-and-rules reader, not a parser: fast (tens of
// thousands of reports per second per core), predictable, and explainable
// span by span.
//
// # The check
//
// [Checker.Check] compares a summary with its source. A summary's claim is
// unsupported when the source does not state it (a finding, a side, a
// zone, a degree, a comparison, a measurement, a communication, a
// placeholder from another report, a certainty the source does not have)
// and contradicted when the source says the opposite (a negation or side
// flipped, a normal statement over an acute finding). Critical findings of
// the source that the summary omits are reported, and called
// contradictions when the summary calls the study normal; lines, tubes and
// significant findings it omits are reported as omissions.
//
// What it cannot see: meaning outside its vocabulary (a finding it has no
// words for is neither checked nor counted), paraphrase beyond synonyms
// and groups, relations between findings ("effusion causing collapse"),
// and whether a claim is true of the patient: it checks a summary against
// its source, not the source against the world. docs/FAITHFULNESS.md
// explains it with examples.
//
// # The lexicon
//
// The vocabulary lives in lexicon/*.txt, embedded in the binary, in a
// line format users extend with their own file ([LoadLexicon]):
//
//	finding pneumothorax group=pneumothorax severity=critical: pneumothorax, ptx
//	trigger negated forward: no, without, negative for
//	side left: left, left sided
//
// Phrases allow choices, "(a|b)", and optional words, "[a|b]". Concept
// kinds take group=, severity=, explains= (a finding that accounts for
// another: "opacity, likely atelectasis"), implies= (groups without which
// a finding is not seen: a text denying them all denies it, as "no
// focal consolidation" denies a pneumonia)
// and side=no, and the flags acute-only, escalates and report. "ignore"
// lists phrases that hold a concept's words but name none ("mass
// effect"); "ignore zone" (or side, degree, comparison, trigger) does the
// same for another layer ("apex anterior angulation" is no zone). Why hand-written: no maintained Go
// library does clinical assertion detection, and the Python ones (pyConText,
// medspaCy) would bring a Python runtime into a single static binary.
package clinical
