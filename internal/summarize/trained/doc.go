// Package trained is the summarizer Osler trains itself, on a CPU, in
// seconds to a minute, from (source, summary) pairs such as radiology
// findings and their impressions, or transcriptions and their one-line
// descriptions.
//
// # How it summarizes
//
// For a new document the model builds candidate summaries and lets a
// learned ranker pick one:
//
//   - retrieval: the summaries of the most similar training sources (TF-IDF
//     cosine over the FINDINGS section when the document has one);
//   - the most frequent training summaries (the "normal study" phrases);
//   - extraction: source sentences ranked by a supervised sentence scorer (a
//     logistic regression over hashed words and bigrams, negated words kept
//     apart, trained to predict how much of a sentence the reference keeps),
//     alone, shortened ("There is a small effusion." → "Small effusion.",
//     never dropping a negation cue) and combined in twos and threes;
//   - a frequent summary combined with the best sentence.
//
// # The faithfulness guard
//
// Every candidate is checked against the document with internal/clinical
// before the ranker sees it. A candidate with a claim the document does
// not back (a finding, side, zone, size, comparison, measurement,
// communication or placeholder it does not state, a negation or side
// flipped, a normal statement over an acute or critical finding) is
// removed; a reused summary whose only trouble is its side is first
// adapted by swapping left and right, and kept when that mends it. Of the
// rest, the candidates that omit the fewest critical findings of the
// document are kept, then those that omit the fewest lines, tubes and
// significant findings. The guard runs in training too (the ranker learns
// on guarded candidates), and every summary carries the check of the
// chosen candidate as warnings. [Options.MinReuseSimilarity] keeps
// specific summaries of dissimilar reports out.
//
// The ranker is an average of gradient-boosted tree ensembles trained with
// a listwise (ListNet) loss on features of each candidate and document:
// similarity and vote of the neighbours behind a reused summary, consensus
// with the neighbours' summaries (expected ROUGE, as in minimum-Bayes-risk
// decoding), how often it appears in training, how well the source backs
// it, how much of the salient source content it covers, the sentence
// scores behind an extract, and how "normal" the nearest reports are. Its
// training data are leave-one-out: each training document's candidates are
// retrieved without it (and without sources identical to it) and scored
// with a sentence scorer that did not see it, so the ranker learns on the
// same kind of candidates it will meet.
//
// # Explainability
//
// Every summary comes with a [summarize.Provenance]: the method
// (trained:retrieval, trained:retrieval-adapted, trained:extractive,
// trained:combined, trained:frequent), the training examples whose summary
// was reused (with similarities and their summaries), the source
// sentences used (indices into [text.SplitSentences] of the source), notes
// on routing (normal or abnormal study) and adaptation, and the guard's
// record: candidates removed, and the retrieved summaries it refused with
// why. Its warnings are the check of the summary against the source.
//
// # Artifacts
//
// [Model.Save] writes a directory (model.json, model.bin, SHA256SUMS)
// atomically; [Load] and [LoadFS] verify it before use: checksums first,
// then everything read from it is bounded, because a re-signed artifact
// must not make the loader or a later summary panic, hang or exhaust
// memory (model.bin expands to at most 1 GiB; its options must pass
// [Options.Validate], whose limits such as [MaxNeighborsLimit] bound the
// candidates of every summary; ranker trees are no deeper than the options'
// depth and no more than trees x ensemble). A model keeps the
// training summaries and TF-IDF vectors of the training sources, not the
// sources' text. [Evaluate] scores any summarizer with exact rouge-score
// ROUGE (internal/eval) on all pairs and on the abnormal ones;
// [NearestNeighbor], [MostFrequent] and [Lead] are the baselines.
//
// # Why hand-written
//
// The learning parts (TF-IDF retrieval, the hashed logistic regression,
// histogram gradient boosting with a listwise loss) are Osler's core and
// small: no pure-Go library offers listwise boosting, and the cgo ones
// (LightGBM, XGBoost bindings) would break the CGO-free single binary.
// The TF-IDF follows scikit-learn's formulas exactly so the
// nearest-neighbour baseline reproduces the published numbers.
package trained
