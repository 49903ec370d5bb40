// Package demo is osler demo: Osler end to end on its built-in synthetic
// clinical data, with no setup, no network and no files of the user's
// own. It synthesizes data, validates and splits it, trains, evaluates,
// registers and approves a classifier and a summarizer, and serves them
// with ready-to-paste commands ([Serve]). Every step is an osler command
// line, run in-process by the caller's [Runner] and printed as it runs, so
// users can rerun any step on their own data.
//
// It sits above the server in the import layers (it starts one), below
// the command that binds its flags.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options are the demo's settings.
type Options struct {
	// Dir holds the data, models, registry and reports ("": a new
	// temporary directory, kept afterwards).
	Dir string
	// Seed seeds the synthetic data and the splits.
	Seed uint64
	// ADE and Radiology are how many sentences and reports to synthesize.
	ADE, Radiology int
	// Addr is where to serve (another free port when it is taken);
	// NoServe stops after training and evaluating.
	Addr    string
	NoServe bool
}

// DefaultOptions are osler demo's defaults.
func DefaultOptions() Options {
	return Options{Seed: 1, ADE: 6000, Radiology: 3000, Addr: "127.0.0.1:8080"}
}

// Runner runs one osler command line in-process, writing its output and
// messages to w.
type Runner func(ctx context.Context, args []string, w io.Writer) error

// demo is one run.
type demo struct {
	o     Options
	run   Runner
	out   io.Writer
	start time.Time
	n     int // steps shown so far
}

// Run runs the demo, printing each step's heading, command line and
// output (indented) to out, then serves the approved models until ctx is
// done (unless NoServe).
func Run(ctx context.Context, o Options, run Runner, out io.Writer) error {
	if o.Dir == "" {
		dir, err := os.MkdirTemp("", "osler-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		o.Dir = dir
	}
	for _, sub := range []string{"", "models", "predictions", "reports"} {
		if err := os.MkdirAll(filepath.Join(o.Dir, sub), 0o755); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	d := &demo{o: o, run: run, out: out, start: time.Now()}
	fmt.Fprintf(out, "Osler demo: everything below runs on this machine, on synthetic (fake) clinical text.\nFiles: %s\n", o.Dir)
	for _, step := range d.steps() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(ctx); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	fmt.Fprintf(out, "\nDone in %s. The data, models, registry and reports are in %s.\n", time.Since(d.start).Round(100*time.Millisecond), o.Dir)
	return nil
}

func (d *demo) path(name string) string { return filepath.Join(d.o.Dir, name) }

// home is the demo's registry home.
func (d *demo) home() string { return d.path("home") }

// steps lists the demo's steps in order.
func (d *demo) steps() []func(context.Context) error {
	return []func(context.Context) error{d.synthesize, d.validate, d.split, d.trainClassifier, d.predict, d.trainSummarizer, d.summarize, d.approve, d.cdsHooks, d.serve}
}

func (d *demo) synthesize(ctx context.Context) error {
	d.heading("Synthesize data", "fake ADE-style sentences (with drug/effect relations) and radiology reports (findings with impressions)")
	seed := fmt.Sprint(d.o.Seed)
	if err := d.cmd(ctx, "data", "synth", "--kind", "ade", "--n", fmt.Sprint(d.o.ADE), "--seed", seed, "--out", d.path("ade.jsonl"), "--relations", d.path("ade.relations.jsonl")); err != nil {
		return err
	}
	return d.cmd(ctx, "data", "synth", "--kind", "radiology", "--n", fmt.Sprint(d.o.Radiology), "--seed", seed, "--out", d.path("radiology.jsonl"))
}

func (d *demo) validate(ctx context.Context) error {
	d.heading("Validate", "the checks a managed custom-classification service applies, plus duplicates")
	return d.cmd(ctx, "data", "validate", "--max-issues", "3", d.path("ade.jsonl"))
}

func (d *demo) split(ctx context.Context) error {
	d.heading("Split", "stratified train/dev/test splits; near-duplicate texts stay in one split")
	seed := fmt.Sprint(d.o.Seed)
	for _, f := range []string{"ade.jsonl", "radiology.jsonl"} {
		if err := d.cmd(ctx, "data", "split", d.path(f), "--test", "0.2", "--dev", "0.1", "--seed", seed); err != nil {
			return err
		}
	}
	return d.cmd(ctx, "data", "validate", "--max-issues", "3", d.path("ade.train.jsonl"), d.path("ade.dev.jsonl"), d.path("ade.test.jsonl"))
}

func (d *demo) trainClassifier(ctx context.Context) error {
	d.heading("Train a classifier", "adverse drug events, with a drug/effect lexicon learned from the training relations; registered if dev F1 >= 0.80")
	return d.cmd(ctx, "train", "classifier", "--train", d.path("ade.train.jsonl"), "--dev", d.path("ade.dev.jsonl"), "--test", d.path("ade.test.jsonl"),
		"--lexicon", d.path("ade.relations.jsonl"), "--out", d.path("models/ade-detector"),
		"--home", d.home(), "--register", "ade-detector", "--register-if", "dev.f1>=0.80")
}

func (d *demo) predict(ctx context.Context) error {
	d.heading("Predict and evaluate", "score the held-out test sentences, then evaluate them at the model's tuned threshold")
	if err := d.cmd(ctx, "predict", "--model", d.path("models/ade-detector"), "--input", d.path("ade.test.jsonl"), "--output", d.path("predictions/ade.test.jsonl")); err != nil {
		return err
	}
	return d.cmd(ctx, "eval", "classification", "--gold", d.path("ade.test.jsonl"), "--pred", d.path("predictions/ade.test.jsonl"),
		"--model", d.path("models/ade-detector"), "--report", d.path("reports/ade-test.html"))
}

func (d *demo) trainSummarizer(ctx context.Context) error {
	d.heading("Train a summarizer", "radiology findings -> impressions, learned on this CPU from the training split")
	return d.cmd(ctx, "train", "summarizer", "--train", d.path("radiology.train.jsonl"), "--dev", d.path("radiology.dev.jsonl"),
		"--out", d.path("models/radiology-impressions"), "--no-cv", "--home", d.home(), "--register", "radiology-impressions")
}

func (d *demo) summarize(ctx context.Context) error {
	d.heading("Summarize and evaluate", "impressions for the held-out test reports, trained model vs. extractive, with exact ROUGE and the share of summaries their report does not back")
	if err := d.cmd(ctx, "summarize", "--method", "model:"+d.path("models/radiology-impressions"), "--provenance",
		"--input", d.path("radiology.test.jsonl"), "--output", d.path("predictions/radiology.test.trained.jsonl")); err != nil {
		return err
	}
	if err := d.cmd(ctx, "summarize", "--method", "extractive",
		"--input", d.path("radiology.test.jsonl"), "--output", d.path("predictions/radiology.test.extractive.jsonl")); err != nil {
		return err
	}
	if err := d.cmd(ctx, "eval", "compare", "--references", d.path("radiology.test.jsonl"), "--sources", d.path("radiology.test.jsonl"),
		"trained="+d.path("predictions/radiology.test.trained.jsonl"), "extractive="+d.path("predictions/radiology.test.extractive.jsonl"),
		"--report", d.path("reports/summarizer-comparison.html")); err != nil {
		return err
	}
	// The references themselves, checked the same way: what a radiologist
	// writes from priors and history the model does not see.
	return d.cmd(ctx, "eval", "faithfulness", "--pairs", d.path("radiology.test.jsonl"), "--show", "3",
		"--report", d.path("reports/reference-faithfulness.html"))
}

func (d *demo) approve(ctx context.Context) error {
	d.heading("Approve", "a reviewer approves the registered versions; the server serves the latest Approved version of each model")
	for _, name := range []string{"ade-detector", "radiology-impressions"} {
		if err := d.cmd(ctx, "models", "approve", name+":latest", "--home", d.home(), "--by", "demo-reviewer", "--note", "osler demo"); err != nil {
			return err
		}
	}
	return d.cmd(ctx, "models", "list", "--home", d.home())
}

func (d *demo) serve(ctx context.Context) error {
	if d.o.NoServe {
		return nil
	}
	d.heading("Serve", "the approved models over the REST API, the SageMaker contract and the web UI, until Ctrl-C")
	fmt.Fprintf(d.out, "\n$ osler serve --home %s --addr %s\n", QuoteArgs([]string{d.home()}), d.o.Addr)
	return Serve(ctx, d.home(), d.o.Addr, nil, d.out)
}

// heading prints a numbered step title.
func (d *demo) heading(title, what string) {
	d.n++
	fmt.Fprintf(d.out, "\n== %d. %s: %s\n", d.n, title, what)
}

// cmd runs one osler command, showing the command line and its output
// indented under it.
func (d *demo) cmd(ctx context.Context, args ...string) error {
	fmt.Fprintf(d.out, "\n$ osler %s\n", QuoteArgs(args))
	iw := &indentWriter{w: d.out, prefix: "  "}
	start := time.Now()
	err := d.run(ctx, args, iw)
	iw.flush()
	if err != nil {
		return fmt.Errorf("osler %s: %w", strings.Join(args[:min(2, len(args))], " "), err)
	}
	fmt.Fprintf(d.out, "  (%s)\n", time.Since(start).Round(10*time.Millisecond))
	return nil
}

// QuoteArgs renders args as a shell command line.
func QuoteArgs(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$\\|&;<>*?()[]{}") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

// indentWriter prefixes every line written through it.
type indentWriter struct {
	w       io.Writer
	prefix  string
	partial []byte
}

func (iw *indentWriter) Write(p []byte) (int, error) {
	iw.partial = append(iw.partial, p...)
	for {
		i := bytes.IndexByte(iw.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := iw.partial[:i+1]
		if len(bytes.TrimSpace(line)) == 0 {
			if _, err := iw.w.Write([]byte("\n")); err != nil {
				return 0, err
			}
		} else if _, err := fmt.Fprintf(iw.w, "%s%s", iw.prefix, line); err != nil {
			return 0, err
		}
		iw.partial = iw.partial[i+1:]
	}
}

func (iw *indentWriter) flush() {
	if len(iw.partial) > 0 {
		fmt.Fprintf(iw.w, "%s%s\n", iw.prefix, iw.partial)
		iw.partial = nil
	}
}
