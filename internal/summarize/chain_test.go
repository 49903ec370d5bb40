package summarize_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"text/template"
	"time"

	"github.com/osler-health/osler/internal/llm"
	"github.com/osler-health/osler/internal/llm/llmtest"
	"github.com/osler-health/osler/internal/summarize"
)

func TestMain(m *testing.M) {
	restore := llmtest.GuardNetwork()
	code := m.Run()
	restore()
	os.Exit(code)
}

// testPrompts are prompts whose output a fake model can parse: which step
// called it and with what.
func testPrompts(t testing.TB) summarize.Prompts {
	t.Helper()
	mk := func(name, text string) *template.Template {
		return template.Must(template.New(name).Parse(text))
	}
	return summarize.Prompts{
		System: "SYSTEM",
		Stuff:  mk("stuff", "STUFF\n{{.Text}}"),
		Map:    mk("map", "MAP {{.Index}}/{{.Total}}\n{{.Text}}"),
		Reduce: mk("reduce", "REDUCE\n{{range .Summaries}}<<{{.}}>>{{end}}"),
		Refine: mk("refine", "REFINE {{.Index}}/{{.Total}}\n[{{.Existing}}]\n{{.Text}}"),
	}
}

// doc returns a document of n paragraphs "P1 ... P<n>", each of size
// characters, so that a splitter of chunk size `size` makes one chunk per
// paragraph.
func doc(n, size int) summarize.Document {
	var paras []string
	for i := 1; i <= n; i++ {
		p := fmt.Sprintf("P%d", i)
		paras = append(paras, p+strings.Repeat(" x", (size-len(p))/2))
	}
	return summarize.Document{ID: "doc-1", Text: strings.Join(paras, "\n\n")}
}

var mapHeader = regexp.MustCompile(`^MAP (\d+)/(\d+)\n(P\d+)`)

// echoModel answers MAP calls with "S<i>", REDUCE calls with the joined
// summaries, STUFF with "STUFFED", REFINE with the summary so far plus the
// paragraph label.
func echoModel() *llmtest.Fake {
	return &llmtest.Fake{Reply: func(_ context.Context, msgs []llm.Message, _ llm.Options) (string, error) {
		p := llmtest.LastUserMessage(msgs)
		switch {
		case strings.HasPrefix(p, "MAP"):
			m := mapHeader.FindStringSubmatch(p)
			return "S" + m[1], nil
		case strings.HasPrefix(p, "REDUCE"):
			parts := regexp.MustCompile(`<<(.*?)>>`).FindAllStringSubmatch(p, -1)
			var out []string
			for _, x := range parts {
				out = append(out, x[1])
			}
			return strings.Join(out, "+"), nil
		case strings.HasPrefix(p, "REFINE"):
			existing := p[strings.Index(p, "[")+1 : strings.Index(p, "]")]
			label := regexp.MustCompile(`\nP(\d+)`).FindStringSubmatch(p)
			return existing + ",R" + label[1], nil
		case strings.HasPrefix(p, "STUFF"):
			return "STUFFED", nil
		}
		return "", fmt.Errorf("unexpected prompt %q", p)
	}}
}

func chainConfig(t testing.TB, m llm.Model) summarize.ChainConfig {
	return summarize.ChainConfig{
		Model:    m,
		Prompts:  testPrompts(t),
		Splitter: summarize.Splitter{ChunkSize: 100},
		Counter:  summarize.Chars,
		TokenMax: 1000,
		Options:  []llm.Option{llm.WithMaxTokens(77)},
	}
}

func TestStuff(t *testing.T) {
	f := echoModel()
	c, err := summarize.NewStuff(chainConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Summarize(context.Background(), doc(5, 90))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != "STUFFED" {
		t.Errorf("summary = %q", res.Summary)
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].Messages[0] != llm.System("SYSTEM") || !strings.Contains(calls[0].Messages[1].Content, "P5") {
		t.Errorf("calls = %+v", calls)
	}
	if calls[0].Options.MaxTokens != 77 {
		t.Errorf("options not passed: %+v", calls[0].Options)
	}
	if p := res.Provenance; p.Method != "llm:stuff" || p.Chunks != 1 || p.LLMCalls != 1 {
		t.Errorf("provenance = %+v", p)
	}
}

func TestStuffOverflowSuggestsMapReduce(t *testing.T) {
	overflow := llm.ParseErrorBody("openai", 400, nil, []byte(`{"error":{"code":"context_length_exceeded","message":"too long"}}`), "")
	f := &llmtest.Fake{Reply: func(context.Context, []llm.Message, llm.Options) (string, error) { return "", overflow }}
	c, _ := summarize.NewStuff(chainConfig(t, f))
	_, err := c.Summarize(context.Background(), doc(2, 50))
	if !errors.Is(err, llm.ErrContextLength) || !strings.Contains(err.Error(), "map-reduce") {
		t.Errorf("err = %v", err)
	}
}

func TestMapReduce(t *testing.T) {
	f := echoModel()
	var mu sync.Mutex
	stages := map[summarize.Stage]int{}
	cfg := chainConfig(t, f)
	cfg.OnCall = func(e summarize.Event) {
		mu.Lock()
		stages[e.Stage]++
		mu.Unlock()
		if e.DocID != "doc-1" || e.Done < 1 || e.Done > e.Total {
			t.Errorf("event %+v", e)
		}
	}
	c, err := summarize.NewMapReduce(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Summarize(context.Background(), doc(7, 90))
	if err != nil {
		t.Fatal(err)
	}
	// Results come back in document order whatever order the calls finish in.
	if res.Summary != "S1+S2+S3+S4+S5+S6+S7" {
		t.Errorf("summary = %q", res.Summary)
	}
	if p := res.Provenance; p.Method != "llm:map-reduce" || p.Chunks != 7 || p.LLMCalls != 8 || len(p.Notes) != 0 {
		t.Errorf("provenance = %+v", p)
	}
	if stages[summarize.StageMap] != 7 || stages[summarize.StageReduce] != 1 {
		t.Errorf("progress events = %v", stages)
	}
}

func TestMapReduceSingleChunkIsOneCall(t *testing.T) {
	f := echoModel()
	c, _ := summarize.NewMapReduce(chainConfig(t, f))
	res, err := c.Summarize(context.Background(), doc(1, 50))
	if err != nil || res.Summary != "STUFFED" || res.Provenance.LLMCalls != 1 {
		t.Errorf("res = %+v, err = %v", res, err)
	}
}

// The timed chain tests run in synctest bubbles: model latencies pass on
// a fake clock, so they assert exact durations and counts whatever the
// machine's load.

func TestMapReduceBoundedConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := echoModel()
		f.Latency = 15 * time.Millisecond
		cfg := chainConfig(t, f)
		cfg.Concurrency = 3
		c, _ := summarize.NewMapReduce(cfg)
		start := time.Now()
		res, err := c.Summarize(context.Background(), doc(12, 90))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.MaxInFlight(); got != 3 {
			t.Errorf("%d map calls in flight, want the limit of 3", got)
		}
		// 12 map calls, 3 at a time, then the reduce call: 5 rounds.
		if p := res.Provenance; p.Chunks != 12 || p.LLMCalls != 13 {
			t.Fatalf("provenance = %+v, want 12 chunks and 13 calls", p)
		}
		if took := time.Since(start); took != 5*f.Latency {
			t.Errorf("took %v, want %v (4 rounds of 3 map calls and the reduce)", took, 5*f.Latency)
		}
	})
}

func TestMapReduceFirstErrorCancelsTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("server exploded")
		f := &llmtest.Fake{Reply: func(ctx context.Context, msgs []llm.Message, _ llm.Options) (string, error) {
			p := llmtest.LastUserMessage(msgs)
			if strings.HasPrefix(p, "MAP 2/") {
				return "", boom
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(5 * time.Second):
				return "late", nil
			}
		}}
		cfg := chainConfig(t, f)
		cfg.Concurrency = 3
		c, _ := summarize.NewMapReduce(cfg)
		start := time.Now()
		_, err := c.Summarize(context.Background(), doc(10, 90))
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "part 2 of 10") {
			t.Fatalf("err = %v, want the failure of part 2", err)
		}
		// The other calls would take 5 s; the errgroup waits for them, so
		// returning at once means they were cancelled.
		if took := time.Since(start); took != 0 {
			t.Errorf("took %v: the other calls were not cancelled", took)
		}
		if n := len(f.Calls()); n > 4 {
			t.Errorf("%d calls started; no new call should start after the failure", n)
		}
	})
}

// The collapse step keeps every reduce call under token_max.
func TestMapReduceCollapse(t *testing.T) {
	const tokenMax = 250
	var mu sync.Mutex
	var reduceSizes []int
	summary := strings.Repeat("s", 98) // 98 characters per summary
	f := &llmtest.Fake{Reply: func(_ context.Context, msgs []llm.Message, _ llm.Options) (string, error) {
		p := llmtest.LastUserMessage(msgs)
		if strings.HasPrefix(p, "REDUCE") {
			parts := regexp.MustCompile(`<<(.*?)>>`).FindAllStringSubmatch(p, -1)
			var joined []string
			for _, x := range parts {
				joined = append(joined, x[1])
			}
			mu.Lock()
			reduceSizes = append(reduceSizes, len(strings.Join(joined, "\n\n")))
			mu.Unlock()
		}
		return summary, nil
	}}
	cfg := chainConfig(t, f)
	cfg.TokenMax = tokenMax
	c, _ := summarize.NewMapReduce(cfg)
	res, err := c.Summarize(context.Background(), doc(12, 90))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range reduceSizes {
		if n > tokenMax {
			t.Errorf("a reduce call got %d characters of summaries, more than token_max %d", n, tokenMax)
		}
	}
	// 12 summaries of 98 characters: collapsed in groups of two, 12 → 6 →
	// 3 → 2, which fit token_max for the final reduce.
	if len(res.Provenance.Notes) == 0 || !strings.Contains(res.Provenance.Notes[0], "collapse round 1: 12 summaries") {
		t.Errorf("notes = %q", res.Provenance.Notes)
	}
	if want := 12 + len(reduceSizes); res.Provenance.LLMCalls != want {
		t.Errorf("LLM calls = %d, want %d (12 map + %d collapse/reduce)", res.Provenance.LLMCalls, want, len(reduceSizes))
	}
	t.Logf("reduce inputs: %v, notes: %q", reduceSizes, res.Provenance.Notes)
}

func TestMapReduceCollapseThatCannotShrink(t *testing.T) {
	f := &llmtest.Fake{Reply: func(context.Context, []llm.Message, llm.Options) (string, error) {
		return strings.Repeat("long ", 100), nil // 500 characters, whatever the input
	}}
	cfg := chainConfig(t, f)
	cfg.TokenMax = 300
	c, _ := summarize.NewMapReduce(cfg)
	_, err := c.Summarize(context.Background(), doc(4, 90))
	if err == nil || !strings.Contains(err.Error(), "token-max") {
		t.Fatalf("err = %v, want advice on --token-max", err)
	}
}

func TestRefine(t *testing.T) {
	f := echoModel()
	c, err := summarize.NewRefine(chainConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Summarize(context.Background(), doc(4, 90))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != "S1,R2,R3,R4" {
		t.Errorf("summary = %q, want each part refined in order", res.Summary)
	}
	if p := res.Provenance; p.Method != "llm:refine" || p.Chunks != 4 || p.LLMCalls != 4 {
		t.Errorf("provenance = %+v", p)
	}
	if f.MaxInFlight() != 1 {
		t.Errorf("refine made %d calls at once; it must be sequential", f.MaxInFlight())
	}
}

func TestChainsRejectEmptyAndCancelled(t *testing.T) {
	for _, kind := range []summarize.ChainKind{summarize.ChainStuff, summarize.ChainMapReduce, summarize.ChainRefine} {
		t.Run(string(kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := echoModel()
				f.Latency = time.Second
				c, err := summarize.NewChain(kind, chainConfig(t, f))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Summarize(context.Background(), summarize.Document{ID: "e", Text: " \n "}); err == nil {
					t.Error("empty document accepted")
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
				defer cancel()
				start := time.Now()
				_, err = c.Summarize(ctx, doc(3, 90))
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want the context's error", err)
				}
				if took := time.Since(start); took != 30*time.Millisecond {
					t.Errorf("returned after %v, want at the 30ms deadline (the model takes 1s a call)", took)
				}
			})
		})
	}
	if _, err := summarize.NewChain("bogus", chainConfig(t, echoModel())); err == nil {
		t.Error("unknown chain accepted")
	}
}

func TestChainConfigValidation(t *testing.T) {
	good := chainConfig(t, echoModel())
	for name, change := range map[string]func(*summarize.ChainConfig){
		"no model":        func(c *summarize.ChainConfig) { c.Model = nil },
		"no prompts":      func(c *summarize.ChainConfig) { c.Prompts = summarize.Prompts{} },
		"bad overlap":     func(c *summarize.ChainConfig) { c.Splitter.ChunkOverlap = 100 },
		"bad token max":   func(c *summarize.ChainConfig) { c.TokenMax = -1 },
		"bad concurrency": func(c *summarize.ChainConfig) { c.Concurrency = -2 },
	} {
		cfg := good
		change(&cfg)
		if _, err := summarize.NewMapReduce(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Defaults: a zero splitter means DefaultChunkSize approximate tokens.
func TestChainDefaults(t *testing.T) {
	p, _ := summarize.DefaultPrompts(summarize.TaskArticle)
	f := &llmtest.Fake{}
	c, err := summarize.NewMapReduce(summarize.ChainConfig{Model: f, Prompts: p})
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Repeat("word ", summarize.DefaultChunkSize*2) // ~2 chunks of approximate tokens
	res, err := c.Summarize(context.Background(), summarize.Document{ID: "a", Text: words})
	if err != nil {
		t.Fatal(err)
	}
	if res.Provenance.Chunks < 2 || res.Provenance.Chunks > 3 {
		t.Errorf("chunks = %d for %d approximate tokens", res.Provenance.Chunks, summarize.ApproxTokens.Count(words))
	}
	if got := f.Calls()[0].Messages[0].Content; !strings.Contains(got, "biomedical") {
		t.Errorf("system prompt = %q", got)
	}
}
