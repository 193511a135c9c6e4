package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Agenda builds the member's agenda (see agenda_api.go): booked and
// waitlisted classes from AimHarder (or, with q.Offline or for a box that
// could not be read, from the cached class lists), pending prebookings and
// weekly-plan occurrences, one entry per class, in time order. Entries
// that ended before now are left out.
func (s *Service) Agenda(ctx context.Context, kind session.Kind, q AgendaQuery) (Agenda, error) {
	if !q.Offline {
		if _, err := s.store.Account(ctx); errors.Is(err, session.ErrNoAccount) {
			return Agenda{}, ErrNotLoggedIn
		} else if err != nil {
			return Agenda{}, err
		}
	}
	now := s.now()
	from, until := q.From, q.Until
	if from.IsZero() {
		zone := session.Box{}
		if b, err := s.store.CurrentBox(ctx); err == nil {
			zone = b
		}
		from = s.today(zone)
	}
	if until.IsZero() {
		until = from.AddDays(DefaultAgendaDays)
	}
	if until.Before(from) {
		return Agenda{}, fmt.Errorf("%w: the agenda ends (%s) before it starts (%s)", session.ErrInvalid, until, from)
	}
	boxes, err := s.store.Boxes(ctx)
	if err != nil {
		return Agenda{}, err
	}
	b := &agendaBuilder{s: s, from: from, until: until, boxes: map[int64]session.Box{}, known: map[boxDay]bool{}}
	for _, box := range boxes {
		b.boxes[box.ID] = box
	}
	family := s.familySetting(ctx)
	for _, box := range boxes {
		if !q.Offline && box.Active {
			err := b.readBox(ctx, kind, box, family)
			if err == nil {
				continue
			}
			if errors.Is(err, ErrNotLoggedIn) || errors.Is(err, ErrSessionExpired) || ctx.Err() != nil {
				return Agenda{}, err
			}
			s.log.Warn("could not read the member's bookings", "box", box.Subdomain, "err", err)
			b.notices = append(b.notices, fmt.Sprintf("%s: AimHarder could not be read just now; its bookings are the ones last seen", boxTitle(box)))
		}
		if err := b.cachedBox(ctx, box, family); err != nil {
			return Agenda{}, err
		}
	}
	if err := b.addPrebookings(ctx); err != nil {
		return Agenda{}, err
	}
	if err := b.addPlans(ctx, now); err != nil {
		return Agenda{}, err
	}
	b.lateCancel(ctx)
	out := make([]AgendaEntry, 0, len(b.entries))
	for _, e := range b.entries {
		end := e.End
		if end.IsZero() {
			end = e.Start
		}
		if !end.After(now) {
			continue
		}
		out = append(out, *e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, c := out[i], out[j]
		if !a.Start.Equal(c.Start) {
			return a.Start.Before(c.Start)
		}
		if a.Box.Subdomain != c.Box.Subdomain {
			return a.Box.Subdomain < c.Box.Subdomain
		}
		return a.Name < c.Name
	})
	return Agenda{From: from, Until: until, Entries: out, Notices: b.notices, BuiltAt: now}, nil
}

type boxDay struct {
	box int64
	day aimharder.Date
}

// agendaBuilder gathers the entries of one Agenda call.
type agendaBuilder struct {
	s           *Service
	from, until aimharder.Date
	boxes       map[int64]session.Box
	entries     []*AgendaEntry
	notices     []string
	// known: box days whose bookings were read (fresh, or from a cached
	// class list): a plan occurrence the store thinks booked that such a
	// list does not show was cancelled outside ahtui and is left out.
	known map[boxDay]bool
}

func (b *agendaBuilder) inRange(d aimharder.Date) bool {
	return !d.IsZero() && !d.Before(b.from) && !d.After(b.until)
}

// readBox asks AimHarder for a box's upcoming bookings — for the account
// holder, the family member set and every named one — and reads the class list of
// each day that list names.
func (b *agendaBuilder) readBox(ctx context.Context, kind session.Kind, box session.Box, family string) error {
	box = b.s.stored(ctx, box)
	ref, err := BoxRef(box)
	if err != nil {
		return err
	}
	// The holder, the setting's person and every named family member: a
	// parent who booked for a child sees the child's places too.
	people := []string{""}
	if family != "" {
		people = append(people, family)
	}
	members, _ := b.s.store.FamilyMembers(ctx)
	for _, f := range members {
		if !slices.Contains(people, f.ID) {
			people = append(people, f.ID)
		}
	}
	var found []*AgendaEntry
	for _, who := range people {
		next, err := b.s.nextBookings(ctx, kind, ref, who)
		if err != nil {
			return err
		}
		days := map[aimharder.Date][]aimharder.Reservation{}
		var order []aimharder.Date
		for _, r := range next.Upcoming {
			if r.Date.IsZero() {
				b.s.log.Warn("a booking's day could not be read", "box", box.Subdomain, "label", r.DayLabel)
				continue
			}
			if !b.inRange(r.Date) {
				continue
			}
			if _, seen := days[r.Date]; !seen {
				order = append(order, r.Date)
			}
			days[r.Date] = append(days[r.Date], r)
		}
		if who == family {
			// A cached list showing a booking AimHarder no longer lists
			// (cancelled in the app or on the web) is read again, so the
			// cache — what the calendar feed shows — stops showing it.
			stale, err := b.staleDays(ctx, box, days)
			if err != nil {
				return err
			}
			order = append(order, stale...)
		}
		for _, day := range order {
			view, err := b.s.dayFor(ctx, kind, box, day, who)
			if err != nil {
				return err
			}
			found = append(found, dayEntries(box, view, who, days[day])...)
		}
	}
	for d := b.from; !d.After(b.until); d = d.AddDays(1) {
		b.known[boxDay{box.ID, d}] = true
	}
	b.entries = append(b.entries, found...)
	return nil
}

// staleDays are the days of the range, not in listed, whose cached class
// list shows the member booked or waitlisted.
func (b *agendaBuilder) staleDays(ctx context.Context, box session.Box, listed map[aimharder.Date][]aimharder.Reservation) ([]aimharder.Date, error) {
	var out []aimharder.Date
	for d := b.from; !d.After(b.until); d = d.AddDays(1) {
		if _, ok := listed[d]; ok {
			continue
		}
		view, ok, err := b.s.CachedDay(ctx, box, d)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		now := b.s.now()
		for _, e := range dayEntries(box, view, "", nil) {
			if e.Start.After(now) {
				out = append(out, d)
				break
			}
		}
	}
	return out, nil
}

// dayEntries: the booked and waitlisted classes of a day's list, plus any
// reservation of nextBookings the list does not show (matched by start
// time and name: docs/protocol.md §5.4).
func dayEntries(box session.Box, view DayView, who string, rows []aimharder.Reservation) []*AgendaEntry {
	var out []*AgendaEntry
	for _, c := range view.Classes {
		if c.Cancelled || (c.Class.State != aimharder.StateBooked && c.Class.State != aimharder.StateWaitlisted) {
			continue
		}
		out = append(out, classEntry(box, c, who, view.Cached))
	}
	loc := box.LocationOrDefault()
	for _, r := range rows {
		start, end, ok := reservationTimes(view.Date, r.Time, loc)
		if !ok {
			continue
		}
		matched := false
		for _, e := range out {
			if session.SameClass(e.Name, e.Start, r.ClassName, start) {
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		state := AgendaBooked
		if r.State == aimharder.StateWaitlisted {
			state = AgendaWaitlisted
		}
		out = append(out, &AgendaEntry{Day: view.Date, Start: start, End: end, Name: r.ClassName, Box: box,
			State: state, FamilyID: who})
	}
	return out
}

func classEntry(box session.Box, c ClassView, who string, cached bool) *AgendaEntry {
	state := AgendaBooked
	if c.Class.State == aimharder.StateWaitlisted {
		state = AgendaWaitlisted
	}
	return &AgendaEntry{Day: c.Date, Start: c.Start, End: c.End, Name: c.Name, Box: box, State: state,
		ClassID: c.ID, ReservationID: c.ReservationID, FamilyID: who, Waiting: c.Waitlist,
		Occupancy: c.Occupancy, Capacity: c.Capacity, Cached: cached}
}

// reservationTimes reads nextBookings' "07:00 - 08:00" (or "07:00") on day.
func reservationTimes(day aimharder.Date, text string, loc *time.Location) (start, end time.Time, ok bool) {
	parts := strings.Split(text, "-")
	clock := func(s string) (time.Time, bool) {
		c, err := session.ParseClock(strings.TrimSpace(s))
		if err != nil {
			return time.Time{}, false
		}
		return c.On(day, loc), true
	}
	start, ok = clock(parts[0])
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	if len(parts) == 2 {
		if e, ok := clock(parts[1]); ok && e.After(start) {
			end = e
		}
	}
	return start, end, true
}

// cachedBox adds the booked and waitlisted classes of the box's cached
// class lists (what the TUI and the CLI last showed, for the family
// member in the settings).
func (b *agendaBuilder) cachedBox(ctx context.Context, box session.Box, family string) error {
	for d := b.from; !d.After(b.until); d = d.AddDays(1) {
		view, ok, err := b.s.CachedDay(ctx, box, d)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		b.known[boxDay{box.ID, d}] = true
		b.entries = append(b.entries, dayEntries(box, view, family, nil)...)
	}
	return nil
}

// cachedClass finds a class in the box's cached list of the day (for the
// end and the name of a prebooked or planned class).
func (b *agendaBuilder) cachedClass(ctx context.Context, box session.Box, day aimharder.Date, match func(ClassView) bool) (ClassView, bool) {
	view, ok, err := b.s.CachedDay(ctx, box, day)
	if err != nil || !ok {
		return ClassView{}, false
	}
	for _, c := range view.Classes {
		if match(c) {
			return c, true
		}
	}
	return ClassView{}, false
}

func (b *agendaBuilder) box(id int64) session.Box {
	if box, ok := b.boxes[id]; ok {
		return box
	}
	return session.Box{ID: id, Subdomain: fmt.Sprint(id)}
}

// find returns the entry for a class of a box and day, by class id.
func (b *agendaBuilder) find(boxID int64, day aimharder.Date, classID int64) *AgendaEntry {
	if classID == 0 {
		return nil
	}
	for _, e := range b.entries {
		if e.Box.ID == boxID && e.Day == day && e.ClassID == classID {
			return e
		}
	}
	return nil
}

// addPrebookings adds pending (and firing) prebookings of the range.
func (b *agendaBuilder) addPrebookings(ctx context.Context) error {
	pbs, err := b.s.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending, session.PrebookFiring}})
	if err != nil {
		return err
	}
	for _, pb := range pbs {
		if !b.inRange(pb.Day) {
			continue
		}
		if e := b.find(pb.BoxID, pb.Day, pb.ClassID); e != nil {
			// Already booked (outside the prebooking, or it is firing now).
			e.PrebookingID = pb.ID
			if e.PlanID == 0 {
				e.PlanID = pb.PlanID
			}
			continue
		}
		box := b.box(pb.BoxID)
		loc := box.LocationOrDefault()
		e := &AgendaEntry{Day: pb.Day, Start: pb.ClassStart.In(loc), Name: pb.ClassName, Box: box,
			State: AgendaPrebooked, ClassID: pb.ClassID, PrebookingID: pb.ID, PlanID: pb.PlanID, FamilyID: pb.FamilyID}
		if c, ok := b.cachedClass(ctx, box, pb.Day, func(c ClassView) bool { return c.ID == pb.ClassID }); ok {
			e.Start, e.End, e.Name = c.Start, c.End, c.Name
			e.Waiting, e.Occupancy, e.Capacity = c.Waitlist, c.Occupancy, c.Capacity
		}
		b.entries = append(b.entries, e)
	}
	return nil
}

// addPlans joins the weekly plans' occurrences of the range: a booked,
// waitlisted or prebooked occurrence marks the entry of its class with
// its plan; a planned one (or a prebooked one whose prebooking is gone)
// is an entry of its own; the other states (skipped, paused, missed, …)
// are nothing to attend.
func (b *agendaBuilder) addPlans(ctx context.Context, now time.Time) error {
	plans, err := b.s.store.Plans(ctx, session.PlanQuery{})
	if err != nil {
		return err
	}
	if len(plans) == 0 {
		return nil
	}
	occ, err := b.s.store.PlanOccurrences(ctx, plans, b.from, b.until, func(id int64) *time.Location {
		return b.box(id).LocationOrDefault()
	})
	if err != nil {
		return err
	}
	setting := b.s.familySetting(ctx)
	for _, p := range plans {
		box := b.box(p.BoxID)
		for _, o := range occ[p.ID] {
			if !b.inRange(o.Day) {
				continue
			}
			if e := b.matchOccurrence(p, o); e != nil {
				e.PlanID = p.ID
				continue
			}
			var state AgendaState
			switch o.State {
			case session.OccPlanned:
				state = AgendaPlanned
			case session.OccPrebooked:
				state = AgendaPrebooked
			case session.OccBooked, session.OccWaitlisted:
				if b.known[boxDay{p.BoxID, o.Day}] {
					continue // the class list says otherwise: cancelled outside ahtui
				}
				state = AgendaBooked
				if o.State == session.OccWaitlisted {
					state = AgendaWaitlisted
				}
			default:
				continue
			}
			e := &AgendaEntry{Day: o.Day, Start: o.Start, Name: strings.TrimSpace(p.Class), Box: box, State: state,
				ClassID: o.ClassID, ReservationID: o.ReservationID, PrebookingID: o.PrebookingID, PlanID: p.ID,
				FamilyID: p.Person(setting)}
			if state == AgendaPlanned || state == AgendaPrebooked {
				e.ReservationID = 0
			}
			if c, ok := b.cachedClass(ctx, box, o.Day, func(c ClassView) bool {
				if o.ClassID != 0 {
					return c.ID == o.ClassID
				}
				return session.SameClass(p.Class, o.Start, c.Name, c.Start)
			}); ok {
				e.Start, e.End, e.Name, e.ClassID = c.Start, c.End, c.Name, c.ID
				e.Waiting, e.Occupancy, e.Capacity = c.Waitlist, c.Occupancy, c.Capacity
			}
			b.entries = append(b.entries, e)
		}
	}
	return nil
}

// matchOccurrence finds the entry already holding a plan occurrence's
// class: by its prebooking, its class id, or the plan's class at the
// plan's time (a class booked outside ahtui that the plan would book).
func (b *agendaBuilder) matchOccurrence(p session.Plan, o session.PlanOccurrence) *AgendaEntry {
	for _, e := range b.entries {
		if e.Box.ID != p.BoxID || e.Day != o.Day {
			continue
		}
		switch {
		case o.PrebookingID != 0 && e.PrebookingID == o.PrebookingID,
			o.ClassID != 0 && e.ClassID == o.ClassID,
			session.SameClass(p.Class, o.Start, e.Name, e.Start):
			return e
		}
	}
	return nil
}

// lateCancel sets each booked class's free-cancel deadline from its box's
// late-cancel setting, when the member has set it.
func (b *agendaBuilder) lateCancel(ctx context.Context) {
	rules := map[int64]time.Duration{}
	for id, box := range b.boxes {
		if d, ok := b.s.LateCancel(ctx, box); ok {
			rules[id] = d
		}
	}
	for _, e := range b.entries {
		if d, ok := rules[e.Box.ID]; ok && e.State == AgendaBooked {
			e.FreeCancelUntil = e.Start.Add(-d)
		}
	}
}

// LateCancel returns the box's late-cancel time from its setting
// (LateCancelSetting), and whether it is known.
func (s *Service) LateCancel(ctx context.Context, box session.Box) (time.Duration, bool) {
	v, ok, err := s.store.Setting(ctx, LateCancelSetting(box.Subdomain))
	if err != nil || !ok {
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// nextBookings reads the member's upcoming reservations at a box for who
// ("" = the account holder), once more after a failure worth retrying.
func (s *Service) nextBookings(ctx context.Context, kind session.Kind, ref aimharder.BoxRef, who string) (aimharder.NextBookings, error) {
	var next aimharder.NextBookings
	read := func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
		var updated aimharder.Credentials
		var err error
		next, updated, err = s.client.NextBookings(ctx, creds, ref, who)
		return updated, err
	}
	err := s.withSession(ctx, kind, read)
	if err != nil && aimharder.IsRetryable(err) && ctx.Err() == nil {
		err = s.withSession(ctx, kind, read)
	}
	return next, err
}

func boxTitle(b session.Box) string {
	if b.Name != "" {
		return b.Name
	}
	return b.Subdomain
}
