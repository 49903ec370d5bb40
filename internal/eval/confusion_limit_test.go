package eval

import (
	"fmt"
	"strings"
	"testing"
)

// TestConfusionMatrixLimit: single-label data with more than
// MaxConfusionLabels labels gets no confusion matrix, and a note saying
// so (issue 10: 10,000 labels made eval classification print a 10k x 10k
// matrix); with few labels the matrix is there.
func TestConfusionMatrixLimit(t *testing.T) {
	examples := func(labels int) []ClassExample {
		var exs []ClassExample
		for i := range 2 * labels {
			gold := fmt.Sprintf("l%03d", i%labels)
			pred := fmt.Sprintf("l%03d", (i/2)%labels)
			exs = append(exs, ClassExample{ID: fmt.Sprint(i), Gold: []string{gold}, Predicted: []string{pred}, Scores: map[string]float64{gold: 0.6, pred: 0.7}})
		}
		return exs
	}
	res, err := EvaluateClassification(examples(MaxConfusionLabels+1), ClassificationOptions{UseDecisions: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.ConfusionMatrix != nil || !strings.Contains(strings.Join(res.Notes, "\n"), "the confusion matrix is left out: 51 labels") {
		t.Fatalf("%d labels: matrix of %d rows, notes %q", len(res.Labels), len(res.ConfusionMatrix), res.Notes)
	}
	if res.HammingLoss == 0 || res.Accuracy == 0 {
		t.Fatalf("the other metrics are still computed: %+v", res)
	}
	res, err = EvaluateClassification(examples(3), ClassificationOptions{UseDecisions: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ConfusionMatrix) != 3 {
		t.Fatalf("3 labels: matrix of %d rows", len(res.ConfusionMatrix))
	}
}
