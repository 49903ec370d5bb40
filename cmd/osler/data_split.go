package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/text"
)

var dataSplitDoc = cmdDoc{
	Usage: "osler data split [flags] FILE",
	Summary: `Split a dataset into train, test and (optionally) dev files, deterministically for a seed. ` +
		`Splits are stratified per label; multi-label data uses iterative stratification (Sechidis et al. 2011) ` +
		`so every label keeps its share in each split, rare labels included. Identical and near-identical texts ` +
		`(same words ignoring case, spacing and punctuation) always land in the same split, so nothing leaks. ` +
		`Writes STEM.train.EXT, STEM.dev.EXT and STEM.test.EXT next to FILE (or in --out-dir), in FILE's format; ` +
		`JSONL rows are marked with "split". Prints the per-label counts of each split.`,
	Example: `osler data split notes.jsonl --test 0.2 --dev 0.1 --seed 13
osler data split --out-dir splits/ --test 0.25 train.csv`,
}

func (m *Main) runDataSplit(ctx context.Context, args []string) error {
	fs := m.newFlagSet(dataSplitDoc)
	var df dataFlags
	df.register(fs, "")
	test := fs.Float64("test", 0.2, "share of rows for the test split")
	dev := fs.Float64("dev", 0, "share of rows for the dev split (0: no dev split)")
	seed := fs.Uint64("seed", 13, "random seed; the same seed and file give the same split")
	outDir := fs.String("out-dir", "", "directory for the split files (default: FILE's directory)")
	pos, err := m.parseFlags(fs, dataSplitDoc, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{errors.New("data split: want one FILE (see --help)")}
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	in := pos[0]
	sopts := dataset.SplitOptions{Test: *test, Dev: *dev, Seed: *seed}
	if err := sopts.Validate(); err != nil {
		return usageError{err}
	}
	dir := *outDir
	if dir == "" {
		dir = filepath.Dir(in)
	}
	ext := filepath.Ext(in)
	stem := strings.TrimSuffix(filepath.Base(in), ext)
	outPath := func(split string) string { return filepath.Join(dir, stem+"."+split+ext) }
	outOpts := opts
	outOpts.UnlabeledAs = ""
	st, err := dataset.SplitFile(ctx, in, opts, sopts, outPath, outOpts)
	if err != nil {
		return err
	}
	return st.WriteText(m.Stdout, outPath)
}

// thousandsInt formats n with comma separators.
var thousandsInt = text.Thousands
