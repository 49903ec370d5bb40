package summarize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The default prompts rendered on sample data, as golden files a
// clinician can review.
func TestDefaultPromptsGolden(t *testing.T) {
	for _, task := range Tasks {
		p, err := DefaultPrompts(task)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("== system ==\n" + p.System + "\n")
		for _, step := range []struct {
			name string
			d    PromptData
		}{
			{"stuff", PromptData{Text: "<DOCUMENT>", Index: 1, Total: 1}},
			{"map", PromptData{Text: "<CHUNK 2>", Index: 2, Total: 3}},
			{"reduce", PromptData{Summaries: []string{"<SUMMARY 1>", "<SUMMARY 2>", "<SUMMARY 3>"}, Text: "<SUMMARY 1>\n\n<SUMMARY 2>\n\n<SUMMARY 3>"}},
			{"refine", PromptData{Existing: "<SUMMARY SO FAR>", Text: "<CHUNK 3>", Index: 3, Total: 3}},
		} {
			var out string
			switch step.name {
			case "stuff":
				out, err = render(p.Stuff, step.d)
			case "map":
				out, err = render(p.Map, step.d)
			case "reduce":
				out, err = render(p.Reduce, step.d)
			case "refine":
				out, err = render(p.Refine, step.d)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", task, step.name, err)
			}
			b.WriteString("\n== " + step.name + " ==\n" + out + "\n")
		}
		path := filepath.Join("testdata", "prompts_"+string(task)+".golden")
		if *update {
			os.WriteFile(path, []byte(b.String()), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if string(want) != b.String() {
			t.Errorf("%s prompts differ from %s (run go test -update and review the diff)", task, path)
		}
	}
}

func TestLoadPrompts(t *testing.T) {
	base, _ := DefaultPrompts(TaskRadiology)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}

	p, err := LoadPrompts(write("ok.json", `{"system": "", "map": "Chunk {{.Index}}/{{.Total}}: {{.Text}}"}`), base)
	if err != nil {
		t.Fatal(err)
	}
	if p.System != "" {
		t.Errorf("system = %q, want the file's empty system prompt", p.System)
	}
	out, _ := render(p.Map, PromptData{Text: "X", Index: 1, Total: 2})
	if out != "Chunk 1/2: X" {
		t.Errorf("map = %q", out)
	}
	if p.Stuff != base.Stuff || p.Reduce != base.Reduce {
		t.Error("templates the file does not set were not kept")
	}

	for _, tc := range []struct{ name, body, want string }{
		{"syntax.json", `{"stuff": "{{.Text"}`, `"stuff"`},
		{"field.json", `{"map": "{{.Txt}}"}`, `can't evaluate field Txt`},
		{"unused.json", `{"stuff": "Summarize the note."}`, `"stuff" does not use .Text`},
		{"refine.json", `{"refine": "{{.Text}}"}`, `does not use .Existing`},
		{"reduce.json", `{"reduce": "Combine."}`, `.Summaries`},
		{"unknown.json", `{"stuf": "{{.Text}}"}`, `unknown keys stuf`},
		{"type.json", `{"map": 3}`, `key "map": want a string`},
		{"notjson.json", `stuff: {{.Text}}`, `want a JSON object`},
	} {
		_, err := LoadPrompts(write(tc.name, tc.body), base)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: err = %v, want it to name the file and say %q", tc.name, err, tc.want)
		}
	}
	if _, err := LoadPrompts(filepath.Join(dir, "missing.json"), base); err == nil {
		t.Error("missing file accepted")
	}
}

func TestReduceMayUseText(t *testing.T) {
	base, _ := DefaultPrompts(TaskNote)
	p := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(p, []byte(`{"reduce": "Combine:\n{{.Text}}"}`), 0o644)
	got, err := LoadPrompts(p, base)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := render(got.Reduce, PromptData{Summaries: []string{"a", "b"}, Text: "a\n\nb"})
	if out != "Combine:\na\n\nb" {
		t.Errorf("reduce = %q", out)
	}
}

func TestParseTaskAndChain(t *testing.T) {
	for _, s := range []string{"note", "radiology", "article"} {
		if _, err := ParseTask(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseTask("discharge"); err == nil {
		t.Error("unknown task accepted")
	}
	if _, err := DefaultPrompts("discharge"); err == nil {
		t.Error("unknown task accepted")
	}
	for s, want := range map[string]ChainKind{"stuff": ChainStuff, "map-reduce": ChainMapReduce, "map_reduce": ChainMapReduce, "refine": ChainRefine} {
		if got, err := ParseChainKind(s); err != nil || got != want {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if _, err := ParseChainKind("mapreduce-ish"); err == nil {
		t.Error("unknown chain accepted")
	}
	if (Prompts{}).Validate() == nil {
		t.Error("empty prompts accepted")
	}
}

func TestRevisePrompt(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"revise": "Fix: {{range .Problems}}{{.}}; {{end}}in {{.Existing}}"}`), 0o644)
	base, err := DefaultPrompts(TaskRadiology)
	if err != nil {
		t.Fatal(err)
	}
	if base.Revise == nil {
		t.Fatal("default prompts have no revise template")
	}
	p, err := LoadPrompts(good, base)
	if err != nil || p.Revise == nil || p.Revise == base.Revise {
		t.Fatalf("LoadPrompts: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"revise": "Fix {{.Existing}}"}`), 0o644)
	if _, err := LoadPrompts(bad, base); err == nil || !strings.Contains(err.Error(), `"revise" does not use .Problems`) {
		t.Fatalf("a revise prompt without the problems: %v", err)
	}
}
