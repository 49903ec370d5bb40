package registry

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/osler-health/osler/internal/text"
)

// The text renderers of the registry's records, as the osler models, keys
// and audit commands print them. Every text that comes from the registry
// passes text.TerminalSafe: descriptions, notes, data paths, metric names
// and an import's source come from whoever registered or exported a model,
// and a raw escape sequence in them would rewrite the operator's screen.

var safe = text.TerminalSafe

// WriteModels prints the models as a table: kind, number of versions, the
// latest version and the latest Approved version.
func WriteModels(w io.Writer, models []Model) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tVERSIONS\tLATEST\tAPPROVED\tUPDATED")
	for _, md := range models {
		approved := "-"
		if md.LatestApproved > 0 {
			approved = strconv.Itoa(md.LatestApproved)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", md.Name, md.Kind, md.Versions, md.Latest, approved, FormatTime(md.Updated))
	}
	return tw.Flush()
}

// WriteModel prints a model and its versions: status, headline metrics,
// when and by whom each was registered.
func WriteModel(w io.Writer, md Model, versions []Version) error {
	fmt.Fprintf(w, "%s (%s)", md.Name, md.Kind)
	if md.Description != "" {
		fmt.Fprintf(w, ": %s", safe(md.Description))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATUS\tMETRICS\tREGISTERED\tBY")
	for _, v := range versions {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", v.Version, v.Status, safe(MetricSummary(v.Metrics, 3)), FormatTime(v.Created), safe(v.RegisteredBy))
	}
	return tw.Flush()
}

// MetricSummary shows the first n flattened metrics, headline metrics
// (F1, ROUGE, then accuracy) first: "dev.f1=0.83 ...".
func MetricSummary(raw json.RawMessage, n int) string {
	mt, err := FlattenMetrics(raw)
	if err != nil || len(mt) == 0 {
		return "-"
	}
	names := mt.Names()
	sort.SliceStable(names, func(i, j int) bool { return metricRank(names[i]) > metricRank(names[j]) })
	var parts []string
	for _, k := range names[:min(n, len(names))] {
		parts = append(parts, fmt.Sprintf("%s=%.4g", k, mt[k]))
	}
	if len(names) > n {
		parts = append(parts, "...")
	}
	return strings.Join(parts, " ")
}

func metricRank(name string) int {
	switch {
	case strings.Contains(name, "per_label"):
		return 0
	case strings.HasSuffix(name, "f1") || strings.Contains(name, "rouge"):
		return 2
	case strings.HasSuffix(name, "accuracy"):
		return 1
	}
	return 0
}

// WriteVersion prints a version in full: status with who decided and
// when, registration, lineage, data, metrics, hyperparameters and files.
func WriteVersion(w io.Writer, v Version, man Manifest) error {
	ew := &text.ErrWriter{W: w}
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, safe(v)) }
	row("version", fmt.Sprintf("%s (%s)", v.Ref(), v.Kind))
	status := string(v.Status)
	if v.StatusBy != "" {
		status += fmt.Sprintf(" by %s at %s", v.StatusBy, FormatTime(v.StatusAt))
	}
	row("status", status)
	if v.StatusNote != "" {
		row("note", v.StatusNote)
	}
	row("registered", fmt.Sprintf("%s by %s", FormatTime(v.Created), v.RegisteredBy))
	if v.Description != "" {
		row("description", v.Description)
	}
	if v.Parent != nil {
		row("parent", v.Parent.String())
	}
	if len(v.Source) > 0 {
		row("source", string(v.Source))
	}
	row("artifact", fmt.Sprintf("%d files, %s, manifest sha256 %s", v.Files, FormatBytes(v.Bytes), v.Manifest))
	tw.Flush()
	if len(v.Data) > 0 {
		fmt.Fprintln(ew, "\ndata:")
		tw = tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		for _, d := range v.Data {
			stored := ""
			if d.Stored {
				stored = " (stored)"
			}
			records := ""
			if d.Records > 0 {
				records = fmt.Sprintf("%d records", d.Records)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s%s\n", safe(d.Role), safe(d.SHA256), records, safe(d.Path), stored)
		}
		tw.Flush()
	}
	if mt, err := FlattenMetrics(v.Metrics); err == nil && len(mt) > 0 {
		fmt.Fprintf(ew, "\nmetrics:\n")
		tw = tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		for _, k := range mt.Names() {
			fmt.Fprintf(tw, "  %s\t%s\n", safe(k), strconv.FormatFloat(mt[k], 'g', 6, 64))
		}
		tw.Flush()
	}
	if len(v.Hyperparameters) > 2 {
		fmt.Fprintf(ew, "\nhyperparameters:\n  %s\n", safe(string(v.Hyperparameters)))
	}
	fmt.Fprintln(ew, "\nfiles:")
	tw = tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	for _, f := range man.Files {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", safe(f.Path), FormatBytes(f.Bytes), f.SHA256)
	}
	tw.Flush()
	return ew.Err
}

// WriteKeys prints API keys (never their secrets) as a table.
func WriteKeys(w io.Writer, keys []Key) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, safe(k.Name), ScopeList(k.Scopes), FormatTime(k.Created), FormatTime(k.LastUsed), FormatTime(k.Expires), FormatTime(k.Revoked))
	}
	return tw.Flush()
}

// ScopeList joins scopes with commas.
func ScopeList(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range scopes {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// WriteAudit prints audit entries as a table.
func WriteAudit(w io.Writer, entries []AuditEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tTARGET\tDETAILS")
	for _, e := range entries {
		target := e.Target
		if target == "" {
			target = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, FormatTime(e.Time), safe(e.Actor), safe(e.Action), safe(target), safe(strings.TrimSpace(string(e.Details))))
	}
	return tw.Flush()
}

// FormatTime prints a time for tables ("-" for none), in UTC.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// FormatBytes prints a size for tables.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// ParseAge reads a duration such as "90d", "12h" or "1h30m".
func ParseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a duration such as 90d, 12h or 30m", s)
	}
	return v, nil
}

// ParseSince reads "24h", "7d" (ago) or an RFC 3339 time or date.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if d, err := ParseAge(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (24h, 7d) nor a time (2025-03-01 or 2025-03-01T09:00:00Z)", s)
}
