package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TerminalSafe returns s fit to print on a terminal: control characters
// (C0 including tab and newline, DEL, C1), the bidirectional overrides and
// isolates that reorder what is shown (U+202A-U+202E, U+2066-U+2069) and
// bytes that are not UTF-8 are escaped as \x1b, \u202e or \xff. Registry
// metadata (descriptions, notes, data paths, metric names, an import's
// source) comes from whoever registered or exported a model, and a raw
// escape sequence in it would rewrite the operator's screen or hide text.
func TerminalSafe(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r, size) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r, size):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune, size int) bool {
	return r == utf8.RuneError && size == 1 || unicode.IsControl(r) ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
