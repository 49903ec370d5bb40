package tune

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Objective evaluates one trial's parameters (t.Params) and returns the
// value to minimize or maximize. An iterative objective may call report
// with its value after each step 0, 1, 2, ...; when report returns true
// the trial is pruned and the objective should return at once (its
// return value is then ignored). An error marks the trial failed without
// stopping the study.
type Objective func(ctx context.Context, t Trial, report func(step int, v float64) (prune bool)) (float64, error)

// Options configure [Optimize].
type Options struct {
	// Trials is the number of trials the study should hold when Optimize
	// returns, counting those it already had: a resumed study runs only
	// the rest.
	Trials int
	// Parallel is how many trials run at once; default 1.
	Parallel int
	// Timeout, if positive, stops starting new trials after this long;
	// running trials finish.
	Timeout time.Duration
	// Seed seeds each trial's generator together with its number.
	Seed uint64
	// Pruner, if set, decides on early stopping after each report.
	Pruner Pruner
	// OnTrial, if set, is called after each trial finishes, one call at
	// a time, in the order trials finish.
	OnTrial func(Trial)
}

// TrialRand returns the generator [Optimize] gives the sampler for trial
// number n: a PCG seeded by (seed, n). Seeding per trial is what makes a
// resumed study sample what an uninterrupted one would have.
func TrialRand(seed uint64, n int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(n)))
}

// Optimize runs trials until the study holds opts.Trials, the sampler is
// exhausted ([ErrExhausted]; not an error), the timeout passes or ctx is
// done. Each trial is sampled when a worker is free, from the history at
// that moment, with the generator [TrialRand](opts.Seed, number); with
// Parallel 1 a fixed seed gives the same trials in the same order.
//
// A failed trial is recorded and the study goes on. Optimize returns
// ctx's error when ctx ended the run (the study keeps what finished;
// trials the cancellation interrupted are recorded as failed) and a
// sampler's error other than ErrExhausted.
func Optimize(ctx context.Context, study *Study, space *Space, sampler Sampler, objective Objective, opts Options) error {
	if err := space.Validate(); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	parallel := max(opts.Parallel, 1)
	startCtx := ctx // new trials start only while this is live
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		startCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	r := &runner{study: study, space: space, sampler: sampler, objective: objective, opts: opts}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for range max(opts.Trials-len(study.History().Trials), 0) {
		if startCtx.Err() != nil || gctx.Err() != nil || r.isExhausted() {
			break
		}
		g.Go(func() error { return r.runOne(gctx, startCtx) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return context.Cause(ctx)
}

// runner is one call of Optimize.
type runner struct {
	study     *Study
	space     *Space
	sampler   Sampler
	objective Objective
	opts      Options

	mu        sync.Mutex // guards exhausted; taken after study.mu
	exhausted bool
	onTrialMu sync.Mutex // serializes OnTrial, which may read the study
}

func (r *runner) isExhausted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exhausted
}

// runOne samples a trial, runs the objective and records the outcome.
func (r *runner) runOne(ctx, startCtx context.Context) error {
	n, params, err := r.start(startCtx)
	if err != nil || n < 0 {
		return err
	}
	var reportErr error
	pruned := false
	report := func(step int, v float64) bool {
		if pruned || reportErr != nil {
			return true
		}
		t, err := r.study.report(n, step, v)
		if err != nil {
			reportErr = err
			return true
		}
		if r.opts.Pruner != nil && r.opts.Pruner.ShouldPrune(r.study.History(), t, step) {
			pruned = true
		}
		return pruned
	}
	value, err := r.call(ctx, Trial{Number: n, Params: params.Clone(), State: Running}, report)
	var t Trial
	switch {
	case reportErr != nil:
		t = r.study.finish(n, Failed, 0, reportErr.Error())
	case pruned:
		t = r.study.finish(n, Pruned, r.lastReported(n), "")
	case err != nil:
		t = r.study.finish(n, Failed, 0, err.Error())
	case math.IsNaN(value) || math.IsInf(value, 0):
		t = r.study.finish(n, Failed, 0, fmt.Sprintf("objective returned %g", value))
	default:
		t = r.study.finish(n, Complete, value, "")
	}
	if r.opts.OnTrial != nil {
		r.onTrialMu.Lock()
		defer r.onTrialMu.Unlock()
		r.opts.OnTrial(t)
	}
	return nil
}

// start samples and records a new running trial. It returns n < 0 when
// no trial should start (the run is stopping or the space exhausted).
func (r *runner) start(startCtx context.Context) (int, Assignment, error) {
	r.study.mu.Lock()
	defer r.study.mu.Unlock()
	if startCtx.Err() != nil || r.isExhausted() {
		return -1, nil, nil
	}
	h := r.study.historyLocked()
	n := len(h.Trials)
	params, err := r.sampler.Sample(h, r.space, TrialRand(r.opts.Seed, n))
	if errors.Is(err, ErrExhausted) {
		r.mu.Lock()
		r.exhausted = true
		r.mu.Unlock()
		return -1, nil, nil
	}
	if err != nil {
		return -1, nil, fmt.Errorf("optimize: trial %d: sample: %w", n, err)
	}
	if err := r.space.Check(params); err != nil {
		return -1, nil, fmt.Errorf("optimize: trial %d: sampler proposed an invalid assignment: %w", n, err)
	}
	r.study.addLocked(Trial{Params: params, State: Running})
	return n, params, nil
}

// call runs the objective, turning a panic into an error so that one bad
// trial cannot take the study down.
func (r *runner) call(ctx context.Context, t Trial, report func(int, float64) bool) (v float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("objective panicked: %v", p)
		}
	}()
	return r.objective(ctx, t, report)
}

func (r *runner) lastReported(n int) float64 {
	r.study.mu.Lock()
	defer r.study.mu.Unlock()
	iv := r.study.trials[n].Intermediate
	return iv[len(iv)-1]
}
