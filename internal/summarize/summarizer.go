// Package summarize turns documents into summaries. It defines the
// [Summarizer] interface every method implements (extractive ranking in
// summarize/extractive, models Osler trains in summarize/trained, and LLM
// chains here: stuff, map-reduce and refine over an llm.Model), so the CLI
// and the server treat them alike.
package summarize

import (
	"context"

	"github.com/osler-health/osler/internal/clinical"
)

// Document is one text to summarize.
type Document struct {
	ID   string
	Text string
}

// Result is a summary and, optionally, where it came from.
type Result struct {
	Summary string
	// Provenance explains the summary; nil when the method has nothing to say.
	Provenance *Provenance
	// Warnings are the claims of the summary its source does not back
	// (unsupported or contradicted), and the critical findings or lines
	// and tubes of the source it omits, from the faithfulness check
	// (internal/clinical). Empty when the summary passed, or was not
	// checked (Checked false).
	Warnings []clinical.Issue
	// Checked says the summary was checked against its source.
	Checked bool
}

// Faithful reports whether the summary was checked and has no unsupported
// or contradicted claim.
func (r Result) Faithful() bool {
	if !r.Checked {
		return false
	}
	for _, w := range r.Warnings {
		if w.Flagged() {
			return false
		}
	}
	return true
}

// Provenance explains a summary so a clinician or an auditor can check it.
// Fields that do not apply to a method are left empty.
type Provenance struct {
	// Method names what produced the summary, e.g. "extractive",
	// "trained:retrieval", "llm:map-reduce".
	Method string `json:"method"`
	// SourceSentences are the indices (0-based, in the order the text
	// package's sentence splitter returns them) of the source sentences the
	// summary was built from.
	SourceSentences []int `json:"source_sentences,omitempty"`
	// Neighbors are training examples whose summaries were reused or
	// adapted, most similar first.
	Neighbors []Neighbor `json:"neighbors,omitempty"`
	// Chunks and LLMCalls describe an LLM chain run.
	Chunks   int `json:"chunks,omitempty"`
	LLMCalls int `json:"llm_calls,omitempty"`
	// Notes are short human-readable remarks (e.g. "routed as normal study").
	Notes []string `json:"notes,omitempty"`
	// Check records the faithfulness guard: what it refused on the way to
	// this summary.
	Check *CheckRecord `json:"check,omitempty"`
}

// CheckRecord is what a summarizer's faithfulness guard did.
type CheckRecord struct {
	// Faithful says the summary passed the check.
	Faithful bool `json:"faithful"`
	// Candidates and Removed count the candidate summaries considered and
	// those removed for a claim the source does not back or for omitting
	// a critical finding (trained summarizer).
	Candidates int `json:"candidates,omitempty"`
	Removed    int `json:"removed,omitempty"`
	// Refused counts the retrieved training summaries the guard refused;
	// Rejected are the first ten of them, with why.
	Refused  int        `json:"refused,omitempty"`
	Rejected []Rejected `json:"rejected,omitempty"`
	// Attempts counts LLM calls made to get a faithful summary (--verify
	// retry); Dropped the sentences removed (--verify drop).
	Attempts int `json:"attempts,omitempty"`
	Dropped  int `json:"dropped_sentences,omitempty"`
}

// Rejected is a retrieved summary the guard refused.
type Rejected struct {
	ID      string   `json:"id"`
	Summary string   `json:"summary"`
	Issues  []string `json:"issues"`
}

// Neighbor is a training example a summary drew on.
type Neighbor struct {
	ID         string  `json:"id"`
	Similarity float64 `json:"similarity"`
	// Summary is the training example's summary as the model stores it.
	Summary string `json:"summary,omitempty"`
}

// Summarizer summarizes one document. Implementations are safe for
// concurrent use unless their documentation says otherwise.
type Summarizer interface {
	Summarize(ctx context.Context, doc Document) (Result, error)
}
