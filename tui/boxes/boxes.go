// Package boxes is the box picker: the account's boxes, the current one
// marked, and the family member the bookings are for.
package boxes

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/lists"
	"github.com/ahtui/ahtui/tui/textfield"
	"github.com/ahtui/ahtui/tui/theme"
)

// ChooseMsg: the member chose a box.
type ChooseMsg struct{ Box session.Box }

// FamilyMsg: the member set the family member id ("" = the holder).
type FamilyMsg struct{ ID string }

// KeyMap chooses a box and edits the family member.
type KeyMap struct {
	Choose, Family, Save, Cancel key.Binding
}

// DefaultKeyMap is enter to choose, f for the family member.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	return KeyMap{
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tx.Help.Select)),
		Family: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", tx.Help.Family)),
		Save:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tx.Help.Submit)),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", tx.Help.Back)),
	}
}

// Model is the picker.
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	list    lists.Model
	boxes   []session.Box
	current int64
	family  string
	members []session.FamilyMember // named family members: f chooses among them
	picking bool                   // the family chooser has the keyboard
	pick    int                    // its cursor: 0 = the holder, i = members[i-1]
	editing bool
	field   textinput.Model
	width   int
	height  int
}

// New returns an empty picker.
func New(th *theme.Theme, tx *i18n.Text) Model {
	return Model{
		th: th, tx: tx, Keys: DefaultKeyMap(tx),
		list:  lists.New(th, tx, tx.BoxesTitle, tx.BoxesEmpty),
		field: textfield.New(th, textfield.Options{Width: 20, Limit: 32}),
	}
}

// SetSize sets the picker's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.list.SetSize(w, max(h-4, 3))
	m.render()
}

// SetBoxes shows the account's boxes; current is the chosen box's id.
func (m *Model) SetBoxes(boxes []session.Box, current int64, family string) {
	var active []session.Box
	for _, b := range boxes {
		if b.Active {
			active = append(active, b)
		}
	}
	m.boxes, m.current, m.family = active, current, family
	m.render()
	for i, b := range active {
		if b.ID == current {
			m.list.SetCursor(i)
		}
	}
}

// SetFamily sets the named family members to choose among (none: f
// edits a familyId by hand).
func (m *Model) SetFamily(members []session.FamilyMember) {
	m.members = members
	m.pick = min(m.pick, len(members))
}

// Editing reports whether the family field or chooser has the keyboard.
func (m Model) Editing() bool { return m.editing || m.picking }

// familyName is who the bookings are for, by name when known.
func (m Model) familyName() string {
	switch name := session.FamilyName(m.members, m.family); {
	case m.family == "":
		return m.tx.FamilyHolder
	case name != "":
		return name
	}
	return m.family
}

func (m *Model) render() {
	th, tx := m.th, m.tx
	items := make([]lists.Item, 0, len(m.boxes))
	for _, b := range m.boxes {
		line := th.Bold.Render(strings.TrimSpace(b.Name)) + th.Subtle.Render("  "+b.Subdomain+" · "+b.Timezone)
		// A zone neither the member set nor AimHarder's data placed is
		// only a guess: say so, and how to set it (docs/protocol.md §4.3).
		guess := b.TimezoneSource() == session.TimezoneDefault
		if guess {
			line += " " + th.Warn.Render("("+th.Mark.Warn+" "+tx.BoxZoneGuess+")")
		}
		if b.ID == m.current {
			line += "  " + th.Booked.Render(th.Mark.Booked+" "+tx.BoxCurrent)
		}
		lines := []string{line}
		if guess {
			lines = append(lines, th.Faint.Render("  "+fmt.Sprintf(tx.BoxZoneHint, b.Subdomain)))
		}
		// An hours rule says which counting it assumes (docs/protocol.md §9).
		if h, wall, ok := b.Rule().HoursRule(); ok {
			lines = append(lines, th.Faint.Render("  "+fmt.Sprintf(tx.BoxWindow, tx.Hours(h, wall))))
		}
		// A rule read from a "too early" text alone is an assumption
		// (docs/protocol.md §9).
		if rule := b.Rule(); rule.Assumed() {
			lines = append(lines, th.Faint.Render("  "+fmt.Sprintf(tx.BoxWindowAssumed, rule.String(), b.Subdomain, session.FixedHourExample(rule.String()))))
		}
		items = append(items, lists.Item{Lines: lines})
	}
	m.list.SetItems(items)
}

// Update moves, chooses and edits the family member.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	if m.picking {
		switch k.String() {
		case "up", "k":
			m.pick = max(m.pick-1, 0)
		case "down", "j":
			m.pick = min(m.pick+1, len(m.members))
		case "enter":
			m.picking = false
			id := ""
			if m.pick > 0 {
				id = m.members[m.pick-1].ID
			}
			return m, func() tea.Msg { return FamilyMsg{ID: id} }
		case "esc":
			m.picking = false
		}
		return m, nil
	}
	if m.editing {
		switch {
		case key.Matches(k, m.Keys.Save):
			m.editing = false
			m.field.Blur()
			id := strings.TrimSpace(m.field.Value())
			return m, func() tea.Msg { return FamilyMsg{ID: id} }
		case key.Matches(k, m.Keys.Cancel):
			m.editing = false
			m.field.Blur()
			return m, nil
		}
		var cmd tea.Cmd
		m.field, cmd = m.field.Update(k)
		return m, cmd
	}
	switch {
	case key.Matches(k, m.Keys.Choose):
		if i := m.list.Cursor(); i >= 0 {
			b := m.boxes[i]
			return m, func() tea.Msg { return ChooseMsg{Box: b} }
		}
		return m, nil
	case key.Matches(k, m.Keys.Family) && len(m.members) > 0:
		m.picking, m.pick = true, 0
		for i, f := range m.members {
			if f.ID == m.family {
				m.pick = i + 1
			}
		}
		return m, nil
	case key.Matches(k, m.Keys.Family):
		m.editing = true
		m.field.Focus()
		m.field.SetValue(m.family)
		return m, nil
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.Update(msg)
	return m, cmd
}

// View is the picker.
func (m Model) View() string {
	th, tx := m.th, m.tx
	family := m.familyName()
	var fam string
	if m.picking {
		rows := []string{th.Label.Render(tx.FamilyPick + ":")}
		for i := range len(m.members) + 1 {
			name := tx.FamilyHolder
			if i > 0 {
				name = m.members[i-1].Name
			}
			if i == m.pick {
				rows = append(rows, th.InputFocus.Render("> "+name))
			} else {
				rows = append(rows, "  "+name)
			}
		}
		fam = strings.Join(rows, "\n") + "\n" + th.Faint.Render("  "+tx.FamilyPickHint) + "\n"
	} else if m.editing {
		fam = th.Label.Render(tx.FamilyLabel+": ") + th.InputFocus.Render(m.field.View()) + "\n" + th.Faint.Render("  "+tx.FamilyHint)
	} else {
		label := tx.FamilyLabel // "(family member id)": f edits an id
		if len(m.members) > 0 {
			label = tx.FamilyPick // f chooses by name
		}
		fam = th.Label.Render(label+": ") + family + th.Faint.Render("  (f)") + "\n"
	}
	if m.width > 0 { // a phone: the line wraps instead of running off the screen
		fam = ansi.Wrap(fam, m.width, "")
	}
	return m.list.View() + "\n" + fam
}
