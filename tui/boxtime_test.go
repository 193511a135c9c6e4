package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// instantStore gives times back the way session.Store does: instants in
// the machine's zone (time.Local), not in the box's.
type instantStore struct{ *fakeStore }

func asStored(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMilli(t.UnixMilli())
}

func storedPrebooking(p session.Prebooking) session.Prebooking {
	p.ClassStart, p.OpensAt = asStored(p.ClassStart), asStored(p.OpensAt)
	p.CreatedAt, p.FiredAt, p.FinishedAt = asStored(p.CreatedAt), asStored(p.FiredAt), asStored(p.FinishedAt)
	return p
}

func (s instantStore) Prebookings(ctx context.Context, q session.PrebookingQuery) ([]session.Prebooking, error) {
	list, err := s.fakeStore.Prebookings(ctx, q)
	for i := range list {
		list[i] = storedPrebooking(list[i])
	}
	return list, err
}

func (s instantStore) CancelPrebooking(ctx context.Context, id int64) (session.Prebooking, error) {
	p, err := s.fakeStore.CancelPrebooking(ctx, id)
	return storedPrebooking(p), err
}

func (s instantStore) History(ctx context.Context, q session.HistoryQuery) ([]session.Event, error) {
	list, err := s.fakeStore.History(ctx, q)
	for i := range list {
		list[i].At = asStored(list[i].At)
	}
	return list, err
}

// newInstantEnv is newEnv over a store that answers in the machine's zone.
func newInstantEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, now: testNow}
	e.acct = newFakeAccount(testDays(testWeek, testNow, true))
	e.store = newFakeStore(func() time.Time { return e.now })
	e.acct.store = e.store
	cfg := Config{Lang: i18n.EN, Renderer: asciiRenderer(), Account: e.acct, Store: instantStore{e.store},
		Now: func() time.Time { return e.now }}
	e.m = newTestModel(cfg)
	e.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	e.run(e.m.Init())
	return e
}

// TestTimesInBoxTimeWhateverTheMachineZone runs the TUI with the process's
// zone set to New York and to UTC (a Raspberry Pi, a container) and checks
// that every view shows the box's time: the detail, the prebooking toast,
// the header, the prebookings list (each prebooking in its own box's zone),
// the remove-prebooking dialog and the history. Not parallel: it sets
// time.Local.
func TestTimesInBoxTimeWhateverTheMachineZone(t *testing.T) {
	canary := mustLoc("Atlantic/Canary")
	for _, zone := range []string{"America/New_York", "UTC"} {
		t.Run(zone, func(t *testing.T) {
			saved := time.Local
			time.Local = mustLoc(zone)
			t.Cleanup(func() { time.Local = saved })

			e := newInstantEnv(t)
			tx := e.m.tx
			c := e.pick(grid.NotOpen)
			start := c.Start.In(madrid).Format("15:04")
			when := tx.ShortDate(c.Date) + " " + start
			if v := e.m.detail.View(); !strings.Contains(v, tx.ShortDate(c.Date)+" · "+start+"–") {
				t.Errorf("the detail does not show %s at %s:\n%s", c.Name, start, v)
			}

			e.key("p")
			e.requireToast(tx.DateTime(c.OpensAt.In(madrid)))
			e.key("r") // the store's copy, in the machine's zone
			e.requireContains("⚑ " + c.Name + " " + when + " fires in ")

			// A prebooking at the other box: 18:30 in the Canaries (19:30 in Madrid).
			other := time.Date(2026, 11, 28, 18, 30, 0, 0, canary)
			e.store.mu.Lock()
			e.store.prebookings = append(e.store.prebookings, session.Prebooking{ID: 99, BoxID: otherBox.ID, ClassID: 7,
				Day: aimharder.DateOf(other), ClassName: "ATLANTIC WOD", ClassStart: other, OpensAt: other.Add(-48 * time.Hour),
				Status: session.PrebookPending, CreatedAt: testNow})
			e.store.mu.Unlock()

			e.key("P")
			e.requireContains(start + " " + c.Name)
			e.requireContains("18:30 ATLANTIC WOD")
			e.key("x")
			d := e.requireDialog(tx.ConfirmUnprebook)
			if want := fmt.Sprintf(tx.ConfirmUnprebookBody, c.Name+" "+when); d.Body != want {
				t.Errorf("remove dialog %q, want %q", d.Body, want)
			}
			e.key("esc")

			p := e.store.finish(e.store.prebookings[0].ID, session.PrebookBooked, "")
			e.key("H")
			e.requireContains(c.Name + " " + when + ": booked")
			e.requireContains(fmt.Sprintf(tx.OpenedAt, c.OpensAt.In(madrid).Format("15:04:05.000")))
			e.requireContains("→ " + p.FinishedAt.In(madrid).Format("15:04:05.000"))
			e.requireContains(tx.ShortDate(aimharder.DateOf(p.FinishedAt.In(madrid))) + " " + p.FinishedAt.In(madrid).Format("15:04:05"))
		})
	}
}
