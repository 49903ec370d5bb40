package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCLIReference builds docs/CLI.md from every command's --help (the
// help/*.txt prose with the flags) and checks the file is current; run
// go test ./cmd/osler -run TestCLIReference -update after changing help.
func TestCLIReference(t *testing.T) {
	// Some defaults follow the machine (serve's --workers); the reference
	// shows a 2-core machine's.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var b strings.Builder
	b.WriteString("# The osler command line\n\n" +
		"Every command's `--help`, generated from `cmd/osler/help/*.txt` and the flags " +
		"(`go test ./cmd/osler -run TestCLIReference -update` rewrites this file).\n")
	var walk func(path []string)
	walk = func(path []string) {
		stdout, stderr, code := runOsler(t, "", append(append([]string(nil), path...), "--help")...)
		if code != 0 {
			t.Fatalf("osler %s --help: exit %d, %s", strings.Join(path, " "), code, stderr)
		}
		if len(path) > 0 {
			b.WriteString("\n" + strings.Repeat("#", min(len(path)+1, 3)) + " osler " + strings.Join(path, " ") + "\n\n```\n" + stdout + "```\n")
		}
		if !strings.Contains(stdout, "<command>") {
			return
		}
		_, list, _ := strings.Cut(stdout, "Commands:\n")
		list, _, _ = strings.Cut(list, "\n\n")
		for _, line := range strings.Split(list, "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				walk(append(append([]string(nil), path...), f[0]))
			}
		}
	}
	walk(nil)
	path := filepath.Join("..", "..", "docs", "CLI.md")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != b.String() {
		t.Errorf("docs/CLI.md is not the commands' help (%v): run go test ./cmd/osler -run TestCLIReference -update", err)
	}
}

// TestHelpFiles: every help file is some command's, and the format reads
// back what it says.
func TestHelpFiles(t *testing.T) {
	used := map[string]bool{}
	for _, d := range []cmdDoc{auditDoc, augmentDoc, batchDoc, dataConvertDoc, dataOversampleDoc, dataSplitDoc, dataSynthDoc, dataValidateDoc, demoDoc,
		evalClassificationDoc, evalCompareDoc, evalFaithfulnessDoc, evalCasesDoc, evalRougeDoc, keysCreateDoc, keysListDoc, keysRevokeDoc,
		modelsListDoc, modelsShowDoc, modelsRegisterDoc, modelsApproveDoc, modelsRejectDoc, modelsDeleteDoc, modelsExportDoc, modelsImportDoc,
		modelsVerifyDoc, modelsGCDoc, modelsMigrateDoc, predictDoc, serveDoc, cdsCallDoc, cdsKeysDoc, summarizeDoc, thresholdsTuneDoc, trainClassifierDoc, trainSummarizerDoc, versionDoc} {
		used[strings.ReplaceAll(strings.TrimPrefix(commandPath(d), "osler "), " ", "-")+".txt"] = true
		if d.Usage == "" || d.Summary == "" {
			t.Errorf("%s: empty usage or summary", commandPath(d))
		}
	}
	entries, err := fs.ReadDir(help, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			t.Errorf("help/%s belongs to no command", e.Name())
		}
	}
	d := parseHelp("osler x [flags]\n\nOne\nparagraph.\n\nTwo.\n\nExample:\nosler x a\nosler x b\n")
	if d.Usage != "osler x [flags]" || d.Summary != "One paragraph.\n\nTwo." || d.Example != "osler x a\nosler x b" {
		t.Errorf("parseHelp: %+v", d)
	}
}
