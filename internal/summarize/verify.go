package summarize

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/text"
)

// VerifyMode says what [Verify] does with a summary whose source does not
// back one of its claims.
type VerifyMode string

// The verify modes.
const (
	// VerifyOff does not check summaries.
	VerifyOff VerifyMode = "off"
	// VerifyWarn returns the summary as it is, with the check's warnings.
	VerifyWarn VerifyMode = "warn"
	// VerifyDrop removes the summary's sentences that hold an unsupported
	// or contradicted claim, and warns about what remains.
	VerifyDrop VerifyMode = "drop"
	// VerifyRetry asks the summarizer (an LLM chain) to correct the
	// summary, naming the problems, up to the retry limit; what still
	// fails is returned with its warnings.
	VerifyRetry VerifyMode = "retry"
)

// ParseVerifyMode parses a --verify value.
func ParseVerifyMode(s string) (VerifyMode, error) {
	switch VerifyMode(s) {
	case VerifyOff, VerifyWarn, VerifyDrop, VerifyRetry:
		return VerifyMode(s), nil
	case "":
		return VerifyWarn, nil
	}
	return "", fmt.Errorf("summarize: unknown verify mode %q (want warn, drop, retry or off)", s)
}

// Reviser is a summarizer that can correct one of its summaries given the
// problems found in it (the LLM chains).
type Reviser interface {
	Revise(ctx context.Context, doc Document, summary string, problems []string) (string, error)
}

// DefaultRetries is how many corrections [VerifyRetry] asks for.
const DefaultRetries = 2

// Verified checks every summary of a summarizer against its document.
type Verified struct {
	inner   Summarizer
	checker *clinical.Checker
	mode    VerifyMode
	retries int
}

var _ Summarizer = (*Verified)(nil)

// Verify wraps s so that every summary is checked against its document
// (internal/clinical) and handled per mode. retries bounds the corrections
// of VerifyRetry (0 means DefaultRetries). VerifyRetry needs s to be a
// [Reviser]. With VerifyOff, s is returned as it is.
func Verify(s Summarizer, checker *clinical.Checker, mode VerifyMode, retries int) (Summarizer, error) {
	if mode == VerifyOff {
		return s, nil
	}
	if checker == nil {
		checker = clinical.NewChecker(nil)
	}
	if mode == VerifyRetry {
		if _, ok := s.(Reviser); !ok {
			return nil, fmt.Errorf("summarize: --verify retry needs an LLM method, which can be asked to correct a summary; use warn or drop")
		}
	}
	if retries <= 0 {
		retries = DefaultRetries
	}
	return &Verified{inner: s, checker: checker, mode: mode, retries: retries}, nil
}

// Summarize implements Summarizer.
func (v *Verified) Summarize(ctx context.Context, doc Document) (Result, error) {
	res, err := v.inner.Summarize(ctx, doc)
	if err != nil {
		return res, err
	}
	src := v.checker.Extractor().Extract(doc.Text)
	check := v.checker.CheckDocuments(src, v.checker.Extractor().Extract(res.Summary))
	rec := &CheckRecord{}
	if v.mode == VerifyRetry {
		for attempt := 0; attempt < v.retries && !check.Faithful(); attempt++ {
			revised, err := v.inner.(Reviser).Revise(ctx, doc, res.Summary, problems(check.Issues))
			if err != nil {
				return Result{}, fmt.Errorf("verify: correction %d: %w", attempt+1, err)
			}
			rec.Attempts++
			if res.Provenance != nil {
				res.Provenance.LLMCalls++
			}
			res.Summary = revised
			check = v.checker.CheckDocuments(src, v.checker.Extractor().Extract(revised))
		}
	}
	if v.mode == VerifyDrop && !check.Faithful() {
		kept, dropped := dropUnfaithful(res.Summary, check.Issues)
		rec.Dropped = dropped
		if res.Provenance != nil {
			res.Provenance.Notes = append(res.Provenance.Notes, fmt.Sprintf("verify: dropped %d sentence(s) the source does not back: %s",
				dropped, strings.Join(problems(check.Issues), "; ")))
		}
		res.Summary = kept
		check = v.checker.CheckDocuments(src, v.checker.Extractor().Extract(kept))
	}
	res.Warnings, res.Checked = check.Issues, true
	rec.Faithful = check.Faithful()
	if res.Provenance != nil {
		if res.Provenance.Check != nil {
			// The summarizer's own guard (trained): keep its record.
			res.Provenance.Check.Faithful = rec.Faithful
			res.Provenance.Check.Attempts += rec.Attempts
			res.Provenance.Check.Dropped += rec.Dropped
		} else {
			res.Provenance.Check = rec
		}
	}
	return res, nil
}

// problems are the messages of the flagged issues.
func problems(issues []clinical.Issue) []string {
	var out []string
	for _, is := range issues {
		if is.Flagged() {
			out = append(out, is.Message)
		}
	}
	return out
}

// dropUnfaithful removes the sentences of summary that hold the span of a
// flagged issue, and returns the rest (joined as written) with how many it
// removed.
func dropUnfaithful(summary string, issues []clinical.Issue) (string, int) {
	sents := text.SplitSentences(summary)
	var b strings.Builder
	dropped := 0
	for _, st := range sents {
		bad := false
		for _, is := range issues {
			if is.Flagged() && is.Summary != nil && is.Summary.Start < st.End && st.Start < is.Summary.End {
				bad = true
				break
			}
		}
		if bad {
			dropped++
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(st.Text)
	}
	return b.String(), dropped
}

// revise asks the model for a corrected summary. The document goes with it
// when it fits one chunk; a longer one is represented by the problems
// alone.
func (r *run) revise(ctx context.Context, summary string, problems []string) (string, error) {
	t := r.cfg.Prompts.Revise
	if t == nil {
		t = defaultRevise
	}
	data := PromptData{Existing: summary, Problems: problems}
	if len(r.cfg.Splitter.Split(r.doc.Text)) == 1 {
		data.Text = r.doc.Text
	}
	prompt, err := render(t, data)
	if err != nil {
		return "", err
	}
	var done atomic.Int64
	return r.generate(ctx, StageRevise, prompt, &done, 1)
}

// Revise implements [Reviser].
func (s *Stuff) Revise(ctx context.Context, doc Document, summary string, problems []string) (string, error) {
	return (&run{cfg: s.cfg, doc: doc}).revise(ctx, summary, problems)
}

// Revise implements [Reviser].
func (m *MapReduce) Revise(ctx context.Context, doc Document, summary string, problems []string) (string, error) {
	return (&run{cfg: m.cfg, doc: doc}).revise(ctx, summary, problems)
}

// Revise implements [Reviser].
func (c *Refine) Revise(ctx context.Context, doc Document, summary string, problems []string) (string, error) {
	return (&run{cfg: c.cfg, doc: doc}).revise(ctx, summary, problems)
}
