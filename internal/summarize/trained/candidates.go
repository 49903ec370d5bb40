package trained

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/text"
)

// candidateKind says where a candidate summary came from.
type candidateKind uint8

const (
	kindNeighbor candidateKind = iota // a similar training report's summary, reused
	kindFrequent                      // one of the most frequent training summaries
	kindExtract                       // source sentences
	kindCombined                      // source sentences plus a frequent summary
)

func (k candidateKind) String() string {
	switch k {
	case kindNeighbor:
		return "retrieval"
	case kindFrequent:
		return "frequent"
	case kindExtract:
		return "extractive"
	}
	return "combined"
}

// candidate is one possible summary of a document.
type candidate struct {
	text    string
	kind    candidateKind
	summary int   // distinct training summary id; -1 for text built from the source
	sents   []int // source sentences used, in order
	adapted bool  // laterality swapped to agree with the source
	// check is the candidate's faithfulness check against the source.
	check clinical.Result
	// neighbors are the retrieved training examples whose summary this is
	// (adapted, when adapted is set); adaptedFrom are those whose summary
	// became this one once adapted.
	neighbors   []neighbor
	adaptedFrom []neighbor
	feats       []float32
}

// neighbor is a retrieved training example.
type neighbor struct {
	doc int
	sim float64
}

// rejection records a retrieved summary left out because the source does
// not back it.
type rejection struct {
	doc    int
	issues []clinical.Issue
}

// featureNames name the ranker's features, in order. Query-level features
// (the same for every candidate of a document) let the trees learn when to
// trust retrieval and when to extract.
var featureNames = []string{
	"top1_similarity", "mean_top5_similarity", "normal_vote", "source_sentences", "source_negated_share",
	"max_sentence_score",
	"is_neighbor", "is_extract", "is_combined", "is_frequent_summary", "adapted",
	"neighbor_max_similarity", "neighbor_vote", "neighbor_first_rank", "neighbor_count",
	"mbr_rougeL_p1", "mbr_rougeL_p4", "mbr_rouge1_p1",
	"log_train_count", "length_words", "length_ratio_to_neighbors",
	"extract_sentences", "extract_mean_score", "extract_min_score", "extract_first_position",
	"extract_negated_share", "extract_section",
	"support", "source_precision", "finding_coverage",
}

const numFeatures = 30

// query is the working state of summarizing one document.
type query struct {
	m         *Model
	doc       *document
	nbs       []neighbor // most similar first
	sentScore []float64  // per source sentence
	// srcDoc holds the source's claims, against which every candidate is
	// checked.
	srcDoc    *clinical.Document
	srcTokens map[string]bool
	cands     []candidate
	rejected  []rejection
	// guarded counts the candidates the faithfulness guard removed.
	guarded int
	seen    map[string]int // candidate text key -> index
	// contentWords are each sentence's finding words, for coverage.
	contentWords [][]string
	// excludeSummary is the summary id whose count excludes the query
	// itself (leave-one-out training); -1 otherwise.
	selfSummary int
}

// candidateKey identifies candidates that ROUGE cannot tell apart.
func candidateKey(s string) string {
	return strings.Join(eval.Tokenize(s, eval.TokenizerDefault, false), " ")
}

func (q *query) add(c candidate) int {
	key := candidateKey(c.text)
	if key == "" {
		return -1
	}
	if i, ok := q.seen[key]; ok {
		return i
	}
	q.seen[key] = len(q.cands)
	q.cands = append(q.cands, c)
	return len(q.cands) - 1
}

// generate fills q.cands: retrieved summaries (checked against the source,
// adapted or rejected), frequent summaries, source extracts and their
// combinations.
func (q *query) generate() {
	m := q.m
	q.seen = map[string]int{}
	// Retrieved summaries, grouped by summary text. A summary adapted to
	// the text of another candidate joins it as adapted evidence.
	bySummary := map[int]slot{}
	attach := func(sl slot, nb neighbor) {
		if sl.cand < 0 {
			return
		}
		c := &q.cands[sl.cand]
		if sl.adapted && !c.adapted {
			c.adaptedFrom = append(c.adaptedFrom, nb)
		} else {
			c.neighbors = append(c.neighbors, nb)
		}
	}
	for _, nb := range q.nbs {
		sid := int(m.docSummary[nb.doc])
		if sl, ok := bySummary[sid]; ok {
			attach(sl, nb)
			continue
		}
		sumText := m.summaries[sid]
		res := m.checker.CheckDocuments(q.srcDoc, m.sumDocs[sid])
		if res.Faithful() && !m.isFrequent[sid] && nb.sim < m.opts.MinReuseSimilarity {
			// A specific summary of a dissimilar report: extract instead.
			bySummary[sid] = slot{cand: -1}
			continue
		}
		if res.Faithful() {
			bySummary[sid] = q.addRetrieved(candidate{text: sumText, kind: kindNeighbor, summary: sid, check: res}, nb)
			continue
		}
		if hasSideIssue(res.Issues) {
			swapped := swapSides(sumText)
			if sres := m.checker.CheckDocuments(q.srcDoc, m.checker.Extractor().Extract(swapped)); sres.Faithful() {
				bySummary[sid] = q.addRetrieved(candidate{text: swapped, kind: kindNeighbor, summary: sid, adapted: true, check: sres}, nb)
				continue
			}
		}
		bySummary[sid] = slot{cand: -1}
		q.rejected = append(q.rejected, rejection{doc: nb.doc, issues: flaggedIssues(res.Issues)})
	}
	// Frequent summaries the neighbours did not bring.
	for _, sid := range m.frequent {
		if _, ok := bySummary[sid]; ok {
			continue
		}
		bySummary[sid] = slot{}
		res := m.checker.CheckDocuments(q.srcDoc, m.sumDocs[sid])
		if !res.Faithful() {
			continue
		}
		q.add(candidate{text: m.summaries[sid], kind: kindFrequent, summary: sid, check: res})
	}
	// Extracts: single sentences, then short combinations of the best.
	var order []int
	for i := range q.doc.sents {
		if q.doc.extractable(i) {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return q.sentScore[order[a]] > q.sentScore[order[b]] })
	if len(order) > m.opts.MaxSingles {
		order = order[:m.opts.MaxSingles]
	}
	for _, i := range order {
		q.add(candidate{text: q.extractText([]int{i}, false), kind: kindExtract, summary: -1, sents: []int{i}})
		if c := q.extractText([]int{i}, true); c != "" {
			q.add(candidate{text: c, kind: kindExtract, summary: -1, sents: []int{i}})
		}
	}
	top := order
	if len(top) > m.opts.CombineTop {
		top = top[:m.opts.CombineTop]
	}
	for a := 0; a < len(top); a++ {
		for b := a + 1; b < len(top); b++ {
			pair := sortedPair(top[a], top[b])
			q.add(candidate{text: q.extractText(pair, true), kind: kindExtract, summary: -1, sents: pair})
			for c := b + 1; c < len(top) && m.opts.MaxExtract >= 3; c++ {
				tri := []int{top[a], top[b], top[c]}
				sort.Ints(tri)
				q.add(candidate{text: q.extractText(tri, true), kind: kindExtract, summary: -1, sents: tri})
			}
		}
	}
	// The best-supported frequent summary with the best sentence, both
	// orders: "No acute disease. Stable cardiomegaly."
	if normal := q.bestFrequent(); normal >= 0 && len(order) > 0 {
		ext := q.extractText([]int{order[0]}, true)
		q.add(candidate{text: m.summaries[normal] + " " + ext, kind: kindCombined, summary: normal, sents: []int{order[0]}})
		q.add(candidate{text: ext + " " + m.summaries[normal], kind: kindCombined, summary: normal, sents: []int{order[0]}})
	}
	q.guard()
}

// slot is where a retrieved summary went: the candidate holding it (-1 when
// rejected) and whether it was adapted to get there.
type slot struct {
	cand    int
	adapted bool
}

// addRetrieved adds a retrieved (possibly adapted) summary with the
// neighbour it came from. When its text is already a candidate, the
// neighbour joins that candidate: as reuse evidence, or as adapted
// evidence when this one was adapted and that one was not.
func (q *query) addRetrieved(c candidate, nb neighbor) slot {
	i := q.add(c)
	sl := slot{cand: i, adapted: c.adapted}
	if i < 0 {
		return sl
	}
	e := &q.cands[i]
	if c.adapted && !e.adapted {
		e.adaptedFrom = append(e.adaptedFrom, nb)
	} else {
		e.neighbors = append(e.neighbors, nb)
	}
	return sl
}

// hasSideIssue reports whether a flagged issue is about laterality: a
// summary that swapping left and right may mend (the swapped text is
// checked again in full).
func hasSideIssue(issues []clinical.Issue) bool {
	for _, is := range issues {
		if is.Flagged() && is.Kind == clinical.IssueSide {
			return true
		}
	}
	return false
}

func flaggedIssues(issues []clinical.Issue) []clinical.Issue {
	var out []clinical.Issue
	for _, is := range issues {
		if is.Flagged() {
			out = append(out, is)
		}
	}
	return out
}

// guard removes candidates the source does not back (an unsupported or
// contradicted claim, a placeholder or communication the source lacks, a
// normal statement over a critical finding), then, as Options.Keep says,
// keeps those that omit the fewest critical findings of the source, then
// the fewest of its lines, tubes and significant findings. It returns how
// many it removed.
func (q *query) guard() int {
	m := q.m
	x := m.checker.Extractor()
	kept := q.cands[:0]
	removed := 0
	for _, c := range q.cands {
		if c.check.Source == nil {
			c.check = m.checker.CheckDocuments(q.srcDoc, x.Extract(c.text))
		}
		if !c.check.Faithful() {
			removed++
			continue
		}
		kept = append(kept, c)
	}
	q.cands = kept
	// Keep the candidates that omit the fewest critical findings of the
	// source, then, among those, the fewest lines, tubes and significant
	// findings.
	keep := []bool{true, false} // critical, then reportable (also a model from before Keep, resolved as auto)
	switch m.opts.Keep {
	case KeepCritical:
		keep = keep[:1]
	case KeepNone:
		keep = nil
	}
	for _, critical := range keep {
		omitted := func(r clinical.Result) int {
			n := 0
			for _, is := range r.Issues {
				if is.Verdict == clinical.Omitted && (is.Kind == clinical.IssueCritical) == critical {
					n++
				}
			}
			return n
		}
		fewest := -1
		for _, c := range q.cands {
			if n := omitted(c.check); fewest < 0 || n < fewest {
				fewest = n
			}
		}
		kept = q.cands[:0]
		for _, c := range q.cands {
			if omitted(c.check) > fewest {
				removed++
				continue
			}
			kept = append(kept, c)
		}
		q.cands = kept
	}
	// Texts moved: rebuild the index of candidate texts.
	q.seen = make(map[string]int, len(q.cands))
	for i, c := range q.cands {
		q.seen[candidateKey(c.text)] = i
	}
	q.guarded = removed
	return removed
}

func sortedPair(a, b int) []int {
	if a > b {
		a, b = b, a
	}
	return []int{a, b}
}

// bestFrequent returns the frequent summary most retrieved neighbours
// share (by summed similarity), else the most frequent one.
func (q *query) bestFrequent() int {
	best, bestVote := -1, 0.0
	for _, c := range q.cands {
		if c.summary < 0 || !q.m.isFrequent[c.summary] || c.adapted {
			continue
		}
		var v float64
		for _, nb := range c.neighbors {
			v += nb.sim
		}
		if best < 0 || v > bestVote {
			best, bestVote = c.summary, v
		}
	}
	return best
}

// extractText joins source sentences into a summary. compress drops
// leading list numbers and existential openings ("There is a ..."), but
// never a negation cue: a compression that would lose one is not used.
func (q *query) extractText(sents []int, compress bool) string {
	var b strings.Builder
	changed := false
	for k, i := range sents {
		s := q.doc.sents[i].Text
		if compress {
			c := compressSentence(s)
			changed = changed || c != s
			s = c
		}
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	if compress && !changed && len(sents) == 1 {
		return ""
	}
	return b.String()
}

// openings are existential openings a summary leaves out, longest first
// so "there is evidence of" wins over "there is".
var openings = []string{
	"there is evidence of ", "there appears to be ", "there have been ", "there has been ", "there again is ",
	"again seen are ", "again noted is ", "again seen is ", "there may be ", "there is an ", "there is a ",
	"there are ", "there is ",
}

// trailing verb phrases that a summary leaves out ("... is noted.").
var trailers = []string{
	" is again seen", " are again seen", " is again noted", " are again noted", " is seen", " are seen",
	" is noted", " are noted", " is present", " are present", " is identified", " are identified",
	" is demonstrated", " are demonstrated", " is visualized", " are visualized",
}

// compressSentence shortens a source sentence the way impressions restate
// findings. It keeps every negation cue: if the shortened sentence does
// not have exactly the cues of the original, the original is returned.
func compressSentence(s string) string {
	out := stripListNumber(s)
	lower := strings.ToLower(out)
	for _, o := range openings {
		if strings.HasPrefix(lower, o) && len(out) > len(o)+2 {
			out = out[len(o):]
			lower = lower[len(o):]
			break
		}
	}
	end := strings.TrimRight(out, ". ")
	lowerEnd := strings.ToLower(end)
	for _, t := range trailers {
		if strings.HasSuffix(lowerEnd, t) && len(end) > len(t)+2 {
			out = end[:len(end)-len(t)] + "."
			break
		}
	}
	out = capitalize(out)
	if !sameCues(s, out) {
		return s
	}
	return out
}

// stripListNumber drops a leading "1. " or "2) ": a source's numbering
// means nothing in a summary.
func stripListNumber(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i <= 3 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return strings.TrimLeft(s[i+1:], " ")
	}
	return s
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// sameCues reports whether a and b hold the same negation cues in the same
// order.
func sameCues(a, b string) bool {
	ca, cb := text.NegationCues(a), text.NegationCues(b)
	if len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if ca[i] != cb[i] {
			return false
		}
	}
	return true
}

// featurize computes every candidate's features.
func (q *query) featurize(sc *eval.RougeScorer) {
	m := q.m
	nbs := q.nbs
	kMBR := min(len(nbs), m.opts.MBRNeighbors)
	// Query-level features.
	var top1, mean5, normalVote, wsum float64
	if len(nbs) > 0 {
		top1 = nbs[0].sim
	}
	for i := 0; i < len(nbs) && i < 5; i++ {
		mean5 += nbs[i].sim / float64(min(len(nbs), 5))
	}
	for _, nb := range nbs[:kMBR] {
		w := nb.sim * nb.sim
		wsum += w
		if m.isFrequent[int(m.docSummary[nb.doc])] {
			normalVote += w
		}
	}
	if wsum > 0 {
		normalVote /= wsum
	}
	var negShare, maxSent float64
	for i := range q.doc.sents {
		negShare += q.doc.negatedFraction(i)
		maxSent = math.Max(maxSent, q.sentScore[i])
	}
	if len(q.doc.sents) > 0 {
		negShare /= float64(len(q.doc.sents))
	}
	var nbLen float64
	for _, nb := range nbs[:kMBR] {
		nbLen += float64(m.summaryLen[m.docSummary[nb.doc]])
	}
	if kMBR > 0 {
		nbLen /= float64(kMBR)
	}
	// Pairwise ROUGE between candidates and neighbour summaries.
	refs := make([]string, 1)
	scores := make([]eval.Score, 0, 2)
	for ci := range q.cands {
		c := &q.cands[ci]
		f := make([]float32, numFeatures)
		f[0], f[1], f[2] = float32(top1), float32(mean5), float32(normalVote)
		f[3], f[4], f[5] = float32(len(q.doc.sents)), float32(negShare), float32(maxSent)
		switch c.kind {
		case kindNeighbor, kindFrequent:
			f[6] = 1
		case kindExtract:
			f[7] = 1
		case kindCombined:
			f[8] = 1
		}
		if c.summary >= 0 && m.isFrequent[c.summary] {
			f[9] = 1
		}
		if c.adapted {
			f[10] = 1
		}
		first := float64(len(nbs) + 1)
		var maxSim, vote float64
		for _, nb := range c.neighbors {
			maxSim = math.Max(maxSim, nb.sim)
			vote += nb.sim
		}
		if c.kind == kindNeighbor {
			for r, nb := range nbs {
				if int(m.docSummary[nb.doc]) == c.summary {
					first = float64(r + 1)
					break
				}
			}
		}
		f[11], f[12], f[13], f[14] = float32(maxSim), float32(vote), float32(first), float32(len(c.neighbors))
		var mbrL1, mbrL4, mbr11, w1, w4 float64
		for _, nb := range nbs[:kMBR] {
			refs[0] = m.summaries[m.docSummary[nb.doc]]
			scores = sc.AppendScores(scores[:0], refs, c.text)
			r1, rl := scores[0].FMeasure, scores[1].FMeasure
			a, b := nb.sim, math.Pow(nb.sim, 4)
			mbrL1 += a * rl
			mbr11 += a * r1
			mbrL4 += b * rl
			w1 += a
			w4 += b
		}
		if w1 > 0 {
			mbrL1 /= w1
			mbr11 /= w1
		}
		if w4 > 0 {
			mbrL4 /= w4
		}
		f[15], f[16], f[17] = float32(mbrL1), float32(mbrL4), float32(mbr11)
		if c.summary >= 0 && c.kind != kindCombined {
			n := m.summaryCount[c.summary]
			if c.summary == q.selfSummary {
				n--
			}
			f[18] = float32(math.Log1p(float64(n)))
		}
		nw := len(eval.Tokenize(c.text, eval.TokenizerDefault, false))
		f[19] = float32(nw)
		if nbLen > 0 {
			f[20] = float32(float64(nw) / nbLen)
		}
		if len(c.sents) > 0 {
			f[21] = float32(len(c.sents))
			minS, meanS, neg := 1.0, 0.0, 0.0
			for _, i := range c.sents {
				meanS += q.sentScore[i]
				minS = math.Min(minS, q.sentScore[i])
				neg += q.doc.negatedFraction(i)
			}
			f[22] = float32(meanS / float64(len(c.sents)))
			f[23] = float32(minS)
			f[24] = float32(float64(c.sents[0]) / float64(max(1, len(q.doc.sents))))
			f[25] = float32(neg / float64(len(c.sents)))
			f[26] = float32(q.doc.sents[c.sents[0]].Section)
		} else {
			f[24] = -1
			f[26] = -1
		}
		f[27] = float32(support(c.check))
		f[28] = float32(q.sourcePrecision(c.text))
		f[29] = float32(q.coverage(c.text))
		c.feats = f
	}
}

// coverage is how much of what the source's sentences say, weighted by
// how summary-worthy the sentence scorer finds each, the candidate
// repeats: the share of the weighted content words (not generic, not
// negated) of the source sentences that the candidate contains. A normal
// phrase for a report with a salient finding covers little.
func (q *query) coverage(s string) float64 {
	if q.contentWords == nil {
		q.contentWords = make([][]string, len(q.doc.sents))
		for i := range q.doc.sents {
			for k, w := range q.doc.words[i] {
				if len(w) >= 3 && !genericTerms[w] && !q.doc.negated[i][k] && !isNumberWord(w) {
					q.contentWords[i] = append(q.contentWords[i], w)
				}
			}
		}
	}
	have := map[string]bool{}
	for _, w := range text.Words(s) {
		have[strings.ToLower(s[w.Start:w.End])] = true
	}
	var num, den float64
	for i, ws := range q.contentWords {
		if len(ws) == 0 {
			continue
		}
		n := 0
		for _, w := range ws {
			if have[w] {
				n++
			}
		}
		num += q.sentScore[i] * float64(n) / float64(len(ws))
		den += q.sentScore[i]
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// sourcePrecision is the share of the candidate's words found in the
// source.
func (q *query) sourcePrecision(s string) float64 {
	toks := eval.Tokenize(s, eval.TokenizerDefault, false)
	if len(toks) == 0 {
		return 0
	}
	n := 0
	for _, t := range toks {
		if q.srcTokens[t] {
			n++
		}
	}
	return float64(n) / float64(len(toks))
}
