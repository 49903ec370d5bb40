package clinical

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testExtractor is the built-in extractor the tests share.
var testExtractor = NewExtractor(nil)

// describeConcept writes a concept claim as "concept:assertion" followed
// by its side, zone, degree and qualifiers, when it has them:
// "pleural-effusion:affirmed side=left zone=lower degree=low stable".
func describeConcept(c Claim) string {
	var b strings.Builder
	b.WriteString(c.ConceptID + ":" + c.Assertion.String())
	if c.Side != 0 {
		b.WriteString(" side=" + c.Side.String())
	}
	if c.Zone != 0 {
		b.WriteString(" zone=" + c.Zone.String())
	}
	if c.Degree != 0 {
		b.WriteString(" degree=" + c.Degree.String())
	}
	for _, q := range []struct {
		on   bool
		name string
	}{{c.Chronic, "chronic"}, {c.Stable, "stable"}, {c.Worse, "worse"}, {c.Indication, "indication"}} {
		if q.on {
			b.WriteString(" " + q.name)
		}
	}
	return b.String()
}

// describeClaim writes any claim: concepts as describeConcept does, the
// others as their type and what they carry.
func describeClaim(text string, c Claim) string {
	switch c.Type {
	case ClaimConcept:
		return describeConcept(c)
	case ClaimNormal:
		return "normal:" + c.Scope.String()
	case ClaimComparison:
		return "comparison:" + c.Comparison.String()
	case ClaimMeasurement:
		return fmt.Sprintf("measurement:%g %s", c.Value, c.Dim)
	case ClaimBadLobe:
		return "bad-lobe:" + c.Side.String()
	}
	return c.Type.String() + ":" + text[c.Span.Start:c.Span.End]
}

// conceptsOf returns the described concept claims of text, in text order.
func conceptsOf(text string) []string {
	var out []string
	for _, c := range testExtractor.Extract(text).Claims {
		if c.Type == ClaimConcept {
			out = append(out, describeConcept(c))
		}
	}
	return out
}

// claimsOf returns the described claims of the given types of text.
func claimsOf(text string, types ...ClaimType) []string {
	var out []string
	for _, c := range testExtractor.Extract(text).Claims {
		if slices.Contains(types, c.Type) {
			out = append(out, describeClaim(text, c))
		}
	}
	return out
}

// conceptCase is a text and every concept claim it must yield.
type conceptCase struct {
	text string
	want []string
}

// runConceptCases checks each case's concept claims exactly: the
// concepts, in text order, with their assertion and attributes.
func runConceptCases(t *testing.T, cases []conceptCase) {
	t.Helper()
	for _, tc := range cases {
		got := conceptsOf(tc.text)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q:\n got  %q\n want %q", tc.text, got, tc.want)
		}
	}
}

// Concepts: synonyms and abbreviations, plurals, upper case and hyphens,
// the longest phrase ("tension pneumothorax"), and "ignore" phrases that
// hold a concept's word but name none ("mass effect", "body mass index",
// "lines and tubes", "hardware complication").
func TestExtractConcepts(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"Small right pleural effusion.", []string{"pleural-effusion:affirmed side=right degree=low"}},
		{"Bilateral pleural effusions.", []string{"pleural-effusion:affirmed side=bilateral"}},
		{"Hydrothorax on the right.", []string{"pleural-effusion:affirmed side=right"}},
		{"Blunting of the left costophrenic angle.", []string{"pleural-effusion:affirmed side=left zone=lower"}},
		{"Right lower lobe infiltrate.", []string{"opacity:affirmed side=right zone=lower"}},
		{"Patchy airspace disease in the left lower lobe.", []string{"opacity:affirmed side=left zone=lower"}},
		{"Ground-glass opacities in both lungs.", []string{"opacity:affirmed side=bilateral"}},
		{"Right apical pneumothorax.", []string{"pneumothorax:affirmed side=right zone=upper"}},
		{"Tension pneumothorax.", []string{"tension-pneumothorax:affirmed"}},
		{"PTX on the left.", []string{"pneumothorax:affirmed side=left"}},
		{"Free air under the right hemidiaphragm.", []string{"free-air:affirmed"}},
		{"Multiple pulmonary nodules.", []string{"nodule:affirmed"}},
		{"Atelectases at both bases.", []string{"atelectasis:affirmed side=bilateral zone=lower"}},
		{"Calcified granulomas.", []string{"granuloma:affirmed"}},
		{"Retained foreign bodies.", []string{"foreign-body:affirmed"}},
		{"Mass effect on the left lateral ventricle.", []string{}},
		{"Body mass index is 31.", []string{}},
		{"All lines and tubes are in satisfactory position.", []string{}},
		{"Total knee arthroplasty without evidence of hardware complication.", []string{"hardware:affirmed"}},
		{"Post-sternotomy changes.", []string{"sternotomy:affirmed"}},
		{"CHEST X-RAY SHOWS CARDIOMEGALY.", []string{"cardiomegaly:affirmed"}},
		{"Patient c/o SOB and chest pain.", []string{"dyspnea:affirmed", "chest-pain:affirmed"}},
		{"Started on vancomycin and piperacillin-tazobactam.", []string{"vancomycin:affirmed", "penicillin:affirmed"}},
		{"Home meds include Coumadin.", []string{"warfarin:affirmed"}},
		{"Foley catheter in place.", []string{"urinary-catheter:affirmed"}},
		{"Right IJ central venous catheter tip in the SVC.", []string{"central-line:affirmed side=right"}},
		{"Dobhoff tube tip in the duodenum.", []string{"enteric-tube:affirmed"}},
		{"Patient reports N/V since this morning.", []string{"nausea-vomiting:affirmed"}},
		{"Rounded opacity in the right upper lobe.", []string{"nodule:affirmed side=right zone=upper"}},
		{"Acute-on-chronic left subdural collection.", []string{"intracranial-hemorrhage:affirmed side=left chronic worse"}},
		{"Mild global volume loss.", []string{"cerebral-atrophy:affirmed degree=low"}},
	})
}

// Groups: a summary's claim is backed by a source claim of any concept
// sharing a group, so the synonyms radiologists use for one finding must
// share one.
func TestConceptGroups(t *testing.T) {
	lex := DefaultLexicon()
	idOf := func(phrase string) int {
		t.Helper()
		for _, c := range testExtractor.Extract(phrase).Claims {
			if c.Type == ClaimConcept {
				return c.concept
			}
		}
		t.Fatalf("%q: no concept", phrase)
		return -1
	}
	for _, tc := range []struct {
		a, b  string
		share bool
	}{
		{"infiltrate", "consolidation", true},
		{"airspace disease", "ground glass opacity", true},
		{"consolidation", "streaky opacity", true}, // linear opacity is an opacity too
		{"streaky opacity", "atelectasis", true},   // and atelectasis
		{"nodule", "mass", true},                   // a nodule backs "mass" ...
		{"calcified granuloma", "nodule", false},   // ... a granuloma does not
		{"pulmonary edema", "vascular congestion", true},
		{"effusion", "hydrothorax", true},
		{"pneumothorax", "tension pneumothorax", true},
		{"coumadin", "anticoagulation", true},
		{"pneumonia", "consolidation", false}, // a radiograph shows consolidation; pneumonia is a diagnosis
		{"atelectasis", "pneumonia", false},
		{"cardiomegaly", "pericardial effusion", false},
	} {
		if got := lex.shareGroup(idOf(tc.a), idOf(tc.b)); got != tc.share {
			t.Errorf("%q and %q share a group: %v, want %v", tc.a, tc.b, got, tc.share)
		}
	}
}

// Assertions, per ConText category and trigger direction.
func TestExtractAssertions(t *testing.T) {
	for _, group := range []struct {
		name  string
		cases []conceptCase
	}{
		{"negated/forward", []conceptCase{
			{"No pneumothorax.", []string{"pneumothorax:negated"}},
			{"There is no pleural effusion.", []string{"pleural-effusion:negated"}},
			{"Without focal consolidation.", []string{"opacity:negated"}},
			{"Negative for pulmonary edema.", []string{"pulmonary-edema:negated"}},
			{"No evidence of free air.", []string{"free-air:negated"}},
			{"Patient denies chest pain.", []string{"chest-pain:negated"}},
			{"Absence of pulmonary nodules.", []string{"nodule:negated"}},
			{"No definite pneumothorax.", []string{"pneumothorax:negated"}},
			{"Interval removal of the right internal jugular central venous catheter.", []string{"central-line:negated side=right"}},
			{"Consistent with resolved pneumonia.", []string{"pneumonia:negated"}},
			{"NKDA.", nil}, // a negation with nothing to deny
		}},
		{"negated/backward", []conceptCase{
			{"Cardiomediastinal silhouette is not enlarged.", []string{"cardiomegaly:negated"}},
			{"Pneumothorax is not seen.", []string{"pneumothorax:negated"}},
			{"A pleural effusion is not identified.", []string{"pleural-effusion:negated"}},
			{"Free air was not demonstrated.", []string{"free-air:negated"}},
			{"Pneumonia has been ruled out.", []string{"pneumonia:negated"}},
			{"The right pleural effusion has resolved.", []string{"pleural-effusion:negated side=right"}},
			{"Pneumonia is unlikely.", []string{"pneumonia:negated"}},
			{"The chest tube has been removed.", []string{"chest-tube:negated"}},
			{"Nodules are absent.", []string{"nodule:negated"}},
		}},
		{"uncertain/forward", []conceptCase{
			{"Possible right lower lobe pneumonia.", []string{"pneumonia:uncertain side=right zone=lower"}},
			{"Findings may represent atelectasis.", []string{"atelectasis:uncertain"}},
			{"Cannot exclude a small left pleural effusion.", []string{"pleural-effusion:uncertain side=left degree=low"}},
			{"Opacity suspicious for malignancy.", []string{"opacity:affirmed", "mass:uncertain"}},
			{"Findings concerning for pneumonia.", []string{"pneumonia:uncertain"}},
			{"Questionable left apical pneumothorax.", []string{"pneumothorax:uncertain side=left zone=upper"}},
			{"? pneumonia.", []string{"pneumonia:uncertain"}},
			{"Rule out pneumonia.", []string{"pneumonia:uncertain"}},
		}},
		{"uncertain/backward", []conceptCase{
			{"A small pneumothorax cannot be excluded.", []string{"pneumothorax:uncertain degree=low"}},
			{"Infection is suspected.", []string{"infection:uncertain"}},
			{"Early pneumonia is not excluded.", []string{"pneumonia:uncertain"}},
			{"Pneumonia has not been excluded.", []string{"pneumonia:uncertain"}},
		}},
		// "or" and "versus" reach both ways, a few words, and only when no
		// other trigger applies.
		{"uncertain/both", []conceptCase{
			{"Atelectasis or pneumonia.", []string{"atelectasis:uncertain", "pneumonia:uncertain"}},
			{"Atelectasis versus consolidation.", []string{"atelectasis:uncertain", "opacity:uncertain"}},
			{"Right lower lobe opacity may represent atelectasis or pneumonia.", []string{"opacity:affirmed side=right zone=lower", "atelectasis:uncertain side=right zone=lower", "pneumonia:uncertain side=right zone=lower"}},
		}},
		{"historical/forward", []conceptCase{
			{"History of pneumonia.", []string{"pneumonia:historical chronic"}},
			{"S/p cholecystectomy.", []string{"cholecystectomy:historical chronic"}},
			{"Status post CABG.", []string{"sternotomy:historical chronic"}},
			{"Old right rib fractures.", []string{"fracture:historical side=right chronic"}},
			{"Healed left clavicle fracture.", []string{"fracture:historical side=left chronic"}},
			{"Patient with h/o CAD and DM2 presents with chest pain.", []string{"cad:historical chronic", "diabetes:historical chronic", "chest-pain:affirmed"}},
			{"Past history of smoking, presenting today with worsening shortness of breath.", []string{"substance-use:historical chronic", "dyspnea:affirmed worse"}},
		}},
		{"historical/backward", []conceptCase{
			{"Tuberculosis in the past.", []string{"tuberculosis:historical chronic"}},
			{"Pneumonia two years ago.", []string{"pneumonia:historical chronic"}},
		}},
		{"hypothetical/forward", []conceptCase{
			{"If fever develops, obtain blood cultures.", []string{"fever:hypothetical"}},
			{"Recommend CT to evaluate for pulmonary embolism.", []string{"pulmonary-embolism:hypothetical"}},
			{"Follow-up to assess for nodule growth.", []string{"nodule:hypothetical"}},
			{"Risk of aspiration.", []string{"pneumonia:hypothetical"}},
			{"Patient educated on signs of bleeding.", []string{"hemorrhage:hypothetical"}},
			{"Call if chest pain returns.", []string{"chest-pain:hypothetical"}},
		}},
		{"hypothetical/backward", []conceptCase{
			{"CT for pulmonary embolism is recommended.", []string{"pulmonary-embolism:hypothetical"}},
			{"DVT prophylaxis.", []string{"dvt:hypothetical"}},
			{"Seizure precautions.", nil}, // an ignore phrase: no seizure is claimed at all
		}},
		{"family/forward", []conceptCase{
			{"Family history of breast cancer.", []string{"mass:family"}},
			{"Her mother had a stroke.", []string{"stroke:family"}},
			{"Father with myocardial infarction.", []string{"myocardial-infarction:family"}},
			{"Family history significant for coronary artery disease.", []string{"cad:family"}},
			{"Maternal grandmother had dementia.", []string{"dementia:family"}},
		}},
		{"family/backward", []conceptCase{
			{"Diabetes runs in the family.", []string{"diabetes:family"}},
		}},
	} {
		t.Run(group.name, func(t *testing.T) { runConceptCases(t, group.cases) })
	}
}

// Pseudo-triggers look like triggers and are not: "no change" denies no
// finding, "without complication" no device, "to suggest" does not make
// a denied finding possible.
func TestExtractPseudoTriggers(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"No change in the small right pleural effusion.", []string{"pleural-effusion:affirmed side=right degree=low stable"}},
		{"No significant interval change in the left basilar opacity.", []string{"opacity:affirmed side=left zone=lower stable"}},
		{"No increase in the size of the pneumothorax.", []string{"pneumothorax:affirmed stable"}},
		{"Gram negative bacteremia.", []string{"sepsis:affirmed"}},
		{"Chest tube placed without complication.", []string{"chest-tube:affirmed"}},
		{"The catheter was inserted without difficulty.", []string{"catheter:affirmed"}},
		{"There is no focal consolidation to suggest pneumonia.", []string{"opacity:negated", "pneumonia:negated"}},
	})
}

// Terminators end a scope: "but", "however", "although", "which",
// "consistent with", "other than", "presents with", "c/o".
func TestExtractTerminators(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"No effusion but small pneumothorax.", []string{"pleural-effusion:negated", "pneumothorax:affirmed degree=low"}},
		{"No pneumothorax; however, there is a small left effusion.", []string{"pneumothorax:negated", "pleural-effusion:affirmed side=left degree=low"}},
		{"No fracture, although there is a small effusion.", []string{"fracture:negated", "pleural-effusion:affirmed degree=low"}},
		{"Denies fever, however reports cough.", []string{"fever:negated", "cough:affirmed"}},
		{"No edema which was seen on the prior study.", []string{"pulmonary-edema:negated"}},
		{"Patient denies chest pain, presents with shortness of breath.", []string{"chest-pain:negated", "dyspnea:affirmed"}},
		{"No acute infiltrate, consistent with resolved pneumonia.", []string{"opacity:negated worse", "pneumonia:negated"}},
		{"No consolidation other than the known right lower lobe scarring.", []string{"opacity:negated", "scarring:affirmed side=right zone=lower"}},
		{"Denies fever, c/o cough.", []string{"fever:negated", "cough:affirmed"}},
	})
}

// Commas: a negated list goes on ("no consolidation, effusion, or
// pneumothorax"; "no pneumothorax, large pleural effusion" denies a large
// effusion), but a comma ends the scope before a new clause ("the heart is
// enlarged"), another category's trigger, a pseudo-trigger or a stable or
// chronic finding; a cue right before a comma covers nothing after it.
func TestExtractCommas(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"No consolidation, effusion, or pneumothorax is seen.", []string{"opacity:negated", "pleural-effusion:negated", "pneumothorax:negated"}},
		{"No focal consolidation, pleural effusion or pneumothorax.", []string{"opacity:negated", "pleural-effusion:negated", "pneumothorax:negated"}},
		{"No pneumothorax, large pleural effusion, or focal airspace disease.", []string{"pneumothorax:negated", "pleural-effusion:negated", "opacity:negated"}},
		{"No fever, chills, nausea or vomiting.", []string{"fever:negated", "fever:negated", "nausea-vomiting:negated"}},
		{"No effusion, the heart is enlarged.", []string{"pleural-effusion:negated", "cardiomegaly:affirmed"}},
		{"No pleural effusion, pneumothorax is present.", []string{"pleural-effusion:negated", "pneumothorax:affirmed"}},
		{"No pneumothorax, stable cardiomegaly.", []string{"pneumothorax:negated", "cardiomegaly:affirmed stable"}},
		{"No pneumothorax, no change in the small left effusion.", []string{"pneumothorax:negated", "pleural-effusion:affirmed side=left degree=low stable"}},
		{"No pneumothorax and no significant change in the effusion.", []string{"pneumothorax:negated", "pleural-effusion:affirmed stable"}},
		{"No evidence of pneumothorax or possible pneumonia.", []string{"pneumothorax:negated", "pneumonia:uncertain"}},
		{"No consolidation or edema, possible small effusion.", []string{"opacity:negated", "pulmonary-edema:negated", "pleural-effusion:uncertain degree=low"}},
		{"The effusion resolved, new small pneumothorax.", []string{"pleural-effusion:negated", "pneumothorax:affirmed degree=low worse"}},
	})
}

// A negation covering both a finding and a nearer trigger wins: "no focal
// consolidation to suggest pneumonia" denies the pneumonia, "no findings
// suspicious for malignancy" denies the malignancy.
func TestExtractNegationDominates(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"There is no focal consolidation to suggest pneumonia.", []string{"opacity:negated", "pneumonia:negated"}},
		{"No findings suspicious for malignancy.", []string{"mass:negated"}},
		{"No evidence of pneumonia or effusion.", []string{"pneumonia:negated", "pleural-effusion:negated"}},
		{"No radiographic findings concerning for pneumonia.", []string{"pneumonia:negated"}},
		{"No definite evidence of possible pneumothorax.", []string{"pneumothorax:negated"}},
		{"No focal airspace disease, possibly atelectasis.", []string{"opacity:negated", "atelectasis:uncertain"}},
	})
}

// Windows: a trigger reaches a finding that starts (forward) or ends
// (backward) within its window of words, 15 by default, so run-on
// dictation does not carry a negation into the next statement.
func TestExtractWindows(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"No focal consolidation on the frontal view as discussed with the covering team at the bedside this morning large right pleural effusion.", []string{"opacity:negated", "pleural-effusion:affirmed side=right degree=high"}},
		{"Interval removal of the nasogastric tube with the endotracheal tube remaining in good position.", []string{"enteric-tube:negated", "endotracheal-tube:affirmed"}},
		{"Interval removal of the right internal jugular central venous catheter.", []string{"central-line:negated side=right"}},
		{"Chest pain improved after sublingual nitroglycerin given by the night nurse at the bedside nausea denied.", []string{"chest-pain:affirmed", "nitrate:affirmed", "nausea:negated"}},
		{"History of smoking one pack per day for thirty years until last spring when he quit with new cough.", []string{"substance-use:historical chronic", "cough:affirmed worse"}},
	})
}

// Sections set the default assertion: family history, past history (and
// allergies), the indication (hypothetical, and marked as the reason for
// the exam like the history and chief complaint); technique and
// examination hold no claims, a comparison section only comparisons; a
// trigger overrides the default; a header inside a line heads its own
// sentence only.
func TestExtractSections(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"FAMILY HISTORY: Coronary artery disease and diabetes.", []string{"cad:family", "diabetes:family"}},
		{"PAST MEDICAL HISTORY: Pneumonia, DVT.", []string{"pneumonia:historical chronic", "dvt:historical chronic"}},
		{"PAST MEDICAL HISTORY:\n1. Hypertension.\n2. Atrial fibrillation.", []string{"hypertension:historical chronic", "arrhythmia:historical chronic"}},
		{"PAST MEDICAL HISTORY: Hypertension. Denies diabetes.", []string{"hypertension:historical chronic", "diabetes:negated"}},
		{"INDICATION: Fever and cough, evaluate for pneumonia.", []string{"fever:hypothetical indication", "cough:hypothetical indication", "pneumonia:hypothetical indication"}},
		{"INDICATION: No fever.", []string{"fever:negated indication"}},
		{"HISTORY: Cough and fever.", []string{"cough:affirmed indication", "fever:affirmed indication"}},
		{"CHIEF COMPLAINT: Chest pain.", []string{"chest-pain:affirmed indication"}},
		{"TECHNIQUE: Single frontal view. Evaluate for pneumothorax.", []string{}},
		{"EXAMINATION: Chest radiograph for pneumothorax.", []string{}},
		{"COMPARISON: Chest radiograph from prior admission with pneumonia.", []string{}},
		{"ALLERGIES: Penicillin (hives).", []string{"penicillin:historical chronic", "urticaria:historical chronic"}},
		{"Pt arrived via EMS c/o lethargy. PMH: dementia, ESRD. Reports weakness. Dx: sepsis.", []string{"altered-mental-status:affirmed", "dementia:historical chronic", "kidney-injury:historical chronic", "fatigue:affirmed", "sepsis:affirmed"}},
		{"FINDINGS: Small left pleural effusion.\n\nIMPRESSION: Small left effusion.", []string{"pleural-effusion:affirmed side=left degree=low", "pleural-effusion:affirmed side=left degree=low"}},
	})
}

// Region rules: a region and a state in one clause make a claim ("heart
// size is normal" denies cardiomegaly, "lungs are clear" denies opacity
// and pneumonia); a negated state denies ("the heart is not enlarged"), a
// negated normal state says nothing ("heart size is not normal").
func TestExtractRegionRules(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"Heart size is normal.", []string{"cardiomegaly:negated"}},
		{"The heart is not enlarged.", []string{"cardiomegaly:negated"}},
		{"The cardiac silhouette is mildly enlarged.", []string{"cardiomegaly:affirmed degree=low"}},
		{"Normal heart size.", []string{"cardiomegaly:negated"}},
		{"Heart size is at the upper limits of normal.", []string{"cardiomegaly:uncertain"}},
		{"Heart size is not normal.", []string{}},
		{"The lungs are clear.", []string{"opacity:negated", "pneumonia:negated"}},
		{"Clear lungs.", []string{"opacity:negated", "pneumonia:negated"}},
		{"The left lung is clear.", []string{"opacity:negated side=left", "pneumonia:negated side=left"}},
		{"The mediastinum is widened.", []string{"mediastinal-widening:affirmed"}},
		{"Mediastinal contours are within normal limits.", []string{"mediastinal-widening:negated"}},
		{"Pulmonary vasculature is normal.", []string{"vascular-congestion:negated"}},
		{"The pulmonary vasculature is engorged.", []string{"vascular-congestion:affirmed"}},
		{"The costophrenic angles are sharp.", []string{}},
		{"The osseous structures are intact.", []string{"fracture:negated"}},
		{"The lungs are hyperinflated.", []string{"hyperinflation:affirmed", "hyperinflation:affirmed"}},
		{"Lung volumes are low.", []string{"low-volumes:affirmed"}},
		{"Lung volumes are normal.", []string{"low-volumes:negated"}},
		{"The right hemidiaphragm is elevated.", []string{"diaphragm-elevation:affirmed side=right"}},
		{"The spleen is enlarged, measuring 15 cm.", []string{"splenomegaly:affirmed"}},
		{"The common bile duct is dilated, measuring 11 mm.", []string{"biliary-dilatation:affirmed"}},
		{"The common bile duct is normal in caliber.", []string{"biliary-dilatation:negated"}},
		{"Small bowel loops are dilated.", []string{"ileus:affirmed"}},
		{"The abdominal aorta is normal in caliber.", []string{"aneurysm:negated"}},
		{"Heart size is normal and the lungs are clear.", []string{"cardiomegaly:negated", "opacity:negated", "pneumonia:negated"}},
		{"The lungs are clear and heart size is normal.", []string{"opacity:negated", "pneumonia:negated", "cardiomegaly:negated"}},
		{"Heart size is normal; lungs are hyperinflated.", []string{"cardiomegaly:negated", "hyperinflation:affirmed", "hyperinflation:affirmed"}},
		{"PAST MEDICAL HISTORY: Heart is enlarged.", []string{"cardiomegaly:historical chronic"}},
	})
}

// Side, zone and degree: from the words before a finding back to the
// previous one, inside its phrase, else after it in its clause; a word
// leading into the next finding is that one's; lobe abbreviations carry
// both; sentence-level inheritance when the sentence's findings agree;
// findings without laterality (cardiomegaly, free air) take none; names
// of anatomy are no degree or zone ("small bowel", "basal ganglia",
// "apex volar angulation").
func TestExtractLocation(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"Right lower lobe pneumonia.", []string{"pneumonia:affirmed side=right zone=lower"}},
		{"Pneumonia in the right lower lobe.", []string{"pneumonia:affirmed side=right zone=lower"}},
		{"Consolidation in the right lower lobe, compatible with pneumonia.", []string{"opacity:affirmed side=right zone=lower", "pneumonia:affirmed side=right zone=lower"}},
		{"There is a large right pleural effusion with adjacent atelectasis.", []string{"pleural-effusion:affirmed side=right degree=high", "atelectasis:affirmed side=right"}},
		{"Left pleural effusion and right basilar atelectasis with pneumonia.", []string{"pleural-effusion:affirmed side=left", "atelectasis:affirmed side=right zone=lower", "pneumonia:affirmed"}},
		{"Moderate right and small left pleural effusions.", []string{"pleural-effusion:affirmed side=bilateral degree=low+moderate"}},
		{"Cardiomegaly, mild.", []string{"cardiomegaly:affirmed degree=low"}},
		{"The right pleural effusion is small.", []string{"pleural-effusion:affirmed side=right degree=low"}},
		{"Bilateral pleural effusions, large.", []string{"pleural-effusion:affirmed side=bilateral degree=high"}},
		{"Left basilar atelectasis. Right basilar effusion.", []string{"atelectasis:affirmed side=left zone=lower", "pleural-effusion:affirmed side=right zone=lower"}},
		{"Mild cardiomegaly with left lower lobe atelectasis.", []string{"cardiomegaly:affirmed degree=low", "atelectasis:affirmed side=left zone=lower"}},
		{"Free air under the left hemidiaphragm.", []string{"free-air:affirmed"}},
		{"Left ventricular enlargement.", []string{"cardiomegaly:affirmed"}},
		{"RLL pneumonia.", []string{"pneumonia:affirmed side=right zone=lower"}},
		{"Atelectasis in the LUL.", []string{"atelectasis:affirmed side=left zone=upper"}},
		{"Bibasilar atelectasis.", []string{"atelectasis:affirmed side=bilateral zone=lower"}},
		{"Biapical pleural thickening.", []string{"pleural-thickening:affirmed side=bilateral zone=upper"}},
		{"Right lower lobe opacity may represent atelectasis or pneumonia.", []string{"opacity:affirmed side=right zone=lower", "atelectasis:uncertain side=right zone=lower", "pneumonia:uncertain side=right zone=lower"}},
		{"7 mm right mid lung nodule.", []string{"nodule:affirmed side=right zone=middle"}},
		{"No right pleural effusion. Small left effusion.", []string{"pleural-effusion:negated side=right", "pleural-effusion:affirmed side=left degree=low"}},
		{"No large pleural effusion.", []string{"pleural-effusion:negated"}},
		{"Displaced fracture of the distal radius with 20 degrees of apex volar angulation.", []string{"fracture:affirmed"}},
		{"Acute infarct in the right basal ganglia.", []string{"stroke:affirmed side=right worse"}},
		{"Small bowel obstruction.", []string{"bowel-obstruction:affirmed"}},
		{"Large bore right chest tube.", []string{"chest-tube:affirmed side=right"}},
		{"Right total hip arthroplasty.", []string{"hardware:affirmed side=right"}},
		{"Effusion on the left, small right pneumothorax.", []string{"pleural-effusion:affirmed side=left", "pneumothorax:affirmed side=right degree=low"}},
		{"Right lower lobe opacity, possibly atelectasis.", []string{"opacity:affirmed side=right zone=lower", "atelectasis:uncertain side=right zone=lower"}},
	})
}

// Qualifiers: old, healed, chronic and historical findings are chronic;
// stable and unchanged ones stable; new, increased and acute ones worse
// (what makes an acute-only fracture or an escalating compression
// deformity critical or not; see TestCheckFlags).
func TestExtractQualifiers(t *testing.T) {
	runConceptCases(t, []conceptCase{
		{"Old healed left rib fractures.", []string{"fracture:historical side=left chronic"}},
		{"Acute right rib fracture.", []string{"fracture:affirmed side=right worse"}},
		{"Acute right rib fracture, stable cardiomegaly.", []string{"fracture:affirmed side=right worse", "cardiomegaly:affirmed stable"}},
		{"New compression deformity of T12.", []string{"compression-deformity:affirmed worse"}},
		{"Chronic compression deformity of T12.", []string{"compression-deformity:affirmed chronic"}},
		{"Stable compression deformity of T12.", []string{"compression-deformity:affirmed stable"}},
		{"Increased right pleural effusion.", []string{"pleural-effusion:affirmed side=right worse"}},
		{"Stable small left pneumothorax.", []string{"pneumothorax:affirmed side=left degree=low stable"}},
		{"Healing right clavicle fracture.", []string{"fracture:affirmed side=right chronic"}},
		{"History of left rib fractures.", []string{"fracture:historical side=left chronic"}},
		// A negated qualifier says nothing of an affirmed finding; a denied
		// finding keeps what is denied ("no acute fracture" says nothing of
		// an old one).
		{"The effusion is not increased.", []string{"pleural-effusion:affirmed"}},
		{"No acute fracture.", []string{"fracture:negated worse"}},
	})
}

// claimCase is a text and every claim of some types it must yield.
type claimCase struct {
	text string
	want []string
}

func runClaimCases(t *testing.T, types []ClaimType, cases []claimCase) {
	t.Helper()
	for _, tc := range cases {
		got := claimsOf(tc.text, types...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q:\n got  %q\n want %q", tc.text, got, tc.want)
		}
	}
}

// Normal statements: negated phrases need their negation ("no acute
// cardiopulmonary abnormality"), affirmed ones stand alone ("normal
// chest") and fail under a negation; the scope is what they name: the
// chest, the bones, or, naming no organ, everything.
func TestExtractNormalStatements(t *testing.T) {
	runClaimCases(t, []ClaimType{ClaimNormal}, []claimCase{
		{"No acute cardiopulmonary abnormality.", []string{"normal:chest"}},
		{"No acute cardiopulmonary process.", []string{"normal:chest"}},
		{"No active disease.", []string{"normal:all"}},
		{"No acute intrathoracic process.", []string{"normal:chest"}},
		{"No acute osseous abnormality.", []string{"normal:bone"}},
		{"No acute fracture.", []string{"normal:bone"}},
		{"No acute abnormality.", []string{"normal:all"}},
		{"Normal chest.", []string{"normal:chest"}},
		{"Normal chest radiograph.", []string{"normal:chest"}},
		{"Unremarkable chest x-ray.", []string{"normal:chest"}},
		{"The examination is normal.", []string{"normal:all"}},
		{"Acute cardiopulmonary process.", []string{}},
		{"This is not a normal chest.", []string{}},
		{"Negative chest x-ray.", []string{"normal:chest"}},
		{"Normal radiographs of the right wrist.", []string{"normal:all"}},
		{"No acute osseous abnormality or significant degenerative change.", []string{"normal:bone"}},
	})
}

// Comparison classes, and what is not a comparison: a negated one ("not
// increased"), a side compared with the other ("left greater than
// right"), an extent ("extending into").
func TestExtractComparisons(t *testing.T) {
	runClaimCases(t, []ClaimType{ClaimComparison}, []claimCase{
		{"Stable cardiomegaly.", []string{"comparison:stable"}},
		{"Unchanged small left pleural effusion.", []string{"comparison:stable"}},
		{"No interval change.", []string{"comparison:stable"}},
		{"Increased right pleural effusion.", []string{"comparison:increased"}},
		{"Worsening bibasilar opacities.", []string{"comparison:increased"}},
		{"The pneumothorax is slightly larger.", []string{"comparison:increased"}},
		{"Decreased left basilar opacity.", []string{"comparison:decreased"}},
		{"Improved aeration of the left lung base.", []string{"comparison:decreased"}},
		{"New right upper lobe opacity.", []string{"comparison:new"}},
		{"Interval development of a right pleural effusion.", []string{"comparison:new"}},
		{"The right pneumothorax has resolved.", []string{"comparison:resolved"}},
		{"Compared to the prior study, the effusion is smaller.", []string{"comparison:prior", "comparison:prior", "comparison:decreased"}},
		{"Since prior, there is no significant change.", []string{"comparison:prior", "comparison:stable"}},
		{"Known right upper lobe mass.", []string{"comparison:known"}},
		{"Chronic interstitial changes.", []string{"comparison:chronic"}},
		{"Old granulomatous disease.", []string{"comparison:chronic"}},
		{"The effusion is not increased.", []string{}},
		{"Bilateral effusions, left greater than right.", []string{}},
		{"Opacity extending into the left upper lobe.", []string{}},
	})
	// A comparison section says there is a prior, nothing else.
	d := testExtractor.Extract("COMPARISON: Chest radiograph from XXXX.\n\nFINDINGS: Stable cardiomegaly.")
	var got []string
	for _, c := range d.Claims {
		got = append(got, describeClaim(d.Text, c))
	}
	if want := []string{"comparison:stable", "cardiomegaly:affirmed stable"}; !slices.Equal(got, want) {
		t.Errorf("comparison section: got %q, want %q", got, want)
	}
}

// Measurements: numbers with units in the dimension's base unit
// (millimetres, millilitres, milligrams, hours), dimension chains and
// blood pressure pairs, units glued to the number, spelled-out numbers;
// a gauge ("18g"), a pain score ("5/10") and a vertebra ("T12") are none.
func TestExtractMeasurements(t *testing.T) {
	runClaimCases(t, []ClaimType{ClaimMeasurement}, []claimCase{
		{"Nodule measures 12 mm.", []string{"measurement:12 length"}},
		{"A 1.2 cm nodule.", []string{"measurement:12 length"}},
		{"Mass measures 4.3 x 2.8 cm.", []string{"measurement:43 length", "measurement:28 length"}},
		{"Mass measuring 4.3 x 2.8 x 1.9 cm.", []string{"measurement:43 length", "measurement:28 length", "measurement:19 length"}},
		{"The ET tube tip is 4cm above the carina.", []string{"measurement:40 length"}},
		{"Blood pressure 90/60 mmHg.", []string{"measurement:90 pressure", "measurement:60 pressure"}},
		{"BP 142/88 mm Hg.", []string{"measurement:142 pressure", "measurement:88 pressure"}},
		{"Heart rate 120 bpm.", []string{"measurement:120 rate"}},
		{"Morphine 4 mg IV given.", []string{"measurement:4 mass"}},
		{"Symptoms for two weeks.", []string{"measurement:336 time"}},
		{"Fluid bolus of 500 mL.", []string{"measurement:500 volume"}},
		{"O2 sat 92%.", []string{"measurement:92 percent"}},
		{"18g PIV in the left antecubital fossa.", []string{}},
		{"Pain 5/10.", []string{}},
		{"T12 compression deformity.", []string{}},
	})
}

// The same quantity in other units is the same measurement: 1.2 cm is
// 12 mm, half a litre 500 mL; a length is never a volume.
func TestSameMeasure(t *testing.T) {
	measure := func(s string) Claim {
		t.Helper()
		for _, c := range testExtractor.Extract(s).Claims {
			if c.Type == ClaimMeasurement {
				return c
			}
		}
		t.Fatalf("%q: no measurement", s)
		return Claim{}
	}
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"1.2 cm", "12 mm", true},
		{"4.3 cm", "43 mm", true},
		{"0.5 L", "500 mL", true},
		{"2 weeks", "14 days", true},
		{"1.2 cm", "1.3 cm", false},
		{"12 mm", "12 mL", false},
		{"5 mg", "5 mcg", false},
	} {
		if got := sameMeasure(measure(tc.a), measure(tc.b)); got != tc.same {
			t.Errorf("sameMeasure(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

// Communications of results.
func TestExtractCommunications(t *testing.T) {
	runClaimCases(t, []ClaimType{ClaimCommunication}, []claimCase{
		{"Findings were discussed with Dr. XXXX by telephone at 3:15 p.m.", []string{"communication:were discussed", "communication:by telephone"}},
		{"Dr. ___ was notified of the critical result.", []string{"communication:notified", "communication:critical result"}},
		{"Results called to the ordering physician.", []string{"communication:Results called"}},
		{"Critical result notification documented through Primordial.", []string{"communication:Critical result notification", "communication:Primordial"}},
		{"The referring team was paged.", []string{"communication:was paged"}},
		{"Heart size is normal.", []string{}},
	})
}

// De-identification placeholders: three or more capital X, two or more
// underscores, MIMIC's [**...**]; not "XX", "X-ray" or a lower-case
// "xxxx".
func TestExtractPlaceholders(t *testing.T) {
	runClaimCases(t, []ClaimType{ClaimPlaceholder}, []claimCase{
		{"The XXXX are intact.", []string{"placeholder:XXXX"}},
		{"Dr. [**Last Name (STitle) **] notified.", []string{"placeholder:[**Last Name (STitle) **]"}},
		{"Findings discussed with Dr. ___ at ___.", []string{"placeholder:___", "placeholder:___"}},
		{"XX lung volumes.", []string{}},
		{"X-ray of the chest.", []string{}},
		{"Compared to xxxx.", []string{}},
	})
}

// Lobes that do not exist: the left lung has no middle lobe, the right
// lung no lingula.
func TestExtractBadLobes(t *testing.T) {
	runClaimCases(t, []ClaimType{ClaimBadLobe}, []claimCase{
		{"Opacity in the left middle lobe.", []string{"bad-lobe:left"}},
		{"Opacity in the right lingula.", []string{"bad-lobe:right"}},
		{"Right lingular atelectasis.", []string{"bad-lobe:right"}},
		{"Opacity in the right middle lobe.", []string{}},
		{"Opacity in the lingula.", []string{}},
		{"Left midlung opacity.", []string{}},
		{"Left-middle lobe opacity.", []string{"bad-lobe:left"}},
	})
}

var update = flag.Bool("update", false, "rewrite testdata/scopes.golden")

// scopeSentences are the sentences of the table of assertion scopes,
// testdata/scopes.golden: one or more per trigger direction, pseudo-
// trigger, terminator, comma rule and window.
var scopeSentences = []string{
	// Forward negation, its list, and what ends it.
	"No pneumothorax.",
	"No consolidation, effusion, or pneumothorax is seen.",
	"No pneumothorax, large pleural effusion, or focal airspace disease.",
	"No effusion, the heart is enlarged.",
	"No pneumothorax, stable cardiomegaly.",
	"No effusion but small pneumothorax.",
	"No pneumothorax; however, there is a small left effusion.",
	"No edema which was seen on the prior study.",
	"Without evidence of acute fracture or dislocation.",
	"Negative for pulmonary embolism.",
	"The lungs are free of focal airspace disease.",
	"Patient denies chest pain, presents with shortness of breath.",
	"Denies fever, chills, nausea or vomiting.",
	"Interval removal of the right internal jugular central venous catheter.",
	// Backward negation.
	"Pneumothorax is not seen.",
	"The previously seen right pleural effusion has resolved.",
	"Pneumonia is unlikely.",
	// Negation over a nearer trigger, and pseudo-triggers.
	"There is no focal consolidation to suggest pneumonia.",
	"No findings suspicious for malignancy.",
	"No change in the small left pleural effusion.",
	"No pneumothorax, no change in the small left effusion.",
	"Chest tube placed without complication.",
	// Uncertainty: forward, backward, and the weak "or" and "versus".
	"Possible early pneumonia in the right lower lobe.",
	"Right lower lobe opacity may represent atelectasis or pneumonia.",
	"A small pneumothorax cannot be excluded.",
	"Early pneumonia has not been excluded.",
	"Atelectasis versus consolidation at the left base.",
	"No definite pneumothorax, although a small apical pneumothorax is possible.",
	"Increased opacity in the left base, concerning for pneumonia.",
	// Historical, hypothetical and family.
	"History of pneumonia.",
	"Old healed left rib fractures.",
	"Patient with h/o CAD and DM2 presents with chest pain.",
	"Tuberculosis treated many years ago.",
	"Recommend CT to evaluate for pulmonary embolism.",
	"If symptoms worsen, return for chest pain.",
	"Her mother had a stroke.",
	"Diabetes runs in the family.",
	// Windows.
	"No focal consolidation on the frontal view as discussed with the covering team at the bedside this morning large right pleural effusion.",
	"Interval removal of the nasogastric tube with the endotracheal tube remaining in good position.",
	"Chest pain improved after sublingual nitroglycerin given by the night nurse at the bedside nausea denied.",
	"History of smoking one pack per day for thirty years until last spring when he quit with new cough.",
}

// scopeLines describes the trigger layer of one sentence: each trigger
// with its category and direction and the text it covers, the cue in
// brackets ("negated/forward: [No] consolidation, effusion"), then the
// pseudo-triggers and terminators, then the concept claims.
func scopeLines(x *Extractor, s string) []string {
	var sc scratch
	sc.toks = tokenize(nil, s)
	for _, tk := range sc.toks {
		sc.lower = append(sc.lower, lowerToken(s, tk))
	}
	x.match(&sc)
	x.findScopes(&sc)
	text := func(a, b int) string {
		if a >= b {
			return ""
		}
		return s[sc.toks[a].start:sc.toks[b-1].end]
	}
	var out []string
	for _, sp := range sc.scopes {
		dir := [...]string{"forward", "backward", "both"}[sp.trig.dir]
		if sp.trig.weak {
			dir += "/weak"
		}
		covered := strings.TrimSpace(text(min(sp.from, sp.cueStart), sp.cueStart) + " [" + text(sp.cueStart, sp.cueEnd) + "] " +
			text(sp.cueEnd, max(sp.to, sp.cueEnd)))
		out = append(out, fmt.Sprintf("  %s/%s: %s", sp.trig.assertion, dir, covered))
	}
	for _, m := range sc.matches[layerTrigger] {
		for _, e := range m.entries {
			switch {
			case e.layer != layerTrigger:
			case e.value == triggerPseudo:
				out = append(out, fmt.Sprintf("  pseudo: %q", text(m.start, m.end)))
			case e.value == triggerTerminate:
				out = append(out, fmt.Sprintf("  terminator: %q", text(m.start, m.end)))
			default:
				continue
			}
			break
		}
	}
	var claims []string
	for _, c := range x.Extract(s).Claims {
		if c.Type == ClaimConcept {
			claims = append(claims, describeConcept(c))
		}
	}
	return append(out, "  => "+strings.Join(claims, "; "))
}

// TestScopesGolden pins the table of assertion scopes,
// testdata/scopes.golden: every trigger of each sentence of
// scopeSentences with the words it covers, reviewed by eye. After an
// intended change, run
//
//	go test ./internal/clinical -run TestScopesGolden -update
//
// and review the diff as a clinician would.
func TestScopesGolden(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Assertion scopes: each sentence, then each trigger as CATEGORY/DIRECTION with the\n")
	b.WriteString("# words it covers (the cue in brackets), pseudo-triggers and terminators, and the\n")
	b.WriteString("# concept claims. Generated by TestScopesGolden; regenerate with -update.\n")
	for _, s := range scopeSentences {
		b.WriteString("\n" + s + "\n")
		for _, l := range scopeLines(testExtractor, s) {
			b.WriteString(l + "\n")
		}
	}
	path := filepath.Join("testdata", "scopes.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got  %q\n want %q\n(review, then run with -update)", path, i+1, g, w)
			}
		}
	}
}
