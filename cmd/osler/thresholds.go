package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/registry"
)

// thresholdsCommands are the subcommands of "osler thresholds".
func thresholdsCommands() []command {
	return []command{
		{"tune", "choose per-label thresholds for an F1, F-beta, precision or recall target on dev, as a new model version", (*Main).runThresholdsTune},
	}
}

func (m *Main) runThresholds(ctx context.Context, args []string) error {
	return m.runGroup(ctx, "osler thresholds", "A classifier's per-label decision thresholds: choose them for a target and keep them as a new model version.", thresholdsCommands(), args)
}

var thresholdsTuneDoc = cmdDoc{
	Usage: "osler thresholds tune --model MODEL --dev DEV [--target TARGET] (--out DIR | --register NAME) [flags]",
	Summary: `Choose a trained classifier's per-label decision thresholds for a target on DEV (labelled data the model was not trained on) ` +
		`and write the model with them as a new version: the same weights, the new thresholds, model.json recording the target and each label's dev precision, ` +
		`recall and F1, fresh metrics.json and report.html, and SHA256SUMS. MODEL is a model directory or a registry reference NAME[:VERSION]. ` +
		`--out writes a complete model directory; --register NAME registers it as the next version of NAME, with MODEL as its parent when MODEL is a registry version ` +
		`(or --register-parent); give either or both. predict and serve then decide with the new thresholds. ` +
		"\n\n" +
		`Targets, on scikit-learn's precision-recall curve (predict a label when its score reaches its threshold): ` +
		`f1 (the highest F1, as training tunes; the lowest threshold on ties), f-beta=B (the highest F-beta; B=2 weighs recall more, B=0.5 precision), ` +
		`precision=P (the most recall among thresholds whose precision is at least P), recall=R (the most precision among thresholds whose recall is at least R). ` +
		`--label restricts the tuning to a label (repeatable); the others keep their thresholds. A binary model has one threshold, its positive label's; ` +
		`a multi-class model has none (its top label wins). ` +
		"\n\n" +
		`A precision or recall target that no threshold reaches on DEV for a label, or a label with no positive example in DEV, is an error by default: ` +
		`the table shows what DEV offers (e.g. the highest precision reachable and its recall) and nothing is written. ` +
		`--unreachable keep keeps those labels' thresholds, --unreachable nearest takes the threshold nearest the target; either way the table and model.json say which labels missed it. ` +
		`Thresholds chosen on DEV are optimistic on DEV; --test evaluates them on held-out data too.`,
	Example: `osler thresholds tune --model hallmarks --dev dev.jsonl --target recall=0.95 --out hallmarks-recall
osler thresholds tune --model sepsis:3 --dev dev.jsonl --test test.jsonl --target precision=0.9 --register sepsis
osler thresholds tune --model ade-model --dev dev.jsonl --target f-beta=2 --label Adverse_Event --unreachable nearest --out ade-fbeta2`,
}

func (m *Main) runThresholdsTune(ctx context.Context, args []string) error {
	const cmd = "thresholds tune"
	fs := m.newFlagSet(thresholdsTuneDoc)
	modelSpec := fs.String("model", "", modelRefHelp+" (required)")
	devPath := fs.String("dev", "", "labelled data to choose the thresholds on (required); not the training data")
	testPath := fs.String("test", "", "held-out labelled data to evaluate the new thresholds on (recorded in metrics)")
	targetFlag := fs.String("target", "f1", "f1, f-beta=B, precision=P or recall=R (see above)")
	var labels stringList
	fs.Var(&labels, "label", "tune only this label (repeatable); the others keep their thresholds")
	unreachable := fs.String("unreachable", "error", "a label whose target DEV cannot reach: error (write nothing), keep (its threshold) or nearest (the threshold nearest the target)")
	out := fs.String("out", "", "write the tuned model directory here (replaced if it holds a model)")
	curvePoints := fs.Int("curve-points", 200, "PR curve points kept per label in metrics.json (0: all)")
	var df dataFlags
	df.register(fs, "")
	var reg trainRegisterFlags
	reg.add(fs)
	pos, err := m.parseFlags(fs, thresholdsTuneDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q (see --help)", cmd, pos[0])}
	}
	if *modelSpec == "" || *devPath == "" {
		return usageError{fmt.Errorf("%s: --model and --dev are required (see --help)", cmd)}
	}
	if *out == "" && reg.name == "" {
		return usageError{fmt.Errorf("%s: give --out DIR, --register NAME, or both: where the tuned model goes", cmd)}
	}
	target, err := eval.ParseTarget(*targetFlag)
	if err != nil {
		return usageError{fmt.Errorf("%s: --target: %w", cmd, err)}
	}
	policy, err := classify.ParseUnreachable(*unreachable)
	if err != nil {
		return usageError{fmt.Errorf("%s: --unreachable %q: want error, keep or nearest", cmd, *unreachable)}
	}
	if err := reg.check(cmd); err != nil {
		return err
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	lc, err := m.loadClassifier(ctx, cmd, *modelSpec, &reg.registryFlags)
	if err != nil {
		return err
	}
	dev, err := dataset.ReadAll(*devPath, nil, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	var test []dataset.Record
	if *testPath != "" {
		if test, err = dataset.ReadAll(*testPath, nil, opts); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
	}
	var only []string
	if len(labels) > 0 {
		only = labels
	}
	tuned, rec, err := lc.TuneThresholds(ctx, dev, classify.TuneOptions{Target: target, Labels: only, Unreachable: policy, DevName: *devPath})
	var ue *classify.UnreachableTargetError
	if errors.As(err, &ue) {
		printTuning(m.Stdout, lc, *devPath, len(dev), rec, nil, nil)
		return exitError{code: 1, msg: fmt.Sprintf("%s: %v; nothing was written: choose a target %s can reach, tune other labels (--label), or pass --unreachable keep or nearest", cmd, strings.TrimPrefix(err.Error(), "classify: "), *devPath)}
	}
	if err != nil {
		return err
	}

	// Record where the thresholds came from, and evaluate them.
	devSum, err := fileSHA256(*devPath)
	if err != nil {
		return err
	}
	rec.Data = classify.DataFile{Path: *devPath, SHA256: devSum, Records: len(dev)}
	rec.From, rec.FromSHA256 = lc.Source, lc.MetaSHA256
	rec.Tuned = time.Now().UTC().Format(time.RFC3339)
	tuned.SetThresholdTuning(rec)
	data := maps.Clone(lc.Metadata().Data)
	if data == nil {
		data = map[string]classify.DataFile{}
	}
	data["tune"] = rec.Data
	metrics := classify.Metrics{Tuning: rec}
	if metrics.Dev, err = tuned.EvaluateSplit(ctx, *devPath, dev, *curvePoints); err != nil {
		return err
	}
	if test != nil {
		sum, err := fileSHA256(*testPath)
		if err != nil {
			return err
		}
		data["test"] = classify.DataFile{Path: *testPath, SHA256: sum, Records: len(test)}
		if metrics.Test, err = tuned.EvaluateSplit(ctx, *testPath, test, *curvePoints); err != nil {
			return err
		}
	}
	tuned.SetData(data)
	if err := tuned.SetMetrics(metrics.Summary()); err != nil {
		return err
	}
	before, err := lc.Evaluate(ctx, dev, -1, 0)
	if err != nil {
		return err
	}
	var beforeTest *eval.ClassificationResult
	if test != nil {
		if beforeTest, err = lc.Evaluate(ctx, test, -1, 0); err != nil {
			return err
		}
	}
	extra, err := classify.EvaluationFiles(tuned, metrics)
	if err != nil {
		return err
	}

	dir := *out
	if dir == "" {
		tmp, err := os.MkdirTemp("", "osler-tuned-")
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "model")
	}
	if err := tuned.Save(dir, extra); err != nil {
		return err
	}
	printTuning(m.Stdout, lc, *devPath, len(dev), rec, before, metrics.Dev.Model)
	if test != nil {
		fmt.Fprintf(m.Stdout, "\ntest (%s, %d documents): %s\n", *testPath, len(test), averagesChange(beforeTest, metrics.Test.Model))
	}
	if *out != "" {
		fmt.Fprintf(m.Stdout, "\nwrote %s (model.json, weights.bin, SHA256SUMS, metrics.json, report.html): predict --model %s decides with the new thresholds\n", *out, *out)
	}
	if reg.name != "" && reg.parent == "" && lc.Version != nil {
		reg.parent = lc.Version.Ref().String()
	}
	_, err = m.registerTrained(ctx, cmd, &reg, trainedModel{Dir: dir, Kind: registry.KindClassifier})
	return err
}

// printTuning prints the per-label table of a tuning: each label's
// threshold before and after, its precision, recall and F1 on dev at the
// new threshold, and whether the target was met; then the averages before
// and after (when the tuning went through).
func printTuning(w io.Writer, lc *loadedClassifier, devPath string, n int, rec *classify.ThresholdTuning, before, after *eval.ClassificationResult) {
	what := "thresholds tuned"
	if after == nil {
		what = "thresholds NOT tuned"
	}
	fmt.Fprintf(w, "%s for %s on %s (%d documents), from %s:\n\n", what, rec.Target, devPath, n, lc.Source)
	header := []string{"label", ">before", ">after", ">precision", ">recall", ">F1", ">support", "target"}
	var rows [][]string
	for _, l := range rec.Labels {
		status := string(l.Status)
		if r := l.Reached(rec.Target); r != "" && l.Status != classify.StatusNoPositives {
			status += ": " + r
		}
		rows = append(rows, []string{l.Label, fnum(l.Previous), fnum(l.Threshold), fnum(l.Precision), fnum(l.Recall), fnum(l.F1), strconv.Itoa(l.Support), status})
	}
	textTable(w, false, header, rows)
	if after == nil {
		fmt.Fprintln(w, "\n(precision, recall and F1 at the current thresholds)")
		return
	}
	fmt.Fprintf(w, "\ndev: %s\n", averagesChange(before, after))
}

// averagesChange describes how an evaluation changed: micro (or the
// positive label's) precision, recall and F1 before and after.
func averagesChange(before, after *eval.ClassificationResult) string {
	name, b, a := "micro", before.Micro, after.Micro
	if after.Binary != nil && before.Binary != nil {
		name, b, a = after.PositiveLabel, *before.Binary, *after.Binary
	}
	s := fmt.Sprintf("%s precision %s -> %s, recall %s -> %s, F1 %s -> %s", name, fnum(b.Precision), fnum(a.Precision), fnum(b.Recall), fnum(a.Recall), fnum(b.F1), fnum(a.F1))
	if after.Binary == nil {
		s += fmt.Sprintf("; macro F1 %s -> %s", fnum(before.Macro.F1), fnum(after.Macro.F1))
	}
	return s
}
