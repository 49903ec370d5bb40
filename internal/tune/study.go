package tune

import (
	"fmt"
	"slices"
	"sync"
)

// State is where a [Trial] stands.
type State int

const (
	// Running: sampled and handed to the objective, not finished.
	Running State = iota + 1
	// Complete: the objective returned a value.
	Complete
	// Pruned: stopped early by the pruner; Value is the last reported value.
	Pruned
	// Failed: the objective returned an error (or a non-finite value).
	Failed
)

var stateNames = map[State]string{Running: "running", Complete: "complete", Pruned: "pruned", Failed: "failed"}

// String returns the state's name.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) {
	if _, ok := stateNames[s]; !ok {
		return nil, fmt.Errorf("unknown trial state %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads "running", "complete", "pruned" or "failed".
func (s *State) UnmarshalText(b []byte) error {
	for st, n := range stateNames {
		if n == string(b) {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("unknown trial state %q (want running, complete, pruned or failed)", b)
}

// Direction says whether the objective is minimized or maximized.
type Direction int

const (
	// Minimize: lower objective values are better (a loss).
	Minimize Direction = iota
	// Maximize: higher objective values are better (a score).
	Maximize
)

// String returns "minimize" or "maximize".
func (d Direction) String() string {
	if d == Maximize {
		return "maximize"
	}
	return "minimize"
}

// Set parses "minimize" or "maximize" (so a Direction is a flag.Value).
func (d *Direction) Set(s string) error {
	switch s {
	case "minimize", "min":
		*d = Minimize
	case "maximize", "max":
		*d = Maximize
	default:
		return fmt.Errorf("direction %q: want minimize or maximize", s)
	}
	return nil
}

// MarshalText writes the direction's name.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "minimize" or "maximize".
func (d *Direction) UnmarshalText(b []byte) error { return d.Set(string(b)) }

// Better reports whether a is strictly better than b.
func (d Direction) Better(a, b float64) bool {
	if d == Maximize {
		return a > b
	}
	return a < b
}

// Trial is one evaluation of the objective.
type Trial struct {
	Number int        `json:"number"`
	Params Assignment `json:"params"`
	// Value is the objective's value (complete trials) or the last
	// reported intermediate value (pruned trials).
	Value float64 `json:"value"`
	State State   `json:"state"`
	// Intermediate holds the value reported at each step 0, 1, 2, ...
	Intermediate []float64 `json:"intermediate,omitempty"`
	// Error is why a failed trial failed.
	Error string `json:"error,omitempty"`
}

// finished reports whether t is complete, pruned or failed.
func (t Trial) finished() bool { return t.State != Running }

// History is a snapshot of a study's trials, ordered by number, as the
// samplers and pruners see it. Trial numbers are 0, 1, 2, ... in order.
type History struct {
	Direction Direction
	Trials    []Trial
}

// Best returns the best complete trial (the lowest number among ties).
func (h *History) Best() (Trial, bool) {
	var best Trial
	found := false
	for _, t := range h.Trials {
		if t.State == Complete && (!found || h.Direction.Better(t.Value, best.Value)) {
			best, found = t, true
		}
	}
	return best, found
}

// Completed returns the complete trials, in number order.
func (h *History) Completed() []Trial {
	return h.withState(Complete)
}

func (h *History) withState(states ...State) []Trial {
	var out []Trial
	for _, t := range h.Trials {
		if slices.Contains(states, t.State) {
			out = append(out, t)
		}
	}
	return out
}

// Study is a search's history, safe for concurrent use by [Optimize].
type Study struct {
	mu        sync.Mutex
	direction Direction
	trials    []Trial
}

// NewStudy returns an empty study.
func NewStudy(d Direction) *Study { return &Study{direction: d} }

// ResumeStudy returns a study holding earlier trials, numbered 0..n-1 (in
// any order). Trials still marked running were interrupted; they are
// recorded as failed, so a grid point they held is not tried again.
func ResumeStudy(d Direction, trials []Trial) (*Study, error) {
	ts := slices.Clone(trials)
	slices.SortFunc(ts, func(a, b Trial) int { return a.Number - b.Number })
	for i := range ts {
		if ts[i].Number != i {
			return nil, fmt.Errorf("resume: trial numbers must be 0..%d without gaps or repeats; found %d at position %d", len(ts)-1, ts[i].Number, i)
		}
		if ts[i].State == 0 {
			return nil, fmt.Errorf("resume: trial %d has no state", i)
		}
		if ts[i].State == Running {
			ts[i].State = Failed
			ts[i].Error = "interrupted before it finished"
		}
	}
	return &Study{direction: d, trials: ts}, nil
}

// Direction returns whether the study minimizes or maximizes.
func (s *Study) Direction() Direction { return s.direction }

// History returns a snapshot of the trials.
func (s *Study) History() *History {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.historyLocked()
}

func (s *Study) historyLocked() *History {
	ts := make([]Trial, len(s.trials))
	for i, t := range s.trials {
		t.Intermediate = slices.Clone(t.Intermediate)
		ts[i] = t
	}
	return &History{Direction: s.direction, Trials: ts}
}

// Trials returns a copy of the trials in number order.
func (s *Study) Trials() []Trial { return s.History().Trials }

// Best returns the best complete trial.
func (s *Study) Best() (Trial, bool) { return s.History().Best() }

// add appends a trial numbered len(trials) and returns its number.
func (s *Study) addLocked(t Trial) int {
	t.Number = len(s.trials)
	s.trials = append(s.trials, t)
	return t.Number
}

// report records an intermediate value of a running trial.
func (s *Study) report(n, step int, v float64) (Trial, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.trials[n]
	switch {
	case step < 0 || step > len(t.Intermediate):
		return Trial{}, fmt.Errorf("report: step %d after %d steps; report steps 0, 1, 2, ... in order", step, len(t.Intermediate))
	case step == len(t.Intermediate):
		t.Intermediate = append(t.Intermediate, v)
	default:
		t.Intermediate[step] = v
	}
	c := *t
	c.Intermediate = slices.Clone(t.Intermediate)
	return c, nil
}

// finish records a trial's outcome and returns the trial.
func (s *Study) finish(n int, state State, value float64, errMsg string) Trial {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.trials[n]
	t.State, t.Value, t.Error = state, value, errMsg
	c := *t
	c.Intermediate = slices.Clone(t.Intermediate)
	return c
}
