package trained

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/osler-health/osler/internal/eval"
)

// DevResult is one method's evaluation on dev pairs.
type DevResult struct {
	Name   string
	Report *EvalReport
}

// ReportText is what [WriteReport] prints about a training run.
type ReportText struct {
	// Out is the model directory; Elapsed the whole run.
	Out     string
	Elapsed time.Duration
	Train   *TrainReport
	CVFolds int
	// Dev names the dev file, with its pair count; AbnormalTop is how many
	// frequent training summaries define the abnormal subset.
	Dev         string
	DevPairs    int
	AbnormalTop int
	// Results are the trained model's dev evaluation first, then the
	// baselines'; References is the dev references' own faithfulness.
	Results    []DevResult
	References *Faithfulness
}

// WriteReport writes a training run's report as `osler train summarizer`
// prints it: the model, the guard's keep policy, the cross-validated
// ROUGE and, with dev pairs, ROUGE and faithfulness of the model and the
// baselines.
func WriteReport(w io.Writer, r ReportText) error {
	rep := r.Train
	fmt.Fprintf(w, "trained a summarizer on %d pairs (%d distinct summaries, %.1f candidates per document) in %s\n",
		rep.Examples, rep.DistinctSummaries, rep.Candidates, r.Elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(w, "model: %s\n", r.Out)
	fmt.Fprintf(w, "faithfulness guard: keeps %s (the training references keep every critical finding of %s and every line, tube and significant finding of %s)\n",
		keepWords(rep.Keep), shareWords(rep.KeepCritical), shareWords(rep.KeepReportable))
	if rep.CV.N > 0 {
		fmt.Fprintf(w, "\ncross-validated on --train (%d folds; each summary chosen by a ranker that did not see its document):\n", r.CVFolds)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "method\tROUGE-1\tROUGE-2\tROUGE-L\tROUGE-Lsum\t\n")
		for _, row := range []struct {
			name string
			m    RougeMeans
		}{{"trained", rep.CV}, {"nearest other pair", rep.CVNearest}, {"best candidate (ceiling)", rep.CVOracle}} {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t\n", row.name, row.m.Rouge1, row.m.Rouge2, row.m.RougeL, row.m.RougeLsum)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Results) == 0 {
		return nil
	}
	return writeDev(w, r)
}

// writeDev writes the dev table: ROUGE per method and subset, and the
// share of unfaithful summaries.
func writeDev(w io.Writer, r ReportText) error {
	fmt.Fprintf(w, "\ndev %s: %d pairs; abnormal: the %d whose reference is not among the %d most frequent training summaries\n",
		r.Dev, r.DevPairs, r.Results[0].Report.Abnormal.N, r.AbnormalTop)
	fmt.Fprintf(w, "ROUGE F-measure (rouge-score 0.1.2 settings: default tokenizer, no stemming), mean over pairs; unfaithful: share of\n"+
		"summaries with a claim their source does not back (osler eval faithfulness):\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "method\tsubset\tROUGE-1\tROUGE-2\tROUGE-L\tROUGE-Lsum\tunfaithful\t\n")
	for _, res := range r.Results {
		for _, sub := range []struct {
			name string
			m    RougeMeans
		}{{"all", res.Report.All}, {"abnormal", res.Report.Abnormal}} {
			if sub.m.N == 0 || sub.name == "abnormal" && sub.m.N == res.Report.All.N {
				continue // no abnormal subset, or it is every pair
			}
			unfaithful := ""
			if sub.name == "all" && res.Report.Faithfulness != nil {
				unfaithful = fmt.Sprintf("%.1f%%", 100*res.Report.Faithfulness.Unfaithful.Share)
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t\n", res.Name, sub.name, sub.m.Rouge1, sub.m.Rouge2, sub.m.RougeL, sub.m.RougeLsum, unfaithful)
		}
	}
	if r.References != nil {
		fmt.Fprintf(tw, "references\tall\t\t\t\t\t%.1f%%\t\n", 100*r.References.Unfaithful.Share)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.References != nil {
		fmt.Fprintf(w, "(the references' own rate: their authors saw prior studies and history the model does not see)\n")
	}
	first := r.Results[0].Report
	_, err := fmt.Fprintf(w, "trained summaries by method: %s (%.0f documents/s)\n", methodCounts(first.Methods), first.DocsPerSecond)
	return err
}

// methodCounts writes "extractive 39, retrieval 299".
func methodCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", strings.TrimPrefix(k, "trained:"), m[k])
	}
	return strings.Join(parts, ", ")
}

// keepWords says what a keep policy makes the guard keep.
func keepWords(k KeepPolicy) string {
	switch k {
	case KeepReportable:
		return "critical findings, lines, tubes and significant findings"
	case KeepCritical:
		return "critical findings"
	}
	return "what the ranker chooses (no finding is forced in; a normal statement over a critical finding is still refused)"
}

// shareWords writes "31 of 56 sources (55%)".
func shareWords(s eval.Share) string {
	if s.N == 0 {
		return "no source (none states one)"
	}
	return fmt.Sprintf("%d of %d sources (%.0f%%)", s.Count, s.N, 100*s.Share)
}
