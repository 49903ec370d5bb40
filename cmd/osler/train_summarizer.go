package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize/trained"
)

var trainSummarizerDoc = helpDoc("train-summarizer")

// registerSummarizerFlags binds the flags of osler train summarizer
// straight into o; it returns where --out goes.
func registerSummarizerFlags(fs *flag.FlagSet, o *trained.FitOptions, data *dataFlags) *string {
	d, opts := trained.DefaultOptions(), &o.Options
	fs.StringVar(&o.Train, "train", "", "training pairs (required)")
	fs.StringVar(&o.Dev, "dev", "", "dev pairs: evaluated after training, with the baselines")
	out := fs.String("out", "", "model directory to write (required); replaced if it holds a summarizer")
	data.register(fs, "")
	fs.IntVar(&opts.Neighbors, "neighbors", d.Neighbors, "similar training sources retrieved per document")
	fs.IntVar(&opts.MBRNeighbors, "vote-neighbors", d.MBRNeighbors, "of those, how many vote in the consensus features")
	fs.IntVar(&opts.Frequent, "frequent", d.Frequent, "most frequent training summaries offered for every document (normal-study phrases)")
	fs.IntVar(&opts.MaxSingles, "max-singles", d.MaxSingles, "best single source sentences offered as candidates")
	fs.IntVar(&opts.CombineTop, "combine-top", d.CombineTop, "best sentences combined into multi-sentence extracts")
	fs.IntVar(&opts.MaxExtract, "max-extract", d.MaxExtract, "most sentences in an extract (1-5)")
	fs.Func("keep", `what the faithfulness guard makes summaries keep of their document, when some candidate can: "reportable" (critical findings, then lines, tubes and significant findings), "critical", "none", or "auto" (what the training references keep; the default)`,
		func(v string) error {
			k, err := trained.ParseKeepPolicy(v)
			opts.Keep = k
			return err
		})
	fs.Float64Var(&opts.MinReuseSimilarity, "min-reuse-similarity", d.MinReuseSimilarity, "least similarity at which a specific (not frequent) training summary is reused; below it the model extracts")
	opts.Objective = d.Objective
	fs.Var((*eval.RougeTypes)(&opts.Objective), "objective", "ROUGE types (F-measure, averaged) the ranker learns to maximise")
	fs.Float64Var(&opts.Temperature, "temperature", d.Temperature, "sharpness of the ranker's target over candidates (lower: only the best counts)")
	fs.IntVar(&opts.Trees, "trees", d.Trees, "boosted trees in the ranker")
	fs.IntVar(&opts.Depth, "depth", d.Depth, "depth of each tree (at most 12)")
	fs.Float64Var(&opts.LearningRate, "learning-rate", d.LearningRate, "boosting shrinkage")
	fs.IntVar(&opts.Ensemble, "ensemble", d.Ensemble, "rankers (on different subsamples) averaged: steadier choices; training time grows with it")
	fs.IntVar(&opts.CVFolds, "cv-folds", d.CVFolds, "cross-validation folds (out-of-fold sentence scores and the training report)")
	fs.BoolVar(&opts.SkipCrossValidation, "no-cv", false, "skip the cross-validated training report (five extra rankers); the model is the same")
	fs.Uint64Var(&opts.Seed, "seed", d.Seed, "random seed (folds, subsampling)")
	fs.IntVar(&opts.Workers, "workers", 0, "parallel workers (default: all cores); does not change the model")
	fs.IntVar(&o.AbnormalTop, "abnormal-top", o.AbnormalTop, "the abnormal dev subset: references not among this many most frequent training summaries")
	fs.BoolVar(&o.Baselines, "baselines", o.Baselines, "also evaluate the nearest-neighbour, most-frequent, lead-1 and TextRank baselines on --dev")
	return out
}

func (m *Main) runTrainSummarizer(ctx context.Context, args []string) error {
	fs := m.newFlagSet(trainSummarizerDoc)
	o := trained.DefaultFitOptions()
	var data dataFlags
	out := registerSummarizerFlags(fs, &o, &data)
	var reg trainRegisterFlags
	reg.add(fs)
	pos, err := m.parseFlags(fs, trainSummarizerDoc, args)
	if err != nil {
		return err
	}
	const cmd = "train summarizer"
	if err := reg.check(cmd); err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageError{fmt.Errorf("%s: unexpected argument %q; give files with --train and --dev (see --help)", cmd, pos[0])}
	case o.Train == "":
		return usageError{fmt.Errorf("%s: --train is required (see --help)", cmd)}
	case *out == "":
		return usageError{fmt.Errorf("%s: --out is required (see --help)", cmd)}
	case o.AbnormalTop < 0:
		return usageError{fmt.Errorf("%s: --abnormal-top must not be negative", cmd)}
	case o.Train == "-" || o.Dev == "-":
		return usageError{fmt.Errorf("%s: training data must be a file, not stdin (its checksum goes into the model)", cmd)}
	}
	if err := o.Options.Validate(); err != nil {
		return usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	if o.Options.CVFolds < 2 {
		return usageError{fmt.Errorf("%s: --cv-folds must be at least 2", cmd)}
	}
	if o.Data, err = data.options(); err != nil {
		return err
	}
	pr := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	o.Progress, o.Notices = pr, m.Stderr
	res, err := trained.Fit(ctx, o)
	pr.Finish()
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := res.Save(*out); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := res.WriteText(m.Stdout); err != nil {
		return err
	}
	_, err = m.registerTrained(ctx, cmd, &reg, trainedModel{Dir: *out, Kind: registry.KindSummarizer})
	return err
}
