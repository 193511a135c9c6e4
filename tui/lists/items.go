package lists

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// statusLook is the marker and style of a prebooking status.
func statusLook(th *theme.Theme, st session.PrebookingStatus) (string, lipgloss.Style) {
	mk := th.Mark
	switch st {
	case session.PrebookPending:
		return mk.Prebooked, th.Prebooked
	case session.PrebookFiring:
		return mk.Firing, th.Prebooked
	case session.PrebookBooked:
		return mk.Booked, th.Booked
	case session.PrebookWaitlisted:
		return mk.Waitlisted, th.Waitlisted
	case session.PrebookFailed, session.PrebookMissed:
		return mk.Failed, th.Failed
	}
	return mk.Past, th.Faint
}

// prebookingColumns are the widths of the prebookings table for a width
// (each includes one space of gap).
func prebookingColumns(width int) [5]int {
	status, day, opens := 14, 12, 18
	class := max(min(34, width-status-day-opens-16), 12)
	outcome := max(width-status-class-day-opens, 0)
	return [5]int{status, class, day, opens, outcome}
}

// compactWidth: narrower than this, the prebookings table drops its
// status and outcome columns (the marker says the status) and keeps the
// fire time, relative ("in 16h 14m"), beside the class and the day.
const compactWidth = 60

// compactColumns are the widths of the narrow table: marker, class, day
// and when (each includes one space of gap).
func compactColumns(width int) [4]int {
	mark, day, when := 2, 11, 11
	return [4]int{mark, max(width-mark-day-when, 8), day, when}
}

// col fits text to a column, keeping its last cell as the gap.
func col(s string, w int) string { return fit(s, max(w-1, 0)) + " " }

// PrebookingHeader is the column titles line.
func PrebookingHeader(tx *i18n.Text, width int) string {
	if width < compactWidth {
		cols := compactColumns(width)
		return col("", cols[0]) + col(tx.PrebookColumns[1], cols[1]) + col(tx.PrebookColumns[2], cols[2]) +
			fit(tx.PrebookColumns[3], cols[3])
	}
	cols := prebookingColumns(width)
	var b strings.Builder
	for i, t := range tx.PrebookColumns {
		b.WriteString(col(t, cols[i]))
	}
	return b.String()
}

// PrebookingItems renders prebookings one line each. boxes names the box of
// the prebookings that are not for the current box; who says for whom a
// prebooking is ("for Leo", or empty when nothing needs saying; nil:
// never).
func PrebookingItems(th *theme.Theme, tx *i18n.Text, list []session.Prebooking, boxes map[int64]string, current int64, now time.Time, width int, who func(familyID string) string) []Item {
	cols := prebookingColumns(width)
	items := make([]Item, 0, len(list))
	for _, p := range list {
		mark, style := statusLook(th, p.Status)
		status := tx.PrebookStatus[string(p.Status)]
		if status == "" {
			status = string(p.Status)
		}
		class := p.ClassName
		if !p.ClassStart.IsZero() {
			class = p.ClassStart.Format("15:04") + " " + class
		}
		if w := whoOf(who, p.FamilyID); w != "" {
			class += " · " + w
		}
		if name := boxes[p.BoxID]; name != "" && p.BoxID != current {
			class += " · " + name
		}
		var opens string
		switch {
		case p.OpensAt.IsZero():
			opens = "?"
		case !p.Status.Final() && now.Before(p.OpensAt):
			opens = tx.In(p.OpensAt.Sub(now))
		default:
			opens = tx.DateTime(p.OpensAt)
		}
		if width < compactWidth {
			// The status in words where the fire time was: a pending
			// one's wait, never a time of day; a finished one's status.
			when := status
			if !p.Status.Final() && !p.OpensAt.IsZero() && now.Before(p.OpensAt) {
				when = tx.In(p.OpensAt.Sub(now))
			}
			cc := compactColumns(width)
			line := style.Render(col(mark, cc[0])) + col(class, cc[1]) + col(tx.ShortDate(p.Day), cc[2]) +
				style.Render(fit(when, cc[3]))
			items = append(items, Item{Lines: []string{line}})
			continue
		}
		var outcome []string
		if words := tx.Outcome(string(p.Status), p.OutcomeCode, p.OutcomeMessage); words != "" {
			outcome = append(outcome, words)
		}
		if p.Attempts > 0 {
			outcome = append(outcome, tx.HistoryAttempts.N(p.Attempts))
		}
		if p.Late {
			outcome = append(outcome, tx.HistoryLate)
		}
		line := style.Render(col(mark+" "+status, cols[0])) +
			col(class, cols[1]) +
			col(tx.ShortDate(p.Day), cols[2]) +
			col(opens, cols[3]) +
			th.Subtle.Render(fit(strings.Join(outcome, " · "), cols[4]))
		items = append(items, Item{Lines: []string{line}})
	}
	return items
}

// HistoryItems renders history events, newest first, with the timing of
// prebooking outcomes on a second line. byID finds the prebooking an event
// is about. Events and prebookings come in box time (session.Zones): each
// time is shown in the location it is given in.
func HistoryItems(th *theme.Theme, tx *i18n.Text, events []session.Event, byID map[int64]session.Prebooking, width int) []Item {
	items := make([]Item, 0, len(events))
	for _, e := range events {
		at := e.At
		kind := tx.HistoryKinds[string(e.Kind)]
		if kind == "" {
			kind = string(e.Kind)
		}
		p, hasP := byID[prebookingID(e)]
		when := th.Subtle.Render(tx.ShortDate(aimharder.DateOf(at)) + " " + at.Format("15:04:05"))
		text := e.Message
		style := th.Base
		if hasP && e.Kind == session.EventPrebookOutcome {
			mark, st := statusLook(th, p.Status)
			style = st
			status := tx.PrebookStatus[string(p.Status)]
			text = mark + " " + p.ClassName + " " + tx.ShortDate(p.Day)
			if !p.ClassStart.IsZero() {
				text += " " + p.ClassStart.Format("15:04")
			}
			text += ": " + status
			if words := tx.Outcome(string(p.Status), p.OutcomeCode, p.OutcomeMessage); words != "" {
				text += " — " + words
			}
		}
		var second string
		if hasP && e.Kind == session.EventPrebookOutcome {
			second = timing(tx, p)
		}
		if a, ok := actionOf(e); ok {
			style, text, second = actionWords(th, tx, e, a)
		}
		// The outcome first, then what it was and how it went.
		lines := []string{when + "  " + style.Render(text)}
		detail := th.Label.Render(kind)
		if second != "" {
			detail += th.Faint.Render(" · " + second)
		}
		lines = append(lines, "  "+detail)
		for i := range lines {
			if ansi.StringWidth(lines[i]) > width-2 {
				lines[i] = ansi.Truncate(lines[i], width-2, "…")
			}
		}
		items = append(items, Item{Lines: lines})
	}
	return items
}

// timing says when a fire ran relative to the window's opening.
func timing(tx *i18n.Text, p session.Prebooking) string {
	var parts []string
	if !p.OpensAt.IsZero() {
		parts = append(parts, fmt.Sprintf(tx.OpenedAt, p.OpensAt.Format("15:04:05.000")))
	}
	if !p.FinishedAt.IsZero() {
		s := p.FinishedAt.Format("15:04:05.000")
		if !p.OpensAt.IsZero() {
			s += fmt.Sprintf(" (%+.3fs)", p.FinishedAt.Sub(p.OpensAt).Seconds())
		}
		parts = append(parts, "→ "+s)
	}
	if p.Attempts > 0 {
		parts = append(parts, tx.HistoryAttempts.N(p.Attempts))
	}
	if p.Late {
		parts = append(parts, tx.HistoryLate)
	}
	if p.OutcomeCode != "" {
		parts = append(parts, p.OutcomeCode)
	}
	return strings.Join(parts, " · ")
}

func prebookingID(e session.Event) int64 {
	if len(e.Details) == 0 {
		return 0
	}
	var d struct {
		Prebooking int64 `json:"prebooking"`
	}
	if json.Unmarshal(e.Details, &d) != nil {
		return 0
	}
	return d.Prebooking
}

// action is what the account service records for a book or cancel
// (account.ActionDetails).
type action struct {
	Class   string    `json:"class"`
	Start   time.Time `json:"start"`
	Outcome string    `json:"outcome"`
	Code    string    `json:"code"`
	Millis  int64     `json:"ms"`
}

func actionOf(e session.Event) (action, bool) {
	if (e.Kind != "book" && e.Kind != "cancel") || len(e.Details) == 0 {
		return action{}, false
	}
	var a action
	if json.Unmarshal(e.Details, &a) != nil || a.Outcome == "" {
		return action{}, false
	}
	return a, true
}

// actionWords describes a book or cancel: the class, the outcome and, when
// refused, the server's words; then how long it took. The class's start is
// shown in the event's zone, its box's.
func actionWords(th *theme.Theme, tx *i18n.Text, e session.Event, a action) (lipgloss.Style, string, string) {
	style, mark := th.Booked, th.Mark.Booked
	switch a.Outcome {
	case "waitlisted":
		style, mark = th.Waitlisted, th.Mark.Waitlisted
	case "cancelled", "cancelled_late":
		style, mark = th.Subtle, th.Mark.Past
	case "failed":
		style, mark = th.Failed, th.Mark.Failed
	}
	text := mark + " " + a.Class + " " + tx.ShortDate(e.Day)
	if !a.Start.IsZero() {
		text += " " + a.Start.In(e.At.Location()).Format("15:04")
	}
	word := tx.HistoryOutcome[a.Outcome]
	if word == "" {
		word = a.Outcome
	}
	text += ": " + word
	if e.Message != "" {
		text += ` — "` + e.Message + `"`
	}
	second := fmt.Sprintf(tx.HistoryTook, a.Millis)
	if a.Code != "" {
		second += " · " + a.Code
	}
	return style, text, second
}

// whoOf is who(id), or nothing without who.
func whoOf(who func(string) string, id string) string {
	if who == nil {
		return ""
	}
	return who(id)
}
