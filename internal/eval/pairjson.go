package eval

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the fast path of [PairReader]: it decodes the usual shape
// of a pair line, {"id": ..., "reference" or "target": "...",
// "prediction": "..."} plus any other fields with scalar values, without
// encoding/json's reflection and validation passes, which cost more than
// scoring the pair. It accepts only lines it can decode exactly as
// encoding/json would (keys spelled exactly, no nested values, valid
// JSON); for anything else, errors included, it declines and the
// encoding/json path decides, so both paths agree by construction on
// everything but speed. FuzzPairLineFast checks the agreement.

// pairField is where one string field of a line was found.
type pairField struct {
	set, null  bool
	start, end int  // the string's bytes, without quotes
	escaped    bool // it holds backslash escapes
	number     bool // id only: a JSON number, kept as written
}

// decodeFast decodes line into p (its ID and texts) or reports false.
// line is valid UTF-8.
func (r *PairReader) decodeFast(line []byte, p *RougePair) bool {
	var id, ref, target, pred pairField
	i := skipJSONSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	i = skipJSONSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return false // no prediction: the slow path reports it
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return false
		}
		ks, ke, esc, next, ok := scanJSONString(line, i)
		if !ok || esc {
			return false
		}
		var f *pairField
		switch key := line[ks:ke]; string(key) {
		case "id":
			f = &id
		case "reference":
			f = &ref
		case "target":
			f = &target
		case "prediction":
			f = &pred
		default:
			// encoding/json matches keys case-insensitively, folding some
			// non-ASCII letters too: leave every such key to it.
			if !plainOtherKey(key) {
				return false
			}
		}
		i = skipJSONSpace(line, next)
		if i >= len(line) || line[i] != ':' {
			return false
		}
		i = skipJSONSpace(line, i+1)
		if i >= len(line) {
			return false
		}
		switch c := line[i]; {
		case c == '"':
			s, e, esc, next, ok := scanJSONString(line, i)
			if !ok {
				return false
			}
			if f != nil {
				*f = pairField{set: true, start: s, end: e, escaped: esc}
			}
			i = next
		case c == 'n':
			if !hasLiteral(line, i, "null") {
				return false
			}
			if f != nil {
				*f = pairField{set: true, null: true}
			}
			i += len("null")
		case c == '-' || c >= '0' && c <= '9':
			if f != nil && f != &id {
				return false
			}
			e, ok := scanJSONNumber(line, i)
			if !ok {
				return false
			}
			if f != nil {
				*f = pairField{set: true, start: i, end: e, number: true}
			}
			i = e
		case c == 't' && f == nil:
			if !hasLiteral(line, i, "true") {
				return false
			}
			i += len("true")
		case c == 'f' && f == nil:
			if !hasLiteral(line, i, "false") {
				return false
			}
			i += len("false")
		default:
			return false // nested values, wrong types, invalid JSON
		}
		i = skipJSONSpace(line, i)
		if i >= len(line) {
			return false
		}
		if line[i] == ',' {
			i = skipJSONSpace(line, i+1)
			continue
		}
		if line[i] != '}' {
			return false
		}
		i = skipJSONSpace(line, i+1)
		break
	}
	if i != len(line) {
		return false
	}
	// The happy path only: a prediction and exactly one reference.
	if !pred.set || pred.null {
		return false
	}
	hasRef, hasTarget := ref.set && !ref.null, target.set && !target.null
	if hasRef == hasTarget {
		return false
	}
	if hasTarget {
		ref = target
	}
	switch {
	case !id.set || id.null:
	case id.number:
		raw := string(line[id.start:id.end])
		if _, err := strconv.ParseFloat(raw, 64); err != nil {
			return false
		}
		p.ID = raw
	default:
		r.buf = appendJSONString(r.buf[:0], line[id.start:id.end], id.escaped)
		p.ID = string(r.buf)
	}
	// One allocation holds both texts.
	r.buf = appendJSONString(r.buf[:0], line[pred.start:pred.end], pred.escaped)
	n := len(r.buf)
	r.buf = appendJSONString(r.buf, line[ref.start:ref.end], ref.escaped)
	texts := string(r.buf)
	p.Prediction = texts[:n]
	if len(r.refs) == cap(r.refs) {
		r.refs = make([]string, 0, 256)
	}
	r.refs = append(r.refs, texts[n:])
	k := len(r.refs)
	p.References = r.refs[k-1 : k : k]
	return true
}

// plainOtherKey reports whether key is ASCII and matches none of the pair
// fields even case-insensitively, so that encoding/json ignores it too.
func plainOtherKey(key []byte) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, name := range [...]string{"id", "reference", "target", "references", "prediction"} {
		if len(key) == len(name) && asciiEqualFold(key, name) {
			return false
		}
	}
	return true
}

func asciiEqualFold(b []byte, s string) bool {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// scanJSONString scans the string starting at b[i] == '"' and returns its
// contents' bounds, whether it has escapes, and the index after it. It
// reports false for invalid JSON: a control character, a bad escape or no
// closing quote.
func scanJSONString(b []byte, i int) (start, end int, escaped bool, next int, ok bool) {
	start = i + 1
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return start, j, escaped, j + 1, true
		case c == '\\':
			escaped = true
			if j+1 >= len(b) {
				return 0, 0, false, 0, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if hex4(b[j+2:]) < 0 {
					return 0, 0, false, 0, false
				}
				j += 5
			default:
				return 0, 0, false, 0, false
			}
		case c < ' ':
			return 0, 0, false, 0, false
		}
	}
	return 0, 0, false, 0, false
}

// scanJSONNumber returns the end of the JSON number at b[i], or false when
// it does not follow the JSON grammar.
func scanJSONNumber(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// hex4 decodes \uXXXX's four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// appendJSONString appends the decoded contents of a JSON string that
// scanJSONString accepted, as encoding/json decodes them: escapes
// resolved, a surrogate pair joined, and a lone surrogate turned into
// U+FFFD.
func appendJSONString(dst, s []byte, escaped bool) []byte {
	if !escaped {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				var r2 rune = -1
				if len(s)-i >= 6 && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					dst = utf8.AppendRune(dst, dec)
					i += 6
					continue
				}
				r = unicode.ReplacementChar
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}
