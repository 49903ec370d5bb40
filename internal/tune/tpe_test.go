package tune

import (
	"context"
	"math"
	"testing"
)

// benchFunc is a test function with a known optimum (minimized).
type benchFunc struct {
	name    string
	space   *Space
	f       func(a Assignment) float64
	optimum float64
}

func benchFuncs() []benchFunc {
	return []benchFunc{
		{
			name: "bowl (log + linear)",
			space: &Space{Params: []Param{
				{Name: "lr", Type: Float, Low: 1e-5, High: 1, Log: true},
				{Name: "y", Type: Float, Low: -5, High: 5},
			}},
			f: func(a Assignment) float64 {
				u := math.Log10(a.Float("lr")) + 2.5
				v := a.Float("y") - 1.3
				return u*u + v*v
			},
		},
		{
			name: "categorical + float + int",
			space: &Space{Params: []Param{
				{Name: "kind", Type: Categorical, Choices: []string{"a", "b", "c", "d", "e", "f"}},
				{Name: "x", Type: Float, Low: -10, High: 10},
				{Name: "n", Type: Int, Low: 1, High: 64},
			}},
			f: func(a Assignment) float64 {
				offset := map[string]float64{"a": 3, "b": 1.5, "c": 0, "d": 2, "e": 4, "f": 2.5}[a.String("kind")]
				x := a.Float("x") - 2
				n := float64(a.Int("n")-17) / 8
				return offset + x*x/10 + n*n
			},
		},
		{
			name: "branin",
			space: &Space{Params: []Param{
				{Name: "x1", Type: Float, Low: -5, High: 10},
				{Name: "x2", Type: Float, Low: 0, High: 15},
			}},
			f: func(a Assignment) float64 {
				x1, x2 := a.Float("x1"), a.Float("x2")
				b, c := 5.1/(4*math.Pi*math.Pi), 5/math.Pi
				t := x2 - b*x1*x1 + c*x1 - 6
				return t*t + 10*(1-1/(8*math.Pi))*math.Cos(x1) + 10
			},
			optimum: 0.397887,
		},
	}
}

// bestRegret runs trials of sampler on fn and returns best − optimum.
func bestRegret(t *testing.T, fn benchFunc, sampler Sampler, trials int, seed uint64) float64 {
	t.Helper()
	study := NewStudy(Minimize)
	obj := func(_ context.Context, tr Trial, _ func(int, float64) bool) (float64, error) {
		return fn.f(tr.Params), nil
	}
	if err := Optimize(context.Background(), study, fn.space, sampler, obj, Options{Trials: trials, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	best, ok := study.Best()
	if !ok {
		t.Fatal("no complete trial")
	}
	return best.Value - fn.optimum
}

// TestTPEBeatsRandom compares the best regret after 60 trials of TPE and
// Random over 10 seeds on each test function.
func TestTPEBeatsRandom(t *testing.T) {
	const seeds, trials = 10, 60
	for _, fn := range benchFuncs() {
		t.Run(fn.name, func(t *testing.T) {
			var sumTPE, sumRandom float64
			wins := 0
			for seed := uint64(1); seed <= seeds; seed++ {
				rt := bestRegret(t, fn, TPE{}, trials, seed)
				rr := bestRegret(t, fn, Random{}, trials, seed)
				sumTPE += rt
				sumRandom += rr
				if rt < rr {
					wins++
				}
			}
			t.Logf("%s: mean best regret after %d trials over %d seeds: TPE %.4g, Random %.4g; TPE better on %d/%d seeds",
				fn.name, trials, seeds, sumTPE/seeds, sumRandom/seeds, wins, seeds)
			if sumTPE >= sumRandom {
				t.Errorf("mean regret: TPE %.4g >= Random %.4g", sumTPE/seeds, sumRandom/seeds)
			}
			if wins <= seeds/2 {
				t.Errorf("TPE better on only %d of %d seeds", wins, seeds)
			}
		})
	}
}
