package cdshooks

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/osler-health/osler/api"
)

// MaxSummary is the longest card summary the specification allows: fewer
// than 140 characters.
const MaxSummary = 139

// TopicSystem is the code system of Osler's card topics.
const TopicSystem = "https://osler.dev/cds/topic"

// OverrideSystem is the code system of Osler's override reasons.
const OverrideSystem = "https://osler.dev/cds/override-reason"

// newUUID returns a random (version 4) UUID for a card or a suggestion:
// the feedback endpoint names cards by it.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// clip shortens s to at most n characters, ending in "…" when cut (at a
// word boundary where one is near).
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := len(r)
	for i := len(r) - 1; i > len(r)*2/3; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,;:.") + "…"
}

// mdEscaper escapes the characters GitHub Flavored Markdown would read as
// markup, so text from a note or a resource shows as written.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "~", `\~`, "!", `\!`,
)

// md returns text as Markdown that displays it literally, on one line.
func md(s string) string { return mdEscaper.Replace(strings.Join(strings.Fields(s), " ")) }

// topic is a card topic of Osler's code system.
func topic(code, display string) *api.Coding {
	return &api.Coding{System: TopicSystem, Code: code, Display: display}
}
