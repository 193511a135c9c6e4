package i18n

import "fmt"

// Hours is an hours rule in words with the counting ahtui assumes, and
// how to choose the other (docs/protocol.md §9): "48 h, counting elapsed
// hours (…); set 48h-wall for clock hours".
func (t *Text) Hours(hours int, wall bool) string {
	if wall {
		return fmt.Sprintf(t.HoursWall, hours, hours)
	}
	return fmt.Sprintf(t.HoursElapsed, hours, hours)
}
