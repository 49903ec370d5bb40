package clinical

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/osler-health/osler/internal/text"
)

// ClaimType says what kind of statement a claim is.
type ClaimType uint8

// Claim types.
const (
	ClaimConcept       ClaimType = iota // a finding, device, procedure or drug, with its assertion
	ClaimNormal                         // a normal statement ("No acute cardiopulmonary abnormality")
	ClaimComparison                     // a comparison or temporal word ("stable", "increased", "since prior")
	ClaimMeasurement                    // a number with a unit ("2.0 cm")
	ClaimCommunication                  // a notification ("discussed with", "by telephone")
	ClaimPlaceholder                    // a de-identification placeholder ("XXXX")
	ClaimBadLobe                        // a lobe that does not exist ("left middle lobe")
)

var claimTypeNames = [...]string{"concept", "normal", "comparison", "measurement", "communication", "placeholder", "bad-lobe"}

func (t ClaimType) String() string {
	if int(t) < len(claimTypeNames) {
		return claimTypeNames[t]
	}
	return "unknown"
}

// MarshalText writes the type's name.
func (t ClaimType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Span is a byte range [Start, End) of a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Claim is one statement of a text that a clinician reads: a finding with
// its assertion, side and zone, a normal statement, a comparison, a
// measurement, a communication or a placeholder.
type Claim struct {
	Type ClaimType `json:"type"`
	Span Span      `json:"span"`
	// Sentence is the index of the sentence (text.SplitSentences) holding
	// the claim.
	Sentence int `json:"sentence"`

	// Concept claims.
	ConceptID string    `json:"concept,omitempty"`
	Assertion Assertion `json:"assertion"`
	Side      Side      `json:"side,omitempty"`
	Zone      Zone      `json:"zone,omitempty"`
	Degree    Degree    `json:"degree,omitempty"`
	// Chronic says the claim's clause calls it chronic, old or healed (or
	// the claim is historical); Stable that it calls it stable, unchanged
	// or persistent; Worse that it calls it new, increased or acute. An
	// acute-only concept (a fracture) is not critical when chronic or
	// stable; an escalating one (a compression deformity) is when worse.
	Chronic bool `json:"chronic,omitempty"`
	Stable  bool `json:"stable,omitempty"`
	Worse   bool `json:"worse,omitempty"`

	// Comparison claims.
	Comparison Comparison `json:"comparison,omitempty"`

	// Measurement claims: the value in the dimension's base unit
	// (millimetres, millilitres, milligrams, percent, mmHg, per minute,
	// hours).
	Value float64   `json:"value,omitempty"`
	Dim   Dimension `json:"dimension,omitempty"`

	// Normal claims.
	Scope NormalScope `json:"scope,omitempty"`

	concept int // index into the lexicon's concepts; -1 for other types
	// Indication says the claim lies in the indication, history or chief
	// complaint: the reason for the exam or visit, not a finding of it
	// (it backs a summary's claim but is never an omission, and a normal
	// statement does not contradict it).
	Indication bool `json:"indication,omitempty"`

	// sideInherited and zoneInherited say the side or zone came from
	// another claim of the sentence ("left lower lobe opacity, which may
	// represent pneumonia"): a reading, not a statement about the claim.
	sideInherited bool
	zoneInherited bool
	// normalNegated says a normal claim is a negated phrase ("no acute
	// abnormality", which denies acute findings) rather than an affirmed
	// one ("normal chest", which denies anything of note).
	normalNegated bool
}

// Document is a text with its sentences and claims, in text order.
type Document struct {
	Text      string
	Sentences []text.Sentence
	Claims    []Claim
}

// Extractor finds claims in texts with a lexicon. It is safe for
// concurrent use.
type Extractor struct {
	lex *Lexicon
}

// NewExtractor returns an extractor over lex (nil: the built-in lexicon).
func NewExtractor(lex *Lexicon) *Extractor {
	if lex == nil {
		lex = DefaultLexicon()
	}
	return &Extractor{lex: lex}
}

// Lexicon returns the extractor's lexicon.
func (x *Extractor) Lexicon() *Lexicon { return x.lex }

// Extract returns the claims of s.
func (x *Extractor) Extract(s string) *Document {
	d := &Document{Text: s}
	sc := scratchPool.Get().(*scratch)
	x.extractInto(d, sc)
	if cap(sc.toks) <= maxPooledTokens {
		scratchPool.Put(sc)
	}
	return d
}

// scratchPool keeps the buffers of finished extractions for the next.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledTokens bounds the buffers kept for reuse (a huge text's are
// left to the garbage collector).
const maxPooledTokens = 1 << 14

// scratch holds per-call buffers, reused across sentences and, through
// scratchPool, across calls.
type scratch struct {
	sents   []text.Sentence
	out     []Claim // the document's claims while they grow
	toks    []token
	lower   []string
	buf     []byte // the lower-cased words of a sentence
	ends    []int  // per token: its end in buf, or -1
	matches [numLayers][]match
	scopes  []scope
	maxExt  int   // the most tokens a scope spans, cue included
	cues    []cue // per token: what the trigger layer holds there
	claims  []int // indices of this sentence's concept claims
	ranges  [][2]int
	byStart []int  // indices of ranges by start
	wall    []bool // per token: inside a concept claim's range
}

// lowerWords fills sc.lower with the lower-cased tokens of sentence s:
// substrings of s, or of one string holding the sentence's words that
// lower-casing changes.
func (sc *scratch) lowerWords(s string) {
	sc.lower, sc.buf, sc.ends = sc.lower[:0], sc.buf[:0], sc.ends[:0]
	for _, t := range sc.toks {
		w := s[t.start:t.end]
		end := -1
		switch {
		case t.kind == tokPlaceholder:
			w = "xxxx"
		case needsLower(w):
			sc.buf = appendLower(sc.buf, w)
			end = len(sc.buf)
		}
		sc.lower, sc.ends = append(sc.lower, w), append(sc.ends, end)
	}
	if len(sc.buf) == 0 {
		return
	}
	all, start := string(sc.buf), 0
	for i, end := range sc.ends {
		if end >= 0 {
			sc.lower[i] = all[start:end]
			start = end
		}
	}
}

// from returns the index of the first match of layer l that ends after
// token k: those of a layer are in text order and do not overlap, so
// their ends are in order too.
func (sc *scratch) from(l, k int) int {
	ms := sc.matches[l]
	return sort.Search(len(ms), func(i int) bool { return ms[i].end > k })
}

// match is one phrase found in a sentence: tokens [start, end).
type match struct {
	start, end int
	entries    []entry // the node's entries (only this layer's matter)
}

// scope is where one assertion trigger applies: tokens [from, to).
type scope struct {
	trig     trigger
	cueStart int
	cueEnd   int
	from, to int
}

// covers reports whether the scope applies to the phrase at tokens [a, b)
// (which does not overlap the cue): a phrase after the cue must start
// within the scope and one before it end within it, so the window counts
// the words up to the phrase, as NegEx's does ("removal of the right
// internal jugular central line" within a window of four words).
func (sp scope) covers(a, b int) bool {
	switch {
	case a >= sp.cueEnd:
		return a < sp.to
	case b <= sp.cueStart:
		return b > sp.from
	}
	return false
}

func (x *Extractor) extractInto(d *Document, sc *scratch) {
	// The sentences and claims grow in pooled buffers; the document gets
	// copies of the right size.
	sc.sents = text.AppendSentences(sc.sents[:0], d.Text)
	d.Sentences = clone(sc.sents)
	d.Claims = sc.out[:0]
	defer func() {
		sc.out = d.Claims[:0]
		d.Claims = clone(d.Claims)
	}()
	inline := false // the current section's header follows text on its line
	for si, st := range d.Sentences {
		if headerBefore(d, si) {
			inline = si > 0 && !lineStartHeader(d.Text[d.Sentences[si-1].End:st.Start])
		} else if inline {
			// A header inside a line ("... for 1 day. PMH: dementia.
			// Reports weakness.") heads its own sentence only.
			st.Section = text.SectionNone
		}
		x.sentence(d, sc, si, st)
	}
}

// clone copies a buffer's elements into a new slice of their length (nil
// when there are none).
func clone[T any](buf []T) []T {
	if len(buf) == 0 {
		return nil
	}
	return append(make([]T, 0, len(buf)), buf...)
}

// headerBefore reports whether a section header precedes sentence si:
// its section differs from the previous sentence's, or a colon between
// them ends a header of the same kind.
func headerBefore(d *Document, si int) bool {
	st := d.Sentences[si]
	if st.Section == text.SectionNone {
		return false
	}
	if si == 0 {
		return true
	}
	prev := d.Sentences[si-1]
	return st.Section != prev.Section || strings.IndexByte(d.Text[prev.End:st.Start], ':') >= 0
}

// lineStartHeader reports whether the header in gap, the text between
// two sentences, starts a line.
func lineStartHeader(gap string) bool {
	if i := strings.LastIndexByte(gap, ':'); i >= 0 {
		gap = gap[:i]
	}
	return strings.ContainsAny(gap, "\n\r")
}

// skipSections hold no claims about the patient's current state.
func skipSection(k text.SectionKind) bool {
	switch k {
	case text.SectionTechnique, text.SectionExamination:
		return true
	}
	return false
}

// indicationSection reports whether a section gives the reason for the
// exam or visit rather than its findings.
func indicationSection(k text.SectionKind) bool {
	switch k {
	case text.SectionIndication, text.SectionHistory, text.SectionChiefComplaint:
		return true
	}
	return false
}

// sectionAssertion is the assertion of a claim no trigger covers.
func sectionAssertion(k text.SectionKind) Assertion {
	switch k {
	case text.SectionFamilyHistory:
		return Family
	case text.SectionPastHistory, text.SectionAllergies:
		// A listed allergy's reaction happened before ("PCN (rash)").
		return Historical
	case text.SectionIndication:
		return Hypothetical
	}
	return Affirmed
}

func (x *Extractor) sentence(d *Document, sc *scratch, si int, st text.Sentence) {
	if skipSection(st.Section) {
		return
	}
	s := st.Text
	sc.toks = tokenize(sc.toks[:0], s)
	if len(sc.toks) == 0 {
		return
	}
	sc.lowerWords(s)
	x.match(sc)
	x.findScopes(sc)
	base := st.Start
	toSpan := func(a, b int) Span { return Span{base + sc.toks[a].start, base + sc.toks[b-1].end} }
	first := len(d.Claims)
	if st.Section == text.SectionComparison {
		// A comparison section says there is a prior; its text is dates
		// and study names, not findings.
		x.comparisons(d, sc, si, toSpan)
		return
	}
	// Concept claims.
	sc.claims, sc.ranges = sc.claims[:0], sc.ranges[:0]
	for _, m := range sc.matches[layerConcept] {
		for _, e := range m.entries {
			if e.layer != layerConcept || e.value == conceptIgnore {
				continue
			}
			a := x.assertion(sc, m.start, m.end, st.Section)
			sc.claims, sc.ranges = append(sc.claims, len(d.Claims)), append(sc.ranges, [2]int{m.start, m.end})
			d.Claims = append(d.Claims, Claim{Type: ClaimConcept, Span: toSpan(m.start, m.end), Sentence: si,
				ConceptID: x.lex.Concepts[e.value].ID, concept: int(e.value), Assertion: a, Indication: indicationSection(st.Section)})
			break
		}
	}
	x.regionRules(d, sc, si, st.Section, toSpan)
	x.locate(d, sc)
	x.normals(d, sc, si, st.Section, toSpan)
	x.comparisons(d, sc, si, toSpan)
	for _, m := range sc.matches[layerCommunication] {
		d.Claims = append(d.Claims, Claim{Type: ClaimCommunication, Span: toSpan(m.start, m.end), Sentence: si, concept: -1})
	}
	for i, t := range sc.toks {
		if t.kind == tokPlaceholder {
			d.Claims = append(d.Claims, Claim{Type: ClaimPlaceholder, Span: toSpan(i, i+1), Sentence: si, concept: -1})
		}
	}
	x.measurements(d, sc, si, toSpan)
	x.badLobes(d, sc, si, toSpan)
	sortClaims(d.Claims[first:])
}

// sortClaims orders claims by position, keeping the order of claims that
// start together.
func sortClaims(cs []Claim) {
	if !slices.IsSortedFunc(cs, compareStart) {
		slices.SortStableFunc(cs, compareStart)
	}
}

func compareStart(a, b Claim) int { return cmp.Compare(a.Span.Start, b.Span.Start) }

// match finds, per layer, the longest phrases left to right without
// overlaps.
func (x *Extractor) match(sc *scratch) {
	lex := x.lex
	for l := range sc.matches {
		sc.matches[l] = sc.matches[l][:0]
	}
	var nextFree [numLayers]int
	var best [numLayers]match
	for i := range sc.lower {
		for l := range best {
			best[l] = match{start: -1}
		}
		n := int32(0)
		for j := i; j < len(sc.lower) && j-i < lex.maxWords; j++ {
			child, ok := lex.nodes[n].next[sc.lower[j]]
			if !ok {
				break
			}
			n = child
			for _, e := range lex.nodes[n].entries {
				best[e.layer] = match{start: i, end: j + 1, entries: lex.nodes[n].entries}
			}
		}
		for l := range best {
			if best[l].start >= 0 && i >= nextFree[l] {
				sc.matches[l] = append(sc.matches[l], best[l])
				nextFree[l] = best[l].end
			}
		}
	}
}

// clauseVerbs mark a comma-separated segment as a new clause.
var clauseVerbs = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "has": true, "have": true, "had": true,
	"shows": true, "show": true, "showed": true, "demonstrates": true, "demonstrate": true,
	"reveals": true, "revealed": true, "remains": true, "remain": true, "appears": true, "appear": true,
	"measures": true, "measuring": true, "noted": true, "seen": true, "present": true, "projects": true,
	"terminates": true, "overlies": true, "extends": true,
}

// cue says what the trigger layer holds at one token of a sentence.
type cue struct {
	trig   int32 // the non-weak trigger that starts here, or -1
	term   bool  // a terminator starts here
	inTerm bool  // the token lies inside a terminator
	pseudo bool  // a pseudo-trigger starts here ("no change")
	// carries: a stable or chronic comparison starts here ("stable",
	// "unchanged", "chronic"): after a comma it opens a new claim ("no
	// pneumothorax, stable cardiomegaly").
	carries bool
}

// findScopes turns trigger matches into scopes.
func (x *Extractor) findScopes(sc *scratch) {
	sc.scopes, sc.maxExt = sc.scopes[:0], 0
	sc.cues = sc.cues[:0]
	for range sc.toks {
		sc.cues = append(sc.cues, cue{trig: -1})
	}
	for _, m := range sc.matches[layerTrigger] {
		c := &sc.cues[m.start]
	entries:
		for _, e := range m.entries {
			switch {
			case e.layer != layerTrigger:
			case e.value == triggerTerminate:
				c.term = true
				break entries
			case e.value == triggerPseudo:
				c.pseudo = true
			case e.value >= 0 && !x.lex.triggers[e.value].weak:
				c.trig = e.value
				break entries
			}
		}
		for _, e := range m.entries {
			if e.layer == layerTrigger && e.value == triggerTerminate {
				for k := m.start; k < m.end; k++ {
					sc.cues[k].inTerm = true
				}
				break
			}
		}
	}
	for _, m := range sc.matches[layerComparison] {
		for _, e := range m.entries {
			if e.layer == layerComparison && (Comparison(e.value) == CompareStable || Comparison(e.value) == CompareChronic) {
				sc.cues[m.start].carries = true
			}
		}
	}
	for _, m := range sc.matches[layerTrigger] {
		for _, e := range m.entries {
			if e.layer != layerTrigger || e.value < 0 {
				continue
			}
			t := x.lex.triggers[e.value]
			sp := scope{trig: t, cueStart: m.start, cueEnd: m.end}
			if t.dir == dirForward || t.dir == dirBoth {
				sp.from, sp.to = m.end, x.forwardEnd(sc, m.end, t)
				if t.dir == dirBoth {
					sp.from = x.backwardStart(sc, m.start, t)
				}
			} else {
				sp.from, sp.to = x.backwardStart(sc, m.start, t), m.start
			}
			if sp.from < sp.to {
				sc.scopes = append(sc.scopes, sp)
				sc.maxExt = max(sc.maxExt, max(sp.to, sp.cueEnd)-min(sp.from, sp.cueStart))
			}
		}
	}
}

// endsAfter reports whether what starts at token k ends a scope of
// trigger t that reached a comma or a conjunction before it: a trigger
// of another category, or a pseudo-trigger ("no pneumothorax, no change
// in the effusion").
func (x *Extractor) endsAfter(sc *scratch, k int, t trigger) bool {
	if k >= len(sc.cues) {
		return false
	}
	c := sc.cues[k]
	return c.pseudo || c.trig >= 0 && x.lex.triggers[c.trig].assertion != t.assertion
}

// forwardEnd is where a forward scope starting at token k ends.
func (x *Extractor) forwardEnd(sc *scratch, k int, t trigger) int {
	words := 0
	for j := k; j < len(sc.toks); j++ {
		tok := sc.toks[j]
		w := sc.lower[j]
		if tok.kind == tokPunct {
			switch w {
			case ";", ":", ".", "?":
				return j
			case ",":
				// A cue right before a comma has nothing after it to
				// cover ("the effusion resolved, new pneumothorax").
				if words == 0 || t.weak || x.clauseFollows(sc, j+1) {
					return j
				}
				if j+1 < len(sc.cues) && (sc.cues[j+1].term || sc.cues[j+1].carries) || x.endsAfter(sc, j+1, t) {
					return j
				}
			}
			continue
		}
		if j > k {
			if sc.cues[j].term {
				return j
			}
			if (w == "and" || w == "or") && x.endsAfter(sc, j+1, t) {
				return j
			}
		}
		words++
		if words > t.window {
			return j
		}
	}
	return len(sc.toks)
}

// backwardStart is where a backward scope ending before token k starts.
func (x *Extractor) backwardStart(sc *scratch, k int, t trigger) int {
	words := 0
	start := k
	for j := k - 1; j >= 0; j-- {
		tok := sc.toks[j]
		if tok.kind == tokPunct {
			switch sc.lower[j] {
			case ";", ":", ",", ".", "?":
				return start
			}
			continue
		}
		if sc.cues[j].inTerm {
			return start
		}
		words++
		if words > t.window {
			return start
		}
		start = j
	}
	return start
}

// clauseFollows reports whether the comma-separated segment starting at
// token k holds a verb, i.e. starts a new clause.
func (x *Extractor) clauseFollows(sc *scratch, k int) bool {
	if k < len(sc.lower) {
		switch sc.lower[k] {
		case "and", "or", "nor":
			return false // the list goes on: "consolidation, effusion, or pneumothorax is seen"
		}
	}
	for j := k; j < len(sc.toks) && j-k < 8; j++ {
		if sc.toks[j].kind == tokPunct {
			return false
		}
		if clauseVerbs[sc.lower[j]] {
			return true
		}
	}
	return false
}

// assertion decides what the sentence says about the phrase at tokens
// [a, b): the nearest covering trigger, except that a negation covering
// both the phrase and that trigger wins ("no consolidation to suggest
// pneumonia", "no effusion or pneumothorax").
func (x *Extractor) assertion(sc *scratch, a, b int, section text.SectionKind) Assertion {
	best, bestDist := -1, 1<<30
	weak := -1
	// Scopes are in the order of their cues; only those whose cue lies
	// within the longest scope's extent of the phrase can cover it.
	lo := sort.Search(len(sc.scopes), func(i int) bool { return sc.scopes[i].cueStart > a-sc.maxExt })
	hi := lo
	for hi < len(sc.scopes) && sc.scopes[hi].cueStart < b+sc.maxExt {
		hi++
	}
	scopes := sc.scopes[lo:hi]
	for i, sp := range scopes {
		if !sp.covers(a, b) {
			continue
		}
		if sp.trig.weak {
			if weak < 0 {
				weak = i
			}
			continue
		}
		dist := a - sp.cueEnd
		if sp.cueStart >= b {
			dist = sp.cueStart - b
		}
		if dist < 0 {
			dist = -dist
		}
		if dist < bestDist || dist == bestDist && sp.trig.assertion == Negated {
			best, bestDist = i, dist
		}
	}
	if best < 0 {
		if weak >= 0 {
			return Uncertain
		}
		return sectionAssertion(section)
	}
	chosen := scopes[best]
	if chosen.trig.assertion != Negated {
		for _, sp := range scopes {
			if sp.trig.assertion == Negated && !sp.trig.weak && sp.covers(a, b) && sp.covers(chosen.cueStart, chosen.cueEnd) {
				return Negated
			}
		}
	}
	return chosen.trig.assertion
}

// regionRules adds the claims of region rules: a region and a state in one
// clause within a few tokens ("heart size is normal").
func (x *Extractor) regionRules(d *Document, sc *scratch, si int, section text.SectionKind, toSpan func(a, b int) Span) {
	const window = 8
	regions, states := sc.matches[layerRegion], sc.matches[layerState]
	if len(regions) == 0 || len(states) == 0 {
		return
	}
	for _, rm := range regions {
		var rbits uint32
		for _, e := range rm.entries {
			if e.layer == layerRegion {
				rbits |= uint32(e.value)
			}
		}
		// The nearest state in the clause, not across another state;
		// after the region on a tie ("lungs are clear").
		bestK, bestDist := -1, window+1
		// (Within the window, and one more word after the region on a tie.)
		for k := sc.from(layerState, rm.start-window-1); k < len(states) && states[k].start <= rm.end+window+1; k++ {
			sm := states[k]
			var dist int
			if sm.start >= rm.end {
				dist = sm.start - rm.end
				if sc.boundaryBetween(rm.end, sm.start) {
					continue
				}
			} else if sm.end <= rm.start {
				dist = rm.start - sm.end
				if sc.boundaryBetween(sm.end, rm.start) {
					continue
				}
			} else {
				continue
			}
			if dist < bestDist || dist == bestDist && sm.start >= rm.end {
				bestK, bestDist = k, dist
			}
		}
		if bestK < 0 {
			continue
		}
		sm := states[bestK]
		var sbits uint32
		for _, e := range sm.entries {
			if e.layer == layerState {
				sbits |= uint32(e.value)
			}
		}
		a, b := min(rm.start, sm.start), max(rm.end, sm.end)
		stateAssertion := x.assertion(sc, sm.start, sm.end, section)
		for _, r := range x.lex.rules {
			if r.region&rbits == 0 || r.state&sbits == 0 {
				continue
			}
			as := r.assertion
			switch {
			case r.assertion == Negated && stateAssertion != Affirmed:
				continue // "heart size is not normal" says nothing certain
			case r.assertion == Affirmed:
				as = stateAssertion
			case r.assertion == Uncertain && stateAssertion == Negated:
				continue
			}
			if as == Affirmed && section != text.SectionNone && sectionAssertion(section) != Affirmed {
				as = sectionAssertion(section)
			}
			sc.claims, sc.ranges = append(sc.claims, len(d.Claims)), append(sc.ranges, [2]int{a, b})
			d.Claims = append(d.Claims, Claim{Type: ClaimConcept, Span: toSpan(a, b), Sentence: si,
				ConceptID: x.lex.Concepts[r.concept].ID, concept: r.concept, Assertion: as, Indication: indicationSection(section)})
		}
	}
}

// commaIn reports whether tokens [a, b) hold a comma.
func (sc *scratch) commaIn(a, b int) bool {
	for j := a; j < b; j++ {
		if sc.toks[j].kind == tokPunct && sc.lower[j] == "," {
			return true
		}
	}
	return false
}

// boundaryBetween reports whether tokens [a, b) hold a clause boundary.
func (sc *scratch) boundaryBetween(a, b int) bool {
	for j := a; j < b; j++ {
		if sc.toks[j].kind == tokPunct && (sc.lower[j] == ";" || sc.lower[j] == ":") {
			return true
		}
	}
	return false
}

// locate gives each concept claim of the sentence its side, zone, degree
// and qualifiers: the side and zone words between it and the previous
// concept (or the clause start), else between it and the next concept;
// claims left without a side take the side the sentence's other claims
// agree on ("consolidation in the right lower lobe, compatible with
// pneumonia").
func (x *Extractor) locate(d *Document, sc *scratch) {
	if len(sc.claims) == 0 {
		return
	}
	l := newLocator(x, sc)
	for i, ci := range sc.claims {
		l.place(i, &d.Claims[ci])
	}
	x.inheritPlace(d, sc)
	x.inheritDegree(d, sc)
}

// locator finds the words of a sentence that belong to each of its
// concept claims.
type locator struct {
	x      *Extractor
	sc     *scratch
	ranges [][2]int // the claims' token ranges
	self   int      // the claim being placed
	// skipBefore: phrases ending here or before belong to the previous
	// mention.
	skipBefore int
}

func newLocator(x *Extractor, sc *scratch) *locator {
	sc.wall = sc.wall[:0]
	for range sc.toks {
		sc.wall = append(sc.wall, false)
	}
	sc.byStart = sc.byStart[:0]
	for i, r := range sc.ranges {
		for k := r[0]; k < r[1]; k++ {
			sc.wall[k] = true
		}
		sc.byStart = append(sc.byStart, i)
	}
	slices.SortStableFunc(sc.byStart, func(i, j int) int { return cmp.Compare(sc.ranges[i][0], sc.ranges[j][0]) })
	return &locator{x: x, sc: sc, ranges: sc.ranges, skipBefore: -1}
}

// wallAt reports whether a concept mention covers token k.
func (l *locator) wallAt(k int) bool { return l.sc.wall[k] }

// clauseMark reports whether token k ends a clause for placement.
func (l *locator) clauseMark(k int) bool {
	return l.sc.toks[k].kind == tokPunct && (l.sc.lower[k] == ";" || l.sc.lower[k] == ":")
}

// claimed reports whether a side or zone phrase ending at token e belongs
// to another concept than claim self: one that starts within the next
// three tokens, nearer than the claim itself ("right lower lobe opacity
// may represent atelectasis": "lower lobe" is the opacity's).
func (l *locator) claimed(e, self int) bool {
	sc, ranges := l.sc, l.ranges
	s := ranges[self]
	first := sort.Search(len(sc.byStart), func(k int) bool { return ranges[sc.byStart[k]][0] >= e })
	for _, i := range sc.byStart[first:] {
		r := ranges[i]
		if r[0]-e > 3 {
			break
		}
		if i == self || r[0] < s[1] && s[0] < r[1] {
			continue // itself, or a claim over the same words
		}
		if s[0] >= e && s[0] <= r[0] {
			continue // the claim itself follows the phrase first
		}
		if r[0] >= e && r[0]-e <= 3 && !sc.commaIn(e, r[0]) {
			return true
		}
	}
	return false
}

// in reports whether a side or zone match lies in tokens [a, b), or, for
// the claim's own span, overlaps it ("right mid lung nodule": "mid lung"
// and "lung nodule").
func (l *locator) in(m match, a, b int) bool {
	if m.end <= l.skipBefore {
		return false
	}
	if a == l.ranges[l.self][0] && b == l.ranges[l.self][1] {
		return m.start < b && m.end > a
	}
	return m.start >= a && m.end <= b
}

// bits ORs the values of layer's phrases in tokens [a, b) that belong to
// the claim being placed.
func (l *locator) bits(layer int, a, b int) int32 {
	var v int32
	ms := l.sc.matches[layer]
	for j := l.sc.from(layer, a); j < len(ms) && ms[j].start < b; j++ {
		if m := ms[j]; l.in(m, a, b) && !l.claimed(m.end, l.self) {
			for _, e := range m.entries {
				if int(e.layer) == layer {
					v |= e.value
				}
			}
		}
	}
	return v
}

func (l *locator) sideIn(a, b int) Side { return Side(l.bits(layerSide, a, b)) }
func (l *locator) zoneIn(a, b int) Zone { return Zone(l.bits(layerZone, a, b)) }

// degreeIn is the degree words in tokens [a, b) that belong to the claim;
// those inside another concept's own phrase ("small bowel obstruction",
// "large pleural effusion" listed whole) are part of it.
func (l *locator) degreeIn(a, b int) Degree {
	var dg Degree
	ms := l.sc.matches[layerDegree]
	for j := l.sc.from(layerDegree, a); j < len(ms) && ms[j].start < b; j++ {
		m := ms[j]
		if m.start < a || m.end > b || m.end <= l.skipBefore || l.claimed(m.end, l.self) {
			continue
		}
		inside := false
		for i, r := range l.ranges {
			if i != l.self && m.start >= r[0] && m.end <= r[1] {
				inside = true
			}
		}
		if inside {
			continue
		}
		for _, e := range m.entries {
			if e.layer == layerDegree {
				dg |= Degree(e.value)
			}
		}
	}
	return dg
}

// bounds returns the tokens a claim may take words from: back to the
// previous mention or clause mark, and up to eight tokens on to the next.
// It sets skipBefore when the previous mention reaches past a comma.
func (l *locator) bounds(ra, rb int) (lo, hi int) {
	sc := l.sc
	lo = ra
	for lo > 0 && !l.clauseMark(lo-1) && !l.wallAt(lo-1) {
		lo--
	}
	l.skipBefore = -1
	if lo > 0 && l.wallAt(lo-1) {
		// After a previous mention, words before a comma that lie in its
		// reach are its ("no pneumothorax on the left, small right
		// pneumothorax").
		for k := ra - 1; k > lo; k-- {
			if sc.toks[k].kind == tokPunct && sc.lower[k] == "," {
				l.skipBefore = min(k, lo+8)
				break
			}
		}
	}
	hi = rb
	for hi < len(sc.toks) && hi-rb < 8 && !l.clauseMark(hi) && !l.wallAt(hi) {
		hi++
	}
	return lo, hi
}

// place gives claim i (c) its side, zone, degree and qualifiers.
func (l *locator) place(i int, c *Claim) {
	ra, rb := l.ranges[i][0], l.ranges[i][1]
	l.self = i
	// Inside the claim's own span ("right lower lobe" in a rule claim,
	// "left lung ... clear").
	side, zone := l.sideIn(ra, rb), l.zoneIn(ra, rb)
	lo, hi := l.bounds(ra, rb)
	if side == 0 {
		if side = l.sideIn(lo, ra); side == 0 {
			side = l.sideIn(rb, hi)
		}
	}
	if zone == 0 {
		if zone = l.zoneIn(lo, ra); zone == 0 {
			zone = l.zoneIn(rb, hi)
		}
	}
	if l.x.lex.Concepts[c.concept].NoSide {
		side, zone = 0, 0
	}
	c.Side, c.Zone = side, zone
	if c.Assertion != Negated {
		c.Degree = l.degreeIn(ra, rb) | l.degreeIn(lo, ra)
		if c.Degree == 0 {
			// After it in its clause: "cardiomegaly, mild", "the effusion
			// is small".
			c.Degree = l.degreeIn(rb, hi)
		}
	}
	l.qualify(i, c, lo, hi, rb)
}

// qualify marks a claim chronic, stable or worse from the comparison
// words of its clause; a word after the claim that leads into the next
// one is the next one's ("acute rib fracture, stable cardiomegaly").
func (l *locator) qualify(i int, c *Claim, lo, hi, rb int) {
	sc, x := l.sc, l.x
	cms := sc.matches[layerComparison]
	for j := sc.from(layerComparison, lo); j < len(cms) && cms[j].start < hi; j++ {
		m := cms[j]
		if m.end <= lo || m.start >= hi || m.start >= rb && l.claimed(m.end, i) {
			continue
		}
		if x.assertion(sc, m.start, m.end, text.SectionNone) == Negated && c.Assertion != Negated {
			continue // "the effusion is not increased"; "no new effusion" denies a new one
		}
		for _, e := range m.entries {
			if e.layer != layerComparison {
				continue
			}
			switch Comparison(e.value) {
			case CompareChronic:
				c.Chronic = true
			case CompareStable:
				c.Stable = true
			case CompareNew, CompareIncreased:
				c.Worse = true
			}
		}
	}
	for k := lo; k < hi; k++ {
		if (sc.lower[k] == "acute" || sc.lower[k] == "acutely") && (k < rb || !l.claimed(k+1, i)) &&
			(c.Assertion == Negated || x.assertion(sc, k, k+1, text.SectionNone) != Negated) {
			c.Worse = true
		}
	}
	if c.Assertion == Historical {
		c.Chronic = true
	}
}

// inheritPlace gives the sentence's claims without a side (zone) that are
// not negated the one its other such claims agree on.
func (x *Extractor) inheritPlace(d *Document, sc *scratch) {
	var side Side
	var zone Zone
	sideConflict, zoneConflict := false, false
	for _, ci := range sc.claims {
		c := &d.Claims[ci]
		if c.Assertion == Negated {
			continue
		}
		if c.Side != 0 {
			sideConflict = sideConflict || side != 0 && side != c.Side
			side = c.Side
		}
		if c.Zone != 0 {
			zoneConflict = zoneConflict || zone != 0 && zone != c.Zone
			zone = c.Zone
		}
	}
	for _, ci := range sc.claims {
		c := &d.Claims[ci]
		if c.Assertion == Negated {
			continue
		}
		if c.Side == 0 && side != 0 && !sideConflict && !x.lex.Concepts[c.concept].NoSide {
			c.Side, c.sideInherited = side, true
		}
		// Claims on different sides are in different places: none takes
		// another's zone ("left effusion and right basilar atelectasis").
		if c.Zone == 0 && zone != 0 && !zoneConflict && !sideConflict && !x.lex.Concepts[c.concept].NoSide {
			c.Zone, c.zoneInherited = zone, true
		}
	}
}

// inheritDegree gives a finding that explains another in the sentence
// ("opacities, likely atelectasis") that one's degree: it is the same
// thing.
func (x *Extractor) inheritDegree(d *Document, sc *scratch) {
	for _, ci := range sc.claims {
		c := &d.Claims[ci]
		if c.Degree != 0 || c.Assertion == Negated || len(x.lex.Concepts[c.concept].explains) == 0 {
			continue
		}
		for _, oi := range sc.claims {
			o := d.Claims[oi]
			if oi != ci && o.Degree != 0 && o.Assertion != Negated && x.lex.explains(c.concept, o.concept) {
				c.Degree = o.Degree
				break
			}
		}
	}
}

// normals adds normal statements.
func (x *Extractor) normals(d *Document, sc *scratch, si int, section text.SectionKind, toSpan func(a, b int) Span) {
	for _, m := range sc.matches[layerNormal] {
		for _, e := range m.entries {
			if e.layer != layerNormal {
				continue
			}
			def := x.lex.normals[e.value]
			a := x.assertion(sc, m.start, m.end, section)
			if def.negated && a != Negated || !def.negated && a != Affirmed {
				continue
			}
			d.Claims = append(d.Claims, Claim{Type: ClaimNormal, Span: toSpan(m.start, m.end), Sentence: si, Scope: def.scope,
				concept: -1, normalNegated: def.negated})
			break
		}
	}
}

// comparisons adds comparison and temporal claims (not those a negation
// covers: "not increased" makes no comparison claim).
func (x *Extractor) comparisons(d *Document, sc *scratch, si int, toSpan func(a, b int) Span) {
	for _, m := range sc.matches[layerComparison] {
		if x.assertion(sc, m.start, m.end, text.SectionNone) == Negated {
			continue
		}
		for _, e := range m.entries {
			if e.layer == layerComparison && e.value != layerIgnore {
				d.Claims = append(d.Claims, Claim{Type: ClaimComparison, Span: toSpan(m.start, m.end), Sentence: si,
					Comparison: Comparison(e.value), concept: -1})
				break
			}
		}
	}
}

// measurements adds numbers with units: "2.0 cm", "4.3 x 2.8 cm" and
// "90/60 mm Hg" (two claims each), "two weeks", "5 mg".
func (x *Extractor) measurements(d *Document, sc *scratch, si int, toSpan func(a, b int) Span) {
	var valBuf [8]float64
	var startBuf [8]int
	for i := 0; i < len(sc.toks); i++ {
		v, ok := numberValue(sc.lower[i], sc.toks[i].kind)
		if !ok {
			continue
		}
		// A dimension chain, N x N x N unit, or a pair of pressures, N/N.
		vals, starts := append(valBuf[:0], v), append(startBuf[:0], i)
		j := i + 1
		for j+1 < len(sc.toks) && len(vals) < len(valBuf) {
			sep := sc.lower[j]
			if sep != "x" && sep != "by" && (sep != "/" || sc.toks[i].kind != tokNumber || sc.toks[j+1].kind != tokNumber) {
				break
			}
			w, ok := numberValue(sc.lower[j+1], sc.toks[j+1].kind)
			if !ok {
				break
			}
			vals = append(vals, w)
			starts = append(starts, j+1)
			j += 2
		}
		if j >= len(sc.toks) {
			break
		}
		u, ok := unitOf(sc.lower[j])
		if !ok {
			i = j - 1
			continue
		}
		if sc.lower[j] == "mm" && j+1 < len(sc.toks) && sc.lower[j+1] == "hg" {
			u = unit{DimPressure, 1} // "mm Hg"
			j++
		}
		for k, val := range vals {
			d.Claims = append(d.Claims, Claim{Type: ClaimMeasurement, Span: toSpan(starts[k], j+1), Sentence: si,
				Value: val * u.factor, Dim: u.dim, concept: -1})
		}
		i = j
	}
}

// badLobes adds claims for lobes that do not exist: the left lung has no
// middle lobe, the right lung no lingula.
func (x *Extractor) badLobes(d *Document, sc *scratch, si int, toSpan func(a, b int) Span) {
	sides := sc.matches[layerSide]
	for _, zm := range sc.matches[layerZone] {
		// The side right before the zone, or before a mark before it.
		for j := sc.from(layerSide, zm.start-2); j < len(sides) && sides[j].end <= zm.start; j++ {
			sm := sides[j]
			if sm.end != zm.start && (sm.end+1 != zm.start || sc.toks[sm.end].kind != tokPunct) {
				continue
			}
			var side Side
			for _, e := range sm.entries {
				if e.layer == layerSide {
					side |= Side(e.value)
				}
			}
			if side != 0 {
				words := sc.lower[zm.start:zm.end]
				has := func(sub string) bool {
					return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(w, sub) })
				}
				bad := side == Left && has("middle") && has("lobe") ||
					side == Right && strings.HasPrefix(words[0], "lingul")
				if bad {
					d.Claims = append(d.Claims, Claim{Type: ClaimBadLobe, Span: toSpan(sm.start, zm.end), Sentence: si, Side: side, concept: -1})
				}
			}
			break
		}
	}
}
