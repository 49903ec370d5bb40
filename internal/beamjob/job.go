package beamjob

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"   // gs:// paths
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"    // s3:// paths
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/osler-health/osler/internal/dataset"
)

// Job is what a pipeline does to each record. It is a flag.Value.
type Job string

// The jobs.
const (
	// Predict classifies records as osler predict does.
	Predict Job = "predict"
	// Summarize summarizes records as osler summarize does.
	Summarize Job = "summarize"
	// Rouge scores pairs as osler eval rouge --pairs does.
	Rouge Job = "rouge"
)

// String returns the job's name.
func (j Job) String() string { return string(j) }

// Set parses predict, summarize or rouge.
func (j *Job) Set(s string) error {
	switch v := Job(s); v {
	case Predict, Summarize, Rouge:
		*j = v
		return nil
	}
	return fmt.Errorf("batch: unknown job %q: want predict, summarize or rouge", s)
}

// Config describes a pipeline.
type Config struct {
	Job Job
	// Input is the pattern of the input files (a glob any of Beam's
	// filesystems expands).
	Input string
	// InputOptions lay out the input files of predict and summarize.
	InputOptions dataset.Options
	// Output is the prefix of the shards: PREFIX-00000-of-0000N.jsonl.
	// rouge also writes PREFIX-summary.json.
	Output string
	// Shards is the number of output files; at least 1.
	Shards int

	// Model is the model directory: a classifier (predict) or a trained
	// summarizer (summarize; "" is the extractive method).
	Model string
	// Format is predict's output format (osler or comprehend).
	Format string
	// Threshold, when >= 0, decides every label at this score (predict).
	Threshold float64
	// Verify and Provenance are summarize's --verify and --provenance.
	Verify     string
	Provenance bool
	// Rouge configures rouge.
	Rouge RougeOptions
}

// SummaryPath is where rouge writes the aggregate.
func (c Config) SummaryPath() string { return c.Output + "-summary.json" }

// Validate checks what can be checked before the pipeline runs.
func (c Config) Validate() error {
	var errs []error
	if c.Input == "" {
		errs = append(errs, errors.New("batch: --input is required"))
	}
	if c.Output == "" {
		errs = append(errs, errors.New("batch: --output is required"))
	}
	if c.Shards < 1 {
		errs = append(errs, errors.New("batch: --shards must be at least 1"))
	}
	switch c.Job {
	case Predict:
		if c.Model == "" {
			errs = append(errs, errors.New("batch: predict needs --model (a classifier directory)"))
		}
		if err := checkFormat(c.Format); err != nil {
			errs = append(errs, err)
		}
		if c.Threshold > 1 {
			errs = append(errs, fmt.Errorf("batch: --threshold %g: scores are between 0 and 1", c.Threshold))
		}
	case Rouge:
		if _, _, err := c.Rouge.scorer(); err != nil {
			errs = append(errs, err)
		}
	case Summarize:
	default:
		errs = append(errs, fmt.Errorf("batch: no job named (want predict, summarize or rouge)"))
	}
	return errors.Join(errs...)
}

// Build adds the pipeline c describes to s.
func Build(s beam.Scope, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	s = s.Scope("osler-" + string(c.Job))
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, c.Input, fileio.MatchEmptyDisallow()), fileio.ReadDirectorySkip())
	var lines beam.PCollection
	switch c.Job {
	case Predict:
		opts := c.InputOptions
		opts.IgnoreLabels = true // only the text is read, as in osler predict
		recs := beam.ParDo(s, &readRecordsFn{Options: opts}, files)
		lines = beam.ParDo(s, &predictFn{Model: c.Model, Format: c.Format, Threshold: c.Threshold}, recs)
	case Summarize:
		recs := beam.ParDo(s, &readRecordsFn{Options: c.InputOptions}, files)
		lines = beam.ParDo(s, &summarizeFn{Model: c.Model, Verify: c.Verify, Provenance: c.Provenance}, recs)
	case Rouge:
		pairs := beam.ParDo(s, &readPairsFn{}, files)
		var scored beam.PCollection
		lines, scored = beam.ParDo2(s, &rougeFn{Options: c.Rouge}, pairs)
		all := beam.GroupByKey(s, beam.AddFixedKey(s, scored))
		beam.ParDo0(s, &rougeSummaryFn{Options: c.Rouge, Path: c.SummaryPath()}, all)
	}
	writeShards(s.Scope("write"), lines, c.Output, c.Shards)
	return nil
}

// writeShards writes lines into shards files.
func writeShards(s beam.Scope, lines beam.PCollection, prefix string, shards int) {
	keyed := beam.ParDo(s, &shardFn{Shards: shards}, lines)
	empty := beam.ParDo(s, &emptyShardsFn{Shards: shards}, beam.Impulse(s))
	grouped := beam.GroupByKey(s, beam.Flatten(s, keyed, empty))
	beam.ParDo0(s, &writeShardFn{Prefix: prefix, Shards: shards}, grouped)
}

// DefaultFormat is predict's default output format.
const DefaultFormat = "osler"

// isRemote reports whether path names an object store rather than the
// local disk.
func isRemote(path string) bool { return strings.Contains(path, "://") }

func init() {
	for _, t := range []any{Record{}, Pair{}, Out{}, Scored{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(Record), error](&readRecordsFn{})
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(Pair), error](&readPairsFn{})
	register.DoFn2x0[Record, func(Out)](&predictFn{})
	register.DoFn3x1[context.Context, Record, func(Out), error](&summarizeFn{})
	register.DoFn3x0[Pair, func(Out), func(Scored)](&rougeFn{})
	register.DoFn3x1[context.Context, int, func(*Scored) bool, error](&rougeSummaryFn{})
	register.DoFn1x2[Out, int, Out](&shardFn{})
	register.DoFn2x0[[]byte, func(int, Out)](&emptyShardsFn{})
	register.DoFn3x1[context.Context, int, func(*Out) bool, error](&writeShardFn{})
	register.Emitter1[Record]()
	register.Emitter1[Pair]()
	register.Emitter1[Out]()
	register.Emitter1[Scored]()
	register.Emitter2[int, Out]()
	register.Iter1[Scored]()
	register.Iter1[Out]()
}
