package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/boxes"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/login"
	"github.com/ahtui/ahtui/tui/toast"
)

// statusEvery is how often the store's view of sessions and prebookings is
// read again without being told.
const statusEvery = 30 * time.Second

// Update routes a message: data to the model, keys to the focused component.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case tea.KeyMsg:
		cmd = m.onKey(msg)
	case tickMsg:
		cmd = m.onTick()
	case toast.ExpireMsg:
		m.toasts, cmd = m.toasts.Update(msg)
	case dialog.ResultMsg:
		cmd = m.onAnswer(msg)
	case EventMsg:
		cmd = m.onEvent(Event(msg))
	case reloadMsg:
		cmd = m.onReload(msg)

	case bootMsg:
		cmd = m.onBoot(msg)
	case weekMsg:
		cmd = m.onWeek(msg)
	case dayMsg:
		cmd = m.onDay(msg)
	case storeMsg:
		cmd = m.onStore(msg)
	case historyMsg:
		m.onHistory(msg)
	case boxesMsg:
		cmd = m.onBoxes(msg)

	case login.SubmitMsg:
		cmd = m.loginCmd(msg.Email, msg.Password)
	case loginMsg:
		cmd = m.onLogin(msg)
	case boxes.ChooseMsg:
		cmd = m.setBoxCmd(msg.Box)
	case boxSetMsg:
		cmd = m.onBoxSet(msg)
	case boxes.FamilyMsg:
		cmd = m.setFamilyCmd(msg.ID)
	case familySetMsg:
		cmd = m.onFamilySet(msg)

	case bookMsg:
		cmd = m.onBook(msg)
	case cancelMsg:
		cmd = m.onCancel(msg)
	case prebookMsg:
		cmd = m.onPrebook(msg)
	case unprebookMsg:
		cmd = m.onUnprebook(msg)
	}
	return m, cmd
}

// ---- keys ----

func (m *Model) onKey(k tea.KeyMsg) tea.Cmd {
	if key.Matches(k, m.keys.ForceQuit) {
		if m.dialog.IsOpen() {
			if it, ok := m.dialog.Current().Payload.(intent); ok && it.kind == doQuit {
				return m.quit()
			}
		}
		return m.requestQuit()
	}
	if m.dialog.IsOpen() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(k)
		return cmd
	}
	if m.helpOpen {
		if key.Matches(k, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.helpOpen = false
		}
		return nil
	}
	switch m.screen {
	case screenBoot:
		if key.Matches(k, m.keys.Quit) {
			return m.quit()
		}
		return nil
	case screenLogin:
		if key.Matches(k, m.keys.Back) && m.hasBox && !m.loginForm.Busy() && m.deviceLive() {
			m.setScreen(screenWeek)
			return nil
		}
		var cmd tea.Cmd
		m.loginForm, cmd = m.loginForm.Update(k)
		return cmd
	case screenBoxes:
		return m.boxesKey(k)
	case screenPrebookings:
		return m.prebookingsKey(k)
	case screenHistory:
		return m.historyKey(k)
	}
	return m.weekKey(k)
}

// globalKey handles the keys every list-like screen shares.
func (m *Model) globalKey(k tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.requestQuit(), true
	case key.Matches(k, m.keys.Help):
		m.helpOpen = true
		return nil, true
	case key.Matches(k, m.keys.Prebookings) && m.screen != screenPrebookings && m.hasBox:
		return m.showPrebookings(), true
	case key.Matches(k, m.keys.History) && m.screen != screenHistory:
		return m.showHistory(), true
	case key.Matches(k, m.keys.Boxes) && m.screen != screenBoxes:
		return m.showBoxes(), true
	}
	return nil, false
}

func (m *Model) weekKey(k tea.KeyMsg) tea.Cmd {
	// The detail has the keyboard: it scrolls, and esc/enter give it back.
	if m.detailFocus || m.detailOpen {
		switch {
		case key.Matches(k, m.keys.Back, m.keys.Detail):
			m.detailFocus, m.detailOpen = false, false
			m.renderHelp()
			return nil
		case key.Matches(k, m.detail.Keys.Up, m.detail.Keys.Down, m.detail.Keys.PageUp, m.detail.Keys.PageDown):
			m.detail, _ = m.detail.Update(k)
			m.renderDetailBox()
			return nil
		}
	}
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	switch {
	case m.grid.Handles(k):
		m.grid, _ = m.grid.Update(k)
		m.syncDetail()
		return nil
	case key.Matches(k, m.keys.Detail):
		if _, ok := m.grid.Selected(); ok {
			if m.wide() {
				m.detailFocus = true
			} else {
				m.detailOpen = true
				m.renderDetailBox()
			}
			m.renderHelp()
		}
		return nil
	case key.Matches(k, m.keys.Back):
		m.toasts.Dismiss()
		return nil
	case key.Matches(k, m.keys.PrevWeek):
		return m.changeWeek(m.grid.Week().AddDays(-7))
	case key.Matches(k, m.keys.NextWeek):
		return m.changeWeek(m.grid.Week().AddDays(7))
	case key.Matches(k, m.keys.Today):
		return m.goToday()
	case key.Matches(k, m.keys.NextOpening):
		return m.nextOpening()
	case key.Matches(k, m.keys.Refresh):
		return tea.Batch(m.loadWeek(false), m.loadStore(), m.toasts.Push(toast.Info, m.tx.Refreshing))
	case key.Matches(k, m.keys.Book):
		return m.book()
	case key.Matches(k, m.keys.Cancel):
		return m.cancel()
	case key.Matches(k, m.keys.Prebook):
		return m.prebook()
	}
	return nil
}

func (m *Model) prebookingsKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Back, m.keys.Prebookings):
		m.setScreen(screenWeek)
		return nil
	case key.Matches(k, m.keys.Refresh):
		return m.loadStore()
	case key.Matches(k, m.keys.Remove):
		if p, ok := m.selectedPrebooking(); ok && !p.Status.Final() && p.Status != session.PrebookFiring {
			c := classOf(p)
			m.dialog.Open(dialog.Confirm{
				Title:   m.tx.ConfirmUnprebook,
				Body:    fmt.Sprintf(m.tx.ConfirmUnprebookBody, m.className(c)),
				Payload: intent{kind: doUnprebook, class: c, prebookingID: p.ID},
			})
		}
		return nil
	case key.Matches(k, m.keys.Open):
		if p, ok := m.selectedPrebooking(); ok && p.BoxID == m.box.ID {
			m.setScreen(screenWeek)
			return m.goTo(p.Day, p.ClassID)
		}
		return nil
	}
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	m.prebookList, _ = m.prebookList.Update(k)
	return nil
}

func (m *Model) historyKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Back, m.keys.History):
		m.setScreen(screenWeek)
		return nil
	case key.Matches(k, m.keys.Refresh):
		return m.loadHistory()
	}
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	m.historyList, _ = m.historyList.Update(k)
	return nil
}

func (m *Model) boxesKey(k tea.KeyMsg) tea.Cmd {
	if !m.picker.Editing() {
		switch {
		case key.Matches(k, m.keys.Back) && m.hasBox:
			m.setScreen(screenWeek)
			return nil
		case key.Matches(k, m.keys.Boxes) && m.hasBox:
			m.setScreen(screenWeek)
			return nil
		}
		if cmd, ok := m.globalKey(k); ok {
			return cmd
		}
	}
	var cmd tea.Cmd
	m.picker, cmd = m.picker.Update(k)
	return cmd
}

// ---- screens ----

func (m *Model) setScreen(s screen) {
	m.screen = s
	m.detailFocus, m.detailOpen = false, false
	m.renderHelp()
	m.renderHeader()
}

func (m *Model) showPrebookings() tea.Cmd {
	m.setScreen(screenPrebookings)
	m.renderPrebookings()
	return m.loadStore()
}

func (m *Model) showHistory() tea.Cmd {
	m.setScreen(screenHistory)
	return m.loadHistory()
}

func (m *Model) showBoxes() tea.Cmd {
	m.setScreen(screenBoxes)
	m.picker.SetBoxes(m.boxList, m.box.ID, m.family)
	return m.boxesCmd()
}

func (m *Model) requestQuit() tea.Cmd {
	if n := m.pendingCount(); n > 0 && m.engineLeading() {
		m.dialog.Open(dialog.Confirm{
			Title:   m.tx.ConfirmQuit,
			Body:    fmt.Sprintf(m.tx.ConfirmQuitBody, n),
			Danger:  true,
			Payload: intent{kind: doQuit},
		})
		return nil
	}
	return m.quit()
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

// ---- loading ----

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

func (m *Model) goToday() tea.Cmd {
	monday := m.today.Monday()
	if monday != m.grid.Week() {
		return m.changeWeek(monday)
	}
	m.grid.SelectNext(m.today, m.now)
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
// looking at the next week when this one has none.
func (m *Model) nextOpening() tea.Cmd {
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
	m.family = msg.family
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
	if loc, err := box.Location(); err == nil {
		m.loc = loc
	}
	m.today = aimharder.DateOf(m.now.In(m.loc))
	m.grid.SetNow(m.now, m.today)
	m.setScreen(screenWeek)
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
				m.grid.SetDay(day)
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
		m.grid.SetDay(day)
		m.dayFresh[d] = true
	}
	m.offline = false
	m.lastFresh = m.now
	m.placeCursor()
	m.syncDetail()
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
	m.grid.SetDay(msg.day)
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
	m.prebookings = msg.prebookings
	m.sessions = msg.sessions
	familyChanged := msg.family != m.family
	m.family = msg.family
	m.applyPrebookings()
	m.renderPrebookings()
	m.syncDetail()
	m.renderHeader()
	if dev, ok := m.sessions[kind]; (!ok || dev.State == session.StateDead) && m.screen != screenLogin && m.screen != screenBoot {
		reason := account.ErrSessionExpired
		if !ok {
			reason = account.ErrNotLoggedIn
		}
		return m.toLogin(reason)
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
	m.events, m.eventsByID = msg.events, msg.byID
	m.renderHistory()
}

func (m *Model) onBoxes(msg boxesMsg) tea.Cmd {
	if msg.err != nil {
		return m.toasts.Push(toast.Error, explain(m.tx, msg.err))
	}
	m.boxList, m.family = msg.boxes, msg.family
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
	switch {
	case msg.result.HasCurrent:
		m.hasBox = false // a new login: load afresh
		return m.useBox(msg.result.Current)
	case m.hasBox:
		box := m.box
		m.hasBox = false
		return m.useBox(box)
	}
	return m.showBoxes()
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

// ---- clock and events ----

func (m *Model) onTick() tea.Cmd {
	m.now = m.cfg.Now()
	m.today = aimharder.DateOf(m.now.In(m.loc))
	m.grid.SetNow(m.now, m.today)
	m.detail.SetNow(m.now)
	if m.detailOpen {
		m.renderDetailBox()
	}
	if m.screen == screenPrebookings {
		m.renderPrebookings()
	}
	m.renderHeader()
	cmds := []tea.Cmd{m.tick()}
	if m.hasBox && m.screen != screenLogin && m.screen != screenBoot {
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
		cmds = append(cmds, m.outcomeToast(ev))
	case EventWarning:
		if ev.Message != "" {
			cmds = append(cmds, m.toasts.Push(toast.Warn, ev.Message))
		}
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
	status := tx.PrebookStatus[string(ev.Status)]
	if status == "" {
		status = string(ev.Status)
	}
	switch ev.Status {
	case session.PrebookBooked, session.PrebookWaitlisted:
		return m.toasts.Push(toast.OK, fmt.Sprintf(tx.PrebookOutcomeOK, ev.Class, status))
	}
	reason := status
	if ev.Message != "" {
		reason += ` — "` + ev.Message + `"`
	}
	return m.toasts.Push(toast.Error, fmt.Sprintf(tx.PrebookOutcomeFail, ev.Class, reason))
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
