package config

import "strings"

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

// EnvNoAuth turns osler serve's API keys off when set to 1 or true, for a
// managed service's container (SageMaker runs `IMAGE serve` and sets only
// environment variables); --no-auth given on the command line wins.
const EnvNoAuth = "OSLER_NO_AUTH"

// EnvTrue reports whether an environment variable's value means true.
func EnvTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// FileOrEnv is the config file to read: the flag's path, else
// $OSLER_CONFIG ("" when neither names one).
func FileOrEnv(flagPath string, getenv func(string) string) string {
	if flagPath != "" {
		return flagPath
	}
	return getenv(EnvConfig)
}
