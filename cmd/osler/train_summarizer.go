package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/extractive"
	"github.com/osler-health/osler/internal/summarize/trained"
	"github.com/osler-health/osler/internal/text"
)

var trainSummarizerDoc = cmdDoc{
	Usage: "osler train summarizer --train FILE [--dev FILE] --out DIR [flags]",
	Summary: `Train a summarizer on this machine's CPUs from (source, summary) pairs: JSONL {"id","source","summary"}, or CSV/TSV with --text-column and --summary-column. ` +
		`For each document the model builds candidates: the summaries of the most similar training sources, the most frequent training summaries, and source ` +
		`sentences picked by a supervised sentence scorer (alone, shortened, combined). A faithfulness guard checks each against the document (osler eval ` +
		`faithfulness): a candidate with a claim the document does not back is removed (a reused summary is first adapted by swapping left and right when that ` +
		`mends it), and those keeping the document's critical findings, lines and tubes are preferred; a ranker of boosted trees trained on leave-one-out ` +
		`candidates picks one. ` +
		`Reports with section headers are read section by section (FINDINGS for retrieval and extraction). ` +
		`Prints cross-validated ROUGE on --train and, with --dev, ROUGE on dev (rouge-score settings: default tokenizer, no stemming) for all pairs and for the abnormal ones ` +
		`(reference not among the --abnormal-top most frequent training summaries), beside the nearest-neighbour, most-frequent, lead-1 and TextRank baselines, ` +
		`with the share of each method's summaries that hold a claim their source does not back, and the references' own share. ` +
		`DIR gets model.json (settings, data checksums, metrics), model.bin and SHA256SUMS; use it with osler summarize --method model:DIR.`,
	Example: `osler train summarizer --train ../shared/data/iu_xray/train.jsonl --dev ../shared/data/iu_xray/dev.jsonl --out /tmp/iu.model
osler train summarizer --train reports.csv --text-column findings --summary-column impression --out impressions.model --no-cv`,
}

// summarizerTrainFlags are the flags of osler train summarizer.
type summarizerTrainFlags struct {
	train, dev, out string
	data            dataFlags
	opts            trained.Options
	objective       string
	noCV            bool
	abnormalTop     int
	baselines       bool
}

func (f *summarizerTrainFlags) register(fs *flag.FlagSet) {
	d := trained.DefaultOptions()
	fs.StringVar(&f.train, "train", "", "training pairs (required)")
	fs.StringVar(&f.dev, "dev", "", "dev pairs: evaluated after training, with the baselines")
	fs.StringVar(&f.out, "out", "", "model directory to write (required); replaced if it holds a summarizer")
	f.data.register(fs, "")
	fs.IntVar(&f.opts.Neighbors, "neighbors", d.Neighbors, "similar training sources retrieved per document")
	fs.IntVar(&f.opts.MBRNeighbors, "vote-neighbors", d.MBRNeighbors, "of those, how many vote in the consensus features")
	fs.IntVar(&f.opts.Frequent, "frequent", d.Frequent, "most frequent training summaries offered for every document (normal-study phrases)")
	fs.IntVar(&f.opts.MaxSingles, "max-singles", d.MaxSingles, "best single source sentences offered as candidates")
	fs.IntVar(&f.opts.CombineTop, "combine-top", d.CombineTop, "best sentences combined into multi-sentence extracts")
	fs.IntVar(&f.opts.MaxExtract, "max-extract", d.MaxExtract, "most sentences in an extract (1-5)")
	fs.Func("keep", `what the faithfulness guard makes summaries keep of their document, when some candidate can: "reportable" (critical findings, then lines, tubes and significant findings), "critical", "none", or "auto" (what the training references keep; the default)`,
		func(v string) error {
			k, err := trained.ParseKeepPolicy(v)
			f.opts.Keep = k
			return err
		})
	fs.Float64Var(&f.opts.MinReuseSimilarity, "min-reuse-similarity", d.MinReuseSimilarity, "least similarity at which a specific (not frequent) training summary is reused; below it the model extracts")
	fs.StringVar(&f.objective, "objective", "rouge1,rouge2,rougeL", "ROUGE types (F-measure, averaged) the ranker learns to maximise")
	fs.Float64Var(&f.opts.Temperature, "temperature", d.Temperature, "sharpness of the ranker's target over candidates (lower: only the best counts)")
	fs.IntVar(&f.opts.Trees, "trees", d.Trees, "boosted trees in the ranker")
	fs.IntVar(&f.opts.Depth, "depth", d.Depth, "depth of each tree (at most 12)")
	fs.Float64Var(&f.opts.LearningRate, "learning-rate", d.LearningRate, "boosting shrinkage")
	fs.IntVar(&f.opts.Ensemble, "ensemble", d.Ensemble, "rankers (on different subsamples) averaged: steadier choices; training time grows with it")
	fs.IntVar(&f.opts.CVFolds, "cv-folds", d.CVFolds, "cross-validation folds (out-of-fold sentence scores and the training report)")
	fs.BoolVar(&f.noCV, "no-cv", false, "skip the cross-validated training report (five extra rankers); the model is the same")
	fs.Uint64Var(&f.opts.Seed, "seed", d.Seed, "random seed (folds, subsampling)")
	fs.IntVar(&f.opts.Workers, "workers", 0, "parallel workers (default: all cores); does not change the model")
	fs.IntVar(&f.abnormalTop, "abnormal-top", 20, "the abnormal dev subset: references not among this many most frequent training summaries")
	fs.BoolVar(&f.baselines, "baselines", true, "also evaluate the nearest-neighbour, most-frequent, lead-1 and TextRank baselines on --dev")
}

func (m *Main) runTrainSummarizer(ctx context.Context, args []string) error {
	fs := m.newFlagSet(trainSummarizerDoc)
	var f summarizerTrainFlags
	f.register(fs)
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
	case f.train == "":
		return usageError{fmt.Errorf("%s: --train is required (see --help)", cmd)}
	case f.out == "":
		return usageError{fmt.Errorf("%s: --out is required (see --help)", cmd)}
	case f.abnormalTop < 0:
		return usageError{fmt.Errorf("%s: --abnormal-top must not be negative", cmd)}
	}
	if f.opts.Objective, err = eval.ParseRougeTypes(f.objective); err != nil {
		return usageError{fmt.Errorf("%s: --objective: %w", cmd, err)}
	}
	f.opts.SkipCrossValidation = f.noCV
	if err := f.opts.Validate(); err != nil {
		return usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	if f.opts.CVFolds < 2 {
		return usageError{fmt.Errorf("%s: --cv-folds must be at least 2", cmd)}
	}
	inOpts, err := f.data.options()
	if err != nil {
		return err
	}

	train, trainFile, err := readSummarizerPairs(f.train, m.Stdin, inOpts)
	if err != nil {
		return err
	}
	var dev []trained.Example
	var devFile trained.DataFile
	if f.dev != "" {
		if dev, devFile, err = readSummarizerPairs(f.dev, m.Stdin, inOpts); err != nil {
			return err
		}
		if n := summarizerSharedSources(train, dev); n > 0 {
			fmt.Fprintf(m.Stderr, "osler %s: warning: %d of %d dev sources are (near-)identical to training sources; dev scores are optimistic\n", cmd, n, len(dev))
		}
	}

	start := time.Now()
	pr := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	model, rep, err := trained.Train(ctx, train, f.opts, pr)
	pr.Finish()
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	model.RecordData("train", trainFile)

	type row struct {
		name string
		rep  *trained.EvalReport
	}
	var rows []row
	var gold *trained.Faithfulness // the dev references' own faithfulness
	if len(dev) > 0 {
		model.RecordData("dev", devFile)
		frequent := trained.FrequentSummaries(train, f.abnormalTop)
		evaluate := func(name string, s summarize.Summarizer) error {
			pr.Stage("evaluating "+name, len(dev))
			r, err := trained.Evaluate(ctx, s, dev, frequent, f.opts.Workers, pr)
			pr.Finish()
			if err != nil {
				return fmt.Errorf("%s: evaluate %s on %s: %w", cmd, name, f.dev, err)
			}
			rows = append(rows, row{name, r})
			return nil
		}
		if err := evaluate("trained", model); err != nil {
			return err
		}
		model.RecordMetrics("dev", rows[0].rep)
		refs := make([]string, len(dev))
		for i, ex := range dev {
			refs[i] = ex.Summary
		}
		if gold, err = trained.CheckFaithfulness(ctx, dev, refs, f.opts.Workers); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if f.baselines {
			nn, err := trained.NewNearestNeighbor(train)
			if err != nil {
				return err
			}
			mf, err := trained.NewMostFrequent(train)
			if err != nil {
				return err
			}
			ex, err := extractive.New(extractive.Options{MaxSentences: 1})
			if err != nil {
				return err
			}
			for _, b := range []struct {
				name string
				s    summarize.Summarizer
			}{{"nearest-neighbour", nn}, {"most-frequent", mf}, {"lead-1", trained.Lead{Naive: true}}, {"textrank-1", lenientExtractive{ex}}} {
				if err := evaluate(b.name, b.s); err != nil {
					return err
				}
			}
		}
	}
	if err := model.Save(f.out); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}

	text := trained.ReportText{Out: f.out, Elapsed: time.Since(start), Train: rep, CVFolds: f.opts.CVFolds,
		Dev: f.dev, DevPairs: len(dev), AbnormalTop: f.abnormalTop, References: gold}
	for _, r := range rows {
		text.Results = append(text.Results, trained.DevResult{Name: r.name, Report: r.rep})
	}
	if err := trained.WriteReport(m.Stdout, text); err != nil {
		return err
	}
	_, err = m.registerTrained(ctx, cmd, &reg, trainedModel{Dir: f.out, Kind: registry.KindSummarizer})
	return err
}

// lenientExtractive turns an extractive summarizer's "nothing to extract" into an
// empty summary, so a baseline scores 0 on such a document instead of
// stopping the evaluation.
type lenientExtractive struct{ s summarize.Summarizer }

func (l lenientExtractive) Summarize(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	r, err := l.s.Summarize(ctx, doc)
	if errors.Is(err, extractive.ErrEmptyDocument) {
		return summarize.Result{Provenance: &summarize.Provenance{Method: "extractive:empty"}}, nil
	}
	return r, err
}

// readSummarizerPairs reads a summarization file whole, checking every row has
// a source and a summary, and hashes it for the model's metadata.
func readSummarizerPairs(path string, stdin io.Reader, opts dataset.Options) ([]trained.Example, trained.DataFile, error) {
	if path == "-" {
		return nil, trained.DataFile{}, usageError{errors.New("train summarizer: training data must be a file, not stdin (its checksum goes into the model)")}
	}
	recs, err := dataset.ReadAll(path, stdin, opts)
	if err != nil {
		return nil, trained.DataFile{}, err
	}
	out := make([]trained.Example, 0, len(recs))
	for _, r := range recs {
		field := ""
		switch {
		case strings.TrimSpace(r.Text) == "":
			field = "source"
		case strings.TrimSpace(r.Summary) == "":
			field = "summary"
		}
		if field != "" {
			return nil, trained.DataFile{}, &dataset.ParseError{File: path, Line: r.Line, Field: field, Err: dataset.ErrMissingField,
				Hint: `every row of a summarization file needs a non-empty "source" and "summary" (for CSV/TSV name them with --text-column and --summary-column)`}
		}
		id := r.ID
		if id == "" {
			id = fmt.Sprintf("line-%d", r.Line)
		}
		out = append(out, trained.Example{ID: id, Source: r.Text, Summary: r.Summary})
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, trained.DataFile{}, err
	}
	return out, trained.DataFile{Path: path, SHA256: sum, Records: len(out)}, nil
}

// summarizerSharedSources counts dev sources that are near-identical (same words
// ignoring case, spacing and punctuation) to a training source.
func summarizerSharedSources(train, dev []trained.Example) int {
	keys := map[uint64]bool{}
	for _, ex := range train {
		keys[text.NearDupKey(ex.Source)] = true
	}
	n := 0
	for _, ex := range dev {
		if keys[text.NearDupKey(ex.Source)] {
			n++
		}
	}
	return n
}
