package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/synth"
)

var dataSynthDoc = helpDoc("data-synth")

func (m *Main) runDataSynth(ctx context.Context, args []string) error {
	fs := m.newFlagSet(dataSynthDoc)
	kindName := fs.String("kind", "", "what to generate: nursing-notes, radiology, ade or multilabel (see --list)")
	n := fs.Int("n", 1000, "number of records")
	seed := fs.Uint64("seed", 13, "random seed; the same seed, kind and flags give the same records")
	out := fs.String("out", "-", `output file; the format follows its extension (.jsonl, .csv, .tsv); "-" is stdout`)
	relations := fs.String("relations", "", `ade only: also write the drug/effect pairs of the Adverse_Event sentences to this JSONL file ({"id","text","drug","effect"})`)
	posRate := fs.Float64("positive-rate", 0, "ade only: share of Adverse_Event sentences (default 0.2)")
	dupRate := fs.Float64("near-dup-rate", 0, "share of records that deliberately repeat a recent one with only case and punctuation changed (default 0: none)")
	format := fs.String("format", "", "output format: jsonl, csv (two-column label,text; classification kinds) or table (CSV/TSV with a header); default: from --out")
	labelDelim := fs.String("label-delimiter", "|", "separator between several labels in one CSV field")
	list := fs.Bool("list", false, "list the kinds with their labels and topics, and exit")
	if err := m.parseNoArgs(fs, dataSynthDoc, args, "the output file goes in --out"); err != nil {
		return err
	}
	if *list {
		return synth.WriteKinds(m.Stdout)
	}
	if *kindName == "" {
		return usageError{errors.New("data synth: --kind is required (nursing-notes, radiology, ade or multilabel; see --list)")}
	}
	kind, err := synth.ParseKind(*kindName)
	if err != nil {
		return usageError{fmt.Errorf("data synth: %w", err)}
	}
	if *n < 0 {
		return usageError{fmt.Errorf("data synth: --n %d must not be negative", *n)}
	}
	if *relations != "" && kind != synth.KindADE {
		return usageError{fmt.Errorf("data synth: --relations applies to --kind ade only, not %s", kind)}
	}
	if *relations == "-" && *out == "-" {
		return usageError{errors.New("data synth: --relations and --out cannot both be stdout; give --relations a file")}
	}
	if *relations != "" && *relations == *out {
		return usageError{errors.New("data synth: --relations and --out must be different files")}
	}
	gopts := synth.Options{Kind: kind, Seed: *seed, PositiveRate: *posRate, NearDupRate: *dupRate}
	if err := gopts.Validate(); err != nil {
		return usageError{fmt.Errorf("data synth: %w", err)}
	}
	f, err := dataset.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	fo := synth.FileOptions{Out: *out, Relations: *relations, Stdout: m.Stdout, Data: dataset.Options{Format: f, LabelDelimiter: *labelDelim}}
	var bar *progress.Writer
	if *n >= 20000 && m.IsTerminal(m.Stderr) {
		bar = progress.NewWriter(m.Stderr, true)
		fo.Progress = bar
	}
	st, err := synth.WriteFiles(ctx, gopts, *n, fo)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return fmt.Errorf("data synth: %w", err)
	}
	fmt.Fprintln(m.Stderr, st.Summary(kind, fo))
	return nil
}
