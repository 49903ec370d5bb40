package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/cdshooks"
	"github.com/osler-health/osler/internal/sharedtest"
)

// nullWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handler rather than a recorder.
type nullWriter struct {
	h      http.Header
	status int
}

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nullWriter) WriteHeader(code int)        { w.status = code }

const benchSentence = `{"inputs": "The patient developed a widespread rash two days after starting amoxicillin."}`

// BenchmarkInvocations measures one single-sentence /invocations
// classification through the whole handler (request id, limiter, API key,
// JSON parse, featurize and score, hand-written JSON, metrics, access log),
// without the network:
//
//	go test ./internal/server -run '^$' -bench Invocations -benchmem
func BenchmarkInvocations(b *testing.B) {
	for _, auth := range []bool{true, false} {
		name := "key"
		if !auth {
			name = "no-auth"
		}
		b.Run(name, func(b *testing.B) {
			e := newTestEnv(b, envOptions{cfg: Config{NoAuth: !auth, LogOutput: io.Discard, Pins: []Pin{{Name: "ade"}}}})
			h := e.srv.Handler()
			req := httptest.NewRequest("POST", "/invocations", nil)
			req.Header.Set("Content-Type", "application/json")
			if auth {
				req.Header.Set("Authorization", "Bearer "+e.predictKey)
			}
			w := &nullWriter{h: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req.Body = io.NopCloser(strings.NewReader(benchSentence))
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != 0 && w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

// BenchmarkScore is the model alone on the same sentence.
func BenchmarkScore(b *testing.B) {
	e := newTestEnv(b, envOptions{cfg: Config{NoAuth: true, LogOutput: io.Discard}})
	m := e.srv.models.Load().get("ade")
	sc := new(clfScratch)
	text := "The patient developed a widespread rash two days after starting amoxicillin."
	b.ReportAllocs()
	for b.Loop() {
		classifyText(m, text, -1, sc)
	}
}

// Draft orders of BenchmarkCDSOrderSelect: aspirin (RxNorm 243670) for
// osler-ade-alert, Ozempic (RxNorm 2398842, named by the example payer
// rules) on Coverage/c1 for osler-crd.
const (
	benchAspirinOrder = `{"resourceType":"MedicationRequest","id":"draft-aspirin","status":"draft","intent":"order",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"243670","display":"aspirin 81 MG Oral Tablet"}],"text":"aspirin 81 MG Oral Tablet"},
		"subject":{"reference":"Patient/cbc86e51-9eca-3855-76ec-c058f72c5761"}}`
	benchOzempicOrder = `{"resourceType":"MedicationRequest","id":"draft-semaglutide","status":"draft","intent":"order",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"2398842","display":"3 ML semaglutide 1.34 MG/ML Pen Injector [Ozempic]"}],"text":"Ozempic 1.34 MG/ML pen"},
		"subject":{"reference":"Patient/cbc86e51-9eca-3855-76ec-c058f72c5761"},"insurance":[{"reference":"Coverage/c1"}]}`
)

// BenchmarkCDSOrderSelect measures an order-select call through the whole
// handler (JWT verification with a warm JWKS cache and the replay cache,
// body read, request validation, prefetch parsing, the service, response
// JSON, access log) from about 32 concurrent callers, without the
// network: the Synthea patient with a recorded aspirin allergy (skipped
// without ../shared), prefetch included, every call with its own JWT
// signed before the timer starts. It reports the p99 of the calls' latency
// beside ns/op (which is wall time over calls, so the inverse of the
// throughput of the machine's cores):
//
//	go test ./internal/server -run '^$' -bench CDSOrderSelect -benchtime 3s
//	go test ./internal/server -run '^$' -bench 'CDSOrderSelect/ES384/osler-ade-alert' -cpuprofile cpu.out
//
// RS384 signing (3,072-bit keys) takes ~5 ms a token, so its rounds spend
// most of their time before the timer.
func BenchmarkCDSOrderSelect(b *testing.B) {
	bundle := sharedtest.Path(b, "data", "synthea_fhir", "patient-cbc86e51-9eca-3855-76ec-c058f72c5761.json")
	if os.Getenv("GOGC") == "" {
		// As osler serve runs (cmd/osler/serve.go).
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	src, err := cdshooks.ReadBundleFile(bundle)
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []string{"ES384", "RS384"} {
		for _, svc := range []struct{ id, order string }{
			{cdshooks.ServiceADEAlert, benchAspirinOrder},
			{cdshooks.ServiceCRD, benchOzempicOrder},
		} {
			b.Run(alg+"/"+svc.id, func(b *testing.B) {
				e := newCDSEnvAlg(b, alg, func(c *Config) { c.LogOutput = io.Discard })
				benchCDSCall(b, e, src, svc.id, svc.order)
			})
		}
	}
}

func benchCDSCall(b *testing.B, e *cdsEnv, src *cdshooks.BundleSource, id, order string) {
	var sd *api.CDSService
	for _, s := range e.srv.cds.Discovery().Services {
		if s.ID == id && s.Hook == api.HookOrderSelect {
			sd = &s
		}
	}
	if sd == nil {
		b.Fatalf("no %s order-select service", id)
	}
	req, err := cdshooks.NewRequest(*sd, src, cdshooks.RequestOptions{Orders: []json.RawMessage{json.RawMessage(order)}})
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	path := "/cds-services/" + id
	h := e.srv.Handler()
	call := func(tok string, w *nullWriter) {
		r := httptest.NewRequest("POST", path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+tok)
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, r)
		if w.status != 0 && w.status != http.StatusOK {
			b.Errorf("status %d", w.status)
		}
	}
	// Warm up: the first call fetches the JWKS.
	call(e.token(path), &nullWriter{h: http.Header{}})
	tokens := make([]string, b.N)
	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := w; i < b.N; i += runtime.GOMAXPROCS(0) {
				tokens[i] = e.token(path)
			}
		})
	}
	wg.Wait()
	var (
		next atomic.Int64
		mu   sync.Mutex
		lat  []time.Duration
	)
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &nullWriter{h: http.Header{}}
		var local []time.Duration
		for pb.Next() {
			tok := tokens[next.Add(1)-1]
			t0 := time.Now()
			call(tok, w)
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 {
		i := max(0, min(len(lat)-1, int(p*float64(len(lat))+0.5)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
