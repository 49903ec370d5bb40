package beamjob

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/direct"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"
)

// Runner is the Beam runner a pipeline is submitted to. It is a
// flag.Value.
type Runner string

// The runners.
const (
	// Direct runs the pipeline in this process on Beam's Go direct
	// runner (deprecated upstream; for small inputs).
	Direct Runner = "direct"
	// Prism runs the pipeline in this process on Beam's Go-native
	// portable runner, or submits it to a prism job server (--endpoint).
	Prism Runner = "prism"
	// Flink submits the pipeline to a Flink job server (--endpoint).
	Flink Runner = "flink"
	// Spark submits the pipeline to a Spark job server (--endpoint).
	Spark Runner = "spark"
	// Dataflow submits the pipeline to Google Cloud Dataflow (--project,
	// --region, --staging-location or --temp-location).
	Dataflow Runner = "dataflow"
)

// Runners lists the runners for help texts.
const Runners = "direct, prism, flink, spark or dataflow"

// String returns the runner's name.
func (r Runner) String() string { return string(r) }

// Set parses a runner name.
func (r *Runner) Set(s string) error {
	switch v := Runner(s); v {
	case Direct, Prism, Flink, Spark, Dataflow:
		*r = v
		return nil
	}
	return fmt.Errorf("batch: unknown --runner %q: want %s", s, Runners)
}

// Execute submits p to r and waits for it (unless --async).
func (r Runner) Execute(ctx context.Context, p *beam.Pipeline) (beam.PipelineResult, error) {
	switch r {
	case Direct:
		return direct.Execute(ctx, p)
	case Prism:
		return prism.Execute(ctx, p)
	case Flink:
		return flink.Execute(ctx, p)
	case Spark:
		return spark.Execute(ctx, p)
	case Dataflow:
		return dataflow.Execute(ctx, p)
	}
	return nil, fmt.Errorf("batch: no runner named (want %s)", Runners)
}

// Plan is what would be submitted: the runner, the Beam options the
// runner reads from the command line, and the job's own settings.
type Plan struct {
	Runner Runner `json:"runner"`
	Job    Config `json:"job"`
	// Options are the Beam pipeline options given on the command line,
	// by their Beam names (temp_location): the options the runner reads
	// and sends with the job.
	Options map[string]string `json:"options"`
}

// NewPlan checks that the Beam flags in fs (the runners' flags,
// flag.CommandLine in osler-batch, already parsed) hold what r needs,
// and returns the plan. It submits nothing; for dataflow without
// --staging-location it sets one under --temp-location.
func NewPlan(r Runner, c Config, fs *flag.FlagSet) (*Plan, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opts := map[string]string{}
	fs.Visit(func(f *flag.Flag) { opts[f.Name] = f.Value.String() })
	var missing []string
	need := func(names ...string) {
		for _, n := range names {
			if opts[n] == "" {
				missing = append(missing, "--"+strings.ReplaceAll(n, "_", "-"))
			}
		}
	}
	switch r {
	case Flink, Spark:
		need("endpoint")
	case Dataflow:
		need("project", "region")
		switch {
		case opts["staging_location"] == "" && opts["temp_location"] == "":
			missing = append(missing, "--temp-location (or --staging-location)")
		case opts["staging_location"] == "":
			// Dataflow needs a staging location; under the temp one, as
			// the Python and Java SDKs default it.
			staging := strings.TrimSuffix(opts["temp_location"], "/") + "/staging"
			if err := fs.Set("staging_location", staging); err != nil {
				return nil, fmt.Errorf("batch: %w", err)
			}
			opts["staging_location"] = staging
		}
		for _, p := range []string{c.Input, c.Output} {
			if !isRemote(p) {
				return nil, fmt.Errorf("batch: on dataflow, --input and --output must be object-store paths (gs://...), not %q", p)
			}
		}
		if c.Model != "" && !isRemote(c.Model) {
			return nil, fmt.Errorf("batch: on dataflow, --model must be a gs:// directory the workers can read, not %q", c.Model)
		}
	case Direct, Prism:
	default:
		return nil, fmt.Errorf("batch: no runner named (want %s)", Runners)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, errors.New("batch: --runner " + string(r) + " needs " + strings.Join(missing, ", "))
	}
	return &Plan{Runner: r, Job: c, Options: opts}, nil
}
