package synth

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
)

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	fo := FileOptions{Out: filepath.Join(dir, "ade.csv"), Relations: filepath.Join(dir, "rel.jsonl")}
	st, err := WriteFiles(context.Background(), Options{Kind: KindADE, Seed: 3, NearDupRate: 0.1}, 500, fo)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 500 || st.Labels["Adverse_Event"]+st.Labels["Not_AE"] != 500 || st.Duplicates == 0 || st.Relations < st.Labels["Adverse_Event"] {
		t.Errorf("stats %+v", st)
	}
	recs, err := dataset.ReadAll(fo.Out, nil, dataset.Options{})
	if err != nil || len(recs) != 500 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	rel, err := os.ReadFile(fo.Relations)
	if err != nil || bytes.Count(rel, []byte("\n")) != st.Relations {
		t.Errorf("relations file: %d lines, stats %d, %v", bytes.Count(rel, []byte("\n")), st.Relations, err)
	}
	sum := st.Summary(KindADE, fo)
	for _, want := range []string{"wrote 500 ade records to " + fo.Out, "deliberate near-duplicates", "drug/effect relations to " + fo.Relations} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary %q lacks %q", sum, want)
		}
	}

	// Standard output, and the same bytes for the same seed.
	var a, b bytes.Buffer
	for _, w := range []*bytes.Buffer{&a, &b} {
		if _, err := WriteFiles(context.Background(), Options{Kind: KindRadiology, Seed: 5}, 20, FileOptions{Out: "-", Stdout: w}); err != nil {
			t.Fatal(err)
		}
	}
	if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) || bytes.Count(a.Bytes(), []byte("\n")) != 20 {
		t.Errorf("stdout runs differ or are empty: %d and %d bytes", a.Len(), b.Len())
	}

	// A relations file that cannot be written publishes neither file.
	out := filepath.Join(dir, "ade2.jsonl")
	_, err = WriteFiles(context.Background(), Options{Kind: KindADE, Seed: 3}, 50, FileOptions{Out: out, Relations: filepath.Join(dir, "missing", "rel.jsonl")})
	if err == nil {
		t.Fatal("no error for an unwritable relations file")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the dataset was published without its relations: %v", err)
	}
}

func TestWriteKinds(t *testing.T) {
	var b bytes.Buffer
	if err := WriteKinds(&b); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		if !strings.Contains(b.String(), string(k.Kind)+" (") {
			t.Errorf("--list lacks %s:\n%s", k.Kind, b.String())
		}
	}
	if !strings.Contains(b.String(), "Adverse_Event") || !strings.Contains(b.String(), "multi-label") {
		t.Errorf("--list lacks labels or the multi-label kind:\n%s", b.String())
	}
}
