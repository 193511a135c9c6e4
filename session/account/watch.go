package account

import (
	"context"
	"errors"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// WatchNotice is how long before its start a watched class stops being
// watched: AimHarder closes booking a box's minimum notice before the start
// (docs/protocol.md §9; seen 15 and 60 minutes) and never says which, so
// the shortest seen is assumed. A booking refused as too late ends a watch
// earlier.
const WatchNotice = 15 * time.Minute

// WatchEnds is when a watch of a class starting at start ends.
func WatchEnds(start time.Time) time.Time { return start.Add(-WatchNotice) }

// Errors of AddWatch.
var (
	// ErrClassHasPlaces: the class is not full; there is nothing to wait for.
	ErrClassHasPlaces = errors.New("it has free places: book it now")
	// ErrWatchClosed: booking for the class has closed (its minimum notice).
	ErrWatchClosed = errors.New("booking for that class has closed")
	// ErrNotOpenYet: the class's booking window has not opened.
	ErrNotOpenYet = errors.New("booking is not open yet: prebook it instead")
	// ErrAlreadyWatched: a live watch of the class exists.
	ErrAlreadyWatched = errors.New("that class is already watched")
)

// WatchResult is what AddWatch did.
type WatchResult struct {
	Class ClassView // the class as the day read showed it
	Watch session.Watch
}

// AddWatch watches a full class: the runner reads its day at a cadence and,
// when a place frees, books it (book) or tells the member. It reads the day
// once and refuses a class not in it (ErrClassNotFound), started
// (ErrClassStarted) or closed for booking (ErrWatchClosed), one the member
// is already in (ErrAlreadyIn), one whose window has not opened
// (ErrNotOpenYet), one with free places (ErrClassHasPlaces) and a second
// watch of the same class (ErrAlreadyWatched). This is the call a TUI key
// on a full class makes.
func (s *Service) AddWatch(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, book bool) (WatchResult, error) {
	day, err := s.Day(ctx, kind, box, date)
	if err != nil {
		return WatchResult{}, err
	}
	c, ok := day.FindClass(classID)
	if !ok {
		return WatchResult{}, ErrClassNotFound
	}
	res := WatchResult{Class: c}
	now := s.now()
	switch {
	case !now.Before(c.Start):
		return res, ErrClassStarted
	case !now.Before(WatchEnds(c.Start)):
		return res, ErrWatchClosed
	case c.Class.State != aimharder.StateNone:
		return res, ErrAlreadyIn
	case c.State == StateNotOpen:
		return res, ErrNotOpenYet
	case !c.Full():
		return res, ErrClassHasPlaces
	}
	res.Watch, err = s.store.AddWatch(ctx, session.NewWatch{BoxID: box.ID, ClassID: classID, Day: date,
		ClassName: c.Name, ClassStart: c.Start, Book: book})
	if errors.Is(err, session.ErrDuplicate) {
		return res, ErrAlreadyWatched
	}
	return res, err
}

// Watches lists the member's watches, every state, by class start.
func (s *Service) Watches(ctx context.Context) ([]session.Watch, error) {
	return s.store.Watches(ctx)
}

// RemoveWatch stops and forgets a watch (session.ErrNotFound when there is
// none).
func (s *Service) RemoveWatch(ctx context.Context, id int64) (session.Watch, error) {
	return s.store.RemoveWatch(ctx, id)
}
