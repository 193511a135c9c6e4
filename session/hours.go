package session

import (
	"fmt"

	"github.com/ahtui/ahtui/aimharder"
)

// HoursRule reports the hours of a sliding-hours rule and whether they are
// counted on the clock (48h-wall) rather than elapsed (48h); ok false for
// any other rule. AimHarder never says which counting a box uses, so
// ahtui assumes elapsed hours unless the member sets -wall
// (docs/protocol.md §9): wherever such a rule shows, the assumption shows
// with it (HoursNote).
func (w WindowRule) HoursRule() (hours int, wall, ok bool) {
	if !w.Known() || w.Rule.Kind != aimharder.RuleSlidingHours {
		return 0, false, false
	}
	return w.Rule.Hours, w.Rule.WallClockHours, true
}

// HoursNote says, in a member's words, which counting an hours rule
// assumes and how to choose the other: "48 h, counting elapsed hours
// (across a DST change the opening moves by an hour on the clock); set
// 48h-wall for clock hours". "" for a rule that is not in hours.
func (w WindowRule) HoursNote() string {
	h, wall, ok := w.HoursRule()
	switch {
	case !ok:
		return ""
	case wall:
		return fmt.Sprintf("%d h, counting clock hours (across a DST change the opening keeps its time on the clock, "+
			"an hour more or less than %d h before the class); set %dh for elapsed hours", h, h, h)
	}
	return fmt.Sprintf("%d h, counting elapsed hours (across a DST change the opening moves by an hour on the clock); "+
		"set %dh-wall for clock hours", h, h)
}
