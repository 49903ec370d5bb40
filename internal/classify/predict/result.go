package predict

import (
	"slices"

	"github.com/osler-health/osler/internal/classify"
)

// Result is one text's scores and decided labels. Its slices are reused by
// the next [Result.Score], so a goroutine keeps one Result (or takes one
// from a pool) and scores text after text without allocating.
type Result struct {
	// Scores has one score per label, in the model's label order.
	Scores []float64
	// Labels are the indices of the decided labels, as
	// [classify.Model.Decide] returns them.
	Labels []int

	order   []int
	decided []bool
}

// Score scores text with m and decides its labels: every label at
// threshold when it is >= 0, else at the model's thresholds.
func (r *Result) Score(m *classify.Model, text string, threshold float64) {
	r.Scores = m.AppendScores(r.Scores[:0], text)
	r.Labels = m.Decide(r.Labels[:0], r.Scores, threshold)
}

// Ranked returns every label's index, best first: by score, highest first,
// label order on ties; with decidedFirst, the decided labels come before
// the others (each group by score). The slice is the Result's: it is valid
// until the next Score or Ranked.
func (r *Result) Ranked(decidedFirst bool) []int {
	n := len(r.Scores)
	r.decided = slices.Grow(r.decided[:0], n)[:n]
	clear(r.decided)
	for _, i := range r.Labels {
		r.decided[i] = true
	}
	r.order = slices.Grow(r.order[:0], n)[:0]
	for i := range n {
		r.order = append(r.order, i)
	}
	// Insertion sort: a handful of labels, and stable.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && r.before(r.order[j], r.order[j-1], decidedFirst); j-- {
			r.order[j], r.order[j-1] = r.order[j-1], r.order[j]
		}
	}
	return r.order
}

func (r *Result) before(a, b int, decidedFirst bool) bool {
	if decidedFirst && r.decided[a] != r.decided[b] {
		return r.decided[a]
	}
	if r.Scores[a] != r.Scores[b] {
		return r.Scores[a] > r.Scores[b]
	}
	return a < b
}

// IsDecided reports whether label i was decided; it is valid after
// [Result.Ranked].
func (r *Result) IsDecided(i int) bool { return r.decided[i] }
