// Package clock is the mock's only source of time. Every expiry, token lifetime and replication
// delay reads it, so tests fast-forward instead of sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Adjustable follows the wall clock shifted by an offset, or stands still once frozen.
// The zero value is not usable; use New or Frozen.
type Adjustable struct {
	mu     sync.RWMutex
	wall   func() time.Time
	offset time.Duration
	frozen *time.Time
}

// New returns a clock that follows the wall clock.
func New() *Adjustable { return &Adjustable{wall: time.Now} }

// Frozen returns a clock that stands at t until advanced or set.
func Frozen(t time.Time) *Adjustable {
	c := New()
	c.frozen = &t
	return c
}

// Now returns the current time of this clock, in UTC.
func (c *Adjustable) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen != nil {
		return c.frozen.UTC()
	}
	return c.wall().Add(c.offset).UTC()
}

// Advance moves the clock forward (or back, for a negative d).
func (c *Adjustable) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		t := c.frozen.Add(d)
		c.frozen = &t
		return
	}
	c.offset += d
}

// Set moves the clock to t; a frozen clock stays frozen there, a running one runs on from t.
func (c *Adjustable) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		c.frozen = &t
		return
	}
	c.offset = t.Sub(c.wall())
}

// Freeze stops the clock at its current reading.
func (c *Adjustable) Freeze() {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = &now
}
