package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/osler-health/osler/internal/beamjob"
	"github.com/osler-health/osler/internal/dataset"
)

// Main is the osler-batch program, its outputs fields so tests capture
// them.
type Main struct {
	Stdout, Stderr io.Writer
	// Beam is the flag set Beam's runners read; nil is flag.CommandLine.
	Beam *flag.FlagSet
}

// usageError is a command-line mistake: exit status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

const usage = `Usage:
  osler-batch predict|summarize|rouge --runner RUNNER --input PATTERN --output PREFIX [flags] [Beam flags]

Runs an osler batch job as an Apache Beam pipeline. RUNNER is ` + beamjob.Runners + `.
Flags Osler does not know are Beam's pipeline options, with - or _ in their names:
--endpoint (flink, spark, prism job server), --environment-type, --environment-config,
--project, --region, --temp-location, --staging-location, --num-workers (dataflow), ...
--dry-run checks the flags the runner needs and prints the plan as JSON without running it.
`

// Run parses args and runs the job, or, with Beam's worker flags only,
// the worker.
func (m *Main) Run(ctx context.Context, args []string) error {
	bfs := m.Beam
	if bfs == nil {
		bfs = flag.CommandLine
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" && args[0] != "-help" {
		// A worker started by a runner, or no job.
		if len(args) == 0 {
			fmt.Fprint(m.Stderr, usage)
			return usageError{errors.New("a job is required: predict, summarize or rouge")}
		}
		if err := bfs.Parse(args); err != nil {
			return usageError{err}
		}
		beam.Init()
		return usageError{errors.New("a job is required: predict, summarize or rouge")}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	var j jobFlags
	fs := j.flagSet(args[0])
	if err := j.job.Set(args[0]); err != nil {
		return usageError{err}
	}
	oslerArgs, beamArgs, err := splitArgs(args[1:], fs, bfs)
	if err != nil {
		return usageError{err}
	}
	if err := fs.Parse(oslerArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(m.Stdout, usage+"\nFlags of "+args[0]+":\n")
			fs.SetOutput(m.Stdout)
			fs.PrintDefaults()
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (give files with --input and --output)", fs.Arg(0))}
	}
	if err := bfs.Parse(beamArgs); err != nil {
		return usageError{err}
	}
	cfg, err := j.config()
	if err != nil {
		return usageError{err}
	}
	plan, err := beamjob.NewPlan(j.runner, cfg, bfs)
	if err != nil {
		return usageError{err}
	}
	if j.dryRun {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	return m.execute(ctx, plan)
}

// execute builds the pipeline and runs it on the plan's runner.
func (m *Main) execute(ctx context.Context, plan *beamjob.Plan) error {
	if !beam.Initialized() {
		beam.Init()
	}
	p, s := beam.NewPipelineWithRoot()
	if err := beamjob.Build(s, plan.Job); err != nil {
		return err
	}
	start := time.Now()
	if _, err := plan.Runner.Execute(ctx, p); err != nil {
		return fmt.Errorf("%s on %s: %w", plan.Job.Job, plan.Runner, err)
	}
	fmt.Fprintf(m.Stderr, "osler-batch: %s on %s finished in %s; wrote %s\n", plan.Job.Job, plan.Runner,
		time.Since(start).Round(time.Millisecond), beamjob.ShardName(plan.Job.Output, 0, plan.Job.Shards)+" ...")
	return nil
}

// jobFlags are osler-batch's own flags.
type jobFlags struct {
	job                  beamjob.Job
	runner               beamjob.Runner
	runnerName           string
	input, output, model string
	shards               int
	dryRun               bool
	inputFormat          string
	format               string
	threshold            float64
	method, verify       string
	provenance           bool
	rouge                beamjob.RougeOptions
}

func (j *jobFlags) flagSet(job string) *flag.FlagSet {
	fs := flag.NewFlagSet("osler-batch "+job, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&j.runnerName, "runner", "prism", "Beam runner: "+beamjob.Runners)
	fs.StringVar(&j.input, "input", "", "input files: a glob (local, gs://, s3://); JSONL, CSV or .txt for predict and summarize, JSONL pairs for rouge")
	fs.StringVar(&j.output, "output", "", "output prefix: writes PREFIX-00000-of-0000N.jsonl (rouge also PREFIX-summary.json)")
	fs.IntVar(&j.shards, "shards", 1, "number of output files")
	fs.BoolVar(&j.dryRun, "dry-run", false, "check the flags and print the plan (runner, Beam options, job) as JSON; run nothing")
	fs.StringVar(&j.inputFormat, "input-format", "", "input format: jsonl, csv, table or text (default: from the file extension)")
	switch job {
	case string(beamjob.Predict):
		fs.StringVar(&j.model, "model", "", "classifier directory (from osler train classifier; export registry models with osler models export); gs:// or s3:// on a cluster")
		fs.StringVar(&j.format, "format", beamjob.DefaultFormat, "output shape: osler or comprehend, as osler predict --format")
		fs.Float64Var(&j.threshold, "threshold", -1, "decide every label at this score instead of the model's thresholds")
	case string(beamjob.Summarize):
		fs.StringVar(&j.method, "method", "extractive", "summarization method: extractive or model:DIR (a trained summarizer directory; gs:// or s3:// on a cluster)")
		fs.StringVar(&j.verify, "verify", "warn", `faithfulness check: warn, drop or off, as osler summarize --verify`)
		fs.BoolVar(&j.provenance, "provenance", false, "add the provenance fields to each line")
	case string(beamjob.Rouge):
		fs.StringVar(&j.rouge.Types, "types", "rouge1,rouge2,rougeL,rougeLsum", "comma-separated ROUGE types")
		fs.BoolVar(&j.rouge.Stemmer, "stemmer", false, "apply the Porter stemmer, as osler eval rouge --stemmer")
		fs.StringVar(&j.rouge.Tokenizer, "tokenizer", "default", `"default" or "unicode", as osler eval rouge --tokenizer`)
		fs.BoolVar(&j.rouge.SplitSentences, "split-sentences", false, "for rougeLsum, split texts into sentences")
		fs.IntVar(&j.rouge.Bootstrap, "bootstrap", 1000, "bootstrap resamples for the aggregate's intervals; 0 turns them off")
		fs.Uint64Var(&j.rouge.Seed, "seed", 42, "bootstrap seed")
		fs.Float64Var(&j.rouge.Confidence, "confidence", 0.95, "coverage of the bootstrap intervals")
	}
	return fs
}

// config turns the flags into the pipeline's config.
func (j *jobFlags) config() (beamjob.Config, error) {
	if err := j.runner.Set(j.runnerName); err != nil {
		return beamjob.Config{}, err
	}
	format, err := dataset.ParseFormat(j.inputFormat)
	if err != nil {
		return beamjob.Config{}, err
	}
	c := beamjob.Config{Job: j.job, Input: j.input, InputOptions: dataset.Options{Format: format}, Output: j.output, Shards: j.shards,
		Model: j.model, Format: j.format, Threshold: j.threshold, Verify: j.verify, Provenance: j.provenance, Rouge: j.rouge}
	if j.job == beamjob.Summarize {
		switch {
		case j.method == "extractive":
		case strings.HasPrefix(j.method, "model:") && len(j.method) > len("model:"):
			c.Model = strings.TrimPrefix(j.method, "model:")
		default:
			return c, fmt.Errorf("batch: --method %q: want extractive or model:DIR (the llm method does not run in batch yet)", j.method)
		}
		if j.verify == "retry" {
			return c, errors.New("batch: --verify retry needs an LLM; use warn, drop or off")
		}
	}
	return c, nil
}

// splitArgs sorts args into Osler's flags (those fs defines) and Beam's
// (those beam defines, by their Beam names: - in a name becomes _). A
// flag neither knows is an error.
func splitArgs(args []string, fs, beamFS *flag.FlagSet) (osler, beamArgs []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			osler = append(osler, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" || fs.Lookup(name) != nil {
			osler = append(osler, a)
			if !hasValue && !isBool(fs.Lookup(name)) && name != "h" && name != "help" && i+1 < len(args) {
				i++
				osler = append(osler, args[i])
			}
			continue
		}
		bname := strings.ReplaceAll(name, "-", "_")
		f := beamFS.Lookup(bname)
		if f == nil {
			return nil, nil, fmt.Errorf("unknown flag %s: not an osler-batch flag nor a Beam pipeline option (see --help)", a)
		}
		if hasValue {
			beamArgs = append(beamArgs, "--"+bname+"="+value)
			continue
		}
		if isBool(f) || i+1 >= len(args) {
			beamArgs = append(beamArgs, "--"+bname)
			continue
		}
		i++
		beamArgs = append(beamArgs, "--"+bname+"="+args[i])
	}
	return osler, beamArgs, nil
}

// isBool reports whether f is a boolean flag (which takes no value).
func isBool(f *flag.Flag) bool {
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
