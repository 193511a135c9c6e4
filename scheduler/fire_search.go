package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Finding a box's real opening (docs/protocol.md §9.3). AimHarder's "too
// early" answer says only "N días", which a box opening at a fixed hour
// (2d@12:00) says too. So a rule learned from that text is an assumption
// until an opening confirms it:
//
//   - a fire on an assumed rule sends one extra request earlyProbeLead before
//     the computed opening: "too early" there and a booking at the
//     opening confirm the rule; a booking there means the box opens
//     earlier, and the next prebooking on the box looks for the opening
//     before that instant;
//   - a burst that ends in "too early" at the computed opening (the
//     answer naming no later one) is followed by single requests at the
//     plausible instants of that day after it;
//   - either search tries, of the plausible instants (whole and half
//     hours), only the searchTries most common ones, in time order,
//     each re-armed like a stated opening: at most searchTries requests
//     (and refusals) per opening. Then an earlier-opening box's prebooking falls
//     back to the instant a booking was accepted at; a later-opening one's
//     outcome stands;
//   - the first accepted gives the rule Nd@HH:MM, unconfirmed, and every
//     other pending prebooking on the box is re-armed at the opening that
//     rule computes for it at once (foundHour): one search per box, not
//     per prebooking. The next fire at that instant, its probe refused and
//     its booking accepted, confirms it;
//   - on a rule the member set or an opening confirmed, such a "too early"
//     is evidence of a wrong time zone instead: single requests 1, 2 and
//     3 hours later; the one accepted is reported (ZoneSuspected).
const (
	earlyProbeLead = time.Second
	// searchTries bounds the single requests a search spends on one
	// opening: the six most common opening hours (00:00, 07:00, 08:00,
	// 12:00, 17:30, 20:00) fit in one search before any class's time, and
	// every request past them is a likelier "too early" than a find
	// (docs/protocol.md §9.3).
	searchTries  = 6
	maxZoneHours = 3
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

// searchList is the instants a search on p tries, in time order: of the
// plausible ones of the day the rule opens p on — after its computed
// opening, or before it when the box opens earlier than that — the
// searchTries most common.
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
	after, before := computed, p.ClassStart
	if rule.OpensEarlier {
		// A booking was accepted at the computed instant: the opening is
		// before it, that day.
		after = time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, rule.Location).Add(-time.Nanosecond)
		before = computed
	}
	if until, ok := rule.RefusedUntil(day); ok && until.After(after) && until.Before(before) {
		// An earlier search found the box too early through it.
		after = until
	}
	if !refused.IsZero() && refused.Before(after) && aimharder.DateOf(refused.In(rule.Location)) == day {
		after = refused
	}
	return session.PlausibleOpenings(rule.Location, day, after, before, searchTries)
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
	if b, err := r.store.Box(ctx, j.box.ID); err == nil {
		// As it stands now: another prebooking may have found the box's
		// hour during this fire.
		rule = b.Rule()
	}
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
		if j.late {
			// Sent after its instant: the window was open, but when it
			// opened is not known.
			return time.Time{}, ""
		}
		at := j.p.OpensAt.In(loc)
		found := aimharder.Rule{Kind: aimharder.RuleFixedHour, Days: daysBetween(aimharder.DateOf(at), aimharder.DateOf(j.p.ClassStart.In(loc))),
			Hour: at.Hour(), Minute: at.Minute()}
		if !found.Valid() {
			return time.Time{}, ""
		}
		// Unconfirmed: plausible instants before it may have gone
		// untried. The next fire at it confirms it (its probe refused, its
		// booking accepted).
		err := r.store.SetLearnedWindow(ctx, j.box.ID, found.String())
		if until, ok := rule.RefusedUntil(aimharder.DateOf(at)); ok && err == nil && until.Before(at) {
			// Still true of the found hour's day: kept for a search
			// before it, should a probe show the box opens earlier still.
			err = r.store.SetLearnedWindowState(ctx, j.box.ID, session.WindowState("", rule.RefusedThrough))
		}
		if err != nil {
			r.log.Warn("could not record the box's booking window", "box", j.box.Subdomain, "err", err)
			return time.Time{}, ""
		}
		r.log.Info("found the box's opening hour", "box", j.box.Subdomain, "rule", found.String())
		if rule.Source != session.RuleMember {
			// (A rule the member set meanwhile wins: reconcileOpenings.)
			r.foundHour(ctx, j.box, session.WindowRule{Rule: found, Source: session.RuleLearned, Location: loc}, j.p.ID)
		}
		r.publish(WindowFound{At: r.clock.Now(), Box: j.box.Subdomain, Rule: found.String(),
			Prebooking: j.p.InBoxZone(j.box)})
	case booked && !j.probeAt.IsZero() && res.best.sent.Before(j.probeAt.Add(earlyProbeLead/2)):
		r.log.Info("booked before the learned rule's opening: the box opens earlier", "box", j.box.Subdomain,
			"rule", rule.String(), "prebooking", j.p.ID)
		j.setState(ctx, session.WindowState(session.WindowOpensEarlier, rule.RefusedThrough))
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
	case j.searching() && rule.Source == session.RuleLearned && rule.Rule.Kind == aimharder.RuleFixedHour &&
		!rule.OpensEarlier && laterOpening(rule, j.p):
		// Another prebooking found the box's hour meanwhile (foundHour):
		// no more searching, the hour's instant.
		opens, _ := rule.OpensAt(j.p.ClassStart)
		return opens, ""
	case rule.Known():
		if next := nextSearch(rule, j.p, j.p.OpensAt); !next.IsZero() {
			return next, session.OutcomeOpeningSearch
		}
		if j.p.OutcomeCode == session.OutcomeOpeningSearch {
			j.rememberRefused(ctx, rule)
		}
		if opens, ok := rule.OpensAt(j.p.ClassStart); ok && rule.OpensEarlier && j.searching() && opens.After(j.p.OpensAt) {
			// The most common instants before it were all too early: the
			// instant a booking was accepted at is the best one known.
			r.log.Info("the search for the box's opening hour gave up for this opening: firing where a booking was accepted before",
				"box", j.box.Subdomain, "prebooking", j.p.ID, "opens_at", opens)
			return opens, session.OutcomeOpeningStated
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

// rememberRefused records, when a search gave up for this opening, that
// the box was too early through the last instant it tried: the next
// opening's search starts after it (WindowRule.RefusedThrough).
func (j *fireJob) rememberRefused(ctx context.Context, rule session.WindowRule) {
	at := j.p.OpensAt.In(rule.Location)
	m := at.Hour()*60 + at.Minute() + 1
	if m <= rule.RefusedThrough || rule.Confirmed {
		return
	}
	rule.RefusedThrough = m
	j.r.log.Info("the box's opening is later than every instant its search tried", "box", j.box.Subdomain,
		"rule", rule.String(), "too_early_through", at.Format("15:04"))
	j.setState(ctx, rule.State())
	j.r.restartSearches(ctx, j.box, rule, j.p.ID)
}

// restartSearches moves the searches of the box's other pending
// prebookings to the first instant still to try now that rule says more
// (the box was too early through a later instant): none spends a request
// on an instant known too early.
func (r *Runner) restartSearches(ctx context.Context, box session.Box, rule session.WindowRule, except int64) {
	pending, err := r.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending}, BoxID: box.ID})
	if err != nil {
		return
	}
	now := r.serverNow()
	for _, p := range pending {
		if p.ID == except || p.OutcomeCode != session.OutcomeOpeningSearch {
			continue
		}
		for _, at := range searchList(rule, p) {
			if !at.After(now) {
				continue
			}
			if !at.Equal(p.OpensAt) && r.store.SearchOpening(ctx, p.ID, at, session.OutcomeOpeningSearch) == nil {
				r.log.Info("prebooking's search moved past the instants known too early", "prebooking", p.ID, "opens_at", at)
			}
			break
		}
	}
}

func (j *fireJob) setState(ctx context.Context, state string) {
	if err := j.r.store.SetLearnedWindowState(ctx, j.box.ID, state); err != nil {
		j.r.log.Warn("could not record what the opening showed about the box's window", "box", j.box.Subdomain, "err", err)
	}
}

// laterOpening reports whether the rule computes p's opening after the
// instant p waits for now.
func laterOpening(rule session.WindowRule, p session.Prebooking) bool {
	opens, ok := rule.OpensAt(p.ClassStart)
	return ok && opens.After(p.OpensAt)
}

// foundHour re-arms every pending prebooking on the box but the one that
// found it at the opening the found rule computes for it: a box opens
// every class at its hour, so one search is enough (docs/protocol.md
// §9.3). One whose computed opening has passed fires at once.
func (r *Runner) foundHour(ctx context.Context, box session.Box, rule session.WindowRule, except int64) {
	pending, err := r.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending}, BoxID: box.ID})
	if err != nil {
		r.log.Warn("cannot list the box's prebookings to apply its opening hour", "box", box.Subdomain, "err", err)
		return
	}
	for _, p := range pending {
		opens, ok := rule.OpensAt(p.ClassStart)
		if p.ID == except || !ok || (opens.Equal(p.OpensAt) && p.OutcomeCode == "") {
			continue
		}
		if err := r.store.SearchOpening(ctx, p.ID, opens, ""); err != nil {
			r.log.Warn("cannot re-arm a prebooking at the box's opening hour", "prebooking", p.ID, "err", err)
			continue
		}
		r.log.Info("prebooking re-armed at the box's opening hour found", "prebooking", p.ID,
			"rule", rule.String(), "opens_at", opens)
	}
}

// searchFromEarliest starts the search of a pending prebooking on a box
// that opens earlier than its learned rule says, or later than an earlier
// search reached: at the first plausible instant to try that is still
// ahead (reconcileOpenings). It reports whether it did.
func (r *Runner) searchFromEarliest(ctx context.Context, rule session.WindowRule, p session.Prebooking) bool {
	if !rule.Assumed() || p.OutcomeCode == session.OutcomeOpeningStated {
		// A stated opening is kept: AimHarder's, or the instant a search
		// that gave up fell back to (its opening's requests are spent).
		return false
	}
	if !rule.OpensEarlier {
		computed, ok := rule.OpensAt(p.ClassStart)
		if until, known := rule.RefusedUntil(aimharder.DateOf(computed)); !ok || !known || !until.After(computed) {
			return false
		}
		// Known too early at the computed instant: no burst there.
	}
	now := r.serverNow()
	for _, at := range searchList(rule, p) {
		if !at.After(now) {
			continue
		}
		if err := r.store.SearchOpening(ctx, p.ID, at, session.OutcomeOpeningSearch); err != nil {
			return false
		}
		r.log.Info("the box opens at another hour than its learned rule says: looking for it at the most common instants left",
			"prebooking", p.ID, "opens_at", at)
		return true
	}
	return false
}

// daysBetween counts calendar days from a to b.
func daysBetween(a, b aimharder.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Round(time.Hour) / (24 * time.Hour))
}
