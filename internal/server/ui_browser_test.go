package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/osler-health/osler/internal/sharedtest"
)

// The web UI is tested in a real browser: Debian's chromium driven by
// chromedp (the DevTools protocol, pure Go). Set OSLER_UI_SCREENSHOTS to a
// directory to keep screenshots of each page.

// chromiumPath finds the browser. Without it the test skips, or fails
// under OSLER_REQUIRE_SHARED=1: .ci/run installs chromium (or stops when it
// cannot), so in CI a missing browser is an error, not a reason to skip.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	sharedtest.Missing(t, "the browser test needs chromium, which is not on PATH (apt-get install -y chromium; .ci/run installs it)")
	return ""
}

// browser starts a headless chromium with a fresh profile and no network
// beyond the test server, and collects what the page writes to its
// console (exceptions, errors, CSP violations).
func browser(t *testing.T) (context.Context, *pageErrors) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	errs := &pageErrors{ctx: ctx, barrier: make(chan struct{}, 1)}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Text == consoleBarrier {
				select {
				case errs.barrier <- struct{}{}:
				default:
				}
				continue
			}
			// The first page load asks /v1/auth without a key: the 401
			// that shows the key form is expected.
			if m.Type == chromedp.ConsoleException || m.Type == "error" && !strings.Contains(m.Text, "401") {
				errs.add(string(m.Type) + ": " + m.String())
			}
		}
	}()
	return ctx, errs
}

// consoleBarrier is logged by pageErrors.check: the page's console
// messages arrive in order, so once it is read every earlier message has
// been.
const consoleBarrier = "osler-test: console barrier"

type pageErrors struct {
	ctx     context.Context
	barrier chan struct{}
	mu      sync.Mutex
	list    []string
}

func (p *pageErrors) add(s string) {
	p.mu.Lock()
	p.list = append(p.list, s)
	p.mu.Unlock()
}

// check fails t for each error the page reported so far: it logs the
// barrier and waits until the console reader has seen it.
func (p *pageErrors) check(t *testing.T) {
	t.Helper()
	eval[any](t, p.ctx, `console.log(`+strconv.Quote(consoleBarrier)+`)`)
	select {
	case <-p.barrier:
	case <-p.ctx.Done():
		t.Fatalf("the console barrier never arrived: %v", p.ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.list {
		t.Errorf("page error: %s", e)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("OSLER_UI_SCREENSHOTS")
	if dir != "" {
		// Let sandboxed frames (the report) paint for a screenshot meant
		// for people.
		if err := chromedp.Do(ctx, chromedp.Sleep(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if len(png) < 1000 {
		t.Errorf("screenshot %s is %d bytes", name, len(png))
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func text(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitHeading waits until the page's h1 reads title: a hash change
// re-renders the view asynchronously, and the old page's elements must
// not be mistaken for the new one's.
func waitHeading(title string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](fmt.Sprintf(`(document.querySelector("h1") || {}).textContent === %q`, title))(ctx, tg)
		return err
	})
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// TestUIBrowser loads the UI, enters an API key, runs a classification
// from the try-it box and checks the predicted label and the score bars;
// then a summary, and the model list.
func TestUIBrowser(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	ctx, errs := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/#/models/ade"),
		chromedp.WaitVisible(chromedp.CSS("#api-key")),
		chromedp.SendKeys(chromedp.CSS("#api-key"), e.adminKey),
		chromedp.Click(chromedp.CSS("#key-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#try-input")),
		chromedp.SendKeys(chromedp.CSS("#try-input"), aeSentence),
		chromedp.Click(chromedp.CSS("#try-run")),
		chromedp.WaitVisible(chromedp.CSS("#try-labels .chip")),
		chromedp.WaitVisible(chromedp.CSS("iframe.report-frame")),
	)
	if err != nil {
		t.Fatalf("classify in the browser: %v", err)
	}
	if got := text(t, ctx, "#try-labels"); got != "Adverse_Event" {
		t.Errorf("predicted %q, want Adverse_Event", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#try-result li.bar").length`); n != 2 {
		t.Errorf("%d score bars, want 2 (one per label)", n)
	}
	if w := eval[float64](t, ctx, `document.querySelector("#try-result li.bar .fill").getBoundingClientRect().width`); w < 10 {
		t.Errorf("the predicted label's bar is %v px wide: not drawn", w)
	}
	if first := eval[string](t, ctx, `document.querySelector("#try-result li.bar").dataset.label`); first != "Adverse_Event" {
		t.Errorf("first bar %q, want the predicted label first", first)
	}
	if who := text(t, ctx, "#who"); !strings.Contains(who, "admin") {
		t.Errorf("identity shown %q", who)
	}
	if n := eval[int](t, ctx, `[...document.querySelectorAll("button")].filter(b => b.textContent === "Reject").length`); n != 1 {
		t.Errorf("%d reject buttons for an admin key and one approved version, want 1", n)
	}
	if sb := eval[string](t, ctx, `document.querySelector("iframe.report-frame").getAttribute("sandbox")`); sb != "" {
		t.Errorf("report iframe sandbox %q, want the empty (strictest) sandbox", sb)
	}
	screenshot(t, ctx, "model-classifier")

	err = chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/#/models/rad"),
		waitHeading("rad"),
		chromedp.WaitVisible(chromedp.CSS("#try-input")),
		chromedp.SendKeys(chromedp.CSS("#try-input"), radReport),
		chromedp.Click(chromedp.CSS("#try-run")),
		chromedp.WaitVisible(chromedp.CSS("#try-summary")),
	)
	if err != nil {
		t.Fatalf("summarize in the browser: %v", err)
	}
	if got := text(t, ctx, "#try-summary"); got == "" {
		t.Error("empty summary")
	}
	if got := text(t, ctx, "#try-check"); !strings.Contains(got, "Checked against the text") {
		t.Errorf("the faithfulness check is not shown: %q", got)
	}
	screenshot(t, ctx, "model-summarizer")

	err = chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/#/"),
		waitHeading("Models"),
		chromedp.WaitVisible(chromedp.CSS("table[aria-label=Models] tbody tr")),
	)
	if err != nil {
		t.Fatalf("model list: %v", err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("table[aria-label=Models] tbody tr").length`); n != 2 {
		t.Errorf("%d rows in the model list, want 2", n)
	}
	screenshot(t, ctx, "models")
	errs.check(t)
}
