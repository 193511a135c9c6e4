package scheduler

import (
	"sync"
	"sync/atomic"
)

// DefaultSubscriberBuffer is the channel size Subscribe uses when given 0.
const DefaultSubscriberBuffer = 64

// Broker fans events out to subscribers. publish never blocks: a
// subscriber whose buffer is full misses the event (and its Dropped count
// grows). That is safe because subscribers treat an event as "something
// changed" and reload what they show from the store.
type Broker struct {
	mu     sync.RWMutex
	subs   map[*Subscription]struct{}
	closed bool
}

// newBroker returns an empty broker.
func newBroker() *Broker {
	return &Broker{subs: make(map[*Subscription]struct{})}
}

// Subscription is one subscriber's buffered channel.
type Subscription struct {
	broker  *Broker
	ch      chan Event
	dropped atomic.Uint64
	once    sync.Once
}

// Subscribe returns a new subscription with a buffer of size buffer
// (DefaultSubscriberBuffer when <= 0). On a closed broker the
// subscription's channel is already closed.
func (b *Broker) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultSubscriberBuffer
	}
	s := &Subscription{broker: b, ch: make(chan Event, buffer)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.once.Do(func() { close(s.ch) })
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// publish delivers e to every subscriber with room for it. It does nothing
// on a closed broker or a nil event.
func (b *Broker) publish(e Event) {
	if e == nil {
		return
	}
	// The read lock keeps Close and Unsubscribe (which close channels
	// under the write lock) from racing with the sends.
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return
	}
	for s := range b.subs {
		select {
		case s.ch <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Close closes every subscription's channel; later publish calls do
// nothing. It may be called more than once.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for s := range b.subs {
		s.once.Do(func() { close(s.ch) })
		delete(b.subs, s)
	}
}

// Events is the subscription's channel; it is closed by Close (of the
// subscription or the broker).
func (s *Subscription) Events() <-chan Event { return s.ch }

// Dropped is how many events this subscriber missed because its buffer
// was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close unsubscribes and closes the channel. It may be called more than
// once, and after the broker was closed.
func (s *Subscription) Close() {
	b := s.broker
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, s)
	s.once.Do(func() { close(s.ch) })
}
