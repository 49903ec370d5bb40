package classify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/text"
)

// A lexicon is a list of phrases in categories (DRUG, EFFECT, ...) that a
// classifier recognizes in the text: each phrase found is replaced by its
// category in the word n-grams (when [FeatureConfig.LexiconMask] is set)
// and the categories found become indicator features ("has DRUG", "has
// EFFECT", "has DRUG and EFFECT"). Sentences about adverse drug events are
// told apart less by their wording than by naming a drug and an effect, and
// a lexicon carries that knowledge to unseen drug names.
//
// A lexicon is learned at training time from training data only and stored
// in the model. Phrases learned from annotated training sentences (relation
// lines or spans) are matched in training with a leave-one-out rule: a
// phrase whose only source is the sentence being featurized is not matched
// there, so the model does not learn that "a lexicon phrase is present"
// means "this is a training positive", which would not hold on new text.

// maxLexiconCategories bounds the categories (indicator features use a
// 64-bit set).
const maxLexiconCategories = 64

// maxPhraseTokens bounds the length of one phrase.
const maxPhraseTokens = 16

// LexiconEntry is one phrase read from a lexicon file.
type LexiconEntry struct {
	// Category is the phrase's category in upper case ("DRUG").
	Category string
	// Phrase is the phrase as written.
	Phrase string
	// SourceKey identifies the annotated sentence the phrase came from
	// (text.NearDupKey of it), or 0 for a plain term list.
	SourceKey uint64
	// Line is the 1-based line of the entry in its file.
	Line int
}

// reservedLexiconFields are relation-line fields that are not phrases.
var reservedLexiconFields = map[string]bool{
	"id": true, "text": true, "pmid": true, "split": true, "source": true, "labels": true,
	"label": true, "spans": true, "entities": true, "note": true, "doc_id": true,
}

// ReadLexicon reads lexicon entries from r (name is used in errors). Three
// line shapes are accepted and may be mixed:
//
//   - relation lines, as in ADE's relations files: a JSON object with the
//     sentence in "text" and phrases in other string fields, the field name
//     being the category: {"text": "...", "drug": "naproxen", "effect":
//     "pseudoporphyria"}. The fields id, pmid, split, source, labels and
//     note are ignored.
//   - annotated spans: {"text": "...", "spans": [{"start": 0, "end": 8,
//     "label": "DRUG"}]} with offsets in characters (Unicode code points,
//     as Python counts them), end exclusive. "entities" may stand for
//     "spans" and "type" or "category" for "label".
//   - a term list: one phrase per line, optionally after its category and
//     a tab ("DRUG\tnaproxen"); phrases without a category are TERM.
//
// Blank lines and lines starting with # are skipped.
func ReadLexicon(r io.Reader, name string) ([]LexiconEntry, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []LexiconEntry
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			return out, nil
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("lexicon %s: %w", name, err)
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		b = bytes.TrimRight(b, "\r\n")
		if t := bytes.TrimSpace(b); len(t) == 0 || t[0] == '#' {
			continue
		}
		if !utf8.Valid(b) {
			return nil, fmt.Errorf("lexicon %s:%d: invalid UTF-8 (re-encode the file as UTF-8)", name, line)
		}
		if t := bytes.TrimSpace(b); t[0] != '{' {
			cat, phrase := "TERM", strings.TrimSpace(string(b))
			if c, p, ok := strings.Cut(string(b), "\t"); ok {
				cat, phrase = strings.TrimSpace(c), strings.TrimSpace(p)
			}
			if cat == "" || phrase == "" {
				return nil, fmt.Errorf("lexicon %s:%d: want \"CATEGORY<tab>phrase\" or \"phrase\"", name, line)
			}
			out = append(out, LexiconEntry{Category: strings.ToUpper(cat), Phrase: phrase, Line: line})
			continue
		}
		entries, err := parseLexiconObject(b, line)
		if err != nil {
			return nil, fmt.Errorf("lexicon %s:%d: %w", name, line, err)
		}
		out = append(out, entries...)
	}
}

type lexiconSpan struct {
	Start    *int   `json:"start"`
	End      *int   `json:"end"`
	Label    string `json:"label"`
	Type     string `json:"type"`
	Category string `json:"category"`
}

func parseLexiconObject(b []byte, line int) ([]LexiconEntry, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("invalid JSON: %s (each line is one JSON object)", strings.TrimPrefix(err.Error(), "json: "))
	}
	var sentence string
	if raw, ok := obj["text"]; ok {
		if err := json.Unmarshal(raw, &sentence); err != nil {
			return nil, errors.New(`field "text": want a string`)
		}
	}
	var key uint64
	if sentence != "" {
		key = text.NearDupKey(sentence)
	}
	var out []LexiconEntry
	for _, field := range []string{"spans", "entities"} {
		raw, ok := obj[field]
		if !ok {
			continue
		}
		var spans []lexiconSpan
		if err := json.Unmarshal(raw, &spans); err != nil {
			return nil, fmt.Errorf(`field %q: want an array of {"start","end","label"}`, field)
		}
		if sentence == "" {
			return nil, fmt.Errorf(`field %q: spans need the sentence in "text"`, field)
		}
		runes := []rune(sentence)
		for i, s := range spans {
			cat := strings.TrimSpace(firstNonEmpty(s.Label, s.Type, s.Category))
			if s.Start == nil || s.End == nil || cat == "" {
				return nil, fmt.Errorf(`field %q[%d]: each span needs "start", "end" and "label"`, field, i)
			}
			if *s.Start < 0 || *s.End <= *s.Start || *s.End > len(runes) {
				return nil, fmt.Errorf(`field %q[%d]: span %d-%d is outside the text (%d characters; offsets count characters, end exclusive)`, field, i, *s.Start, *s.End, len(runes))
			}
			out = append(out, LexiconEntry{Category: strings.ToUpper(cat), Phrase: string(runes[*s.Start:*s.End]), SourceKey: key, Line: line})
		}
	}
	fields := make([]string, 0, len(obj))
	for f := range obj {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		if reservedLexiconFields[strings.ToLower(f)] || strings.TrimSpace(f) == "" {
			continue
		}
		var v string
		if err := json.Unmarshal(obj[f], &v); err != nil || v == "" {
			continue // numbers, offsets and other metadata are not phrases
		}
		out = append(out, LexiconEntry{Category: strings.ToUpper(strings.TrimSpace(f)), Phrase: v, SourceKey: key, Line: line})
	}
	if len(out) == 0 {
		return nil, errors.New(`no phrase found: want string fields besides "text" (e.g. "drug", "effect") or "spans"`)
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Lexicon is a compiled set of phrases ready for matching. It is read-only
// after [NewLexicon] and safe for concurrent use.
type Lexicon struct {
	categories []string
	catHash    []uint64
	phrases    []lexPhrase
	byFirst    map[uint64][]int32 // first token hash -> phrases, longest first
}

type lexPhrase struct {
	text string   // normalized, tokens joined by one space
	toks []uint64 // token hashes
	cat  uint8
	// src is the only annotated sentence the phrase came from, or 0 when
	// it came from several sentences or from a term list (always matched).
	src uint64
}

// lexMatch is a phrase found at tokens [start, end).
type lexMatch struct {
	start, end int
	cat        uint8
}

// NewLexicon compiles entries with the normalization of cfg. A phrase given
// under several categories keeps the one it was given under most often (the
// first on ties).
func NewLexicon(entries []LexiconEntry, cfg FeatureConfig) (*Lexicon, error) {
	norm := newNormalizer(&cfg)
	type acc struct {
		cats  map[string]int
		order []string // categories in order of first appearance
		src   uint64
		multi bool
	}
	byText := map[string]*acc{}
	var order []string
	var buf []byte
	var toks []token
	for _, e := range entries {
		buf = norm.append(buf[:0], e.Phrase)
		toks = appendTokens(toks[:0], buf)
		if len(toks) == 0 || len(toks) > maxPhraseTokens {
			continue
		}
		key := joinTokens(buf, toks)
		a := byText[key]
		if a == nil {
			a = &acc{cats: map[string]int{}, src: e.SourceKey}
			byText[key] = a
			order = append(order, key)
		}
		if a.cats[e.Category] == 0 {
			a.order = append(a.order, e.Category)
		}
		a.cats[e.Category]++
		if e.SourceKey == 0 || (a.src != 0 && a.src != e.SourceKey) {
			a.multi = true
		}
	}
	catIndex := map[string]int{}
	var cats []string
	var phrases []lexPhrase
	for _, key := range order {
		a := byText[key]
		best := a.order[0]
		for _, c := range a.order[1:] {
			if a.cats[c] > a.cats[best] {
				best = c
			}
		}
		ci, ok := catIndex[best]
		if !ok {
			if len(cats) == maxLexiconCategories {
				return nil, fmt.Errorf("lexicon: more than %d categories", maxLexiconCategories)
			}
			ci = len(cats)
			catIndex[best] = ci
			cats = append(cats, best)
		}
		p := lexPhrase{text: key, cat: uint8(ci)}
		if !a.multi {
			p.src = a.src
		}
		phrases = append(phrases, p)
	}
	return compileLexicon(cats, phrases), nil
}

func joinTokens(b []byte, toks []token) string {
	var sb strings.Builder
	for i, t := range toks {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.Write(b[t.start:t.end])
	}
	return sb.String()
}

// compileLexicon builds the matching index. Phrase texts are already
// normalized; their tokens are hashed as the extractor hashes text tokens.
func compileLexicon(cats []string, phrases []lexPhrase) *Lexicon {
	l := &Lexicon{categories: cats, phrases: phrases, byFirst: map[uint64][]int32{}}
	for _, c := range cats {
		l.catHash = append(l.catHash, combine(seedCat, hashString(c)))
	}
	var toks []token
	for i := range l.phrases {
		p := &l.phrases[i]
		toks = appendTokens(toks[:0], []byte(p.text))
		p.toks = make([]uint64, len(toks))
		for k, t := range toks {
			p.toks[k] = t.h
		}
		if len(p.toks) > 0 {
			l.byFirst[p.toks[0]] = append(l.byFirst[p.toks[0]], int32(i))
		}
	}
	for h, idx := range l.byFirst {
		slices.SortStableFunc(idx, func(a, b int32) int { return len(l.phrases[b].toks) - len(l.phrases[a].toks) })
		l.byFirst[h] = idx
	}
	return l
}

// Categories returns the lexicon's categories.
func (l *Lexicon) Categories() []string { return slices.Clone(l.categories) }

// hasSources reports whether some phrase came from annotated sentences
// (so the leave-one-out rule applies in training).
func (l *Lexicon) hasSources() bool {
	for _, p := range l.phrases {
		if p.src != 0 {
			return true
		}
	}
	return false
}

// Len returns the number of phrases.
func (l *Lexicon) Len() int { return len(l.phrases) }

// CategoryCounts returns the number of phrases of each category.
func (l *Lexicon) CategoryCounts() map[string]int {
	m := map[string]int{}
	for _, p := range l.phrases {
		m[l.categories[p.cat]]++
	}
	return m
}

// find appends the phrases found in toks, leftmost-longest and not
// overlapping. docKey (non-zero in training) hides phrases whose only
// source is that very sentence.
func (l *Lexicon) find(dst []lexMatch, toks []token, docKey uint64) []lexMatch {
	for i := 0; i < len(toks); {
		cands := l.byFirst[toks[i].h]
		matched := false
		for _, pi := range cands {
			p := &l.phrases[pi]
			if i+len(p.toks) > len(toks) || (docKey != 0 && p.src == docKey) {
				continue
			}
			ok := true
			for k := 1; k < len(p.toks); k++ {
				if toks[i+k].h != p.toks[k] {
					ok = false
					break
				}
			}
			if ok {
				dst = append(dst, lexMatch{start: i, end: i + len(p.toks), cat: p.cat})
				i += len(p.toks)
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	return dst
}

// lexiconFile is the lexicon's form in a model artifact.
type lexiconFile struct {
	Categories []string        `json:"categories"`
	Phrases    []lexiconPhrase `json:"phrases"`
}

type lexiconPhrase struct {
	Category string `json:"category"`
	Phrase   string `json:"phrase"`
}

func (l *Lexicon) file() lexiconFile {
	f := lexiconFile{Categories: l.categories, Phrases: make([]lexiconPhrase, len(l.phrases))}
	for i, p := range l.phrases {
		f.Phrases[i] = lexiconPhrase{Category: l.categories[p.cat], Phrase: p.text}
	}
	return f
}

func lexiconFromFile(f lexiconFile) (*Lexicon, error) {
	if len(f.Categories) > maxLexiconCategories {
		return nil, fmt.Errorf("more than %d categories", maxLexiconCategories)
	}
	idx := map[string]int{}
	for i, c := range f.Categories {
		idx[c] = i
	}
	phrases := make([]lexPhrase, len(f.Phrases))
	for i, p := range f.Phrases {
		ci, ok := idx[p.Category]
		if !ok {
			return nil, fmt.Errorf("phrase %d: unknown category %q", i+1, p.Category)
		}
		phrases[i] = lexPhrase{text: p.Phrase, cat: uint8(ci)}
	}
	return compileLexicon(f.Categories, phrases), nil
}

// ReadLexiconFile reads a lexicon file ([ReadLexicon]).
func ReadLexiconFile(path string) ([]LexiconEntry, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	defer fh.Close()
	return ReadLexicon(fh, path)
}
