package server

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osler-health/osler/internal/version"
)

// The Prometheus text exposition (format 0.0.4) is written here by hand
// rather than with github.com/prometheus/client_golang: that library's
// prometheus package imports expvar, which registers /debug/vars on
// http.DefaultServeMux and is banned from the osler binary (see
// cmd/osler/deps_test.go). What Osler exports is a fixed, small set of
// counters, gauges and histograms, so the exposition is a few dozen lines,
// and the request path only does atomic adds.

// latencyBounds are the histogram buckets of request durations, in
// seconds: fine below 10 ms, where classification lives, coarse above,
// where summaries are.
var latencyBounds = []float64{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// histogram is a Prometheus histogram with fixed buckets, updated with
// atomic adds only.
type histogram struct {
	counts   []atomic.Uint64 // one per bound, then +Inf
	sumNanos atomic.Uint64
}

func newHistogram() *histogram {
	return &histogram{counts: make([]atomic.Uint64, len(latencyBounds)+1)}
}

func (h *histogram) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBounds) && s > latencyBounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNanos.Add(uint64(max(d, 0)))
}

// routeMetrics are the counters of one route.
type routeMetrics struct {
	name string
	// codes counts responses by status code (100-599).
	codes   [500]atomic.Uint64
	latency *histogram
}

// modelMetrics count what one model did.
type modelMetrics struct {
	requests atomic.Uint64
	inputs   atomic.Uint64
	errors   atomic.Uint64
}

// serverMetrics holds every metric the server exports.
type serverMetrics struct {
	start    time.Time
	routes   []*routeMetrics
	inFlight atomic.Int64
	// waiting counts requests waiting for a model worker.
	waiting atomic.Int64
	// rejected counts 429s of the concurrency limiter.
	rejected atomic.Uint64
	// reloads counts model set reloads by result.
	reloadsOK, reloadsFailed atomic.Uint64
	// registryDown is set while the registry's database cannot be read;
	// pollErrors counts the failed polls.
	registryDown atomic.Bool
	pollErrors   atomic.Uint64
	// loadFailures counts failed model loads.
	loadFailures atomic.Uint64

	mu     sync.Mutex
	models map[string]*modelMetrics // by model name
}

func newServerMetrics() *serverMetrics {
	return &serverMetrics{start: time.Now(), models: map[string]*modelMetrics{}}
}

// route registers a route and returns its counters.
func (m *serverMetrics) route(name string) *routeMetrics {
	for _, r := range m.routes {
		if r.name == name {
			return r
		}
	}
	r := &routeMetrics{name: name, latency: newHistogram()}
	m.routes = append(m.routes, r)
	return r
}

// model returns a model's counters, creating them on first use. The map
// is small (one entry per model name ever served) and read under a mutex
// held for a map lookup only.
func (m *serverMetrics) model(name string) *modelMetrics {
	m.mu.Lock()
	mm := m.models[name]
	if mm == nil {
		mm = &modelMetrics{}
		m.models[name] = mm
	}
	m.mu.Unlock()
	return mm
}

// modelState is one model's load state at scrape time.
type modelState struct {
	name, kind string
	version    int
	loaded     bool
}

// write appends the exposition of every metric to buf.
func (m *serverMetrics) write(buf *bytes.Buffer, states []modelState, generation int64) {
	w := expo{buf}
	w.header("osler_build_info", "gauge", "Osler's version; the value is always 1.")
	w.sample("osler_build_info", 1, "version", version.Version, "go_version", runtime.Version())
	w.header("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.")
	w.sample("process_start_time_seconds", float64(m.start.UnixNano())/1e9)

	w.header("osler_http_requests_total", "counter", "HTTP requests answered, by route and status code.")
	for _, r := range m.routes {
		for i := range r.codes {
			if n := r.codes[i].Load(); n > 0 {
				w.sample("osler_http_requests_total", float64(n), "route", r.name, "code", strconv.Itoa(100+i))
			}
		}
	}
	w.header("osler_http_request_duration_seconds", "histogram", "Time from the request's arrival at the handler to the end of its response, by route.")
	for _, r := range m.routes {
		var cum uint64
		for i := range r.latency.counts {
			cum += r.latency.counts[i].Load()
		}
		if cum == 0 {
			continue
		}
		cum = 0
		for i, b := range latencyBounds {
			cum += r.latency.counts[i].Load()
			w.sample("osler_http_request_duration_seconds_bucket", float64(cum), "route", r.name, "le", formatFloat(b))
		}
		cum += r.latency.counts[len(latencyBounds)].Load()
		w.sample("osler_http_request_duration_seconds_bucket", float64(cum), "route", r.name, "le", "+Inf")
		w.sample("osler_http_request_duration_seconds_sum", float64(r.latency.sumNanos.Load())/1e9, "route", r.name)
		w.sample("osler_http_request_duration_seconds_count", float64(cum), "route", r.name)
	}
	w.header("osler_http_requests_in_flight", "gauge", "Requests being handled now.")
	w.sample("osler_http_requests_in_flight", float64(m.inFlight.Load()))
	w.header("osler_model_queue_waiting", "gauge", "Requests waiting for a free model worker (--workers).")
	w.sample("osler_model_queue_waiting", float64(m.waiting.Load()))
	w.header("osler_http_rejected_total", "counter", "Requests answered 429 because the concurrency limit was reached.")
	w.sample("osler_http_rejected_total", float64(m.rejected.Load()))

	w.header("osler_model_loaded", "gauge", "1 for each model version loaded and answering requests.")
	for _, s := range states {
		if s.loaded {
			w.sample("osler_model_loaded", 1, "model", s.name, "kind", s.kind, "version", strconv.Itoa(s.version))
		}
	}
	w.header("osler_model_load_failed", "gauge", "1 for each model whose version to serve failed to load (an older version may still answer).")
	for _, s := range states {
		if !s.loaded {
			w.sample("osler_model_load_failed", 1, "model", s.name, "kind", s.kind, "version", strconv.Itoa(s.version))
		}
	}
	w.header("osler_model_load_failures_total", "counter", "Model loads that failed (checksum, format or read errors).")
	w.sample("osler_model_load_failures_total", float64(m.loadFailures.Load()))
	w.header("osler_model_reloads_total", "counter", "Reloads of the model set after a registry change, by result.")
	w.sample("osler_model_reloads_total", float64(m.reloadsOK.Load()), "result", "ok")
	w.sample("osler_model_reloads_total", float64(m.reloadsFailed.Load()), "result", "error")
	w.header("osler_registry_generation", "gauge", "The registry's change counter the loaded model set reflects.")
	w.sample("osler_registry_generation", float64(generation))
	w.header("osler_registry_up", "gauge", "1 when the last poll of the registry's database succeeded, 0 while it cannot be read (the loaded models keep serving).")
	up := 1.0
	if m.registryDown.Load() {
		up = 0
	}
	w.sample("osler_registry_up", up)
	w.header("osler_registry_poll_errors_total", "counter", "Polls of the registry that failed.")
	w.sample("osler_registry_poll_errors_total", float64(m.pollErrors.Load()))

	m.mu.Lock()
	names := make([]string, 0, len(m.models))
	for n := range m.models {
		names = append(names, n)
	}
	slices.Sort(names)
	mms := make([]*modelMetrics, len(names))
	for i, n := range names {
		mms[i] = m.models[n]
	}
	m.mu.Unlock()
	w.header("osler_model_requests_total", "counter", "Inference requests answered by each model.")
	for i, n := range names {
		w.sample("osler_model_requests_total", float64(mms[i].requests.Load()), "model", n)
	}
	w.header("osler_model_inputs_total", "counter", "Texts classified or summarized by each model.")
	for i, n := range names {
		w.sample("osler_model_inputs_total", float64(mms[i].inputs.Load()), "model", n)
	}
	w.header("osler_model_errors_total", "counter", "Inference requests to each model that failed after validation (timeouts, model errors).")
	for i, n := range names {
		w.sample("osler_model_errors_total", float64(mms[i].errors.Load()), "model", n)
	}

	writeRuntimeMetrics(w)
}

var runtimeSamples = []metrics.Sample{
	{Name: "/sched/goroutines:goroutines"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/gc/cycles/total:gc-cycles"},
}

// writeRuntimeMetrics exports the Go runtime's and the process's memory,
// the numbers to watch for growth under load.
func writeRuntimeMetrics(w expo) {
	samples := slices.Clone(runtimeSamples)
	metrics.Read(samples)
	val := func(i int) float64 {
		switch samples[i].Value.Kind() {
		case metrics.KindUint64:
			return float64(samples[i].Value.Uint64())
		case metrics.KindFloat64:
			return samples[i].Value.Float64()
		}
		return math.NaN()
	}
	w.header("go_goroutines", "gauge", "Number of goroutines that currently exist.")
	w.sample("go_goroutines", val(0))
	w.header("go_memstats_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects.")
	w.sample("go_memstats_heap_alloc_bytes", val(1))
	w.header("go_memory_total_bytes", "gauge", "All memory mapped by the Go runtime.")
	w.sample("go_memory_total_bytes", val(2))
	w.header("go_gc_cycles_total", "counter", "Completed GC cycles.")
	w.sample("go_gc_cycles_total", val(3))
	if rss, ok := residentBytes(); ok {
		w.header("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
		w.sample("process_resident_memory_bytes", float64(rss))
	}
}

// residentBytes reads the resident set size from /proc (Linux only).
func residentBytes() (int64, bool) {
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return 0, false
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// expo writes the text exposition format.
type expo struct{ b *bytes.Buffer }

func (w expo) header(name, typ, help string) {
	w.b.WriteString("# HELP ")
	w.b.WriteString(name)
	w.b.WriteByte(' ')
	w.b.WriteString(help)
	w.b.WriteString("\n# TYPE ")
	w.b.WriteString(name)
	w.b.WriteByte(' ')
	w.b.WriteString(typ)
	w.b.WriteByte('\n')
}

// sample writes one line; labels are name, value pairs.
func (w expo) sample(name string, v float64, labels ...string) {
	w.b.WriteString(name)
	if len(labels) > 0 {
		w.b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.b.WriteString(labels[i])
			w.b.WriteString(`="`)
			writeLabelValue(w.b, labels[i+1])
			w.b.WriteByte('"')
		}
		w.b.WriteByte('}')
	}
	w.b.WriteByte(' ')
	w.b.WriteString(formatFloat(v))
	w.b.WriteByte('\n')
}

// writeLabelValue escapes a label value as the format requires: backslash,
// double quote and line feed.
func writeLabelValue(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
}

func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
