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

// mlNote is one clinic note being written: the problems it addresses (its
// labels) and those it only mentions, and the text so far. Each method
// writes one part of the note, in order.
type mlNote struct {
	m      *multiLabelGenerator
	g      *Generator
	r      *rng
	e      *expander
	b      strings.Builder
	sep    string // between sections
	female bool
	// chosen are the addressed problems, with their names and medications
	// as this note writes them.
	chosen      []int
	names, meds []string
	// inactive are chronic problems on the lists that this visit does not
	// address; rest are other problems, one of which may be resolved.
	inactive                    []int
	inactiveNames, inactiveMeds []string
	rest                        []int
}

func (m *multiLabelGenerator) generate(g *Generator, _ int) Sample {
	n := &mlNote{m: m, g: g, r: g.rng, e: &g.exp}
	n.drawProblems()
	n.patient()
	n.nameProblems()
	n.b.Grow(1536)
	n.sep = pick(n.r, []string{"\n", "\n\n"})
	n.history()
	n.mentionOthers()
	n.pastHistory()
	n.medications()
	n.allergiesAndSocial()
	n.exam()
	n.assessmentAndPlan()
	return Sample{Record: dataset.Record{Text: fixStops(n.b.String()), Labels: n.labels()}}
}

// drawProblems draws the label set (redrawn while empty) and the order the
// note discusses it in.
func (n *mlNote) drawProblems() {
	for len(n.chosen) == 0 {
		for i := range n.m.problems {
			if n.r.float() < n.m.problems[i].drawP {
				n.chosen = append(n.chosen, i)
			}
		}
	}
	shuffle(n.r, n.chosen)
}

// patient draws the age and sex (never female with BPH).
func (n *mlNote) patient() {
	r := n.r
	n.e.set(mlsAge, itoa(r.between(24, 92)))
	n.female = !n.m.has(n.chosen, "bph") && r.chance(0.5)
	if n.female {
		n.e.set(mlsSex, pick(r, []string{"female", "woman", "F"}))
	} else {
		n.e.set(mlsSex, pick(r, []string{"male", "man", "M"}))
	}
}

// nameProblems draws each addressed problem's name as this note writes it
// and one of its medications; the opening (<names>) names some or all.
func (n *mlNote) nameProblems() {
	r := n.r
	n.names = make([]string, len(n.chosen))
	n.meds = make([]string, len(n.chosen))
	for k, i := range n.chosen {
		n.names[k] = n.expand(n.m.problems[i].names, false)
		n.meds[k] = n.expand(n.m.problems[i].meds, false)
	}
	k := r.between(1, len(n.names))
	opening := joinList(n.names[:k])
	if k < len(n.names) && r.chance(0.5) {
		opening += pick(r, []string{" and other chronic conditions", " among other issues", ", and medication review"})
	}
	n.e.set(mlsNames, opening)
}

// history writes the chief complaint (sometimes) and the history of the
// addressed problems.
func (n *mlNote) history() {
	r := n.r
	if r.chance(0.5) {
		n.section(pick(r, []string{"CHIEF COMPLAINT", "CC", "REASON FOR VISIT"}))
		n.b.WriteString(n.expand(n.m.cc, true))
	}
	n.section(pick(r, []string{"HPI", "HISTORY OF PRESENT ILLNESS", "SUBJECTIVE", "INTERVAL HISTORY"}))
	n.b.WriteString(n.expand(n.m.openings, true))
	for k, i := range n.chosen {
		p := &n.m.problems[i]
		n.e.set(mlsName, n.names[k])
		n.e.set(mlsMed, n.meds[k])
		for _, j := range pickSome(r, len(p.hpi), 1, 2) {
			n.sentence(n.expand(p.hpi[j:j+1], true))
		}
	}
}

// mentionOthers draws the problems that are not labels and writes the
// history's mentions of them: some in passing (family history, screens),
// some on the problem and medication lists without being addressed today
// (which may still come up in the history); then the review of systems.
func (n *mlNote) mentionOthers() {
	r, e := n.r, n.e
	others := n.m.others(r, n.chosen, 6, n.female)
	nd := min(len(others), r.between(0, 2))
	distract, rest := others[:nd], others[nd:]
	ni := min(len(rest), r.between(0, 3))
	n.inactive, n.rest = rest[:ni], rest[ni:]
	for _, i := range distract {
		e.set(mlsName, n.m.plainName(r, i))
		n.sentence(n.expand(n.m.distractors, true))
	}
	n.inactiveNames = make([]string, len(n.inactive))
	n.inactiveMeds = make([]string, len(n.inactive))
	for k, i := range n.inactive {
		n.inactiveNames[k] = n.expand(n.m.problems[i].names, false)
		n.inactiveMeds[k] = n.expand(n.m.problems[i].meds, false)
		if r.chance(0.4) {
			e.set(mlsName, n.inactiveNames[k])
			e.set(mlsMed, n.inactiveMeds[k])
			n.sentence(n.expand(n.m.problems[i].hpi, true))
		}
	}
	if r.chance(0.6) {
		n.sentence(n.expand(n.m.ros, true))
	}
}

// pastHistory writes the problem list: the addressed and inactive
// problems, maybe a resolved one, surgeries.
func (n *mlNote) pastHistory() {
	r := n.r
	n.section(pick(r, []string{"PMH", "PAST MEDICAL HISTORY", "Past Medical History", "PROBLEM LIST"}))
	pmh := append([]string(nil), n.names...)
	pmh = append(pmh, n.inactiveNames...)
	if len(n.rest) > 0 && r.chance(0.3) {
		n.e.set(mlsName, n.m.plainName(r, n.rest[0]))
		pmh = append(pmh, n.expand(n.m.resolved, false))
	}
	if r.chance(0.6) {
		pmh = append(pmh, n.expand(n.m.surgical, false))
	}
	shuffle(r, pmh)
	n.b.WriteString(strings.Join(pmh, pick(r, []string{", ", "; ", "\n"})))
}

// medications writes the medication list (most of the time): the
// addressed problems' medications and most of the inactive ones'.
func (n *mlNote) medications() {
	r := n.r
	if !r.chance(0.85) {
		return
	}
	n.section(pick(r, []string{"MEDICATIONS", "MEDS", "Current Medications"}))
	list := append([]string(nil), n.meds...)
	for _, med := range n.inactiveMeds {
		if r.chance(0.8) {
			list = append(list, med)
		}
	}
	if r.chance(0.5) {
		list = append(list, pick(r, []string{"vitamin D 1000 IU daily", "multivitamin daily", "fish oil", "calcium carbonate", "melatonin PRN"}))
	}
	shuffle(r, list)
	n.b.WriteString(strings.Join(list, pick(r, []string{", ", "; ", "\n"})))
}

// allergiesAndSocial writes the allergies and the social history, each
// some of the time; a patient with COPD gets a smoking history.
func (n *mlNote) allergiesAndSocial() {
	r := n.r
	if r.chance(0.6) {
		n.section("ALLERGIES")
		n.b.WriteString(pick(r, []string{"NKDA", "NKDA", "No known drug allergies", "Penicillin (hives)", "Sulfa", "Codeine (nausea)", "Lisinopril (cough)"}))
	}
	if r.chance(0.5) {
		n.section(pick(r, []string{"SOCIAL HISTORY", "SH", "Social"}))
		if n.m.has(n.chosen, "copd") {
			n.b.WriteString(n.expand(n.m.smoker, true))
		} else {
			n.b.WriteString(n.expand(n.m.social, true))
		}
	}
}

// exam writes the vitals, the exam and the results of the addressed (and
// some inactive) problems.
func (n *mlNote) exam() {
	r := n.r
	n.section(pick(r, []string{"EXAM", "PHYSICAL EXAM", "OBJECTIVE", "EXAMINATION"}))
	n.sentence(n.m.vitals(r, n.chosen, n.inactive))
	for _, j := range pickSome(r, len(n.m.exam), 1, 3) {
		n.sentence(n.expand(n.m.exam[j:j+1], true))
	}
	for k, i := range n.chosen {
		if r.chance(0.8) {
			n.e.set(mlsName, n.names[k])
			n.sentence(n.expand(n.m.problems[i].data, true))
		}
	}
	for k, i := range n.inactive {
		if r.chance(0.3) {
			n.e.set(mlsName, n.inactiveNames[k])
			n.sentence(n.expand(n.m.problems[i].data, true))
		}
	}
}

// assessmentAndPlan writes one entry per addressed problem; unaddressed
// problems may be waved through in one line, with no assessment of their
// own (they are not labels).
func (n *mlNote) assessmentAndPlan() {
	r := n.r
	n.section(pick(r, []string{"ASSESSMENT AND PLAN", "A/P", "ASSESSMENT/PLAN", "Assessment & Plan", "PLAN"}))
	numbered := r.chance(0.6)
	for k := range n.chosen {
		n.planEntry(k, numbered)
	}
	if len(n.inactive) > 0 && r.chance(0.4) {
		n.b.WriteByte('\n')
		list := joinList(n.inactiveNames)
		switch r.intn(3) {
		case 0:
			n.b.WriteString("Other chronic conditions (" + list + ") stable, continue current medications.")
		case 1:
			n.b.WriteString("Other chronic problems: " + list + " - no changes today.")
		default:
			n.b.WriteString("Remaining problems: " + list + ", stable, not addressed today.")
		}
	}
	if r.chance(0.5) {
		n.b.WriteByte('\n')
		n.b.WriteString(n.expand(n.m.maintenance, true))
	}
}

// planEntry writes the assessment and plan of the k-th addressed problem.
func (n *mlNote) planEntry(k int, numbered bool) {
	r, b := n.r, &n.b
	p := &n.m.problems[n.chosen[k]]
	n.e.set(mlsName, n.names[k])
	n.e.set(mlsMed, n.meds[k])
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
	b.WriteString(capitalize(n.names[k]))
	b.WriteString(pick(r, []string{": ", " - ", ", "}))
	b.WriteString(n.expand(p.status, false))
	b.WriteString(". ")
	for i, j := range pickSome(r, len(p.plans), 1, 2) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n.expand(p.plans[j:j+1], true))
	}
}

// labels returns the addressed problems' labels in vocabulary order.
func (n *mlNote) labels() []string {
	labels := make([]string, len(n.chosen))
	for k, i := range n.chosen {
		labels[k] = n.m.problems[i].p.Label
	}
	sortByVocabulary(labels, n.chosen)
	return labels
}

// section starts a section: "NAME:\n" or "NAME: ".
func (n *mlNote) section(name string) {
	if n.b.Len() > 0 {
		n.b.WriteString(n.sep)
	}
	n.b.WriteString(name)
	n.b.WriteString(pick(n.r, []string{":\n", ": "}))
}

// sentence appends s after a space unless at the start of a line.
func (n *mlNote) sentence(s string) {
	if n.b.Len() > 0 {
		if last := n.b.String()[n.b.Len()-1]; last != '\n' && last != ' ' {
			n.b.WriteByte(' ')
		}
	}
	n.b.WriteString(s)
}

func (n *mlNote) expand(ts []*template, sentence bool) string { return n.m.expand(n.g, ts, sentence) }

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
