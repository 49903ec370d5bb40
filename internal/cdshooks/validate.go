package cdshooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/osler-health/osler/api"
)

// CheckResponse checks a service response against the CDS Hooks 2.0
// specification's rules for cards and actions: required fields, allowed
// values, a summary under 140 characters, selectionBehavior with
// suggestions, a display on every override reason, well-formed links and
// actions, unique uuids. It returns every problem found, joined. `osler
// cds call` runs it on the answers of any CDS service; the tests run it
// on every card Osler sends.
func CheckResponse(resp *api.CDSResponse) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if resp.Cards == nil {
		bad(`"cards" is required (an empty array when there is nothing to say)`)
	}
	uuids := map[string]string{}
	seen := func(where, id string) {
		if id == "" {
			return
		}
		if prev, ok := uuids[id]; ok {
			bad("%s.uuid repeats %s.uuid", where, prev)
		}
		uuids[id] = where
	}
	for i, c := range resp.Cards {
		w := fmt.Sprintf("cards[%d]", i)
		seen(w, c.UUID)
		switch n := utf8.RuneCountInString(c.Summary); {
		case n == 0:
			bad("%s.summary is required", w)
		case n >= 140:
			bad("%s.summary has %d characters; the limit is fewer than 140", w, n)
		}
		if c.Indicator != api.IndicatorInfo && c.Indicator != api.IndicatorWarning && c.Indicator != api.IndicatorCritical {
			bad("%s.indicator %q: want info, warning or critical", w, c.Indicator)
		}
		if c.Source.Label == "" {
			bad("%s.source.label is required", w)
		}
		checkURL(&errs, w+".source.url", c.Source.URL, true)
		checkURL(&errs, w+".source.icon", c.Source.Icon, true)
		if t := c.Source.Topic; t != nil && t.Code == "" {
			bad("%s.source.topic.code is required in a Coding", w)
		}
		if len(c.Suggestions) > 0 && c.SelectionBehavior != "at-most-one" && c.SelectionBehavior != "any" {
			bad("%s.selectionBehavior %q: want at-most-one or any when there are suggestions", w, c.SelectionBehavior)
		}
		for j, s := range c.Suggestions {
			sw := fmt.Sprintf("%s.suggestions[%d]", w, j)
			seen(sw, s.UUID)
			if s.Label == "" {
				bad("%s.label is required", sw)
			}
			for k, a := range s.Actions {
				errs = append(errs, checkAction(fmt.Sprintf("%s.actions[%d]", sw, k), a)...)
			}
		}
		for j, r := range c.OverrideReasons {
			if r.Code == "" || r.Display == "" {
				bad("%s.overrideReasons[%d] needs a code and a display", w, j)
			}
		}
		for j, l := range c.Links {
			lw := fmt.Sprintf("%s.links[%d]", w, j)
			if l.Label == "" {
				bad("%s.label is required", lw)
			}
			switch l.Type {
			case api.LinkAbsolute:
				checkURL(&errs, lw+".url", l.URL, false)
				if l.AppContext != "" {
					bad("%s.appContext is only for smart links", lw)
				}
			case api.LinkSmart:
				checkURL(&errs, lw+".url", l.URL, false)
			default:
				bad("%s.type %q: want absolute or smart", lw, l.Type)
			}
		}
	}
	for i, a := range resp.SystemActions {
		errs = append(errs, checkAction(fmt.Sprintf("systemActions[%d]", i), a)...)
	}
	return errors.Join(errs...)
}

func checkAction(where string, a api.Action) []error {
	var errs []error
	if a.Description == "" {
		errs = append(errs, fmt.Errorf("%s.description is required", where))
	}
	switch a.Type {
	case api.ActionCreate, api.ActionUpdate:
		var probe struct {
			ResourceType string `json:"resourceType"`
		}
		if len(a.Resource) == 0 || json.Unmarshal(a.Resource, &probe) != nil || probe.ResourceType == "" {
			errs = append(errs, fmt.Errorf("%s: a %s action needs the whole FHIR resource in resource", where, a.Type))
		}
	case api.ActionDelete:
		if a.ResourceID == "" {
			errs = append(errs, fmt.Errorf("%s: a delete action names the resource in resourceId (Type/id)", where))
		}
	default:
		errs = append(errs, fmt.Errorf("%s.type %q: want create, update or delete", where, a.Type))
	}
	return errs
}

func checkURL(errs *[]error, where, s string, optional bool) {
	if s == "" {
		if !optional {
			*errs = append(*errs, fmt.Errorf("%s is required", where))
		}
		return
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		*errs = append(*errs, fmt.Errorf("%s must be an absolute URL", where))
	}
}
