package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/modeldir"
)

// craftedClassifier copies a trained classifier and replaces weights.bin
// with a file whose header claims about 2^31 rows and 2^31 outputs (sizes
// that wrapped the loader's size check around, issue 10), re-signing
// model.json and SHA256SUMS so every checksum holds.
func craftedClassifier(t *testing.T, good string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "crafted")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(good)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(good, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	w := make([]byte, 11992)
	copy(w, "OSLERCLF")
	le := binary.LittleEndian
	le.PutUint32(w[8:], 1)
	le.PutUint32(w[12:], 2147380027)
	le.PutUint32(w[16:], 2147587271)
	le.PutUint32(w[20:], 16)
	le.PutUint64(w[24:], uint64(len(w)))
	files["weights.bin"] = w
	var meta map[string]any
	if err := json.Unmarshal(files["model.json"], &meta); err != nil {
		t.Fatal(err)
	}
	meta["files"].(map[string]any)["weights.bin"] = modeldir.Sum(w)
	files["model.json"], _ = json.Marshal(meta)
	delete(files, modeldir.SumsName)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var sums strings.Builder
	for _, name := range names {
		sums.WriteString(modeldir.Sum(files[name]).SHA256 + "  " + name + "\n")
	}
	files[modeldir.SumsName] = []byte(sums.String())
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestCraftedArtifactIsCorrupt: a re-signed classifier whose weights.bin
// header overflows the size check passes every checksum; verify reports
// it, import refuses it (registering nothing), and predict fails with a
// corrupt-model error instead of panicking, while the good model beside it
// verifies and predicts.
func TestCraftedArtifactIsCorrupt(t *testing.T) {
	good := trainServeModel(t)
	crafted := craftedClassifier(t, good)
	home := filepath.Join(t.TempDir(), "home")
	env := map[string]string{"OSLER_HOME": home, "USER": "tester"}
	for name, dir := range map[string]string{"ade": good, "evil": crafted} {
		if _, errOut, code := runOslerEnv(t, env, "", "models", "register", "--name", name, "--artifact", dir); code != 0 {
			t.Fatalf("register %s: %s", name, errOut)
		}
	}
	out, _, code := runOslerEnv(t, env, "", "models", "verify")
	if code != 1 || !strings.Contains(out, "ok     ade:1") || !strings.Contains(out, "FAILED evil:1: classify: load evil:1: weights.bin: model files are corrupt") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}

	input := filepath.Join(t.TempDir(), "in.jsonl")
	os.WriteFile(input, []byte(`{"id":"1","text":"rash after warfarin"}`+"\n"), 0o644)
	_, errOut, code := runOslerEnv(t, env, "", "predict", "--model", "evil:1", "--input", input, "--output", filepath.Join(t.TempDir(), "p.jsonl"))
	if code != 1 || !strings.Contains(errOut, "weights.bin: model files are corrupt") {
		t.Fatalf("predict with the crafted model: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runOslerEnv(t, env, "", "predict", "--model", "ade:1", "--input", input, "--output", filepath.Join(t.TempDir(), "p.jsonl")); code != 0 {
		t.Fatalf("predict with the good model: %s", errOut)
	}

	exp := filepath.Join(t.TempDir(), "evil.tar.gz")
	if _, errOut, code := runOslerEnv(t, env, "", "models", "export", "evil:1", "-o", exp); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	other := map[string]string{"OSLER_HOME": filepath.Join(t.TempDir(), "other"), "USER": "tester"}
	_, errOut, code = runOslerEnv(t, other, "", "models", "import", exp)
	if code != 1 || !strings.Contains(errOut, "weights.bin: model files are corrupt") || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	if out, _, _ := runOslerEnv(t, other, "", "models", "list", "--json"); strings.Contains(out, "evil") {
		t.Fatalf("the refused import left a model:\n%s", out)
	}
}
