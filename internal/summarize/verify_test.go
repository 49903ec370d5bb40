package summarize_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/llm"
	"github.com/osler-health/osler/internal/llm/llmtest"
	"github.com/osler-health/osler/internal/summarize"
)

const verifySource = "There is a small right pleural effusion. No pneumothorax. The heart size is normal."

// scripted answers the stuff call with first and every correction with
// revised, recording the correction prompts.
func scripted(first, revised string, prompts *[]string) *llmtest.Fake {
	return &llmtest.Fake{Reply: func(_ context.Context, msgs []llm.Message, _ llm.Options) (string, error) {
		p := llmtest.LastUserMessage(msgs)
		if strings.Contains(p, "states things its source does not support") {
			*prompts = append(*prompts, p)
			return revised, nil
		}
		return first, nil
	}}
}

func verified(t *testing.T, f *llmtest.Fake, mode summarize.VerifyMode, retries int) summarize.Summarizer {
	t.Helper()
	c, err := summarize.NewStuff(chainConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	s, err := summarize.Verify(c, clinical.NewChecker(nil), mode, retries)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func has(ws []clinical.Issue, v clinical.Verdict, k clinical.IssueKind) bool {
	for _, w := range ws {
		if w.Verdict == v && w.Kind == k {
			return true
		}
	}
	return false
}

func TestVerifyWarn(t *testing.T) {
	var prompts []string
	s := verified(t, scripted("Small left pleural effusion.", "", &prompts), summarize.VerifyWarn, 0)
	res, err := s.Summarize(context.Background(), summarize.Document{ID: "d", Text: verifySource})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != "Small left pleural effusion." || !res.Checked || res.Faithful() {
		t.Fatalf("warn changed the summary or missed the issue: %+v", res)
	}
	if !has(res.Warnings, clinical.Contradicted, clinical.IssueSide) {
		t.Fatalf("warnings %+v lack the flipped side", res.Warnings)
	}
	if res.Provenance.Check == nil || res.Provenance.Check.Faithful || len(prompts) != 0 {
		t.Fatalf("provenance check %+v, corrections %d", res.Provenance.Check, len(prompts))
	}

	// A faithful summary passes without warnings.
	s = verified(t, scripted("Small right pleural effusion.", "", &prompts), summarize.VerifyWarn, 0)
	res, _ = s.Summarize(context.Background(), summarize.Document{ID: "d", Text: verifySource})
	if !res.Faithful() || len(res.Warnings) != 0 || !res.Provenance.Check.Faithful {
		t.Fatalf("faithful summary: %+v", res)
	}
}

func TestVerifyDrop(t *testing.T) {
	var prompts []string
	s := verified(t, scripted("Small right pleural effusion. Dr. Smith was notified by telephone. Stable cardiomegaly.", "", &prompts), summarize.VerifyDrop, 0)
	res, err := s.Summarize(context.Background(), summarize.Document{ID: "d", Text: verifySource})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != "Small right pleural effusion." || !res.Faithful() {
		t.Fatalf("drop kept %q (warnings %+v)", res.Summary, res.Warnings)
	}
	if res.Provenance.Check.Dropped != 2 || !strings.Contains(strings.Join(res.Provenance.Notes, " "), "dropped 2 sentence(s)") {
		t.Fatalf("provenance %+v", res.Provenance)
	}
}

func TestVerifyRetry(t *testing.T) {
	var prompts []string
	f := scripted("Large left pleural effusion.", "Small right pleural effusion.", &prompts)
	s := verified(t, f, summarize.VerifyRetry, 2)
	res, err := s.Summarize(context.Background(), summarize.Document{ID: "d", Text: verifySource})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != "Small right pleural effusion." || !res.Faithful() || res.Provenance.Check.Attempts != 1 {
		t.Fatalf("retry: %+v, check %+v", res, res.Provenance.Check)
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], "puts pleural effusion on the left; the source says right") ||
		!strings.Contains(prompts[0], verifySource) || !strings.Contains(prompts[0], "Large left pleural effusion.") {
		t.Fatalf("correction prompt %q", prompts)
	}
	if res.Provenance.LLMCalls != 2 || len(f.Calls()) != 2 {
		t.Fatalf("LLM calls: provenance %d, made %d", res.Provenance.LLMCalls, len(f.Calls()))
	}

	// A model that never corrects: the retries run out and the summary
	// comes back with its warnings.
	prompts = nil
	f = scripted("Large left pleural effusion.", "Large left pleural effusion, unchanged.", &prompts)
	s = verified(t, f, summarize.VerifyRetry, 3)
	res, err = s.Summarize(context.Background(), summarize.Document{ID: "d", Text: verifySource})
	if err != nil {
		t.Fatal(err)
	}
	if res.Faithful() || res.Provenance.Check.Attempts != 3 || len(prompts) != 3 || len(res.Warnings) == 0 {
		t.Fatalf("stubborn model: %+v, %d corrections", res.Provenance.Check, len(prompts))
	}
}

func TestVerifyModes(t *testing.T) {
	for in, want := range map[string]summarize.VerifyMode{"": summarize.VerifyWarn, "warn": summarize.VerifyWarn,
		"drop": summarize.VerifyDrop, "retry": summarize.VerifyRetry, "off": summarize.VerifyOff} {
		if got, err := summarize.ParseVerifyMode(in); err != nil || got != want {
			t.Errorf("ParseVerifyMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := summarize.ParseVerifyMode("strict"); err == nil {
		t.Error("ParseVerifyMode(strict) accepted")
	}
	// retry needs a summarizer that can correct itself.
	var plain summarize.Summarizer = summarizerFunc(func(context.Context, summarize.Document) (summarize.Result, error) {
		return summarize.Result{Summary: "x"}, nil
	})
	if _, err := summarize.Verify(plain, nil, summarize.VerifyRetry, 0); err == nil || !strings.Contains(err.Error(), "needs an LLM method") {
		t.Errorf("retry on a non-LLM summarizer: %v", err)
	}
	if s, err := summarize.Verify(plain, nil, summarize.VerifyOff, 0); err != nil || s == nil {
		t.Errorf("off: %v", err)
	}
	// Errors of the inner summarizer pass through.
	boom := errors.New("boom")
	failing, _ := summarize.Verify(summarizerFunc(func(context.Context, summarize.Document) (summarize.Result, error) {
		return summarize.Result{}, boom
	}), nil, summarize.VerifyWarn, 0)
	if _, err := failing.Summarize(context.Background(), summarize.Document{Text: "x"}); !errors.Is(err, boom) {
		t.Errorf("inner error: %v", err)
	}
}

type summarizerFunc func(context.Context, summarize.Document) (summarize.Result, error)

func (f summarizerFunc) Summarize(ctx context.Context, d summarize.Document) (summarize.Result, error) {
	return f(ctx, d)
}
