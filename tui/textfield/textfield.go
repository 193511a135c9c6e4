// Package textfield sets up bubbles/textinput the way ahtui's forms use it:
// the theme's styles, no prompt, and a steady cursor (a blinking one would
// redraw the screen twice a second over SSH and make golden screens vary).
package textfield

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/ahtui/ahtui/tui/theme"
)

// Options describe one field.
type Options struct {
	Placeholder string
	Width       int  // cells shown; the text scrolls beyond it
	Limit       int  // characters accepted; 0 = no limit
	Secret      bool // echo a mask instead of the text (passwords)
}

// New returns a blurred text input styled with th.
func New(th *theme.Theme, o Options) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = o.Placeholder
	SetWidth(&in, o.Width)
	in.CharLimit = o.Limit
	in.PlaceholderStyle = th.Faint
	in.TextStyle = th.R.NewStyle()
	in.Cursor.Style = th.R.NewStyle().Reverse(true)
	in.Cursor.TextStyle = th.R.NewStyle()
	in.Cursor.SetMode(cursor.CursorStatic)
	if o.Secret {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
	in.Blur()
	return in
}

// SetWidth makes the field take cells columns: textinput draws its cursor
// one cell past the text it shows.
func SetWidth(in *textinput.Model, cells int) {
	in.Width = max(cells-1, 1)
}
