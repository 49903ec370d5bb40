package summarize

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/osler-health/osler/internal/llm"
)

// ChainKind names an LLM chain.
type ChainKind string

// The LLM chains.
const (
	// ChainStuff sends the whole document in one call.
	ChainStuff ChainKind = "stuff"
	// ChainMapReduce summarizes chunks concurrently, then combines the
	// summaries (collapsing them first when they exceed TokenMax).
	ChainMapReduce ChainKind = "map-reduce"
	// ChainRefine summarizes the first chunk, then refines the summary
	// with each following chunk in turn.
	ChainRefine ChainKind = "refine"
)

// ParseChainKind parses a --chain value.
func ParseChainKind(s string) (ChainKind, error) {
	switch s {
	case "stuff":
		return ChainStuff, nil
	case "map-reduce", "map_reduce", "mapreduce":
		return ChainMapReduce, nil
	case "refine":
		return ChainRefine, nil
	}
	return "", fmt.Errorf("summarize: unknown chain %q (want stuff, map-reduce or refine)", s)
}

// Stage is the step of a chain an LLM call belongs to.
type Stage string

// The stages reported in Events.
const (
	StageStuff    Stage = "stuff"
	StageMap      Stage = "map"
	StageCollapse Stage = "collapse"
	StageReduce   Stage = "reduce"
	StageRefine   Stage = "refine"
	// StageRevise is a correction asked for by --verify retry.
	StageRevise Stage = "revise"
)

// Event reports one finished LLM call of a chain run.
type Event struct {
	// DocID is the document's ID.
	DocID string
	// Stage is the step the call belonged to.
	Stage Stage
	// Done and Total count the calls of that stage for this document
	// (collapse rounds count their own calls).
	Done, Total int
}

// ChainConfig configures the LLM chains.
type ChainConfig struct {
	// Model is called by the chain; wrap it with llm.Wrap for timeouts,
	// retries and a global concurrency limit.
	Model llm.Model
	// Prompts are the templates (see DefaultPrompts and LoadPrompts).
	Prompts Prompts
	// Options are sent with every call (max tokens, temperature).
	Options []llm.Option
	// Splitter cuts documents into chunks (map-reduce and refine). A zero
	// ChunkSize means DefaultChunkSize tokens with DefaultChunkOverlap.
	Splitter Splitter
	// TokenMax bounds, in Counter units, the summaries one reduce call
	// combines: when the map summaries together exceed it, map-reduce
	// groups them into runs under TokenMax and summarizes each group
	// again ("collapse") until they fit. 0 means DefaultTokenMax.
	TokenMax int
	// Counter measures TokenMax; nil means ApproxTokens.
	Counter Counter
	// Concurrency bounds the map (and collapse) calls in flight for one
	// document; 0 means DefaultMapConcurrency.
	Concurrency int
	// MaxCollapse bounds the collapse rounds; 0 means DefaultMaxCollapse.
	MaxCollapse int
	// OnCall, when set, is told of each LLM call (to count them; the
	// work's progress goes through a progress.Reporter). It may be called
	// from several goroutines at once.
	OnCall func(Event)
}

// Defaults of ChainConfig.
const (
	DefaultChunkSize      = 3000 // approximate tokens
	DefaultChunkOverlap   = 150
	DefaultTokenMax       = 3000
	DefaultMapConcurrency = 4
	DefaultMaxCollapse    = 6
)

// withDefaults fills unset fields and checks the result.
func (c ChainConfig) withDefaults() (ChainConfig, error) {
	if c.Model == nil {
		return c, errors.New("summarize: the chain has no model")
	}
	if err := c.Prompts.Validate(); err != nil {
		return c, err
	}
	if c.Splitter.ChunkSize == 0 {
		c.Splitter.ChunkSize = DefaultChunkSize
		if c.Splitter.ChunkOverlap == 0 {
			c.Splitter.ChunkOverlap = DefaultChunkOverlap
		}
		if c.Splitter.Length == nil {
			c.Splitter.Length = ApproxTokens
		}
	}
	if err := c.Splitter.Validate(); err != nil {
		return c, err
	}
	if c.TokenMax == 0 {
		c.TokenMax = DefaultTokenMax
	}
	if c.TokenMax < 1 {
		return c, fmt.Errorf("summarize: token_max %d must be at least 1", c.TokenMax)
	}
	if c.Counter == nil {
		c.Counter = ApproxTokens
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultMapConcurrency
	}
	if c.Concurrency < 1 {
		return c, fmt.Errorf("summarize: map concurrency %d must be at least 1", c.Concurrency)
	}
	if c.MaxCollapse == 0 {
		c.MaxCollapse = DefaultMaxCollapse
	}
	return c, nil
}

// NewChain returns the chain of the given kind as a Summarizer.
func NewChain(kind ChainKind, cfg ChainConfig) (Summarizer, error) {
	switch kind {
	case ChainStuff:
		return NewStuff(cfg)
	case ChainMapReduce:
		return NewMapReduce(cfg)
	case ChainRefine:
		return NewRefine(cfg)
	}
	return nil, fmt.Errorf("summarize: unknown chain %q (want stuff, map-reduce or refine)", kind)
}

// run is the state of one chain run over one document: it makes the LLM
// calls, counts them and reports progress.
type run struct {
	cfg   ChainConfig
	doc   Document
	calls atomic.Int64
}

// generate sends one prompt to the model and reports the call.
func (r *run) generate(ctx context.Context, stage Stage, prompt string, done *atomic.Int64, total int) (string, error) {
	msgs := make([]llm.Message, 0, 2)
	if r.cfg.Prompts.System != "" {
		msgs = append(msgs, llm.System(r.cfg.Prompts.System))
	}
	msgs = append(msgs, llm.User(prompt))
	r.calls.Add(1)
	resp, err := r.cfg.Model.Generate(ctx, msgs, r.cfg.Options...)
	if err != nil {
		return "", err
	}
	n := done.Add(1)
	if r.cfg.OnCall != nil {
		r.cfg.OnCall(Event{DocID: r.doc.ID, Stage: stage, Done: int(n), Total: total})
	}
	return strings.TrimSpace(resp.Text), nil
}

// provenance describes the run.
func (r *run) provenance(kind ChainKind, chunks int, notes ...string) *Provenance {
	return &Provenance{Method: "llm:" + string(kind), Chunks: chunks, LLMCalls: int(r.calls.Load()), Notes: notes}
}

// stuffCall summarizes text in one call with the stuff prompt.
func (r *run) stuffCall(ctx context.Context, text string) (string, error) {
	prompt, err := render(r.cfg.Prompts.Stuff, PromptData{Text: text, Index: 1, Total: 1})
	if err != nil {
		return "", err
	}
	var done atomic.Int64
	return r.generate(ctx, StageStuff, prompt, &done, 1)
}

// Stuff is the chain that sends the whole document in one call. It suits
// notes and reports that fit the model's context window.
type Stuff struct{ cfg ChainConfig }

// NewStuff returns a stuff chain.
func NewStuff(cfg ChainConfig) (*Stuff, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Stuff{cfg: cfg}, nil
}

// Summarize implements Summarizer.
func (s *Stuff) Summarize(ctx context.Context, doc Document) (Result, error) {
	if strings.TrimSpace(doc.Text) == "" {
		return Result{}, errEmptyDocument
	}
	r := &run{cfg: s.cfg, doc: doc}
	summary, err := r.stuffCall(ctx, doc.Text)
	if err != nil {
		if errors.Is(err, llm.ErrContextLength) {
			return Result{}, fmt.Errorf("stuff: the document does not fit the model's context; use --chain map-reduce or refine: %w", err)
		}
		return Result{}, fmt.Errorf("stuff: %w", err)
	}
	return Result{Summary: summary, Provenance: r.provenance(ChainStuff, 1)}, nil
}
