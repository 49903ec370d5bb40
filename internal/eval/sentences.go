package eval

import (
	"strings"

	"github.com/osler-health/osler/internal/text"
)

// SplitClinicalSentences splits a text into the sentences rougeLsum
// scores, for [RougeOptions].SplitSentences: a text with newlines keeps
// its lines (the reference behaviour); any other text is cut at the starts
// of the sentences Osler's clinical sentence splitter finds, so that no
// character is lost. It stands in for rouge-score's split_summaries=True,
// which uses NLTK's punkt; scores differ where the two splitters disagree.
func SplitClinicalSentences(s string) []string {
	if strings.Contains(s, "\n") {
		return strings.Split(s, "\n")
	}
	sents := text.SplitSentences(s)
	if len(sents) < 2 {
		return []string{s}
	}
	out := make([]string, 0, len(sents))
	prev := 0
	for _, st := range sents[1:] {
		out = append(out, s[prev:st.Start])
		prev = st.Start
	}
	return append(out, s[prev:])
}
