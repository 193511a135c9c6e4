package detail

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

var (
	day   = aimharder.Date{Year: 2026, Month: 12, Day: 9}
	start = time.Date(2026, 12, 9, 7, 0, 0, 0, time.UTC)
	now   = time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
)

func newPane(t *testing.T, w, h int, lang i18n.Lang, profile termenv.Profile) Model {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(profile)
	m := New(theme.New(r, theme.Options{NoColor: profile == termenv.Ascii}), i18n.For(lang))
	m.SetSize(w, h)
	return m
}

func class(id int64, attendees int) account.ClassView {
	c := account.ClassView{Class: aimharder.Class{ID: id, Name: "CONDITIONING", Coach: "Lucía Gómez", Date: day,
		Start: start, End: start.Add(time.Hour), Occupancy: attendees, Capacity: 14,
		Description: "Motor", Enabled: true, Included: true, Attendees: []aimharder.Attendee{}}}
	for i := range attendees {
		c.Attendees = append(c.Attendees, aimharder.Attendee{ID: int64(i + 1), Name: fmt.Sprintf("Member %02d", i+1)})
	}
	c.OpensAt = start.Add(-4 * 24 * time.Hour)
	return c
}

func requireSize(t *testing.T, m Model, w, h int) {
	t.Helper()
	lines := m.Lines()
	if len(lines) != h || len(strings.Split(m.View(), "\n")) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), h, m.View())
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, lw, w, l)
		}
	}
}

func press(s string) tea.KeyMsg {
	switch s {
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// TestEmptyPane: before a class is chosen the pane says so, at its size.
func TestEmptyPane(t *testing.T) {
	m := newPane(t, 30, 5, i18n.EN, termenv.Ascii)
	requireSize(t, m, 30, 5)
	if !strings.Contains(m.View(), "No class selected.") {
		t.Fatalf("view:\n%s", m.View())
	}
	if z := New(m.th, m.tx); z.View() != "" || len(z.Lines()) != 0 {
		t.Fatal("a pane without a size draws something")
	}
}

// TestContentFields: the class, its time, coach, places, your state,
// the opening as a countdown (never a bare clock time), the description
// and who is coming.
func TestContentFields(t *testing.T) {
	m := newPane(t, 50, 30, i18n.EN, termenv.Ascii)
	c := class(1, 3)
	c.Waitlist = 2
	m.SetContent(Content{Class: c}, c.OpensAt.Add(-(16*time.Hour + 14*time.Minute)))
	requireSize(t, m, 50, 30)
	v := m.View()
	for _, want := range []string{"CONDITIONING", "Wed 9 Dec · 07:00–08:00", "Lucía Gómez", "3/14", "2 on the waitlist",
		"○ not open", "in 16h 14m", "Motor", "Attendees (3)", "  1 Member 01", "  3 Member 03"} {
		if !strings.Contains(v, want) {
			t.Errorf("the pane lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("pane:\n%s", v)
	}
}

// TestStates: the member's state in words and with its marker.
func TestStates(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Content)
		at   time.Time
		want string
	}{
		{"open", func(*Content) {}, now, "open"},
		{"booked", func(c *Content) { c.Class.Class.State = aimharder.StateBooked; c.Class.ReservationID = 77 }, now, "✓ booked"},
		{"waitlisted", func(c *Content) { c.Class.Class.State = aimharder.StateWaitlisted }, now, "≡ "},
		{"full", func(c *Content) { c.Class.Occupancy = 14 }, now, "■ full"},
		{"past", func(*Content) {}, start.Add(time.Minute), "· "},
		{"prebooked", func(c *Content) {
			c.Prebooking = &session.Prebooking{ID: 5, Status: session.PrebookPending, OpensAt: c.Class.OpensAt}
		}, start.Add(-5 * 24 * time.Hour), "⚑ prebooked"},
		{"busy", func(c *Content) { c.Busy = true }, now, "open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newPane(t, 60, 30, i18n.EN, termenv.Ascii)
			c := Content{Class: class(1, 0)}
			tc.edit(&c)
			m.SetContent(c, tc.at)
			if !strings.Contains(m.View(), tc.want) {
				t.Fatalf("want %q:\n%s", tc.want, m.View())
			}
			if tc.name == "booked" && !strings.Contains(m.View(), "77") {
				t.Fatalf("the reservation id is missing:\n%s", m.View())
			}
			if tc.name == "prebooked" && !strings.Contains(m.View(), "fires in 1d") {
				t.Fatalf("the prebooking's countdown is missing:\n%s", m.View())
			}
			if tc.name == "past" && strings.Contains(m.View(), "Booking") {
				t.Fatalf("a past class tells when booking opens:\n%s", m.View())
			}
			if tc.name == "busy" && !strings.Contains(m.View(), "working") && !strings.Contains(m.View(), "…") {
				t.Fatalf("a class in flight does not say so:\n%s", m.View())
			}
		})
	}
}

// TestPrivateAttendees: a box that keeps its list private says so.
func TestPrivateAttendees(t *testing.T) {
	m := newPane(t, 40, 30, i18n.EN, termenv.Ascii)
	c := class(1, 0)
	c.Attendees = nil
	m.SetContent(Content{Class: c}, now)
	if !strings.Contains(m.View(), "does not share its attendee") || strings.Contains(m.View(), "Attendees (") {
		t.Fatalf("view:\n%s", m.View())
	}
	c.Attendees = []aimharder.Attendee{}
	m.SetContent(Content{Class: c}, now)
	if !strings.Contains(m.View(), "Attendees (0)") {
		t.Fatalf("an empty shared list:\n%s", m.View())
	}
}

// TestScrollAndClamp: j/k and the page keys scroll within the content,
// with "↑ n more / ↓ n more" on the last line; a resize keeps the offset
// within the content; the same class keeps its scroll, another starts at
// the top.
func TestScrollAndClamp(t *testing.T) {
	m := newPane(t, 40, 10, i18n.EN, termenv.Ascii)
	c := class(1, 20)
	m.SetContent(Content{Class: c}, now)
	requireSize(t, m, 40, 10)
	last := func() string { return m.Lines()[len(m.Lines())-1] }
	if !strings.Contains(last(), "↓") || strings.Contains(last(), "↑") {
		t.Fatalf("at the top: %q", last())
	}
	total := len(m.body)
	m, _ = m.Update(press("j"))
	m, _ = m.Update(press("down"))
	if m.offset != 2 || !strings.Contains(last(), "↑ 2 more") {
		t.Fatalf("after two downs: offset %d, %q", m.offset, last())
	}
	m, _ = m.Update(press("k"))
	if m.offset != 1 {
		t.Fatalf("k: offset %d", m.offset)
	}
	for range 20 {
		m, _ = m.Update(press("pgdown"))
	}
	// The last line says what is above, so nine lines of content show.
	if m.offset != total-9 || strings.Contains(last(), "↓") {
		t.Fatalf("pgdown past the end: offset %d of %d lines, %q", m.offset, total, last())
	}
	if !strings.Contains(m.View(), "Member 20") {
		t.Fatalf("the last attendee is not reachable:\n%s", m.View())
	}
	requireSize(t, m, 40, 10)
	// Taller: the offset shrinks to what is needed.
	m.SetSize(40, total-3)
	if m.offset != 4 || !strings.Contains(m.View(), "Member 20") {
		t.Fatalf("after growing to %d lines: offset %d, want 4:\n%s", total-3, m.offset, m.View())
	}
	requireSize(t, m, 40, total-3)
	m.SetSize(40, total+5)
	if m.offset != 0 || strings.Contains(m.View(), "more") {
		t.Fatalf("all fits, yet offset %d:\n%s", m.offset, m.View())
	}
	m.SetSize(40, 10)
	m, _ = m.Update(press("pgdown"))
	off := m.offset
	// The same class refreshed keeps the scroll; another starts at the top.
	m.SetContent(Content{Class: c, Busy: true}, now)
	if m.offset != off {
		t.Fatalf("a refresh of the same class moved the scroll from %d to %d", off, m.offset)
	}
	m.SetContent(Content{Class: class(2, 20)}, now)
	if m.offset != 0 {
		t.Fatalf("another class opens scrolled at %d", m.offset)
	}
	m, _ = m.Update(press("pgdown"))
	m.Top()
	if m.offset != 0 {
		t.Fatal("Top did not scroll to the top")
	}
	m, _ = m.Update(press("pgup"))
	if m.offset != 0 {
		t.Fatal("pgup went above the top")
	}
	m.Clear()
	if !strings.Contains(m.View(), "No class selected.") || m.offset != 0 {
		t.Fatalf("Clear:\n%s", m.View())
	}
}

// TestNarrowWidths: at phone widths every line is the pane's width, long
// values wrap under their label, and a name too long for the line is
// wrapped, not lost.
func TestNarrowWidths(t *testing.T) {
	for _, w := range []int{20, 38, 48} {
		m := newPane(t, w, 40, i18n.ES, termenv.Ascii)
		c := class(1, 2)
		c.Name = "CONDITIONING AND MOBILITY FOR EVERYONE"
		m.SetContent(Content{Class: c, Notices: []string{"Cerrado el 24 de diciembre por vacaciones"}}, now)
		requireSize(t, m, w, 40)
		v := m.View()
		if !strings.Contains(strings.ReplaceAll(v, "\n", " "), "EVERYONE") {
			t.Fatalf("at %d the name is lost:\n%s", w, v)
		}
		if !strings.Contains(v, "Entrenador") && !strings.Contains(v, "Coach") {
			t.Fatalf("at %d the coach label is lost:\n%s", w, v)
		}
	}
}

// TestCountdownTicks: SetNow re-renders only when what the pane shows
// changes (a second of a running countdown), and the countdown is
// relative, with units ("in 1m 48s").
func TestCountdownTicks(t *testing.T) {
	m := newPane(t, 50, 30, i18n.EN, termenv.Ascii)
	c := class(1, 0)
	at := c.OpensAt.Add(-108 * time.Second)
	m.SetContent(Content{Class: c}, at)
	if !strings.Contains(m.View(), "in 1m 48s") {
		t.Fatalf("view:\n%s", m.View())
	}
	m.SetNow(at.Add(300 * time.Millisecond))
	if !strings.Contains(m.View(), "in 1m 48s") {
		t.Fatal("a fraction of a second changed the countdown")
	}
	m.SetNow(at.Add(time.Second))
	if !strings.Contains(m.View(), "in 1m 47s") {
		t.Fatalf("a second later:\n%s", m.View())
	}
	m.SetNow(c.OpensAt.Add(time.Second))
	if !strings.Contains(m.View(), "opened") || strings.Contains(m.View(), "not open") {
		t.Fatalf("after the opening:\n%s", m.View())
	}
}

// TestPlanAndWatch: a plan's class and a watched class say so.
func TestPlanAndWatch(t *testing.T) {
	m := newPane(t, 60, 30, i18n.EN, termenv.Ascii)
	m.SetContent(Content{Class: class(1, 0), Plan: &Plan{ID: 3, Days: "Mon/Wed"}, Watch: "books the first free place"}, now)
	v := m.View()
	if !strings.Contains(v, "↻ ") || !strings.Contains(v, "Mon/Wed") || !strings.Contains(v, "books the first free place") {
		t.Fatalf("view:\n%s", v)
	}
	m.SetContent(Content{Class: class(1, 0), Plan: &Plan{ID: 3, Days: "Mon/Wed", Skipped: true}}, now)
	if !strings.Contains(m.View(), "– ") {
		t.Fatalf("a skipped day:\n%s", m.View())
	}
}

// TestNoColor: under NO_COLOR the pane has no escape sequences and every
// state is read from its marker; with colours it is styled.
func TestNoColor(t *testing.T) {
	c := class(1, 0)
	c.Class.State = aimharder.StateBooked
	m := newPane(t, 50, 20, i18n.EN, termenv.Ascii)
	m.SetContent(Content{Class: c}, now)
	if strings.Contains(m.View(), "\x1b") || !strings.Contains(m.View(), "✓ booked") {
		t.Fatalf("NO_COLOR:\n%q", m.View())
	}
	m = newPane(t, 50, 20, i18n.EN, termenv.TrueColor)
	m.SetContent(Content{Class: c}, now)
	if !strings.Contains(m.View(), "\x1b[") {
		t.Fatal("with colours the pane is plain")
	}
	requireSize(t, m, 50, 20)
}
