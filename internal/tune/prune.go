package tune

import (
	"math"
	"slices"
)

// Pruner decides whether a running trial should stop early, after it
// reported its value at step.
type Pruner interface {
	ShouldPrune(h *History, t Trial, step int) bool
}

// MedianPruner is Optuna's MedianPruner: at step s it prunes a trial
// whose best value over steps 0..s is worse than the median of the
// values complete trials reported at step s. It never prunes before
// StartupTrials trials are complete, before step WarmupSteps, or at a
// step fewer than MinTrials complete trials reached. The zero value uses
// Optuna's defaults: 5 startup trials, no warm-up, 1 trial.
type MedianPruner struct {
	StartupTrials int // default 5; negative for none
	WarmupSteps   int // prune only at steps >= WarmupSteps
	MinTrials     int // default 1
}

var _ Pruner = MedianPruner{}

// ShouldPrune reports whether t is worse than the median at step.
func (m MedianPruner) ShouldPrune(h *History, t Trial, step int) bool {
	startup, minTrials := m.StartupTrials, m.MinTrials
	if startup == 0 {
		startup = 5
	}
	if minTrials <= 0 {
		minTrials = 1
	}
	if step < m.WarmupSteps || step < 0 || step >= len(t.Intermediate) {
		return false
	}
	completed := h.Completed()
	if len(completed) < startup {
		return false
	}
	var at []float64
	for _, c := range completed {
		if step < len(c.Intermediate) && !math.IsNaN(c.Intermediate[step]) {
			at = append(at, c.Intermediate[step])
		}
	}
	if len(at) < minTrials {
		return false
	}
	best := math.NaN()
	for _, v := range t.Intermediate[:step+1] {
		if math.IsNaN(best) || h.Direction.Better(v, best) {
			best = v
		}
	}
	if math.IsNaN(best) {
		return false
	}
	return h.Direction.Better(median(at), best)
}

// median returns the median of xs (the mean of the middle two for an
// even count, as numpy's percentile does).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
