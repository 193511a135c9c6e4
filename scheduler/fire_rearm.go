package scheduler

import (
	"context"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// statedOpening is the opening the server's "too early" message implies,
// when it is later than the one fired at (the rule was wrong). The rule
// it states is recorded as the box's learned window.
func (j *fireJob) statedOpening(ctx context.Context, err error) time.Time {
	lesson := j.box.LearnFrom(err)
	opens, ok := lesson.Stated.OpensAt(j.p.ClassStart)
	if !ok || !opens.After(j.p.OpensAt.Add(j.r.timing.Burst)) || !opens.Before(j.p.ClassStart) {
		return time.Time{}
	}
	if rule := j.box.Rule(); !lesson.New && (j.searching() || rule.Known() && rule.Rule.Kind == aimharder.RuleFixedHour) {
		// "N días" on a fixed-hour rule of N days, or during a search,
		// says nothing new: the search (fire_search.go) finds the opening.
		return time.Time{}
	}
	j.lesson = &lesson
	if stored, err := j.r.store.LearnWindow(ctx, lesson); stored {
		j.r.log.Info("learned the box's booking window from a fire", "box", j.box.Subdomain, "rule", lesson.Stated.String())
	} else if err != nil {
		j.r.log.Warn("could not record the box's booking window", "box", j.box.Subdomain, "err", err)
	}
	return opens
}

// rearm puts the prebooking back to pending with the opening the server
// stated, marked as stated so the box's rule does not move it back. If
// that fails, the burst's outcome is stored instead. A rule the member set
// that disagrees is reported.
func (j *fireJob) rearm(ctx context.Context, opens time.Time, code string, fallback session.Outcome) {
	r := j.r
	j.settled.Store(true)
	if err := r.store.RearmAs(ctx, j.p.ID, r.owner, opens, code); err != nil {
		r.log.Warn("cannot put the prebooking back for the opening AimHarder stated", "prebooking", j.p.ID, "err", err)
		j.finish(ctx, fallback, time.Time{})
		return
	}
	p := j.p
	p.Status, p.ClaimedBy, p.FiredAt, p.OutcomeCode = session.PrebookPending, "", time.Time{}, code
	p.OpensAt = opens
	p = p.InBoxZone(j.box)
	r.log.Info("AimHarder said too early: the prebooking waits for the next opening to try", "prebooking", p.ID,
		"opens_at", opens, "why", code)
	r.publish(PrebookingArmed{At: r.clock.Now(), Prebooking: p})
	if j.lesson != nil && j.lesson.MemberDisagrees {
		r.publish(WindowRuleWrong{At: r.clock.Now(), Box: j.box.Subdomain, MemberRule: j.box.MemberRule().String(),
			ServerRule: j.lesson.Stated.String(), Prebooking: p})
	}
}
