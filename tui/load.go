package tui

import (
	"fmt"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/toast"
)

// ---- loading: the week, a day, the store; replies, stale ones dropped ----

// loadWeek reloads the shown week: the store's copy first (unless fresh
// only), AimHarder's answer after it.
func (m *Model) loadWeek(withCache bool) tea.Cmd {
	if !m.hasBox {
		return nil
	}
	seq := m.nextSeq()
	for d := range m.daySeq {
		m.daySeq[d] = seq
	}
	m.inflight++
	m.renderHeader()
	from := m.grid.Week()
	if withCache {
		return tea.Batch(m.cachedWeekCmd(seq, m.box, from), m.freshWeekCmd(seq, m.box, from))
	}
	return m.freshWeekCmd(seq, m.box, from)
}

// loadDay reloads one day of the shown week from AimHarder.
func (m *Model) loadDay(date aimharder.Date) tea.Cmd {
	d := m.dayIndex(date)
	if d < 0 || !m.hasBox {
		return nil
	}
	seq := m.nextSeq()
	m.daySeq[d] = seq
	m.inflight++
	m.renderHeader()
	return m.dayCmd(seq, m.box, date)
}

func (m *Model) loadStore() tea.Cmd {
	m.storeSeq = m.nextSeq()
	m.lastStore = m.now
	return m.storeCmd(m.storeSeq)
}

func (m *Model) loadHistory() tea.Cmd {
	m.historySeq = m.nextSeq()
	return m.historyCmd(m.historySeq)
}

func (m Model) dayIndex(date aimharder.Date) int {
	from := m.grid.Week()
	for d := range 7 {
		if from.AddDays(d) == date {
			return d
		}
	}
	return -1
}

func (m *Model) changeWeek(from aimharder.Date) tea.Cmd {
	if from == m.grid.Week() {
		return nil
	}
	m.grid.SetWeek(from)
	m.daySeq, m.dayFresh = [7]uint64{}, [7]bool{}
	m.placed = false
	m.applyPrebookings()
	m.syncDetail()
	m.renderHeader()
	return m.loadWeek(true)
}

// shiftWeek shows the week days away, the cursor on the same weekday at
// the class starting nearest the time it was on.
func (m *Model) shiftWeek(days int) tea.Cmd {
	m.target = &target{day: m.grid.CursorDay().AddDays(days)}
	return m.changeWeek(m.grid.Week().AddDays(days))
}

func (m *Model) goToday() tea.Cmd {
	monday := m.today.Monday()
	if monday != m.grid.Week() {
		return m.changeWeek(monday)
	}
	m.grid.SelectNext(m.today, m.now)
	m.placed = true
	m.syncDetail()
	return nil
}

// goTo shows a class: its week, the cursor on it.
func (m *Model) goTo(day aimharder.Date, classID int64) tea.Cmd {
	m.target = &target{day: day, classID: classID}
	if day.Monday() != m.grid.Week() {
		return m.changeWeek(day.Monday())
	}
	m.placeCursor()
	return nil
}

// nextOpening puts the cursor on the class whose booking opens soonest,
// looking at the next week when this one has none. While this week is
// still loading (as just after launch) it waits for the answer: days not
// loaded yet have no classes, which would send it to the next week.
func (m *Model) nextOpening() tea.Cmd {
	if m.inflight > 0 && !m.allFresh() {
		m.target = &target{nextOpening: true}
		return nil
	}
	var best *account.ClassView
	for d := range 7 {
		for _, c := range m.grid.Classes(d) {
			if c.OpensAt.IsZero() || !c.OpensAt.After(m.now) {
				continue
			}
			if best == nil || c.OpensAt.Before(best.OpensAt) {
				cc := c
				best = &cc
			}
		}
	}
	if best != nil {
		m.grid.Select(best.Date, best.ID)
		m.placed = true
		m.syncDetail()
		return nil
	}
	if m.grid.Week().AddDays(7).Before(m.today.AddDays(28)) {
		m.target = &target{nextOpening: true}
		return m.changeWeek(m.grid.Week().AddDays(7))
	}
	return nil
}

// placeCursor puts the cursor where it belongs once data arrives: on a
// requested class, else on today's next class, else on Monday.
func (m *Model) placeCursor() {
	if t := m.target; t != nil {
		if t.nextOpening {
			if m.allFresh() {
				m.target = nil
				m.placed = true
				m.nextOpening()
			}
			return
		}
		if d := m.dayIndex(t.day); d >= 0 && m.grid.Loaded(d) {
			m.grid.Select(t.day, t.classID)
			m.target = nil
			m.placed = true
		}
		return
	}
	if m.placed {
		return
	}
	day := m.grid.Week()
	if d := m.dayIndex(m.today); d >= 0 {
		day = m.today
	}
	if d := m.dayIndex(day); m.grid.Loaded(d) {
		m.grid.SelectNext(day, m.now)
		m.placed = true
	}
}

func (m Model) allFresh() bool {
	for _, f := range m.dayFresh {
		if !f {
			return false
		}
	}
	return true
}

// ---- replies ----

func (m *Model) onBoot(msg bootMsg) tea.Cmd {
	if msg.err != nil {
		m.log.Error("cannot read the database", "err", msg.err)
		m.setScreen(screenLogin)
		m.loginForm.SetError(explain(m.tx, msg.err))
		return nil
	}
	m.account = msg.account
	m.boxList = msg.boxes
	m.boxesVersion = msg.boxesVersion
	m.family = msg.family
	m.setZones()
	if !msg.loggedIn {
		m.loginForm.SetEmail(msg.account.Email)
		m.setScreen(screenLogin)
		return nil
	}
	if !msg.hasBox {
		return m.showBoxes()
	}
	return m.useBox(msg.box)
}

// useBox makes box the shown one and loads its current week.
func (m *Model) useBox(box session.Box) tea.Cmd {
	changed := !m.hasBox || m.box.ID != box.ID
	m.box, m.hasBox = box, true
	m.setZones()
	m.today = aimharder.DateOf(m.now.In(m.loc))
	m.grid.SetNow(m.now, m.today)
	m.setScreen(screenWeek)
	m.applyPrebookings()
	m.applyPlans()
	if changed {
		m.grid.SetWeek(m.today.Monday())
		m.daySeq, m.dayFresh = [7]uint64{}, [7]bool{}
		m.placed = false
	}
	return tea.Batch(m.loadWeek(true), m.loadStore())
}

func (m *Model) onWeek(msg weekMsg) tea.Cmd {
	if !msg.cached {
		m.inflight = max(m.inflight-1, 0)
		defer m.renderHeader()
	}
	if !m.hasBox || msg.boxID != m.box.ID || msg.from != m.grid.Week() {
		return nil // a week no longer shown
	}
	if msg.cached {
		for _, day := range msg.days {
			if d := m.dayIndex(day.Date); d >= 0 && !m.dayFresh[d] {
				m.setDay(day)
			}
		}
		m.placeCursor()
		m.syncDetail()
		return nil
	}
	newest := true
	for d := range m.daySeq {
		if m.daySeq[d] > msg.seq {
			newest = false
		}
	}
	refreshed := m.refreshSeq != 0 && msg.seq == m.refreshSeq
	if refreshed {
		m.refreshSeq = 0
	}
	if msg.err != nil {
		if !newest {
			return nil // superseded: its successor reports
		}
		return m.fetchFailed(msg.err)
	}
	for _, day := range msg.days {
		d := m.dayIndex(day.Date)
		if d < 0 || m.daySeq[d] != msg.seq {
			continue // a newer request covers this day
		}
		m.setDay(day)
		m.dayFresh[d] = true
	}
	m.offline = false
	m.lastFresh = m.now
	m.placeCursor()
	m.syncDetail()
	if refreshed && newest {
		// The refresh the member asked for ends with the time of the data.
		return m.toasts.Push(toast.OK, fmt.Sprintf(m.tx.Refreshed, m.lastFresh.In(m.loc).Format("15:04:05")))
	}
	return nil
}

func (m *Model) onDay(msg dayMsg) tea.Cmd {
	m.inflight = max(m.inflight-1, 0)
	defer m.renderHeader()
	d := m.dayIndex(msg.date)
	if !m.hasBox || msg.boxID != m.box.ID || d < 0 || m.daySeq[d] != msg.seq {
		return nil
	}
	if msg.err != nil {
		return m.fetchFailed(msg.err)
	}
	m.setDay(msg.day)
	m.dayFresh[d] = true
	m.placeCursor()
	m.syncDetail()
	return nil
}

// fetchFailed reports a failed load; the store's copy stays on screen.
func (m *Model) fetchFailed(err error) tea.Cmd {
	m.log.Warn("loading classes failed", "err", err)
	if needsLogin(err) {
		return m.toLogin(err)
	}
	m.offline = true
	return m.toasts.Push(toast.Error, explain(m.tx, err))
}

// toLogin shows the login form with the reason.
func (m *Model) toLogin(err error) tea.Cmd {
	m.loginForm.SetEmail(m.account.Email)
	m.loginForm.SetError(explain(m.tx, err))
	m.setScreen(screenLogin)
	return nil
}

func (m *Model) onStore(msg storeMsg) tea.Cmd {
	if msg.seq != m.storeSeq {
		return nil
	}
	if msg.err != nil {
		m.log.Warn("reading the store failed", "err", msg.err)
		return m.toasts.Push(toast.Error, explain(m.tx, msg.err))
	}
	m.prebookings = m.zones.Prebookings(msg.prebookings)
	if msg.plansErr != nil {
		m.log.Warn("reading the weekly plans failed", "err", msg.plansErr)
	} else {
		m.plans = msg.plans
		m.applyPlans()
		m.renderPlans()
	}
	switch {
	case msg.watchesErr != nil:
		m.log.Warn("reading the class watches failed", "err", msg.watchesErr)
	case msg.hasWatches:
		m.watches = msg.watches
	}
	m.sessions = msg.sessions
	familyChanged := msg.family != m.family
	m.passwordCmd = msg.passwordCommand
	m.family = msg.family
	m.members = msg.members
	m.picker.SetFamily(m.members)
	m.firing, m.hasFiring = msg.firing, msg.hasFiring
	m.applyPrebookings()
	m.renderPrebookings()
	m.syncDetail()
	m.renderHeader()
	if m.screen != screenLogin && m.screen != screenBoot {
		if msg.noDevice {
			return m.toLogin(account.ErrNotLoggedIn)
		}
		if dev, ok := m.sessions[kind]; ok && dev.State == session.StateDead {
			return m.toLogin(account.ErrSessionExpired)
		}
	}
	if familyChanged && m.screen == screenWeek {
		return m.loadWeek(false)
	}
	return nil
}

// applyPrebookings hands the shown box's prebookings to the grid.
func (m *Model) applyPrebookings() {
	var mine []session.Prebooking
	for _, p := range m.prebookings {
		if p.BoxID == m.box.ID {
			mine = append(mine, p)
		}
	}
	m.grid.SetPrebookings(mine)
}

func (m *Model) onHistory(msg historyMsg) {
	if msg.seq != m.historySeq {
		return
	}
	if msg.err != nil {
		m.log.Warn("reading history failed", "err", msg.err)
		return
	}
	m.events, m.eventsByID = m.zones.Events(msg.events), m.boxTimeByID(msg.byID)
	m.renderHistory()
}

func (m *Model) onBoxes(msg boxesMsg) tea.Cmd {
	if msg.err != nil {
		return m.toasts.Push(toast.Error, explain(m.tx, msg.err))
	}
	m.boxList, m.family, m.members = msg.boxes, msg.family, msg.members
	m.setZones()
	m.picker.SetFamily(m.members)
	m.picker.SetBoxes(m.boxList, m.box.ID, m.family)
	return nil
}

func (m *Model) onLogin(msg loginMsg) tea.Cmd {
	if msg.err != nil {
		m.log.Info("login failed", "err", msg.err)
		m.loginForm.SetError(explain(m.tx, msg.err))
		return nil
	}
	m.loginForm.SetError("")
	m.account = msg.result.Account
	m.boxList = msg.result.Boxes
	m.setZones()
	switch {
	case msg.result.HasCurrent:
		m.hasBox = false // a new login: load afresh
		return m.useBox(msg.result.Current)
	case m.hasBox:
		box := m.box
		m.hasBox = false
		return m.useBox(box)
	}
	return tea.Batch(m.showBoxes(), m.loadStore())
}

func (m *Model) onBoxSet(msg boxSetMsg) tea.Cmd {
	if msg.err != nil {
		return m.toasts.Push(toast.Error, explain(m.tx, msg.err))
	}
	return m.useBox(msg.box)
}

func (m *Model) onFamilySet(msg familySetMsg) tea.Cmd {
	if msg.err != nil {
		return m.toasts.Push(toast.Error, explain(m.tx, msg.err))
	}
	m.family = msg.id
	m.picker.SetBoxes(m.boxList, m.box.ID, m.family)
	m.renderHeader()
	// The store dropped its copies: they showed the other person's bookings.
	m.dayFresh = [7]bool{}
	return tea.Batch(m.loadWeek(false), m.loadStore())
}
