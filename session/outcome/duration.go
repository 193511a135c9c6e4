package outcome

import (
	"fmt"
	"strconv"
	"time"
)

// Countdown writes a wait in its two largest units, each with its unit,
// never as a time of day or a bare "1:48" (which reads as 1 h 48 m): "2d
// 4h" (or "2d") from a day up, "16h 14m" from an hour up, "1m 48s" from a
// minute up, "48s" below. Negative waits are 0; it rounds up to the second
// so a countdown never shows 0s early. The CLI and the TUI both write
// waits with it (the TUI behind "in"/"en").
func Countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int64((d + time.Second - 1) / time.Second)
	days := secs / 86400
	h := secs % 86400 / 3600
	m := secs % 3600 / 60
	s := secs % 60
	switch {
	case days > 0 && h == 0:
		return fmt.Sprintf("%dd", days)
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// Age writes how old something is in one unit, rounded down: "40s",
// "12m", "3h", "2d" (hours up to two days).
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}
