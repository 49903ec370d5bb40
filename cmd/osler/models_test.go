package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/crypt"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/registry"
)

// runOslerEnv runs the CLI in-process with an environment.
func runOslerEnv(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
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

// classifierDir writes a real (tiny) Osler classifier with the given dev
// F1 in its metrics and marker in its model.json, so models verify and
// import, which load what they check, accept it.
func classifierDir(t *testing.T, f1 float64, marker string) string {
	t.Helper()
	tinyOnce.Do(func() {
		var jsonl strings.Builder
		for i := range 40 {
			label, text := "neg", "stable and comfortable today"
			if i%2 == 0 {
				label, text = "pos", "rash after the new antibiotic"
			}
			fmt.Fprintf(&jsonl, `{"id":"%d","text":"%s %d","labels":["%s"]}`+"\n", i, text, i, label)
		}
		cfg := classify.DefaultTrainConfig(dataset.ModeBinary)
		cfg.CVFolds, cfg.Features.HashBits = 1, 10
		train := dataset.NewJSONLReader(strings.NewReader(jsonl.String()), "train.jsonl", dataset.Options{})
		tinyModel, _, tinyErr = classify.Train(context.Background(), cfg, train, nil)
	})
	if tinyErr != nil {
		t.Fatal(tinyErr)
	}
	tinyModel.SetData(map[string]classify.DataFile{"train": {Path: "train.jsonl", SHA256: strings.Repeat("a", 64), Records: 120}})
	if err := tinyModel.SetMetrics(map[string]any{"dev": map[string]any{"micro": map[string]any{"f1": f1}, "macro": map[string]any{"f1": f1 - 0.05}}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "model")
	if err := tinyModel.Save(dir, nil); err != nil {
		t.Fatal(err)
	}
	// The marker goes where only the artifact holds it.
	mb, _ := os.ReadFile(filepath.Join(dir, "model.json"))
	mb = bytes.Replace(mb, []byte("{"), []byte(`{"note":`+strconv.Quote(marker)+`,`), 1)
	os.WriteFile(filepath.Join(dir, "model.json"), mb, 0o644)
	sums, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		if strings.HasSuffix(l, "  model.json") {
			l = modeldir.Sum(mb).SHA256 + "  model.json"
		}
		lines = append(lines, l)
	}
	os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	return dir
}

var (
	tinyOnce  sync.Once
	tinyModel *classify.Model
	tinyErr   error
)

func TestModelsCLIWorkflow(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"OSLER_HOME": home, "USER": "ana"}
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := runOslerEnv(t, env, "", args...)
		if code != want {
			t.Fatalf("osler %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	_, errOut := run(0, "models", "list")
	if !strings.Contains(errOut, "no models in "+home) {
		t.Fatalf("empty list: %q", errOut)
	}
	out, _ := run(0, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.82, "m1"))
	if !strings.HasPrefix(out, "registered sepsis:1 (classifier, PendingManualApproval; 3 files, ") {
		t.Fatalf("register: %q", out)
	}
	// A failing condition: exit 3, nothing registered.
	_, errOut = run(3, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.7, "m2"), "--if", "dev.micro.f1 >= 0.8")
	if !strings.Contains(errOut, "condition not met") || !strings.Contains(errOut, "dev.micro.f1 = 0.7") {
		t.Fatalf("failing --if: %q", errOut)
	}
	_, errOut = run(1, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.9, "m3"), "--if", "f2 >= 0.8")
	if !strings.Contains(errOut, `unknown metric "f2"; available: dev.macro.f1, dev.micro.f1`) {
		t.Fatalf("unknown metric in --if: %q", errOut)
	}
	run(2, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.9, "m3"), "--if", "f1 >=")
	out, _ = run(0, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.9, "m3"), "--if", "micro.f1 >= 0.8", "--parent", "sepsis:1", "--by", "ci-pipeline")
	if !strings.HasPrefix(out, "registered sepsis:2 ") {
		t.Fatalf("second register: %q", out)
	}
	run(2, "models", "approve", "sepsis")
	out, _ = run(0, "models", "approve", "sepsis:2", "--note", "signed off")
	if out != "sepsis:2 is now Approved\n" {
		t.Fatalf("approve: %q", out)
	}
	out, _ = run(0, "models", "approve", "sepsis:2")
	if !strings.HasPrefix(out, "sepsis:2 is already Approved") {
		t.Fatalf("approve again: %q", out)
	}
	run(0, "models", "reject", "sepsis:1", "--note", "superseded")

	out, _ = run(0, "models", "list")
	if !strings.Contains(out, "sepsis  classifier  2         2       2") {
		t.Fatalf("list:\n%s", out)
	}
	out, _ = run(0, "models", "show", "sepsis")
	for _, want := range []string{"sepsis (classifier)", "1        Rejected", "2        Approved", "dev.micro.f1=0.9", "user:ci-pipeline"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show sepsis lacks %q:\n%s", want, out)
		}
	}
	out, _ = run(0, "models", "show", "sepsis:approved")
	for _, want := range []string{"sepsis:2 (classifier)", "Approved by user:ana", "note", "signed off", "parent", "sepsis:1",
		"train", strings.Repeat("a", 64), "120 records", "dev.macro.f1", "0.85", `"loss":"logistic"`, "weights.bin", "model.json"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show sepsis:approved lacks %q:\n%s", want, out)
		}
	}
	out, _ = run(0, "models", "show", "sepsis:2", "--json")
	var shown struct {
		registry.Version
		Artifact []registry.ManifestFile `json:"artifact"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Status != registry.StatusApproved || len(shown.Artifact) != 3 || shown.Parent == nil {
		t.Fatalf("show --json: %v\n%s", err, out)
	}

	// Export, import elsewhere, verify there.
	exp := filepath.Join(t.TempDir(), "sepsis-2.tar.gz")
	run(0, "models", "export", "sepsis:2", "-o", exp)
	other := t.TempDir()
	out, _, code := runOslerEnv(t, map[string]string{"OSLER_HOME": other}, "", "models", "import", exp, "--name", "sepsis-copy")
	if code != 0 || !strings.HasPrefix(out, "imported sepsis-copy:1 (PendingManualApproval; 3 files, ") {
		t.Fatalf("import: %d %q", code, out)
	}
	out, _, code = runOslerEnv(t, map[string]string{"OSLER_HOME": other}, "", "models", "verify")
	if code != 0 || !strings.Contains(out, "ok     database") || !strings.Contains(out, "ok     sepsis-copy:1") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	// Export to stdout and import from stdin.
	tarOut, _ := run(0, "models", "export", "sepsis:1", "-o", "-")
	out, _, code = runOslerEnv(t, map[string]string{"OSLER_HOME": other}, tarOut, "models", "import", "-")
	if code != 0 || !strings.HasPrefix(out, "imported sepsis:1 ") {
		t.Fatalf("import from stdin: %d %q", code, out)
	}

	run(1, "models", "delete", "sepsis:2")
	run(2, "models", "delete", "sepsis")
	out, _ = run(0, "models", "delete", "sepsis:1")
	if !strings.Contains(out, "deleted sepsis:1") {
		t.Fatalf("delete: %q", out)
	}
	out, _ = run(0, "models", "gc", "--grace", "0")
	if !strings.HasPrefix(out, "removed 3 unused files") { // model.json, weights.bin and the manifest of sepsis:1
		t.Fatalf("gc: %q", out)
	}
	out, _ = run(0, "models", "verify")
	if !strings.Contains(out, "ok     sepsis:2") || strings.Contains(out, "sepsis:1") {
		t.Fatalf("verify after gc:\n%s", out)
	}

	out, _ = run(0, "audit")
	for _, want := range []string{"registry.create", "version.register", "version.register-skipped", "version.approve", "version.reject",
		"version.export", "version.delete", "registry.gc", "user:ana", "user:ci-pipeline", `"note":"signed off"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("audit lacks %q:\n%s", want, out)
		}
	}
	out, _ = run(0, "audit", "--action", "version.approve", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var e registry.AuditEntry
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &e) != nil || e.Target != "sepsis:2" || e.Actor != "user:ana" {
		t.Fatalf("audit --json: %q", out)
	}
	out, _ = run(0, "audit", "--target", "sepsis", "--limit", "2")
	if n := strings.Count(out, "\n"); n != 3 {
		t.Fatalf("audit --limit 2: %d lines\n%s", n, out)
	}
	run(2, "audit", "--since", "yesterday")
}

func TestModelsCLIEncryption(t *testing.T) {
	key, _ := crypt.NewKey()
	home := t.TempDir()
	env := map[string]string{"OSLER_HOME": home, "OSLER_MASTER_KEY": key.Encode()}
	data := filepath.Join(t.TempDir(), "train.jsonl")
	os.WriteFile(data, []byte(`{"id":"1","text":"DATASET-PLAINTEXT-MARKER fever","labels":["sepsis"]}`+"\n"), 0o600)
	_, errOut, code := runOslerEnv(t, env, "", "models", "register", "--name", "m", "--artifact", classifierDir(t, 0.9, "SECRET-PLAINTEXT-MARKER"),
		"--data", "train="+data, "--store-data")
	if code != 0 {
		t.Fatalf("register: %s", errOut)
	}
	out, _, _ := runOslerEnv(t, env, "", "models", "show", "m:1")
	if !strings.Contains(out, "train") || !strings.Contains(out, data+" (stored)") {
		t.Fatalf("show lacks the stored training data:\n%s", out)
	}
	_, errOut, code = runOslerEnv(t, map[string]string{"OSLER_HOME": home}, "", "models", "list")
	if code != 1 || !strings.Contains(errOut, "this registry is encrypted") {
		t.Fatalf("no key: %d %q", code, errOut)
	}
	other, _ := crypt.NewKey()
	_, errOut, code = runOslerEnv(t, map[string]string{"OSLER_HOME": home, "OSLER_MASTER_KEY": other.Encode()}, "", "models", "list")
	if code != 1 || !strings.Contains(errOut, "the master key does not match the one this registry was created with") || strings.Contains(errOut, other.Encode()) {
		t.Fatalf("wrong key: %d %q", code, errOut)
	}
	keyFile := filepath.Join(t.TempDir(), "master.key")
	os.WriteFile(keyFile, []byte(key.Encode()+"\n"), 0o600)
	out, errOut, code = runOslerEnv(t, map[string]string{"OSLER_HOME": home}, "", "models", "verify", "--key-file", keyFile)
	if code != 0 || !strings.Contains(out, "ok     m:1") {
		t.Fatalf("verify with --key-file: %d %q %q", code, out, errOut)
	}
	_, errOut, code = runOslerEnv(t, map[string]string{"OSLER_MASTER_KEY": key.Encode()}, "", "models", "list", "--home", t.TempDir()+"/plain-first")
	if code != 0 {
		t.Fatalf("new home with a key: %q", errOut)
	}
	plain := t.TempDir()
	runOslerEnv(t, map[string]string{"OSLER_HOME": plain}, "", "models", "list")
	_, errOut, code = runOslerEnv(t, map[string]string{"OSLER_HOME": plain, "OSLER_MASTER_KEY": key.Encode()}, "", "models", "list")
	if code != 1 || !strings.Contains(errOut, "created without encryption") {
		t.Fatalf("key for a plain home: %d %q", code, errOut)
	}
	// No file under the home holds the artifact's text.
	filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte("SECRET-PLAINTEXT-MARKER")) || bytes.Contains(b, []byte("DATASET-PLAINTEXT-MARKER")) {
				t.Errorf("%s holds plaintext", p)
			}
		}
		return nil
	})
}

func TestKeysCLI(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"OSLER_HOME": home, "USER": "ops"}
	out, errOut, code := runOslerEnv(t, env, "", "keys", "create", "--name", "ehr", "--scope", "predict")
	if code != 0 || !strings.HasPrefix(out, "osk_") || !strings.Contains(errOut, "shown once") {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	secret := strings.TrimSpace(out)
	out, _, code = runOslerEnv(t, env, "", "keys", "create", "--name", "admin", "--scope", "admin", "--expires", "90d", "--json")
	var created struct {
		ID      string `json:"id"`
		Secret  string `json:"secret"`
		Expires string `json:"expires"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || !strings.HasPrefix(created.Secret, "osk_"+created.ID+"_") || created.Expires == "" {
		t.Fatalf("create --json: %d %q", code, out)
	}
	for _, bad := range [][]string{
		{"keys", "create", "--name", "x"},
		{"keys", "create", "--name", "x", "--scope", "write"},
		{"keys", "create", "--name", "x", "--scope", "predict", "--expires", "soon"},
		{"keys", "revoke"},
	} {
		if _, _, code := runOslerEnv(t, env, "", bad...); code != 2 {
			t.Errorf("osler %s: exit %d, want 2", strings.Join(bad, " "), code)
		}
	}
	// The secret authenticates, and list never shows secrets.
	s, err := registry.Open(context.Background(), home, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Authenticate(context.Background(), secret, registry.ScopePredict)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _, _ = runOslerEnv(t, env, "", "keys", "list")
	if !strings.Contains(out, k.ID) || !strings.Contains(out, "ehr") || strings.Contains(out, secret) || strings.Contains(out, created.Secret) {
		t.Fatalf("list:\n%s", out)
	}
	out, _, code = runOslerEnv(t, env, "", "keys", "revoke", k.ID)
	if code != 0 || out != "revoked key "+k.ID+" (ehr)\n" {
		t.Fatalf("revoke: %d %q", code, out)
	}
	_, errOut, code = runOslerEnv(t, env, "", "keys", "revoke", k.ID)
	if code != 1 || !strings.Contains(errOut, "already revoked") {
		t.Fatalf("revoke twice: %d %q", code, errOut)
	}
	out, _, _ = runOslerEnv(t, env, "", "audit", "--action", "key.")
	for _, want := range []string{"key.create", "key.revoke", "key.use", "user:ops"} {
		if !strings.Contains(out, want) {
			t.Fatalf("audit lacks %q:\n%s", want, out)
		}
	}
}

func TestRegistryCommandsHelp(t *testing.T) {
	groups := map[string][]command{"models": modelsCommands(), "keys": keysCommands()}
	for group, cmds := range groups {
		for _, c := range cmds {
			out, errOut, code := runOslerEnv(t, nil, "", group, c.name, "--help")
			if code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, "Example:") || !strings.Contains(out, "-home") {
				t.Errorf("osler %s %s --help: exit %d\n%s%s", group, c.name, code, out, errOut)
			}
		}
	}
	if out, _, code := runOslerEnv(t, nil, "", "audit", "--help"); code != 0 || !strings.Contains(out, "Example:") {
		t.Errorf("osler audit --help: exit %d\n%s", code, out)
	}
}

func TestNoHomeIsAClearError(t *testing.T) {
	_, errOut, code := runOslerEnv(t, nil, "", "models", "list")
	if code != 1 || !strings.Contains(errOut, "pass --home DIR or set OSLER_HOME") {
		t.Fatalf("%d %q", code, errOut)
	}
}

// TestRegisterTrained drives the helper the train commands call.
func TestRegisterTrained(t *testing.T) {
	home := t.TempDir()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:     func(k string) string { return map[string]string{"OSLER_HOME": home, "USER": "trainer"}[k] },
		IsTerminal: func(io.Writer) bool { return false }}
	parse := func(args ...string) *trainRegisterFlags {
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f trainRegisterFlags
		f.add(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return &f
	}
	ctx := context.Background()
	for _, bad := range [][]string{{"--register", "Bad Name"}, {"--register", "m", "--register-if", "f1 >="}, {"--register-if", "f1>0"}, {"--register", "m", "--register-parent", "m:x"}} {
		if err := parse(bad...).check("osler train classifier"); err == nil {
			t.Errorf("check(%v) accepted", bad)
		}
	}
	// Without --register nothing happens.
	f := parse()
	if err := f.check("train"); err != nil {
		t.Fatal(err)
	}
	if v, err := m.registerTrained(ctx, "train", f, trainedModel{Dir: classifierDir(t, 0.9, "x")}); v != nil || err != nil {
		t.Fatalf("without --register: %v %v", v, err)
	}
	f = parse("--register", "triage", "--register-if", "dev.micro.f1>=0.85")
	f.check("train")
	if v, err := m.registerTrained(ctx, "train", f, trainedModel{Dir: classifierDir(t, 0.8, "x")}); v != nil || err != nil || !strings.Contains(errb.String(), "not registered") {
		t.Fatalf("failing condition: %v %v %q", v, err, errb.String())
	}
	v, err := m.registerTrained(ctx, "train", f, trainedModel{Dir: classifierDir(t, 0.88, "y"), Kind: registry.KindClassifier,
		Hyperparameters: json.RawMessage(`{"c":4}`)})
	if err != nil || v == nil || v.Ref().String() != "triage:1" || v.RegisteredBy != "user:trainer" || string(v.Hyperparameters) != `{"c":4}` || len(v.Data) != 1 {
		t.Fatalf("registered: %+v %v", v, err)
	}
}
