package clinical

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed lexicon/*.txt
var builtinFS embed.FS

// builtinFiles are the embedded lexicon files, read in this order.
var builtinFiles = []string{"lexicon/context.txt", "lexicon/radiology.txt", "lexicon/notes.txt", "lexicon/drugs.txt"}

// ConceptKind says what a concept names.
type ConceptKind uint8

// The kinds of concept.
const (
	KindFinding   ConceptKind = iota // a finding, problem, symptom or diagnosis
	KindDevice                       // a line, tube or implant
	KindProcedure                    // something done to the patient (sternotomy, lobectomy)
	KindDrug                         // a drug or drug class
)

var conceptKindNames = [...]string{"finding", "device", "procedure", "drug"}

func (k ConceptKind) String() string {
	if int(k) < len(conceptKindNames) {
		return conceptKindNames[k]
	}
	return "concept"
}

// Severity ranks findings for the omission and normal-statement checks.
type Severity uint8

// Severities, lowest first.
const (
	SeverityNone        Severity = iota // devices, procedures, drugs
	SeverityChronic                     // benign or incidental (granuloma, degenerative change)
	SeverityMinor                       // atelectasis, hyperinflation
	SeveritySignificant                 // cardiomegaly, nodule, adenopathy
	SeverityAcute                       // opacity, effusion, edema: a normal statement contradicts them
	SeverityCritical                    // pneumothorax, free air, fracture, mass: never omitted
)

var severityNames = [...]string{"none", "chronic", "minor", "significant", "acute", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "unknown"
}

func parseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return 0, false
}

// Concept is one entry of the vocabulary: a finding, device, procedure or
// drug with its synonyms.
type Concept struct {
	ID       string
	Kind     ConceptKind
	Severity Severity
	// Groups are the groups the concept belongs to: a summary's claim is
	// backed by a source claim of any concept sharing a group (opacity,
	// infiltrate and consolidation are one group).
	Groups []string
	// AcuteOnly concepts are critical only when current: an old, healed,
	// chronic or stable fracture is not.
	AcuteOnly bool
	// Explains are groups this finding accounts for when a sentence names
	// both ("opacity ... likely atelectasis": the opacity is not an acute
	// finding a normal statement would contradict).
	Explains []string
	// Implies are groups without which this finding is not seen, so a
	// text denying all of them denies it ("no focal consolidation": no
	// pneumonia on the radiograph).
	Implies []string
	// NoSide concepts have no laterality (cardiomegaly, free air): they
	// never take a side from nearby words.
	NoSide bool
	// Escalates makes a finding critical when its clause calls it new,
	// increased or acute (a new compression deformity).
	Escalates bool
	// Reportable marks what a summary must not drop although it is not
	// critical: lines and tubes (endotracheal and enteric tubes, central
	// lines, chest tubes, pacemaker leads, as opposed to incidental clips,
	// wires and stents) and actionable findings (a lung nodule,
	// adenopathy, an aneurysm).
	Reportable bool
	// Name is the first synonym, used in messages.
	Name string

	groups   []uint16 // sorted group ids
	explains []uint16
	implies  []uint16
}

// Assertion is what a text says about a concept (ConText's categories).
type Assertion uint8

// The assertions.
const (
	Affirmed     Assertion = iota // present
	Negated                       // absent ("no pneumothorax")
	Uncertain                     // possible ("may represent pneumonia")
	Historical                    // in the past ("history of", "old", "healed")
	Hypothetical                  // not asserted ("if", "recommend", "to evaluate for")
	Family                        // about a relative ("mother had")
)

var assertionNames = [...]string{"affirmed", "negated", "uncertain", "historical", "hypothetical", "family"}

func (a Assertion) String() string {
	if int(a) < len(assertionNames) {
		return assertionNames[a]
	}
	return "unknown"
}

// MarshalText writes the assertion's name.
func (a Assertion) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func parseAssertion(s string) (Assertion, bool) {
	for i, n := range assertionNames {
		if n == s {
			return Assertion(i), true
		}
	}
	return 0, false
}

// Side is laterality.
type Side uint8

// Sides; Bilateral is Left|Right.
const (
	SideNone  Side = 0
	Left      Side = 1
	Right     Side = 2
	Bilateral Side = Left | Right
)

func (s Side) String() string {
	switch s {
	case Left:
		return "left"
	case Right:
		return "right"
	case Bilateral:
		return "bilateral"
	}
	return ""
}

// MarshalText writes the side's name.
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Zone is a vertical location (upper, middle, lower) as a bit set.
type Zone uint8

// Zones.
const (
	ZoneUpper Zone = 1 << iota
	ZoneMiddle
	ZoneLower
)

var zoneNames = [...]string{"upper", "middle", "lower"}

// Names lists the zones of z.
func (z Zone) Names() []string {
	var out []string
	for i, n := range zoneNames {
		if z&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (z Zone) String() string { return strings.Join(z.Names(), "+") }

// MarshalText writes the zones joined by "+".
func (z Zone) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// Degree is how much of a finding a text states, as a bit set.
type Degree uint8

// Degrees.
const (
	DegreeLow  Degree = 1 << iota // trace, small, mild
	DegreeMid                     // moderate
	DegreeHigh                    // large, severe, marked
)

var degreeNames = [...]string{"low", "moderate", "high"}

func (d Degree) String() string {
	var out []string
	for i, n := range degreeNames {
		if d&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, "+")
}

// MarshalText writes the degrees joined by "+".
func (d Degree) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Comparison is a class of comparison or temporal claim.
type Comparison uint8

// Comparison classes.
const (
	CompareNone Comparison = iota
	CompareStable
	CompareIncreased
	CompareDecreased
	CompareNew
	CompareResolved
	ComparePrior
	CompareKnown
	CompareChronic
	numComparisons
)

var comparisonNames = [numComparisons]string{"", "stable", "increased", "decreased", "new", "resolved", "prior", "known", "chronic"}

func (c Comparison) String() string {
	if c < numComparisons {
		return comparisonNames[c]
	}
	return "unknown"
}

// MarshalText writes the class name.
func (c Comparison) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func parseComparison(s string) (Comparison, bool) {
	for i, n := range comparisonNames {
		if n == s && n != "" {
			return Comparison(i), true
		}
	}
	return 0, false
}

// NormalScope is what a normal statement covers.
type NormalScope uint8

// Normal statement scopes.
const (
	NormalNone  NormalScope = iota
	NormalChest             // heart, lungs, pleura, mediastinum
	NormalBone              // the skeleton
	NormalAll               // everything
)

var normalScopeNames = [...]string{"", "chest", "bone", "all"}

func (n NormalScope) String() string {
	if int(n) < len(normalScopeNames) {
		return normalScopeNames[n]
	}
	return "unknown"
}

// MarshalText writes the scope name.
func (n NormalScope) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// triggerDir is the direction of an assertion trigger's scope.
type triggerDir uint8

const (
	dirForward triggerDir = iota
	dirBackward
	dirBoth
)

// trigger is one assertion trigger definition.
type trigger struct {
	assertion Assertion
	dir       triggerDir
	window    int
	weak      bool // "or", "versus": only when nothing stronger applies
}

const defaultWindow = 15

// Layers of the phrase matcher: each is matched independently, longest
// phrase first, without overlaps inside a layer.
const (
	layerConcept = iota
	layerTrigger
	layerSide
	layerZone
	layerComparison
	layerDegree
	layerCommunication
	layerNormal
	layerRegion
	layerState
	numLayers
)

// payload values of the trigger layer that are not triggers.
const (
	triggerPseudo    = -1
	triggerTerminate = -2
)

// payload value of the concept layer that blocks a match ("mass effect").
const conceptIgnore = -1

// payload value of the side, zone, degree and comparison layers that
// blocks a match ("apex anterior angulation" names no zone): as a bit set
// or class it adds nothing.
const layerIgnore = 0

// entry is what a phrase means in one layer.
type entry struct {
	layer uint8
	value int32 // concept index, trigger index, side, zone bit, comparison, normal index, region/state bit
}

// normalDef is a normal-statement phrase's meaning.
type normalDef struct {
	scope   NormalScope
	negated bool // a normal statement only when negated
}

// rule turns a region and a state in one clause into a concept claim.
type rule struct {
	concept   int
	assertion Assertion // Affirmed, Negated or Uncertain
	region    uint32    // region bit
	state     uint32    // state bit
}

// node is a trie node over lower-cased tokens.
type node struct {
	next    map[string]int32
	entries []entry
}

// Lexicon is a compiled vocabulary: concepts with their synonyms and
// groups, assertion triggers, laterality, location, comparison,
// communication and normal-statement phrases, and region rules. It is
// immutable once built and safe for concurrent use.
type Lexicon struct {
	Concepts []Concept

	conceptByID map[string]int
	groupIDs    map[string]uint16
	groupNames  []string
	triggers    []trigger
	normals     []normalDef
	rules       []rule
	regionBits  map[string]uint32
	stateBits   map[string]uint32
	// supports[c] is the set of source comparison classes (bits) that back
	// a summary's class c.
	supports [numComparisons]uint16

	nodes    []node
	maxWords int
}

// LexiconError is a problem in a lexicon file, with its line.
type LexiconError struct {
	File string
	Line int
	Err  error
}

func (e *LexiconError) Error() string {
	return fmt.Sprintf("clinical: lexicon %s:%d: %v", e.File, e.Line, e.Err)
}

func (e *LexiconError) Unwrap() error { return e.Err }

var (
	defaultOnce sync.Once
	defaultLex  *Lexicon
	defaultErr  error
)

// DefaultLexicon returns Osler's built-in vocabulary (lexicon/*.txt,
// embedded in the binary).
func DefaultLexicon() *Lexicon {
	defaultOnce.Do(func() {
		defaultLex, defaultErr = newBuilder().addFS(builtinFS, builtinFiles)
	})
	if defaultErr != nil {
		// The embedded files are tested; a failure here is a build defect.
		panic(defaultErr)
	}
	return defaultLex
}

// LoadLexicon builds a lexicon from the built-in vocabulary extended by
// the given files (same format): new concepts are added, and a concept
// line whose ID already exists adds synonyms and groups to it.
func LoadLexicon(fsys fs.FS, names ...string) (*Lexicon, error) {
	b := newBuilder()
	if _, err := b.addFS(builtinFS, builtinFiles); err != nil {
		return nil, err
	}
	return b.addFS(fsys, names)
}

// ReadLexicon is [LoadLexicon] for one reader.
func ReadLexicon(r io.Reader, name string) (*Lexicon, error) {
	b := newBuilder()
	if _, err := b.addFS(builtinFS, builtinFiles); err != nil {
		return nil, err
	}
	if err := b.parse(r, name); err != nil {
		return nil, err
	}
	return b.build()
}

// LoadChecker returns a checker over the built-in vocabulary extended by
// the lexicon file at path, or over the built-in vocabulary alone when
// path is "". A file that cannot be opened gives os.Open's *fs.PathError
// (Op "open") as it is, so a caller can name the flag or setting that gave
// the path; a bad line gives a [*LexiconError] naming the file and line.
func LoadChecker(path string) (*Checker, error) {
	if path == "" {
		return NewChecker(nil), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lex, err := ReadLexicon(f, path)
	if err != nil {
		return nil, err
	}
	return NewChecker(lex), nil
}

// builder accumulates lexicon lines before compiling the trie.
type builder struct {
	lex     *Lexicon
	phrases []pendingPhrase
	// pendingRules are rules whose concept may be defined later.
	pendingRules []pendingRule
	supports     [numComparisons][]string
	file         string
	line         int
}

type pendingPhrase struct {
	words []string
	e     entry
}

type pendingRule struct {
	concept   string
	assertion Assertion
	region    string
	state     string
	file      string
	line      int
}

func newBuilder() *builder {
	return &builder{lex: &Lexicon{
		conceptByID: map[string]int{},
		groupIDs:    map[string]uint16{},
		regionBits:  map[string]uint32{},
		stateBits:   map[string]uint32{},
	}}
}

func (b *builder) addFS(fsys fs.FS, names []string) (*Lexicon, error) {
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, fmt.Errorf("clinical: lexicon: %w", err)
		}
		err = b.parse(f, name)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return b.build()
}

func (b *builder) errorf(format string, args ...any) error {
	return &LexiconError{File: b.file, Line: b.line, Err: fmt.Errorf(format, args...)}
}

// parse reads one lexicon file. A definition may continue on following
// lines that start with white space.
func (b *builder) parse(r io.Reader, name string) error {
	b.file = name
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cur strings.Builder
	curLine, lineNo := 0, 0
	flush := func() error {
		if cur.Len() == 0 {
			return nil
		}
		b.line = curLine
		err := b.definition(cur.String())
		cur.Reset()
		return err
	}
	for sc.Scan() {
		lineNo++
		raw := sc.Text()
		if i := strings.IndexByte(raw, '#'); i >= 0 {
			raw = raw[:i]
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if cur.Len() == 0 {
				b.line = lineNo
				return b.errorf("continuation line without a definition before it")
			}
			cur.WriteByte(' ')
			cur.WriteString(strings.TrimSpace(raw))
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		cur.WriteString(strings.TrimSpace(raw))
		curLine = lineNo
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("clinical: lexicon %s: %w", name, err)
	}
	return flush()
}

// definition handles one "KIND ARGS...: PHRASES" definition.
func (b *builder) definition(def string) error {
	colon := strings.IndexByte(def, ':')
	if colon < 0 {
		return b.errorf(`missing ":" between the kind and the phrases`)
	}
	head := strings.Fields(def[:colon])
	body := strings.TrimSpace(def[colon+1:])
	if len(head) == 0 {
		return b.errorf("missing kind before the colon")
	}
	args, attrs := splitAttrs(head[1:])
	kind := head[0]
	switch kind {
	case "finding", "device", "procedure", "drug":
		return b.concept(kind, args, attrs, body)
	case "ignore":
		return b.defineIgnore(args, body)
	case "trigger":
		return b.trigger(args, attrs, body)
	case "pseudo":
		return b.addPhrases(body, entry{layer: layerTrigger, value: triggerPseudo})
	case "terminate":
		return b.addPhrases(body, entry{layer: layerTrigger, value: triggerTerminate})
	case "side":
		return b.defineSide(args, body)
	case "zone":
		return b.defineZone(args, body)
	case "lobe":
		return b.defineLobe(args, body)
	case "degree":
		return b.defineDegree(args, body)
	case "comparison":
		return b.defineComparison(args, body)
	case "supports":
		return b.defineSupports(args, body)
	case "communication":
		return b.addPhrases(body, entry{layer: layerCommunication})
	case "normal":
		return b.defineNormal(args, body)
	case "region", "state":
		return b.defineBit(kind, args, body)
	case "rule":
		return b.rule(args, body)
	}
	return b.errorf("unknown kind %q (finding, device, procedure, drug, ignore, trigger, pseudo, terminate, side, zone, lobe, degree, comparison, supports, communication, normal, region, state, rule)", kind)
}

// defineIgnore handles "ignore [LAYER]": phrases holding a word of that
// layer (concepts by default) that do not mean it: the longest match wins
// and means nothing ("mass effect", "apex anterior angulation").
func (b *builder) defineIgnore(args []string, body string) error {
	if len(args) > 1 {
		return b.errorf("ignore takes at most one layer (concept, trigger, side, zone, degree, comparison)")
	}
	e := entry{layer: layerConcept, value: conceptIgnore}
	if len(args) == 1 {
		switch args[0] {
		case "concept":
		case "trigger":
			e = entry{layer: layerTrigger, value: triggerPseudo}
		case "side":
			e = entry{layer: layerSide, value: layerIgnore}
		case "zone":
			e = entry{layer: layerZone, value: layerIgnore}
		case "degree":
			e = entry{layer: layerDegree, value: layerIgnore}
		case "comparison":
			e = entry{layer: layerComparison, value: layerIgnore}
		default:
			return b.errorf("unknown ignore layer %q (concept, trigger, side, zone, degree, comparison)", args[0])
		}
	}
	return b.addPhrases(body, e)
}

// defineSide handles "side left|right|bilateral".
func (b *builder) defineSide(args []string, body string) error {
	if len(args) != 1 {
		return b.errorf("side needs one of left, right, bilateral")
	}
	s, ok := map[string]Side{"left": Left, "right": Right, "bilateral": Bilateral}[args[0]]
	if !ok {
		return b.errorf("unknown side %q (left, right or bilateral)", args[0])
	}
	return b.addPhrases(body, entry{layer: layerSide, value: int32(s)})
}

// defineZone handles "zone upper|middle|lower".
func (b *builder) defineZone(args []string, body string) error {
	if len(args) != 1 {
		return b.errorf("zone needs one of upper, middle, lower")
	}
	z, err := b.zone(args[0])
	if err != nil {
		return err
	}
	return b.addPhrases(body, entry{layer: layerZone, value: int32(z)})
}

// defineLobe handles "lobe SIDE ZONE": the phrases give both.
func (b *builder) defineLobe(args []string, body string) error {
	if len(args) != 2 {
		return b.errorf("lobe needs a side and a zone (lobe left lower: lll)")
	}
	s, ok := map[string]Side{"left": Left, "right": Right}[args[0]]
	if !ok {
		return b.errorf("unknown lobe side %q (left or right)", args[0])
	}
	z, err := b.zone(args[1])
	if err != nil {
		return err
	}
	if err := b.addPhrases(body, entry{layer: layerSide, value: int32(s)}); err != nil {
		return err
	}
	return b.addPhrases(body, entry{layer: layerZone, value: int32(z)})
}

// defineDegree handles "degree low|mid|high".
func (b *builder) defineDegree(args []string, body string) error {
	if len(args) != 1 {
		return b.errorf("degree needs one of low, mid, high")
	}
	d, ok := map[string]Degree{"low": DegreeLow, "mid": DegreeMid, "high": DegreeHigh}[args[0]]
	if !ok {
		return b.errorf("unknown degree %q (low, mid or high)", args[0])
	}
	return b.addPhrases(body, entry{layer: layerDegree, value: int32(d)})
}

// defineComparison handles "comparison CLASS".
func (b *builder) defineComparison(args []string, body string) error {
	if len(args) != 1 {
		return b.errorf("comparison needs a class (%s)", strings.Join(comparisonNames[1:], ", "))
	}
	c, ok := parseComparison(args[0])
	if !ok {
		return b.errorf("unknown comparison class %q (%s)", args[0], strings.Join(comparisonNames[1:], ", "))
	}
	return b.addPhrases(body, entry{layer: layerComparison, value: int32(c)})
}

// defineSupports handles "supports CLASS: CLASS, ...": the comparison
// classes of a source that back a summary's CLASS.
func (b *builder) defineSupports(args []string, body string) error {
	if len(args) != 1 {
		return b.errorf("supports needs a comparison class")
	}
	c, ok := parseComparison(args[0])
	if !ok {
		return b.errorf("unknown comparison class %q", args[0])
	}
	for _, s := range splitTop(body) {
		if _, ok := parseComparison(strings.TrimSpace(s)); !ok {
			return b.errorf("unknown comparison class %q", s)
		}
		b.supports[c] = append(b.supports[c], strings.TrimSpace(s))
	}
	return nil
}

// defineNormal handles "normal SCOPE negated|affirmed".
func (b *builder) defineNormal(args []string, body string) error {
	if len(args) != 2 {
		return b.errorf("normal needs a scope (chest, bone, all) and negated or affirmed")
	}
	var def normalDef
	found := false
	for i, n := range normalScopeNames {
		if n == args[0] && n != "" {
			def.scope, found = NormalScope(i), true
		}
	}
	if !found {
		return b.errorf("unknown normal scope %q (chest, bone or all)", args[0])
	}
	switch args[1] {
	case "negated":
		def.negated = true
	case "affirmed":
	default:
		return b.errorf("normal %s needs negated or affirmed, not %q", args[0], args[1])
	}
	b.lex.normals = append(b.lex.normals, def)
	return b.addPhrases(body, entry{layer: layerNormal, value: int32(len(b.lex.normals) - 1)})
}

// defineBit handles "region NAME" and "state NAME": each name gets the
// next bit of its layer, at most 32.
func (b *builder) defineBit(kind string, args []string, body string) error {
	if len(args) != 1 {
		return b.errorf("%s needs a name", kind)
	}
	bits := b.lex.regionBits
	layer := uint8(layerRegion)
	if kind == "state" {
		bits, layer = b.lex.stateBits, layerState
	}
	bit, ok := bits[args[0]]
	if !ok {
		if len(bits) >= 32 {
			return b.errorf("too many %ss (at most 32)", kind)
		}
		bit = 1 << len(bits)
		bits[args[0]] = bit
	}
	return b.addPhrases(body, entry{layer: layer, value: int32(bit)})
}

func (b *builder) zone(name string) (Zone, error) {
	for i, n := range zoneNames {
		if n == name {
			return Zone(1 << i), nil
		}
	}
	return 0, b.errorf("unknown zone %q (upper, middle or lower)", name)
}

// splitAttrs separates "key=value" words from plain arguments.
func splitAttrs(words []string) (args []string, attrs map[string]string) {
	attrs = map[string]string{}
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			attrs[k] = v
		} else {
			args = append(args, w)
		}
	}
	return args, attrs
}

func (b *builder) concept(kind string, args []string, attrs map[string]string, body string) error {
	if len(args) == 0 {
		return b.errorf("%s needs an ID", kind)
	}
	id := args[0]
	ck := map[string]ConceptKind{"finding": KindFinding, "device": KindDevice, "procedure": KindProcedure, "drug": KindDrug}[kind]
	var acuteOnly, escalates, report bool
	for _, a := range args[1:] {
		switch a {
		case "acute-only":
			acuteOnly = true
		case "escalates":
			escalates = true
		case "report":
			report = true
		default:
			return b.errorf("unknown flag %q (acute-only, escalates, report)", a)
		}
	}
	lex := b.lex
	idx, exists := lex.conceptByID[id]
	if !exists {
		idx = len(lex.Concepts)
		lex.conceptByID[id] = idx
		lex.Concepts = append(lex.Concepts, Concept{ID: id, Kind: ck})
	}
	c := &lex.Concepts[idx]
	if exists && c.Kind != ck {
		return b.errorf("%s %s was defined as a %s", kind, id, c.Kind)
	}
	c.AcuteOnly = c.AcuteOnly || acuteOnly
	c.Escalates = c.Escalates || escalates
	c.Reportable = c.Reportable || report
	for k, v := range attrs {
		switch k {
		case "group":
			for _, g := range strings.Split(v, ",") {
				if g = strings.TrimSpace(g); g != "" && !containsString(c.Groups, g) {
					c.Groups = append(c.Groups, g)
				}
			}
		case "explains":
			for _, g := range strings.Split(v, ",") {
				if g = strings.TrimSpace(g); g != "" && !containsString(c.Explains, g) {
					c.Explains = append(c.Explains, g)
				}
			}
		case "implies":
			for _, g := range strings.Split(v, ",") {
				if g = strings.TrimSpace(g); g != "" && !containsString(c.Implies, g) {
					c.Implies = append(c.Implies, g)
				}
			}
			if len(c.Implies) > 16 {
				return b.errorf("%s implies more than 16 groups", id)
			}
		case "side":
			if v != "no" {
				return b.errorf(`side=%q: only side=no is allowed (a concept without laterality)`, v)
			}
			c.NoSide = true
		case "severity":
			s, ok := parseSeverity(v)
			if !ok {
				return b.errorf("unknown severity %q (critical, acute, significant, minor, chronic)", v)
			}
			c.Severity = s
		default:
			return b.errorf("unknown attribute %q (group, severity, explains, implies, side)", k)
		}
	}
	if len(c.Groups) == 0 {
		c.Groups = []string{id}
	}
	if ck == KindFinding && c.Severity == SeverityNone {
		return b.errorf("finding %s needs a severity", id)
	}
	first := len(b.phrases)
	if err := b.addPhrases(body, entry{layer: layerConcept, value: int32(idx)}); err != nil {
		return err
	}
	if c.Name == "" && len(b.phrases) > first {
		c.Name = strings.Join(b.phrases[first].words, " ")
	}
	// Plurals of the last word of each synonym (the lexicon lists the
	// irregular ones).
	for _, p := range b.phrases[first:] {
		last := p.words[len(p.words)-1]
		for _, pl := range plurals(last) {
			w := append(append([]string(nil), p.words[:len(p.words)-1]...), pl)
			b.phrases = append(b.phrases, pendingPhrase{words: w, e: p.e})
		}
	}
	return nil
}

// plurals returns regular plural forms of a word.
func plurals(w string) []string {
	if len(w) < 3 || !isLetters(w) {
		return nil
	}
	switch {
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		if strings.HasSuffix(w, "is") {
			return []string{w[:len(w)-2] + "es"}
		}
		if strings.HasSuffix(w, "us") || strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh") {
			return []string{w + "es"}
		}
		return nil
	case strings.HasSuffix(w, "y") && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return []string{w[:len(w)-1] + "ies"}
	case strings.HasSuffix(w, "ed"), strings.HasSuffix(w, "ing"), strings.HasSuffix(w, "al"), strings.HasSuffix(w, "ic"),
		strings.HasSuffix(w, "ous"), strings.HasSuffix(w, "ive"), strings.HasSuffix(w, "ar"):
		return nil // adjectives and participles
	}
	return []string{w + "s"}
}

func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *builder) trigger(args []string, attrs map[string]string, body string) error {
	weak := false
	var plain []string
	for _, a := range args {
		if a == "weak" {
			weak = true
		} else {
			plain = append(plain, a)
		}
	}
	if len(plain) != 2 {
		return b.errorf("trigger needs an assertion (negated, uncertain, historical, hypothetical, family) and a direction (forward, backward, both)")
	}
	a, ok := parseAssertion(plain[0])
	if !ok || a == Affirmed {
		return b.errorf("unknown trigger assertion %q (negated, uncertain, historical, hypothetical, family)", plain[0])
	}
	dir, ok := map[string]triggerDir{"forward": dirForward, "backward": dirBackward, "both": dirBoth}[plain[1]]
	if !ok {
		return b.errorf("unknown trigger direction %q (forward, backward, both)", plain[1])
	}
	t := trigger{assertion: a, dir: dir, window: defaultWindow, weak: weak}
	for k, v := range attrs {
		if k != "window" {
			return b.errorf("unknown trigger attribute %q (window)", k)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return b.errorf("trigger window %q must be a number from 1 to 50", v)
		}
		t.window = n
	}
	b.lex.triggers = append(b.lex.triggers, t)
	return b.addPhrases(body, entry{layer: layerTrigger, value: int32(len(b.lex.triggers) - 1)})
}

func (b *builder) rule(args []string, body string) error {
	if len(args) < 1 || len(args) > 2 {
		return b.errorf("rule needs a concept ID and optionally negated or uncertain")
	}
	a := Affirmed
	if len(args) == 2 {
		var ok bool
		a, ok = parseAssertion(args[1])
		if !ok || (a != Negated && a != Uncertain) {
			return b.errorf("rule assertion %q must be negated or uncertain", args[1])
		}
	}
	for _, part := range splitTop(body) {
		region, state, ok := strings.Cut(part, "+")
		if !ok {
			return b.errorf(`rule %q needs "REGION + STATE"`, strings.TrimSpace(part))
		}
		b.pendingRules = append(b.pendingRules, pendingRule{concept: args[0], assertion: a,
			region: strings.TrimSpace(region), state: strings.TrimSpace(state), file: b.file, line: b.line})
	}
	return nil
}

// addPhrases expands and records every phrase of a comma-separated body.
func (b *builder) addPhrases(body string, e entry) error {
	for _, p := range splitTop(body) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		expanded, err := expand(p)
		if err != nil {
			return b.errorf("phrase %q: %v", p, err)
		}
		for _, x := range expanded {
			words := phraseWords(x)
			if len(words) == 0 {
				continue
			}
			b.phrases = append(b.phrases, pendingPhrase{words: words, e: e})
		}
	}
	return nil
}

// splitTop splits s at commas outside brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// maxExpansions bounds how many phrases one pattern may expand to.
const maxExpansions = 4096

// expand turns "(a|b) c [d|e]" into every phrase it stands for.
func expand(p string) ([]string, error) {
	out := []string{""}
	for i := 0; i < len(p); {
		c := p[i]
		if c == '(' || c == '[' {
			closer := byte(')')
			if c == '[' {
				closer = ']'
			}
			j := strings.IndexByte(p[i:], closer)
			if j < 0 {
				return nil, fmt.Errorf("unclosed %q", string(c))
			}
			inner := p[i+1 : i+j]
			if strings.ContainsAny(inner, "()[]") {
				return nil, errors.New("nested brackets are not supported")
			}
			alts := strings.Split(inner, "|")
			if c == '[' {
				alts = append(alts, "")
			}
			next := make([]string, 0, len(out)*len(alts))
			for _, o := range out {
				for _, a := range alts {
					next = append(next, o+" "+strings.TrimSpace(a)+" ")
				}
			}
			if len(next) > maxExpansions {
				return nil, fmt.Errorf("expands to more than %d phrases", maxExpansions)
			}
			out = next
			i += j + 1
			continue
		}
		if c == ')' || c == ']' {
			return nil, fmt.Errorf("unmatched %q", string(c))
		}
		j := strings.IndexAny(p[i:], "([)]")
		if j < 0 {
			j = len(p) - i
		}
		for k := range out {
			out[k] += p[i : i+j]
		}
		i += j
	}
	return out, nil
}

// phraseWords tokenizes a lexicon phrase the way texts are tokenized.
func phraseWords(p string) []string {
	toks := tokenize(nil, p)
	words := make([]string, 0, len(toks))
	for _, t := range toks {
		words = append(words, lowerToken(p, t))
	}
	return words
}

// build compiles the trie and resolves rules and group ids.
func (b *builder) build() (*Lexicon, error) {
	lex := b.lex
	for i := range lex.Concepts {
		c := &lex.Concepts[i]
		c.groups = c.groups[:0]
		for _, g := range c.Groups {
			id, ok := lex.groupIDs[g]
			if !ok {
				id = uint16(len(lex.groupNames))
				lex.groupIDs[g] = id
				lex.groupNames = append(lex.groupNames, g)
			}
			c.groups = append(c.groups, id)
		}
		sort.Slice(c.groups, func(a, b int) bool { return c.groups[a] < c.groups[b] })
	}
	for i := range lex.Concepts {
		c := &lex.Concepts[i]
		c.explains = c.explains[:0]
		for _, g := range c.Explains {
			if id, ok := lex.groupIDs[g]; ok {
				c.explains = append(c.explains, id)
			}
		}
		c.implies = c.implies[:0]
		for _, g := range c.Implies {
			if id, ok := lex.groupIDs[g]; ok {
				c.implies = append(c.implies, id)
			}
		}
	}
	lex.rules = lex.rules[:0]
	for _, r := range b.pendingRules {
		ci, ok := lex.conceptByID[r.concept]
		if !ok {
			return nil, &LexiconError{File: r.file, Line: r.line, Err: fmt.Errorf("rule names unknown concept %q", r.concept)}
		}
		rb, ok := lex.regionBits[r.region]
		if !ok {
			return nil, &LexiconError{File: r.file, Line: r.line, Err: fmt.Errorf("rule names unknown region %q", r.region)}
		}
		sb, ok := lex.stateBits[r.state]
		if !ok {
			return nil, &LexiconError{File: r.file, Line: r.line, Err: fmt.Errorf("rule names unknown state %q", r.state)}
		}
		lex.rules = append(lex.rules, rule{concept: ci, assertion: r.assertion, region: rb, state: sb})
	}
	for c := range b.supports {
		lex.supports[c] = 1 << c
		for _, s := range b.supports[c] {
			sc, _ := parseComparison(s)
			lex.supports[c] |= 1 << sc
		}
	}
	lex.nodes = []node{{}}
	lex.maxWords = 0
	for _, p := range b.phrases {
		n := int32(0)
		for _, w := range p.words {
			nd := &lex.nodes[n]
			if nd.next == nil {
				nd.next = map[string]int32{}
			}
			child, ok := nd.next[w]
			if !ok {
				child = int32(len(lex.nodes))
				nd.next[w] = child
				lex.nodes = append(lex.nodes, node{})
			}
			n = child
		}
		nd := &lex.nodes[n]
		if !hasEntry(nd.entries, p.e) {
			nd.entries = append(nd.entries, p.e)
		}
		lex.maxWords = max(lex.maxWords, len(p.words))
	}
	return lex, nil
}

func hasEntry(es []entry, e entry) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// Concept returns the concept with the given ID.
func (l *Lexicon) Concept(id string) (Concept, bool) {
	i, ok := l.conceptByID[id]
	if !ok {
		return Concept{}, false
	}
	return l.Concepts[i], true
}

// explains reports whether concept a accounts for a finding of concept b.
func (l *Lexicon) explains(a, b int) bool {
	for _, g := range l.Concepts[a].explains {
		for _, h := range l.Concepts[b].groups {
			if g == h {
				return true
			}
		}
	}
	return false
}

// critical reports whether a source claim is a critical finding: a
// critical concept (not old, healed, chronic or stable when acute-only),
// or an escalating one called new, increased or acute.
func (l *Lexicon) critical(c Claim) bool {
	if c.Type != ClaimConcept || c.concept < 0 {
		return false
	}
	con := l.Concepts[c.concept]
	switch {
	case con.Severity == SeverityCritical:
		return !con.AcuteOnly || !c.Chronic && !c.Stable
	case con.Escalates:
		return c.Worse && !c.Chronic
	}
	return false
}

// shareGroup reports whether concepts a and b share a group.
func (l *Lexicon) shareGroup(a, b int) bool {
	if a == b {
		return true
	}
	ga, gb := l.Concepts[a].groups, l.Concepts[b].groups
	for i, j := 0, 0; i < len(ga) && j < len(gb); {
		switch {
		case ga[i] == gb[j]:
			return true
		case ga[i] < gb[j]:
			i++
		default:
			j++
		}
	}
	return false
}
