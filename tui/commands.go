package tui

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// All I/O happens here, in commands that return typed messages; the model
// never blocks.

const kind = session.KindDevice // the TUI always acts with the device session

func (m *Model) bootCmd() tea.Cmd {
	cfg, ctx := m.cfg, m.ctx
	return func() tea.Msg {
		var msg bootMsg
		acct, err := cfg.Store.Account(ctx)
		switch {
		case err == nil:
			msg.account, msg.hasAccount = acct, true
		case !errors.Is(err, session.ErrNoAccount):
			msg.err = err
			return msg
		}
		if s, err := cfg.Store.SessionHealth(ctx, kind); err == nil && s.State == session.StateLive {
			msg.loggedIn = true
		}
		msg.boxesVersion, _ = cfg.Store.BoxesVersion(ctx) // before the boxes: a change in between is read again
		box, err := cfg.Account.CurrentBox(ctx)
		msg.box, msg.hasBox = box, err == nil
		msg.boxes, _ = cfg.Store.Boxes(ctx)
		msg.family, _ = cfg.Store.FamilyID(ctx)
		return msg
	}
}

// cachedWeekCmd reads the store's copy of a week: shown at once.
func (m *Model) cachedWeekCmd(seq uint64, box session.Box, from aimharder.Date) tea.Cmd {
	acct, ctx := m.cfg.Account, m.ctx
	return func() tea.Msg {
		msg := weekMsg{seq: seq, boxID: box.ID, from: from, cached: true}
		for d := range 7 {
			day, ok, err := acct.CachedDay(ctx, box, from.AddDays(d))
			if err == nil && ok {
				msg.days = append(msg.days, day)
			}
		}
		return msg
	}
}

// freshWeekCmd fetches a week from AimHarder (seven requests at once).
func (m *Model) freshWeekCmd(seq uint64, box session.Box, from aimharder.Date) tea.Cmd {
	acct := m.cfg.Account
	base, to := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		days, err := acct.Week(ctx, kind, box, from)
		return weekMsg{seq: seq, boxID: box.ID, from: from, days: days, err: err}
	}
}

// dayCmd fetches one day from AimHarder.
func (m *Model) dayCmd(seq uint64, box session.Box, date aimharder.Date) tea.Cmd {
	acct := m.cfg.Account
	base, to := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		day, err := acct.Day(ctx, kind, box, date)
		return dayMsg{seq: seq, boxID: box.ID, date: date, day: day, err: err}
	}
}

// storeCmd reads the prebookings, the weekly plans with their next
// occurrences, the sessions' health and the family member from the store.
func (m *Model) storeCmd(seq uint64) tea.Cmd {
	st, acct, ctx, engine := m.cfg.Store, m.cfg.Account, m.ctx, m.cfg.Engine
	return func() tea.Msg {
		msg := storeMsg{seq: seq, sessions: map[session.Kind]session.Health{}}
		msg.prebookings, msg.err = st.Prebookings(ctx, session.PrebookingQuery{Limit: 500})
		msg.plans, msg.plansErr = acct.ListPlans(ctx)
		msg.watches, msg.hasWatches, msg.watchesErr = readWatches(ctx, acct)
		for _, k := range session.Kinds {
			s, err := st.SessionHealth(ctx, k)
			switch {
			case err == nil:
				msg.sessions[k] = s
			case errors.Is(err, session.ErrNoSession) && k == kind:
				msg.noDevice = true
			}
		}
		msg.family, _ = st.FamilyID(ctx)
		msg.members = familyMembers(ctx, st)
		_, msg.passwordCommand, _ = st.PasswordCommand(ctx)
		if lf, ok := engine.(LeaderFinder); ok {
			msg.firing, msg.hasFiring, _ = lf.FiringProcess(ctx)
		}
		return msg
	}
}

func (m *Model) historyCmd(seq uint64) tea.Cmd {
	st, ctx := m.cfg.Store, m.ctx
	return func() tea.Msg {
		msg := historyMsg{seq: seq}
		msg.events, msg.err = st.History(ctx, session.HistoryQuery{Limit: 200})
		if msg.err != nil {
			return msg
		}
		list, err := st.Prebookings(ctx, session.PrebookingQuery{})
		if err != nil {
			msg.err = err
			return msg
		}
		msg.byID = make(map[int64]session.Prebooking, len(list))
		for _, p := range list {
			msg.byID[p.ID] = p
		}
		return msg
	}
}

func (m *Model) boxesCmd() tea.Cmd {
	st, ctx := m.cfg.Store, m.ctx
	return func() tea.Msg {
		boxes, err := st.Boxes(ctx)
		family, _ := st.FamilyID(ctx)
		return boxesMsg{boxes: boxes, family: family, members: familyMembers(ctx, st), err: err}
	}
}

func (m *Model) loginCmd(email, password string) tea.Cmd {
	acct := m.cfg.Account
	base, to := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		res, err := acct.Login(ctx, email, password)
		return loginMsg{result: res, err: err}
	}
}

func (m *Model) setBoxCmd(box session.Box) tea.Cmd {
	st, ctx := m.cfg.Store, m.ctx
	return func() tea.Msg {
		return boxSetMsg{box: box, err: st.SetCurrentBox(ctx, box.ID)}
	}
}

func (m *Model) setFamilyCmd(id string) tea.Cmd {
	st, ctx := m.cfg.Store, m.ctx
	return func() tea.Msg {
		return familySetMsg{id: id, err: st.SetSetting(ctx, session.SettingFamilyID, id)}
	}
}

// bookCmd books a class; the account service records the outcome in the
// history, as it does for `ahtui book`.
// A person chosen on the For line is booked for through FamilyBooker.
func (m *Model) bookCmd(box session.Box, c account.ClassView, waitlist bool, w who) tea.Cmd {
	acct := m.cfg.Account
	fb, forOne := acct.(FamilyBooker)
	base, to := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		var out account.BookOutcome
		var err error
		if w.set && forOne {
			out, err = fb.BookFor(ctx, kind, box, c.ID, c.Date, waitlist, w.id)
		} else {
			out, err = acct.Book(ctx, kind, box, c.ID, c.Date, waitlist)
		}
		return bookMsg{box: box, class: c, waitlist: waitlist, who: w, outcome: out, err: err}
	}
}

// cancelCmd cancels a booking; the account service records the outcome.
func (m *Model) cancelCmd(box session.Box, c account.ClassView, late bool) tea.Cmd {
	acct := m.cfg.Account
	base, to := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		out, err := acct.Cancel(ctx, kind, box, c.ID, c.Date, late)
		return cancelMsg{class: c, outcome: out, err: err}
	}
}

// History kinds of the member's own actions, recorded by the account
// service.
const (
	EventBook   = account.EventBook
	EventCancel = account.EventCancel
)

// prebookCmd stores a prebooking through the account service, which
// learns an unknown window with one booking attempt (a success has simply
// booked the class), exactly as `ahtui prebook add` does.
func (m *Model) prebookCmd(box session.Box, c account.ClassView, w who) tea.Cmd {
	acct := m.cfg.Account
	fb, forOne := acct.(FamilyBooker)
	base, to := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		// Waitlist off, as `ahtui prebook add` without --waitlist.
		var res account.PrebookResult
		var err error
		if w.set && forOne {
			res, err = fb.PrebookFor(ctx, kind, box, c.ID, c.Date, false, w.id)
		} else {
			res, err = acct.Prebook(ctx, kind, box, c.ID, c.Date, false)
		}
		return prebookMsg{class: c, who: w, prebooking: res.Prebooking, booked: res.Booked, err: err}
	}
}

func (m *Model) unprebookCmd(c account.ClassView, id int64) tea.Cmd {
	st, ctx := m.cfg.Store, m.ctx
	return func() tea.Msg {
		p, err := st.CancelPrebooking(ctx, id)
		return unprebookMsg{class: c, prebooking: p, err: err}
	}
}

// tick fires on every wall-clock second.
func (m *Model) tick() tea.Cmd {
	return m.every(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// reloadAfter gathers events arriving close together into one reload.
func (m *Model) reloadAfter(gen int) tea.Cmd {
	return m.after(150*time.Millisecond, func(time.Time) tea.Msg { return reloadMsg{gen: gen} })
}
