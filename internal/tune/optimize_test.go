package tune

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"testing"
)

func quadratic(_ context.Context, t Trial, _ func(int, float64) bool) (float64, error) {
	a := t.Params
	x := math.Log10(a.Float("lr")) + 2
	y := a.Float("c") - 1
	v := x*x + y*y + float64(a.Int("epochs"))/10
	if a.String("loss") == "log" {
		v -= 0.5
	}
	if a.Bool("balanced") {
		v -= 0.1
	}
	return v, nil
}

func formats(ts []Trial) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = fmt.Sprintf("%d %s %s %g", t.Number, t.State, t.Params.Format(), t.Value)
	}
	return out
}

func samplers(t *testing.T, space *Space) map[string]Sampler {
	g, err := NewGrid(space, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Sampler{"random": Random{}, "grid": g, "tpe": TPE{}}
}

func TestOptimizeDeterministic(t *testing.T) {
	space := mixedSpace()
	for name, s := range samplers(t, space) {
		t.Run(name, func(t *testing.T) {
			run := func() []string {
				study := NewStudy(Minimize)
				if err := Optimize(context.Background(), study, space, s, quadratic, Options{Trials: 30, Parallel: 1, Seed: 99}); err != nil {
					t.Fatal(err)
				}
				return formats(study.Trials())
			}
			a, b := run(), run()
			if len(a) != 30 || !slices.Equal(a, b) {
				t.Errorf("two runs with seed 99 differ:\n%v\n%v", a, b)
			}
		})
	}
}

// TestOptimizeResume stops a study after 12 trials, resumes it from its
// trials and checks it ends where an uninterrupted run of 30 does. TPE
// resumes exactly too when Parallel is 1 (it depends only on the history
// and the per-trial generator).
func TestOptimizeResume(t *testing.T) {
	space := mixedSpace()
	for name, s := range samplers(t, space) {
		t.Run(name, func(t *testing.T) {
			opts := Options{Trials: 30, Seed: 3}
			full := NewStudy(Minimize)
			if err := Optimize(context.Background(), full, space, s, quadratic, opts); err != nil {
				t.Fatal(err)
			}
			part := NewStudy(Minimize)
			if err := Optimize(context.Background(), part, space, s, quadratic, Options{Trials: 12, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			resumed, err := ResumeStudy(Minimize, part.Trials())
			if err != nil {
				t.Fatal(err)
			}
			if err := Optimize(context.Background(), resumed, space, s, quadratic, opts); err != nil {
				t.Fatal(err)
			}
			if a, b := formats(full.Trials()), formats(resumed.Trials()); !slices.Equal(a, b) {
				t.Errorf("resumed study differs from the uninterrupted one:\n%v\n%v", a, b)
			}
		})
	}
}

func TestOptimizeRecordsFailures(t *testing.T) {
	space := mixedSpace()
	var calls atomic.Int32
	obj := func(ctx context.Context, tr Trial, r func(int, float64) bool) (float64, error) {
		switch calls.Add(1) {
		case 2:
			return 0, errors.New("out of memory")
		case 3:
			return math.NaN(), nil
		case 4:
			panic("bug")
		}
		return quadratic(ctx, tr, r)
	}
	study := NewStudy(Minimize)
	var seen []int
	if err := Optimize(context.Background(), study, space, TPE{}, obj, Options{Trials: 15, OnTrial: func(tr Trial) { seen = append(seen, tr.Number) }}); err != nil {
		t.Fatal(err)
	}
	ts := study.Trials()
	if len(ts) != 15 || len(seen) != 15 {
		t.Fatalf("%d trials, %d OnTrial calls; want 15", len(ts), len(seen))
	}
	for i, want := range []string{"out of memory", "objective returned NaN", "objective panicked: bug"} {
		if tr := ts[i+1]; tr.State != Failed || tr.Error != want {
			t.Errorf("trial %d: %s %q, want failed %q", i+1, tr.State, tr.Error, want)
		}
	}
	if n := len(study.History().Completed()); n != 12 {
		t.Errorf("%d complete trials, want 12", n)
	}
}

func TestOptimizeCancel(t *testing.T) {
	space := mixedSpace()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	obj := func(ctx context.Context, tr Trial, r func(int, float64) bool) (float64, error) {
		if tr.Number == 4 {
			cancel()
		}
		return quadratic(ctx, tr, r)
	}
	study := NewStudy(Minimize)
	err := Optimize(ctx, study, space, Random{}, obj, Options{Trials: 100, Parallel: 1})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if n := len(study.Trials()); n != 5 {
		t.Errorf("%d trials after cancelling in trial 4, want 5", n)
	}
}

func TestOptimizeParallel(t *testing.T) {
	space := mixedSpace()
	var running, peak atomic.Int32
	obj := func(ctx context.Context, tr Trial, r func(int, float64) bool) (float64, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return quadratic(ctx, tr, r)
	}
	study := NewStudy(Minimize)
	if err := Optimize(context.Background(), study, space, TPE{}, obj, Options{Trials: 40, Parallel: 3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(study.History().Completed()); n != 40 {
		t.Errorf("%d complete trials, want 40", n)
	}
	if p := peak.Load(); p > 3 {
		t.Errorf("%d trials ran at once, limit 3", p)
	}
}

// curve reports start·0.9^step for 10 steps and returns the last value.
func curveObjective(start func(Trial) float64) Objective {
	return func(_ context.Context, t Trial, report func(int, float64) bool) (float64, error) {
		v := start(t)
		for step := range 10 {
			if report(step, v) {
				return v, nil
			}
			v *= 0.9
		}
		return v, nil
	}
}

func TestMedianPruner(t *testing.T) {
	space := &Space{Params: []Param{{Name: "x", Type: Float, Low: 0, High: 1}}}
	// Trials 0-4 (the pruner's 5 startup trials) start near 1; trial 5
	// starts at 100, trial 6 at 0.5.
	obj := curveObjective(func(t Trial) float64 {
		switch t.Number {
		case 5:
			return 100
		case 6:
			return 0.5
		}
		return 1 + float64(t.Number)/100
	})
	study := NewStudy(Minimize)
	if err := Optimize(context.Background(), study, space, Random{}, obj, Options{Trials: 7, Pruner: MedianPruner{WarmupSteps: 2}}); err != nil {
		t.Fatal(err)
	}
	ts := study.Trials()
	for _, tr := range ts[:5] {
		if tr.State != Complete {
			t.Errorf("startup trial %d: %s, want complete", tr.Number, tr.State)
		}
	}
	if bad := ts[5]; bad.State != Pruned || len(bad.Intermediate) != 3 || bad.Value != bad.Intermediate[2] {
		t.Errorf("bad curve: %s after %d steps (value %g), want pruned at step 2 (the first after warm-up)", bad.State, len(bad.Intermediate), bad.Value)
	}
	if good := ts[6]; good.State != Complete || len(good.Intermediate) != 10 {
		t.Errorf("good curve: %s after %d steps, want complete after 10", good.State, len(good.Intermediate))
	}
}

func TestReportOutOfOrderFailsTrial(t *testing.T) {
	space := &Space{Params: []Param{{Name: "x", Type: Float, Low: 0, High: 1}}}
	obj := func(_ context.Context, _ Trial, report func(int, float64) bool) (float64, error) {
		report(0, 1)
		if !report(5, 1) {
			return 0, errors.New("report of step 5 after step 0 did not ask to stop")
		}
		return 1, nil
	}
	study := NewStudy(Minimize)
	if err := Optimize(context.Background(), study, space, Random{}, obj, Options{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if tr := study.Trials()[0]; tr.State != Failed {
		t.Errorf("trial %s (%s), want failed for reporting step 5 after step 0", tr.State, tr.Error)
	}
}

func TestImportanceSingleParameter(t *testing.T) {
	space := mixedSpace()
	obj := func(_ context.Context, tr Trial, _ func(int, float64) bool) (float64, error) {
		x := math.Log10(tr.Params.Float("lr")) + 2
		return x * x, nil
	}
	study := NewStudy(Minimize)
	if err := Optimize(context.Background(), study, space, Random{}, obj, Options{Trials: 200, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	imp, err := Importance(study.History(), space)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("importance: %v", imp)
	var sum float64
	for _, p := range imp {
		sum += p.Share
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("shares sum to %g, want 1", sum)
	}
	if imp[0].Name != "lr" || imp[0].Share < 0.8 {
		t.Errorf("top parameter %s with share %.3f, want lr with >= 0.8", imp[0].Name, imp[0].Share)
	}
}
