package augment

import (
	"context"
	"errors"
	"fmt"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm"
)

// Defaults of [Options] fields left at zero.
const (
	DefaultShots      = 5
	DefaultContrast   = 2
	DefaultBatch      = 10
	DefaultMaxRetries = 2
	DefaultMinChars   = 15
	DefaultMaxChars   = 2000
)

// MaxBatch is the most rows one call may ask for.
const MaxBatch = 100

// Options configure [Generate].
type Options struct {
	// Train holds the real training records. Shots are drawn from it, and
	// no generated row may repeat one of its texts (any label).
	Train []dataset.Record
	// Label is the label to synthesize; Train needs records that carry it.
	Label string
	// N is how many rows are wanted.
	N int
	// Shots is how many examples of Label each prompt shows (default
	// DefaultShots; fewer when Train has fewer).
	Shots int
	// Contrast is how many examples of other labels each prompt shows
	// (default DefaultContrast; negative shows none).
	Contrast int
	// Seed draws the examples of each prompt and is sent to the model.
	Seed int64
	// Batch is how many rows each call asks for (default DefaultBatch, at
	// most MaxBatch).
	Batch int
	// MaxCalls bounds the model calls, retries included (default: four
	// times the calls N rows need at Batch rows a call, at least 4).
	MaxCalls int
	// MaxRetries is how many times a prompt is sent again after a
	// malformed reply (default DefaultMaxRetries; negative: none).
	MaxRetries int
	// Guard holds records, dev and test, that no generated row may repeat
	// even nearly. See the package documentation.
	Guard []dataset.Record
	// Backend and ModelName are written into each row's provenance.
	Backend   string
	ModelName string
	// Concurrency is how many calls run at once (default 1).
	Concurrency int
	// MinChars and MaxChars bound a row's length in characters (defaults
	// DefaultMinChars and DefaultMaxChars).
	MinChars int
	MaxChars int
	// Verify, when set, scores each row that passed the other filters;
	// rows scoring below MinScore are dropped. An error stops Generate.
	Verify   func(ctx context.Context, text string) (score float64, err error)
	MinScore float64
	// LLMOptions are passed on every call (max tokens, temperature).
	LLMOptions []llm.Option
}

// ErrNoExamples is returned when Train has no record of the label.
var ErrNoExamples = errors.New("augment: no training records carry the label")

// withDefaults returns o with zero fields set to their defaults, or an
// error naming the first bad field.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Label == "":
		return o, errors.New("augment: no label to synthesize")
	case o.N <= 0:
		return o, fmt.Errorf("augment: rows wanted is %d, must be positive", o.N)
	case o.Shots < 0, o.Batch < 0, o.MaxCalls < 0, o.Concurrency < 0, o.MinChars < 0, o.MaxChars < 0:
		return o, errors.New("augment: shots, batch, max calls, concurrency and lengths must not be negative")
	case o.Batch > MaxBatch:
		return o, fmt.Errorf("augment: batch %d is over the limit of %d rows a call", o.Batch, MaxBatch)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Shots, DefaultShots)
	def(&o.Contrast, DefaultContrast)
	def(&o.Batch, DefaultBatch)
	def(&o.MaxRetries, DefaultMaxRetries)
	def(&o.Concurrency, 1)
	def(&o.MinChars, DefaultMinChars)
	def(&o.MaxChars, DefaultMaxChars)
	def(&o.MaxCalls, max(4, 4*((o.N+o.Batch-1)/o.Batch)))
	o.Contrast = max(o.Contrast, 0)
	o.MaxRetries = max(o.MaxRetries, 0)
	if o.MinChars > o.MaxChars {
		return o, fmt.Errorf("augment: min length %d is over max length %d", o.MinChars, o.MaxChars)
	}
	return o, nil
}

// Result is what [Generate] made and why it dropped the rest. Every row
// parsed from a reply is either kept or dropped for one reason, so
// Generated == Kept + Dropped.Total().
type Result struct {
	// Records are the kept rows, in order, with provenance.
	Records []dataset.Record
	// Prompts are the prompts sent, in order (one per round; a retried
	// prompt is listed once).
	Prompts []Prompt
	// Asked is the rows asked for: Batch for every prompt sent.
	Asked int
	// Generated is the rows parsed from the replies.
	Generated int
	// Kept is len(Records).
	Kept int
	// Dropped counts the rows dropped, by reason.
	Dropped Dropped
	// Calls is the model calls made, retries included.
	Calls int
	// Retries is the calls that resent a prompt after a malformed reply.
	Retries int
	// Malformed is the replies that held no usable rows.
	Malformed int
	// FailedPrompts is the prompts given up on because every reply to
	// them was malformed.
	FailedPrompts int
}

// Dropped counts dropped rows by the first filter they failed, in the
// order the filters run.
type Dropped struct {
	// Empty, TooShort, TooLong and NotText are rows of the wrong shape
	// (NotText: a JSON value that is not a string or has no "text", or a
	// string without letters).
	Empty    int
	TooShort int
	TooLong  int
	NotText  int
	// DuplicateTrain and NearDuplicateTrain repeat a training text exactly
	// or up to case, spacing and punctuation.
	DuplicateTrain     int
	NearDuplicateTrain int
	// DuplicateBatch and NearDuplicateBatch repeat a row generated earlier
	// in the same run.
	DuplicateBatch     int
	NearDuplicateBatch int
	// Guard is the contamination guard's refusals: near-duplicates of a
	// Guard (dev/test) record.
	Guard int
	// Verify is rows the verifier scored below MinScore.
	Verify int
	// Surplus is rows that passed every filter after N were kept.
	Surplus int
}

// Total is the number of rows dropped for any reason.
func (d Dropped) Total() int {
	return d.Empty + d.TooShort + d.TooLong + d.NotText + d.DuplicateTrain + d.NearDuplicateTrain +
		d.DuplicateBatch + d.NearDuplicateBatch + d.Guard + d.Verify + d.Surplus
}
