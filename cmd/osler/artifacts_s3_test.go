package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/registry/s3store/s3test"
)

// TestModelsCLIArtifactsInS3: --artifacts and OSLER_ARTIFACTS_URL put a
// registry's blobs in object storage (a fake S3 on 127.0.0.1) for
// register, verify and predict; a missing bucket is an error naming the
// URL.
func TestModelsCLIArtifactsInS3(t *testing.T) {
	fake := s3test.New(t, "models")
	env := map[string]string{"OSLER_HOME": t.TempDir(), "USER": "ana"}
	for k, v := range fake.Env() {
		t.Setenv(k, v) // the AWS SDK reads its settings from the process
		env[k] = v
	}
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := runOslerEnv(t, env, "", args...)
		if code != want {
			t.Fatalf("osler %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	run(0, "models", "register", "--name", "sepsis", "--artifact", classifierDir(t, 0.82, "s3"), "--artifacts", "s3://models/cli")
	if n := len(fake.Objects(t, "models")); n != 4 {
		t.Fatalf("%d objects in the bucket, want 4 (3 files and the manifest)", n)
	}
	if _, err := os.Stat(filepath.Join(env["OSLER_HOME"], "blobs", "sha256")); err == nil {
		t.Fatal("blobs in the home too")
	}
	run(0, "models", "verify", "sepsis:1", "--artifacts", "s3://models/cli")
	env["OSLER_ARTIFACTS_URL"] = "s3://models/cli"
	input := filepath.Join(t.TempDir(), "in.jsonl")
	os.WriteFile(input, []byte(`{"id":"1","text":"rash after the new antibiotic"}`+"\n"), 0o600)
	run(0, "predict", "--model", "sepsis:1", "--input", input, "--output", filepath.Join(t.TempDir(), "p.jsonl"))
	// Without the artifacts URL the home's (empty) blobs directory is read.
	delete(env, "OSLER_ARTIFACTS_URL")
	run(1, "models", "verify", "sepsis:1")
	_, errOut := run(1, "models", "list", "--artifacts", "s3://no-such-bucket/cli")
	if !strings.Contains(errOut, "s3://no-such-bucket/cli") || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("missing bucket: %q", errOut)
	}
}
