package scheduler

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func testEvent(i int) Event {
	return HealthWarning{At: time.Unix(int64(i), 0), Problem: "p"}
}

func TestBrokerDeliversToEverySubscriber(t *testing.T) {
	b := newBroker()
	s1, s2 := b.Subscribe(4), b.Subscribe(4)
	b.publish(testEvent(1))
	b.publish(nil) // ignored
	for _, s := range []*Subscription{s1, s2} {
		select {
		case e := <-s.Events():
			if e.Time().Unix() != 1 {
				t.Errorf("got %v", e)
			}
		default:
			t.Fatal("event not delivered")
		}
		select {
		case e := <-s.Events():
			t.Errorf("unexpected extra event %v", e)
		default:
		}
	}
}

// A slow subscriber loses events instead of blocking the publisher.
func TestBrokerPublishNeverBlocks(t *testing.T) {
	b := newBroker()
	slow := b.Subscribe(2)
	fast := b.Subscribe(10)
	for i := range 5 {
		b.publish(testEvent(i))
	}
	if got := slow.Dropped(); got != 3 {
		t.Errorf("slow subscriber dropped %d, want 3", got)
	}
	if got := fast.Dropped(); got != 0 {
		t.Errorf("fast subscriber dropped %d", got)
	}
	if e := <-slow.Events(); e.Time().Unix() != 0 {
		t.Errorf("slow subscriber kept %v first, want the oldest", e)
	}
}

func TestBrokerUnsubscribeAndClose(t *testing.T) {
	b := newBroker()
	s := b.Subscribe(0)
	other := b.Subscribe(0)
	s.Close()
	s.Close() // twice is fine
	if _, open := <-s.Events(); open {
		t.Error("channel still open after Close")
	}
	b.publish(testEvent(1)) // must not panic on the closed subscription
	if e := <-other.Events(); e == nil {
		t.Error("other subscriber missed the event")
	}
	b.Close()
	b.Close()
	if _, open := <-other.Events(); open {
		t.Error("subscriber channel open after the broker closed")
	}
	other.Close()           // after the broker closed: fine
	b.publish(testEvent(2)) // after Close: nothing happens
	late := b.Subscribe(1)
	if _, open := <-late.Events(); open {
		t.Error("a subscription to a closed broker should come closed")
	}
}

// Publishing, subscribing and closing from many goroutines at once is
// safe (run with -race).
func TestBrokerConcurrentUse(t *testing.T) {
	b := newBroker()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				b.publish(testEvent(i*1000 + j))
			}
		})
		wg.Go(func() {
			s := b.Subscribe(8)
			for range 20 {
				select {
				case <-s.Events():
				default:
				}
			}
			s.Close()
		})
	}
	wg.Go(func() {
		time.Sleep(time.Millisecond)
		b.Close()
	})
	wg.Wait()
}

func TestEventStringsAreReadable(t *testing.T) {
	est := ClockEstimate{Offset: 1502 * time.Millisecond, Error: 21 * time.Millisecond, RTT: 40 * time.Millisecond, Samples: 12}
	if got, want := est.String(), "+1.502s ± 21ms (rtt 40ms, 12 samples)"; got != want {
		t.Errorf("estimate: %q, want %q", got, want)
	}
	broken := ClockEstimate{Offset: -11 * time.Minute}
	if !broken.Broken() || !strings.Contains(broken.String(), "broken clock") {
		t.Errorf("11 minutes off: %q", broken.String())
	}
	for _, e := range []Event{
		SessionRefreshed{Kind: "background", UpdateCount: 3},
		SessionDead{Kind: "background", Reason: "logout"},
		LeaderChanged{Leader: true},
		HealthWarning{Resolved: true},
	} {
		if e.String() == "" {
			t.Errorf("%T has an empty String", e)
		}
	}
}
