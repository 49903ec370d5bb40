package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/summarize"
	"github.com/osler-health/osler/internal/summarize/batch"
	"github.com/osler-health/osler/internal/summarize/method"
)

var summarizeDoc = helpDoc("summarize")

// summarizeFlags are the flags of osler summarize, bound straight into the
// library's options.
type summarizeFlags struct {
	input, output string
	method        method.Spec
	opts          method.Options
	batch         batch.Options
	verbose       bool
	vocab         string
	enums         enumFlags
	// chainEnums are the llm method's settings, parsed only for it: other
	// methods ignore them, as they always have.
	chainEnums enumFlags
}

func (f *summarizeFlags) register(fs *flag.FlagSet) {
	f.opts = method.DefaultOptions()
	c := &f.opts.Chain
	fs.StringVar(&f.input, "input", "-", `input file ("-" for stdin)`)
	fs.StringVar(&f.output, "output", "-", `output JSONL file ("-" for stdout)`)
	f.enums.Var(fs, &f.method, "method", "summarization method: "+method.Names()+" (default: llm when an LLM server is configured, otherwise extractive)")
	fs.IntVar(&f.batch.Workers, "concurrency", 4, "documents summarized at once")
	fs.BoolVar(&f.batch.Provenance, "provenance", false, "add provenance fields (method, chunks, llm_calls, source_sentences, neighbors, notes) to each output line")
	fs.BoolVar(&f.batch.KeepGoing, "keep-going", false, "report documents that fail (and bad input lines) and go on; exit 1 at the end if any failed")
	fs.BoolVar(&f.verbose, "verbose", false, "report each LLM retry on stderr")
	f.enums.Var(fs, &f.opts.Verify, "verify", `check each summary against its document (osler eval faithfulness): "warn" adds the issues as "warnings", `+
		`"drop" removes the sentences the document does not back, "retry" asks the LLM to correct the summary (--verify-retries times, then warns), "off" skips the check`)
	fs.IntVar(&f.opts.VerifyRetries, "verify-retries", f.opts.VerifyRetries, "corrections --verify retry asks for")
	fs.StringVar(&f.vocab, "vocab", "", "a lexicon file that extends the faithfulness check's vocabulary")
	registerLLMFlags(fs, &f.opts.LLM)
	f.chainEnums.Var(fs, &c.Kind, "chain", "LLM chain: stuff, map-reduce or refine (map-reduce makes one stuff call when a document fits one chunk)")
	f.chainEnums.Var(fs, &c.Task, "task", "default prompts: note (symptoms, findings, actions), radiology (impression from findings) or article (long article)")
	fs.StringVar(&c.PromptsFile, "prompts", "", `JSON file overriding prompts: keys "system", "stuff", "map", "reduce", "refine", "revise" (Go text/template; fields .Text, .Summaries, .Existing, .Problems, .Index, .Total)`)
	fs.IntVar(&c.ChunkSize, "chunk-size", c.ChunkSize, "most a chunk may measure, in --length units")
	fs.IntVar(&c.ChunkOverlap, "chunk-overlap", c.ChunkOverlap, "how much of the previous chunk each chunk repeats, in --length units")
	f.chainEnums.Var(fs, &c.Length, "length", `unit of --chunk-size, --chunk-overlap and --token-max: "tokens" (approximate) or "chars"`)
	fs.IntVar(&c.TokenMax, "token-max", c.TokenMax, "most the summaries combined by one reduce call may measure; more are collapsed first")
	fs.IntVar(&c.MapConcurrency, "map-concurrency", c.MapConcurrency, "map calls in flight for one document")
}

func (m *Main) runSummarize(ctx context.Context, args []string) error {
	fs := m.newFlagSet(summarizeDoc)
	var f summarizeFlags
	f.register(fs)
	var data dataFlags
	data.register(fs, "")
	pos, err := m.parseFlags(fs, summarizeDoc, args)
	if err != nil {
		return err
	}
	f.opts.LLM.Getenv, f.opts.LLM.Given = m.Getenv, givenFlags(fs)
	if len(pos) > 0 {
		return usageError{fmt.Errorf("summarize: unexpected argument %q; give files with --input and --output (see --help)", pos[0])}
	}
	if f.batch.Workers < 1 {
		return usageError{errors.New("summarize: --concurrency must be at least 1")}
	}
	if f.input != "-" && f.output == f.input {
		return usageError{errors.New("summarize: --input and --output are the same file")}
	}
	inOpts, err := data.options()
	if err != nil {
		return err
	}
	if err := f.enums.set(); err != nil {
		return err
	}
	if f.method.Kind == "" {
		f.method = method.Default(f.opts.LLM)
	}
	// Check the whole input before spending any LLM call on it; this also
	// gives the progress bar its total.
	f.batch.Total = -1
	if f.input != "-" && !f.batch.KeepGoing {
		if f.batch.Total, err = dataset.Count(ctx, f.input, inOpts); err != nil {
			return err
		}
	}
	if f.opts.Checker, err = m.checker(f.vocab); err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	if f.method.Kind == method.LLM {
		if err := f.chainEnums.set(); err != nil {
			return err
		}
	}
	bar := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	var retries, calls atomic.Int64
	f.opts.OnRetry = func(attempt int, err error, wait time.Duration) {
		retries.Add(1)
		if f.verbose {
			fmt.Fprintf(m.Stderr, "osler summarize: retry %d in %s after: %v\n", attempt, wait.Round(time.Millisecond), err)
		}
	}
	// LLM calls show in the bar as they finish, so a long document shows
	// life before it completes.
	f.opts.OnCall = func(summarize.Event) { bar.Describe(fmt.Sprintf("summarizing (%d LLM calls)", calls.Add(1))) }
	s, err := method.Open(ctx, f.method, f.opts)
	if err != nil {
		return usageOf(err)
	}
	start := time.Now()
	st, err := m.summarizeStream(ctx, s, &f, inOpts, bar)
	if err != nil {
		return err
	}
	where := ""
	if f.output != "-" {
		where = " to " + f.output
	}
	stats := ""
	if st.LLMCalls > 0 || retries.Load() > 0 {
		stats = fmt.Sprintf(", %d chunks, %d LLM calls, %d retries", st.Chunks, st.LLMCalls, retries.Load())
	}
	fmt.Fprintf(m.Stderr, "summarized %d documents (%s%s) in %s%s\n", st.Docs, f.method, stats, time.Since(start).Round(time.Millisecond), where)
	if st.Unfaithful > 0 {
		fmt.Fprintf(m.Stderr, "osler summarize: warning: %d of %d summaries hold a claim their document does not back (see their \"warnings\")\n", st.Unfaithful, st.Docs)
	}
	if st.Failed > 0 {
		return exitError{1, fmt.Sprintf("summarize: %d of %d documents failed (listed above); the others were written", st.Failed, st.Failed+st.Docs)}
	}
	return nil
}

// summarizeStream opens the input and the output and runs the batch:
// the output file appears only once complete.
func (m *Main) summarizeStream(ctx context.Context, s summarize.Summarizer, f *summarizeFlags, inOpts dataset.Options, bar *progress.Writer) (batch.Stats, error) {
	src, err := dataset.Open(f.input, m.Stdin, inOpts)
	if err != nil {
		return batch.Stats{}, err
	}
	defer src.Close()
	var out io.Writer = m.Stdout
	var af *atomicfile.File
	if f.output != "-" {
		if af, err = atomicfile.Create(f.output, 0o644); err != nil {
			return batch.Stats{}, fmt.Errorf("summarize: %w", err)
		}
		defer af.Abort()
		out = af
	}
	o := f.batch
	o.Input, o.Output, o.Progress = src.Name, f.output, bar
	o.OnFailure = func(err error) { fmt.Fprintf(m.Stderr, "osler summarize: %v\n", err) }
	st, err := batch.Run(ctx, s, src, out, o)
	bar.Finish()
	if err != nil {
		return st, err
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return st, fmt.Errorf("summarize: %w", err)
		}
	}
	return st, nil
}
