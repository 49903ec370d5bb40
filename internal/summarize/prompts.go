package summarize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/template"
)

// Task names a set of default prompts.
type Task string

// The tasks Osler has clinical default prompts for.
const (
	// TaskNote summarizes a clinical note: symptoms, findings,
	// assessment, and the actions taken or planned.
	TaskNote Task = "note"
	// TaskRadiology writes a radiology report's impression from its
	// findings.
	TaskRadiology Task = "radiology"
	// TaskArticle summarizes a long biomedical article like an abstract.
	TaskArticle Task = "article"
)

// Tasks lists the tasks in the order help texts show them.
var Tasks = []Task{TaskNote, TaskRadiology, TaskArticle}

// ParseTask parses a task name.
func ParseTask(s string) (Task, error) {
	for _, t := range Tasks {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("summarize: unknown task %q (want note, radiology or article)", s)
}

// PromptData is what prompt templates see. Each template uses some fields:
//
//   - stuff: .Text (the whole document);
//   - map: .Text (one chunk), .Index (1-based) and .Total;
//   - reduce: .Summaries (the chunk summaries, in document order; .Text
//     holds them joined by blank lines);
//   - refine: .Existing (the summary so far), .Text (the next chunk),
//     .Index and .Total;
//   - revise: .Existing (a summary the faithfulness check flagged),
//     .Problems (what the check found, one sentence each) and .Text (the
//     document, empty when it does not fit one chunk).
//
// Templates also have the function add ({{add $i 1}}).
type PromptData struct {
	Text      string
	Summaries []string
	Existing  string
	Problems  []string
	Index     int
	Total     int
}

// Prompts are the templates of the chains. The system message is sent as
// is with every call (omitted when empty).
type Prompts struct {
	System string
	Stuff  *template.Template
	Map    *template.Template
	Reduce *template.Template
	Refine *template.Template
	// Revise asks for a corrected summary when the faithfulness check
	// flags one (--verify retry); nil means the default revise prompt.
	Revise *template.Template
}

// promptKeys are the keys of a prompts file and of Prompts' templates.
var promptKeys = []string{"system", "stuff", "map", "reduce", "refine", "revise"}

// revisePrompt is the default revise template of every task.
const revisePrompt = `The summary below states things its source does not support:
{{range .Problems}}- {{.}}
{{end}}
{{if .Text}}Source:
{{.Text}}

{{end}}Summary:
{{.Existing}}

Rewrite the summary without these statements. Keep everything else it says that the source supports, keep negated findings negated, and add nothing the source does not say.

Corrected summary:`

var funcs = template.FuncMap{"add": func(a, b int) int { return a + b }}

// systemPrompt is shared by the clinical tasks.
const systemPrompt = "You are a careful clinical documentation assistant. You summarize only what the source text states. " +
	"You never add diagnoses, findings, medications, doses, dates or numbers that are not in the text, " +
	"and you keep negated findings negated (\"denies chest pain\" stays a denial)."

var defaultTexts = map[Task]map[string]string{
	TaskNote: {
		"system": systemPrompt,
		"stuff": `Summarize the clinical note below for a clinician. Cover:
- the presenting symptoms and relevant history,
- the key findings (examination, laboratory results, imaging),
- the assessment, and
- the actions taken or planned (treatments, medications, orders, follow-up).
Use short plain sentences. Keep negated findings negated. Do not add anything that is not in the note.

Note:
{{.Text}}

Summary:`,
		"map": `The text below is part {{.Index}} of {{.Total}} of a longer clinical note. List the symptoms, history, findings, assessments and actions it states, in short plain sentences. Keep negated findings negated. Do not add anything that is not in the text.

Text:
{{.Text}}

Key points:`,
		"reduce": `Below are key points taken from consecutive parts of one clinical note. Combine them into one summary for a clinician covering the presenting symptoms and history, the key findings, the assessment, and the actions taken or planned. Remove repetition, keep negated findings negated, and do not add anything that is not in the key points.

{{range $i, $s := .Summaries}}Part {{add $i 1}}:
{{$s}}

{{end}}Summary:`,
		"refine": `You are summarizing a clinical note part by part.

Summary so far:
{{.Existing}}

Next part of the note ({{.Index}} of {{.Total}}):
{{.Text}}

Rewrite the summary so that it also covers this part: presenting symptoms and history, key findings, assessment, and actions taken or planned. Keep what is still relevant from the summary so far, keep negated findings negated, and do not add anything that is not in the note.

Updated summary:`,
	},
	TaskRadiology: {
		"system": systemPrompt,
		"stuff": `Write the IMPRESSION section of a radiology report from the FINDINGS below. Give the most important conclusions first, in one to three short sentences or a short numbered list. If the findings are normal, say so briefly (for example "No acute cardiopulmonary abnormality."). Repeat a measurement only when it matters, and mention nothing that is not in the findings.

FINDINGS:
{{.Text}}

IMPRESSION:`,
		"map": `The text below is part {{.Index}} of {{.Total}} of the FINDINGS of a radiology report. List its abnormal findings, each with its location and size when given, and note briefly which structures it reports as normal. Mention nothing that is not in the text.

FINDINGS (part {{.Index}}):
{{.Text}}

Findings in this part:`,
		"reduce": `Below are notes on consecutive parts of the FINDINGS of one radiology report. Write the report's IMPRESSION from them: the most important conclusions first, in one to three short sentences or a short numbered list; if everything is normal, say so briefly. Mention nothing that is not in the notes.

{{range $i, $s := .Summaries}}Part {{add $i 1}}:
{{$s}}

{{end}}IMPRESSION:`,
		"refine": `You are writing the IMPRESSION of a radiology report while reading its FINDINGS part by part.

IMPRESSION so far:
{{.Existing}}

Next part of the FINDINGS ({{.Index}} of {{.Total}}):
{{.Text}}

Rewrite the IMPRESSION so that it also reflects this part: the most important conclusions first, in one to three short sentences or a short numbered list. Mention nothing that is not in the findings.

IMPRESSION:`,
	},
	TaskArticle: {
		"system": "You summarize biomedical research articles accurately. You use only information from the text and keep the key numbers it reports.",
		"stuff": `Summarize the article below in one paragraph of about 150 to 250 words, like a structured abstract: background, methods, main results (with the key numbers the text gives) and conclusion. Use only information from the article.

Article:
{{.Text}}

Summary:`,
		"map": `The text below is section {{.Index}} of {{.Total}} of a long scientific article. Summarize what it says about the study's background, methods, results and conclusions in a few sentences, keeping the key numbers. Use only information from the text.

Text:
{{.Text}}

Summary of this section:`,
		"reduce": `Below are summaries of consecutive sections of one scientific article. Write one summary of the whole article in a paragraph of about 150 to 250 words, like a structured abstract: background, methods, main results (with the key numbers) and conclusion. Remove repetition and use only information from these summaries.

{{range $i, $s := .Summaries}}Section {{add $i 1}}:
{{$s}}

{{end}}Summary:`,
		"refine": `You are summarizing a long scientific article section by section.

Summary so far:
{{.Existing}}

Next section ({{.Index}} of {{.Total}}):
{{.Text}}

Rewrite the summary so that it also covers this section, as one paragraph of about 150 to 250 words like a structured abstract: background, methods, main results (with the key numbers) and conclusion. Use only information from the article.

Updated summary:`,
	},
}

// DefaultPrompts returns the clinical default prompts of a task.
func DefaultPrompts(task Task) (Prompts, error) {
	texts, ok := defaultTexts[task]
	if !ok {
		return Prompts{}, fmt.Errorf("summarize: unknown task %q (want note, radiology or article)", task)
	}
	withRevise := map[string]string{"revise": revisePrompt}
	for k, v := range texts {
		withRevise[k] = v
	}
	return buildPrompts("default "+string(task)+" prompts", withRevise, Prompts{})
}

// LoadPrompts reads a prompts file and returns base with the file's
// prompts in place of its own. The file is a JSON object with any of the
// keys "system", "stuff", "map", "reduce", "refine" and "revise", each a
// string; the templates use text/template syntax and the fields of
// [PromptData]. Every template is parsed and tried on sample data, and
// must use the fields its step needs (stuff and map .Text, reduce
// .Summaries or .Text, refine .Existing and .Text, revise .Existing and
// .Problems), so a typo is reported here with the file and key, not
// halfway through a batch.
func LoadPrompts(path string, base Prompts) (Prompts, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Prompts{}, fmt.Errorf("prompts: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return Prompts{}, fmt.Errorf("prompts: %s: %v (want a JSON object with keys %s)", path, strings.TrimPrefix(err.Error(), "json: "), strings.Join(promptKeys, ", "))
	}
	texts := map[string]string{}
	var unknown []string
	for k, v := range raw {
		if !contains(promptKeys, k) {
			unknown = append(unknown, k)
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return Prompts{}, fmt.Errorf("prompts: %s: key %q: want a string", path, k)
		}
		texts[k] = s
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Prompts{}, fmt.Errorf("prompts: %s: unknown keys %s (want %s)", path, strings.Join(unknown, ", "), strings.Join(promptKeys, ", "))
	}
	return buildPrompts(path, texts, base)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Sentinels put into sample data to check that a template uses a field.
const (
	sampleText     = "\x00TEXT\x00"
	sampleSummary  = "\x00SUMMARY\x00"
	sampleExisting = "\x00EXISTING\x00"
	sampleProblem  = "\x00PROBLEM\x00"
)

// buildPrompts parses texts over base; source names them in errors.
func buildPrompts(source string, texts map[string]string, base Prompts) (Prompts, error) {
	p := base
	if s, ok := texts["system"]; ok {
		p.System = s
	}
	var errs []error
	for _, step := range []struct {
		key  string
		dst  **template.Template
		need func(out string) string // what is missing from the rendered sample
	}{
		{"stuff", &p.Stuff, func(out string) string { return missing(out, sampleText, ".Text") }},
		{"map", &p.Map, func(out string) string { return missing(out, sampleText, ".Text") }},
		{"reduce", &p.Reduce, func(out string) string {
			if strings.Contains(out, sampleSummary) {
				return ""
			}
			return ".Summaries (or .Text)"
		}},
		{"refine", &p.Refine, func(out string) string {
			return strings.TrimPrefix(missing(out, sampleExisting, ".Existing")+" "+missing(out, sampleText, ".Text"), " ")
		}},
		{"revise", &p.Revise, func(out string) string {
			return strings.TrimPrefix(missing(out, sampleExisting, ".Existing")+" "+missing(out, sampleProblem, ".Problems"), " ")
		}},
	} {
		text, ok := texts[step.key]
		if !ok {
			continue
		}
		t, err := template.New(step.key).Funcs(funcs).Option("missingkey=error").Parse(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("prompts: %s: %q: %v", source, step.key, strings.TrimPrefix(err.Error(), "template: ")))
			continue
		}
		var out strings.Builder
		sample := PromptData{Text: sampleText, Existing: sampleExisting, Summaries: []string{sampleSummary, sampleSummary},
			Problems: []string{sampleProblem}, Index: 2, Total: 3}
		if step.key == "reduce" {
			sample.Text = sampleSummary + "\n\n" + sampleSummary
		}
		if err := t.Execute(&out, sample); err != nil {
			errs = append(errs, fmt.Errorf("prompts: %s: %q: %v", source, step.key, strings.TrimPrefix(err.Error(), "template: ")))
			continue
		}
		if m := strings.TrimSpace(step.need(out.String())); m != "" {
			errs = append(errs, fmt.Errorf("prompts: %s: %q does not use %s, so the model would never see the text", source, step.key, m))
			continue
		}
		*step.dst = t
	}
	if err := errors.Join(errs...); err != nil {
		return Prompts{}, err
	}
	return p, nil
}

func missing(out, sentinel, field string) string {
	if strings.Contains(out, sentinel) {
		return ""
	}
	return field
}

// defaultRevise is the revise template used when Prompts.Revise is nil.
var defaultRevise = template.Must(template.New("revise").Funcs(funcs).Option("missingkey=error").Parse(revisePrompt))

// Validate checks that every template but the optional revise is set.
func (p Prompts) Validate() error {
	var missing []string
	for _, x := range []struct {
		key string
		t   *template.Template
	}{{"stuff", p.Stuff}, {"map", p.Map}, {"reduce", p.Reduce}, {"refine", p.Refine}} {
		if x.t == nil {
			missing = append(missing, x.key)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("prompts: no template for %s", strings.Join(missing, ", "))
	}
	return nil
}

// render executes t on d.
func render(t *template.Template, d PromptData) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("prompts: %w", err)
	}
	return b.String(), nil
}
