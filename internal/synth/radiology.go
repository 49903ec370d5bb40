package synth

import (
	"strings"
	"sync"

	"github.com/osler-health/osler/internal/dataset"
)

// Radiology reports are drawn as a structured study first (which entities
// are present, on which side, how large, how they changed since a prior,
// which absent entities the radiologist will state as absent). Each
// finding then renders its FINDINGS sentence and its IMPRESSION sentence
// from the same values, so the two always agree: the impression names only
// what the findings show, with the same laterality and measurements, and
// repeats a negative ("No pneumothorax.") only when the findings state it.
// Each lateralized entity gets its own impression sentence. Wording varies
// per radiologist: numbering of the impression, one finding per line or
// prose, and many equivalent phrasings of every statement.

var radSlots = slotSet{"side", "size", "lobe", "meas", "meas2", "change", "what", "sev", "loc", "tip", "n", "part", "bone", "dir", "device"}

const (
	rsSide = iota
	rsSize
	rsLobe
	rsMeas
	rsMeas2
	rsChange
	rsWhat
	rsSev
	rsLoc
	rsTip
	rsN
	rsPart
	rsBone
	rsDir
	rsDevice
)

// radStudy is one kind of examination.
type radStudy struct {
	name   string
	weight float64
	gen    func(c *radReport)
}

func radiologyTopics() []string {
	var out []string
	for _, s := range radStudies() {
		out = append(out, s.name)
	}
	return out
}

func radStudies() []radStudy {
	return []radStudy{
		{"chest radiograph: pleural effusion, consolidation, pneumothorax, nodule, granuloma, cardiomegaly, pulmonary edema, atelectasis, rib fractures, lines and tubes, emphysema, hiatal hernia", 0.58, (*radReport).chest},
		{"CT head without contrast: subdural hematoma, intraparenchymal and subarachnoid hemorrhage, infarct, mass, skull fracture, small vessel disease, atrophy", 0.15, (*radReport).ctHead},
		{"abdominal and right upper quadrant ultrasound: cholelithiasis, cholecystitis, bile duct dilatation, steatosis, liver cyst or lesion, hydronephrosis, ascites, splenomegaly", 0.13, (*radReport).abdomenUS},
		{"extremity radiograph (wrist, hand, elbow, shoulder, hip, knee, ankle, foot): fractures with displacement and angulation, dislocation, joint effusion, osteoarthritis, hardware", 0.14, (*radReport).extremity},
	}
}

type radGenerator struct {
	studies weighted[func(c *radReport)]
}

var radiologyVocab = sync.OnceValue(func() *radGenerator {
	var fns []func(c *radReport)
	var ws []float64
	for _, s := range radStudies() {
		fns = append(fns, s.gen)
		ws = append(ws, s.weight)
	}
	radiologyData() // compile the templates with the vocabulary, not mid-dataset
	return &radGenerator{studies: newWeighted(fns, ws)}
})

// Impression priorities: lower comes first.
const (
	prioDevice = 10 + iota*10
	prioNoAcute
	prioCritical
	prioMajor
	prioModerate
	prioMinor
	prioIncidental
	prioNegative
)

type radImpression struct {
	prio int
	text string
}

// radReport accumulates one report.
type radReport struct {
	r        *rng
	e        *expander
	v        *radiologyFile
	header   []byte
	findings []byte
	imp      []radImpression
	prior    bool
	age      int  // the patient's age, for the indication and age-related findings
	numbered bool // impression as "1. ... 2. ..."
	sep      string
}

func (a *radGenerator) generate(g *Generator, _ int) Sample {
	c := &radReport{r: g.rng, e: &g.exp, v: radiologyData()}
	c.age = c.r.between(19, 94)
	c.numbered = c.r.chance(0.35)
	c.sep = pick(c.r, []string{"\n", "\n\n"})
	c.header = g.buf[:0]
	c.findings = make([]byte, 0, 768)
	a.studies.pick(c.r)(c)
	g.buf = c.header
	var b strings.Builder
	b.Grow(len(c.header) + len(c.findings) + 16)
	b.Write(c.header)
	b.WriteString(c.sep)
	b.WriteString("FINDINGS:\n")
	b.WriteString(strings.TrimSpace(string(c.findings)))
	return Sample{Record: dataset.Record{Text: b.String(), Summary: c.impression()}}
}

func (c *radReport) impression() string {
	// Stable insertion sort by priority: lists are a handful long.
	imp := c.imp
	for i := 1; i < len(imp); i++ {
		for j := i; j > 0 && imp[j].prio < imp[j-1].prio; j-- {
			imp[j], imp[j-1] = imp[j-1], imp[j]
		}
	}
	var b strings.Builder
	numbered := c.numbered && (len(imp) > 1 || c.r.chance(0.3))
	for i, item := range imp {
		if i > 0 {
			b.WriteByte(' ')
		}
		if numbered {
			b.WriteString(itoa(i + 1))
			b.WriteString(". ")
		}
		b.WriteString(item.text)
	}
	return b.String()
}

// section writes "NAME:\n<content>" to the header.
func (c *radReport) section(name, content string) {
	if len(c.header) > 0 {
		c.header = append(c.header, c.sep...)
	}
	c.header = append(c.header, name...)
	c.header = append(c.header, ":\n"...)
	c.header = append(c.header, content...)
}

// say renders one findings sentence with the current slot values.
func (c *radReport) say(ts []*template) {
	start := len(c.findings)
	c.findings = c.e.expand(c.findings, pick(c.r, ts))
	capitalizeFrom(c.findings, start)
	c.findings = append(c.findings, ' ')
}

// newLine ends the current line of findings now and then (some
// radiologists dictate one finding per line).
func (c *radReport) newLine() {
	if n := len(c.findings); n > 0 && c.findings[n-1] == ' ' && c.r.chance(0.2) {
		c.findings[n-1] = '\n'
	}
}

// impress adds an impression sentence rendered with the current slot
// values, the same ones the matching findings sentence used.
func (c *radReport) impress(prio int, ts []*template) {
	buf := c.e.expand(make([]byte, 0, 96), pick(c.r, ts))
	capitalizeFrom(buf, 0)
	c.imp = append(c.imp, radImpression{prio: prio, text: string(buf)})
}

// maybeImpress adds an impression sentence with probability p (findings
// that radiologists mention in the impression only sometimes).
func (c *radReport) maybeImpress(p float64, prio int, ts []*template) {
	if c.r.chance(p) {
		c.impress(prio, ts)
	}
}

func (c *radReport) set(slot int, v string) { c.e.set(slot, v) }

// setChange fills the change slots: a findings suffix ("", ", unchanged
// from prior") and an impression prefix ("", "stable ") that agree.
func (c *radReport) setChange(change string) {
	switch change {
	case "":
		c.set(rsChange, "")
		c.set(rsWhat, "")
	case "new":
		c.set(rsChange, pick(c.r, []string{", new since the prior study", ", new compared to ___", ", not present previously", ", new"}))
		c.set(rsWhat, pick(c.r, []string{"new ", "new ", "interval development of "}))
	case "unchanged":
		c.set(rsChange, pick(c.r, []string{", unchanged", ", unchanged from prior", ", stable compared to the prior exam", ", similar to prior"}))
		c.set(rsWhat, pick(c.r, []string{"unchanged ", "stable ", "persistent ", "grossly stable "}))
	case "increased":
		c.set(rsChange, pick(c.r, []string{", increased from prior", ", larger than on the prior study", ", increased in size since ___"}))
		c.set(rsWhat, pick(c.r, []string{"increased ", "interval increase in ", "enlarging ", "worsening "}))
	case "decreased":
		c.set(rsChange, pick(c.r, []string{", decreased from prior", ", smaller than on the prior exam", ", improved since ___"}))
		c.set(rsWhat, pick(c.r, []string{"decreased ", "interval decrease in ", "improving ", "decreasing "}))
	}
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// patient writes the indication's "67-year-old man" in one of the ways
// de-identified reports show it.
func (c *radReport) patient() string {
	age := c.age
	male := c.r.chance(0.5)
	switch c.r.intn(5) {
	case 0:
		if male {
			return "___-year-old man"
		}
		return "___-year-old woman"
	case 1:
		if male {
			return itoa(age) + "M"
		}
		return itoa(age) + "F"
	case 2:
		if male {
			return itoa(age) + "-year-old male"
		}
		return itoa(age) + "-year-old female"
	default:
		if male {
			return itoa(age) + "-year-old man"
		}
		return itoa(age) + "-year-old woman"
	}
}

func (c *radReport) indication(reasons []string) string {
	reason := pick(c.r, reasons)
	switch c.r.intn(4) {
	case 0:
		return capitalize(reason) + "."
	case 1:
		return c.patient() + " with " + reason + "."
	default:
		return capitalize(c.patient()) + " with " + reason + ". " + pick(c.r, []string{"Evaluate.", "Please evaluate.", "Assess for acute process.", "R/O acute process.", "Eval.", "Question acute process."})
	}
}

// comparison writes the COMPARISON section and decides whether a prior
// study exists (only then do findings say "unchanged" or "new").
func (c *radReport) comparison(p float64, what string) {
	c.prior = c.r.chance(p)
	if !c.prior {
		c.section("COMPARISON", pick(c.r, []string{"None.", "None.", "None available.", "No prior studies.", "None available at the time of dictation."}))
		return
	}
	c.section("COMPARISON", pick(c.r, []string{
		what + " from ___.", what + " dated XX/XX/XXXX.", "Prior " + strings.ToLower(what) + " from [**2150-3-4**].",
		"___.", what + "s ___ and ___.", "Multiple prior studies, most recently ___.",
	}))
}

// change draws how a finding changed since the prior ("" without one).
func (c *radReport) change() string {
	if !c.prior {
		return ""
	}
	return pick(c.r, []string{"new", "unchanged", "unchanged", "increased", "decreased"})
}

var (
	sides2   = []string{"left", "right"}
	sides3   = []string{"left", "right", "bilateral"}
	sizesSML = []string{"small", "small", "moderate", "large"}
	sevs     = []string{"mild", "mild", "moderate", "severe"}
)

// measCM draws a measurement of lo..hi tenths of a cm ("1.2 cm").
func measCM(r *rng, lo, hi int) string { return tenths(r.between(lo, hi)) + " cm" }

// measMM draws a whole-mm measurement ("8 mm").
func measMM(r *rng, lo, hi int) string { return itoa(r.between(lo, hi)) + " mm" }

func opposite(side string) string {
	if side == "left" {
		return "rightward"
	}
	return "leftward"
}

// ---------------------------------------------------------------- chest

const (
	devETT = iota
	devNGT
	devCVC
	devPICC
	devPacer
	devChestTube
	devSternotomy
)

var chestAbnormal = newWeighted(
	[]string{"effusion", "consol", "ptx", "nodule", "cardiomegaly", "edema", "atelectasis", "fracture", "devices", "emphysema", "hernia"},
	[]float64{0.17, 0.19, 0.06, 0.08, 0.11, 0.10, 0.08, 0.04, 0.11, 0.05, 0.02},
)

var chestLobes = []string{"right lower lobe", "right lower lobe", "left lower lobe", "left lower lobe", "right middle lobe", "right upper lobe", "left upper lobe", "lingula"}

var ribNumbers = []string{"4th", "5th", "6th", "7th", "8th", "9th", "5th and 6th", "6th and 7th", "7th through 9th", "4th through 6th", "8th and 9th"}

type chestState struct {
	effusion, consol, ptx, nodule, granuloma, cardiomegaly, edema, atelectasis bool
	fracture, oldFracture, emphysema, hernia, resolvedEffusion, resolvedPtx    bool
	devices                                                                    []int
	ptxSide                                                                    string
	portable                                                                   bool // a portable AP view (lines and tubes, sick patients)
	// Negatives the findings will state explicitly.
	negPtx, negEff, negConsol, negEdema bool
}

func (s *chestState) hasDevice(d int) bool {
	for _, x := range s.devices {
		if x == d {
			return true
		}
	}
	return false
}

func (s *chestState) tubesOrLines() bool {
	for _, x := range s.devices {
		if x != devSternotomy {
			return true
		}
	}
	return false
}

// chest writes a chest radiograph: the state first, then the header and
// the findings from lines and tubes to bones, as most radiologists dictate
// them, then what the impression adds.
func (c *radReport) chest() {
	s := c.drawChest()
	c.chestHeader(s)
	c.drawChestNegatives(s)
	for _, d := range s.devices {
		c.chestDevice(d, s)
	}
	c.chestHeart(s)
	c.chestLungs(s)
	c.chestLungNegatives(s)
	c.newLine()
	c.chestPleura(s)
	c.newLine()
	c.chestBones(s)
	c.chestImpression(s)
}

// drawChest draws which entities the radiograph shows.
func (c *radReport) drawChest() *chestState {
	r := c.r
	s := &chestState{}
	if !r.chance(0.44) {
		n := 1 + r.intn(2)
		if r.chance(0.2) {
			n++
		}
		for k := 0; k < n; k++ {
			c.addChestFinding(s, chestAbnormal.pick(r))
		}
	}
	s.granuloma = !s.nodule && r.chance(0.06)
	s.oldFracture = !s.fracture && r.chance(0.04)
	if s.devices == nil && r.chance(0.05) {
		s.devices = []int{devSternotomy}
	}
	if s.ptx {
		s.ptxSide = pick(r, sides2)
		if r.chance(0.4) {
			s.devices = append(s.devices, devChestTube)
		}
	}
	s.portable = s.tubesOrLines() || r.chance(0.15)
	return s
}

// addChestFinding marks one abnormal entity (chestAbnormal) present.
func (c *radReport) addChestFinding(s *chestState, what string) {
	switch what {
	case "effusion":
		s.effusion = true
	case "consol":
		s.consol = true
	case "ptx":
		s.ptx = true
	case "nodule":
		s.nodule = true
	case "cardiomegaly":
		s.cardiomegaly = true
	case "edema":
		s.edema = true
		s.cardiomegaly = s.cardiomegaly || c.r.chance(0.5)
	case "atelectasis":
		s.atelectasis = true
	case "fracture":
		s.fracture = true
	case "devices":
		s.devices = c.drawDevices()
	case "emphysema":
		s.emphysema = true
	case "hernia":
		s.hernia = true
	}
}

// chestHeader writes the EXAMINATION, INDICATION, TECHNIQUE and
// COMPARISON sections.
func (c *radReport) chestHeader(s *chestState) {
	r := c.r
	if s.portable {
		c.section("EXAMINATION", pick(r, []string{"CHEST (PORTABLE AP)", "Portable AP chest radiograph", "CHEST PORT. LINE PLACEMENT", "Chest, single AP portable view"}))
	} else {
		c.section("EXAMINATION", pick(r, []string{"CHEST (PA AND LAT)", "Chest radiograph, PA and lateral", "XR CHEST 2 VIEWS", "PA and lateral views of the chest", "Chest x-ray, 2 views"}))
	}
	c.section(pick(r, []string{"INDICATION", "INDICATION", "HISTORY", "CLINICAL HISTORY"}), c.indication(chestReasons(s)))
	if r.chance(0.5) {
		if s.portable {
			c.section("TECHNIQUE", pick(r, []string{"Single portable AP view of the chest.", "Portable upright AP radiograph of the chest.", "Semi-upright portable AP view."}))
		} else {
			c.section("TECHNIQUE", pick(r, []string{"PA and lateral views of the chest.", "Frontal and lateral chest radiographs.", "Two views of the chest."}))
		}
	}
	c.comparison(0.5, "Chest radiograph")
}

// drawChestNegatives draws, once the prior is known, whether an effusion
// or pneumothorax has resolved since, and which absent entities the
// findings will state as absent.
func (c *radReport) drawChestNegatives(s *chestState) {
	r := c.r
	if c.prior && !s.effusion && !s.ptx && r.chance(0.08) {
		if r.chance(0.7) {
			s.resolvedEffusion = true
		} else {
			s.resolvedPtx = true
		}
	}
	s.negPtx = !s.ptx && !s.resolvedPtx && r.chance(0.9)
	s.negEff = !s.effusion && !s.resolvedEffusion && r.chance(0.85)
	s.negEdema = !s.edema && r.chance(0.35)
	s.negConsol = !s.consol && r.chance(0.6)
}

// chestHeart writes the heart and mediastinum.
func (c *radReport) chestHeart(s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	if s.cardiomegaly {
		c.set(rsSev, pick(r, sevs))
		c.setChange(c.change())
		c.say(t.CardiomegalyF)
		if s.negEdema && !s.edema {
			c.impress(prioModerate, t.CardiomegalyNoEdemaI)
		} else {
			c.impress(prioModerate, t.CardiomegalyI)
		}
	} else {
		c.say(t.HeartNormal)
	}
	if r.chance(0.2) {
		c.say(t.MediastinumExtra)
	}
	c.newLine()
}

// chestLungs writes the lung findings.
func (c *radReport) chestLungs(s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	if s.consol {
		c.set(rsLobe, pick(r, chestLobes))
		c.setChange(c.change())
		c.say(t.ConsolF)
		c.impress(prioMajor, t.ConsolI)
	}
	if s.edema {
		c.set(rsSev, pick(r, []string{"mild", "mild", "moderate"}))
		c.say(t.EdemaF)
		c.impress(prioMajor, t.EdemaI)
	}
	if s.nodule {
		c.set(rsSide, pick(r, sides2))
		c.set(rsLoc, pick(r, []string{"upper", "mid", "lower"}))
		if r.chance(0.5) {
			c.set(rsMeas, measCM(r, 10, 28))
		} else {
			c.set(rsMeas, measMM(r, 5, 9))
		}
		c.setChange(c.change())
		c.say(t.NoduleF)
		c.impress(prioModerate, t.NoduleI)
	}
	if s.granuloma {
		c.set(rsSide, pick(r, sides2))
		c.set(rsLoc, pick(r, []string{"upper", "mid", "lower"}))
		c.say(t.GranulomaF)
		c.maybeImpress(0.25, prioIncidental, t.GranulomaI)
	}
	if s.atelectasis {
		c.set(rsLoc, pick(r, []string{"bibasilar", "bibasilar", "left basilar", "right basilar"}))
		c.say(t.AtelectasisF)
		c.maybeImpress(0.6, prioMinor, t.AtelectasisI)
	}
	if s.emphysema {
		c.say(t.EmphysemaF)
		c.maybeImpress(0.6, prioIncidental, t.EmphysemaI)
	}
	if s.hernia {
		c.set(rsSize, pick(r, []string{"small", "moderate", "large"}))
		c.say(t.HerniaF)
		c.maybeImpress(0.5, prioIncidental, t.HerniaI)
	}
}

// chestLungNegatives writes clear lungs or the stated absences.
func (c *radReport) chestLungNegatives(s *chestState) {
	t := &c.v.Phrases.Chest
	lungPositive := s.consol || s.edema || s.nodule || s.atelectasis
	if !lungPositive && !s.negConsol {
		c.say(t.LungsClear)
	}
	if s.negConsol {
		c.say(t.NoConsol)
	}
	if s.negEdema {
		c.say(t.NoEdema)
	} else if !s.edema && c.r.chance(0.2) {
		c.say(t.VascularityNormal)
	}
}

// chestPleura writes effusions and pneumothoraces, present, resolved or
// stated absent.
func (c *radReport) chestPleura(s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	if s.effusion {
		side := pick(r, sides3)
		c.set(rsSide, side)
		c.set(rsSize, pick(r, sizesSML))
		c.setChange(c.change())
		if side == "bilateral" {
			c.say(t.EffusionBilatF)
			c.impress(prioModerate, t.EffusionBilatI)
		} else {
			c.say(t.EffusionF)
			c.impress(prioModerate, t.EffusionI)
		}
	}
	if s.ptx {
		c.chestPneumothorax(s)
	}
	if s.resolvedEffusion {
		c.set(rsSide, pick(r, sides2))
		c.say(t.EffusionResolvedF)
		c.impress(prioMinor, t.EffusionResolvedI)
	}
	if s.resolvedPtx {
		c.set(rsSide, pick(r, sides2))
		c.say(t.PtxResolvedF)
		c.impress(prioMinor, t.PtxResolvedI)
	}
	switch {
	case s.negEff && s.negPtx && r.chance(0.5):
		c.say(t.NoEffPtx)
	default:
		if s.negEff {
			c.say(t.NoEff)
		}
		if s.negPtx {
			c.say(t.NoPtx)
		}
	}
}

// chestPneumothorax writes a pneumothorax, measured half of the time.
func (c *radReport) chestPneumothorax(s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	c.set(rsSide, s.ptxSide)
	c.set(rsSize, pick(r, []string{"small", "small", "moderate", "large"}))
	if !r.chance(0.5) {
		c.say(t.PtxF)
		c.impress(prioCritical, t.PtxI)
		return
	}
	c.set(rsMeas, measCM(r, 5, 45))
	c.say(t.PtxMeasF)
	if r.chance(0.6) {
		c.impress(prioCritical, t.PtxMeasI)
	} else {
		c.impress(prioCritical, t.PtxI)
	}
}

// chestBones writes rib fractures, acute or old, or normal bones.
func (c *radReport) chestBones(s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	switch {
	case s.fracture:
		c.ribs(r.between(1, 3) > 1)
		c.set(rsLoc, pick(r, []string{"posterior", "lateral", "anterior", "posterolateral"}))
		c.say(t.RibFractureF)
		if s.negPtx && r.chance(0.5) {
			c.impress(prioMajor, t.RibFractureNoPtxI)
		} else {
			c.impress(prioMajor, t.RibFractureI)
		}
	case s.oldFracture:
		c.ribs(false)
		c.say(t.OldRibFractureF)
		c.maybeImpress(0.3, prioIncidental, t.OldRibFractureI)
	default:
		c.say(t.BonesNormal)
	}
}

// chestImpression adds what the impression says besides the findings: no
// acute process when nothing acute was found, no pneumothorax after lines.
func (c *radReport) chestImpression(s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	acute := s.consol || s.edema || s.ptx || s.effusion || s.fracture || s.cardiomegaly
	if !acute {
		switch {
		case len(c.imp) == 0 && c.prior && r.chance(0.3):
			c.impress(prioNoAcute, t.ChestStableI)
		case len(c.imp) == 0 && s.negConsol && r.chance(0.25):
			c.impress(prioNoAcute, t.NoPneumoniaI)
		case len(c.imp) == 0 && r.chance(0.3):
			c.impress(prioNoAcute, t.ChestNormalI)
		default:
			c.impress(prioNoAcute, t.ChestNoAcuteI)
		}
	}
	if s.tubesOrLines() && s.negPtx && r.chance(0.5) {
		c.impress(prioNegative, t.NoPtxI)
	}
}

// ribs fills the rib slots for one or several ribs.
func (c *radReport) ribs(several bool) {
	c.set(rsSide, pick(c.r, sides2))
	if several {
		c.set(rsN, pick(c.r, ribNumbers[6:]))
		c.set(rsPart, "ribs")
		c.set(rsBone, "fractures")
	} else {
		c.set(rsN, pick(c.r, ribNumbers[:6]))
		c.set(rsPart, "rib")
		c.set(rsBone, "fracture")
	}
}

func (c *radReport) drawDevices() []int {
	r := c.r
	var ds []int
	if r.chance(0.45) {
		ds = append(ds, devETT)
		if r.chance(0.7) {
			ds = append(ds, devNGT)
		}
	}
	if r.chance(0.45) {
		ds = append(ds, pick(r, []int{devCVC, devCVC, devPICC}))
	}
	if r.chance(0.2) {
		ds = append(ds, devPacer)
	}
	if len(ds) == 0 {
		ds = append(ds, pick(r, []int{devCVC, devPICC, devPacer, devETT}))
	}
	return ds
}

func chestReasons(s *chestState) []string {
	switch {
	case s.hasDevice(devETT):
		return []string{"intubation, assess ETT position", "s/p intubation", "respiratory failure, intubated", "ET tube placement"}
	case s.tubesOrLines():
		return []string{"line placement", "central line placement, confirm position", "PICC placement", "s/p line placement, eval for pneumothorax", "pacemaker placement"}
	case s.ptx:
		return []string{"chest pain and dyspnea", "sudden onset shortness of breath", "trauma, chest pain", "s/p lung biopsy, evaluate for pneumothorax", "follow-up pneumothorax"}
	case s.consol:
		return []string{"cough and fever", "fever, productive cough", "leukocytosis, evaluate for pneumonia", "hypoxia and cough", "shortness of breath, fever", "r/o pneumonia"}
	case s.edema || s.cardiomegaly:
		return []string{"shortness of breath", "dyspnea on exertion, lower extremity edema", "CHF exacerbation", "hypoxia", "orthopnea"}
	case s.effusion:
		return []string{"shortness of breath", "follow-up effusion", "decreased breath sounds at the base", "dyspnea", "pleuritic chest pain"}
	case s.fracture:
		return []string{"fall, chest wall pain", "motor vehicle collision, rib pain", "trauma", "fall with chest wall tenderness"}
	case s.nodule:
		return []string{"cough", "smoker, chronic cough", "weight loss", "follow-up nodule"}
	}
	return []string{"cough", "chest pain", "shortness of breath", "preoperative evaluation", "fever", "hypoxia", "fall", "weakness", "tachycardia", "pre-op", "syncope", "abnormal breath sounds", "cough and fever", "r/o pneumonia"}
}

func (c *radReport) chestDevice(d int, s *chestState) {
	r, t := c.r, &c.v.Phrases.Chest
	switch d {
	case devETT:
		if r.chance(0.85) {
			c.set(rsMeas, measCM(r, 30, 60))
			c.say(t.EttF)
			c.impress(prioDevice, t.EttI)
		} else {
			c.set(rsMeas, measCM(r, 2, 12))
			c.say(t.EttLowF)
			c.impress(prioCritical, t.EttLowI)
		}
	case devNGT:
		c.set(rsDevice, pick(r, []string{"nasogastric tube", "orogastric tube", "enteric tube", "feeding tube"}))
		c.say(t.NgtF)
		if r.chance(0.6) {
			c.impress(prioDevice, t.NgtI)
		}
	case devCVC, devPICC:
		c.set(rsSide, pick(r, sides2))
		if d == devCVC {
			c.set(rsDevice, pick(r, []string{"internal jugular central venous catheter", "internal jugular line", "subclavian central venous catheter", "internal jugular introducer"}))
		} else {
			c.set(rsDevice, pick(r, []string{"PICC line", "PICC", "peripherally inserted central catheter"}))
		}
		c.set(rsTip, pick(r, []string{"the mid SVC", "the distal SVC", "the cavoatrial junction", "the low SVC", "the upper right atrium"}))
		c.say(t.LineF)
		c.impress(prioDevice, t.LineI)
	case devPacer:
		c.set(rsSide, pick(r, []string{"left", "left", "right"}))
		c.set(rsDevice, pick(r, []string{"pacemaker", "dual-chamber pacemaker", "AICD", "pacer-defibrillator"}))
		c.say(t.PacerF)
		if r.chance(0.3) {
			c.impress(prioDevice, t.PacerI)
		}
	case devChestTube:
		c.set(rsSide, s.ptxSide)
		c.say(t.ChestTubeF)
		if r.chance(0.5) {
			c.impress(prioDevice, t.ChestTubeI)
		}
	case devSternotomy:
		c.say(t.SternotomyF)
	}
}

// --------------------------------------------------------------- CT head

var brainLobes = []string{"frontal", "parietal", "temporal", "occipital"}

// headState is what a head CT shows.
type headState struct {
	sdh, iph, sah, infarct, mass, skullFx bool
	smallVessel, atrophy, chronicInfarct  bool
	shift, shiftSide                      string // midline shift ("" for none) and the side of the lesion causing it
	negHem                                bool   // the findings state that there is no hemorrhage
}

func (s *headState) hemorrhage() bool { return s.sdh || s.iph || s.sah }

func (s *headState) acute() bool {
	return s.sdh || s.iph || s.sah || s.infarct || s.mass || s.skullFx
}

// ctHead writes a noncontrast head CT: header, lesions, negatives and
// chronic changes, bones and sinuses, and a normal impression when
// nothing acute was found.
func (c *radReport) ctHead() {
	s := c.drawHead()
	c.headHeader(s)
	c.headLesions(s)
	c.newLine()
	c.headNegatives(s)
	c.headChronic(s)
	c.newLine()
	c.headBonesAndSinuses(s)
	if !s.acute() {
		t := &c.v.Phrases.Head
		if s.negHem && c.r.chance(0.3) {
			c.impress(prioNoAcute, t.HeadNoHemI)
		} else {
			c.impress(prioNoAcute, t.HeadNormalI)
		}
	}
}

// drawHead draws the lesions (at most one kind, with the combinations
// trauma brings) and the age-related changes.
func (c *radReport) drawHead() *headState {
	r := c.r
	s := &headState{}
	if !r.chance(0.5) {
		switch r.intn(9) {
		case 0, 1:
			s.sdh = true
		case 2:
			s.iph = true
		case 3:
			s.sah = true
		case 4, 5:
			s.infarct = true
		case 6:
			s.mass = true
		case 7:
			s.skullFx = true
			s.sdh = r.chance(0.3)
		default:
			s.sah = true
			s.skullFx = r.chance(0.5)
		}
	}
	age := c.age
	s.smallVessel = age > 55 && r.chance(0.45)
	s.atrophy = age > 60 && r.chance(0.4)
	s.chronicInfarct = !s.infarct && age > 50 && r.chance(0.08)
	return s
}

// headHeader writes the EXAMINATION, INDICATION, TECHNIQUE and
// COMPARISON sections.
func (c *radReport) headHeader(s *headState) {
	r := c.r
	c.section("EXAMINATION", pick(r, []string{"CT HEAD W/O CONTRAST", "CT head without contrast", "NONCONTRAST HEAD CT", "CT BRAIN WITHOUT IV CONTRAST"}))
	c.section(pick(r, []string{"INDICATION", "HISTORY", "CLINICAL INDICATION"}), c.indication(headReasons(s)))
	if r.chance(0.6) {
		c.section("TECHNIQUE", pick(r, []string{
			"Contiguous axial images were obtained through the brain without intravenous contrast. Coronal and sagittal reformats were generated.",
			"Axial noncontrast images of the head with multiplanar reformats.",
			"Noncontrast CT of the head. Dose reduction techniques were used.",
		}))
	}
	c.comparison(0.35, "Head CT")
}

func headReasons(s *headState) []string {
	switch {
	case s.skullFx || s.sdh:
		return []string{"fall with head strike", "fall on anticoagulation", "head trauma", "assault, head injury", "found down"}
	case s.infarct:
		return []string{"acute onset left-sided weakness", "acute onset right-sided weakness", "aphasia", "facial droop", "code stroke", "slurred speech"}
	case s.iph || s.sah:
		return []string{"worst headache of life", "sudden severe headache", "hypertensive emergency with headache", "decreased level of consciousness"}
	case s.mass:
		return []string{"new seizure", "progressive headaches", "personality change", "new focal deficit"}
	}
	return []string{"headache", "altered mental status", "fall, head strike", "dizziness", "syncope", "confusion", "weakness"}
}

// headLesions writes each lesion present with its impression.
func (c *radReport) headLesions(s *headState) {
	if s.sdh {
		c.headSubdural(s)
	}
	if s.iph {
		c.headParenchymalHemorrhage()
	}
	if s.sah {
		c.headSubarachnoidHemorrhage()
	}
	if s.infarct {
		c.headInfarct()
	}
	if s.mass {
		c.headMass(s)
	}
	if s.skullFx {
		c.headSkullFracture()
	}
	if s.chronicInfarct {
		c.headChronicInfarct()
	}
}

// headSubdural writes a subdural hematoma; a thick one shifts the midline.
func (c *radReport) headSubdural(s *headState) {
	r, t := c.r, &c.v.Phrases.Head
	side := pick(r, sides2)
	c.set(rsSide, side)
	acuity := pick(r, []string{"acute", "acute", "subacute", "chronic", "acute-on-chronic"})
	c.set(rsSev, acuity)
	c.set(rsWhat, withArticle(acuity))
	c.set(rsLoc, pick(r, []string{"holohemispheric", "frontoparietal", "convexity", "frontotemporal"}))
	thick := r.between(3, 22)
	c.set(rsMeas, itoa(thick)+" mm")
	if thick >= 8 {
		s.shift = measMM(r, 2, min(thick, 12))
		s.shiftSide = side
	}
	c.setShift(s.shift, s.shiftSide)
	c.say(t.SdhF)
	if s.shift != "" {
		c.say(t.ShiftF)
		c.impress(prioCritical, t.SdhShiftI)
	} else {
		c.impress(prioCritical, t.SdhI)
	}
}

func (c *radReport) headParenchymalHemorrhage() {
	r, t := c.r, &c.v.Phrases.Head
	c.set(rsSide, pick(r, sides2))
	c.set(rsLoc, pick(r, []string{"frontal lobe", "parietal lobe", "temporal lobe", "occipital lobe", "basal ganglia", "thalamus", "cerebellar hemisphere"}))
	c.set(rsMeas, measCM(r, 8, 52))
	c.say(t.IphF)
	c.impress(prioCritical, t.IphI)
}

func (c *radReport) headSubarachnoidHemorrhage() {
	r, t := c.r, &c.v.Phrases.Head
	c.set(rsSide, pick(r, sides2))
	c.set(rsSize, pick(r, []string{"small volume", "trace", "scattered"}))
	c.set(rsLoc, pick(r, []string{"sylvian fissure", "frontal sulci", "parietal sulci", "temporal sulci"}))
	c.say(t.SahF)
	c.impress(prioCritical, t.SahI)
}

func (c *radReport) headInfarct() {
	r, t := c.r, &c.v.Phrases.Head
	c.set(rsSide, pick(r, sides2))
	c.set(rsLoc, pick(r, []string{"MCA", "MCA", "PCA", "ACA"}))
	acuity := pick(r, []string{"acute", "acute", "subacute", "evolving"})
	c.set(rsSev, acuity)
	c.set(rsWhat, withArticle(acuity))
	c.say(t.InfarctF)
	c.impress(prioCritical, t.InfarctI)
}

// headMass writes a mass, which shifts the midline half of the time.
func (c *radReport) headMass(s *headState) {
	r, t := c.r, &c.v.Phrases.Head
	side := pick(r, sides2)
	c.set(rsSide, side)
	c.set(rsLoc, pick(r, brainLobes))
	c.set(rsMeas, measCM(r, 12, 55))
	c.set(rsWhat, pick(r, []string{"heterogeneous", "hypodense", "hyperdense", "partially cystic"}))
	if r.chance(0.5) {
		s.shift = measMM(r, 2, 9)
		s.shiftSide = side
	}
	c.setShift(s.shift, s.shiftSide)
	c.say(t.MassF)
	if s.shift != "" {
		c.say(t.ShiftF)
		c.impress(prioCritical, t.MassShiftI)
	} else {
		c.impress(prioCritical, t.MassI)
	}
}

func (c *radReport) headSkullFracture() {
	r, t := c.r, &c.v.Phrases.Head
	c.set(rsSide, pick(r, sides2))
	c.set(rsBone, pick(r, brainLobes))
	c.set(rsSev, pick(r, []string{"nondisplaced", "nondisplaced", "minimally displaced", "depressed"}))
	c.say(t.SkullFxF)
	c.impress(prioMajor, t.SkullFxI)
}

func (c *radReport) headChronicInfarct() {
	r, t := c.r, &c.v.Phrases.Head
	c.set(rsSide, pick(r, sides2))
	c.set(rsLoc, pick(r, []string{"MCA", "PCA", "ACA"}))
	c.say(t.ChronicInfarctF)
	c.maybeImpress(0.4, prioIncidental, t.ChronicInfarctI)
}

// headNegatives states absent entities: only those absent, and the
// combined form only when all three are.
func (c *radReport) headNegatives(s *headState) {
	r, t := c.r, &c.v.Phrases.Head
	s.negHem = !s.hemorrhage() && r.chance(0.9)
	switch {
	case s.negHem && s.shift == "" && !s.mass && !s.infarct && r.chance(0.5):
		c.say(t.HeadNoHemMassInfarct)
	default:
		if s.negHem {
			c.say(t.HeadNoHem)
		}
		if s.shift == "" && !s.mass && r.chance(0.7) {
			c.say(t.HeadNoShift)
		}
		if !s.infarct && r.chance(0.5) {
			c.say(t.HeadNoInfarct)
		}
	}
	if !s.infarct && r.chance(0.6) {
		c.say(t.HeadGrayWhite)
	}
}

// headChronic writes small vessel disease and atrophy, or normal
// ventricles.
func (c *radReport) headChronic(s *headState) {
	r, t := c.r, &c.v.Phrases.Head
	if s.smallVessel {
		c.set(rsSev, pick(r, []string{"mild", "moderate", "extensive"}))
		c.say(t.SmallVesselF)
		c.maybeImpress(0.5, prioIncidental, t.SmallVesselI)
	}
	if s.atrophy {
		c.set(rsSev, pick(r, []string{"mild", "moderate"}))
		c.say(t.AtrophyF)
		c.maybeImpress(0.2, prioIncidental, t.AtrophyI)
	} else if r.chance(0.6) {
		c.say(t.HeadVentricles)
	}
}

// headBonesAndSinuses writes the calvarium and the paranasal sinuses.
func (c *radReport) headBonesAndSinuses(s *headState) {
	r, t := c.r, &c.v.Phrases.Head
	if !s.skullFx && r.chance(0.7) {
		c.say(t.HeadNoFracture)
	}
	if r.chance(0.3) {
		c.set(rsSide, pick(r, sides2))
		c.say(t.SinusDisease)
	} else if r.chance(0.7) {
		c.say(t.SinusClear)
	}
}

// setShift fills the midline shift slots: the amount and the direction,
// away from the side of the lesion.
func (c *radReport) setShift(shift, side string) {
	c.set(rsMeas2, shift)
	if side != "" {
		c.set(rsDir, opposite(side))
	}
}

// ------------------------------------------------------- abdominal US

// abdomenState is what an abdominal ultrasound shows; complete studies
// include the left kidney, the spleen and the aorta, limited (RUQ) ones
// do not.
type abdomenState struct {
	complete                                                            bool
	stones, cholecystitis, cbd, steatosis, cyst, hydro, ascites, spleen bool
}

// abdomenUS writes an abdominal or right upper quadrant ultrasound, organ
// by organ, with a normal impression when nothing was found.
func (c *radReport) abdomenUS() {
	s := c.drawAbdomen()
	c.abdomenHeader(s)
	c.abdomenLiver(s)
	c.newLine()
	c.abdomenGallbladder(s)
	c.abdomenBileDucts(s)
	c.newLine()
	if c.r.chance(0.7) {
		c.say(c.v.Phrases.Abdomen.Pancreas)
	}
	c.abdomenKidneys(s)
	c.abdomenSpleenAndAscites(s)
	if len(c.imp) == 0 {
		t := &c.v.Phrases.Abdomen
		if s.complete {
			c.impress(prioNoAcute, t.AbdomenNormalI)
		} else {
			c.impress(prioNoAcute, t.RuqNormalI)
		}
	}
}

// drawAbdomen draws the study and one or two findings (or none).
func (c *radReport) drawAbdomen() *abdomenState {
	r := c.r
	s := &abdomenState{complete: r.chance(0.4)}
	if r.chance(0.4) {
		return s
	}
	n := 1 + r.intn(2)
	for k := 0; k < n; k++ {
		switch r.intn(10) {
		case 0, 1, 2:
			s.stones = true
			s.cholecystitis = s.cholecystitis || r.chance(0.3)
		case 3:
			s.cholecystitis = true
			s.stones = s.stones || r.chance(0.8)
		case 4:
			s.cbd = true
		case 5, 6:
			s.steatosis = true
		case 7:
			s.cyst = true
		case 8:
			s.hydro = true
		default:
			s.ascites = true
			s.spleen = s.complete && r.chance(0.5)
		}
	}
	return s
}

// abdomenHeader writes the EXAMINATION, INDICATION and COMPARISON
// sections.
func (c *radReport) abdomenHeader(s *abdomenState) {
	r := c.r
	if s.complete {
		c.section("EXAMINATION", pick(r, []string{"US ABDOMEN COMPLETE", "Complete abdominal ultrasound", "ULTRASOUND OF THE ABDOMEN"}))
	} else {
		c.section("EXAMINATION", pick(r, []string{"US ABDOMEN LIMITED (RUQ)", "Right upper quadrant ultrasound", "RUQ US", "ULTRASOUND RIGHT UPPER QUADRANT"}))
	}
	c.section(pick(r, []string{"INDICATION", "HISTORY", "CLINICAL HISTORY"}), c.indication(abdomenReasons(s)))
	c.comparison(0.25, "Ultrasound")
}

func abdomenReasons(s *abdomenState) []string {
	switch {
	case s.cholecystitis:
		return []string{"RUQ pain and fever", "RUQ pain, positive Murphy sign on exam", "fever, leukocytosis, RUQ tenderness"}
	case s.stones || s.cbd:
		return []string{"RUQ pain after fatty meals", "jaundice", "elevated bilirubin", "postprandial RUQ pain"}
	case s.ascites:
		return []string{"abdominal distension", "cirrhosis, increasing girth", "evaluate for ascites"}
	case s.hydro:
		return []string{"flank pain", "acute kidney injury", "hematuria", "flank pain and dysuria"}
	}
	return []string{"RUQ pain", "elevated LFTs", "abnormal liver function tests", "nausea and vomiting", "epigastric pain", "abdominal pain"}
}

// abdomenLiver writes steatosis and a cyst or lesion.
func (c *radReport) abdomenLiver(s *abdomenState) {
	r, t := c.r, &c.v.Phrases.Abdomen
	switch {
	case s.steatosis:
		c.set(rsSev, pick(r, sevs))
		c.say(t.SteatosisF)
		c.impress(prioMinor, t.SteatosisI)
	case r.chance(0.8):
		c.say(t.LiverNormal)
	}
	if !s.cyst {
		if r.chance(0.5) {
			c.say(t.NoLiverLesion)
		}
		return
	}
	c.set(rsSide, pick(r, sides2))
	c.set(rsMeas, measCM(r, 6, 48))
	if r.chance(0.7) {
		c.say(t.LiverCystF)
		c.impress(prioIncidental, t.LiverCystI)
	} else {
		c.say(t.LiverLesionF)
		c.impress(prioModerate, t.LiverLesionI)
	}
}

// abdomenGallbladder writes gallstones and cholecystitis, or a normal
// gallbladder.
func (c *radReport) abdomenGallbladder(s *abdomenState) {
	r, t := c.r, &c.v.Phrases.Abdomen
	if s.stones {
		if r.chance(0.3) {
			c.set(rsMeas, measCM(r, 4, 28))
			c.say(t.SingleStoneF)
		} else {
			c.set(rsMeas, measCM(r, 4, 28))
			c.say(t.StonesF)
		}
	}
	if s.cholecystitis {
		c.set(rsMeas2, measMM(r, 4, 9))
		if r.chance(0.6) {
			c.say(t.GbWallFluidF)
		} else {
			c.say(t.GbWallF)
		}
		c.say(t.MurphyPosF)
		if s.stones {
			c.impress(prioMajor, t.CalculousCholecystitisI)
		} else {
			c.impress(prioMajor, t.CholecystitisI)
		}
		return
	}
	if !s.stones {
		c.say(t.GbNormal)
	}
	c.say(t.NoGbWall)
	if r.chance(0.7) {
		c.say(t.MurphyNegF)
	}
	if s.stones {
		if r.chance(0.7) {
			c.impress(prioModerate, t.StonesNoCholecystitisI)
		} else {
			c.impress(prioModerate, t.StonesI)
		}
	}
}

// abdomenBileDucts writes the common bile duct, dilated or not.
func (c *radReport) abdomenBileDucts(s *abdomenState) {
	r, t := c.r, &c.v.Phrases.Abdomen
	if s.cbd {
		c.set(rsMeas2, measMM(r, 8, 16))
		c.say(t.CbdDilatedF)
		c.impress(prioModerate, t.CbdDilatedI)
		return
	}
	c.set(rsMeas2, measMM(r, 2, 6))
	c.say(t.CbdNormalF)
	if r.chance(0.7) {
		c.say(t.NoDuctalDilatation)
	}
}

// abdomenKidneys writes the right kidney in every study and the left in
// complete ones, with hydronephrosis on one side or both.
func (c *radReport) abdomenKidneys(s *abdomenState) {
	r, t := c.r, &c.v.Phrases.Abdomen
	hydroSide := ""
	if s.hydro {
		if s.complete {
			hydroSide = pick(r, sides3)
		} else {
			hydroSide = "right"
		}
	}
	for _, side := range []string{"right", "left"} {
		if side == "left" && !s.complete {
			break
		}
		c.set(rsSide, side)
		c.set(rsMeas, measCM(r, 92, 126))
		if hydroSide == side || hydroSide == "bilateral" {
			c.set(rsSev, pick(r, sevs))
			c.say(t.KidneyHydroF)
			if hydroSide == side {
				c.impress(prioModerate, t.HydroI)
			}
		} else {
			c.say(t.KidneyNormalF)
		}
	}
	if hydroSide == "bilateral" {
		c.set(rsSide, "bilateral")
		c.impress(prioModerate, t.HydroBilatI)
	}
}

// abdomenSpleenAndAscites writes the spleen and aorta of a complete study
// and ascites, present or stated absent.
func (c *radReport) abdomenSpleenAndAscites(s *abdomenState) {
	r, t := c.r, &c.v.Phrases.Abdomen
	if s.complete {
		if s.spleen {
			c.set(rsMeas, measCM(r, 135, 190))
			c.say(t.SpleenEnlargedF)
			c.impress(prioMinor, t.SplenomegalyI)
		} else {
			c.set(rsMeas, measCM(r, 80, 120))
			c.say(t.SpleenNormalF)
		}
		if r.chance(0.6) {
			c.say(t.AortaNormal)
		}
	}
	if s.ascites {
		c.set(rsSize, pick(r, []string{"small", "small", "moderate", "large"}))
		c.say(t.AscitesF)
		c.impress(prioModerate, t.AscitesI)
	} else if r.chance(0.6) {
		c.say(t.NoAscites)
	}
}

// ----------------------------------------------------------- extremity

type extremityPart struct {
	Name       string   `json:"name"`
	Exam       string   `json:"exam"`
	Bones      []string `json:"bones"`
	Angulation []string `json:"angulation"`
	Dislocate  string   `json:"dislocation,omitempty"` // "" when dislocation is not drawn for this part
	Effusion   bool     `json:"effusion,omitempty"`    // joint effusion is reported for this part
	Hardware   []string `json:"hardware,omitempty"`
}

// extremityState is what an extremity radiograph shows.
type extremityState struct {
	part                                                    *extremityPart
	side                                                    string
	fracture, dislocation, effusion, oa, swelling, hardware bool
}

// extremity writes a radiograph of one part of a limb: header, fracture
// and alignment, joint, soft tissues and bone, with a normal impression
// when there is no fracture or dislocation.
func (c *radReport) extremity() {
	s := c.drawExtremity()
	c.extremityHeader(s)
	if s.fracture {
		c.extremityFracture(s)
	}
	c.extremityAlignment(s)
	c.newLine()
	c.extremityJointAndSoftTissues(s)
	if !s.fracture && !s.dislocation {
		c.impress(prioNoAcute, c.v.Phrases.Extremity.LimbNormalI)
	}
}

// drawExtremity draws the part and side, and one kind of finding (or
// none) with what comes with it.
func (c *radReport) drawExtremity() *extremityState {
	r := c.r
	parts := c.v.ExtremityParts
	p := &parts[r.intn(len(parts))]
	s := &extremityState{part: p, side: pick(r, sides2)}
	c.set(rsSide, s.side)
	c.set(rsPart, p.Name)
	if r.chance(0.45) {
		s.oa = r.chance(0.15)
		return s
	}
	switch r.intn(6) {
	case 0, 1, 2:
		s.fracture = true
		s.swelling = r.chance(0.6)
		s.effusion = p.Effusion && r.chance(0.4)
		s.dislocation = p.Dislocate != "" && r.chance(0.15)
	case 3:
		s.oa = true
		s.effusion = p.Effusion && r.chance(0.3)
	case 4:
		if p.Dislocate != "" {
			s.dislocation = true
		} else {
			s.fracture = true
		}
		s.swelling = r.chance(0.5)
	default:
		if len(p.Hardware) > 0 {
			s.hardware = true
		} else {
			s.swelling = true
		}
		s.oa = r.chance(0.4)
	}
	return s
}

// extremityHeader writes the EXAMINATION, INDICATION and COMPARISON
// sections.
func (c *radReport) extremityHeader(s *extremityState) {
	r := c.r
	views := pick(r, []string{"2 VIEWS", "3 VIEWS", "3 VIEWS", "MIN 3 VIEWS"})
	c.section("EXAMINATION", strings.ToUpper(s.side)+" "+s.part.Exam+", "+views)
	reasons := []string{"pain", "pain after fall", "swelling and pain", "twisting injury", "trauma", "chronic pain", "pain, evaluate for fracture"}
	if s.hardware {
		reasons = []string{"postoperative follow-up", "follow-up after fixation", "pain at the operative site"}
	} else if s.oa && !s.fracture {
		reasons = []string{"chronic pain", "stiffness", "pain with weight bearing", "evaluate for arthritis"}
	}
	c.section(pick(r, []string{"INDICATION", "HISTORY", "CLINICAL HISTORY"}), c.indication(reasons))
	c.comparison(0.2, "Radiograph")
}

// extremityFracture writes the fracture with its details, the same in
// findings and impression: " with 8 mm of displacement and 20 degrees of
// dorsal angulation".
func (c *radReport) extremityFracture(s *extremityState) {
	r, t := c.r, &c.v.Phrases.Extremity
	c.set(rsBone, pick(r, s.part.Bones))
	c.set(rsDir, pick(r, []string{"transverse", "oblique", "comminuted", "impacted", "spiral"}))
	var details []string
	switch r.intn(4) {
	case 0, 1:
		c.set(rsSev, "nondisplaced")
	case 2:
		c.set(rsSev, "minimally displaced")
	default:
		c.set(rsSev, "displaced")
		details = append(details, measMM(r, 3, 15)+" of displacement")
	}
	if r.chance(0.35) {
		details = append(details, itoa(5*r.between(2, 8))+" degrees of "+pick(r, s.part.Angulation)+" angulation")
	}
	if r.chance(0.2) {
		details = append(details, "intra-articular extension")
	}
	c.set(rsN, withList(details))
	c.say(t.LimbFractureF)
	c.impress(prioCritical, t.LimbFractureI)
}

// extremityAlignment writes a dislocation or normal alignment, hardware,
// and the absence of fracture and dislocation.
func (c *radReport) extremityAlignment(s *extremityState) {
	r, t := c.r, &c.v.Phrases.Extremity
	if s.dislocation {
		c.set(rsWhat, s.part.Dislocate)
		c.say(t.DislocationF)
		c.impress(prioCritical, t.DislocationI)
	} else if r.chance(0.6) {
		c.say(t.AlignmentNormal)
	}
	if s.hardware {
		c.set(rsDevice, pick(r, s.part.Hardware))
		c.say(t.HardwareF)
		c.impress(prioMinor, t.HardwareI)
	}
	if !s.fracture && !s.dislocation {
		c.say(t.NoFractureDislocation)
	}
}

// extremityJointAndSoftTissues writes the joint effusion, arthritis, soft
// tissues and bone mineralization.
func (c *radReport) extremityJointAndSoftTissues(s *extremityState) {
	r, t := c.r, &c.v.Phrases.Extremity
	if s.effusion {
		c.set(rsSize, pick(r, []string{"small", "moderate", "large"}))
		c.say(t.JointEffusionF)
		c.impress(prioMinor, t.JointEffusionI)
	} else if s.part.Effusion && r.chance(0.6) {
		c.say(t.NoJointEffusion)
	}
	if s.oa {
		c.set(rsSev, pick(r, sevs))
		c.say(t.OaF)
		c.maybeImpress(0.7, prioIncidental, t.OaI)
	} else if r.chance(0.6) {
		c.say(t.JointSpacesNormal)
	}
	if s.swelling {
		c.say(t.SwellingF)
	} else if r.chance(0.6) {
		c.say(t.SoftTissuesNormal)
	}
	if r.chance(0.3) {
		c.say(t.Mineralization)
	}
}

// withList renders details as " with a", " with a and b", " with a, b and
// c", or "" when there are none.
func withList(details []string) string {
	switch len(details) {
	case 0:
		return ""
	case 1:
		return " with " + details[0]
	}
	return " with " + strings.Join(details[:len(details)-1], ", ") + " and " + details[len(details)-1]
}

// withArticle prefixes "a" or "an" by the first letter.
func withArticle(w string) string {
	if w != "" && strings.IndexByte("aeiou", w[0]) >= 0 {
		return "an " + w
	}
	return "a " + w
}
