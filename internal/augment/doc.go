// Package augment writes synthetic training examples for one label with a
// language model, few-shot, and keeps only those that are new, safe to
// train on and traceable.
//
// # What it is for
//
// A classifier's rare labels often have a handful of examples. [Generate]
// shows a model k real training examples of the label (drawn by seed,
// without replacement within a prompt) and a few examples of other labels
// as contrast, asks for a batch of new sentences as a JSON array, and
// repeats until it has the rows asked for or its call budget is spent. The
// prompt tells the model the text is synthetic and must carry no real
// patient identifiers.
//
// # Parsing
//
// Models do not always answer in the shape asked for. [Parse] accepts a
// JSON array of strings, a JSON array of objects with a "text" field, a
// JSON object holding such a list, numbered or bulleted lines, any of these
// inside a Markdown code fence or after a line of prose, and strips list
// numbering and quotes. A reply with nothing usable is malformed: the same
// prompt is sent again, a bounded number of times, and a prompt whose
// replies stay malformed is counted and given up.
//
// # Filters
//
// Each candidate row passes these checks, in order; the first it fails is
// the reason it is dropped, and each reason is counted in [Dropped]:
//
//  1. shape: not empty, not too short or too long, some letters;
//  2. an exact copy (text.ExactKey) of a training text, of any label;
//  3. an exact copy of a row already generated in this run;
//  4. a near-duplicate (text.NearDupKey: the same words up to case,
//     spacing and punctuation, as osler data validate and split use) of a
//     training text;
//  5. a near-duplicate of a row already generated in this run;
//  6. the contamination guard: a near-duplicate of a Guard record;
//  7. the optional verifier's score below MinScore.
//
// Copies of training rows add nothing but weight, and near-copies teach
// the classifier to memorise. The guard matters more: Guard holds the dev
// and test records, and a model shown real notes can reproduce text it
// has seen elsewhere, including notes that ended up in the test set. A
// synthetic row that repeats a test note would leak the answer into
// training and make every score measured on that test set a lie, so a
// guarded row is never written, whatever the other checks say, and the
// refusals are counted on their own ([Dropped.Guard]) so that a run which
// keeps hitting the guard is visible.
//
// # Provenance
//
// Every kept row is a dataset.Record with an id "synth-<label>-<n>", the
// label, and a dataset.Provenance in Record.Synthetic: the backend and
// model, the SHA-256 of the prompt that produced it, the seed, and the ids
// of the training records the prompt showed. The JSONL writer keeps it as
// the "synthetic" object, and osler data validate counts such rows, so a
// synthetic row can always be told from a real one and traced back.
//
// The same options and seed give the same prompts; with a model that
// answers a prompt deterministically they give the same rows.
//
// Prompts and replies carry training text: nothing here logs them, and
// errors name counts and ids only.
package augment
