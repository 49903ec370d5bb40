package synth

import (
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

var testSlots = slotSet{"drug", "effect"}

// expandAll expands t many times and returns the distinct outputs.
func expandAll(t *testing.T, src string, vals map[string]string, runs int) []string {
	t.Helper()
	tp, err := compileTemplate(src, testSlots)
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	r := newRNG()
	e := expander{r: r, vals: make([]string, len(testSlots)), spans: make([]int, len(testSlots))}
	seen := map[string]bool{}
	for i := 0; i < runs; i++ {
		r.seed(1, 2, 3, i)
		e.reset()
		for k, v := range vals {
			e.set(testSlots.index(k), v)
		}
		seen[string(e.expand(nil, tp))] = true
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestTemplateExpansion(t *testing.T) {
	tests := []struct {
		name string
		src  string
		vals map[string]string
		want []string
	}{
		{"literal", "No pneumothorax.", nil, []string{"No pneumothorax."}},
		{"choice", "{a|b|c}", nil, []string{"a", "b", "c"}},
		{"empty alternative", "x{|y}", nil, []string{"x", "xy"}},
		{"nested", "{no|{without|free of}} effusion", nil, []string{"free of effusion", "no effusion", "without effusion"}},
		{"optional", "a[ b]", nil, []string{"a", "a b"}},
		{"optional choice", "[a|b]c", nil, []string{"ac", "bc", "c"}},
		{"slot", "<drug>-induced <effect>", map[string]string{"drug": "naproxen", "effect": "pseudoporphyria"}, []string{"naproxen-induced pseudoporphyria"}},
		{"escapes", `SBP \<90 \{x\} \[y\] a\\b`, nil, []string{`SBP <90 {x} [y] a\b`}},
		{"range", "{#3-5}", nil, []string{"3", "4", "5"}},
		{"decimal range", "{#0.8-1.0}", nil, []string{"0.8", "0.9", "1.0"}},
		{"two decimals", "{#0.08-0.10}", nil, []string{"0.08", "0.09", "0.10"}},
		{"unicode literal", "T 37.1\u00b0C", nil, []string{"T 37.1\u00b0C"}},
		{"close brackets outside groups are errors elsewhere; '>' is literal", "a > b", nil, []string{"a > b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := expandAll(t, tt.src, tt.vals, 400)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("expand %q = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"{a|b", "never closed"},
		{"[a", "never closed"},
		{"a}", "unmatched"},
		{"a]", "unmatched"},
		{"<dose>", "unknown slot <dose>"},
		{"<drug", "never closed"},
		{`trailing\`, "trailing backslash"},
		{"{#5-3}", "lo <= hi"},
		{"{#1.5-3}", "same decimals"},
		{"{#a-b}", "lo <= hi"},
		{"{#3}", "needs lo-hi"},
		{"{#3-4", "never closed"},
		{"\xff", "UTF-8"},
	}
	for _, tt := range tests {
		_, err := compileTemplate(tt.src, testSlots)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("compile %q: error %v, want one containing %q", tt.src, err, tt.want)
		}
	}
}

// TestSlotSpans checks that the expander records where a slot was first
// written, which is how relations recover drug and effect spans.
func TestSlotSpans(t *testing.T) {
	tp, err := compileTemplate("{A|The} <effect> after <drug>, then <drug>.", testSlots)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG()
	e := expander{r: r, vals: make([]string, 2), spans: make([]int, 2)}
	for i := 0; i < 20; i++ {
		r.seed(9, 9, 9, i)
		e.reset()
		e.set(0, "warfarin")
		e.set(1, "bleeding")
		buf := e.expand([]byte("RESULTS: "), tp)
		capitalizeFrom(buf, len("RESULTS: "))
		text := string(buf)
		if got := text[e.spans[0] : e.spans[0]+len("warfarin")]; got != "warfarin" {
			t.Fatalf("%q: drug span holds %q", text, got)
		}
		if got := text[e.spans[1] : e.spans[1]+len("bleeding")]; got != "bleeding" {
			t.Fatalf("%q: effect span holds %q", text, got)
		}
		if strings.Index(text, "warfarin") != e.spans[0] {
			t.Fatalf("%q: span %d is not the first occurrence", text, e.spans[0])
		}
	}
}

func TestCapitalizeFrom(t *testing.T) {
	tests := []struct {
		in    string
		start int
		want  string
	}{
		{"no effusion.", 0, "No effusion."},
		{"RESULTS: naproxen", 9, "RESULTS: Naproxen"},
		{"(left) effusion", 0, "(Left) effusion"},
		{"5-fluorouracil", 0, "5-fluorouracil"},
		{"Already", 0, "Already"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		capitalizeFrom(b, tt.start)
		if string(b) != tt.want {
			t.Errorf("capitalizeFrom(%q, %d) = %q, want %q", tt.in, tt.start, b, tt.want)
		}
	}
}

func TestAppendFixed(t *testing.T) {
	tests := []struct {
		n, decimals int
		want        string
	}{{0, 0, "0"}, {42, 0, "42"}, {12, 1, "1.2"}, {5, 2, "0.05"}, {100, 2, "1.00"}, {7, 3, "0.007"}, {1234, 3, "1.234"}}
	for _, tt := range tests {
		if got := string(appendFixed(nil, tt.n, tt.decimals)); got != tt.want {
			t.Errorf("appendFixed(%d, %d) = %q, want %q", tt.n, tt.decimals, got, tt.want)
		}
	}
}

// FuzzCompileTemplate checks that the template parser never panics, and
// that whatever it accepts expands to valid UTF-8 with every slot value
// it was given and no leftover group syntax from balanced input.
func FuzzCompileTemplate(f *testing.F) {
	for _, s := range []string{
		"{a|b}", "[a|b]", "<drug>-induced <effect>", `\{x\}`, "{#1-9}", "{#0.5-2.5}", "{{a|b}|[c]}", "x", "",
		"{a|b", "a]", "<nope>", `\`, "{#9-1}", "{#1.0-2}", "{#}", "{#-}", "{#00000000001-2}",
	} {
		f.Add(s)
	}
	for _, src := range adeData().AdverseEvent[:5] {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tp, err := compileTemplate(src, adeSlots)
		if err != nil {
			return
		}
		r := newRNG()
		e := expander{r: r, vals: make([]string, len(adeSlots)), spans: make([]int, len(adeSlots))}
		for i := 0; i < 4; i++ {
			r.seed(1, 1, 1, i)
			e.reset()
			for k := range adeSlots {
				e.set(k, "V")
			}
			out := e.expand(nil, tp)
			if !utf8.Valid(out) {
				t.Fatalf("expansion of %q is not valid UTF-8: %q", src, out)
			}
			for k, sp := range e.spans {
				if sp >= 0 && (sp+1 > len(out) || out[sp] != 'V') {
					t.Fatalf("expansion of %q: span of slot %d at %d does not hold its value: %q", src, k, sp, out)
				}
			}
		}
	})
}
