package main

import (
	"context"
	"io"

	"github.com/osler-health/osler/internal/demo"
)

var demoDoc = helpDoc("demo")

func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.newFlagSet(demoDoc)
	o := demo.DefaultOptions()
	fs.StringVar(&o.Dir, "dir", "", "directory for the demo's data, models and reports (default: a new temporary directory)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed for the synthetic data and the splits")
	fs.IntVar(&o.ADE, "n-ade", o.ADE, "number of synthetic ADE-style sentences")
	fs.IntVar(&o.Radiology, "n-radiology", o.Radiology, "number of synthetic radiology reports")
	fs.StringVar(&o.Addr, "addr", o.Addr, "address to serve the demo models on (another free port is used when it is taken)")
	fs.BoolVar(&o.NoServe, "no-serve", false, "stop after training and evaluating instead of serving the models")
	if _, err := m.parseFlags(fs, demoDoc, args); err != nil {
		return err
	}
	// Each step is an osler command, run in-process with its output going
	// to the demo's.
	run := func(ctx context.Context, args []string, w io.Writer) error {
		sub := *m
		sub.Stdout, sub.Stderr = w, w
		return sub.Run(ctx, args)
	}
	return demo.Run(ctx, o, run, m.Stdout)
}
