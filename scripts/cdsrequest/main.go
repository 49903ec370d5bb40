// Command cdsrequest is part of scripts/bench-cds.sh: it writes the CDS
// Hooks requests an EHR would send to one Osler service for one patient's
// FHIR bundle, built with cdshooks.NewRequest (context, draft orders and
// the service's prefetch answered from the bundle), as JSONL: -n bodies
// that differ only in their hookInstance, for scripts/loadgen -bodies.
//
//	go run ./scripts/cdsrequest -bundle patient.json -service osler-ade-alert -order aspirin -n 64 -out ade.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdshooks"
	"github.com/osler-health/osler/internal/coverage"
)

// orders are the draft orders -order names: a MedicationRequest drafting
// the drug, for the bundle's patient (its id is filled in).
var orders = map[string]string{
	// RxNorm 243670: aspirin 81 MG Oral Tablet.
	"aspirin": `{"resourceType":"MedicationRequest","id":"draft-aspirin","status":"draft","intent":"order",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"243670","display":"aspirin 81 MG Oral Tablet"}],"text":"aspirin 81 MG Oral Tablet"},
		"subject":{"reference":"Patient/%s"}}`,
	// RxNorm 2398842: Ozempic pen, named by docs/examples/crd-rules.yaml,
	// on the patient's Coverage/c1.
	"semaglutide": `{"resourceType":"MedicationRequest","id":"draft-semaglutide","status":"draft","intent":"order",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"2398842","display":"3 ML semaglutide 1.34 MG/ML Pen Injector [Ozempic]"}],"text":"Ozempic 1.34 MG/ML pen"},
		"subject":{"reference":"Patient/%s"},"insurance":[{"reference":"Coverage/c1"}]}`,
}

func main() {
	bundle := flag.String("bundle", "", "the patient's FHIR Bundle (a Synthea file)")
	serviceID := flag.String("service", cdshooks.ServiceADEAlert, "CDS service id")
	hook := flag.String("hook", api.HookOrderSelect, "hook")
	order := flag.String("order", "aspirin", "draft order: aspirin or semaglutide")
	rules := flag.String("rules", "docs/examples/crd-rules.yaml", "payer rules (for osler-crd's discovery entry)")
	n := flag.Int("n", 64, "requests to write (each with its own hookInstance)")
	out := flag.String("out", "", "output JSONL file")
	flag.Parse()
	if err := run(*bundle, *serviceID, *hook, *order, *rules, *n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "cdsrequest:", err)
		os.Exit(1)
	}
}

func run(bundle, serviceID, hook, order, rulesFile string, n int, out string) error {
	tmpl, ok := orders[order]
	if !ok {
		return fmt.Errorf("-order %q: want aspirin or semaglutide", order)
	}
	src, err := cdshooks.ReadBundleFile(bundle)
	if err != nil {
		return err
	}
	cfg := cdshooks.Config{}
	if rulesFile != "" {
		if cfg.Rules, err = coverage.Load(rulesFile); err != nil {
			return err
		}
	}
	h, err := cdshooks.New(cfg)
	if err != nil {
		return err
	}
	var svc *api.CDSService
	for _, s := range h.Discovery().Services {
		if s.ID == serviceID && s.Hook == hook {
			svc = &s
		}
	}
	if svc == nil {
		return fmt.Errorf("no service %s for hook %s", serviceID, hook)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for range n {
		req, err := cdshooks.NewRequest(*svc, src, cdshooks.RequestOptions{
			Orders: []json.RawMessage{json.RawMessage(fmt.Sprintf(tmpl, src.PatientID()))},
		})
		if err != nil {
			return err
		}
		b, err := json.Marshal(req)
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
