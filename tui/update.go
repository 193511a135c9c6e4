package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/boxes"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/login"
	"github.com/ahtui/ahtui/tui/planform"
	"github.com/ahtui/ahtui/tui/toast"
)

// Update routes a message: data to the model, keys to the focused component.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.KeyMsg:
		cmd = m.onKey(msg)
	case tickMsg:
		cmd = m.onTick()
		m.agendaTick()
	case toast.ExpireMsg:
		m.toasts, cmd = m.toasts.Update(msg)
	case dialog.ResultMsg:
		cmd = m.onAnswer(msg)
	case quitCheckMsg:
		cmd = m.onQuitCheck(msg)
	case dialog.OpeningMsg:
		cmd = m.onOpening(msg)
	case windowSetMsg:
		cmd = m.onWindowSet(msg)
	case EventMsg:
		cmd = m.onEvent(Event(msg))
	case reloadMsg:
		cmd = tea.Batch(m.agendaOnReload(msg), m.onReload(msg))

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

	case boxesVersionMsg:
		cmd = m.onBoxesVersion(msg)
	case screenVersionMsg:
		cmd = m.onScreenVersion(msg)
	case liveWeekMsg:
		m.onLiveWeek(msg)

	case bookMsg:
		// A "too early" answer may have taught the box's rule.
		cmd = tea.Batch(m.onBook(msg), m.checkBoxes(true))
	case cancelMsg:
		cmd = tea.Batch(m.onCancel(msg), m.agendaAfterAction())
	case watchMsg:
		cmd = m.onWatch(msg)
	case prebookMsg:
		cmd = tea.Batch(m.onPrebook(msg), m.checkBoxes(true))
	case unprebookMsg:
		cmd = tea.Batch(m.onUnprebook(msg), m.agendaAfterAction())
	case agendaMsg:
		cmd = m.onAgenda(msg)
	case agendaBoxMsg:
		cmd = m.onAgendaBox(msg)

	case planform.SubmitMsg:
		cmd = m.onPlanSubmit(msg)
	case planform.PauseMsg:
		cmd = m.onPauseSubmit(msg)
	case planDoneMsg:
		cmd = m.onPlanDone(msg)
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
		m.opening.Close()
		return m.requestQuit()
	}
	if m.dialog.IsOpen() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(k)
		return cmd
	}
	if m.opening.IsOpen() {
		var cmd tea.Cmd
		m.opening, cmd = m.opening.Update(k)
		return cmd
	}
	if m.planForm.IsOpen() {
		var cmd tea.Cmd
		m.planForm, cmd = m.planForm.Update(k)
		return cmd
	}
	if m.pauseForm.IsOpen() {
		var cmd tea.Cmd
		m.pauseForm, cmd = m.pauseForm.Update(k)
		return cmd
	}
	if m.helpOpen || m.statusOpen {
		if m.scrollHelp(k) {
			return nil
		}
		if key.Matches(k, m.keys.Help, m.keys.Back, m.keys.Quit, m.keys.Status) {
			m.helpOpen, m.statusOpen = false, false
			m.renderHelp()
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
	case screenPlans:
		return m.plansKey(k)
	case screenAgenda:
		return m.agendaKey(k)
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
		m.renderHelpBox() // the plans view lists its own keys
		m.renderHelp()
		return nil, true
	case key.Matches(k, m.keys.Status):
		m.statusOpen = true
		m.renderStatusBox() // the clock estimate moves without a message
		m.renderHelp()
		return nil, true
	case key.Matches(k, m.keys.Prebookings) && m.screen != screenPrebookings && m.hasBox:
		return m.showPrebookings(), true
	case key.Matches(k, m.keys.Plans) && m.screen != screenPlans && m.hasBox:
		return m.showPlans(), true
	case key.Matches(k, m.keys.Agenda) && m.screen != screenAgenda && m.hasBox:
		return m.showAgenda(), true
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
			return nil
		}
	}
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	switch {
	case m.grid.Handles(k):
		if cmd, ok := m.crossWeek(k); ok {
			return cmd
		}
		m.grid, _ = m.grid.Update(k)
		m.placed = true // the member chose: loads must not move the cursor
		m.target = nil
		m.syncDetail()
		return nil
	case key.Matches(k, m.keys.Detail):
		if _, ok := m.grid.Selected(); ok {
			m.detail.Top()
			if m.wide() {
				m.detailFocus = true
			} else {
				m.detailOpen = true
			}
			m.renderHelp()
		}
		return nil
	case key.Matches(k, m.keys.Back):
		m.toasts.Dismiss()
		return nil
	case key.Matches(k, m.keys.PrevWeek):
		return m.shiftWeek(-7)
	case key.Matches(k, m.keys.NextWeek):
		return m.shiftWeek(7)
	case key.Matches(k, m.keys.Today):
		return m.goToday()
	case key.Matches(k, m.keys.NextOpening):
		return m.nextOpening()
	case key.Matches(k, m.keys.Layout):
		return m.toggleLayout()
	case key.Matches(k, m.keys.Refresh):
		load := m.loadWeek(false)
		if load != nil {
			m.refreshSeq = m.seq
		}
		return tea.Batch(load, m.loadStore(), m.toasts.Push(toast.Info, m.tx.Refreshing))
	case key.Matches(k, m.keys.Book):
		return m.book()
	case key.Matches(k, m.keys.Cancel):
		return m.cancel()
	case key.Matches(k, m.keys.Prebook):
		return m.prebook()
	case key.Matches(k, m.keys.EveryWeek):
		return m.everyWeek()
	case key.Matches(k, m.keys.Watch):
		return m.watch()
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
	m.renderHelp() // the footer follows the selected row
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
	m.renderHelp() // editing the family member turns ? and q into text
	return cmd
}

// resize lays the screen out for a new size. Focus stays on something
// visible (fitLayout): the side detail that a narrower terminal hides
// gives the keys back to the grid (the detail would otherwise scroll
// unseen while the grid ignores the arrows), and an open full-screen
// detail becomes the side pane, still focused, when the terminal grows
// wide enough for it.
func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// ---- screens ----

func (m *Model) setScreen(s screen) {
	// A plan form belongs to the screen it was opened on.
	m.planForm.Close()
	m.pauseForm.Close()
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
	if m.cfg.Viewers != nil {
		return m.quit() // served: the runner lives on in `ahtui serve`
	}
	// Weekly plans need the runner too: with nothing pending yet, they
	// are what quitting stops.
	n, plans := m.pendingCount(), len(m.plans)
	if (n > 0 || plans > 0) && m.engineLeading() {
		if sf, ok := m.cfg.Engine.(StandbyFinder); ok {
			// Ask the database who else runs on it before promising
			// anything: the dialog opens with the answer.
			ctx := m.ctx
			return func() tea.Msg {
				who, ok, err := sf.Standby(ctx)
				return quitCheckMsg{standby: who, ok: ok && err == nil}
			}
		}
	}
	return m.openQuitDialog(FiringProcess{}, false)
}

// quitCheckMsg says which other runner, if any, would fire the
// prebookings once this process quits.
type quitCheckMsg struct {
	standby FiringProcess
	ok      bool
}

// onQuitCheck opens the quit dialog once the database said who else runs.
func (m *Model) onQuitCheck(msg quitCheckMsg) tea.Cmd {
	if m.quitting || m.dialog.IsOpen() {
		return nil
	}
	return m.openQuitDialog(msg.standby, msg.ok)
}

// openQuitDialog asks before quitting when this process fires pending
// prebookings or runs weekly plans. With a standby runner on the database,
// it says which one will take them over; without, that nothing will fire
// them, and offers the hand-over to `ahtui run` when it can.
func (m *Model) openQuitDialog(standby FiringProcess, hasStandby bool) tea.Cmd {
	n, plans := m.pendingCount(), len(m.plans)
	keepBody, quitBody := m.tx.ConfirmQuitKeep.N(n), m.tx.ConfirmQuitBody.N(n)
	if n == 0 && plans > 0 {
		keepBody, quitBody = m.tx.ConfirmQuitPlansKeep.N(plans), m.tx.ConfirmQuitPlans.N(plans)
	}
	if (n == 0 && plans == 0) || !m.engineLeading() {
		return m.quit()
	}
	if hasStandby {
		who := fmt.Sprintf(m.tx.QuitRunner, standby.Program, standby.Host, standby.PID)
		body := m.tx.QuitStandby.With(n, who)
		if n == 0 {
			body = m.tx.QuitStandbyPlans.With(plans, who)
		}
		m.dialog.Open(dialog.Confirm{Title: m.tx.ConfirmQuit, Body: body, Payload: intent{kind: doQuit}})
		return nil
	}
	if m.cfg.KeepRunning != nil {
		tx := m.tx
		m.dialog.Open(dialog.Confirm{
			Title: tx.ConfirmQuit,
			Body:  keepBody,
			Choices: []dialog.Choice{
				{ID: choiceBackground, Keys: []string{"b", "enter"}, Label: tx.ChoiceBackground},
				{ID: choiceQuit, Keys: []string{"y", "Y", "s", "S"}, Label: tx.ChoiceQuitAnyway},
			},
			NoLabel: tx.ChoiceStay,
			Payload: intent{kind: doQuit},
		})
		return nil
	}
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.ConfirmQuit,
		Body:    quitBody,
		Danger:  true,
		Payload: intent{kind: doQuit},
	})
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

// The quit dialog's choices when the prebookings can go on in the
// background.
const (
	choiceBackground = "background"
	choiceQuit       = "quit"
)

// keepRunning hands the prebookings to a background runner: cmd/ahtui
// starts it once this program, and its runner, have stopped.
func (m *Model) keepRunning() tea.Cmd {
	m.quitting = true
	keep := m.cfg.KeepRunning
	return func() tea.Msg {
		keep()
		return tea.QuitMsg{}
	}
}
