package trained

import (
	"strings"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/text"
)

// genericTerms are words too general to count as a report's content
// (see query.coverage).
var genericTerms = setOf(`a about above acute after again along also an and any apparent appear appearance
appears are as at be been below between both but by can chest clear comparison compatible consistent
could definite demonstrated disease does evidence exam examination finding findings for from further
given grossly has have however identified in interval is it its limits lung lungs may mild minimal
moderate more most new no noted normal not of on or otherwise overall possible possibly previous prior
process radiograph radiographic radiographs recommend related remain remains represent represents
seen severe significant since slight slightly small stable study suggest suggestive than that the
there these this those to unchanged unremarkable versus very view views visualized was well were
which with within without xxxx large larger smaller focal active abnormality abnormalities
cardiopulmonary intrathoracic evaluation additional likely change changes size limit borderline`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

func isNumberWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// support is the share of the concepts a candidate states (affirmed or
// possible) that the source states as the same concept, not only a
// related one: how closely the source backs the candidate's words. A
// candidate that states nothing specific has support 1.
func support(r clinical.Result) float64 {
	if r.Summary == nil || r.Source == nil {
		return 1
	}
	n, ok := 0, 0
	for _, c := range r.Summary.Claims {
		if c.Type != clinical.ClaimConcept || c.Assertion == clinical.Negated {
			continue
		}
		n++
		for _, s := range r.Source.Claims {
			if s.Type == clinical.ClaimConcept && s.ConceptID == c.ConceptID && s.Assertion != clinical.Negated {
				ok++
				break
			}
		}
	}
	if n == 0 {
		return 1
	}
	return float64(ok) / float64(n)
}

// swapSides returns s with "left" and "right" exchanged, keeping case.
func swapSides(s string) string {
	var b strings.Builder
	spans := text.Words(s)
	prev := 0
	for _, sp := range spans {
		w := s[sp.Start:sp.End]
		var rep string
		switch strings.ToLower(w) {
		case "left":
			rep = matchCase("right", w)
		case "right":
			rep = matchCase("left", w)
		default:
			continue
		}
		b.WriteString(s[prev:sp.Start])
		b.WriteString(rep)
		prev = sp.End
	}
	b.WriteString(s[prev:])
	return b.String()
}

func matchCase(word, like string) string {
	switch {
	case strings.ToUpper(like) == like:
		return strings.ToUpper(word)
	case like[0] >= 'A' && like[0] <= 'Z':
		return strings.ToUpper(word[:1]) + word[1:]
	}
	return word
}
