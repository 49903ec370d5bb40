package clinical

import (
	"unicode"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/text"
)

// tokKind is what a token is.
type tokKind uint8

const (
	tokWord        tokKind = iota // letters and digits ("effusion", "5th", "t6")
	tokNumber                     // digits with at most one decimal point ("2.0", "30")
	tokPunct                      // one punctuation mark that matters: , ; : ( ) / ? % .
	tokPlaceholder                // a de-identification placeholder ("XXXX", "[**Name**]", "___")
)

// token is a span of a text.
type token struct {
	start, end int
	kind       tokKind
}

// tokenize appends the tokens of s to dst. Hyphens and other marks
// separate words ("post-sternotomy" is "post", "sternotomy"); an
// apostrophe inside a word is kept ("can't").
func tokenize(dst []token, s string) []token {
	for i := 0; i < len(s); {
		c := s[i]
		if n := placeholderAt(s, i); n > 0 {
			dst = append(dst, token{i, i + n, tokPlaceholder})
			i += n
			continue
		}
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j+1 < len(s) && s[j] == '.' && s[j+1] >= '0' && s[j+1] <= '9' {
				j++
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
			}
			if j < len(s) && isWordByte(s, j) {
				// "5th", "18g", "2cm": a word, but a number followed by a
				// unit splits so the unit is its own token.
				k := j
				for k < len(s) && isWordByte(s, k) {
					k += wordRuneLen(s, k)
				}
				if attachedUnits[lowerASCIIString(s[j:k])] {
					dst = append(dst, token{i, j, tokNumber}, token{j, k, tokWord})
				} else {
					dst = append(dst, token{i, k, tokWord})
				}
				i = k
				continue
			}
			dst = append(dst, token{i, j, tokNumber})
			i = j
		case isWordByte(s, i):
			j := i
			for j < len(s) {
				if isWordByte(s, j) {
					j += wordRuneLen(s, j)
					continue
				}
				if (s[j] == '\'') && j > i && j+1 < len(s) && isWordByte(s, j+1) {
					j++
					continue
				}
				if r, n := utf8.DecodeRuneInString(s[j:]); r == '\u2019' && j > i && j+n < len(s) && isWordByte(s, j+n) {
					j += n
					continue
				}
				break
			}
			dst = append(dst, token{i, j, tokWord})
			i = j
		case c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '/' || c == '?' || c == '%' || c == '.':
			dst = append(dst, token{i, i + 1, tokPunct})
			i++
		default:
			if c >= utf8.RuneSelf {
				_, n := utf8.DecodeRuneInString(s[i:])
				i += n
			} else {
				i++
			}
		}
	}
	return dst
}

// attachedUnits are the units split from a number written without a space
// ("2cm"); others stay one word ("20g" is a catheter gauge, "5th" an
// ordinal).
var attachedUnits = map[string]bool{"mm": true, "cm": true, "ml": true, "cc": true, "mg": true, "mcg": true, "kg": true, "mmhg": true}

// isWordByte reports whether a letter (or a digit inside a word) starts at
// byte i.
func isWordByte(s string, i int) bool {
	c := s[i]
	if c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func wordRuneLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

// placeholderAt returns the length of a de-identification placeholder
// starting at byte i, or 0.
func placeholderAt(s string, i int) int {
	switch s[i] {
	case 'X', '_', '[':
		return text.PlaceholderLen(s, i)
	}
	return 0
}

// lowerToken returns token t of s lower-cased (placeholders become "xxxx").
func lowerToken(s string, t token) string {
	if t.kind == tokPlaceholder {
		return "xxxx"
	}
	return lowerASCIIString(s[t.start:t.end])
}

// lowerASCIIString lower-cases ASCII letters and maps the typographic
// apostrophe to "'"; other runes are kept.
func lowerASCIIString(w string) string {
	if needsLower(w) {
		return string(appendLower(make([]byte, 0, len(w)), w))
	}
	return w
}

// needsLower reports whether lower-casing may change w: it holds a
// capital or a non-ASCII byte.
func needsLower(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// appendLower appends w lower-cased to dst.
func appendLower(dst []byte, w string) []byte {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		case c == 0xE2 && i+2 < len(w) && w[i+1] == 0x80 && w[i+2] == 0x99:
			dst = append(dst, '\'')
			i += 2
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(w[i:])
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			i += n - 1
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
