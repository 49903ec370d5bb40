package trained

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/eval"
	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/version"
)

// A model artifact is a directory:
//
//	model.json    metadata: format and version, Osler version, creation
//	              time, options, training data (path, sha256, records),
//	              training report and metrics, sha256 and size of model.bin
//	model.bin     gzip-compressed gob of the model's tables: TF-IDF
//	              vocabulary and idf, one sparse vector per training source,
//	              the distinct training summaries and their counts, the
//	              sentence scorer's non-zero weights, the ranker's trees
//	SHA256SUMS    sha256 of both, in `sha256sum -c` format
//
// Save writes the directory atomically; Load verifies sizes and checksums
// before decoding anything, and refuses other formats and versions.

// FormatName identifies Osler summarizer artifacts in model.json.
const FormatName = "osler-summarizer"

// FormatVersion is the version of the artifact layout; Load refuses others.
const FormatVersion = 1

const (
	metadataName = modeldir.MetadataName
	dataName     = "model.bin"
)

// Metadata is model.json.
type Metadata struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	OslerVersion  string `json:"osler_version"`
	Created       string `json:"created"`
	// Method says in words how the model summarizes.
	Method  string  `json:"method"`
	Options Options `json:"options"`
	// Data describes the files the model was trained and evaluated on
	// ("train", "dev").
	Data map[string]DataFile `json:"data,omitempty"`
	// Training is the training report, cross-validated metrics included.
	Training *TrainReport `json:"training"`
	// Metrics holds evaluations on held-out data (e.g. "dev").
	Metrics map[string]*EvalReport `json:"metrics,omitempty"`
	// Files are the sha256 and size of the artifact's data file.
	Files map[string]FileSum `json:"files"`
}

// DataFile identifies a data file by content.
type DataFile struct {
	Path    string `json:"path"`
	SHA256  string `json:"sha256"`
	Records int    `json:"records"`
}

// FileSum is a file's sha256 and size (the model directory convention's).
type FileSum = modeldir.FileSum

const methodDescription = "candidates (summaries of the most similar training sources, frequent summaries, source sentences chosen by a " +
	"supervised sentence scorer, alone, shortened and combined), each checked against the source by the faithfulness guard (a claim " +
	"the source does not back removes it; sides are swapped when that mends a reused summary; those keeping the critical findings, " +
	"lines and tubes are preferred), ranked by listwise gradient-boosted trees"

func newMetadata(o Options, rep *TrainReport) Metadata {
	return Metadata{
		Format:        FormatName,
		FormatVersion: FormatVersion,
		OslerVersion:  version.String(),
		Created:       time.Now().UTC().Format(time.RFC3339),
		Method:        methodDescription,
		Options:       o,
		Training:      rep,
	}
}

// RecordData notes a data file the model was trained or evaluated on
// (role "train" or "dev"); it is saved in model.json.
func (m *Model) RecordData(role string, f DataFile) {
	if m.meta.Data == nil {
		m.meta.Data = map[string]DataFile{}
	}
	m.meta.Data[role] = f
}

// RecordMetrics notes an evaluation (name e.g. "dev"); it is saved in
// model.json.
func (m *Model) RecordMetrics(name string, r *EvalReport) {
	if m.meta.Metrics == nil {
		m.meta.Metrics = map[string]*EvalReport{}
	}
	m.meta.Metrics[name] = r
}

// payload is model.bin before compression.
type payload struct {
	Options      Options
	TFIDF        tfidfOptions
	Terms        []string
	IDF          []float32
	DocIDs       []string
	VecOffsets   []int32 // len = docs+1
	VecIdx       []int32
	VecVal       []float32
	DocSummary   []int32
	Summaries    []string
	SummaryCount []int32
	SentBits     uint8
	SentIdx      []uint32 // non-zero weights only
	SentVal      []float32
	Ranker       forest
}

func (m *Model) payload() *payload {
	p := &payload{
		Options: m.opts, TFIDF: m.vec.opts, Terms: m.vec.terms, IDF: m.vec.idf, DocIDs: m.docIDs,
		DocSummary: m.docSummary, Summaries: m.summaries, SummaryCount: m.summaryCount,
		SentBits: m.sent.Bits, Ranker: *m.ranker,
	}
	p.VecOffsets = append(p.VecOffsets, 0)
	for _, v := range m.docVecs {
		p.VecIdx = append(p.VecIdx, v.idx...)
		p.VecVal = append(p.VecVal, v.val...)
		p.VecOffsets = append(p.VecOffsets, int32(len(p.VecIdx)))
	}
	for i, w := range m.sent.Weights {
		if w != 0 {
			p.SentIdx = append(p.SentIdx, uint32(i))
			p.SentVal = append(p.SentVal, w)
		}
	}
	return p
}

func encodePayload(p *payload) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if err := gob.NewEncoder(zw).Encode(p); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes the model to dir atomically: the files are written and
// fsynced in a temporary directory beside dir, which then replaces dir in
// one rename (an existing model at dir is moved aside first and removed
// after), so a reader sees the old model or the new one, never a mix. A
// dir that exists and holds something other than an Osler model is
// refused.
func (m *Model) Save(dir string) error {
	if err := modeldir.CheckReplaceable(dir, FormatName); err != nil {
		return fmt.Errorf("trained: save: %w", err)
	}
	data, err := encodePayload(m.payload())
	if err != nil {
		return fmt.Errorf("trained: save: %w", err)
	}
	meta := m.meta
	meta.Files = map[string]FileSum{dataName: modeldir.Sum(data)}
	mb, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("trained: save: %w", err)
	}
	if err := modeldir.Write(dir, append(mb, '\n'), map[string][]byte{dataName: data}); err != nil {
		return fmt.Errorf("trained: save: %w", err)
	}
	return nil
}

// ErrCorrupt is wrapped by Load's errors for a model whose files were
// changed, truncated or are not an Osler summarizer.
var ErrCorrupt = modeldir.ErrCorrupt

// Load reads a model saved by [Model.Save]; path is the model directory
// (or its model.json). It verifies sizes and checksums before decoding and
// refuses other formats and versions (see [LoadFS]). The model is safe for
// concurrent use.
func Load(path string) (*Model, error) {
	dir := path
	if filepath.Base(path) == metadataName {
		dir = filepath.Dir(path)
	}
	return LoadFS(os.DirFS(dir), ".", dir)
}

// fromPayload rebuilds a model, checking the tables agree with each other
// so a decoded but inconsistent file cannot cause a panic later.
func fromPayload(p *payload) (*Model, error) {
	n := len(p.DocIDs)
	if len(p.IDF) != len(p.Terms) || len(p.VecOffsets) != n+1 || len(p.DocSummary) != n ||
		len(p.SummaryCount) != len(p.Summaries) || len(p.VecIdx) != len(p.VecVal) || len(p.SentIdx) != len(p.SentVal) {
		return nil, errors.New("table sizes disagree")
	}
	if p.SentBits == 0 || p.SentBits > 24 {
		return nil, fmt.Errorf("sentence scorer has %d hash bits", p.SentBits)
	}
	// The options size the work of every summary: a model asking for
	// more than the limits would load and then hang summarize.
	if err := p.Options.Validate(); err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	opts := p.Options.withDefaults()
	if maxTrees := opts.Trees * opts.Ensemble; len(p.Ranker.Trees) > maxTrees {
		return nil, fmt.Errorf("ranker has %d trees, more than the %d its options grow (trees %d x ensemble %d)", len(p.Ranker.Trees), maxTrees, opts.Trees, opts.Ensemble)
	}
	m := &Model{opts: opts, vec: newTFIDF(p.TFIDF, p.Terms, p.IDF), docIDs: p.DocIDs,
		docSummary: p.DocSummary, summaries: p.Summaries, summaryCount: p.SummaryCount}
	m.docVecs = make([]sparse, n)
	for i := 0; i < n; i++ {
		a, b := p.VecOffsets[i], p.VecOffsets[i+1]
		if a < 0 || b < a || int(b) > len(p.VecIdx) {
			return nil, errors.New("vector offsets out of range")
		}
		m.docVecs[i] = sparse{idx: p.VecIdx[a:b], val: p.VecVal[a:b]}
		for _, id := range m.docVecs[i].idx {
			if id < 0 || int(id) >= len(p.Terms) {
				return nil, errors.New("vector term out of range")
			}
		}
	}
	for _, s := range p.DocSummary {
		if s < 0 || int(s) >= len(p.Summaries) {
			return nil, errors.New("summary id out of range")
		}
	}
	for i, s := range p.Summaries {
		if len(s) > MaxSummaryBytes {
			return nil, fmt.Errorf("summary %d is %d bytes, over the %d a summary may have", i, len(s), MaxSummaryBytes)
		}
	}
	m.ix = newIndex(m.docVecs, len(p.Terms))
	m.sent = &sentenceScorer{Bits: p.SentBits, Weights: make([]float32, 1<<p.SentBits)}
	for k, i := range p.SentIdx {
		if int(i) >= len(m.sent.Weights) {
			return nil, errors.New("sentence weight out of range")
		}
		m.sent.Weights[i] = p.SentVal[k]
	}
	for i, t := range p.Ranker.Trees {
		if len(t.Nodes) == 0 {
			return nil, errors.New("ranker tree is empty")
		}
		// Children come after their parent, so walks always end; and no
		// leaf is deeper than the options' depth, so each walk is short.
		depth := make([]int32, len(t.Nodes))
		for k, nd := range t.Nodes {
			if nd.Feature >= numFeatures || nd.Feature >= 0 && (int(nd.Left) <= k || int(nd.Right) <= k ||
				int(nd.Left) >= len(t.Nodes) || int(nd.Right) >= len(t.Nodes)) {
				return nil, errors.New("ranker tree is malformed")
			}
			if depth[k] > int32(opts.Depth) {
				return nil, fmt.Errorf("ranker tree %d is deeper than its options' depth %d", i, opts.Depth)
			}
			if nd.Feature >= 0 {
				depth[nd.Left] = max(depth[nd.Left], depth[k]+1)
				depth[nd.Right] = max(depth[nd.Right], depth[k]+1)
			}
		}
	}
	r := p.Ranker
	m.ranker = &r
	m.checker = clinical.NewChecker(nil)
	m.deriveSummaryTables()
	var err error
	if m.features, err = eval.NewRougeScorer(eval.RougeOptions{Types: []eval.RougeType{eval.Rouge1, eval.RougeL}}); err != nil {
		return nil, err
	}
	return m, nil
}
