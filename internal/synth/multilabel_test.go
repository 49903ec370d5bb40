package synth

import (
	"math"
	"strings"
	"testing"
)

func TestMultiLabelDistribution(t *testing.T) {
	ss := samples(t, Options{Kind: KindMultiLabel, Seed: 1}, varietyN)
	info, _ := KindMultiLabel.Info()
	counts := map[string]int{}
	byCount := map[int]int{}
	for _, s := range ss {
		byCount[len(s.Record.Labels)]++
		for _, l := range s.Record.Labels {
			counts[l]++
		}
	}
	n := float64(len(ss))
	rare := 0
	for _, l := range info.Labels {
		got := float64(counts[l.Name]) / n
		tol := 4 * math.Sqrt(l.Prevalence*(1-l.Prevalence)/n)
		if math.Abs(got-l.Prevalence) > tol {
			t.Errorf("label %s: share %.4f, want %.4f ± %.4f", l.Name, got, l.Prevalence, tol)
		}
		if l.Prevalence < 0.01 {
			rare++
			if counts[l.Name] == 0 || got >= 0.01 {
				t.Errorf("rare label %s: %d records (%.4f), want some and under 1%%", l.Name, counts[l.Name], got)
			}
		}
	}
	if rare < 3 {
		t.Errorf("%d labels under 1%%, want at least 3", rare)
	}
	one, many := float64(byCount[1])/n, 0.0
	for k, c := range byCount {
		if k >= 3 {
			many += float64(c)
		}
	}
	many /= n
	t.Logf("labels per record: %v (1 label %.3f, 3+ labels %.3f)", byCount, one, many)
	if one < 0.15 || many < 0.15 {
		t.Errorf("records with 1 label %.3f and with 3+ labels %.3f, want at least 0.15 each", one, many)
	}
	if byCount[0] != 0 {
		t.Errorf("%d records without a label", byCount[0])
	}
}

// assessmentAndPlan returns the last section of a multilabel note.
func assessmentAndPlan(text string) string {
	best := -1
	for _, h := range []string{"ASSESSMENT AND PLAN:", "A/P:", "ASSESSMENT/PLAN:", "Assessment & Plan:", "PLAN:"} {
		if i := strings.LastIndex(text, h); i >= 0 && i+len(h) > best {
			best = i + len(h)
		}
	}
	if best < 0 {
		return ""
	}
	return strings.TrimSpace(text[best:])
}

// problemKeys are lower-case words that every name of a problem contains
// ("class {I|II} obesity" gives "obesity").
func problemKeys(p mlProblem) []string {
	var keys []string
	for _, n := range p.Names {
		if i := strings.LastIndexByte(n, '}'); i >= 0 {
			n = n[i+1:]
		}
		keys = append(keys, strings.ToLower(strings.TrimSpace(n)))
	}
	return keys
}

// TestMultiLabelAddressedProblems checks what a label means: each label's
// problem has an entry in the assessment and plan, and nothing else does.
func TestMultiLabelAddressedProblems(t *testing.T) {
	ss := samples(t, Options{Kind: KindMultiLabel, Seed: 1}, 5000)
	probs := map[string]mlProblem{}
	for _, p := range mlProblems() {
		probs[p.Label] = p
	}
	distractorMentions := 0
	for _, s := range ss {
		ap := assessmentAndPlan(s.Record.Text)
		if ap == "" {
			t.Fatalf("%s: no assessment and plan:\n%s", s.Record.ID, s.Record.Text)
		}
		var entries []string
		for _, line := range strings.Split(ap, "\n") {
			switch {
			case strings.HasPrefix(line, "Health maintenance"), strings.HasPrefix(line, "Return to clinic"),
				strings.HasPrefix(line, "Follow up"), strings.HasPrefix(line, "Labs ordered"),
				strings.HasPrefix(line, "Other chronic"), strings.HasPrefix(line, "Remaining problems"):
			default:
				entries = append(entries, strings.ToLower(line))
			}
		}
		if len(entries) != len(s.Record.Labels) {
			t.Fatalf("%s: %d plan entries for labels %v:\n%s", s.Record.ID, len(entries), s.Record.Labels, ap)
		}
		for _, l := range s.Record.Labels {
			found := false
			for _, e := range entries {
				for _, k := range problemKeys(probs[l]) {
					found = found || strings.Contains(e, k)
				}
			}
			if !found {
				t.Fatalf("%s: label %s has no plan entry:\n%s", s.Record.ID, l, ap)
			}
		}
		// Problems that are not labels may still be named elsewhere.
		lower := strings.ToLower(s.Record.Text)
		for label, p := range probs {
			if len(p.Names[0]) < 5 || hasLabel(s.Record.Labels, label) {
				continue
			}
			if strings.Contains(lower, strings.ToLower(p.Names[0])) {
				distractorMentions++
				break
			}
		}
	}
	if share := float64(distractorMentions) / float64(len(ss)); share < 0.2 {
		t.Errorf("only %.3f of notes mention a problem that is not a label; labels are keyword lookups", share)
	}
}

func hasLabel(labels []string, l string) bool {
	for _, x := range labels {
		if x == l {
			return true
		}
	}
	return false
}

func TestSolveDrawProbabilities(t *testing.T) {
	targets := []float64{0.6, 0.4, 0.3, 0.05, 0.005} // they must sum to more than 1
	p := solveDrawProbabilities(targets)
	none := 1.0
	for _, x := range p {
		none *= 1 - x
	}
	for i, x := range p {
		if got := x / (1 - none); math.Abs(got-targets[i]) > 1e-9 {
			t.Errorf("label %d: conditional share %v, want %v", i, got, targets[i])
		}
	}
}
