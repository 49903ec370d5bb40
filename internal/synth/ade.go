package synth

import (
	"fmt"
	"strings"
	"sync"

	"github.com/osler-health/osler/internal/dataset"
)

// adeFile is data/ade.json.
type adeFile struct {
	// Drugs are the drug lines, one per drug (see the package
	// documentation for the format).
	Drugs []string `json:"drugs"`
	// Effects are "term | groups": reactions as case reports name them
	// (MedDRA-like preferred terms) with the groups of drug lines that
	// may cause them.
	Effects []string `json:"effects"`
	// Treatments are "name | groups": what a reaction of the groups is
	// treated with (<rx>).
	Treatments  []string      `json:"treatments"`
	OtherCauses []string      `json:"otherCauses"` // non-drug causes of a reaction (<cause>)
	Sections    []string      `json:"sections"`    // structured-abstract headings
	Labs        []adeLabRange `json:"labs"`
	// AdverseEvent are the Adverse_Event sentences: every drug slot caused
	// every effect slot the sentence names (that is how relations are
	// derived), so <rx> (a treatment) is the only other drug one may use.
	// The last few are weakly marked, as many case-report titles are: no
	// causal verb.
	AdverseEvent []string `json:"adverseEvent"`
	// Ambiguous sentences state a possible but unproven link and are
	// labelled either way (see adeAmbiguousShare).
	Ambiguous []string `json:"ambiguous"`
	// NotAE are the Not_AE sentences, grouped by why they are not adverse
	// events, each group with its share of the negatives.
	NotAE []adeNegativeGroup `json:"notAE"`
}

// adeNegativeGroup is one reason a sentence is Not_AE, with its templates.
type adeNegativeGroup struct {
	Reason    string   `json:"reason"`
	Weight    float64  `json:"weight"`
	Templates []string `json:"templates"`
}

// adeLabRange is a laboratory value a case report quotes (<lab>): "serum
// creatinine of 4.2 mg/dL".
type adeLabRange struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
	Lo   int    `json:"lo"` // range of the value in tenths of Unit
	Hi   int    `json:"hi"`
}

// adeSlots are the slots ADE templates may use.
var adeSlots = slotSet{"drug", "drug2", "effect", "effect2", "rx", "dose", "route", "indication", "age", "sex", "pron", "duration", "n", "lab", "cause", "cls", "score", "pct"}

const (
	adeDrug = iota
	adeDrug2
	adeEffect
	adeEffect2
	adeRx
	adeDose
	adeRoute
	adeIndication
	adeAge
	adeSex
	adePron
	adeDuration
	adeN
	adeLab
	adeCause
	adeClass
	adeScore
	adePct
)

// adeAmbiguousShare is the share of Adverse_Event sentences drawn from
// the ambiguous templates (Not_AE sentences get the same number).
const adeAmbiguousShare = 0.2

type adeDrugEntry struct {
	names       []string
	class       string
	doses       []string
	doseUnit    string
	route       string
	indications []string
	effects     []int // candidate reactions (indexes) from the drug's groups
}

type adeGenerator struct {
	drugs   []adeDrugEntry
	effects []string
	// treatments lists, per effect (same index), what it may be treated
	// with.
	treatments [][]string
	ae         []*template
	ambiguous  []*template
	negGroups  weighted[[]*template]
	sections   []string
	labs       []adeLabRange
	causes     []string
}

// adeData is data/ade.json, decoded once.
var adeData = sync.OnceValue(func() *adeFile { return mustLoad[adeFile]("ade.json") })

// validate checks the lists and the weights and ranges in them; adeVocab
// checks the drug, effect and treatment lines as it parses them.
func (f *adeFile) validate() error {
	if err := requireLists("ade", f); err != nil {
		return err
	}
	for _, g := range f.NotAE {
		if len(g.Templates) == 0 || g.Weight <= 0 {
			return fmt.Errorf("ade: Not_AE group %q needs templates and a positive weight", g.Reason)
		}
	}
	for _, l := range f.Labs {
		if l.Name == "" || l.Lo > l.Hi {
			return fmt.Errorf("ade: lab %q needs a name and lo <= hi", l.Name)
		}
	}
	return nil
}

var adeVocab = sync.OnceValue(func() *adeGenerator {
	f := adeData()
	g := &adeGenerator{sections: f.Sections, labs: f.Labs, causes: f.OtherCauses}
	g.addDrugs(f.Drugs, g.addEffects(f.Effects, f.Treatments))
	g.ae = mustCompile(adeSlots, f.AdverseEvent...)
	g.ambiguous = mustCompile(adeSlots, f.Ambiguous...)
	var groups [][]*template
	var weights []float64
	for _, grp := range f.NotAE {
		groups = append(groups, mustCompile(adeSlots, grp.Templates...))
		weights = append(weights, grp.Weight)
	}
	g.negGroups = newWeighted(groups, weights)
	return g
})

// addEffects parses the effect and treatment lines and returns the
// effects (indexes) of each group.
func (a *adeGenerator) addEffects(effectLines, treatmentLines []string) map[string][]int {
	byGroup := map[string][]int{}
	rxByGroup := map[string][]string{}
	for _, line := range treatmentLines {
		name, groups := splitVocabLine(line)
		for _, grp := range groups {
			rxByGroup[grp] = append(rxByGroup[grp], name)
		}
	}
	for _, line := range effectLines {
		term, groups := splitVocabLine(line)
		a.effects = append(a.effects, term)
		var rx []string
		for _, grp := range groups {
			byGroup[grp] = append(byGroup[grp], len(a.effects)-1)
			rx = append(rx, rxByGroup[grp]...)
		}
		if len(rx) == 0 {
			panic("synth: data/ade.json: no treatment for the groups of effect " + term)
		}
		a.treatments = append(a.treatments, rx)
	}
	return byGroup
}

// addDrugs parses the drug lines; byGroup gives the effects of each
// effect group.
func (a *adeGenerator) addDrugs(lines []string, byGroup map[string][]int) {
	for _, line := range lines {
		f := strings.Split(line, "|")
		if len(f) != 7 {
			panic("synth: data/ade.json: drug line needs 7 fields: " + line)
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		d := adeDrugEntry{
			names:       strings.Split(f[0], ";"),
			class:       f[1],
			doses:       strings.Split(f[2], ","),
			doseUnit:    f[3],
			route:       f[4],
			indications: strings.Split(f[5], ";"),
		}
		for _, grp := range strings.Split(f[6], ",") {
			terms, ok := byGroup[strings.TrimSpace(grp)]
			if !ok {
				panic("synth: data/ade.json: drug line names unknown effect group " + grp + ": " + line)
			}
			d.effects = append(d.effects, terms...)
		}
		a.drugs = append(a.drugs, d)
	}
}

// splitVocabLine splits "term | group,group".
func splitVocabLine(line string) (string, []string) {
	term, groups, ok := strings.Cut(line, "|")
	if !ok {
		panic("synth: data/ade.json: vocabulary line without groups: " + line)
	}
	var out []string
	for _, grp := range strings.Split(groups, ",") {
		out = append(out, strings.TrimSpace(grp))
	}
	return strings.TrimSpace(term), out
}

// drugName picks the generic name most of the time and an abbreviation
// otherwise, as case reports do.
func (a *adeGenerator) drugName(r *rng, d *adeDrugEntry) string {
	if len(d.names) > 1 && r.chance(0.2) {
		return d.names[1+r.intn(len(d.names)-1)]
	}
	return d.names[0]
}

// effectFor picks a reaction the drug is plausibly blamed for, or any
// reaction one time in eight (case reports do surprise).
func (a *adeGenerator) effectFor(r *rng, d *adeDrugEntry) int {
	if len(d.effects) == 0 || r.chance(0.125) {
		return r.intn(len(a.effects))
	}
	return pick(r, d.effects)
}

func (a *adeGenerator) generate(g *Generator, _ int) Sample {
	r := g.rng
	e := &g.exp
	d := &a.drugs[r.intn(len(a.drugs))]
	d2 := &a.drugs[r.intn(len(a.drugs))]
	for d2 == d {
		d2 = &a.drugs[r.intn(len(a.drugs))]
	}
	ei := a.effectFor(r, d)
	ei2 := a.effectFor(r, d)
	for ei2 == ei {
		ei2 = r.intn(len(a.effects))
	}
	effect, effect2 := a.effects[ei], a.effects[ei2]
	e.set(adeDrug, a.drugName(r, d))
	e.set(adeDrug2, a.drugName(r, d2))
	e.set(adeEffect, effect)
	e.set(adeEffect2, effect2)
	e.set(adeRx, pick(r, a.treatments[ei]))
	e.set(adeDose, pick(r, d.doses)+" "+d.doseUnit)
	e.set(adeRoute, d.route)
	e.set(adeIndication, pick(r, d.indications))
	e.set(adeClass, d.class)
	age := adultOrChildAge(r)
	e.set(adeAge, ageYearsOld(age))
	sex, pron := sexWords(r, age)
	e.set(adeSex, sex)
	e.set(adePron, pron)
	e.set(adeDuration, duration(r))
	e.set(adeN, itoa(pickCount(r)))
	e.set(adeScore, itoa(r.between(3, 11)))
	e.set(adePct, itoa(r.between(8, 92)))
	lab := &a.labs[r.intn(len(a.labs))]
	labText := lab.Name + " of " + tenths(r.between(lab.Lo, lab.Hi))
	if lab.Unit != "" {
		labText += " " + lab.Unit
	}
	e.set(adeLab, labText)
	e.set(adeCause, pick(r, a.causes))

	// Ambiguous sentences are a share q of all records, half of them
	// Adverse_Event, so the templates carry no label information; the
	// label comes from a hash of the finished text, so identical
	// sentences always agree. The other records are positive with the
	// probability that brings the overall rate to p.
	p := g.opts.PositiveRate
	q := 2 * adeAmbiguousShare * min(p, 1-p)
	var t *template
	var positive, ambiguous bool
	switch {
	case r.chance(q):
		ambiguous = true
		t = pick(r, a.ambiguous)
	case r.chance((p - q/2) / (1 - q)):
		positive = true
		t = pick(r, a.ae)
	default:
		t = pick(r, a.negGroups.pick(r))
	}
	buf := g.buf[:0]
	start := 0
	// Structured abstracts label their sentences; templates that carry
	// their own heading already start with one.
	if r.chance(0.1) && !hasHeading(t.src) {
		buf = append(buf, pick(r, a.sections)...)
		buf = append(buf, ": "...)
		start = len(buf)
	}
	buf = e.expand(buf, t)
	capitalizeFrom(buf, start)
	g.buf = buf
	text := string(buf)
	if ambiguous {
		positive = splitmix64(stringHash(text))&1 == 1
	}
	s := Sample{Record: dataset.Record{Text: text}}
	if positive {
		s.Record.Labels = []string{LabelAdverseEvent}
		for _, ds := range [...]int{adeDrug, adeDrug2} {
			if e.spans[ds] < 0 {
				continue
			}
			for _, es := range [...]int{adeEffect, adeEffect2} {
				if e.spans[es] < 0 {
					continue
				}
				s.Relations = append(s.Relations, Relation{
					Text:   text,
					Drug:   text[e.spans[ds] : e.spans[ds]+len(e.vals[ds])],
					Effect: text[e.spans[es] : e.spans[es]+len(e.vals[es])],
				})
			}
		}
	} else {
		s.Record.Labels = []string{LabelNotAE}
	}
	return s
}

// hasHeading reports whether a template starts with an abstract heading
// such as "METHODS:" or "{CONCLUSION|CONCLUSIONS}:".
func hasHeading(src string) bool {
	head, _, ok := strings.Cut(src, ":")
	if !ok || head == "" {
		return false
	}
	for i := 0; i < len(head); i++ {
		c := head[i]
		if !(c >= 'A' && c <= 'Z' || c == '{' || c == '|' || c == '}') {
			return false
		}
	}
	return true
}

// adultOrChildAge draws a patient age: mostly adults, some children.
func adultOrChildAge(r *rng) int {
	if r.chance(0.12) {
		return r.between(2, 17)
	}
	return r.between(18, 92)
}

// ageYearsOld returns "a 45-year-old" with the right article.
func ageYearsOld(age int) string {
	article := "a "
	if age == 8 || age == 11 || age == 18 || age >= 80 && age <= 89 {
		article = "an "
	}
	return article + itoa(age) + "-year-old"
}

// sexWords returns the noun and pronoun for a patient of the given age.
func sexWords(r *rng, age int) (noun, pronoun string) {
	female := r.chance(0.5)
	switch {
	case age < 13 && female:
		return "girl", "she"
	case age < 13:
		return "boy", "he"
	case age < 18 && female:
		return "adolescent girl", "she"
	case age < 18:
		return "adolescent boy", "he"
	case female:
		return pick(r, []string{"woman", "woman", "female", "female patient"}), "she"
	default:
		return pick(r, []string{"man", "man", "male", "male patient"}), "he"
	}
}

var durationUnits = []struct {
	one, many string
	lo, hi    int
}{
	{"day", "days", 1, 21},
	{"week", "weeks", 1, 12},
	{"month", "months", 1, 18},
	{"hour", "hours", 2, 72},
}

// duration draws a time span ("3 weeks", "one day").
func duration(r *rng) string {
	u := &durationUnits[r.intn(len(durationUnits))]
	n := r.between(u.lo, u.hi)
	if n == 1 {
		return pick(r, []string{"one ", "1 "}) + u.one
	}
	return itoa(n) + " " + u.many
}

// pickCount draws a count of patients or days: small numbers are the
// most common, as in case reports and series.
func pickCount(r *rng) int {
	if r.chance(0.6) {
		return r.between(2, 30)
	}
	return r.between(31, 480)
}
