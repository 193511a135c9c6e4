package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Finding a box's real opening (docs/protocol.md §9). AimHarder's "too
// early" answer says only "N días", which a box opening at a fixed hour
// (2d@12:00) says too. So a rule learned from that text is an assumption
// until an opening confirms it:
//
//   - a fire on an assumed rule sends one extra request earlyProbeLead before
//     the computed opening: "too early" there and a booking at the
//     opening confirm the rule; a booking there means the box opens
//     earlier, and the next prebooking on the box looks for the opening
//     from the day's earliest plausible instant;
//   - a burst that ends in "too early" at the computed opening (the
//     answer naming no later one) is followed by single requests at the
//     plausible instants of that day (whole and half hours, at most
//     searchPerDay of them, the common ones first), in time order, each
//     re-armed like a stated opening; the first accepted gives the rule
//     Nd@HH:MM;
//   - on a rule the member set or an opening confirmed, such a "too early"
//     is evidence of a wrong time zone instead: single requests 1, 2 and
//     3 hours later; the one accepted is reported (ZoneSuspected).
const (
	earlyProbeLead = time.Second
	searchPerDay   = 24
	maxZoneHours   = 3
)

// searching reports whether this fire is one instant of a search: one
// request, no burst.
func (j *fireJob) searching() bool {
	return j.p.OutcomeCode == session.OutcomeOpeningSearch || j.p.OutcomeCode == session.OutcomeOpeningZone
}

// shapePlan makes a search fire one request (the one planned to arrive
// just after the instant), and gives a fire on an assumed rule its probe
// before the opening.
func (j *fireJob) shapePlan(plan firePlan) firePlan {
	if len(plan.sends) == 0 {
		return plan
	}
	if j.searching() && j.late {
		// Claimed after its instant: still one request, now.
		plan.sends, plan.staggered, plan.end = plan.sends[:1], 1, plan.sends[0]
		return plan
	}
	if j.late || plan.staggered == 0 {
		return plan
	}
	if j.searching() {
		at := plan.sends[plan.staggered-1]
		plan.sends, plan.staggered, plan.end = []time.Time{at}, 1, at
		return plan
	}
	if rule := j.box.Rule(); rule.Assumed() && !rule.OpensEarlier {
		probe := plan.opening.Add(-earlyProbeLead)
		if probe.After(j.r.clock.Now()) && probe.Before(plan.sends[0]) {
			j.probeAt = probe
			plan.sends = append([]time.Time{probe}, plan.sends...)
			plan.staggered++
		}
	}
	return plan
}

// searchList is the instants a search on p tries, in time order: the
// plausible ones of the day the rule opens p on, after its computed
// opening (from the day's start when the box opens earlier than that),
// before the class.
func searchList(rule session.WindowRule, p session.Prebooking) []time.Time {
	return searchListFrom(rule, p, time.Time{})
}

// searchListFrom is searchList, from `refused` on when it is earlier
// (the rule changed during the search: the instants since the last
// refused one are still to be tried).
func searchListFrom(rule session.WindowRule, p session.Prebooking, refused time.Time) []time.Time {
	computed, ok := rule.OpensAt(p.ClassStart)
	if !ok {
		return nil
	}
	day := aimharder.DateOf(computed)
	after := computed
	if rule.OpensEarlier {
		after = time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, rule.Location).Add(-time.Nanosecond)
	}
	if !refused.IsZero() && refused.Before(after) && aimharder.DateOf(refused.In(rule.Location)) == day {
		after = refused
	}
	return session.PlausibleOpenings(rule.Location, day, after, p.ClassStart, searchPerDay)
}

// nextSearch is the instant after `after` that the search on p tries
// next; zero when there is none.
func nextSearch(rule session.WindowRule, p session.Prebooking, after time.Time) time.Time {
	for _, t := range searchListFrom(rule, p, after) {
		if t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// afterOpening learns from the fire's answers what they say about the
// box's opening, and when the burst ended in "too early" at the computed
// opening, gives the next instant to try and its code (zero when there
// is none: the outcome stands).
func (j *fireJob) afterOpening(ctx context.Context, res *burstResult, o session.Outcome) (time.Time, string) {
	r := j.r
	rule := j.box.Rule()
	booked := res.verdict == verdictBooked
	loc := rule.Location
	if loc == nil {
		return time.Time{}, ""
	}
	switch {
	case booked && j.p.OutcomeCode == session.OutcomeOpeningZone:
		computed, _ := rule.OpensAt(j.p.ClassStart)
		hours := int(j.p.OpensAt.Sub(computed) / time.Hour)
		r.log.Warn("the booking went through hours after the computed opening: the box's time zone looks wrong",
			"box", j.box.Subdomain, "timezone", j.box.Timezone, "hours", hours, "prebooking", j.p.ID)
		p := j.p.InBoxZone(j.box)
		r.publish(ZoneSuspected{At: r.clock.Now(), Box: j.box.Subdomain, Timezone: j.box.Timezone, Hours: hours, Prebooking: p})
	case booked && j.p.OutcomeCode == session.OutcomeOpeningSearch:
		at := j.p.OpensAt.In(loc)
		found := aimharder.Rule{Kind: aimharder.RuleFixedHour, Days: daysBetween(aimharder.DateOf(at), aimharder.DateOf(j.p.ClassStart.In(loc))),
			Hour: at.Hour(), Minute: at.Minute()}
		if !found.Valid() {
			return time.Time{}, ""
		}
		// Every plausible instant before it tried (the cap did not bite):
		// the opening is this one.
		day := aimharder.DateOf(at)
		dayStart := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
		confirmed := len(session.PlausibleOpenings(loc, day, dayStart, j.p.ClassStart, 0)) <= searchPerDay
		var err error
		if confirmed {
			err = r.store.LearnConfirmedWindow(ctx, j.box.ID, found.String())
		} else {
			err = r.store.SetLearnedWindow(ctx, j.box.ID, found.String())
		}
		if err != nil {
			r.log.Warn("could not record the box's booking window", "box", j.box.Subdomain, "err", err)
			return time.Time{}, ""
		}
		r.log.Info("found the box's opening hour", "box", j.box.Subdomain, "rule", found.String(), "confirmed", confirmed)
		r.publish(WindowFound{At: r.clock.Now(), Box: j.box.Subdomain, Rule: found.String(), Confirmed: confirmed,
			Prebooking: j.p.InBoxZone(j.box)})
	case booked && !j.probeAt.IsZero() && res.best.sent.Before(j.probeAt.Add(earlyProbeLead/2)):
		r.log.Info("booked before the learned rule's opening: the box opens earlier", "box", j.box.Subdomain,
			"rule", rule.String(), "prebooking", j.p.ID)
		j.setState(ctx, session.WindowOpensEarlier)
	case booked && rule.Assumed() && tooEarlyBefore(res):
		r.log.Info("an opening confirmed the learned booking window", "box", j.box.Subdomain, "rule", rule.String())
		j.setState(ctx, session.WindowConfirmed)
	case booked || o.Code != "too_early":
	case j.p.OutcomeCode == session.OutcomeOpeningZone:
		computed, _ := rule.OpensAt(j.p.ClassStart)
		if next := j.p.OpensAt.Add(time.Hour); next.Sub(computed) <= maxZoneHours*time.Hour && next.Before(j.p.ClassStart) {
			return next, session.OutcomeOpeningZone
		}
	case rule.Known() && rule.Confirmed && j.p.OutcomeCode != session.OutcomeOpeningSearch:
		if next := j.p.OpensAt.Add(time.Hour); next.Before(j.p.ClassStart) {
			r.log.Warn("too early at the computed opening of a confirmed rule: trying where a zone error would put it",
				"box", j.box.Subdomain, "timezone", j.box.Timezone, "prebooking", j.p.ID)
			return next, session.OutcomeOpeningZone
		}
	case rule.Known():
		if next := nextSearch(rule, j.p, j.p.OpensAt); !next.IsZero() {
			return next, session.OutcomeOpeningSearch
		}
	}
	return time.Time{}, ""
}

// tooEarlyBefore reports whether a "too early" answered a request sent
// before the accepted one: the opening lies between them.
func tooEarlyBefore(res *burstResult) bool {
	for _, a := range res.attempts {
		if errors.Is(a.err, aimharder.ErrTooEarly) && a.sent.Before(res.best.sent) {
			return true
		}
	}
	return false
}

func (j *fireJob) setState(ctx context.Context, state string) {
	if err := j.r.store.SetLearnedWindowState(ctx, j.box.ID, state); err != nil {
		j.r.log.Warn("could not record what the opening showed about the box's window", "box", j.box.Subdomain, "err", err)
	}
}

// searchFromEarliest starts the search of a pending prebooking on a box
// that opens earlier than its learned rule says: at the day's earliest
// plausible instant (reconcileOpenings). It reports whether it did.
func (r *Runner) searchFromEarliest(ctx context.Context, rule session.WindowRule, p session.Prebooking) bool {
	if !rule.OpensEarlier || !rule.Assumed() {
		return false
	}
	list := searchList(rule, p)
	if len(list) == 0 {
		return false
	}
	if err := r.store.SearchOpening(ctx, p.ID, list[0], session.OutcomeOpeningSearch); err != nil {
		return false
	}
	r.log.Info("the box opens earlier than its learned rule: looking for the opening from the day's earliest plausible instant",
		"prebooking", p.ID, "opens_at", list[0])
	return true
}

// daysBetween counts calendar days from a to b.
func daysBetween(a, b aimharder.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Round(time.Hour) / (24 * time.Hour))
}
