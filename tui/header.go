package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
)

// brokenClock is the offset beyond which the estimate is not used.
const brokenClock = scheduler.MaxSaneOffset

// warnAhead is how close a prebooking must be for a dead background
// session to be worth a warning.
const warnAhead = 6 * time.Hour

// renderHeader renders the two header lines: who and where (box, family
// member, week), then health (sessions, server clock, firing engine) and
// the next prebooking with its countdown.
func (m *Model) renderHeader() {
	if m.width <= 0 {
		return
	}
	th, tx := m.th, m.tx
	sep := th.Faint.Render(" · ")

	// Line 1.
	left := th.Title.Render("ahtui")
	if m.cfg.Demo {
		left += " " + th.DemoBadge.Render(tx.Demo)
	}
	if m.cfg.Viewers != nil {
		served := tx.ServedOne
		if n := m.cfg.Viewers(); n != 1 {
			served = fmt.Sprintf(tx.ServedMany, n)
		}
		left += " " + th.Subtle.Render(served)
	}
	if m.hasBox {
		left += " " + th.Bold.Render(strings.TrimSpace(m.box.Name))
	}
	if m.family != "" {
		left += sep + th.Subtle.Render(fmt.Sprintf(tx.Family, m.family))
	}
	var right string
	if m.hasBox && m.screen != screenLogin {
		from := m.grid.Week()
		_, wk := from.In(time.UTC).ISOWeek()
		right = th.Bold.Render(tx.WeekRange(from)) + sep + th.Subtle.Render(fmt.Sprintf(tx.WeekNumber, wk))
	}
	m.headerLines[0] = spread(left, right, m.width)

	// Line 2.
	var parts []string
	next, hasNext := m.nextPrebooking()
	bg, found := m.sessions[session.KindBackground]
	if hasNext && next.OpensAt.Sub(m.now) < warnAhead && scheduler.SessionProblem(bg, found, m.passwordCmd, m.now) != "" {
		warn := th.Error.Render(th.Mark.Warn + " " + fmt.Sprintf(tx.SessionExpiring, next.ClassName))
		m.headerLines[1] = spread(warn, "", m.width)
		return
	}
	if len(m.sessions) > 0 {
		parts = append(parts, m.sessionWords(session.KindDevice, ""))
		parts = append(parts, m.sessionWords(session.KindBackground, tx.Background))
	}
	if e := m.cfg.Engine; e != nil {
		off, bound, ok := e.ClockOffset()
		switch {
		case !ok:
			parts = append(parts, th.Faint.Render(tx.ClockUnknown))
		case off > brokenClock || off < -brokenClock:
			parts = append(parts, th.Error.Render(tx.ClockBroken))
		default:
			parts = append(parts, th.Subtle.Render(fmt.Sprintf(tx.ClockOffset, i18n.Offset(off), strings.TrimPrefix(i18n.Offset(bound), "+"))))
		}
		switch {
		case e.Leading():
			parts = append(parts, th.Subtle.Render(tx.Runner))
		case m.hasFiring && m.firing.PID != 0:
			program := m.firing.Program
			if program == "" {
				program = "ahtui"
			}
			parts = append(parts, th.Subtle.Render(fmt.Sprintf(tx.RunnerAt, program, m.firing.PID, m.firing.Host)))
		default:
			parts = append(parts, th.Faint.Render(tx.RunnerOther))
		}
	}
	switch {
	case m.inflight > 0:
		parts = append(parts, th.Info.Render(tx.Loading))
	case m.offline:
		parts = append(parts, th.Warn.Render(th.Mark.Warn+" "+tx.Offline))
	}
	right = ""
	if hasNext {
		when := tx.ShortDate(next.Day)
		if !next.ClassStart.IsZero() {
			when += " " + next.ClassStart.Format("15:04") // in box time (zones.go)
		}
		right = th.Prebooked.Render(th.Mark.Prebooked + " " +
			fmt.Sprintf(tx.NextPrebooking, next.ClassName, when, i18n.Countdown(next.OpensAt.Sub(m.now))))
	} else if m.hasBox {
		right = th.Faint.Render(tx.NoPrebookings)
	}
	m.headerLines[1] = spread(strings.Join(parts, sep), right, m.width)
}

// sessionWords describes one session's health: marker, state, token age.
func (m *Model) sessionWords(k session.Kind, label string) string {
	th, tx := m.th, m.tx
	s, ok := m.sessions[k]
	prefix := ""
	if label != "" {
		prefix = label + " "
	}
	switch {
	case !ok:
		return th.Warn.Render(th.Mark.Warn + " " + prefix + tx.SessionNone)
	case s.State == session.StateDead:
		return th.Error.Render(th.Mark.Error + " " + prefix + tx.SessionDead)
	}
	word := tx.SessionLive
	if label != "" {
		word = label
	}
	return th.OK.Render(th.Mark.OK+" "+word) + th.Faint.Render(" "+i18n.Age(s.TokenAge(m.now)))
}

// nextPrebooking is the pending prebooking that fires soonest.
func (m *Model) nextPrebooking() (session.Prebooking, bool) {
	var best session.Prebooking
	found := false
	for _, p := range m.prebookings {
		if p.Status != session.PrebookPending || p.OpensAt.IsZero() {
			continue
		}
		if !found || p.OpensAt.Before(best.OpensAt) {
			best, found = p, true
		}
	}
	return best, found
}

// spread puts left and right on one line of width w, cutting left first
// when they do not fit.
func spread(left, right string, w int) string {
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if rw > w {
		right, rw = ansi.Truncate(right, w, "…"), w
	}
	if lw+rw+1 > w {
		left = ansi.Truncate(left, max(w-rw-1, 0), "…")
		lw = ansi.StringWidth(left)
	}
	gap := max(w-lw-rw, 0)
	return left + strings.Repeat(" ", gap) + right
}
