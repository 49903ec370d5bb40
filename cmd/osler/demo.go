package main

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

var demoDoc = helpDoc("demo")

// demoConfig holds the demo's settings.
type demoConfig struct {
	dir        string
	seed       uint64
	nADE       int
	nRadiology int
	addr       string
	noServe    bool
}

func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.newFlagSet(demoDoc)
	var cfg demoConfig
	fs.StringVar(&cfg.dir, "dir", "", "directory for the demo's data, models and reports (default: a new temporary directory)")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed for the synthetic data and the splits")
	fs.IntVar(&cfg.nADE, "n-ade", 6000, "number of synthetic ADE-style sentences")
	fs.IntVar(&cfg.nRadiology, "n-radiology", 3000, "number of synthetic radiology reports")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to serve the demo models on (another free port is used when it is taken)")
	fs.BoolVar(&cfg.noServe, "no-serve", false, "stop after training and evaluating instead of serving the models")
	if _, err := m.parseFlags(fs, demoDoc, args); err != nil {
		return err
	}
	if cfg.dir == "" {
		dir, err := os.MkdirTemp("", "osler-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		cfg.dir = dir
	}
	for _, sub := range []string{"", "models", "predictions", "reports"} {
		if err := os.MkdirAll(filepath.Join(cfg.dir, sub), 0o755); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	d := &demo{m: m, cfg: cfg, start: time.Now()}
	fmt.Fprintf(m.Stdout, "Osler demo: everything below runs on this machine, on synthetic (fake) clinical text.\nFiles: %s\n", cfg.dir)
	for _, step := range d.steps() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(ctx); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	fmt.Fprintf(m.Stdout, "\nDone in %s. The data, models, registry and reports are in %s.\n", time.Since(d.start).Round(100*time.Millisecond), cfg.dir)
	return nil
}

type demo struct {
	m     *Main
	cfg   demoConfig
	start time.Time
	n     int // steps shown so far
}

func (d *demo) path(name string) string { return filepath.Join(d.cfg.dir, name) }

// steps lists the demo's steps in order.
func (d *demo) steps() []func(context.Context) error {
	seed := fmt.Sprint(d.cfg.seed)
	return []func(context.Context) error{
		func(ctx context.Context) error {
			d.heading("Synthesize data", "fake ADE-style sentences (with drug/effect relations) and radiology reports (findings with impressions)")
			if err := d.run(ctx, "data", "synth", "--kind", "ade", "--n", fmt.Sprint(d.cfg.nADE), "--seed", seed, "--out", d.path("ade.jsonl"), "--relations", d.path("ade.relations.jsonl")); err != nil {
				return err
			}
			return d.run(ctx, "data", "synth", "--kind", "radiology", "--n", fmt.Sprint(d.cfg.nRadiology), "--seed", seed, "--out", d.path("radiology.jsonl"))
		},
		func(ctx context.Context) error {
			d.heading("Validate", "the checks a managed custom-classification service applies, plus duplicates")
			return d.run(ctx, "data", "validate", "--max-issues", "3", d.path("ade.jsonl"))
		},
		func(ctx context.Context) error {
			d.heading("Split", "stratified train/dev/test splits; near-duplicate texts stay in one split")
			if err := d.run(ctx, "data", "split", d.path("ade.jsonl"), "--test", "0.2", "--dev", "0.1", "--seed", seed); err != nil {
				return err
			}
			if err := d.run(ctx, "data", "split", d.path("radiology.jsonl"), "--test", "0.2", "--dev", "0.1", "--seed", seed); err != nil {
				return err
			}
			return d.run(ctx, "data", "validate", "--max-issues", "3", d.path("ade.train.jsonl"), d.path("ade.dev.jsonl"), d.path("ade.test.jsonl"))
		},
		func(ctx context.Context) error {
			d.heading("Train a classifier", "adverse drug events, with a drug/effect lexicon learned from the training relations; registered if dev F1 >= 0.80")
			return d.run(ctx, "train", "classifier", "--train", d.path("ade.train.jsonl"), "--dev", d.path("ade.dev.jsonl"), "--test", d.path("ade.test.jsonl"),
				"--lexicon", d.path("ade.relations.jsonl"), "--out", d.path("models/ade-detector"),
				"--home", d.home(), "--register", "ade-detector", "--register-if", "dev.f1>=0.80")
		},
		func(ctx context.Context) error {
			d.heading("Predict and evaluate", "score the held-out test sentences, then evaluate them at the model's tuned threshold")
			if err := d.run(ctx, "predict", "--model", d.path("models/ade-detector"), "--input", d.path("ade.test.jsonl"), "--output", d.path("predictions/ade.test.jsonl")); err != nil {
				return err
			}
			return d.run(ctx, "eval", "classification", "--gold", d.path("ade.test.jsonl"), "--pred", d.path("predictions/ade.test.jsonl"),
				"--model", d.path("models/ade-detector"), "--report", d.path("reports/ade-test.html"))
		},
		func(ctx context.Context) error {
			d.heading("Train a summarizer", "radiology findings -> impressions, learned on this CPU from the training split")
			return d.run(ctx, "train", "summarizer", "--train", d.path("radiology.train.jsonl"), "--dev", d.path("radiology.dev.jsonl"),
				"--out", d.path("models/radiology-impressions"), "--no-cv", "--home", d.home(), "--register", "radiology-impressions")
		},
		func(ctx context.Context) error {
			d.heading("Summarize and evaluate", "impressions for the held-out test reports, trained model vs. extractive, with exact ROUGE and the share of summaries their report does not back")
			if err := d.run(ctx, "summarize", "--method", "model:"+d.path("models/radiology-impressions"), "--provenance",
				"--input", d.path("radiology.test.jsonl"), "--output", d.path("predictions/radiology.test.trained.jsonl")); err != nil {
				return err
			}
			if err := d.run(ctx, "summarize", "--method", "extractive",
				"--input", d.path("radiology.test.jsonl"), "--output", d.path("predictions/radiology.test.extractive.jsonl")); err != nil {
				return err
			}
			if err := d.run(ctx, "eval", "compare", "--references", d.path("radiology.test.jsonl"), "--sources", d.path("radiology.test.jsonl"),
				"trained="+d.path("predictions/radiology.test.trained.jsonl"), "extractive="+d.path("predictions/radiology.test.extractive.jsonl"),
				"--report", d.path("reports/summarizer-comparison.html")); err != nil {
				return err
			}
			// The references themselves, checked the same way: what a
			// radiologist writes from priors and history the model does not see.
			return d.run(ctx, "eval", "faithfulness", "--pairs", d.path("radiology.test.jsonl"), "--show", "3",
				"--report", d.path("reports/reference-faithfulness.html"))
		},
		func(ctx context.Context) error {
			d.heading("Approve", "a reviewer approves the registered versions; the server serves the latest Approved version of each model")
			for _, name := range []string{"ade-detector", "radiology-impressions"} {
				if err := d.run(ctx, "models", "approve", name+":latest", "--home", d.home(), "--by", "demo-reviewer", "--note", "osler demo"); err != nil {
					return err
				}
			}
			return d.run(ctx, "models", "list", "--home", d.home())
		},
		func(ctx context.Context) error {
			if d.cfg.noServe {
				return nil
			}
			d.heading("Serve", "the approved models over the REST API, the SageMaker contract and the web UI, until Ctrl-C")
			fmt.Fprintf(d.m.Stdout, "\n$ osler serve --home %s --addr %s\n", quoteArgs([]string{d.home()}), d.cfg.addr)
			return d.m.serveForDemo(ctx, d.home(), d.cfg.addr, nil)
		},
	}
}

// home is the demo's registry home.
func (d *demo) home() string { return d.path("home") }

// heading prints a numbered step title.
func (d *demo) heading(title, what string) {
	d.n++
	fmt.Fprintf(d.m.Stdout, "\n== %d. %s: %s\n", d.n, title, what)
}

// run runs one osler command in-process, showing the command line and its
// output indented under it.
func (d *demo) run(ctx context.Context, args ...string) error {
	fmt.Fprintf(d.m.Stdout, "\n$ osler %s\n", quoteArgs(args))
	out := &indentWriter{w: d.m.Stdout, prefix: "  "}
	sub := *d.m
	sub.Stdout = out
	sub.Stderr = out
	start := time.Now()
	err := sub.Run(ctx, args)
	out.flush()
	if err != nil {
		return fmt.Errorf("osler %s: %w", strings.Join(args[:min(2, len(args))], " "), err)
	}
	fmt.Fprintf(d.m.Stdout, "  (%s)\n", time.Since(start).Round(10*time.Millisecond))
	return nil
}

// quoteArgs renders args as a shell command line.
func quoteArgs(args []string) string {
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
