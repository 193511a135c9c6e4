package aimhardertest

import (
	"sync"
	"testing"
	"time"
)

func TestManualClock(t *testing.T) {
	c := NewManualClock(t0)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("Now = %v", got)
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Set")
	}
	if d := time.Since(SystemClock{}.Now()); d < 0 || d > time.Hour {
		t.Fatalf("SystemClock is off by %v", d)
	}
}
