package predict

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/eval"
)

// Decision says how labels are decided from their scores: binary models
// predict the positive label when its score reaches its threshold,
// multi-label models every label at or above its threshold, multi-class
// models their top label (thresholds do not apply). As in
// [classify.Model.Decide], a negative Threshold means none: the model's
// thresholds are Decision{Threshold: -1}, not the zero Decision.
type Decision struct {
	// Threshold, when >= 0, is every label's threshold.
	Threshold float64
	// ThresholdsFile, when set, replaces the model's thresholds: a JSON
	// file {"label": t} or {"thresholds": {...}} naming every label of a
	// multi-label model, the positive label of a binary one (see
	// eval.ReadThresholds).
	ThresholdsFile string
}

// ParseDecision reads osler predict's --thresholds (a number for every
// label, or a thresholds file; "" for none) and --threshold (a number; < 0
// for none). Its errors are [*config.OptionError]s.
func ParseDecision(thresholds string, threshold float64) (Decision, error) {
	d := Decision{Threshold: threshold}
	if thresholds != "" {
		if threshold >= 0 {
			return d, config.Invalid(errors.New("predict: give --thresholds or --threshold, not both"))
		}
		if v, err := strconv.ParseFloat(thresholds, 64); err == nil {
			d.Threshold = v
			if v < 0 {
				return d, config.Invalid(fmt.Errorf("predict: --thresholds %g: scores are between 0 and 1", v))
			}
		} else {
			d.ThresholdsFile = thresholds
		}
	}
	if d.Threshold > 1 || math.IsNaN(d.Threshold) {
		return d, config.Invalid(fmt.Errorf("predict: --threshold %g: scores are between 0 and 1", d.Threshold))
	}
	return d, nil
}

// Apply returns the model that decides as d says: m itself, or with
// ThresholdsFile a copy deciding with the file's thresholds. Pass
// d.Threshold to [Options.Threshold]. name is m's name in messages. A
// multi-class model given thresholds, or a thresholds file that cannot be
// opened, is an [*config.OptionError]; a file that does not fit m is not.
func (d Decision) Apply(ctx context.Context, m *classify.Model, name string) (*classify.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if (d.Threshold >= 0 || d.ThresholdsFile != "") && m.Mode() == dataset.ModeMultiClass {
		return nil, config.Invalid(fmt.Errorf("predict: %s is a multi-class model: it predicts its top-scored label, and thresholds do not change that", name))
	}
	if d.ThresholdsFile == "" {
		return m, nil
	}
	f, err := os.Open(d.ThresholdsFile)
	if err != nil {
		return nil, config.Invalid(fmt.Errorf("predict: --thresholds %q is neither a number nor a readable file: %w", d.ThresholdsFile, err))
	}
	th, err := eval.ReadThresholds(f, d.ThresholdsFile)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	out, err := m.WithThresholds(th, "file "+d.ThresholdsFile)
	if err != nil {
		return nil, fmt.Errorf("predict: --thresholds %s: %w", d.ThresholdsFile, err)
	}
	return out, nil
}
