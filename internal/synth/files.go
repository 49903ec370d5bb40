package synth

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/text"
)

// FileOptions say where [WriteFiles] writes a generated dataset.
type FileOptions struct {
	// Out is the dataset file; its format follows its extension unless
	// Data.Format is set. "-" writes to Stdout.
	Out string
	// Relations, when set, also receives the drug/effect pairs of an ADE
	// dataset as JSONL ("-": Stdout).
	Relations string
	Stdout    io.Writer
	// Data are the dataset's format options (format, label delimiter).
	Data dataset.Options
	// Progress is told how many records have been written (nil: not).
	Progress progress.Reporter
}

// Stats count what a run wrote.
type Stats struct {
	Records, Relations, Duplicates int
	// Labels counts the records of each label.
	Labels map[string]int
}

// WriteFiles streams n records generated with opts to the dataset file
// (and the relations to theirs); neither file appears unless both are
// complete.
func WriteFiles(ctx context.Context, opts Options, n int, fo FileOptions) (Stats, error) {
	st := Stats{Labels: map[string]int{}}
	g, err := New(opts)
	if err != nil {
		return st, err
	}
	info, _ := opts.Kind.Info()
	dst, err := dataset.Create(fo.Out, fo.Stdout, info.Task, fo.Data)
	if err != nil {
		return st, err
	}
	defer dst.Abort()
	var rel *RelationWriter
	var relFile *atomicfile.File
	if fo.Relations != "" {
		w := fo.Stdout
		if fo.Relations != "-" {
			if relFile, err = atomicfile.Create(fo.Relations, 0o644); err != nil {
				return st, err
			}
			defer relFile.Abort()
			w = relFile
		}
		rel = NewRelationWriter(w)
	}
	pr := progress.Or(fo.Progress)
	pr.Stage("generating "+string(opts.Kind), n)
	err = g.Generate(ctx, n, func(s Sample) error {
		if err := dst.Write(s.Record); err != nil {
			return fmt.Errorf("%s: %w", fo.Out, err)
		}
		for _, r := range s.Relations {
			st.Relations++
			if rel == nil {
				continue
			}
			if err := rel.Write(r); err != nil {
				return fmt.Errorf("%s: %w", fo.Relations, err)
			}
		}
		for _, l := range s.Record.Labels {
			st.Labels[l]++
		}
		if s.DuplicateOf != "" {
			st.Duplicates++
		}
		st.Records++
		if st.Records%1024 == 0 {
			pr.Add(1024)
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	pr.Add(st.Records % 1024)
	if rel != nil {
		if err := rel.Flush(); err != nil {
			return st, fmt.Errorf("%s: %w", fo.Relations, err)
		}
	}
	// The dataset is committed last: if the relations file fails, the
	// dataset is not published either.
	if relFile != nil {
		if err := relFile.Commit(); err != nil {
			return st, err
		}
	}
	if err := dst.Commit(); err != nil {
		return st, fmt.Errorf("%s: %w", fo.Out, err)
	}
	return st, nil
}

// Summary is the one line osler data synth prints after a run: what was
// written where, with the per-label counts (most frequent first), the
// deliberate near-duplicates and the relations.
func (st Stats) Summary(kind Kind, fo FileOptions) string {
	info, _ := kind.Info()
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %s %s records to %s", text.Thousands(st.Records), info.Kind, stdoutName(fo.Out))
	if len(info.Labels) > 0 {
		type lc struct {
			name  string
			count int
		}
		var counts []lc
		for _, l := range info.Labels {
			counts = append(counts, lc{l.Name, st.Labels[l.Name]})
		}
		sort.SliceStable(counts, func(i, j int) bool { return counts[i].count > counts[j].count })
		parts := make([]string, len(counts))
		for i, c := range counts {
			parts[i] = c.name + " " + text.Thousands(c.count)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if st.Duplicates > 0 {
		fmt.Fprintf(&b, ", %s deliberate near-duplicates", text.Thousands(st.Duplicates))
	}
	if fo.Relations != "" {
		fmt.Fprintf(&b, "; %s drug/effect relations to %s", text.Thousands(st.Relations), stdoutName(fo.Relations))
	}
	return b.String()
}

func stdoutName(path string) string {
	if path == "-" {
		return "stdout"
	}
	return path
}

// WriteKinds lists every kind with its task, labels (with their expected
// shares) or topics, as osler data synth --list prints them.
func WriteKinds(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, k := range Kinds() {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		mode := k.Task.String()
		if k.MultiLabel {
			mode = "multi-label " + mode
		}
		fmt.Fprintf(tw, "%s (%s): %s\n", k.Kind, mode, k.Summary)
		for _, l := range k.Labels {
			fmt.Fprintf(tw, "  %s\t%5.1f%%\t%s\n", l.Name, 100*l.Prevalence, l.Description)
		}
		for _, topic := range k.Topics {
			fmt.Fprintf(tw, "  - %s\n", topic)
		}
	}
	return tw.Flush()
}
