package synth

import (
	"encoding/json"
	"sync"
)

// radiologyFile is data/radiology.json: the phrasings of every statement
// a report makes, per study, and the parts an extremity radiograph shows.
type radiologyFile struct {
	Phrases        radTemplates    `json:"phrases"`
	ExtremityParts []extremityPart `json:"extremityParts"`
}

// radiologyData is data/radiology.json, decoded (and its templates
// compiled) once.
var radiologyData = sync.OnceValue(func() *radiologyFile { return mustLoad[radiologyFile]("radiology.json") })

// validate checks that every statement has phrasings and every extremity
// part bones to break.
func (f *radiologyFile) validate() error {
	t := &f.Phrases
	for _, err := range []error{
		requireLists("radiology phrases.chest", &t.Chest),
		requireLists("radiology phrases.ctHead", &t.Head),
		requireLists("radiology phrases.abdomenUS", &t.Abdomen),
		requireLists("radiology phrases.extremity", &t.Extremity),
		requireLists("radiology", f),
	} {
		if err != nil {
			return err
		}
	}
	for i := range f.ExtremityParts {
		p := &f.ExtremityParts[i]
		if err := requireLists("extremity part "+p.Name, p, "Hardware"); err != nil {
			return err
		}
	}
	return nil
}

// radTemplates holds the phrasings of every radiology statement, one
// group per study; in data/radiology.json each group is an object whose
// keys are its field names with a lower-case first letter. Fields ending
// in F are findings sentences, fields ending in I impression sentences;
// the report code sets the slots (<side>, <meas>, ...) once and renders a
// matching pair, so to add a phrasing add a string to a list, using only
// the slots its neighbours use. Impression sentences that name an entity
// positively must not put a negation cue ("no", "without") in front of
// it; negated mentions must (the consistency tests rely on it).
type radTemplates struct {
	Chest     chestPhrases     `json:"chest"`
	Head      headPhrases      `json:"ctHead"`
	Abdomen   abdomenPhrases   `json:"abdomenUS"`
	Extremity extremityPhrases `json:"extremity"`
}

// radPhrases are the phrasings of one radiology statement, compiled with
// radSlots as they are decoded.
type radPhrases []*template

// UnmarshalJSON compiles a JSON list of template sources.
func (p *radPhrases) UnmarshalJSON(b []byte) error {
	var srcs []string
	if err := json.Unmarshal(b, &srcs); err != nil {
		return err
	}
	ts := make(radPhrases, len(srcs))
	for i, src := range srcs {
		t, err := compileTemplate(src, radSlots)
		if err != nil {
			return err
		}
		ts[i] = t
	}
	*p = ts
	return nil
}

// chestPhrases are the statements of a chest radiograph.
type chestPhrases struct {
	HeartNormal, MediastinumExtra, LungsClear, NoConsol, NoEdema, VascularityNormal radPhrases
	NoEff, NoPtx, NoEffPtx, BonesNormal                                             radPhrases
	CardiomegalyF, CardiomegalyI, CardiomegalyNoEdemaI                              radPhrases
	ConsolF, ConsolI, EdemaF, EdemaI, NoduleF, NoduleI, GranulomaF, GranulomaI      radPhrases
	AtelectasisF, AtelectasisI, EmphysemaF, EmphysemaI, HerniaF, HerniaI            radPhrases
	EffusionF, EffusionI, EffusionBilatF, EffusionBilatI                            radPhrases
	EffusionResolvedF, EffusionResolvedI, PtxResolvedF, PtxResolvedI                radPhrases
	PtxF, PtxI, PtxMeasF, PtxMeasI, NoPtxI                                          radPhrases
	RibFractureF, RibFractureI, RibFractureNoPtxI, OldRibFractureF, OldRibFractureI radPhrases
	EttF, EttI, EttLowF, EttLowI, NgtF, NgtI, LineF, LineI, PacerF, PacerI          radPhrases
	ChestTubeF, ChestTubeI, SternotomyF                                             radPhrases
	ChestNoAcuteI, ChestNormalI, ChestStableI, NoPneumoniaI                         radPhrases
}

// headPhrases are the statements of a head CT.
type headPhrases struct {
	SdhF, SdhI, SdhShiftI, ShiftF, IphF, IphI, SahF, SahI, InfarctF, InfarctI      radPhrases
	MassF, MassI, MassShiftI, SkullFxF, SkullFxI, ChronicInfarctF, ChronicInfarctI radPhrases
	HeadNoHemMassInfarct, HeadNoHem, HeadNoShift, HeadNoInfarct, HeadGrayWhite     radPhrases
	SmallVesselF, SmallVesselI, AtrophyF, AtrophyI, HeadVentricles, HeadNoFracture radPhrases
	SinusDisease, SinusClear, HeadNormalI, HeadNoHemI                              radPhrases
}

// abdomenPhrases are the statements of an abdominal or RUQ ultrasound.
type abdomenPhrases struct {
	LiverNormal, SteatosisF, SteatosisI, LiverCystF, LiverCystI, LiverLesionF, LiverLesionI, NoLiverLesion radPhrases
	SingleStoneF, StonesF, StonesI, StonesNoCholecystitisI, GbNormal, NoGbWall, MurphyNegF, MurphyPosF     radPhrases
	GbWallF, GbWallFluidF, CholecystitisI, CalculousCholecystitisI                                         radPhrases
	CbdDilatedF, CbdDilatedI, CbdNormalF, NoDuctalDilatation, Pancreas                                     radPhrases
	KidneyNormalF, KidneyHydroF, HydroI, HydroBilatI, SpleenNormalF, SpleenEnlargedF, SplenomegalyI        radPhrases
	AortaNormal, AscitesF, AscitesI, NoAscites, RuqNormalI, AbdomenNormalI                                 radPhrases
}

// extremityPhrases are the statements of an extremity radiograph.
type extremityPhrases struct {
	LimbFractureF, LimbFractureI, DislocationF, DislocationI, AlignmentNormal, HardwareF, HardwareI radPhrases
	NoFractureDislocation, JointEffusionF, JointEffusionI, NoJointEffusion, OaF, OaI                radPhrases
	JointSpacesNormal, SwellingF, SoftTissuesNormal, Mineralization, LimbNormalI                    radPhrases
}
