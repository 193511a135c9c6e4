package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/session"
)

// BoxesChanged: a box was written — a rule learned or set, a time zone
// detected or set — by this process or another (the store's boxes
// version moved), and the pending prebookings' openings were worked out
// again from the rules in force; Moved of them changed. Screens read the
// boxes and prebookings again on it.
type BoxesChanged struct {
	At    time.Time
	Moved int
}

func (e BoxesChanged) Time() time.Time { return e.At }
func (BoxesChanged) isEvent()          {}
func (e BoxesChanged) String() string {
	return fmt.Sprintf("boxes changed (a booking rule, a time zone or the account's list): %d pending prebooking openings moved", e.Moved)
}

// boxesWatch notices a change of the store's boxes version: one tiny read
// per engine scan, so a rule or zone another process changes reaches the
// pending prebookings within seconds.
type boxesWatch struct {
	version int64
	seen    bool
}

// changed reports whether the version moved since the last call (false
// on the first one, and when it cannot be read).
func (w *boxesWatch) changed(ctx context.Context, store *session.Store) bool {
	v, err := store.BoxesVersion(ctx)
	if err != nil {
		return false
	}
	moved := w.seen && v != w.version
	w.version, w.seen = v, true
	return moved
}
