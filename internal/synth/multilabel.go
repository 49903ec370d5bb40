package synth

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/osler-health/osler/internal/dataset"
)

// Multi-label clinic notes. A record's labels are the chronic problems the
// visit addresses: each appears in the assessment and plan, and usually in
// the history, medications and results. Notes also mention problems that
// are not labels, the way real notes do: chronic problems on the problem
// and medication lists that this visit does not address, family history,
// negative screens, "no history of", resolved or remote conditions. So a label is
// not just "the word appears somewhere", and a model has to learn what an
// addressed problem looks like.
//
// Labels are drawn independently with per-label probabilities solved so
// that, after redrawing records that got none, each label's share of
// records is its Prevalence. The rarest five are under 1%. To add a
// label, add a problem to data/multilabel.json (an mlProblem): a
// snake_case label, its prevalence and its phrasings.

type mlProblem struct {
	Label      string   `json:"label"`
	Desc       string   `json:"description"`
	Prevalence float64  `json:"prevalence"`
	Names      []string `json:"names"`  // how notes name it; the first is the plain name
	Meds       []string `json:"meds"`   // medications for it
	HPI        []string `json:"hpi"`    // subjective history; <name> and <med> available
	Data       []string `json:"data"`   // exam findings, measurements and labs
	Status     []string `json:"status"` // assessment of the problem today
	Plans      []string `json:"plans"`  // plan items; <med> available
}

// multiLabelFile is data/multilabel.json: one problem per label, and the
// phrasings of the rest of the note. <name> in the phrasings is a problem
// that is not a label of the note.
type multiLabelFile struct {
	Problems    []mlProblem `json:"problems"`    // in label order, most frequent first
	Distractors []string    `json:"distractors"` // sentences that mention a problem without the visit addressing it
	Resolved    []string    `json:"resolved"`    // a resolved or remote problem on the history list
	Surgical    []string    `json:"surgical"`    // surgical history
	Openings    []string    `json:"openings"`    // <names> are the addressed problems
	CC          []string    `json:"chiefComplaints"`
	ROS         []string    `json:"ros"`
	Social      []string    `json:"social"`
	Smoker      []string    `json:"smoker"` // social history when COPD is addressed
	Exam        []string    `json:"exam"`
	Maintenance []string    `json:"maintenance"`
}

// multiLabelData is data/multilabel.json, decoded once.
var multiLabelData = sync.OnceValue(func() *multiLabelFile { return mustLoad[multiLabelFile]("multilabel.json") })

// mlProblems returns the problems, one per label.
func mlProblems() []mlProblem { return multiLabelData().Problems }

// validate checks that every list the generator picks from has entries
// and that the prevalences are probabilities.
func (f *multiLabelFile) validate() error {
	if err := requireLists("multilabel", f); err != nil {
		return err
	}
	for i := range f.Problems {
		p := &f.Problems[i]
		if err := requireLists("problem "+p.Label, p); err != nil {
			return err
		}
		if p.Label == "" || p.Prevalence <= 0 || p.Prevalence >= 1 {
			return fmt.Errorf("problem %q: needs a label and a prevalence between 0 and 1", p.Label)
		}
	}
	return nil
}

var mlSlots = slotSet{"name", "med", "names", "age", "sex"}

const (
	mlsName = iota
	mlsMed
	mlsNames
	mlsAge
	mlsSex
)

type mlCompiled struct {
	p                                     *mlProblem
	names, meds, hpi, data, status, plans []*template
	drawP                                 float64 // independent draw probability
}

type multiLabelGenerator struct {
	problems                                           []mlCompiled
	distractors, resolved, surgical, openings, cc, ros []*template
	social, smoker, exam, maintenance                  []*template
}

func multiLabelInfo() []LabelInfo {
	var out []LabelInfo
	for _, p := range mlProblems() {
		out = append(out, LabelInfo{Name: p.Label, Description: p.Desc, Prevalence: p.Prevalence})
	}
	return out
}

var multiLabelVocab = sync.OnceValue(func() *multiLabelGenerator {
	c := func(srcs ...string) []*template { return mustCompile(mlSlots, srcs...) }
	f := multiLabelData()
	probs := f.Problems
	g := &multiLabelGenerator{
		distractors: c(f.Distractors...), resolved: c(f.Resolved...), surgical: c(f.Surgical...), openings: c(f.Openings...),
		cc: c(f.CC...), ros: c(f.ROS...), social: c(f.Social...), smoker: c(f.Smoker...), exam: c(f.Exam...), maintenance: c(f.Maintenance...),
	}
	targets := make([]float64, len(probs))
	for i := range probs {
		targets[i] = probs[i].Prevalence
	}
	draw := solveDrawProbabilities(targets)
	for i := range probs {
		p := &probs[i]
		g.problems = append(g.problems, mlCompiled{
			p: p, names: c(p.Names...), meds: c(p.Meds...), hpi: c(p.HPI...), data: c(p.Data...),
			status: c(p.Status...), plans: c(p.Plans...), drawP: draw[i],
		})
	}
	return g
})

// solveDrawProbabilities returns per-label probabilities p such that
// drawing each label independently with p, and redrawing records that got
// no label, gives each label the marginal share targets[i]: p_i =
// t_i * (1 - P(no label)), solved by fixed-point iteration. The targets
// must sum to more than 1 (a record has at least one label, so the mean
// count is at least 1); otherwise the only solution is all zeros.
func solveDrawProbabilities(targets []float64) []float64 {
	p := append([]float64(nil), targets...)
	for iter := 0; iter < 200; iter++ {
		none := 1.0
		for _, x := range p {
			none *= 1 - x
		}
		maxDelta := 0.0
		for i, t := range targets {
			next := t * (1 - none)
			maxDelta = math.Max(maxDelta, math.Abs(next-p[i]))
			p[i] = next
		}
		if maxDelta < 1e-12 {
			break
		}
	}
	return p
}

func (m *multiLabelGenerator) generate(g *Generator, _ int) Sample {
	r, e := g.rng, &g.exp
	// Draw the label set; redraw while empty.
	var chosen []int
	for len(chosen) == 0 {
		for i := range m.problems {
			if r.float() < m.problems[i].drawP {
				chosen = append(chosen, i)
			}
		}
	}
	shuffle(r, chosen) // the order problems are discussed in varies
	age := r.between(24, 92)
	e.set(mlsAge, itoa(age))
	female := !m.has(chosen, "bph") && r.chance(0.5)
	if female {
		e.set(mlsSex, pick(r, []string{"female", "woman", "F"}))
	} else {
		e.set(mlsSex, pick(r, []string{"male", "man", "M"}))
	}

	// Each addressed problem: its name as this note writes it and one of
	// its medications.
	names := make([]string, len(chosen))
	meds := make([]string, len(chosen))
	for k, i := range chosen {
		names[k] = m.expand(g, m.problems[i].names, false)
		meds[k] = m.expand(g, m.problems[i].meds, false)
	}
	// The opening names some or all of them.
	k := r.between(1, len(names))
	opening := joinList(names[:k])
	if k < len(names) && r.chance(0.5) {
		opening += pick(r, []string{" and other chronic conditions", " among other issues", ", and medication review"})
	}
	e.set(mlsNames, opening)

	var b strings.Builder
	b.Grow(1536)
	sep := pick(r, []string{"\n", "\n\n"})
	section := func(name string) {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(name)
		b.WriteString(pick(r, []string{":\n", ": "}))
	}
	sentence := func(s string) {
		if b.Len() > 0 {
			if last := b.String()[b.Len()-1]; last != '\n' && last != ' ' {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
	}

	if r.chance(0.5) {
		section(pick(r, []string{"CHIEF COMPLAINT", "CC", "REASON FOR VISIT"}))
		b.WriteString(m.expand(g, m.cc, true))
	}
	section(pick(r, []string{"HPI", "HISTORY OF PRESENT ILLNESS", "SUBJECTIVE", "INTERVAL HISTORY"}))
	b.WriteString(m.expand(g, m.openings, true))
	for k, i := range chosen {
		p := &m.problems[i]
		e.set(mlsName, names[k])
		e.set(mlsMed, meds[k])
		for _, j := range pickSome(r, len(p.hpi), 1, 2) {
			sentence(m.expand(g, p.hpi[j:j+1], true))
		}
	}
	// Problems that are not labels: some are mentioned in passing (family
	// history, screens), some are on the problem and medication lists
	// without being addressed today, one may be resolved.
	others := m.others(r, chosen, 6, female)
	nd := min(len(others), r.between(0, 2))
	distract, rest := others[:nd], others[nd:]
	ni := min(len(rest), r.between(0, 3))
	inactive, rest := rest[:ni], rest[ni:]
	for _, i := range distract {
		e.set(mlsName, m.plainName(r, i))
		sentence(m.expand(g, m.distractors, true))
	}
	// An unaddressed chronic problem may still come up in the history.
	inactiveNames := make([]string, len(inactive))
	inactiveMeds := make([]string, len(inactive))
	for k, i := range inactive {
		inactiveNames[k] = m.expand(g, m.problems[i].names, false)
		inactiveMeds[k] = m.expand(g, m.problems[i].meds, false)
		if r.chance(0.4) {
			e.set(mlsName, inactiveNames[k])
			e.set(mlsMed, inactiveMeds[k])
			sentence(m.expand(g, m.problems[i].hpi, true))
		}
	}
	if r.chance(0.6) {
		sentence(m.expand(g, m.ros, true))
	}

	// Past history: the addressed problems, maybe a resolved one, surgeries.
	section(pick(r, []string{"PMH", "PAST MEDICAL HISTORY", "Past Medical History", "PROBLEM LIST"}))
	pmh := append([]string(nil), names...)
	pmh = append(pmh, inactiveNames...)
	if len(rest) > 0 && r.chance(0.3) {
		e.set(mlsName, m.plainName(r, rest[0]))
		pmh = append(pmh, m.expand(g, m.resolved, false))
	}
	if r.chance(0.6) {
		pmh = append(pmh, m.expand(g, m.surgical, false))
	}
	shuffle(r, pmh)
	b.WriteString(strings.Join(pmh, pick(r, []string{", ", "; ", "\n"})))

	if r.chance(0.85) {
		section(pick(r, []string{"MEDICATIONS", "MEDS", "Current Medications"}))
		list := append([]string(nil), meds...)
		for _, med := range inactiveMeds {
			if r.chance(0.8) {
				list = append(list, med)
			}
		}
		if r.chance(0.5) {
			list = append(list, pick(r, []string{"vitamin D 1000 IU daily", "multivitamin daily", "fish oil", "calcium carbonate", "melatonin PRN"}))
		}
		shuffle(r, list)
		b.WriteString(strings.Join(list, pick(r, []string{", ", "; ", "\n"})))
	}
	if r.chance(0.6) {
		section("ALLERGIES")
		b.WriteString(pick(r, []string{"NKDA", "NKDA", "No known drug allergies", "Penicillin (hives)", "Sulfa", "Codeine (nausea)", "Lisinopril (cough)"}))
	}
	if r.chance(0.5) {
		section(pick(r, []string{"SOCIAL HISTORY", "SH", "Social"}))
		if m.has(chosen, "copd") {
			b.WriteString(m.expand(g, m.smoker, true))
		} else {
			b.WriteString(m.expand(g, m.social, true))
		}
	}

	// Exam and results.
	section(pick(r, []string{"EXAM", "PHYSICAL EXAM", "OBJECTIVE", "EXAMINATION"}))
	sentence(m.vitals(r, chosen, inactive))
	for _, j := range pickSome(r, len(m.exam), 1, 3) {
		sentence(m.expand(g, m.exam[j:j+1], true))
	}
	for k, i := range chosen {
		p := &m.problems[i]
		if r.chance(0.8) {
			e.set(mlsName, names[k])
			sentence(m.expand(g, p.data, true))
		}
	}
	for k, i := range inactive {
		if r.chance(0.3) {
			e.set(mlsName, inactiveNames[k])
			sentence(m.expand(g, m.problems[i].data, true))
		}
	}

	// Assessment and plan: one entry per addressed problem.
	section(pick(r, []string{"ASSESSMENT AND PLAN", "A/P", "ASSESSMENT/PLAN", "Assessment & Plan", "PLAN"}))
	numbered := r.chance(0.6)
	for k, i := range chosen {
		p := &m.problems[i]
		e.set(mlsName, names[k])
		e.set(mlsMed, meds[k])
		if k > 0 {
			b.WriteByte('\n')
		}
		switch {
		case numbered:
			b.WriteString(itoa(k + 1))
			b.WriteString(". ")
		case r.chance(0.5):
			b.WriteString("# ")
		}
		b.WriteString(capitalize(names[k]))
		b.WriteString(pick(r, []string{": ", " - ", ", "}))
		b.WriteString(m.expand(g, p.status, false))
		b.WriteString(". ")
		for n, j := range pickSome(r, len(p.plans), 1, 2) {
			if n > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(m.expand(g, p.plans[j:j+1], true))
		}
	}
	// Unaddressed problems may be waved through in one line; they get no
	// assessment of their own and are not labels.
	if len(inactive) > 0 && r.chance(0.4) {
		b.WriteByte('\n')
		list := joinList(inactiveNames)
		switch r.intn(3) {
		case 0:
			b.WriteString("Other chronic conditions (" + list + ") stable, continue current medications.")
		case 1:
			b.WriteString("Other chronic problems: " + list + " - no changes today.")
		default:
			b.WriteString("Remaining problems: " + list + ", stable, not addressed today.")
		}
	}
	if r.chance(0.5) {
		b.WriteByte('\n')
		b.WriteString(m.expand(g, m.maintenance, true))
	}

	labels := make([]string, len(chosen))
	for k, i := range chosen {
		labels[k] = m.problems[i].p.Label
	}
	sortByVocabulary(labels, chosen)
	return Sample{Record: dataset.Record{Text: fixStops(b.String()), Labels: labels}}
}

// sortByVocabulary orders labels as the vocabulary lists them (most
// frequent first), whatever order the note discusses them in.
func sortByVocabulary(labels []string, idx []int) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
			labels[j], labels[j-1] = labels[j-1], labels[j]
		}
	}
}

func (m *multiLabelGenerator) expand(g *Generator, ts []*template, sentence bool) string {
	buf := g.exp.expand(g.buf[:0], pick(g.rng, ts))
	if sentence {
		capitalizeFrom(buf, 0)
	}
	g.buf = buf
	return string(buf)
}

// plainName is a problem's name without template choices, for distractor
// mentions ("Family history of ...").
func (m *multiLabelGenerator) plainName(r *rng, i int) string {
	p := m.problems[i].p
	name := p.Names[0]
	if len(p.Names) > 1 && r.chance(0.3) {
		name = p.Names[1]
	}
	if strings.ContainsAny(name, "{[<") {
		return p.Names[0]
	}
	return name
}

// others returns up to n problems not in chosen, weighted towards common
// ones (distractors mention what patients and families commonly have).
func (m *multiLabelGenerator) others(r *rng, chosen []int, n int, female bool) []int {
	var out []int
	for tries := 0; len(out) < n && tries < 4*n; tries++ {
		i := r.intn(len(m.problems))
		if r.float() > 0.1+m.problems[i].p.Prevalence*3 || female && m.problems[i].p.Label == "bph" {
			continue
		}
		taken := false
		for _, c := range chosen {
			taken = taken || c == i
		}
		for _, o := range out {
			taken = taken || o == i
		}
		if !taken {
			out = append(out, i)
		}
	}
	return out
}

// vitals renders vital signs that agree with the problems: higher blood
// pressure when hypertension is addressed, a BMI over 30 with obesity
// (addressed or not).
func (m *multiLabelGenerator) vitals(r *rng, chosen, inactive []int) string {
	has := func(label string) bool { return m.has(chosen, label) }
	sbp, dbp := r.between(108, 134), r.between(64, 84)
	if has("hypertension") {
		sbp, dbp = r.between(126, 172), r.between(76, 100)
	}
	bmi := r.between(192, 299)
	if has("obesity") || m.has(inactive, "obesity") {
		bmi = r.between(301, 468)
	}
	return "Vitals: BP " + itoa(sbp) + "/" + itoa(dbp) + ", HR " + itoa(r.between(58, 96)) + ", SpO2 " + itoa(r.between(94, 100)) + "%, BMI " + tenths(bmi) + "."
}

func (m *multiLabelGenerator) has(chosen []int, label string) bool {
	for _, i := range chosen {
		if m.problems[i].p.Label == label {
			return true
		}
	}
	return false
}

// joinList joins "a", "a and b", "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
