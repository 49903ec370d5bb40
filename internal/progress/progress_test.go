package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// clock is a fake time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestWriterLinesWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	p := NewWriter(&out, false)
	p.now = c.now
	p.Stage("candidates", 2325)
	p.Add(100)
	if out.Len() != 0 {
		t.Fatalf("printed %q before an interval passed", out.String())
	}
	c.advance(11 * time.Second)
	p.Add(1100)
	c.advance(2 * time.Second)
	p.Add(100) // within the interval of the last line: quiet
	c.advance(9 * time.Second)
	p.Add(25)
	p.Stage("ranker", -1) // ends "candidates" (22 s: says it is done)
	p.Add(3)
	p.Finish() // "ranker" took no time: quiet
	want := "candidates: 1,200/2,325 (51%), 11s\n" +
		"candidates: 1,325/2,325 (56%), 22s\n" +
		"candidates: 1,325/2,325 (56%), 22s, done\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	p.Stage("scoring", -1)
	c.advance(10 * time.Second)
	p.Add(5000)
	if got := out.String(); got != "scoring: 5,000, 10s\n" {
		t.Fatalf("unknown total: %q", got)
	}
}

func TestWriterBarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	p := NewWriter(&out, true)
	p.Stage("training", 10)
	if p.bar == nil {
		t.Fatal("no bar on a terminal")
	}
	p.Add(10)
	p.Finish()
	if p.bar != nil || strings.Contains(out.String(), "training: 10/10") {
		t.Fatalf("a terminal got lines or kept its bar: %q", out.String())
	}
}

func TestNilAndDiscard(t *testing.T) {
	var p *Writer
	p.Stage("x", 1)
	p.Add(1)
	p.Finish()
	Or(nil).Stage("x", 1)
	Or(nil).Add(1)
	if Or(p) == nil || Or(nil) != Discard {
		t.Fatal("Or")
	}
}

func TestBarLines(t *testing.T) {
	var out bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	b := NewWriter(&out, false)
	b.now = c.now
	b.Stage("storing", 100)
	b.Describe("storing model")
	c.advance(Interval)
	b.Add(40)
	b.Finish()
	if got := out.String(); got != "storing model: 40/100 (40%), 10s\nstoring model: 40/100 (40%), 10s, done\n" {
		t.Fatalf("got %q", got)
	}
}

// Describe renames the stage in place: its count and clock go on.
func TestWriterDescribe(t *testing.T) {
	var out bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	p := NewWriter(&out, false)
	p.now = c.now
	p.Stage("summarizing", 4)
	p.Add(1)
	p.Describe("summarizing (3 LLM calls)")
	c.advance(Interval)
	p.Add(1)
	p.Finish()
	want := "summarizing (3 LLM calls): 2/4 (50%), 10s\nsummarizing (3 LLM calls): 2/4 (50%), 10s, done\n"
	if got := out.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	var nilWriter *Writer
	nilWriter.Describe("x")

	out.Reset()
	p = NewWriter(&out, true)
	p.Stage("summarizing", 2)
	p.Describe("summarizing (1 LLM calls)")
	p.Add(2)
	p.Finish()
	if !strings.Contains(out.String(), "summarizing (1 LLM calls)") {
		t.Errorf("the bar does not show the new description: %q", out.String())
	}
}
