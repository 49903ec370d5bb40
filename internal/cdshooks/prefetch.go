package cdshooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/osler-health/osler/internal/fhir"
)

// tokenRE matches a prefetch token: {{context.patientId}}, {{userPractitionerId}}.
var tokenRE = regexp.MustCompile(`\{\{\s*([A-Za-z][A-Za-z.]*)\s*\}\}`)

// tokens returns the prefetch tokens' values of a hook context: its
// root-level primitive fields and the user identifiers derived from
// context.userId.
func tokens(userID, patientID, encounterID string) map[string]string {
	t := map[string]string{"context.userId": userID, "context.patientId": patientID}
	if encounterID != "" {
		t["context.encounterId"] = encounterID
	}
	if typ, id, ok := strings.Cut(userID, "/"); ok {
		switch typ {
		case "Practitioner":
			t["userPractitionerId"] = id
		case "PractitionerRole":
			t["userPractitionerRoleId"] = id
		case "Patient":
			t["userPatientId"] = id
		case "RelatedPerson":
			t["userRelatedPersonId"] = id
		}
	}
	return t
}

// Render replaces the prefetch tokens of a template. A token without a
// value (an optional context field the client did not send) is an error:
// the query cannot be made.
func Render(template string, values map[string]string) (string, error) {
	var missing string
	out := tokenRE.ReplaceAllStringFunc(template, func(m string) string {
		name := tokenRE.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			if missing == "" {
				missing = name
			}
			return m
		}
		return url.QueryEscape(v)
	})
	if missing != "" {
		return "", fmt.Errorf("prefetch token {{%s}} has no value in this context", missing)
	}
	return out, nil
}

// isOperationOutcome reports whether prefetched JSON is an
// OperationOutcome: the client's way of saying it could not get the data.
func isOperationOutcome(raw json.RawMessage) bool {
	var probe struct {
		ResourceType string `json:"resourceType"`
	}
	return json.Unmarshal(raw, &probe) == nil && probe.ResourceType == "OperationOutcome"
}

// gather reads the data of the service's prefetch templates into c: from
// the request's prefetch, else from the FHIR server. Keys missing from
// the prefetch are read concurrently.
func (h *Handler) gather(ctx context.Context, s *service, c *callState) error {
	serverOK := c.req.FHIRServer != "" && h.cfg.AllowFHIRServer(c.req.FHIRServer)
	if serverOK {
		token := ""
		if c.req.FHIRAuthorization != nil {
			token = c.req.FHIRAuthorization.AccessToken
		}
		c.fhir = &fhir.Client{BaseURL: c.req.FHIRServer, Token: token, HTTP: h.cfg.HTTPClient,
			Timeout: h.cfg.FHIRTimeout, Retries: h.cfg.FHIRRetries, MaxBytes: h.cfg.MaxFHIRBytes}
	}
	values := tokens(c.ctx.UserID, c.ctx.PatientID, c.ctx.EncounterID)
	keys := make([]string, 0, len(s.prefetch))
	for k := range s.prefetch {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for _, key := range keys {
		raw, sent := c.req.Prefetch[key]
		if sent && string(raw) == "null" {
			continue // the client has no data for it
		}
		if sent {
			rs, outcome, err := parsePrefetch(raw)
			if err != nil {
				return badRequest("prefetch.%s: %v", key, err)
			}
			if !outcome {
				c.absorb(rs)
				continue
			}
		}
		required := slices.Contains(s.required, key)
		if c.fhir == nil {
			if !required {
				continue
			}
			why := "the request has no fhirServer to read it from"
			if c.req.FHIRServer != "" {
				why = "its fhirServer is not one this server may read (plain http is allowed only on loopback)"
			}
			return preconditionFailed("prefetch %q was not sent and %s", key, why)
		}
		query, err := Render(s.prefetch[key], values)
		if err != nil {
			return preconditionFailed("prefetch %q: %v", key, err)
		}
		g.Go(func() error {
			rs, err := readQuery(gctx, c.fhir, query)
			if err != nil {
				if !required {
					return nil
				}
				return preconditionFailed("prefetch %q was not sent and reading it from fhirServer failed: %s", key, describeFHIRError(err))
			}
			mu.Lock()
			c.absorb(rs)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if slices.Contains(s.required, "patient") && c.patient == nil {
		return preconditionFailed("the Patient resource of context.patientId is needed and was neither prefetched nor readable")
	}
	return nil
}

// readQuery reads a rendered prefetch query: a read (Type/id) or a search
// (Type?params), following result pages.
func readQuery(ctx context.Context, cl *fhir.Client, query string) ([]fhir.Resource, error) {
	if !strings.Contains(query, "?") {
		data, err := cl.Get(ctx, query)
		if err != nil {
			return nil, err
		}
		r, err := fhir.Parse(data)
		if err != nil {
			return nil, err
		}
		return []fhir.Resource{r}, nil
	}
	b, err := cl.Search(ctx, query, 10)
	if err != nil {
		return nil, err
	}
	return b.Resources()
}

// describeFHIRError says why a FHIR read failed without quoting the
// server's answer, the URL's query (patient ids) or the token.
func describeFHIRError(err error) string {
	var se *fhir.StatusError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("the FHIR server answered HTTP %d", se.StatusCode)
	case errors.Is(err, fhir.ErrTooLarge):
		return "the FHIR server's answer was larger than this server accepts"
	case errors.Is(err, fhir.ErrUnavailable):
		return "the FHIR server could not be reached"
	case errors.Is(err, context.DeadlineExceeded):
		return "the FHIR server did not answer in time"
	}
	return "the FHIR server's answer could not be read"
}

// absorb keeps the resources of the context's patient, dropping any other
// patient's: a prefetch or a FHIR server that returns them must not leak
// them into this patient's cards.
func (c *callState) absorb(rs []fhir.Resource) {
	for _, r := range rs {
		if patientOf(r) != c.ctx.PatientID {
			continue
		}
		switch r := r.(type) {
		case *fhir.Patient:
			c.patient = r
		case *fhir.Condition:
			c.conditions = append(c.conditions, r)
		case *fhir.AllergyIntolerance:
			c.allergies = append(c.allergies, r)
		case *fhir.DocumentReference:
			c.documents = append(c.documents, r)
		case *fhir.DiagnosticReport:
			c.reports = append(c.reports, r)
		case *fhir.Coverage:
			c.coverages = append(c.coverages, r)
		}
	}
}
