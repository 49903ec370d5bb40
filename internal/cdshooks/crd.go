package cdshooks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/fhir"
)

func crdService(rules *coverage.Rules) *service {
	payer := rules.Payer.Name
	if payer == "" {
		payer = rules.Payer.ID
	}
	return &service{
		id:    ServiceCRD,
		title: "Osler coverage requirements (" + payer + ")",
		description: "Da Vinci Coverage Requirements Discovery: tells the ordering clinician whether " + payer +
			" needs prior authorization or documentation for a drafted order, as the coverage-information extension " +
			"added to the order, with a card when action is needed. Orders the payer's rules do not name are not flagged.",
		usage: "Answers from the payer rules file configured with osler serve --cds-rules.",
		hooks: []string{api.HookOrderSelect, api.HookOrderSign},
		prefetch: map[string]string{
			"patient":    "Patient/{{context.patientId}}",
			"conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
			"coverage":   "Coverage?patient={{context.patientId}}&status=active",
		},
		required: []string{"patient", "conditions"},
		run: func(h *Handler, ctx context.Context, c *callState) (*api.CDSResponse, error) {
			return h.crd(ctx, rules, c)
		},
	}
}

// crd answers osler-crd: for each drafted order a rule names, a system
// action adding the coverage-information extension, and an info card when
// the order needs prior authorization or documentation.
func (h *Handler) crd(_ context.Context, rules *coverage.Rules, c *callState) (*api.CDSResponse, error) {
	resp := &api.CDSResponse{}
	now := h.cfg.Now()
	covRef := coverageRef(c)
	for _, r := range c.draft {
		order, ok := orderFacts(r, now)
		if !ok {
			continue
		}
		facts := patientFactsAt(c, order.Date)
		decisions := rules.EvaluateAt(order, facts, now)
		if len(decisions) == 0 {
			continue
		}
		d := decisions[0]
		// The order's own insurance first: it is the coverage the
		// clinician is ordering under.
		ref := orderInsurance(r)
		if ref == "" {
			ref = covRef
		}
		label := orderLabel(r)
		if ref == "" {
			// CRD asserts coverage against a Coverage resource: without
			// one there is no extension to add, but the clinician still
			// learns what the payer's rules require.
			if d.NeedsAction() || d.Covered != "covered" {
				resp.Cards = append(resp.Cards, crdCard(rules, d, label, true))
			}
			continue
		}
		updated, err := coverage.AddExtension(r.Source(), d.Extension(ref))
		if err != nil {
			return nil, fmt.Errorf("cdshooks: crd: %s/%s: %w", r.Type(), r.GetID(), err)
		}
		resp.SystemActions = append(resp.SystemActions, api.Action{
			Type:        api.ActionUpdate,
			Description: clip(fmt.Sprintf("Add %s coverage information to the order for %s (%s)", payerName(rules), label, decisionText(d)), 200),
			Resource:    json.RawMessage(updated),
		})
		if d.NeedsAction() {
			resp.Cards = append(resp.Cards, crdCard(rules, d, label, false))
		}
	}
	return resp, nil
}

func payerName(rules *coverage.Rules) string {
	if rules.Payer.Name != "" {
		return rules.Payer.Name
	}
	return rules.Payer.ID
}

// decisionText says a decision in words: "prior authorization needed".
func decisionText(d coverage.Decision) string {
	var parts []string
	switch d.Covered {
	case "not-covered":
		parts = append(parts, "not covered")
	case "conditional":
		parts = append(parts, "coverage conditional")
	case "indeterminate":
		parts = append(parts, "coverage undetermined")
	}
	switch d.PANeeded {
	case "auth-needed":
		parts = append(parts, "prior authorization needed")
	case "performpa":
		parts = append(parts, "prior authorization needed (the performer requests it)")
	case "satisfied":
		parts = append(parts, "prior authorization on file")
	case "conditional":
		parts = append(parts, "prior authorization may be needed")
	case "no-auth":
		parts = append(parts, "no prior authorization needed")
	case "indeterminate":
		parts = append(parts, "prior authorization undetermined")
	}
	var docs []string
	for _, dn := range d.DocNeeded {
		switch dn {
		case "clinical":
			docs = append(docs, "clinical")
		case "admin":
			docs = append(docs, "administrative")
		case "patient":
			docs = append(docs, "patient")
		case "conditional", "indeterminate":
			docs = append(docs, "possibly")
		default:
			docs = append(docs, dn)
		}
	}
	if len(docs) > 0 {
		parts = append(parts, strings.Join(docs, " and ")+" documentation needed")
	}
	if len(parts) == 0 {
		return "covered"
	}
	return strings.Join(parts, "; ")
}

func crdCard(rules *coverage.Rules, d coverage.Decision, label string, noCoverage bool) api.Card {
	var detail strings.Builder
	fmt.Fprintf(&detail, "**%s**: %s.\n\n", md(label), md(decisionText(d)))
	if noCoverage {
		detail.WriteString("The EHR sent no active Coverage for the patient and the order names none, so no coverage assertion was added to the order.\n\n")
	}
	if d.Reason != "" {
		fmt.Fprintf(&detail, "Reason: %s\n\n", md(d.Reason))
	}
	fmt.Fprintf(&detail, "Rule `%s` of %s's coverage rules; coverage assertion %s (%s).", d.Rule.ID, md(payerName(rules)), md(d.AssertionID), md(d.Date))
	card := api.Card{
		UUID:      newUUID(),
		Summary:   clip(label+": "+decisionText(d)+" ("+payerName(rules)+")", MaxSummary),
		Detail:    detail.String(),
		Indicator: api.IndicatorInfo,
		Source:    api.Source{Label: payerName(rules) + " coverage requirements", Topic: topic("coverage-requirements", "Coverage requirements")},
	}
	for i, q := range d.Questionnaires {
		card.Links = append(card.Links, api.Link{Label: fmt.Sprintf("Documentation questionnaire %d", i+1), URL: q, Type: api.LinkAbsolute})
	}
	return card
}

// patientFactsAt are the patient's facts the rules read, at t.
func patientFactsAt(c *callState, t time.Time) coverage.Patient {
	var p coverage.Patient
	if c.patient != nil {
		p.Age, p.AgeKnown = c.patient.Age(t)
		p.Gender = c.patient.Gender
	}
	for _, cond := range c.conditions {
		if !cond.Active() {
			continue
		}
		for _, cd := range cond.Code.Coding {
			p.Diagnoses = append(p.Diagnoses, coverage.Code{System: cd.System, Code: cd.Code})
		}
	}
	return p
}

// orderFacts reads the facts of a draft order the rules match on.
func orderFacts(r fhir.Resource, now time.Time) (coverage.Order, bool) {
	o := coverage.Order{ID: r.GetID(), ResourceType: r.Type()}
	var codes []fhir.Coding
	var authored string
	switch r := r.(type) {
	case *fhir.MedicationRequest:
		codes = r.MedicationCodeableConcept.Coding
		o.Quantity = r.DispenseRequest.Quantity.Value
		authored = r.AuthoredOn
	case *fhir.ServiceRequest:
		codes = r.Code.Coding
		o.Quantity = r.QuantityQuantity.Value
		if len(r.LocationCode) > 0 && len(r.LocationCode[0].Coding) > 0 {
			o.PlaceOfService = r.LocationCode[0].Coding[0].Code
		}
		authored = r.AuthoredOn
	case *fhir.DeviceRequest:
		codes = r.CodeCodeableConcept.Coding
		authored = r.AuthoredOn
	default:
		return o, false
	}
	for _, cd := range codes {
		o.Codes = append(o.Codes, coverage.Code{System: cd.System, Code: cd.Code})
	}
	o.Date = now
	if t, err := fhir.ParseDate(authored); err == nil {
		o.Date = t
	}
	return o, len(o.Codes) > 0
}

// coverageRef names the patient's active coverage ("Coverage/123"), or ""
// when the EHR sent none.
func coverageRef(c *callState) string {
	for _, cv := range c.coverages {
		if cv.Status == "" || cv.Status == "active" {
			return "Coverage/" + cv.ID
		}
	}
	return ""
}

// orderInsurance is the coverage the order itself names, if any.
func orderInsurance(r fhir.Resource) string {
	var ins []fhir.Reference
	switch r := r.(type) {
	case *fhir.MedicationRequest:
		ins = r.Insurance
	case *fhir.ServiceRequest:
		ins = r.Insurance
	case *fhir.DeviceRequest:
		ins = r.Insurance
	}
	if len(ins) > 0 {
		return ins[0].Reference
	}
	return ""
}

// orderLabel names an order's item for a card.
func orderLabel(r fhir.Resource) string {
	var l string
	switch r := r.(type) {
	case *fhir.MedicationRequest:
		l = r.MedicationCodeableConcept.Label()
	case *fhir.ServiceRequest:
		l = r.Code.Label()
	case *fhir.DeviceRequest:
		l = r.CodeCodeableConcept.Label()
	}
	if l == "" {
		l = r.Type() + "/" + r.GetID()
	}
	return clip(l, 60)
}
