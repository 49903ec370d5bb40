package coverage

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Order is what Evaluate needs to know about a drafted order
// (ServiceRequest, MedicationRequest, DeviceRequest, ...), taken from the
// FHIR resource by the caller.
type Order struct {
	ID           string // the resource id
	ResourceType string // "ServiceRequest", "MedicationRequest", ...
	Codes        []Code // the order's codings (code, medicationCodeableConcept, codeCodeableConcept)
	// Quantity is the ordered quantity (MedicationRequest
	// dispenseRequest.quantity, ServiceRequest quantityQuantity,
	// DeviceRequest quantity); nil when the order has none.
	Quantity       *float64
	PlaceOfService string    // CMS place-of-service code, "" when unknown
	Date           time.Time // when the order is to happen (authoredOn or occurrence); informational
}

// Patient is what Evaluate needs to know about the patient.
type Patient struct {
	Age       int    // whole years at the order date; see [AgeAt]
	AgeKnown  bool   // false when the birth date is unknown
	Gender    string // FHIR administrative-gender: male, female, other, unknown; "" when absent
	Diagnoses []Code // the patient's active conditions
}

// Decision is a rule's answer for one order: what the coverage-information
// extension carries. Build the extension with [Decision.Extension].
type Decision struct {
	Rule           *Rule // the rule that matched
	Payer          Payer
	Covered        string   // covered | not-covered | conditional | indeterminate
	PANeeded       string   // no-auth | auth-needed | satisfied | performpa | conditional | indeterminate; "" when absent
	DocNeeded      []string // clinical | admin | patient | conditional | indeterminate
	DocPurpose     []string // withpa | withclaim | withorder | retain-doc | OTH
	InfoNeeded     []string // performer | location | timeframe | contract-window | detail-code | OTH
	Questionnaires []string // Questionnaire canonicals
	Reason         string
	SatisfiedPAID  string
	Details        []Detail
	// AssertionID is the coverage-assertion-id: the payer id, the rule id
	// and a hash of payer, rule, resource type and order id, so the same
	// order always gets the same id ("acme-health-lumbar-mri-3f9a...").
	AssertionID string
	Date        string // the evaluation date, YYYY-MM-DD
}

// NeedsAction reports whether the clinician has something to do or know:
// prior authorization needed (auth-needed, performpa), documentation
// needed, not covered, or any answer conditional or indeterminate. A
// decision without action (covered, no-auth or satisfied) still yields an
// extension, but no card.
func (d Decision) NeedsAction() bool {
	switch {
	case d.Covered != "covered":
		return true
	case d.PANeeded == "auth-needed", d.PANeeded == "performpa", d.PANeeded == "conditional", d.PANeeded == "indeterminate":
		return true
	case len(d.DocNeeded) > 0:
		return true
	}
	return false
}

// Evaluate is EvaluateAt at the current time.
func (r *Rules) Evaluate(order Order, patient Patient) []Decision {
	return r.EvaluateAt(order, patient, time.Now())
}

// EvaluateAt returns the decision of the first rule, in file order, that
// names one of the order's codes and whose conditions all hold; now gives
// the decision's date. It returns nil when no rule applies: the payer's
// file is the authority, and silence means there is nothing to say, so
// the order must not be flagged at all (not even with "no-auth"). It
// returns at most one decision.
func (r *Rules) EvaluateAt(order Order, patient Patient, now time.Time) []Decision {
	for _, rule := range r.Rules {
		if !rule.names(order.Codes) || !rule.When.hold(order, patient) {
			continue
		}
		c := rule.Coverage
		return []Decision{{
			Rule:           rule,
			Payer:          r.Payer,
			Covered:        c.Covered,
			PANeeded:       c.PANeeded,
			DocNeeded:      slices.Clone(c.DocNeeded),
			DocPurpose:     slices.Clone(c.DocPurpose),
			InfoNeeded:     slices.Clone(c.InfoNeeded),
			Questionnaires: slices.Clone(c.Questionnaires),
			Reason:         c.Reason,
			SatisfiedPAID:  c.SatisfiedPAID,
			Details:        slices.Clone(c.Details),
			AssertionID:    AssertionID(r.Payer.ID, rule.ID, order.ResourceType, order.ID),
			Date:           now.Format(time.DateOnly),
		}}
	}
	return nil
}

// AssertionID returns the deterministic coverage-assertion-id for an
// order under a payer's rule.
func AssertionID(payerID, ruleID, resourceType, orderID string) string {
	h := sha256.Sum256([]byte(payerID + "\x00" + ruleID + "\x00" + resourceType + "\x00" + orderID))
	return payerID + "-" + ruleID + "-" + hex.EncodeToString(h[:8])
}

// AgeAt returns the age in whole years on date at of someone born on
// birth (calendar dates; a 29 February birthday counts from 1 March in
// other years).
func AgeAt(birth, at time.Time) int {
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		age--
	}
	return age
}

// names reports whether the rule names one of the codes.
func (rule *Rule) names(codes []Code) bool {
	for _, c := range codes {
		if slices.ContainsFunc(rule.Codes, func(rc Code) bool { return codeEqual(rc, c) }) {
			return true
		}
	}
	return false
}

// hold reports whether all conditions hold. A condition on a fact the
// caller does not know (age, gender, quantity, place of service) does not
// hold: the rule cannot be shown to apply.
func (c Conditions) hold(o Order, p Patient) bool {
	if c.Age != nil && (!p.AgeKnown || !c.Age.contains(float64(p.Age))) {
		return false
	}
	if len(c.Gender) > 0 && !slices.Contains(c.Gender, p.Gender) {
		return false
	}
	if c.Quantity != nil && (o.Quantity == nil || !c.Quantity.contains(*o.Quantity)) {
		return false
	}
	if len(c.PlaceOfService) > 0 && !slices.Contains(c.PlaceOfService, o.PlaceOfService) {
		return false
	}
	if dx := c.Diagnoses; dx != nil {
		if len(dx.Any) > 0 && !anyMatch(dx.Any, p.Diagnoses) {
			return false
		}
		if anyMatch(dx.None, p.Diagnoses) {
			return false
		}
	}
	return true
}

func (r *Range) contains(v float64) bool {
	return (r.Min == nil || v >= *r.Min) && (r.Max == nil || v <= *r.Max)
}

// anyMatch reports whether a diagnosis matches a pattern (exact, or by
// prefix when the pattern ends in "*").
func anyMatch(patterns, diagnoses []Code) bool {
	for _, pat := range patterns {
		for _, dx := range diagnoses {
			if codeMatch(pat, dx) {
				return true
			}
		}
	}
	return false
}

// sameSystem compares a rule's canonical system with a fact's system,
// written in any accepted form.
func sameSystem(ruleSystem, system string) bool {
	s, ok := canonicalSystem(system)
	return ok && s == ruleSystem
}

// codeEqual reports whether two codes are the same concept.
func codeEqual(rule, c Code) bool {
	return sameSystem(rule.System, c.System) && normCode(rule.System, rule.Code) == normCode(rule.System, c.Code)
}

// codeMatch is codeEqual with a trailing "*" in the pattern matching by
// prefix.
func codeMatch(pat, c Code) bool {
	prefix, ok := strings.CutSuffix(pat.Code, "*")
	if !ok {
		return codeEqual(pat, c)
	}
	return sameSystem(pat.System, c.System) && strings.HasPrefix(normCode(pat.System, c.Code), normCode(pat.System, prefix))
}
