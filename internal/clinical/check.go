package clinical

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Verdict says how a summary's claim relates to its source.
type Verdict uint8

// Verdicts.
const (
	// Unsupported: the summary says something the source does not.
	Unsupported Verdict = iota + 1
	// Contradicted: the summary says the opposite of the source (a
	// flipped negation or side, a normal statement over an abnormal
	// source).
	Contradicted
	// Omitted: the source says something important the summary leaves
	// out (a critical finding, a line or tube).
	Omitted
)

var verdictNames = [...]string{"", "unsupported", "contradicted", "omitted"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "unknown"
}

// MarshalText writes the verdict's name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// IssueKind is what an issue is about.
type IssueKind uint8

// Issue kinds.
const (
	IssueFinding       IssueKind = iota + 1 // a finding, device, procedure or drug the source does not state (or an actionable one omitted)
	IssueCertainty                          // stated as certain or current where the source says possible or old
	IssueNegation                           // affirmed where the source denies, or denied where it affirms
	IssueSide                               // a side the source does not give, or the other side
	IssueLocation                           // a zone or lobe the source does not give, or a lobe that does not exist
	IssueDegree                             // a size or severity the source does not give ("small" for "large")
	IssueComparison                         // a comparison or temporal claim the source does not make
	IssueMeasurement                        // a number with a unit the source does not give
	IssueCommunication                      // a call, page or discussion the source does not report
	IssuePlaceholder                        // a de-identification placeholder from another report
	IssueNormal                             // a normal statement over an acute finding of the source
	IssueCritical                           // a critical finding of the source omitted or called normal
	IssueDevice                             // a line or tube of the source omitted (incidental hardware is not reported)
	numIssueKinds
)

var issueKindNames = [numIssueKinds]string{"", "finding", "certainty", "negation", "side", "location", "degree", "comparison",
	"measurement", "communication", "placeholder", "normal", "critical", "device"}

func (k IssueKind) String() string {
	if k < numIssueKinds {
		return issueKindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k IssueKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// IssueKinds lists every issue kind, in report order.
func IssueKinds() []IssueKind {
	out := make([]IssueKind, 0, numIssueKinds-1)
	for k := IssueFinding; k < numIssueKinds; k++ {
		out = append(out, k)
	}
	return out
}

// Issue is one way a summary is not faithful to its source.
type Issue struct {
	Verdict Verdict   `json:"verdict"`
	Kind    IssueKind `json:"kind"`
	// Concept is the concept ID (or comparison class) concerned, if any.
	Concept string `json:"concept,omitempty"`
	// Summary is the span of the summary that says it (nil for omissions).
	Summary *Span `json:"summary_span,omitempty"`
	// Source are the spans of the source that contradict it, or the
	// omitted finding.
	Source  []Span `json:"source_spans,omitempty"`
	Message string `json:"message"`
}

// Flagged reports whether the issue makes a summary unfaithful: an
// unsupported or contradicted claim (omissions of devices are reported but
// do not; a critical finding called normal is a contradiction).
func (i Issue) Flagged() bool { return i.Verdict == Unsupported || i.Verdict == Contradicted }

// Result is the check of one summary against its source.
type Result struct {
	Issues []Issue `json:"issues"`
	// Source and Summary are the extracted documents, for display.
	Source  *Document `json:"-"`
	Summary *Document `json:"-"`
}

// Faithful reports whether the summary has no unsupported or contradicted
// claim.
func (r Result) Faithful() bool {
	for _, is := range r.Issues {
		if is.Flagged() {
			return false
		}
	}
	return true
}

// CriticalOmitted reports whether a critical finding of the source is
// missing from the summary (omitted, or called normal).
func (r Result) CriticalOmitted() bool {
	for _, is := range r.Issues {
		if is.Kind == IssueCritical {
			return true
		}
	}
	return false
}

// ReportableOmitted reports whether a line or tube, or a significant
// finding (a nodule, cardiomegaly), of the source is missing from the
// summary.
func (r Result) ReportableOmitted() bool {
	for _, is := range r.Issues {
		if is.Verdict == Omitted && (is.Kind == IssueDevice || is.Kind == IssueFinding) {
			return true
		}
	}
	return false
}

// Has reports whether the result holds an issue of the given verdict and
// kind.
func (r Result) Has(v Verdict, k IssueKind) bool {
	for _, is := range r.Issues {
		if is.Verdict == v && is.Kind == k {
			return true
		}
	}
	return false
}

// Checker checks summaries against their sources with an extractor. It is
// safe for concurrent use.
type Checker struct {
	x *Extractor
}

// NewChecker returns a checker over lex (nil: the built-in lexicon).
func NewChecker(lex *Lexicon) *Checker { return &Checker{x: NewExtractor(lex)} }

// Extractor returns the checker's extractor.
func (c *Checker) Extractor() *Extractor { return c.x }

// Check extracts the claims of source and summary and compares them.
func (c *Checker) Check(source, summary string) Result {
	return c.CheckDocuments(c.x.Extract(source), c.x.Extract(summary))
}

// CheckDocuments compares already extracted documents (a source checked
// against many candidate summaries is extracted once).
func (c *Checker) CheckDocuments(src, sum *Document) Result {
	buf := checkPool.Get().(*checkBuffers)
	buf.reset(len(c.x.lex.Concepts))
	k := checking{lex: c.x.lex, src: src, sum: sum, checkBuffers: buf}
	k.concepts()
	k.normalStatements()
	k.others()
	k.omissions()
	checkPool.Put(buf)
	return Result{Issues: k.issues, Source: src, Summary: sum}
}

// checkBuffers are a check's buffers and caches, reused through
// checkPool.
type checkBuffers struct {
	pos []Claim // a buffer of concepts()
	// mentions caches summaryMentions per concept: 0 unknown, 1 yes, 2 no.
	mentions []uint8
	// relFrom and relTo delimit in relBuf the source claims related to a
	// concept (relTo 0: not yet gathered).
	relFrom, relTo []int32
	relBuf         []Claim
	touched        []int32 // the concepts whose entries are set
}

var checkPool = sync.Pool{New: func() any { return new(checkBuffers) }}

// reset readies the buffers for a lexicon of n concepts. Checkers with
// other lexicons share the pool, so buffers sized for another lexicon are
// replaced, not cleared: their touched concepts index that lexicon.
func (b *checkBuffers) reset(n int) {
	if len(b.relTo) != n {
		b.mentions, b.relFrom, b.relTo = make([]uint8, n), make([]int32, n), make([]int32, n)
	} else {
		for _, ci := range b.touched {
			b.mentions[ci], b.relTo[ci] = 0, 0
		}
	}
	b.pos, b.relBuf, b.touched = b.pos[:0], b.relBuf[:0], b.touched[:0]
}

// checking is the state of one comparison.
type checking struct {
	lex    *Lexicon
	src    *Document
	sum    *Document
	issues []Issue
	seen   map[issueKey]bool // the issues' keys, once there are many
	// neighbors are the words around the source's placeholders.
	neighbors [][2]string
	*checkBuffers
}

// issueKey is what makes issues the same: one is reported once.
type issueKey struct {
	v       Verdict
	k       IssueKind
	concept string
}

func (k *checking) add(is Issue) {
	key := issueKey{is.Verdict, is.Kind, is.Concept}
	if k.seen != nil {
		if k.seen[key] {
			return
		}
		k.seen[key] = true
	} else {
		for _, o := range k.issues {
			if o.Verdict == is.Verdict && o.Kind == is.Kind && o.Concept == is.Concept {
				return
			}
		}
		if len(k.issues) >= 16 {
			k.seen = map[issueKey]bool{key: true}
			for _, o := range k.issues {
				k.seen[issueKey{o.Verdict, o.Kind, o.Concept}] = true
			}
		}
	}
	k.issues = append(k.issues, is)
}

func spanPtr(s Span) *Span { return &s }

func (k *checking) name(ci int) string { return k.lex.Concepts[ci].Name }

// related returns the source concept claims sharing a group with concept
// ci, gathered once per concept.
func (k *checking) related(ci int) []Claim {
	if k.relTo[ci] == 0 {
		k.touched = append(k.touched, int32(ci))
		from := len(k.relBuf)
		for _, sc := range k.src.Claims {
			if sc.Type == ClaimConcept && k.lex.shareGroup(ci, sc.concept) {
				k.relBuf = append(k.relBuf, sc)
			}
		}
		// relTo is one past the end, so that 0 means "not yet".
		k.relFrom[ci], k.relTo[ci] = int32(from), int32(len(k.relBuf))+1
	}
	return k.relBuf[k.relFrom[ci] : k.relTo[ci]-1 : k.relTo[ci]-1]
}

func spansOf(cs []Claim, keep func(Claim) bool) []Span {
	var out []Span
	for _, c := range cs {
		if keep(c) {
			out = append(out, c.Span)
		}
	}
	if len(out) > 4 {
		out = out[:4]
	}
	return out
}

// covers reports whether a normal statement covers concept ci.
func (k *checking) covers(n Claim, ci int, negatedPhrase bool) bool {
	c := k.lex.Concepts[ci]
	if c.Kind != KindFinding {
		return false
	}
	bone := k.isBone(ci)
	switch n.Scope {
	case NormalBone:
		if !bone {
			return false
		}
	case NormalChest:
		if bone {
			return false
		}
	}
	// "No acute abnormality" denies acute findings; "normal chest" denies
	// significant ones too.
	if negatedPhrase {
		return c.Severity >= SeverityAcute
	}
	return c.Severity >= SeveritySignificant
}

// isBone reports whether a concept is a skeletal finding.
func (k *checking) isBone(ci int) bool {
	for _, g := range k.lex.Concepts[ci].Groups {
		switch g {
		case "fracture", "dislocation", "degenerative", "osteopenia", "scoliosis", "deformity":
			return true
		}
	}
	return false
}

// sourceNormalCovers reports whether a normal statement of the source
// denies concept ci.
func (k *checking) sourceNormalCovers(ci int) bool {
	for _, n := range k.src.Claims {
		if n.Type == ClaimNormal && k.covers(n, ci, k.normalNegated(k.src, n)) {
			return true
		}
	}
	return false
}

// normalNegated reports whether a normal claim came from a negated phrase
// ("no acute ..."), rather than an affirmed one ("normal chest").
func (k *checking) normalNegated(_ *Document, n Claim) bool { return n.normalNegated }

// concepts checks the summary's findings, devices, procedures and drugs.
func (k *checking) concepts() {
	for _, s := range k.sum.Claims {
		if s.Type != ClaimConcept {
			continue
		}
		rel := k.related(s.concept)
		name := k.name(s.concept)
		sp := spanPtr(s.Span)
		isPos := func(c Claim) bool {
			return c.Assertion == Affirmed || c.Assertion == Uncertain || c.Assertion == Historical
		}
		isNeg := func(c Claim) bool { return c.Assertion == Negated }
		switch s.Assertion {
		case Affirmed, Uncertain, Historical:
			k.pos = appendFiltered(k.pos[:0], rel, isPos)
			pos := k.pos
			if len(pos) == 0 {
				if explained(k.lex, k.sum, s) {
					// "Bibasilar opacities, likely atelectasis": the
					// opacity is the atelectasis, checked on its own.
					continue
				}
				switch {
				case slices.ContainsFunc(rel, isNeg):
					k.add(Issue{Verdict: Contradicted, Kind: IssueNegation, Concept: s.ConceptID, Summary: sp,
						Source: spansOf(rel, isNeg), Message: fmt.Sprintf("states %s; the source says there is none", name)})
				case k.sourceNormalCovers(s.concept):
					k.add(Issue{Verdict: Contradicted, Kind: IssueNegation, Concept: s.ConceptID, Summary: sp,
						Message: fmt.Sprintf("states %s; the source calls the study normal", name)})
				default:
					k.add(Issue{Verdict: Unsupported, Kind: IssueFinding, Concept: s.ConceptID, Summary: sp,
						Message: fmt.Sprintf("states %s, which the source does not mention", name)})
				}
				continue
			}
			k.certainty(s, rel, name, sp)
			k.side(s, pos, name, sp)
			k.zone(s, pos, name, sp)
			k.degree(s, pos, name, sp)
		case Negated:
			if k.negationSupported(s, rel) {
				continue
			}
			// The reason for the exam ("rule out pneumonia") is what a
			// denial answers, not a finding it contradicts.
			// A denial of an acute or new finding ("no acute fracture")
			// is not contradicted by an old or stable one, and is backed
			// by it.
			old := func(c Claim) bool { return s.Worse && !c.Indication && (c.Chronic || c.Stable) }
			aff := filter(rel, func(c Claim) bool {
				return !c.Indication && (c.Assertion == Affirmed || c.Assertion == Uncertain) && (s.Side == 0 || c.Side == 0 || c.Side&s.Side != 0) && !old(c)
			})
			if len(aff) > 0 {
				k.add(Issue{Verdict: Contradicted, Kind: IssueNegation, Concept: s.ConceptID, Summary: sp,
					Source: spansOf(aff, func(Claim) bool { return true }), Message: fmt.Sprintf("denies %s; the source reports it", name)})
				continue
			}
			if slices.ContainsFunc(rel, old) {
				continue
			}
			if k.sourceNormalCovers(s.concept) || k.impliedDenial(s) {
				continue
			}
			k.add(Issue{Verdict: Unsupported, Kind: IssueFinding, Concept: s.ConceptID, Summary: sp,
				Message: fmt.Sprintf("denies %s, which the source does not address", name)})
		default: // hypothetical, family: only a concept the source never mentions
			if len(rel) == 0 {
				k.add(Issue{Verdict: Unsupported, Kind: IssueFinding, Concept: s.ConceptID, Summary: sp,
					Message: fmt.Sprintf("mentions %s (%s), which the source does not", name, s.Assertion)})
			}
		}
	}
}

// negationSupported reports whether the source denies the summary's
// negated claim on a compatible side.
func (k *checking) negationSupported(s Claim, rel []Claim) bool {
	for _, c := range rel {
		if c.Assertion == Negated && (s.Side == 0 || c.Side == 0 || c.Side&s.Side == s.Side) {
			return true
		}
	}
	return false
}

// impliedDenial reports whether the source denies everything the
// summary's negated claim cannot be seen without, and reports none of it
// ("no focal consolidation" backs "no pneumonia"; "lungs are clear" and
// "no adenopathy" back "no evidence of sarcoidosis").
func (k *checking) impliedDenial(s Claim) bool {
	implied := k.lex.Concepts[s.concept].implies
	if len(implied) == 0 {
		return false
	}
	var denied uint64 // bits of implied
	for _, c := range k.src.Claims {
		if c.Type != ClaimConcept {
			continue
		}
		for i, g := range implied {
			if !slices.Contains(k.lex.Concepts[c.concept].groups, g) {
				continue
			}
			switch {
			case c.Assertion == Negated && (s.Side == 0 || c.Side == 0 || c.Side&s.Side == s.Side):
				denied |= 1 << i
			case !c.Indication && (c.Assertion == Affirmed || c.Assertion == Uncertain):
				return false
			}
		}
	}
	return denied == 1<<len(implied)-1
}

// certainty flags a claim stated more firmly than the source states it.
func (k *checking) certainty(s Claim, rel []Claim, name string, sp *Span) {
	if s.Assertion != Affirmed || k.lex.Concepts[s.concept].Kind != KindFinding {
		return
	}
	var unc, hist []Claim
	for _, c := range rel {
		switch c.Assertion {
		case Affirmed:
			return
		case Uncertain:
			unc = append(unc, c)
		case Historical:
			hist = append(hist, c)
		}
	}
	all := func(Claim) bool { return true }
	if len(unc) > 0 {
		k.add(Issue{Verdict: Unsupported, Kind: IssueCertainty, Concept: s.ConceptID, Summary: sp, Source: spansOf(unc, all),
			Message: fmt.Sprintf("states %s as certain; the source says it is possible", name)})
		return
	}
	if len(hist) > 0 && !s.Chronic {
		k.add(Issue{Verdict: Unsupported, Kind: IssueCertainty, Concept: s.ConceptID, Summary: sp, Source: spansOf(hist, all),
			Message: fmt.Sprintf("states %s as current; the source says it is old or past", name)})
	}
}

// side checks laterality against the source's non-negated claims.
func (k *checking) side(s Claim, pos []Claim, name string, sp *Span) {
	if s.Side == 0 || s.sideInherited {
		// An inherited side is the extractor's reading of the sentence
		// ("left-sided weakness, intracerebral hemorrhage"), not what
		// the summary says of this claim.
		return
	}
	var srcSides Side
	for _, c := range pos {
		srcSides |= c.Side
	}
	if s.Side&srcSides == s.Side {
		return
	}
	all := func(Claim) bool { return true }
	switch {
	case srcSides == 0:
		k.add(Issue{Verdict: Unsupported, Kind: IssueSide, Concept: s.ConceptID, Summary: sp,
			Message: fmt.Sprintf("puts %s on the %s; the source gives no side", name, s.Side)})
	case s.Side != Bilateral && srcSides&s.Side == 0 && srcSides != Bilateral:
		k.add(Issue{Verdict: Contradicted, Kind: IssueSide, Concept: s.ConceptID, Summary: sp, Source: spansOf(pos, func(c Claim) bool { return c.Side != 0 }),
			Message: fmt.Sprintf("puts %s on the %s; the source says %s", name, s.Side, srcSides)})
	default:
		k.add(Issue{Verdict: Unsupported, Kind: IssueSide, Concept: s.ConceptID, Summary: sp, Source: spansOf(pos, all),
			Message: fmt.Sprintf("puts %s on the %s; the source says %s only", name, s.Side, srcSides)})
	}
}

// zone checks the upper/middle/lower location against the source.
func (k *checking) zone(s Claim, pos []Claim, name string, sp *Span) {
	if s.Zone == 0 || s.zoneInherited { // as with sides
		return
	}
	var srcZones Zone
	for _, c := range pos {
		srcZones |= c.Zone
	}
	if s.Zone&^srcZones == 0 {
		return
	}
	where := "no location"
	if srcZones != 0 {
		where = "the " + srcZones.String() + " zone"
	}
	k.add(Issue{Verdict: Unsupported, Kind: IssueLocation, Concept: s.ConceptID, Summary: sp,
		Message: fmt.Sprintf("places %s in the %s zone; the source gives %s", name, s.Zone, where)})
}

// degree checks size and severity words against the source's.
func (k *checking) degree(s Claim, pos []Claim, name string, sp *Span) {
	if s.Degree == 0 {
		return
	}
	var src Degree
	for _, c := range pos {
		src |= c.Degree
	}
	if s.Degree&^src == 0 {
		return
	}
	if src == 0 {
		k.add(Issue{Verdict: Unsupported, Kind: IssueDegree, Concept: s.ConceptID, Summary: sp,
			Message: fmt.Sprintf("calls %s %s; the source gives no size or severity", name, s.Degree)})
		return
	}
	v := Unsupported
	if s.Degree&src == 0 {
		v = Contradicted
	}
	k.add(Issue{Verdict: v, Kind: IssueDegree, Concept: s.ConceptID, Summary: sp,
		Source:  spansOf(pos, func(c Claim) bool { return c.Degree != 0 }),
		Message: fmt.Sprintf("calls %s %s; the source says %s", name, s.Degree, src)})
}

// normalStatements checks the summary's normal statements against the
// source's acute findings (critical ones are checked with omissions).
func (k *checking) normalStatements() {
	for _, n := range k.sum.Claims {
		if n.Type != ClaimNormal {
			continue
		}
		negPhrase := k.normalNegated(k.sum, n)
		var names []string
		var spans []Span
		for _, c := range k.src.Claims {
			if c.Type != ClaimConcept || c.Indication || (c.Assertion != Affirmed && c.Assertion != Uncertain) {
				continue
			}
			con := k.lex.Concepts[c.concept]
			if k.lex.critical(c) || !k.covers(n, c.concept, negPhrase) || k.summaryMentions(c.concept) {
				continue
			}
			if c.Chronic || explained(k.lex, k.src, c) {
				continue
			}
			if !containsString(names, con.Name) {
				names = append(names, con.Name)
			}
			spans = append(spans, c.Span)
		}
		if len(names) > 0 {
			if len(spans) > 4 {
				spans = spans[:4]
			}
			k.add(Issue{Verdict: Contradicted, Kind: IssueNormal, Summary: spanPtr(n.Span), Source: spans,
				Message: fmt.Sprintf("calls the study normal; the source reports %s", strings.Join(names, ", "))})
		}
	}
}

// explained reports whether the sentence of claim c in document d also
// names a finding that accounts for it ("opacities, likely atelectasis").
func explained(lex *Lexicon, d *Document, c Claim) bool {
	// Claims are in text order, so a sentence's are together.
	first := sort.Search(len(d.Claims), func(i int) bool { return d.Claims[i].Sentence >= c.Sentence })
	for _, o := range d.Claims[first:] {
		if o.Sentence != c.Sentence {
			break
		}
		if o.Type == ClaimConcept && o.Assertion != Negated && o.concept != c.concept &&
			lex.explains(o.concept, c.concept) {
			return true
		}
	}
	return false
}

// summaryMentions reports whether the summary has a non-negated claim
// sharing a group with concept ci, or accounting for it (denying it, or
// denying it on the other side, does not keep it).
func (k *checking) summaryMentions(ci int) bool {
	switch k.mentions[ci] {
	case 1:
		return true
	case 2:
		return false
	}
	k.touched = append(k.touched, int32(ci))
	k.mentions[ci] = 2
	for _, c := range k.sum.Claims {
		// A finding that accounts for it ("pneumonia" for the source's
		// opacity) mentions it too.
		if c.Type == ClaimConcept && c.Assertion != Negated && (k.lex.shareGroup(ci, c.concept) || k.lex.explains(c.concept, ci)) {
			k.mentions[ci] = 1
			return true
		}
	}
	return false
}

// others checks comparisons, measurements, communications, placeholders
// and lobes.
func (k *checking) others() {
	var srcCompare uint16
	srcComm, srcPlaceholders := false, 0
	for _, c := range k.src.Claims {
		switch c.Type {
		case ClaimComparison:
			srcCompare |= 1 << c.Comparison
		case ClaimCommunication:
			srcComm = true
		case ClaimPlaceholder:
			srcPlaceholders++
		}
	}
	for _, s := range k.sum.Claims {
		sp := spanPtr(s.Span)
		quote := k.sum.Text[s.Span.Start:s.Span.End]
		switch s.Type {
		case ClaimComparison:
			if k.lex.supports[s.Comparison]&srcCompare == 0 {
				k.add(Issue{Verdict: Unsupported, Kind: IssueComparison, Concept: s.Comparison.String(), Summary: sp,
					Message: fmt.Sprintf("says %q (%s); the source makes no such comparison", quote, s.Comparison)})
			}
		case ClaimMeasurement:
			found := false
			for _, c := range k.src.Claims {
				if c.Type == ClaimMeasurement && sameMeasure(s, c) {
					found = true
					break
				}
			}
			if !found {
				k.add(Issue{Verdict: Unsupported, Kind: IssueMeasurement, Concept: formatMeasure(s.Value, s.Dim.String()), Summary: sp,
					Message: fmt.Sprintf("gives %q, which the source does not", quote)})
			}
		case ClaimCommunication:
			if !srcComm {
				k.add(Issue{Verdict: Unsupported, Kind: IssueCommunication, Summary: sp,
					Message: fmt.Sprintf("reports a communication (%q) that the source does not", quote)})
			}
		case ClaimPlaceholder:
			if !k.placeholderSupported(s) {
				k.add(Issue{Verdict: Unsupported, Kind: IssuePlaceholder, Summary: sp,
					Message: "holds a de-identification placeholder that does not come from the source"})
			}
		case ClaimBadLobe:
			bad := true
			for _, c := range k.src.Claims {
				if c.Type == ClaimBadLobe && c.Side == s.Side {
					bad = false
				}
			}
			if bad {
				k.add(Issue{Verdict: Unsupported, Kind: IssueLocation, Concept: "lobe", Summary: sp,
					Message: fmt.Sprintf("names the %s, which does not exist", strings.ToLower(quote))})
			}
		}
	}
}

// placeholderSupported reports whether a placeholder of the summary stands
// where one stands in the source: same word before or after it.
func (k *checking) placeholderSupported(s Claim) bool {
	if k.neighbors == nil {
		k.neighbors = [][2]string{}
		for _, c := range k.src.Claims {
			if c.Type == ClaimPlaceholder {
				p, n := neighborWords(k.src.Text, c.Span)
				k.neighbors = append(k.neighbors, [2]string{p, n})
			}
		}
	}
	prev, next := neighborWords(k.sum.Text, s.Span)
	for _, pn := range k.neighbors {
		if prev != "" && pn[0] == prev || next != "" && pn[1] == next || prev == "" && next == "" {
			return true
		}
	}
	return false
}

// neighborWords returns the lower-cased words just before and after a
// span (empty at a sentence mark or the text's edge).
func neighborWords(s string, sp Span) (prev, next string) {
	i := sp.Start
	for i > 0 && s[i-1] == ' ' {
		i--
	}
	j := i
	for j > 0 && isWordByte(s, j-1) {
		j--
	}
	prev = lowerASCIIString(s[j:i])
	i = sp.End
	for i < len(s) && s[i] == ' ' {
		i++
	}
	j = i
	for j < len(s) && isWordByte(s, j) {
		j += wordRuneLen(s, j)
	}
	next = lowerASCIIString(s[i:j])
	return prev, next
}

// omissions reports critical findings and devices of the source that the
// summary leaves out.
func (k *checking) omissions() {
	normal := func(ci int) (Claim, bool) {
		for _, n := range k.sum.Claims {
			if n.Type == ClaimNormal && k.covers(n, ci, false) {
				return n, true
			}
		}
		return Claim{}, false
	}
	for _, c := range k.src.Claims {
		if c.Type != ClaimConcept || c.Indication || (c.Assertion != Affirmed && c.Assertion != Uncertain) {
			continue
		}
		con := k.lex.Concepts[c.concept]
		switch {
		case k.lex.critical(c):
			if k.summaryMentions(c.concept) {
				continue
			}
			if n, ok := normal(c.concept); ok {
				k.add(Issue{Verdict: Contradicted, Kind: IssueCritical, Concept: c.ConceptID, Summary: spanPtr(n.Span), Source: []Span{c.Span},
					Message: fmt.Sprintf("calls the study normal; the source reports %s, a critical finding", con.Name)})
			} else {
				k.add(Issue{Verdict: Omitted, Kind: IssueCritical, Concept: c.ConceptID, Source: []Span{c.Span},
					Message: fmt.Sprintf("omits %s, a critical finding of the source", con.Name)})
			}
		case k.lex.Reportable(c):
			if k.summaryMentions(c.concept) {
				continue
			}
			if con.Kind == KindDevice {
				k.add(Issue{Verdict: Omitted, Kind: IssueDevice, Concept: c.ConceptID, Source: []Span{c.Span},
					Message: fmt.Sprintf("omits the %s of the source", con.Name)})
			} else {
				k.add(Issue{Verdict: Omitted, Kind: IssueFinding, Concept: c.ConceptID, Source: []Span{c.Span},
					Message: fmt.Sprintf("omits %s, a significant finding of the source", con.Name)})
			}
		}
	}
}

func filter(cs []Claim, keep func(Claim) bool) []Claim { return appendFiltered(nil, cs, keep) }

// appendFiltered appends to out the claims of cs that keep accepts.
func appendFiltered(out, cs []Claim, keep func(Claim) bool) []Claim {
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}
