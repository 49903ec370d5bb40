package server

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/osler-health/osler/internal/cdshooks"
)

// waitJS waits until a JavaScript expression is truthy.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr)(ctx, tg)
		return err
	})
}

// chooseHook selects a hook on the CDS page as a user would: the value,
// then the change event the page listens to.
func chooseHook(hook string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(() => { const s = document.getElementById("cds-hook"); s.value = "`+hook+
			`"; s.dispatchEvent(new Event("change")); return true; })()`)(ctx, tg)
		return err
	})
}

// previewSemaglutideOrder is a draft order the example payer rules answer
// with prior authorization (the bundle has no diabetes), under a coverage.
const previewSemaglutideOrder = `{"resourceType":"MedicationRequest","id":"draft-sema","status":"draft","intent":"order",
	"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"2398842","display":"3 ML semaglutide 1.34 MG/ML Pen Injector [Ozempic]"}]},
	"subject":{"reference":"Patient/p1"},"insurance":[{"reference":"Coverage/c1"}]}`

// TestUICDSBrowser uploads a patient's bundle on the CDS Hooks page,
// drafts the aspirin example on order-select and checks the ADE warning
// card; then the note summary of patient-view, and the coverage
// information of an order-sign system action. No console errors or CSP
// violations may occur.
func TestUICDSBrowser(t *testing.T) {
	e := newCDSEnv(t)
	ctx, errs := browser(t)
	bundlePath := filepath.Join(t.TempDir(), "patient.json")
	if err := os.WriteFile(bundlePath, []byte(previewBundle(true)), 0o600); err != nil {
		t.Fatal(err)
	}
	adeCard := `section[data-service="` + cdshooks.ServiceADEAlert + `"] article.cds-card`

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/#/cds"),
		chromedp.WaitVisible(chromedp.CSS("#api-key")),
		chromedp.SendKeys(chromedp.CSS("#api-key"), e.predictKey),
		chromedp.Click(chromedp.CSS("#key-form button[type=submit]")),
		waitHeading("CDS Hooks"),
		chromedp.WaitVisible(chromedp.CSS("#cds-bundle")),
		chromedp.SetUploadFiles(chromedp.CSS("#cds-bundle"), []string{bundlePath}),
		waitJS(`document.getElementById("cds-bundle-status").textContent.includes("one patient")`),
		chooseHook("order-select"),
		chromedp.WaitVisible(chromedp.CSS("#cds-example")),
		chromedp.Click(chromedp.CSS("#cds-example")),
		chromedp.Click(chromedp.CSS("#cds-run")),
		chromedp.WaitVisible(chromedp.CSS(adeCard)),
	)
	if err != nil {
		t.Fatalf("order-select in the browser: %v", err)
	}
	if cur := eval[string](t, ctx, `document.getElementById("nav-cds").getAttribute("aria-current")`); cur != "page" {
		t.Errorf("the CDS Hooks link is not marked current: %q", cur)
	}
	if got := text(t, ctx, chromedp.CSS(adeCard+" .cds-summary")); got != "aspirin 81 MG Oral Tablet: recorded allergy to aspirin (2024-05-01)" {
		t.Errorf("ADE card summary %q", got)
	}
	if cls := eval[string](t, ctx, `document.querySelector('`+adeCard+`').className`); !strings.Contains(cls, "indicator-warning") {
		t.Errorf("ADE card class %q, want indicator-warning", cls)
	}
	if got := text(t, ctx, chromedp.CSS(adeCard+" .badge.indicator")); got != "Warning" {
		t.Errorf("indicator badge %q, want Warning", got)
	}
	if got := text(t, ctx, chromedp.CSS(adeCard+" button.suggestion")); got != "Remove the draft order for aspirin 81 MG Oral Tablet" {
		t.Errorf("suggestion %q", got)
	}
	if !eval[bool](t, ctx, `document.querySelector('`+adeCard+` button.suggestion').disabled`) {
		t.Error("the suggestion button is enabled: suggestions must do nothing here")
	}
	// The detail's Markdown is rendered as elements: bold, a list item.
	if got := text(t, ctx, chromedp.CSS(adeCard+" .cds-detail strong")); got != "aspirin 81 MG Oral Tablet" {
		t.Errorf("the detail's first bold text is %q", got)
	}
	if got := text(t, ctx, chromedp.CSS(adeCard+" .cds-detail li")); !strings.Contains(got, "Recorded allergy") || strings.Contains(got, "**") {
		t.Errorf("the detail's list item reads %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('`+adeCard+` .cds-overrides li').length`); n != 4 {
		t.Errorf("%d override reasons shown, want 4", n)
	}
	if got := text(t, ctx, chromedp.CSS(`section[data-service="`+cdshooks.ServiceCRD+`"] .cds-none`)); !strings.Contains(got, "No cards") {
		t.Errorf("the CRD service's empty answer reads %q", got)
	}
	screenshot(t, ctx, "cds-order-select")

	err = chromedp.Do(ctx,
		chooseHook("patient-view"),
		waitJS(`document.getElementById("cds-orders-section").hidden`),
		chromedp.Click(chromedp.CSS("#cds-run")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-service="`+cdshooks.ServiceNoteSummary+`"] article.cds-card`)),
	)
	if err != nil {
		t.Fatalf("patient-view in the browser: %v", err)
	}
	sumCard := `section[data-service="` + cdshooks.ServiceNoteSummary + `"] article.cds-card`
	if got := text(t, ctx, chromedp.CSS(sumCard+" .cds-summary")); !strings.HasPrefix(got, "Summary of 1 recent note") {
		t.Errorf("note summary card %q", got)
	}
	if cls := eval[string](t, ctx, `document.querySelector('`+sumCard+`').className`); !strings.Contains(cls, "indicator-info") {
		t.Errorf("note summary card class %q, want indicator-info", cls)
	}
	if got := text(t, ctx, chromedp.CSS(sumCard+" .cds-source")); !strings.Contains(got, "Osler summarizer rad v1") {
		t.Errorf("note summary source %q", got)
	}
	screenshot(t, ctx, "cds-patient-view")

	// order-sign with a drug the payer's rules answer: the coverage
	// information the system action adds is summarized.
	err = chromedp.Do(ctx,
		chooseHook("order-sign"),
		chromedp.WaitVisible(chromedp.CSS("#cds-orders")),
		chromedp.SetValue(chromedp.CSS("#cds-orders"), "["+previewSemaglutideOrder+"]"),
		chromedp.Click(chromedp.CSS("#cds-run")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-service="`+cdshooks.ServiceCRD+`"] .system-actions .coverage`)),
	)
	if err != nil {
		t.Fatalf("order-sign in the browser: %v", err)
	}
	if got := text(t, ctx, chromedp.CSS(`section[data-service="`+cdshooks.ServiceCRD+`"] .system-actions .coverage`)); got != "Coverage information: covered: covered · pa-needed: auth-needed · doc-needed: clinical" {
		t.Errorf("coverage information %q", got)
	}
	if rel := eval[string](t, ctx, `(document.querySelector('section[data-service="`+cdshooks.ServiceCRD+`"] .cds-links a') || {rel: "none"}).rel`); rel != "noopener noreferrer" {
		t.Errorf("the questionnaire link's rel is %q", rel)
	}
	screenshot(t, ctx, "cds-order-sign")

	// The detail renderer builds elements for its Markdown subset and
	// shows everything else, HTML included, as text.
	md := "**a\\_b** _it_ \\*x\\* snake_case_name `code_x`\n\\> not a quote\n\n- item\n  > quoted <img src=x onerror=alert(1)>\n- two\n\n> top quote"
	want := `<div class="md"><p><strong>a_b</strong> <em>it</em> *x* snake_case_name <code>code_x</code> &gt; not a quote</p>` +
		`<ul><li>item<blockquote><p>quoted &lt;img src=x onerror=alert(1)&gt;</p></blockquote></li><li>two</li></ul>` +
		`<blockquote><p>top quote</p></blockquote></div>`
	if got := eval[string](t, ctx, `markdown(`+strconv.Quote(md)+`).outerHTML`); got != want {
		t.Errorf("markdown rendered\n%s\nwant\n%s", got, want)
	}
	errs.check(t)

	// A request the server refuses is shown, not thrown. (The browser
	// logs the 400 itself, so the console was checked before.)
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#cds-orders"), `{"resourceType":"MedicationRequest","status":"draft","intent":"order"}`),
		chromedp.Click(chromedp.CSS("#cds-run")),
		chromedp.WaitVisible(chromedp.CSS("#cds-results .cds-error")),
	)
	if err != nil {
		t.Fatalf("a refused request in the browser: %v", err)
	}
	if got := text(t, ctx, chromedp.CSS("#cds-results .cds-error")); !strings.Contains(got, "(400)") || !strings.Contains(got, "has no id") {
		t.Errorf("the refusal reads %q", got)
	}
}
