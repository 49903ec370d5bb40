package classify

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"path/filepath"

	"github.com/osler-health/osler/internal/modeldir"
)

// A model artifact is a directory:
//
//	model.json    metadata: labels, mode, thresholds, hyperparameters, feature
//	              settings, sha256 of the data files, metrics, Osler version,
//	              creation time, and the sha256 and size of the other files
//	weights.bin   the weights (layout below)
//	lexicon.json  the lexicon, when the model was trained with one
//	SHA256SUMS    sha256 of every file in the directory, in `sha256sum -c`
//	              format (package modeldir)
//
// Training also writes metrics.json and report.html beside them; SHA256SUMS
// covers them, but they are not part of the model and not read on load.
//
// weights.bin is little-endian:
//
//	offset  size
//	0       8     magic "OSLERCLF"
//	8       4     format version ([FormatVersion])
//	12      4     number of linear models L (1 for binary, else the labels)
//	16      4     number of rows R (features seen in training)
//	20      4     hash bits
//	24      8     file size in bytes
//	32      32    reserved, zero
//	64      4R    hashed feature id of each row, increasing (uint32)
//	        4L    bias of each linear model (float32)
//	        4R(1+L) rows: the feature's idf, then its L weights (float32),
//	              so the weights a feature contributes to every label are
//	              contiguous
//
// Load reads each file once, checks sizes and sha256 before parsing, and
// refuses a model whose files were changed or truncated.

// FormatVersion is the version of the artifact layout and of the feature
// hashing. Load refuses other versions.
const FormatVersion = 1

// FormatName identifies Osler classifier artifacts in model.json.
const FormatName = "osler-classifier"

const (
	metadataName = modeldir.MetadataName
	weightsName  = "weights.bin"
	lexiconName  = "lexicon.json"
	weightsMagic = "OSLERCLF"
	headerSize   = 64
)

// Metadata is model.json.
type Metadata struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	OslerVersion  string `json:"osler_version"`
	Created       string `json:"created"`
	// Mode is binary, multi-class or multi-label.
	Mode   string   `json:"mode"`
	Labels []string `json:"labels"`
	// PositiveLabel is the label a binary model scores.
	PositiveLabel string `json:"positive_label,omitempty"`
	// Thresholds are the per-label decision thresholds used at prediction.
	Thresholds map[string]float64 `json:"thresholds"`
	// ThresholdSource says how they were chosen: "dev", "cross-validation",
	// "fixed", or "tuned for TARGET on FILE" by osler thresholds tune
	// (then ThresholdTuning says how).
	ThresholdSource string `json:"threshold_source"`
	// ThresholdTuning records the re-tuning of a trained model's
	// thresholds for a target ([Model.TuneThresholds]).
	ThresholdTuning *ThresholdTuning `json:"threshold_tuning,omitempty"`
	Hyperparameters Hyperparameters  `json:"hyperparameters"`
	Features        FeatureConfig    `json:"features"`
	Lexicon         *LexiconInfo     `json:"lexicon,omitempty"`
	// Data describes the files the model was trained, tuned and tested on.
	Data map[string]DataFile `json:"data,omitempty"`
	// Training summarizes the run.
	Training TrainingInfo `json:"training"`
	// Metrics holds evaluation results (dev and test), as metrics.json.
	Metrics json.RawMessage `json:"metrics,omitempty"`
	// Files are the sha256 and size of the artifact's other files.
	Files map[string]FileSum `json:"files"`
}

// Hyperparameters are the training settings that shape the weights.
type Hyperparameters struct {
	Loss Loss    `json:"loss"`
	C    float64 `json:"c"`
	// NB says whether features were scaled by naive-Bayes ratios.
	NB bool `json:"nb"`
	// Grid is every candidate tried on dev, with its score.
	Grid        []GridPoint `json:"grid,omitempty"`
	ClassWeight string      `json:"class_weight"`
	Epsilon     float64     `json:"epsilon"`
	MaxEpochs   int         `json:"max_epochs"`
	Patience    int         `json:"early_stopping_patience,omitempty"`
	Seed        uint64      `json:"seed"`
	CVFolds     int         `json:"cv_folds,omitempty"`
}

// TrainingInfo summarizes a training run.
type TrainingInfo struct {
	Documents    int     `json:"documents"`
	DevDocuments int     `json:"dev_documents,omitempty"`
	Features     int     `json:"features"`
	Seconds      float64 `json:"seconds"`
	// Epochs and Converged are per linear model (per label, or one for a
	// binary model).
	Epochs    []int  `json:"epochs"`
	Converged []bool `json:"converged"`
}

// LexiconInfo describes the lexicon stored with the model.
type LexiconInfo struct {
	Phrases    int            `json:"phrases"`
	Categories map[string]int `json:"categories"`
	Sources    []string       `json:"sources,omitempty"`
}

// DataFile identifies a data file by content.
type DataFile struct {
	Path    string `json:"path"`
	SHA256  string `json:"sha256"`
	Records int    `json:"records"`
}

// FileSum is a file's sha256 and size (the model directory convention's).
type FileSum = modeldir.FileSum

// SetMetrics records evaluation results in the model's metadata (saved
// with it). Call it before [Model.Save], not while the model is serving.
func (m *Model) SetMetrics(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("classify: metrics: %w", err)
	}
	m.meta.Metrics = b
	return nil
}

// SetData records the files the model was trained on (see [DataFile]).
// Call it before [Model.Save].
func (m *Model) SetData(files map[string]DataFile) { m.meta.Data = cloneMap(files) }

// weightsBytes encodes weights.bin.
func (m *Model) weightsBytes() []byte {
	R, L := len(m.ids), m.nout
	size := headerSize + 4*R + 4*L + 4*R*(1+L)
	b := make([]byte, size)
	copy(b, weightsMagic)
	le := binary.LittleEndian
	le.PutUint32(b[8:], FormatVersion)
	le.PutUint32(b[12:], uint32(L))
	le.PutUint32(b[16:], uint32(R))
	le.PutUint32(b[20:], uint32(m.feat.HashBits))
	le.PutUint64(b[24:], uint64(size))
	off := headerSize
	for _, id := range m.ids {
		le.PutUint32(b[off:], id)
		off += 4
	}
	for _, v := range m.bias {
		le.PutUint32(b[off:], math.Float32bits(v))
		off += 4
	}
	for _, v := range m.rows {
		le.PutUint32(b[off:], math.Float32bits(v))
		off += 4
	}
	return b
}

// Save writes the model to dir atomically: the files are written and
// fsynced in a temporary directory beside dir, which then replaces dir in
// one rename (an existing model at dir is moved aside first and removed
// after), so a reader sees the old model or the new one, never a mix. A
// dir that exists but is not an Osler model (and not empty) is refused.
// extra files (e.g. metrics.json, report.html) are written with it.
func (m *Model) Save(dir string, extra map[string][]byte) error {
	if err := modeldir.CheckReplaceable(dir, FormatName); err != nil {
		return fmt.Errorf("classify: save: %w", err)
	}
	files := map[string][]byte{weightsName: m.weightsBytes()}
	meta := m.meta
	meta.Files = map[string]FileSum{weightsName: modeldir.Sum(files[weightsName])}
	if m.lex != nil {
		lb, err := json.MarshalIndent(m.lex.file(), "", " ")
		if err != nil {
			return fmt.Errorf("classify: save: %w", err)
		}
		files[lexiconName] = append(lb, '\n')
		meta.Files[lexiconName] = modeldir.Sum(files[lexiconName])
	}
	mb, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("classify: save: %w", err)
	}
	for name, b := range extra {
		if _, clash := files[name]; clash || name == metadataName || name != filepath.Base(name) {
			return fmt.Errorf("classify: save: extra file name %q is not allowed", name)
		}
		files[name] = b
	}
	if err := modeldir.Write(dir, append(mb, '\n'), files); err != nil {
		return fmt.Errorf("classify: save: %w", err)
	}
	return nil
}

// ErrCorrupt is wrapped by Load's errors for a model whose files were
// changed, truncated or are not an Osler classifier.
var ErrCorrupt = modeldir.ErrCorrupt

// Load reads a model saved by [Model.Save]. path is the model directory
// (or its model.json). See [LoadFS] for the checks.
func Load(path string) (*Model, error) {
	dir := path
	if filepath.Base(path) == metadataName {
		dir = filepath.Dir(path)
	}
	return LoadFS(os.DirFS(dir), ".", dir)
}

// parseWeights decodes weights.bin after its checksum was verified; it
// still checks every length so a wrong file cannot make it panic.
func parseWeights(b []byte) (ids []uint32, rows, bias []float32, hashBits int, err error) {
	if len(b) < headerSize || string(b[:8]) != weightsMagic {
		return nil, nil, nil, 0, errors.New("not an Osler weights file (bad magic)")
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != FormatVersion {
		return nil, nil, nil, 0, fmt.Errorf("weights format version %d, want %d", v, FormatVersion)
	}
	L, R := uint64(le.Uint32(b[12:])), uint64(le.Uint32(b[16:]))
	hashBits = int(le.Uint32(b[20:]))
	size := le.Uint64(b[24:])
	if size != uint64(len(b)) {
		return nil, nil, nil, 0, fmt.Errorf("%d bytes, header says %d (truncated?)", len(b), size)
	}
	// The counts come from the file: bound each by what the file can hold
	// before multiplying, so a crafted header cannot wrap the size check
	// around (2^31 rows x 2^31 outputs "fit" a 12 KB file in 64-bit
	// arithmetic) and make the loops below read past the end.
	words := (size - headerSize) / 4
	carry, cells := bits.Mul64(R, 1+L) // idf and L weights per row
	if L == 0 || L > words || R > words || carry != 0 || cells > words {
		return nil, nil, nil, 0, fmt.Errorf("header says %d rows x %d outputs, which a %d-byte file cannot hold", R, L, len(b))
	}
	if want := headerSize + 4*R + 4*L + 4*cells; want != size {
		return nil, nil, nil, 0, fmt.Errorf("%d bytes, but %d rows x %d outputs need %d (truncated?)", len(b), R, L, want)
	}
	off := uint64(headerSize)
	f32 := func(n uint64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(b[off:]))
			off += 4
		}
		return out
	}
	ids = make([]uint32, R)
	for i := range ids {
		ids[i] = le.Uint32(b[off:])
		off += 4
	}
	bias = f32(L)
	rows = f32(R * (1 + L))
	return ids, rows, bias, hashBits, nil
}
