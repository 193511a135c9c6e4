package grid

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/ahtui/ahtui/tui/i18n"
)

// KeyMap is how the cursor moves through the week.
type KeyMap struct {
	Up, Down, Left, Right key.Binding
	First, Last           key.Binding
}

// DefaultKeyMap is arrows and hjkl, g/G for the first and last class of a day.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	h := tx.Help
	return KeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", h.Up)),
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", h.Down)),
		Left:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", h.Left)),
		Right: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", h.Right)),
		First: key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", h.First)),
		Last:  key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", h.Last)),
	}
}
