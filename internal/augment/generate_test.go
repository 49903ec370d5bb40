package augment_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/augment"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm"
	"github.com/osler-health/osler/internal/llm/backend"
	"github.com/osler-health/osler/internal/llm/llmtest"
)

func TestMain(m *testing.M) {
	restore := llmtest.GuardNetwork()
	code := m.Run()
	restore()
	os.Exit(code)
}

// Synthetic notes only.
var (
	train = []dataset.Record{
		{ID: "t1", Text: "Patient slipped in the bathroom and fell onto the left hip.", Labels: []string{"fall"}},
		{ID: "t2", Text: "Patient found on the floor beside the bed after an unwitnessed fall.", Labels: []string{"fall"}},
		{ID: "t3", Text: "Tripped over a rug at home, fell forward and struck the forehead.", Labels: []string{"fall"}},
		{ID: "t4", Text: "Lost balance while standing from the commode and fell to the knees.", Labels: []string{"fall"}},
		{ID: "t5", Text: "Fell down three stairs at night, no loss of consciousness reported.", Labels: []string{"fall"}},
		{ID: "s1", Text: "Fever, rigors and hypotension with a rising lactate overnight.", Labels: []string{"sepsis"}},
		{ID: "s2", Text: "Blood cultures drawn for suspected urosepsis, antibiotics started.", Labels: []string{"sepsis"}},
		{ID: "n1", Text: "Routine follow up, blood pressure well controlled on current dose.", Labels: []string{"none"}},
	}
	guard = []dataset.Record{
		{ID: "d1", Text: "Patient fell from a wheelchair during transfer and bruised the elbow.", Labels: []string{"fall"}},
		{ID: "d2", Text: "Fall from standing height in the hallway, hip pain on weight bearing.", Labels: []string{"fall"}},
	}
	good = []string{
		"Patient stumbled on a wet floor in the kitchen and landed on the right wrist.",
		"Found sitting on the floor of the shower, unable to get up after a slip.",
		"Missed the last step on the porch and fell, twisting the left ankle.",
		"Knees gave way while walking to the toilet, lowered to the floor by staff.",
		"Fell out of bed during the night, small laceration above the eyebrow.",
		"Caught a foot on the oxygen tubing and fell against the bedside table.",
		"Collapsed onto the carpet after standing up quickly from the recliner.",
	}
)

// scenario is a script of replies that exercises every filter, and what
// Generate must make of it.
func scenario() []llmtest.Step {
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	return []llmtest.Step{
		// Prompt 0: prose first (malformed), then a JSON array on retry.
		{Reply: "I am sorry, I can only describe falls in general terms."},
		{Reply: js([]any{
			good[0],
			train[0].Text, // exact copy of training
			"PATIENT found on the floor, beside the bed after an unwitnessed fall!!",  // near copy of t2
			"patient fell from a wheelchair during transfer -- and bruised the elbow", // near copy of guard d1
			good[1],
			"",
			"too short",
			42,
		})},
		// Prompt 1: a fenced object holding the list, with repeats of the
		// rows kept from prompt 0.
		{Reply: "Here you go:\n```json\n" + js(map[string]any{"sentences": []any{
			map[string]string{"text": good[2]},
			good[1],                  // exact repeat within the run
			strings.ToUpper(good[0]), // near repeat within the run
			"FALL FROM STANDING HEIGHT IN THE HALLWAY; HIP PAIN ON WEIGHT-BEARING.", // near copy of guard d2
		}}) + "\n```"},
		// Prompt 2: never a usable reply (a body that is not the protocol's
		// JSON, then prose twice): given up after two retries.
		{Malformed: true},
		{Reply: "Sure! Falls are common in older adults."},
		{Reply: "[\"unterminated"},
		// Prompt 3: numbered lines; the last good row is surplus.
		{Reply: "Examples:\n1. " + good[3] + "\n2) \"" + good[4] + "\"\n3. " + good[5] + "\n- " + good[6] + "\nHope this helps."},
	}
}

// wantResult is the count scenario must give; Records and Prompts are
// checked separately.
var wantResult = augment.Result{
	Asked: 4 * 5, Generated: 8 + 4 + 4, Kept: 6,
	Dropped: augment.Dropped{Empty: 1, TooShort: 1, NotText: 1, DuplicateTrain: 1, NearDuplicateTrain: 1,
		DuplicateBatch: 1, NearDuplicateBatch: 1, Guard: 2, Surplus: 1},
	Calls: 7, Retries: 3, Malformed: 4, FailedPrompts: 1,
}

func scenarioOptions() augment.Options {
	return augment.Options{Train: train, Guard: guard, Label: "fall", N: 6, Shots: 3, Contrast: 2,
		Seed: 11, Batch: 5, Backend: "test", ModelName: "m"}
}

// checkScenario checks a run of scenario against the requests the fake
// server received.
func checkScenario(t *testing.T, res *augment.Result, reqs []llmtest.Request) {
	t.Helper()
	got := *res
	got.Records, got.Prompts = nil, nil
	if !reflect.DeepEqual(got, wantResult) {
		t.Errorf("result counts\n got %+v\nwant %+v", got, wantResult)
	}
	if res.Generated != res.Kept+res.Dropped.Total() {
		t.Errorf("generated %d != kept %d + dropped %d", res.Generated, res.Kept, res.Dropped.Total())
	}
	if len(reqs) != res.Calls {
		t.Fatalf("server saw %d requests, result says %d calls", len(reqs), res.Calls)
	}
	// The request each kept row's reply answered: prompt 0's second call,
	// prompt 1's call, prompt 3's call.
	from := []int{1, 1, 2, 6, 6, 6}
	wantTexts := good[:6]
	if len(res.Records) != len(wantTexts) {
		t.Fatalf("kept %d rows, want %d", len(res.Records), len(wantTexts))
	}
	known := map[string]bool{}
	for _, r := range train {
		known[r.ID] = true
	}
	for i, rec := range res.Records {
		if rec.Text != wantTexts[i] || rec.ID != fmt.Sprintf("synth-fall-%d", i+1) || !slices.Equal(rec.Labels, []string{"fall"}) {
			t.Errorf("row %d = %s %q %v, want synth-fall-%d %q [fall]", i, rec.ID, rec.Text, rec.Labels, i+1, wantTexts[i])
		}
		p := rec.Synthetic
		if p == nil {
			t.Fatalf("row %d has no provenance", i)
		}
		sum := sha256.Sum256([]byte(reqs[from[i]].Prompt))
		if p.PromptSHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("row %d: prompt_sha256 does not match the prompt of request %d", i, from[i])
		}
		if p.Backend != "test" || p.Model != "m" || p.Seed != 11 || len(p.Shots) != 5 {
			t.Errorf("row %d: provenance %+v", i, p)
		}
		for _, id := range p.Shots {
			if !known[id] {
				t.Errorf("row %d: shot %q is not a training id", i, id)
			}
		}
	}
	for _, r := range guard {
		for _, req := range reqs {
			if strings.Contains(req.Prompt, r.Text) {
				t.Errorf("guard record %s was shown to the model", r.ID)
			}
		}
	}
}

func TestGenerateOpenAI(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	srv.Script(scenario()...)
	srv.SetDefault(llmtest.Step{Status: 400})
	cfg := config.DefaultLLM()
	cfg.URL, cfg.Model, cfg.MaxRetries = srv.URL, "m", 0
	m, err := backend.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := scenarioOptions()
	opts.LLMOptions = backend.Options(cfg)
	res, err := augment.Generate(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkScenario(t, res, srv.Requests())
}

func TestGenerateSageMaker(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ACCESS_KEY_ID", llmtest.TestAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", llmtest.TestSecretAccessKey)
	srv := llmtest.NewSageMakerServer(t, "notes")
	srv.Script(scenario()...)
	srv.SetDefault(llmtest.Step{Status: 400})
	cfg := config.DefaultLLM()
	cfg.SageMakerEndpoint, cfg.SageMakerRegion, cfg.SageMakerEndpointURL, cfg.MaxRetries = "notes", llmtest.TestRegion, srv.URL, 0
	m, err := backend.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := augment.Generate(context.Background(), m, scenarioOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkScenario(t, res, srv.Requests())
}

// echoModel answers each prompt with rows derived from its hash, so the
// same prompt always gets the same rows.
func echoModel() *llmtest.Fake {
	return &llmtest.Fake{Reply: func(_ context.Context, msgs []llm.Message, _ llm.Options) (string, error) {
		h := augment.PromptSHA256(msgs)
		rows := []string{
			fmt.Sprintf("Patient %s fell while walking to the nurses station.", h[:6]),
			fmt.Sprintf("Unwitnessed fall in room %s, found on the floor by staff.", h[6:12]),
			train[0].Text,
		}
		b, _ := json.Marshal(rows)
		return string(b), nil
	}}
}

func TestGenerateDeterministic(t *testing.T) {
	run := func(seed int64, concurrency int) *augment.Result {
		t.Helper()
		opts := scenarioOptions()
		opts.Seed, opts.Concurrency, opts.N, opts.Batch = seed, concurrency, 9, 3
		res, err := augment.Generate(context.Background(), echoModel(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Kept != 9 || res.Dropped.DuplicateTrain == 0 {
			t.Fatalf("kept %d, dropped %+v", res.Kept, res.Dropped)
		}
		return res
	}
	a, b := run(5, 1), run(5, 1)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs with seed 5 differ")
	}
	c := run(5, 4)
	if !reflect.DeepEqual(a.Records, c.Records) {
		t.Errorf("the kept rows depend on concurrency")
	}
	for i := range a.Prompts {
		if a.Prompts[i].SHA256 != c.Prompts[i].SHA256 || !slices.Equal(a.Prompts[i].Shots, c.Prompts[i].Shots) {
			t.Errorf("prompt %d depends on concurrency", i)
		}
		if len(a.Prompts[i].Shots) != 5 || len(slices.Compact(slices.Sorted(slices.Values(a.Prompts[i].Shots)))) != 5 {
			t.Errorf("prompt %d shots %v: want 5 distinct ids", i, a.Prompts[i].Shots)
		}
	}
	d := run(6, 1)
	same := 0
	for i := range min(len(a.Prompts), len(d.Prompts)) {
		if slices.Equal(a.Prompts[i].Shots, d.Prompts[i].Shots) {
			same++
		}
	}
	if same == len(a.Prompts) {
		t.Errorf("seeds 5 and 6 drew the same shots for every prompt")
	}
}

func TestGenerateVerify(t *testing.T) {
	opts := scenarioOptions()
	opts.N, opts.Batch, opts.MaxCalls = 4, 3, 3
	calls := 0
	opts.Verify = func(_ context.Context, text string) (float64, error) {
		calls++
		if strings.Contains(text, "Unwitnessed") {
			return 0.2, nil
		}
		return 0.9, nil
	}
	opts.MinScore = 0.5
	res, err := augment.Generate(context.Background(), echoModel(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != 3 || res.Dropped.Verify != 3 || calls != 6 || res.Calls != 3 {
		t.Errorf("kept %d, failed verification %d, verifier called %d times, %d calls; want 3, 3, 6, 3", res.Kept, res.Dropped.Verify, calls, res.Calls)
	}
	opts.Verify = func(context.Context, string) (float64, error) { return 0, errors.New("verifier down") }
	if _, err := augment.Generate(context.Background(), echoModel(), opts); err == nil || !strings.Contains(err.Error(), "verifier down") {
		t.Errorf("verifier error not returned: %v", err)
	}
}

func TestGenerateModelError(t *testing.T) {
	fail := errors.New("boom")
	m := &llmtest.Fake{Reply: func(context.Context, []llm.Message, llm.Options) (string, error) { return "", fail }}
	res, err := augment.Generate(context.Background(), m, scenarioOptions())
	if !errors.Is(err, fail) || res == nil {
		t.Fatalf("err = %v, res = %v; want the model's error and a partial result", err, res)
	}
}

func TestGenerateOptions(t *testing.T) {
	ctx := context.Background()
	for name, mod := range map[string]func(*augment.Options){
		"no label":     func(o *augment.Options) { o.Label = "" },
		"no rows":      func(o *augment.Options) { o.N = 0 },
		"big batch":    func(o *augment.Options) { o.Batch = augment.MaxBatch + 1 },
		"negative":     func(o *augment.Options) { o.Concurrency = -1 },
		"min over max": func(o *augment.Options) { o.MinChars, o.MaxChars = 50, 10 },
	} {
		o := scenarioOptions()
		mod(&o)
		if _, err := augment.Generate(ctx, &llmtest.Fake{}, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	o := scenarioOptions()
	o.Label = "stroke"
	if _, err := augment.Generate(ctx, &llmtest.Fake{}, o); !errors.Is(err, augment.ErrNoExamples) {
		t.Errorf("unknown label: err = %v, want ErrNoExamples", err)
	}
}
