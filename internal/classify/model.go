package classify

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/osler-health/osler/internal/dataset"
)

// Model is a trained text classifier. It is read-only once trained or
// loaded, and every method is safe for concurrent use by many goroutines:
// the per-call buffers come from a sync.Pool, so the hot path takes no lock.
type Model struct {
	meta Metadata
	feat FeatureConfig
	lex  *Lexicon
	mode dataset.Mode

	labels   []string
	positive int // binary: index in labels of the positive label
	// nout is the number of linear models: 1 for binary, one per label
	// otherwise.
	nout int

	base  [numBlocks + 1]uint32
	ids   []uint32  // hashed id of each row, increasing
	index rankIndex // hashed id -> row
	rows  []float32 // per row: idf, then nout weights
	bias  []float32 // per linear model
	// thresholds per label, in labels order (binary: only the positive
	// label's is used; multi-class: unused, the top label wins).
	thresholds []float64

	pool sync.Pool
}

// scratch is one goroutine's featurizing and scoring buffers.
type scratch struct {
	ex   *extractor
	dots []float64
	raw  []float64
}

func (m *Model) getScratch() *scratch {
	if s, ok := m.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		ex:   newExtractor(m.feat, m.lex),
		dots: make([]float64, numBlocks*m.nout),
		raw:  make([]float64, m.nout),
	}
}

// Labels returns the model's labels in the order scores are reported.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }

// Mode returns binary, multi-class or multi-label.
func (m *Model) Mode() dataset.Mode { return m.mode }

// Thresholds returns each label's decision threshold (tuned on a dev set or
// by cross-validation at training time), in [Model.Labels] order. In
// binary mode only the positive label's is used; in multi-class mode none
// is (the top label wins).
func (m *Model) Thresholds() []float64 { return slices.Clone(m.thresholds) }

// PositiveLabel returns the positive label of a binary model ("" otherwise).
func (m *Model) PositiveLabel() string {
	if m.mode != dataset.ModeBinary {
		return ""
	}
	return m.labels[m.positive]
}

// Metadata returns what the model records about itself.
func (m *Model) Metadata() Metadata {
	md := m.meta
	md.Labels = slices.Clone(md.Labels)
	md.Thresholds = cloneMap(md.Thresholds)
	md.Data = cloneMap(md.Data)
	return md
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// linear computes the raw linear scores (before the logistic function) of
// text into s.raw.
func (m *Model) linear(s *scratch, text string) {
	s.ex.extract(text, 0)
	L := m.nout
	stride := 1 + L
	clear(s.dots)
	var sq [numBlocks]float64
	sub := m.feat.SublinearTF
	tab := &s.ex.tab
	begin := 0
	for _, b := range [numBlocks]int{blockWord, blockLexicon, blockChar} {
		used := tab.used[begin:s.ex.ends[b]]
		begin = s.ex.ends[b]
		var q float64
		if L == 1 {
			var d float64
			for _, slot := range used {
				r := m.index.row(tab.id(slot))
				if r < 0 {
					continue
				}
				row := m.rows[2*r : 2*r+2]
				v := float64(tfWeight(tab.count(slot), sub) * row[0])
				q += v * v
				d += v * float64(row[1])
			}
			s.dots[b] = d
		} else {
			d := s.dots[b*L : b*L+L]
			for _, slot := range used {
				r := m.index.row(tab.id(slot))
				if r < 0 {
					continue
				}
				row := m.rows[int(r)*stride : int(r)*stride+stride]
				v := float64(tfWeight(tab.count(slot), sub) * row[0])
				q += v * v
				for l, w := range row[1:] {
					d[l] += v * float64(w)
				}
			}
		}
		sq[b] = q
	}
	var inv [numBlocks]float64
	for b, q := range sq {
		if q > 0 {
			inv[b] = 1 / math.Sqrt(q)
		}
	}
	for l := 0; l < L; l++ {
		z := float64(m.bias[l])
		for b := 0; b < numBlocks; b++ {
			z += s.dots[b*L+l] * inv[b]
		}
		s.raw[l] = z
	}
}

// sigmoid is the logistic function.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// AppendScores appends one score in [0, 1] per label ([Model.Labels]
// order) for text to dst and returns it. Binary: the positive label's
// probability p and 1-p for the other. Multi-class: the one-vs-rest
// probabilities normalized to sum to 1. Multi-label: each label's own
// probability. It does not allocate when dst has room.
func (m *Model) AppendScores(dst []float64, text string) []float64 {
	s := m.getScratch()
	m.linear(s, text)
	dst = m.appendProbs(dst, s.raw)
	m.pool.Put(s)
	return dst
}

func (m *Model) appendProbs(dst, raw []float64) []float64 {
	return appendProbs(dst, m.mode, m.positive, len(m.labels), raw)
}

// appendProbs turns the raw scores of the linear models into per-label
// probabilities (see [Model.AppendScores]).
func appendProbs(dst []float64, mode dataset.Mode, positive, nlabels int, raw []float64) []float64 {
	switch mode {
	case dataset.ModeBinary:
		p := sigmoid(raw[0])
		for i := 0; i < nlabels; i++ {
			if i == positive {
				dst = append(dst, p)
			} else {
				dst = append(dst, 1-p)
			}
		}
	case dataset.ModeMultiClass:
		start := len(dst)
		sum := 0.0
		for _, z := range raw {
			p := sigmoid(z)
			sum += p
			dst = append(dst, p)
		}
		if sum > 0 {
			for i := start; i < len(dst); i++ {
				dst[i] /= sum
			}
		}
	default:
		for _, z := range raw {
			dst = append(dst, sigmoid(z))
		}
	}
	return dst
}

// Scores returns one score per label for text (see [Model.AppendScores]).
func (m *Model) Scores(text string) []float64 {
	return m.AppendScores(make([]float64, 0, len(m.labels)), text)
}

// Decide appends the indexes (into [Model.Labels]) of the labels predicted
// from scores, using the model's thresholds, or threshold for every label
// when threshold >= 0. Binary: the positive label when its score reaches
// the threshold, else the other. Multi-class: the top label. Multi-label:
// every label whose score reaches its threshold (possibly none).
func (m *Model) Decide(dst []int, scores []float64, threshold float64) []int {
	switch m.mode {
	case dataset.ModeBinary:
		t := m.thresholds[m.positive]
		if threshold >= 0 {
			t = threshold
		}
		if scores[m.positive] >= t {
			return append(dst, m.positive)
		}
		return append(dst, 1-m.positive)
	case dataset.ModeMultiClass:
		best := 0
		for i, s := range scores {
			if s > scores[best] {
				best = i
			}
		}
		return append(dst, best)
	}
	for i, s := range scores {
		t := m.thresholds[i]
		if threshold >= 0 {
			t = threshold
		}
		if s >= t {
			dst = append(dst, i)
		}
	}
	return dst
}

// Prediction is the result for one text.
type Prediction struct {
	// Labels are the predicted labels.
	Labels []string
	// Scores has one score per label, in [Model.Labels] order.
	Scores []float64
}

// Predict scores texts and applies the model's thresholds (or threshold
// for every label when it is >= 0). ctx is checked between texts.
func (m *Model) Predict(ctx context.Context, texts []string, threshold float64) ([]Prediction, error) {
	out := make([]Prediction, len(texts))
	var idx []int
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		sc := m.Scores(t)
		idx = m.Decide(idx[:0], sc, threshold)
		labels := make([]string, len(idx))
		for k, j := range idx {
			labels[k] = m.labels[j]
		}
		out[i] = Prediction{Labels: labels, Scores: sc}
	}
	return out, nil
}

// newModel assembles a model from its parts and builds the lookup table.
func newModel(meta Metadata, feat FeatureConfig, lex *Lexicon, ids []uint32, rows, bias []float32) (*Model, error) {
	mode, err := dataset.ParseMode(meta.Mode)
	if err != nil || mode == "" {
		return nil, fmt.Errorf("unknown mode %q", meta.Mode)
	}
	if err := feat.Validate(); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	m := &Model{meta: meta, feat: feat, lex: lex, mode: mode, labels: meta.Labels, ids: ids, rows: rows, bias: bias, base: feat.space()}
	switch mode {
	case dataset.ModeBinary:
		if len(m.labels) != 2 {
			return nil, fmt.Errorf("binary model with %d labels", len(m.labels))
		}
		m.positive = slices.Index(m.labels, meta.PositiveLabel)
		if m.positive < 0 {
			return nil, fmt.Errorf("positive label %q is not one of the labels", meta.PositiveLabel)
		}
		m.nout = 1
	default:
		if len(m.labels) < 1 {
			return nil, fmt.Errorf("model has no labels")
		}
		m.nout = len(m.labels)
	}
	if len(bias) != m.nout || len(rows) != len(ids)*(1+m.nout) {
		return nil, fmt.Errorf("weights hold %d outputs, labels need %d", len(bias), m.nout)
	}
	m.thresholds = make([]float64, len(m.labels))
	for i, l := range m.labels {
		t, ok := meta.Thresholds[l]
		if !ok {
			t = 0.5
		}
		m.thresholds[i] = t
	}
	if err := m.index.build(ids, m.base[numBlocks]); err != nil {
		return nil, err
	}
	return m, nil
}

// rankIndex maps the hashed id of a feature seen in training to its row:
// rows are in increasing id order, so a feature's row is the number of
// known ids below it. One bit per possible id and a running count per 64
// ids (16 bytes per 64 ids, about 0.5 MB for the default hash space) keep
// the lookup in cache, where a table of rows per id would take 8 MB.
type rankIndex struct {
	words []rankWord
}

type rankWord struct {
	bits uint64 // bit i: id 64*k+i is known
	base uint32 // known ids below 64*k
	_    uint32
}

// build indexes ids, which must be strictly increasing and below space.
func (x *rankIndex) build(ids []uint32, space uint32) error {
	x.words = make([]rankWord, (space+63)/64)
	prev := int64(-1)
	for r, id := range ids {
		if int64(id) <= prev || id >= space {
			return fmt.Errorf("feature table is corrupt at row %d", r)
		}
		prev = int64(id)
		x.words[id>>6].bits |= 1 << (id & 63)
	}
	n := uint32(0)
	for k := range x.words {
		x.words[k].base = n
		n += uint32(bits.OnesCount64(x.words[k].bits))
	}
	return nil
}

// row returns the row of feature id, or -1 when it was not seen in
// training.
func (x *rankIndex) row(id uint32) int32 {
	w := &x.words[id>>6]
	bit := uint64(1) << (id & 63)
	if w.bits&bit == 0 {
		return -1
	}
	return int32(w.base + uint32(bits.OnesCount64(w.bits&(bit-1))))
}
