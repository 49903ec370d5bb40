// Package goldentest compares test output with golden files under
// testdata, and rewrites them when asked (go test -update).
//
// The text must match exactly, except numbers written with full precision
// (10 or more significant digits, such as %.17g or encoding/json floats):
// those match within a relative tolerance of [RelTol] (or [AbsTol] near
// zero). The same code computes the last bits of a float differently on
// arm64, where the compiler fuses multiply-adds (FMA), than on amd64, so an
// exact comparison of such numbers fails on a correct build; any real
// change (a feature hashed differently, another formula) moves them far
// more than RelTol. Numbers written with few digits ("0.6535", "14") are
// compared as text, so a change of format is still caught. Rewriting
// writes the output exactly as it is.
package goldentest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// RelTol is the relative difference allowed between full-precision numbers.
const RelTol = 1e-9

// AbsTol is the absolute difference allowed between full-precision numbers
// near zero, where a relative tolerance means nothing.
const AbsTol = 1e-12

// Check compares got with the golden file at path, or writes got there when
// update is set (the caller's -update flag). A mismatch fails t with each
// differing line and the whole output.
func Check(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if diffs := Compare(got, string(want)); len(diffs) > 0 {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n%s\n--- got ---\n%s\n--- want ---\n%s",
			path, strings.Join(diffs, "\n"), got, want)
	}
}

// number matches a decimal number, with sign, fraction and exponent.
var number = regexp.MustCompile(`[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?`)

// Compare returns how got differs from want, one message per differing
// line (at most 20), or nil when they match as the package describes.
func Compare(got, want string) []string {
	if got == want {
		return nil
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	var diffs []string
	for i := 0; i < max(len(gl), len(wl)) && len(diffs) < 20; i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		switch {
		case i >= len(gl):
			diffs = append(diffs, fmt.Sprintf("line %d: missing, want %q", i+1, w))
		case i >= len(wl):
			diffs = append(diffs, fmt.Sprintf("line %d: extra %q", i+1, g))
		default:
			if d := compareLine(g, w); d != "" {
				diffs = append(diffs, fmt.Sprintf("line %d: %s", i+1, d))
			}
		}
	}
	return diffs
}

// compareLine says how one line differs ("" when it matches).
func compareLine(got, want string) string {
	if got == want {
		return ""
	}
	gi, wi := number.FindAllStringIndex(got, -1), number.FindAllStringIndex(want, -1)
	if len(gi) != len(wi) || textBetween(got, gi) != textBetween(want, wi) {
		return fmt.Sprintf("got %q, want %q", got, want)
	}
	for k := range gi {
		g, w := got[gi[k][0]:gi[k][1]], want[wi[k][0]:wi[k][1]]
		if g == w {
			continue
		}
		if !Close(g, w) {
			return fmt.Sprintf("got %s, want %s (beyond the tolerance of %g relative for full-precision numbers) in %q", g, w, RelTol, got)
		}
	}
	return ""
}

// textBetween is s with its numbers cut out, marking where they were.
func textBetween(s string, idx [][]int) string {
	var b strings.Builder
	last := 0
	for _, m := range idx {
		b.WriteString(s[last:m[0]])
		b.WriteByte(0)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Close reports whether two differently written numbers match: at least
// one is written with full precision, and they are within RelTol of each
// other (or AbsTol of each other near zero).
func Close(got, want string) bool {
	if sigDigits(got) < 10 && sigDigits(want) < 10 {
		return false
	}
	a, err1 := strconv.ParseFloat(got, 64)
	b, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	d := math.Abs(a - b)
	return d <= AbsTol || d <= RelTol*math.Max(math.Abs(a), math.Abs(b))
}

// sigDigits counts the significant digits of a written number.
func sigDigits(s string) int {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	n, leading := 0, true
	for _, c := range s {
		if c < '0' || c > '9' {
			continue
		}
		if c == '0' && leading {
			continue
		}
		leading = false
		n++
	}
	return n
}
