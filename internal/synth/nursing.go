package synth

import (
	"fmt"
	"strings"
	"sync"

	"github.com/osler-health/osler/internal/dataset"
)

// Nursing and ED notes. A note is drawn as a presentation (chest pain,
// dyspnea, fall, ...) and one of its diagnoses; the diagnosis brings its
// vital-sign ranges, the results that confirm it, the medications given,
// the interventions and the disposition. The summary names the symptom,
// the diagnosis, the key interventions and sometimes the disposition, in
// the words the note charted them with ("Chest pain, anterior STEMI, PCI.").
//
// The vocabulary is data/nursing.json (nursingFile) and everything in it
// is a template (see template.go): to extend, add phrasings to a list, a
// diagnosis to a presentation or a presentation to "presentations". A
// diagnosis must state itself in the note through <dx> ("dxLines") so the
// summary can be learned from the text.

var nSlots = slotSet{"aage", "age", "sex", "sexa", "pron", "poss", "side", "oside", "t", "dur", "doc", "fam", "dx", "cc", "pmh", "unit"}

const (
	nsAAge = iota
	nsAge
	nsSex
	nsSexAbbr
	nsPron
	nsPoss
	nsSide
	nsOSide
	nsTime
	nsDur
	nsDoc
	nsFam
	nsDx
	nsCC
	nsPMH
	nsUnit
)

// nAct is an intervention: how the note charts it and how the summary
// names it ("" leaves it out of the summary).
type nAct struct {
	P    float64  `json:"chance,omitempty"` // probability the intervention is charted; 0 means always
	Note []string `json:"note"`
	Sum  string   `json:"summary"`
}

// nDispo is a disposition: how the note charts it and how the summary
// names it ("" leaves it out of the summary).
type nDispo struct {
	Note []string `json:"note"`
	Sum  string   `json:"summary"`
}

// nVitals are the ranges (inclusive) of a diagnosis's vital signs.
type nVitals struct {
	HR   [2]int `json:"hr"`
	SBP  [2]int `json:"sbp"`
	DBP  [2]int `json:"dbp"`
	RR   [2]int `json:"rr"`
	SpO2 [2]int `json:"spo2"`
	Temp [2]int `json:"temp"` // tenths of a degree F
}

type nDx struct {
	Name     []string `json:"name"`                 // as charted; <dx>
	Sum      string   `json:"summary,omitempty"`    // how the summary names it; "" = the charted name
	CC       []string `json:"complaints,omitempty"` // complaints, as nPresentation.CC, replacing the presentation's
	Weight   float64  `json:"weight"`
	V        nVitals  `json:"vitals"`
	Findings []string `json:"findings"` // results that establish the diagnosis
	Meds     []string `json:"meds"`     // medications, charted with a time; 1-3 are used
	Acts     []nAct   `json:"acts"`
	Dispo    []nDispo `json:"dispo"`
}

type nPresentation struct {
	Topic   string   `json:"topic"`
	Weight  float64  `json:"weight"`
	Ages    [2]int   `json:"ages"`
	Lateral bool     `json:"lateral,omitempty"`  // draws <side> (and the opposite hemisphere <oside>)
	Opening []string `json:"openings,omitempty"` // presentation-specific openings (used half the time)
	// CC are the complaints as charted (<cc>), each "charted => summary"
	// with the symptom as the summary names it; a diagnosis may bring its
	// own.
	CC []string `json:"complaints,omitempty"`
	// Durs are how long the complaint has lasted (<dur>, "2 hrs"); a
	// generic range when empty.
	Durs  []string `json:"durations,omitempty"`
	Assoc []string `json:"associated"` // associated symptoms (positives)
	Negs  []string `json:"negatives"`  // pertinent negatives
	PMH   []string `json:"pmh"`
	Exam  []string `json:"exam,omitempty"`
	Dxs   []nDx    `json:"diagnoses"`
}

// nursingFile is data/nursing.json: the presentations with their
// diagnoses, and the phrasings all presentations share.
type nursingFile struct {
	Presentations []*nPresentation `json:"presentations"`
	Openings      []string         `json:"openings"`  // the note's first sentence: who, history, complaint
	Allergies     []string         `json:"allergies"` // complete sentences
	DxLines       []string         `json:"dxLines"`   // how the note states the diagnosis (<dx>)
	Reassess      []string         `json:"reassess"`
	Plan          []string         `json:"plan"`
	PMHExtra      []string         `json:"pmhExtra"` // history sometimes added to a presentation's own
	Docs          []string         `json:"doctors"`  // <doc>
	Family        []string         `json:"family"`   // <fam>
	Units         []string         `json:"units"`    // <unit>
}

// nursingData is data/nursing.json, decoded once.
var nursingData = sync.OnceValue(func() *nursingFile { return mustLoad[nursingFile]("nursing.json") })

// validate checks what the generator relies on: lists to pick from,
// positive weights, ordered ranges and a complaint for every diagnosis.
func (f *nursingFile) validate() error {
	if err := requireLists("nursing", f); err != nil {
		return err
	}
	for _, p := range f.Presentations {
		if err := requireLists(p.Topic, p, "Opening", "CC", "Durs", "Exam"); err != nil {
			return err
		}
		if p.Weight <= 0 || p.Ages[0] > p.Ages[1] {
			return fmt.Errorf("%s: weight must be positive and ages ordered", p.Topic)
		}
		for _, d := range p.Dxs {
			if err := d.validate(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *nDx) validate(p *nPresentation) error {
	if len(d.Name) == 0 {
		return fmt.Errorf("%s: a diagnosis has no name", p.Topic)
	}
	if err := requireLists(p.Topic+": "+d.Name[0], d, "CC"); err != nil {
		return err
	}
	if len(d.CC) == 0 && len(p.CC) == 0 {
		return fmt.Errorf("%s: %s: no complaint (on the diagnosis or its presentation)", p.Topic, d.Name[0])
	}
	if d.Weight <= 0 {
		return fmt.Errorf("%s: %s: weight must be positive", p.Topic, d.Name[0])
	}
	for _, r := range [][2]int{d.V.HR, d.V.SBP, d.V.DBP, d.V.RR, d.V.SpO2, d.V.Temp} {
		if r[0] > r[1] || r[1] == 0 {
			return fmt.Errorf("%s: %s: vital sign ranges must be given, low to high", p.Topic, d.Name[0])
		}
	}
	for _, a := range d.Acts {
		if len(a.Note) == 0 {
			return fmt.Errorf("%s: %s: an act has no note", p.Topic, d.Name[0])
		}
	}
	for _, dp := range d.Dispo {
		if len(dp.Note) == 0 {
			return fmt.Errorf("%s: %s: a disposition has no note", p.Topic, d.Name[0])
		}
	}
	return nil
}

func nursingTopics() []string {
	var out []string
	for _, p := range nursingData().Presentations {
		out = append(out, p.Topic)
	}
	return out
}

type nursingGenerator struct {
	f          *nursingFile
	pres       []*nPresentation
	presWeight weighted[int]
	t          nursingTemplates
}

// nursingTemplates are the compiled forms of the vocabulary above, per
// presentation and diagnosis (parallel to nursingFile.Presentations).
type nursingTemplates struct {
	openings, allergies, dxLines, reassess, plan []*template
	pres                                         []nPresTemplates
}

type nPresTemplates struct {
	opening, exam, durs []*template
	cc                  ccTemplates
	dxs                 []nDxTemplates
	dxWeight            weighted[int]
}

type nDxTemplates struct {
	name, findings, meds []*template
	acts                 [][]*template
	dispo                [][]*template
	cc                   ccTemplates
}

// ccTemplates are complaints and the matching summary symptoms.
type ccTemplates struct{ charted, summary []*template }

func compileCC(lines []string) ccTemplates {
	var out ccTemplates
	for _, l := range lines {
		charted, summary, ok := strings.Cut(l, " => ")
		if !ok {
			panic("synth: complaint without \" => summary\": " + l)
		}
		out.charted = append(out.charted, mustCompile(nSlots, charted)...)
		out.summary = append(out.summary, mustCompile(nSlots, summary)...)
	}
	return out
}

var nursingVocab = sync.OnceValue(func() *nursingGenerator {
	c := func(srcs ...string) []*template { return mustCompile(nSlots, srcs...) }
	f := nursingData()
	g := &nursingGenerator{f: f, pres: f.Presentations}
	g.t = nursingTemplates{
		openings: c(f.Openings...), allergies: c(f.Allergies...), dxLines: c(f.DxLines...),
		reassess: c(f.Reassess...), plan: c(f.Plan...),
	}
	var idx []int
	var ws []float64
	for pi, p := range g.pres {
		idx = append(idx, pi)
		ws = append(ws, p.Weight)
		pt := nPresTemplates{opening: c(p.Opening...), cc: compileCC(p.CC), exam: c(p.Exam...), durs: c(p.Durs...)}
		var di []int
		var dw []float64
		for k, d := range p.Dxs {
			di = append(di, k)
			dw = append(dw, d.Weight)
			dt := nDxTemplates{name: c(d.Name...), findings: c(d.Findings...), meds: c(d.Meds...)}
			for _, a := range d.Acts {
				dt.acts = append(dt.acts, c(a.Note...))
			}
			for _, dp := range d.Dispo {
				dt.dispo = append(dt.dispo, c(dp.Note...))
			}
			dt.cc = compileCC(d.CC)
			pt.dxs = append(pt.dxs, dt)
		}
		pt.dxWeight = newWeighted(di, dw)
		g.t.pres = append(g.t.pres, pt)
	}
	g.presWeight = newWeighted(idx, ws)
	return g
})

// nNote collects the parts of one note before they are laid out.
type nNote struct {
	opening, assoc, negs, allergy, vitals string
	exam, findings, events                []string
	dx, reassess, dispo                   string
	plan                                  []string
}

// nCase is one drawn encounter: the presentation and diagnosis with their
// compiled templates, the chart clock, the complaint drawn and what the
// summary will name.
type nCase struct {
	p     *nPresentation
	pt    *nPresTemplates
	d     *nDx
	dt    *nDxTemplates
	clock nClock
	cc    *ccTemplates // the complaints drawn from (the diagnosis's or the presentation's)
	ci    int          // the complaint drawn
	acts  []string     // interventions as the summary names them
	dispo int          // the disposition drawn
}

func (n *nursingGenerator) generate(g *Generator, _ int) Sample {
	r := g.rng
	pi := n.presWeight.pick(r)
	c := &nCase{p: n.pres[pi], pt: &n.t.pres[pi]}
	di := c.pt.dxWeight.pick(r)
	c.d, c.dt = &c.p.Dxs[di], &c.pt.dxs[di]
	n.patient(g, c)
	n.complaint(g, c)
	note := n.chart(g, c)
	summary := n.summary(g, c) // before the layout, which draws too
	return Sample{Record: dataset.Record{Text: fixStops(layoutNote(r, note)), Summary: summary}}
}

// patient fills the slots about the patient and the charting style: age,
// sex, sides, duration, people, history and the time of the first entry.
func (n *nursingGenerator) patient(g *Generator, c *nCase) {
	r, e := g.rng, &g.exp
	age := r.between(c.p.Ages[0], c.p.Ages[1])
	female := r.chance(0.5)
	e.set(nsAge, itoa(age))
	if age == 8 || age == 11 || age == 18 || age >= 80 && age <= 89 {
		e.set(nsAAge, "an "+itoa(age))
	} else {
		e.set(nsAAge, "a "+itoa(age))
	}
	if female {
		e.set(nsSex, pick(r, []string{"F", "female", "female", "woman"}))
		e.set(nsSexAbbr, pick(r, []string{"F", "F", " y/o F", "yo F"}))
		e.set(nsPron, "she")
		e.set(nsPoss, "her")
	} else {
		e.set(nsSex, pick(r, []string{"M", "male", "male", "man"}))
		e.set(nsSexAbbr, pick(r, []string{"M", "M", " y/o M", "yo M"}))
		e.set(nsPron, "he")
		e.set(nsPoss, "his")
	}
	n.sides(r, e)
	if len(c.pt.durs) > 0 {
		e.set(nsDur, n.render(g, c.pt.durs, false))
	} else {
		e.set(nsDur, pick(r, []string{itoa(r.between(1, 12)) + " hrs", itoa(r.between(20, 90)) + " min", itoa(r.between(1, 3)) + " days", "1 day", itoa(r.between(2, 6)) + "h"}))
	}
	e.set(nsDoc, pick(r, n.f.Docs))
	e.set(nsFam, pick(r, n.f.Family))
	e.set(nsUnit, pick(r, n.f.Units))
	e.set(nsPMH, n.pmh(r, c.p))
	c.clock = nClock{minutes: r.between(0, 24*60-1), colon: r.chance(0.3)}
	e.set(nsTime, c.clock.String())
}

// sides fills <side> and the opposite <oside>, spelled out or as L/R.
func (n *nursingGenerator) sides(r *rng, e *expander) {
	abbrevSides := r.chance(0.5)
	side := pick(r, sides2)
	oside := "right"
	if side == "right" {
		oside = "left"
	}
	if abbrevSides {
		e.set(nsSide, strings.ToUpper(side[:1]))
		e.set(nsOSide, strings.ToUpper(oside[:1]))
	} else {
		e.set(nsSide, side)
		e.set(nsOSide, oside)
	}
}

// complaint fills the diagnosis as charted, then draws the complaint.
func (n *nursingGenerator) complaint(g *Generator, c *nCase) {
	e := &g.exp
	e.set(nsDx, n.render(g, c.dt.name, false))
	c.cc = &c.pt.cc
	if len(c.dt.cc.charted) > 0 {
		c.cc = &c.dt.cc
	}
	c.ci = g.rng.intn(len(c.cc.charted))
	e.set(nsCC, n.renderOne(g, c.cc.charted[c.ci], false))
}

// chart renders the parts of the note: opening, symptoms, allergies,
// vitals, exam and results, then medications and interventions in
// charting order, each with a time, the diagnosis, reassessment,
// disposition and plan.
func (n *nursingGenerator) chart(g *Generator, c *nCase) *nNote {
	r, e := g.rng, &g.exp
	pt, dt := c.pt, c.dt
	note := &nNote{}
	if len(pt.opening) > 0 && r.chance(0.5) {
		note.opening = n.render(g, pt.opening, true)
	} else {
		note.opening = n.render(g, n.t.openings, true)
	}
	note.assoc, note.negs = n.symptoms(r, c.p, e.vals[nsSide])
	if r.chance(0.7) {
		note.allergy = n.render(g, n.t.allergies, true)
	}
	note.vitals = vitals(r, &c.d.V)
	for _, i := range pickSome(r, len(pt.exam), 0, 2) {
		note.exam = append(note.exam, n.render(g, pt.exam[i:i+1], true))
	}
	for _, i := range pickSome(r, len(dt.findings), 1, 3) {
		note.findings = append(note.findings, n.render(g, dt.findings[i:i+1], true))
	}
	n.events(g, c, note)
	note.dx = n.render(g, n.t.dxLines, true)
	if r.chance(0.6) {
		note.reassess = n.render(g, n.t.reassess, true)
	}
	c.dispo = r.intn(len(c.d.Dispo))
	c.clock.advance(r)
	e.set(nsTime, c.clock.String())
	note.dispo = n.render(g, dt.dispo[c.dispo], true)
	for _, i := range pickSome(r, len(n.t.plan), 0, 2) {
		note.plan = append(note.plan, n.render(g, n.t.plan[i:i+1], true))
	}
	return note
}

// events charts 1-3 medications and the interventions drawn, each with a
// time, and keeps the interventions the summary names.
func (n *nursingGenerator) events(g *Generator, c *nCase, note *nNote) {
	r := g.rng
	for _, i := range pickSome(r, len(c.dt.meds), 1, 3) {
		note.events = append(note.events, n.event(g, &c.clock, c.dt.meds[i:i+1]))
	}
	for k, a := range c.d.Acts {
		if a.P > 0 && !r.chance(a.P) {
			continue
		}
		note.events = append(note.events, n.event(g, &c.clock, c.dt.acts[k]))
		if a.Sum != "" {
			c.acts = append(c.acts, a.Sum)
		}
	}
}

// summary writes the symptom, the diagnosis, up to two key interventions
// and sometimes where the patient went.
func (n *nursingGenerator) summary(g *Generator, c *nCase) string {
	r, e := g.rng, &g.exp
	symptom := n.renderOne(g, c.cc.summary[c.ci], true)
	dxSum := c.d.Sum
	if dxSum == "" || strings.Contains(dxSum, "<") {
		dxSum = e.vals[nsDx]
	}
	parts := []string{symptom, dxSum}
	acts := c.acts
	if len(acts) > 2 {
		acts = acts[:2]
	}
	if len(acts) > 0 {
		parts = append(parts, acts...)
	}
	if ds := c.d.Dispo[c.dispo].Sum; ds != "" && (len(acts) == 0 || r.chance(0.4)) {
		parts = append(parts, ds)
	}
	return strings.Join(parts, ", ") + "."
}

// render expands one of ts; sentence capitalizes its first letter.
func (n *nursingGenerator) render(g *Generator, ts []*template, sentence bool) string {
	return n.renderOne(g, pick(g.rng, ts), sentence)
}

func (n *nursingGenerator) renderOne(g *Generator, t *template, sentence bool) string {
	buf := g.exp.expand(g.buf[:0], t)
	if sentence {
		capitalizeFrom(buf, 0)
	}
	g.buf = buf
	return string(buf)
}

// event renders a timed entry ("1412 ASA 325 mg PO given."); entries that
// name their time inside ("... at 1412") and some others go without.
func (n *nursingGenerator) event(g *Generator, clock *nClock, ts []*template) string {
	clock.advance(g.rng)
	g.exp.set(nsTime, clock.String())
	t := pick(g.rng, ts)
	text := n.renderOne(g, t, true)
	if strings.Contains(t.src, "<t>") || g.rng.chance(0.35) {
		return text
	}
	return clock.String() + " " + text
}

func (n *nursingGenerator) pmh(r *rng, p *nPresentation) string {
	items := make([]string, 0, 4)
	for _, i := range pickSome(r, len(p.PMH), 1, 3) {
		items = append(items, p.PMH[i])
	}
	if r.chance(0.5) {
		extra := pick(r, n.f.PMHExtra)
		dup := false
		for _, it := range items {
			dup = dup || it == extra
		}
		if !dup {
			items = append(items, extra)
		}
	}
	return strings.Join(items, ", ")
}

// symptoms renders the associated positives and pertinent negatives.
func (n *nursingGenerator) symptoms(r *rng, p *nPresentation, side string) (assoc, negs string) {
	if r.chance(0.6) {
		var items []string
		for _, i := range pickSome(r, len(p.Assoc), 1, 2) {
			items = append(items, p.Assoc[i])
		}
		assoc = pick(r, []string{"+ ", "Reports ", "Endorses ", "Also c/o ", "Assoc w/ "}) + strings.Join(items, " and ") + "."
		assoc = strings.ReplaceAll(assoc, "<side>", side)
	}
	if r.chance(0.8) {
		var items []string
		for _, i := range pickSome(r, len(p.Negs), 1, 3) {
			items = append(items, p.Negs[i])
		}
		switch r.intn(3) {
		case 0:
			negs = "Denies " + strings.Join(items, ", ") + "."
		case 1:
			negs = "Pt denies " + strings.Join(items, ", ") + "."
		default:
			negs = "No " + strings.Join(items, ", no ") + "."
		}
	}
	return assoc, negs
}

// pickSome returns between lo and hi distinct indexes of n in random order.
func pickSome(r *rng, n, lo, hi int) []int {
	hi = min(hi, n)
	lo = min(lo, hi)
	k := r.between(lo, hi)
	if k == 0 {
		return nil
	}
	perm := r.r.Perm(n)
	return perm[:k]
}

// nClock is the time of day charted on a note, advancing with each entry.
type nClock struct {
	minutes int
	colon   bool
}

func (c *nClock) advance(r *rng) { c.minutes = (c.minutes + r.between(3, 25)) % (24 * 60) }

func (c nClock) String() string {
	h, m := c.minutes/60, c.minutes%60
	b := make([]byte, 0, 5)
	b = append(b, byte('0'+h/10), byte('0'+h%10))
	if c.colon {
		b = append(b, ':')
	}
	return string(append(b, byte('0'+m/10), byte('0'+m%10)))
}

// vitals renders a set of vital signs in one of the charting styles.
func vitals(r *rng, v *nVitals) string {
	hr := r.between(v.HR[0], v.HR[1])
	sbp := r.between(v.SBP[0], v.SBP[1])
	dbp := min(r.between(v.DBP[0], v.DBP[1]), sbp-20)
	rr := r.between(v.RR[0], v.RR[1])
	spo2 := r.between(v.SpO2[0], v.SpO2[1])
	tempF := r.between(v.Temp[0], v.Temp[1])
	o2 := "RA"
	if spo2 < 92 && r.chance(0.5) {
		o2 = pick(r, []string{"on 2L NC", "on 4L NC", "on NRB", "on 3L"})
	}
	bp := itoa(sbp) + "/" + itoa(dbp)
	switch r.intn(5) {
	case 0:
		return "VS: BP " + bp + ", HR " + itoa(hr) + ", RR " + itoa(rr) + ", SpO2 " + itoa(spo2) + "% " + o2 + ", T " + tenths(tempF) + "F."
	case 1:
		tempC := (tempF - 320) * 5 / 9
		return "Initial vitals T " + tenths(tempC) + "C HR " + itoa(hr) + " BP " + bp + " RR " + itoa(rr) + " O2 sat " + itoa(spo2) + "% " + o2 + "."
	case 2:
		return "VS " + tenths(tempF) + ", " + itoa(hr) + ", " + bp + ", " + itoa(rr) + ", " + itoa(spo2) + "% " + o2 + "."
	case 3:
		return "BP " + bp + " HR " + itoa(hr) + " RR " + itoa(rr) + " SpO2 " + itoa(spo2) + "% " + o2 + " T " + tenths(tempF) + "."
	default:
		return "Vitals: HR " + itoa(hr) + ", BP " + bp + ", RR " + itoa(rr) + ", sat " + itoa(spo2) + "% " + o2 + ", temp " + tenths(tempF) + "."
	}
}

// layoutNote arranges the parts as a narrative, a SOAP note or a DAR
// (data, action, response) note.
func layoutNote(r *rng, n *nNote) string {
	var b strings.Builder
	b.Grow(1024)
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			last := b.String()[b.Len()-1]
			if last != '\n' && last != ' ' {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
	}
	line := func() {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
	}
	switch style := r.intn(10); {
	case style < 5: // narrative, with a line break now and then
		add(n.opening)
		add(n.assoc)
		add(n.negs)
		add(n.allergy)
		if r.chance(0.4) {
			line()
		}
		add(n.vitals)
		for _, s := range n.exam {
			add(s)
		}
		for _, s := range n.findings {
			add(s)
		}
		add(n.dx)
		for _, s := range n.events {
			if r.chance(0.3) {
				line()
			}
			add(s)
		}
		add(n.reassess)
		add(n.dispo)
		for _, s := range n.plan {
			add(s)
		}
	case style < 8: // SOAP
		b.WriteString("S: ")
		add(n.opening)
		add(n.assoc)
		add(n.negs)
		add(n.allergy)
		line()
		b.WriteString("O: ")
		add(n.vitals)
		for _, s := range n.exam {
			add(s)
		}
		for _, s := range n.findings {
			add(s)
		}
		line()
		b.WriteString("A: ")
		add(n.dx)
		line()
		b.WriteString("P: ")
		for _, s := range n.events {
			add(s)
		}
		add(n.reassess)
		add(n.dispo)
		for _, s := range n.plan {
			add(s)
		}
	default: // DAR
		b.WriteString("D: ")
		add(n.opening)
		add(n.assoc)
		add(n.negs)
		add(n.allergy)
		add(n.vitals)
		for _, s := range n.exam {
			add(s)
		}
		for _, s := range n.findings {
			add(s)
		}
		add(n.dx)
		line()
		b.WriteString("A: ")
		for _, s := range n.events {
			add(s)
		}
		line()
		b.WriteString("R: ")
		if n.reassess != "" {
			add(n.reassess)
		}
		add(n.dispo)
		for _, s := range n.plan {
			add(s)
		}
	}
	return b.String()
}
