package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
)

var dataOversampleDoc = helpDoc("data-oversample")

func (m *Main) runDataOversample(ctx context.Context, args []string) error {
	fs := m.newFlagSet(dataOversampleDoc)
	var df dataFlags
	df.register(fs, "")
	minPer := fs.Int("min-per-label", 50, "rows each label should reach")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "output file (default STEM.oversampled.EXT beside FILE)")
	force := fs.Bool("force", false, "oversample even a file named or marked as a test split")
	pos, err := m.parseFlags(fs, dataOversampleDoc, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{errors.New("data oversample: want one FILE (see --help)")}
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	in := pos[0]
	if *out == "" {
		ext := filepath.Ext(in)
		*out = filepath.Join(filepath.Dir(in), strings.TrimSuffix(filepath.Base(in), ext)+".oversampled"+ext)
	}
	outOpts := opts
	outOpts.UnlabeledAs = ""
	rep, err := dataset.OversampleFile(ctx, in, opts, *out, outOpts, dataset.OversampleOptions{MinPerLabel: *minPer, Seed: *seed, Force: *force})
	if err != nil {
		if errors.Is(err, dataset.ErrTestSplit) {
			return exitError{code: 1, msg: err.Error()}
		}
		return err
	}
	return rep.WriteText(m.Stdout, *out)
}
