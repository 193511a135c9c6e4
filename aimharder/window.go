package aimharder

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RuleKind is how a box opens its booking window (docs/protocol.md §9).
type RuleKind int

const (
	// RuleSlidingDays opens at the class's local start time, Days calendar
	// days earlier ("4d").
	RuleSlidingDays RuleKind = iota + 1
	// RuleSlidingHours opens Hours before the start ("48h"); elapsed hours
	// unless WallClockHours ("48h-wall").
	RuleSlidingHours
	// RuleFixedHour opens classes of day D at Hour:Minute local on day
	// D−Days ("2d@12:00", "0d@00:00").
	RuleFixedHour
)

// Limits for rules: beyond them a number is a misreading, not a window.
const (
	maxRuleDays  = 366
	maxRuleHours = maxRuleDays * 24
)

// Rule is a booking-window rule. The zero Rule is "unknown".
type Rule struct {
	Kind           RuleKind
	Days           int  // RuleSlidingDays, RuleFixedHour
	Hours          int  // RuleSlidingHours
	Hour, Minute   int  // RuleFixedHour
	WallClockHours bool // RuleSlidingHours: count wall-clock hours, not elapsed ones
}

// Valid reports whether r is a complete rule within sane limits.
func (r Rule) Valid() bool {
	switch r.Kind {
	case RuleSlidingDays:
		return r.Days >= 1 && r.Days <= maxRuleDays && r.Hours == 0 && r.Hour == 0 && r.Minute == 0 && !r.WallClockHours
	case RuleSlidingHours:
		return r.Hours >= 1 && r.Hours <= maxRuleHours && r.Days == 0 && r.Hour == 0 && r.Minute == 0
	case RuleFixedHour:
		return r.Days >= 0 && r.Days <= maxRuleDays && r.Hour >= 0 && r.Hour <= 23 &&
			r.Minute >= 0 && r.Minute <= 59 && r.Hours == 0 && !r.WallClockHours
	}
	return false
}

// String formats r as ParseRule reads it; "" for an invalid rule.
func (r Rule) String() string {
	if !r.Valid() {
		return ""
	}
	switch r.Kind {
	case RuleSlidingDays:
		return strconv.Itoa(r.Days) + "d"
	case RuleSlidingHours:
		if r.WallClockHours {
			return strconv.Itoa(r.Hours) + "h-wall"
		}
		return strconv.Itoa(r.Hours) + "h"
	default:
		return fmt.Sprintf("%dd@%02d:%02d", r.Days, r.Hour, r.Minute)
	}
}

// describe says the rule in words for messages: "4 days", "at 12:00 2 days".
func (r Rule) describe() string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch r.Kind {
	case RuleSlidingDays:
		return plural(r.Days, "day")
	case RuleSlidingHours:
		return plural(r.Hours, "hour")
	case RuleFixedHour:
		return fmt.Sprintf("at %02d:%02d, %s", r.Hour, r.Minute, plural(r.Days, "day"))
	}
	return "an unknown time"
}

// ParseRule reads "4d" (sliding days), "48h" (sliding elapsed hours),
// "48h-wall" (sliding wall-clock hours) and "2d@12:00" (fixed hour, D−2);
// case and surrounding spaces are ignored.
func ParseRule(s string) (Rule, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := func() (Rule, error) {
		return Rule{}, fmt.Errorf("window rule %q: use 4d, 48h, 48h-wall or 2d@12:00", s)
	}
	var r Rule
	switch {
	case strings.Contains(s, "@"):
		days, clock, _ := strings.Cut(s, "@")
		hh, mm, ok := strings.Cut(clock, ":")
		if !ok || !strings.HasSuffix(days, "d") || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 {
			return bad()
		}
		r = Rule{Kind: RuleFixedHour, Days: atoiDigits(strings.TrimSuffix(days, "d")),
			Hour: atoiDigits(hh), Minute: atoiDigits(mm)}
	case strings.HasSuffix(s, "h-wall"):
		r = Rule{Kind: RuleSlidingHours, Hours: atoiDigits(strings.TrimSuffix(s, "h-wall")), WallClockHours: true}
	case strings.HasSuffix(s, "h"):
		r = Rule{Kind: RuleSlidingHours, Hours: atoiDigits(strings.TrimSuffix(s, "h"))}
	case strings.HasSuffix(s, "d"):
		r = Rule{Kind: RuleSlidingDays, Days: atoiDigits(strings.TrimSuffix(s, "d"))}
	default:
		return bad()
	}
	if !r.Valid() {
		return bad()
	}
	return r, nil
}

// atoiDigits parses 1–4 ASCII digits; anything else gives -1 (invalid in
// every rule field).
func atoiDigits(s string) int {
	if len(s) == 0 || len(s) > 4 {
		return -1
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// OpeningIn returns when a class starting at classStart becomes bookable
// under r, computed in loc — the box's time zone — whatever location
// classStart is given in: every rule is box-local wall-clock arithmetic
// (docs/protocol.md §9). The result is in loc. The zero time is returned
// for an invalid rule or a nil loc.
//
// Callers holding a session.Box use its Rule(), which supplies loc.
//
// DST: a day-based rule keeps the wall-clock time, so across a change it
// is not a multiple of 24 h (the docs/protocol.md §9.1 example). When the computed local
// time does not exist (spring gap) or exists twice (autumn overlap), the
// earliest instant that could be meant is chosen: firing early costs a
// "too early" that is retried, firing late can lose the place. AimHarder's
// own choice there is unknown.
func (r Rule) OpeningIn(loc *time.Location, classStart time.Time) time.Time {
	if !r.Valid() || loc == nil {
		return time.Time{}
	}
	classStart = classStart.In(loc)
	day := DateOf(classStart)
	h, m, s := classStart.Clock()
	ns := classStart.Nanosecond()
	switch r.Kind {
	case RuleSlidingDays:
		d := day.AddDays(-r.Days)
		return wallTime(d.Year, d.Month, d.Day, h, m, s, ns, loc)
	case RuleSlidingHours:
		if !r.WallClockHours {
			return classStart.Add(-time.Duration(r.Hours) * time.Hour)
		}
		// Wall-clock arithmetic on a zone-less copy, then back to local.
		w := time.Date(day.Year, day.Month, day.Day, h, m, s, ns, time.UTC).Add(-time.Duration(r.Hours) * time.Hour)
		return wallTime(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	default:
		d := day.AddDays(-r.Days)
		return wallTime(d.Year, d.Month, d.Day, r.Hour, r.Minute, 0, 0, loc)
	}
}

// wallTime is time.Date with an explicit choice where time.Date's is
// unspecified: in a gap it returns the instant the clocks jump (the first
// instant whose local time is at or after the one asked for); in an
// overlap, the first of the two instants.
func wallTime(year int, month time.Month, day, hour, min, sec, nsec int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, hour, min, sec, nsec, loc)
	if !sameWall(t, year, month, day, hour, min, sec) {
		// Gap: time.Date moved forward past the jump; the jump is where
		// t's zone period starts.
		if start, _ := t.ZoneBounds(); !start.IsZero() && start.Before(t) {
			return start.In(loc)
		}
		return t
	}
	// Overlap: the same wall time may also exist before the last change,
	// when that change set the clocks back.
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, offset := t.Zone()
	_, before := start.Add(-time.Nanosecond).Zone()
	if before > offset {
		earlier := t.Add(-time.Duration(before-offset) * time.Second)
		if earlier.Before(start) && sameWall(earlier, year, month, day, hour, min, sec) {
			return earlier
		}
	}
	return t
}

func sameWall(t time.Time, year int, month time.Month, day, hour, min, sec int) bool {
	y, mo, d := t.Date()
	h, m, s := t.Clock()
	return y == year && mo == month && d == day && h == hour && m == min && s == sec
}
