package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/osler-health/osler/internal/dataset"
)

var dataValidateDoc = helpDoc("data-validate")

func (m *Main) runDataValidate(ctx context.Context, args []string) error {
	fs := m.newFlagSet(dataValidateDoc)
	var df dataFlags
	df.register(fs, "")
	mode := fs.String("mode", "", "binary, multi-class or multi-label; default: inferred from the first file")
	minPer := fs.Int("min-per-label", 0, "fewest rows a label needs (default 10 multi-label, 50 multi-class; -1 disables)")
	maxLabels := fs.Int("max-labels", 0, "most distinct labels (default 100 multi-label, 1000 multi-class; -1 disables)")
	maxText := fs.Int("max-text-bytes", 0, "largest text in bytes (default 102400 for classification, 1048576 for summarization sources; -1 disables)")
	allowUnlabeled := fs.Bool("allow-unlabeled", false, "accept rows without a label (Osler's multi-label trainer treats them as negatives)")
	ratio := fs.Float64("imbalance-ratio", 10, "warn when the most frequent label has more than this many times the rows of the rarest")
	maxIssues := fs.Int("max-issues", 20, "issues listed per rule and file (0 lists all; counts are always exact)")
	noDup := fs.Bool("no-duplicates", false, "skip duplicate and leakage checks (their memory grows with the number of rows)")
	format := fs.String("report-format", "text", "report format: text or json")
	fs.StringVar(format, "output", "text", "alias of --report-format")
	pos, err := m.parseFlags(fs, dataValidateDoc, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{errors.New("data validate: give at least one FILE (see --help)")}
	}
	opts, err := df.options()
	if err != nil {
		return err
	}
	md, err := dataset.ParseMode(*mode)
	if err != nil {
		return usageError{err}
	}
	if *maxIssues == 0 {
		*maxIssues = -1
	}
	if *format != "text" && *format != "json" {
		return usageError{errors.New(`data validate: --report-format must be text or json`)}
	}
	sources := make([]dataset.Source, len(pos))
	for i, p := range pos {
		sources[i] = dataset.Source{Path: p, Options: opts}
	}
	rep, err := dataset.Validate(ctx, m.Stdin, sources, dataset.ValidateOptions{
		Mode: md, MinPerLabel: *minPer, MaxLabels: *maxLabels, MaxTextBytes: *maxText,
		AllowUnlabeled: *allowUnlabeled, ImbalanceRatio: *ratio, MaxIssuesPerRule: *maxIssues, NoDuplicates: *noDup,
	})
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.WriteText(m.Stdout); err != nil {
		return err
	}
	if rep.Errors > 0 {
		return exitError{code: 1}
	}
	return nil
}
