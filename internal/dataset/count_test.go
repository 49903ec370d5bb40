package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	n, err := Count(ctx, write("ok.jsonl", `{"id":"a","text":"x"}`+"\n\n"+`{"id":"b","source":"y"}`+"\n"), Options{})
	if n != 2 || err != nil {
		t.Errorf("Count = %d, %v; want 2 records (the blank line is not one)", n, err)
	}
	n, err = Count(ctx, write("empty.jsonl", ""), Options{})
	if n != 0 || err != nil {
		t.Errorf("empty: %d, %v", n, err)
	}
	n, err = Count(ctx, write("bad.jsonl", `{"id":"a","text":"x"}`+"\n"+`{"id":"b","sourc":"y"}`+"\n"+`{"id":"c","text":"z"}`+"\n"), Options{})
	var pe *ParseError
	if n != 1 || !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("bad line: %d, %v; want 1 record and a ParseError at line 2", n, err)
	}
	n, err = Count(ctx, write("notes.txt", "one\ntwo\n\nthree\n"), Options{})
	if n != 3 || err != nil {
		t.Errorf("text: %d, %v", n, err)
	}
	if _, err := Count(ctx, filepath.Join(dir, "missing.jsonl"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	big := write("big.jsonl", strings.Repeat(`{"text":"x"}`+"\n", 10000))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if n, err := Count(cancelled, big, Options{}); !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("cancelled: %d, %v", n, err)
	}
	if n, err := Count(ctx, big, Options{}); n != 10000 || err != nil {
		t.Errorf("big: %d, %v", n, err)
	}
}
