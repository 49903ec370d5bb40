package cdshooks

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// drugClassesTSV lists drug classes whose members cross-react; see its
// header for the format.
//
//go:embed drug_classes.tsv
var drugClassesTSV []byte

// drugLexicon recognises drug names in medication and allergy labels and
// knows their classes.
type drugLexicon struct {
	// canonical maps a name or alias to the member's name.
	canonical map[string]string
	// classes maps a member to its classes; members to a class's members.
	classes map[string][]string
	members map[string][]string
	// aliases maps a member to the names that mean it (itself included).
	aliases map[string][]string
}

func loadDrugLexicon() (*drugLexicon, error) {
	l := &drugLexicon{canonical: map[string]string{}, classes: map[string][]string{}, members: map[string][]string{}, aliases: map[string][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(drugClassesTSV))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		class, list, ok := strings.Cut(s, "\t")
		if !ok {
			return nil, fmt.Errorf("cdshooks: drug_classes.tsv:%d: want a class name, a tab and its members", line)
		}
		for _, m := range strings.Split(list, ",") {
			name, alias, _ := strings.Cut(strings.TrimSpace(strings.ToLower(m)), "=")
			if name == "" {
				return nil, fmt.Errorf("cdshooks: drug_classes.tsv:%d: empty member", line)
			}
			names := append([]string{name}, strings.FieldsFunc(alias, func(r rune) bool { return r == '|' })...)
			for _, n := range names {
				if c, ok := l.canonical[n]; ok && c != name {
					return nil, fmt.Errorf("cdshooks: drug_classes.tsv:%d: %q already means %q", line, n, c)
				}
				l.canonical[n] = name
				if !slices.Contains(l.aliases[name], n) {
					l.aliases[name] = append(l.aliases[name], n)
				}
			}
			l.classes[name] = append(l.classes[name], class)
			l.members[class] = append(l.members[class], name)
		}
	}
	return l, sc.Err()
}

// labelStopWords are the words of medication labels that are not
// ingredients: units, dose forms, routes, salts and the like.
var labelStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`mg ml mcg unt unit units hr hour day actuat meq g kg l ug iu
		oral tablet tablets capsule capsules injection injectable solution suspension inhalation inhaler powder
		cream ointment gel patch spray drops syrup elixir lozenge chewable disintegrating delayed extended release
		prefilled syringe pen cartridge vial topical transdermal nasal ophthalmic otic rectal vaginal sublingual
		buccal intravenous intramuscular subcutaneous metered dose dry pack kit product substance containing
		hydrochloride sodium potassium calcium magnesium sulfate phosphate acetate citrate succinate tartrate
		maleate besylate mesylate fumarate bromide chloride hyclate monohydrate anhydrous human recombinant
		alfa beta acid and with in of the for per regular isophane allergy allergic drug class medication`) {
		labelStopWords[w] = true
	}
}

// ingredients returns the drugs a medication or allergy label names: the
// lexicon's members it mentions, or when it knows none, the label's words
// that are not units, forms or salts (so a drug outside the lexicon
// still matches the same drug).
func (l *drugLexicon) ingredients(label string) []string {
	label = strings.ToLower(label)
	if i := strings.IndexByte(label, '['); i >= 0 { // "[Ibu]": a brand
		label = label[:i]
	}
	words := strings.FieldsFunc(label, func(r rune) bool { return !unicode.IsLetter(r) })
	var known, other []string
	for _, w := range words {
		if c, ok := l.canonical[w]; ok {
			if !slices.Contains(known, c) {
				known = append(known, c)
			}
		} else if len(w) >= 4 && !labelStopWords[w] && !slices.Contains(other, w) {
			other = append(other, w)
		}
	}
	if len(known) > 0 {
		return known
	}
	return other
}

// relation says how a recorded drug relates to an ordered one: "" (not
// at all), "same drug" or the class they share.
func (l *drugLexicon) relation(ordered, recorded []string) (drug, how string) {
	for _, o := range ordered {
		if slices.Contains(recorded, o) {
			return o, "same drug"
		}
	}
	for _, o := range ordered {
		for _, class := range l.classes[o] {
			for _, r := range recorded {
				if slices.Contains(l.classes[r], class) {
					return r, "same class: " + class
				}
			}
		}
	}
	return "", ""
}

// terms returns the words that name the ordered drugs or a drug of their
// classes in a note, each mapped to the drug it names and how it relates.
func (l *drugLexicon) terms(ordered []string) map[string][2]string {
	t := map[string][2]string{}
	for _, o := range ordered {
		for _, class := range l.classes[o] {
			for _, m := range l.members[class] {
				if m == o || slices.Contains(ordered, m) {
					continue
				}
				for _, a := range l.aliases[m] {
					if _, ok := t[a]; !ok {
						t[a] = [2]string{m, "same class: " + class}
					}
				}
			}
		}
	}
	// The drugs themselves last: they win over a class relation.
	for _, o := range ordered {
		t[o] = [2]string{o, "same drug"}
		for _, a := range l.aliases[o] {
			t[a] = [2]string{o, "same drug"}
		}
	}
	return t
}

// minNarrativeWords is how many words besides drug names, doses, units
// and forms a sentence needs to be able to tell of a reaction: "ibuprofen
// 200 mg oral tablet" (a prescription list item) cannot.
const minNarrativeWords = 3

// narrates reports whether a sentence says more than which drug.
func (l *drugLexicon) narrates(sentence string) bool {
	n := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(sentence), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) < 3 || labelStopWords[w] {
			continue
		}
		if _, ok := l.canonical[w]; ok {
			continue
		}
		if n++; n >= minNarrativeWords {
			return true
		}
	}
	return false
}
