package tui

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// benchEnv is a week of 102 classes at 160×48 with the detail pane showing
// a class of 20 attendees, in colour (a 256-colour terminal).
func benchEnv(b *testing.B) *env {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	e := newEnvWith(b, 160, 48, Config{Lang: i18n.EN, Renderer: r})
	e.selectClass(func(c account.ClassView) bool { return len(c.Attendees) == 20 && c.Start.After(testNow) })
	return e
}

func BenchmarkWeekView(b *testing.B) {
	e := benchEnv(b)
	n := 0
	for d := range 7 {
		n += len(e.m.grid.Classes(d))
	}
	if n < 100 {
		b.Fatalf("only %d classes", n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = e.m.View()
	}
}

// BenchmarkWeekMove is a cursor move and the frame after it: what a key
// press costs end to end.
func BenchmarkWeekMove(b *testing.B) {
	e := benchEnv(b)
	keys := []string{"j", "k"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		next, _ := e.m.Update(keyMsg(keys[i%2]))
		e.m = next.(Model)
		_ = e.m.View()
		i++
	}
}
