package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTB records how a helper stopped the test. Skip and Fatal end the
// calling goroutine as the real ones do, so run calls the helper on a
// goroutine of its own.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a fake TB and reports what it returned and how the
// fake test ended.
func run(fn func(testing.TB) string) (got string, f *fakeTB) {
	f = &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = fn(f)
	}()
	<-done
	return got, f
}

func TestRequired(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want bool
	}{{"", false}, {"0", false}, {"false", false}, {"yes", false}, {"1", true}, {"true", true}} {
		t.Setenv(RequireEnv, tc.val)
		if got := Required(); got != tc.want {
			t.Errorf("%s=%q: Required() = %v, want %v", RequireEnv, tc.val, got, tc.want)
		}
	}
}

// TestAbsentFolder hides the shared folder behind OSLER_SHARED: without
// OSLER_REQUIRE_SHARED the helpers skip, with it they fail, and either way
// the message names the path that was looked for.
func TestAbsentFolder(t *testing.T) {
	absent := filepath.Join(t.TempDir(), "no-shared-here")
	t.Setenv("OSLER_SHARED", absent)
	for _, tc := range []struct {
		name string
		fn   func(testing.TB) string
	}{
		{"Dir", Dir},
		{"Path", func(tb testing.TB) string { return Path(tb, "data", "hoc", "train.jsonl") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(RequireEnv, "")
			got, f := run(tc.fn)
			if got != "" || f.skipped == "" || f.failed != "" {
				t.Fatalf("without %s: returned %q, skipped %q, failed %q; want a skip", RequireEnv, got, f.skipped, f.failed)
			}
			if !strings.Contains(f.skipped, absent) {
				t.Errorf("skip message %q does not name %s", f.skipped, absent)
			}

			t.Setenv(RequireEnv, "1")
			got, f = run(tc.fn)
			if got != "" || f.failed == "" || f.skipped != "" {
				t.Fatalf("with %s=1: returned %q, skipped %q, failed %q; want a failure", RequireEnv, got, f.skipped, f.failed)
			}
			if !strings.Contains(f.failed, absent) || !strings.Contains(f.failed, RequireEnv) {
				t.Errorf("failure %q does not name %s and %s", f.failed, absent, RequireEnv)
			}
		})
	}
}

// TestAbsentFile checks a file missing from a present folder is treated
// like a missing folder, with the file's full path in the message.
func TestAbsentFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OSLER_SHARED", dir)
	want := filepath.Join(dir, "fixtures", "rouge", "cases.jsonl")
	fn := func(tb testing.TB) string { return Path(tb, "fixtures", "rouge", "cases.jsonl") }

	t.Setenv(RequireEnv, "")
	if _, f := run(fn); !strings.Contains(f.skipped, want) || f.failed != "" {
		t.Errorf("without %s: skipped %q, failed %q; want a skip naming %s", RequireEnv, f.skipped, f.failed, want)
	}
	t.Setenv(RequireEnv, "1")
	if _, f := run(fn); !strings.Contains(f.failed, want) || f.skipped != "" {
		t.Errorf("with %s=1: skipped %q, failed %q; want a failure naming %s", RequireEnv, f.skipped, f.failed, want)
	}

	// Once the file is there, both return its path and neither stops.
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(want, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, req := range []string{"", "1"} {
		t.Setenv(RequireEnv, req)
		if got, f := run(fn); got != want || f.skipped != "" || f.failed != "" {
			t.Errorf("%s=%q with the file present: returned %q, skipped %q, failed %q", RequireEnv, req, got, f.skipped, f.failed)
		}
		if got, _ := run(Dir); got != dir {
			t.Errorf("%s=%q: Dir = %q, want %q", RequireEnv, req, got, dir)
		}
	}
}

// TestMissing checks the generic helper other prerequisites use.
func TestMissing(t *testing.T) {
	fn := func(tb testing.TB) string {
		Missing(tb, "chromium is not installed")
		return "went on"
	}
	t.Setenv(RequireEnv, "")
	if got, f := run(fn); got != "" || f.skipped != "skipping: chromium is not installed" {
		t.Errorf("without %s: returned %q, skipped %q", RequireEnv, got, f.skipped)
	}
	t.Setenv(RequireEnv, "1")
	if got, f := run(fn); got != "" || !strings.HasPrefix(f.failed, "chromium is not installed (") {
		t.Errorf("with %s=1: returned %q, failed %q", RequireEnv, got, f.failed)
	}
}

// TestWhereIsBesideTheModule checks the default location is the folder
// beside the checkout, whatever package directory the test runs in.
func TestWhereIsBesideTheModule(t *testing.T) {
	t.Setenv("OSLER_SHARED", "")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(wd)) // internal/sharedtest -> module root
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	if got, want := Where(), filepath.Join(filepath.Dir(root), "shared"); got != want {
		t.Errorf("Where() = %q, want %q", got, want)
	}
}
