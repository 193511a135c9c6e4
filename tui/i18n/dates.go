package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
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

// Countdown writes a wait the way the grid shows it: "2d 03:14" (days,
// hours and minutes) from a day up, "03:14:05" below. Negative waits are 0.
func Countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	// Round up to the second so a countdown never shows 00:00:00 early.
	secs := int64((d + time.Second - 1) / time.Second)
	days := secs / 86400
	h := secs % 86400 / 3600
	m := secs % 3600 / 60
	s := secs % 60
	if days > 0 {
		return fmt.Sprintf("%dd %02d:%02d", days, h, m)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

// Age writes how old something is in one unit: "40s", "12m", "3h", "2d".
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
