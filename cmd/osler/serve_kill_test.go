package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/osler-health/osler/api"
	"github.com/osler-health/osler/internal/crypt"
	"github.com/osler-health/osler/internal/registry"
)

// The server kill test re-executes this test binary as child processes:
// `osler serve` on an encrypted registry, and the CLI registering and
// approving versions, while the parent sends inference requests and admin
// API calls (approvals, imports, dataset uploads). Each trial kills the
// server, and often the CLI, with SIGKILL at a random moment, then checks
// the registry opens, passes SQLite's integrity check and every artifact and
// dataset verifies.

var serveKillTrials = flag.Int("serve-kill-trials", 50, "SIGKILL trials of TestServeKill (at least 50 for the acceptance criterion)")

const (
	killChildEnv = "OSLER_SERVE_KILL_CHILD" // JSON array of osler arguments
	killLoopEnv  = "OSLER_SERVE_KILL_LOOP"  // "cli": register and approve in a loop
)

// init runs the child instead of the tests when the test binary is
// started as one. It is init rather than TestMain so that this shared
// package keeps TestMain free for others.
func init() {
	raw := os.Getenv(killChildEnv)
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "kill child:", err)
		os.Exit(3)
	}
	m := NewMain()
	if os.Getenv(killLoopEnv) == "cli" {
		os.Exit(cliLoop(m, args))
	}
	// As main does: SIGINT and SIGTERM cancel the command's context.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := m.Run(ctx, args)
	stop()
	os.Exit(m.exitCode(err))
}

// cliLoop registers args[0] (a model directory) as versions of "cli" and
// approves or rejects them, printing "ready" first.
func cliLoop(m *Main, args []string) int {
	ctx := context.Background()
	fmt.Println("ready")
	for i := 0; ; i++ {
		var err error
		switch i % 3 {
		case 0:
			err = m.Run(ctx, []string{"models", "register", "--name", "cli", "--kind", "classifier", "--artifact", args[0], "--by", "kill-test"})
		case 1:
			err = m.Run(ctx, []string{"models", "approve", "cli:latest", "--by", "kill-test"})
		default:
			err = m.Run(ctx, []string{"models", "reject", "cli:" + strconv.Itoa(1+i%5), "--by", "kill-test"})
		}
		if err != nil && !strings.Contains(err.Error(), "not found") && !strings.Contains(err.Error(), "no version") {
			fmt.Fprintln(os.Stderr, "cli loop:", err)
		}
	}
}

// child is a re-executed test binary running osler.
type child struct {
	cmd *exec.Cmd
	// lines are its stdout and stderr lines; done closes when it exits.
	lines <-chan string
	done  <-chan struct{}
}

// kill sends SIGKILL and waits for the process to exit.
func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
}

// killChild starts a child running osler args.
func killChild(t *testing.T, env []string, loop string, args ...string) *child {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), killChildEnv+"="+string(raw), killLoopEnv+"="+loop)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads: drop
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		pw.Close()
		close(done)
	}()
	return &child{cmd: cmd, lines: lines, done: done}
}

func TestServeKill(t *testing.T) {
	trials := *serveKillTrials
	if testing.Short() && trials > 10 {
		trials = 10
	}
	model := trainServeModel(t)
	mk, err := crypt.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	env, predictKey := registryWithModel(t, model, mk)
	home := env["OSLER_HOME"]
	out, errOut, code := runOslerEnv(t, env, "", "keys", "create", "--name", "admin", "--scope", "admin")
	adminKey := strings.TrimSpace(out[strings.Index(out, "osk_"):])
	if i := strings.IndexAny(adminKey, " \n"); i > 0 {
		adminKey = adminKey[:i]
	}
	if code != 0 {
		t.Fatal(errOut)
	}
	export := filepath.Join(t.TempDir(), "ade.tar")
	if _, errOut, code := runOslerEnv(t, env, "", "models", "export", "ade:1", "-o", export); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	exportBytes, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	childEnv := []string{"OSLER_HOME=" + home, "OSLER_MASTER_KEY=" + mk.Encode(), "OSLER_MASTER_KEY_FILE="}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	var killedEarly, killedServing, cliKilled, requests, answered int
	start := time.Now()
	for trial := range trials {
		srv := killChild(t, childEnv, "", "serve", "--addr", "127.0.0.1:0", "--reload-interval", "20ms")
		var cli *child
		if trial%2 == 0 {
			cli = killChild(t, childEnv, "cli", model)
		}
		// One trial in five is killed during start-up (opening the
		// registry, loading the models); the rest while serving.
		early := rng.IntN(5) == 0
		var url string
		if early {
			time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
			killedEarly++
		} else {
			url = waitListening(t, srv.lines)
			killedServing++
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failures []string
		if url != "" {
			// Each worker draws from its own generator (rand.Rand is not
			// safe for concurrent use).
			work := func(fn func(c *api.Client, r *rand.Rand) error, key string, seed uint64) {
				defer wg.Done()
				c, _ := api.NewClient(url, key, nil)
				r := rand.New(rand.NewPCG(seed, 3))
				for !stop.Load() {
					err := fn(c, r)
					mu.Lock()
					requests++
					var se *api.StatusError
					switch {
					case err == nil:
						answered++
					case errors.As(err, &se) && se.StatusCode >= 500:
						failures = append(failures, err.Error())
					}
					mu.Unlock()
				}
			}
			wg.Add(3)
			go work(func(c *api.Client, _ *rand.Rand) error {
				_, err := c.Classify(context.Background(), api.ClassifyRequest{Model: "ade", Inputs: api.Batch("Rash after amoxicillin.", "Aspirin for pain.")})
				if api.IsCode(err, api.CodeUnknownModel) || api.IsCode(err, api.CodeNoModel) {
					return nil // every version rejected by this trial's approvals
				}
				return err
			}, predictKey, rng.Uint64())
			go work(func(c *api.Client, r *rand.Rand) error {
				v := 1 + r.IntN(3)
				var err error
				if r.IntN(2) == 0 {
					_, err = c.Approve(context.Background(), "ade", v, "kill test")
				} else {
					_, err = c.Reject(context.Background(), "ade", v, "kill test")
				}
				if api.IsCode(err, api.CodeNotFound) {
					return nil
				}
				return err
			}, adminKey, rng.Uint64())
			go work(func(c *api.Client, r *rand.Rand) error {
				if r.IntN(2) == 0 {
					_, err := c.ImportVersion(context.Background(), "ade", bytes.NewReader(exportBytes))
					return err
				}
				_, err := c.PutDataset(context.Background(), "rows.jsonl", strings.NewReader(strings.Repeat(fmt.Sprintf(`{"text": "row %d"}`+"\n", r.IntN(100)), 1+r.IntN(2000))))
				return err
			}, adminKey, rng.Uint64())
			time.Sleep(time.Duration(5+rng.IntN(200)) * time.Millisecond)
		}
		srv.cmd.Process.Signal(syscall.SIGKILL)
		if cli != nil && rng.IntN(2) == 0 {
			cli.kill() // in the middle of whatever it was doing
			cliKilled++
		}
		stop.Store(true)
		wg.Wait()
		srv.kill()
		if cli != nil {
			cli.kill()
		}
		if len(failures) > 0 {
			t.Errorf("trial %d: %d server errors before the kill, e.g. %s", trial, len(failures), failures[0])
		}
		checkRegistry(t, trial, home, mk)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d trials in %s (%d killed during start-up, %d while serving, CLI killed in %d); %d requests, %d answered before the kills",
		trials, time.Since(start).Round(time.Millisecond), killedEarly, killedServing, cliKilled, requests, answered)
	if killedServing > 0 && answered == 0 {
		t.Error("no request was answered in any trial: the test did not exercise the server")
	}
}

// waitListening reads the child's output until osler serve says where it
// listens.
func waitListening(t *testing.T, lines <-chan string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the server exited before listening")
			}
			if m := listeningRE.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		case <-timeout:
			t.Fatal("the server did not start")
		}
	}
}

// checkRegistry opens the registry after a kill and checks everything in
// it: the database, every version's artifact, every stored dataset.
func checkRegistry(t *testing.T, trial int, home string, mk *crypt.Key) {
	t.Helper()
	ctx := context.Background()
	s, err := registry.Open(ctx, home, registry.Options{Key: mk})
	if err != nil {
		t.Fatalf("trial %d: the registry does not open after the kill: %v", trial, err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("trial %d: integrity check: %v", trial, err)
	}
	vs, err := s.AllVersions(ctx)
	if err != nil {
		t.Fatalf("trial %d: %v", trial, err)
	}
	for _, v := range vs {
		if err := s.Verify(ctx, v); err != nil {
			t.Fatalf("trial %d: %s fails its checksum: %v", trial, v.Ref(), err)
		}
	}
	ds, err := s.Datasets(ctx)
	if err != nil {
		t.Fatalf("trial %d: %v", trial, err)
	}
	for _, d := range ds {
		_, r, err := s.GetDataset(ctx, d.SHA256)
		if err != nil {
			t.Fatalf("trial %d: dataset %s: %v", trial, d.SHA256[:12], err)
		}
		_, err = io.Copy(io.Discard, r)
		r.Close()
		if err != nil {
			t.Fatalf("trial %d: dataset %s fails its checksum: %v", trial, d.SHA256[:12], err)
		}
	}
}

// TestServeSIGTERM sends SIGTERM to a running osler serve process, as the
// managed service does before stopping a container, and checks it drains
// and exits 0 without waiting for the drain deadline (nothing was in
// flight), so well within the 30 s the service allows. The process has its
// own clock, so the evidence is its log, not a time bound; the 20 s
// timeout only turns a hang into a failure.
func TestServeSIGTERM(t *testing.T) {
	model := trainServeModel(t)
	env, key := registryWithModel(t, model, nil)
	srv := killChild(t, []string{"OSLER_HOME=" + env["OSLER_HOME"], "OSLER_MASTER_KEY=", "OSLER_MASTER_KEY_FILE="}, "", "serve", "--addr", "127.0.0.1:0")
	url := waitListening(t, srv.lines)
	c, _ := api.NewClient(url, key, nil)
	if _, err := c.Classify(context.Background(), api.ClassifyRequest{Inputs: api.Text("Rash after amoxicillin.")}); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	var lines []string
	timeout := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case l, ok := <-srv.lines:
			if !ok {
				done = true
				break
			}
			lines = append(lines, l)
		case <-timeout:
			srv.kill()
			t.Fatal("osler serve did not exit after SIGTERM")
		}
	}
	<-srv.done
	out := strings.Join(lines, "\n")
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM:\n%s", code, out)
	}
	if !strings.Contains(out, `"msg":"draining"`) || !strings.Contains(out, `"msg":"stopped"`) {
		t.Errorf("no draining and stopped lines:\n%s", out)
	}
	if !strings.Contains(out, `"in_flight":0`) || strings.Contains(out, "drain deadline passed") {
		t.Errorf("the server did not drain at once (nothing was in flight):\n%s", out)
	}
}
