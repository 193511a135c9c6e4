//go:build soak

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// TestSoakPlans runs the member's weekly plans for a simulated month
// (AHTUI_SOAK_DAYS, default 30) with the soak's faults and kills, and no
// one-off prebookings: every occurrence whose class has started must end
// in a final state that AimHarder's truth bears out, none booked twice,
// none booked again after the member cancelled it. The last seconds
// around each opening run at 10× real speed and the quiet hours in 20 s
// leaps, so the month takes about 20 minutes:
//
//	go test -tags soak ./scheduler -run '^TestSoakPlans$' -count 1 -v -timeout 60m
//
// CI's short soak (TestSoak) runs the same plans over its half day. At
// these speeds leadership changes hands on almost every leap, and a claim
// whose heartbeat a loaded machine delays by a few real milliseconds looks
// stale at 10× and is taken over — safely only before its runner's send
// gate (docs/product.md invariant 6): two runners sending for one
// prebooking is counted as double-fired; AimHarder's side — two
// reservations, a class booked again after the member's cancel — as
// double bookings.
func TestSoakPlans(t *testing.T) {
	cfg := soakConfig{days: 30, seed: 1, idleStep: 20 * time.Second, idleEvery: 4 * time.Millisecond,
		plans: true, fireRate: 10,
		// AimHarder's own lifetime: the month is about plans, not the
		// keeper's cadence (TestSoak tests that).
		sessionLifetime: 30 * time.Minute, refreshAfter: "10m"}
	cfg.env(t)
	cfg.reportPath = os.Getenv("AHTUI_SOAK_REPORT")
	s := newSoak(t, cfg)
	s.setUp()
	s.planFaults()
	s.run()
	rep := s.analyse()
	t.Log("\n" + rep.String())
	if cfg.reportPath != "" {
		if err := rep.save(cfg.reportPath); err != nil {
			t.Error(err)
		}
	}
	for _, problem := range rep.Failures {
		t.Error(problem)
	}
	if rep.Plans == nil || rep.Plans.Due == 0 {
		t.Error("no plan occurrence was due")
	}
	if t.Failed() {
		s.dumpRunnerLogs()
	}
}

// planSoak is the soak's weekly-plan state.
type planSoak struct {
	planClasses  map[int64]bool // every class a plan may book: no one-off prebooking for them
	plans        []session.Plan
	cancels      []*memberCancel
	memberLogins int // the member's own logins (to cancel), not recoveries
}

// memberCancel is a booked occurrence the member cancels in AimHarder's own
// app, then sees in ahtui's day view.
type memberCancel struct {
	plan     int64
	day      aimharder.Date
	box      string
	at       time.Time // when AimHarder cancelled it (zero: not done)
	classID  int64
	seen     bool   // ahtui read the day afterwards
	skipped  string // why it was not done
	attempts int
}

// soakPlanSpec is a plan of the soak and the days its first choice is
// filled by competitors before the opening.
type soakPlanSpec struct {
	box  string
	plan session.NewPlan
	// fill: Wednesdays… of the first choice filled before the opening;
	// fillWaitlist fills its waitlist too.
	fill         []time.Weekday
	fillWaitlist bool
}

func clock(h, m int) session.ClockTime { return session.ClockTime{Hour: h, Minute: m} }

// soakPlans: on the fixed-hour box, WOD Mon/Wed/Fri at 08:00 without a
// waitlist, the 19:00 WOD as fallback (both open at once); HYROX Tue/Thu at
// 17:00 with the waitlist, OPEN BOX at 12:00 as fallback. On the sliding
// box, YOGA on Fridays and Saturdays at 10:00 with the waitlist and the
// 16:30 CROSSFIT as fallback (opening six and a half hours later), and
// CROSSFIT on Tuesdays. Competitors fill some first choices before they
// open (the fallback is tried), the member skips days and pauses a plan.
var soakPlans = []soakPlanSpec{
	{box: soakFixedBox, plan: session.NewPlan{Days: session.WeekdaysOf(time.Monday, time.Wednesday, time.Friday),
		Time: clock(8, 0), Class: "WOD", Fallbacks: []session.Fallback{{Class: "WOD", Time: clock(19, 0)}}},
		fill: []time.Weekday{time.Wednesday}},
	{box: soakFixedBox, plan: session.NewPlan{Days: session.WeekdaysOf(time.Tuesday, time.Thursday),
		Time: clock(17, 0), Class: "hyrox", Waitlist: true, Fallbacks: []session.Fallback{{Class: "OPEN BOX", Time: clock(12, 0)}}},
		fill: []time.Weekday{time.Thursday}},
	{box: soakSlideBox, plan: session.NewPlan{Days: session.WeekdaysOf(time.Friday, time.Saturday),
		Time: clock(10, 0), Class: "Yoga", Waitlist: true, Fallbacks: []session.Fallback{{Class: "CROSSFIT", Time: clock(16, 30)}}},
		fill: []time.Weekday{time.Friday}, fillWaitlist: true},
	{box: soakSlideBox, plan: session.NewPlan{Days: session.WeekdaysOf(time.Tuesday), Time: clock(16, 30), Class: "CROSSFIT"}},
}

// addPlans makes the soak's plans (with skips, a pause, competitors and
// the member's cancels) and returns the openings of every class they may
// book inside the soak.
func (s *soak) addPlans() []time.Time {
	t, ctx := s.t, s.t.Context()
	s.planClasses = map[int64]bool{}
	// The member once tried to book a sliding-box class too early (as the
	// one-off prebookings do): ahtui learned that box's window from the
	// answer. A box whose window ahtui never learned has its own test
	// (TestWeeklyPlanUnknownWindowNotLost).
	far := aimharder.DateOf(soakStart.In(madrid)).AddDays(6)
	probe := s.fake.Classes(soakSlideBox, far)[0]
	var tooEarly *account.TooEarlyError
	if _, err := s.svc.Book(ctx, session.KindDevice, s.boxes[soakSlideBox], probe.ID, far, false); !errors.As(err, &tooEarly) {
		t.Fatalf("booking %s on %s a week ahead: %v, want too early", probe.Name, far, err)
	}
	if slide, err := s.store.Box(ctx, s.boxes[soakSlideBox].ID); err != nil || slide.Rule().Source == session.RuleUnknown {
		t.Fatalf("the sliding box's window was not learned: %v", err)
	}
	d := func(day int) aimharder.Date { return aimharder.Date{Year: 2026, Month: time.December, Day: day} }
	for i, spec := range soakPlans {
		n := spec.plan
		n.BoxID = s.boxes[spec.box].ID
		p, err := s.store.AddPlan(ctx, n)
		if err != nil {
			t.Fatalf("plan %d: %v", i, err)
		}
		s.plans = append(s.plans, p)
	}
	// Skips and pauses, made with the plans: the WOD plan skips Fri 11
	// Dec; HYROX skips Tue 1 Dec (its window is already open) and pauses
	// for Christmas week; CROSSFIT pauses Tue 1..8 Dec.
	must := func(_ any, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.store.SkipPlanDay(ctx, s.plans[0].ID, d(11)))
	must(s.store.SkipPlanDay(ctx, s.plans[1].ID, d(1)))
	must(s.store.PausePlans(ctx, s.plans[1].ID, session.DayRange{From: d(21), Until: d(27)}))
	must(s.store.PausePlans(ctx, s.plans[3].ID, session.DayRange{From: d(1), Until: d(8)}))
	// Mid-run: Sat 12 Dec the member skips HYROX on Tue 15 (already
	// prebooked), and YOGA on Sat 19 a day before its opening.
	s.at(d(12).At(12, 0, madrid), func() { must(s.store.SkipPlanDay(context.Background(), s.plans[1].ID, d(15))) })
	s.at(d(14).At(9, 0, madrid), func() { must(s.store.SkipPlanDay(context.Background(), s.plans[2].ID, d(19))) })
	// The member cancels booked occurrences in AimHarder's app the day
	// before the class: the WOD of Wed 2 Dec (CI's half day sees it), then
	// one of each plan later in the month.
	for _, c := range []struct {
		plan int
		day  aimharder.Date
	}{{0, d(2)}, {1, d(10)}, {2, d(18)}, {0, d(23)}} {
		mc := &memberCancel{plan: s.plans[c.plan].ID, day: c.day, box: soakPlans[c.plan].box}
		at := c.day.AddDays(-1).At(13, 0, madrid)
		if c.day == d(2) {
			at = d(1).AddDays(-1).At(13, 0, madrid) // Mon 30 Nov 13:00, inside CI's half day
		}
		if at.After(s.end.Add(-10 * time.Minute)) {
			continue
		}
		s.cancels = append(s.cancels, mc)
		s.at(at, func() { s.cancelInApp(mc) })
	}

	var openings []time.Time
	first := aimharder.DateOf(soakStart.In(madrid))
	last := aimharder.DateOf(s.end.In(madrid)).AddDays(7)
	for i, p := range s.plans {
		// The plan as stored, with its skips and pauses.
		p, err := s.store.Plan(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.plans[i] = p
		spec := soakPlans[i]
		for _, o := range p.Occurrences(first, last, madrid) {
			for _, ch := range p.Choices() {
				c, ok := s.fakeChoice(spec.box, o.Day, ch)
				if !ok {
					t.Fatalf("plan %d: no %s at %s on %s in the fake", p.ID, ch.Class, ch.Time, o.Day)
				}
				s.planClasses[c.ID] = true
				if o.Skipped || o.Paused || !c.OpensAt.After(soakStart.Add(30*time.Minute)) ||
					!c.OpensAt.Before(s.end.Add(-5*time.Minute)) {
					continue
				}
				openings = append(openings, c.OpensAt)
				if ch.Index == 0 && slices.Contains(spec.fill, o.Day.Weekday()) {
					count := c.Capacity
					if spec.fillWaitlist {
						count += 3 // the box's waitlist
					}
					if _, err := s.fake.AddCompetitors(aimhardertest.Competitors{Box: spec.box, ClassID: c.ID,
						Count: count, Delay: -time.Second}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	return openings
}

// fakeChoice finds a plan choice's class on day in the fake.
func (s *soak) fakeChoice(box string, day aimharder.Date, ch session.Choice) (aimhardertest.ClassInfo, bool) {
	for _, c := range s.fake.Classes(box, day) {
		if session.ClassNameMatches(ch.Class, c.Name) && session.ClockOf(c.Start) == ch.Time {
			return c, true
		}
	}
	return aimhardertest.ClassInfo{}, false
}

// cancelInApp cancels the occurrence's class in AimHarder's own app (a
// login of its own) if the plan booked it, then opens the day in ahtui as
// the member would. AimHarder may be misbehaving (the soak's faults): it
// tries again, a little later, in the background.
func (s *soak) cancelInApp(mc *memberCancel) {
	go func() {
		for range 300 {
			if s.stopping.Load() {
				return
			}
			done := s.tryCancelInApp(mc)
			if done {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

func (s *soak) tryCancelInApp(mc *memberCancel) bool {
	ctx := s.t.Context()
	s.mu.Lock()
	mc.attempts++
	s.mu.Unlock()
	box := s.boxes[mc.box]
	if mc.at.IsZero() {
		rec, err := s.store.OccurrenceRecord(ctx, mc.plan, mc.day)
		if err != nil || (rec.State != session.OccBooked && rec.State != session.OccWaitlisted) {
			s.mu.Lock()
			mc.skipped = fmt.Sprintf("not booked when the member meant to cancel it (%s)", rec.State)
			s.mu.Unlock()
			return true
		}
		ref, err := account.BoxRef(box)
		if err != nil {
			return false
		}
		login, err := s.client.Login(ctx, soakEmail, soakPassword, "soak-phone-app")
		if err != nil {
			return false
		}
		s.mu.Lock()
		s.memberLogins++
		s.mu.Unlock()
		day, _, err := s.client.Day(ctx, login.Credentials, ref, mc.day, "")
		if err != nil {
			return false
		}
		var resID int64
		for _, c := range day.Classes {
			if c.ID == rec.ClassID {
				resID = c.ReservationID
			}
		}
		if resID == 0 {
			s.mu.Lock()
			mc.skipped = fmt.Sprintf("AimHarder shows no reservation of class %d though ahtui has it %s", rec.ClassID, rec.State)
			s.mu.Unlock()
			return true
		}
		if _, err := s.client.Cancel(ctx, login.Credentials, ref, resID, aimharder.CancelOptions{}); err != nil {
			// The cancel may have been made and its answer lost: look again.
			if !slices.ContainsFunc(s.fake.Reservations(soakEmail, ""), func(r aimhardertest.ReservationInfo) bool {
				return r.ID == resID && !r.Active
			}) {
				return false
			}
		}
		s.mu.Lock()
		mc.at, mc.classID = s.clock.Now(), rec.ClassID
		s.mu.Unlock()
	}
	// The member opens the day in ahtui: logs in on this device (the
	// background session is kept) and reads it.
	if _, err := s.svc.Login(ctx, soakEmail, soakPassword); err != nil {
		return false
	}
	s.mu.Lock()
	s.memberLogins++
	s.mu.Unlock()
	if _, err := s.svc.Day(ctx, session.KindDevice, box, mc.day); err != nil {
		return false
	}
	s.mu.Lock()
	mc.seen = true
	s.mu.Unlock()
	return true
}

// planReport is what became of the plans' occurrences.
type planReport struct {
	Plans int `json:"plans"`
	// Occurrences whose class has started, or whose every choice's
	// opening is behind us (they must be final, skipped or paused).
	Due            int            `json:"due"`
	States         map[string]int `json:"states"`
	FallbackBooked int            `json:"fallback_booked"`
	Lost           int            `json:"lost"`
	DoubleBookings int            `json:"double_bookings"` // two reservations, or a class booked again after the member's cancel
	DoubleFired    int            `json:"double_fired"`    // two runners firing one prebooking at once
	Dishonest      int            `json:"dishonest_states"`
	MemberCancels  int            `json:"member_cancels"`
	Prebookings    int            `json:"prebookings"`
	Withdrawn      int            `json:"prebookings_withdrawn"`
	// Occurrences that ended missed or failed, with their reason and the
	// disruptions at their openings.
	Notes []string `json:"notes,omitempty"`
}

func (p *planReport) write(b *strings.Builder) {
	keys := slices.Sorted(maps.Keys(p.States))
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, p.States[k]))
	}
	fmt.Fprintf(b, "plans %d: occurrences due %d: %s (fallback booked %d); member cancels %d; prebookings %d (%d withdrawn)\n",
		p.Plans, p.Due, strings.Join(parts, ", "), p.FallbackBooked, p.MemberCancels, p.Prebookings, p.Withdrawn)
	fmt.Fprintf(b, "plans: lost silently %d, double bookings %d, double-fired %d, states AimHarder contradicts %d\n",
		p.Lost, p.DoubleBookings, p.DoubleFired, p.Dishonest)
	for _, n := range p.Notes {
		fmt.Fprintf(b, "  plan: %s\n", n)
	}
}

// analysePlans checks every plan occurrence against the fake's truth:
// nothing lost silently, nothing booked twice or after the member's
// cancel, every final state honest. s.mu is held.
func (s *soak) analysePlans(rep *soakReport, pbs []session.Prebooking, byPrebooking map[int64][]soakEvent,
	bookRequests map[int64][]aimhardertest.Request, executed []*disruption, fail func(string, ...any)) {
	ctx := s.t.Context()
	pr := &planReport{Plans: len(s.plans), States: map[string]int{}, Prebookings: len(pbs)}
	rep.Plans = pr
	first := aimharder.DateOf(soakStart.In(madrid))
	last := aimharder.DateOf(s.end.In(madrid)).AddDays(7)
	plans, err := s.store.Plans(ctx, session.PlanQuery{})
	if err != nil {
		s.t.Fatal(err)
	}
	occs, err := s.store.PlanOccurrences(ctx, plans, first, last, func(int64) *time.Location { return madrid })
	if err != nil {
		s.t.Fatal(err)
	}
	reservations := s.fake.Reservations(soakEmail, "")
	cancelled := map[occKey]*memberCancel{}
	for _, mc := range s.cancels {
		if !mc.at.IsZero() {
			pr.MemberCancels++
			cancelled[occKey{mc.plan, mc.day}] = mc
			if !mc.seen {
				fail("the member cancelled plan %d on %s in AimHarder but never managed to open the day in ahtui", mc.plan, mc.day)
			}
			// Never fought: no book request for that class after the cancel.
			for _, r := range bookRequests[mc.classID] {
				if r.ArrivedClock.After(mc.at) {
					pr.DoubleBookings++
					fail("plan %d %s: class %d asked for again at %s after the member cancelled it at %s", mc.plan, mc.day,
						mc.classID, r.ArrivedClock.In(madrid).Format("Mon 15:04:05"), mc.at.In(madrid).Format("Mon 15:04:05"))
				}
			}
		} else if mc.skipped != "" {
			pr.Notes = append(pr.Notes, fmt.Sprintf("plan %d %s: the member's cancel not made: %s", mc.plan, mc.day, mc.skipped))
		}
	}
	// The plans' prebookings: never fired twice, outcomes AimHarder bears
	// out (but for a class the member cancelled afterwards).
	memberCancelled := map[int64]bool{}
	for _, mc := range cancelled {
		memberCancelled[mc.classID] = true
	}
	for _, p := range pbs {
		label := fmt.Sprintf("plan %d %s prebooking #%d class %d", p.PlanID, p.PlanDay, p.ID, p.ClassID)
		if p.Status == session.PrebookCancelled {
			pr.Withdrawn++
			continue
		}
		if twice := doubleFire(byPrebooking[p.ID], s.kills); twice != "" {
			// Two runners' fires overlapped (a claim taken over as stale):
			// AimHarder's side is judged below.
			pr.DoubleFired++
			fail("%s: fired twice: %s", label, twice)
		}
		if p.Status == session.PrebookPending || p.Status == session.PrebookFiring || memberCancelled[p.ClassID] {
			continue
		}
		if strings.HasSuffix(p.OutcomeCode, codeUnconfirmed) {
			continue
		}
		if problem := s.disagreesWithAimHarder(p); problem != "" {
			pr.Dishonest++
			fail("%s: %s", label, problem)
		}
	}
	for id := range s.planClasses {
		if twice := s.refiredAtAimHarder(bookRequests[id]); twice != "" {
			pr.DoubleBookings++
			fail("plan class %d: booked twice: %s", id, twice)
		}
	}

	byID := map[int64]session.Plan{}
	for _, p := range plans {
		byID[p.ID] = p
	}
	for i, p := range s.plans {
		spec := soakPlans[i]
		for _, o := range occs[p.ID] {
			plan := byID[p.ID]
			label := fmt.Sprintf("plan %d (%s %s %s) %s", p.ID, plan.Days, plan.Time, plan.Class, o.Day)
			// The classes it may book, and the latest opening among them.
			var classes []aimhardertest.ClassInfo
			var lastOpening time.Time
			for _, ch := range plan.Choices() {
				if c, ok := s.fakeChoice(spec.box, o.Day, ch); ok {
					classes = append(classes, c)
					if c.OpensAt.After(lastOpening) {
						lastOpening = c.OpensAt
					}
				}
			}
			due := o.Start.Before(s.end) || lastOpening.Before(s.end.Add(-2*time.Minute))
			if !due {
				continue
			}
			pr.Due++
			pr.States[string(o.State)]++
			if o.State == session.OccBooked && o.Choice > 0 {
				pr.FallbackBooked++
			}
			var active []aimhardertest.ReservationInfo
			for _, r := range reservations {
				if r.Active && slices.ContainsFunc(classes, func(c aimhardertest.ClassInfo) bool { return c.ID == r.ClassID }) {
					active = append(active, r)
				}
			}
			if len(active) > 1 {
				pr.DoubleBookings++
				fail("%s: %d reservations at AimHarder for one occurrence", label, len(active))
			}
			dishonest := func(format string, args ...any) {
				pr.Dishonest++
				fail("%s: %s (%q): %s", label, o.State, o.Detail, fmt.Sprintf(format, args...))
			}
			var tried *aimhardertest.ClassInfo
			for j := range classes {
				if classes[j].ID == o.ClassID {
					tried = &classes[j]
				}
			}
			mc := cancelled[occKey{p.ID, o.Day}]
			switch o.State {
			case session.OccBooked, session.OccWaitlisted:
				want := 1
				if o.State == session.OccWaitlisted {
					want = 0
				}
				switch {
				case len(active) == 0:
					dishonest("AimHarder has no reservation")
				case active[0].ClassID != o.ClassID:
					dishonest("AimHarder has the member in class %d, ahtui says %d", active[0].ClassID, o.ClassID)
				case active[0].State != want:
					dishonest("AimHarder's reservation is in state %d", active[0].State)
				}
			case session.OccCancelled:
				if len(active) > 0 {
					dishonest("AimHarder still has the member in class %d", active[0].ClassID)
				} else if mc == nil {
					dishonest("the member cancelled nothing")
				}
			case session.OccFull:
				if len(active) > 0 {
					dishonest("AimHarder has the member in class %d", active[0].ClassID)
				} else if tried == nil {
					dishonest("no class %d among its choices", o.ClassID)
				} else if len(tried.Booked) < tried.Capacity || (plan.Waitlist && len(tried.Waiting) < 3) {
					dishonest("class %d has %d/%d booked, %d waiting", tried.ID, len(tried.Booked), tried.Capacity, len(tried.Waiting))
				}
			case session.OccFailed, session.OccMissed, session.OccNoClass, session.OccSkipped, session.OccPaused:
				if len(active) > 0 {
					dishonest("AimHarder has the member in class %d", active[0].ClassID)
				}
				if o.State == session.OccMissed && strings.TrimSpace(o.Detail) == "" {
					dishonest("missed without a reason")
				}
				if o.State == session.OccNoClass && len(classes) == len(plan.Choices()) {
					dishonest("every choice is in AimHarder's list")
				}
				if o.State == session.OccSkipped && !o.Skipped {
					dishonest("the member did not skip it")
				}
				if o.State == session.OccPaused && !o.Paused {
					dishonest("the plan was not paused that day")
				}
				if o.State == session.OccFailed || o.State == session.OccMissed {
					var causes []string
					for _, d := range executed {
						for _, c := range classes {
							if s.explains(d, c.OpensAt) {
								causes = append(causes, d.describe(c.OpensAt))
								break
							}
						}
					}
					note := fmt.Sprintf("%s: %s %q", label, o.State, o.Detail)
					if len(causes) > 0 {
						note += " — " + strings.Join(causes, "; ")
					}
					pr.Notes = append(pr.Notes, note)
				}
			default:
				pr.Lost++
				fail("%s: lost — still %s at the end (%q)", label, o.State, o.Detail)
			}
			if mc != nil && o.State != session.OccCancelled {
				dishonest("the member cancelled it at %s", mc.at.In(madrid).Format("Mon 15:04"))
			}
		}
	}
}
