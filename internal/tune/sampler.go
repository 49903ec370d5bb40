package tune

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// Sampler proposes the next trial's parameters.
//
// h holds every trial so far, including running ones; rng is the trial's
// own generator, which [Optimize] seeds from the study seed and the trial
// number, so a sampler that draws only from rng and h proposes the same
// for the same history. Sample returns [ErrExhausted] when it has nothing
// left to propose.
type Sampler interface {
	Sample(h *History, space *Space, rng *rand.Rand) (Assignment, error)
}

// ErrExhausted is returned by a [Sampler] that has proposed everything
// (a [Grid] that has visited every point). [Optimize] then stops.
var ErrExhausted = errors.New("tune: search space exhausted")

// Random samples every parameter independently and uniformly: floats
// uniformly in [Low, High] (log-uniformly with Log), ints uniformly over
// their step grid (with Log, log-uniformly over [Low-½, High+½] and
// rounded), categories and bools uniformly.
type Random struct{}

var _ Sampler = Random{}

// Sample draws one assignment from rng.
func (Random) Sample(_ *History, space *Space, rng *rand.Rand) (Assignment, error) {
	a := make(Assignment, len(space.Params))
	for _, p := range space.Params {
		a[p.Name] = sampleUniform(p, rng)
	}
	return a, nil
}

// sampleUniform draws one value of p from its prior.
func sampleUniform(p Param, rng *rand.Rand) Value {
	switch p.Type {
	case Categorical, Bool:
		return p.choice(rng.IntN(p.nChoices()))
	case Int:
		if !p.Log {
			n := int64(math.Floor((p.High-p.Low)/p.Step)) + 1
			return Num(p.Low + float64(rng.Int64N(n))*p.Step)
		}
	}
	lo, hi := p.bounds()
	return p.external(lo + rng.Float64()*(hi-lo))
}

// Grid visits the Cartesian product of each parameter's grid: Points
// evenly spaced values per float (log-spaced with Log, endpoints
// included), up to Points evenly spaced values per int (every value when
// the range holds no more), every choice of a categorical, both bools.
// The order is shuffled by the seed given to [NewGrid]. Each Sample
// returns the first point, in that order, no trial in the history holds
// (running, finished or failed), so a resumed study continues where it
// stopped; after the last point it returns [ErrExhausted].
type Grid struct {
	space  *Space
	points []Assignment
}

var _ Sampler = (*Grid)(nil)

// maxGridPoints bounds the size of a grid.
const maxGridPoints = 1_000_000

// NewGrid builds the grid of space with points values per numeric
// parameter, in an order shuffled by seed.
func NewGrid(space *Space, points int, seed uint64) (*Grid, error) {
	if points < 1 {
		return nil, fmt.Errorf("grid: %d points per parameter; want at least 1", points)
	}
	axes := make([][]Value, len(space.Params))
	total := 1
	for i, p := range space.Params {
		axes[i] = gridAxis(p, points)
		total *= len(axes[i])
		if total > maxGridPoints {
			return nil, fmt.Errorf("grid: more than %d points; use fewer points per parameter or another sampler", maxGridPoints)
		}
	}
	g := &Grid{space: space, points: make([]Assignment, total)}
	for k := range total {
		a := make(Assignment, len(axes))
		rest := k
		for i := len(axes) - 1; i >= 0; i-- { // last parameter varies fastest
			a[space.Params[i].Name] = axes[i][rest%len(axes[i])]
			rest /= len(axes[i])
		}
		g.points[k] = a
	}
	rng := rand.New(rand.NewPCG(seed, 0x6772696400000000)) // "grid"
	rng.Shuffle(total, func(i, j int) { g.points[i], g.points[j] = g.points[j], g.points[i] })
	return g, nil
}

// gridAxis returns the grid values of one parameter.
func gridAxis(p Param, points int) []Value {
	switch p.Type {
	case Categorical, Bool:
		vs := make([]Value, p.nChoices())
		for i := range vs {
			vs[i] = p.choice(i)
		}
		return vs
	}
	lo, hi := p.Low, p.High
	if p.Log {
		lo, hi = math.Log(lo), math.Log(hi)
	}
	var vs []Value
	for i := range points {
		x := (lo + hi) / 2
		if points > 1 {
			x = lo + (hi-lo)*float64(i)/float64(points-1)
		}
		v := p.external(x)            // back from log space, on the step grid, clamped
		if p.Log && p.Type == Float { // 0.01, not exp(log(0.01)) = 0.010000000000000005
			v.num, _ = strconv.ParseFloat(strconv.FormatFloat(v.num, 'g', 12, 64), 64)
		}
		if points > 1 && i == 0 {
			v = Num(p.Low) // exact endpoints, free of exp(log(x)) rounding
		} else if points > 1 && i == points-1 {
			v = Num(p.top())
		}
		if len(vs) == 0 || vs[len(vs)-1].num != v.num {
			vs = append(vs, v)
		}
	}
	return vs
}

// top returns the largest valid value of a numeric parameter.
func (p Param) top() float64 {
	if p.Type == Int {
		return p.Low + math.Floor((p.High-p.Low)/p.Step)*p.Step
	}
	return p.High
}

// Len returns the number of grid points.
func (g *Grid) Len() int { return len(g.points) }

// Points returns the grid points in visiting order.
func (g *Grid) Points() []Assignment {
	out := make([]Assignment, len(g.points))
	for i, a := range g.points {
		out[i] = a.Clone()
	}
	return out
}

// Sample returns the first grid point no trial in h holds.
func (g *Grid) Sample(h *History, space *Space, _ *rand.Rand) (Assignment, error) {
	if space != g.space {
		return nil, errors.New("grid: sampling a different space than the grid was built for")
	}
	used := make(map[string]bool, len(h.Trials))
	for _, t := range h.Trials {
		used[t.Params.Format()] = true
	}
	for _, a := range g.points {
		if !used[a.Format()] {
			return a.Clone(), nil
		}
	}
	return nil, ErrExhausted
}
