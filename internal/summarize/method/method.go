// Package method opens the summarization methods of osler summarize by
// name ([Spec]): "llm", an LLM chain (stuff, map-reduce or refine) over the
// backend the LLM settings name (internal/llm/backend); "extractive",
// TextRank over the document's own sentences (summarize/extractive);
// "model:PATH", a summarizer trained with osler train summarizer
// (summarize/trained). [Open] builds one from its settings ([Options]) and
// wraps it with the faithfulness check (summarize.Verify), so the command
// and any batch engine get the same summarizer from the same settings.
package method

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/llm/backend"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/extractive"
	"github.com/osler-health/osler/internal/summarize/trained"
)

// Kind is a summarization method.
type Kind string

// The methods.
const (
	// LLM calls an LLM through a chain ([Chain]).
	LLM Kind = "llm"
	// Extractive copies the document's most central sentences (three,
	// FINDINGS preferred when the document has sections); no model.
	Extractive Kind = "extractive"
	// Model runs a summarizer trained with osler train summarizer, from
	// the directory [Spec.Path].
	Model Kind = "model"
)

// Spec names a method as osler summarize's --method does: "llm",
// "extractive" or "model:PATH". The zero Spec names none ([Default]
// chooses). It is a flag.Value.
type Spec struct {
	Kind Kind
	// Path is the model directory of [Model].
	Path string
}

// Names lists the method names in the order help texts show them: "llm,
// extractive, model:PATH".
func Names() string {
	return strings.Join([]string{string(LLM), string(Extractive), string(Model) + ":PATH"}, ", ")
}

// String returns the spec as written: "llm", "extractive", "model:PATH",
// or "" for none.
func (s Spec) String() string {
	if s.Kind == Model {
		return string(Model) + ":" + s.Path
	}
	return string(s.Kind)
}

// Set parses a method name; "" names none.
func (s *Spec) Set(v string) error {
	switch {
	case v == "" || v == string(LLM) || v == string(Extractive):
		*s = Spec{Kind: Kind(v)}
	case strings.HasPrefix(v, string(Model)+":"):
		path := strings.TrimPrefix(v, string(Model)+":")
		if path == "" {
			return errors.New("summarize: --method model:DIR needs the model directory written by osler train summarizer")
		}
		*s = Spec{Kind: Model, Path: path}
	default:
		return fmt.Errorf("summarize: unknown --method %q (available in this build: %s)", v, Names())
	}
	return nil
}

// Default is the method when none is named: llm when the layers name an
// LLM server or endpoint (or fail, so that opening it reports why),
// extractive otherwise.
func Default(l config.LLMLayers) Spec {
	if l.Configured() {
		return Spec{Kind: LLM}
	}
	return Spec{Kind: Extractive}
}

// Chain configures the llm method's chain.
type Chain struct {
	// Kind is stuff, map-reduce or refine.
	Kind summarize.ChainKind
	// Task picks the default prompts; PromptsFile, when set, overrides
	// some of them (see summarize.LoadPrompts).
	Task        summarize.Task
	PromptsFile string
	// ChunkSize and ChunkOverlap size the chunks, in Length units.
	ChunkSize, ChunkOverlap int
	// Length is the unit of ChunkSize, ChunkOverlap and TokenMax.
	Length summarize.Unit
	// TokenMax bounds what one reduce call combines; more is collapsed
	// first.
	TokenMax int
	// MapConcurrency bounds the map calls in flight for one document.
	MapConcurrency int
}

// Options configure [Open]. Start from [DefaultOptions].
type Options struct {
	// LLM is where the llm method's settings come from; they are resolved
	// (and must be valid) only when the llm method is opened.
	LLM config.LLMLayers
	// Chain configures the llm method's chain.
	Chain Chain
	// Verify says what happens to a summary that makes a claim its
	// document does not back (summarize.Verify); "" is warn.
	Verify summarize.VerifyMode
	// VerifyRetries is the number of corrections summarize.VerifyRetry
	// asks for; at least 1.
	VerifyRetries int
	// Checker is the faithfulness check; nil uses the built-in lexicon.
	Checker *clinical.Checker
	// OnRetry, when set, is told of each retried LLM call (for a log
	// line; the error names status and type only).
	OnRetry func(attempt int, err error, wait time.Duration)
	// OnCall, when set, is told of each finished LLM call. It may be
	// called from several goroutines at once.
	OnCall func(summarize.Event)
}

// DefaultOptions returns osler summarize's defaults: a map-reduce chain
// with the note prompts, chunks of summarize.DefaultChunkSize approximate
// tokens, summaries checked and their issues kept as warnings.
func DefaultOptions() Options {
	return Options{
		Chain: Chain{
			Kind:           summarize.ChainMapReduce,
			Task:           summarize.TaskNote,
			ChunkSize:      summarize.DefaultChunkSize,
			ChunkOverlap:   summarize.DefaultChunkOverlap,
			Length:         summarize.UnitTokens,
			TokenMax:       summarize.DefaultTokenMax,
			MapConcurrency: summarize.DefaultMapConcurrency,
		},
		Verify:        summarize.VerifyWarn,
		VerifyRetries: summarize.DefaultRetries,
	}
}

// Open builds the summarizer s names, checked against each document as
// o.Verify says. Settings that cannot work (invalid LLM settings, chunk
// sizes, a prompts file that does not load, --verify retry for a method
// that cannot revise, a zero Spec) are [*config.OptionError]s; failures
// to open what they name (a model directory that does not load, an
// endpoint) are not.
func Open(ctx context.Context, s Spec, o Options) (summarize.Summarizer, error) {
	if o.VerifyRetries < 1 {
		return nil, config.Invalid(errors.New("summarize: --verify-retries must be at least 1"))
	}
	var sum summarize.Summarizer
	var err error
	switch s.Kind {
	case LLM:
		sum, err = openLLM(ctx, o)
	case Extractive:
		sum, err = extractive.New(extractive.Options{})
	case Model:
		sum, err = openModel(s.Path)
	default:
		err = config.Invalid(fmt.Errorf("summarize: no method named (want %s)", Names()))
	}
	if err != nil {
		return nil, err
	}
	return Checked(sum, o)
}

// Checked wraps sum with the faithfulness check o describes, as [Open]
// does; a batch engine that loads a trained summarizer itself (from an
// object store) uses it to get the summarizer osler summarize would.
func Checked(sum summarize.Summarizer, o Options) (summarize.Summarizer, error) {
	if o.VerifyRetries < 1 {
		return nil, config.Invalid(errors.New("summarize: --verify-retries must be at least 1"))
	}
	v, err := summarize.Verify(sum, o.Checker, o.Verify, o.VerifyRetries)
	if err != nil {
		return nil, config.Invalid(err)
	}
	return v, nil
}

func openModel(dir string) (summarize.Summarizer, error) {
	if dir == "" {
		return nil, config.Invalid(errors.New("summarize: --method model:DIR needs the model directory written by osler train summarizer"))
	}
	m, err := trained.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	return m, nil
}

// openLLM builds the chain o describes over the backend o.LLM names.
func openLLM(ctx context.Context, o Options) (summarize.Summarizer, error) {
	cfg, err := o.LLM.Resolve()
	if err != nil {
		return nil, err
	}
	c := o.Chain
	prompts, err := summarize.DefaultPrompts(c.Task)
	if err != nil {
		return nil, err
	}
	if c.PromptsFile != "" {
		if prompts, err = summarize.LoadPrompts(c.PromptsFile, prompts); err != nil {
			return nil, config.Invalid(err)
		}
	}
	length := c.Length.Counter()
	splitter := summarize.Splitter{ChunkSize: c.ChunkSize, ChunkOverlap: c.ChunkOverlap, Length: length}
	if err := splitter.Validate(); err != nil {
		return nil, config.Invalid(fmt.Errorf("summarize: --chunk-size/--chunk-overlap: %w", err))
	}
	if c.TokenMax < 1 || c.MapConcurrency < 1 {
		return nil, config.Invalid(errors.New("summarize: --token-max and --map-concurrency must be at least 1"))
	}
	model, err := backend.Open(ctx, cfg, o.OnRetry)
	if err != nil {
		return nil, err
	}
	return summarize.NewChain(c.Kind, summarize.ChainConfig{
		Model:       model,
		Prompts:     prompts,
		Options:     backend.Options(cfg),
		Splitter:    splitter,
		TokenMax:    c.TokenMax,
		Counter:     length,
		Concurrency: c.MapConcurrency,
		OnCall:      o.OnCall,
	})
}
