package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdsauth"
	"github.com/osler-health/osler/internal/cdshooks"
	"github.com/osler-health/osler/internal/jsonstr"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/version"
)

// Config configures a [Server]. Zero values mean the defaults documented
// on each field.
type Config struct {
	// Store is the registry: the models to serve (unless ModelDir is
	// set), API keys, approvals, datasets and the audit log. It may be nil
	// only with ModelDir and NoAuth. The caller closes it after
	// [Server.Serve] returns.
	Store *registry.Store
	// ModelDir serves the models of this directory instead of the
	// registry's (the managed service's /opt/ml/model): the directory is
	// a model, or each subdirectory is one.
	ModelDir string
	// ModelName names the model when ModelDir is itself a model (default:
	// the directory's base name).
	ModelName string
	// Pins restricts the registry's models to these, and may pin
	// versions; nil serves the newest Approved version of every model.
	Pins []Pin
	// DefaultModel is the model /invocations and /v1 use when a request
	// names none; with one model loaded it is that one.
	DefaultModel string
	// NoAuth turns API keys off: anyone who can reach the port may call
	// every endpoint, approvals included. For local use only.
	NoAuth bool
	// KeyCacheAge is how long a verified API key is trusted without a
	// database read (default 1 s): a key revoked with osler keys revoke
	// stops working on a running server within this time. Every use is
	// still counted in the audit log.
	KeyCacheAge time.Duration
	// MaxBody bounds inference request bodies (default 1 MiB).
	MaxBody int64
	// MaxUpload bounds admin uploads: model imports (the bytes sent, and
	// the artifact once unpacked) and datasets (default 2 GiB).
	MaxUpload int64
	// BodyTimeout bounds the time to receive an inference request's body
	// (default 10 s, 100 KiB/s for a body of MaxBody). The body is read
	// before the request takes a concurrency slot, so a client sending it
	// slowly holds only its own connection; when the time runs out it is
	// answered 408 and the connection is closed.
	BodyTimeout time.Duration
	// MaxBatch bounds the texts of one request (default 1000).
	MaxBatch int
	// Timeout bounds each inference request (default 60 s, the managed
	// service's limit).
	Timeout time.Duration
	// MaxConcurrency bounds the inference requests handled at once,
	// running or waiting for a worker; the next one is answered 429 with
	// Retry-After at once rather than queued (default 32 per CPU).
	MaxConcurrency int
	// Workers bounds the model computations running at once (default:
	// one per CPU). Requests beyond it wait in a FIFO queue inside the
	// concurrency limit, so an overload shows there (and is refused)
	// rather than in the Go scheduler's run queue, where no limit sees it.
	Workers int
	// ReloadInterval is how often the registry is polled for approval
	// changes (default 1 s).
	ReloadInterval time.Duration
	// DrainTimeout bounds the wait for in-flight requests at shutdown
	// (default 25 s: the managed service kills 30 s after SIGTERM).
	DrainTimeout time.Duration
	// LogOutput receives the structured logs (default os.Stderr is set by
	// the command; nil discards them). LogFormat is "json" (default) or
	// "text".
	LogOutput io.Writer
	LogFormat string
	// CDS configures the CDS Hooks services under /cds-services.
	CDS CDSConfig
}

// Defaults of [Config].
const (
	DefaultMaxBody        = 1 << 20
	DefaultMaxUpload      = 2 << 30
	DefaultMaxBatch       = 1000
	DefaultBodyTimeout    = 10 * time.Second
	DefaultTimeout        = 60 * time.Second
	DefaultReloadInterval = time.Second
	DefaultDrainTimeout   = 25 * time.Second
)

// DefaultMaxConcurrency is the default concurrency limit: 32 requests per
// CPU. Classification is CPU-bound and takes well under a millisecond, so
// more requests in flight than that only add queueing delay.
func DefaultMaxConcurrency() int { return 32 * runtime.GOMAXPROCS(0) }

func (c *Config) withDefaults() {
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxUpload <= 0 {
		c.MaxUpload = DefaultMaxUpload
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.BodyTimeout <= 0 {
		c.BodyTimeout = DefaultBodyTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxConcurrency <= 0 {
		c.MaxConcurrency = DefaultMaxConcurrency()
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.ReloadInterval <= 0 {
		c.ReloadInterval = DefaultReloadInterval
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.LogOutput == nil {
		c.LogOutput = io.Discard
	}
}

// Server answers Osler's REST API, the managed service's container
// contract, /metrics and the web UI from one http.Handler.
type Server struct {
	cfg      Config
	models   atomic.Pointer[modelSet]
	reloadMu sync.Mutex
	metrics  *serverMetrics
	log      *slog.Logger
	logw     *logWriter
	sem      chan struct{}
	workers  chan struct{}
	handler  http.Handler
	draining atomic.Bool
	keys     *registry.AuthCache
	cds      *cdshooks.Handler
	cdsAuth  *cdsauth.Verifier

	idPrefix string
	idSeq    atomic.Uint64
}

// New builds a server and loads its models: from cfg.ModelDir, or the
// registry's versions to serve. A registry model that fails to load is
// reported (logs, /v1/models, /metrics) and does not stop the server;
// a model directory that fails to load does.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg.withDefaults()
	if cfg.Store == nil && (cfg.ModelDir == "" || !cfg.NoAuth) {
		return nil, errors.New("server: a registry is needed for API keys (or serve a model directory with --no-auth)")
	}
	if cfg.ModelDir != "" && len(cfg.Pins) > 0 {
		return nil, errors.New("server: --models pins registry models; it does not apply to a model directory")
	}
	if cfg.LogFormat != "" && cfg.LogFormat != "json" && cfg.LogFormat != "text" {
		return nil, fmt.Errorf("server: log format %q: want json or text", cfg.LogFormat)
	}
	s := &Server{cfg: cfg, metrics: newServerMetrics(), sem: make(chan struct{}, cfg.MaxConcurrency), workers: make(chan struct{}, cfg.Workers)}
	s.log, s.logw = newLogger(cfg.LogOutput, cfg.LogFormat)
	var pfx [4]byte
	rand.Read(pfx[:])
	s.idPrefix = hex.EncodeToString(pfx[:]) + "-"
	s.models.Store(newModelSet(nil, nil, 0, ""))
	if cfg.NoAuth {
		s.log.Warn("API keys are off (--no-auth): anyone who can reach the port may call every endpoint, approvals included")
	}
	if cfg.Store != nil {
		s.keys = cfg.Store.NewAuthCache(cfg.KeyCacheAge)
	}
	if err := s.setupCDS(); err != nil {
		s.logw.Close()
		return nil, err
	}
	if cfg.ModelDir != "" {
		set, err := s.loadDir(cfg.ModelDir, cfg.ModelName)
		if err != nil {
			s.logw.Close()
			return nil, err
		}
		s.models.Store(set)
	} else if err := s.Reload(ctx); err != nil {
		s.logw.Close()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Models returns the names of the loaded models.
func (s *Server) Models() []string { return append([]string(nil), s.models.Load().names...) }

// DefaultModel returns the model requests without a model name go to ("" when
// there is none).
func (s *Server) DefaultModel() string { return s.models.Load().def }

// ModelKind returns the kind of a loaded model ("" when it is not loaded).
func (s *Server) ModelKind(name string) registry.Kind {
	if m := s.models.Load().get(name); m != nil {
		return m.kind
	}
	return ""
}

// Watch reloads the model set whenever the registry changes, until ctx is
// done. [Server.Serve] runs it; call it yourself when using
// [Server.Handler] directly.
func (s *Server) Watch(ctx context.Context) {
	if s.cfg.ModelDir != "" || s.cfg.Store == nil {
		<-ctx.Done()
		return
	}
	s.watch(ctx)
}

// ListenAndServe listens on addr and serves until ctx is done (see
// [Server.Serve]). With tlsConfig it serves HTTPS.
func (s *Server) ListenAndServe(ctx context.Context, addr string, tlsConfig *tls.Config) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return s.Serve(ctx, ln, tlsConfig)
}

// Serve answers requests on ln (over TLS when tlsConfig is set) and
// reloads models as the registry changes, until ctx is done. Then it
// drains: it stops accepting connections, lets in-flight requests finish
// (up to DrainTimeout; /ping answers 503 meanwhile), flushes the logs and
// returns. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsConfig *tls.Config) error {
	if s.cfg.CDS.PublicURL == "" {
		// Set before the first request, so handlers read it unlocked.
		s.cfg.CDS.PublicURL = BaseURL(ln.Addr(), tlsConfig != nil)
	}
	errLog := slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.Timeout + 30*time.Second,
		WriteTimeout:      s.cfg.Timeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errLog,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if tlsConfig != nil {
		hs.TLSConfig = tlsConfig.Clone()
		scheme = "https"
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Watch(watchCtx)
	}()
	set := s.models.Load()
	s.log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("scheme", scheme), slog.Bool("auth", !s.cfg.NoAuth),
		slog.Int("models", len(set.names)), slog.String("default_model", set.def), slog.String("version", version.Version),
		slog.Int("max_concurrency", s.cfg.MaxConcurrency), slog.Int64("max_body", s.cfg.MaxBody), slog.Float64("timeout_s", s.cfg.Timeout.Seconds()))
	s.audit(ctx, "server.start", map[string]any{"addr": ln.Addr().String(), "tls": tlsConfig != nil, "auth": !s.cfg.NoAuth, "models": set.names})

	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- hs.ServeTLS(ln, "", "") // certificates come from TLSConfig
			return
		}
		serveErr <- hs.Serve(ln)
	}()
	var err error
	select {
	case err = <-serveErr:
		// the listener failed
		stopWatch()
		wg.Wait()
		s.logw.Close()
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	inFlight := s.metrics.inFlight.Load()
	s.log.Info("draining", slog.Int64("in_flight", inFlight), slog.Float64("deadline_s", s.cfg.DrainTimeout.Seconds()))
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.DrainTimeout)
	defer cancel()
	if err = hs.Shutdown(dctx); err != nil {
		s.log.Warn("drain deadline passed; closing the remaining connections", slog.Int64("in_flight", s.metrics.inFlight.Load()))
		hs.Close()
	}
	<-serveErr
	stopWatch()
	wg.Wait()
	s.audit(context.WithoutCancel(ctx), "server.stop", map[string]any{"drained": err == nil})
	s.log.Info("stopped")
	s.logw.Close()
	return nil
}

// Close releases what New started (the log flusher) when the server is
// used through [Server.Handler] without [Server.Serve].
func (s *Server) Close() { s.logw.Close() }

// audit records a server event in the registry's audit log, when there is
// a registry.
func (s *Server) audit(ctx context.Context, action string, details map[string]any) {
	if s.cfg.Store == nil || s.cfg.Store.ReadOnly() {
		return
	}
	if err := s.cfg.Store.RecordAudit(ctx, "server", action, "", details); err != nil {
		s.log.Warn("audit log write failed", slog.String("action", action), slog.String("error", err.Error()))
	}
}

// endpoint is one method of one route.
type endpoint struct {
	method string
	// name labels the route in metrics and logs.
	name string
	// scope is the API key scope needed ("" for open endpoints).
	scope registry.Scope
	// limited endpoints count against the concurrency limit and get the
	// per-request timeout.
	limited bool
	// cds endpoints authenticate the EHR by its signed JWT (CDS Hooks)
	// instead of an API key.
	cds bool
	// cdsBody endpoints take patient bundles: their body is bounded by
	// CDS.MaxBody rather than MaxBody.
	cdsBody bool
	fn      func(s *Server, c *call)
	metrics *routeMetrics
}

// call is one request being handled. It is the handler's ResponseWriter,
// recording the status and size for the metrics and the access log.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	status  int
	written int64
	key     *registry.Key
	// cdsClient is the verified CDS client (its JWT issuer).
	cdsClient string
	entry     accessEntry
	body      *bytes.Buffer
	// deadline ends an inference request (zero: none); workCtx is ctx
	// with that deadline, made on first use (classification checks the
	// clock instead, which costs less than a timer per request).
	deadline time.Time
	workCtx  context.Context
	cancel   context.CancelFunc
}

// work returns the request's context bounded by its deadline, for model
// calls that take a context.
func (c *call) work() context.Context {
	if c.workCtx == nil {
		if c.deadline.IsZero() {
			c.workCtx = c.ctx
		} else {
			c.workCtx, c.cancel = context.WithDeadline(c.ctx, c.deadline)
		}
	}
	return c.workCtx
}

// expired reports whether the request ran out of time or its client left.
func (c *call) expired() bool {
	return c.ctx.Err() != nil || !c.deadline.IsZero() && time.Now().After(c.deadline)
}

func (c *call) Header() http.Header { return c.w.Header() }

func (c *call) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
		c.w.WriteHeader(code)
	}
}

func (c *call) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.w.Write(b)
	c.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (c *call) Unwrap() http.ResponseWriter { return c.w }

var (
	hdrJSON    = []string{"application/json"}
	hdrNoStore = []string{"no-store"}
	hdrNosniff = []string{"nosniff"}
)

// writeJSON answers with v encoded by encoding/json.
func (c *call) writeJSON(status int, v any) {
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		c.fail(http.StatusInternalServerError, api.CodeInternal, "encoding the answer failed")
		return
	}
	c.writeBytes(status, hdrJSON, buf.Bytes())
}

// writeBytes answers with b as is.
func (c *call) writeBytes(status int, contentType []string, b []byte) {
	h := c.w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	c.WriteHeader(status)
	c.Write(b)
}

// fail answers with an api.ErrorResponse.
func (c *call) fail(status int, code, msg string) {
	c.entry.errCode = code
	if c.status != 0 {
		return // already answering
	}
	buf := getBuffer()
	defer putBuffer(buf)
	buf.WriteString(`{"error":{"code":`)
	appendJSONString(buf, code)
	buf.WriteString(`,"message":`)
	appendJSONString(buf, msg)
	buf.WriteString(`,"request_id":`)
	appendJSONString(buf, c.entry.id)
	buf.WriteString("}}\n")
	c.writeBytes(status, hdrJSON, buf.Bytes())
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // let an outsized buffer go
	}
	b.Reset()
	bufPool.Put(b)
}

// serve runs one endpoint: request id, recovery, concurrency limit,
// authentication, timeout, then the handler; metrics and the access log
// at the end.
func (s *Server) serve(ep *endpoint, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{w: w, r: r, ctx: r.Context()}
	c.entry.id = s.requestID(r)
	c.entry.method = r.Method
	c.entry.route = ep.name
	h := w.Header()
	h["X-Request-Id"] = []string{c.entry.id}
	h["X-Content-Type-Options"] = hdrNosniff
	h["Cache-Control"] = hdrNoStore
	s.metrics.inFlight.Add(1)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			// The stack names functions and files, never request text.
			s.log.Error("handler panic", slog.String("request_id", c.entry.id), slog.String("route", ep.name),
				slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			c.fail(http.StatusInternalServerError, api.CodeInternal, "internal error; quote the request id when reporting it")
		}
		if c.body != nil {
			putBuffer(c.body)
		}
		if c.cancel != nil {
			c.cancel()
		}
		s.metrics.inFlight.Add(-1)
		status := c.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		if status >= 100 && status < 600 {
			ep.metrics.codes[status-100].Add(1)
		}
		ep.metrics.latency.observe(d)
		c.entry.status, c.entry.duration, c.entry.bytesOut = status, d, c.written
		if r.ContentLength > 0 {
			c.entry.bytesIn = r.ContentLength
		}
		s.logAccess(c.ctx, &c.entry)
	}()
	// The key is checked before a slot is taken: a flood of requests
	// without a valid key is answered 401 and never crowds out the
	// clients that have one.
	if ep.scope != "" && !s.authenticate(c, ep.scope) {
		return
	}
	if ep.cds && !s.authenticateCDS(c) {
		return
	}
	if ep.limited {
		// The body is read before a slot is taken, under its own
		// deadline: a client that trickles it holds its connection, not
		// a slot the valid requests need.
		limit := s.cfg.MaxBody
		if ep.cds || ep.cdsBody {
			limit = s.cfg.CDS.MaxBody
		}
		if !c.readBodyWithin(limit, s.cfg.BodyTimeout) {
			return
		}
		select {
		case s.sem <- struct{}{}:
			defer func() { <-s.sem }()
		default:
			s.metrics.rejected.Add(1)
			h["Retry-After"] = []string{"1"}
			c.fail(http.StatusTooManyRequests, api.CodeOverloaded,
				fmt.Sprintf("the server is handling its limit of %d requests; retry after 1 second", s.cfg.MaxConcurrency))
			return
		}
		c.deadline = start.Add(s.cfg.Timeout)
	}
	ep.fn(s, c)
}

// acquireWorker takes one of the model workers, waiting in FIFO order
// when all are busy. Waiting here, inside the concurrency limit, is what
// lets the limit see an overload: a fast CPU-bound model would otherwise
// leave the backlog in the Go scheduler's run queue, before any handler
// runs. It answers 504 when the request's time runs out while waiting.
func (s *Server) acquireWorker(c *call) bool {
	select {
	case s.workers <- struct{}{}:
		return true
	default:
	}
	s.metrics.waiting.Add(1)
	defer s.metrics.waiting.Add(-1)
	t := time.NewTimer(time.Until(c.deadline))
	defer t.Stop()
	select {
	case s.workers <- struct{}{}:
		return true
	case <-t.C:
		c.fail(http.StatusGatewayTimeout, api.CodeTimeout, fmt.Sprintf("no model worker was free within the server's %s limit (--timeout)", s.cfg.Timeout))
	case <-c.ctx.Done():
		c.fail(http.StatusServiceUnavailable, api.CodeTimeout, "the request was cancelled while waiting for a model worker")
	}
	return false
}

func (s *Server) releaseWorker() { <-s.workers }

// requestID takes the client's X-Request-Id when it is a sane token, or
// makes one.
func (s *Server) requestID(r *http.Request) string {
	if v := r.Header["X-Request-Id"]; len(v) == 1 && validRequestID(v[0]) {
		return v[0]
	}
	var b [32]byte
	out := append(b[:0], s.idPrefix...)
	out = strconv.AppendUint(out, s.idSeq.Add(1), 36)
	return string(out)
}

func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// readBodyWithin reads the body as readBody does, with a read deadline
// of timeout on the connection; when the time runs out it answers 408 and
// leaves the deadline passed, so the connection is closed rather than
// read further.
func (c *call) readBodyWithin(limit int64, timeout time.Duration) bool {
	rc := http.NewResponseController(c.w)
	bounded := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
	if _, ok := c.readBody(limit); !ok {
		if c.status == http.StatusRequestTimeout {
			c.w.Header()["Connection"] = []string{"close"}
		}
		return false
	}
	if bounded {
		// The request is read; the handler's own deadline bounds the
		// rest. No read deadline while it runs, or net/http's check for
		// a vanished client would cancel it when this one passed.
		rc.SetReadDeadline(time.Time{})
	}
	return true
}

// readBody reads the request body up to limit bytes into a pooled buffer
// (released when the call ends); over the limit it answers 413, and 408
// when a read deadline passes. A body already read (by readBodyWithin) is
// returned as it is.
func (c *call) readBody(limit int64) ([]byte, bool) {
	if c.body != nil {
		return c.body.Bytes(), true
	}
	if c.r.ContentLength > limit {
		c.fail(http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("the body (%d bytes) is larger than the server's limit of %d bytes (--max-body)", c.r.ContentLength, limit))
		return nil, false
	}
	c.body = getBuffer()
	_, err := c.body.ReadFrom(http.MaxBytesReader(c.w, c.r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.fail(http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, fmt.Sprintf("the body is larger than the server's limit of %d bytes (--max-body)", limit))
			return nil, false
		}
		var ne net.Error
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			c.fail(http.StatusRequestTimeout, api.CodeTimeout, "the body did not arrive in time (the server's --body-timeout): send it at once")
			return nil, false
		}
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "reading the body failed: "+safeIOError(err))
		return nil, false
	}
	c.entry.bytesIn = int64(c.body.Len())
	return c.body.Bytes(), true
}

// safeIOError describes a body read error without its data.
func safeIOError(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed before the end of the body"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "the request was cancelled"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out reading the body"
	}
	return "I/O error"
}

// appendJSONString writes s as a JSON string. Like encoding/json it
// escapes <, > and & too, so answers are safe to embed in HTML.
func appendJSONString(buf *bytes.Buffer, s string) {
	buf.Write(jsonstr.AppendHTMLSafe(buf.AvailableBuffer(), s))
}

// BaseURL is the URL a client on this machine uses for a server listening
// on addr: an unspecified host (":8080") reads as 127.0.0.1.
func BaseURL(addr net.Addr, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// WriteBanner tells the user where the server listens and what it serves.
func (s *Server) WriteBanner(w io.Writer, addr net.Addr, tls bool) {
	names := s.Models()
	def := s.DefaultModel()
	base := BaseURL(addr, tls)
	fmt.Fprintf(w, "osler serve: listening on %s (web UI at %s/)\n", base, base)
	switch {
	case len(names) == 0:
		fmt.Fprintln(w, "osler serve: no model is loaded yet (/ping answers 503): approve a version with osler models approve NAME:VERSION")
	default:
		fmt.Fprintf(w, "osler serve: serving %s", strings.Join(names, ", "))
		if def != "" && len(names) > 1 {
			fmt.Fprintf(w, " (default %s)", def)
		}
		fmt.Fprintln(w)
	}
}
