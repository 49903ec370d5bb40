package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/server"
)

// cdsFiles are the demo's synthetic patient (a penicillin allergy, type 2
// diabetes, three notes, a coverage) and two draft orders for it
// (amoxicillin, a lumbar MRI), used when the Synthea bundles are absent.
//
//go:embed cds/patient.json cds/orders.json
var cdsFiles embed.FS

// demoIssuer is the demo EHR's JWT issuer.
const demoIssuer = "https://demo-ehr.osler.invalid"

// syntheaPatient is the Synthea patient the demo calls the order hooks
// for when the bundles are found: a recorded aspirin allergy.
const syntheaPatient = "patient-cbc86e51-9eca-3855-76ec-c058f72c5761.json"

// syntheaDir finds ../shared/data/synthea_fhir ($OSLER_SHARED, else
// beside the working directory's checkout), or "".
func syntheaDir() string {
	for _, base := range []string{os.Getenv("OSLER_SHARED"), filepath.Join("..", "shared")} {
		if base == "" {
			continue
		}
		dir := filepath.Join(base, "data", "synthea_fhir")
		if _, err := os.Stat(filepath.Join(dir, syntheaPatient)); err == nil {
			return dir
		}
	}
	return ""
}

// cdsHooks shows the approved models inside an EHR's workflow: a test
// EHR (osler cds call) signs CDS Hooks calls to a server that trusts its
// key, for a patient-view and for drafted orders.
func (d *demo) cdsHooks(ctx context.Context) error {
	d.heading("CDS Hooks", "what the EHR shows: the approved models behind patient-view and order-select/order-sign, called with a signed JWT as an EHR would")
	dir := d.path("cds")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"crd-rules.yaml": coverage.ExampleRules}
	for _, name := range []string{"patient.json", "orders.json"} {
		b, err := cdsFiles.ReadFile("cds/" + name)
		if err != nil {
			return err
		}
		files[name] = b
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	key := filepath.Join(dir, "ehr-key.pem")
	if err := d.cmd(ctx, "cds", "keys", "--out", key); err != nil {
		return err
	}
	base, stop, err := d.startCDSServer(ctx, key, filepath.Join(dir, "crd-rules.yaml"))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(d.out, "\n(a CDS server for the demo runs at %s, trusting the key's JWKS as issuer %s)\n", base, demoIssuer)
	call := func(hook, bundle string, extra ...string) error {
		args := append([]string{"cds", "call", "--hook", hook, "--bundle", bundle, "--url", base, "--key", key, "--issuer", demoIssuer}, extra...)
		return d.cmd(ctx, args...)
	}
	patient, orders := filepath.Join(dir, "patient.json"), filepath.Join(dir, "orders.json")
	if err := call("patient-view", patient); err != nil {
		return err
	}
	if err := call("order-sign", patient, "--order", orders); err != nil {
		return err
	}
	synthea := syntheaDir()
	if synthea == "" {
		fmt.Fprintln(d.out, "\n(the Synthea FHIR bundles of ../shared/data/synthea_fhir were not found; set OSLER_SHARED to call the hooks for them too)")
		return nil
	}
	ibuprofen := filepath.Join(dir, "ibuprofen.json")
	order := `{"resourceType":"MedicationRequest","id":"draft-ibuprofen","status":"draft","intent":"order",` +
		`"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197806","display":"Ibuprofen 600 MG Oral Tablet"}],"text":"Ibuprofen 600 MG Oral Tablet"},` +
		`"subject":{"reference":"Patient/cbc86e51-9eca-3855-76ec-c058f72c5761"},"authoredOn":"2026-12-03"}`
	if err := os.WriteFile(ibuprofen, []byte(order), 0o644); err != nil {
		return err
	}
	return call("order-select", filepath.Join(synthea, syntheaPatient), "--order", ibuprofen, "--service", "osler-ade-alert")
}

// startCDSServer serves the demo registry's approved models with CDS
// Hooks on, trusting the JWKS of key, on free loopback ports. stop shuts
// both down.
func (d *demo) startCDSServer(ctx context.Context, keyFile, rules string) (base string, stop func(), err error) {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return "", nil, err
	}
	key, _, err := cdsauth.ReadPrivateKeyPEM(data)
	if err != nil {
		return "", nil, err
	}
	jwks, err := cdsauth.JWKS(key.Public())
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	jln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return "", nil, err
	}
	go cdsauth.ServeJWKS(ctx, jln, jwks)
	st, err := registry.Open(ctx, d.home(), registry.Options{})
	if err != nil {
		cancel()
		return "", nil, err
	}
	s, err := server.New(ctx, server.Config{Store: st, NoAuth: true, LogOutput: io.Discard, CDS: server.CDSConfig{
		Trust: []cdsauth.Trust{{Issuer: demoIssuer, JWKSURL: "http://" + jln.Addr().String() + "/jwks.json"}}, RulesFile: rules}})
	if err != nil {
		cancel()
		st.Close()
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		s.Close()
		st.Close()
		return "", nil, err
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	return server.BaseURL(ln.Addr(), false), func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(d.out, "(the demo's CDS server stopped: %v)\n", err)
		}
		s.Close()
		st.Close()
	}, nil
}
