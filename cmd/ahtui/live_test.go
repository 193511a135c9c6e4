package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui"
	"github.com/ahtui/ahtui/tui/i18n"
)

// parkedTimer is a TUI timer the test fires itself, on the simulated clock.
type parkedTimer struct {
	d  time.Duration
	fn func(time.Time) tea.Msg
}

// liveTUI is a TUI model on the real store and account service of a
// cliEnv's database, driven directly: its commands run to completion, its
// timers are parked until tick fires them.
type liveTUI struct {
	t      *testing.T
	e      *cliEnv
	m      tea.Model
	timers []parkedTimer
}

func openLiveTUI(t *testing.T, e *cliEnv) *liveTUI {
	t.Helper()
	a := e.open(e.clock.Now)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	lt := &liveTUI{t: t, e: e}
	lt.m = tui.New(tui.Config{
		Account: a.account, Store: a.store, Lang: i18n.EN, Now: e.clock.Now, Context: context.Background(),
		Renderer: r,
		Timer: func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
			return func() tea.Msg { return parkedTimer{d: d, fn: fn} }
		},
	})
	lt.send(tea.WindowSizeMsg{Width: 200, Height: 50})
	lt.run(lt.m.Init())
	return lt
}

func (lt *liveTUI) send(msg tea.Msg) {
	lt.t.Helper()
	next, cmd := lt.m.Update(msg)
	lt.m = next
	lt.run(cmd)
}

func (lt *liveTUI) run(cmd tea.Cmd) {
	lt.t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			lt.run(c)
		}
	case parkedTimer:
		lt.timers = append(lt.timers, msg)
	default:
		lt.send(msg)
	}
}

// tick moves the simulated clock one second and fires the timers due by
// then (the second hand among them).
func (lt *liveTUI) tick() {
	lt.t.Helper()
	now := lt.e.clock.Advance(time.Second)
	var due, rest []parkedTimer
	for _, tm := range lt.timers {
		if tm.d <= time.Second {
			due = append(due, tm)
		} else {
			rest = append(rest, tm)
		}
	}
	lt.timers = rest
	for _, tm := range due {
		lt.send(tm.fn(now))
	}
}

func (lt *liveTUI) view() string { return lt.m.View() }

// The bug: a booking made with `ahtui book` while the TUI was open showed
// there only after the 5-minute refresh or `r`, and a waitlist place
// joined elsewhere showed "2/2" without "+1". Now the TUI, on the same
// database, shows both within one tick of the simulated clock, reading
// the store only.
func TestCLIBookingShowsInAnOpenTUIWithinASecond(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	lt := openLiveTUI(t, e)
	lt.tick()
	if !strings.Contains(lt.view(), "TEAM WOD") {
		t.Fatalf("the TUI shows no week:\n%s", lt.view())
	}
	booked := strings.Count(lt.view(), "booked")
	waiting := strings.Count(lt.view(), "2/2 +1")

	day := testToday.AddDays(1)
	requests := len(e.fake.Requests())
	e.mustRun("", "book", strconv.FormatInt(e.classAt(testBox, day, "18:00").ID, 10), "--day", day.String())
	e.mustRun("", "book", strconv.FormatInt(e.classAt(testBox, day, "12:00").ID, 10), "--day", day.String(), "--waitlist")
	cliRequests := len(e.fake.Requests()) - requests

	lt.tick()
	if got := strings.Count(lt.view(), "booked"); got != booked+1 {
		t.Errorf("%d cells say booked after the CLI booked one, want %d:\n%s", got, booked+1, lt.view())
	}
	if got := strings.Count(lt.view(), "2/2 +1"); got != waiting+1 {
		t.Errorf("%d cells show \"2/2 +1\" after the CLI joined a waitlist, want %d:\n%s", got, waiting+1, lt.view())
	}
	if n := len(e.fake.Requests()) - requests; n != cliRequests {
		t.Errorf("the TUI asked AimHarder %d times to show the change", n-cliRequests)
	}
}

// An open TUI's own reads write nothing: the screen version stays, so
// screens do not reload each other (or themselves) in a loop.
func TestAnOpenTUIDoesNotMoveTheScreenVersion(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	lt := openLiveTUI(t, e)
	store := e.open(e.clock.Now).store
	for range 3 {
		lt.tick()
	}
	v0, err := store.ScreenVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		lt.tick()
	}
	if v, _ := store.ScreenVersion(t.Context()); v != v0 {
		t.Errorf("five idle ticks moved the screen version %d → %d", v0, v)
	}
}
