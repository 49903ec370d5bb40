package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/llm/backend"
	"github.com/osler-health/osler/internal/ordered"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/summarize"
)

var summarizeDoc = cmdDoc{
	Usage: "osler summarize [flags] [--input IN] [--output OUT]",
	Summary: `Summarize every document of a JSONL file ({"id","source"}; "text" is accepted too; CSV/TSV with --text-column) ` +
		`and write {"id","summary"} lines in input order, plus the provenance fields (method, chunks, llm_calls, notes, ...) with --provenance. ` +
		`IN and OUT default to "-" (stdin and stdout); OUT appears only once it is complete. ` +
		`--method extractive copies the most central sentences (no model; FINDINGS preferred when the document has sections); ` +
		`--method model:PATH runs a summarizer trained with osler train summarizer; ` +
		`--method llm calls an OpenAI-compatible server (--llm-url, --llm-model: vLLM, llama.cpp, Ollama, TGI) or a SageMaker endpoint (--sagemaker-endpoint; AWS credentials from the standard AWS chain) ` +
		`through a chain: stuff (one call), map-reduce (chunks summarized concurrently, then combined, collapsing under --token-max) or refine (chunk by chunk). ` +
		`LLM settings can also come from a config file (--config, "llm" section) and OSLER_LLM_*/OSLER_SAGEMAKER_* variables; flags win. ` +
		`Without --method, llm is used when an LLM server or endpoint is configured, extractive otherwise. ` +
		`Every summary is checked against its document, as osler eval faithfulness does (--verify): by default the issues found ` +
		`(claims the document does not back, critical findings or lines and tubes left out) are written as "warnings"; ` +
		`--verify drop removes the sentences the document does not back, --verify retry asks the LLM to correct the summary. ` +
		`Documents are summarized concurrently (--concurrency); a bad input line stops the run before any work with its line number, unless --keep-going.`,
	Example: `osler summarize --input reports.jsonl --output impressions.jsonl --method extractive --provenance
osler summarize --input reports.jsonl --output impressions.jsonl --method model:models/impressions
osler summarize --input notes.jsonl --output summaries.jsonl --llm-url http://127.0.0.1:8000/v1 --llm-model meta-llama/Llama-3.1-8B-Instruct
osler summarize --input articles.jsonl --output summaries.jsonl --task article --chain map-reduce --sagemaker-endpoint notes-llm --sagemaker-region eu-west-1 --provenance
cat findings.jsonl | osler summarize --task radiology --chain stuff --llm-url http://127.0.0.1:11434/v1 --llm-model llama3.1 --verify retry > impressions.jsonl`,
}

// summarizeOptions are the flags of osler summarize.
type summarizeOptions struct {
	input, output string
	method        string
	concurrency   int
	provenance    bool
	keepGoing     bool
	verbose       bool
	verify        string
	verifyRetries int
	vocab         string

	// LLM chains.
	llm          config.LLMLayers
	chain        string
	task         string
	promptsFile  string
	chunkSize    int
	chunkOverlap int
	length       string
	tokenMax     int
	mapConc      int
}

func (o *summarizeOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.input, "input", "-", `input file ("-" for stdin)`)
	fs.StringVar(&o.output, "output", "-", `output JSONL file ("-" for stdout)`)
	fs.StringVar(&o.method, "method", "", "summarization method: "+summarizeMethodNames()+" (default: llm when an LLM server is configured, otherwise extractive)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "documents summarized at once")
	fs.BoolVar(&o.provenance, "provenance", false, "add provenance fields (method, chunks, llm_calls, source_sentences, neighbors, notes) to each output line")
	fs.BoolVar(&o.keepGoing, "keep-going", false, "report documents that fail (and bad input lines) and go on; exit 1 at the end if any failed")
	fs.BoolVar(&o.verbose, "verbose", false, "report each LLM retry on stderr")
	fs.StringVar(&o.verify, "verify", "warn", `check each summary against its document (osler eval faithfulness): "warn" adds the issues as "warnings", `+
		`"drop" removes the sentences the document does not back, "retry" asks the LLM to correct the summary (--verify-retries times, then warns), "off" skips the check`)
	fs.IntVar(&o.verifyRetries, "verify-retries", summarize.DefaultRetries, "corrections --verify retry asks for")
	fs.StringVar(&o.vocab, "vocab", "", "a lexicon file that extends the faithfulness check's vocabulary")
	registerLLMFlags(fs, &o.llm)
	fs.StringVar(&o.chain, "chain", string(summarize.ChainMapReduce), "LLM chain: stuff, map-reduce or refine (map-reduce makes one stuff call when a document fits one chunk)")
	fs.StringVar(&o.task, "task", string(summarize.TaskNote), "default prompts: note (symptoms, findings, actions), radiology (impression from findings) or article (long article)")
	fs.StringVar(&o.promptsFile, "prompts", "", `JSON file overriding prompts: keys "system", "stuff", "map", "reduce", "refine", "revise" (Go text/template; fields .Text, .Summaries, .Existing, .Problems, .Index, .Total)`)
	fs.IntVar(&o.chunkSize, "chunk-size", summarize.DefaultChunkSize, "most a chunk may measure, in --length units")
	fs.IntVar(&o.chunkOverlap, "chunk-overlap", summarize.DefaultChunkOverlap, "how much of the previous chunk each chunk repeats, in --length units")
	fs.StringVar(&o.length, "length", "tokens", `unit of --chunk-size, --chunk-overlap and --token-max: "tokens" (approximate) or "chars"`)
	fs.IntVar(&o.tokenMax, "token-max", summarize.DefaultTokenMax, "most the summaries combined by one reduce call may measure; more are collapsed first")
	fs.IntVar(&o.mapConc, "map-concurrency", summarize.DefaultMapConcurrency, "map calls in flight for one document")
}

// summarizeMethod opens one --method value as a Summarizer.
type summarizeMethod struct {
	// name is the method ("llm"), or a prefix ending in ':' whose rest is
	// an argument ("model:" for model:PATH).
	name string
	open func(m *Main, ctx context.Context, arg string, o *summarizeOptions, st *summarizeStats) (summarize.Summarizer, error)
}

// summarizeMethods lists the --method values. Methods that live in other
// packages (extractive, model:PATH) are added here with one line each.
func summarizeMethods() []summarizeMethod {
	return []summarizeMethod{
		{"llm", openLLMSummarizer},
		{"extractive", openExtractiveSummarizer},
		{"model:", openTrainedSummarizer},
	}
}

func summarizeMethodNames() string {
	var names []string
	for _, sm := range summarizeMethods() {
		n := sm.name
		if strings.HasSuffix(n, ":") {
			n += "PATH"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// summarizeStats counts what a run did, for the final report.
type summarizeStats struct {
	docs, failed, unfaithful int
	chunks, calls            int
	retries, llmCallsLive    atomic.Int64
	// bar shows progress; LLM calls update its description as they finish,
	// so a long document shows life before it completes.
	bar atomic.Pointer[progress.Bar]
}

// llmCallDone counts a finished LLM call.
func (st *summarizeStats) llmCallDone() {
	n := st.llmCallsLive.Add(1)
	if b := st.bar.Load(); b != nil {
		b.Describe(fmt.Sprintf("summarizing (%d LLM calls)", n))
	}
}

// openLLMSummarizer builds the LLM chain the flags describe.
func openLLMSummarizer(m *Main, ctx context.Context, _ string, o *summarizeOptions, st *summarizeStats) (summarize.Summarizer, error) {
	cfg, err := o.llm.Resolve()
	if err != nil {
		return nil, usageOf(err)
	}
	kind, err := summarize.ParseChainKind(o.chain)
	if err != nil {
		return nil, usageError{err}
	}
	task, err := summarize.ParseTask(o.task)
	if err != nil {
		return nil, usageError{err}
	}
	prompts, err := summarize.DefaultPrompts(task)
	if err != nil {
		return nil, err
	}
	if o.promptsFile != "" {
		if prompts, err = summarize.LoadPrompts(o.promptsFile, prompts); err != nil {
			return nil, usageError{err}
		}
	}
	var length summarize.Counter
	switch o.length {
	case "tokens":
		length = summarize.ApproxTokens
	case "chars":
		length = summarize.Chars
	default:
		return nil, usageError{fmt.Errorf("summarize: --length %q: want tokens or chars", o.length)}
	}
	splitter := summarize.Splitter{ChunkSize: o.chunkSize, ChunkOverlap: o.chunkOverlap, Length: length}
	if err := splitter.Validate(); err != nil {
		return nil, usageError{fmt.Errorf("summarize: --chunk-size/--chunk-overlap: %w", err)}
	}
	if o.tokenMax < 1 || o.mapConc < 1 {
		return nil, usageError{errors.New("summarize: --token-max and --map-concurrency must be at least 1")}
	}
	onRetry := func(attempt int, err error, wait time.Duration) {
		st.retries.Add(1)
		if o.verbose {
			fmt.Fprintf(m.Stderr, "osler summarize: retry %d in %s after: %v\n", attempt, wait.Round(time.Millisecond), err)
		}
	}
	model, err := backend.Open(ctx, cfg, onRetry)
	if err != nil {
		return nil, err
	}
	return summarize.NewChain(kind, summarize.ChainConfig{
		Model:       model,
		Prompts:     prompts,
		Options:     backend.Options(cfg),
		Splitter:    splitter,
		TokenMax:    o.tokenMax,
		Counter:     length,
		Concurrency: o.mapConc,
		Progress:    func(summarize.Event) { st.llmCallDone() },
	})
}

func (m *Main) runSummarize(ctx context.Context, args []string) error {
	fs := m.newFlagSet(summarizeDoc)
	var o summarizeOptions
	o.register(fs)
	var data dataFlags
	data.register(fs, "")
	pos, err := m.parseFlags(fs, summarizeDoc, args)
	if err != nil {
		return err
	}
	o.llm.Getenv, o.llm.Given = m.Getenv, givenFlags(fs)
	if len(pos) > 0 {
		return usageError{fmt.Errorf("summarize: unexpected argument %q; give files with --input and --output (see --help)", pos[0])}
	}
	if o.concurrency < 1 {
		return usageError{errors.New("summarize: --concurrency must be at least 1")}
	}
	if o.input != "-" && o.output == o.input {
		return usageError{errors.New("summarize: --input and --output are the same file")}
	}
	inOpts, err := data.options()
	if err != nil {
		return err
	}

	if o.method == "" {
		o.method = "extractive"
		if o.llm.Configured() {
			o.method = "llm"
		}
	}
	var method *summarizeMethod
	var arg string
	for _, sm := range summarizeMethods() {
		if sm.name == o.method || (strings.HasSuffix(sm.name, ":") && strings.HasPrefix(o.method, sm.name)) {
			method, arg = &sm, strings.TrimPrefix(o.method, sm.name)
			break
		}
	}
	if method == nil {
		return usageError{fmt.Errorf("summarize: unknown --method %q (available in this build: %s)", o.method, summarizeMethodNames())}
	}

	// Check the whole input before spending any LLM call on it; this also
	// gives the progress bar its total.
	total := int64(-1)
	if o.input != "-" && !o.keepGoing {
		n, err := countRecords(ctx, o.input, inOpts)
		if err != nil {
			return err
		}
		total = int64(n)
	}

	mode, err := summarize.ParseVerifyMode(o.verify)
	if err != nil {
		return usageError{err}
	}
	if o.verifyRetries < 1 {
		return usageError{errors.New("summarize: --verify-retries must be at least 1")}
	}
	checker, err := m.checker(o.vocab)
	if err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	var st summarizeStats
	s, err := method.open(m, ctx, arg, &o, &st)
	if err != nil {
		return err
	}
	if s, err = summarize.Verify(s, checker, mode, o.verifyRetries); err != nil {
		return usageError{err}
	}
	start := time.Now()
	if err := m.summarizeStream(ctx, s, &o, inOpts, total, &st); err != nil {
		return err
	}
	where := ""
	if o.output != "-" {
		where = " to " + o.output
	}
	stats := ""
	if st.calls > 0 || st.retries.Load() > 0 {
		stats = fmt.Sprintf(", %d chunks, %d LLM calls, %d retries", st.chunks, st.calls, st.retries.Load())
	}
	fmt.Fprintf(m.Stderr, "summarized %d documents (%s%s) in %s%s\n",
		st.docs, method.name+arg, stats, time.Since(start).Round(time.Millisecond), where)
	if st.unfaithful > 0 {
		fmt.Fprintf(m.Stderr, "osler summarize: warning: %d of %d summaries hold a claim their document does not back (see their \"warnings\")\n", st.unfaithful, st.docs)
	}
	if st.failed > 0 {
		return exitError{1, fmt.Sprintf("summarize: %d of %d documents failed (listed above); the others were written", st.failed, st.failed+st.docs)}
	}
	return nil
}

// countRecords reads a file through, returning the number of records or
// the first parse error (with its line).
func countRecords(ctx context.Context, path string, opts dataset.Options) (int, error) {
	f, err := dataset.Open(path, nil, opts)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for {
		if n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		_, err := f.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// summaryLine is one output line: the id, the summary, and with
// --provenance the provenance fields.
type summaryLine struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Warnings are the faithfulness check's issues (omitted when none).
	Warnings []clinical.Issue `json:"warnings,omitempty"`
	*summarize.Provenance
}

// summarizeJob is a record to summarize, or the error reading it.
type summarizeJob struct {
	rec dataset.Record
	err error // a read error: the record could not be decoded
}

// summarizeDone is a summary, or the error making it.
type summarizeDone struct {
	res summarize.Result
	err error
}

// summarizeStream reads records, summarizes them on --concurrency
// goroutines and writes the summaries in input order (internal/ordered),
// so inputs of any size stream in bounded memory.
func (m *Main) summarizeStream(ctx context.Context, s summarize.Summarizer, o *summarizeOptions, inOpts dataset.Options, total int64, st *summarizeStats) error {
	src, err := dataset.Open(o.input, m.Stdin, inOpts)
	if err != nil {
		return err
	}
	defer src.Close()
	var out io.Writer = m.Stdout
	var af *atomicfile.File
	if o.output != "-" {
		if af, err = atomicfile.Create(o.output, 0o644); err != nil {
			return fmt.Errorf("summarize: %w", err)
		}
		defer af.Abort()
		out = af
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bar := progress.New(m.Stderr, m.IsTerminal(m.Stderr), total, "summarizing")
	defer bar.Finish()
	st.bar.Store(bar)
	defer st.bar.Store(nil)
	inName := src.Name
	if inName == "-" {
		inName = "stdin"
	}
	err = ordered.Map(ctx, ordered.Options{Workers: o.concurrency},
		func(j *summarizeJob) error {
			rec, err := src.Read()
			var pe *dataset.ParseError
			if err != nil && !errors.As(err, &pe) {
				return err // io.EOF, or an I/O error: nothing more can be read
			}
			*j = summarizeJob{rec: rec, err: err}
			return nil
		},
		func(ctx context.Context, j *summarizeJob, d *summarizeDone) error {
			*d = summarizeDone{}
			if j.err != nil {
				return nil
			}
			d.res, d.err = s.Summarize(ctx, summarize.Document{ID: j.rec.ID, Text: j.rec.Text})
			if d.err != nil {
				if ctx.Err() != nil {
					return ctx.Err() // interrupted: stop
				}
				d.err = fmt.Errorf("%s:%d: id %q: %w", inName, j.rec.Line, j.rec.ID, d.err)
			}
			return nil
		},
		func(j *summarizeJob, d *summarizeDone) error {
			return m.writeSummary(enc, bw, o, st, bar, j, d)
		})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("summarize: writing %s: %w", o.output, err)
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return fmt.Errorf("summarize: %w", err)
		}
	}
	return nil
}

// writeSummary writes one record's line, or reports its failure: it stops
// the run unless --keep-going.
func (m *Main) writeSummary(enc *json.Encoder, bw *bufio.Writer, o *summarizeOptions, st *summarizeStats, bar *progress.Bar, j *summarizeJob, d *summarizeDone) error {
	if err := cmp.Or(j.err, d.err); err != nil {
		if !o.keepGoing {
			return err
		}
		st.failed++
		fmt.Fprintf(m.Stderr, "osler summarize: %v\n", err)
		bar.Add(1)
		return nil
	}
	line := summaryLine{ID: j.rec.ID, Summary: d.res.Summary, Warnings: d.res.Warnings}
	if !d.res.Faithful() && d.res.Checked {
		st.unfaithful++
	}
	if o.provenance {
		line.Provenance = d.res.Provenance
	}
	if err := enc.Encode(line); err != nil {
		return fmt.Errorf("summarize: writing %s: %w", o.output, err)
	}
	if o.output == "-" {
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("summarize: writing to stdout: %w", err)
		}
	}
	st.docs++
	if p := d.res.Provenance; p != nil {
		st.chunks += p.Chunks
		st.calls += p.LLMCalls
	}
	bar.Add(1)
	return nil
}
