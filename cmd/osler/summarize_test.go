package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/llm/llmtest"
)

// runSummarizeCmd runs osler in-process with an environment map.
func runSummarizeCmd(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	restore := llmtest.GuardNetwork()
	defer restore()
	var out, errb bytes.Buffer
	m := &Main{
		Stdin:      strings.NewReader(stdin),
		Stdout:     &out,
		Stderr:     &errb,
		Getenv:     func(k string) string { return env[k] },
		IsTerminal: func(io.Writer) bool { return false },
	}
	err := m.Run(context.Background(), args)
	code = m.exitCode(err)
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type outLine struct {
	ID       string   `json:"id"`
	Summary  string   `json:"summary"`
	Method   string   `json:"method"`
	Chunks   int      `json:"chunks"`
	LLMCalls int      `json:"llm_calls"`
	Notes    []string `json:"notes"`
	Warnings []struct {
		Verdict string `json:"verdict"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"warnings"`
}

func readLines(t *testing.T, s string) []outLine {
	t.Helper()
	var out []outLine
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		var o outLine
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		out = append(out, o)
	}
	return out
}

// notes builds a JSONL input of n synthetic notes; note i has i*40
// sentences so the later ones need several chunks.
func notes(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		text := strings.Repeat(fmt.Sprintf("Note %d: no acute distress, lungs clear, plan follow-up. ", i), i*40)
		fmt.Fprintf(&b, "{\"id\": \"n-%d\", \"source\": %q}\n", i, text)
	}
	return b.String()
}

func TestSummarizeLLMMapReduce(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	in := writeFile(t, "notes.jsonl", notes(5))
	out := filepath.Join(t.TempDir(), "summaries.jsonl")
	_, stderr, code := runSummarizeCmd(t, nil, "",
		"summarize", "--input", in, "--output", out, "--llm-url", srv.URL, "--llm-model", "clin-7b",
		"--chunk-size", "1000", "--chunk-overlap", "0", "--provenance", "--concurrency", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, string(b))
	if len(lines) != 5 {
		t.Fatalf("%d output lines, want 5", len(lines))
	}
	calls := 0
	for i, l := range lines {
		if l.ID != fmt.Sprintf("n-%d", i+1) {
			t.Errorf("line %d has id %q: output is not in input order", i, l.ID)
		}
		if !strings.HasPrefix(l.Summary, "Summary of ") || l.Method != "llm:map-reduce" || l.Chunks < 1 {
			t.Errorf("line %d = %+v", i, l)
		}
		if l.Chunks > 1 && l.LLMCalls != l.Chunks+1 {
			t.Errorf("line %d: %d chunks but %d calls", i, l.Chunks, l.LLMCalls)
		}
		calls += l.LLMCalls
	}
	if lines[0].Chunks != 1 || lines[4].Chunks < 3 {
		t.Errorf("chunks = %d..%d; the short note should be one chunk and the long ones several", lines[0].Chunks, lines[4].Chunks)
	}
	if got := len(srv.Requests()); got != calls {
		t.Errorf("server saw %d requests, output counts %d", got, calls)
	}
	r := srv.Requests()[0]
	if r.Model != "clin-7b" || r.MaxTokens != 512 || r.Temperature == nil || *r.Temperature != 0 {
		t.Errorf("request model %q max_tokens %d temperature %v", r.Model, r.MaxTokens, r.Temperature)
	}
	if !strings.Contains(stderr, "summarized 5 documents") || !strings.Contains(stderr, "to "+out) {
		t.Errorf("stderr = %q", stderr)
	}
}

// Output stays in input order when later documents finish first: each
// note's reply waits for the next note's, so with all six in flight note 6
// is answered first and note 1 last, whatever the machine's speed.
func TestSummarizeKeepsInputOrder(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	var (
		answered [8]chan struct{} // answered[i] closes once note i is answered
		once     [8]sync.Once
		mu       sync.Mutex
		order    []int
	)
	for i := range answered {
		answered[i] = make(chan struct{})
	}
	close(answered[7])
	srv.Reply = func(r llmtest.Request) string {
		for i := 1; i <= 6; i++ {
			if strings.Contains(r.Prompt, fmt.Sprintf("Note %d:", i)) {
				select {
				case <-answered[i+1]:
				case <-time.After(10 * time.Second):
					// The command did not send all six at once: answer
					// anyway, and let the order check below fail.
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				once[i].Do(func() { close(answered[i]) })
				return fmt.Sprintf("summary %d", i)
			}
		}
		return "?"
	}
	stdout, stderr, code := runSummarizeCmd(t, nil, notes(6),
		"summarize", "--llm-url", srv.URL, "--llm-model", "m", "--chain", "stuff", "--concurrency", "6", "--llm-concurrency", "6")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := readLines(t, stdout)
	for i, l := range lines {
		if want := fmt.Sprintf("summary %d", i+1); l.Summary != want || l.ID != fmt.Sprintf("n-%d", i+1) {
			t.Errorf("line %d = %+v, want %q", i, l, want)
		}
	}
	if len(lines) != 6 {
		t.Errorf("%d lines", len(lines))
	}
	if strings.Contains(stdout, "method") {
		t.Error("provenance fields written without --provenance")
	}
	if fmt.Sprint(order) != "[6 5 4 3 2 1]" {
		t.Errorf("the server answered the notes in the order %v, want 6 first and 1 last", order)
	}
}

// A bad line stops the run before any LLM call, naming file and line, and
// leaves no output file.
func TestSummarizeBadInputLine(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	in := writeFile(t, "in.jsonl", "{\"id\":\"a\",\"source\":\"ok\"}\n{\"id\":\"b\",\"source\":\"ok\"}\n{\"id\":\"c\",\"sourc\":\"typo\"}\n")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	_, stderr, code := runSummarizeCmd(t, nil, "", "summarize", "--input", in, "--output", out, "--llm-url", srv.URL, "--llm-model", "m")
	if code != 1 || !strings.Contains(stderr, "in.jsonl:3") || !strings.Contains(stderr, `"text"`) {
		t.Errorf("exit %d, stderr %q; want exit 1 naming in.jsonl:3 and the missing field", code, stderr)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d LLM calls made before the bad line was reported", n)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output file exists after a failed run: %v", err)
	}
}

// --keep-going writes what succeeded and lists what failed, without patient text.
func TestSummarizeKeepGoing(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	srv.Script(llmtest.Step{}, llmtest.Step{EchoPrompt: true, Status: 400}, llmtest.Step{})
	in := writeFile(t, "in.jsonl", "{\"id\":\"a\",\"source\":\"Patient A denies chest pain or dyspnea.\"}\nnot json\n{\"id\":\"b\",\"source\":\"Patient B reports severe chest pain since this morning.\"}\n{\"id\":\"c\",\"text\":\"Patient C is stable.\"}\n")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	_, stderr, code := runSummarizeCmd(t, nil, "", "summarize", "--input", in, "--output", out, "--llm-url", srv.URL, "--llm-model", "m",
		"--chain", "stuff", "--concurrency", "1", "--keep-going")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	lines := readLines(t, string(b))
	if len(lines) != 2 || lines[0].ID != "a" || lines[1].ID != "c" {
		t.Errorf("output = %+v, want a and c", lines)
	}
	for _, want := range []string{"in.jsonl:2", `in.jsonl:3: id "b"`, "HTTP 400", "2 of 4 documents failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "chest pain") {
		t.Errorf("stderr leaks note text:\n%s", stderr)
	}
}

func TestSummarizeConfigLayers(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	cfgFile := writeFile(t, "osler.json", fmt.Sprintf(`{"llm": {"url": %q, "model": "file-model", "max_tokens": 100, "temperature": 0.3}}`, srv.URL))
	env := map[string]string{"OSLER_CONFIG": cfgFile, "OSLER_LLM_MODEL": "env-model", "OSLER_LLM_MAX_TOKENS": "200"}
	in := `{"id":"1","source":"Lungs clear."}` + "\n"

	// file < env
	if _, stderr, code := runSummarizeCmd(t, env, in, "summarize", "--chain", "stuff"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := srv.Requests()[0]
	if r.Model != "env-model" || r.MaxTokens != 200 || *r.Temperature != 0.3 {
		t.Errorf("file+env: model %q max %d temperature %v", r.Model, r.MaxTokens, *r.Temperature)
	}
	// env < flags
	if _, stderr, code := runSummarizeCmd(t, env, in, "summarize", "--chain", "stuff", "--llm-model", "flag-model", "--max-tokens", "300"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r = srv.Requests()[1]
	if r.Model != "flag-model" || r.MaxTokens != 300 {
		t.Errorf("flags: model %q max %d", r.Model, r.MaxTokens)
	}
	// The API key comes from the environment or a file, never a flag.
	srv.APIKey = "sk-local"
	if _, stderr, code := runSummarizeCmd(t, env, in, "summarize", "--chain", "stuff"); code != 1 || !strings.Contains(stderr, "HTTP 401") {
		t.Errorf("without key: exit %d %s", code, stderr)
	}
	env["OPENAI_API_KEY"] = "sk-local"
	if _, stderr, code := runSummarizeCmd(t, env, in, "summarize", "--chain", "stuff"); code != 0 {
		t.Errorf("with OPENAI_API_KEY: exit %d %s", code, stderr)
	}
	delete(env, "OPENAI_API_KEY")
	keyFile := writeFile(t, "key", "sk-local\n")
	if _, stderr, code := runSummarizeCmd(t, env, in, "summarize", "--chain", "stuff", "--llm-api-key-file", keyFile); code != 0 {
		t.Errorf("with --llm-api-key-file: exit %d %s", code, stderr)
	}
}

func TestSummarizeSageMaker(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ACCESS_KEY_ID", llmtest.TestAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", llmtest.TestSecretAccessKey)
	srv := llmtest.NewSageMakerServer(t, "impressions")
	srv.Reply = func(llmtest.Request) string { return "No acute cardiopulmonary abnormality." }
	stdout, stderr, code := runSummarizeCmd(t, nil, `{"id":"r1","source":"The lungs are clear. Heart size normal."}`+"\n",
		"summarize", "--task", "radiology", "--sagemaker-endpoint", "impressions", "--sagemaker-region", llmtest.TestRegion,
		"--sagemaker-endpoint-url", srv.URL, "--provenance")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := readLines(t, stdout)
	if len(lines) != 1 || lines[0].Summary != "No acute cardiopulmonary abnormality." || lines[0].LLMCalls != 1 {
		t.Errorf("output = %+v", lines)
	}
	if p := srv.Requests()[0].Prompt; !strings.Contains(p, "IMPRESSION") || !strings.Contains(p, "The lungs are clear.") {
		t.Errorf("prompt = %q, want the radiology prompt with the findings", p)
	}
}

func TestSummarizePromptsFile(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	prompts := writeFile(t, "prompts.json", `{"system": "", "stuff": "TL;DR of this note:\n{{.Text}}"}`)
	_, stderr, code := runSummarizeCmd(t, nil, `{"id":"1","text":"Stable."}`+"\n",
		"summarize", "--llm-url", srv.URL, "--llm-model", "m", "--prompts", prompts, "--chain", "stuff")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := srv.Requests()[0]
	if len(r.Messages) != 1 || r.Messages[0].Content != "TL;DR of this note:\nStable." {
		t.Errorf("messages = %+v", r.Messages)
	}
	bad := writeFile(t, "bad.json", `{"stuff": "no text field"}`)
	_, stderr, code = runSummarizeCmd(t, nil, "", "summarize", "--llm-url", srv.URL, "--llm-model", "m", "--prompts", bad)
	if code != 2 || !strings.Contains(stderr, "bad.json") || !strings.Contains(stderr, ".Text") {
		t.Errorf("bad prompts: exit %d %s", code, stderr)
	}
}

func TestSummarizeUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"summarize", "--method", "llm"}, "--llm-url"},
		{[]string{"summarize", "--llm-url", "http://127.0.0.1:1/v1"}, "llm.model"},
		{[]string{"summarize", "--method", "abstractive"}, "unknown --method"},
		{[]string{"summarize", "--llm-url", "http://127.0.0.1:1/v1", "--llm-model", "m", "--chain", "tree"}, "unknown chain"},
		{[]string{"summarize", "--llm-url", "http://127.0.0.1:1/v1", "--llm-model", "m", "--task", "discharge"}, "unknown task"},
		{[]string{"summarize", "--llm-url", "http://127.0.0.1:1/v1", "--llm-model", "m", "--chunk-overlap", "5000"}, "chunk overlap"},
		{[]string{"summarize", "--llm-url", "http://127.0.0.1:1/v1", "--llm-model", "m", "--length", "words"}, "--length"},
		{[]string{"summarize", "--llm-url", "http://127.0.0.1:1/v1", "--llm-model", "m", "--llm-timeout", "soon"}, "--llm-timeout"},
		{[]string{"summarize", "--sagemaker-endpoint", "bad_name"}, "llm.sagemaker_endpoint"},
		{[]string{"summarize", "extra-arg"}, "unexpected argument"},
		{[]string{"summarize", "--concurrency", "0"}, "--concurrency"},
	} {
		_, stderr, code := runSummarizeCmd(t, nil, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestSummarizeContextOverflowAdvice(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	srv.Flavor = llmtest.FlavorVLLM
	srv.SetDefault(llmtest.Step{ContextOverflow: true})
	_, stderr, code := runSummarizeCmd(t, nil, `{"id":"x","source":"A long note."}`+"\n",
		"summarize", "--llm-url", srv.URL, "--llm-model", "m", "--chain", "stuff")
	if code != 1 || !strings.Contains(stderr, "--chain map-reduce") || !strings.Contains(stderr, `stdin:1: id "x"`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests: a context overflow must not be retried", n)
	}
}

// On a terminal the run shows a progress bar on stderr; elsewhere it stays
// silent (TestSummarizeLLMMapReduce checks the final report only).
func TestSummarizeProgressOnTerminal(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	srv.SetDefault(llmtest.Step{Latency: 120 * time.Millisecond})
	restore := llmtest.GuardNetwork()
	defer restore()
	var out, errb bytes.Buffer
	m := &Main{
		Stdin:      strings.NewReader(notes(2)),
		Stdout:     &out,
		Stderr:     &errb,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(w io.Writer) bool { return w == &errb },
	}
	err := m.Run(context.Background(), []string{"summarize", "--llm-url", srv.URL, "--llm-model", "m", "--chunk-size", "300", "--chunk-overlap", "0", "--concurrency", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "LLM calls)") {
		t.Errorf("no progress shown on a terminal:\n%q", errb.String())
	}
}

// Without --method, the LLM is used when one is configured (flags,
// environment or config file), the extractive summarizer otherwise.
func TestSummarizeDefaultMethod(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	in := `{"id":"r1","source":"FINDINGS: The heart is normal in size. The lungs are clear. No pleural effusion.\n\nIMPRESSION: Normal chest."}` + "\n"

	stdout, stderr, code := runSummarizeCmd(t, nil, in, "summarize", "--provenance")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if l := readLines(t, stdout); len(l) != 1 || !strings.HasPrefix(l[0].Method, "extractive") || l[0].Summary == "" {
		t.Errorf("no LLM configured: output %+v, want an extractive summary", l)
	}
	if len(srv.Requests()) != 0 {
		t.Error("the LLM was called although none was configured")
	}

	env := map[string]string{"OSLER_LLM_URL": srv.URL, "OSLER_LLM_MODEL": "m"}
	stdout, stderr, code = runSummarizeCmd(t, env, in, "summarize", "--provenance")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if l := readLines(t, stdout); len(l) != 1 || l[0].Method != "llm:map-reduce" {
		t.Errorf("LLM configured in the environment: output %+v, want the LLM chain", l)
	}
	if !strings.Contains(stderr, "(llm, 1 chunks, 1 LLM calls, 0 retries)") {
		t.Errorf("report = %q", stderr)
	}

	// A configured LLM does not override an explicit --method.
	stdout, _, _ = runSummarizeCmd(t, env, in, "summarize", "--method", "extractive", "--provenance")
	if l := readLines(t, stdout); len(l) != 1 || !strings.HasPrefix(l[0].Method, "extractive") {
		t.Errorf("--method extractive with an LLM configured: %+v", l)
	}
}

// --verify checks LLM output against its document: warn writes the issues,
// drop removes the sentences, retry asks for a correction; the extractive
// method cannot retry.
func TestSummarizeVerify(t *testing.T) {
	const in = `{"id": "r1", "source": "There is a small right pleural effusion. No pneumothorax. Heart size is normal."}` + "\n"
	srv := llmtest.NewOpenAIServer(t)
	srv.Reply = func(r llmtest.Request) string {
		if strings.Contains(r.Prompt, "states things its source does not support") {
			return "Small right pleural effusion."
		}
		return "Small left pleural effusion. Findings discussed with Dr. XXXX by telephone."
	}
	run := func(mode string) outLine {
		t.Helper()
		stdout, stderr, code := runSummarizeCmd(t, nil, in, "summarize", "--llm-url", srv.URL, "--llm-model", "m", "--chain", "stuff",
			"--task", "radiology", "--verify", mode, "--provenance")
		if code != 0 {
			t.Fatalf("--verify %s: exit %d: %s", mode, code, stderr)
		}
		if mode == "warn" && !strings.Contains(stderr, "1 of 1 summaries hold a claim their document does not back") {
			t.Errorf("--verify warn: stderr %q", stderr)
		}
		return readLines(t, stdout)[0]
	}
	warn := run("warn")
	kinds := map[string]bool{}
	for _, w := range warn.Warnings {
		kinds[w.Verdict+" "+w.Kind] = true
	}
	if warn.Summary != "Small left pleural effusion. Findings discussed with Dr. XXXX by telephone." ||
		!kinds["contradicted side"] || !kinds["unsupported communication"] || !kinds["unsupported placeholder"] {
		t.Errorf("--verify warn: %+v", warn)
	}
	// Both sentences hold an unsupported claim, so nothing is left, and
	// the empty summary is warned about for what it now leaves out.
	if drop := run("drop"); drop.Summary != "" || len(drop.Warnings) != 1 || drop.Warnings[0].Verdict != "omitted" ||
		!strings.Contains(strings.Join(drop.Notes, " "), "dropped 2 sentence(s)") {
		t.Errorf("--verify drop: %+v", drop)
	}
	if retry := run("retry"); retry.Summary != "Small right pleural effusion." || len(retry.Warnings) != 0 || retry.LLMCalls != 2 {
		t.Errorf("--verify retry: %+v", retry)
	}
	if off := run("off"); len(off.Warnings) != 0 || off.Summary == "" {
		t.Errorf("--verify off: %+v", off)
	}
	_, stderr, code := runSummarizeCmd(t, nil, in, "summarize", "--method", "extractive", "--verify", "retry")
	if code != 2 || !strings.Contains(stderr, "needs an LLM method") {
		t.Errorf("extractive --verify retry: exit %d, %q", code, stderr)
	}
	_, stderr, code = runSummarizeCmd(t, nil, in, "summarize", "--method", "extractive", "--verify", "loud")
	if code != 2 || !strings.Contains(stderr, "unknown verify mode") {
		t.Errorf("--verify loud: exit %d, %q", code, stderr)
	}
}
