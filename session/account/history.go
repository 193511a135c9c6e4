package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// History kinds of the member's own book and cancel actions. The service
// records them for every caller (TUI, CLI, runner), so a booking shows in
// the history however it was made.
const (
	EventBook   session.EventKind = "book"
	EventCancel session.EventKind = "cancel"
)

// ActionDetails is what a book or cancel history line keeps in Details.
type ActionDetails struct {
	Class   string    `json:"class"`
	Start   time.Time `json:"start"`
	Outcome string    `json:"outcome"` // booked, waitlisted, cancelled, cancelled_late or failed
	Code    string    `json:"code,omitempty"`
	Millis  int64     `json:"ms"`
}

// ActionEvent is the history line of a book or cancel of class c (its
// name and start may be zero when unknown) with its outcome, the server's
// words when it refused, and how long it took.
func ActionEvent(k session.EventKind, box session.Box, classID int64, date aimharder.Date, c ClassView, outcome string, err error, took time.Duration) session.Event {
	d := ActionDetails{Class: c.Name, Start: c.Start, Outcome: outcome, Millis: took.Milliseconds()}
	var msg string
	var be *aimharder.BookingError
	var te *TooEarlyError
	switch {
	case errors.As(err, &be):
		msg, d.Code = be.Message, fmt.Sprintf("%d %s", be.Code, be.Key)
	case errors.As(err, &te):
		msg, d.Code = te.Message, "too_early"
	case err != nil:
		msg, d.Code = err.Error(), "error"
	}
	details, _ := json.Marshal(d)
	return session.Event{Kind: k, BoxID: box.ID, ClassID: classID, Day: date, Message: msg, Details: details}
}

// BookOutcomeWord is the history outcome of a Book call.
func BookOutcomeWord(out BookOutcome, err error) string {
	switch {
	case err != nil:
		return "failed"
	case out.State == aimharder.StateWaitlisted:
		return "waitlisted"
	}
	return "booked"
}

// CancelOutcomeWord is the history outcome of a Cancel call; "" for the
// late-cancel question, which is not an outcome.
func CancelOutcomeWord(out CancelOutcome, err error) string {
	switch {
	case errors.Is(err, ErrLateCancelNeedsConsent):
		return ""
	case err != nil:
		return "failed"
	case out.Late:
		return "cancelled_late"
	}
	return "cancelled"
}

// recordBook writes a Book call's outcome to the history. The class's
// name and start come from the refusal when it carries the class, else
// from the store's copy of the day (no request is sent for them).
func (s *Service) recordBook(ctx context.Context, box session.Box, classID int64, date aimharder.Date, out BookOutcome, err error, took time.Duration) {
	c := s.knownClass(ctx, box, classID, date, err)
	s.record(ctx, ActionEvent(EventBook, box, classID, date, c, BookOutcomeWord(out, err), err, took))
}

// recordCancel writes a Cancel call's outcome to the history.
func (s *Service) recordCancel(ctx context.Context, box session.Box, classID int64, date aimharder.Date, out CancelOutcome, err error, took time.Duration) {
	word := CancelOutcomeWord(out, err)
	if word == "" {
		return
	}
	c := out.Class
	if c.ID == 0 {
		c = s.knownClass(ctx, box, classID, date, err)
	}
	s.record(ctx, ActionEvent(EventCancel, box, classID, date, c, word, err, took))
}

func (s *Service) knownClass(ctx context.Context, box session.Box, classID int64, date aimharder.Date, err error) ClassView {
	var te *TooEarlyError
	var ue *ClassUnavailableError
	switch {
	case errors.As(err, &te) && te.Class.ID != 0:
		return te.Class
	case errors.As(err, &ue) && ue.Class.ID != 0:
		return ue.Class
	}
	if day, ok, rerr := s.CachedDay(ctx, box, date); rerr == nil && ok {
		if c, found := day.FindClass(classID); found {
			return c
		}
	}
	return ClassView{}
}

func (s *Service) record(ctx context.Context, e session.Event) {
	if _, err := s.store.Record(context.WithoutCancel(ctx), e); err != nil {
		s.log.Warn("could not record the action in the history", "kind", e.Kind, "err", err)
	}
}
