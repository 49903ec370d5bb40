package cdshooks

import (
	"regexp"
	"strings"

	"github.com/osler-health/osler/internal/text"
)

// Notes arrive as plain text or Markdown (EHR exports, Synthea's notes
// use "# Heading" lines). These helpers read them by section.

// listSection matches the headings of sections that list drugs rather
// than narrate what happened: a medication list names a drug without
// saying it did anything, so it is never evidence of a reaction.
var listSection = regexp.MustCompile(`(?i)^(current |home |active |discharge )?(medications?|meds|medication list|prescriptions?|immunizations?|vaccines?)\b`)

// noteSentence is one sentence of a note and the heading it is under.
type noteSentence struct {
	heading, text string
}

// headingOf returns the text of a Markdown heading line ("## Plan" is
// "Plan"), or false.
func headingOf(line string) (string, bool) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "#") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimLeft(t, "#")), true
}

// narrativeSentences returns a note's sentences outside drug-list
// sections, each split within its line so a heading never runs into the
// sentence after it.
func narrativeSentences(note string) []noteSentence {
	var out []noteSentence
	heading := ""
	for _, line := range strings.Split(note, "\n") {
		if h, ok := headingOf(line); ok {
			heading = h
			continue
		}
		if strings.TrimSpace(line) == "" || listSection.MatchString(heading) {
			continue
		}
		for _, s := range text.SplitSentences(line) {
			out = append(out, noteSentence{heading: heading, text: s.Text})
		}
	}
	return out
}

// plainHeadings rewrites Markdown headings as "Heading:" lines, the form
// clinical text uses and the summarizers' section reader knows, so a
// summary never quotes "# Chief Complaint" as a sentence.
func plainHeadings(note string) string {
	if !strings.Contains(note, "#") {
		return note
	}
	lines := strings.Split(note, "\n")
	for i, line := range lines {
		if h, ok := headingOf(line); ok && h != "" {
			lines[i] = strings.TrimRight(h, ":") + ":"
		}
	}
	return strings.Join(lines, "\n")
}
