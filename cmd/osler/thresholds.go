package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/classify"
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

var thresholdsTuneDoc = helpDoc("thresholds-tune")

func (m *Main) runThresholdsTune(ctx context.Context, args []string) error {
	const cmd = "thresholds tune"
	fs := m.newFlagSet(thresholdsTuneDoc)
	o := classify.RetuneOptions{CurvePoints: 200}
	modelSpec := fs.String("model", "", modelRefHelp+" (required)")
	fs.StringVar(&o.Dev, "dev", "", "labelled data to choose the thresholds on (required); not the training data")
	fs.StringVar(&o.Test, "test", "", "held-out labelled data to evaluate the new thresholds on (recorded in metrics)")
	targetFlag := fs.String("target", "f1", "f1, f-beta=B, precision=P or recall=R (see above)")
	fs.Var((*stringList)(&o.Tune.Labels), "label", "tune only this label (repeatable); the others keep their thresholds")
	unreachable := fs.String("unreachable", "error", "a label whose target DEV cannot reach: error (write nothing), keep (its threshold) or nearest (the threshold nearest the target)")
	out := fs.String("out", "", "write the tuned model directory here (replaced if it holds a model)")
	fs.IntVar(&o.CurvePoints, "curve-points", o.CurvePoints, "PR curve points kept per label in metrics.json (0: all)")
	var df dataFlags
	df.register(fs, "")
	var reg trainRegisterFlags
	reg.add(fs)
	err := m.parseNoArgs(fs, thresholdsTuneDoc, args, "")
	if err != nil {
		return err
	}
	if *modelSpec == "" || o.Dev == "" {
		return usageError{fmt.Errorf("%s: --model and --dev are required (see --help)", cmd)}
	}
	if *out == "" && reg.name == "" {
		return usageError{fmt.Errorf("%s: give --out DIR, --register NAME, or both: where the tuned model goes", cmd)}
	}
	if o.Tune.Target, err = eval.ParseTarget(*targetFlag); err != nil {
		return usageError{fmt.Errorf("%s: --target: %w", cmd, err)}
	}
	if o.Tune.Unreachable, err = classify.ParseUnreachable(*unreachable); err != nil {
		return usageError{fmt.Errorf("%s: --unreachable %q: want error, keep or nearest", cmd, *unreachable)}
	}
	if err := reg.check(cmd); err != nil {
		return err
	}
	if o.Data, err = df.options(); err != nil {
		return err
	}
	lc, err := m.loadClassifier(ctx, cmd, *modelSpec, &reg.registryFlags)
	if err != nil {
		return err
	}
	o.From, o.FromSHA256 = lc.Source, lc.MetaSHA256
	res, err := classify.Retune(ctx, lc.Model, o)
	var ue *classify.UnreachableTargetError
	if errors.As(err, &ue) {
		if err := res.WriteText(m.Stdout); err != nil {
			return err
		}
		return exitError{code: 1, msg: fmt.Sprintf("%s: %v; nothing was written: choose a target %s can reach, tune other labels (--label), or pass --unreachable keep or nearest", cmd, strings.TrimPrefix(err.Error(), "classify: "), o.Dev)}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
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
	if err := res.Save(dir); err != nil {
		return err
	}
	if err := res.WriteText(m.Stdout); err != nil {
		return err
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
