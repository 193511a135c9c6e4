package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// The fake account's weekly plans, kept in the fake store: the service's
// answers (conflicts refused in its words, skips, pauses) over memory.

func (f *fakeAccount) AddPlan(_ context.Context, n session.NewPlan) (account.PlanView, error) {
	f.record("plan add %s %s %s waitlist=%v fallbacks=%d now=%v", n.Days, n.Time, n.Class, n.Waitlist, len(n.Fallbacks), n.Now)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	n.Class = strings.TrimSpace(n.Class)
	if err := n.Validate(); err != nil {
		return account.PlanView{}, err
	}
	for _, p := range s.plans {
		if p.Conflicts(n) {
			return account.PlanView{}, fmt.Errorf("plan #%d already books %s at %s on %s: %w",
				p.ID, p.Class, p.Time, (p.Days & n.Days).String(), session.ErrPlanConflict)
		}
	}
	s.nextPlan++
	p := session.Plan{ID: s.nextPlan, BoxID: n.BoxID, Days: n.Days, Time: n.Time, Class: n.Class, Waitlist: n.Waitlist,
		Fallbacks: n.Fallbacks, From: n.From, Until: n.Until, Now: n.Now, FamilyID: n.FamilyID, CreatedAt: s.now()}
	s.plans = append(s.plans, p)
	return s.viewLocked(p), nil
}

func (f *fakeAccount) ListPlans(context.Context) ([]account.PlanView, error) {
	s := f.store
	if s == nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plansErr != nil {
		return nil, s.plansErr
	}
	out := make([]account.PlanView, 0, len(s.plans))
	for _, p := range s.plans {
		out = append(out, s.viewLocked(p))
	}
	return out, nil
}

// viewLocked is a plan with its occurrences over the service's horizon,
// with the states the store's records give (s.occ).
func (s *fakeStore) viewLocked(p session.Plan) account.PlanView {
	box := testBox
	for _, b := range s.boxes {
		if b.ID == p.BoxID {
			box = b
		}
	}
	now := s.now()
	today := aimharder.DateOf(now.In(madrid))
	v := account.PlanView{Plan: p, Box: box}
	for _, o := range p.Occurrences(today, today.AddDays(account.PlanHorizonDays), madrid) {
		var rec *session.OccurrenceRecord
		if r, ok := s.occ[fmt.Sprintf("%d/%s", p.ID, o.Day)]; ok {
			rec = &r
		}
		v.Occurrences = append(v.Occurrences, session.Join(o, rec, nil, now))
	}
	return v
}

// setOccurrence plays the runner: an occurrence's record.
func (s *fakeStore) setOccurrence(rec session.OccurrenceRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.occ == nil {
		s.occ = map[string]session.OccurrenceRecord{}
	}
	s.occ[fmt.Sprintf("%d/%s", rec.PlanID, rec.Day)] = rec
}

func (s *fakeStore) plan(id int64) (*session.Plan, error) {
	for i := range s.plans {
		if s.plans[i].ID == id {
			return &s.plans[i], nil
		}
	}
	return nil, fmt.Errorf("plan #%d: %w", id, session.ErrNotFound)
}

func (f *fakeAccount) RemovePlan(_ context.Context, id int64) (session.Plan, error) {
	f.record("plan rm %d", id)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(id)
	if err != nil {
		return session.Plan{}, err
	}
	out := *p
	s.plans = slices.DeleteFunc(s.plans, func(p session.Plan) bool { return p.ID == id })
	return out, nil
}

func (f *fakeAccount) SkipPlanDay(_ context.Context, id int64, day aimharder.Date) (session.Plan, error) {
	f.record("plan skip %d %s", id, day)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(id)
	if err != nil {
		return session.Plan{}, err
	}
	if !p.IsDay(day) {
		return session.Plan{}, fmt.Errorf("%w: %s is not a day of plan #%d", session.ErrInvalid, day, id)
	}
	if !p.Skipped(day) {
		p.Skips = append(p.Skips, day)
		slices.SortFunc(p.Skips, func(a, b aimharder.Date) int { return strings.Compare(a.Compact(), b.Compact()) })
	}
	return *p, nil
}

func (f *fakeAccount) UnskipPlanDay(_ context.Context, id int64, day aimharder.Date) (session.Plan, error) {
	f.record("plan unskip %d %s", id, day)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(id)
	if err != nil {
		return session.Plan{}, err
	}
	if !p.Skipped(day) {
		return session.Plan{}, fmt.Errorf("%s is not skipped in plan #%d: %w", day, id, session.ErrNotFound)
	}
	p.Skips = slices.DeleteFunc(p.Skips, func(d aimharder.Date) bool { return d == day })
	return *p, nil
}

func (f *fakeAccount) PausePlans(_ context.Context, id int64, from, until aimharder.Date) ([]session.Plan, error) {
	f.record("plan pause %d %s %s", id, from, until)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.Before(aimharder.DateOf(s.now().In(madrid))) {
		return nil, fmt.Errorf("%w (%s)", account.ErrPlanDayPast, until)
	}
	targets, err := s.targets(id)
	if err != nil {
		return nil, err
	}
	var out []session.Plan
	for _, p := range targets {
		p.Pauses = append(p.Pauses, session.DayRange{From: from, Until: until})
		out = append(out, *p)
	}
	return out, nil
}

// targets is plan id, or every plan when id is 0 (the store's words).
func (s *fakeStore) targets(id int64) ([]*session.Plan, error) {
	if id != 0 {
		p, err := s.plan(id)
		if err != nil {
			return nil, err
		}
		return []*session.Plan{p}, nil
	}
	if len(s.plans) == 0 {
		return nil, fmt.Errorf("no plans: %w", session.ErrNotFound)
	}
	out := make([]*session.Plan, len(s.plans))
	for i := range s.plans {
		out[i] = &s.plans[i]
	}
	return out, nil
}

func (f *fakeAccount) ResumePlans(_ context.Context, id int64) ([]session.Plan, error) {
	f.record("plan resume %d", id)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	targets, err := s.targets(id)
	if err != nil {
		if id == 0 {
			return nil, nil
		}
		return nil, err
	}
	var out []session.Plan
	for _, p := range targets {
		if len(p.Pauses) > 0 {
			p.Pauses = nil
			out = append(out, *p)
		}
	}
	return out, nil
}

func (f *fakeAccount) EditPlan(_ context.Context, id int64, e session.PlanEdit) (account.PlanView, error) {
	var fbs []string
	for _, fb := range e.Fallbacks {
		fbs = append(fbs, fb.Time.String()+" "+fb.Class)
	}
	call := fmt.Sprintf("plan edit %d %s waitlist=%v fallbacks=[%s] from=%s until=%s", id, e.Days, e.Waitlist,
		strings.Join(fbs, ", "), e.From, e.Until)
	for _, d := range e.Skip {
		call += " skip=" + d.String()
	}
	for _, d := range e.BookOpen {
		call += " book=" + d.String()
	}
	f.record("%s", call)
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(id)
	if err != nil {
		return account.PlanView{}, err
	}
	n := session.NewPlan{BoxID: p.BoxID, Days: e.Days, Time: p.Time, Class: p.Class, Waitlist: e.Waitlist,
		Fallbacks: e.Fallbacks, From: e.From, Until: e.Until}
	if err := n.Validate(); err != nil {
		return account.PlanView{}, err
	}
	p.Days, p.Waitlist, p.Fallbacks, p.From, p.Until = e.Days, e.Waitlist, e.Fallbacks, e.From, e.Until
	for _, d := range e.Skip {
		if p.IsDay(d) && !p.Skipped(d) {
			p.Skips = append(p.Skips, d)
		}
	}
	return s.viewLocked(*p), nil
}

// AddedOpenDays works as the service does: the plan's box's rule, from
// its today through the service's horizon.
func (f *fakeAccount) AddedOpenDays(_ context.Context, id int64, e session.PlanEdit) ([]session.Occurrence, error) {
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(id)
	if err != nil {
		return nil, err
	}
	box := testBox
	for _, b := range s.boxes {
		if b.ID == p.BoxID {
			box = b
		}
	}
	loc := box.LocationOrDefault()
	now := s.now()
	today := aimharder.DateOf(now.In(loc))
	return p.AddedOpen(e, box.Rule(), now, today, today.AddDays(account.PlanHorizonDays), loc), nil
}

// OpenDaysOfNewPlan works as the service does: the box's rule, from its
// today through the service's horizon.
func (f *fakeAccount) OpenDaysOfNewPlan(_ context.Context, n session.NewPlan) ([]session.Occurrence, error) {
	s := f.store
	s.mu.Lock()
	defer s.mu.Unlock()
	box := testBox
	for _, b := range s.boxes {
		if b.ID == n.BoxID {
			box = b
		}
	}
	loc := box.LocationOrDefault()
	now := s.now()
	today := aimharder.DateOf(now.In(loc))
	none := session.Plan{Time: n.Time}
	return none.AddedOpen(session.PlanEdit{Days: n.Days, From: n.From, Until: n.Until}, box.Rule(), now, today,
		today.AddDays(account.PlanHorizonDays), loc), nil
}
