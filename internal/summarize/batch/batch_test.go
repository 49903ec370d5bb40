package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
	"github.com/osler-health/osler/internal/summarize"
)

// fake is a Summarizer with a func field.
type fake struct {
	summarize func(ctx context.Context, doc summarize.Document) (summarize.Result, error)
}

func (f fake) Summarize(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	return f.summarize(ctx, doc)
}

// upper summarizes a document as its text in upper case, after a delay
// that makes earlier documents finish later.
var upper = fake{func(ctx context.Context, doc summarize.Document) (summarize.Result, error) {
	var n int
	fmt.Sscanf(doc.ID, "d%d", &n)
	time.Sleep(time.Duration(20-n%20) * 100 * time.Microsecond)
	return summarize.Result{
		Summary:    strings.ToUpper(doc.Text),
		Provenance: &summarize.Provenance{Method: "fake", Chunks: 2, LLMCalls: 3},
		Checked:    true,
	}, nil
}}

func input(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"d%d","source":"note %d"}`+"\n", i, i)
	}
	return b.String()
}

func reader(s string) dataset.Reader {
	return dataset.NewJSONLReader(strings.NewReader(s), "in.jsonl", dataset.Options{})
}

type outLine struct {
	ID       string `json:"id"`
	Summary  string `json:"summary"`
	Method   string `json:"method"`
	LLMCalls int    `json:"llm_calls"`
	Warnings []struct {
		Verdict string `json:"verdict"`
	} `json:"warnings"`
}

func lines(t *testing.T, s string) []outLine {
	t.Helper()
	var out []outLine
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		var o outLine
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, o)
	}
	return out
}

func TestRunOrderAndStats(t *testing.T) {
	for _, provenance := range []bool{false, true} {
		var out bytes.Buffer
		st, err := Run(context.Background(), upper, reader(input(50)), &out, Options{Workers: 6, Provenance: provenance, Output: "out.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		if st != (Stats{Docs: 50, Chunks: 100, LLMCalls: 150}) {
			t.Errorf("stats %+v", st)
		}
		got := lines(t, out.String())
		if len(got) != 50 {
			t.Fatalf("%d lines", len(got))
		}
		for i, l := range got {
			if l.ID != fmt.Sprintf("d%d", i) || l.Summary != fmt.Sprintf("NOTE %d", i) {
				t.Fatalf("line %d = %+v: not in input order", i, l)
			}
			if provenance != (l.Method == "fake" && l.LLMCalls == 3) {
				t.Fatalf("provenance %v: line %+v", provenance, l)
			}
		}
	}
}

// The line format, byte for byte: HTML is not escaped, warnings are
// written when there are some, provenance follows the summary.
func TestRunLineFormat(t *testing.T) {
	s := fake{func(_ context.Context, doc summarize.Document) (summarize.Result, error) {
		res := summarize.Result{Summary: "<b> & " + doc.Text, Checked: true, Provenance: &summarize.Provenance{Method: "m", Notes: []string{"n"}}}
		if doc.ID == "b" {
			res.Warnings = []clinical.Issue{{Verdict: clinical.Unsupported, Kind: clinical.IssueSide, Concept: "left", Message: "msg"}}
		}
		return res, nil
	}}
	var out bytes.Buffer
	st, err := Run(context.Background(), s, reader(`{"id":"a","text":"x"}`+"\n"+`{"id":"b","text":"y"}`+"\n"), &out, Options{Provenance: true})
	if err != nil {
		t.Fatal(err)
	}
	warn, _ := json.Marshal(clinical.Issue{Verdict: clinical.Unsupported, Kind: clinical.IssueSide, Concept: "left", Message: "msg"})
	want := `{"id":"a","summary":"<b> & x","method":"m","notes":["n"]}` + "\n" +
		`{"id":"b","summary":"<b> & y","warnings":[` + string(warn) + `],"method":"m","notes":["n"]}` + "\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if st.Unfaithful != 1 || st.Docs != 2 {
		t.Errorf("stats %+v: the unsupported claim is not counted", st)
	}
}

// A bad line or a failed document stops the run, unless KeepGoing: then
// each is reported in input order and the others are written.
func TestRunFailures(t *testing.T) {
	in := `{"id":"a","text":"ok"}` + "\n" + `not json` + "\n" + `{"id":"b","text":"fail"}` + "\n" + `{"id":"c","text":"ok"}` + "\n"
	bad := errors.New("model refused")
	s := fake{func(_ context.Context, doc summarize.Document) (summarize.Result, error) {
		if doc.Text == "fail" {
			return summarize.Result{}, bad
		}
		return summarize.Result{Summary: doc.Text}, nil
	}}
	var out bytes.Buffer
	_, err := Run(context.Background(), s, reader(in), &out, Options{Workers: 2})
	var pe *dataset.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("without KeepGoing: %v; want the bad line 2", err)
	}

	var failures []string
	out.Reset()
	rec := &recorder{}
	st, err := Run(context.Background(), s, reader(in), &out, Options{Workers: 3, KeepGoing: true, Input: "-", Progress: rec, Total: 4,
		OnFailure: func(err error) { failures = append(failures, err.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(t, out.String()); len(got) != 2 || got[0].ID != "a" || got[1].ID != "c" {
		t.Errorf("written: %+v", got)
	}
	if len(failures) != 2 || !strings.Contains(failures[0], "in.jsonl:2") || failures[1] != `stdin:3: id "b": model refused` {
		t.Errorf("failures %q", failures)
	}
	if st != (Stats{Docs: 2, Failed: 2}) {
		t.Errorf("stats %+v", st)
	}
	if !slices.Equal(rec.stages, []string{"summarizing/4"}) || rec.added != 4 {
		t.Errorf("progress: stages %v, added %d", rec.stages, rec.added)
	}
}

type recorder struct {
	mu     sync.Mutex
	stages []string
	added  int
}

func (r *recorder) Stage(name string, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stages = append(r.stages, fmt.Sprintf("%s/%d", name, total))
}

func (r *recorder) Add(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.added += n
}

// A read error that is not a bad line stops the run even with KeepGoing.
type failingReader struct {
	dataset.Reader
	left int
	err  error
}

func (r *failingReader) Read() (dataset.Record, error) {
	if r.left == 0 {
		return dataset.Record{}, r.err
	}
	r.left--
	return r.Reader.Read()
}

func TestRunReadAndWriteErrors(t *testing.T) {
	disk := errors.New("disk on fire")
	_, err := Run(context.Background(), upper, &failingReader{Reader: reader(input(10)), left: 3, err: disk}, io.Discard, Options{KeepGoing: true, Workers: 2})
	if !errors.Is(err, disk) {
		t.Errorf("read error: %v", err)
	}
	// A file output is buffered: the error shows when the buffer is flushed.
	_, err = Run(context.Background(), upper, reader(input(3)), failWriter{disk}, Options{Output: "out.jsonl"})
	if !errors.Is(err, disk) || !strings.HasPrefix(err.Error(), "summarize: writing out.jsonl: ") {
		t.Errorf("write error: %v", err)
	}
	// Standard output is flushed line by line: the first line fails.
	n := 0
	_, err = Run(context.Background(), upper, reader(input(3)), writerFunc(func(b []byte) (int, error) {
		if n++; n > 1 {
			return 0, disk
		}
		return len(b), nil
	}), Options{Output: "-"})
	if !errors.Is(err, disk) || !strings.HasPrefix(err.Error(), "summarize: writing to stdout: ") || n != 2 {
		t.Errorf("stdout error after %d writes: %v", n, err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Standard output sees each line as it is written.
func TestRunFlushesStdout(t *testing.T) {
	var writes []string
	w := writerFunc(func(b []byte) (int, error) { writes = append(writes, string(b)); return len(b), nil })
	if _, err := Run(context.Background(), upper, reader(input(3)), w, Options{Output: "-"}); err != nil {
		t.Fatal(err)
	}
	if len(writes) != 3 || !strings.HasSuffix(writes[0], "\n") {
		t.Errorf("writes %q; want one per line", writes)
	}
	writes = nil
	if _, err := Run(context.Background(), upper, reader(input(3)), w, Options{Output: "out.jsonl"}); err != nil {
		t.Fatal(err)
	}
	if len(writes) != 1 {
		t.Errorf("%d writes to a file; want one buffered write", len(writes))
	}
}

// Cancelling stops the run with the context's error, even with
// KeepGoing: an interrupted document is not a failed one.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 10)
	s := fake{func(ctx context.Context, _ summarize.Document) (summarize.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		return summarize.Result{}, fmt.Errorf("chain: %w", ctx.Err())
	}}
	go func() {
		<-started
		cancel()
	}()
	failed := 0
	st, err := Run(ctx, s, reader(input(5)), io.Discard, Options{Workers: 2, KeepGoing: true, OnFailure: func(error) { failed++ }})
	if !errors.Is(err, context.Canceled) || failed != 0 || st.Docs != 0 {
		t.Errorf("cancelled: %v, %d failures, stats %+v", err, failed, st)
	}
}
