package grid

import (
	"strconv"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session/account"
)

// SetWaitlistPositions tells the grid the member's place on the waitlist
// of classes they wait for (class id → 1 = next), where it is known.
func (m *Model) SetWaitlistPositions(pos map[int64]int) {
	m.waitPos = pos
	m.refresh()
}

// WaitlistPosition is the member's known place on a class's waitlist.
func (m Model) WaitlistPosition(classID int64) (int, bool) {
	p, ok := m.waitPos[classID]
	return p, ok && p > 0
}

// waitlistStatus is the third line of a class the member waits for: the
// occupancy, then "+N" for the waitlist the member is on (at least the
// member: "+1") and "#P", their place, when known; the widest form that
// fits the cell, e.g. "10/10 +3 #2 waitlist", "10/10 +3 #2", "+3 #2",
// "10/10 +1".
func (m *Model) waitlistStatus(c account.ClassView) string {
	occ := occupancy(c)
	wait := "+" + strconv.Itoa(max(c.Waitlist, 1))
	if p, ok := m.WaitlistPosition(c.ID); ok {
		wait += " #" + strconv.Itoa(p)
	}
	var forms []string
	if m.roomy() {
		forms = append(forms, occ+" "+wait+" "+m.tx.StateWaitlisted)
	}
	forms = append(forms, occ+" "+wait, wait)
	for _, f := range forms {
		if ansi.StringWidth(f) <= m.tw {
			return f
		}
	}
	return wait
}
