package ordered

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// counter yields 0, 1, ..., n-1.
func counter(n int) func(*int) error {
	i := 0
	return func(v *int) error {
		if i == n {
			return io.EOF
		}
		*v = i
		i++
		return nil
	}
}

func TestMapKeepsOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		for _, batch := range []int{0, 1, 3, 64} {
			t.Run(fmt.Sprintf("workers=%d/batch=%d", workers, batch), func(t *testing.T) {
				const n = 1000
				var got []int
				err := Map(context.Background(), Options{Workers: workers, Batch: batch}, counter(n),
					func(_ context.Context, v *int, r *string) error {
						if rand.IntN(10) == 0 {
							runtime.Gosched() // reorder the workers
						}
						*r = fmt.Sprint(*v * 2)
						return nil
					},
					func(v *int, r *string) error {
						if *r != fmt.Sprint(*v*2) {
							return fmt.Errorf("result %q for record %d", *r, *v)
						}
						got = append(got, *v)
						return nil
					})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != n {
					t.Fatalf("emitted %d of %d records", len(got), n)
				}
				for i, v := range got {
					if v != i {
						t.Fatalf("record %d emitted at position %d", v, i)
					}
				}
			})
		}
	}
}

// TestMapReusesResults checks that result storage comes back to work, so a
// work function can append into a buffer it kept.
func TestMapReusesResults(t *testing.T) {
	var reused atomic.Int64
	err := Map(context.Background(), Options{Workers: 2, Batch: 4}, counter(400),
		func(_ context.Context, v *int, r *[]byte) error {
			if cap(*r) > 0 {
				reused.Add(1)
			}
			*r = fmt.Appendf((*r)[:0], "%d", *v)
			return nil
		},
		func(v *int, r *[]byte) error {
			if string(*r) != fmt.Sprint(*v) {
				return fmt.Errorf("record %d got %q", *v, *r)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if reused.Load() == 0 {
		t.Fatal("no result buffer was reused")
	}
}

// TestMapFailingWriter checks that an emit error stops the run, is returned,
// and that nothing is emitted after it and no goroutine is left behind.
func TestMapFailingWriter(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				full := errors.New("disk full")
				var emitted, worked atomic.Int64
				read := counter(1_000_000)
				err := Map(context.Background(), Options{Workers: workers, Batch: 8}, read,
					func(_ context.Context, v *int, r *int) error {
						worked.Add(1)
						*r = *v
						return nil
					},
					func(v *int, r *int) error {
						if emitted.Load() == 100 {
							return full
						}
						emitted.Add(1)
						return nil
					})
				if !errors.Is(err, full) {
					t.Fatalf("err = %v, want the writer's", err)
				}
				if emitted.Load() != 100 {
					t.Fatalf("emitted %d records, want exactly the 100 before the failure", emitted.Load())
				}
				// Bounded work: the reader stops within a few batches.
				if w := worked.Load(); w > 100+int64(8*(2*workers+3)) {
					t.Fatalf("worked on %d records after the writer failed at 100", w)
				}
				synctest.Wait() // every goroutine Map started has returned (synctest fails otherwise)
			})
		})
	}
}

// TestMapWorkAndReadErrors checks a failing record or reader stops the run
// with its error.
func TestMapWorkAndReadErrors(t *testing.T) {
	bad := errors.New("bad record")
	for _, workers := range []int{1, 3} {
		err := Map(context.Background(), Options{Workers: workers, Batch: 5}, counter(1000),
			func(_ context.Context, v *int, r *int) error {
				if *v == 321 {
					return bad
				}
				return nil
			},
			func(v *int, r *int) error {
				if *v >= 321 {
					return fmt.Errorf("record %d emitted after the failure", *v)
				}
				return nil
			})
		if !errors.Is(err, bad) {
			t.Errorf("workers %d: err = %v, want the work's", workers, err)
		}
		broken := errors.New("read error")
		i := 0
		err = Map(context.Background(), Options{Workers: workers}, func(v *int) error {
			if i == 50 {
				return broken
			}
			*v = i
			i++
			return nil
		}, func(context.Context, *int, *int) error { return nil }, func(*int, *int) error { return nil })
		if !errors.Is(err, broken) {
			t.Errorf("workers %d: err = %v, want the reader's", workers, err)
		}
	}
}

// TestMapCancel checks that cancelling the context stops a run that would
// otherwise never end, promptly, with the context's error.
func TestMapCancel(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				var emitted atomic.Int64
				go func() {
					time.Sleep(time.Second)
					cancel()
				}()
				endless := func(v *int) error { *v = 1; return nil }
				start := time.Now()
				err := Map(ctx, Options{Workers: workers, Batch: 2}, endless,
					func(ctx context.Context, v *int, r *int) error {
						// A slow record that honours the context.
						select {
						case <-time.After(10 * time.Millisecond):
						case <-ctx.Done():
							return ctx.Err()
						}
						return nil
					},
					func(*int, *int) error { emitted.Add(1); return nil })
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
				if d := time.Since(start); d > time.Second+50*time.Millisecond {
					t.Fatalf("took %v after the cancel at 1s", d-time.Second)
				}
				if emitted.Load() == 0 {
					t.Fatal("nothing was emitted before the cancel")
				}
				synctest.Wait()
			})
		})
	}
}

// TestMapBoundsMemory checks that a slow writer does not let the reader run
// ahead: at most 2×Workers+2 batches are read and not yet emitted.
func TestMapBoundsMemory(t *testing.T) {
	const workers, batch = 3, 4
	var read, emitted, most atomic.Int64
	next := counter(5000)
	err := Map(context.Background(), Options{Workers: workers, Batch: batch},
		func(v *int) error {
			if ahead := read.Add(1) - emitted.Load(); ahead > most.Load() {
				most.Store(ahead)
			}
			return next(v)
		},
		func(context.Context, *int, *int) error { return nil },
		func(*int, *int) error {
			if emitted.Add(1)%50 == 0 {
				runtime.Gosched()
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64((2*workers + 2 + 1) * batch); most.Load() > limit {
		t.Fatalf("the reader ran %d records ahead of the writer, bound %d", most.Load(), limit)
	}
}

func BenchmarkMap(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprint("workers=", workers), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				Map(context.Background(), Options{Workers: workers, Batch: 256}, counter(100_000),
					func(_ context.Context, v *int, r *int) error { *r = *v + 1; return nil },
					func(*int, *int) error { return nil })
			}
		})
	}
}
