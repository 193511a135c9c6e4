package tui

import "context"

// Relay forwards events into a program until ctx ends or events closes.
// It runs in its own goroutine: Send blocks until the program reads (and
// before it runs), which the scheduler must never wait for.
func Relay(ctx context.Context, p Sender, events <-chan Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			p.Send(EventMsg(ev))
		}
	}
}
