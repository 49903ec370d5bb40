package classify

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/text"
)

// typeDict numbers the word types (space-separated words of normalized
// text) seen in training and keeps each type's character n-grams, so they
// are computed once per type and stored once (see [matrix]). Workers keep
// their own cache of it, so the lock is taken only for types new to them.
type typeDict struct {
	mu    sync.Mutex
	index map[string]int32
	lists [][]uint64 // per type: feature id<<32 | count, increasing ids
}

// typeRef is a worker's cached view of one type.
type typeRef struct {
	id   int32
	list []uint64
}

// lookup returns the type of padded word w, adding it when new; cache is
// the calling worker's own.
func (d *typeDict) lookup(w []byte, ex *extractor, tab *countTable, cache map[string]typeRef) typeRef {
	if r, ok := cache[string(w)]; ok {
		return r
	}
	d.mu.Lock()
	id, ok := d.index[string(w)]
	if !ok {
		tab.reset()
		ex.wordCharFeatures(w, tab)
		list := make([]uint64, len(tab.used))
		for k, s := range tab.used {
			list[k] = uint64(tab.id(s))<<32 | uint64(tab.count(s))
		}
		slices.Sort(list)
		id = int32(len(d.lists))
		d.lists = append(d.lists, list)
		d.index[string(w)] = id
	}
	r := typeRef{id: id, list: d.lists[id]}
	d.mu.Unlock()
	cache[string(w)] = r
	return r
}

// table flattens the dictionary into a typeTable (in type order).
func (d *typeDict) table() *typeTable {
	n := 0
	for _, l := range d.lists {
		n += len(l)
	}
	t := &typeTable{ids: make([]uint32, 0, n), cnts: make([]uint32, 0, n), off: make([]uint32, 1, len(d.lists)+1)}
	for _, l := range d.lists {
		for _, v := range l {
			t.ids = append(t.ids, uint32(v>>32))
			t.cnts = append(t.cnts, uint32(v))
		}
		t.off = append(t.off, uint32(len(t.ids)))
	}
	return t
}

// featurizeBatchSize is the number of texts a featurizing worker takes at
// a time.
const featurizeBatchSize = 256

// featurizer reads and featurizes the training records in parallel: the
// calling goroutine reads (decoding is sequential) and numbers the labels,
// workers featurize batches of texts, and the batches are put back in
// order so the result does not depend on scheduling.
type featurizer struct {
	cfg   *TrainConfig
	lex   *Lexicon
	space [numBlocks + 1]uint32
	// loo: lexicon phrases from a document's own sentence are left out of
	// it; chars: character n-grams are on.
	loo, chars bool
	dict       *typeDict

	mu      sync.Mutex
	results []featurizedBatch // by batch number
	dfs     [][]uint32        // per worker: document frequency of each hashed id

	ts       *trainSet
	labelIdx map[string]int
	labels   []string // in order of first appearance
	seen     []int
}

// textBatch is a numbered run of training texts.
type textBatch struct {
	idx   int
	texts []string
}

// featurizedBatch is a batch's documents in the matrix's encoding.
type featurizedBatch struct {
	data []byte
	ends []docEnd
}

// featurizeTrain reads and featurizes the training records of r. It
// returns the matrix with hashed ids, the labels (sorted; the trainSet's
// label numbers index them) and the hashed ids' document frequencies.
func featurizeTrain(ctx context.Context, cfg *TrainConfig, lex *Lexicon, r dataset.Reader) (*trainSet, []string, []uint32, error) {
	f := &featurizer{
		cfg:      cfg,
		lex:      lex,
		space:    cfg.Features.space(),
		loo:      lex != nil && lex.hasSources(),
		chars:    cfg.Features.CharNgramMax > 0,
		dict:     &typeDict{index: map[string]int32{}},
		dfs:      make([][]uint32, cfg.Workers),
		ts:       &trainSet{m: &matrix{}, labOff: []uint32{0}},
		labelIdx: map[string]int{},
	}
	work := make(chan textBatch, cfg.Workers)
	g, gctx := errgroup.WithContext(ctx)
	for w := 0; w < cfg.Workers; w++ {
		g.Go(func() error {
			f.work(w, work)
			return nil
		})
	}
	readErr := f.read(gctx, r, work)
	if err := g.Wait(); err != nil {
		return nil, nil, nil, err
	}
	if readErr != nil {
		return nil, nil, nil, readErr
	}
	ts, labels, df := f.collect()
	return ts, labels, df, nil
}

// read reads the records, records their labels, and sends their texts to
// the workers in batches; it closes work when done.
func (f *featurizer) read(ctx context.Context, r dataset.Reader, work chan<- textBatch) error {
	defer close(work)
	if f.cfg.Progress != nil {
		f.cfg.Progress.Stage("featurizing "+f.cfg.TrainName, -1)
	}
	cur := textBatch{}
	send := func() error {
		select {
		case work <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = textBatch{idx: cur.idx + 1}
		return nil
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		if err := f.addLabels(rec); err != nil {
			return err
		}
		cur.texts = append(cur.texts, rec.Text)
		if len(cur.texts) == featurizeBatchSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(cur.texts) > 0 {
		return send()
	}
	return nil
}

// addLabels records the labels of the next training document.
func (f *featurizer) addLabels(rec dataset.Record) error {
	cfg, ts := f.cfg, f.ts
	if (cfg.Mode == dataset.ModeBinary || cfg.Mode == dataset.ModeMultiClass) && len(rec.Labels) != 1 {
		return fmt.Errorf("classify: %s:%d: %d labels; %s training needs exactly one per record (use --mode multi-label, or fix the record)", cfg.TrainName, rec.Line, len(rec.Labels), cfg.Mode)
	}
	f.seen = f.seen[:0]
	for _, l := range rec.Labels {
		if l == "" {
			return fmt.Errorf("classify: %s:%d: empty label", cfg.TrainName, rec.Line)
		}
		i, ok := f.labelIdx[l]
		if !ok {
			if len(f.labels) == math.MaxUint16 {
				return fmt.Errorf("classify: %s: more than %d labels", cfg.TrainName, math.MaxUint16)
			}
			i = len(f.labels)
			f.labelIdx[l] = i
			f.labels = append(f.labels, l)
		}
		if !slices.Contains(f.seen, i) {
			f.seen = append(f.seen, i)
			ts.labs = append(ts.labs, uint16(i))
		}
	}
	ts.labOff = append(ts.labOff, uint32(len(ts.labs)))
	return nil
}

// work is worker w: it featurizes the batches it receives and files the
// results by batch number.
func (f *featurizer) work(w int, batches <-chan textBatch) {
	fw := &featureWorker{f: f, ex: newExtractor(f.cfg.Features, f.lex), cache: map[string]typeRef{}}
	fw.merge.init(10)
	fw.scratch.init(10)
	for b := range batches {
		if fw.df == nil {
			fw.df = make([]uint32, f.space[numBlocks])
			f.dfs[w] = fw.df
		}
		res := fw.batch(b.texts)
		f.mu.Lock()
		for len(f.results) <= b.idx {
			f.results = append(f.results, featurizedBatch{})
		}
		f.results[b.idx] = res
		f.mu.Unlock()
		if f.cfg.Progress != nil {
			f.cfg.Progress.Add(len(b.texts))
		}
	}
}

// featureWorker is one worker's state, reused across its batches.
type featureWorker struct {
	f              *featurizer
	ex             *extractor
	df             []uint32
	ids, tfs       []uint32
	types          []int32
	buf            []byte
	merge, scratch countTable
	cache          map[string]typeRef
}

// batch featurizes texts: each document's word features, then (with
// character n-grams) its word types, counting document frequencies.
func (w *featureWorker) batch(texts []string) featurizedBatch {
	var res featurizedBatch
	w.buf = w.buf[:0]
	for _, t := range texts {
		var key uint64
		if w.f.loo {
			key = text.NearDupKey(t)
		}
		w.ex.extractWords(t, key)
		w.ids, w.tfs = w.ex.sortedCounts(nil, w.ids[:0], w.tfs[:0])
		for _, id := range w.ids {
			w.df[id]++
		}
		w.buf = appendDoc(w.buf, w.ids, w.tfs)
		mid := uint32(len(w.buf))
		if w.f.chars {
			w.wordTypes()
		}
		res.ends = append(res.ends, docEnd{mid: mid, end: uint32(len(w.buf))})
	}
	res.data = slices.Clone(w.buf) // exactly sized: the matrix lives long
	return res
}

// wordTypes appends the current document's word types, and counts the
// distinct character n-grams of the document for their document
// frequency.
func (w *featureWorker) wordTypes() {
	w.types = w.types[:0]
	w.merge.reset()
	w.ex.eachWord(func(word []byte) {
		r := w.f.dict.lookup(word, w.ex, &w.scratch, w.cache)
		w.types = append(w.types, r.id)
		for _, v := range r.list {
			w.merge.add(uint32(v >> 32))
		}
	})
	for _, s := range w.merge.used {
		w.df[w.merge.id(s)]++
	}
	w.buf = appendTypes(w.buf, w.types)
}

// collect assembles the batches in order, numbers the labels in sorted
// order and merges the workers' document frequencies.
func (f *featurizer) collect() (*trainSet, []string, []uint32) {
	ts := f.ts
	for _, res := range f.results {
		ts.m.addChunk(res.data, res.ends)
	}
	if f.chars {
		ts.m.types = f.dict.table()
	}
	order := slices.Clone(f.labels)
	sort.Strings(order)
	remap := make([]uint16, len(f.labels))
	for i, l := range f.labels {
		remap[i] = uint16(slices.Index(order, l))
	}
	for i, l := range ts.labs {
		ts.labs[i] = remap[l]
	}
	var df []uint32
	for _, d := range f.dfs {
		if d == nil {
			continue
		}
		if df == nil {
			df = d
			continue
		}
		for i, v := range d {
			df[i] += v
		}
	}
	if df == nil {
		df = make([]uint32, f.space[numBlocks])
	}
	return ts, order, df
}
