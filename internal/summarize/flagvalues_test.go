package summarize

import (
	"flag"
	"strings"
	"testing"
)

var (
	_ flag.Value = (*ChainKind)(nil)
	_ flag.Value = (*Task)(nil)
	_ flag.Value = (*VerifyMode)(nil)
	_ flag.Value = (*Unit)(nil)
)

// Each value parses its names, refuses others with the message the
// command prints, and keeps its value on an error.
func TestFlagValues(t *testing.T) {
	chain, task, mode, unit := ChainStuff, TaskNote, VerifyDrop, UnitChars
	for _, tc := range []struct {
		v    flag.Value
		good [][2]string // value set, String() after; the last is kept
		bad  string
		err  string
	}{
		{&chain, [][2]string{{"map_reduce", "map-reduce"}, {"refine", "refine"}, {"stuff", "stuff"}}, "tree", `summarize: unknown chain "tree" (want stuff, map-reduce or refine)`},
		{&task, [][2]string{{"radiology", "radiology"}, {"article", "article"}, {"note", "note"}}, "discharge", `unknown task "discharge"`},
		{&mode, [][2]string{{"", "warn"}, {"retry", "retry"}, {"off", "off"}, {"drop", "drop"}}, "loud", `unknown verify mode "loud"`},
		{&unit, [][2]string{{"tokens", "tokens"}, {"chars", "chars"}}, "words", `summarize: --length "words": want tokens or chars`},
	} {
		for _, g := range tc.good {
			if err := tc.v.Set(g[0]); err != nil || tc.v.String() != g[1] {
				t.Errorf("Set(%q): %v, now %q; want %q", g[0], err, tc.v, g[1])
			}
		}
		keep := tc.good[len(tc.good)-1][1]
		err := tc.v.Set(tc.bad)
		if err == nil || !strings.Contains(err.Error(), tc.err) || tc.v.String() != keep {
			t.Errorf("Set(%q): %v, now %q; want an error with %q and %q kept", tc.bad, err, tc.v, tc.err, keep)
		}
	}
}

func TestUnitCounter(t *testing.T) {
	const s = "pneumothorax, é"
	if got := UnitChars.Counter().Count(s); got != 15 {
		t.Errorf("chars: %d", got)
	}
	if got, want := UnitTokens.Counter().Count(s), ApproxTokens.Count(s); got != want || got == 15 {
		t.Errorf("tokens: %d, want %d", got, want)
	}
	if Unit("").Counter().Count(s) != ApproxTokens.Count(s) {
		t.Error("the zero Unit does not count tokens")
	}
}
