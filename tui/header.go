package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/i18n"
)

// brokenClock is the offset beyond which the estimate is not used.
const brokenClock = scheduler.MaxSaneOffset

// warnAhead is how close a prebooking must be for a dead background
// session to be worth a warning.
const warnAhead = 6 * time.Hour

// tabsWidth is the width from which header line 1 names the views, when
// they fit with tabGap columns on each side.
const (
	tabsWidth = 100
	tabGap    = 3
)

// viewTabs names the views with the counts that matter, the shown one led
// by ▸ and highlighted: "▸Week · My classes · Prebookings (2) · Plans (1) ·
// History". Empty below tabsWidth.
func (m *Model) viewTabs() string {
	if m.width < tabsWidth {
		return ""
	}
	th, names := m.th, m.tx.Help.Tabs
	pending := 0
	for _, p := range m.prebookings {
		if p.Status != session.PrebookCancelled && !p.Status.Final() {
			pending++
		}
	}
	counts := [5]int{-1, -1, pending, len(m.plans), -1}
	shown := map[screen]int{screenWeek: 0, screenAgenda: 1, screenPrebookings: 2, screenPlans: 3, screenHistory: 4}
	cur, ok := shown[m.screen]
	if !ok {
		cur = -1
	}
	parts := make([]string, len(names))
	for i, n := range names {
		if counts[i] > 0 {
			n += fmt.Sprintf(" (%d)", counts[i])
		}
		if i == cur {
			parts[i] = th.Title.Underline(true).Render(th.Mark.Today + n)
		} else {
			parts[i] = th.Subtle.Render(n)
		}
	}
	return strings.Join(parts, th.Faint.Render(" · "))
}

// renderHeader renders the two header lines: who and where (box, family
// member, week), then the member's concerns — the next booked class and the
// next prebooking with its countdown — with a short alert on the right when
// something needs them (an expired session, a broken clock, offline).
// Internals (token ages, the clock offset, who fires) are in the status
// view (S, renderStatusBox).
func (m *Model) renderHeader() {
	if m.width <= 0 {
		return
	}
	th, tx := m.th, m.tx
	sep := th.Faint.Render(" · ")
	if m.statusOpen {
		m.renderStatusBox() // S renders it on opening; while open it follows
	}

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
		left += sep + th.Subtle.Render(fmt.Sprintf(tx.Family, m.familyName()))
	}
	var right string
	if m.hasBox && m.screen != screenLogin {
		from := m.grid.Week()
		_, wk := from.In(time.UTC).ISOWeek()
		right = th.Bold.Render(tx.WeekRange(from))
		if ansi.StringWidth(left)+ansi.StringWidth(right)+ansi.StringWidth(fmt.Sprintf(tx.WeekNumber, wk))+4 <= m.width {
			right += sep + th.Subtle.Render(fmt.Sprintf(tx.WeekNumber, wk))
		}
	}
	if tabs := m.viewTabs(); tabs != "" && m.hasBox && m.screen != screenLogin &&
		ansi.StringWidth(left)+ansi.StringWidth(tabs)+ansi.StringWidth(right)+2*tabGap <= m.width {
		left += strings.Repeat(" ", tabGap) + tabs
	}
	m.headerLines[0] = spread(left, right, m.width)

	// Line 2.
	next, hasNext := m.nextPrebooking()
	bg, found := m.sessions[session.KindBackground]
	if hasNext && next.OpensAt.Sub(m.now) < warnAhead && scheduler.SessionProblem(bg, found, m.passwordCmd, m.now) != "" {
		warn := th.Error.Render(th.Mark.Warn + " " + fmt.Sprintf(tx.SessionExpiring, next.ClassName))
		m.headerLines[1] = spread(warn, "", m.width)
		return
	}
	alert := m.headerAlert()
	if alert == "" && m.screen != screenLogin && m.screen != screenBoot {
		alert = th.Faint.Render(tx.StatusHint)
	}
	// The richest form of the member's line that fits beside the alert:
	// full words, then without the day's month, then the prebooking only.
	aw := ansi.StringWidth(alert)
	var line string
	for _, short := range []bool{false, true} {
		var parts []string
		if c, ok := m.nextBooked(); ok {
			parts = append(parts, m.nextClassWords(c, short))
		}
		if hasNext {
			parts = append(parts, m.nextPrebookingWords(next, short))
		} else if m.hasBox && !short {
			parts = append(parts, th.Faint.Render(tx.NoPrebookings))
		}
		line = strings.Join(parts, sep)
		if ansi.StringWidth(line)+aw+2 <= m.width {
			break
		}
	}
	if hasNext && ansi.StringWidth(line)+aw+2 > m.width {
		line = m.nextPrebookingWords(next, true) // the countdown matters most
	}
	if ansi.StringWidth(line)+aw+2 > m.width {
		alert = "" // the member's line before the hint
	}
	m.headerLines[1] = spread(line, alert, m.width)
}

// headerAlert is what needs the member's attention, in a few words: an
// expired session, a broken clock, loading or offline; "" when all is well.
func (m *Model) headerAlert() string {
	th, tx := m.th, m.tx
	var parts []string
	if len(m.sessions) > 0 {
		for _, k := range []session.Kind{session.KindDevice, session.KindBackground} {
			label := ""
			if k == session.KindBackground {
				label = tx.Background
			}
			if s, ok := m.sessions[k]; !ok || s.State == session.StateDead {
				parts = append(parts, m.sessionWords(k, label))
			}
		}
	}
	if e := m.cfg.Engine; e != nil {
		if off, _, ok := e.ClockOffset(); ok && (off > brokenClock || off < -brokenClock) {
			parts = append(parts, th.Error.Render(tx.ClockBroken))
		}
	}
	switch {
	case m.inflight > 0:
		parts = append(parts, th.Info.Render(tx.Loading))
	case m.offline:
		parts = append(parts, th.Warn.Render(th.Mark.Warn+" "+tx.Offline))
	}
	return strings.Join(parts, th.Faint.Render(" · "))
}

// nextClassWords is the next booked class: "✓ next WOD Sat 28 Nov 09:00".
func (m *Model) nextClassWords(c account.ClassView, short bool) string {
	th, tx := m.th, m.tx
	mark, style := th.Mark.Booked, th.Booked
	if c.State == account.StateWaitlisted {
		mark, style = th.Mark.Waitlisted, th.Waitlisted
	}
	when := tx.ShortDate(c.Date)
	switch {
	case c.Date == m.today:
		when = tx.Today
	case short:
		when = tx.Weekday(c.Date.In(time.UTC).Weekday())
	}
	when += " " + c.Start.Format("15:04") // in box time (zones.go)
	return style.Render(mark + " " + fmt.Sprintf(tx.NextClass, strings.TrimSpace(c.Name), when))
}

// nextPrebookingWords is the next prebooking with its countdown:
// "⚑ HYROX Sat 28 Nov 10:00 fires in 30:00".
func (m *Model) nextPrebookingWords(p session.Prebooking, short bool) string {
	th, tx := m.th, m.tx
	when := tx.ShortDate(p.Day)
	switch {
	case p.Day == m.today:
		when = tx.Today
	case short:
		when = tx.Weekday(p.Day.In(time.UTC).Weekday())
	}
	if !p.ClassStart.IsZero() {
		when += " " + p.ClassStart.Format("15:04") // in box time (zones.go)
	}
	return th.Prebooked.Render(th.Mark.Prebooked + " " +
		fmt.Sprintf(tx.NextPrebooking, p.ClassName, when, tx.In(p.OpensAt.Sub(m.now))))
}

// nextBooked is the member's next class (booked or on the waitlist) among
// the days loaded: the current week's answer is kept while the member
// browses other weeks.
func (m *Model) nextBooked() (account.ClassView, bool) {
	if m.nextClass != nil && !m.nextClass.Start.After(m.now) {
		m.nextClass = nil
	}
	week, thisWeek := m.grid.Week(), m.today.Monday()
	if week.Before(thisWeek) {
		return m.derefNext()
	}
	var best *account.ClassView
	all := true
	for d := range 7 {
		if !m.grid.Loaded(d) {
			all = false
			continue
		}
		for _, c := range m.grid.Classes(d) {
			if c.State != account.StateBooked && c.State != account.StateWaitlisted || !c.Start.After(m.now) {
				continue
			}
			if best == nil || c.Start.Before(best.Start) {
				best = &c
			}
		}
	}
	switch {
	case week == thisWeek && all:
		m.nextClass = best
	case best != nil && (m.nextClass == nil || best.Start.Before(m.nextClass.Start)):
		m.nextClass = best
	}
	return m.derefNext()
}

func (m *Model) derefNext() (account.ClassView, bool) {
	if m.nextClass == nil {
		return account.ClassView{}, false
	}
	return *m.nextClass, true
}

// renderStatusBox renders the status view (S): the internals the header
// leaves out — sessions and their token ages, the server clock, who fires
// the prebookings — and what is pending.
func (m *Model) renderStatusBox() {
	th, tx := m.th, m.tx
	var rows [][2]string
	if len(m.sessions) > 0 {
		rows = append(rows, [2]string{tx.StatusDevice, m.sessionWords(session.KindDevice, "")})
		rows = append(rows, [2]string{tx.StatusBackground, m.sessionWords(session.KindBackground, "")})
	} else {
		rows = append(rows, [2]string{tx.StatusDevice, th.Warn.Render(th.Mark.Warn + " " + tx.SessionNone)})
	}
	if e := m.cfg.Engine; e != nil {
		var clock string
		off, bound, ok := e.ClockOffset()
		switch {
		case !ok:
			clock = th.Faint.Render(tx.ClockUnknown)
		case off > brokenClock || off < -brokenClock:
			clock = th.Error.Render(tx.ClockBroken)
		default:
			clock = fmt.Sprintf(tx.ClockOffset, i18n.Offset(off), strings.TrimPrefix(i18n.Offset(bound), "+"))
		}
		rows = append(rows, [2]string{tx.StatusClock, clock})
		var who string
		switch {
		case len(m.sessions) == 0:
			// Before a login nothing can fire, whoever holds the lease.
			who = th.Warn.Render(th.Mark.Warn + " " + tx.StatusNoLogin)
		case e.Leading():
			who = tx.Runner
		case m.hasFiring && m.firing.PID != 0:
			program := m.firing.Program
			if program == "" {
				program = "ahtui"
			}
			who = fmt.Sprintf(tx.RunnerAt, program, m.firing.PID, m.firing.Host)
		default:
			who = th.Faint.Render(tx.RunnerOther)
		}
		rows = append(rows, [2]string{tx.StatusFiring, who})
	} else {
		rows = append(rows, [2]string{tx.StatusFiring, th.Faint.Render(tx.StatusNoEngine)})
	}
	rows = append(rows, [2]string{tx.StatusPending, tx.StatusPendingCount.N(m.pendingCount()) + " · " + tx.StatusPendingPlans.N(len(m.plans))})
	data := tx.StatusFresh
	switch {
	case m.inflight > 0:
		data = tx.Loading
	case m.offline:
		data = th.Warn.Render(th.Mark.Warn + " " + tx.Offline)
	case !m.lastFresh.IsZero():
		data = fmt.Sprintf(tx.StatusFreshAt, m.lastFresh.In(m.loc).Format("15:04:05"))
	}
	rows = append(rows, [2]string{tx.StatusData, data})
	lw := 0
	for _, r := range rows {
		lw = max(lw, ansi.StringWidth(r[0]))
	}
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		// On a narrow screen the value wraps under itself.
		value := r[1]
		if vw := m.width - 6 - lw - 2; vw >= 10 && ansi.StringWidth(value) > vw {
			value = strings.ReplaceAll(ansi.Wrap(value, vw, ""), "\n", "\n"+strings.Repeat(" ", lw+2))
		}
		b.WriteString(th.Label.Render(r[0]) + strings.Repeat(" ", lw-ansi.StringWidth(r[0])+2) + value)
	}
	b.WriteString("\n\n" + th.Faint.Render(tx.StatusClose))
	m.statusBox = dialog.Box(th, tx.StatusTitle, b.String())
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
