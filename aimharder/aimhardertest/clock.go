package aimhardertest

import (
	"sync"
	"time"
)

// Clock is where the fake reads the time. Every decision (booking windows,
// session lifetimes, competitors, the Date header) goes through it, so tests
// can drive hours of schedule without waiting (protocol §11.3).
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock; the demo and `ahtui sim` use it.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a clock that only moves when told to. It is safe for
// concurrent use, so a test can advance it while requests are in flight.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock showing t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (backwards too).
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
