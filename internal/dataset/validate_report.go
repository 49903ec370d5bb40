package dataset

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/osler-health/osler/internal/text"
)

// WriteText writes the report for people: per file its shape, per-label
// counts, then errors and warnings with their line numbers, and finally the
// leakage check and a total.
func (r *Report) WriteText(w io.Writer) error {
	ew := &text.ErrWriter{W: w}
	for i, f := range r.Files {
		if i > 0 {
			fmt.Fprintf(ew, "\n")
		}
		f.writeText(ew)
	}
	if r.LeakageChecked {
		leaks := 0
		for _, f := range r.Files {
			leaks += f.RuleCounts[RuleLeakage]
		}
		fmt.Fprintf(ew, "\n")
		if leaks == 0 {
			fmt.Fprintf(ew, "Leakage: no exact or near-duplicate texts shared between the %d files.\n", len(r.Files))
		} else {
			fmt.Fprintf(ew, "Leakage: %s shared with an earlier file (errors above, rule %q).\n", plural(leaks, "text", "texts"), RuleLeakage)
		}
	}
	fmt.Fprintf(ew, "\n%s, %s, %s\n", plural(len(r.Files), "file", "files"), plural(r.Errors, "error", "errors"), plural(r.Warnings, "warning", "warnings"))
	return ew.Err
}

func (f *FileReport) writeText(ew *text.ErrWriter) {
	shape := string(f.Format)
	if f.Kind != "" {
		shape += ", " + f.Kind
	}
	if f.Mode != "" {
		shape += ", " + string(f.Mode)
		if f.ModeInferred {
			shape += " (inferred; set --mode to override)"
		}
	}
	fmt.Fprintf(ew, "%s (%s)\n", f.Path, shape)
	line := "  " + plural(f.Rows, "row", "rows")
	if f.Synthetic > 0 {
		line += fmt.Sprintf(" (%s synthetic)", text.Thousands(f.Synthetic))
	}
	if f.Kind == KindClassification.String() {
		line += ", " + plural(len(f.Labels), "label", "labels")
		if f.Unlabeled > 0 {
			line += ", " + plural(f.Unlabeled, "row", "rows") + " without a label"
		}
	}
	fmt.Fprintf(ew, "%s\n", line)
	if len(f.Labels) > 0 {
		width := len("label")
		for _, lc := range f.Labels {
			width = max(width, len(lc.Label))
		}
		fmt.Fprintf(ew, "\n  %-*s  %9s  %6s\n", width, "label", "rows", "share")
		for _, lc := range f.Labels {
			fmt.Fprintf(ew, "  %-*s  %9s  %5.1f%%\n", width, lc.Label, text.Thousands(lc.Count), 100*float64(lc.Count)/float64(max(f.Rows, 1)))
		}
	}
	fmt.Fprintf(ew, "\n  %s, %s\n", plural(f.Errors, "error", "errors"), plural(f.Warnings, "warning", "warnings"))
	// Group issues by rule, in order of first appearance. A rule whose
	// listed issues all say the same thing prints the message once and then
	// the lines; otherwise each line gets its own message.
	type group struct {
		sev  Severity
		rule string
	}
	var order []group
	byRule := map[group][]Issue{}
	listed := map[string]int{}
	for _, is := range f.Issues {
		g := group{is.Severity, is.Rule}
		if _, ok := byRule[g]; !ok {
			order = append(order, g)
		}
		byRule[g] = append(byRule[g], is)
		listed[is.Rule]++
	}
	lastGroup := map[string]group{}
	for _, g := range order {
		lastGroup[g.rule] = g
	}
	for _, g := range order {
		issues := byRule[g]
		rule := g.rule
		// Issues beyond the listing limit are counted per rule; they are
		// added to the rule's last group.
		total := len(issues)
		if lastGroup[rule] == g {
			total += f.RuleCounts[rule] - listed[rule]
		}
		same := true
		for _, is := range issues[1:] {
			same = same && is.Message == issues[0].Message
		}
		fmt.Fprintf(ew, "\n  %s %s (%s)\n", issues[0].Severity, rule, plural(total, "issue", "issues"))
		if same && len(issues) > 1 {
			lines := make([]string, 0, len(issues))
			for _, is := range issues {
				lines = append(lines, strconv.Itoa(is.Line))
			}
			fmt.Fprintf(ew, "    %s\n    lines %s", issues[0].Message, strings.Join(lines, ", "))
			if more := total - len(issues); more > 0 {
				fmt.Fprintf(ew, " and %s more", text.Thousands(more))
			}
			fmt.Fprintf(ew, "\n")
			continue
		}
		for _, is := range issues {
			where := "file:"
			if is.Line > 0 {
				where = "line " + strconv.Itoa(is.Line) + ":"
			}
			fmt.Fprintf(ew, "    %-10s %s\n", where, is.Message)
		}
		if more := total - len(issues); more > 0 {
			fmt.Fprintf(ew, "    ... and %s more (--max-issues 0 lists them all)\n", text.Thousands(more))
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return text.Thousands(n) + " " + many
}
