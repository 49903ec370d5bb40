package report_test

import (
	"os"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/report"
)

// `osler eval classification --format markdown` prints a result like
// this, ready for a pull request.
func ExampleWriteClassification() {
	res, err := eval.EvaluateClassification([]eval.ClassExample{
		{ID: "1", Gold: []string{"pneumonia"}, Scores: map[string]float64{"pneumonia": 0.9, "normal": 0.1}},
		{ID: "2", Gold: []string{"normal"}, Scores: map[string]float64{"pneumonia": 0.6, "normal": 0.4}},
		{ID: "3", Gold: []string{"normal"}, Scores: map[string]float64{"pneumonia": 0.2, "normal": 0.8}},
	}, eval.ClassificationOptions{})
	if err != nil {
		panic(err)
	}
	if err := report.WriteClassification(os.Stdout, report.Markdown, res); err != nil {
		panic(err)
	}
	// Output:
	// 3 examples, binary, 2 labels, highest score wins
	//
	// | label | threshold | precision | recall | F1 | support | AP | ROC AUC | best-F1 t | best F1 |
	// | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
	// | normal | — | 1.0000 | 0.5000 | 0.6667 | 2 | 1.0000 | 1.0000 | 0.4000 | 1.0000 |
	// | pneumonia | — | 0.5000 | 1.0000 | 0.6667 | 1 | 1.0000 | 1.0000 | 0.9000 | 1.0000 |
	// | micro avg |  | 0.6667 | 0.6667 | 0.6667 |  |  |  |  |  |
	// | macro avg |  | 0.7500 | 0.7500 | 0.6667 |  |  |  |  |  |
	// | weighted avg |  | 0.8333 | 0.6667 | 0.6667 |  |  |  |  |  |
	//
	// accuracy 0.6667, Hamming loss 0.3333, macro AP 1.0000, macro ROC AUC 1.0000, Brier 0.1367
	//
	// **Confusion matrix** (rows: gold, columns: predicted)
	//
	// | gold \ predicted | normal | pneumonia |
	// | --- | ---: | ---: |
	// | normal | 1 | 1 |
	// | pneumonia | 0 | 1 |
}

// The tables of every text output align numbers to the right.
func ExampleWriteTable() {
	report.WriteTable(os.Stdout, false, []string{"system", ">rougeL F"}, [][]string{{"pre-trained", "0.4120"}, {"fine-tuned", "0.5311"}})
	report.WriteTable(os.Stdout, true, []string{"system", ">rougeL F"}, [][]string{{"pre-trained", "0.4120"}})
	// Output:
	// system       rougeL F
	// -----------  --------
	// pre-trained    0.4120
	// fine-tuned     0.5311
	// | system | rougeL F |
	// | --- | ---: |
	// | pre-trained | 0.4120 |
}
