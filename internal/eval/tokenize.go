package eval

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Tokenizer selects how ROUGE splits text into tokens.
type Tokenizer int

const (
	// TokenizerDefault is rouge-score's default tokenizer: Python's
	// str.lower(), every character outside [a-z0-9] becomes a space, and
	// tokens are the runs left between spaces. Text in other scripts
	// (accented Latin letters, Cyrillic, Greek, CJK, ...) is dropped or splits
	// words, exactly as in the reference, so scores are comparable with
	// published numbers.
	TokenizerDefault Tokenizer = iota
	// TokenizerUnicode keeps letters and digits of every script: text is
	// NFKC-normalized and case-folded, tokens are runs of letters, marks and
	// digits, and each Han, Hiragana or Katakana character is a token of its
	// own (those scripts do not separate words with spaces). Scores made
	// with it are NOT comparable with published ROUGE numbers; use it to
	// evaluate non-English or mixed-script text, where the default
	// tokenizer silently scores the text as (nearly) empty.
	TokenizerUnicode
)

// String returns the tokenizer's name as ParseTokenizer accepts it.
func (t Tokenizer) String() string {
	switch t {
	case TokenizerDefault:
		return "default"
	case TokenizerUnicode:
		return "unicode"
	}
	return fmt.Sprintf("Tokenizer(%d)", int(t))
}

// ParseTokenizer parses a tokenizer name: "default" (or "", "rouge-score")
// or "unicode".
func ParseTokenizer(s string) (Tokenizer, error) {
	switch strings.ToLower(s) {
	case "", "default", "rouge-score", "rouge_score":
		return TokenizerDefault, nil
	case "unicode":
		return TokenizerUnicode, nil
	}
	return 0, fmt.Errorf("eval: unknown tokenizer %q (want default or unicode)", s)
}

// Tokenize splits text into ROUGE tokens with tokenizer t, stemming tokens
// longer than 3 characters with [PorterStem] when stem is true, exactly as
// [RougeScorer] does. It allocates a string per token; the scorer itself
// works on interned token ids instead.
func Tokenize(text string, t Tokenizer, stem bool) []string {
	c := &tokenCollector{stem: stem}
	tokenizeWith(t, text, c, nil)
	return c.out
}

// tokenCollector is the [tokenSink] behind [Tokenize].
type tokenCollector struct {
	stem bool
	buf  []byte
	out  []string
}

func (c *tokenCollector) token(tok []byte) {
	if c.stem && len(tok) > 3 && isASCIIAlnum(tok) {
		c.buf = porterStem(append(c.buf[:0], tok...))
		c.out = append(c.out, string(c.buf))
		return
	}
	c.out = append(c.out, string(tok))
}

func (c *tokenCollector) newline() {}

// tokenSink receives tokens from a tokenizer: token for each token (the
// slice is valid only during the call), newline at each '\n' so that
// rougeLsum can split sentences during the same pass.
type tokenSink interface {
	token(tok []byte)
	newline()
}

// tokenizeWith tokenizes text into sink, building tokens in buf (scratch
// space the caller reuses: it returns buf, possibly grown).
func tokenizeWith(t Tokenizer, text string, sink tokenSink, buf []byte) []byte {
	if t == TokenizerUnicode {
		return tokenizeUnicode(text, sink, buf)
	}
	return tokenizeDefault(text, sink, buf)
}

// isASCIIAlnum reports whether tok is made of [a-z0-9] only: the tokens
// the Porter stemmer is defined on.
func isASCIIAlnum(tok []byte) bool {
	for _, c := range tok {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// asciiClass maps a byte to what the default tokenizer does with it:
// 0 separator, otherwise the lower-case byte to keep.
var asciiClass = func() (t [256]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	return t
}()

// tokenizeDefault reproduces rouge-score's tokenize(): lower-case, replace
// every character outside [a-z0-9] with a space, split on whitespace.
//
// Python's str.lower() maps exactly two non-ASCII characters to something
// containing [a-z0-9]: U+0130 (İ) becomes "i" followed by U+0307 (a
// combining dot, which then becomes a space), and U+212A (the Kelvin sign)
// becomes "k". Every other non-ASCII character, and every invalid UTF-8
// byte, is a separator.
func tokenizeDefault(text string, sink tokenSink, buf []byte) []byte {
	buf = buf[:0]
	for i := 0; i < len(text); {
		// A run of token bytes (asciiClass is 0 for every byte of a
		// multi-byte character).
		for ; i < len(text); i++ {
			k := asciiClass[text[i]]
			if k == 0 {
				break
			}
			buf = append(buf, k)
		}
		if i == len(text) {
			break
		}
		c := text[i]
		if c < utf8.RuneSelf {
			if len(buf) > 0 {
				sink.token(buf)
				buf = buf[:0]
			}
			if c == '\n' {
				sink.newline()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch r {
		case '\u0130': // İ lower-cases to "i" + U+0307
			buf = append(buf, 'i')
			sink.token(buf)
			buf = buf[:0]
		case '\u212a': // KELVIN SIGN lower-cases to "k"
			buf = append(buf, 'k')
		default:
			if len(buf) > 0 {
				sink.token(buf)
				buf = buf[:0]
			}
		}
	}
	if len(buf) > 0 {
		sink.token(buf)
	}
	return buf
}

// tokenizeUnicode is the [TokenizerUnicode] tokenizer. It works line by
// line so that newlines reach the sink just as with the default tokenizer.
func tokenizeUnicode(text string, sink tokenSink, buf []byte) []byte {
	first := true
	for line := range strings.SplitSeq(text, "\n") {
		if !first {
			sink.newline()
		}
		first = false
		buf = tokenizeUnicodeLine(line, sink, buf[:0])
	}
	return buf
}

func tokenizeUnicodeLine(line string, sink tokenSink, buf []byte) []byte {
	// A cases.Caser must not be shared between goroutines; one per line
	// keeps concurrent scoring safe (this tokenizer is not the fast path).
	s := cases.Fold().String(norm.NFKC.String(line))
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			if len(buf) > 0 {
				sink.token(buf)
			}
			buf = utf8.AppendRune(buf[:0], r)
			sink.token(buf)
			buf = buf[:0]
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			buf = utf8.AppendRune(buf, r)
		case unicode.In(r, unicode.Mn, unicode.Mc):
			// A combining mark belongs to the letter before it; one with
			// no letter before it is dropped.
			if len(buf) > 0 {
				buf = utf8.AppendRune(buf, r)
			}
		default:
			if len(buf) > 0 {
				sink.token(buf)
				buf = buf[:0]
			}
		}
	}
	if len(buf) > 0 {
		sink.token(buf)
	}
	return buf
}
