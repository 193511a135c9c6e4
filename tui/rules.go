package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// ---- the boxes' rules and zones, kept current ----
//
// A rule or zone learned or set after the screen read its box (a "too
// early" answer to `b`, a fire, `ahtui config box.<sub>.window` in another
// terminal, a detected zone) applies to what shows at once: the store's
// boxes version is read every second and after each book or prebook
// (cheap: one row), and when it moved the boxes are read again, the
// shown classes' openings and states worked out from the new rule, and
// the prebookings read again (their openings moved with the rule).

// boxesVersionMsg is the store's boxes version, with the boxes when it
// moved since known (or the read was forced).
type boxesVersionMsg struct {
	known   int64 // the version the read was compared with
	version int64
	changed bool
	boxes   []session.Box
	family  string
	err     error
}

// checkBoxes reads the boxes version, and the boxes when it moved or when
// force is set. Only one read is in flight unless forced.
func (m *Model) checkBoxes(force bool) tea.Cmd {
	if m.cfg.Store == nil || (m.checkingBoxes && !force) {
		return nil
	}
	m.checkingBoxes = true
	st, ctx, known := m.cfg.Store, m.ctx, m.boxesVersion
	return func() tea.Msg {
		msg := boxesVersionMsg{known: known}
		msg.version, msg.err = st.BoxesVersion(ctx)
		if msg.err != nil || (msg.version == known && !force) {
			return msg
		}
		msg.changed = true
		msg.boxes, msg.err = st.Boxes(ctx)
		msg.family, _ = st.FamilyID(ctx)
		return msg
	}
}

func (m *Model) onBoxesVersion(msg boxesVersionMsg) tea.Cmd {
	m.checkingBoxes = false
	if msg.err != nil {
		m.log.Debug("reading the boxes again failed", "err", msg.err)
		return nil
	}
	if !msg.changed || msg.version < m.boxesVersion {
		return nil // nothing new, or overtaken by a newer read
	}
	m.boxesVersion = msg.version
	m.boxList = msg.boxes
	m.picker.SetBoxes(m.boxList, m.box.ID, msg.family)
	var cmds []tea.Cmd
	if m.hasBox {
		for _, b := range msg.boxes {
			if b.ID != m.box.ID {
				continue
			}
			old := m.box
			m.box = b
			switch {
			case b.Timezone != old.Timezone:
				// Class times are the box's wall-clock times: read in the
				// new zone, the week is read again.
				m.setZones()
				m.today = aimharder.DateOf(m.now.In(m.loc))
				m.grid.SetNow(m.now, m.today)
				if m.screen != screenLogin && m.screen != screenBoot {
					cmds = append(cmds, m.loadWeek(false))
				}
			case sameRule(b.Rule(), old.Rule()):
			default:
				m.reopen()
			}
		}
	}
	m.setZones()
	if m.hasBox && m.screen != screenLogin && m.screen != screenBoot {
		cmds = append(cmds, m.loadStore()) // the prebookings' openings follow the rule
	}
	return tea.Batch(cmds...)
}

func sameRule(a, b session.WindowRule) bool {
	return a.Rule == b.Rule && a.Source == b.Source
}

// reopen works out the shown classes' openings and states again under
// the shown box's rule.
func (m *Model) reopen() {
	m.grid.Reopen(m.reclass)
	m.syncDetail()
	m.renderHeader()
}

// underRule is a day with its classes' openings and states worked out
// under the shown box's rule as this screen knows it: an answer asked for
// before a rule was learned must not show the classes as open.
func (m *Model) underRule(v account.DayView) account.DayView {
	if !m.box.Rule().Known() {
		return v
	}
	classes := make([]account.ClassView, len(v.Classes))
	for i, c := range v.Classes {
		classes[i] = m.reclass(c)
	}
	v.Classes = classes
	return v
}

// reclass is a class under the shown box's rule (its opening unknown when
// the rule is).
func (m *Model) reclass(c account.ClassView) account.ClassView {
	c.OpensAt, _ = m.box.Rule().OpensAt(c.Start) // zero when unknown
	c.State = account.StateOf(c.Class, c.OpensAt, m.now)
	return c
}
