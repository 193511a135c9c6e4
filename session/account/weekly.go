package account

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Weekly plans as a member handles them (docs/product.md, weekly plans):
// the CLI and the TUI call these; the runner works on the store's calls
// (session.Store.Plans, OccurrenceRecord, PutOccurrence…). Every change is
// written to the history by the store, in the same transaction.

// PlanHorizonDays is how far ListPlans looks: occurrences from the box's
// today through today + PlanHorizonDays (docs/cli.md: at least 14 days).
const PlanHorizonDays = 14

// Errors of the plan calls (besides the store's ErrInvalid, ErrNotFound
// and ErrPlanConflict).
var (
	// ErrPlanDayPast: a skip or a pause names class days already gone.
	ErrPlanDayPast = errors.New("that day has already passed")
	// ErrPlanEnded: a new plan whose until is before today.
	ErrPlanEnded = errors.New("the plan would end before today")
)

// PlanView is a plan with its box and its occurrences from the box's
// today through PlanHorizonDays later, in the box's zone.
type PlanView struct {
	Plan        session.Plan
	Box         session.Box
	Occurrences []session.PlanOccurrence
}

// today is the box's date now.
func (s *Service) today(box session.Box) aimharder.Date {
	return aimharder.DateOf(s.now().In(box.LocationOrDefault()))
}

// AddPlan stores a weekly plan for n.BoxID (the caller picks the box:
// the current one unless the member names another). It needs the account
// (ErrNotLoggedIn) and a known box; the store validates the plan
// (session.ErrInvalid) and refuses one for the same slot as a live plan
// (session.ErrPlanConflict). A plan that ends before the box's today
// gives ErrPlanEnded. It returns the plan with its first occurrences.
func (s *Service) AddPlan(ctx context.Context, n session.NewPlan) (PlanView, error) {
	if _, err := s.store.Account(ctx); errors.Is(err, session.ErrNoAccount) {
		return PlanView{}, ErrNotLoggedIn
	} else if err != nil {
		return PlanView{}, err
	}
	box, err := s.store.Box(ctx, n.BoxID)
	if err != nil {
		return PlanView{}, err
	}
	if !n.Until.IsZero() && n.Until.Before(s.today(box)) {
		return PlanView{}, fmt.Errorf("%w (it ends %s)", ErrPlanEnded, n.Until)
	}
	p, err := s.store.AddPlan(ctx, n)
	if err != nil {
		return PlanView{}, err
	}
	views, err := s.planViews(ctx, []session.Plan{p}, map[int64]session.Box{box.ID: box})
	if err != nil {
		return PlanView{}, err
	}
	return views[0], nil
}

// ListPlans returns every live plan, by id, with its occurrences from its
// box's today through PlanHorizonDays later, each in the state it shows
// (session.ShownState). It needs no session.
func (s *Service) ListPlans(ctx context.Context) ([]PlanView, error) {
	plans, err := s.store.Plans(ctx, session.PlanQuery{})
	if err != nil {
		return nil, err
	}
	boxes, err := s.store.Boxes(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]session.Box, len(boxes))
	for _, b := range boxes {
		byID[b.ID] = b
	}
	return s.planViews(ctx, plans, byID)
}

// Plan returns one live plan as ListPlans shows it, or session.ErrNotFound.
func (s *Service) Plan(ctx context.Context, id int64) (PlanView, error) {
	p, err := s.store.Plan(ctx, id)
	if err != nil {
		return PlanView{}, err
	}
	box, err := s.store.Box(ctx, p.BoxID)
	if err != nil {
		return PlanView{}, err
	}
	views, err := s.planViews(ctx, []session.Plan{p}, map[int64]session.Box{box.ID: box})
	if err != nil {
		return PlanView{}, err
	}
	return views[0], nil
}

// planViews joins plans with their occurrences, box by box (each box has
// its own today).
func (s *Service) planViews(ctx context.Context, plans []session.Plan, boxes map[int64]session.Box) ([]PlanView, error) {
	byBox := map[int64][]session.Plan{}
	for _, p := range plans {
		byBox[p.BoxID] = append(byBox[p.BoxID], p)
	}
	occ := map[int64][]session.PlanOccurrence{}
	for boxID, list := range byBox {
		box, ok := boxes[boxID]
		if !ok {
			box = session.Box{ID: boxID, Subdomain: fmt.Sprint(boxID)}
		}
		loc := box.LocationOrDefault()
		today := s.today(box)
		m, err := s.store.PlanOccurrences(ctx, list, today, today.AddDays(PlanHorizonDays),
			func(int64) *time.Location { return loc })
		if err != nil {
			return nil, err
		}
		for id, o := range m {
			occ[id] = o
		}
	}
	out := make([]PlanView, 0, len(plans))
	for _, p := range plans {
		box, ok := boxes[p.BoxID]
		if !ok {
			box = session.Box{ID: p.BoxID, Subdomain: fmt.Sprint(p.BoxID)}
		}
		out = append(out, PlanView{Plan: p, Box: box, Occurrences: occ[p.ID]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Plan.ID < out[j].Plan.ID })
	return out, nil
}

// EditPlan changes a live plan's days, waitlist, fallbacks and from/until
// dates (session.Store.EditPlan: the store validates the edit and refuses
// one that claims another plan's slot). An until before the box's today
// gives ErrPlanEnded (remove the plan instead). It needs no session, and
// returns the plan with its next occurrences.
func (s *Service) EditPlan(ctx context.Context, id int64, e session.PlanEdit) (PlanView, error) {
	p, err := s.store.Plan(ctx, id)
	if err != nil {
		return PlanView{}, err
	}
	box, err := s.store.Box(ctx, p.BoxID)
	if err != nil {
		return PlanView{}, err
	}
	if !e.Until.IsZero() && e.Until.Before(s.today(box)) {
		return PlanView{}, fmt.Errorf("%w (it ends %s)", ErrPlanEnded, e.Until)
	}
	if p, err = s.store.EditPlan(ctx, id, e); err != nil {
		return PlanView{}, err
	}
	views, err := s.planViews(ctx, []session.Plan{p}, map[int64]session.Box{box.ID: box})
	if err != nil {
		return PlanView{}, err
	}
	return views[0], nil
}

// AddedOpenDays returns the class days edit e of plan id would add whose
// booking is already open by the box's window rule (session.Plan.AddedOpen),
// from the box's today through PlanHorizonDays later — the days the runner
// works on — soonest first, whatever box the plan is of. The caller asks
// the member about each before EditPlan: book it at once
// (PlanEdit.BookOpen) or skip it (PlanEdit.Skip). It needs no session.
func (s *Service) AddedOpenDays(ctx context.Context, id int64, e session.PlanEdit) ([]session.Occurrence, error) {
	p, err := s.store.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	box, err := s.store.Box(ctx, p.BoxID)
	if err != nil {
		return nil, err
	}
	today := s.today(box)
	return p.AddedOpen(e, box.Rule(), s.now(), today, today.AddDays(PlanHorizonDays), box.LocationOrDefault()), nil
}

// OpenDaysOfNewPlan are the class days a plan not made yet would book
// whose booking is already open by the box's rule, over the weeks the
// runner looks ahead: it books them only with the member's yes
// (NewPlan.Now). Nothing when the box's rule is unknown.
func (s *Service) OpenDaysOfNewPlan(ctx context.Context, n session.NewPlan) ([]session.Occurrence, error) {
	box, err := s.store.Box(ctx, n.BoxID)
	if err != nil {
		return nil, err
	}
	today := s.today(box)
	none := session.Plan{Time: n.Time}
	add := session.PlanEdit{Days: n.Days, From: n.From, Until: n.Until}
	return none.AddedOpen(add, box.Rule(), s.now(), today, today.AddDays(PlanHorizonDays), box.LocationOrDefault()), nil
}

// RemovePlan ends a plan (session.Store.RemovePlan): its pending
// prebookings are withdrawn, bookings it made stay.
func (s *Service) RemovePlan(ctx context.Context, id int64) (session.Plan, error) {
	return s.store.RemovePlan(ctx, id)
}

// SkipPlanDay skips one class day of a plan; a day before the box's today
// gives ErrPlanDayPast, a day that is not one of the plan's
// session.ErrInvalid. A booking already made that day stays (skipping
// does not cancel a class: `ahtui cancel` does).
func (s *Service) SkipPlanDay(ctx context.Context, id int64, day aimharder.Date) (session.Plan, error) {
	if err := s.notPast(ctx, id, day); err != nil {
		return session.Plan{}, err
	}
	return s.store.SkipPlanDay(ctx, id, day)
}

// UnskipPlanDay takes a skip back (session.ErrNotFound when the day is not
// skipped).
func (s *Service) UnskipPlanDay(ctx context.Context, id int64, day aimharder.Date) (session.Plan, error) {
	return s.store.UnskipPlanDay(ctx, id, day)
}

// PausePlans pauses plan id — every live plan when id is 0 — from from
// through until (class dates, both included). A pause that ended before
// today gives ErrPlanDayPast. It returns the plans paused.
func (s *Service) PausePlans(ctx context.Context, id int64, from, until aimharder.Date) ([]session.Plan, error) {
	if err := s.notPast(ctx, id, until); err != nil {
		return nil, err
	}
	return s.store.PausePlans(ctx, id, session.DayRange{From: from, Until: until})
}

// ResumePlans removes the pauses of plan id — of every plan when id is 0
// — and returns the plans that had one.
func (s *Service) ResumePlans(ctx context.Context, id int64) ([]session.Plan, error) {
	return s.store.ResumePlans(ctx, id)
}

// notPast refuses a class day before today in the box of plan id (the
// current box, else the default zone, when id is 0).
func (s *Service) notPast(ctx context.Context, id int64, day aimharder.Date) error {
	var box session.Box
	if id != 0 {
		p, err := s.store.Plan(ctx, id)
		if err != nil {
			return err
		}
		if box, err = s.store.Box(ctx, p.BoxID); err != nil {
			return err
		}
	} else if b, err := s.store.CurrentBox(ctx); err == nil {
		box = b
	}
	if day.Before(s.today(box)) {
		return fmt.Errorf("%w (%s)", ErrPlanDayPast, day)
	}
	return nil
}
