package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// The runner side of weekly plans (docs/product.md, weekly plans). The
// leader's engine runs a plan pass (runPlans) before arming: each
// occurrence of a live plan that is not skipped, paused or final is
// turned into a prebooking linked to it (PlanID/PlanDay) once its class is
// listed, re-resolved right before its opening, and followed to a final
// state. The prebooking itself fires exactly as a one-off one does (fire.go);
// when its outcome is stored (finish), planAfterFire moves the occurrence
// on at once: a fallback, or its final state and notification.
//
// Every decision is stored as a compare-and-set on the occurrence record
// (session.Store.PutOccurrence): of two runners acting on one occurrence,
// one wins and the other backs off (and withdraws any prebooking it made).

const (
	// planEvery: the plan pass runs at least this often (and whenever an
	// occurrence needs it sooner: weeklyState.next).
	planEvery = 30 * time.Second
	// planListAhead: an occurrence is materialised once its class day is
	// this many days away (AimHarder lists a week's classes ahead).
	planListAhead = 7
	// planHorizon: the pass looks at class days up to this far ahead.
	planHorizon = 14
	// planFresh: a cached class list younger than this is used instead of
	// reading the day again outside openings.
	planFresh = 24 * time.Hour
	// planOpeningMargin: the re-resolve read happens this long before the
	// prebooking is armed (ArmAhead before its opening).
	planOpeningMargin = time.Minute
	// planReadBurst: routine day reads a box may take at once (a new
	// plan's days ahead); the allowance then grows by one a day, so in the
	// long run a box costs at most one day read a day outside openings.
	planReadBurst = planListAhead + 1
	// planRetry: a pass that could not do what was due (a read failed)
	// tries again this much later.
	planRetry = 10 * time.Second
)

type occKey struct {
	plan int64
	day  aimharder.Date
}

type boxDay struct {
	box int64
	day aimharder.Date
}

// planReads counts the day reads plans cost one box.
type planReads struct {
	Routine int // outside openings (materialising, at most one a day per box)
	Opening int // right before an opening (re-resolving), and for fallbacks
}

// weeklyState is the runner's memory of plans between passes.
type weeklyState struct {
	wake  chan struct{} // wakes the engine (a fallback to arm at once)
	woken atomic.Bool

	mu       sync.Mutex
	lastPass time.Time
	passes   int       // plan passes completed
	next     time.Time // local clock: when a pass is next needed; zero = none
	// resolved: prebookings re-resolved at their opening, with their
	// class's start; an entry goes once the class has started
	// (pruneResolved): a prebooking is never re-resolved after that.
	resolved map[int64]time.Time
	budget   map[int64]*readBucket // box → its allowance of routine reads
	reads    map[int64]*planReads  // box → reads
}

func newWeeklyState() *weeklyState {
	return &weeklyState{wake: make(chan struct{}, 1), resolved: map[int64]time.Time{},
		budget: map[int64]*readBucket{}, reads: map[int64]*planReads{}}
}

// wakeEngine makes the engine loop run now (it arms what is due).
func (r *Runner) wakeEngine() {
	r.weekly.woken.Store(true)
	select {
	case r.weekly.wake <- struct{}{}:
	default:
	}
}

// engineSleep waits until t, or until wakeEngine. Only ctx ending is an
// error.
func (r *Runner) engineSleep(ctx context.Context, t time.Time) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-r.weekly.wake:
			cancel()
		case <-stop:
		}
	}()
	_ = sleepUntil(sctx, r.clock, t, r.timing.Recheck)
	return ctx.Err()
}

// planWakeAt is when the engine should run the plan pass next (zero:
// nothing planned sooner than planEvery).
func (r *Runner) planWakeAt() time.Time {
	w := r.weekly
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next
}

// planWake asks for a plan pass at t (local clock); a time already past
// means a retry, a little later.
func (r *Runner) planWake(t time.Time) {
	if now := r.clock.Now(); !t.After(now) {
		t = now.Add(planRetry)
	}
	w := r.weekly
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.next.IsZero() || t.Before(w.next) {
		w.next = t
	}
}

// readBucket is a box's allowance of routine day reads: planReadBurst at
// first (a new plan's week is materialised at once), then one a day.
type readBucket struct {
	tokens float64
	at     time.Time
}

// spend takes a routine read of box at now; false when the allowance is
// used up (the occurrence waits for a later pass, or its opening).
func (w *weeklyState) spend(box int64, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.budget[box]
	if b == nil {
		b = &readBucket{tokens: planReadBurst, at: now}
		w.budget[box] = b
	}
	if now.After(b.at) {
		b.tokens = min(planReadBurst, b.tokens+float64(now.Sub(b.at))/float64(24*time.Hour))
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	w.count(box).Routine++
	return true
}

func (w *weeklyState) count(box int64) *planReads {
	c := w.reads[box]
	if c == nil {
		c = &planReads{}
		w.reads[box] = c
	}
	return c
}

func (w *weeklyState) countOpening(box int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.count(box).Opening++
}

// resolveOnce reports whether prebooking pb is still to be re-resolved,
// and marks it done.
func (w *weeklyState) resolveOnce(pb session.Prebooking) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, done := w.resolved[pb.ID]; done {
		return false
	}
	w.resolved[pb.ID] = pb.ClassStart
	return true
}

// pruneResolved forgets the prebookings re-resolved for classes that
// started before serverNow: the runner runs for months.
func (w *weeklyState) pruneResolved(serverNow time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, start := range w.resolved {
		if start.Before(serverNow) {
			delete(w.resolved, id)
		}
	}
}

// planReadCounts is a copy of the reads plans cost, by box.
func (r *Runner) planReadCounts() map[int64]planReads {
	w := r.weekly
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[int64]planReads, len(w.reads))
	for k, v := range w.reads {
		out[k] = *v
	}
	return out
}

// planTick runs the plan pass when it is due: every planEvery, or at the
// time an occurrence asked for.
func (r *Runner) planTick(ctx context.Context) {
	now := r.clock.Now()
	w := r.weekly
	w.mu.Lock()
	due := w.lastPass.IsZero() || now.Sub(w.lastPass) >= planEvery || now.Before(w.lastPass) ||
		(!w.next.IsZero() && !now.Before(w.next))
	if due {
		w.lastPass, w.next = now, time.Time{}
	}
	w.mu.Unlock()
	if due {
		r.runPlans(ctx)
		w.pruneResolved(r.serverNow())
		w.mu.Lock()
		w.passes++
		w.mu.Unlock()
	}
	w.woken.Store(false)
}

// planPass is one pass over the plans: it shares the day lists it read.
type planPass struct {
	r    *Runner
	ctx  context.Context
	days map[boxDay]passDay
	// family: the family member the prebookings book for (the setting).
	family string
	// batch: the pass's decisions, stored together by flush (one commit).
	batch []queuedWrite
	// cached: the stored class lists this pass looked at (ok false: none);
	// rules: each box's window rule (working a rule out loads its zone).
	cached map[boxDay]cachedDay
	// others: days read this pass as another family member (dayOfOther).
	others map[otherDay]account.DayView
	rules  map[int64]session.WindowRule
}

// listed finds the choice's class in a day: the same name
// (session.ClassNameMatches) at the choice's start time in the box's zone.
func (pp *planPass) listed(v account.DayView, ch session.Choice, loc *time.Location) (account.ClassView, bool) {
	return session.FindClass(v.Classes, session.ClassAt{Name: ch.Class, At: ch.Time, Loc: loc},
		func(c account.ClassView) (string, time.Time) { return c.Name, c.Start })
}

type cachedDay struct {
	view account.DayView
	ok   bool
}

// cachedDay is the stored class list of box and day (no server read),
// looked up once a pass.
func (pp *planPass) cachedDay(box session.Box, day aimharder.Date) (account.DayView, bool) {
	k := boxDay{box.ID, day}
	if c, seen := pp.cached[k]; seen {
		return c.view, c.ok
	}
	v, ok, err := pp.r.svc.CachedDay(pp.ctx, box, day)
	ok = ok && err == nil
	pp.cached[k] = cachedDay{view: v, ok: ok}
	return v, ok
}

// rule is the box's window rule, worked out once a pass.
func (pp *planPass) rule(box session.Box) session.WindowRule {
	r, ok := pp.rules[box.ID]
	if !ok {
		r = box.Rule()
		pp.rules[box.ID] = r
	}
	return r
}

type queuedWrite struct {
	w    session.OccurrenceWrite
	done func(session.OccurrenceWritten)
}

// queue adds a decision to the pass's batch; done runs once it is stored
// (or refused: OccurrenceWritten.Err).
func (pp *planPass) queue(w session.OccurrenceWrite, done func(session.OccurrenceWritten)) {
	pp.batch = append(pp.batch, queuedWrite{w: w, done: done})
}

// flush stores the batch in one transaction and runs the callbacks.
func (pp *planPass) flush() {
	for len(pp.batch) > 0 {
		batch := pp.batch
		pp.batch = nil
		writes := make([]session.OccurrenceWrite, len(batch))
		for i, q := range batch {
			writes[i] = q.w
		}
		out, err := pp.r.store.WriteOccurrences(pp.ctx, writes)
		if err != nil {
			if pp.ctx.Err() == nil {
				pp.r.log.Warn("cannot record plan occurrences", "count", len(writes), "err", err)
			}
			out = make([]session.OccurrenceWritten, len(writes))
			for i := range out {
				out[i].Err = err
			}
		}
		for i, q := range batch {
			q.done(out[i]) // may queue more (then stored in the next round)
		}
	}
}

type passDay struct {
	view      account.DayView
	atOpening bool // read right before an opening
}

// occ is one occurrence being worked on.
type occ struct {
	plan session.Plan
	box  session.Box
	loc  *time.Location
	o    session.Occurrence
	rec  session.OccurrenceRecord
	pb   *session.Prebooking // the linked prebooking, nil when none
}

func (r *Runner) newPass(ctx context.Context) *planPass {
	family, _ := r.store.FamilyID(ctx)
	return &planPass{r: r, ctx: ctx, days: map[boxDay]passDay{}, family: family,
		cached: map[boxDay]cachedDay{}, rules: map[int64]session.WindowRule{}}
}

// runPlans is the plan pass: every occurrence of every live plan from
// yesterday through planHorizon days ahead, soonest first.
func (r *Runner) runPlans(ctx context.Context) {
	plans, err := r.store.Plans(ctx, session.PlanQuery{})
	if err != nil || len(plans) == 0 {
		if err != nil && ctx.Err() == nil {
			r.log.Warn("cannot list weekly plans", "err", err)
		}
		return
	}
	today := aimharder.DateOf(r.serverNow())
	from, until := today.AddDays(-2), today.AddDays(planHorizon+1)
	recs, err := r.store.OccurrenceRecords(ctx, 0, from, until)
	if err != nil {
		return
	}
	pbs, err := r.store.PlanPrebookings(ctx, 0, from, until)
	if err != nil {
		return
	}
	byKey := make(map[occKey]session.OccurrenceRecord, len(recs))
	for _, rec := range recs {
		byKey[occKey{rec.PlanID, rec.Day}] = rec
	}
	byID := make(map[int64]*session.Prebooking, len(pbs))
	live := map[occKey]*session.Prebooking{}
	for i := range pbs {
		p := &pbs[i]
		byID[p.ID] = p
		if p.Status == session.PrebookPending || p.Status == session.PrebookFiring {
			live[occKey{p.PlanID, p.PlanDay}] = p
		}
	}
	boxes := map[int64]session.Box{}
	locs := map[int64]*time.Location{}
	var list []occ
	for _, p := range plans {
		box, ok := boxes[p.BoxID]
		if !ok {
			if box, err = r.store.Box(ctx, p.BoxID); err != nil {
				continue
			}
			boxes[p.BoxID], locs[p.BoxID] = box, box.LocationOrDefault()
		}
		loc := locs[p.BoxID]
		local := aimharder.DateOf(r.serverNow().In(loc))
		for _, o := range p.Occurrences(local.AddDays(-1), local.AddDays(planHorizon), loc) {
			k := occKey{p.ID, o.Day}
			rec, ok := byKey[k]
			if !ok {
				rec = session.OccurrenceRecord{PlanID: p.ID, Day: o.Day}
			}
			oc := occ{plan: p, box: box, loc: loc, o: o, rec: rec}
			if rec.PrebookingID != 0 {
				oc.pb = byID[rec.PrebookingID]
			} else if pb := live[k]; pb != nil && !rec.State.Final() {
				oc.pb = pb // made by a runner that stopped before recording it
			}
			list = append(list, oc)
		}
	}
	slices.SortStableFunc(list, func(a, b occ) int { return a.o.Start.Compare(b.o.Start) })
	pass := r.newPass(ctx)
	defer pass.flush()
	for _, oc := range list {
		if ctx.Err() != nil {
			return
		}
		pass.advance(oc)
	}
}

// planAfterFire moves a plan's occurrence on once its prebooking's outcome
// is stored: its final state, or its next fallback at once (then the
// engine is woken to arm it).
//
// A fallback due at once is fired right here, by the runner that fired
// the choice before it (run is that fire's context), rather than left to
// the leader's engine: the runner that fired may be a standby, and the
// leader would only see the new prebooking at its next look, hundreds of
// milliseconds later, when the other members rushing the class may have
// filled it. The claim (compare-and-set) keeps the two from both firing.
func (r *Runner) planAfterFire(ctx, run context.Context, p session.Prebooking) {
	plan, err := r.store.Plan(ctx, p.PlanID)
	if err != nil {
		return // removed meanwhile
	}
	box, err := r.store.Box(ctx, plan.BoxID)
	if err != nil {
		return
	}
	loc := box.LocationOrDefault()
	occs := plan.Occurrences(p.PlanDay, p.PlanDay, loc)
	if len(occs) != 1 {
		return
	}
	rec, err := r.store.OccurrenceRecord(ctx, plan.ID, p.PlanDay)
	if err != nil {
		return
	}
	oc := occ{plan: plan, box: box, loc: loc, o: occs[0], rec: rec}
	if rec.PrebookingID == p.ID || (rec.PrebookingID == 0 && !rec.State.Final()) {
		oc.pb = &p
	} else if rec.PrebookingID != 0 {
		if linked, err := r.store.Prebooking(ctx, rec.PrebookingID); err == nil {
			oc.pb = &linked
		}
	}
	pass := r.newPass(ctx)
	pass.advance(oc)
	pass.flush()
	r.wakeEngine()
	r.fireFallbackNow(ctx, run, plan.ID, p.PlanDay, p.ID)
}

// fireFallbackNow fires the occurrence's next prebooking at once if it
// followed prev and its opening has come.
func (r *Runner) fireFallbackNow(ctx, run context.Context, plan int64, day aimharder.Date, prev int64) {
	if run.Err() != nil {
		return
	}
	rec, err := r.store.OccurrenceRecord(ctx, plan, day)
	if err != nil || rec.State.Final() || rec.PrebookingID == 0 || rec.PrebookingID == prev {
		return
	}
	next, err := r.store.Prebooking(ctx, rec.PrebookingID)
	if err != nil || next.Status != session.PrebookPending || next.OpensAt.IsZero() || r.serverNow().Before(next.OpensAt) ||
		r.isActive(next.ID) {
		return
	}
	claimed, won, err := r.store.Claim(ctx, next.ID, r.owner)
	if err != nil || !won {
		return // the leader's engine has it
	}
	if !r.setActive(claimed.ID, true) {
		return
	}
	defer r.setActive(claimed.ID, false)
	r.fire(run, claimed)
}

// advance takes one occurrence one step further.
func (pp *planPass) advance(oc occ) {
	if oc.rec.State.Final() {
		pp.checkCancelled(oc)
		return
	}
	if oc.o.Skipped || oc.o.Paused {
		// Skipping or pausing withdrew the pending prebooking; one a pass
		// made while that happened is withdrawn here.
		if pb := oc.pb; pb != nil && pb.Status == session.PrebookPending {
			if _, err := pp.r.store.WithdrawPlanPrebooking(pp.ctx, pb.ID, "the day is skipped or paused"); err != nil && pp.ctx.Err() == nil {
				pp.r.log.Warn("could not withdraw the prebooking of a skipped or paused plan day", "prebooking", pb.ID, "err", err)
			}
		}
		return
	}
	if pb := oc.pb; pb != nil {
		switch pb.Status {
		case session.PrebookPending:
			pp.reresolve(oc)
			return
		case session.PrebookFiring:
			return
		case session.PrebookBooked, session.PrebookWaitlisted:
			st := session.OccBooked
			if pb.Status == session.PrebookWaitlisted {
				st = session.OccWaitlisted
			}
			oc.rec.PrebookingID, oc.rec.ClassID, oc.rec.ReservationID = pb.ID, pb.ClassID, pb.ReservationID
			detail := ""
			if oc.rec.Choice > 0 {
				detail = oc.rec.Detail // why the fallback
			}
			pp.final(oc, st, detail)
			return
		case session.PrebookMissed:
			oc.rec.PrebookingID, oc.rec.ClassID = pb.ID, pb.ClassID
			pp.final(oc, session.OccMissed, outcome.Stored(pb.OutcomeCode, pb.OutcomeMessage, outcome.EN))
			return
		case session.PrebookCancelled:
			if !session.WithdrawnByAhtui(pb.OutcomeCode) {
				oc.rec.PrebookingID, oc.rec.ClassID = pb.ID, pb.ClassID
				pp.final(oc, session.OccCancelled, "you cancelled its prebooking; it is not booked again")
				return
			}
			// Withdrawn by ahtui (a skip or pause since taken back, a family
			// member's new id): book it again.
			oc.rec.PrebookingID, oc.pb = 0, nil
		case session.PrebookFailed:
			pp.afterRefusal(oc)
			return
		}
	}
	pp.materialise(oc)
}

// choice is the occurrence's current choice.
func (oc occ) choice() session.Choice {
	cs := oc.plan.Choices()
	return cs[min(oc.rec.Choice, len(cs)-1)]
}

// put stores rec (compare-and-set); false when another runner wrote the
// record first, or it could not be stored.
func (pp *planPass) put(rec session.OccurrenceRecord) (session.OccurrenceRecord, bool) {
	out, err := pp.r.store.PutOccurrence(pp.ctx, rec)
	if err != nil {
		if !errors.Is(err, session.ErrConcurrentUpdate) && pp.ctx.Err() == nil {
			pp.r.log.Warn("cannot record a plan occurrence", "plan", rec.PlanID, "day", rec.Day, "err", err)
		}
		return rec, false
	}
	return out, true
}

// final records a final state (with the pass's batch) and, if this
// runner wrote it, publishes it.
func (pp *planPass) final(oc occ, st session.OccurrenceState, detail string) {
	oc.rec.State, oc.rec.Detail = st, detail
	pp.queue(session.OccurrenceWrite{Record: oc.rec}, func(w session.OccurrenceWritten) {
		if w.Err != nil {
			return // another runner recorded it first, or it will be decided again
		}
		oc.rec = w.Record
		pp.r.publish(planOccurrenceEvent(pp.r.clock.Now(), oc))
	})
}

func bookedState(c account.ClassView) (session.OccurrenceState, bool) {
	switch c.Class.State {
	case aimharder.StateBooked:
		return session.OccBooked, true
	case aimharder.StateWaitlisted:
		return session.OccWaitlisted, true
	}
	return "", false
}

// day returns the box's class list for day: this pass's, a cached one
// fresh enough, or one read now. Outside openings a box's reads come out
// of its allowance (spend; false when it is used up: the occurrence
// waits); atOpening reads right before an opening whenever needed.
func (pp *planPass) day(box session.Box, day aimharder.Date, family string, atOpening bool) (account.DayView, bool) {
	r := pp.r
	if family != pp.family {
		return pp.dayOfOther(box, day, family, atOpening)
	}
	k := boxDay{box.ID, day}
	if d, ok := pp.days[k]; ok && (d.atOpening || !atOpening) {
		return d.view, true
	}
	now := r.clock.Now()
	fresh := planFresh
	if atOpening {
		fresh = r.timing.ArmAhead + 2*planOpeningMargin
	}
	if v, ok := pp.cachedDay(box, day); ok && now.Sub(v.FetchedAt) < fresh && !v.FetchedAt.After(now) {
		pp.days[k] = passDay{view: v, atOpening: atOpening}
		return v, true
	}
	if atOpening {
		r.weekly.countOpening(box.ID)
	} else if !r.weekly.spend(box.ID, now) {
		return account.DayView{}, false
	}
	v, err := r.svc.Day(pp.ctx, session.KindBackground, box, day)
	if err != nil {
		if pp.ctx.Err() == nil {
			r.log.Warn("cannot read a day's classes for a plan", "box", box.Subdomain, "day", day, "err", err)
		}
		return account.DayView{}, false
	}
	pp.days[k] = passDay{view: v, atOpening: atOpening}
	pp.cached[k] = cachedDay{view: v, ok: true}
	return v, true
}

// dayOfOther reads the day as a family member other than the setting's
// person sees it (their own bookings), for a plan that books for them.
// The class cache holds the setting's person's lists, so it is not used;
// the read counts like any other.
func (pp *planPass) dayOfOther(box session.Box, day aimharder.Date, family string, atOpening bool) (account.DayView, bool) {
	r := pp.r
	k := otherDay{boxDay{box.ID, day}, family}
	if v, ok := pp.others[k]; ok {
		return v, true
	}
	if atOpening {
		r.weekly.countOpening(box.ID)
	} else if !r.weekly.spend(box.ID, r.clock.Now()) {
		return account.DayView{}, false
	}
	v, err := r.svc.DayFor(pp.ctx, session.KindBackground, box, day, family)
	if err != nil {
		if pp.ctx.Err() == nil {
			r.log.Warn("cannot read a day's classes for a plan", "box", box.Subdomain, "day", day, "err", err)
		}
		return account.DayView{}, false
	}
	if pp.others == nil {
		pp.others = map[otherDay]account.DayView{}
	}
	pp.others[k] = v
	return v, true
}

// otherDay keys a day read as another family member.
type otherDay struct {
	boxDay
	family string
}

// person is whom the plan books for: its own family member (or the
// holder, by choice), else the family_id setting's person (the one the
// class cache is kept for).
func (pp *planPass) person(p session.Plan) string { return p.Person(pp.family) }

// materialise turns the occurrence's current choice into a prebooking once
// its class is listed.
func (pp *planPass) materialise(oc occ) {
	r := pp.r
	ch := oc.choice()
	start := ch.Time.On(oc.o.Day, oc.loc)
	serverNow := r.serverNow()
	opens, known := pp.rule(oc.box).OpensAt(start)
	if oc.rec.Choice == 0 && known && !oc.plan.MayBookOpen(oc.o.Day, opens) {
		pp.final(oc, session.OccMissed, fmt.Sprintf("booking was already open (since %s) when the plan was made; "+
			"a plan made with --now books such a class at once", opens.In(oc.loc).Format("Mon 2 Jan 15:04")))
		return
	}
	if !serverNow.Before(start) {
		why := "the class started before ahtui could book it (no runner was running at its opening)"
		if strings.HasPrefix(oc.rec.Detail, blockedDetailPrefix) {
			why = "not prebooked by the plan: " + strings.TrimSpace(strings.TrimPrefix(oc.rec.Detail, blockedDetailPrefix))
		}
		pp.final(oc, session.OccMissed, why)
		return
	}
	today := aimharder.DateOf(serverNow.In(oc.loc))
	atOpening := oc.rec.Choice > 0 || (known && !serverNow.Before(opens.Add(-r.timing.ArmAhead-planOpeningMargin)))
	if !atOpening && oc.o.Day.After(today.AddDays(planListAhead)) {
		r.planWake(r.localAt(oc.o.Day.AddDays(-planListAhead).At(0, 0, oc.loc)))
		return
	}
	v, ok := pp.day(oc.box, oc.o.Day, pp.person(oc.plan), atOpening)
	if !ok {
		if known {
			r.planWake(r.localAt(opens.Add(-r.timing.ArmAhead - planOpeningMargin)))
		}
		return
	}
	c, found := pp.listed(v, ch, oc.loc)
	if !found && atOpening && known && serverNow.Before(opens) && mayHide(v, serverNow) {
		// Not listed right before its opening, on a day that lists no
		// class before its own opening: the box may list a class only once
		// booking opens (docs/protocol.md §10B). Prebooked by name: the
		// fire finds it at the opening, or ends no_class. A box that lists
		// classes ahead shows the class is gone: no_class now, so a
		// fallback fires at the opening, not after the search.
		c, found = account.ClassView{Class: aimharder.Class{Name: ch.Class, Start: start}}, true
		r.log.Info("plan class not listed before its opening: looked for by name at the opening", "plan", oc.plan.ID,
			"day", oc.o.Day, "class", ch.Class, "time", ch.Time)
	}
	if !found {
		if atOpening {
			pp.noClass(oc, fmt.Sprintf("no %s at %s on %s in the schedule (renamed or moved?)", ch.Class, ch.Time,
				oc.o.Day.In(oc.loc).Format("Mon 2 Jan")))
		} else if known {
			// Not listed yet: looked for again at the opening.
			r.planWake(r.localAt(opens.Add(-r.timing.ArmAhead - planOpeningMargin)))
		}
		return
	}
	if st, ok := bookedState(c); ok {
		oc.rec.ClassID, oc.rec.ReservationID = c.ID, c.ReservationID
		pp.final(oc, st, "you had booked it already")
		return
	}
	if !known {
		opens = time.Time{} // armed once the box's window is known (reconcileOpenings)
	}
	family := pp.person(oc.plan)
	n := &session.NewPrebooking{BoxID: oc.box.ID, ClassID: c.ID, Day: oc.o.Day,
		ClassName: c.Name, ClassStart: c.Start, OpensAt: opens, FamilyID: family, AllowWaitlist: oc.plan.Waitlist,
		PlanID: oc.plan.ID, PlanDay: oc.o.Day}
	rec := oc.rec
	rec.State, rec.ClassID = session.OccPrebooked, c.ID
	pp.queue(session.OccurrenceWrite{Record: rec, Prebook: n}, func(w session.OccurrenceWritten) {
		pb := w.Prebooking
		switch {
		case errors.Is(w.Err, session.ErrDuplicate):
			// The member's own prebooking of this very class (or one a
			// stopped runner made): follow that one.
			other := pp.pendingFor(oc.box.ID, c, oc.o.Day, family)
			if other == nil {
				// A live prebooking of this class for this person that
				// this pass cannot read (gone meanwhile, or matched by
				// name only): say so, in the log and on the occurrence,
				// rather than let it end missed for a reason it is not.
				if pp.ctx.Err() == nil {
					r.log.Warn("plan occurrence not prebooked: another live prebooking of the class for the same person",
						"plan", oc.plan.ID, "day", oc.o.Day, "class", c.ID, "err", w.Err)
				}
				blocked := oc.rec
				blocked.Detail = fmt.Sprintf("%s %s at %s is already prebooked for %s; that prebooking books it",
					blockedDetailPrefix, c.Name, c.Start.In(oc.loc).Format("15:04"), personWord(family))
				if blocked.Detail != oc.rec.Detail {
					pp.put(blocked)
				}
				return
			}
			rec.PrebookingID = other.ID
			if _, ok := pp.put(rec); !ok {
				return
			}
			pb = *other
		case w.Err != nil:
			if !errors.Is(w.Err, session.ErrConcurrentUpdate) && pp.ctx.Err() == nil {
				r.log.Warn("cannot prebook a plan occurrence", "plan", oc.plan.ID, "day", oc.o.Day, "err", w.Err)
			}
			return
		}
		if atOpening {
			r.weekly.resolveOnce(pb) // read just now: no need to read again
		}
		r.log.Info("plan occurrence prebooked", "plan", oc.plan.ID, "day", oc.o.Day, "prebooking", pb.ID,
			"class", c.ID, "choice", oc.rec.Choice, "opens_at", opens)
		if !opens.IsZero() && !serverNow.Before(opens.Add(-r.timing.ArmAhead)) {
			r.wakeEngine() // due already (a fallback at once): arm it now
		}
	})
}

// blockedDetailPrefix starts the detail of an occurrence another live
// prebooking of its class (for the same person) keeps from being
// prebooked by the plan.
const blockedDetailPrefix = "not prebooked:"

// personWord names whom a prebooking is for in an occurrence's detail:
// the family member's id, or the account holder.
func personWord(family string) string {
	if family == "" {
		return "you"
	}
	return "family member " + family
}

// mayHide reports whether the day's list is what a box that lists a
// class only once its window opens shows: no class whose window is still
// to open (an empty day included).
func mayHide(v account.DayView, serverNow time.Time) bool {
	for _, c := range v.Classes {
		if !c.OpensAt.IsZero() && serverNow.Before(c.OpensAt) {
			return false
		}
	}
	return true
}

// pendingFor is the live prebooking of class c (by id; by start and name
// for one made by name) on day.
func (pp *planPass) pendingFor(box int64, c account.ClassView, day aimharder.Date, family string) *session.Prebooking {
	list, err := pp.r.store.Prebookings(pp.ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending, session.PrebookFiring}})
	if err != nil {
		return nil
	}
	for i := range list {
		p := list[i]
		if p.BoxID != box || p.Day != day || p.FamilyID != family {
			continue
		}
		if (c.ID != 0 && p.ClassID == c.ID) ||
			((c.ID == 0 || p.ClassID == 0) && session.SameClass(p.ClassName, p.ClassStart, c.Name, c.Start)) {
			return &p
		}
	}
	return nil
}

// reresolve reads the day right before a pending prebooking's opening:
// the class it fires must still be the plan's (same name, same time). A
// new id is prebooked instead; a class no longer there is no_class (or
// the next fallback); a class the member booked by hand meanwhile counts
// as booked.
func (pp *planPass) reresolve(oc occ) {
	r, pb := pp.r, oc.pb
	if pb.OpensAt.IsZero() {
		pp.unknownOpening(oc)
		return
	}
	if pb.Unresolved() {
		// Made by name because its class was not listed: the fire finds
		// it at the opening (fire_resolve.go); nothing to re-read here.
		if oc.rec.PrebookingID != pb.ID {
			oc.rec.State, oc.rec.ClassID, oc.rec.PrebookingID = session.OccPrebooked, 0, pb.ID
			pp.put(oc.rec)
		}
		return
	}
	if oc.rec.PrebookingID != pb.ID {
		// Adopt a prebooking a stopped runner made but did not record.
		oc.rec.State, oc.rec.ClassID, oc.rec.PrebookingID = session.OccPrebooked, pb.ClassID, pb.ID
		out, ok := pp.put(oc.rec)
		if !ok {
			return
		}
		oc.rec = out
	}
	at := pb.OpensAt.Add(-r.timing.ArmAhead - planOpeningMargin)
	if r.serverNow().Before(at) {
		r.planWake(r.localAt(at))
		pp.checkBookedByHand(oc)
		return
	}
	if !r.weekly.resolveOnce(*pb) {
		return
	}
	v, ok := pp.day(oc.box, oc.o.Day, pp.person(oc.plan), true)
	if !ok {
		return // fire what is known
	}
	ch := oc.choice()
	c, found := pp.listed(v, ch, oc.loc)
	if found && c.ID == pb.ClassID {
		if st, ok := bookedState(c); ok {
			pp.withdrawAndFinal(oc, c, st)
		}
		return
	}
	if _, err := r.store.WithdrawPlanPrebooking(pp.ctx, pb.ID, "the plan's class changed in the schedule"); err != nil {
		return // claimed meanwhile: it fires as it is
	}
	oc.pb, oc.rec.PrebookingID = nil, 0
	if !found {
		pp.noClass(oc, fmt.Sprintf("%s at %s on %s is no longer in the schedule (renamed or moved)", ch.Class, ch.Time,
			oc.o.Day.In(oc.loc).Format("Mon 2 Jan")))
		return
	}
	r.log.Info("plan class changed id before its opening: prebooking the new one", "plan", oc.plan.ID,
		"day", oc.o.Day, "from", pb.ClassID, "to", c.ID)
	oc.rec.State, oc.rec.Detail = session.OccPlanned, fmt.Sprintf("the class's id changed (%d → %d)", pb.ClassID, c.ID)
	out, ok := pp.put(oc.rec)
	if !ok {
		return
	}
	oc.rec = out
	pp.materialise(oc)
}

// unknownOpening follows a prebooking that waits for its box's window to
// be known (learned from a "too early" answer, or set by the member): it
// is armed as soon as it is. One still waiting when its class starts was
// never fired: the occurrence is missed, saying why, not left prebooked
// for ever.
func (pp *planPass) unknownOpening(oc occ) {
	r, pb := pp.r, oc.pb
	if r.serverNow().Before(pb.ClassStart) {
		r.planWake(r.localAt(pb.ClassStart))
		return
	}
	if _, err := r.store.WithdrawPlanPrebooking(pp.ctx, pb.ID, "the class started before its box's booking window was known"); err != nil {
		return // claimed meanwhile: its outcome decides
	}
	oc.rec.PrebookingID, oc.rec.ClassID = pb.ID, pb.ClassID
	pp.final(oc, session.OccMissed, fmt.Sprintf("ahtui never learned when %s opens its classes for booking, so it could not "+
		"book this one; set the box's window (ahtui config box.%s.window) or prebook one of its classes once",
		oc.box.Name, oc.box.Subdomain))
}

// checkBookedByHand: before the opening, a cached list (no read) that
// shows the class booked means the member booked it by hand.
func (pp *planPass) checkBookedByHand(oc occ) {
	if pp.person(oc.plan) != pp.family {
		return // the cache shows the setting's person's bookings, not theirs
	}
	v, ok := pp.cachedDay(oc.box, oc.o.Day)
	if !ok || !v.FetchedAt.After(oc.pb.CreatedAt) {
		return
	}
	if c, ok := v.FindClass(oc.pb.ClassID); ok {
		if st, ok := bookedState(c); ok {
			pp.withdrawAndFinal(oc, c, st)
		}
	}
}

func (pp *planPass) withdrawAndFinal(oc occ, c account.ClassView, st session.OccurrenceState) {
	if _, err := pp.r.store.WithdrawPlanPrebooking(pp.ctx, oc.pb.ID, "you booked the class yourself"); err != nil {
		return
	}
	oc.rec.ClassID, oc.rec.ReservationID, oc.rec.PrebookingID = c.ID, c.ReservationID, 0
	pp.final(oc, st, "you had booked it already")
}

// noClass: the choice's class is not in the schedule at its opening. The
// next fallback is tried; with none left the occurrence is no_class.
func (pp *planPass) noClass(oc occ, why string) {
	if next, ok := pp.nextChoice(oc, func(session.Choice) bool { return true }); ok {
		pp.fallBack(oc, next, why)
		return
	}
	oc.rec.PrebookingID, oc.rec.ClassID = 0, 0
	pp.final(oc, session.OccNoClass, why)
}

// nextChoice is the first choice after the current one that ok accepts.
func (pp *planPass) nextChoice(oc occ, ok func(session.Choice) bool) (session.Choice, bool) {
	for _, c := range oc.plan.Choices()[oc.rec.Choice+1:] {
		if ok(c) {
			return c, true
		}
	}
	return session.Choice{}, false
}

// fallBack moves the occurrence to choice next and prebooks it: at its own
// opening if that is later, else at once.
func (pp *planPass) fallBack(oc occ, next session.Choice, why string) {
	oc.rec.Choice, oc.rec.State, oc.rec.PrebookingID, oc.rec.ClassID, oc.rec.ReservationID =
		next.Index, session.OccPlanned, 0, 0, 0
	oc.rec.Detail = fmt.Sprintf("%s; trying %s at %s", why, next.Class, next.Time)
	out, ok := pp.put(oc.rec)
	if !ok {
		return
	}
	pp.r.log.Info("plan occurrence falls back", "plan", oc.plan.ID, "day", oc.o.Day, "choice", next.Index, "why", why)
	oc.rec, oc.pb = out, nil
	pp.materialise(oc)
}

// afterRefusal: the current choice's prebooking failed. A class full (and
// no waitlist wanted) or refused for itself moves on to the next fallback;
// the daily limit (−8) ends the occurrence (any other class that day
// would be refused the same way); "already booked at that time" (−12)
// skips the fallbacks at that same time.
func (pp *planPass) afterRefusal(oc occ) {
	pb := oc.pb
	cur := oc.choice()
	oc.rec.PrebookingID, oc.rec.ClassID = pb.ID, pb.ClassID
	what := fmt.Sprintf("%s at %s", cur.Class, cur.Time)
	switch code := pb.OutcomeCode; {
	case code == OutcomeNoClass:
		// Looked for by name at its opening and never listed.
		pp.noClass(oc, pb.OutcomeMessage)
		return
	case code == "daily_limit":
		pp.final(oc, session.OccFailed, "AimHarder refused: you have reached your daily limit of classes that day (no fallback tried: it would be refused the same way)")
		return
	case code == "already_booked_other":
		if next, ok := pp.nextChoice(oc, func(c session.Choice) bool { return c.Time != cur.Time }); ok {
			pp.fallBack(oc, next, what+": you already have a class at that time")
			return
		}
		pp.final(oc, session.OccFailed, what+": AimHarder refused: you already have a class at that time")
		return
	case fallbackCode(code):
		words := "full"
		if code != "full" {
			words = "refused (" + outcome.Stored(pb.OutcomeCode, pb.OutcomeMessage, outcome.EN) + ")"
		}
		if next, ok := pp.nextChoice(oc, func(session.Choice) bool { return true }); ok {
			pp.fallBack(oc, next, what+" was "+words)
			return
		}
		st := session.OccFailed
		if code == "full" {
			st = session.OccFull
		}
		detail := what + " was " + words
		if oc.rec.Choice > 0 {
			detail = "every class of the plan was full or refused; the last, " + detail
		}
		pp.final(oc, st, detail)
		return
	}
	pp.final(oc, session.OccFailed, what+": "+outcome.Stored(pb.OutcomeCode, pb.OutcomeMessage, outcome.EN))
}

// fallbackCode: a refusal about the class itself, which another class may
// not meet.
func fallbackCode(code string) bool {
	switch outcome.Parse(code) {
	case outcome.Full, outcome.TooLate:
		return true
	case outcome.Refused:
		return code != string(outcome.Refused) // "refused -12 …": a refusal of this class, with AimHarder's code
	}
	return false
}

// checkCancelled: a booked occurrence whose class a later class list
// (read by anyone: the cache, no read of its own) shows no longer booked
// was cancelled by the member, in ahtui or in AimHarder's app. It is
// recorded cancelled and never booked again.
func (pp *planPass) checkCancelled(oc occ) {
	if (oc.rec.State != session.OccBooked && oc.rec.State != session.OccWaitlisted) || oc.rec.ClassID == 0 {
		return
	}
	if !pp.r.serverNow().Before(oc.o.Start.Add(-time.Minute)) {
		return
	}
	if pp.person(oc.plan) != pp.family {
		return // the cache shows the setting's person's bookings, not theirs
	}
	v, ok := pp.cachedDay(oc.box, oc.o.Day)
	if !ok || !v.FetchedAt.After(oc.rec.UpdatedAt) {
		return
	}
	c, ok := v.FindClass(oc.rec.ClassID)
	if !ok {
		return
	}
	if _, still := bookedState(c); still {
		return
	}
	pp.final(oc, session.OccCancelled, "you cancelled the class; it is not booked again")
}
