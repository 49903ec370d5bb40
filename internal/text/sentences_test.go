package text

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sentenceTexts(ss []Sentence) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Text)
	}
	return out
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"whitespace only", " \n\t ", nil},
		{"punctuation only", "... ,;", nil},
		{"one sentence no period", "Heart size normal", []string{"Heart size normal"}},
		{"two sentences", "Heart size normal. Lungs are clear.", []string{"Heart size normal.", "Lungs are clear."}},
		{"question and exclamation", "Pain? Yes! Radiates to arm.", []string{"Pain?", "Yes!", "Radiates to arm."}},
		{"title abbreviation", "Seen by Dr. Smith today. Stable.", []string{"Seen by Dr. Smith today.", "Stable."}},
		{"several titles", "Mr. and Mrs. Jones met Prof. Lee.", []string{"Mr. and Mrs. Jones met Prof. Lee."}},
		{"initials after title", "Discussed with Dr. J. Smith. Agrees.", []string{"Discussed with Dr. J. Smith.", "Agrees."}},
		{"hepatitis letter ends", "History of hepatitis C. She is well.", []string{"History of hepatitis C.", "She is well."}},
		{"bid inside", "Metoprolol 25 mg b.i.d. for rate control.", []string{"Metoprolol 25 mg b.i.d. for rate control."}},
		{"qd then capital", "Aspirin 81 mg q.d. Patient will follow up.", []string{"Aspirin 81 mg q.d.", "Patient will follow up."}},
		{"qd lower", "Lasix 20 mg p.o. q.d. and potassium.", []string{"Lasix 20 mg p.o. q.d. and potassium."}},
		{"eg ie vs", "Use a sedative, e.g. Lorazepam, i.e. a benzodiazepine, vs. Haloperidol.", []string{"Use a sedative, e.g. Lorazepam, i.e. a benzodiazepine, vs. Haloperidol."}},
		{"approx", "Measures approx. 3 cm. Stable.", []string{"Measures approx. 3 cm.", "Stable."}},
		{"decimal", "A 3.5 cm nodule. Another 0.8 cm nodule.", []string{"A 3.5 cm nodule.", "Another 0.8 cm nodule."}},
		{"decimal at end", "EF is 55.5. Normal.", []string{"EF is 55.5.", "Normal."}},
		{"numbered inline", "1. Bullous emphysema. 2. Scarring in the left apex. 3. No effusion.", []string{"1. Bullous emphysema.", "2. Scarring in the left apex.", "3. No effusion."}},
		{"numbered lines", "1. Cardiomegaly\n2. Small effusion\n3) Atelectasis", []string{"1. Cardiomegaly", "2. Small effusion", "3) Atelectasis"}},
		{"number no after", "Vertebral fracture at T12. No. 2 pencil used.", []string{"Vertebral fracture at T12.", "No. 2 pencil used."}},
		{"no as answer", "Fever? No. Chills.", []string{"Fever?", "No.", "Chills."}},
		{"bullets", "- Left effusion\n- Right atelectasis\n* Cardiomegaly", []string{"Left effusion", "Right atelectasis", "Cardiomegaly"}},
		{"placeholder XXXX", "Normal chest x-XXXX. XXXX are intact. Inferior XXXX XXXX XXXX.", []string{"Normal chest x-XXXX.", "XXXX are intact.", "Inferior XXXX XXXX XXXX."}},
		{"placeholder underscores", "Admitted on ___. ___ was notified. Seen by Dr. ___.", []string{"Admitted on ___.", "___ was notified.", "Seen by Dr. ___."}},
		{"mimic placeholder", "Seen by [**Doctor Last Name**]. Stable.", []string{"Seen by [**Doctor Last Name**].", "Stable."}},
		{"glued period", "Opacity in the left apex.There are streaky opacities.", []string{"Opacity in the left apex.", "There are streaky opacities."}},
		{"abbreviation glued not split", "Treated in the U.S.A. since 2010.", []string{"Treated in the U.S.A. since 2010."}},
		{"wrapped lines", "There is a small left\npleural effusion. Heart normal.", []string{"There is a small left\npleural effusion.", "Heart normal."}},
		{"blank line ends", "Heart size normal\n\nLungs clear", []string{"Heart size normal", "Lungs clear"}},
		{"crlf", "Heart normal.\r\nLungs clear.\r\n", []string{"Heart normal.", "Lungs clear."}},
		{"closing paren", "Effusion (small.) Stable.", []string{"Effusion (small.)", "Stable."}},
		{"quote after period", `He said "no pain." She agreed.`, []string{`He said "no pain."`, "She agreed."}},
		{"ellipsis", "Pain... Better now.", []string{"Pain...", "Better now."}},
		{"flattened lines", "Allergic rhinitis.,PLAN:,1. Zyrtec instead.,2. Nasonex samples.", []string{"Allergic rhinitis.", "1. Zyrtec instead.", "2. Nasonex samples."}},
		{"non-ascii", "Fièvre à 39 °C. Pas de toux.", []string{"Fièvre à 39 °C.", "Pas de toux."}},
		{"lowercase after period stays", "The patient has a hx. of asthma.", []string{"The patient has a hx. of asthma."}},
		{"colon not header", "BP: 120/80. HR 72.", []string{"BP: 120/80.", "HR 72."}},
		{"time", "Seen at 10:30. Discharged.", []string{"Seen at 10:30.", "Discharged."}},
		{"et al", "As described by Smith et al. in 2010.", []string{"As described by Smith et al. in 2010."}},
		{"no-break spaces", "Heart normal.\u00a0Lungs clear.\u00a0", []string{"Heart normal.", "Lungs clear."}},
		{"list after colon", "Impression: 1. Effusion. 2. Nodule.", []string{"1. Effusion.", "2. Nodule."}},
		{"units at end", "Walks for 10 min. No chest pain.", []string{"Walks for 10 min.", "No chest pain."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitSentences(tt.in)
			if texts := sentenceTexts(got); !reflect.DeepEqual(texts, tt.want) {
				t.Fatalf("SplitSentences(%q)\n got %q\nwant %q", tt.in, texts, tt.want)
			}
			checkSentences(t, tt.in, got)
		})
	}
}

func TestSplitSentencesSections(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // "kind|text"
	}{
		{"own-line headers", "FINDINGS:\nNo pleural effusion. Heart normal.\n\nIMPRESSION:\nNo acute disease.",
			[]string{"findings|No pleural effusion.", "findings|Heart normal.", "impression|No acute disease."}},
		{"header without colon on its own line", "COMPARISON\nNone.\nFINDINGS\nClear lungs.",
			[]string{"comparison|None.", "findings|Clear lungs."}},
		{"inline headers", "INDICATION: Cough. COMPARISON: None. FINDINGS: Lungs clear. IMPRESSION: Normal.",
			[]string{"indication|Cough.", "comparison|None.", "findings|Lungs clear.", "impression|Normal."}},
		{"title case known header", "Impression: No acute disease.\nPlan: Follow up.",
			[]string{"impression|No acute disease.", "plan|Follow up."}},
		{"header ends unterminated sentence", "Lungs are clear\nIMPRESSION: Normal",
			[]string{"none|Lungs are clear", "impression|Normal"}},
		{"flattened transcription", "SUBJECTIVE:, This 23-year-old presents with allergies.,MEDICATIONS: , Allegra.,HEENT: Throat without exudate.,ASSESSMENT:, Allergic rhinitis.",
			[]string{"subjective|This 23-year-old presents with allergies.", "medications|Allegra.", "other|Throat without exudate.", "assessment|Allergic rhinitis."}},
		{"comma header", "PREOPERATIVE DIAGNOSES,Airway obstruction.,2-D STUDY,1. Mild aortic stenosis.",
			[]string{"diagnosis|Airway obstruction.", "other|1. Mild aortic stenosis."}},
		{"hpi and assessment/plan", "HPI: 45 yo with cough.\nA/P: Pneumonia. Start antibiotics.",
			[]string{"hpi|45 yo with cough.", "assessment_plan|Pneumonia.", "assessment_plan|Start antibiotics."}},
		{"capitals under a header are its body", "EXAMINATION:\nCT HEAD WITHOUT CONTRAST\nINDICATION:\nFall.\nFINDINGS:\nNo hemorrhage.",
			[]string{"examination|CT HEAD WITHOUT CONTRAST", "indication|Fall.", "findings|No hemorrhage."}},
		{"placeholder is not a header", "XXXX:\nNormal.", []string{"none|XXXX:\nNormal."}},
		{"all-caps sentence is not a header inline", "Lungs clear. NO ACUTE DISEASE", []string{"none|Lungs clear.", "none|NO ACUTE DISEASE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitSentences(tt.in)
			var texts []string
			for _, s := range got {
				texts = append(texts, s.Section.String()+"|"+s.Text)
			}
			if !reflect.DeepEqual(texts, tt.want) {
				t.Fatalf("SplitSentences(%q)\n got %q\nwant %q", tt.in, texts, tt.want)
			}
			checkSentences(t, tt.in, got)
		})
	}
}

// checkSentences asserts the invariants every split must hold.
func checkSentences(t testing.TB, s string, got []Sentence) {
	t.Helper()
	prev := 0
	for i, st := range got {
		if st.Start < prev || st.End < st.Start || st.End > len(s) {
			t.Fatalf("sentence %d: bad offsets [%d,%d) after %d in %d bytes", i, st.Start, st.End, prev, len(s))
		}
		if st.Text != s[st.Start:st.End] {
			t.Fatalf("sentence %d: Text %q is not s[%d:%d] = %q", i, st.Text, st.Start, st.End, s[st.Start:st.End])
		}
		if !hasAlnum(st.Text) {
			t.Fatalf("sentence %d: %q has no letter or digit", i, st.Text)
		}
		if strings.TrimSpace(st.Text) != st.Text {
			t.Fatalf("sentence %d: %q is not trimmed", i, st.Text)
		}
		prev = st.End
	}
}

func TestAppendSentencesReuses(t *testing.T) {
	buf := make([]Sentence, 0, 16)
	a := AppendSentences(buf, "One. Two.")
	b := AppendSentences(a[:0], "Three. Four. Five.")
	if got := sentenceTexts(b); !reflect.DeepEqual(got, []string{"Three.", "Four.", "Five."}) {
		t.Fatalf("got %q", got)
	}
	if &a[0] != &b[0] {
		t.Fatalf("AppendSentences did not reuse the slice's memory")
	}
	if n := testing.AllocsPerRun(100, func() { b = AppendSentences(b[:0], "FINDINGS: Heart normal. Lungs clear. No effusion.") }); n != 0 {
		t.Fatalf("AppendSentences allocated %.1f times per run with a large enough slice", n)
	}
}

func TestSections(t *testing.T) {
	in := "EXAMINATION: Chest PA and lateral\nINDICATION: Cough.\n\nFINDINGS:\nNo pleural effusion.\nHeart normal.\n\nIMPRESSION:\nNo acute disease.\n"
	got := Sections(in)
	type sec struct{ kind, title, body string }
	var secs []sec
	for _, s := range got {
		secs = append(secs, sec{s.Kind.String(), s.Title, in[s.Start:s.End]})
		if s.HeaderStart > s.HeaderEnd || s.HeaderEnd > s.Start || s.Start > s.End {
			t.Fatalf("section %+v: offsets out of order", s)
		}
	}
	want := []sec{
		{"examination", "EXAMINATION", "Chest PA and lateral"},
		{"indication", "INDICATION", "Cough."},
		{"findings", "FINDINGS", "No pleural effusion.\nHeart normal."},
		{"impression", "IMPRESSION", "No acute disease."},
	}
	if !reflect.DeepEqual(secs, want) {
		t.Fatalf("Sections\n got %+v\nwant %+v", secs, want)
	}
	if in[got[3].HeaderStart:got[3].HeaderEnd] != "IMPRESSION:" {
		t.Fatalf("header span = %q", in[got[3].HeaderStart:got[3].HeaderEnd])
	}

	pre := Sections("The heart is normal. No effusion.")
	if len(pre) != 1 || pre[0].Kind != SectionNone || pre[0].Title != "" || pre[0].Start != 0 || pre[0].End != 33 {
		t.Fatalf("text without headers: got %+v", pre)
	}
	if got := Sections("  \n "); len(got) != 0 {
		t.Fatalf("blank text: got %+v", got)
	}
	withPre := Sections("Chest two views.\nFINDINGS: Clear.")
	if len(withPre) != 2 || withPre[0].Kind != SectionNone || withPre[1].Kind != SectionFindings {
		t.Fatalf("preamble then header: got %+v", withPre)
	}
	empty := Sections("FINDINGS:\nIMPRESSION: Normal.")
	if len(empty) != 2 || empty[0].Start != empty[0].End {
		t.Fatalf("empty section body: got %+v", empty)
	}
}

func TestSectionKindNames(t *testing.T) {
	for k := SectionKind(0); int(k) < NumSectionKinds; k++ {
		name := k.String()
		if name == "" {
			t.Fatalf("kind %d has no name", k)
		}
		back, ok := ParseSectionKind(name)
		if !ok || back != k {
			t.Fatalf("ParseSectionKind(%q) = %v, %v; want %v", name, back, ok, k)
		}
	}
	if _, ok := ParseSectionKind("nonsense"); ok {
		t.Fatal("ParseSectionKind accepted an unknown name")
	}
	for title, kind := range sectionTitles {
		if got, ok := lookupSection(strings.ToLower(title)); !ok || got != kind {
			t.Fatalf("lookupSection(%q) = %v, %v", strings.ToLower(title), got, ok)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	for w, want := range map[string]bool{"XXXX": true, "XXX": true, "XX": false, "___": true, "__": true, "_": false,
		"[**Name**]": true, "XXXXa": false, "Xray": false, "": false} {
		if got := IsPlaceholder(w); got != want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", w, got, want)
		}
	}
}

// sectionOf returns the kind of the section whose [HeaderStart, next
// HeaderStart) range holds offset off.
func sectionOf(secs []Section, off int) SectionKind {
	kind := SectionNone
	for _, s := range secs {
		if s.HeaderStart > off {
			break
		}
		kind = s.Kind
	}
	return kind
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{
		"", "Heart size normal. Lungs clear.", "1. Emphysema. 2. Scarring.", "Dr. XXXX XXXX. ___ was seen.",
		"FINDINGS:\nNo effusion.\n\nIMPRESSION:\nNormal.", "SUBJECTIVE:, Allergies.,PLAN:,1. Zyrtec.",
		"Aspirin q.d. Patient b.i.d. and", "A 3.5 cm nodule.There", "- a\n* b\n• c", "X:\n:\n.,A", "\xff\xfe. A",
		"PREOPERATIVE DIAGNOSES,Airway.", "e.g. i.e. vs. No. 2", "[**Name**]. Ok",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SplitSentences(s)
		checkSentences(t, s, got)
		again := AppendSentences(make([]Sentence, 0, 1), s)
		if !reflect.DeepEqual(got, again) && !(len(got) == 0 && len(again) == 0) {
			t.Fatalf("AppendSentences differs from SplitSentences")
		}
		secs := Sections(s)
		prev := 0
		for i, sec := range secs {
			if sec.HeaderStart < prev || sec.HeaderStart > sec.HeaderEnd || sec.HeaderEnd > sec.Start || sec.Start > sec.End || sec.End > len(s) {
				t.Fatalf("section %d %+v out of order (prev end %d, len %d)", i, sec, prev, len(s))
			}
			if sec.Title != s[sec.HeaderStart:sec.HeaderStart+len(sec.Title)] {
				t.Fatalf("section %d title %q not at its header", i, sec.Title)
			}
			prev = sec.End
		}
		for i, st := range got {
			if k := sectionOf(secs, st.Start); k != st.Section {
				t.Fatalf("sentence %d %q is in section %v but says %v", i, st.Text, k, st.Section)
			}
		}
	})
}

func FuzzSections(f *testing.F) {
	for _, s := range []string{"FINDINGS:\nA.\nIMPRESSION:\nB.", "INDICATION: x. FINDINGS: y.", "A/P: z", "CC,Pain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		secs := Sections(s)
		for i := 1; i < len(secs); i++ {
			if secs[i].HeaderStart < secs[i-1].End {
				t.Fatalf("sections %d and %d overlap", i-1, i)
			}
		}
		if len(secs) == 0 && len(SplitSentences(s)) > 0 {
			t.Fatalf("sentences but no section")
		}
	})
}

var benchNote = strings.Repeat("INDICATION: Cough and fever.\nFINDINGS:\nThe cardiac silhouette and mediastinum size are within normal limits. "+
	"There is no pulmonary edema. There is no focal consolidation. There are no XXXX of a pleural effusion. "+
	"A 3.5 cm nodule in the left upper lobe, seen by Dr. XXXX. Aspirin 81 mg q.d. and metoprolol b.i.d.\n\n"+
	"IMPRESSION:\n1. No acute cardiopulmonary abnormality. 2. Left upper lobe nodule.\n", 4)

func BenchmarkSplitSentences(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchNote)))
	buf := make([]Sentence, 0, 64)
	for b.Loop() {
		buf = AppendSentences(buf[:0], benchNote)
	}
}

func BenchmarkSections(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchNote)))
	buf := make([]Section, 0, 16)
	for b.Loop() {
		buf = AppendSections(buf[:0], benchNote)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000", -999: "-999", -100000: "-100,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestErrWriter(t *testing.T) {
	dst := &failAfter{n: 1}
	ew := &ErrWriter{W: dst}
	if _, err := ew.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	ew.Write([]byte("b"))
	dst.n = 5 // the destination recovers; the first error stays
	if n, err := ew.Write([]byte("c")); n != 0 || err == nil || ew.Err == nil || ew.Err.Error() != "disk full" {
		t.Errorf("after an error: %d %v %v", n, err, ew.Err)
	}
}
