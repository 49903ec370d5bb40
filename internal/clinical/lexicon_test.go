package clinical

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// The embedded lexicon parses, and every one of its files does.
func TestBuiltinLexiconParses(t *testing.T) {
	lex, err := newBuilder().addFS(builtinFS, builtinFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(lex.Concepts) < 200 || len(lex.triggers) < 10 || len(lex.rules) < 20 || len(lex.normals) < 4 {
		t.Errorf("lexicon too small: %d concepts, %d triggers, %d rules, %d normal phrases",
			len(lex.Concepts), len(lex.triggers), len(lex.rules), len(lex.normals))
	}
	if DefaultLexicon() != DefaultLexicon() {
		t.Error("DefaultLexicon builds a new lexicon each call")
	}
}

// Concepts: an ID, a name, a group, a severity for findings, flags only
// where they mean something; every concept is found by its own name.
func TestLexiconConcepts(t *testing.T) {
	lex := DefaultLexicon()
	ids := map[string]bool{}
	for i, c := range lex.Concepts {
		if c.ID == "" || c.Name == "" || strings.TrimSpace(c.Name) != c.Name {
			t.Errorf("concept %d: ID %q, name %q", i, c.ID, c.Name)
		}
		if ids[c.ID] {
			t.Errorf("concept %s defined twice", c.ID)
		}
		ids[c.ID] = true
		if len(c.Groups) == 0 || len(c.groups) != len(c.Groups) {
			t.Errorf("%s: groups %v (%d ids)", c.ID, c.Groups, len(c.groups))
		}
		if c.Kind == KindFinding && c.Severity == SeverityNone {
			t.Errorf("%s: a finding without a severity", c.ID)
		}
		if c.AcuteOnly && c.Severity != SeverityCritical {
			t.Errorf("%s: acute-only but not critical", c.ID)
		}
		if c.Escalates && c.Severity == SeverityCritical {
			t.Errorf("%s: escalates but is critical already", c.ID)
		}
		if got, ok := lex.Concept(c.ID); !ok || got.ID != c.ID {
			t.Errorf("Concept(%q) = %v, %v", c.ID, got.ID, ok)
		}
		// Found by its name: that concept, or one defined before it
		// under the same words that shares a group ("bleeding" of the
		// notes is the radiology hemorrhage).
		var found []string
		for _, cl := range testExtractor.Extract(c.Name).Claims {
			if cl.Type == ClaimConcept && cl.Assertion != Negated && lex.shareGroup(cl.concept, i) {
				found = append(found, cl.ConceptID)
			}
		}
		if len(found) == 0 {
			t.Errorf("%s: its name %q yields no claim of it", c.ID, c.Name)
		}
	}
	if _, ok := lex.Concept("no-such-concept"); ok {
		t.Error(`Concept("no-such-concept") found`)
	}
}

// Every explains= and implies= group names an existing group: the
// lexicon drops unknown ones silently.
func TestLexiconExplainsAndImpliesGroupsExist(t *testing.T) {
	lex := DefaultLexicon()
	for _, c := range lex.Concepts {
		for _, g := range append(slices.Clone(c.Explains), c.Implies...) {
			if _, ok := lex.groupIDs[g]; !ok {
				t.Errorf("%s: explains or implies unknown group %q", c.ID, g)
			}
		}
		if len(c.explains) != len(c.Explains) || len(c.implies) != len(c.Implies) {
			t.Errorf("%s: unresolved groups", c.ID)
		}
	}
}

// Every rule names a known concept, region and state, and every region
// and state serves a rule.
func TestLexiconRules(t *testing.T) {
	lex := DefaultLexicon()
	var regions, states uint32
	for _, r := range lex.rules {
		if r.concept < 0 || r.concept >= len(lex.Concepts) {
			t.Errorf("rule with concept index %d", r.concept)
			continue
		}
		if r.region == 0 || r.region&(r.region-1) != 0 || r.state == 0 || r.state&(r.state-1) != 0 {
			t.Errorf("rule for %s: region %b, state %b", lex.Concepts[r.concept].ID, r.region, r.state)
		}
		switch r.assertion {
		case Affirmed, Negated, Uncertain:
		default:
			t.Errorf("rule for %s: assertion %s", lex.Concepts[r.concept].ID, r.assertion)
		}
		regions |= r.region
		states |= r.state
	}
	for name, bit := range lex.regionBits {
		if regions&bit == 0 {
			t.Errorf("region %s serves no rule", name)
		}
	}
	for name, bit := range lex.stateBits {
		if states&bit == 0 {
			t.Errorf("state %s serves no rule", name)
		}
	}
}

// Every comparison class supports itself, every supports line names
// existing classes, and each class has phrases.
func TestLexiconComparisons(t *testing.T) {
	lex := DefaultLexicon()
	has := map[Comparison]bool{}
	for _, n := range lex.nodes {
		for _, e := range n.entries {
			if e.layer == layerComparison && e.value != layerIgnore {
				has[Comparison(e.value)] = true
			}
		}
	}
	for c := CompareStable; c < numComparisons; c++ {
		if lex.supports[c]&(1<<c) == 0 {
			t.Errorf("%s does not support itself", c)
		}
		if lex.supports[c]>>numComparisons != 0 || lex.supports[c]&1 != 0 {
			t.Errorf("%s: supports unknown classes %b", c, lex.supports[c])
		}
		if !has[c] {
			t.Errorf("comparison class %s has no phrase", c)
		}
	}
	// As the lexicon says: any comparison backs "since prior", a chronic
	// finding a stable or known one, resolution a decrease.
	for _, tc := range []struct {
		summary, source Comparison
		ok              bool
	}{
		{ComparePrior, CompareNew, true}, {CompareChronic, CompareStable, true}, {CompareDecreased, CompareResolved, true},
		{CompareStable, CompareChronic, false}, {CompareNew, CompareIncreased, false}, {CompareResolved, CompareDecreased, false},
	} {
		if got := lex.supports[tc.summary]&(1<<tc.source) != 0; got != tc.ok {
			t.Errorf("%s backs %s: %v, want %v", tc.source, tc.summary, got, tc.ok)
		}
	}
}

// Bad lexicon lines are errors naming the file and the line.
func TestReadLexiconErrors(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
		msg  string
	}{
		{"# a comment\nfinding x group=x severity=critical pneumo", 2, `missing ":"`},
		{"\n\nbogus: a, b", 3, `unknown kind "bogus"`},
		{"finding new-thing group=x: thing", 1, "needs a severity"},
		{"finding new-thing severity=dire: thing", 1, `unknown severity "dire"`},
		{"finding new-thing severity=minor sticky: thing", 1, `unknown flag "sticky"`},
		{"finding new-thing severity=minor colour=red: thing", 1, `unknown attribute "colour"`},
		{"finding new-thing severity=minor side=left: thing", 1, "side=no"},
		{"finding: thing", 1, "needs an ID"},
		{"device pneumothorax: thing", 1, "was defined as a finding"},
		{"side up: upwards", 1, `unknown side "up"`},
		{"zone outer: rim", 1, `unknown zone "outer"`},
		{"degree huge: gigantic", 1, `unknown degree "huge"`},
		{"trigger certain forward: surely", 1, `unknown trigger assertion "certain"`},
		{"trigger negated sideways: nope", 1, `unknown trigger direction "sideways"`},
		{"trigger negated forward window=99: nope", 1, "window"},
		{"comparison better: better", 1, `unknown comparison class "better"`},
		{"supports stable: stable, better", 1, `unknown comparison class`},
		{"normal lungs negated: acute lung thing", 1, `unknown normal scope "lungs"`},
		{"normal chest maybe: fine chest", 1, "negated or affirmed"},
		{"ignore layer: thing", 1, `unknown ignore layer "layer"`},
		{"finding new-thing severity=minor: (thing|stuff", 1, "unclosed"},
		{"finding new-thing severity=minor: (thing|[stuff])", 1, "nested"},
		{"finding new-thing severity=minor: thing]", 1, "unmatched"},
		{"rule pneumothorax maybe: lungs + clear", 1, "must be negated or uncertain"},
		{"rule pneumothorax: lungs clear", 1, `"REGION + STATE"`},
		{"\n  continued: thing", 2, "continuation line"},
		// Rules are resolved at the end, and still name their line.
		{"finding new-thing severity=minor: thing\nrule no-such-thing: lungs + clear", 2, `unknown concept "no-such-thing"`},
		{"rule pneumothorax negated: ribs + clear", 1, `unknown region "ribs"`},
		{"rule pneumothorax negated:\n  lungs + sparkling", 1, `unknown state "sparkling"`},
	} {
		_, err := ReadLexicon(strings.NewReader(tc.src), "my.txt")
		var le *LexiconError
		if !errors.As(err, &le) {
			t.Errorf("%q: error %v, want a *LexiconError", tc.src, err)
			continue
		}
		if le.File != "my.txt" || le.Line != tc.line || !strings.Contains(err.Error(), tc.msg) ||
			!strings.HasPrefix(err.Error(), "clinical: lexicon my.txt:") {
			t.Errorf("%q: error %q (file %q, line %d), want my.txt line %d containing %q", tc.src, err, le.File, le.Line, tc.line, tc.msg)
		}
		if errors.Unwrap(err) == nil {
			t.Errorf("%q: LexiconError does not unwrap", tc.src)
		}
	}
}

// A user lexicon extends the built-in one: a line with an existing ID adds
// synonyms and groups to it, a new ID adds a concept; other lexicons,
// the default among them, are unchanged.
func TestLexiconExtension(t *testing.T) {
	user := `# site vocabulary
finding pneumothorax group=air-leak: air leak, pleural air collection
finding empyema-necessitatis group=empyema severity=critical: empyema necessitatis
  , empyema necessitans
device impella group=balloon-pump report: impella cp
trigger negated forward: nil by exam
`
	read, err := ReadLexicon(strings.NewReader(user), "site.txt")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadLexicon(fstest.MapFS{"site.txt": {Data: []byte(user)}}, "site.txt")
	if err != nil {
		t.Fatal(err)
	}
	for name, lex := range map[string]*Lexicon{"ReadLexicon": read, "LoadLexicon": loaded} {
		x := NewExtractor(lex)
		got := func(s string) []string {
			var out []string
			for _, c := range x.Extract(s).Claims {
				if c.Type == ClaimConcept {
					out = append(out, describeConcept(c))
				}
			}
			return out
		}
		for _, tc := range []struct {
			text string
			want []string
		}{
			{"Pleural air collection on the left.", []string{"pneumothorax:affirmed side=left"}},
			{"Persistent air leaks.", []string{"pneumothorax:affirmed stable"}},
			{"Small right pneumothorax.", []string{"pneumothorax:affirmed side=right degree=low"}},
			{"Empyema necessitans on the right.", []string{"empyema-necessitatis:affirmed side=right"}},
			{"Nil by exam pneumothorax.", []string{"pneumothorax:negated"}},
		} {
			if g := got(tc.text); !slices.Equal(g, tc.want) {
				t.Errorf("%s: %q: got %q, want %q", name, tc.text, g, tc.want)
			}
		}
		c, ok := lex.Concept("pneumothorax")
		if !ok || c.Name != "pneumothorax" || !slices.Equal(c.Groups, []string{"pneumothorax", "air-leak"}) || c.Severity != SeverityCritical {
			t.Errorf("%s: extended pneumothorax = %+v", name, c)
		}
		if c, ok := lex.Concept("empyema-necessitatis"); !ok || c.Name != "empyema necessitatis" || c.Severity != SeverityCritical {
			t.Errorf("%s: new concept = %+v, %v", name, c, ok)
		}
		if c, _ := lex.Concept("balloon-pump"); !c.Reportable {
			t.Errorf("%s: balloon-pump lost its report flag", name)
		}
		if len(lex.Concepts) != len(DefaultLexicon().Concepts)+2 {
			t.Errorf("%s: %d concepts, want %d", name, len(lex.Concepts), len(DefaultLexicon().Concepts)+2)
		}
	}
	// The built-in lexicon does not know the site's words.
	if got := conceptsOf("Pleural air collection on the left."); len(got) != 0 {
		t.Errorf("default lexicon changed: %q", got)
	}
	if _, ok := DefaultLexicon().Concept("empyema-necessitatis"); ok {
		t.Error("default lexicon gained the site's concept")
	}
	// A missing file is an error.
	if _, err := LoadLexicon(fstest.MapFS{}, "missing.txt"); err == nil {
		t.Error("LoadLexicon of a missing file: no error")
	}
}

// Phrase patterns: choices, optional words, commas inside brackets.
func TestExpandPhrases(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"pleural effusion", []string{"pleural effusion"}},
		{"(left|right) effusion", []string{"left effusion", "right effusion"}},
		{"[small] effusion", []string{"small effusion", "effusion"}},
		{"[a|b] c (d|e)", []string{"a c d", "a c e", "b c d", "b c e", "c d", "c e"}},
	} {
		got, err := expand(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		var norm []string
		for _, g := range got {
			norm = append(norm, strings.Join(strings.Fields(g), " "))
		}
		if !slices.Equal(norm, tc.want) {
			t.Errorf("expand(%q) = %q, want %q", tc.in, norm, tc.want)
		}
	}
	if got := splitTop("a, (b, c), [d, e]"); len(got) != 3 {
		t.Errorf("splitTop split inside brackets: %q", got)
	}
	// Too many expansions is an error, not an explosion.
	big := strings.Repeat("(a|b|c|d) ", 7)
	if _, err := expand(big); err == nil {
		t.Errorf("expand of %d phrases: no error", 1<<14)
	}
}

// Regular plurals are added to every synonym; adjectives and participles
// get none.
func TestPlurals(t *testing.T) {
	for _, tc := range []struct {
		w    string
		want []string
	}{
		{"nodule", []string{"nodules"}},
		{"opacity", []string{"opacities"}},
		{"metastasis", []string{"metastases"}},
		{"abscess", []string{"abscesses"}},
		{"calcified", nil},
		{"atelectatic", nil},
		{"gas", nil},
		{"pa", nil},
	} {
		if got := plurals(tc.w); !slices.Equal(got, tc.want) {
			t.Errorf("plurals(%q) = %q, want %q", tc.w, got, tc.want)
		}
	}
}

// LoadChecker: no path is the built-in vocabulary, a file extends it, and
// the errors say which step failed.
func TestLoadChecker(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	source, summary := "No acute findings.", "Zebra sign in the right lung."
	builtin, err := LoadChecker("")
	if err != nil {
		t.Fatal(err)
	}
	if !builtin.Check(source, summary).Faithful() {
		t.Error("built-in vocabulary: the unknown zebra sign should go unnoticed")
	}
	site, err := LoadChecker(write("site.txt", "finding zebra-sign group=zebra severity=acute: zebra sign\n"))
	if err != nil {
		t.Fatal(err)
	}
	if site.Check(source, summary).Faithful() {
		t.Error("site vocabulary: a zebra sign the source does not mention should be unsupported")
	}

	_, err = LoadChecker(filepath.Join(dir, "absent.txt"))
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "open" {
		t.Errorf("missing file: %v, want os.Open's *fs.PathError", err)
	}
	bad := write("bad.txt", "finding no colon here\n")
	_, err = LoadChecker(bad)
	var le *LexiconError
	if !errors.As(err, &le) || le.File != bad || le.Line != 1 || errors.As(err, &pe) {
		t.Errorf("bad line: %v, want a *LexiconError at %s:1", err, bad)
	}
}
