package eval

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/osler-health/osler/internal/dataset"
)

// ClassExample is one classified example: its gold labels and the model's
// score for each label (a probability or any score where higher means more
// likely). A label missing from Scores scores 0. Predicted, when not nil,
// are the labels the classifier itself decided on (used with
// [ClassificationOptions].UseDecisions).
type ClassExample struct {
	ID        string
	Gold      []string
	Scores    map[string]float64
	Predicted []string
}

// DefaultThreshold is the decision threshold used for a label when no
// other is given: predict the label when its score is >= 0.5.
const DefaultThreshold = 0.5

// ClassificationOptions configure [EvaluateClassification].
type ClassificationOptions struct {
	// Mode is how labels are used. Empty means infer: multi-label when an
	// example has no gold label or several, otherwise binary with two
	// labels and multi-class with more.
	//
	// Multi-label: each label is predicted independently when its score
	// reaches its threshold. Multi-class: the label with the highest score
	// is predicted (the first in Labels order on ties); thresholds do not
	// change predictions, though each label's F1-optimal threshold is still
	// reported. Binary: as multi-class, unless PositiveLabel is set (or
	// Thresholds names exactly one of the two labels, as a binary model's
	// thresholds do: that label is then the positive one), in which case
	// PositiveLabel is predicted when its score reaches its threshold and
	// the other label otherwise.
	Mode dataset.Mode
	// Labels fixes the label set and its order. Nil means the sorted union
	// of gold labels and scored labels. A gold label outside a given set is
	// an error.
	Labels []string
	// Thresholds are per-label decision thresholds; labels not listed use
	// Threshold.
	Thresholds map[string]float64
	// Threshold, when not nil, is the threshold of every label not in
	// Thresholds; nil means [DefaultThreshold] (0.5). Scores need not be
	// probabilities: with logits, 0 is the natural threshold.
	Threshold *float64
	// CompleteThresholds makes Thresholds that do not fit the labels an
	// error (a [*ThresholdsError], see [CheckThresholds]) instead of
	// leaving the labels they do not name at Threshold. Set it when the
	// thresholds come from a file or a model, so a label left out is never
	// silently decided at 0.5.
	CompleteThresholds bool
	// TuneThresholds replaces each label's threshold by its F1-optimal
	// threshold on these examples ([BestF1Threshold]); labels with no
	// positive example keep theirs. Use it on a validation set, then pass
	// the result's Thresholds to the evaluation of the test set.
	TuneThresholds bool
	// UseDecisions decides with each example's Predicted labels, the
	// classifier's own decisions, instead of thresholds: the counts then
	// score exactly what the classifier predicted, whatever thresholds it
	// used. Every example needs Predicted (exactly one label for binary
	// and multi-class data). Scores still give the score-based metrics
	// (average precision, ROC AUC, Brier, PR curves, best-F1 thresholds).
	UseDecisions bool
	// PositiveLabel is the positive class of binary data (see Mode).
	PositiveLabel string
	// MaxCurvePoints, when > 0, thins each PR curve in the result to about
	// that many points (always keeping both ends), to keep metrics files
	// small; metrics are computed on the full curves. 0 keeps every point.
	MaxCurvePoints int
}

// Averages are precision, recall and F1 averaged over labels or examples.
type Averages struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// LabelMetrics are one label's metrics, one-vs-rest.
type LabelMetrics struct {
	Label string `json:"label"`
	// Threshold is the decision threshold used for the label; null in
	// multi-class mode, where the highest score decides.
	Threshold *float64 `json:"threshold"`
	Precision float64  `json:"precision"`
	Recall    float64  `json:"recall"`
	F1        float64  `json:"f1"`
	// Support is the number of gold positives; Predicted the number of
	// predicted positives.
	Support   int `json:"support"`
	Predicted int `json:"predicted"`
	// Confusion is the label's 2x2 confusion matrix [[TN, FP], [FN, TP]],
	// as scikit-learn's multilabel_confusion_matrix.
	Confusion [2][2]int `json:"confusion"`
	// AveragePrecision and ROCAUC are null where undefined (no positive
	// example; only one class).
	AveragePrecision *float64 `json:"average_precision"`
	ROCAUC           *float64 `json:"roc_auc"`
	// Brier is the mean squared error of the label's score against the
	// gold 0/1.
	Brier float64 `json:"brier"`
	// BestF1 is the F1-optimal threshold on these examples (null without
	// positives).
	BestF1 *Threshold `json:"best_f1"`
	// PRCurve is scikit-learn's precision-recall curve of the label's
	// scores.
	PRCurve *PRCurve `json:"pr_curve"`
}

// ClassificationResult is a full evaluation of classification data,
// JSON-serializable (the classifier writes it as metrics.json).
type ClassificationResult struct {
	Mode   dataset.Mode `json:"mode"`
	N      int          `json:"n"`
	Labels []string     `json:"labels"`
	// PositiveLabel is set for binary data decided by a threshold.
	PositiveLabel string `json:"positive_label,omitempty"`
	// Decisions says how the predicted labels were decided: "predictions"
	// (the classifier's own decisions, read with its scores), "thresholds"
	// (each label's score against its threshold) or "top label" (the
	// highest score wins).
	Decisions string `json:"decisions"`
	// Thresholds are the decision thresholds used, per label (tuned ones
	// when TuneThresholds was set); null when the decisions were the
	// predictions'.
	Thresholds map[string]float64 `json:"thresholds"`
	// Accuracy is the fraction of examples whose predicted label set is
	// exactly the gold set: ordinary accuracy for single-label data, subset
	// accuracy for multi-label (scikit-learn's accuracy_score).
	Accuracy float64 `json:"accuracy"`
	// SubsetAccuracy equals Accuracy; it is named for multi-label readers.
	SubsetAccuracy float64 `json:"subset_accuracy"`
	// HammingLoss is the fraction of wrong label decisions (multi-label) or
	// of misclassified examples (single-label), as scikit-learn's.
	HammingLoss float64 `json:"hamming_loss"`
	// Micro, Macro and Weighted average precision/recall/F1 over labels
	// (zero_division=0); Samples averages over examples (multi-label only).
	Micro    Averages  `json:"micro"`
	Macro    Averages  `json:"macro"`
	Weighted Averages  `json:"weighted"`
	Samples  *Averages `json:"samples,omitempty"`
	// Binary is the positive label's precision/recall/F1 for binary data
	// with a PositiveLabel (scikit-learn's average="binary").
	Binary *Averages `json:"binary,omitempty"`
	// MacroAveragePrecision and MacroROCAUC average the labels where the
	// metric is defined (null when none is).
	MacroAveragePrecision *float64 `json:"macro_average_precision"`
	MacroROCAUC           *float64 `json:"macro_roc_auc"`
	// Brier is the mean of the per-label Brier scores.
	Brier    float64        `json:"brier"`
	PerLabel []LabelMetrics `json:"per_label"`
	// ConfusionMatrix is the multi-class confusion matrix for single-label
	// data: rows are gold labels, columns predicted ones, in Labels order.
	// It is left out (with a note) above [MaxConfusionLabels] labels.
	ConfusionMatrix [][]int `json:"confusion_matrix,omitempty"`
	// Notes explain undefined metrics and other caveats, without text.
	Notes []string `json:"notes,omitempty"`
}

// MaxConfusionLabels is the most labels a confusion matrix is computed
// and shown for: beyond it the matrix is unreadable in a terminal or a
// report, and its size grows with the square (10,000 labels would make
// 10^8 cells, 800 MB).
const MaxConfusionLabels = 50

// EvaluateClassification computes every classification metric for
// examples, matching scikit-learn 1.2 (precision_recall_fscore_support with
// zero_division=0, accuracy_score, hamming_loss,
// multilabel_confusion_matrix, confusion_matrix, roc_auc_score,
// average_precision_score, precision_recall_curve, brier_score_loss).
func EvaluateClassification(examples []ClassExample, opts ClassificationOptions) (*ClassificationResult, error) {
	e, err := newClassEvaluator(examples, opts)
	if err != nil {
		return nil, err
	}
	if err := e.positiveLabel(); err != nil {
		return nil, err
	}
	if err := e.decisions(); err != nil {
		return nil, err
	}
	if err := e.matrices(); err != nil {
		return nil, err
	}
	e.scoreMetrics()
	pred, err := e.predictions()
	if err != nil {
		return nil, err
	}
	e.res.fillCounts(e.gold, pred, e.single, e.pos)
	return e.res, nil
}

// classEvaluator holds what the steps of [EvaluateClassification] share:
// the labels and mode, the gold and score matrices (one column per label)
// and the result being filled in.
type classEvaluator struct {
	examples []ClassExample
	opts     ClassificationOptions // PositiveLabel may be inferred
	labels   []string
	index    map[string]int // label -> column
	mode     dataset.Mode
	single   bool // one label per example (binary or multi-class)
	pos      int  // column of the positive label, -1 without one
	res      *ClassificationResult
	gold     [][]bool
	scores   [][]float64
}

// newClassEvaluator resolves the labels and the mode.
func newClassEvaluator(examples []ClassExample, opts ClassificationOptions) (*classEvaluator, error) {
	if len(examples) == 0 {
		return nil, errors.New("eval: no examples to evaluate")
	}
	labels, err := resolveLabels(examples, opts.Labels)
	if err != nil {
		return nil, err
	}
	mode := opts.Mode
	if mode == "" {
		mode = inferMode(examples, len(labels))
	}
	e := &classEvaluator{
		examples: examples, opts: opts, labels: labels, mode: mode,
		single: mode == dataset.ModeMultiClass || mode == dataset.ModeBinary,
		index:  make(map[string]int, len(labels)),
		res:    &ClassificationResult{Mode: mode, N: len(examples), Labels: labels},
		pos:    -1,
	}
	for i, l := range labels {
		e.index[l] = i
	}
	if !opts.UseDecisions {
		e.res.Thresholds = make(map[string]float64, len(labels))
	}
	return e, nil
}

// positiveLabel resolves the positive label of binary data: given, or the
// one label the thresholds name.
func (e *classEvaluator) positiveLabel() error {
	opts, L := &e.opts, len(e.labels)
	if e.mode == dataset.ModeBinary && L == 2 && opts.PositiveLabel == "" && len(opts.Thresholds) == 1 {
		for l := range opts.Thresholds {
			if _, ok := e.index[l]; ok {
				opts.PositiveLabel = l
				e.res.Notes = append(e.res.Notes, fmt.Sprintf("positive label %q: the thresholds name only it", l))
			}
		}
	}
	if !e.single || opts.PositiveLabel == "" {
		return nil
	}
	if e.mode != dataset.ModeBinary || L != 2 {
		return fmt.Errorf("eval: a positive label needs binary data with two labels (have %s with %d)", e.mode, L)
	}
	var ok bool
	if e.pos, ok = e.index[opts.PositiveLabel]; !ok {
		return fmt.Errorf("eval: positive label %q is not one of the labels %q", opts.PositiveLabel, e.labels)
	}
	e.res.PositiveLabel = opts.PositiveLabel
	return nil
}

// decisions says how predictions are made and, when asked, checks that
// the thresholds are complete.
func (e *classEvaluator) decisions() error {
	opts := &e.opts
	switch {
	case opts.UseDecisions:
		e.res.Decisions = "predictions"
	case e.single && e.pos < 0:
		e.res.Decisions = "top label"
	default:
		e.res.Decisions = "thresholds"
	}
	if opts.CompleteThresholds && !opts.UseDecisions && !opts.TuneThresholds {
		return CheckThresholds(opts.Thresholds, e.labels, e.mode, opts.PositiveLabel)
	}
	return nil
}

// matrices fills the gold and score matrices, one column per label.
func (e *classEvaluator) matrices() error {
	n, L := len(e.examples), len(e.labels)
	e.gold = make([][]bool, L)
	e.scores = make([][]float64, L)
	for k := range L {
		e.gold[k] = make([]bool, n)
		e.scores[k] = make([]float64, n)
	}
	for i := range e.examples {
		if err := e.addExample(i); err != nil {
			return err
		}
	}
	return nil
}

// addExample fills example i's row of the matrices, checking its gold
// labels and scores.
func (e *classEvaluator) addExample(i int) error {
	ex := e.examples[i]
	if e.single && len(ex.Gold) != 1 {
		return fmt.Errorf("eval: example %s has %d gold labels; %s data needs exactly one (use multi-label mode for label sets)", exampleName(ex, i), len(ex.Gold), e.mode)
	}
	for _, g := range ex.Gold {
		k, ok := e.index[g]
		if !ok {
			return fmt.Errorf("eval: example %s: gold label %q is not among the labels being evaluated", exampleName(ex, i), g)
		}
		e.gold[k][i] = true
	}
	matched := 0
	for l, s := range ex.Scores {
		if math.IsNaN(s) {
			return fmt.Errorf("eval: example %s: the score of label %q is NaN", exampleName(ex, i), l)
		}
		if k, ok := e.index[l]; ok {
			e.scores[k][i] = s
			matched++
		}
	}
	if e.single && e.pos < 0 && matched == 0 && !e.opts.UseDecisions {
		if len(ex.Scores) == 0 {
			return fmt.Errorf("eval: example %s has no scores, so no label can be predicted", exampleName(ex, i))
		}
		return fmt.Errorf("eval: example %s: none of its %d scored labels is among the labels evaluated, so no label can be predicted (add them to the label list)", exampleName(ex, i), len(ex.Scores))
	}
	return nil
}

// scoreMetrics computes each label's curves and score metrics and its
// threshold, then the macro averages over the labels where they are
// defined.
func (e *classEvaluator) scoreMetrics() {
	res := e.res
	res.PerLabel = make([]LabelMetrics, len(e.labels))
	for k := range e.labels {
		e.curveMetrics(k)
		if !e.opts.UseDecisions {
			e.threshold(k)
		}
	}
	var apSum, aucSum, brierSum float64
	var apN, aucN int
	for _, lm := range res.PerLabel {
		if lm.AveragePrecision != nil {
			apSum += *lm.AveragePrecision
			apN++
		}
		if lm.ROCAUC != nil {
			aucSum += *lm.ROCAUC
			aucN++
		}
		brierSum += lm.Brier
	}
	if apN > 0 {
		v := apSum / float64(apN)
		res.MacroAveragePrecision = &v
	}
	if aucN > 0 {
		v := aucSum / float64(aucN)
		res.MacroROCAUC = &v
	}
	res.Brier = brierSum / float64(len(e.labels))
}

// curveMetrics fills label k's average precision, F1-optimal threshold,
// ROC AUC, Brier score and precision-recall curve, with a note for each
// that is undefined.
func (e *classEvaluator) curveMetrics(k int) {
	l, lm := e.labels[k], &e.res.PerLabel[k]
	lm.Label = l
	c := newBinaryCurve(e.gold[k], e.scores[k])
	pr := c.prCurve()
	hasPos := c.tps[len(c.tps)-1] > 0
	hasNeg := c.fps[len(c.fps)-1] > 0
	if hasPos {
		ap := averagePrecision(pr)
		lm.AveragePrecision = &ap
		best := bestF1(pr)
		lm.BestF1 = &best
	} else {
		e.res.Notes = append(e.res.Notes, fmt.Sprintf("label %q has no positive example: average precision and the F1-optimal threshold are undefined", l))
	}
	if hasPos && hasNeg {
		auc := rocAUC(c.rocCurve())
		lm.ROCAUC = &auc
	} else if hasPos {
		e.res.Notes = append(e.res.Notes, fmt.Sprintf("label %q has no negative example: ROC AUC is undefined", l))
	}
	lm.Brier = brier(e.gold[k], e.scores[k])
	lm.PRCurve = thinCurve(pr, e.opts.MaxCurvePoints)
}

// threshold sets label k's decision threshold: the default, the global
// one, the label's own, or the tuned F1-optimal one, in increasing
// precedence.
func (e *classEvaluator) threshold(k int) {
	l, lm, opts := e.labels[k], &e.res.PerLabel[k], &e.opts
	t := DefaultThreshold
	if opts.Threshold != nil {
		t = *opts.Threshold
	}
	if v, ok := opts.Thresholds[l]; ok {
		t = v
	}
	if opts.TuneThresholds && lm.BestF1 != nil {
		t = lm.BestF1.Threshold
	}
	e.res.Thresholds[l] = t
	if !e.single || k == e.pos {
		lm.Threshold = &t
	}
}

// predictions is the predicted indicator matrix: the examples' own
// decisions, or the scores against the thresholds.
func (e *classEvaluator) predictions() ([][]bool, error) {
	if e.opts.UseDecisions {
		return decidedMatrix(e.examples, e.index, e.single, e.mode)
	}
	return thresholdMatrix(e.scores, e.labels, e.res.Thresholds, e.single, e.pos), nil
}

// decidedMatrix is the predicted indicator matrix (one column per label)
// of the examples' own decisions.
func decidedMatrix(examples []ClassExample, index map[string]int, single bool, mode dataset.Mode) ([][]bool, error) {
	pred := make([][]bool, len(index))
	for k := range pred {
		pred[k] = make([]bool, len(examples))
	}
	for i, ex := range examples {
		if ex.Predicted == nil {
			return nil, fmt.Errorf("eval: example %s carries no decided labels; decide with thresholds instead", exampleName(ex, i))
		}
		if single && len(ex.Predicted) != 1 {
			return nil, fmt.Errorf("eval: example %s has %d decided labels; %s data needs exactly one", exampleName(ex, i), len(ex.Predicted), mode)
		}
		for _, l := range ex.Predicted {
			k, ok := index[l]
			if !ok {
				return nil, fmt.Errorf("eval: example %s: decided label %q is not among the labels being evaluated", exampleName(ex, i), l)
			}
			pred[k][i] = true
		}
	}
	return pred, nil
}

// thresholdMatrix is the predicted indicator matrix (one column per label)
// that scores (one column per label) give: each label at its threshold
// (multi-label), the positive label at its threshold (binary with pos >=
// 0), or the top score, the first label on ties (single-label).
func thresholdMatrix(scores [][]float64, labels []string, thresholds map[string]float64, single bool, pos int) [][]bool {
	L, n := len(scores), len(scores[0])
	pred := make([][]bool, L)
	for k := range L {
		pred[k] = make([]bool, n)
	}
	for i := range n {
		switch {
		case !single:
			for k, l := range labels {
				pred[k][i] = scores[k][i] >= thresholds[l]
			}
		case pos >= 0:
			if scores[pos][i] >= thresholds[labels[pos]] {
				pred[pos][i] = true
			} else {
				pred[1-pos][i] = true
			}
		default:
			best := 0
			for k := 1; k < L; k++ {
				if scores[k][i] > scores[best][i] {
					best = k
				}
			}
			pred[best][i] = true
		}
	}
	return pred
}

func exampleName(ex ClassExample, i int) string {
	if ex.ID != "" {
		return fmt.Sprintf("%q", ex.ID)
	}
	return fmt.Sprintf("#%d", i+1)
}

func resolveLabels(examples []ClassExample, given []string) ([]string, error) {
	if given != nil {
		seen := map[string]bool{}
		for _, l := range given {
			if seen[l] {
				return nil, fmt.Errorf("eval: label %q listed twice", l)
			}
			seen[l] = true
		}
		if len(given) == 0 {
			return nil, errors.New("eval: empty label list")
		}
		return slices.Clone(given), nil
	}
	set := map[string]bool{}
	for _, ex := range examples {
		for _, g := range ex.Gold {
			set[g] = true
		}
		for l := range ex.Scores {
			set[l] = true
		}
	}
	if len(set) == 0 {
		return nil, errors.New("eval: no labels: no example has a gold label or a score")
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out, nil
}

func inferMode(examples []ClassExample, nLabels int) dataset.Mode {
	for _, ex := range examples {
		if len(ex.Gold) != 1 {
			return dataset.ModeMultiLabel
		}
	}
	if nLabels == 2 {
		return dataset.ModeBinary
	}
	return dataset.ModeMultiClass
}

// fillCounts computes every count-based metric from the gold and predicted
// indicator matrices (one column per label).
func (res *ClassificationResult) fillCounts(gold, pred [][]bool, single bool, pos int) {
	L, n := len(gold), len(gold[0])
	tp, predSum, trueSum := make([]float64, L), make([]float64, L), make([]float64, L)
	for k := range L {
		var c [2][2]int
		for i := range n {
			g, p := gold[k][i], pred[k][i]
			switch {
			case g && p:
				c[1][1]++
			case g:
				c[1][0]++
			case p:
				c[0][1]++
			default:
				c[0][0]++
			}
		}
		lm := &res.PerLabel[k]
		lm.Confusion = c
		lm.Support = c[1][0] + c[1][1]
		lm.Predicted = c[0][1] + c[1][1]
		tp[k], predSum[k], trueSum[k] = float64(c[1][1]), float64(lm.Predicted), float64(lm.Support)
	}
	prec, rec, f := prf(tp, predSum, trueSum)
	for k := range L {
		res.PerLabel[k].Precision, res.PerLabel[k].Recall, res.PerLabel[k].F1 = prec[k], rec[k], f[k]
	}
	// micro: pool the counts first.
	mp, mr, mf := prf([]float64{npSum(tp)}, []float64{npSum(predSum)}, []float64{npSum(trueSum)})
	res.Micro = Averages{mp[0], mr[0], mf[0]}
	res.Macro = Averages{npMean(prec), npMean(rec), npMean(f)}
	if w := npSum(trueSum); w == 0 {
		// scikit-learn with zero_division=0 and no gold positives at all.
		res.Weighted = Averages{}
	} else {
		res.Weighted = Averages{weightedMean(prec, trueSum), weightedMean(rec, trueSum), weightedMean(f, trueSum)}
	}
	if pos >= 0 {
		res.Binary = &Averages{prec[pos], rec[pos], f[pos]}
	}

	// Per example: exact matches, wrong decisions, and the samples average.
	exact, wrong := 0, 0
	stp, spred, strue := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		match := true
		for k := range L {
			g, p := gold[k][i], pred[k][i]
			if g != p {
				match = false
				wrong++
			}
			if g && p {
				stp[i]++
			}
			if p {
				spred[i]++
			}
			if g {
				strue[i]++
			}
		}
		if match {
			exact++
		}
	}
	res.Accuracy = float64(exact) / float64(n)
	res.SubsetAccuracy = res.Accuracy
	if single && L > MaxConfusionLabels {
		res.HammingLoss = float64(n-exact) / float64(n)
		res.Notes = append(res.Notes, fmt.Sprintf("the confusion matrix is left out: %d labels, more than the %d it is shown for", L, MaxConfusionLabels))
	} else if single {
		res.HammingLoss = float64(n-exact) / float64(n)
		res.ConfusionMatrix = make([][]int, L)
		for a := range L {
			res.ConfusionMatrix[a] = make([]int, L)
		}
		for i := range n {
			g, p := -1, -1
			for k := range L {
				if gold[k][i] {
					g = k
				}
				if pred[k][i] {
					p = k
				}
			}
			res.ConfusionMatrix[g][p]++
		}
	} else {
		res.HammingLoss = float64(wrong) / (float64(n) * float64(L) * 1.0)
		sp, sr, sf := prf(stp, spred, strue)
		res.Samples = &Averages{npMean(sp), npMean(sr), npMean(sf)}
		empty := 0
		for i := range n {
			if spred[i] == 0 && strue[i] == 0 {
				empty++
			}
		}
		if empty > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%d of %d examples have neither a gold nor a predicted label; the samples average scores them 0, as scikit-learn does with zero_division=0", empty, n))
		}
	}
}

// prf is scikit-learn's precision, recall and F1 from counts, elementwise,
// with zero_division=0.
func prf(tp, predSum, trueSum []float64) (p, r, f []float64) {
	p, r, f = make([]float64, len(tp)), make([]float64, len(tp)), make([]float64, len(tp))
	for i := range tp {
		if predSum[i] != 0 {
			p[i] = tp[i] / predSum[i]
		}
		if trueSum[i] != 0 {
			r[i] = tp[i] / trueSum[i]
		}
		f[i] = f1(p[i], r[i])
	}
	return p, r, f
}

// weightedMean is numpy's average(a, weights=w).
func weightedMean(a, w []float64) float64 {
	prod := make([]float64, len(a))
	for i := range a {
		prod[i] = a[i] * w[i]
	}
	return npSum(prod) / npSum(w)
}

// thinCurve copies pr, keeping about max points (all when max <= 0 or the
// curve is short), always with the first and last.
func thinCurve(pr PRCurve, max int) *PRCurve {
	n := len(pr.Precision)
	if max <= 0 || n <= max || max < 2 {
		return &pr
	}
	out := &PRCurve{}
	last := -1
	for j := range max {
		i := int(math.Round(float64(j) * float64(n-1) / float64(max-1)))
		if i == last {
			continue
		}
		last = i
		out.Precision = append(out.Precision, pr.Precision[i])
		out.Recall = append(out.Recall, pr.Recall[i])
		if i < len(pr.Thresholds) {
			out.Thresholds = append(out.Thresholds, pr.Thresholds[i])
		}
	}
	return out
}
