package augment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm/backend"
)

// RunOptions configure [Run], the workflow of osler augment: read the
// files, open the model, [Generate], write the kept rows.
type RunOptions struct {
	// Options are Generate's options; Train, Guard, Backend, ModelName and
	// LLMOptions are filled in by Run.
	Options
	// TrainPath is the training file; GuardPaths are dev and test files
	// no row may reproduce. Both are read with Data.
	TrainPath  string
	GuardPaths Files
	Data       dataset.Options
	// Out is the JSONL file the kept rows are written to, atomically.
	Out string
	// LLM says which model to call (flags, environment, config file).
	LLM config.LLMLayers
	// OnRetry, when set, is told about each retry of a failed call.
	OnRetry func(attempt int, err error, wait time.Duration)
}

// Files is a list of file names given by repeating a flag.
type Files []string

// String joins the names with commas.
func (f *Files) String() string { return strings.Join(*f, ",") }

// Set appends a name.
func (f *Files) Set(s string) error { *f = append(*f, s); return nil }

// Run checks o, reads the training and guard files, opens the model o.LLM
// describes, runs [Generate] and writes the kept rows, with their
// "synthetic" provenance, as JSONL to o.Out (temp file, fsync, rename:
// nothing is written when it fails). Mistakes in o are config.Invalid
// errors that name the flag.
func Run(ctx context.Context, o RunOptions) (*Result, error) {
	switch {
	case o.TrainPath == "":
		return nil, config.Invalid(errors.New("augment: --train is required"))
	case o.Label == "":
		return nil, config.Invalid(errors.New("augment: --label is required"))
	case o.Out == "":
		return nil, config.Invalid(errors.New("augment: --out is required"))
	case o.Out == o.TrainPath:
		return nil, config.Invalid(errors.New("augment: --out and --train are the same file"))
	}
	if _, err := o.Options.withDefaults(); err != nil {
		return nil, config.Invalid(err)
	}
	var err error
	if o.Train, err = dataset.ReadAll(o.TrainPath, nil, o.Data); err != nil {
		return nil, err
	}
	for _, p := range o.GuardPaths {
		recs, err := dataset.ReadAll(p, nil, o.Data)
		if err != nil {
			return nil, err
		}
		o.Guard = append(o.Guard, recs...)
	}
	cfg, err := o.LLM.Resolve()
	if err != nil {
		return nil, err
	}
	model, err := backend.Open(ctx, cfg, o.OnRetry)
	if err != nil {
		return nil, err
	}
	o.Backend, o.ModelName, o.LLMOptions = string(cfg.ResolvedBackend()), cfg.Model, backend.Options(cfg)
	if o.Backend == config.BackendSageMaker {
		o.ModelName = cfg.SageMakerEndpoint
	}
	res, err := Generate(ctx, model, o.Options)
	if err != nil {
		return res, err
	}
	return res, atomicfile.Write(o.Out, 0o644, func(w io.Writer) error {
		jw := dataset.NewJSONLWriter(w, dataset.KindClassification)
		for _, r := range res.Records {
			if err := jw.Write(r); err != nil {
				return err
			}
		}
		return jw.Flush()
	})
}

// Report is the summary of a [Result] that osler augment prints: its
// counts, without the rows and prompts.
type Report struct {
	Label         string         `json:"label"`
	Out           string         `json:"out"`
	Asked         int            `json:"asked"`
	Generated     int            `json:"generated"`
	Kept          int            `json:"kept"`
	Dropped       map[string]int `json:"dropped"`
	Calls         int            `json:"calls"`
	Retries       int            `json:"retries"`
	Malformed     int            `json:"malformed"`
	FailedPrompts int            `json:"failed_prompts"`
}

// reasons names each [Dropped] count, in the order the filters run.
func (d Dropped) reasons() []struct {
	name string
	n    int
} {
	return []struct {
		name string
		n    int
	}{{"empty", d.Empty}, {"too_short", d.TooShort}, {"too_long", d.TooLong}, {"not_text", d.NotText},
		{"duplicate_train", d.DuplicateTrain}, {"near_duplicate_train", d.NearDuplicateTrain},
		{"duplicate_batch", d.DuplicateBatch}, {"near_duplicate_batch", d.NearDuplicateBatch},
		{"guard", d.Guard}, {"verify", d.Verify}, {"surplus", d.Surplus}}
}

// Report returns r's summary for label, written to out.
func (r *Result) Report(label, out string) Report {
	rep := Report{Label: label, Out: out, Asked: r.Asked, Generated: r.Generated, Kept: r.Kept, Dropped: map[string]int{},
		Calls: r.Calls, Retries: r.Retries, Malformed: r.Malformed, FailedPrompts: r.FailedPrompts}
	for _, d := range r.Dropped.reasons() {
		rep.Dropped[d.name] = d.n
	}
	return rep
}

// WriteText prints the report in a few lines: what was asked, generated
// and kept, the drops by reason (the guard's always), and the calls.
func (rep Report) WriteText(w io.Writer) error {
	var drops []string
	total := 0
	for _, r := range (Dropped{}).reasons() {
		n := rep.Dropped[r.name]
		total += n
		if n > 0 || r.name == "guard" {
			drops = append(drops, fmt.Sprintf("%s %d", strings.ReplaceAll(r.name, "_", " "), n))
		}
	}
	_, err := fmt.Fprintf(w, "augment %q: asked %d, generated %d, kept %d, written to %s\ndropped %d: %s\n%d calls, %d retries, %d malformed replies, %d prompts given up\n",
		rep.Label, rep.Asked, rep.Generated, rep.Kept, rep.Out, total, strings.Join(drops, ", "),
		rep.Calls, rep.Retries, rep.Malformed, rep.FailedPrompts)
	return err
}
