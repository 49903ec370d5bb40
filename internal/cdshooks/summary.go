package cdshooks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/fhir"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/extractive"
)

func noteSummaryService(cfg Config) *service {
	n := fmt.Sprint(cfg.MaxNotes)
	return &service{
		id:    ServiceNoteSummary,
		title: "Osler note summary",
		description: "Summarizes the patient's " + n + " most recent notes and reports into one card, with the " +
			"faithfulness check's warnings; a summary the check flags is replaced by sentences quoted from the note.",
		usage: "Uses the newest Approved summarizer of the Osler registry (the extractive method when none is approved).",
		hooks: []string{api.HookPatientView},
		prefetch: map[string]string{
			"patient": "Patient/{{context.patientId}}",
			"notes":   "DocumentReference?patient={{context.patientId}}&_sort=-date&_count=" + n,
			"reports": "DiagnosticReport?patient={{context.patientId}}&_sort=-date&_count=" + n,
		},
		required: []string{"patient", "notes"},
		run:      (*Handler).noteSummary,
	}
}

// source is one note or report to summarize.
type source struct {
	kind, id, title, date string
	text                  string
}

// checker is the faithfulness check of summaries that were not checked
// by their summarizer.
var checker = clinical.NewChecker(clinical.DefaultLexicon())

// quoter is the fallback summarizer: it quotes the note's own sentences,
// so what it says is the note's.
var quoter = func() *extractive.Summarizer {
	s, err := extractive.New(extractive.Options{MaxSentences: 2, MaxWords: 60})
	if err != nil {
		panic(err)
	}
	return s
}()

// noteSummary answers osler-note-summary: one info card summarizing the
// recent notes and reports, or no card when there are none.
func (h *Handler) noteSummary(ctx context.Context, c *callState) (*api.CDSResponse, error) {
	sources := h.recentSources(ctx, c)
	if len(sources) == 0 {
		return &api.CDSResponse{}, nil
	}
	var sum summarize.Summarizer = quoter
	label := "Osler (sentences quoted from the notes; no summarizer is approved)"
	if h.cfg.Models != nil {
		if s, info, ok := h.cfg.Models.Summarizer(); ok {
			sum, label = s, "Osler summarizer "+info.String()
		}
	}
	var detail strings.Builder
	warnings, withheld := 0, 0
	for _, src := range sources {
		fmt.Fprintf(&detail, "**%s · %s**\n\n", md(src.date), md(src.title))
		text, issues, replaced, err := summarizeSource(ctx, sum, src)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			detail.WriteString("_Nothing to summarize in this document._\n\n")
			continue
		}
		if replaced {
			withheld++
			detail.WriteString("_The model's summary was withheld: the faithfulness check flagged a claim the note does not back. Quoted from the note:_\n\n")
		}
		detail.WriteString(md(text) + "\n\n")
		for _, is := range issues {
			warnings++
			fmt.Fprintf(&detail, "- ⚠ %s: %s\n", md(is.Verdict.String()), md(is.Message))
		}
		if len(issues) > 0 {
			detail.WriteString("\n")
		}
	}
	summary := fmt.Sprintf("Summary of %d recent %s (newest %s)", len(sources), plural(len(sources), "note", "notes"), sources[0].date)
	var notes []string
	if warnings > 0 {
		notes = append(notes, fmt.Sprintf("%d %s to review", warnings, plural(warnings, "warning", "warnings")))
	}
	if withheld > 0 {
		notes = append(notes, fmt.Sprintf("%d quoted, not summarized", withheld))
	}
	if len(notes) > 0 {
		summary += ": " + strings.Join(notes, "; ")
	}
	card := api.Card{
		UUID:      newUUID(),
		Summary:   clip(summary, MaxSummary),
		Detail:    strings.TrimSpace(detail.String()),
		Indicator: api.IndicatorInfo,
		Source:    api.Source{Label: label, Topic: topic("note-summary", "Note summary")},
		Links:     sourceLinks(c, sources),
	}
	return &api.CDSResponse{Cards: []api.Card{card}}, nil
}

// summarizeSource summarizes one note. A summary whose claims the check
// flags is replaced by the quoting summarizer's; issues are what is left
// to warn about (omissions of critical findings, say).
func summarizeSource(ctx context.Context, sum summarize.Summarizer, src source) (text string, issues []clinical.Issue, replaced bool, err error) {
	doc := summarize.Document{ID: src.id, Text: src.text}
	r, err := sum.Summarize(ctx, doc)
	if err != nil {
		if sum == quoter || ctx.Err() != nil {
			return "", nil, false, err
		}
		// A model that cannot summarize this note (too short, say)
		// still leaves its sentences to quote.
		r, err = quoter.Summarize(ctx, doc)
		if err != nil {
			return "", nil, false, err
		}
	}
	if !r.Checked {
		r.Warnings, r.Checked = checker.Check(src.text, r.Summary).Issues, true
	}
	if !r.Faithful() {
		q, qerr := quoter.Summarize(ctx, doc)
		if qerr != nil {
			return "", nil, false, qerr
		}
		return q.Summary, unflagged(r.Warnings), true, nil
	}
	return r.Summary, r.Warnings, false, nil
}

// unflagged keeps the issues that do not concern the withheld summary's
// own claims (omissions), which still hold for the quoted text.
func unflagged(issues []clinical.Issue) []clinical.Issue {
	var out []clinical.Issue
	for _, is := range issues {
		if !is.Flagged() {
			out = append(out, is)
		}
	}
	return out
}

// recentSources returns the newest notes and reports with readable text,
// newest first, at most MaxNotes.
func (h *Handler) recentSources(ctx context.Context, c *callState) []source {
	var all []source
	for _, d := range c.documents {
		if d.Status == "entered-in-error" {
			continue
		}
		text := h.attachmentsText(ctx, c, d.Content)
		if strings.TrimSpace(text) == "" {
			continue
		}
		title := d.DocumentType.Label()
		if title == "" {
			title = "Note"
		}
		all = append(all, source{kind: "DocumentReference", id: d.ID, title: title, date: day(d.When()), text: plainHeadings(text)})
	}
	for _, r := range c.reports {
		if r.Status == "entered-in-error" || r.Status == "cancelled" {
			continue
		}
		text := r.Conclusion
		if len(r.PresentedForm) > 0 {
			if t := h.attachmentText(ctx, c, r.PresentedForm); t != "" {
				text = t
			}
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		title := r.Code.Label()
		if title == "" {
			title = "Report"
		}
		all = append(all, source{kind: "DiagnosticReport", id: r.ID, title: title, date: day(reportDate(r)), text: plainHeadings(text)})
	}
	slices.SortStableFunc(all, func(a, b source) int { return strings.Compare(b.date, a.date) })
	if len(all) > h.cfg.MaxNotes {
		all = all[:h.cfg.MaxNotes]
	}
	return all
}

// attachmentsText returns the text of a document's first readable
// attachment.
func (h *Handler) attachmentsText(ctx context.Context, c *callState, content []fhir.DocumentContent) string {
	atts := make([]fhir.Attachment, len(content))
	for i, ct := range content {
		atts[i] = ct.Attachment
	}
	return h.attachmentText(ctx, c, atts)
}

func (h *Handler) attachmentText(ctx context.Context, c *callState, atts []fhir.Attachment) string {
	var fetch fhir.Fetcher
	if c.fhir != nil {
		fetch = c.fhir
	}
	for i := range atts {
		if atts[i].Data == "" && fetch == nil {
			continue
		}
		t, err := atts[i].Text(ctx, fetch, h.cfg.MaxFHIRBytes)
		if err == nil && strings.TrimSpace(t) != "" {
			return t
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return ""
		}
	}
	return ""
}

// sourceLinks links the card to the summarized resources on the EHR's
// FHIR server, when the request named one.
func sourceLinks(c *callState, sources []source) []api.Link {
	if c.req.FHIRServer == "" {
		return nil
	}
	base := strings.TrimRight(c.req.FHIRServer, "/")
	links := make([]api.Link, 0, len(sources))
	for _, s := range sources {
		links = append(links, api.Link{Label: clip(s.title+" ("+s.date+")", 80), URL: base + "/" + s.kind + "/" + s.id, Type: api.LinkAbsolute})
	}
	return links
}

// day returns the date part of a FHIR date or dateTime ("2021-05-23").
func day(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	if s == "" {
		return "undated"
	}
	return s
}

func reportDate(r *fhir.DiagnosticReport) string { return r.When() }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
