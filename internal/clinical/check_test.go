package clinical

import (
	"fmt"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/synth"
	"github.com/osler-health/osler/internal/text"
)

// testChecker is the built-in checker the tests share.
var testChecker = NewChecker(nil)

// checkCase is a source, a summary and one issue that the check must
// report (flagged) or must not report (!flagged): its verdict, kind and
// concept (a concept ID, a comparison class, "lobe", or "" for kinds
// without one).
type checkCase struct {
	source, summary string
	verdict         Verdict
	kind            IssueKind
	concept         string
	flagged         bool
}

func (tc checkCase) String() string {
	return fmt.Sprintf("source %q, summary %q: %s/%s %q", tc.source, tc.summary, tc.verdict, tc.kind, tc.concept)
}

// issuesString lists a result's issues for failure messages.
func issuesString(r Result) string {
	var out []string
	for _, is := range r.Issues {
		out = append(out, fmt.Sprintf("%s/%s %q: %s", is.Verdict, is.Kind, is.Concept, is.Message))
	}
	return "[" + strings.Join(out, "; ") + "]"
}

// checkCases holds, for every verdict and kind the checker reports, at
// least one case where it must be reported and one where it must not.
var checkCases = []checkCase{
	// unsupported/finding: a finding the source does not state, or a
	// denial of one it does not address.
	{"Heart size is normal.", "Small left pleural effusion.", Unsupported, IssueFinding, "pleural-effusion", true},
	{"Heart size is normal.", "No pneumothorax.", Unsupported, IssueFinding, "pneumothorax", true},
	{"Right lower lobe consolidation.", "No pneumonia.", Unsupported, IssueFinding, "pneumonia", true},
	{"Small left pleural effusion.", "Small left effusion.", Unsupported, IssueFinding, "pleural-effusion", false},
	{"The lungs are clear.", "No pneumonia.", Unsupported, IssueFinding, "pneumonia", false},
	{"No focal consolidation.", "No pneumonia.", Unsupported, IssueFinding, "pneumonia", false}, // no opacity: no pneumonia
	{"The lungs are clear. No hilar adenopathy.", "No evidence of tuberculosis.", Unsupported, IssueFinding, "tuberculosis", false},
	{"The lungs are clear.", "No evidence of tuberculosis.", Unsupported, IssueFinding, "tuberculosis", true}, // adenopathy not excluded
	{"Right upper lobe cavitary opacity. No adenopathy.", "No evidence of tuberculosis.", Unsupported, IssueFinding, "tuberculosis", true},
	{"The lungs are clear.", "No suspicious pulmonary nodules.", Unsupported, IssueFinding, "nodule", false},
	{"No acute cardiopulmonary abnormality.", "No pleural effusion.", Unsupported, IssueFinding, "pleural-effusion", false}, // the normal statement covers it
	{"Bibasilar atelectasis. No focal consolidation.", "Bibasilar opacities, likely atelectasis.", Unsupported, IssueFinding, "opacity", false},
	{"Chronic compression deformity of T12.", "No acute fracture.", Unsupported, IssueFinding, "fracture", false},
	{"Consolidation in the right lower lobe.", "Right lower lobe opacity, possibly pneumonia.", Unsupported, IssueFinding, "pneumonia", true},

	// unsupported/certainty: certain where the source hedges, current
	// where it says old.
	{"Findings may represent pneumonia.", "Pneumonia.", Unsupported, IssueCertainty, "pneumonia", true},
	{"History of pneumonia.", "Pneumonia.", Unsupported, IssueCertainty, "pneumonia", true},
	{"A small pneumothorax cannot be excluded.", "Small pneumothorax.", Unsupported, IssueCertainty, "pneumothorax", true},
	{"Right lower lobe pneumonia.", "Possible pneumonia.", Unsupported, IssueCertainty, "pneumonia", false},
	{"Old healed left rib fractures.", "Old left rib fractures.", Unsupported, IssueCertainty, "fracture", false},
	{"Findings may represent pneumonia.", "Possible pneumonia.", Unsupported, IssueCertainty, "pneumonia", false},

	// unsupported/side: a side the source does not give.
	{"Small pleural effusion.", "Small left pleural effusion.", Unsupported, IssueSide, "pleural-effusion", true},
	{"Left pleural effusion.", "Bilateral pleural effusions.", Unsupported, IssueSide, "pleural-effusion", true},
	{"Small left pleural effusion.", "Small left pleural effusion.", Unsupported, IssueSide, "pleural-effusion", false},
	{"Bilateral pleural effusions.", "Right pleural effusion.", Unsupported, IssueSide, "pleural-effusion", false},
	// An inherited side is the reading of the sentence, not a statement.
	{"Left lower lobe consolidation. Possible pneumonia.", "Left lower lobe consolidation, possibly pneumonia.", Unsupported, IssueSide, "pneumonia", false},

	// unsupported/location: a zone the source does not give, a lobe that
	// does not exist.
	{"Right lung nodule.", "Right upper lobe nodule.", Unsupported, IssueLocation, "nodule", true},
	{"Opacity in the lingula.", "Opacity in the right lingula.", Unsupported, IssueLocation, "lobe", true},
	{"Right upper lobe nodule.", "Right upper lobe nodule.", Unsupported, IssueLocation, "nodule", false},
	{"Right upper lobe nodule.", "Right lung nodule.", Unsupported, IssueLocation, "nodule", false},
	{"Opacity in the left middle lobe.", "Opacity in the left middle lobe.", Unsupported, IssueLocation, "lobe", false}, // the source's own error

	// unsupported/degree: a size or severity the source does not give,
	// or gives only in part.
	{"Left pleural effusion.", "Large left pleural effusion.", Unsupported, IssueDegree, "pleural-effusion", true},
	{"Small left pleural effusion.", "Small to moderate left pleural effusion.", Unsupported, IssueDegree, "pleural-effusion", true},
	{"Moderate left pleural effusion.", "Moderate left effusion.", Unsupported, IssueDegree, "pleural-effusion", false},
	{"Cardiomegaly, mild.", "Mild cardiomegaly.", Unsupported, IssueDegree, "cardiomegaly", false},
	{"Large left pleural effusion.", "Left pleural effusion.", Unsupported, IssueDegree, "pleural-effusion", false},

	// unsupported/comparison: a comparison the source does not make.
	{"Small left pleural effusion.", "Stable small left pleural effusion.", Unsupported, IssueComparison, "stable", true},
	{"Small left pleural effusion.", "New small left pleural effusion.", Unsupported, IssueComparison, "new", true},
	{"Unchanged small left pleural effusion.", "Stable small left pleural effusion.", Unsupported, IssueComparison, "stable", false},
	{"Interval resolution of the right pneumothorax.", "Decreased right pneumothorax.", Unsupported, IssueComparison, "decreased", false},
	{"The nodule is larger than on the prior study.", "Interval growth of the nodule since prior.", Unsupported, IssueComparison, "prior", false},

	// unsupported/measurement.
	{"Nodule measures 12 mm.", "1.5 cm nodule.", Unsupported, IssueMeasurement, "15 length", true},
	{"Nodule measures 12 mm.", "1.2 cm nodule.", Unsupported, IssueMeasurement, "12 length", false},
	{"Mass measures 4.3 x 2.8 cm.", "43 mm mass.", Unsupported, IssueMeasurement, "43 length", false},

	// unsupported/communication.
	{"Small right pneumothorax.", "Small right pneumothorax, discussed with the referring physician.", Unsupported, IssueCommunication, "", true},
	{"Small right pneumothorax. Findings were called to the ordering physician.", "Small right pneumothorax, discussed with the referring physician.", Unsupported, IssueCommunication, "", false},

	// unsupported/placeholder: one from another report.
	{"Small right pneumothorax.", "Small right pneumothorax. Dr. XXXX notified.", Unsupported, IssuePlaceholder, "", true},
	{"The XXXX are intact.", "The XXXX are intact.", Unsupported, IssuePlaceholder, "", false},
	{"Findings discussed with Dr. ___ by telephone.", "Discussed with Dr. ___ by telephone.", Unsupported, IssuePlaceholder, "", false},

	// contradicted/negation: a flipped negation.
	{"No pleural effusion.", "Small left pleural effusion.", Contradicted, IssueNegation, "pleural-effusion", true},
	{"Small left pleural effusion.", "No pleural effusion.", Contradicted, IssueNegation, "pleural-effusion", true},
	{"The lungs are clear.", "Right lower lobe pneumonia.", Contradicted, IssueNegation, "pneumonia", true},
	{"New compression deformity of T12.", "No acute fracture.", Contradicted, IssueNegation, "fracture", true},
	{"No right pleural effusion. Small left pleural effusion.", "Small left pleural effusion.", Contradicted, IssueNegation, "pleural-effusion", false},
	{"No right pleural effusion. Small left pleural effusion.", "No right pleural effusion.", Contradicted, IssueNegation, "pleural-effusion", false},
	{"INDICATION: Rule out pneumonia.\n\nFINDINGS: No focal consolidation.", "No pneumonia.", Contradicted, IssueNegation, "pneumonia", false},
	{"Chronic compression deformity of T12.", "No acute fracture.", Contradicted, IssueNegation, "fracture", false},

	// contradicted/side: the other side.
	{"Small left pleural effusion.", "Small right pleural effusion.", Contradicted, IssueSide, "pleural-effusion", true},
	{"Right lower lobe pneumonia.", "Left lower lobe pneumonia.", Contradicted, IssueSide, "pneumonia", true},
	{"Bilateral pleural effusions.", "Right pleural effusion.", Contradicted, IssueSide, "pleural-effusion", false},
	{"Right lower lobe pneumonia.", "Right lower lobe pneumonia.", Contradicted, IssueSide, "pneumonia", false},

	// contradicted/degree: a size the source excludes.
	{"Small left pleural effusion.", "Large left pleural effusion.", Contradicted, IssueDegree, "pleural-effusion", true},
	{"Small to moderate left pleural effusion.", "Moderate left pleural effusion.", Contradicted, IssueDegree, "pleural-effusion", false},

	// contradicted/normal: a normal statement over an acute finding (an
	// affirmed one, "normal chest", over a significant one too).
	{"Left lower lobe consolidation.", "No acute cardiopulmonary abnormality.", Contradicted, IssueNormal, "", true},
	{"Mild cardiomegaly.", "Normal chest.", Contradicted, IssueNormal, "", true},
	{"Mild cardiomegaly.", "No acute cardiopulmonary process.", Contradicted, IssueNormal, "", false},
	{"Left basilar opacity, likely atelectasis.", "No acute cardiopulmonary abnormality.", Contradicted, IssueNormal, "", false},
	{"Left lower lobe consolidation.", "Left lower lobe consolidation. No other acute cardiopulmonary abnormality.", Contradicted, IssueNormal, "", false},
	{"Acute distal radius fracture.", "No acute cardiopulmonary abnormality.", Contradicted, IssueNormal, "", false}, // critical: see below

	// contradicted/critical: a critical finding called normal.
	{"Large right pneumothorax.", "No acute cardiopulmonary abnormality.", Contradicted, IssueCritical, "pneumothorax", true},
	{"Displaced fracture of the distal radius.", "Normal radiographs of the wrist.", Contradicted, IssueCritical, "fracture", true},
	{"Displaced fracture of the distal radius.", "No acute osseous abnormality.", Contradicted, IssueCritical, "fracture", true},
	{"Old healed left rib fractures.", "No acute cardiopulmonary abnormality.", Contradicted, IssueCritical, "fracture", false},
	{"Large right pneumothorax.", "Large right pneumothorax.", Contradicted, IssueCritical, "pneumothorax", false},

	// omitted/critical: a critical finding left out.
	{"Small right pneumothorax. Mild cardiomegaly.", "Mild cardiomegaly.", Omitted, IssueCritical, "pneumothorax", true},
	{"Free air under the right hemidiaphragm.", "Dilated bowel loops.", Omitted, IssueCritical, "free-air", true},
	{"Small right pneumothorax.", "Small right pneumothorax.", Omitted, IssueCritical, "pneumothorax", false},
	{"No pneumothorax. Mild cardiomegaly.", "Mild cardiomegaly.", Omitted, IssueCritical, "pneumothorax", false},
	{"INDICATION: Evaluate for pneumothorax.\n\nFINDINGS: Mild cardiomegaly.", "Mild cardiomegaly.", Omitted, IssueCritical, "pneumothorax", false},

	// omitted/device: a line or tube left out; incidental hardware is not.
	{"Endotracheal tube terminates 4 cm above the carina. Lungs are clear.", "Clear lungs.", Omitted, IssueDevice, "endotracheal-tube", true},
	{"Left chest tube in place. Small left pneumothorax.", "Small left pneumothorax.", Omitted, IssueDevice, "chest-tube", true},
	{"Left chest tube in place. Small left pneumothorax.", "Left chest tube. Small left pneumothorax.", Omitted, IssueDevice, "chest-tube", false},
	{"Surgical clips in the right upper quadrant. Lungs are clear.", "Clear lungs.", Omitted, IssueDevice, "clips", false},

	// omitted/finding: a significant finding left out.
	{"8 mm right upper lobe nodule. No focal consolidation.", "No acute disease.", Omitted, IssueFinding, "nodule", true},
	{"Mild cardiomegaly. No focal consolidation.", "No acute disease.", Omitted, IssueFinding, "cardiomegaly", true},
	{"Mild degenerative changes of the spine.", "No acute disease.", Omitted, IssueFinding, "degenerative", false},
}

// TestCheckCases runs checkCases: the issue is reported exactly when it
// should be, flagged (unsupported or contradicted) or not (omitted).
func TestCheckCases(t *testing.T) {
	seen := map[[2]int]map[bool]bool{}
	for _, tc := range checkCases {
		r := testChecker.Check(tc.source, tc.summary)
		found := false
		for _, is := range r.Issues {
			if is.Verdict == tc.verdict && is.Kind == tc.kind && is.Concept == tc.concept {
				found = true
				if is.Flagged() != (tc.verdict != Omitted) {
					t.Errorf("%v: Flagged() = %v", tc, is.Flagged())
				}
			}
		}
		if found != tc.flagged {
			t.Errorf("%v: reported %v, want %v; issues %s", tc, found, tc.flagged, issuesString(r))
		}
		key := [2]int{int(tc.verdict), int(tc.kind)}
		if seen[key] == nil {
			seen[key] = map[bool]bool{}
		}
		seen[key][tc.flagged] = true
	}
	// Every verdict and kind the checker reports has both kinds of case.
	for _, pair := range []struct {
		v Verdict
		k IssueKind
	}{
		{Unsupported, IssueFinding}, {Unsupported, IssueCertainty}, {Unsupported, IssueSide}, {Unsupported, IssueLocation},
		{Unsupported, IssueDegree}, {Unsupported, IssueComparison}, {Unsupported, IssueMeasurement},
		{Unsupported, IssueCommunication}, {Unsupported, IssuePlaceholder},
		{Contradicted, IssueNegation}, {Contradicted, IssueSide}, {Contradicted, IssueDegree}, {Contradicted, IssueNormal},
		{Contradicted, IssueCritical},
		{Omitted, IssueCritical}, {Omitted, IssueDevice}, {Omitted, IssueFinding},
	} {
		got := seen[[2]int{int(pair.v), int(pair.k)}]
		if !got[true] || !got[false] {
			t.Errorf("%s/%s: want a reported and a not-reported case, have %v", pair.v, pair.k, got)
		}
	}
}

// TestCheckFlags covers the concept flags through the checker: acute-only
// (a fracture is critical unless old, healed, chronic or stable),
// escalates (a compression deformity is critical when new, increased or
// acute), report (lines, tubes and actionable findings must not be
// dropped, incidental hardware may).
func TestCheckFlags(t *testing.T) {
	for _, tc := range []struct {
		source string
		want   string // the omission reported when the summary says nothing, or ""
	}{
		{"Acute right rib fracture.", "omitted/critical fracture"},
		{"Nondisplaced fracture of the right fifth rib.", "omitted/critical fracture"},
		{"Old healed right rib fracture.", ""}, // historical
		// Healing or stable: not critical, still a significant finding.
		{"Healing right clavicle fracture.", "omitted/finding fracture"},
		{"Stable right rib fracture.", "omitted/finding fracture"},
		{"New compression deformity of T12.", "omitted/critical compression-deformity"},
		{"Compression deformity of T12, increased since the prior study.", "omitted/critical compression-deformity"},
		{"Chronic compression deformity of T12.", ""},
		{"Compression deformity of T12.", ""},
		{"Right internal jugular central line tip in the SVC.", "omitted/device central-line"},
		{"Nasogastric tube tip in the stomach.", "omitted/device enteric-tube"},
		{"Pacemaker leads in the right atrium and ventricle.", "omitted/device cardiac-device"},
		{"Sternotomy wires are intact.", ""},
		{"Surgical clips in the right upper quadrant.", ""},
		{"Spinal fusion hardware.", ""},
		{"8 mm nodule in the right upper lobe.", "omitted/finding nodule"},
		{"Ascending aortic aneurysm.", "omitted/finding aneurysm"},
		{"Right hilar adenopathy.", "omitted/finding adenopathy"},
		{"Calcified granuloma in the right upper lobe.", ""},
	} {
		r := testChecker.Check(tc.source, "Heart size is normal.")
		var got []string
		for _, is := range r.Issues {
			if is.Verdict == Omitted {
				got = append(got, fmt.Sprintf("%s/%s %s", is.Verdict, is.Kind, is.Concept))
			}
		}
		want := []string(nil)
		if tc.want != "" {
			want = []string{tc.want}
		}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("%q: omissions %q, want %q", tc.source, got, want)
		}
	}
}

// reportCorpus returns hand-written reports and notes and synthetic
// radiology reports and nursing notes, for the invariants.
func reportCorpus(t *testing.T) []string {
	t.Helper()
	corpus := []string{
		"FINDINGS: There is a small right pleural effusion with adjacent atelectasis. No pneumothorax. The heart size is normal. " +
			"Degenerative changes of the thoracic spine.\n\nIMPRESSION: Small right pleural effusion.",
		"The cardiomediastinal silhouette is within normal limits. The lungs are clear. No pleural effusion or pneumothorax. " +
			"The XXXX are intact.",
		"Interval removal of the right chest tube. Small residual right apical pneumothorax measuring 8 mm, decreased from " +
			"12 mm on the prior study. Findings were discussed with Dr. [**Name**] by telephone at 10:15.",
		"Right lower lobe consolidation, compatible with pneumonia. Possible small left effusion. Stable cardiomegaly. " +
			"Endotracheal tube terminates 4 cm above the carina. Nasogastric tube tip in the stomach.",
		"No focal consolidation, effusion, or pneumothorax is seen. Old healed left rib fractures. Calcified granuloma in the " +
			"left upper lobe. Mild hyperinflation, consistent with COPD.",
		"S: 78 y/o F w/ h/o CHF, afib on warfarin, p/w SOB x 2 days. Denies chest pain, fever. PMH: HTN, DM2. " +
			"O: BP 150/90, HR 110, SpO2 88% on RA. Bilateral LE edema. A: CHF exacerbation. P: Furosemide 40 mg IV, O2 2L NC.",
		"INDICATION: Fever, rule out pneumonia.\n\nFINDINGS: Left lower lobe opacity may represent atelectasis or " +
			"pneumonia. No pneumothorax.\n\nIMPRESSION: Left lower lobe opacity, possibly pneumonia.",
	}
	for _, kind := range []synth.Kind{synth.KindRadiology, synth.KindNursingNotes} {
		g, err := synth.New(synth.Options{Kind: kind, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 150 {
			s := g.Sample(i)
			corpus = append(corpus, s.Record.Text, s.Record.Summary)
		}
	}
	return corpus
}

// A summary identical to its source is always faithful, and omits
// nothing.
func TestCheckIdenticalIsFaithful(t *testing.T) {
	for _, s := range reportCorpus(t) {
		r := testChecker.Check(s, s)
		if len(r.Issues) != 0 {
			t.Errorf("Check(s, s) has issues %s\n  s = %q", issuesString(r), s)
		}
	}
}

// A summary that copies one full sentence of a report is faithful: for
// sentences of the findings and impression (or of a report without
// sections), whose reading does not depend on their section.
func TestCheckCopiedSentenceIsFaithful(t *testing.T) {
	n := 0
	for _, s := range reportCorpus(t) {
		for _, st := range text.SplitSentences(s) {
			switch st.Section {
			case text.SectionNone, text.SectionFindings, text.SectionImpression:
			default:
				continue
			}
			n++
			r := testChecker.Check(s, st.Text)
			if !r.Faithful() {
				t.Errorf("copied sentence %q flagged: %s\n  source %q", st.Text, issuesString(r), s)
			}
		}
	}
	if n < 500 {
		t.Fatalf("only %d sentences checked", n)
	}
}

// Every message names what it is about: the concept's name, the quoted
// words of the summary, or the findings a normal statement covers.
func TestCheckMessagesNameTheConcept(t *testing.T) {
	lex := testChecker.Extractor().Lexicon()
	sources, summaries := radiologyPairs(t, 400)
	var results []Result
	for i := range sources {
		results = append(results, testChecker.Check(sources[i], summaries[i]))
	}
	for _, tc := range checkCases {
		results = append(results, testChecker.Check(tc.source, tc.summary))
	}
	kinds := map[IssueKind]bool{}
	for _, r := range results {
		for _, is := range r.Issues {
			kinds[is.Kind] = true
			if is.Message == "" {
				t.Errorf("%s/%s %q: empty message", is.Verdict, is.Kind, is.Concept)
				continue
			}
			if c, ok := lex.Concept(is.Concept); ok {
				if !strings.Contains(is.Message, c.Name) {
					t.Errorf("%s/%s: message %q does not name %q", is.Verdict, is.Kind, is.Message, c.Name)
				}
			}
			if is.Summary != nil {
				quote := r.Summary.Text[is.Summary.Start:is.Summary.End]
				switch is.Kind {
				case IssueComparison, IssueMeasurement, IssueCommunication:
					if !strings.Contains(is.Message, quote) {
						t.Errorf("%s/%s: message %q does not quote %q", is.Verdict, is.Kind, is.Message, quote)
					}
				}
			}
			if is.Kind == IssueNormal {
				for _, sp := range is.Source {
					found := false
					for _, c := range r.Source.Claims {
						if c.Span == sp && c.Type == ClaimConcept && strings.Contains(is.Message, lex.Concepts[c.concept].Name) {
							found = true
						}
					}
					if !found {
						t.Errorf("normal: message %q does not name the finding at %v", is.Message, sp)
					}
				}
			}
		}
	}
	for _, k := range IssueKinds() {
		if !kinds[k] {
			t.Errorf("no %s issue checked", k)
		}
	}
}

// Checkers and extractors are safe for concurrent use (their buffers are
// pooled): checks in parallel give the same results as one by one.
func TestCheckConcurrent(t *testing.T) {
	sources, summaries := radiologyPairs(t, 200)
	want := make([]string, len(sources))
	for i := range sources {
		want[i] = issuesString(testChecker.Check(sources[i], summaries[i]))
	}
	errs := make(chan string, len(sources))
	done := make(chan bool)
	for w := range 4 {
		go func() {
			for i := w; i < len(sources); i += 4 {
				if got := issuesString(testChecker.Check(sources[i], summaries[i])); got != want[i] {
					errs <- fmt.Sprintf("pair %d: %s, alone %s", i, got, want[i])
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestMentionByExplanation checks that a finding which accounts for the
// source's finding keeps it: "pneumonia" for "consolidation compatible
// with pneumonia" omits nothing.
func TestMentionByExplanation(t *testing.T) {
	c := NewChecker(nil)
	r := c.Check("Consolidation in the right lower lobe, compatible with pneumonia.", "Right lower lobe pneumonia.")
	if !r.Faithful() || r.ReportableOmitted() {
		t.Fatalf("issues %+v", r.Issues)
	}
	// A finding that does not account for it still leaves it out.
	r = c.Check("Consolidation in the right lower lobe. Small right pleural effusion.", "Small right pleural effusion.")
	if !r.ReportableOmitted() {
		t.Fatalf("the consolidation is not reported omitted: %+v", r.Issues)
	}
}

// Checkers over lexicons of different sizes share the pool of check
// buffers: a buffer last used with the larger lexicon must not index the
// smaller one's (it panicked).
func TestCheckersWithDifferentLexicons(t *testing.T) {
	site, err := ReadLexicon(strings.NewReader("finding zebra-sign group=zebra severity=acute: zebra sign\n"), "site.txt")
	if err != nil {
		t.Fatal(err)
	}
	large, small := NewChecker(site), NewChecker(nil)
	for range 20 {
		if large.Check("No acute findings.", "Zebra sign in the right lung.").Faithful() {
			t.Fatal("site checker: an invented zebra sign went unnoticed")
		}
		if small.Check("Small right pneumothorax.", "No pneumothorax.").Faithful() {
			t.Fatal("built-in checker: a denied pneumothorax went unnoticed")
		}
	}
}
