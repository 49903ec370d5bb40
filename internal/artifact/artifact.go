// Package artifact is the one reader of Osler model directories: it says
// what a directory holds ([Inspect]: its format, kind, metrics, settings
// and data), opens it as a classifier or a summarizer ([Load]) and builds
// its registration ([Registration]). The CLI (osler models register, the
// --register flag of the train commands, the demo) and the server use it,
// so a directory is read the same way everywhere.
//
// A directory's layout and checksums are each model package's own
// (internal/modeldir, internal/classify, internal/summarize/trained); this
// package dispatches on model.json's "format".
package artifact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize/trained"
)

// ErrInvalid marks errors in the options a caller gave (a bad name, kind,
// parent, condition or data spec), as opposed to failures reading files.
var ErrInvalid = errors.New("invalid registration")

// maxMetadata bounds the model.json read to inspect a directory.
const maxMetadata = 64 << 20

// Info is what an Osler model.json says about its model.
type Info struct {
	// Format is "osler-classifier", "osler-summarizer", ...; Kind the
	// registry kind it maps to ("" for a format Osler does not serve).
	Format          string          `json:"format"`
	Kind            registry.Kind   `json:"-"`
	Metrics         json.RawMessage `json:"metrics"`
	Hyperparameters json.RawMessage `json:"hyperparameters"`
	Options         json.RawMessage `json:"options"`
	// Data are the files the model was trained and evaluated on, by role.
	Data map[string]DataFile `json:"data"`
}

// DataFile identifies a data file by content.
type DataFile struct {
	Path    string `json:"path"`
	SHA256  string `json:"sha256"`
	Records int64  `json:"records"`
}

// KindOf maps a model.json format to a registry kind ("" when it is not
// a model Osler serves).
func KindOf(format string) registry.Kind {
	switch {
	case strings.HasPrefix(format, classify.FormatName):
		return registry.KindClassifier
	case strings.HasPrefix(format, trained.FormatName):
		return registry.KindSummarizer
	}
	return ""
}

// Inspect reads the model.json of fsys. It fails when there is none, or
// it is not JSON; a model.json of another program has an empty Kind.
func Inspect(fsys fs.FS) (Info, error) {
	f, err := fsys.Open(modeldir.MetadataName)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetadata+1))
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", modeldir.MetadataName, err)
	}
	if len(b) > maxMetadata {
		return Info{}, fmt.Errorf("%s: larger than %d MB", modeldir.MetadataName, maxMetadata>>20)
	}
	var info Info
	if err := json.Unmarshal(b, &info); err != nil {
		return Info{}, fmt.Errorf("%s: %w", modeldir.MetadataName, err)
	}
	info.Kind = KindOf(info.Format)
	for _, v := range []*json.RawMessage{&info.Metrics, &info.Hyperparameters, &info.Options} {
		if string(*v) == "null" {
			*v = nil
		}
	}
	return info, nil
}

// InspectDir is [Inspect] of a directory on disk.
func InspectDir(dir string) (Info, error) { return Inspect(os.DirFS(dir)) }

// Model is a loaded model: a classifier or a trained summarizer.
type Model struct {
	Info       Info
	Classifier *classify.Model
	Summarizer *trained.Model
	// HasReport says the directory holds report.html.
	HasReport bool
}

// Kind is the model's registry kind.
func (m *Model) Kind() registry.Kind {
	if m.Classifier != nil {
		return registry.KindClassifier
	}
	return registry.KindSummarizer
}

// Load opens the model in fsys, verifying it as its package does. name is
// for errors; want, when not "", is the kind it must be (as registered, or
// as a command needs).
func Load(fsys fs.FS, name string, want registry.Kind) (*Model, error) {
	info, err := Inspect(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		what := "model (train one with osler train classifier or osler train summarizer)"
		if want != "" {
			what = fmt.Sprintf("%s (train one with osler train %s)", want, want)
		}
		return nil, fmt.Errorf("artifact: load %s: no %s: not an Osler %s", name, modeldir.MetadataName, what)
	}
	if err != nil {
		return nil, fmt.Errorf("artifact: load %s: %w", name, err)
	}
	m := &Model{Info: info}
	if want != "" && info.Kind != "" && info.Kind != want {
		return nil, fmt.Errorf("artifact: load %s: a %s is wanted but the artifact is a %s", name, want, info.Kind)
	}
	switch info.Kind {
	case registry.KindClassifier:
		if m.Classifier, err = classify.LoadFS(fsys, ".", name); err != nil {
			return nil, err
		}
	case registry.KindSummarizer:
		if m.Summarizer, err = trained.LoadFS(fsys, ".", name); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("artifact: load %s: model.json format %q is not a model Osler can serve (want %s or %s)",
			name, info.Format, classify.FormatName, trained.FormatName)
	}
	if st, err := fs.Stat(fsys, "report.html"); err == nil && !st.IsDir() {
		m.HasReport = true
	}
	return m, nil
}

// RegisterOptions say how to register a model directory. Fields left
// empty are filled from the directory's model.json.
type RegisterOptions struct {
	Name string
	// Dir is the model directory.
	Dir string
	// Kind is "classifier" or "summarizer"; needed only when the
	// directory has no Osler model.json.
	Kind string
	// MetricsFile and HyperparametersFile replace model.json's metrics
	// and hyperparameters (JSON files).
	MetricsFile, HyperparametersFile string
	// Parent is the version this one derives from (NAME:VERSION).
	Parent string
	// Condition is a --register-if condition on the metrics.
	Condition   string
	Description string
	Note        string
	// Data are ROLE=PATH specs of data files to record (replacing
	// model.json's); StoreData also stores them in the registry.
	Data      []string
	StoreData bool
	// Approve registers the version as Approved.
	Approve bool
	By      string
}

// Registration builds the registry.Registration of a model directory.
// Errors in the options wrap [ErrInvalid].
func Registration(ctx context.Context, s *registry.Store, o RegisterOptions) (registry.Registration, error) {
	r := registry.Registration{Name: o.Name, Artifact: o.Dir, Description: o.Description, By: o.By, Note: o.Note}
	if err := registry.ValidateName(o.Name); err != nil {
		return r, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	info, err := InspectDir(o.Dir)
	hasInfo := err == nil && strings.HasPrefix(info.Format, "osler-")
	switch {
	case o.Kind != "":
		k, err := registry.ParseKind(o.Kind)
		if err != nil {
			return r, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		r.Kind = k
	case hasInfo && info.Kind != "":
		r.Kind = info.Kind
	default:
		return r, fmt.Errorf("%w: --kind is required (classifier or summarizer): %s has no Osler model.json to read it from", ErrInvalid, o.Dir)
	}
	if r.Metrics, err = jsonFile(o.MetricsFile, "--metrics", info.Metrics, hasInfo); err != nil {
		return r, err
	}
	hyper := info.Hyperparameters
	if len(hyper) == 0 {
		hyper = info.Options
	}
	if r.Hyperparameters, err = jsonFile(o.HyperparametersFile, "--hyperparameters", hyper, hasInfo); err != nil {
		return r, err
	}
	if o.Parent != "" {
		p, err := registry.ParseRef(o.Parent)
		if err != nil {
			return r, fmt.Errorf("%w: --parent: %w", ErrInvalid, err)
		}
		r.Parent = &p
	}
	if o.Condition != "" {
		c, err := registry.ParseCondition(o.Condition)
		if err != nil {
			return r, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		r.Condition = c
	}
	if o.Approve {
		r.Status = registry.StatusApproved
	}
	if r.Data, err = dataRefs(ctx, s, o, info, hasInfo); err != nil {
		return r, err
	}
	return r, nil
}

// jsonFile reads a JSON file given as a flag, or falls back to model.json's.
func jsonFile(path, flag string, fallback json.RawMessage, hasInfo bool) (json.RawMessage, error) {
	if path == "" {
		if hasInfo {
			return fallback, nil
		}
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	return b, nil
}

// dataRefs lists the data files of a registration: the ROLE=PATH specs
// given (hashed, and stored when asked), else model.json's.
func dataRefs(ctx context.Context, s *registry.Store, o RegisterOptions, info Info, hasInfo bool) ([]registry.DataRef, error) {
	var refs []registry.DataRef
	if hasInfo && len(o.Data) == 0 {
		roles := make([]string, 0, len(info.Data))
		for role := range info.Data {
			roles = append(roles, role)
		}
		sort.Strings(roles)
		for _, role := range roles {
			d := info.Data[role]
			refs = append(refs, registry.DataRef{Role: role, Path: d.Path, SHA256: d.SHA256, Records: d.Records})
		}
	}
	for _, spec := range o.Data {
		role, path, ok := strings.Cut(spec, "=")
		if !ok || role == "" || path == "" {
			return nil, fmt.Errorf("%w: --data %q: want ROLE=PATH (e.g. train=train.jsonl)", ErrInvalid, spec)
		}
		sum, n, err := registry.HashFile(ctx, path)
		if err != nil {
			return nil, err
		}
		refs = append(refs, registry.DataRef{Role: role, Path: path, SHA256: sum, Bytes: n})
	}
	if !o.StoreData {
		return refs, nil
	}
	if len(o.Data) == 0 {
		return nil, fmt.Errorf("%w: --store-data needs --data ROLE=PATH for each file to store", ErrInvalid)
	}
	for _, spec := range o.Data {
		_, path, _ := strings.Cut(spec, "=")
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		_, err = s.PutDataset(ctx, filepath.Base(path), f, o.By)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// Check loads an artifact the way osler serve loads it, so a version
// whose checksums hold but whose content its loader refuses (a crafted
// file re-signed after an export, a damaged table) is refused at import
// and upload and reported by models verify, instead of failing, or worse,
// when it is served. An artifact that is not an Osler model (registered
// with --kind for another tool: no model.json, or a format Osler does not
// serve) has nothing to load and passes on its checksums alone. name is
// for errors.
func Check(fsys fs.FS, kind registry.Kind, name string) error {
	info, err := Inspect(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %v", name, modeldir.ErrCorrupt, err)
	}
	if info.Format != classify.FormatName && info.Format != trained.FormatName {
		return nil
	}
	_, err = Load(fsys, name, kind)
	return err
}

// CheckVersion is [Check] for a registered version, read from the
// registry in memory.
func CheckVersion(ctx context.Context, s *registry.Store, v registry.Version) error {
	fsys, err := s.ArtifactFS(ctx, v)
	if err != nil {
		return err
	}
	return Check(fsys, v.Kind, v.Ref().String())
}

// CheckImport is [registry.ImportOptions.Check]: an imported or uploaded
// Osler model must load.
func CheckImport(_ context.Context, kind registry.Kind, fsys fs.FS) error {
	return Check(fsys, kind, "the imported model")
}
