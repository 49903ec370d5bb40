package server

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/cdshooks"
	"github.com/osler-health/osler/internal/fhir"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/sharedtest"
)

// cdsPublicURL is the URL the test EHR believes it calls: the server is
// behind a proxy, so a JWT's aud names this, not the test listener.
const cdsPublicURL = "https://osler.test"

const cdsIssuer = "https://ehr.test"

// cdsEnv is a server with CDS Hooks on, trusting one EHR whose JWKS a
// test server on 127.0.0.1 publishes.
type cdsEnv struct {
	*testEnv
	key      crypto.Signer
	jwksURL  string
	jwksHits *int
}

func newCDSEnv(t testing.TB, opts ...func(*Config)) *cdsEnv {
	t.Helper()
	return newCDSEnvAlg(t, "ES384", opts...)
}

// newCDSEnvAlg is newCDSEnv with a client key for alg (ES384 or RS384);
// opts change the server's config.
func newCDSEnvAlg(t testing.TB, alg string, opts ...func(*Config)) *cdsEnv {
	t.Helper()
	key, err := cdsauth.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := cdsauth.JWKS(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	}))
	t.Cleanup(js.Close)
	cfg := Config{CDS: CDSConfig{
		Trust:     []cdsauth.Trust{{Issuer: cdsIssuer, JWKSURL: js.URL + "/jwks.json"}},
		PublicURL: cdsPublicURL,
		RulesFile: filepath.Join("..", "..", "docs", "examples", "crd-rules.yaml"),
	}}
	for _, o := range opts {
		o(&cfg)
	}
	return &cdsEnv{testEnv: newTestEnv(t, envOptions{cfg: cfg}), key: key, jwksURL: js.URL + "/jwks.json", jwksHits: &hits}
}

// token signs a valid JWT for path with the trusted key.
func (e *cdsEnv) token(path string) string {
	e.t.Helper()
	tok, err := cdsauth.Sign(e.key, cdsauth.SignOptions{Issuer: cdsIssuer, Audience: cdsPublicURL + path})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *cdsEnv) cdsDo(method, path, token string, body []byte) (int, []byte) {
	e.t.Helper()
	var hdr []string
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	if token != "" {
		hdr = []string{"Authorization", "Bearer " + token}
	}
	status, _, b := e.do(method, path, ct, "", string(body), hdr...)
	return status, b
}

// TestCDSJWTTable: each forged, stale or misdirected JWT gets a bare 401
// and an audit entry naming the failed check; only the valid one is let
// in.
func TestCDSJWTTable(t *testing.T) {
	e := newCDSEnv(t)
	const path = "/cds-services"
	otherKey, _ := cdsauth.GenerateKey("ES384")
	sign := func(key crypto.Signer, o cdsauth.SignOptions) string {
		if o.Issuer == "" {
			o.Issuer = cdsIssuer
		}
		if o.Audience == "" {
			o.Audience = cdsPublicURL + path
		}
		tok, err := cdsauth.Sign(key, o)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	claims := jwt.MapClaims{"iss": cdsIssuer, "aud": cdsPublicURL + path, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(), "jti": "j-forged"}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(e.key.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	kid, _ := cdsauth.KeyID(e.key.Public())
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	hs.Header["kid"] = kid
	hs256, err := hs.SignedString(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	valid := sign(e.key, cdsauth.SignOptions{})
	cases := []struct {
		name, token, reason string
	}{
		{"valid", valid, ""},
		{"missing header", "", "missing_header"},
		{"alg none", none, "alg_not_allowed"},
		{"HS256 signed with the public key", hs256, "alg_not_allowed"},
		{"wrong aud", sign(e.key, cdsauth.SignOptions{Audience: cdsPublicURL + "/cds-services/osler-crd"}), "bad_audience"},
		{"expired", sign(e.key, cdsauth.SignOptions{Now: time.Now().Add(-10 * time.Minute)}), "expired"},
		{"future iat", sign(e.key, cdsauth.SignOptions{Now: time.Now().Add(10 * time.Minute)}), "issued_in_future"},
		{"unknown iss", sign(e.key, cdsauth.SignOptions{Issuer: "https://evil.test"}), "unknown_issuer"},
		{"unknown kid", sign(otherKey, cdsauth.SignOptions{}), "unknown_kid"},
		{"replayed jti", valid, "replayed_jti"},
		{"jku not the configured JWKS", sign(e.key, cdsauth.SignOptions{JKU: "http://127.0.0.1:9/evil.json"}), "jku_not_allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.cdsDo("GET", path, tc.token, nil)
			if tc.reason == "" {
				if status != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", status, body)
				}
				return
			}
			if status != http.StatusUnauthorized || len(body) != 0 {
				t.Fatalf("status %d body %q, want a bare 401", status, body)
			}
			entries, err := e.store.Audit(context.Background(), registry.AuditQuery{Action: registry.ActionCDSDenied, Limit: 1})
			if err != nil || len(entries) != 1 {
				t.Fatalf("audit: %v %d", err, len(entries))
			}
			var d map[string]string
			json.Unmarshal(entries[0].Details, &d)
			if d["reason"] != tc.reason {
				t.Errorf("audit reason %q, want %q", d["reason"], tc.reason)
			}
			if tc.token != "" && strings.Contains(string(entries[0].Details), tc.token[:20]) {
				t.Error("the audit entry holds the token")
			}
		})
	}
}

// TestCDSOverHTTP: discovery, the three services on a Synthea patient
// with the registry's models, and feedback stored once and audited.
func TestCDSOverHTTP(t *testing.T) {
	e := newCDSEnv(t)
	status, body := e.cdsDo("GET", "/cds-services", e.token("/cds-services"), nil)
	if status != 200 {
		t.Fatalf("discovery: %d %s", status, body)
	}
	var d api.CDSServices
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, s := range d.Services {
		ids[s.ID] = true
	}
	if !ids[cdshooks.ServiceNoteSummary] || !ids[cdshooks.ServiceADEAlert] || !ids[cdshooks.ServiceCRD] || len(ids) != 3 {
		t.Fatalf("discovery lists %v", ids)
	}
	data, err := os.ReadFile(sharedtest.Path(t, "data", "synthea_fhir", "patient-cbc86e51-9eca-3855-76ec-c058f72c5761.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := fhir.ParseBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	src, err := cdshooks.NewBundleSource(b)
	if err != nil {
		t.Fatal(err)
	}
	order := json.RawMessage(`{"resourceType":"MedicationRequest","id":"o1","status":"draft","intent":"order",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"2398842","display":"Ozempic pen"}],"text":"aspirin 81 MG Oral Tablet"},
		"subject":{"reference":"Patient/cbc86e51-9eca-3855-76ec-c058f72c5761"},"insurance":[{"reference":"Coverage/c1"}]}`)
	var adeCard api.Card
	for _, s := range d.Services {
		req, err := cdshooks.NewRequest(s, src, cdshooks.RequestOptions{Orders: []json.RawMessage{order}})
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := json.Marshal(req)
		path := "/cds-services/" + s.ID
		status, body := e.cdsDo("POST", path, e.token(path), rb)
		if status != 200 {
			t.Fatalf("%s %s: %d %s", s.ID, s.Hook, status, body)
		}
		var resp api.CDSResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		if err := cdshooks.CheckResponse(&resp); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
		switch s.ID {
		case cdshooks.ServiceNoteSummary:
			if len(resp.Cards) != 1 || !strings.Contains(resp.Cards[0].Source.Label, "rad v1") {
				t.Errorf("note summary: %s", body)
			}
		case cdshooks.ServiceADEAlert:
			if len(resp.Cards) != 1 || !strings.Contains(resp.Cards[0].Source.Label, "ade v1") {
				t.Fatalf("ADE alert: %s", body)
			}
			adeCard = resp.Cards[0]
		case cdshooks.ServiceCRD:
			if len(resp.SystemActions) != 1 || !strings.Contains(string(resp.SystemActions[0].Resource), "ext-coverage-information") {
				t.Errorf("CRD: %s", body)
			}
		}
	}
	// Feedback: stored once however often sent, in the audit log without
	// the user's comment.
	fb := `{"feedback":[{"card":"` + adeCard.UUID + `","outcome":"overridden","overrideReason":{"reason":{"system":"` + cdshooks.OverrideSystem +
		`","code":"not-allergy"},"userComment":"Sumiko says it was a rash"},"outcomeTimestamp":"2026-12-03T10:00:00Z"}]}`
	path := "/cds-services/osler-ade-alert/feedback"
	for i, want := range []string{`{"stored":1}`, `{"stored":0}`} {
		status, body := e.cdsDo("POST", path, e.token(path), []byte(fb))
		if status != 200 || strings.TrimSpace(string(body)) != want {
			t.Fatalf("feedback %d: %d %s, want %s", i, status, body, want)
		}
	}
	rows, err := e.store.CDSFeedback(context.Background(), registry.CDSFeedbackQuery{Card: adeCard.UUID})
	if err != nil || len(rows) != 1 || rows[0].Client != cdsIssuer || rows[0].OverrideCode != "not-allergy" || !rows[0].HasComment {
		t.Fatalf("stored feedback %+v, %v", rows, err)
	}
	status, _, audit := e.do("GET", "/v1/audit?action=cds.", "", e.adminKey, "")
	if status != 200 || !bytes.Contains(audit, []byte(adeCard.UUID)) || bytes.Contains(audit, []byte("Sumiko")) {
		t.Errorf("audit log: %d %s", status, audit)
	}
	// An unsigned call is refused even with a valid API key.
	if status, _, _ := e.do("GET", "/cds-services", "", e.predictKey, ""); status != http.StatusUnauthorized {
		t.Errorf("an API key opened the CDS services: %d", status)
	}
}

// TestCDSCORS: browser preflights from an allowed origin are answered,
// others refused; answers carry the origin only when it is allowed.
func TestCDSCORS(t *testing.T) {
	e := newTestEnv(t, envOptions{cfg: Config{CDS: CDSConfig{NoAuth: true, CORSOrigins: []string{"https://sandbox.cds-hooks.org"}}}})
	pre := func(origin string) (int, http.Header) {
		status, h, _ := e.do("OPTIONS", "/cds-services/osler-ade-alert", "", "", "", "Origin", origin,
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type")
		return status, h
	}
	status, h := pre("https://sandbox.cds-hooks.org")
	if status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://sandbox.cds-hooks.org" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("allowed preflight: %d %v", status, h)
	}
	if status, h := pre("https://evil.example"); status != http.StatusForbidden || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin's preflight: %d %v", status, h)
	}
	_, h, _ = e.do("GET", "/cds-services", "", "", "", "Origin", "https://sandbox.cds-hooks.org")
	if h.Get("Access-Control-Allow-Origin") != "https://sandbox.cds-hooks.org" {
		t.Errorf("discovery answer lacks the allowed origin: %v", h)
	}
	_, h, _ = e.do("GET", "/cds-services", "", "", "", "Origin", "https://evil.example")
	if h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an unlisted origin was allowed: %v", h)
	}
	if _, h, _ := e.do("GET", "/v1/models", "", e.predictKey, "", "Origin", "https://sandbox.cds-hooks.org"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS leaked onto the REST API")
	}
}
