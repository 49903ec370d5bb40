package tune

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

func mixedSpace() *Space {
	s := &Space{Params: []Param{
		{Name: "lr", Type: Float, Low: 1e-4, High: 1, Log: true},
		{Name: "c", Type: Float, Low: -2, High: 3},
		{Name: "epochs", Type: Int, Low: 2, High: 11, Step: 3},
		{Name: "ngram", Type: Int, Low: 1, High: 100, Log: true},
		{Name: "loss", Type: Categorical, Choices: []string{"hinge", "log", "huber"}},
		{Name: "balanced", Type: Bool},
	}}
	if err := s.Validate(); err != nil {
		panic(err)
	}
	return s
}

// TestRandomRespectsSpace draws many assignments and checks bounds, the
// step grid, log scale (half the draws below the geometric midpoint) and
// that every choice appears.
func TestRandomRespectsSpace(t *testing.T) {
	space := mixedSpace()
	const draws = 4000
	belowGeoMid, epochs, losses, bools := 0, map[int]int{}, map[string]int{}, map[bool]int{}
	for i := range draws {
		a, err := Random{}.Sample(&History{}, space, TrialRand(7, i))
		if err != nil {
			t.Fatal(err)
		}
		if err := space.Check(a); err != nil {
			t.Fatalf("draw %d: %v", i, err)
		}
		if a.Float("lr") < 1e-2 {
			belowGeoMid++
		}
		epochs[a.Int("epochs")]++
		losses[a.String("loss")]++
		bools[a.Bool("balanced")]++
	}
	if frac := float64(belowGeoMid) / draws; math.Abs(frac-0.5) > 0.05 {
		t.Errorf("log-uniform lr: %.3f of draws below 1e-2, want about 0.5", frac)
	}
	if want := []int{2, 5, 8, 11}; len(epochs) != len(want) {
		t.Errorf("epochs took values %v, want exactly %v", epochs, want)
	}
	for _, v := range []int{2, 5, 8, 11} {
		if epochs[v] < draws/4-200 {
			t.Errorf("epochs=%d drawn %d times of %d, want about a quarter", v, epochs[v], draws)
		}
	}
	if len(losses) != 3 || len(bools) != 2 {
		t.Errorf("choices drawn: %v %v", losses, bools)
	}
}

func TestGridEnumeratesExactlyTheGrid(t *testing.T) {
	space := &Space{Params: []Param{
		{Name: "x", Type: Float, Low: 0, High: 1},
		{Name: "lr", Type: Float, Low: 1e-3, High: 1e-1, Log: true},
		{Name: "n", Type: Int, Low: 1, High: 10, Step: 2}, // 1 3 5 7 9
		{Name: "k", Type: Categorical, Choices: []string{"a", "b"}},
		{Name: "b", Type: Bool},
	}}
	if err := space.Validate(); err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(space, 3, 42)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, x := range []float64{0, 0.5, 1} {
		for _, lr := range []float64{1e-3, 1e-2, 1e-1} {
			for _, n := range []float64{1, 5, 9} {
				for _, k := range []string{"a", "b"} {
					for _, b := range []bool{false, true} {
						a := Assignment{"x": Num(x), "lr": Num(lr), "n": Num(n), "k": Str(k), "b": BoolValue(b)}
						want = append(want, a.Format())
					}
				}
			}
		}
	}
	// Run it through Optimize: it must stop by itself after the grid.
	study := NewStudy(Minimize)
	obj := func(context.Context, Trial, func(int, float64) bool) (float64, error) { return 0, nil }
	if err := Optimize(context.Background(), study, space, g, obj, Options{Trials: 1000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range study.Trials() {
		got = append(got, tr.Params.Format())
	}
	if len(got) != len(want) {
		t.Fatalf("grid ran %d trials, want %d", len(got), len(want))
	}
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(got))
	if !slices.Equal(sorted, want) {
		t.Errorf("grid points differ:\n got %v\nwant %v", sorted, want)
	}
	if slices.Equal(got, sorted) {
		t.Errorf("grid order is not shuffled")
	}
	if _, err := g.Sample(study.History(), space, nil); !errors.Is(err, ErrExhausted) {
		t.Errorf("sample after the grid: err %v, want ErrExhausted", err)
	}
	g2, _ := NewGrid(space, 3, 42)
	if !slices.EqualFunc(g.Points(), g2.Points(), func(a, b Assignment) bool { return a.Format() == b.Format() }) {
		t.Errorf("same seed, different grid order")
	}
}

func TestGridIntFewerValuesThanPoints(t *testing.T) {
	space := &Space{Params: []Param{{Name: "n", Type: Int, Low: 1, High: 3}}}
	if err := space.Validate(); err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(space, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 3 {
		t.Errorf("grid of int [1,3] with 10 points has %d points, want 3", g.Len())
	}
}
