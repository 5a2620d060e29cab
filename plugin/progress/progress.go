// Package progress tells the person at the terminal what dicomreg is doing, on stderr: a line
// per step, a line per retry or wait with how long and why, and — only when stderr is a
// terminal — a spinner counting the wait down. --only-show-errors silences it; --verbose adds a
// line per HTTP request. Data never goes here: it goes to stdout.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Options say how much to tell and how.
type Options struct {
	Quiet   bool // --only-show-errors: nothing but errors (which the caller prints)
	Verbose bool // --verbose: a line per HTTP request too
	TTY     bool // stderr is a terminal: a spinner may redraw its line
	// Now is the clock the spinner counts down by; nil: time.Now.
	Now func() time.Time
}

// spinnerFrames turn once per spinnerTick while a wait lasts.
var spinnerFrames = []string{"|", "/", "-", `\`}

const spinnerTick = 120 * time.Millisecond

// Reporter writes progress lines. It is safe for concurrent use; the zero value is not usable:
// use New (a nil *Reporter reports nothing).
type Reporter struct {
	mu   sync.Mutex
	w    io.Writer
	o    Options
	stop chan struct{} // closes the running spinner, if any
	done chan struct{} // closed when the spinner has cleared its line
}

// New returns a reporter writing to w (stderr).
func New(w io.Writer, o Options) *Reporter {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reporter{w: w, o: o}
}

// Step says what is being done or what was done, one line.
func (r *Reporter) Step(format string, args ...any) {
	if r == nil || r.o.Quiet {
		return
	}
	r.line(fmt.Sprintf(format, args...))
}

// Warn prints a warning line, as az does ("WARNING: …").
func (r *Reporter) Warn(format string, args ...any) {
	if r == nil || r.o.Quiet {
		return
	}
	r.line("WARNING: " + fmt.Sprintf(format, args...))
}

// Verbose prints a line only with --verbose.
func (r *Reporter) Verbose(format string, args ...any) {
	if r == nil || r.o.Quiet || !r.o.Verbose {
		return
	}
	r.line(fmt.Sprintf(format, args...))
}

// Request is --verbose's line for one HTTP request: method, URL, status (0 for a failed
// connection) and how long it took.
func (r *Reporter) Request(method, url string, status int, took time.Duration) {
	answer := "no answer"
	if status > 0 {
		answer = fmt.Sprint(status)
	}
	r.Verbose("%s %s → %s (%s)", method, url, answer, took.Round(time.Millisecond))
}

// Waiting says that the run now waits d and why, and on a terminal shows a spinner counting down
// until the returned function is called (when the wait is over). Off a terminal it is one line.
func (r *Reporter) Waiting(d time.Duration, why string) (done func()) {
	if r == nil || r.o.Quiet {
		return func() {}
	}
	msg := fmt.Sprintf("Waiting %s: %s", Duration(d), why)
	if !r.o.TTY {
		r.line(msg)
		return func() {}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopSpinnerLocked()
	stop, cleared := make(chan struct{}), make(chan struct{})
	r.stop, r.done = stop, cleared
	end := r.o.Now().Add(d)
	go r.spin(msg, why, end, stop, cleared)
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.stop == stop {
			r.stopSpinnerLocked()
		}
	}
}

// spin redraws the wait's line until stopped, then leaves it as a plain line.
func (r *Reporter) spin(msg, why string, end time.Time, stop, cleared chan struct{}) {
	defer close(cleared)
	t := time.NewTicker(spinnerTick)
	defer t.Stop()
	for i := 0; ; i++ {
		left := max(end.Sub(r.o.Now()), 0)
		r.mu.Lock()
		fmt.Fprintf(r.w, "\r\033[K%s Waiting %s: %s", spinnerFrames[i%len(spinnerFrames)], Duration(left), why)
		r.mu.Unlock()
		select {
		case <-stop:
			r.mu.Lock()
			fmt.Fprintf(r.w, "\r\033[K%s\n", msg)
			r.mu.Unlock()
			return
		case <-t.C:
		}
	}
}

// stopSpinnerLocked ends a running spinner and waits for it to clear its line. r.mu is held and
// released while waiting, so the spinner can take it.
func (r *Reporter) stopSpinnerLocked() {
	if r.stop == nil {
		return
	}
	stop, cleared := r.stop, r.done
	r.stop, r.done = nil, nil
	close(stop)
	r.mu.Unlock()
	<-cleared
	r.mu.Lock()
}

func (r *Reporter) line(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopSpinnerLocked()
	fmt.Fprintln(r.w, s)
}

// Duration prints a wait as people read it: "200ms", "1.5s", "2m0s".
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", d.Seconds()), "0"), ".") + "s"
	}
	return d.Round(time.Second).String()
}
