package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/server"
)

var serveDoc = helpDoc("serve")

// serveGCPercent is the garbage collector's target for osler serve when
// GOGC is not set (measured in docs/BENCHMARKS.md).
const serveGCPercent = 400

// sagemakerModelDir is where the managed service puts a model's files;
// when it exists, osler serve serves it (tests point it elsewhere).
var sagemakerModelDir = "/opt/ml/model"

// serveFlags are osler serve's flags that are not server.Config fields.
type serveFlags struct {
	addr, configFile string
	reg              registryFlags
	tlsCert, tlsKey  string
	cdsTrust         stringList
}

// registerServeFlags binds osler serve's flags, most straight into cfg.
func registerServeFlags(fs *flag.FlagSet, cfg *server.Config) *serveFlags {
	f := &serveFlags{}
	*cfg = server.Config{MaxBody: server.DefaultMaxBody, MaxUpload: server.DefaultMaxUpload, MaxBatch: server.DefaultMaxBatch,
		MaxConcurrency: server.DefaultMaxConcurrency(), Workers: runtime.GOMAXPROCS(0), Timeout: server.DefaultTimeout,
		BodyTimeout: server.DefaultBodyTimeout, DrainTimeout: server.DefaultDrainTimeout, ReloadInterval: server.DefaultReloadInterval, LogFormat: "json"}
	fs.StringVar(&f.addr, "addr", ":8080", "address to listen on, HOST:PORT (\":8080\" is every interface; 127.0.0.1:8080 this machine only)")
	fs.StringVar(&f.reg.home, "home", "", "registry home directory (default $OSLER_HOME, else ~/.osler); with a postgres:// --registry, where the artifacts are")
	fs.StringVar(&f.reg.url, "registry", "", "where the registry's metadata is: a home (a path or sqlite:///path) or a PostgreSQL database shared by replicas, postgres://user:password@host/db (default $OSLER_REGISTRY_URL)")
	fs.StringVar(&f.reg.keyFile, "key-file", "", "file with the master key of an encrypted registry (default $OSLER_MASTER_KEY_FILE or $OSLER_MASTER_KEY)")
	fs.StringVar(&f.reg.artifacts, "artifacts", "", artifactsHelp)
	fs.StringVar(&f.tlsCert, "tls-cert", "", "certificate file (PEM, with the chain) to serve HTTPS; needs --tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key file (PEM) of --tls-cert")
	fs.Var((*server.Pins)(&cfg.Pins), "models", "serve only these registry models, comma-separated: NAME (newest Approved), NAME:latest (newest, any status) or NAME:VERSION")
	fs.StringVar(&cfg.ModelDir, "model-dir", "", "serve the model(s) of this directory instead of the registry's (default /opt/ml/model when it exists)")
	fs.StringVar(&cfg.ModelName, "model-name", "", "name of the model when --model-dir is itself a model (default: the directory's name)")
	fs.StringVar(&cfg.DefaultModel, "default-model", "", "model for requests that name none when several are served")
	fs.Var((*config.ByteSize)(&cfg.MaxBody), "max-body", "largest inference request body (e.g. 512KiB, 4MiB)")
	fs.Var((*config.ByteSize)(&cfg.MaxUpload), "max-upload", "largest admin upload (a model import, sent and unpacked; a dataset)")
	fs.IntVar(&cfg.MaxBatch, "max-batch", cfg.MaxBatch, "most texts in one request")
	fs.IntVar(&cfg.MaxConcurrency, "max-concurrency", cfg.MaxConcurrency, "inference requests handled at once, running or waiting for a worker; more are answered 429 with Retry-After (32 per CPU)")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "model computations at once (one per CPU); more requests wait in a queue bounded by --max-concurrency")
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "longest an inference request may take (504 after)")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "longest the body of an inference request may take to arrive (408 after); it is read before the request takes a --max-concurrency slot")
	fs.DurationVar(&cfg.DrainTimeout, "drain-timeout", cfg.DrainTimeout, "on SIGTERM, how long in-flight requests may take to finish")
	fs.DurationVar(&cfg.ReloadInterval, "reload-interval", cfg.ReloadInterval, "how often the registry is checked for approval changes")
	fs.BoolVar(&f.reg.readOnly, "read-only", false, "open the registry read-only (a read-only volume, a full disk): models and keys are served, approvals, imports and uploads are refused (409), key use and server events are not recorded")
	fs.BoolVar(&cfg.NoAuth, "no-auth", false, "turn API keys OFF: anyone who can reach --addr may call every endpoint, approvals included (local use, or a managed-service container; also $OSLER_NO_AUTH=1)")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log format on stderr: json or text")
	fs.StringVar(&f.configFile, config.FlagConfig, "", `JSON config file; its "cds" section sets the --cds-* flags and --public-url (default: $OSLER_CONFIG); flags override it`)
	fs.Var(&f.cdsTrust, "cds-trust", "accept CDS Hooks calls signed by this EHR: ISSUER=JWKS_URL (repeatable; the JWT's iss and the URL of its public keys)")
	fs.BoolVar(&cfg.CDS.NoAuth, "cds-no-auth", false, "accept CDS Hooks calls WITHOUT a signed JWT (local development only)")
	fs.StringVar(&cfg.CDS.PublicURL, "public-url", "", "base URL EHRs reach this server at, e.g. https://osler.example.org; a CDS JWT's aud must be it plus the path called (default: the listening address)")
	fs.Var((*stringList)(&cfg.CDS.CORSOrigins), "cds-cors-origin", "let web pages of this origin call the CDS services, e.g. https://sandbox.cds-hooks.org (repeatable; exact match)")
	fs.StringVar(&cfg.CDS.RulesFile, "cds-rules", "", "payer coverage rules (JSON or YAML) for the osler-crd service; without it osler-crd is not offered")
	fs.StringVar(&cfg.CDS.SummaryModel, "cds-summary-model", "", "summarizer of osler-note-summary (default: the only summarizer served)")
	fs.StringVar(&cfg.CDS.ADEModel, "cds-ade-model", "", "classifier of osler-ade-alert (default: a served classifier with an adverse-event label)")
	return f
}

// resolveCDS layers the CDS Hooks settings (config file, then flags) and
// OSLER_NO_AUTH, which a managed service's container environment can set
// where it cannot pass flags.
func (m *Main) resolveCDS(fs *flag.FlagSet, f *serveFlags, cfg *server.Config) error {
	file := config.CDS{}
	if err := config.DecodeFileSection(config.FileOrEnv(f.configFile, m.Getenv), config.SectionCDS, &file); err != nil {
		return err
	}
	if given := givenFlags(fs); !given("no-auth") && config.EnvTrue(m.Getenv(config.EnvNoAuth)) {
		cfg.NoAuth = true
	}
	if err := cfg.CDS.Layer(file, f.cdsTrust, givenFlags(fs)); err != nil {
		return usageError{fmt.Errorf("serve: %w", err)}
	}
	if cfg.CDS.NoAuth {
		fmt.Fprintf(m.Stderr, "WARNING: --cds-no-auth: CDS Hooks calls are NOT authenticated. Anyone who can reach %s can call the CDS services\n"+
			"         and make this server read the FHIR servers they name. Local development only.\n", f.addr)
	}
	return nil
}

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet(serveDoc)
	var cfg server.Config
	f := registerServeFlags(fs, &cfg)
	if err := m.parseNoArgs(fs, serveDoc, args, ""); err != nil {
		return err
	}
	if err := m.resolveCDS(fs, f, &cfg); err != nil {
		return err
	}
	s, tlsCfg, err := m.prepareServe(ctx, f, &cfg)
	if err != nil {
		return err
	}
	if cfg.Store != nil {
		defer cfg.Store.Close()
	}
	defer s.Close()
	if m.Getenv("GOGC") == "" {
		// A server's live heap is small: GOGC 400 cuts the collector's CPU
		// and latency tail for a few tens of megabytes.
		defer debug.SetGCPercent(debug.SetGCPercent(serveGCPercent))
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	s.WriteBanner(m.Stderr, ln.Addr(), tlsCfg != nil)
	return s.Serve(ctx, ln, tlsCfg)
}

// prepareServe checks the flags, opens the registry and loads the models.
func (m *Main) prepareServe(ctx context.Context, f *serveFlags, cfg *server.Config) (*server.Server, *tls.Config, error) {
	if cfg.LogFormat != "json" && cfg.LogFormat != "text" {
		return nil, nil, usageError{fmt.Errorf("serve: --log-format %q: want json or text", cfg.LogFormat)}
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return nil, nil, usageError{errors.New("serve: --tls-cert and --tls-key go together")}
	}
	if cfg.MaxBatch < 1 || cfg.MaxConcurrency < 1 || cfg.Workers < 1 || cfg.Timeout <= 0 || cfg.BodyTimeout <= 0 || cfg.DrainTimeout <= 0 || cfg.ReloadInterval <= 0 {
		return nil, nil, usageError{errors.New("serve: --max-batch, --max-concurrency, --workers, --timeout, --body-timeout, --drain-timeout and --reload-interval must be positive")}
	}
	cfg.LogOutput = m.Stderr
	if cfg.ModelDir == "" && len(cfg.Pins) == 0 {
		if st, err := os.Stat(sagemakerModelDir); err == nil && st.IsDir() {
			cfg.ModelDir = sagemakerModelDir
		}
	}
	if cfg.ModelDir != "" && len(cfg.Pins) > 0 {
		return nil, nil, usageError{errors.New("serve: --models picks registry models; it cannot be combined with --model-dir")}
	}
	var tlsCfg *tls.Config
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return nil, nil, fmt.Errorf("serve: TLS certificate %s with key %s: %w", f.tlsCert, f.tlsKey, err)
		}
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	// The registry holds the models (unless a directory is served) and the
	// API keys (unless they are off).
	if cfg.ModelDir == "" || !cfg.NoAuth || f.reg.home != "" || f.reg.url != "" || m.Getenv(config.EnvHome) != "" || m.Getenv(config.EnvRegistryURL) != "" {
		if err := m.openServeRegistry(ctx, f, cfg); err != nil {
			return nil, nil, err
		}
	}
	if cfg.NoAuth {
		fmt.Fprintf(m.Stderr, "WARNING: --no-auth: API keys are OFF. Anyone who can reach %s can call the models and approve or reject versions.\n"+
			"         Use it on a trusted machine only, bound to 127.0.0.1 (--addr 127.0.0.1:PORT).\n", f.addr)
	}
	s, err := server.New(ctx, *cfg)
	if err != nil {
		if cfg.Store != nil {
			cfg.Store.Close()
		}
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	return s, tlsCfg, nil
}

// openServeRegistry opens the registry into cfg.Store; with keys on, it
// must hold a usable one.
func (m *Main) openServeRegistry(ctx context.Context, f *serveFlags, cfg *server.Config) error {
	st, err := f.reg.open(ctx, m, true)
	var nre *registry.NoRegistryError
	switch {
	case errors.As(err, &nre) && cfg.ModelDir == "":
		return fmt.Errorf("serve: no registry at %s: register a model first (osler train classifier ... --register NAME, or osler models register), point --home at a registry, or serve a directory with --model-dir", nre.Home)
	case errors.As(err, &nre):
		return fmt.Errorf("serve: no registry at %s to hold API keys: create a key there (osler keys create --home %s --name NAME --scope predict) or pass --no-auth for local use", nre.Home, nre.Home)
	case err != nil:
		return fmt.Errorf("serve: %w", err)
	}
	if f.reg.readOnly {
		fmt.Fprintf(m.Stderr, "note: --read-only: the registry at %s is not changed; approvals, imports and uploads are refused, key use and server events are not recorded\n", st.Home())
	}
	if !cfg.NoAuth {
		if ok, err := st.HasUsableKey(ctx, time.Now()); err != nil || !ok {
			st.Close()
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			return fmt.Errorf("serve: the registry at %s has no usable API key, so every request would be refused: create one (osler keys create --home %s --name NAME --scope predict) or pass --no-auth for local use", st.Home(), st.Home())
		}
	}
	cfg.Store = st
	return nil
}
