package cdshooks

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/fhir"
)

// callState is one service call: the validated request and the patient's
// data the services read.
type callState struct {
	req     *api.CDSRequest
	ctx     api.HookContext
	service *service
	// draft are the draft orders the call concerns: the selections for
	// order-select, every draft for order-sign; drafts are all of the
	// draftOrders bundle's resources (a Medication an order references).
	draft  []fhir.Resource
	drafts []fhir.Resource

	patient    *fhir.Patient
	conditions []*fhir.Condition
	allergies  []*fhir.AllergyIntolerance
	documents  []*fhir.DocumentReference
	reports    []*fhir.DiagnosticReport
	coverages  []*fhir.Coverage
	// fhir reads the EHR's FHIR server; nil when the request lends none.
	fhir *fhir.Client
}

var uuidRE = regexp.MustCompile(`^(urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isUUID(s string) bool { return uuidRE.MatchString(s) }

// fhirID is FHIR's id type: 1 to 64 of [A-Za-z0-9\-\.].
var fhirIDRE = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// userTypes are the resource types a hook's context.userId may name.
var userTypes = map[string][]string{
	api.HookPatientView: {"Practitioner", "PractitionerRole", "Patient", "RelatedPerson"},
	api.HookOrderSelect: {"Practitioner", "PractitionerRole"},
	api.HookOrderSign:   {"Practitioner", "PractitionerRole"},
}

// newCall validates a request for service s: the fields every call has,
// then the context of its hook.
func (h *Handler) newCall(s *service, req *api.CDSRequest) (*callState, error) {
	if req.Hook == "" {
		return nil, badRequest(`"hook" is required`)
	}
	if !slices.Contains(s.hooks, req.Hook) {
		return nil, badRequest("service %s answers %s, not %q", s.id, hooksOf(s), req.Hook)
	}
	if !isUUID(req.HookInstance) {
		return nil, badRequest(`"hookInstance" must be a UUID`)
	}
	if req.FHIRAuthorization != nil {
		if req.FHIRServer == "" {
			return nil, badRequest(`"fhirAuthorization" needs "fhirServer"`)
		}
		a := req.FHIRAuthorization
		if a.AccessToken == "" || !strings.EqualFold(a.TokenType, "Bearer") {
			return nil, badRequest(`"fhirAuthorization" needs "access_token" and "token_type": "Bearer"`)
		}
	}
	if req.FHIRServer != "" {
		u, err := url.Parse(req.FHIRServer)
		if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, badRequest(`"fhirServer" must be an absolute http(s) URL`)
		}
	}
	if len(req.Context) == 0 || req.Context[0] != '{' {
		return nil, badRequest(`"context" is required and must be an object`)
	}
	c := &callState{req: req, service: s}
	if err := json.Unmarshal(req.Context, &c.ctx); err != nil {
		return nil, badRequest("context: %v", fieldError(err))
	}
	if err := h.checkContext(c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkContext checks the context fields of the request's hook.
func (h *Handler) checkContext(c *callState) error {
	hc := &c.ctx
	if hc.UserID == "" {
		return badRequest(`context.userId is required`)
	}
	typ, id, ok := strings.Cut(hc.UserID, "/")
	if !ok || !slices.Contains(userTypes[c.req.Hook], typ) || !fhirIDRE.MatchString(id) {
		return badRequest("context.userId must be %s/<id> for %s", strings.Join(userTypes[c.req.Hook], "/, "), c.req.Hook)
	}
	if !fhirIDRE.MatchString(hc.PatientID) {
		return badRequest(`context.patientId is required: the FHIR id of the patient`)
	}
	if hc.EncounterID != "" && !fhirIDRE.MatchString(hc.EncounterID) {
		return badRequest(`context.encounterId must be a FHIR id`)
	}
	if c.req.Hook == api.HookPatientView {
		return nil
	}
	if len(hc.DraftOrders) == 0 || string(hc.DraftOrders) == "null" {
		return badRequest("context.draftOrders is required for %s: a Bundle of the draft orders", c.req.Hook)
	}
	b, err := fhir.ParseBundle(hc.DraftOrders)
	if err != nil {
		return badRequest("context.draftOrders: %v", err)
	}
	drafts, err := b.Resources()
	if err != nil {
		return badRequest("context.draftOrders: %v", err)
	}
	c.drafts = drafts
	if c.req.Hook == api.HookOrderSign {
		c.draft = drafts
		return nil
	}
	if len(hc.Selections) == 0 {
		return badRequest("context.selections is required for order-select: the ids of the newly selected orders")
	}
	for i, sel := range hc.Selections {
		r := findDraft(drafts, sel)
		if r == nil {
			return badRequest("context.selections[%d] names no resource of context.draftOrders (want ResourceType/id)", i)
		}
		c.draft = append(c.draft, r)
	}
	return nil
}

// findDraft returns the draft order ref ("MedicationRequest/1") names.
func findDraft(drafts []fhir.Resource, ref string) fhir.Resource {
	typ, id, ok := strings.Cut(ref, "/")
	if !ok {
		return nil
	}
	for _, r := range drafts {
		if r.Type() == typ && r.GetID() == id {
			return r
		}
	}
	return nil
}

// fieldError rewords a JSON decoding error without quoting values.
func fieldError(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("field %q must be a %s", te.Field, jsonKind(te.Type.Kind().String()))
	}
	return "not a valid object"
}

// DefaultAllowFHIRServer allows https FHIR servers anywhere and http ones
// only on this machine's loopback interface (tests, a local sandbox):
// patient data and access tokens never cross a network unencrypted.
func DefaultAllowFHIRServer(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}
