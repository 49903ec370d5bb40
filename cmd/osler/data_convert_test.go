package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvertWarnsAboutUnlabeledRows: rows written without a label are
// counted on stderr with their first line numbers, never silently.
func TestConvertWarnsAboutUnlabeledRows(t *testing.T) {
	dir := t.TempDir()
	var in strings.Builder
	for i := 1; i <= 12; i++ {
		switch {
		case i == 3:
			in.WriteString("\n") // a blank line keeps the numbering honest
		case i%2 == 0 && i != 2:
			in.WriteString(`{"id": "r` + string(rune('a'+i)) + `", "text": "synthetic note", "labels": []}` + "\n")
		default:
			in.WriteString(`{"id": "r` + string(rune('a'+i)) + `", "text": "synthetic note", "labels": ["x"]}` + "\n")
		}
	}
	src := filepath.Join(dir, "in.jsonl")
	os.WriteFile(src, []byte(in.String()), 0o644)
	_, stderr, code := runOsler(t, "", "data", "convert", src, filepath.Join(dir, "out.csv"))
	want := "warning: 5 of the 11 rows written have no label (" + src + " lines 4, 6, 8, 10, 12)"
	if code != 0 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want %q", code, stderr, want)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "out.csv"))
	if strings.Count(string(b), "\n,synthetic note") != 5 {
		t.Errorf("the unlabeled rows were not written as they are:\n%s", b)
	}
	// More than five: the first five and a count.
	_, stderr, _ = runOsler(t, strings.Repeat(`{"text": "t"}`+"\n", 8), "data", "convert", "-", filepath.Join(dir, "more.csv"))
	if !strings.Contains(stderr, "8 of the 8 rows written have no label (stdin lines 1, 2, 3, 4, 5 and 3 more)") {
		t.Errorf("stderr %q", stderr)
	}
	// Every row labelled, a .txt (which keeps no labels), or a
	// summarization set: no warning.
	for _, tc := range []struct{ in, out string }{
		{`{"text": "a", "labels": ["x"]}` + "\n", "l.csv"},
		{`{"text": "a"}` + "\n", "t.txt"},
		{`{"source": "a", "summary": "b"}` + "\n", "s.jsonl"},
	} {
		_, stderr, code := runOsler(t, tc.in, "data", "convert", "-", filepath.Join(dir, tc.out))
		if code != 0 || strings.Contains(stderr, "warning") {
			t.Errorf("%s: exit %d, stderr %q", tc.out, code, stderr)
		}
	}
	b, _ = os.ReadFile(filepath.Join(dir, "t.txt"))
	if string(b) != "a\n" {
		t.Errorf("t.txt: %q", b)
	}
}
