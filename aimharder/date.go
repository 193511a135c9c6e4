package aimharder

import (
	"fmt"
	"time"
)

// Date is a calendar day in a box's local calendar, independent of any
// time zone. AimHarder requests name days as YYYYMMDD.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD (the CLI form) or YYYYMMDD (the wire form).
func ParseDate(s string) (Date, error) {
	for _, layout := range []string{time.DateOnly, "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, fmt.Errorf("%q is not a date: use YYYY-MM-DD", s)
}

// String formats the day as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Compact formats the day as YYYYMMDD, the form AimHarder requests use.
func (d Date) Compact() string { return fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// At returns the wall-clock time hh:mm on d in loc.
func (d Date) At(hour, minute int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

// AddDays returns the day n calendar days later (earlier when n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// Monday returns the Monday of d's week (weeks run Monday to Sunday).
func (d Date) Monday() Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.Compact() < o.Compact() }

// After reports whether d is a later day than o.
func (d Date) After(o Date) bool { return d.Compact() > o.Compact() }
