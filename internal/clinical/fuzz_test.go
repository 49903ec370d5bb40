package clinical

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/synth"
)

// fuzzSeeds are texts the fuzz targets start from: report and note
// shapes, every claim type, and the odd marks and placeholders that
// tokenizing has to survive.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		"",
		"No pneumothorax.",
		"No consolidation, effusion, or pneumothorax is seen. Heart size is normal and the lungs are clear.",
		"FINDINGS: Small left pleural effusion, increased since the prior study.\n\nIMPRESSION: Small left effusion.",
		"INDICATION: ? pneumonia.\nFAMILY HISTORY: Mother had breast cancer.\nPMH: CAD s/p CABG.",
		"Mass measures 4.3 x 2.8 x 1.9 cm. BP 90/60 mm Hg. 2cm nodule. Findings discussed with Dr. [**Name**] at ___.",
		"Opacity in the left middle lobe and right lingula, XXXX representing atelectasis versus pneumonia.",
		"No acute cardiopulmonary abnormality. Normal chest. No acute osseous abnormality.",
		"Pt c/o SOB x 2 days, denies CP, N/V. VS 98.6, 110, 150/90. Foley placed; 18g PIV L AC.",
		"Old healed right rib fractures; new compression deformity of T12: acute.",
		"1. Bullous emphysema. 2. Scarring.\n3) Stable cardiomegaly",
		"Résumé: épanchement pleural gauche – pneumothorax droit’s… ¿? \x00\xff",
		"XXXX XXXX, ___ [** **] [**unterminated",
		"left greater than right, left-sided, bilateral, bibasilar, right lower lobe",
	}
	g, err := synth.New(synth.Options{Kind: synth.KindRadiology, Seed: 3})
	if err != nil {
		f.Fatal(err)
	}
	for i := range 3 {
		s := g.Sample(i)
		seeds = append(seeds, s.Record.Text, s.Record.Summary)
	}
	return seeds
}

// fuzzWords are the words and marks that wordText composes texts from,
// so that the fuzzers also explore clinical sentences: triggers before,
// after and around findings, lists, sides, sizes, sections, numbers.
var fuzzWords = strings.Fields(`no not without possible may represent cannot be excluded is are was seen identified
	unlikely resolved removed history of old healed new stable unchanged increased decreased prior compared to since
	left right bilateral bibasilar upper lower middle lobe lingula lingular apical base apex mid lung lungs heart size
	small large moderate mild severe trace pleural effusion effusions pneumothorax consolidation opacity opacities
	atelectasis pneumonia cardiomegaly normal clear enlarged fracture rib acute chronic compression deformity free air
	mass nodule calcified granuloma tube chest central line ET NG endotracheal clips , , , . . ; : ? ( ) / or or and
	but which versus however consistent with to suggest change in the a no-change denies c/o p/w h/o s/p mother had if
	recommend evaluate for cardiopulmonary abnormality process XXXX ___ [**Name**] 2.5 4 12 x cm mm mmHg 90/60
	discussed notified telephone FINDINGS: IMPRESSION: INDICATION: PMH: COMPARISON: FAMILY-HISTORY: \n \n\n
	greater than anterior angulation small-bowel total knee arthroplasty fever SOB CP N/V`)

// wordText turns fuzz bytes into a text of fuzzWords, one word a byte.
func wordText(b string) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		w := fuzzWords[int(b[i])%len(fuzzWords)]
		switch w {
		case `\n`:
			w = "\n"
		case `\n\n`:
			w = "\n\n"
		}
		w = strings.ReplaceAll(w, "-", " ")
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(w)
	}
	return sb.String()
}

// checkDocument verifies the invariants of an extracted document.
func checkDocument(t *testing.T, x *Extractor, d *Document) {
	t.Helper()
	lex := x.Lexicon()
	prev := -1
	for i, c := range d.Claims {
		if c.Span.Start < 0 || c.Span.Start >= c.Span.End || c.Span.End > len(d.Text) {
			t.Fatalf("claim %d (%s): span %v outside %d bytes", i, c.Type, c.Span, len(d.Text))
		}
		if c.Sentence < 0 || c.Sentence >= len(d.Sentences) {
			t.Fatalf("claim %d: sentence %d of %d", i, c.Sentence, len(d.Sentences))
		}
		st := d.Sentences[c.Sentence]
		if c.Span.Start < st.Start || c.Span.End > st.End {
			t.Fatalf("claim %d %v outside its sentence %d [%d, %d)", i, c.Span, c.Sentence, st.Start, st.End)
		}
		if c.Span.Start < prev {
			t.Fatalf("claim %d at %d after one at %d: not sorted", i, c.Span.Start, prev)
		}
		prev = c.Span.Start
		switch c.Type {
		case ClaimConcept:
			con, ok := lex.Concept(c.ConceptID)
			if !ok || c.concept < 0 || c.concept >= len(lex.Concepts) || lex.Concepts[c.concept].ID != c.ConceptID || con.Name == "" {
				t.Fatalf("claim %d: unknown concept %q (index %d)", i, c.ConceptID, c.concept)
			}
			if c.Assertion > Family {
				t.Fatalf("claim %d: assertion %d", i, c.Assertion)
			}
			if con.NoSide && (c.Side != 0 || c.Zone != 0) {
				t.Fatalf("claim %d: %s has no side but got %s %s", i, c.ConceptID, c.Side, c.Zone)
			}
		case ClaimComparison:
			if c.Comparison == CompareNone || c.Comparison >= numComparisons {
				t.Fatalf("claim %d: comparison %d", i, c.Comparison)
			}
		case ClaimMeasurement:
			if c.Dim == 0 || c.Value != c.Value || c.Value < 0 {
				t.Fatalf("claim %d: measurement %v %s", i, c.Value, c.Dim)
			}
		case ClaimNormal:
			if c.Scope == NormalNone {
				t.Fatalf("claim %d: normal statement without scope", i)
			}
		}
	}
}

// FuzzExtract: any text extracts without panicking, into claims that lie
// in their sentences, in order, with known concepts.
func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	x := NewExtractor(nil)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, s := range []string{raw, wordText(raw)} {
			d := x.Extract(s)
			if d.Text != s {
				t.Fatal("document text differs from the input")
			}
			checkDocument(t, x, d)
			// Extraction is deterministic.
			if again := x.Extract(s); len(again.Claims) != len(d.Claims) {
				t.Fatalf("second extraction of %q: %d claims, first %d", s, len(again.Claims), len(d.Claims))
			}
		}
	})
}

// FuzzCheck: any pair checks without panicking; a text checked against
// itself is faithful and omits nothing; issues point into the right
// texts.
func FuzzCheck(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	c := NewChecker(nil)
	f.Fuzz(func(t *testing.T, rawSource, rawSummary string) {
		checkPair(t, c, rawSource, rawSummary)
		checkPair(t, c, wordText(rawSource), wordText(rawSummary))
	})
}

// checkPair checks source against summary and verifies the result.
func checkPair(t *testing.T, c *Checker, source, summary string) {
	t.Helper()
	r := c.Check(source, summary)
	checkDocument(t, c.Extractor(), r.Source)
	checkDocument(t, c.Extractor(), r.Summary)
	for _, is := range r.Issues {
		if is.Verdict < Unsupported || is.Verdict > Omitted || is.Kind < IssueFinding || is.Kind >= numIssueKinds || is.Message == "" {
			t.Fatalf("malformed issue %+v", is)
		}
		// An omission has no summary span, every other issue one; spans
		// are those of claims of the right text.
		if (is.Summary == nil) != (is.Verdict == Omitted) {
			t.Fatalf("%s/%s: summary span %v", is.Verdict, is.Kind, is.Summary)
		}
		if is.Summary != nil {
			if is.Summary.Start < 0 || is.Summary.Start >= is.Summary.End || is.Summary.End > len(summary) {
				t.Fatalf("%s/%s: summary span %v outside %d bytes", is.Verdict, is.Kind, *is.Summary, len(summary))
			}
			if !hasClaimAt(r.Summary, *is.Summary) {
				t.Fatalf("%s/%s: summary span %v is no claim of the summary", is.Verdict, is.Kind, *is.Summary)
			}
		}
		for _, sp := range is.Source {
			if sp.Start < 0 || sp.Start >= sp.End || sp.End > len(source) {
				t.Fatalf("%s/%s: source span %v outside %d bytes", is.Verdict, is.Kind, sp, len(source))
			}
			if !hasClaimAt(r.Source, sp) {
				t.Fatalf("%s/%s: source span %v is no claim of the source", is.Verdict, is.Kind, sp)
			}
		}
		if !utf8.ValidString(is.Message) && utf8.ValidString(source) && utf8.ValidString(summary) {
			t.Fatalf("message %q is not UTF-8", is.Message)
		}
	}
	if self := c.Check(source, source); len(self.Issues) != 0 {
		t.Fatalf("Check(s, s) has issues %s\n  s = %q", issuesString(self), source)
	}
}

// hasClaimAt reports whether a claim of d has span sp.
func hasClaimAt(d *Document, sp Span) bool {
	for _, c := range d.Claims {
		if c.Span == sp {
			return true
		}
	}
	return false
}
