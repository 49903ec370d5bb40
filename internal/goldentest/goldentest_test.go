package goldentest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want string
		match     bool
	}{
		{"identical", "a 0.20911801118767379 b\n", "a 0.20911801118767379 b\n", true},
		{"last bits of a %.17g score (FMA)", "0.20911801118767379 0.79088198881232619\n", "0.20911801118767384 0.79088198881232614\n", true},
		{"shortest float, one side rounds to a short one", `{"f":0.6000000000000001}`, `{"f":0.6}`, true},
		{"csv of JSON floats", "a,0.6534722222222223,0.3213169755326228", "a,0.6534722222222222,0.32131697553262286", true},
		{"exponents", "x 1.2345678901234567e-05", "x 1.2345678901234569e-05", true},
		{"near zero", "2.7755575615628914e-17", "0", true},
		{"a real change in the 6th digit", "0.20911801118767379", "0.20911901118767379", false},
		{"a change beyond 1e-9", "0.5000000010000000", "0.5000000000000000", false},
		{"sign", "-0.20911801118767379", "0.20911801118767379", false},
		{"short numbers are text", "F1 0.6535", "F1 0.6536", false},
		{"a format change", "0.5", "0.50", false},
		{"an integer", "support 14", "support 15", false},
		{"text around numbers", "rouge1 0.20911801118767379", "rouge2 0.20911801118767379", false},
		{"a number more", "0.20911801118767379 1", "0.20911801118767379", false},
		{"a line more", "a\nb\n", "a\n", false},
		{"a line less", "a\n", "a\nb\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diffs := Compare(tc.got, tc.want)
			if (len(diffs) == 0) != tc.match {
				t.Errorf("Compare(%q, %q) = %q; want match %v", tc.got, tc.want, diffs, tc.match)
			}
		})
	}
}

// TestCompareNamesTheLine checks a mismatch says where it is and by how
// much it missed.
func TestCompareNamesTheLine(t *testing.T) {
	diffs := Compare("a 1\nb 0.20911901118767379\n", "a 1\nb 0.20911801118767379\n")
	if len(diffs) != 1 || !strings.HasPrefix(diffs[0], "line 2: got 0.20911901118767379, want 0.20911801118767379") {
		t.Errorf("diffs = %q", diffs)
	}
}

// fakeTB records failures; Fatal ends the goroutine as the real one does.
type fakeTB struct {
	testing.TB
	errors []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) { f.Errorf(format, args...); runtime.Goexit() }
func (f *fakeTB) Fatal(args ...any)                 { f.Errorf("%s", fmt.Sprint(args...)); runtime.Goexit() }

func check(path, got string, update bool) []string {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(f, path, got, update)
	}()
	<-done
	return f.errors
}

// TestCheck writes a golden file with -update, exactly as given, then
// accepts FMA-sized differences and rejects real ones.
func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "golden", "scores.txt")
	if errs := check(path, "x", false); len(errs) != 1 || !strings.Contains(errs[0], "-update") {
		t.Errorf("missing file: %q, want a failure pointing at -update", errs)
	}
	const exact = "0.20911801118767379 0.79088198881232619\n"
	if errs := check(path, exact, true); len(errs) != 0 {
		t.Fatal(errs)
	}
	if b, _ := os.ReadFile(path); string(b) != exact {
		t.Errorf("-update wrote %q, want %q", b, exact)
	}
	if errs := check(path, "0.20911801118767384 0.79088198881232614\n", false); len(errs) != 0 {
		t.Errorf("FMA-sized difference: %q", errs)
	}
	if errs := check(path, "0.2091 0.7909\n", false); len(errs) != 1 || !strings.Contains(errs[0], "line 1") {
		t.Errorf("a real difference: %q, want one failure naming line 1", errs)
	}
}
