package cdshooks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/fhir"
)

func adeAlertService(cfg Config) *service {
	return &service{
		id:    ServiceADEAlert,
		title: "Osler adverse drug event alert",
		description: "Warns when a drafted medication, or a drug of its class, caused a reaction before: recorded " +
			"allergies and intolerances, and note sentences about the drug that Osler's adverse-drug-event classifier flags.",
		usage: "Notes are searched with the newest Approved classifier of the Osler registry that has an adverse-event " +
			"label; without one, only recorded allergies are used.",
		hooks: []string{api.HookOrderSelect, api.HookOrderSign},
		prefetch: map[string]string{
			"allergies": "AllergyIntolerance?patient={{context.patientId}}",
			"notes":     fmt.Sprintf("DocumentReference?patient={{context.patientId}}&_sort=-date&_count=%d", cfg.MaxADENotes),
		},
		required: []string{"allergies", "notes"},
		run:      (*Handler).adeAlert,
	}
}

// Override reasons of an ADE card.
var adeOverrideReasons = []api.Coding{
	{System: OverrideSystem, Code: "tolerated-before", Display: "Patient has tolerated this drug since"},
	{System: OverrideSystem, Code: "not-allergy", Display: "Recorded reaction is not an allergy (intolerance or side effect)"},
	{System: OverrideSystem, Code: "benefit-outweighs-risk", Display: "Benefit outweighs the risk; will monitor"},
	{System: OverrideSystem, Code: "record-wrong", Display: "The record or the note is wrong"},
}

// evidence is one reason to warn about a drafted drug.
type evidence struct {
	date     string
	drug     string // the drug the evidence names
	how      string // "same drug" or "same class: …"
	allergy  *fhir.AllergyIntolerance
	severe   bool
	doc      *source
	sentence string
	score    float64
}

// maxNoteEvidence bounds the note sentences quoted per drafted drug.
const maxNoteEvidence = 3

// adeAlert answers osler-ade-alert: a card per drafted medication with
// evidence of an earlier reaction to it or its class.
func (h *Handler) adeAlert(ctx context.Context, c *callState) (*api.CDSResponse, error) {
	resp := &api.CDSResponse{}
	var notes []source
	notesRead := false
	for _, r := range c.draft {
		mr, ok := r.(*fhir.MedicationRequest)
		if !ok {
			continue
		}
		label := medicationLabel(mr, c)
		drugs := h.drugs.ingredients(label)
		if len(drugs) == 0 {
			continue
		}
		ev := h.allergyEvidence(c, drugs)
		if h.cfg.Models != nil {
			if m, ok := h.cfg.Models.ADE(); ok {
				if !notesRead {
					notes, notesRead = h.noteTexts(ctx, c), true
				}
				ev = append(ev, h.noteEvidence(ctx, m, notes, drugs)...)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(ev) > 0 {
			resp.Cards = append(resp.Cards, adeCard(c, mr, label, ev, h.adeSource()))
		}
	}
	return resp, nil
}

func (h *Handler) adeSource() string {
	if h.cfg.Models != nil {
		if m, ok := h.cfg.Models.ADE(); ok {
			return "Osler ADE alert (" + m.Info.String() + ")"
		}
	}
	return "Osler ADE alert (recorded allergies)"
}

// medicationLabel names a MedicationRequest's drug: its codeable concept,
// or the Medication it references (contained, or in the draft bundle).
func medicationLabel(mr *fhir.MedicationRequest, c *callState) string {
	if cc, ok := mr.Medication(c.drafts); ok {
		if l := cc.Label(); l != "" {
			return l
		}
	}
	return mr.MedicationReference.Display
}

// allergyEvidence returns the active allergies and intolerances to the
// drugs or their classes.
func (h *Handler) allergyEvidence(c *callState, drugs []string) []evidence {
	var out []evidence
	for _, a := range c.allergies {
		if !a.Active() {
			continue
		}
		labels := []string{a.Code.Label()}
		for _, r := range a.Reaction {
			if l := r.Substance.Label(); l != "" {
				labels = append(labels, l)
			}
		}
		var recorded []string
		for _, l := range labels {
			recorded = append(recorded, h.drugs.ingredients(l)...)
		}
		drug, how := h.drugs.relation(drugs, recorded)
		if how == "" {
			continue
		}
		severe := a.Criticality == "high"
		for _, r := range a.Reaction {
			severe = severe || r.Severity == "severe"
		}
		out = append(out, evidence{date: day(a.Date()), drug: drug, how: how, allergy: a, severe: severe})
	}
	return out
}

// noteTexts returns the recent notes' texts, newest first.
func (h *Handler) noteTexts(ctx context.Context, c *callState) []source {
	docs := slices.Clone(c.documents)
	slices.SortStableFunc(docs, func(a, b *fhir.DocumentReference) int { return strings.Compare(b.When(), a.When()) })
	if len(docs) > h.cfg.MaxADENotes {
		docs = docs[:h.cfg.MaxADENotes]
	}
	var out []source
	for _, d := range docs {
		if d.Status == "entered-in-error" {
			continue
		}
		if t := h.attachmentsText(ctx, c, d.Content); t != "" {
			title := d.DocumentType.Label()
			if title == "" {
				title = "Note"
			}
			out = append(out, source{kind: "DocumentReference", id: d.ID, title: title, date: day(d.When()), text: t})
		}
	}
	return out
}

// noteEvidence returns note sentences that name a drafted drug or a drug
// of its class and that the classifier flags as an adverse event, newest
// first, at most maxNoteEvidence.
func (h *Handler) noteEvidence(ctx context.Context, m ADEModel, notes []source, drugs []string) []evidence {
	terms := h.drugs.terms(drugs)
	var out []evidence
	var scores []float64
	for i := range notes {
		for _, s := range narrativeSentences(notes[i].text) {
			if ctx.Err() != nil {
				return out
			}
			hit, ok := mentions(s.text, terms)
			if !ok || !h.drugs.narrates(s.text) {
				continue
			}
			scores = m.Model.AppendScores(scores[:0], s.text)
			if m.Label >= len(scores) || scores[m.Label] < m.Threshold {
				continue
			}
			out = append(out, evidence{date: notes[i].date, drug: hit[0], how: hit[1], doc: &notes[i], sentence: s.text, score: scores[m.Label]})
			if len(out) == maxNoteEvidence {
				return out
			}
		}
	}
	return out
}

// mentions returns the first term of terms the sentence names as a word.
// It reads the words as strings.FieldsFunc(strings.ToLower(sentence),
// not a letter) would, without allocating: this runs on every sentence of
// up to 50 notes per call.
func mentions(sentence string, terms map[string][2]string) ([2]string, bool) {
	var buf [64]byte
	word := buf[:0]
	for _, r := range sentence {
		if lr := unicode.ToLower(r); unicode.IsLetter(lr) {
			word = utf8.AppendRune(word, lr)
			continue
		}
		if len(word) > 0 {
			if t, ok := terms[string(word)]; ok {
				return t, true
			}
			word = word[:0]
		}
	}
	if len(word) > 0 {
		if t, ok := terms[string(word)]; ok {
			return t, true
		}
	}
	return [2]string{}, false
}

// adeCard builds the warning card of one drafted medication.
func adeCard(c *callState, mr *fhir.MedicationRequest, label string, ev []evidence, sourceLabel string) api.Card {
	indicator := api.IndicatorWarning
	for _, e := range ev {
		if e.severe {
			indicator = api.IndicatorCritical
		}
	}
	first := ev[0]
	var what string
	if first.allergy != nil {
		what = fmt.Sprintf("recorded allergy to %s (%s)", first.allergy.Code.Label(), first.date)
	} else {
		what = fmt.Sprintf("note of %s describes a reaction to %s", first.date, first.drug)
	}
	if first.how != "same drug" {
		what += ", " + first.how
	}
	drug := clip(label, 48)
	var d strings.Builder
	fmt.Fprintf(&d, "Drafted: **%s**\n\n", md(label))
	for _, e := range ev {
		rel := ""
		if e.how != "same drug" {
			rel = " (" + md(e.how) + ")"
		}
		if e.allergy != nil {
			a := e.allergy
			fmt.Fprintf(&d, "- **Recorded %s** %s: %s%s", md(orDefault(a.AllergyType, "allergy")), md(e.date), md(a.Code.Label()), rel)
			if r := reactions(a); r != "" {
				fmt.Fprintf(&d, "; reaction: %s", md(r))
			}
			if a.Criticality != "" {
				fmt.Fprintf(&d, "; criticality %s", md(a.Criticality))
			}
			d.WriteString("\n")
			continue
		}
		fmt.Fprintf(&d, "- **%s** %s%s, flagged as an adverse drug event (score %.2f):\n  > %s\n", md(e.doc.title), md(e.date), rel, e.score, md(e.sentence))
	}
	remove := "Remove the draft order for " + drug
	card := api.Card{
		UUID:      newUUID(),
		Summary:   clip(drug+": "+what, MaxSummary),
		Detail:    strings.TrimSpace(d.String()),
		Indicator: indicator,
		Source:    api.Source{Label: sourceLabel, Topic: topic("adverse-drug-event", "Adverse drug event")},
		Suggestions: []api.Suggestion{{Label: clip(remove, 80), UUID: newUUID(), IsRecommended: true, Actions: []api.Action{{
			Type: api.ActionDelete, Description: remove, ResourceID: "MedicationRequest/" + mr.ID,
		}}}},
		SelectionBehavior: "at-most-one",
		OverrideReasons:   adeOverrideReasons,
	}
	if c.req.FHIRServer != "" {
		base := strings.TrimRight(c.req.FHIRServer, "/")
		for _, e := range ev {
			if e.allergy != nil {
				card.Links = append(card.Links, api.Link{Label: "Allergy record (" + e.date + ")", URL: base + "/AllergyIntolerance/" + e.allergy.ID, Type: api.LinkAbsolute})
			} else {
				card.Links = append(card.Links, api.Link{Label: clip(e.doc.title+" ("+e.date+")", 80), URL: base + "/DocumentReference/" + e.doc.id, Type: api.LinkAbsolute})
			}
		}
	}
	return card
}

func reactions(a *fhir.AllergyIntolerance) string {
	var out []string
	for _, r := range a.Reaction {
		for _, m := range r.Manifestation {
			if l := m.Label(); l != "" && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, ", ")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
