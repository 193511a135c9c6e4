package detail

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/grid"
)

// layout renders every line of the content at the pane's width.
func (m *Model) layout() []string {
	th, tx, w := m.th, m.tx, m.width
	c := m.content.Class
	now := m.now
	st := grid.StateOf(c, m.content.Prebooking, now)

	var out []string
	add := func(s string) { out = append(out, pad(s, w)) }
	wrap := func(s string, width int) []string {
		if width < 1 {
			width = 1
		}
		return strings.Split(ansi.Wrap(s, width, ""), "\n")
	}

	// Title and time; focused, the title is a bar across the pane.
	if m.focus {
		for i, l := range wrap("▸ "+c.Name, w) {
			if i > 0 {
				l = "  " + l
			}
			out = append(out, th.Title.Reverse(true).Render(pad(l, w)))
		}
	} else {
		for _, l := range wrap(c.Name, w) {
			add(th.Title.Render(l))
		}
	}
	when := tx.ShortDate(c.Date) + " · " + c.Start.Format("15:04")
	if !c.End.IsZero() {
		when += "–" + c.End.Format("15:04")
	}
	add(th.Bold.Render(when))
	add("")

	type field struct{ label, value string }
	var fields []field
	coach := c.Coach
	if coach == "" {
		coach = th.Faint.Render(tx.NoCoach)
	}
	fields = append(fields, field{tx.Coach, coach})

	places := fmt.Sprintf(tx.OccupancyValue, c.Occupancy, c.Capacity)
	if c.Capacity == 0 {
		places = fmt.Sprint(c.Occupancy)
	}
	if c.Waitlist > 0 {
		places += " · " + fmt.Sprintf(tx.WaitlistValue, c.Waitlist)
	}
	fields = append(fields, field{tx.Occupancy, places})

	you := m.stateWord(st)
	if c.ReservationID != 0 && (st == grid.Booked || st == grid.Waitlisted || st == grid.Past) {
		you += th.Faint.Render(" · " + fmt.Sprintf(tx.ReservationID, c.ReservationID))
	}
	if m.content.Busy {
		you += th.Faint.Render(" · " + tx.Working)
	}
	fields = append(fields, field{tx.YourState, you})

	if st != grid.Past {
		var opens string
		switch {
		case c.OpensAt.IsZero():
			opens = th.Faint.Render(tx.OpensUnknown)
		case now.Before(c.OpensAt):
			opens = fmt.Sprintf(tx.OpensAt, tx.DateTime(c.OpensAt), tx.In(c.OpensAt.Sub(now)))
		default:
			opens = fmt.Sprintf(tx.OpenedAt, tx.DateTime(c.OpensAt))
		}
		fields = append(fields, field{tx.BookingOpens, opens})
		if m.content.Hours != "" {
			fields = append(fields, field{tx.WindowLabel, m.content.Hours})
		}
		fields = append(fields, field{tx.LateCancel, tx.LateCancelInfo})
	}
	if p := m.content.Prebooking; p != nil {
		words := m.prebookingWords(p)
		if w := m.content.PrebookingFor; w != "" {
			words += " · " + w
		}
		fields = append(fields, field{tx.PrebookingLabel, words})
	}
	if p := m.content.Plan; p != nil {
		mark, words := th.Mark.Plan, fmt.Sprintf(tx.PlanEvery, p.Days)+" · "+fmt.Sprintf(tx.PlanNumber, p.ID)
		if p.For != "" {
			words += " · " + p.For
		}
		switch {
		case p.Skipped:
			mark, words = th.Mark.Skipped, words+" · "+tx.PlanSkippedWord
		case p.Paused:
			mark, words = th.Mark.Paused, words+" · "+tx.PlanPausedWord
		}
		fields = append(fields, field{tx.PlanLabel, th.Accent.Render(mark) + " " + words})
	}

	if m.content.Watch != "" {
		fields = append(fields, field{tx.Watch().Label, th.Accent.Render(m.content.Watch)})
	}

	labelW := 0
	for _, f := range fields {
		labelW = max(labelW, ansi.StringWidth(f.label))
	}
	// A label is never cut while the pane has room: at least one blank
	// cell after the longest, up to half the pane.
	labelW = min(labelW+2, max(w/3, 8, min(labelW+1, w/2)))
	valueW := max(w-labelW, 1)
	for _, f := range fields {
		for i, l := range wrap(f.value, valueW) {
			label := ""
			if i == 0 {
				label = f.label
			}
			add(th.Label.Render(fitPlain(label, labelW)) + l)
		}
	}

	var notes []string
	if c.StaffManaged {
		notes = append(notes, tx.StaffManaged)
	}
	if !c.Included && c.Enabled {
		notes = append(notes, tx.NotIncluded)
	}
	if c.Online {
		notes = append(notes, tx.Online)
	}
	for _, n := range notes {
		for _, l := range wrap("! "+n, w) {
			add(th.Warn.Render(l))
		}
	}
	for _, n := range m.content.Notices {
		for _, l := range wrap(tx.Notices+": "+n, w) {
			add(th.Warn.Render(l))
		}
	}
	if m.content.Cached && !m.content.FetchedAt.IsZero() {
		add(th.Faint.Render(fmt.Sprintf(tx.CachedNotice, tx.DateTime(m.content.FetchedAt))))
	}

	if d := strings.TrimSpace(c.Description); d != "" {
		add("")
		add(th.Label.Render(tx.Description))
		for _, l := range wrap(d, w) {
			add(l)
		}
	}

	add("")
	if c.Attendees == nil {
		add(th.Label.Render(tx.AttendeesTitle))
		for _, l := range wrap(tx.AttendeesHidden, w) {
			add(th.Faint.Render(l))
		}
		return out
	}
	add(th.Label.Render(fmt.Sprintf(tx.Attendees, len(c.Attendees))))
	if len(c.Attendees) == 0 {
		add(th.Faint.Render("  " + tx.AttendeesNone))
	}
	for i, a := range c.Attendees {
		add(fmt.Sprintf("%3d %s", i+1, a.Name))
	}
	return out
}

func (m *Model) stateWord(st grid.State) string {
	th, tx, mk := m.th, m.tx, m.th.Mark
	switch st {
	case grid.Booked:
		return th.Booked.Render(mk.Booked + " " + tx.StateBooked)
	case grid.Waitlisted:
		return th.Waitlisted.Render(mk.Waitlisted + " " + tx.DetailWaitlistNote)
	case grid.Prebooked:
		return th.Prebooked.Render(mk.Prebooked + " " + tx.StatePrebooked)
	case grid.Firing:
		return th.Prebooked.Render(mk.Firing + " " + tx.StateFiring)
	case grid.Failed:
		return th.Failed.Render(mk.Failed + " " + tx.StateFailed)
	case grid.NotOpen:
		return th.NotOpen.Render(mk.NotOpen + " " + tx.StateNotOpen)
	case grid.Full:
		return th.Full.Render(mk.Full + " " + tx.StateFull)
	case grid.Past:
		return th.Past.Render(mk.Past + " " + tx.StatePast)
	}
	return tx.StateOpen
}

// prebookingWords describes a prebooking: its status and when it fires, or
// how it ended in the server's words.
func (m *Model) prebookingWords(p *session.Prebooking) string {
	tx := m.tx
	status := tx.PrebookStatus[string(p.Status)]
	if status == "" {
		status = string(p.Status)
	}
	if !p.Status.Final() {
		when := tx.OpensUnknown
		if !p.OpensAt.IsZero() {
			when = fmt.Sprintf(tx.FiresIn, tx.In(p.OpensAt.Sub(m.now)))
		}
		return fmt.Sprintf(tx.PrebookingLine, status, when)
	}
	s := status
	if words := tx.Outcome(string(p.Status), p.OutcomeCode, p.OutcomeMessage); words != "" {
		s += " — " + words
	}
	return fmt.Sprintf(tx.PrebookingOutcome, s)
}

// fitPlain pads or cuts unstyled text to w cells, keeping the last one
// blank as a gap.
func fitPlain(s string, w int) string {
	if ansi.StringWidth(s) > w-1 {
		s = ansi.Truncate(s, max(w-1, 0), "…")
	}
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}
