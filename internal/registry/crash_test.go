package registry

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/crypt"
)

// The crash tests re-execute this test binary as a child process that
// works on a registry until it is killed with SIGKILL, then check what it
// left behind.

var crashTrials = flag.Int("crash-trials", 50, "SIGKILL trials in TestCrashSafety (at least 50 for the acceptance criterion)")

const (
	crashChildEnv = "OSLER_REGISTRY_CRASH_CHILD" // the home the child works on
	crashModeEnv  = "OSLER_REGISTRY_CRASH_MODE"  // "loop" or "hold-commit"
	crashKeyEnv   = "OSLER_REGISTRY_CRASH_KEY"   // master key, when encrypted
	crashSeedEnv  = "OSLER_REGISTRY_CRASH_SEED"
	crashWorkEnv  = "OSLER_REGISTRY_CRASH_WORK" // where the child writes artifacts
	crashDBEnv    = "OSLER_REGISTRY_CRASH_DB"   // PostgreSQL URL, or "" for SQLite
)

func TestMain(m *testing.M) {
	if home := os.Getenv(crashChildEnv); home != "" {
		os.Exit(crashChild(home))
	}
	if home := os.Getenv(racerChildEnv); home != "" {
		os.Exit(racerChild(home))
	}
	os.Exit(m.Run())
}

// crashChild registers versions, changes approvals, deletes, collects
// garbage, stores datasets and uses API keys in a loop, printing "ready"
// once the registry is open. In "hold-commit" mode it registers once and
// stops inside the transaction, just before the commit.
func crashChild(home string) int {
	ctx := context.Background()
	var key *crypt.Key
	if k := os.Getenv(crashKeyEnv); k != "" {
		var err error
		if key, err = crypt.ParseKey(k); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 99))
	s, err := Open(ctx, home, Options{Key: key, KeyUseInterval: time.Nanosecond, Database: os.Getenv(crashDBEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	work, err := os.MkdirTemp(os.Getenv(crashWorkEnv), "child-*")
	if err != nil {
		return 3
	}
	if os.Getenv(crashModeEnv) == "hold-commit" {
		beforeRegisterCommit = func() {
			fmt.Println("committing")
			time.Sleep(time.Hour)
		}
		dir := crashArtifact(work, 424242)
		s.Register(ctx, Registration{Name: "held", Kind: KindClassifier, Artifact: dir, Metrics: crashMetrics(424242)})
		return 0
	}
	_, secret, err := s.CreateKey(ctx, "crash", []Scope{ScopePredict}, time.Time{}, "child")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		name := fmt.Sprintf("m%d", rng.IntN(3))
		switch op := rng.IntN(20); {
		case op < 9:
			n := rng.Uint64()
			dir := crashArtifact(filepath.Join(work, strconv.Itoa(i)), n)
			kind := KindClassifier
			if name == "m2" {
				kind = KindSummarizer
			}
			_, err = s.Register(ctx, Registration{Name: name, Kind: kind, Artifact: dir, Metrics: crashMetrics(n), By: "child"})
			os.RemoveAll(dir)
		case op < 14:
			st := []Status{StatusApproved, StatusRejected, StatusPending}[rng.IntN(3)]
			_, _, err = s.SetStatus(ctx, Ref{Name: name, Version: 1 + rng.IntN(8)}, st, "child", "crash test")
		case op < 16:
			_, err = s.DeleteVersion(ctx, Ref{Name: name, Version: 1 + rng.IntN(8)}, "child", true)
		case op < 17:
			_, err = s.GC(ctx, GCOptions{Grace: time.Nanosecond, By: "child"})
		case op < 18:
			data := strings.Repeat(fmt.Sprintf("row %d\n", rng.IntN(1000)), 1+rng.IntN(20000))
			_, err = s.PutDataset(ctx, "data.txt", strings.NewReader(data), "child")
		default:
			_, err = s.Authenticate(ctx, secret, ScopePredict)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 4
		}
	}
}

// crashArtifact writes a model directory whose content follows from n.
func crashArtifact(dir string, n uint64) string {
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	r := rand.New(rand.NewPCG(n, 7))
	weights := make([]byte, 1000+r.IntN(150000))
	for i := range weights {
		weights[i] = byte(r.Uint32())
	}
	os.WriteFile(filepath.Join(dir, "model.json"), []byte(fmt.Sprintf(`{"seed":%d}`, n)), 0o644)
	os.WriteFile(filepath.Join(dir, "weights.bin"), weights, 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "notes.txt"), []byte(strconv.FormatUint(n, 16)), 0o644)
	return dir
}

func crashMetrics(n uint64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"seed":"%d","dev":{"f1":%g}}`, n, float64(n%1000)/1000))
}

// startChild runs the child and returns it with a reader of its stdout.
func startChild(t *testing.T, b *backend, home, mode string, key *crypt.Key, seed int) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+home, crashModeEnv+"="+mode, crashSeedEnv+"="+strconv.Itoa(seed),
		crashWorkEnv+"="+t.TempDir(), crashDBEnv+"="+b.database(home))
	if key != nil {
		cmd.Env = append(cmd.Env, crashKeyEnv+"="+key.Encode())
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewReader(out)
}

// crashState is what one check saw, to compare with the next.
type crashState struct {
	generation int64
	audit      int
	versions   int
}

// checkAfterCrash opens the home and checks everything a crash could
// have broken.
func checkAfterCrash(t *testing.T, b *backend, home string, key *crypt.Key, prev crashState) crashState {
	t.Helper()
	ctx := context.Background()
	s, err := b.Open(ctx, home, Options{Key: key})
	if err != nil {
		t.Fatalf("registry unreadable after SIGKILL: %v", err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	var st crashState
	if st.generation, err = s.Generation(ctx); err != nil {
		t.Fatal(err)
	}
	if st.generation < prev.generation {
		t.Fatalf("change counter went back from %d to %d", prev.generation, st.generation)
	}
	all, err := s.Audit(ctx, AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	st.audit = len(all)
	if st.audit < prev.audit {
		t.Fatalf("audit log shrank from %d to %d entries", prev.audit, st.audit)
	}
	vs, err := s.AllVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.versions = len(vs)
	for _, v := range vs {
		if !v.Status.Valid() {
			t.Fatalf("%s has invalid status %q", v.Ref(), v.Status)
		}
		if err := s.Verify(ctx, v); err != nil {
			t.Fatalf("after SIGKILL: %v", err)
		}
		// The artifact is the one registered with these metrics.
		b, err := s.ReadFile(ctx, v, "model.json")
		if err != nil {
			t.Fatal(err)
		}
		var art struct{ Seed uint64 }
		var met struct{ Seed string }
		json.Unmarshal(b, &art)
		json.Unmarshal(v.Metrics, &met)
		if strconv.FormatUint(art.Seed, 10) != met.Seed {
			t.Fatalf("%s: artifact seed %d but metrics seed %s: a version points at another version's artifact", v.Ref(), art.Seed, met.Seed)
		}
	}
	ds, err := s.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		_, r, err := s.GetDataset(ctx, d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		_, err = copyCtx(ctx, discard{}, r)
		r.Close()
		if err != nil {
			t.Fatalf("dataset after SIGKILL: %v", err)
		}
	}
	return st
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestCrashSafety kills a child working on the registry with SIGKILL at
// random points, -crash-trials times (default 50), alternating an
// unencrypted and an encrypted home, on SQLite and on PostgreSQL, and
// after each kill checks that the database opens and passes the
// integrity check (SQLite's, or the schema's on PostgreSQL), the migrations are
// intact, every version's artifact materializes with valid checksums and
// belongs to that version, statuses are valid, and the change counter and
// audit log never went back.
func TestCrashSafety(t *testing.T) {
	if *crashTrials < 1 {
		t.Fatal("-crash-trials must be at least 1")
	}
	forEachBackend(t, testCrashSafety)
}

func testCrashSafety(t *testing.T, b *backend) {
	key := newKey(t)
	homes := []string{t.TempDir(), t.TempDir()}
	keys := []*crypt.Key{nil, key}
	prev := make([]crashState, 2)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var killedBusy, totalVersions int
	for trial := 0; trial < *crashTrials; trial++ {
		i := trial % 2
		cmd, out := startChild(t, b, homes[i], "loop", keys[i], trial)
		// Most kills land in the work loop; some during start-up (opening,
		// creating or migrating the database).
		if rng.IntN(5) > 0 {
			line, err := out.ReadString('\n')
			if err != nil || line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("trial %d: child did not start: %q %v", trial, line, err)
			}
			time.Sleep(time.Duration(rng.IntN(120_000)) * time.Microsecond)
			killedBusy++
		} else {
			time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
			t.Fatalf("trial %d: the child exited on its own (%v) instead of being killed; see its stderr above", trial, err)
		}
		prev[i] = checkAfterCrash(t, b, homes[i], keys[i], prev[i])
		if t.Failed() {
			t.Fatalf("trial %d failed", trial)
		}
	}
	totalVersions = prev[0].versions + prev[1].versions
	if totalVersions == 0 {
		t.Fatal("no version survived any trial: the kills came too early to test anything")
	}
	t.Logf("%d trials (%d killed mid-work), %d versions at the end, change counters %d and %d",
		*crashTrials, killedBusy, totalVersions, prev[0].generation, prev[1].generation)
}

// TestRegistrationKilledBeforeCommit kills a registration inside its
// transaction, after its blobs are written and its rows inserted but
// before the commit, and checks that no version, model or audit entry is
// visible and that gc collects the orphan blobs.
func TestRegistrationKilledBeforeCommit(t *testing.T) {
	forEachBackend(t, testRegistrationKilledBeforeCommit)
}

func testRegistrationKilledBeforeCommit(t *testing.T, b *backend) {
	for _, key := range []*crypt.Key{nil, newKey(t)} {
		home := t.TempDir()
		b.openStore(t, home, key).Close()
		cmd, out := startChild(t, b, home, "hold-commit", key, 1)
		line, err := out.ReadString('\n')
		if err != nil || line != "committing\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not reach the commit: %q %v", line, err)
		}
		cmd.Process.Kill()
		cmd.Wait()

		ctx := context.Background()
		s := b.openStore(t, home, key)
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Fatal(err)
		}
		if ms, _ := s.Models(ctx); len(ms) != 0 {
			t.Fatalf("a registration killed before its commit left models: %+v", ms)
		}
		if _, err := s.Resolve(ctx, Ref{Name: "held"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("held: %v", err)
		}
		if e, _ := s.Audit(ctx, AuditQuery{Action: ActionRegister}); len(e) != 0 {
			t.Fatalf("audit shows an uncommitted registration: %+v", e)
		}
		if g, _ := s.Generation(ctx); g != 0 {
			t.Fatalf("change counter %d, want 0", g)
		}
		rep, err := s.GC(ctx, GCOptions{Grace: time.Nanosecond})
		if err != nil || rep.Removed != 4 { // 3 files and the manifest
			t.Fatalf("gc of the orphans: %+v %v", rep, err)
		}
	}
}
