// Package eval computes the metrics every Osler claim rests on, giving the
// same numbers as the standard tools, only faster.
//
// # ROUGE
//
// [RougeScorer] computes rouge1 to rouge9, rougeL and rougeLsum exactly as
// Google's rouge-score 0.1.2 (the implementation behind Hugging Face
// evaluate and most papers) does, to the last bit: Python's lower-casing,
// every character outside [a-z0-9] turned into a space, whitespace tokens,
// optional Porter stemming of tokens longer than 3 characters (NLTK's
// default mode), rougeL as one LCS over the whole text, rougeLsum as the
// union LCS over newline-separated sentences with clipped counts
// (ROUGE-1.5.5), and F as rouge-score computes it. Several references per
// prediction keep the best by F-measure. [TokenizerUnicode] is an explicit,
// documented alternative for non-Latin text, which the reference silently
// scores as empty; its numbers are not comparable with published ones.
//
//	scorer, err := eval.NewRougeScorer(eval.RougeOptions{Stemmer: true})
//	if err != nil { ... }
//	s := scorer.Score("No acute cardiopulmonary process.", "No acute process.")
//	fmt.Println(s[eval.RougeL].FMeasure)
//
// A scorer is safe for concurrent use. [RougeScorer.AppendScores] is the
// allocation-free form for many pairs; [RougeScorer.ScoreStream] scores a
// stream of pairs on all cores, keeping input order, into a [RougeResult]
// of per-example scores. From it come the mean ([RougeResult.Mean], the
// number to compare with other tools), seeded bootstrap confidence
// intervals like rouge-score's BootstrapAggregator
// ([RougeResult.Bootstrap]) and per-score distribution tables
// ([RougeResult.Distributions], the count/mean/std/quartiles table
// radiology teams publish).
//
// # Classification
//
// [EvaluateClassification] evaluates binary, multi-class and multi-label
// data from gold label sets and per-label scores, matching scikit-learn
// 1.2 number for number: per-label precision, recall, F1 and support,
// micro/macro/weighted/samples averages, Hamming loss, subset accuracy,
// per-label 2x2 confusion matrices [[TN, FP], [FN, TP]] and the
// multi-class confusion matrix, ROC AUC, average precision, PR curves,
// Brier scores and each label's F1-optimal threshold. The
// [ClassificationResult] is plain JSON (a classifier's metrics.json).
// [BestF1Threshold] picks one label's threshold on a validation set the
// way teams do by hand: the precision_recall_curve threshold with the
// highest F1, the lowest on ties.
//
//	best, err := eval.BestF1Threshold(gold, scores) // gold []bool, scores []float64
//	res, err := eval.EvaluateClassification(examples, eval.ClassificationOptions{
//		Thresholds: map[string]float64{"pneumonia": best.Threshold},
//	})
//
// [ChooseThreshold] picks a threshold for other targets (F-beta, a minimum
// precision or recall) and says when a target cannot be reached.
// [CheckThresholds] refuses thresholds that leave a label out or name one
// that is not there. When the predictions carry the classifier's own
// decisions ([ClassExample].Predicted), UseDecisions scores exactly those,
// so an evaluation agrees with the classifier whatever thresholds it used.
//
// # Files
//
// The readers stream and report bad input as *dataset.ParseError values
// naming the file, line and field (never the text): [PairReader] (JSONL
// pairs) and [TextPairReader] (one text per line) feed
// [RougeScorer.ScoreStream]; [ReadReferenceSet] and [TextPredictionReader]
// line several systems up against one reference set for comparisons;
// [ClassPredictionReader] reads classifier scores in Osler's shape, as
// hard labels or as the managed classification service's batch output,
// and [MatchPredictions] pairs them with gold records; [ReadThresholds]
// and [WriteThresholds] keep tuned thresholds between a validation and a
// test run.
//
// # Workflows
//
// What `osler eval` does with its files is done here, so the server and
// batch jobs can do the same; the command binds flags into the options
// below and prints the results with package report. Each call takes a
// context first and names files, lines and fields in its errors, with no
// package prefix so the caller can put its own in front.
//
//   - Classification: [ReadGoldSet] reads a gold set once;
//     [GoldSet.EvaluatePredictions] reads a predictions file, matches it
//     and decides its labels as [PredictionsOptions] say (the predictions'
//     own decisions by default; [PredictionsOptions.SetThresholds] for
//     --thresholds, [PredictionsOptions.UseModel] for a classifier's
//     thresholds); [GoldSet.Compare] does it for several [System]s.
//   - ROUGE comparisons: [CompareRouge] scores several systems on one
//     reference set, with paired bootstrap differences from the first and,
//     given the sources, each system's faithfulness report.
//   - Faithfulness: [ReadFaithfulnessPairs] reads pairs, or sources and a
//     system's summaries joined by id ([FaithfulnessInput]), for
//     [EvaluateFaithfulness]; [CheckCaseFiles] runs a checklist of
//     hand-written cases.
//
// # Why hand-written
//
// Exactness is the product: users compare Osler's numbers with rouge-score,
// NLTK and scikit-learn, so the tokenizer, the Porter stemmer and the LCS
// backtracking (which decides rougeLsum when several LCSs exist) follow the
// reference step by step, and are checked against its outputs on shared
// fixtures. We know of no Go library that reproduces them: rouge-score's
// tokenizer, NLTK's Porter variant and the backtracking order are specific
// to the reference. The classification metrics follow scikit-learn's
// operation order (numpy's pairwise sums included) so that values agree to
// the last bit, which a general statistics library does not promise. Speed
// comes from interning tokens to integer ids in reusable scratch spaces, a
// bit-parallel LCS, hashed n-gram counts and buffers reused across pairs.
package eval
