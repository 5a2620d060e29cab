package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the spinner goroutine and the test share a buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLinesOffATerminal(t *testing.T) {
	var b syncBuffer
	r := New(&b, Options{})
	r.Step("Created application %s.", "viewer")
	r.Waiting(200*time.Millisecond, "Microsoft Graph answered 429 Too Many Requests")()
	r.Warn("no credential")
	r.Request("GET", "https://graph/v1.0/applications", 200, time.Millisecond) // only with --verbose
	want := "Created application viewer.\nWaiting 200ms: Microsoft Graph answered 429 Too Many Requests\nWARNING: no credential\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestQuietAndVerbose(t *testing.T) {
	var b syncBuffer
	r := New(&b, Options{Quiet: true, Verbose: true})
	r.Step("x")
	r.Warn("x")
	r.Waiting(time.Second, "x")()
	r.Request("GET", "u", 200, 0)
	if b.String() != "" {
		t.Errorf("--only-show-errors printed %q", b.String())
	}
	r = New(&b, Options{Verbose: true})
	r.Request("GET", "https://graph/v1.0/organization", 0, 1500*time.Millisecond)
	if want := "GET https://graph/v1.0/organization → no answer (1.5s)\n"; b.String() != want {
		t.Errorf("verbose: %q, want %q", b.String(), want)
	}
	var nilReporter *Reporter
	nilReporter.Step("nothing")
	nilReporter.Waiting(time.Second, "nothing")()
}

// On a terminal the wait is a spinner redrawing its line, left as the plain line when it ends.
func TestSpinnerOnATerminal(t *testing.T) {
	var b syncBuffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := New(&b, Options{TTY: true, Now: func() time.Time { return now }})
	done := r.Waiting(3*time.Second, "Azure Resource Manager answered 503 Service Unavailable")
	done()
	done() // a second call is harmless
	r.Step("next")
	got := b.String()
	if !strings.HasPrefix(got, "\r\033[K| Waiting 3s: Azure Resource Manager answered 503") {
		t.Errorf("no spinner frame: %q", got)
	}
	if !strings.HasSuffix(got, "\r\033[KWaiting 3s: Azure Resource Manager answered 503 Service Unavailable\nnext\n") {
		t.Errorf("wait not left as a line before the next one: %q", got)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{200 * time.Millisecond: "200ms", time.Second: "1s", 1500 * time.Millisecond: "1.5s",
		20 * time.Second: "20s", 115 * time.Second: "1m55s"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}
