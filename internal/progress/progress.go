// Package progress is how long work (training, prediction over a big file,
// evaluation, storing an artifact) tells people how far it has got. Work
// reports to a [Reporter]; [NewWriter] gives one that draws progress bars on a
// terminal (github.com/schollz/progressbar, not drawn here) and, when
// output is redirected to a log or CI, prints a plain line per stage at
// most every [Interval], so a minute-long job is never silent and logs
// hold no control characters.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Reporter is told how work advances. Implementations are safe for
// concurrent use by the work's goroutines.
type Reporter interface {
	// Stage starts a stage of total units of work (total < 0: unknown),
	// ending the previous one.
	Stage(name string, total int)
	// Add records n more units of the current stage done.
	Add(n int)
}

// Discard reports nothing.
var Discard Reporter = discard{}

type discard struct{}

func (discard) Stage(string, int) {}
func (discard) Add(int)           {}

// Or returns r, or Discard when r is nil, so work can report without
// checking.
func Or(r Reporter) Reporter {
	if r == nil {
		return Discard
	}
	return r
}

// Interval is how often a [Writer] not on a terminal prints a line.
const Interval = 10 * time.Second

// Writer reports to w: as a bar on a terminal, as periodic lines
// otherwise. Call Finish when the work ends. A nil *Writer reports
// nothing.
type Writer struct {
	w        io.Writer
	terminal bool
	now      func() time.Time
	interval time.Duration

	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	stage string
	total int
	done  int
	began time.Time
	last  time.Time // the last line printed (not on a terminal)
}

var _ Reporter = (*Writer)(nil)

// NewWriter returns a reporter writing to w; terminal says whether w is
// one.
func NewWriter(w io.Writer, terminal bool) *Writer {
	return &Writer{w: w, terminal: terminal, now: time.Now, interval: Interval}
}

// Stage implements [Reporter].
func (p *Writer) Stage(name string, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endStage()
	p.stage, p.total, p.done = name, total, 0
	p.began, p.last = p.now(), p.now()
	if p.terminal {
		p.bar = newBar(p.w, int64(total), name)
	}
}

// Add implements [Reporter].
func (p *Writer) Add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.bar != nil {
		p.bar.Add(n)
		return
	}
	if !p.terminal && p.stage != "" {
		if now := p.now(); now.Sub(p.last) >= p.interval {
			p.last = now
			p.line("")
		}
	}
}

// Describe renames the current stage without restarting it: the text
// shown before the bar, or in the lines (e.g. "summarizing (12 LLM
// calls)" as calls finish).
func (p *Writer) Describe(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stage = name
	if p.bar != nil {
		p.bar.Describe(name)
	}
}

// Finish ends the current stage: the bar is cleared, or a last line says
// how long the stage took (when it took longer than one interval, so short
// work stays quiet).
func (p *Writer) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endStage()
	p.stage = ""
}

func (p *Writer) endStage() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
	if !p.terminal && p.stage != "" && p.now().Sub(p.began) >= p.interval {
		p.line(", done")
	}
}

// line prints the stage's state: "candidates: 1,200/2,325 (52%), 12s".
func (p *Writer) line(suffix string) {
	el := p.now().Sub(p.began).Round(time.Second)
	if p.total > 0 {
		fmt.Fprintf(p.w, "%s: %s/%s (%d%%), %s%s\n", p.stage, count(p.done), count(p.total), 100*p.done/p.total, el, suffix)
		return
	}
	fmt.Fprintf(p.w, "%s: %s, %s%s\n", p.stage, count(p.done), el, suffix)
}

// count writes n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func newBar(w io.Writer, total int64, description string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }),
	}
	if total < 0 {
		opts = append(opts, progressbar.OptionSpinnerType(14))
	}
	return progressbar.NewOptions64(total, opts...)
}
