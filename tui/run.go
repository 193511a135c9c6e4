package tui

import (
	"context"
	"errors"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/i18n"
)

// prepareRenderer readies a renderer before the program starts: it asks
// the terminal for its background once, now (asked lazily from View, the
// answer can arrive as keyboard input), and under NO_COLOR it keeps bold
// and reverse, which termenv would drop along with colour.
func prepareRenderer(r *lipgloss.Renderer, noColor bool) *lipgloss.Renderer {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	if noColor && r.Output().ColorProfile() != termenv.Ascii {
		r.SetColorProfile(termenv.ANSI)
	}
	r.HasDarkBackground()
	return r
}

// NoColorRequested reports whether NO_COLOR is set (to anything).
func NoColorRequested(getenv func(string) string) bool { return getenv("NO_COLOR") != "" }

// Language picks the UI language from the `language` setting and the
// locale.
func Language(setting string) i18n.Lang { return i18n.Detect(setting, os.Getenv) }

// NewProgram builds the program Run runs, for a caller that runs it and
// relays its events itself (`ahtui serve`, one per SSH session): the
// renderer prepared, the alternate screen, and ctx ending it.
func NewProgram(ctx context.Context, cfg Config, opts ...tea.ProgramOption) *tea.Program {
	cfg.Renderer = prepareRenderer(cfg.Renderer, cfg.NoColor)
	if cfg.Context == nil {
		cfg.Context = ctx
	}
	opts = append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}, opts...)
	return tea.NewProgram(New(cfg), opts...)
}

// Run runs the TUI on the terminal until the member quits or ctx ends,
// relaying events into it.
func Run(ctx context.Context, cfg Config, events <-chan Event, opts ...tea.ProgramOption) error {
	p := NewProgram(ctx, cfg, opts...)
	relayCtx, stop := context.WithCancel(ctx)
	defer stop()
	if events != nil {
		go Relay(relayCtx, p, events)
	}
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // stopped by a signal: a normal end
	}
	return err
}
