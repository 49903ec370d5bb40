// Package sharedtest finds the shared data and fixtures folder that sits
// beside the checkout (../shared) for tests that measure Osler on real
// datasets or compare it with reference values (rouge-score, scikit-learn).
//
// When the folder is absent (a clone without it) those tests skip with a
// message naming the path that was looked for. With OSLER_REQUIRE_SHARED=1
// in the environment, as .ci/run sets it, they fail instead: CI always has
// the folder, so a skip there would hide a comparison that never ran. The
// same switch covers the other prerequisites CI provides (chromium for the
// web UI's browser test): see [Missing].
package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// RequireEnv is the environment variable that turns a missing prerequisite
// from a skip into a failure when set to 1 (or true).
const RequireEnv = "OSLER_REQUIRE_SHARED"

// Required reports whether RequireEnv asks for missing prerequisites to fail
// the test rather than skip it.
func Required() bool {
	v, err := strconv.ParseBool(os.Getenv(RequireEnv))
	return err == nil && v
}

// Missing stops the test because a prerequisite is absent: it skips with
// the message, or fails with it when [Required]. The message says what is
// missing and where it was looked for.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (%s=1: CI provides this, so its absence is a failure, not a skip)", msg, RequireEnv)
	}
	t.Skipf("skipping: %s", msg)
}

// Dir returns the shared folder, or skips the test when it cannot be found
// (fails it when [Required]). OSLER_SHARED overrides the location;
// otherwise the folder named "shared" beside the module root is used.
func Dir(t testing.TB) string {
	t.Helper()
	dir, ok := Find()
	if !ok {
		where := Where()
		if where == "" {
			where = "../shared (no go.mod above the working directory)"
		}
		Missing(t, "the shared folder (datasets and reference fixtures) is not at %s; set OSLER_SHARED to its path to run this test", where)
	}
	return dir
}

// Path returns a path inside the shared folder, skipping the test when the
// folder or that file is absent (failing it when [Required]).
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "%s is not in the shared folder (looked for %s)", filepath.Join(elem...), p)
	}
	return p
}

// Find locates the shared folder without a test.
func Find() (string, bool) {
	dir := Where()
	if dir == "" {
		return "", false
	}
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir, true
	}
	return "", false
}

// Where returns where the shared folder is looked for: OSLER_SHARED when
// set, else "shared" beside the module root (the directory holding go.mod
// above the working directory). It returns "" only when no module root is
// found.
func Where() string {
	if d := os.Getenv("OSLER_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}
