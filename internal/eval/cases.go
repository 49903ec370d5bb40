package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
)

// Case is a hand-written expectation for the summary of one source: what
// it must mention and what it must never say. A checklist of cases tests a
// summarizer the way a reviewer reads it, which ROUGE cannot.
type Case struct {
	ID       string `json:"id"`
	Category string `json:"category,omitempty"`
	Source   string `json:"source"`
	// Critical says the source affirms a critical finding: the summary must
	// not turn it into a normal study.
	Critical bool `json:"critical,omitempty"`
	// MustMention are groups of alternative phrases: the summary must hold
	// one alternative of every group.
	MustMention [][]string `json:"must_mention,omitempty"`
	// MustNotSay are phrases the summary must not hold.
	MustNotSay []string `json:"must_not_say,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// ReadCases reads a JSONL checklist ({"id","source","must_mention",
// "must_not_say","critical","category","note"}; "findings" is accepted for
// "source"). Bad lines are errors naming the line and field.
func ReadCases(r io.Reader, name string) ([]Case, error) {
	lr := newLineReader(r, name)
	var out []Case
	seen := map[string]int{}
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var raw struct {
			Case
			Findings string `json:"findings"`
		}
		dec := json.NewDecoder(strings.NewReader(string(line)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&raw); err != nil {
			var ute *json.UnmarshalTypeError
			if errors.As(err, &ute) {
				field := ute.Field[strings.LastIndexByte(ute.Field, '.')+1:] // "Case.must_mention"
				return nil, lr.errorf(field, dataset.ErrWrongType, "%s must be %s", field, caseFieldShape(field))
			}
			return nil, lr.errorf("", dataset.ErrInvalidJSON, "a case is one JSON object per line with id, source, must_mention, must_not_say (%v)", err)
		}
		c := raw.Case
		if c.Source == "" {
			c.Source = raw.Findings
		}
		switch {
		case c.ID == "":
			return nil, lr.errorf("id", dataset.ErrMissingField, "every case needs an id")
		case strings.TrimSpace(c.Source) == "":
			return nil, lr.errorf("source", dataset.ErrMissingField, "case %q needs the source text to summarize", c.ID)
		}
		if prev, ok := seen[c.ID]; ok {
			return nil, lr.errorf("id", dataset.ErrInvalidJSON, "case id %q is also on line %d; ids must be unique", c.ID, prev)
		}
		seen[c.ID] = lr.line
		for gi, g := range c.MustMention {
			if len(g) == 0 || len(normPhrase(strings.Join(g, " "))) == 0 {
				return nil, lr.errorf("must_mention", dataset.ErrInvalidJSON, "group %d of case %q has no phrase", gi+1, c.ID)
			}
		}
		for _, p := range c.MustNotSay {
			if normPhrase(p) == "" {
				return nil, lr.errorf("must_not_say", dataset.ErrInvalidJSON, "case %q has an empty must_not_say phrase", c.ID)
			}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no cases", name)
	}
	return out, nil
}

func caseFieldShape(field string) string {
	switch field {
	case "must_mention":
		return `a list of groups of phrases, e.g. [["pneumothorax"], ["right"]]`
	case "must_not_say":
		return `a list of phrases, e.g. ["left pneumothorax", "no acute"]`
	case "critical":
		return "true or false"
	}
	return "a string"
}

// normPhrase lower-cases s, turns every character that is not a letter or
// digit into a space and collapses spaces: the form phrases are matched in.
func normPhrase(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// containsPhrase reports whether normalized text holds phrase on word
// boundaries.
func containsPhrase(normText, phrase string) bool {
	p := normPhrase(phrase)
	return p != "" && strings.Contains(" "+normText+" ", " "+p+" ")
}

// CaseResult is how one summary fared on its case.
type CaseResult struct {
	ID       string `json:"id"`
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	Pass     bool   `json:"pass"`
	// Missing are the must_mention groups with no alternative in the
	// summary; Said the must_not_say phrases it holds.
	Missing [][]string `json:"missing,omitempty"`
	Said    []string   `json:"said,omitempty"`
	// Normalized says a critical case's summary called the study normal
	// without the critical finding.
	Normalized bool `json:"critical_normalized,omitempty"`
	// Warnings are the faithfulness checker's issues with the summary.
	Warnings []clinical.Issue `json:"warnings,omitempty"`
}

// CheckCase scores one summary against its case.
func CheckCase(c Case, summary string, checker *clinical.Checker) CaseResult {
	res := CaseResult{ID: c.ID, Category: c.Category, Summary: summary}
	norm := normPhrase(summary)
	for _, g := range c.MustMention {
		found := false
		for _, alt := range g {
			if containsPhrase(norm, alt) {
				found = true
				break
			}
		}
		if !found {
			res.Missing = append(res.Missing, g)
		}
	}
	for _, p := range c.MustNotSay {
		if containsPhrase(norm, p) {
			res.Said = append(res.Said, p)
		}
	}
	check := checker.Check(c.Source, summary)
	res.Warnings = check.Issues
	if c.Critical && check.Has(clinical.Contradicted, clinical.IssueCritical) {
		res.Normalized = true
	}
	if c.Critical && strings.TrimSpace(summary) == "" {
		res.Normalized = true // saying nothing about a critical finding is no better
	}
	res.Pass = len(res.Missing) == 0 && len(res.Said) == 0 && !res.Normalized
	return res
}

// CaseReport summarizes a checklist run.
type CaseReport struct {
	Cases    int     `json:"cases"`
	Passed   int     `json:"passed"`
	Failed   int     `json:"failed"`
	FailRate float64 `json:"fail_rate"`
	// CriticalCases counts the critical cases, CriticalNormalized those
	// whose summary turned the critical finding into a normal study.
	CriticalCases      int `json:"critical_cases"`
	CriticalNormalized int `json:"critical_normalized"`
	// Unfaithful counts summaries with an unsupported or contradicted
	// claim by the faithfulness check.
	Unfaithful int `json:"unfaithful"`
	// Categories are pass and total counts per category.
	Categories map[string]CategoryCount `json:"categories"`
	Results    []CaseResult             `json:"results"`
}

// CategoryCount is a category's passed and total cases.
type CategoryCount struct {
	Passed int `json:"passed"`
	Total  int `json:"total"`
}

// CheckCases scores summaries (by case id) against every case. A case
// without a summary is an error naming it.
func CheckCases(cases []Case, summaries map[string]string, checker *clinical.Checker) (*CaseReport, error) {
	rep := &CaseReport{Categories: map[string]CategoryCount{}}
	var missing []string
	for _, c := range cases {
		s, ok := summaries[c.ID]
		if !ok {
			missing = append(missing, c.ID)
			continue
		}
		r := CheckCase(c, s, checker)
		rep.Results = append(rep.Results, r)
		rep.Cases++
		cc := rep.Categories[c.Category]
		cc.Total++
		if r.Pass {
			rep.Passed++
			cc.Passed++
		} else {
			rep.Failed++
		}
		rep.Categories[c.Category] = cc
		if c.Critical {
			rep.CriticalCases++
			if r.Normalized {
				rep.CriticalNormalized++
			}
		}
		for _, w := range r.Warnings {
			if w.Flagged() {
				rep.Unfaithful++
				break
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("eval: %d case(s) have no summary (first: %s); summarize the cases file and pass its output", len(missing), firstIDs(missing, 5))
	}
	if rep.Cases > 0 {
		rep.FailRate = float64(rep.Failed) / float64(rep.Cases)
	}
	return rep, nil
}
