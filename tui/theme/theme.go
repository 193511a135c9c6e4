// Package theme builds the TUI's styles once, for one renderer (one
// terminal): adaptive colours that read on dark and light backgrounds, and
// none at all under NO_COLOR. Every state also has a marker, so nothing is
// told by colour alone.
package theme

import (
	"github.com/charmbracelet/lipgloss"
)

// Markers are the glyphs that tell states apart without colour.
type Markers struct {
	Booked, Waitlisted, Prebooked, Firing, Full, NotOpen, Failed, Past, Open string
	Cursor, Today                                                            string
	OK, Info, Warn, Error                                                    string
	// Plan marks a class a weekly plan books; Skipped and Paused replace
	// it on a day the member skipped or paused.
	Plan, Skipped, Paused string
}

// DefaultMarkers are single-cell glyphs common monospace fonts carry.
var DefaultMarkers = Markers{
	Booked:     "✓",
	Waitlisted: "≡",
	Prebooked:  "⚑",
	Firing:     "»",
	Full:       "■",
	NotOpen:    "○",
	Failed:     "✗",
	Past:       "·",
	Open:       " ",
	Cursor:     "▌",
	Today:      "▸",
	OK:         "✓",
	Info:       "•",
	Warn:       "!",
	Error:      "✗",
	Plan:       "↻",
	Skipped:    "–",
	Paused:     "‖",
}

// Theme holds every style the TUI uses, all from one renderer.
type Theme struct {
	R       *lipgloss.Renderer
	NoColor bool
	Mark    Markers

	Base     lipgloss.Style
	Title    lipgloss.Style
	Subtle   lipgloss.Style
	Faint    lipgloss.Style
	Bold     lipgloss.Style
	Accent   lipgloss.Style
	Border   lipgloss.Style // colour for drawn separators
	Selected lipgloss.Style // the grid cell under the cursor
	Label    lipgloss.Style // field names in the detail

	HeaderBar lipgloss.Style
	DemoBadge lipgloss.Style
	DayHeader lipgloss.Style
	DayToday  lipgloss.Style
	DayPast   lipgloss.Style

	Time       lipgloss.Style
	Open       lipgloss.Style
	Booked     lipgloss.Style
	Waitlisted lipgloss.Style
	Prebooked  lipgloss.Style
	Full       lipgloss.Style
	NotOpen    lipgloss.Style
	Failed     lipgloss.Style
	Past       lipgloss.Style

	OK    lipgloss.Style
	Info  lipgloss.Style
	Warn  lipgloss.Style
	Error lipgloss.Style

	Dialog      lipgloss.Style // box around dialogs and overlays
	DialogTitle lipgloss.Style
	Pane        lipgloss.Style // border of the detail pane
	PaneFocused lipgloss.Style
	Input       lipgloss.Style
	InputFocus  lipgloss.Style

	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style
}

// Options choose how the theme is built.
type Options struct {
	// NoColor drops every colour but keeps bold, faint and reverse (the
	// NO_COLOR convention is about colour only).
	NoColor bool
}

// New builds the theme for renderer r (nil: lipgloss's default renderer).
func New(r *lipgloss.Renderer, opts Options) *Theme {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	t := &Theme{R: r, NoColor: opts.NoColor, Mark: DefaultMarkers}
	c := func(light, dark string) lipgloss.TerminalColor {
		if opts.NoColor {
			return lipgloss.NoColor{}
		}
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	var (
		accent  = c("#5A3FD6", "#A48BFF")
		subtle  = c("#57606A", "#8B949E")
		faint   = c("#A0A7AF", "#5C636B")
		border  = c("#D0D7DE", "#3D444D")
		green   = c("#1A7F37", "#3FB950")
		amber   = c("#9A6700", "#D29922")
		blue    = c("#0969DA", "#58A6FF")
		red     = c("#CF222E", "#F85149")
		selBg   = c("#DDF4FF", "#1F3A5F")
		badgeBg = c("#FFD8B5", "#6E3B00")
	)
	s := r.NewStyle
	t.Base = s()
	t.Title = s().Bold(true).Foreground(accent)
	t.Subtle = s().Foreground(subtle)
	t.Faint = s().Foreground(faint).Faint(opts.NoColor)
	t.Bold = s().Bold(true)
	t.Accent = s().Foreground(accent)
	t.Border = s().Foreground(border)
	t.Label = s().Foreground(subtle).Bold(true)
	if opts.NoColor {
		t.Selected = s().Reverse(true)
	} else {
		t.Selected = s().Background(selBg)
	}

	t.HeaderBar = s().Bold(true)
	t.DemoBadge = s().Bold(true).Background(badgeBg).Padding(0, 1)
	if opts.NoColor {
		t.DemoBadge = s().Bold(true).Reverse(true).Padding(0, 1)
	}
	t.DayHeader = s().Bold(true)
	t.DayToday = s().Bold(true).Foreground(accent).Underline(true)
	t.DayPast = s().Foreground(faint).Faint(opts.NoColor)

	t.Time = s().Bold(true)
	t.Open = s()
	t.Booked = s().Foreground(green).Bold(true)
	t.Waitlisted = s().Foreground(amber).Bold(true)
	t.Prebooked = s().Foreground(blue).Bold(true)
	t.Full = s().Foreground(red)
	t.NotOpen = s().Foreground(subtle)
	t.Failed = s().Foreground(red).Bold(true)
	t.Past = s().Foreground(faint).Faint(opts.NoColor)

	t.OK = s().Foreground(green)
	t.Info = s().Foreground(blue)
	t.Warn = s().Foreground(amber)
	t.Error = s().Foreground(red).Bold(true)

	t.Dialog = s().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	t.DialogTitle = s().Bold(true).Foreground(accent)
	t.Pane = s().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(border).PaddingLeft(1)
	t.PaneFocused = t.Pane.BorderForeground(accent).BorderStyle(lipgloss.ThickBorder())
	t.Input = s().Border(lipgloss.NormalBorder()).BorderForeground(border).Padding(0, 1)
	t.InputFocus = t.Input.BorderForeground(accent)

	t.HelpKey = s().Foreground(accent).Bold(true)
	t.HelpDesc = s().Foreground(subtle)
	t.HelpSep = s().Foreground(faint)
	return t
}
