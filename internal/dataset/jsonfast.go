package dataset

import "bytes"

// fastDecode decodes the common JSONL shapes (an object whose values are
// strings, arrays of strings, booleans or null) without reflection. It
// returns false for anything else (numbers, \u escapes, nested objects,
// odd spacing it does not expect, errors) and the caller falls back to
// encoding/json, which then also produces the error message. For every
// input it accepts, the result equals encoding/json's; a differential fuzz
// test (FuzzFastDecode) holds it to that.
//
// It exists because reading dominates validation and prediction of short
// rows: encoding/json's validating scan and reflection cost about twice
// the rest of the work.
func fastDecode(line []byte, rec *jsonlRecord) bool {
	p := fastParser{b: line}
	p.ws()
	if !p.eat('{') {
		return false
	}
	p.ws()
	if p.eat('}') {
		return p.end()
	}
	for {
		p.ws()
		key, ok := p.str()
		if !ok {
			return false
		}
		p.ws()
		if !p.eat(':') {
			return false
		}
		p.ws()
		switch string(key) {
		case "id":
			s, ok := p.str()
			if !ok {
				return false // numbers and null: let encoding/json decide
			}
			rec.ID = flexString(s)
		case "text":
			if !p.strField(&rec.Text) {
				return false
			}
		case "source":
			if !p.strField(&rec.Source) {
				return false
			}
		case "summary":
			if !p.strField(&rec.Summary) {
				return false
			}
		case "split":
			s, ok := p.str()
			if !ok {
				return false
			}
			rec.Split = string(s)
		case "synthetic":
			return false // an object: encoding/json decodes it
		case "labels":
			if !p.labels(&rec.Labels) {
				return false
			}
		case "label":
			if !p.labels(&rec.Label) {
				return false
			}
		default:
			// encoding/json matches keys case-insensitively; leave any key
			// that might match one of ours to it.
			if fold := bytes.ToLower(key); !bytes.Equal(fold, key) || len(key) == 0 {
				for _, k := range [...]string{"id", "text", "source", "summary", "split", "labels", "label", "synthetic"} {
					if string(fold) == k {
						return false
					}
				}
			}
			if !p.skipSimple() {
				return false
			}
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return p.end()
		}
		return false
	}
}

type fastParser struct {
	b   []byte
	i   int
	buf []byte
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// str reads a string with only the simple escapes. The returned slice
// aliases the line or a scratch buffer: copy it before the next call.
func (p *fastParser) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c == '\\':
			return p.strEscaped(start)
		case c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

func (p *fastParser) strEscaped(start int) ([]byte, bool) {
	p.buf = append(p.buf[:0], p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.buf, true
		case c < 0x20:
			return nil, false
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return nil, false
			}
			var r byte
			switch p.b[p.i+1] {
			case '"':
				r = '"'
			case '\\':
				r = '\\'
			case '/':
				r = '/'
			case 'n':
				r = '\n'
			case 't':
				r = '\t'
			case 'r':
				r = '\r'
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			default: // \u escapes (and invalid escapes) go to encoding/json
				return nil, false
			}
			p.buf = append(p.buf, r)
			p.i += 2
			continue
		}
		p.buf = append(p.buf, c)
		p.i++
	}
	return nil, false
}

func (p *fastParser) strField(dst **string) bool {
	s, ok := p.str()
	if !ok {
		return false
	}
	v := string(s)
	*dst = &v
	return true
}

func (p *fastParser) labels(dst *flexLabels) bool {
	if p.i < len(p.b) && p.b[p.i] == '"' {
		s, ok := p.str()
		if !ok {
			return false
		}
		*dst = flexLabels{string(s)}
		return true
	}
	if p.lit("null") {
		*dst = nil
		return true
	}
	if !p.eat('[') {
		return false
	}
	out := make(flexLabels, 0, 2)
	p.ws()
	if p.eat(']') {
		*dst = out
		return true
	}
	for {
		p.ws()
		s, ok := p.str()
		if !ok {
			return false
		}
		out = append(out, string(s))
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			*dst = out
			return true
		}
		return false
	}
}

func (p *fastParser) lit(word string) bool {
	if bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		p.i += len(word)
		return true
	}
	return false
}

// skipSimple skips the value of an unknown key: a string, true, false,
// null, or an array of those. Anything else makes the caller fall back.
func (p *fastParser) skipSimple() bool {
	if p.i >= len(p.b) {
		return false
	}
	switch p.b[p.i] {
	case '"':
		_, ok := p.str()
		return ok
	case 't':
		return p.lit("true")
	case 'f':
		return p.lit("false")
	case 'n':
		return p.lit("null")
	case '[':
		p.i++
		p.ws()
		if p.eat(']') {
			return true
		}
		for {
			p.ws()
			if !p.skipSimple() || p.i >= len(p.b) || p.b[p.i] == '[' {
				return false
			}
			p.ws()
			if p.eat(',') {
				continue
			}
			return p.eat(']')
		}
	}
	return false
}
