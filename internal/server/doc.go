// Package server is `osler serve`: one net/http handler that answers
// Osler's REST API (package api), the managed service's inference
// container contract (GET /ping, POST /invocations), Prometheus metrics at
// /metrics, the OpenAPI document at /openapi.json and the embedded web UI
// at /. The UI's CDS Hooks page (/#/cds) shows the cards of the CDS
// services for a patient's FHIR Bundle read in the browser, through POST
// /v1/cds/preview, which builds the EHR's request from the bundle and
// answers it in-process under an API key.
//
// # Models
//
// By default the server answers with the newest Approved version of every
// model in the registry; [Config.Pins] restricts that to some models and
// may pin versions (including unapproved ones, for local testing). A
// watcher polls the registry's change counter and, when approvals change,
// builds a new immutable model set and swaps it in atomically: requests in
// flight finish on the set they started with, and a version that fails to
// load leaves the previous one serving. Models are loaded through the
// registry's in-memory artifact file system, so an encrypted home's
// models are decrypted in memory and never written to disk. Alternatively
// [Config.ModelDir] serves the models of a directory, as the managed
// service mounts them at /opt/ml/model.
//
// # Limits
//
// Every inference request passes, in this order, the API key check (401
// or 403), the reading of its body within [Config.BodyTimeout] (408) and
// [Config.MaxBody] (413), a concurrency limiter that answers 429 with
// Retry-After at once when full (no unbounded queue), and a per-request
// timeout (504). Checking the key and reading the body first means
// requests without a valid key, or whose body trickles in, never take a
// slot from the clients that send theirs. Model computations run on
// [Config.Workers] workers (one per CPU); requests beyond them wait in a
// FIFO queue inside the concurrency limit, so the limit sees a backlog of
// slow requests (summaries) instead of the Go scheduler time-slicing them
// all. Shutdown drains in-flight requests up to a deadline.
//
// # Hot path
//
// A single-sentence /invocations classification parses the common body
// shape without reflection (parseInputsFast, held to encoding/json by a
// fuzz test), scores with the classifier's allocation-free AppendScores,
// writes the answer from label JSON encoded at load time, and checks the
// API key against an in-memory cache of verified keys
// (registry.AuthCache). docs/BENCHMARKS.md has the numbers.
//
// # Security
//
// Endpoints need an API key of the registry (Authorization: Bearer or
// X-API-Key) with the predict scope, or admin for approvals, imports,
// datasets and the audit log; /ping, /openapi.json and the UI's static
// files are open. [Config.NoAuth] turns keys off for local use. Key use
// and refusals go to the registry's audit log (counts, never request
// data).
//
// # Observability
//
// /metrics exports request counts and latency histograms per route, the
// load state of every model, reloads, 429s and memory, in the Prometheus
// text format (written here; see metrics.go for why). Logs are JSON lines
// (log/slog) built from a fixed set of fields (request id, route, status,
// duration, model, version, counts, key id), so request and response text
// never reach them.
package server
