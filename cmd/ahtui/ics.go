package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ahtui/ahtui/session/account"
)

// iCalendar (RFC 5545) for `calendar --ics` and the calendar feed: one
// VEVENT per agenda entry, times in UTC (no VTIMEZONE needed; a phone
// shows them in its own zone), lines ended by CRLF and folded at 75
// octets.

// icsDefaultLength is the length given to a class whose end is not known
// yet (a planned class no class list has shown).
const icsDefaultLength = time.Hour

// icsMaxLine is the longest line, in octets, before the CRLF (RFC 5545 §3.1).
const icsMaxLine = 75

// icsWriter writes content lines, folded and CRLF-terminated.
type icsWriter struct {
	w   io.Writer
	err error
}

// line writes one content line "NAME:value" (value already escaped when
// it is TEXT), folding it: a continuation line starts with a space, and
// a fold never splits a UTF-8 sequence.
func (iw *icsWriter) line(name, value string) {
	if iw.err != nil {
		return
	}
	_, iw.err = io.WriteString(iw.w, foldICS(name+":"+value))
}

// foldICS returns s as CRLF-terminated lines of at most icsMaxLine octets.
func foldICS(s string) string {
	var b strings.Builder
	width := 0 // octets on the current line
	for _, r := range s {
		n := utf8.RuneLen(r)
		if n < 0 {
			r, n = utf8.RuneError, len(string(utf8.RuneError))
		}
		if width+n > icsMaxLine {
			b.WriteString("\r\n ")
			width = 1
		}
		b.WriteRune(r)
		width += n
	}
	b.WriteString("\r\n")
	return b.String()
}

// escapeICSText escapes a TEXT value (RFC 5545 §3.3.11): backslash,
// semicolon, comma and newline; other control characters are dropped.
func escapeICSText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r' || r < 0x20 || r == 0x7f:
			// dropped: no other control character is allowed in TEXT
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsUID is an event's UID, the same on every run for the same class and
// day: the plan's occurrence for a plan's class (so it keeps its UID from
// planned through booked), else the box and class id; the family member
// is part of it (two people in one class are two events).
func icsUID(e account.AgendaEntry) string {
	var key string
	switch {
	case e.PlanID != 0:
		key = "plan" + strconv.FormatInt(e.PlanID, 10)
	case e.ClassID != 0:
		key = "class" + strconv.FormatInt(e.ClassID, 10)
	default: // a booking AimHarder lists without its class: by its time
		key = "at" + e.Start.In(e.Box.LocationOrDefault()).Format("1504")
	}
	box := uidSafe(e.Box.Subdomain)
	if box == "" {
		box = strconv.FormatInt(e.Box.ID, 10)
	}
	uid := box + "-" + key + "-" + e.Day.Compact()
	if e.FamilyID != "" {
		uid += "-f" + uidSafe(e.FamilyID)
	}
	return uid + "@ahtui"
}

// uidSafe keeps letters, digits, '-' and '.'.
func uidSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return r
		}
		return -1
	}, s)
}

// icsStateWords describes an entry's state for DESCRIPTION.
func icsStateWords(e account.AgendaEntry) string {
	var parts []string
	switch e.State {
	case account.AgendaBooked:
		parts = append(parts, "Booked")
		if !e.FreeCancelUntil.IsZero() {
			parts = append(parts, "free cancel until "+e.FreeCancelUntil.Format("Mon 2 Jan 15:04"))
		}
	case account.AgendaWaitlisted:
		parts = append(parts, "On the waitlist")
	case account.AgendaPrebooked:
		parts = append(parts, "Prebooked: ahtui books it when booking opens")
	case account.AgendaPlanned:
		parts = append(parts, "Planned: a weekly plan will book it")
	}
	if e.PlanID != 0 && e.State != account.AgendaPlanned {
		parts = append(parts, "weekly plan "+strconv.FormatInt(e.PlanID, 10))
	}
	return strings.Join(parts, "; ")
}

// writeICS writes the agenda as an iCalendar object; stamp is the DTSTAMP.
// ttl, when not zero, tells subscribers how often to poll.
func writeICS(w io.Writer, entries []account.AgendaEntry, stamp time.Time, ttl time.Duration) error {
	iw := &icsWriter{w: w}
	iw.line("BEGIN", "VCALENDAR")
	iw.line("VERSION", "2.0")
	iw.line("PRODID", "-//ahtui//ahtui calendar//EN")
	iw.line("CALSCALE", "GREGORIAN")
	iw.line("METHOD", "PUBLISH")
	iw.line("X-WR-CALNAME", "ahtui")
	if ttl > 0 {
		d := fmt.Sprintf("PT%dM", int(ttl/time.Minute))
		iw.line("REFRESH-INTERVAL;VALUE=DURATION", d)
		iw.line("X-PUBLISHED-TTL", d)
	}
	for _, e := range entries {
		end := e.End
		if end.IsZero() || !end.After(e.Start) {
			end = e.Start.Add(icsDefaultLength)
		}
		status := "TENTATIVE"
		if e.State == account.AgendaBooked {
			status = "CONFIRMED"
		}
		iw.line("BEGIN", "VEVENT")
		iw.line("UID", icsUID(e))
		iw.line("DTSTAMP", icsTime(stamp))
		iw.line("DTSTART", icsTime(e.Start))
		iw.line("DTEND", icsTime(end))
		iw.line("SUMMARY", escapeICSText(e.Name))
		iw.line("LOCATION", escapeICSText(boxName(e)))
		iw.line("STATUS", status)
		iw.line("DESCRIPTION", escapeICSText(icsStateWords(e)))
		iw.line("END", "VEVENT")
	}
	iw.line("END", "VCALENDAR")
	return iw.err
}

// boxName is the box's name, else its subdomain.
func boxName(e account.AgendaEntry) string {
	if n := strings.TrimSpace(e.Box.Name); n != "" {
		return n
	}
	return e.Box.Subdomain
}
