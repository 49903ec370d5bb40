package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConvertFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	var lines []string
	for i := 0; i < 8; i++ {
		if i%2 == 0 {
			lines = append(lines, `{"id":"r`+string(rune('0'+i))+`","text":"some text","labels":[]}`)
		} else {
			lines = append(lines, `{"id":"r`+string(rune('0'+i))+`","text":"other, text","labels":["a","b"]}`)
		}
	}
	os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	out := filepath.Join(dir, "out.csv")
	st, err := ConvertFile(context.Background(), in, out, nil, nil, Options{}, Options{Format: FormatTable, LabelDelimiter: "|"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 8 || st.Kind != KindClassification || st.Unlabeled != 4 || len(st.FirstUnlabeled) != 4 || st.FirstUnlabeled[0] != 1 {
		t.Errorf("stats %+v", st)
	}
	back, err := ReadAll(out, nil, Options{Format: FormatTable, LabelDelimiter: "|"})
	if err != nil || len(back) != 8 || strings.Join(back[1].Labels, ",") != "a,b" || back[1].Text != "other, text" {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if w := st.UnlabeledWarning("-"); !strings.Contains(w, "4 of the 8 rows written have no label (stdin lines 1, 3, 5, 7)") {
		t.Errorf("warning %q", w)
	}
	st.FirstUnlabeled, st.Unlabeled = []int{2, 4, 6, 8, 10}, 9
	if w := st.UnlabeledWarning("x.jsonl"); !strings.Contains(w, "(x.jsonl lines 2, 4, 6, 8, 10 and 4 more)") {
		t.Errorf("warning %q", w)
	}
	if (ConvertStats{}).UnlabeledWarning("x") != "" {
		t.Error("a warning without unlabeled rows")
	}
	// A text output keeps no labels, so nothing is reported; an empty
	// input writes an empty file.
	var stdout bytes.Buffer
	if st, err := ConvertFile(context.Background(), in, "-", nil, &stdout, Options{}, Options{Format: FormatText}); err != nil || st.Unlabeled != 0 || strings.Count(stdout.String(), "\n") != 8 {
		t.Errorf("text output: %+v %v %q", st, err, stdout.String())
	}
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	if st, err := ConvertFile(context.Background(), empty, filepath.Join(dir, "e.jsonl"), nil, nil, Options{}, Options{}); err != nil || st.Records != 0 {
		t.Errorf("empty: %+v %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "e.jsonl")); err != nil {
		t.Error(err)
	}
}
