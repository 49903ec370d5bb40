package classify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The enumerated training settings are flag.Values, so a command line binds
// straight into a [TrainConfig] (fs.Var(&cfg.Loss, "loss", ...)) and a bad
// value is refused when the flag is parsed. Set's errors say what is
// wanted; the caller names the setting and the value.

// String returns the loss's name.
func (l Loss) String() string { return string(l) }

// Set parses a loss name: logistic or svm.
func (l *Loss) Set(s string) error {
	switch v := Loss(s); v {
	case LossLogistic, LossSVM:
		*l = v
		return nil
	}
	return errors.New("want logistic or svm")
}

// ClassWeight is how training weighs the classes of each label.
type ClassWeight string

const (
	// ClassWeightNone weighs every document the same.
	ClassWeightNone ClassWeight = "none"
	// ClassWeightBalanced weighs each class inversely to its frequency,
	// per label.
	ClassWeightBalanced ClassWeight = "balanced"
)

// String returns the class weight's name.
func (w ClassWeight) String() string { return string(w) }

// Set parses a class weight: none or balanced.
func (w *ClassWeight) Set(s string) error {
	switch v := ClassWeight(s); v {
	case ClassWeightNone, ClassWeightBalanced:
		*w = v
		return nil
	}
	return errors.New("want none or balanced")
}

// NBScaling says whether features are scaled by their naive-Bayes
// log-count ratio (NBSVM).
type NBScaling string

const (
	// NBAuto tries both ways when a dev set is given and keeps the
	// better; off otherwise.
	NBAuto NBScaling = "auto"
	NBOn   NBScaling = "on"
	NBOff  NBScaling = "off"
)

// String returns the setting's name.
func (n NBScaling) String() string { return string(n) }

// Set parses auto, on or off.
func (n *NBScaling) Set(s string) error {
	switch v := NBScaling(s); v {
	case NBAuto, NBOn, NBOff:
		*n = v
		return nil
	}
	return errors.New("want auto, on or off")
}

// FixedC is a C given on a command line: a positive number, or "auto"
// (0: choose C from the grid on dev).
type FixedC float64

func (c *FixedC) String() string {
	if *c == 0 {
		return "auto"
	}
	return strconv.FormatFloat(float64(*c), 'g', -1, 64)
}

func (c *FixedC) Set(s string) error {
	if s == "auto" {
		*c = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) {
		return errors.New(`want a positive number or "auto"`)
	}
	*c = FixedC(v)
	return nil
}

// Apply fixes cfg's C when a number was given: it replaces the grid
// search.
func (c FixedC) Apply(cfg *TrainConfig) {
	if c > 0 {
		cfg.C, cfg.CGrid = float64(c), nil
	}
}

// CGrid is a C grid as a comma-separated list of positive numbers.
type CGrid []float64

func (l *CGrid) String() string {
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func (l *CGrid) Set(s string) error {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(v > 0) {
			return errors.New("want positive numbers separated by commas")
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

// NgramRange binds an n-gram range of a [FeatureConfig]: "2-5", "1"
// (1-1) or "0" (none).
type NgramRange struct{ lo, hi *int }

// WordNgrams is the word n-gram range of f.
func WordNgrams(f *FeatureConfig) *NgramRange { return &NgramRange{&f.WordNgramMin, &f.WordNgramMax} }

// CharNgrams is the character n-gram range of f.
func CharNgrams(f *FeatureConfig) *NgramRange { return &NgramRange{&f.CharNgramMin, &f.CharNgramMax} }

func (r *NgramRange) String() string {
	if r.lo == nil {
		return ""
	}
	if *r.lo == *r.hi {
		return strconv.Itoa(*r.lo)
	}
	return fmt.Sprintf("%d-%d", *r.lo, *r.hi)
}

func (r *NgramRange) Set(s string) error {
	lo, hi, found := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b := a
	var err2 error
	if found {
		b, err2 = strconv.Atoi(strings.TrimSpace(hi))
	}
	if err1 != nil || err2 != nil || a < 0 || b < a {
		return errors.New(`want a range such as "1-2", one number, or "0"`)
	}
	*r.lo, *r.hi = a, b
	return nil
}

// Normalization is the text normalization steps of a [FeatureConfig] as
// a comma-separated list of lower, digits, units and deid, or "none".
type Normalization FeatureConfig

func (n *Normalization) String() string {
	if n == nil {
		return ""
	}
	var steps []string
	for _, s := range []struct {
		on   bool
		name string
	}{{n.Lowercase, "lower"}, {n.FoldDigits, "digits"}, {n.SplitUnits, "units"}, {n.Deid, "deid"}} {
		if s.on {
			steps = append(steps, s.name)
		}
	}
	if len(steps) == 0 {
		return "none"
	}
	return strings.Join(steps, ",")
}

func (n *Normalization) Set(s string) error {
	var lower, digits, units, deid bool
	for _, step := range strings.Split(s, ",") {
		switch strings.TrimSpace(step) {
		case "lower":
			lower = true
		case "digits":
			digits = true
		case "units":
			units = true
		case "deid":
			deid = true
		case "none", "":
		default:
			return fmt.Errorf("unknown step %q (want lower, digits, units, deid or none)", step)
		}
	}
	n.Lowercase, n.FoldDigits, n.SplitUnits, n.Deid = lower, digits, units, deid
	return nil
}
