package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
)

var dataOversampleDoc = cmdDoc{
	Usage: "osler data oversample [flags] FILE",
	Summary: `Repeat rows of labels that have fewer than --min-per-label rows until each label reaches it ` +
		`(rarest labels first, each label's rows repeated in a seeded random cycle; ids of copies get "#copyN"). ` +
		`Reports what it added per label. Oversample only training data: a file named like a test split ` +
		`("test.jsonl", "notes.test.csv") or with rows marked "split":"test" is refused unless --force. ` +
		`Writes STEM.oversampled.EXT next to FILE unless --out is given.`,
	Example: `osler data oversample train.jsonl --min-per-label 50 --seed 1
osler data oversample --min-per-label 100 --out train.os.csv train.csv`,
}

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
