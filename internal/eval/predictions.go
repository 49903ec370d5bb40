package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/osler-health/osler/internal/dataset"
)

// ClassPrediction is a classifier's output for one document.
type ClassPrediction struct {
	// ID is the document's id; empty when the line has none.
	ID string
	// Line is the line in the predictions file.
	Line int
	// Doc is the 0-based position of the document in the input the
	// predictions were made for, when the file says so (the managed
	// service's "Line" field); -1 otherwise.
	Doc int
	// Scores are per-label scores.
	Scores map[string]float64
	// Decided are the labels the classifier decided on, when the line
	// records them: osler predict's "labels" beside its "scores", the
	// "Predicted" list of its --format comprehend output, or hard labels.
	// nil means the line records no decision (scores only); an empty,
	// non-nil slice means the classifier decided on no label.
	Decided []string
}

// ClassPredictionReader reads classifier predictions, one JSON object per
// line, in any of these shapes:
//
//	{"id": "n1", "scores": {"cardiology": 0.91, "neurology": 0.05}}
//	{"id": "n1", "labels": ["cardiology"], "scores": {...}}   osler predict: decisions and scores
//	{"id": "n1", "labels": ["cardiology"]}          hard labels: decisions, score 1
//	{"id": "n1", "label": "cardiology"}
//	{"File": "in.txt", "Line": "0", "Labels": [{"Name": "toxic", "Score": 0.93}]}
//	{"File": "in.txt", "Line": "0", "Classes": [{"Name": "cardiology", "Score": 0.88}]}
//	{"File": "in.txt", "Line": "0", "Labels": [...], "Predicted": ["toxic"]}   osler predict --format comprehend
//
// The last three are the managed classification service's multi-label and
// multi-class batch output; their "Line" is the document's 0-based line in
// the input. The service's own output carries scores only; Osler's adds
// "Predicted", the labels its model decided on. Blank lines are skipped.
type ClassPredictionReader struct {
	lr    *lineReader
	files map[string]bool
}

// NewClassPredictionReader returns a reader of predictions from r.
func NewClassPredictionReader(r io.Reader, name string) *ClassPredictionReader {
	return &ClassPredictionReader{lr: newLineReader(r, name), files: map[string]bool{}}
}

type namedScore struct {
	Name  *string  `json:"Name"`
	Score *float64 `json:"Score"`
}

// Next returns the next prediction, or io.EOF after the last.
func (p *ClassPredictionReader) Next() (ClassPrediction, error) {
	for {
		line, err := p.lr.next()
		if err != nil {
			return ClassPrediction{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return p.decode(line)
	}
}

func (p *ClassPredictionReader) decode(line []byte) (ClassPrediction, error) {
	lr := p.lr
	if !utf8.Valid(line) {
		return ClassPrediction{}, lr.errorf("", dataset.ErrInvalidUTF8, "re-encode the file as UTF-8")
	}
	// encoding/json matches keys without regard to case, so "Labels"
	// (the service) and "labels" (hard labels) arrive in one field; the
	// element type tells them apart.
	var v struct {
		ID        json.RawMessage `json:"id"`
		Scores    json.RawMessage `json:"scores"`
		Labels    json.RawMessage `json:"labels"`
		Label     json.RawMessage `json:"label"`
		Classes   json.RawMessage `json:"classes"`
		File      json.RawMessage `json:"file"`
		Line      json.RawMessage `json:"line"`
		ErrorCode json.RawMessage `json:"errorcode"`
		Predicted json.RawMessage `json:"predicted"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return ClassPrediction{}, lr.errorf("", fmt.Errorf("%w: %s", dataset.ErrInvalidJSON, jsonErrText(err)), `each line must be one JSON object such as {"id": "1", "scores": {"label": 0.9}}`)
	}
	out := ClassPrediction{Line: lr.line, Doc: -1, Scores: map[string]float64{}}
	var err error
	if out.ID, err = decodeID(v.ID); err != nil {
		return ClassPrediction{}, lr.errorf("id", dataset.ErrWrongType, "id must be a string or a number")
	}
	if !isAbsent(v.ErrorCode) {
		return ClassPrediction{}, lr.errorf("ErrorCode", ErrPredictionFailed, "the service could not classify this document (ErrorCode %s); rerun it or remove it from the gold file", string(v.ErrorCode))
	}
	if !isAbsent(v.Line) {
		doc, err := decodeID(v.Line)
		n, convErr := strconv.Atoi(doc)
		if err != nil || convErr != nil || n < 0 {
			return ClassPrediction{}, lr.errorf("Line", dataset.ErrWrongType, `"Line" must be a document number such as "0"`)
		}
		out.Doc = n
		if !isAbsent(v.File) {
			f, _ := decodeString(v.File)
			p.files[f] = true
			if len(p.files) > 1 {
				return ClassPrediction{}, lr.errorf("File", ErrAmbiguousField, "the predictions cover several input files; evaluate one input file at a time")
			}
		}
	}
	shapes := 0
	if !isAbsent(v.Scores) {
		shapes++
		var m map[string]json.Number
		if err := json.Unmarshal(v.Scores, &m); err != nil || m == nil {
			return ClassPrediction{}, lr.errorf("scores", dataset.ErrWrongType, `scores must be an object of label: number, e.g. {"cardiology": 0.91}`)
		}
		for label, num := range m {
			f, err := num.Float64()
			if err != nil || math.IsNaN(f) {
				return ClassPrediction{}, lr.errorf("scores", dataset.ErrWrongType, "the score of label %q is not a number", label)
			}
			out.Scores[label] = f
		}
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"Labels", v.Labels}, {"Classes", v.Classes}} {
		if isAbsent(f.raw) {
			continue
		}
		if f.name == "Labels" && isStringArray(f.raw) {
			// osler predict writes the labels it decided beside every
			// label's score; alone, they are hard labels (score 1).
			var labels []string
			_ = json.Unmarshal(f.raw, &labels)
			if labels == nil {
				labels = []string{}
			}
			out.Decided = labels
			if !isAbsent(v.Scores) {
				continue
			}
			shapes++
			for _, l := range labels {
				out.Scores[l] = 1
			}
			continue
		}
		shapes++
		var named []namedScore
		if err := json.Unmarshal(f.raw, &named); err != nil || named == nil {
			return ClassPrediction{}, lr.errorf(f.name, dataset.ErrWrongType, `%s must be an array of label names or of {"Name", "Score"} objects`, f.name)
		}
		for _, ns := range named {
			if ns.Name == nil || ns.Score == nil {
				return ClassPrediction{}, lr.errorf(f.name, dataset.ErrMissingField, `each entry of %s needs "Name" and "Score"`, f.name)
			}
			out.Scores[*ns.Name] = *ns.Score
		}
	}
	if !isAbsent(v.Label) {
		shapes++
		l, err := decodeString(v.Label)
		if err != nil {
			return ClassPrediction{}, lr.errorf("label", dataset.ErrWrongType, "label must be a string")
		}
		out.Scores[l] = 1
		out.Decided = []string{l}
	}
	if !isAbsent(v.Predicted) {
		if isAbsent(v.Labels) && isAbsent(v.Classes) || isStringArray(v.Labels) {
			return ClassPrediction{}, lr.errorf("Predicted", ErrAmbiguousField, `"Predicted" goes with the service's "Labels" or "Classes" of {"Name", "Score"}`)
		}
		var names []string
		if err := json.Unmarshal(v.Predicted, &names); err != nil || names == nil {
			return ClassPrediction{}, lr.errorf("Predicted", dataset.ErrWrongType, `"Predicted" must be an array of label names`)
		}
		for _, n := range names {
			if _, ok := out.Scores[n]; !ok {
				return ClassPrediction{}, lr.errorf("Predicted", ErrUnknownLabel, "predicted label %q is not among the line's scored labels", n)
			}
		}
		out.Decided = names
	}
	switch shapes {
	case 0:
		return ClassPrediction{}, lr.errorf("scores", dataset.ErrMissingField, `each line needs "scores" (or "labels", "label", or the service's "Labels"/"Classes")`)
	case 1:
	default:
		return ClassPrediction{}, lr.errorf("scores", ErrAmbiguousField, `give one of "scores", "labels", "label", "Labels" and "Classes"`)
	}
	return out, nil
}

// ErrPredictionFailed is wrapped by errors for a prediction line that
// reports a failure instead of scores.
var ErrPredictionFailed = fmt.Errorf("prediction failed")

// ErrUnknownLabel is wrapped by errors for a decided label that the line
// gives no score.
var ErrUnknownLabel = errors.New("unknown label")

func isStringArray(raw json.RawMessage) bool {
	var s []string
	return json.Unmarshal(raw, &s) == nil
}

// MatchPredictions pairs gold records with predictions and returns one
// example per gold record, in gold order: by id when the predictions have
// ids, by the service's "Line" when they carry one, and by order
// otherwise. Every gold record needs exactly one prediction and every
// prediction a gold record; errors say which ids or lines do not match.
//
// A record without an id is known by its line number: a gold record
// without an id matches the prediction whose id is its (1-based) line
// number, which is what osler predict writes for such a record, and a
// prediction's "Line" (0-based, as the service counts the lines of its
// input) matches the gold record that starts on that line. Both hold when
// the predictions were made from the gold file itself (labels are
// ignored there) or from a file with the same records on the same lines,
// such as a .txt of the texts, one per line. A CSV file's header is line 1.
func MatchPredictions(gold []dataset.Record, preds []ClassPrediction, goldName, predName string) ([]ClassExample, error) {
	out := make([]ClassExample, len(gold))
	lines := make([]int, len(gold))
	for i, g := range gold {
		lines[i] = g.Line
		if lines[i] <= 0 {
			lines[i] = i + 1 // records built in memory
		}
		out[i] = ClassExample{ID: g.ID, Gold: g.Labels}
		if out[i].ID == "" {
			out[i].ID = strconv.Itoa(lines[i])
		}
	}
	withID, withDoc := 0, 0
	for _, p := range preds {
		if p.ID != "" {
			withID++
		}
		if p.Doc >= 0 {
			withDoc++
		}
	}
	got := make([]bool, len(gold))
	set := func(i int, p ClassPrediction) {
		got[i] = true
		out[i].Scores = p.Scores
		out[i].Predicted = p.Decided
	}
	switch {
	case withID > 0:
		if withID < len(preds) {
			return nil, fmt.Errorf("eval: %s: %d predictions have an id and %d do not; give every line an id, or none", predName, withID, len(preds)-withID)
		}
		index := make(map[string]int, len(gold))
		for i, g := range gold {
			key := out[i].ID
			if first, dup := index[key]; dup {
				what := "id"
				if g.ID == "" || gold[first].ID == "" {
					what = "id (a record without an id is known by its line number)"
				}
				return nil, fmt.Errorf("eval: %s:%d: %s %q is also on line %d: %w", goldName, lines[i], what, key, lines[first], ErrDuplicateID)
			}
			index[key] = i
		}
		for _, p := range preds {
			i, ok := index[p.ID]
			if !ok {
				hint := fmt.Sprintf("id %q is not in %s", p.ID, goldName)
				if _, err := strconv.Atoi(p.ID); err == nil {
					hint += " (records without an id are known by their line number; predict the gold file itself so the line numbers agree)"
				}
				return nil, &dataset.ParseError{File: predName, Line: p.Line, Field: "id", Err: ErrUnknownID, Hint: hint}
			}
			if got[i] {
				return nil, &dataset.ParseError{File: predName, Line: p.Line, Field: "id", Err: ErrDuplicateID, Hint: fmt.Sprintf("a prediction for id %q was already given", p.ID)}
			}
			set(i, p)
		}
	case withDoc > 0:
		if withDoc < len(preds) {
			return nil, fmt.Errorf(`eval: %s: %d predictions have a "Line" and %d do not`, predName, withDoc, len(preds)-withDoc)
		}
		index := make(map[int]int, len(gold))
		for i := range gold {
			index[lines[i]-1] = i
		}
		for _, p := range preds {
			i, ok := index[p.Doc]
			if !ok {
				return nil, &dataset.ParseError{File: predName, Line: p.Line, Field: "Line", Err: ErrUnknownID,
					Hint: fmt.Sprintf("no record of %s starts on line %d (\"Line\" %d counts from 0); the lines of the predicted file must be those of the gold file", goldName, p.Doc+1, p.Doc)}
			}
			if got[i] {
				return nil, &dataset.ParseError{File: predName, Line: p.Line, Field: "Line", Err: ErrDuplicateID, Hint: fmt.Sprintf("line %d was already scored", p.Doc)}
			}
			set(i, p)
		}
	default:
		if len(preds) != len(gold) {
			return nil, fmt.Errorf("eval: %s has %d predictions but %s has %d records; without ids they are matched in order, so the counts must agree",
				predName, len(preds), goldName, len(gold))
		}
		for i, p := range preds {
			set(i, p)
		}
	}
	var missing []string
	for i, ok := range got {
		if !ok {
			missing = append(missing, out[i].ID)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("eval: %s has no prediction for %d of the %d records of %s (ids %s)", predName, len(missing), len(gold), goldName, firstIDs(missing, 5))
	}
	return out, nil
}

// ReadThresholds reads per-label thresholds: a JSON object of label:
// number, or an object whose "thresholds" member is one (as
// [WriteThresholds] writes).
func ReadThresholds(r io.Reader, name string) (map[string]float64, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxLineBytes))
	if err != nil {
		return nil, fmt.Errorf("eval: %s: %w", name, err)
	}
	var wrapped struct {
		Thresholds map[string]json.RawMessage `json:"thresholds"`
	}
	var plain map[string]json.RawMessage
	if err := json.Unmarshal(data, &plain); err != nil {
		return nil, &dataset.ParseError{File: name, Err: fmt.Errorf("%w: %s", dataset.ErrInvalidJSON, jsonErrText(err)),
			Hint: `want {"label": 0.42, ...} or {"thresholds": {"label": 0.42, ...}}`}
	}
	if _, ok := plain["thresholds"]; ok {
		if err := json.Unmarshal(data, &wrapped); err != nil {
			return nil, &dataset.ParseError{File: name, Field: "thresholds", Err: dataset.ErrWrongType, Hint: "thresholds must be an object of label: number"}
		}
		plain = wrapped.Thresholds
	}
	out := make(map[string]float64, len(plain))
	for _, label := range slices.Sorted(maps.Keys(plain)) {
		var f float64
		if err := json.Unmarshal(plain[label], &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &dataset.ParseError{File: name, Field: label, Err: dataset.ErrWrongType, Hint: "a threshold must be a number"}
		}
		out[label] = f
	}
	if len(out) == 0 {
		return nil, &dataset.ParseError{File: name, Err: dataset.ErrMissingField, Hint: "no thresholds in the file"}
	}
	return out, nil
}

// WriteThresholds writes thresholds as {"thresholds": {label: t}} with
// labels sorted, readable by [ReadThresholds].
func WriteThresholds(w io.Writer, thresholds map[string]float64) error {
	b, err := json.MarshalIndent(struct {
		Thresholds map[string]float64 `json:"thresholds"`
	}{thresholds}, "", "  ")
	if err != nil {
		return fmt.Errorf("eval: thresholds: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
