package augment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm"
)

// Prompt is one prompt [Generate] sent.
type Prompt struct {
	// Round numbers the prompts of a run from 0; it and the seed decide
	// which examples the prompt shows.
	Round int
	// Messages are what the model was sent.
	Messages []llm.Message
	// SHA256 is the hex SHA-256 of llm.FlattenMessages(Messages): the
	// prompt text a plain-text backend sends, and what a chat server sees
	// as its system and user turns joined by a blank line.
	SHA256 string
	// Shots are the ids of the training records shown: the examples of
	// the label first, then the contrast examples.
	Shots []string
}

// systemPrompt is the standing instruction, with the clinical-safety
// rules.
const systemPrompt = `You write synthetic clinical text for training a text classifier.
Everything you write must be invented. Do not copy or lightly edit the examples you are shown, and do not reproduce any note you may have seen elsewhere.
Never include real patient identifiers: no names, dates of birth, addresses, phone numbers, email addresses, medical record numbers or other identifying details. Use generic wording ("the patient") instead.
Write realistic, clinically plausible sentences in the style of the examples.`

// pools are the training records a prompt draws from.
type pools struct {
	train    []dataset.Record
	label    []int // indexes of records carrying the label
	contrast []int // indexes of labelled records without it
}

func newPools(train []dataset.Record, label string) pools {
	p := pools{train: train}
	for i, r := range train {
		switch {
		case slices.Contains(r.Labels, label):
			p.label = append(p.label, i)
		case len(r.Labels) > 0:
			p.contrast = append(p.contrast, i)
		}
	}
	return p
}

// sample returns k of idx chosen without replacement, in drawn order.
func sample(rng *rand.Rand, idx []int, k int) []int {
	k = min(k, len(idx))
	pool := slices.Clone(idx)
	for i := range k {
		j := i + rng.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:k]
}

// recordID is a training record's id for provenance: its id, or "#i"
// (its index in Train) when it has none.
func recordID(r dataset.Record, i int) string {
	if r.ID != "" {
		return r.ID
	}
	return fmt.Sprintf("#%d", i)
}

// oneLine collapses a text's whitespace so it fits one numbered line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// buildPrompt draws round's examples with its own random stream (seed,
// round), so a prompt does not depend on how many came before it or on
// the order calls finish in.
func buildPrompt(o *Options, p pools, round int) Prompt {
	rng := rand.New(rand.NewPCG(uint64(o.Seed), uint64(round)))
	shots := sample(rng, p.label, o.Shots)
	contrast := sample(rng, p.contrast, o.Contrast)
	var b strings.Builder
	fmt.Fprintf(&b, "Write %d new, varied examples of clinical text with the label %q.\n\n", o.Batch, o.Label)
	fmt.Fprintf(&b, "Examples with the label %q:\n", o.Label)
	ids := make([]string, 0, len(shots)+len(contrast))
	for n, i := range shots {
		fmt.Fprintf(&b, "%d. %s\n", n+1, oneLine(p.train[i].Text))
		ids = append(ids, recordID(p.train[i], i))
	}
	if len(contrast) > 0 {
		fmt.Fprintf(&b, "\nExamples of other labels, for contrast (do not write these):\n")
		for _, i := range contrast {
			fmt.Fprintf(&b, "- [%s] %s\n", strings.Join(p.train[i].Labels, ", "), oneLine(p.train[i].Text))
			ids = append(ids, recordID(p.train[i], i))
		}
	}
	fmt.Fprintf(&b, "\nAnswer with a JSON array of %d strings, one new example each, and nothing else.\n", o.Batch)
	msgs := []llm.Message{llm.System(systemPrompt), llm.User(b.String())}
	return Prompt{Round: round, Messages: msgs, SHA256: PromptSHA256(msgs), Shots: ids}
}

// PromptSHA256 is the hex SHA-256 of llm.FlattenMessages(messages), the
// hash a synthetic row's provenance records.
func PromptSHA256(messages []llm.Message) string {
	sum := sha256.Sum256([]byte(llm.FlattenMessages(messages)))
	return hex.EncodeToString(sum[:])
}
