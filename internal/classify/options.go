package classify

import "errors"

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
