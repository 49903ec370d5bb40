package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestConcurrentProcessesRegister starts racerProcs OS processes (this
// test binary again) that open the same registry at once, the first open
// included, and each register racerVersions versions of the same model
// as fast as they can. Every registration must succeed, the numbers must
// be 1..N with none given twice, every version must hold the artifact it
// was registered with, and the audit log and change counter must count
// every one.
func TestConcurrentProcessesRegister(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		const racerProcs, racerVersions = 4, 8
		home := filepath.Join(t.TempDir(), "home")
		db := b.database(home)
		cmds := make([]*exec.Cmd, racerProcs)
		for i := range cmds {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), racerChildEnv+"="+home, crashDBEnv+"="+db,
				racerIDEnv+"="+strconv.Itoa(i), racerCountEnv+"="+strconv.Itoa(racerVersions), crashWorkEnv+"="+t.TempDir())
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds[i] = cmd
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Errorf("process %d: %v (see its stderr above)", i, err)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		ctx := context.Background()
		s := b.openStore(t, home, nil)
		vs, err := s.Versions(ctx, "shared")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != racerProcs*racerVersions {
			t.Fatalf("%d versions, want %d", len(vs), racerProcs*racerVersions)
		}
		seen := map[string]bool{}
		for i, v := range vs {
			if v.Version != i+1 {
				t.Fatalf("version numbers are not 1..%d: position %d holds %d", len(vs), i, v.Version)
			}
			var m struct{ Racer, I int }
			json.Unmarshal(v.Metrics, &m)
			key := fmt.Sprintf("%d/%d", m.Racer, m.I)
			if seen[key] {
				t.Fatalf("registration %s recorded twice", key)
			}
			seen[key] = true
			art, err := s.ReadFile(ctx, v, "model.json")
			if err != nil || string(art) != key {
				t.Fatalf("%s holds artifact %q (%v), want %q", v.Ref(), art, err, key)
			}
		}
		if e, _ := s.Audit(ctx, AuditQuery{Action: ActionRegister}); len(e) != len(vs) {
			t.Fatalf("%d registrations in the audit log, want %d", len(e), len(vs))
		}
		if e, _ := s.Audit(ctx, AuditQuery{Action: ActionCreate}); len(e) != 1 {
			t.Fatalf("%d registry.create entries: the registry was created more than once", len(e))
		}
		if g, _ := s.Generation(ctx); g != int64(len(vs)) {
			t.Fatalf("change counter %d, want %d", g, len(vs))
		}
	})
}

const (
	racerChildEnv = "OSLER_REGISTRY_RACER_CHILD" // the home the racer registers in
	racerIDEnv    = "OSLER_REGISTRY_RACER_ID"
	racerCountEnv = "OSLER_REGISTRY_RACER_COUNT"
)

// racerChild registers versions of "shared" in home; its artifact's
// model.json and its metrics say which process and which registration.
func racerChild(home string) int {
	ctx := context.Background()
	id, _ := strconv.Atoi(os.Getenv(racerIDEnv))
	n, _ := strconv.Atoi(os.Getenv(racerCountEnv))
	s, err := Open(ctx, home, Options{Database: os.Getenv(crashDBEnv), BusyTimeout: time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, "racer:", err)
		return 3
	}
	defer s.Close()
	for i := range n {
		dir := filepath.Join(os.Getenv(crashWorkEnv), strconv.Itoa(i))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "model.json"), fmt.Appendf(nil, "%d/%d", id, i), 0o644)
		_, err := s.Register(ctx, Registration{Name: "shared", Kind: KindClassifier, Artifact: dir,
			Metrics: json.RawMessage(fmt.Sprintf(`{"racer":%d,"i":%d}`, id, i)), By: "racer"})
		if err != nil {
			fmt.Fprintln(os.Stderr, "racer:", err)
			return 4
		}
	}
	return 0
}
