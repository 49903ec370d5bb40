package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
)

// This file is the classification workflow of `osler eval classification`
// and `osler eval compare --gold`: read a gold set once, then read each
// predictions file, match it to the gold records, decide its labels as
// asked and evaluate it. Errors name the file, line and field; none is
// prefixed with the package name, so a command can put its own name first.

// GoldSet is the gold records of a classification evaluation.
type GoldSet struct {
	// Path is the file the records came from ("-": stdin), for messages.
	Path    string
	Records []dataset.Record
}

// ReadGoldSet reads every record of a gold dataset file ("-" reads
// stdin), in any format the dataset package reads. A file without records
// is an error.
func ReadGoldSet(ctx context.Context, path string, stdin io.Reader, opts dataset.Options) (*GoldSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs, err := dataset.ReadAll(path, stdin, opts)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s has no records", path)
	}
	return &GoldSet{Path: path, Records: recs}, nil
}

// DecisionModel is a classifier whose decision rule an evaluation uses
// instead of the decisions its predictions record.
type DecisionModel struct {
	// Name is the model as the user named it (a directory or a registry
	// reference); Source is where it was loaded from. Messages name them.
	Name, Source  string
	Mode          dataset.Mode
	PositiveLabel string
	// Thresholds are the model's per-label thresholds.
	Thresholds map[string]float64
	// Labels are the labels the model knows.
	Labels []string
}

// PredictionsOptions configure [GoldSet.EvaluatePredictions].
type PredictionsOptions struct {
	ClassificationOptions
	// ThresholdsSource says where the thresholds came from ("--thresholds
	// t.json", "the thresholds of models/ade"); a [*ThresholdsError] is
	// prefixed with it.
	ThresholdsSource string
	// Model, when not nil, decides the labels (see [PredictionsOptions.UseModel]).
	Model *DecisionModel
	// Stdin is read for a predictions path "-".
	Stdin io.Reader
}

// ThresholdsSpecError is a --thresholds value that is not a finite number,
// "tuned", nor a readable file.
type ThresholdsSpecError struct {
	Spec string
	// Err is why the spec could not be read as a file; nil for a number
	// that is not finite.
	Err error
}

func (e *ThresholdsSpecError) Error() string {
	if e.Err == nil {
		return "--thresholds must be a finite number"
	}
	return fmt.Sprintf("--thresholds %q is neither a number, \"tuned\" nor a readable file: %v", e.Spec, e.Err)
}

func (e *ThresholdsSpecError) Unwrap() error { return e.Err }

// SetThresholds sets how labels are decided from spec, the value of
// osler's --thresholds flag: "" changes nothing (see
// [GoldSet.EvaluatePredictions] for what is decided then), "tuned" tunes
// each label's F1-optimal threshold on the examples, a number is every
// label's threshold, and anything else is a JSON thresholds file
// ([ReadThresholds]) that must name every label. A spec that is none of
// these is a [*ThresholdsSpecError]; a file that does not parse gives
// ReadThresholds' error, naming the file and field.
func (o *PredictionsOptions) SetThresholds(spec string) error {
	o.ThresholdsSource = "--thresholds " + spec
	t := strings.TrimSpace(spec)
	switch t {
	case "":
		return nil
	case "tuned":
		o.TuneThresholds = true
		return nil
	}
	if v, err := strconv.ParseFloat(t, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &ThresholdsSpecError{Spec: t}
		}
		o.Threshold = &v
		return nil
	}
	f, err := os.Open(t)
	if err != nil {
		return &ThresholdsSpecError{Spec: t, Err: err}
	}
	defer f.Close()
	if o.Thresholds, err = ReadThresholds(f, t); err != nil {
		return err
	}
	o.CompleteThresholds = true
	return nil
}

// UseModel makes m decide the labels: its mode, positive label and
// thresholds, which must then name every label. The result notes which
// thresholds decided, and a gold label the model does not know is an
// error.
func (o *PredictionsOptions) UseModel(m *DecisionModel) {
	o.Mode, o.PositiveLabel = m.Mode, m.PositiveLabel
	o.Thresholds = m.Thresholds
	if o.Thresholds == nil {
		o.Thresholds = map[string]float64{}
	}
	o.CompleteThresholds = true
	o.ThresholdsSource = "the thresholds of " + m.Source
	o.Model = m
}

// decides reports whether the options say how labels are decided.
func (o *ClassificationOptions) decides() bool {
	return o.Threshold != nil || o.Thresholds != nil || o.TuneThresholds || o.UseDecisions
}

// EvaluatePredictions reads a predictions file ("-": opts.Stdin) in any
// shape [ClassPredictionReader] reads, matches it to the gold records
// ([MatchPredictions]) and evaluates it ([EvaluateClassification]).
//
// When opts say nothing of how to decide labels, the decisions the
// predictions record are scored if every line records them, and
// predictions with scores only are decided at 0.5, with a note saying so;
// a file where only some lines record decisions is an error.
func (g *GoldSet) EvaluatePredictions(ctx context.Context, path string, opts PredictionsOptions) (*ClassificationResult, error) {
	if opts.Model != nil {
		if err := g.checkModelLabels(opts.Model); err != nil {
			return nil, err
		}
	}
	exs, err := g.readPredictions(ctx, path, opts.Stdin)
	if err != nil {
		return nil, err
	}
	copts := opts.ClassificationOptions
	byDefault := !copts.decides()
	if byDefault {
		if err := decideByDefault(&copts, exs, path); err != nil {
			return nil, err
		}
	}
	res, err := EvaluateClassification(exs, copts)
	if err != nil {
		var te *ThresholdsError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %w", opts.ThresholdsSource, err)
		}
		return nil, err
	}
	if byDefault && res.Decisions == "thresholds" {
		res.Notes = append(res.Notes, fmt.Sprintf("%s records scores but no decided labels, so every label was decided at 0.5; --thresholds or --model choose other thresholds", filepath.Base(path)))
	}
	if opts.Model != nil {
		res.Notes = append(res.Notes, "labels decided with "+opts.ThresholdsSource)
	}
	return res, nil
}

// checkModelLabels refuses a gold label the model does not know.
func (g *GoldSet) checkModelLabels(m *DecisionModel) error {
	for _, r := range g.Records {
		for _, l := range r.Labels {
			if !slices.Contains(m.Labels, l) {
				return fmt.Errorf("%s:%d: gold label %q is not a label of %s (its labels: %s)", g.Path, r.Line, l, m.Name, strings.Join(m.Labels, ", "))
			}
		}
	}
	return nil
}

// readPredictions reads a predictions file and matches it with the gold
// records.
func (g *GoldSet) readPredictions(ctx context.Context, path string, stdin io.Reader) ([]ClassExample, error) {
	f, err := dataset.OpenInput(path, stdin)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := NewClassPredictionReader(f, path)
	var preds []ClassPrediction
	for {
		if len(preds)%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	if len(preds) == 0 {
		return nil, fmt.Errorf("%s has no predictions", path)
	}
	return MatchPredictions(g.Records, preds, g.Path, path)
}

// decideByDefault makes the predictions' own decisions the ones scored
// when every example carries them, and leaves scores-only predictions to
// 0.5. It refuses a file where only some lines carry decisions.
func decideByDefault(opts *ClassificationOptions, exs []ClassExample, path string) error {
	with := 0
	for _, ex := range exs {
		if ex.Predicted != nil {
			with++
		}
	}
	switch {
	case with == len(exs):
		opts.UseDecisions = true
	case with > 0:
		return fmt.Errorf(`%s: %d predictions record decided labels and %d do not; give --thresholds to decide them all from their scores`, path, with, len(exs)-with)
	}
	return nil
}

// Compare evaluates each system's predictions against the gold set with
// the same options ([GoldSet.EvaluatePredictions]); a thresholds error
// names the system's file before opts.ThresholdsSource.
func (g *GoldSet) Compare(ctx context.Context, systems []System, opts PredictionsOptions) (*ClassificationComparison, error) {
	c := &ClassificationComparison{Gold: g.Path}
	for _, s := range systems {
		sopts := opts
		sopts.ThresholdsSource = s.Path + ": " + opts.ThresholdsSource
		res, err := g.EvaluatePredictions(ctx, s.Path, sopts)
		if err != nil {
			return nil, err
		}
		c.Systems = append(c.Systems, ClassificationSystem{Name: s.Name, Source: s.Path, Result: res})
	}
	return c, nil
}
