// Command osler-batch runs osler's batch jobs (predict, summarize, rouge)
// as Apache Beam pipelines on a runner: in this process (prism, direct)
// or on a cluster (Flink, Spark, Dataflow). osler batch execs it, so the
// osler binary does not link Beam. See docs/SCALE_OUT.md.
//
// Beam reads its pipeline options from the process's command-line flags
// (flag.CommandLine), so this command is the one place in Osler that uses
// them: Osler's own flags are parsed on their own set, and every other
// flag is handed to Beam under its Beam name (--temp-location becomes
// --temp_location). A runner starts the same binary as a worker with
// Beam's flags only (--worker ...); beam.Init then runs the worker and
// never returns.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime/harness/init" // worker mode
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "osler-batch: %v\n", err)
		stop()
		os.Exit(exitCode(err))
	}
}
