package lists

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// PlanRow is one line of the plans view: a plan, or one of its
// occurrences (Occ set).
type PlanRow struct {
	Plan account.PlanView
	Occ  *session.PlanOccurrence
}

// PlanRows lists each plan followed by its occurrences.
func PlanRows(plans []account.PlanView) []PlanRow {
	var rows []PlanRow
	for _, p := range plans {
		rows = append(rows, PlanRow{Plan: p})
		for i := range p.Occurrences {
			rows = append(rows, PlanRow{Plan: p, Occ: &p.Occurrences[i]})
		}
	}
	return rows
}

// OccurrenceLook is the marker and style of an occurrence state; every
// state has its own marker, so it reads without colour.
func OccurrenceLook(th *theme.Theme, st session.OccurrenceState) (string, lipgloss.Style) {
	mk := th.Mark
	switch st {
	case session.OccPlanned:
		return mk.Plan, th.NotOpen
	case session.OccPrebooked:
		return mk.Prebooked, th.Prebooked
	case session.OccBooked:
		return mk.Booked, th.Booked
	case session.OccWaitlisted:
		return mk.Waitlisted, th.Waitlisted
	case session.OccFull:
		return mk.Full, th.Full
	case session.OccFailed, session.OccMissed:
		return mk.Failed, th.Failed
	case session.OccSkipped:
		return mk.Skipped, th.Faint
	case session.OccPaused:
		return mk.Paused, th.Faint
	case session.OccNoClass:
		return mk.Warn, th.Warn
	}
	return mk.Past, th.Faint
}

// PlanWords is a plan in a line: "Mon Wed Fri 07:00 WOD · Sample Gym ·
// waitlist · then 08:00 WOD", with its dates and the pauses not over by
// today.
func PlanWords(tx *i18n.Text, v account.PlanView, today aimharder.Date) string {
	p := v.Plan
	parts := []string{tx.DaysOf(p.Days.Has, " ") + " " + p.Time.String() + " " + p.Class}
	if name := strings.TrimSpace(v.Box.Name); name != "" {
		parts = append(parts, name)
	}
	if p.Waitlist {
		parts = append(parts, tx.PlanWaitlist)
	}
	for _, f := range p.Fallbacks {
		parts = append(parts, fmt.Sprintf(tx.PlanThen, f.Time.String()+" "+f.Class))
	}
	if !p.From.IsZero() && p.From.After(today) {
		parts = append(parts, fmt.Sprintf(tx.PlanFrom, tx.ShortDate(p.From)))
	}
	if !p.Until.IsZero() {
		parts = append(parts, fmt.Sprintf(tx.PlanUntil, tx.ShortDate(p.Until)))
	}
	for _, r := range p.Pauses {
		if !r.Until.Before(today) {
			parts = append(parts, fmt.Sprintf(tx.PlanPausedRange, tx.ShortDate(r.From), tx.ShortDate(r.Until)))
		}
	}
	return strings.Join(parts, " · ")
}

// PlanItems renders the plans view's rows, one line each.
// who says for whom a plan books ("for Leo", or empty; nil: never).
func PlanItems(th *theme.Theme, tx *i18n.Text, rows []PlanRow, today aimharder.Date, who func(session.Plan) string) []Item {
	items := make([]Item, 0, len(rows))
	for _, r := range rows {
		if r.Occ == nil {
			line := th.Accent.Render(th.Mark.Plan) + " " + th.Bold.Render(fmt.Sprintf("#%d", r.Plan.Plan.ID)) + "  " +
				th.Bold.Render(PlanWords(tx, r.Plan, today))
			if who != nil {
				if w := who(r.Plan.Plan); w != "" {
					line += th.Subtle.Render(" · " + w)
				}
			}
			items = append(items, Item{Lines: []string{line}})
			continue
		}
		o := r.Occ
		mark, style := OccurrenceLook(th, o.State)
		word := tx.PlanStates[string(o.State)]
		if word == "" {
			word = string(o.State)
		}
		when := tx.ShortDate(o.Day)
		if !o.Start.IsZero() {
			when += " " + o.Start.Format("15:04")
		}
		line := "     " + fit(when, 18) + style.Render(mark+" "+word)
		if o.Choice > 0 && o.Choice <= len(r.Plan.Plan.Fallbacks) {
			f := r.Plan.Plan.Fallbacks[o.Choice-1]
			line += th.Faint.Render(" · " + fmt.Sprintf(tx.PlanFallbackUsed, f.Time.String()+" "+f.Class))
		}
		if d := strings.TrimSpace(o.Detail); d != "" {
			line += th.Faint.Render(" · " + d)
		}
		items = append(items, Item{Lines: []string{line}})
	}
	return items
}
