package augment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm"
	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/text"
)

// Generate asks model for synthetic rows of opts.Label until opts.N are
// kept or opts.MaxCalls calls are spent, and returns them with the counts
// of what was asked, parsed, kept and dropped (see [Result]). Fewer than N
// rows is not an error: the Result says why. A model error other than a
// malformed reply (after the retries the model's own llm.Wrap layer makes)
// or a Verify error stops the run; the Result returned with it counts what
// was done before.
func Generate(ctx context.Context, model llm.Model, opts Options) (*Result, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	g := newGenerator(model, o)
	if len(g.pools.label) == 0 {
		return nil, fmt.Errorf("%w %q", ErrNoExamples, o.Label)
	}
	for round := 0; g.res.Kept < o.N && g.res.Calls < o.MaxCalls; {
		wave := g.planWave(round)
		round += len(wave)
		if err := g.runWave(ctx, wave); err != nil {
			return g.res, err
		}
	}
	return g.res, nil
}

// generator is one run of [Generate]: the filters' key sets and the
// result being built.
type generator struct {
	opts  Options
	model llm.Model
	pools pools
	// Near-duplicate keys of the training texts and the guard, exact keys
	// of the training texts, and both keys of rows kept (or judged) so far.
	trainExact, trainNear, guard map[uint64]struct{}
	seenExact, seenNear          map[uint64]struct{}
	idLabel                      string
	res                          *Result
}

func newGenerator(model llm.Model, o Options) *generator {
	g := &generator{
		opts: o, model: model, pools: newPools(o.Train, o.Label),
		trainExact: make(map[uint64]struct{}, len(o.Train)),
		trainNear:  make(map[uint64]struct{}, len(o.Train)),
		guard:      make(map[uint64]struct{}, len(o.Guard)),
		seenExact:  map[uint64]struct{}{},
		seenNear:   map[uint64]struct{}{},
		idLabel:    idSafe(o.Label),
		res:        &Result{},
	}
	for _, r := range o.Train {
		g.trainExact[text.ExactKey(r.Text)] = struct{}{}
		g.trainNear[text.NearDupKey(r.Text)] = struct{}{}
	}
	for _, r := range o.Guard {
		if k := text.NearDupKey(r.Text); k != text.EmptyKey {
			g.guard[k] = struct{}{}
		}
	}
	return g
}

// call is one prompt of a wave: the prompt, the calls it may make, and
// what came back.
type call struct {
	prompt    Prompt
	attempts  int
	calls     int
	malformed int
	items     []Item // nil when every reply was malformed
}

// planWave builds the next prompts to send at once: as many as the
// concurrency allows, the remaining rows need and the call budget pays
// for. Each gets one call, and the rest of the budget is shared out as
// retries in prompt order, so the plan depends only on the counts so far,
// never on timing.
func (g *generator) planWave(round int) []call {
	o := &g.opts
	budget := o.MaxCalls - g.res.Calls
	need := (o.N - g.res.Kept + o.Batch - 1) / o.Batch
	wave := make([]call, min(o.Concurrency, budget, need))
	spare := budget - len(wave)
	for i := range wave {
		extra := min(o.MaxRetries, spare)
		spare -= extra
		wave[i] = call{prompt: buildPrompt(o, g.pools, round+i), attempts: 1 + extra}
	}
	return wave
}

// runWave sends a wave's prompts, Concurrency at a time, and takes in the
// replies in prompt order.
func (g *generator) runWave(ctx context.Context, wave []call) error {
	next := 0
	return ordered.Map(ctx, ordered.Options{Workers: min(g.opts.Concurrency, len(wave))},
		func(c *call) error {
			if next == len(wave) {
				return io.EOF
			}
			*c = wave[next]
			next++
			return nil
		},
		func(ctx context.Context, c *call, _ *struct{}) error { return g.send(ctx, c) },
		func(c *call, _ *struct{}) error { return g.absorb(ctx, c) })
}

// send makes c's calls until a reply parses or its attempts run out.
func (g *generator) send(ctx context.Context, c *call) error {
	opts := append(append([]llm.Option(nil), g.opts.LLMOptions...), llm.WithSeed(g.opts.Seed+int64(c.prompt.Round)))
	for c.calls < c.attempts {
		c.calls++
		resp, err := g.model.Generate(ctx, c.prompt.Messages, opts...)
		if errors.Is(err, llm.ErrMalformedResponse) {
			c.malformed++ // not the protocol's JSON: as bad as a reply without rows
			continue
		}
		if err != nil {
			return fmt.Errorf("augment: prompt %d: %w", c.prompt.Round, err)
		}
		items, err := Parse(resp.Text)
		if err != nil {
			c.malformed++
			continue
		}
		c.items = items
		return nil
	}
	return nil
}

// absorb counts a finished prompt and passes its rows through the filters.
func (g *generator) absorb(ctx context.Context, c *call) error {
	r := g.res
	r.Prompts = append(r.Prompts, c.prompt)
	r.Asked += g.opts.Batch
	r.Calls += c.calls
	r.Retries += c.calls - 1
	r.Malformed += c.malformed
	if c.items == nil {
		r.FailedPrompts++
	}
	for _, it := range c.items {
		r.Generated++
		if err := g.consider(ctx, it, &c.prompt); err != nil {
			return err
		}
	}
	return nil
}

// consider runs one row through the filters, in the order the package
// documentation lists, and keeps it or counts why not.
func (g *generator) consider(ctx context.Context, it Item, p *Prompt) error {
	d, o, t := &g.res.Dropped, &g.opts, it.Text
	n := utf8.RuneCountInString(t)
	exact, near := text.ExactKey(t), text.NearDupKey(t)
	switch {
	case it.NotText:
		d.NotText++
	case t == "":
		d.Empty++
	case n < o.MinChars:
		d.TooShort++
	case n > o.MaxChars:
		d.TooLong++
	case !hasLetter(t):
		d.NotText++
	case has(g.trainExact, exact):
		d.DuplicateTrain++
	case has(g.seenExact, exact):
		d.DuplicateBatch++
	case has(g.trainNear, near):
		d.NearDuplicateTrain++
	case has(g.seenNear, near):
		d.NearDuplicateBatch++
	case has(g.guard, near):
		d.Guard++
	default:
		g.seenExact[exact], g.seenNear[near] = struct{}{}, struct{}{}
		return g.verifyAndKeep(ctx, t, p)
	}
	return nil
}

// verifyAndKeep applies the verifier, then keeps the row unless N rows
// are already kept.
func (g *generator) verifyAndKeep(ctx context.Context, t string, p *Prompt) error {
	o, r := &g.opts, g.res
	if o.Verify != nil {
		score, err := o.Verify(ctx, t)
		if err != nil {
			return fmt.Errorf("augment: verify row of prompt %d: %w", p.Round, err)
		}
		if score < o.MinScore {
			r.Dropped.Verify++
			return nil
		}
	}
	if r.Kept >= o.N {
		r.Dropped.Surplus++
		return nil
	}
	r.Kept++
	r.Records = append(r.Records, dataset.Record{
		ID:     fmt.Sprintf("synth-%s-%d", g.idLabel, r.Kept),
		Text:   t,
		Labels: []string{o.Label},
		Synthetic: &dataset.Provenance{
			Backend: o.Backend, Model: o.ModelName, PromptSHA256: p.SHA256,
			Seed: o.Seed, Shots: append([]string(nil), p.Shots...),
		},
	})
	return nil
}

func has(set map[uint64]struct{}, k uint64) bool {
	_, ok := set[k]
	return ok
}

// idSafe makes a label fit an id: letters, digits, '-', '_' and '.' are
// kept, runs of anything else become one '-'.
func idSafe(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range label {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return b.String()
}
