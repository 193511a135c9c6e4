package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// Class watches (`ahtui watch`, session.Watch): the leader reads a watched
// class's day at a cadence and, when a place frees, books it (a --book
// watch, through account.Service.Book like `ahtui book`, which records the
// outcome in the history) or tells the member (ClassWatchOutcome, which
// notify_command receives as the `watch` event). A watch ends a minimum
// notice before the class (account.WatchEnds). This is unrelated to
// watch.go, which watches the claims of other runners.
//
// The cadence respects AimHarder: one day read serves every watched class
// of that box and day, once every WatchEvery, or every WatchEveryNear from
// WatchNear before the earliest watched class of the day.
const (
	WatchEvery     = 60 * time.Second
	WatchEveryNear = 20 * time.Second
	WatchNear      = 2 * time.Hour
)

// Outcomes of ClassWatchOutcome (AHTUI_OUTCOME of the `watch` event).
const (
	WatchOutcomeBooked    = "booked"
	WatchOutcomePlaceFree = "place_free"
	WatchOutcomeEnded     = "ended"
)

// ClassWatchOutcome: a watch ended — it booked the freed place, saw a
// place free and told the member, or ended without one (booking closed,
// the class left the schedule, AimHarder refused the booking).
type ClassWatchOutcome struct {
	At      time.Time
	Watch   session.Watch // as stored after the outcome
	Outcome string        // booked, place_free or ended
	Reason  string        // ended: why, in the member's words (and AimHarder's when it refused)
	// Occupancy and Capacity are the class's as last read (0 when not read).
	Occupancy, Capacity int
}

func (e ClassWatchOutcome) Time() time.Time { return e.At }
func (ClassWatchOutcome) isEvent()          {}

func (e ClassWatchOutcome) String() string {
	s := fmt.Sprintf("watch #%d %s: %s", e.Watch.ID, watchTitle(e.Watch), e.Outcome)
	switch {
	case e.Outcome == WatchOutcomeBooked && e.Watch.ReservationID != 0:
		s += fmt.Sprintf(" (reservation %d)", e.Watch.ReservationID)
	case e.Outcome == WatchOutcomePlaceFree && e.Capacity > 0:
		s += fmt.Sprintf(" (%d/%d)", e.Occupancy, e.Capacity)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

func watchTitle(w session.Watch) string {
	name := w.ClassName
	if name == "" {
		name = fmt.Sprintf("class %d", w.ClassID)
	}
	if w.ClassStart.IsZero() {
		return name + " " + w.Day.String()
	}
	return name + " " + w.ClassStart.Format("Mon 2 Jan 15:04")
}

// watchGroup is the watches one day read serves.
type watchGroup struct {
	box session.Box
	day aimharder.Date
}

// classWatcher keeps, per box and day, when the day was last read.
type classWatcher struct {
	r     *Runner
	reads map[watchGroup]time.Time // local clock
	// readDay reads a day (the runner's account service by default).
	readDay func(ctx context.Context, box session.Box, day aimharder.Date) (account.DayView, error)
	// wake: the engine's scan pokes an idle watcher (no live watch) to
	// look for new ones, so an idle watcher sets no timer of its own.
	wake chan struct{}
}

func (r *Runner) newClassWatcher() *classWatcher {
	return &classWatcher{r: r, reads: map[watchGroup]time.Time{}, wake: make(chan struct{}, 1),
		readDay: func(ctx context.Context, box session.Box, day aimharder.Date) (account.DayView, error) {
			return r.svc.Day(ctx, session.KindBackground, box, day)
		}}
}

// startClassWatches runs the class watches while this runner leads: the
// engine starts it in its group and pokes it at each scan.
func (r *Runner) startClassWatches(ctx context.Context, group *sync.WaitGroup) *classWatcher {
	cw := r.newClassWatcher()
	group.Go(func() { cw.run(ctx) })
	return cw
}

// poke wakes an idle watcher; it never blocks.
func (cw *classWatcher) poke() {
	select {
	case cw.wake <- struct{}{}:
	default:
	}
}

func (cw *classWatcher) run(ctx context.Context) {
	for ctx.Err() == nil {
		checked := cw.r.clock.Now()
		next, idle := cw.round(ctx)
		if idle {
			// Look for a new watch at most every WatchEveryNear: it was
			// read when it was added, and its cadence is longer.
			for {
				select {
				case <-ctx.Done():
					return
				case <-cw.wake:
				}
				if now := cw.r.clock.Now(); now.Sub(checked) >= WatchEveryNear || now.Before(checked) {
					break
				}
			}
			continue
		}
		if err := sleepUntil(ctx, cw.r.clock, next, cw.r.timing.Recheck); err != nil {
			return
		}
	}
}

// round ends the watches whose class closed for booking, reads the days
// that are due and acts on what they show; it returns when to look again
// (at the latest after Scan, so a watch added meanwhile is read soon), or
// idle when no watch is live.
func (cw *classWatcher) round(ctx context.Context) (next time.Time, idle bool) {
	r := cw.r
	now := r.clock.Now()
	next = now.Add(r.timing.Scan)
	live, err := r.store.Watches(ctx, session.WatchWatching)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("cannot list class watches", "err", err)
		}
		return next, false
	}
	if len(live) == 0 {
		clear(cw.reads)
		return next, true
	}
	groups := map[watchGroup][]session.Watch{}
	boxes := map[int64]session.Box{}
	serverNow := r.serverNow()
	for _, w := range live {
		ends := account.WatchEnds(w.ClassStart)
		if !serverNow.Before(ends) {
			cw.finish(ctx, w, session.WatchEnded, "booking has closed", 0, WatchOutcomeEnded, aimharder.Class{})
			continue
		}
		if at := r.localAt(ends); at.Before(next) {
			next = at
		}
		box, ok := boxes[w.BoxID]
		if !ok {
			if box, err = r.store.Box(ctx, w.BoxID); err != nil {
				r.log.Warn("cannot read the box of a class watch", "watch", w.ID, "err", err)
				continue
			}
			boxes[w.BoxID] = box
		}
		g := watchGroup{box: box, day: w.Day}
		groups[g] = append(groups[g], w)
	}
	for g := range cw.reads {
		if _, ok := groups[g]; !ok {
			delete(cw.reads, g) // nothing watched there any more
		}
	}
	for g, ws := range groups {
		every := WatchEvery
		for _, w := range ws {
			if !serverNow.Before(w.ClassStart.Add(-WatchNear)) {
				every = WatchEveryNear
			}
		}
		last, read := cw.reads[g]
		if read && now.Sub(last) < every && !now.Before(last) {
			if due := last.Add(every); due.Before(next) {
				next = due
			}
			continue
		}
		cw.reads[g] = now
		if due := now.Add(every); due.Before(next) {
			next = due
		}
		day, err := cw.readDay(ctx, g.box, g.day)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Info("class watch: cannot read the day; trying again at the next turn", "box", g.box.Subdomain,
					"day", g.day, "err", err)
			}
			continue
		}
		for _, w := range ws {
			cw.check(ctx, g.box, w, day)
		}
	}
	return next, false
}

// check acts on one watched class as the day shows it.
func (cw *classWatcher) check(ctx context.Context, box session.Box, w session.Watch, day account.DayView) {
	r := cw.r
	c, ok := day.FindClass(w.ClassID)
	switch {
	case !ok:
		cw.finish(ctx, w, session.WatchEnded, "the class is no longer in the schedule", 0, WatchOutcomeEnded, aimharder.Class{})
		return
	case c.Class.State == aimharder.StateBooked:
		// Booked meanwhile (from the TUI, the web, or promoted from the
		// waitlist): nothing left to watch, nothing to tell.
		if _, err := r.store.FinishWatch(ctx, w.ID, session.WatchBooked, "you were booked in it", c.ReservationID); err != nil &&
			!errors.Is(err, session.ErrNotWatching) && !errors.Is(err, session.ErrNotFound) {
			r.log.Warn("cannot store a class watch's end", "watch", w.ID, "err", err)
		}
		return
	case c.Full() || c.Capacity == 0:
		return // still full (or the places are unknown): look again at the next turn
	}
	if !w.Book {
		cw.finish(ctx, w, session.WatchNotified, fmt.Sprintf("a place freed (%d/%d)", c.Occupancy, c.Capacity), 0,
			WatchOutcomePlaceFree, c.Class)
		return
	}
	out, err := r.svc.Book(ctx, session.KindBackground, box, w.ClassID, w.Day, false)
	var unavailable *account.ClassUnavailableError
	switch {
	case err == nil:
		detail := "booked the freed place"
		if out.State == aimharder.StateWaitlisted {
			detail = "AimHarder put you on the waitlist"
		}
		cw.finish(ctx, w, session.WatchBooked, detail, out.ReservationID, WatchOutcomeBooked, c.Class)
	case errors.Is(err, aimharder.ErrFull):
		r.log.Info("class watch: the freed place was taken first; still watching", "watch", w.ID)
	case errors.Is(err, aimharder.ErrTooEarly):
		// The box's window rule was unknown when the watch was made.
		cw.finish(ctx, w, session.WatchEnded, "booking is not open yet: prebook the class instead", 0, WatchOutcomeEnded, c.Class)
	case errors.Is(err, aimharder.ErrTooLate), errors.As(err, &unavailable):
		cw.finish(ctx, w, session.WatchEnded, "booking has closed: "+outcome.Explain(err, outcome.EN), 0, WatchOutcomeEnded, c.Class)
	case aimharder.Ambiguous(err), errors.Is(err, account.ErrNotLoggedIn), errors.Is(err, account.ErrSessionExpired),
		ctx.Err() != nil:
		r.log.Info("class watch: the booking did not go through; trying again at the next turn", "watch", w.ID, "err", err)
	default:
		var be *aimharder.BookingError
		if !errors.As(err, &be) {
			r.log.Info("class watch: the booking did not go through; trying again at the next turn", "watch", w.ID, "err", err)
			return
		}
		// A refusal booking again would meet too (no credit, daily limit…).
		cw.finish(ctx, w, session.WatchEnded, "a place freed but AimHarder refused the booking: "+outcome.Explain(err, outcome.EN), 0,
			WatchOutcomeEnded, c.Class)
	}
}

// finish stores a watch's end and publishes it; a watch another runner
// finished or the member removed meanwhile is left alone.
func (cw *classWatcher) finish(ctx context.Context, w session.Watch, state session.WatchState, detail string, reservationID int64, outcome string, c aimharder.Class) {
	r := cw.r
	done, err := r.store.FinishWatch(ctx, w.ID, state, detail, reservationID)
	switch {
	case errors.Is(err, session.ErrNotWatching), errors.Is(err, session.ErrNotFound):
		return
	case err != nil:
		if ctx.Err() == nil {
			r.log.Warn("cannot store a class watch's end; trying again at the next turn", "watch", w.ID, "err", err)
		}
		return
	}
	e := ClassWatchOutcome{At: r.clock.Now(), Watch: done, Outcome: outcome, Occupancy: c.Occupancy, Capacity: c.Capacity}
	if outcome == WatchOutcomeEnded {
		e.Reason = detail
	}
	r.publish(e)
}

// classWatch fills the `watch` notification of a class watch's outcome.
func (n *Notification) classWatch(e ClassWatchOutcome) {
	w := e.Watch
	n.Event, n.Outcome = "watch", e.Outcome
	n.WatchID, n.ClassID, n.Class, n.boxID, n.Day = w.ID, w.ClassID, w.ClassName, w.BoxID, w.Day.String()
	if !w.ClassStart.IsZero() {
		n.Start = w.ClassStart.Format("15:04")
		n.StartsAt = w.ClassStart.Format(time.RFC3339)
		n.start = w.ClassStart
	}
	n.ReservationID, n.Reason = w.ReservationID, e.Reason
	switch e.Outcome {
	case WatchOutcomeBooked:
		n.Code, n.Title = "booked", "Booked a freed place: "
	case WatchOutcomePlaceFree:
		n.Code, n.Title = "place_free", "A place is free: "
	default:
		n.Code, n.Title = "ended", "Watch ended: "
	}
	n.Title += watchTitle(w)
}
