package text

import "strings"

// SectionKind is the canonical name of a clinical note section. Headers are
// written many ways ("IMPRESSION:", "Impressions:", "CONCLUSION:"); the kind
// is what they mean, so models can prefer FINDINGS when they write an
// impression whatever the radiologist typed.
type SectionKind uint8

// The section kinds Osler recognises. SectionNone is text before any header
// (for example an IU X-ray source, which is findings only);
// SectionOther is a header that is not in the list (e.g. "HEENT:").
const (
	SectionNone SectionKind = iota
	SectionOther
	SectionFindings
	SectionImpression
	SectionComparison
	SectionIndication
	SectionHistory
	SectionTechnique
	SectionExamination
	SectionChiefComplaint
	SectionHPI
	SectionPastHistory
	SectionMedications
	SectionAllergies
	SectionSocialHistory
	SectionFamilyHistory
	SectionReviewOfSystems
	SectionPhysicalExam
	SectionLabs
	SectionSubjective
	SectionObjective
	SectionAssessment
	SectionPlan
	SectionAssessmentPlan
	SectionDiagnosis
	SectionProcedure
	SectionHospitalCourse
	SectionRecommendation
	numSectionKinds
)

// NumSectionKinds is the number of section kinds, for tables indexed by
// [SectionKind].
const NumSectionKinds = int(numSectionKinds)

var sectionKindNames = [numSectionKinds]string{
	SectionNone:            "none",
	SectionOther:           "other",
	SectionFindings:        "findings",
	SectionImpression:      "impression",
	SectionComparison:      "comparison",
	SectionIndication:      "indication",
	SectionHistory:         "history",
	SectionTechnique:       "technique",
	SectionExamination:     "examination",
	SectionChiefComplaint:  "chief_complaint",
	SectionHPI:             "hpi",
	SectionPastHistory:     "past_history",
	SectionMedications:     "medications",
	SectionAllergies:       "allergies",
	SectionSocialHistory:   "social_history",
	SectionFamilyHistory:   "family_history",
	SectionReviewOfSystems: "review_of_systems",
	SectionPhysicalExam:    "physical_exam",
	SectionLabs:            "labs",
	SectionSubjective:      "subjective",
	SectionObjective:       "objective",
	SectionAssessment:      "assessment",
	SectionPlan:            "plan",
	SectionAssessmentPlan:  "assessment_plan",
	SectionDiagnosis:       "diagnosis",
	SectionProcedure:       "procedure",
	SectionHospitalCourse:  "hospital_course",
	SectionRecommendation:  "recommendation",
}

// String returns the kind's stable lower-case name ("findings",
// "chief_complaint"); model files store these names.
func (k SectionKind) String() string {
	if int(k) < len(sectionKindNames) {
		return sectionKindNames[k]
	}
	return "other"
}

// ParseSectionKind returns the kind whose [SectionKind.String] is name.
func ParseSectionKind(name string) (SectionKind, bool) {
	for k, n := range sectionKindNames {
		if n == name {
			return SectionKind(k), true
		}
	}
	return SectionOther, false
}

// sectionTitles maps header titles (upper case, single spaces, without the
// colon) to their kind. Titles not listed here that look like headers
// (all capitals) become SectionOther.
var sectionTitles = map[string]SectionKind{
	"FINDINGS": SectionFindings, "FINDING": SectionFindings, "REPORT": SectionFindings,
	"FINDINGS AND PROCEDURE": SectionProcedure, "DESCRIPTION": SectionFindings,
	"IMPRESSION": SectionImpression, "IMPRESSIONS": SectionImpression, "CONCLUSION": SectionImpression,
	"CONCLUSIONS": SectionImpression, "OPINION": SectionImpression, "SUMMARY": SectionImpression,
	"INTERPRETATION": SectionImpression,
	"COMPARISON":     SectionComparison, "COMPARISONS": SectionComparison, "PRIOR STUDIES": SectionComparison,
	"PRIOR STUDY": SectionComparison, "PRIORS": SectionComparison,
	"INDICATION": SectionIndication, "INDICATIONS": SectionIndication, "CLINICAL INDICATION": SectionIndication,
	"CLINICAL INDICATIONS": SectionIndication, "REASON FOR EXAM": SectionIndication,
	"REASON FOR EXAMINATION": SectionIndication, "REASON FOR STUDY": SectionIndication,
	"REASON FOR VISIT": SectionIndication, "REASON FOR CONSULTATION": SectionIndication,
	"REASON FOR REFERRAL": SectionIndication, "INDICATION FOR PROCEDURE": SectionIndication,
	"INDICATIONS FOR PROCEDURE": SectionIndication, "INDICATION FOR SURGERY": SectionIndication,
	"INDICATIONS FOR SURGERY": SectionIndication, "INDICATIONS FOR THE SURGERY": SectionIndication,
	"INDICATIONS FOR OPERATION": SectionIndication,
	"HISTORY":                   SectionHistory, "CLINICAL HISTORY": SectionHistory, "CLINICAL INFORMATION": SectionHistory,
	"CLINICAL DATA": SectionHistory,
	"TECHNIQUE":     SectionTechnique, "PROCEDURE DETAILS": SectionProcedure,
	"EXAMINATION": SectionExamination, "EXAM": SectionExamination, "STUDY": SectionExamination,
	"TYPE OF EXAMINATION": SectionExamination,
	"CHIEF COMPLAINT":     SectionChiefComplaint, "CC": SectionChiefComplaint,
	"HISTORY OF PRESENT ILLNESS": SectionHPI, "HPI": SectionHPI, "PRESENT ILLNESS": SectionHPI,
	"HISTORY OF THE PRESENT ILLNESS": SectionHPI,
	"PAST MEDICAL HISTORY":           SectionPastHistory, "PMH": SectionPastHistory, "PAST HISTORY": SectionPastHistory,
	"PAST SURGICAL HISTORY": SectionPastHistory, "PSH": SectionPastHistory,
	"MEDICATIONS": SectionMedications, "MEDICATION": SectionMedications, "CURRENT MEDICATIONS": SectionMedications,
	"MEDICATIONS ON ADMISSION": SectionMedications, "DISCHARGE MEDICATIONS": SectionMedications,
	"ALLERGIES": SectionAllergies, "ALLERGY": SectionAllergies, "DRUG ALLERGIES": SectionAllergies,
	"SOCIAL HISTORY": SectionSocialHistory, "SH": SectionSocialHistory,
	"FAMILY HISTORY": SectionFamilyHistory, "FH": SectionFamilyHistory,
	"REVIEW OF SYSTEMS": SectionReviewOfSystems, "ROS": SectionReviewOfSystems,
	"PHYSICAL EXAMINATION": SectionPhysicalExam, "PHYSICAL EXAM": SectionPhysicalExam, "PE": SectionPhysicalExam,
	"EXAMINATION ON ADMISSION": SectionPhysicalExam,
	"LABS":                     SectionLabs, "LABORATORY": SectionLabs, "LABORATORY DATA": SectionLabs, "LAB DATA": SectionLabs,
	"LABORATORY STUDIES": SectionLabs, "PERTINENT RESULTS": SectionLabs,
	"SUBJECTIVE": SectionSubjective, "OBJECTIVE": SectionObjective,
	"ASSESSMENT": SectionAssessment, "CLINICAL IMPRESSION": SectionAssessment,
	"PLAN": SectionPlan, "RECOMMENDATIONS": SectionRecommendation, "RECOMMENDATION": SectionRecommendation,
	"ASSESSMENT AND PLAN": SectionAssessmentPlan, "ASSESSMENT/PLAN": SectionAssessmentPlan,
	"A/P": SectionAssessmentPlan, "ASSESSMENT & PLAN": SectionAssessmentPlan, "IMPRESSION AND PLAN": SectionAssessmentPlan,
	"IMPRESSION/PLAN": SectionAssessmentPlan,
	"DIAGNOSIS":       SectionDiagnosis, "DIAGNOSES": SectionDiagnosis, "PREOPERATIVE DIAGNOSIS": SectionDiagnosis,
	"PREOPERATIVE DIAGNOSES": SectionDiagnosis, "POSTOPERATIVE DIAGNOSIS": SectionDiagnosis,
	"POSTOPERATIVE DIAGNOSES": SectionDiagnosis, "ADMITTING DIAGNOSIS": SectionDiagnosis,
	"ADMISSION DIAGNOSIS": SectionDiagnosis, "DISCHARGE DIAGNOSIS": SectionDiagnosis,
	"DISCHARGE DIAGNOSES": SectionDiagnosis, "FINAL DIAGNOSIS": SectionDiagnosis, "FINAL DIAGNOSES": SectionDiagnosis,
	"PRINCIPAL DIAGNOSIS": SectionDiagnosis,
	"PROCEDURE":           SectionProcedure, "PROCEDURES": SectionProcedure, "PROCEDURE PERFORMED": SectionProcedure,
	"PROCEDURES PERFORMED": SectionProcedure, "OPERATION": SectionProcedure, "OPERATION PERFORMED": SectionProcedure,
	"OPERATIONS PERFORMED": SectionProcedure, "NAME OF PROCEDURE": SectionProcedure,
	"NAME OF OPERATION": SectionProcedure, "TITLE OF OPERATION": SectionProcedure,
	"OPERATIVE PROCEDURE": SectionProcedure, "OPERATIVE PROCEDURES": SectionProcedure,
	"PROCEDURE IN DETAIL": SectionProcedure, "DESCRIPTION OF PROCEDURE": SectionProcedure,
	"DESCRIPTION OF OPERATION": SectionProcedure, "DETAILS OF PROCEDURE": SectionProcedure,
	"HOSPITAL COURSE": SectionHospitalCourse, "BRIEF HOSPITAL COURSE": SectionHospitalCourse,
	"COURSE": SectionHospitalCourse,
}

// lookupSection returns the kind of a header title, and whether the title
// is a known one. The title is matched case-insensitively with runs of
// spaces treated as one; it does not allocate for titles up to 64 bytes.
func lookupSection(title string) (SectionKind, bool) {
	var buf [64]byte
	n := 0
	space := false
	for i := 0; i < len(title); i++ {
		c := title[i]
		if c == ' ' || c == '\t' {
			space = n > 0
			continue
		}
		if space {
			if n == len(buf) {
				return SectionOther, false
			}
			buf[n] = ' '
			n++
			space = false
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if n == len(buf) {
			return SectionOther, false
		}
		buf[n] = c
		n++
	}
	k, ok := sectionTitles[string(buf[:n])]
	if !ok {
		return SectionOther, false
	}
	return k, true
}

// Section is one section of a note: its header (absent for text before the
// first header) and its body. Offsets are byte positions in the text.
type Section struct {
	Kind SectionKind
	// Title is the header as written, without its colon; "" for text before
	// the first header.
	Title string
	// HeaderStart and HeaderEnd delimit the header, colon included; both
	// equal Start when there is no header.
	HeaderStart, HeaderEnd int
	// Start and End delimit the body, up to the next header.
	Start, End int
}

// header is a header found at some position of a text.
type header struct {
	kind                 SectionKind
	titleStart, titleEnd int // the title without colon and trailing spaces
	headerEnd, bodyStart int // after the colon; after the separators that follow it
}

// headerAt reports whether a section header starts at byte i of s, which
// must be the start of a line or of a sentence. Three shapes are headers:
//
//   - a title followed by a colon, when the title is a known section name in
//     any case ("Impression:") or is written in capitals with at least four
//     letters ("HEENT:"); "BP: 120/80" is not a header;
//   - a line holding only a capitalised title, with or without colon
//     ("FINDINGS" on its own line);
//   - a capitalised title of at least two words or a known name, followed
//     directly by a comma and text: the flattened line breaks of scraped
//     transcriptions ("PREOPERATIVE DIAGNOSES,Airway obstruction").
//
// Titles made only of de-identification placeholders ("XXXX:") are not
// headers. With bodyStart set (i is the first line after a header) a bare
// line of capitals is that header's body ("EXAMINATION:\nCT HEAD"), not a
// header of its own, unless it is a known section name.
func headerAt(s string, i int, bodyStart bool) (header, bool) {
	const maxTitle = 60
	j := i
	letters, upper, lower, words := 0, 0, 0, 0
	inWord := false
	for j < len(s) && j-i <= maxTitle {
		c := s[j]
		switch {
		case 'A' <= c && c <= 'Z':
			upper++
			letters++
		case 'a' <= c && c <= 'z':
			lower++
			letters++
		case '0' <= c && c <= '9', c == '/', c == '&', c == '-', c == '(', c == ')', c == '\'':
		case c == ' ' || c == '\t':
			if inWord {
				inWord = false
			}
			j++
			continue
		default:
			goto end
		}
		if !inWord {
			inWord = true
			words++
		}
		j++
	}
end:
	if j-i > maxTitle || letters == 0 || j == i {
		return header{}, false
	}
	titleEnd := j
	for titleEnd > i && (s[titleEnd-1] == ' ' || s[titleEnd-1] == '\t') {
		titleEnd--
	}
	title := s[i:titleEnd]
	if isPlaceholderOnly(title) {
		return header{}, false
	}
	// The title must start with a letter or digit (not "(" or "-": list bullets).
	if c := title[0]; !isASCIIAlnum(c) {
		return header{}, false
	}
	kind, known := lookupSection(title)
	allCaps := lower == 0
	h := header{kind: kind, titleStart: i, titleEnd: titleEnd}
	var next byte
	if j < len(s) {
		next = s[j]
	}
	switch {
	case next == ':':
		// "Title:" — but not "10:30" or a URL scheme.
		if !(known || (allCaps && upper >= 4)) {
			return header{}, false
		}
		if j+1 < len(s) && s[j+1] == '/' {
			return header{}, false
		}
		h.headerEnd = j + 1
	case next == '\n' || next == '\r' || next == 0:
		// A line holding only a title: it must be in capitals, short, and
		// start a line.
		if !allCaps || upper < 2 || !atLineStart(s, i) || !known && (words > 5 || bodyStart) {
			return header{}, false
		}
		h.headerEnd = titleEnd
	case next == ',':
		// "TITLE,Text": a flattened line break right after a title.
		if !allCaps || upper < 4 || (words < 2 && !known) || j+1 >= len(s) || s[j+1] == ' ' {
			return header{}, false
		}
		h.headerEnd = j
	default:
		return header{}, false
	}
	// The body starts after spaces, tabs and the ", " artefacts that follow
	// a colon in flattened transcriptions ("SUBJECTIVE:, This ...").
	b := h.headerEnd
	for b < len(s) && (s[b] == ' ' || s[b] == '\t' || s[b] == ',') {
		b++
	}
	h.bodyStart = b
	return h, true
}

// atLineStart reports whether only spaces or tabs separate byte i from the
// start of its line.
func atLineStart(s string, i int) bool {
	for k := i - 1; k >= 0; k-- {
		switch s[k] {
		case ' ', '\t':
			continue
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// isPlaceholderOnly reports whether s holds nothing but de-identification
// placeholders (runs of X or underscores) and separators.
func isPlaceholderOnly(s string) bool {
	any := false
	for i := 0; i < len(s); {
		if isPlaceholderAt(s, i) {
			n := placeholderLen(s, i)
			i += n
			any = true
			continue
		}
		c := s[i]
		if c == ' ' || c == '\t' || c == '-' || c == '/' {
			i++
			continue
		}
		return false
	}
	return any
}

// isPlaceholderAt reports whether a de-identification placeholder starts at
// byte i: "XXXX" (three or more X, upper case) or "___" (two or more
// underscores) or "[**...**]" (MIMIC style).
func isPlaceholderAt(s string, i int) bool {
	return placeholderLen(s, i) > 0
}

// placeholderLen returns the length of the placeholder starting at byte i,
// or 0.
func placeholderLen(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch s[i] {
	case 'X':
		j := i
		for j < len(s) && s[j] == 'X' {
			j++
		}
		if j-i >= 3 && (j == len(s) || !isASCIILetter(s[j])) && (i == 0 || !isASCIILetter(s[i-1])) {
			return j - i
		}
	case '_':
		j := i
		for j < len(s) && s[j] == '_' {
			j++
		}
		if j-i >= 2 {
			return j - i
		}
	case '[':
		if strings.HasPrefix(s[i:], "[**") {
			if k := strings.Index(s[i+3:], "**]"); k >= 0 && k < 80 {
				return 3 + k + 3
			}
		}
	}
	return 0
}

// PlaceholderLen returns the length in bytes of the de-identification
// placeholder ("XXXX", "___", "[**Name**]") that starts at byte i of s, or
// 0 when none does.
func PlaceholderLen(s string, i int) int { return placeholderLen(s, i) }

// IsPlaceholder reports whether word is a de-identification placeholder:
// "XXXX" (three or more capital X), "___" or "[**Name**]".
func IsPlaceholder(word string) bool {
	return word != "" && placeholderLen(word, 0) == len(word)
}

// Sections splits a note into sections at its headers (see [SplitSentences]
// for what counts as a header). Text before the first header, when it holds
// any letter or digit, is a section of kind [SectionNone]; a text with no
// header is one such section. Sections are in text order and do not overlap.
func Sections(s string) []Section {
	var sc scanner
	sc.init(s)
	return sc.sections(nil)
}

// AppendSections is [Sections] appending to dst, to reuse its memory.
func AppendSections(dst []Section, s string) []Section {
	var sc scanner
	sc.init(s)
	return sc.sections(dst)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isASCIIAlnum(c byte) bool  { return isASCIILetter(c) || isASCIIDigit(c) }
func isASCIIUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isASCIILower(c byte) bool  { return 'a' <= c && c <= 'z' }
