package tui

import (
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/toast"
)

// intentKind is what a confirmation, once answered yes, does.
type intentKind int

const (
	doBook intentKind = iota
	doWaitlist
	doCancel
	doLateCancel
	doPrebook
	doUnprebook
	doQuit
)

// intent travels in a confirmation dialog's payload.
type intent struct {
	kind         intentKind
	class        account.ClassView
	opensAt      time.Time
	prebookingID int64
	who          who // for whom a booking or prebooking is
}

// className names a class for messages: "WOD Thu 26 Nov 07:00".
func (m *Model) className(c account.ClassView) string {
	s := c.Name
	if !c.Date.IsZero() {
		s += " " + m.tx.ShortDate(c.Date)
	}
	if !c.Start.IsZero() {
		s += " " + c.Start.Format("15:04")
	}
	return s
}

// classOf rebuilds enough of a class from a prebooking to act on it.
func classOf(p session.Prebooking) account.ClassView {
	var c account.ClassView
	c.ID, c.Name, c.Date, c.Start = p.ClassID, p.ClassName, p.Day, p.ClassStart
	c.OpensAt = p.OpensAt
	return c
}

// selected is the class under the cursor with its grid state.
func (m *Model) selected() (account.ClassView, grid.State, *session.Prebooking, bool) {
	c, ok := m.grid.Selected()
	if !ok {
		return c, grid.Open, nil, false
	}
	var p *session.Prebooking
	if pb, ok := m.grid.Prebooking(c.ID, c.Date); ok {
		p = &pb
	}
	return c, grid.StateOf(c, p, m.now), p, true
}

// book is the b key: book, or ask first when the class is full (waitlist)
// or not open yet (prebook).
func (m *Model) book() tea.Cmd {
	c, st, p, ok := m.selected()
	tx := m.tx
	switch {
	case !ok:
		return m.toasts.Push(toast.Info, tx.NothingToBook)
	case m.grid.Busy(c.ID):
		return m.toasts.Push(toast.Info, tx.BusyWith)
	case st == grid.Past:
		return m.toasts.Push(toast.Info, tx.ClassPast)
	case st == grid.Booked && m.canChoose() && !c.StaffManaged:
		// A parent with a place may book a child into the same class.
		m.confirmBookOther(c)
		return nil
	case st == grid.Booked || st == grid.Waitlisted:
		return m.toasts.Push(toast.Info, tx.AlreadyYours)
	case c.StaffManaged:
		return m.toasts.Push(toast.Warn, tx.StaffOnly)
	case st == grid.Prebooked || st == grid.Firing:
		return m.toasts.Push(toast.Info, m.prebookingNote(c, p))
	case st == grid.Full:
		m.confirmWaitlist(c, who{})
		return nil
	case st == grid.NotOpen:
		if rule := m.box.Rule(); !m.askOpening(m.box, c, c.OpensAt, rule.Assumed(), rule.String(), who{}) {
			m.confirmPrebook(c, c.OpensAt, who{})
		}
		return nil
	}
	if f := m.forChoice(who{}); f != nil {
		// Family members: for whom, asked before sending.
		m.dialog.Open(dialog.Confirm{
			Title:   m.tx.ConfirmBook,
			Body:    fmt.Sprintf(m.tx.ConfirmBookBody, m.className(c)),
			Payload: intent{kind: doBook, class: c},
			For:     f,
		})
		return nil
	}
	return m.run(intent{kind: doBook, class: c})
}

func (m *Model) prebookingNote(c account.ClassView, p *session.Prebooking) string {
	if p == nil || p.OpensAt.IsZero() {
		return fmt.Sprintf(m.tx.PrebookedNoRule, m.className(c))
	}
	return fmt.Sprintf(m.tx.Prebooked, m.className(c), m.tx.DateTime(m.boxTime(p.BoxID, p.OpensAt)))
}

// cancel is the c key: cancel a booking (confirmed), or remove a prebooking.
func (m *Model) cancel() tea.Cmd {
	c, st, p, ok := m.selected()
	tx := m.tx
	switch {
	case !ok:
		return m.toasts.Push(toast.Info, tx.NothingToCancel)
	case m.grid.Busy(c.ID):
		return m.toasts.Push(toast.Info, tx.BusyWith)
	case st == grid.Booked || st == grid.Waitlisted:
		m.dialog.Open(dialog.Confirm{
			Title:   tx.ConfirmCancel,
			Body:    fmt.Sprintf(tx.ConfirmCancelBody, m.className(c)) + m.planDayNote(c),
			Payload: intent{kind: doCancel, class: c},
		})
		return nil
	case st == grid.Prebooked && p != nil:
		m.confirmUnprebook(c, *p)
		return nil
	case st == grid.Past:
		return m.toasts.Push(toast.Info, tx.ClassPast)
	}
	return m.toasts.Push(toast.Info, tx.NothingToCancel)
}

// prebook is the p key: prebook a class not open yet, remove its
// prebooking, or simply book it when booking is already open.
func (m *Model) prebook() tea.Cmd {
	c, st, p, ok := m.selected()
	tx := m.tx
	switch {
	case !ok:
		return m.toasts.Push(toast.Info, tx.NothingToBook)
	case m.grid.Busy(c.ID):
		return m.toasts.Push(toast.Info, tx.BusyWith)
	case st == grid.Prebooked && p != nil:
		m.confirmUnprebook(c, *p)
		return nil
	case st == grid.Firing:
		return m.toasts.Push(toast.Info, m.prebookingNote(c, p))
	case st == grid.Past:
		return m.toasts.Push(toast.Info, tx.ClassPast)
	case st == grid.Booked || st == grid.Waitlisted:
		return m.toasts.Push(toast.Info, tx.AlreadyYours)
	case st == grid.NotOpen || (st == grid.Failed && c.OpensAt.After(m.now)):
		if m.canChoose() {
			m.confirmPrebook(c, c.OpensAt, who{})
			return nil
		}
		return m.run(intent{kind: doPrebook, class: c, opensAt: c.OpensAt})
	case c.OpensAt.IsZero():
		// Unknown window: the prebooking's first step learns it.
		if m.canChoose() {
			m.confirmPrebook(c, time.Time{}, who{})
			return nil
		}
		return m.run(intent{kind: doPrebook, class: c})
	}
	// Booking is open: prebooking it would only book it now.
	return m.book()
}

// confirmWaitlist offers the waitlist of a full class, for w's person
// (chosen again on the For line when family members are named).
func (m *Model) confirmWaitlist(c account.ClassView, w who) {
	f := m.forChoice(w)
	if f != nil {
		w.set = false // the For line says for whom
	}
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.ConfirmWaitlist,
		Body:    fmt.Sprintf(m.tx.ConfirmWaitlistBody, m.classFor(c, w)),
		Payload: intent{kind: doWaitlist, class: c, who: w},
		For:     f,
	})
}

func (m *Model) confirmPrebook(c account.ClassView, opensAt time.Time, w who) {
	f := m.forChoice(w)
	if f != nil {
		w.set = false // the For line says for whom
	}
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.ConfirmPrebook,
		Body:    m.prebookBody(c, opensAt, w),
		Payload: intent{kind: doPrebook, class: c, opensAt: opensAt, who: w},
		For:     f,
	})
}

// prebookBody offers to prebook a class not open yet.
func (m *Model) prebookBody(c account.ClassView, opensAt time.Time, w who) string {
	if opensAt.IsZero() {
		return fmt.Sprintf(m.tx.ConfirmPrebookNoRule, m.classFor(c, w))
	}
	return fmt.Sprintf(m.tx.ConfirmPrebookBody, m.classFor(c, w), m.tx.DateTime(m.boxTime(m.box.ID, opensAt)))
}

func (m *Model) confirmUnprebook(c account.ClassView, p session.Prebooking) {
	// With family members named, the question says whose prebooking it
	// is: a parent's and a child's of one class are two.
	name := m.className(c)
	if w := m.whoWords(p.FamilyID); w != "" {
		name += " (" + w + ")"
	}
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.ConfirmUnprebook,
		Body:    fmt.Sprintf(m.tx.ConfirmUnprebookBody, name) + m.planDayNote(c),
		Payload: intent{kind: doUnprebook, class: c, prebookingID: p.ID},
	})
}

// planDayNote warns, when a plan books c, that cancelling it (or its
// prebooking) counts as the member's "not this day": the plan does not
// book it again (docs/product.md, weekly plans).
func (m *Model) planDayNote(c account.ClassView) string {
	if pm, ok := m.grid.Plan(c.ID, c.Date); ok {
		return " " + fmt.Sprintf(m.tx.PlanDayNote, pm.PlanID)
	}
	return ""
}

// onAnswer acts on a confirmation answered yes.
func (m *Model) onAnswer(msg dialog.ResultMsg) tea.Cmd {
	if pi, ok := msg.Payload.(planIntent); ok {
		return m.onPlanAnswer(pi, msg.Yes)
	}
	if wi, ok := msg.Payload.(watchIntent); ok {
		return m.onWatchAnswer(wi, msg)
	}
	it, ok := msg.Payload.(intent)
	if !ok || !msg.Yes {
		return nil
	}
	if msg.ForSet {
		it.who = who{id: msg.ForID, set: true}
	}
	if it.kind == doQuit && msg.Choice == choiceBackground && m.cfg.KeepRunning != nil {
		return m.keepRunning()
	}
	return m.run(it)
}

// run starts an action; its class shows busy until the answer.
func (m *Model) run(it intent) tea.Cmd {
	c := it.class
	switch it.kind {
	case doQuit:
		return m.quit()
	case doUnprebook:
		return m.unprebookCmd(c, it.prebookingID)
	}
	m.grid.SetBusy(c.ID, true)
	m.syncDetail()
	switch it.kind {
	case doBook:
		return m.bookCmd(m.box, c, false, it.who)
	case doWaitlist:
		return m.bookCmd(m.box, c, true, it.who)
	case doCancel:
		return m.cancelCmd(m.box, c, false)
	case doLateCancel:
		return m.cancelCmd(m.box, c, true)
	case doPrebook:
		return m.prebookCmd(m.box, c, it.who)
	}
	return nil
}

func (m *Model) done(c account.ClassView) {
	m.grid.SetBusy(c.ID, false)
	m.syncDetail()
}

func (m *Model) onBook(msg bookMsg) tea.Cmd {
	m.done(msg.class)
	tx, c := m.tx, msg.class
	name := m.classFor(c, msg.who)
	var te *account.TooEarlyError
	switch {
	case msg.err == nil:
		text := fmt.Sprintf(tx.Booked, name)
		switch {
		case msg.outcome.AlreadyBooked:
			text = fmt.Sprintf(tx.AlreadyBooked, name)
		case msg.outcome.Unsettled:
			text = fmt.Sprintf(tx.BookedUnsettled, name)
		case msg.outcome.State == aimharder.StateWaitlisted:
			text = fmt.Sprintf(tx.Waitlisted, name)
		}
		return tea.Batch(m.toasts.Push(toast.OK, text), m.loadDay(c.Date), m.loadStore())
	case errors.As(msg.err, &te):
		// Offered at once: the member wanted this class. When the refusal
		// taught only "N days", the same dialog asks how the box opens.
		if !m.askOpening(msg.box, c, te.OpensAt, te.Assumed, te.Rule, msg.who) {
			m.confirmPrebook(c, te.OpensAt, msg.who)
		}
		return m.loadDay(c.Date)
	case errors.Is(msg.err, aimharder.ErrFull) && !msg.waitlist:
		m.confirmWaitlist(c, msg.who)
		return m.loadDay(c.Date)
	case needsLogin(msg.err):
		return m.toLogin(msg.err)
	}
	m.log.Info("booking failed", "class", c.ID, "err", msg.err)
	return tea.Batch(m.toasts.Push(toast.Error, explain(tx, msg.err)), m.loadDay(c.Date))
}

func (m *Model) onCancel(msg cancelMsg) tea.Cmd {
	m.done(msg.class)
	tx, c := m.tx, msg.class
	switch {
	case msg.err == nil:
		text := fmt.Sprintf(tx.Cancelled, m.className(c))
		if msg.outcome.Late {
			text = fmt.Sprintf(tx.CancelledLate, m.className(c))
		}
		return tea.Batch(m.toasts.Push(toast.OK, text), m.loadDay(c.Date))
	case errors.Is(msg.err, account.ErrLateCancelNeedsConsent):
		m.dialog.Open(dialog.Confirm{
			Title:   tx.ConfirmLate,
			Body:    fmt.Sprintf(tx.ConfirmLateBody, m.className(c)),
			Danger:  true,
			Payload: intent{kind: doLateCancel, class: c},
		})
		return nil
	case needsLogin(msg.err):
		return m.toLogin(msg.err)
	}
	m.log.Info("cancel failed", "class", c.ID, "err", msg.err)
	return tea.Batch(m.toasts.Push(toast.Error, explain(tx, msg.err)), m.loadDay(c.Date))
}

func (m *Model) onPrebook(msg prebookMsg) tea.Cmd {
	m.done(msg.class)
	tx, c := m.tx, msg.class
	name := m.classFor(c, msg.who)
	switch {
	case msg.booked != nil:
		return tea.Batch(m.toasts.Push(toast.OK, fmt.Sprintf(tx.WindowWasOpen, name)), m.loadDay(c.Date))
	case msg.err == nil:
		text := fmt.Sprintf(tx.PrebookedNoRule, name)
		if !msg.prebooking.OpensAt.IsZero() {
			text = fmt.Sprintf(tx.Prebooked, name, m.tx.DateTime(m.boxTime(msg.prebooking.BoxID, msg.prebooking.OpensAt)))
		}
		// Show it at once; the store's reload confirms.
		m.prebookings = append(m.prebookings, m.zones.Prebooking(msg.prebooking))
		m.applyPrebookings()
		m.syncDetail()
		m.renderHeader()
		return tea.Batch(m.toasts.Push(toast.OK, text), m.loadStore())
	case needsLogin(msg.err):
		return m.toLogin(msg.err)
	}
	m.log.Info("prebooking failed", "class", c.ID, "err", msg.err)
	return tea.Batch(m.toasts.Push(toast.Error, explain(tx, msg.err)), m.loadStore())
}

func (m *Model) onUnprebook(msg unprebookMsg) tea.Cmd {
	if msg.err != nil {
		return tea.Batch(m.toasts.Push(toast.Error, explain(m.tx, msg.err)), m.loadStore())
	}
	for i, p := range m.prebookings {
		if p.ID == msg.prebooking.ID {
			m.prebookings[i] = m.zones.Prebooking(msg.prebooking)
		}
	}
	m.applyPrebookings()
	m.renderPrebookings()
	m.syncDetail()
	m.renderHeader()
	return tea.Batch(m.toasts.Push(toast.OK, fmt.Sprintf(m.tx.Unprebooked, m.className(msg.class))), m.loadStore())
}

// selectedPrebooking is the prebooking under the list's cursor.
func (m *Model) selectedPrebooking() (session.Prebooking, bool) {
	i := m.prebookList.Cursor()
	list := m.prebookingRows()
	if i < 0 || i >= len(list) {
		return session.Prebooking{}, false
	}
	return list[i], true
}
