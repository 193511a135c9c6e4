package bridge

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/charmbracelet/x/vt"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui"
	"github.com/ahtui/ahtui/tui/i18n"
)

const (
	flowEmail    = "member@ahtui.test"
	flowPassword = "correct-horse-2026"
	flowBox      = "flow-box"
)

var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

// flowStart is Wednesday 25 Nov 2026, 08:59:50 in Madrid: the box opens
// classes four days ahead, so Sunday's 09:00 class opens in ten seconds.
var flowStart = time.Date(2026, 11, 25, 8, 59, 50, 0, madrid)

func flowWorld() aimhardertest.World {
	every := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	return aimhardertest.World{
		Seed: 11,
		Boxes: []aimhardertest.BoxConfig{{
			ID: 801, Sub: flowBox, Name: "Flow Box", Timezone: "Europe/Madrid",
			Window:    aimhardertest.WindowRule{Kind: aimhardertest.RuleSlidingDays, Days: 4},
			MinNotice: 15 * time.Minute, LateCancel: 90 * time.Minute,
			ShareAttendees: true, WaitlistCapacity: 3,
			Template: []aimhardertest.ClassTemplate{
				{Weekdays: every, Start: "09:00", Name: "HYROX", Coach: "Nayra Castro", Capacity: 10, Booked: 2},
				{Weekdays: every, Start: "11:00", Name: "WOD", Coach: "Carlos Ruiz", Capacity: 12, Booked: 5},
			},
		}},
		Users: []aimhardertest.UserConfig{{
			ID: 7101, Email: flowEmail, Password: flowPassword, Name: "Flow Member", Language: "es",
			Roles: []aimhardertest.RoleConfig{{Box: flowBox}},
		}},
	}
}

// screen reads the program's output into a virtual terminal; teatest's
// output is a stream, so assertions look at the screen it draws.
type screen struct {
	t  *testing.T
	tm *teatest.TestModel
	vt *vt.Emulator
}

func (s *screen) waitFor(what string, cond func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a bound for a hung test, not a timing claim
	for {
		if b, _ := io.ReadAll(s.tm.Output()); len(b) > 0 {
			if _, err := s.vt.Write(b); err != nil {
				s.t.Fatal(err)
			}
		}
		text := s.vt.String()
		if cond(text) {
			return text
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *screen) waitForText(subs ...string) string {
	s.t.Helper()
	return s.waitFor(strings.Join(subs, " + "), func(text string) bool {
		for _, sub := range subs {
			if !strings.Contains(text, sub) {
				return false
			}
		}
		return true
	})
}

func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		if k == "enter" {
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			continue
		}
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
}

// TestFlowBookPrebookFire runs the production event path: the real store,
// account service and scheduler against the fake AimHarder, events through
// Forward and tui.Relay into a running program. The member books a class,
// prebooks one that opens in ten seconds, the scheduler fires it, and the
// grid changes.
func TestFlowBookPrebookFire(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	clock := aimhardertest.NewManualClock(flowStart)
	_, urls := aimhardertest.Start(t, flowWorld(), aimhardertest.WithClock(clock))

	store, err := session.Open(ctx, filepath.Join(t.TempDir(), "ahtui.db"), session.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	est := scheduler.NewClockEstimator(clock)
	client, err := aimharder.New(aimharder.Config{
		LoginURL: urls.Login, PortalURL: urls.Portal, BoxURLTemplate: urls.BoxTemplate,
		HTTPClient: &http.Client{Transport: clock.Transport(transport)},
		Now:        clock.Now, Observe: est.Observe,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("tui"), Now: clock.Now})
	res, err := svc.Login(ctx, flowEmail, flowPassword)
	if err != nil || !res.HasCurrent {
		t.Fatalf("login: %v %+v", err, res)
	}
	if err := store.SetLearnedWindow(ctx, res.Current.ID, "4d"); err != nil {
		t.Fatal(err)
	}

	runner, err := scheduler.NewRunner(scheduler.Config{
		Store: store, Client: client, Clock: clock, Estimator: est, KeepDevice: true, Owner: session.NewOwner("tui"),
	})
	if err != nil {
		t.Fatal(err)
	}
	watch := runner.Events().Subscribe(1024)
	events := Forward(ctx, runner.Events().Subscribe(0))
	runDone := make(chan error, 1)
	go func() { runDone <- runner.Run(ctx) }()

	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	model := tui.New(tui.Config{
		Account: svc, Store: store, Engine: Engine(runner), Lang: i18n.EN,
		Now: clock.Now, Context: ctx, Renderer: r,
	})
	tm := teatest.NewTestModel(t, model, teatest.WithInitialTermSize(160, 48))
	go tui.Relay(ctx, tm.GetProgram(), events)
	s := &screen{t: t, tm: tm, vt: vt.NewEmulator(160, 48)}

	// Seven day columns, the cursor on today's next class.
	s.waitForText("Mon 23 Nov", "Tue 24 Nov", "Wed 25 Nov", "Thu 26 Nov", "Fri 27 Nov", "Sat 28 Nov", "Sun 29 Nov", "Attendees (2)")

	// Book today's 11:00 WOD; the detail lists who is coming, now us too.
	keys(tm, "j")
	s.waitForText("Attendees (5)")
	keys(tm, "b")
	s.waitForText("Booked WOD Wed 25 Nov 11:00", "✓ booked", "Attendees (6)", "Flow Member")

	// Prebook Sunday's 09:00 HYROX, whose booking opens in ten seconds.
	keys(tm, "o")
	s.waitForText("Sun 29 Nov · 09:00", "not open")
	keys(tm, "p")
	s.waitForText("Prebooked HYROX Sun 29 Nov 09:00", "⚑ HYROX Sun 29 Nov 09:00 fires in 10s")

	// Let simulated time run until the scheduler has fired it.
	stop := clock.AutoAdvance(ctx, 0)
	var outcome scheduler.PrebookingOutcome
	for e := range watch.Events() {
		if o, ok := e.(scheduler.PrebookingOutcome); ok {
			outcome = o
			break
		}
	}
	stop()
	watch.Close()
	if outcome.Prebooking.Status != session.PrebookBooked {
		t.Fatalf("the fire ended %s (%s)", outcome.Prebooking.Status, outcome.Prebooking.OutcomeMessage)
	}

	// The event reached the screen: a toast, the class booked, and the
	// header no longer counting down to it. The day and the prebookings are
	// two reloads the event starts, so wait for both rather than for one.
	s.waitFor("the toast, the booked class and a header without the prebooking", func(text string) bool {
		return strings.Contains(text, "Prebooking fired: HYROX Sun 29 Nov 09:00 booked") &&
			strings.Contains(text, "Attendees (3)") && strings.Contains(text, "✓ booked") &&
			!strings.Contains(text, "next HYROX")
	})

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	last := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	if _, ok := last.(tui.Model); !ok {
		t.Fatalf("final model %T", last)
	}
	cancel()
	if err := <-runDone; err != nil && ctx.Err() == nil {
		t.Fatalf("runner: %v", err)
	}
}
