package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
)

var dataSplitDoc = helpDoc("data-split")

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
