package conformance

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// behaviour is one named check of the suite.
type behaviour struct {
	name  string
	needs Capability
	run   func(c *Case)
}

// behaviours is the suite, in the order it runs; each entry stands alone.
func behaviours() []behaviour {
	var all []behaviour
	for _, group := range [][]behaviour{pluginBehaviours, flowBehaviours, graphBehaviours, dicomBehaviours, dicomRuleBehaviours, aadstsBehaviours, tokenBehaviours, secretlessBehaviours, propagationBehaviours, armBehaviours, directoryBehaviours} {
		all = append(all, group...)
	}
	return all
}

// Outcome is how a behaviour ended.
type Outcome string

// Outcomes.
const (
	Passed  Outcome = "pass"
	Failed  Outcome = "FAIL"
	Skipped Outcome = "skip"
)

// Result is one behaviour's outcome and, for a failure or a skip, the first reason given.
type Result struct {
	Name    string
	Outcome Outcome
	Reason  string
	// Waited is how long the behaviour waited for writes to propagate (on a target that moves
	// its clock, clock time): the behaviours that depend on a delay are those that waited.
	Waited time.Duration
}

// Report is what Run found.
type Report struct {
	Target  string
	Results []Result
}

// Count is how many behaviours ended with o.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, res := range r.Results {
		if res.Outcome == o {
			n++
		}
	}
	return n
}

func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conformance on %s: %d passed, %d failed, %d skipped\n", r.Target, r.Count(Passed), r.Count(Failed), r.Count(Skipped))
	for _, res := range r.Results {
		fmt.Fprintf(&b, "  %-4s %s", res.Outcome, res.Name)
		if res.Waited > 0 {
			fmt.Fprintf(&b, " (waited %s for propagation)", res.Waited)
		}
		if res.Reason != "" {
			fmt.Fprintf(&b, " — %s", firstLine(res.Reason))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Run runs every behaviour against target as a subtest of t and returns what happened; the
// report is also logged. Behaviours run one after another: some move the target's clock.
func Run(t *testing.T, target *Target) *Report {
	t.Helper()
	if err := target.validate(); err != nil {
		t.Fatalf("conformance: %v", err)
	}
	s := newSuite(target)
	rep := &Report{Target: target.Name}
	for _, b := range behaviours() {
		var c *Case
		t.Run(b.name, func(t *testing.T) {
			c = newCase(t, s, b.name)
			if why := target.skipReason(b.name); why != "" {
				c.skip(why)
			}
			if why := target.missing(b.needs); why != "" {
				c.skip("target cannot run this: " + why)
			}
			b.run(c)
		})
		if c == nil {
			continue // filtered out by go test -run
		}
		rep.Results = append(rep.Results, c.result())
	}
	t.Log("\n" + rep.String())
	return rep
}

// Names lists the behaviours, sorted, for documentation and tests.
func Names() []string {
	var names []string
	for _, b := range behaviours() {
		names = append(names, b.name)
	}
	sort.Strings(names)
	return names
}

// behaviourTimeout bounds one behaviour, so a hung request fails it instead of the whole run.
func (t *Target) behaviourTimeout() time.Duration {
	return time.Minute + 2*t.Propagation
}

// Case is one running behaviour: its test, context, the target and helpers that create objects
// named after it and clean them up.
type Case struct {
	t      *testing.T
	s      *suite
	ctx    context.Context
	name   string
	prefix string        // display-name prefix of every object it creates
	reason string        // first failure or skip message
	waited time.Duration // how long it waited for writes to propagate
	// answered is the header of the last answer an admin call (graph, arm) got, for the
	// behaviours that check what a service says beside its body.
	answered http.Header
}

func newCase(t *testing.T, s *suite, name string) *Case {
	ctx, cancel := context.WithTimeout(context.Background(), s.tgt.behaviourTimeout())
	t.Cleanup(cancel)
	short := strings.NewReplacer("/", "-", "_", "-").Replace(name)
	c := &Case{t: t, s: s, ctx: ctx, name: name, prefix: objectPrefix + randomHex(4) + "-" + short}
	// Registered first, so it runs last, after the cleanups that delete what the behaviour made:
	// a clock moved to wait for propagation goes back, and the next behaviour's client
	// assertions (which carry wall-clock times) agree with it again.
	t.Cleanup(func() {
		if c.waited > 0 && s.tgt.AdvanceClock != nil {
			c.moveClock(-c.waited)
		}
	})
	return c
}

// objectPrefix starts the display name of everything the suite creates, so a cleanup of a live
// tenant can find leftovers.
const objectPrefix = "dicomreg-conf-"

func (c *Case) tgt() *Target { return c.s.tgt }

func (c *Case) note(msg string) {
	if c.reason == "" {
		c.reason = msg
	}
}

// Fatalf records the reason and stops the behaviour.
func (c *Case) Fatalf(format string, args ...any) {
	c.t.Helper()
	c.note(fmt.Sprintf(format, args...))
	c.t.Fatalf(format, args...)
}

// Errorf records the reason and marks the behaviour failed.
func (c *Case) Errorf(format string, args ...any) {
	c.t.Helper()
	c.note(fmt.Sprintf(format, args...))
	c.t.Errorf(format, args...)
}

// Logf logs.
func (c *Case) Logf(format string, args ...any) {
	c.t.Helper()
	c.t.Logf(format, args...)
}

// Cleanup runs fn when the behaviour ends, whatever its outcome, with a fresh context: the
// behaviour's own may have expired.
func (c *Case) Cleanup(what string, fn func(ctx context.Context) error) {
	c.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := fn(ctx); err != nil {
			c.t.Logf("cleanup %s: %v", what, err)
		}
	})
}

func (c *Case) skip(reason string) {
	c.t.Helper()
	c.note(reason)
	c.t.Skip(reason)
}

// must stops the behaviour on err.
func (c *Case) must(err error, what string) {
	c.t.Helper()
	if err != nil {
		c.Fatalf("%s: %v", what, err)
	}
}

func (c *Case) result() Result {
	r := Result{Name: c.name, Outcome: Passed, Waited: c.waited}
	switch {
	case c.t.Skipped():
		r.Outcome, r.Reason = Skipped, c.reason
	case c.t.Failed():
		r.Outcome, r.Reason = Failed, c.reason
	}
	return r
}

// eventually runs fn until it succeeds or the target's propagation time is over; on a target
// that is consistent at once it runs fn exactly once. A target that can move its clock waits by
// moving it, so the documented delays pass at once; the time waited shows in the report.
func (c *Case) eventually(what string, fn func() error) {
	c.t.Helper()
	waited, err := retry(c.ctx, c.tgt().Propagation, c.waiter(), fn)
	c.waited += waited
	c.must(err, what)
}

// waiter sleeps on a live target and moves the clock of one that can.
func (c *Case) waiter() func(ctx context.Context, d time.Duration) error {
	if c.tgt().AdvanceClock != nil {
		return func(_ context.Context, d time.Duration) error { c.moveClock(d); return nil }
	}
	return func(ctx context.Context, d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
			return nil
		}
	}
}

// retry runs fn, waiting between tries with a doubling backoff capped at 15 s, until it succeeds
// or the next wait would pass within; it returns how long it waited.
func retry(ctx context.Context, within time.Duration, wait func(context.Context, time.Duration) error, fn func() error) (time.Duration, error) {
	var waited time.Duration
	step := time.Second
	for {
		err := fn()
		if err == nil || within == 0 || waited+step > within {
			return waited, err
		}
		if werr := wait(ctx, step); werr != nil {
			return waited, fmt.Errorf("%w (last error: %v)", werr, err)
		}
		waited += step
		step = min(2*step, 15*time.Second)
	}
}
