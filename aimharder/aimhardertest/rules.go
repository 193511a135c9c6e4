package aimhardertest

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// RuleKind names a booking-window model (docs/protocol.md §9).
type RuleKind int

const (
	// RuleNone: no window, a class is bookable until its minimum notice.
	// Not seen in production; it keeps tests that are not about windows short.
	RuleNone RuleKind = iota
	// RuleSlidingDays: opens at the class's local start time, Days calendar
	// days earlier. [ONE, production-verified]
	RuleSlidingDays
	// RuleSlidingHours: opens Hours hours before the start; elapsed hours
	// unless WallClockHours. [MULTI; the hour model is a GUESS]
	RuleSlidingHours
	// RuleFixedHour: classes on day D+Days open at Hour:Minute local on day D. [MULTI]
	RuleFixedHour
)

// WindowRule is a box's booking-window rule. Its zero value is RuleNone.
type WindowRule struct {
	Kind           RuleKind
	Days           int  // RuleSlidingDays: N; RuleFixedHour: the D+N offset
	Hours          int  // RuleSlidingHours: N
	Hour, Minute   int  // RuleFixedHour: local opening time on day D
	WallClockHours bool // RuleSlidingHours: count wall-clock hours instead of elapsed ones
}

// ParseWindowRule reads the rule notation the CLI uses: "4d" (sliding
// days), "48h" (sliding elapsed hours), "48h wall" (wall-clock hours),
// "2d@12:00" (fixed hour), and "" or "none".
func ParseWindowRule(s string) (WindowRule, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	bad := fmt.Errorf("window rule %q: want 4d, 48h, \"48h wall\", 2d@12:00 or none", s)
	switch {
	case s == "" || s == "none":
		return WindowRule{}, nil
	case strings.Contains(s, "@"):
		days, at, _ := strings.Cut(s, "@")
		n, err := parseCount(days, "d")
		if err != nil {
			return WindowRule{}, bad
		}
		h, m, err := parseHHMM(at)
		if err != nil {
			return WindowRule{}, bad
		}
		return WindowRule{Kind: RuleFixedHour, Days: n, Hour: h, Minute: m}, nil
	case strings.HasSuffix(s, "d"):
		n, err := parseCount(s, "d")
		if err != nil || n == 0 {
			return WindowRule{}, bad
		}
		return WindowRule{Kind: RuleSlidingDays, Days: n}, nil
	default:
		hours, model, _ := strings.Cut(s, " ")
		n, err := parseCount(hours, "h")
		if err != nil || n == 0 || (model != "" && model != "wall" && model != "elapsed") {
			return WindowRule{}, bad
		}
		return WindowRule{Kind: RuleSlidingHours, Hours: n, WallClockHours: model == "wall"}, nil
	}
}

// MustParseWindowRule is ParseWindowRule for literals; it panics on error.
func MustParseWindowRule(s string) WindowRule {
	r, err := ParseWindowRule(s)
	if err != nil {
		panic(err)
	}
	return r
}

func parseCount(s, unit string) (int, error) {
	num, ok := strings.CutSuffix(s, unit)
	if !ok {
		return 0, fmt.Errorf("missing unit %q", unit)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return n, nil
}

func parseHHMM(s string) (h, m int, err error) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) == 0 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return h, m, nil
}

// String renders the rule in the notation ParseWindowRule reads.
func (r WindowRule) String() string {
	switch r.Kind {
	case RuleSlidingDays:
		return fmt.Sprintf("%dd", r.Days)
	case RuleSlidingHours:
		if r.WallClockHours {
			return fmt.Sprintf("%dh wall", r.Hours)
		}
		return fmt.Sprintf("%dh", r.Hours)
	case RuleFixedHour:
		return fmt.Sprintf("%dd@%02d:%02d", r.Days, r.Hour, r.Minute)
	default:
		return "none"
	}
}

func (r WindowRule) validate() error {
	switch r.Kind {
	case RuleNone:
		return nil
	case RuleSlidingDays:
		if r.Days <= 0 {
			return fmt.Errorf("sliding-days rule needs Days > 0")
		}
	case RuleSlidingHours:
		if r.Hours <= 0 {
			return fmt.Errorf("sliding-hours rule needs Hours > 0")
		}
	case RuleFixedHour:
		if r.Days < 0 || r.Hour < 0 || r.Hour > 23 || r.Minute < 0 || r.Minute > 59 {
			return fmt.Errorf("fixed-hour rule needs Days >= 0 and a valid HH:MM")
		}
	default:
		return fmt.Errorf("unknown rule kind %d", r.Kind)
	}
	return nil
}

// OpensAt returns the instant booking opens for a class starting at start.
// start must be expressed in the box's location: every rule is wall-clock
// arithmetic in that location (docs/protocol.md §9), which is what makes it
// DST-correct. RuleNone returns the zero time (always open).
func (r WindowRule) OpensAt(start time.Time) time.Time {
	loc := start.Location()
	switch r.Kind {
	case RuleSlidingDays:
		// Same local time N calendar days earlier, not N×24h (docs/protocol.md §9.1).
		return start.AddDate(0, 0, -r.Days)
	case RuleSlidingHours:
		if !r.WallClockHours {
			return start.Add(-time.Duration(r.Hours) * time.Hour)
		}
		// time.Date normalises the negative hour into an earlier wall-clock day.
		y, m, d := start.Date()
		return time.Date(y, m, d, start.Hour()-r.Hours, start.Minute(), start.Second(), start.Nanosecond(), loc)
	case RuleFixedHour:
		y, m, d := start.Date()
		return time.Date(y, m, d-r.Days, r.Hour, r.Minute, 0, 0, loc)
	default:
		return time.Time{}
	}
}

// dstChange is one clock change of a location, as the range of local wall
// times it makes missing (spring) or repeated (autumn). Wall times are
// counted as seconds of a UTC clock showing the local wall time, which keeps
// the comparison free of offsets.
type dstChange struct {
	from, to int64 // [from, to) in wall seconds
}

// dates lists the local dates the change's wall range touches (one, or
// two when it straddles midnight).
func (c dstChange) dates() []aimharder.Date {
	first := aimharder.DateOf(time.Unix(c.from, 0).UTC())
	last := aimharder.DateOf(time.Unix(c.to-1, 0).UTC())
	if first == last {
		return []aimharder.Date{first}
	}
	return []aimharder.Date{first, last}
}

// wallSeconds returns the local wall time of y-m-d h:m as wall seconds.
func wallSeconds(y int, mo time.Month, d, h, m int) int64 {
	return time.Date(y, mo, d, h, m, 0, 0, time.UTC).Unix()
}

var dstCache sync.Map // location name → []dstChange

// dstChanges lists the clock changes of loc between 2000 and 2100, the span
// in which the fake can place classes (session ids encode the day since 2000).
func dstChanges(loc *time.Location) []dstChange {
	if v, ok := dstCache.Load(loc.String()); ok {
		return v.([]dstChange)
	}
	var out []dstChange
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
	_, prevOff := day.Zone()
	for day.Year() <= 2100 {
		next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		_, off := next.Zone()
		if off != prevOff {
			out = append(out, findChange(day, next))
		}
		day, prevOff = next, off
	}
	dstCache.Store(loc.String(), out)
	return out
}

// findChange finds the instant between lo and hi where the offset changes
// (by bisection on whole seconds) and turns it into a wall-time range.
func findChange(lo, hi time.Time) dstChange {
	_, offLo := lo.Zone()
	a, b := lo.Unix(), hi.Unix()
	for b-a > 1 {
		mid := a + (b-a)/2
		if _, off := time.Unix(mid, 0).In(lo.Location()).Zone(); off == offLo {
			a = mid
		} else {
			b = mid
		}
	}
	_, offHi := time.Unix(b, 0).In(lo.Location()).Zone()
	w1, w2 := b+int64(offLo), b+int64(offHi)
	return dstChange{from: min(w1, w2), to: max(w1, w2)}
}

// overlapsChange reports whether the wall interval [from, to) (wall seconds)
// touches a missing or repeated stretch of wall time.
func overlapsChange(loc *time.Location, from, to int64) bool {
	if to <= from {
		to = from + 1
	}
	for _, c := range dstChanges(loc) {
		if from < c.to && to > c.from {
			return true
		}
	}
	return false
}
