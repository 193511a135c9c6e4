package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session/outcome"
)

// Weekday is the short weekday name ("Thu", "jue").
func (t *Text) Weekday(d time.Weekday) string { return t.WeekdaysShort[d] }

// Month is the short month name ("Nov", "nov").
func (t *Text) Month(m time.Month) string { return t.MonthsShort[m-1] }

// DayHeader names a day in the grid's column header: "Thu 26", "jue 26".
func (t *Text) DayHeader(d aimharder.Date) string {
	return t.Weekday(d.Weekday()) + " " + strconv.Itoa(d.Day)
}

// ShortDate is "Thu 26 Nov" / "jue 26 nov".
func (t *Text) ShortDate(d aimharder.Date) string {
	return t.Weekday(d.Weekday()) + " " + strconv.Itoa(d.Day) + " " + t.Month(d.Month)
}

// LongDate is "Thursday 26 November 2026" / "jueves 26 de noviembre de 2026".
func (t *Text) LongDate(d aimharder.Date) string {
	wd, m := t.WeekdaysLong[d.Weekday()], t.MonthsLong[d.Month-1]
	if t.Lang == ES {
		return fmt.Sprintf("%s %d de %s de %d", wd, d.Day, m, d.Year)
	}
	return fmt.Sprintf("%s %d %s %d", wd, d.Day, m, d.Year)
}

// DateTime is "Thu 26 Nov 07:00" in the time's own location.
func (t *Text) DateTime(tm time.Time) string {
	return t.ShortDate(aimharder.DateOf(tm)) + " " + tm.Format("15:04")
}

// WeekRange names the week starting at from: "23–29 Nov 2026",
// "30 Nov – 6 Dec 2026", "29 Dec 2025 – 4 Jan 2026".
func (t *Text) WeekRange(from aimharder.Date) string {
	to := from.AddDays(6)
	switch {
	case from.Year != to.Year:
		return fmt.Sprintf("%d %s %d – %d %s %d", from.Day, t.Month(from.Month), from.Year, to.Day, t.Month(to.Month), to.Year)
	case from.Month != to.Month:
		return fmt.Sprintf("%d %s – %d %s %d", from.Day, t.Month(from.Month), to.Day, t.Month(to.Month), to.Year)
	}
	return fmt.Sprintf("%d–%d %s %d", from.Day, to.Day, t.Month(to.Month), to.Year)
}

// Countdown writes a wait in its two largest units, each with its unit
// (outcome.Countdown, the CLI's too), never as a time of day: "2d 4h" (or
// "2d") from a day up, "16h 14m" from an hour up, "1m 48s" from a minute
// up, "48s" below. Negative waits are 0. Members see it behind "in"
// (Text.In), or behind the state's word or marker where "in" does not fit.
func Countdown(d time.Duration) string { return outcome.Countdown(d) }

// Unit writes a wait in its largest unit only, rounded up: "3d", "17h",
// "48m", "42s" — for cells too narrow for "in 16h 14m".
func Unit(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	up := func(u time.Duration) int64 { return int64((d + u - 1) / u) }
	switch {
	case d > 24*time.Hour:
		return strconv.FormatInt(up(24*time.Hour), 10) + "d"
	case d > time.Hour:
		return strconv.FormatInt(up(time.Hour), 10) + "h"
	case d > time.Minute:
		return strconv.FormatInt(up(time.Minute), 10) + "m"
	}
	return strconv.FormatInt(up(time.Second), 10) + "s"
}

// In writes a wait from now: "in 16h 14m", "in 1m 48s" ("en 16h 14m").
func (t *Text) In(d time.Duration) string { return fmt.Sprintf(t.InTime, Countdown(d)) }

// WaitFit writes a countdown of the state words ("opens %s") in width
// columns: "opens in 1m 25s", else "opens 1m 25s", else the state's marker
// before the wait ("○ 1m 25s", then "○ 2m"), so a cell never shows a bare
// number that could be a time of day or the wait until the class starts.
func (t *Text) WaitFit(words, mark string, d time.Duration, width int) string {
	for _, s := range []string{
		fmt.Sprintf(words, t.In(d)),
		fmt.Sprintf(words, Countdown(d)),
		mark + " " + Countdown(d),
		mark + " " + Unit(d),
	} {
		if ansi.StringWidth(s) <= width {
			return s
		}
	}
	return Unit(d)
}

// Age writes how old something is in one unit: "40s", "12m", "3h", "2d".
func Age(d time.Duration) string { return outcome.Age(d) }

// Offset writes a signed clock offset in seconds: "+0.35s", "-1.20s".
func Offset(d time.Duration) string {
	// Round first, so a tiny negative offset does not read "-0.00s".
	d = d.Round(10 * time.Millisecond)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%.2fs", sign, d.Seconds())
}

// Days is a count of days: "1 day", "4 days".
func (t *Text) Days(n int) string {
	if n == 1 {
		return t.OneDay
	}
	return fmt.Sprintf(t.NDays, n)
}

// DaysOf names a set of weekdays, Monday first, joined by sep: "Mon/Wed/Fri".
func (t *Text) DaysOf(has func(time.Weekday) bool, sep string) string {
	var out []string
	for i := range 7 {
		if d := time.Weekday((i + 1) % 7); has(d) {
			out = append(out, t.Weekday(d))
		}
	}
	return strings.Join(out, sep)
}

// Outcome words a prebooking's stored outcome in the UI's language: the
// outcome code (session/outcome) when it says more than the status, then
// AimHarder's own words when it sent some. "" when there is nothing to add
// to the status.
func (t *Text) Outcome(status, code, message string) string {
	return outcome.Reason(status, code, message, outcome.Lang(t.Lang))
}
