package cdshooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/fhir"
)

// BundleSource answers FHIR reads and the searches of prefetch templates
// from one patient's Bundle, as the EHR's FHIR server would: `osler cds
// call` and the web UI build requests from it, and tests serve it over
// HTTP as a FHIR server ([BundleSource.ServeHTTP]).
//
// Searches support what Osler's templates use, following the
// specification's prefetch restrictions: the patient (patient, subject or
// beneficiary), _id, status and clinical-status (comma-separated values),
// _sort on date (date or -date) and _count. Any other parameter is an
// error rather than silently ignored.
type BundleSource struct {
	resources []fhir.Resource
	patientID string
}

// NewBundleSource reads a patient's Bundle; it must hold exactly one
// Patient.
func NewBundleSource(b *fhir.Bundle) (*BundleSource, error) {
	rs, err := b.Resources()
	if err != nil {
		return nil, err
	}
	s := &BundleSource{resources: rs}
	for _, r := range rs {
		if p, ok := r.(*fhir.Patient); ok {
			if s.patientID != "" {
				return nil, errors.New("the bundle holds more than one Patient; give one patient's bundle")
			}
			s.patientID = p.ID
		}
	}
	if s.patientID == "" {
		return nil, errors.New("the bundle holds no Patient resource")
	}
	return s, nil
}

// PatientID is the id of the bundle's patient.
func (s *BundleSource) PatientID() string { return s.patientID }

// Query answers a relative FHIR URL: a read (Type/id) with the resource, a
// search (Type?params) with a searchset Bundle.
func (s *BundleSource) Query(query string) ([]byte, error) {
	path, rawQuery, search := strings.Cut(query, "?")
	path = strings.Trim(path, "/")
	if !search {
		typ, id, ok := strings.Cut(path, "/")
		if !ok {
			return nil, fmt.Errorf("query %q: want Type/id or Type?params", path)
		}
		for _, r := range s.resources {
			if r.Type() == typ && r.GetID() == id {
				return r.Source(), nil
			}
		}
		return nil, errNotFound
	}
	params, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("query %s: %v", path, err)
	}
	var matched []fhir.Resource
	for _, r := range s.resources {
		if r.Type() != path {
			continue
		}
		ok, err := matches(r, params)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", path, err)
		}
		if ok {
			matched = append(matched, r)
		}
	}
	if err := sortAndCount(&matched, params); err != nil {
		return nil, fmt.Errorf("query %s: %w", path, err)
	}
	return searchset(matched), nil
}

var errNotFound = errors.New("no such resource")

// matches applies a search's filters to one resource.
func matches(r fhir.Resource, params url.Values) (bool, error) {
	for name, values := range params {
		v := strings.Join(values, ",")
		switch name {
		case "_count", "_sort":
		case "patient", "subject", "beneficiary":
			id := strings.TrimPrefix(v, "Patient/")
			if patientOf(r) != id {
				return false, nil
			}
		case "_id":
			if !slices.Contains(strings.Split(v, ","), r.GetID()) {
				return false, nil
			}
		case "status":
			if !slices.Contains(strings.Split(v, ","), statusOf(r)) {
				return false, nil
			}
		case "clinical-status":
			if !slices.Contains(strings.Split(v, ","), clinicalStatusOf(r)) {
				return false, nil
			}
		default:
			return false, fmt.Errorf("search parameter %q is not supported here", name)
		}
	}
	return true, nil
}

func sortAndCount(rs *[]fhir.Resource, params url.Values) error {
	switch s := params.Get("_sort"); s {
	case "":
	case "date", "-date":
		slices.SortStableFunc(*rs, func(a, b fhir.Resource) int {
			c := strings.Compare(resourceDate(a), resourceDate(b))
			if s == "-date" {
				return -c
			}
			return c
		})
	default:
		return fmt.Errorf("_sort=%s is not supported here (date or -date)", s)
	}
	if c := params.Get("_count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return fmt.Errorf("_count=%s: want a number", c)
		}
		if len(*rs) > n {
			*rs = (*rs)[:n]
		}
	}
	return nil
}

// searchset builds a searchset Bundle of resources.
func searchset(rs []fhir.Resource) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"resourceType":"Bundle","type":"searchset","total":%d,"entry":[`, len(rs))
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"fullUrl":`)
		u, _ := json.Marshal(r.Type() + "/" + r.GetID())
		b.Write(u)
		b.WriteString(`,"resource":`)
		b.Write(r.Source())
		b.WriteString(`,"search":{"mode":"match"}}`)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// ServeHTTP serves the bundle as a read-only FHIR server: GET Type/id and
// GET Type?params, relative to the handler's mount point.
func (s *BundleSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "read-only", http.StatusMethodNotAllowed)
		return
	}
	q := strings.TrimPrefix(r.URL.Path, "/")
	if r.URL.RawQuery != "" {
		q += "?" + r.URL.RawQuery
	}
	data, err := s.Query(q)
	switch {
	case errors.Is(err, errNotFound):
		http.Error(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}`, http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported"}]}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.Write(data)
}

// RequestOptions shape a request built from a bundle.
type RequestOptions struct {
	// UserID is context.userId (default Practitioner/osler-cds-client).
	UserID string
	// Orders are the draft orders (FHIR resources) of order-select and
	// order-sign; Selections name the newly selected ones for
	// order-select (default: all of them).
	Orders     []json.RawMessage
	Selections []string
	// FHIRServer and AccessToken are sent as fhirServer and
	// fhirAuthorization when set.
	FHIRServer, AccessToken string
	// NoPrefetch sends no prefetch, so the service must read the FHIR
	// server (or answer 412).
	NoPrefetch bool
	// HookInstance is the call's UUID (default: a new random one).
	HookInstance string
}

// NewRequest builds the request an EHR would send to svc for the bundle's
// patient: the hook's context and the service's prefetch, each template
// answered from the bundle.
func NewRequest(svc api.CDSService, src *BundleSource, opts RequestOptions) (*api.CDSRequest, error) {
	if opts.UserID == "" {
		opts.UserID = "Practitioner/osler-cds-client"
	}
	if opts.HookInstance == "" {
		opts.HookInstance = newUUID()
	}
	hc := api.HookContext{UserID: opts.UserID, PatientID: src.PatientID()}
	if svc.Hook == api.HookOrderSelect || svc.Hook == api.HookOrderSign {
		if len(opts.Orders) == 0 {
			return nil, fmt.Errorf("the %s hook needs at least one draft order", svc.Hook)
		}
		draft, ids, err := draftBundle(opts.Orders, src.PatientID())
		if err != nil {
			return nil, err
		}
		hc.DraftOrders = draft
		if svc.Hook == api.HookOrderSelect {
			hc.Selections = opts.Selections
			if len(hc.Selections) == 0 {
				hc.Selections = ids
			}
		}
	}
	ctxJSON, err := json.Marshal(hc)
	if err != nil {
		return nil, err
	}
	req := &api.CDSRequest{Hook: svc.Hook, HookInstance: opts.HookInstance, Context: ctxJSON, FHIRServer: opts.FHIRServer}
	if opts.AccessToken != "" {
		req.FHIRAuthorization = &api.FHIRAuthorization{AccessToken: opts.AccessToken, TokenType: "Bearer", ExpiresIn: 300,
			Scope:   "user/Patient.read user/Condition.read user/AllergyIntolerance.read user/DocumentReference.read user/DiagnosticReport.read user/Coverage.read",
			Subject: "osler"}
	}
	if opts.NoPrefetch || len(svc.Prefetch) == 0 {
		return req, nil
	}
	values := tokens(hc.UserID, hc.PatientID, hc.EncounterID)
	req.Prefetch = map[string]json.RawMessage{}
	for key, tmpl := range svc.Prefetch {
		q, err := Render(tmpl, values)
		if err != nil {
			continue // the client cannot satisfy it: the key is left out
		}
		data, err := src.Query(q)
		switch {
		case errors.Is(err, errNotFound):
			req.Prefetch[key] = json.RawMessage("null")
		case err != nil:
			return nil, fmt.Errorf("prefetch %q: %w", key, err)
		default:
			req.Prefetch[key] = data
		}
	}
	return req, nil
}

// draftBundle wraps draft orders in a collection Bundle, checking each is
// a FHIR resource with an id, and returns their Type/id.
func draftBundle(orders []json.RawMessage, patientID string) (json.RawMessage, []string, error) {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	var ids []string
	for i, o := range orders {
		r, err := fhir.Parse(o)
		if err != nil {
			return nil, nil, fmt.Errorf("order %d: %w", i+1, err)
		}
		if r.GetID() == "" {
			return nil, nil, fmt.Errorf("order %d (%s) has no id; draft orders need one so cards can name them", i+1, r.Type())
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"resource":`)
		b.Write(o)
		b.WriteString(`}`)
		ids = append(ids, r.Type()+"/"+r.GetID())
	}
	b.WriteString("]}")
	return b.Bytes(), ids, nil
}
