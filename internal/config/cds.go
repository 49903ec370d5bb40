package config

// CDS is the "cds" section of the config file: the CDS Hooks services of
// osler serve. Flags override it (--cds-trust given on the command line
// replaces the file's list).
type CDS struct {
	// Trust lists the CDS clients (EHRs) whose JWTs are accepted, each
	// "ISSUER=JWKS_URL".
	Trust []string `json:"trust,omitempty"`
	// NoAuth accepts calls without a JWT (local development only).
	NoAuth bool `json:"no_auth,omitempty"`
	// PublicURL is the base URL EHRs call the server at; JWTs' aud is
	// checked against it.
	PublicURL string `json:"public_url,omitempty"`
	// CORSOrigins are the browser origins allowed to call the services.
	CORSOrigins []string `json:"cors_origins,omitempty"`
	// Rules is the payer's coverage rules file for osler-crd.
	Rules string `json:"rules,omitempty"`
	// SummaryModel and ADEModel name the models the services use.
	SummaryModel string `json:"summary_model,omitempty"`
	ADEModel     string `json:"ade_model,omitempty"`
}

// SectionCDS is the config file section of [CDS].
const SectionCDS = "cds"

// EnvConfig names the config file when no --config flag does.
const EnvConfig = "OSLER_CONFIG"
