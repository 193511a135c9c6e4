package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// ---- live across processes ----
//
// A booking made by `ahtui book`, a prebooking added by another TUI, a
// plan edited over SSH: every write to what a screen shows bumps the
// store's screen version (session.Store.ScreenVersion, kept by triggers).
// It is read every second with the clock tick — one row, no request to
// AimHarder — and when it moved, what the screen shows is read again from
// the store only: the prebookings, plans, sessions and family member, the
// history or the agenda when shown, and the shown week's cached class
// lists (which the account service keeps current after every book and
// cancel, whichever process made it).

// ScreenVersioner is what a Store may also tell (*session.Store does):
// a number that moves with every write to what a screen shows, by any
// process on the database. A Store without it is not watched.
type ScreenVersioner interface {
	ScreenVersion(ctx context.Context) (int64, error)
}

// screenVersionMsg is the store's screen version.
type screenVersionMsg struct {
	version int64
	err     error
}

// liveWeekMsg is the store's copy of the shown week, read because another
// process (or this one) wrote to the store.
type liveWeekMsg struct {
	boxID int64
	from  aimharder.Date
	days  []account.DayView
}

// dayKey names a shown day of a box.
type dayKey struct {
	box  int64
	date aimharder.Date
}

// checkScreen reads the screen version; one read at a time.
func (m *Model) checkScreen() tea.Cmd {
	sv, ok := m.cfg.Store.(ScreenVersioner)
	if !ok || m.checkingScreen {
		return nil
	}
	m.checkingScreen = true
	ctx := m.ctx
	return func() tea.Msg {
		v, err := sv.ScreenVersion(ctx)
		return screenVersionMsg{version: v, err: err}
	}
}

func (m *Model) onScreenVersion(msg screenVersionMsg) tea.Cmd {
	m.checkingScreen = false
	if msg.err != nil {
		m.log.Debug("reading the screen version failed", "err", msg.err)
		return nil
	}
	if msg.version == m.screenVersion {
		return nil
	}
	// The first read reloads too: a write between the boot's reads and
	// this one would otherwise go unseen.
	m.screenVersion = msg.version
	return m.reloadFromStore()
}

// reloadFromStore reads again from the store, never from AimHarder,
// everything the screen shows.
func (m *Model) reloadFromStore() tea.Cmd {
	if m.screen == screenBoot || m.screen == screenLogin {
		return nil // the boot or the login reads what follows
	}
	cmds := []tea.Cmd{m.loadStore()}
	switch m.screen {
	case screenHistory:
		cmds = append(cmds, m.loadHistory())
	case screenAgenda:
		cmds = append(cmds, m.loadAgenda(true))
	}
	if m.hasBox {
		cmds = append(cmds, m.liveWeekCmd(m.box, m.grid.Week()))
	}
	return tea.Batch(cmds...)
}

func (m *Model) liveWeekCmd(box session.Box, from aimharder.Date) tea.Cmd {
	acct, ctx := m.cfg.Account, m.ctx
	return func() tea.Msg {
		msg := liveWeekMsg{boxID: box.ID, from: from}
		for d := range 7 {
			day, ok, err := acct.CachedDay(ctx, box, from.AddDays(d))
			if err == nil && ok {
				msg.days = append(msg.days, day)
			}
		}
		return msg
	}
}

// onLiveWeek shows the store's copy of each day that is at least as new
// as what the day shows: a copy older than AimHarder's last answer shown
// here (another process's, read before it) is not.
func (m *Model) onLiveWeek(msg liveWeekMsg) {
	if !m.hasBox || msg.boxID != m.box.ID || msg.from != m.grid.Week() {
		return // a week no longer shown
	}
	changed := false
	for _, day := range msg.days {
		if m.dayIndex(day.Date) < 0 || day.FetchedAt.Before(m.shownAt(msg.boxID, day.Date)) {
			continue
		}
		m.setDay(day)
		changed = true
	}
	if changed {
		m.placeCursor()
		m.syncDetail()
	}
}

// setDay shows a day's classes under the box's rule and notes when they
// were read.
func (m *Model) setDay(day account.DayView) {
	if m.dayAt == nil {
		m.dayAt = map[dayKey]time.Time{}
	}
	k := dayKey{box: m.box.ID, date: day.Date}
	if day.FetchedAt.After(m.dayAt[k]) {
		m.dayAt[k] = day.FetchedAt
	}
	m.grid.SetDay(m.underRule(day))
}

// shownAt is when the shown copy of a day was read (zero: never).
func (m *Model) shownAt(box int64, date aimharder.Date) time.Time {
	return m.dayAt[dayKey{box: box, date: date}]
}

// FamilyLister is what a Store may also tell (*session.Store does): the
// family members the account named, to choose among by name.
type FamilyLister interface {
	FamilyMembers(ctx context.Context) ([]session.FamilyMember, error)
}

func familyMembers(ctx context.Context, st Store) []session.FamilyMember {
	fl, ok := st.(FamilyLister)
	if !ok {
		return nil
	}
	list, _ := fl.FamilyMembers(ctx)
	return list
}

// familyName is the family member bookings are for, by name when named.
func (m Model) familyName() string {
	if name := session.FamilyName(m.members, m.family); name != "" {
		return name
	}
	return m.family
}
