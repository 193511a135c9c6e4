package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/toast"
)

// statusEvery is how often the store's view of sessions and prebookings is
// read again without being told.
const statusEvery = 30 * time.Second

// ---- the clock and background events ----

func (m *Model) onTick() tea.Cmd {
	m.now = m.cfg.Now()
	m.today = aimharder.DateOf(m.now.In(m.loc))
	m.grid.SetNow(m.now, m.today)
	m.detail.SetNow(m.now)
	if m.screen == screenPrebookings {
		m.renderPrebookings()
	}
	m.renderHeader()
	cmds := []tea.Cmd{m.tick(), m.checkScreen()}
	if m.hasBox && m.screen != screenLogin && m.screen != screenBoot {
		cmds = append(cmds, m.checkBoxes(false))
		if m.now.Sub(m.lastStore) >= statusEvery {
			cmds = append(cmds, m.loadStore())
		}
		if a := m.cfg.AutoRefresh; a > 0 && m.inflight == 0 && m.now.Sub(m.lastFresh) >= a {
			cmds = append(cmds, m.loadWeek(false))
		}
	}
	return tea.Batch(cmds...)
}

// onEvent notes what an event changed and arms one short wait, so a burst
// of events makes one reload.
func (m *Model) onEvent(ev Event) tea.Cmd {
	var cmds []tea.Cmd
	switch ev.Kind {
	case EventPrebookingFinished:
		cmds = append(cmds, m.outcomeToast(ev), m.ringBell())
	case EventWarning:
		switch {
		case ev.Rule != nil:
			r := ev.Rule
			cmds = append(cmds, m.toasts.Push(toast.Warn, fmt.Sprintf(m.tx.WarnWindowRule, r.Box, r.MemberRule, r.ServerRule)))
		case ev.Health:
			m.log.Warn("prebookings at risk", "problem", ev.Message)
			cmds = append(cmds, m.toasts.Push(toast.Warn, m.tx.WarnHealth))
		case ev.Message != "":
			cmds = append(cmds, m.toasts.Push(toast.Warn, ev.Message))
		}
	case EventBoxes:
		cmds = append(cmds, m.checkBoxes(true))
	}
	m.pending.store = true
	if ev.BoxID != 0 && ev.BoxID == m.box.ID && !ev.Day.IsZero() {
		if m.pending.days == nil {
			m.pending.days = map[aimharder.Date]bool{}
		}
		m.pending.days[ev.Day] = true
	}
	if !m.reloadArmed {
		m.reloadArmed = true
		m.reloadGen++
		cmds = append(cmds, m.reloadAfter(m.reloadGen))
	}
	return tea.Batch(cmds...)
}

func (m *Model) outcomeToast(ev Event) tea.Cmd {
	tx := m.tx
	class := ev.Class
	if !ev.Day.IsZero() {
		class += " " + tx.ShortDate(ev.Day)
	}
	if !ev.ClassStart.IsZero() {
		class += " " + m.boxTime(ev.BoxID, ev.ClassStart).Format("15:04")
	}
	for _, p := range m.prebookings {
		if p.ID == ev.PrebookingID && ev.PrebookingID != 0 {
			class += m.forWords(p.FamilyID) // a parent hears it was the child's
		}
	}
	status := tx.PrebookStatus[string(ev.Status)]
	if status == "" {
		status = string(ev.Status)
	}
	switch ev.Status {
	case session.PrebookBooked, session.PrebookWaitlisted:
		return m.toasts.Push(toast.OK, fmt.Sprintf(tx.PrebookOutcomeOK, class, status))
	}
	reason := status
	if words := tx.Outcome(string(ev.Status), ev.Code, ev.Message); words != "" {
		reason += " — " + words
	}
	return m.toasts.Push(toast.Error, fmt.Sprintf(tx.PrebookOutcomeFail, class, reason))
}

func (m *Model) onReload(msg reloadMsg) tea.Cmd {
	if msg.gen != m.reloadGen {
		return nil
	}
	p := m.pending
	m.pending, m.reloadArmed = pendingReload{}, false
	var cmds []tea.Cmd
	if p.store {
		cmds = append(cmds, m.loadStore())
		if m.screen == screenHistory {
			cmds = append(cmds, m.loadHistory())
		}
	}
	if m.screen == screenLogin || m.screen == screenBoot {
		return tea.Batch(cmds...)
	}
	if p.all {
		cmds = append(cmds, m.loadWeek(false))
	} else {
		for day := range p.days {
			cmds = append(cmds, m.loadDay(day))
		}
	}
	return tea.Batch(cmds...)
}

// deviceLive reports whether the store last said the device session lives.
func (m Model) deviceLive() bool {
	s, ok := m.sessions[kind]
	return ok && s.State == session.StateLive
}
