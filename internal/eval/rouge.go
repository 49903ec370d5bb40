package eval

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// RougeType names one ROUGE score: "rouge1" to "rouge9" (n-gram overlap),
// "rougeL" (one longest common subsequence over the whole text) or
// "rougeLsum" (summary-level union LCS over sentences).
type RougeType string

// The ROUGE types most evaluations report.
const (
	Rouge1    RougeType = "rouge1"
	Rouge2    RougeType = "rouge2"
	RougeL    RougeType = "rougeL"
	RougeLsum RougeType = "rougeLsum"
)

// DefaultRougeTypes returns rouge1, rouge2, rougeL and rougeLsum: the set
// Hugging Face evaluate and most papers report.
func DefaultRougeTypes() []RougeType {
	return []RougeType{Rouge1, Rouge2, RougeL, RougeLsum}
}

// ParseRougeTypes parses a comma-separated list such as
// "rouge1,rouge2,rougeL,rougeLsum". Names are checked; duplicates are an
// error.
func ParseRougeTypes(s string) ([]RougeType, error) {
	var out []RougeType
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		t := RougeType(part)
		if _, err := t.ngram(); err != nil {
			return nil, err
		}
		if slices.Contains(out, t) {
			return nil, fmt.Errorf("eval: rouge type %q listed twice", part)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("eval: no rouge types in %q (want e.g. rouge1,rouge2,rougeL,rougeLsum)", s)
	}
	return out, nil
}

// ngram returns n for rougeN, 0 for rougeL and -1 for rougeLsum.
func (t RougeType) ngram() (int, error) {
	switch t {
	case RougeL:
		return 0, nil
	case RougeLsum:
		return -1, nil
	}
	if s, ok := strings.CutPrefix(string(t), "rouge"); ok && len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
		n, _ := strconv.Atoi(s)
		return n, nil
	}
	return 0, fmt.Errorf("eval: unknown rouge type %q (want rouge1 to rouge9, rougeL or rougeLsum)", string(t))
}

// Score is one ROUGE precision, recall and F-measure (F1).
type Score struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	FMeasure  float64 `json:"fmeasure"`
}

// newScore computes F the way rouge-score's scoring.fmeasure does, in the
// same operation order, so that values agree to the last bit.
func newScore(precision, recall float64) Score {
	f := 0.0
	if precision+recall > 0 {
		f = 2 * precision * recall / (precision + recall)
	}
	return Score{Precision: precision, Recall: recall, FMeasure: f}
}

// RougeOptions configure a [RougeScorer].
type RougeOptions struct {
	// Types are the scores to compute, in the order results list them;
	// nil means [DefaultRougeTypes].
	Types []RougeType
	// Stemmer applies the Porter stemmer (NLTK's default mode) to tokens
	// longer than 3 characters, like rouge-score's use_stemmer=True.
	Stemmer bool
	// Tokenizer selects the tokenizer; the zero value is rouge-score's.
	Tokenizer Tokenizer
	// SplitSentences, when not nil, splits each text into sentences for
	// rougeLsum (like rouge-score's split_summaries=True, which uses NLTK's
	// sent_tokenize). When nil, sentences are the lines of the text, as in
	// rouge-score's default: texts without newlines are one sentence, and
	// rougeLsum then equals rougeL.
	SplitSentences func(text string) []string
}

// RougeScorer computes ROUGE exactly as Google's rouge-score 0.1.2 does.
// It is safe for concurrent use; each call borrows a scratch space (token
// tables and buffers) that the scorer keeps for the next call, so scoring
// allocates nothing once the vocabulary has been seen.
type RougeScorer struct {
	types    []RougeType
	ngrams   []int // per type: n, 0 for rougeL, -1 for rougeLsum
	stem     bool
	tok      Tokenizer
	split    func(string) []string
	needSum  bool // some type is rougeLsum
	needFlat bool // some type is not rougeLsum

	// free holds idle scratch spaces. Unlike a sync.Pool it is not emptied
	// by the garbage collector, which would throw away the interned
	// vocabulary; it holds at most one space per concurrent caller.
	mu   sync.Mutex
	free []*rougeWork
}

func (s *RougeScorer) getWork() *rougeWork {
	s.mu.Lock()
	if n := len(s.free); n > 0 {
		w := s.free[n-1]
		s.free = s.free[:n-1]
		s.mu.Unlock()
		return w
	}
	s.mu.Unlock()
	return newRougeWork(s.stem)
}

func (s *RougeScorer) putWork(w *rougeWork) {
	s.mu.Lock()
	s.free = append(s.free, w)
	s.mu.Unlock()
}

// NewRougeScorer returns a scorer for opts, or an error for an unknown
// type or tokenizer.
func NewRougeScorer(opts RougeOptions) (*RougeScorer, error) {
	types := opts.Types
	if types == nil {
		types = DefaultRougeTypes()
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("eval: no rouge types")
	}
	s := &RougeScorer{types: slices.Clone(types), stem: opts.Stemmer, tok: opts.Tokenizer, split: opts.SplitSentences}
	for i, t := range s.types {
		n, err := t.ngram()
		if err != nil {
			return nil, err
		}
		if slices.Contains(s.types[:i], t) {
			return nil, fmt.Errorf("eval: rouge type %q listed twice", string(t))
		}
		s.ngrams = append(s.ngrams, n)
		if n < 0 {
			s.needSum = true
		} else {
			s.needFlat = true
		}
	}
	switch opts.Tokenizer {
	case TokenizerDefault, TokenizerUnicode:
	default:
		return nil, fmt.Errorf("eval: unknown tokenizer %v", opts.Tokenizer)
	}
	return s, nil
}

// Types returns the scorer's ROUGE types in result order.
func (s *RougeScorer) Types() []RougeType { return slices.Clone(s.types) }

// Score scores prediction against one reference.
func (s *RougeScorer) Score(reference, prediction string) map[RougeType]Score {
	return s.ScoreMulti([]string{reference}, prediction)
}

// ScoreMulti scores prediction against several references and keeps, for
// each type separately, the score of the reference with the highest
// F-measure (the first such reference on ties), as rouge-score's
// score_multi does. With no references every score is zero.
func (s *RougeScorer) ScoreMulti(references []string, prediction string) map[RougeType]Score {
	var buf [8]Score
	scores := s.AppendScores(buf[:0], references, prediction)
	out := make(map[RougeType]Score, len(s.types))
	for i, t := range s.types {
		out[t] = scores[i]
	}
	return out
}

// AppendScores appends one [Score] per type, in [RougeScorer.Types] order,
// to dst and returns it: the allocation-free form of
// [RougeScorer.ScoreMulti] for scoring many pairs.
func (s *RougeScorer) AppendScores(dst []Score, references []string, prediction string) []Score {
	w := s.getWork()
	defer s.putWork(w)
	base := len(dst)
	for range s.types {
		dst = append(dst, Score{})
	}
	if len(references) == 0 {
		return dst
	}
	w.maybeReset()
	pred := w.tokenizeText(s, prediction)
	for i, ref := range references {
		w.toks = w.toks[:pred.sumEnd]
		w.spans = w.spans[:pred.spanEnd]
		r := w.tokenizeText(s, ref)
		out := dst[base:]
		if i > 0 {
			out = w.tmp[:0]
			for range s.types {
				out = append(out, Score{})
			}
			w.tmp = out
		}
		s.scoreTokens(w, r, pred, out)
		if i > 0 {
			for k := range s.types {
				if out[k].FMeasure > dst[base+k].FMeasure {
					dst[base+k] = out[k]
				}
			}
		}
	}
	return dst
}

// tokenized locates one text's tokens in a work buffer.
type tokenized struct {
	start, end         int // tokens: w.toks[start:end]
	spanStart, spanEnd int // rougeLsum sentences: w.spans[spanStart:spanEnd]
	sumStart, sumEnd   int // tokens the sentences index: the same as start, end unless SplitSentences is set
}

func (w *rougeWork) tokenizeText(s *RougeScorer, text string) tokenized {
	var t tokenized
	t.start = len(w.toks)
	t.spanStart = len(w.spans)
	if s.needFlat || s.split == nil {
		w.lineStart = int32(len(w.toks))
		w.trackLines = s.needSum && s.split == nil
		w.tokBuf = tokenizeWith(s.tok, text, w, w.tokBuf)
		if w.trackLines {
			w.newline()
		}
		w.trackLines = false
	}
	t.end = len(w.toks)
	t.sumStart, t.sumEnd = t.start, t.end
	if s.needSum && s.split != nil {
		// Sentences from the splitter are tokenized on their own, as
		// rouge-score tokenizes each sentence, after the flat tokens.
		t.sumStart = len(w.toks)
		for _, sent := range s.split(text) {
			w.lineStart = int32(len(w.toks))
			w.trackLines = true
			w.tokBuf = tokenizeWith(s.tok, strings.ReplaceAll(sent, "\n", " "), w, w.tokBuf)
			w.newline()
			w.trackLines = false
		}
		t.sumEnd = len(w.toks)
	}
	t.spanEnd = len(w.spans)
	return t
}

// scoreTokens fills out (one Score per type) for reference r and
// prediction p.
func (s *RougeScorer) scoreTokens(w *rougeWork, r, p tokenized, out []Score) {
	ref := w.toks[r.start:r.end]
	pred := w.toks[p.start:p.end]
	lcs := -1
	for k, n := range s.ngrams {
		switch {
		case n > 0:
			out[k] = w.rougeN(ref, pred, n)
		case n == 0:
			if lcs < 0 {
				lcs = w.lcsLength(ref, pred)
			}
			out[k] = lcsScore(lcs, len(ref), len(pred))
		default:
			rs := w.spans[r.spanStart:r.spanEnd]
			ps := w.spans[p.spanStart:p.spanEnd]
			if s.split == nil && len(rs) <= 1 && len(ps) <= 1 {
				// One sentence each: the union LCS is the LCS, and clipping
				// cannot remove any of its tokens, so rougeLsum = rougeL.
				if lcs < 0 {
					lcs = w.lcsLength(ref, pred)
				}
				out[k] = lcsScore(lcs, len(ref), len(pred))
				continue
			}
			out[k] = w.summaryLCS(rs, ps)
		}
	}
}

func lcsScore(lcs, nRef, nPred int) Score {
	if nRef == 0 || nPred == 0 {
		return Score{}
	}
	return newScore(float64(lcs)/float64(nPred), float64(lcs)/float64(nRef))
}

// rougeWork is one goroutine's scratch space: the token intern tables and
// the buffers every score reuses.
type rougeWork struct {
	stem bool
	// raw maps a token as the tokenizer produced it to its id; final maps
	// the token after stemming to the id, so that different words with
	// one stem share an id. Without stemming raw is final.
	raw     *tokenTable
	short   []shortToken // a cache of raw for tokens of up to 8 bytes
	final   map[string]int32
	stemBuf []byte
	tokBuf  []byte // the tokenizer's scratch space

	toks       []int32    // tokens of the texts being scored
	spans      [][2]int32 // non-empty rougeLsum sentences, as w.toks ranges
	lineStart  int32
	trackLines bool

	counts, counts2 []int32 // per id, zero between uses
	local           []int32 // per id: 1 + its index among the distinct tokens of the text bm holds, zero between uses
	bm              bitMasks
	cols            tableColumns
	limits          lcsLimits
	v               []uint64
	keys            [3][]uint64
	ngrams          countTable
	mark            []bool
	tmp             []Score
}

// maxInterned bounds each work area's token table; past it the table
// starts afresh (ids only need to agree within one pair).
const maxInterned = 1 << 20

func newRougeWork(stem bool) *rougeWork {
	return &rougeWork{stem: stem, raw: newTokenTable(4096), short: make([]shortToken, 1<<shortCacheBits), tokBuf: make([]byte, 0, 64),
		final: make(map[string]int32, 1024), limits: defaultLCSLimits}
}

func (w *rougeWork) maybeReset() {
	w.toks = w.toks[:0]
	w.spans = w.spans[:0]
	if w.raw.n > maxInterned || len(w.final) > maxInterned {
		w.raw.reset()
		clear(w.short)
		clear(w.final)
		w.counts, w.counts2, w.local = w.counts[:0], w.counts2[:0], w.local[:0]
	}
}

// token implements tokenSink: intern the token and append its id.
//
// Most tokens are short and frequent, so a token of up to 8 bytes is
// first looked up in w.short, a direct-mapped cache keyed by its bytes as
// one word: one multiplication and one comparison instead of hashing the
// bytes and comparing them with the table's copy. Tokens never contain a
// zero byte, so the word (zero-padded) determines the token.
func (w *rougeWork) token(tok []byte) {
	if n := len(tok); n <= 8 && cap(tok) >= 8 {
		word := binary.LittleEndian.Uint64(tok[:8]) & (1<<(8*n) - 1)
		e := &w.short[word*0x9e3779b97f4a7c15>>(64-shortCacheBits)]
		if e.word != word {
			e.word, e.id = word, w.internRaw(tok)
		}
		w.toks = append(w.toks, e.id)
		return
	}
	w.toks = append(w.toks, w.internRaw(tok))
}

// shortCacheBits sizes w.short: 4,096 entries (64 KiB).
const shortCacheBits = 12

// shortToken is an entry of w.short: a token of up to 8 bytes, as a
// word, and its id (word 0: empty).
type shortToken struct {
	word uint64
	id   int32
}

// internRaw returns tok's id from the token table, interning it when new.
func (w *rougeWork) internRaw(tok []byte) int32 {
	h := w.raw.hash(tok)
	id, slot, ok := w.raw.lookup(tok, h)
	if !ok {
		id = w.intern(tok)
		w.raw.insert(tok, h, slot, id)
	}
	return id
}

// newline implements tokenSink: close the current line as a rougeLsum
// sentence when it has tokens.
func (w *rougeWork) newline() {
	if !w.trackLines {
		return
	}
	end := int32(len(w.toks))
	if end > w.lineStart {
		w.spans = append(w.spans, [2]int32{w.lineStart, end})
	}
	w.lineStart = end
}

// intern returns the id of a token not seen before: the id of its stem
// (or of itself, without stemming), shared by every token with that stem.
func (w *rougeWork) intern(tok []byte) int32 {
	final := tok
	if w.stem && len(tok) > 3 && isASCIIAlnum(tok) {
		w.stemBuf = porterStem(append(w.stemBuf[:0], tok...))
		final = w.stemBuf
	}
	id, ok := w.final[string(final)]
	if !ok {
		id = int32(len(w.final))
		w.final[string(final)] = id
		w.counts = append(w.counts, 0)
		w.counts2 = append(w.counts2, 0)
		w.local = append(w.local, 0)
	}
	return id
}

// rougeN is rouge-score's _score_ngrams over n-grams of token ids.
func (w *rougeWork) rougeN(ref, pred []int32, n int) Score {
	nr := max(len(ref)-n+1, 0)
	np := max(len(pred)-n+1, 0)
	inter := 0
	switch {
	case nr == 0 || np == 0:
	case n == 1:
		for _, t := range ref {
			w.counts[t]++
		}
		for _, t := range pred {
			if w.counts[t] > 0 {
				w.counts[t]--
				inter++
			}
		}
		for _, t := range ref {
			w.counts[t] = 0
		}
	default:
		kr, kp := w.ngramKeys(ref, pred, n)
		inter = w.ngrams.intersect(kr, kp)
	}
	return newScore(float64(inter)/float64(max(np, 1)), float64(inter)/float64(max(nr, 1)))
}

// ngramKeys returns one uint64 per n-gram (n >= 2) of ref and of pred such
// that two n-grams are equal exactly when their keys are. A bigram packs
// two ids; a longer n-gram packs the dense rank of its (n-1)-gram prefix
// among all prefixes of both texts with its last id.
func (w *rougeWork) ngramKeys(ref, pred []int32, n int) (kr, kp []uint64) {
	kr, kp = w.keys[0][:0], w.keys[1][:0]
	for i := 0; i+1 < len(ref); i++ {
		kr = append(kr, uint64(ref[i])<<32|uint64(ref[i+1]))
	}
	for i := 0; i+1 < len(pred); i++ {
		kp = append(kp, uint64(pred[i])<<32|uint64(pred[i+1]))
	}
	for k := 3; k <= n; k++ {
		// Keys of (k-1)-grams -> dense ranks over both texts.
		all := append(append(w.keys[2][:0], kr...), kp...)
		slices.Sort(all)
		all = slices.Compact(all)
		w.keys[2] = all
		nr, np := len(ref)-k+1, len(pred)-k+1
		for i := 0; i < nr; i++ {
			rank, _ := slices.BinarySearch(all, kr[i])
			kr[i] = uint64(rank)<<32 | uint64(ref[i+k-1])
		}
		for i := 0; i < np; i++ {
			rank, _ := slices.BinarySearch(all, kp[i])
			kp[i] = uint64(rank)<<32 | uint64(pred[i+k-1])
		}
		kr, kp = kr[:max(nr, 0)], kp[:max(np, 0)]
	}
	w.keys[0], w.keys[1] = kr, kp
	return kr, kp
}

// summaryLCS is rouge-score's _summary_level_lcs: for each reference
// sentence the union of its LCS with every prediction sentence, with token
// counts clipped so that no token is matched more often than it occurs
// (ROUGE-1.5.5). The union depends on which LCS the DP backtracking picks
// when several exist, so the backtracking follows the reference exactly
// (markLCS).
func (w *rougeWork) summaryLCS(refSents, predSents [][2]int32) Score {
	if len(refSents) == 0 || len(predSents) == 0 {
		return Score{}
	}
	m, n := 0, 0
	for _, s := range refSents {
		m += int(s[1] - s[0])
	}
	for _, s := range predSents {
		n += int(s[1] - s[0])
	}
	if m == 0 || n == 0 {
		return Score{}
	}
	cntR, cntC := w.counts, w.counts2
	for _, s := range refSents {
		for _, t := range w.toks[s[0]:s[1]] {
			cntR[t]++
		}
	}
	for _, s := range predSents {
		for _, t := range w.toks[s[0]:s[1]] {
			cntC[t]++
		}
	}
	hits := 0
	for _, rs := range refSents {
		r := w.toks[rs[0]:rs[1]]
		mark := slices.Grow(w.mark[:0], len(r))[:len(r)]
		clear(mark)
		w.mark = mark
		w.prepareMasks(r)
		for _, ps := range predSents {
			w.markLCS(r, w.toks[ps[0]:ps[1]], mark)
		}
		w.releaseMasks(r)
		for i, t := range r {
			if mark[i] && cntC[t] > 0 && cntR[t] > 0 {
				hits++
				cntC[t]--
				cntR[t]--
			}
		}
	}
	for _, s := range refSents {
		for _, t := range w.toks[s[0]:s[1]] {
			cntR[t] = 0
		}
	}
	for _, s := range predSents {
		for _, t := range w.toks[s[0]:s[1]] {
			cntC[t] = 0
		}
	}
	return newScore(float64(hits)/float64(n), float64(hits)/float64(m))
}
