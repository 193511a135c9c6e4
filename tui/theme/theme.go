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
	// c is a colour for light and dark backgrounds, each as true colour,
	// its nearest ANSI256 entry (chosen by hand, so a 256-colour terminal
	// keeps the hue and the contrast) and a 16-colour fallback (whose
	// shades are the terminal's palette).
	c := func(light, dark [3]string) lipgloss.TerminalColor {
		if opts.NoColor {
			return lipgloss.NoColor{}
		}
		return lipgloss.CompleteAdaptiveColor{
			Light: lipgloss.CompleteColor{TrueColor: light[0], ANSI256: light[1], ANSI: light[2]},
			Dark:  lipgloss.CompleteColor{TrueColor: dark[0], ANSI256: dark[1], ANSI: dark[2]},
		}
	}
	var (
		accent = c([3]string{"#5A3FD6", "62", "5"}, [3]string{"#A48BFF", "141", "13"})
		subtle = c([3]string{"#57606A", "241", "8"}, [3]string{"#8B949E", "246", "7"})
		// faint is secondary text a member reads (header line 2, the day
		// strip, footer separators, past classes): at least 4.5:1 on white
		// and on dark backgrounds (#0d1117: 5.6:1); only borders are dimmer.
		faint   = c([3]string{"#656D76", "242", "8"}, [3]string{"#848D97", "245", "8"})
		border  = c([3]string{"#D0D7DE", "252", "7"}, [3]string{"#3D444D", "238", "8"})
		green   = c([3]string{"#1A7F37", "28", "2"}, [3]string{"#3FB950", "71", "10"})
		amber   = c([3]string{"#9A6700", "136", "3"}, [3]string{"#D29922", "178", "11"})
		blue    = c([3]string{"#0969DA", "26", "4"}, [3]string{"#58A6FF", "75", "12"})
		red     = c([3]string{"#CF222E", "160", "1"}, [3]string{"#F85149", "203", "9"})
		selBg   = c([3]string{"#DDF4FF", "195", "7"}, [3]string{"#1F3A5F", "24", "4"}) // navy, not 23's teal
		badgeBg = c([3]string{"#FFD8B5", "223", "11"}, [3]string{"#6E3B00", "94", "3"})
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
