//go:build soak

package scheduler

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// soakReport is what the soak saw, and what it holds against the runners.
type soakReport struct {
	Seed          uint64  `json:"seed"`
	SimulatedDays float64 `json:"simulated_days"`
	RealSeconds   float64 `json:"real_seconds"`

	Prebookings int `json:"prebookings"`
	Due         int `json:"due"`
	Fired       int `json:"fired"`
	Booked      int `json:"booked"`
	Waitlisted  int `json:"waitlisted"`
	Failed      int `json:"failed"`
	Missed      int `json:"missed"`
	Late        int `json:"late"`
	DoubleFired int `json:"double_fired"`
	// Stored outcomes AimHarder's reservations contradict (an outcome
	// stored as unconfirmed says it does not know, and is not counted).
	Mismatches  int `json:"outcome_mismatches"`
	Unconfirmed int `json:"unconfirmed"`
	Lost        int `json:"lost"`

	// Each prebooking that did not get a place on time, with the
	// disruptions that explain it.
	NotOnTime []string `json:"not_on_time"`

	Disruptions   map[string]int `json:"disruptions"` // executed, by kind
	AtOpenings    int            `json:"disrupted_openings"`
	Kills         int            `json:"kills"`
	Restarts      int            `json:"restarts"`
	LeaderChanges int            `json:"leader_changes"`
	// Why runners stopped leading (other than being killed).
	LeadershipLost map[string]int `json:"leadership_lost"`

	// A death is a background session AimHarder ended: each recovery (a
	// login after the member's own, but for one over a session whose
	// refresh answer was lost) ended one, and so does a session dead at the
	// end. The keeper notices some before password_command revives them.
	SessionDeaths int `json:"session_deaths"`
	// Sessions ahtui declared dead (or replayed to death) while AimHarder
	// had not ended them: must be 0. Re-logins over a session AimHarder
	// still had (after a lost refresh answer) are counted, not failed.
	SelfKilled            int  `json:"sessions_killed_by_ahtui"`
	ReplacedLive          int  `json:"relogins_over_a_live_session"`
	DeathsNoticed         int  `json:"session_deaths_noticed"`
	SessionRecoveries     int  `json:"session_recoveries"`
	TokenUpdatesAttempted int  `json:"token_updates_attempted"`
	TokenUpdatesFailed    int  `json:"token_updates_failed"`
	SessionAliveAtEnd     bool `json:"session_alive_at_end"`
	// Booked prebookings whose stored lateness AimHarder's log contradicts.
	LatenessWrong int `json:"lateness_recorded_wrong"`

	// Lateness of the first booking request that reached AimHarder after
	// the opening (AimHarder's clock), in milliseconds.
	LatenessClean latencyStats `json:"lateness_undisrupted_ms"`
	LatenessAll   latencyStats `json:"lateness_all_ms"`

	// Weekly plans (soak_plans_test.go).
	Plans *planReport `json:"plans,omitempty"`

	Failures []string `json:"failures,omitempty"`
}

type latencyStats struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func statsOf(ms []float64) latencyStats {
	if len(ms) == 0 {
		return latencyStats{}
	}
	slices.Sort(ms)
	at := func(q float64) float64 { return ms[min(len(ms)-1, int(q*float64(len(ms))))] }
	return latencyStats{N: len(ms), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: ms[len(ms)-1]}
}

func (l latencyStats) String() string {
	if l.N == 0 {
		return "none"
	}
	return fmt.Sprintf("n=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f ms", l.N, l.P50, l.P90, l.P99, l.Max)
}

func (r soakReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "soak: seed %d, %.2f simulated days in %.0f s\n", r.Seed, r.SimulatedDays, r.RealSeconds)
	fmt.Fprintf(&b, "prebookings %d: due %d, fired %d, booked %d, waitlisted %d, failed %d, missed %d, late %d\n",
		r.Prebookings, r.Due, r.Fired, r.Booked, r.Waitlisted, r.Failed, r.Missed, r.Late)
	fmt.Fprintf(&b, "double-fired %d, lost %d, outcomes AimHarder contradicts %d (unconfirmed, not judged: %d), lateness recorded wrong %d\n",
		r.DoubleFired, r.Lost, r.Mismatches, r.Unconfirmed, r.LatenessWrong)
	kinds := make([]string, 0, len(r.Disruptions))
	for k := range r.Disruptions {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.Disruptions[k]))
	}
	fmt.Fprintf(&b, "disruptions (%d aimed at openings): %s\n", r.AtOpenings, strings.Join(parts, ", "))
	fmt.Fprintf(&b, "runners: %d kills, %d restarts, %d times a runner took the lead; leads lost: %v\n",
		r.Kills, r.Restarts, r.LeaderChanges, r.LeadershipLost)
	fmt.Fprintf(&b, "session: %d deaths (%d noticed before a re-login), %d recoveries, token updates %d attempted / %d failed, alive at the end: %v\n",
		r.SessionDeaths, r.DeathsNoticed, r.SessionRecoveries, r.TokenUpdatesAttempted, r.TokenUpdatesFailed, r.SessionAliveAtEnd)
	fmt.Fprintf(&b, "sessions killed by ahtui itself: %d; re-logins over a session AimHarder still had: %d\n",
		r.SelfKilled, r.ReplacedLive)
	fmt.Fprintf(&b, "lateness, undisrupted openings: %s\n", r.LatenessClean)
	fmt.Fprintf(&b, "lateness, all fires in time:    %s\n", r.LatenessAll)
	for _, line := range r.NotOnTime {
		fmt.Fprintf(&b, "  not on time: %s\n", line)
	}
	if r.Plans != nil {
		r.Plans.write(&b)
	}
	return b.String()
}

func (r soakReport) save(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// readSoakEvents reads every runner's event file; a line cut by a kill is
// skipped.
func readSoakEvents(dir string) ([]soakEvent, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.events"))
	if err != nil {
		return nil, err
	}
	var out []soakEvent
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var e soakEvent
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				out = append(out, e)
			}
		}
		f.Close()
	}
	slices.SortStableFunc(out, func(a, b soakEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// analyse checks every prebooking against what the fake saw and the
// runners said.
func (s *soak) analyse() soakReport {
	t, ctx := s.t, s.t.Context()
	rep := soakReport{Seed: s.cfg.seed, SimulatedDays: s.cfg.days, RealSeconds: time.Since(s.startedAt).Seconds(),
		Disruptions: map[string]int{}, LeadershipLost: map[string]int{}}
	fail := func(format string, args ...any) { rep.Failures = append(rep.Failures, fmt.Sprintf(format, args...)) }

	pbs, err := s.store.Prebookings(ctx, session.PrebookingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	events, err := readSoakEvents(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	requests := s.fake.Requests()
	s.mu.Lock()
	defer s.mu.Unlock()
	var executed []*disruption
	for _, d := range s.disruptions {
		if !d.Executed {
			continue
		}
		executed = append(executed, d)
		rep.Disruptions[d.Kind]++
		if d.Opening {
			rep.AtOpenings++
		}
		if d.explains != byFault {
			continue
		}
		for _, r := range requests {
			if !r.ArrivedClock.Before(d.From) && !r.ArrivedClock.After(d.To) &&
				slices.ContainsFunc(r.Faults, func(name string) bool { return strings.HasPrefix(name, d.fault) }) {
				d.applied++
			}
		}
	}
	rep.Kills = len(s.kills)

	byPrebooking := map[int64][]soakEvent{}
	owners := map[string]bool{}
	var deaths []time.Time
	for _, e := range events {
		owners[e.Owner] = true
		switch e.Type {
		case "leader":
			if e.Leader {
				rep.LeaderChanges++
			} else {
				rep.LeadershipLost[e.Detail]++
			}
		case "dead":
			if e.Detail == string(session.KindBackground) {
				deaths = append(deaths, e.At)
			}
		}
		if e.Prebooking != 0 {
			byPrebooking[e.Prebooking] = append(byPrebooking[e.Prebooking], e)
		}
	}
	rep.Restarts = s.generation - len(s.runners)
	// Both runners may notice one death: count those a minute apart.
	for i, at := range deaths {
		if i == 0 || at.Sub(deaths[i-1]) > time.Minute {
			rep.DeathsNoticed++
		}
	}

	// AimHarder's view: the member's book requests per class, logins and
	// token rotations after the member's own login.
	bookRequests := map[int64][]aimhardertest.Request{}
	for _, r := range requests {
		if r.Arrived.Before(soakStart.Add(time.Second)) {
			continue // the member's own login and prebookings
		}
		switch r.Endpoint {
		case aimhardertest.EndpointBook:
			if r.User == soakEmail || r.User == "" { // "" when a fault answered first
				id, _ := strconv.ParseInt(r.Form["id"], 10, 64)
				bookRequests[id] = append(bookRequests[id], r)
			}
		case aimhardertest.EndpointLogin, aimhardertest.EndpointLegacyLogin:
			if r.Code == "authOK" {
				rep.SessionRecoveries++
			}
		case aimhardertest.EndpointTokenUpdate:
			rep.TokenUpdatesAttempted++
			if r.Code != "newToken" {
				rep.TokenUpdatesFailed++
			}
		}
	}

	var clean, all []float64
	var planPbs []session.Prebooking
	for _, p := range pbs {
		if p.PlanID != 0 {
			planPbs = append(planPbs, p) // judged with its plan (analysePlans)
			continue
		}
		box, err := s.store.Box(ctx, p.BoxID)
		if err != nil {
			t.Fatal(err)
		}
		class, ok := s.fake.Class(box.Subdomain, p.ClassID)
		if !ok {
			fail("prebooking %d: the fake has no class %d", p.ID, p.ClassID)
			continue
		}
		opening := class.OpensAt
		if !opening.Before(s.end.Add(-2 * time.Minute)) {
			continue
		}
		rep.Due++
		label := fmt.Sprintf("#%d %s %s %s (opening %s)", p.ID, box.Subdomain, p.Day, p.ClassName,
			opening.In(madrid).Format("Mon 15:04:05"))
		reqs := bookRequests[p.ClassID]
		if len(reqs) > 0 {
			rep.Fired++
		}
		if twice := doubleFire(byPrebooking[p.ID], s.kills); twice != "" {
			rep.DoubleFired++
			fail("%s: fired twice: %s", label, twice)
		} else if twice := s.refiredAtAimHarder(reqs); twice != "" {
			rep.DoubleFired++
			fail("%s: fired twice: %s", label, twice)
		}
		if strings.HasSuffix(p.OutcomeCode, codeUnconfirmed) {
			rep.Unconfirmed++
		} else if problem := s.disagreesWithAimHarder(p); problem != "" {
			rep.Mismatches++
			fail("%s: %s", label, problem)
		}

		var causes []string
		for _, d := range executed {
			if s.explains(d, opening) {
				causes = append(causes, d.describe(opening))
			}
		}
		lateness := time.Duration(-1)
		for _, r := range reqs {
			if late := r.Arrived.Sub(opening); late >= 0 && (lateness < 0 || late < lateness) {
				lateness = late
			}
		}
		if lateness >= 0 && !p.Late {
			ms := float64(lateness) / float64(time.Millisecond)
			all = append(all, ms)
			if len(causes) == 0 {
				clean = append(clean, ms)
			}
		}

		if p.Late {
			rep.Late++
		}
		if problem := lateTruly(p, reqs, opening, causes); problem != "" {
			rep.LatenessWrong++
			fail("%s: %s", label, problem)
		}
		onTime := false
		switch p.Status {
		case session.PrebookBooked:
			rep.Booked++
			onTime = !p.Late
		case session.PrebookWaitlisted:
			rep.Waitlisted++
		case session.PrebookFailed:
			rep.Failed++
		case session.PrebookMissed:
			rep.Missed++
		default:
			rep.Lost++
			fail("%s: lost — still %s at the end", label, p.Status)
			continue
		}
		if onTime {
			continue
		}
		outcome := fmt.Sprintf("%s %s", p.Status, p.OutcomeCode)
		if p.Late {
			outcome += ", late"
		}
		if len(causes) == 0 {
			fail("%s: %s with no disruption to explain it (first request %v after the opening)",
				label, outcome, lateness)
			rep.NotOnTime = append(rep.NotOnTime, label+": "+outcome+" — UNEXPLAINED")
			continue
		}
		rep.NotOnTime = append(rep.NotOnTime, label+": "+outcome+" — "+strings.Join(causes, "; "))
	}
	rep.Prebookings = len(pbs) - len(planPbs)
	if rep.Due != rep.Prebookings || rep.Prebookings != s.prebooked {
		fail("%d prebooked, %d in the database, %d due", s.prebooked, rep.Prebookings, rep.Due)
	}
	if s.cfg.plans {
		s.analysePlans(&rep, planPbs, byPrebooking, bookRequests, executed, fail)
	}
	rep.LatenessClean, rep.LatenessAll = statsOf(clean), statsOf(all)

	s.judgeSessionEnds(&rep, deaths, fail)

	// The session is alive at the end: the token ahtui stored still
	// rotates at AimHarder (the runners have stopped; nobody else uses it).
	bg, err := s.store.Session(ctx, session.KindBackground)
	if err == nil && bg.State == session.StateLive {
		_, rerr := s.client.RefreshToken(ctx, bg.Credentials)
		rep.SessionAliveAtEnd = rerr == nil
		err = rerr
	}
	// A re-login over a session AimHarder still had (its refresh answer
	// was lost) recovers from no death.
	// The member's own logins (to cancel a class) recover nothing.
	rep.SessionRecoveries -= s.memberLogins
	rep.SessionDeaths = rep.SessionRecoveries - rep.ReplacedLive
	if !rep.SessionAliveAtEnd {
		rep.SessionDeaths++
		fail("the background session is not alive at the end (%s: %v)", bg.State, err)
	}
	for _, owner := range s.crashed {
		fail("runner %s exited by itself or uncleanly", owner)
	}
	logs, _ := filepath.Glob(filepath.Join(s.dir, "*.log"))
	for _, path := range logs {
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), "DATA RACE") {
			fail("%s reports a data race", filepath.Base(path))
		}
	}
	return rep
}

func (d *disruption) describe(opening time.Time) string {
	rel := func(t time.Time) string { return fmt.Sprintf("T%+.1fs", t.Sub(opening).Seconds()) }
	s := fmt.Sprintf("%s %s..%s", d.Kind, rel(d.From), rel(d.To))
	if d.Detail != "" {
		s += " (" + d.Detail + ")"
	}
	return s
}

// doubleFire finds two runners firing one prebooking at once: a runner
// starts firing it while another that fired it before has neither stored
// an outcome nor been killed. It returns a description, or "".
func doubleFire(events []soakEvent, kills []soakKill) string {
	type fire struct {
		owner string
		at    time.Time
	}
	var open []fire
	outcomes := map[string]bool{}
	for _, e := range events {
		switch e.Type {
		case "firing", "late":
			// Once an outcome is stored the prebooking is final.
			for owner := range outcomes {
				return fmt.Sprintf("%s fired it at %s after %s had stored its outcome", e.Owner, e.At.Format(time.TimeOnly), owner)
			}
			for _, f := range open {
				if f.owner == e.Owner {
					continue
				}
				killed := slices.ContainsFunc(kills, func(k soakKill) bool { return k.Owner == f.owner && !k.At.After(e.At) })
				if !killed {
					return fmt.Sprintf("%s at %s while %s (since %s) was still firing",
						e.Owner, e.At.Format(time.TimeOnly), f.owner, f.at.Format(time.TimeOnly))
				}
			}
			open = append(open, fire{e.Owner, e.At})
		case "outcome", "missed":
			if outcomes[e.Owner] {
				continue
			}
			outcomes[e.Owner] = true
			open = slices.DeleteFunc(open, func(f fire) bool { return f.owner == e.Owner })
			if len(outcomes) > 1 {
				return fmt.Sprintf("outcomes stored by %d runners", len(outcomes))
			}
		}
	}
	return ""
}

// explains reports whether d can explain that the prebooking opening at
// `opening` (AimHarder's time) got no place on time.
func (s *soak) explains(d *disruption, opening time.Time) bool {
	within := func(t time.Time, from, to time.Duration) bool {
		return !t.Before(opening.Add(from)) && !t.After(opening.Add(to))
	}
	switch d.explains {
	case byFault:
		// Active at the opening or during the burst, and met by a request.
		return d.applied > 0 && !d.From.After(opening.Add(3*time.Second)) && !d.To.Before(opening)
	case byLogout:
		return within(d.From, -16*time.Second, 3*time.Second)
	case byClock:
		return within(d.From, -16*time.Second, 0)
	case byKill:
		// A runner killed within a lease (10 s) and a takeover of the
		// opening, or a downtime (to the restart) that left no runner
		// running around it.
		if within(d.From, -20*time.Second, 3*time.Second) {
			return true
		}
		return !d.From.After(opening) && !d.To.Before(opening.Add(-20*time.Second)) &&
			(s.runningAt(opening.Add(-20*time.Second)) == 0 || s.runningAt(opening) == 0)
	case byStandby:
		return within(d.From, -11*time.Second, 0) && !s.standbyUp(d.Detail, opening.Add(-15*time.Second), opening)
	}
	return false
}

// refiredAtAimHarder looks at AimHarder's log of a class's booking
// requests: after the first accepted one, any sent more than a burst later
// is a second fire — unless a runner was killed in between (the one that
// booked may have died before storing it, and its successor must look).
func (s *soak) refiredAtAimHarder(reqs []aimhardertest.Request) string {
	var first *aimhardertest.Request
	for i, r := range reqs {
		if accepted(r) && (first == nil || r.ArrivedClock.Before(first.ArrivedClock)) {
			first = &reqs[i]
		}
	}
	if first == nil {
		return ""
	}
	for _, r := range reqs {
		if !r.ArrivedClock.After(first.ArrivedClock.Add(5 * time.Second)) {
			continue
		}
		killed := slices.ContainsFunc(s.kills, func(k soakKill) bool {
			return !k.At.Before(first.ArrivedClock.Add(-5*time.Second)) && !k.At.After(r.ArrivedClock)
		})
		if !killed {
			return fmt.Sprintf("a booking request at %s, %s after AimHarder had accepted one, with no runner killed between",
				r.ArrivedClock.Format(time.TimeOnly), r.ArrivedClock.Sub(first.ArrivedClock).Round(time.Millisecond))
		}
	}
	return ""
}

// disagreesWithAimHarder compares a prebooking's stored outcome with the
// member's reservations at AimHarder (docs/product.md invariant 7: success means booked).
func (s *soak) disagreesWithAimHarder(p session.Prebooking) string {
	var active []aimhardertest.ReservationInfo
	for _, r := range s.fake.Reservations(soakEmail, "") {
		if r.ClassID == p.ClassID && r.Active {
			active = append(active, r)
		}
	}
	switch {
	case len(active) > 1:
		return fmt.Sprintf("%d reservations at AimHarder", len(active))
	case (p.Status == session.PrebookBooked || p.Status == session.PrebookWaitlisted) && len(active) == 0:
		return "stored " + string(p.Status) + " but AimHarder has no reservation"
	case (p.Status == session.PrebookFailed || p.Status == session.PrebookMissed) && len(active) == 1:
		return "stored " + string(p.Status) + " but AimHarder has a reservation"
	case p.Status == session.PrebookBooked && len(active) == 1 && active[0].State != 1:
		return "stored booked but AimHarder has the member on the waitlist"
	}
	return ""
}

// judgeSessionEnds checks that every background session ahtui declared dead
// had been ended by AimHarder (expired or forced) since the previous
// death: a death AimHarder did not cause is a session ahtui killed itself.
// A replayed spent token that ended a session is ahtui's doing too.
func (s *soak) judgeSessionEnds(rep *soakReport, deaths []time.Time, fail func(string, ...any)) {
	bg, err := s.store.Session(s.t.Context(), session.KindBackground)
	if err != nil {
		fail("cannot read the background session: %v", err)
		return
	}
	fp := bg.Credentials.Fingerprint
	var byAimHarder []time.Time
	for _, e := range s.fake.SessionEnds(soakEmail) {
		if e.Fingerprint != fp {
			continue
		}
		switch e.Reason {
		case aimhardertest.EndExpired, aimhardertest.EndForced:
			byAimHarder = append(byAimHarder, e.At)
		case aimhardertest.EndReplaced:
			rep.ReplacedLive++
		default:
			rep.SelfKilled++
			fail("ahtui ended its own background session %s at %s (%s)", e.Label, e.At.In(madrid).Format("Mon 15:04:05"), e.Reason)
		}
	}
	var prev time.Time
	for i, at := range deaths {
		if i > 0 && at.Sub(deaths[i-1]) <= time.Minute {
			continue // both runners noticed one death
		}
		explained := slices.ContainsFunc(byAimHarder, func(end time.Time) bool {
			return end.After(prev) && !end.After(at.Add(time.Second))
		})
		if !explained {
			rep.SelfKilled++
			fail("ahtui declared the background session dead at %s though AimHarder had not ended it",
				at.In(madrid).Format("Mon 15:04:05"))
		}
		prev = at
	}
}

// lateTruly checks a booked prebooking's stored lateness against when
// AimHarder received the booking it accepted: late means it arrived
// session.LateAfter or more after the opening. Half a second either side
// of that line is left to the clock estimate, and a server clock step
// near the opening excuses a wrong estimate.
func lateTruly(p session.Prebooking, reqs []aimhardertest.Request, opening time.Time, causes []string) string {
	if p.Status != session.PrebookBooked {
		return ""
	}
	var arrived time.Time
	for _, r := range reqs {
		if accepted(r) && (arrived.IsZero() || r.Arrived.Before(arrived)) {
			arrived = r.Arrived
		}
	}
	if arrived.IsZero() {
		return ""
	}
	late := arrived.Sub(opening)
	if p.Late == (late >= session.LateAfter) {
		return ""
	}
	if d := late - session.LateAfter; d > -500*time.Millisecond && d < 500*time.Millisecond {
		return ""
	}
	for _, c := range causes {
		if strings.HasPrefix(c, "clock-step") {
			return ""
		}
	}
	return fmt.Sprintf("stored late=%v (%s), but AimHarder received the booking %v after the opening",
		p.Late, p.Lateness(), late.Round(time.Millisecond))
}

// standbyUp reports whether a runner other than the killed ones (owners,
// comma-separated) ran through from..to.
func (s *soak) standbyUp(killed string, from, to time.Time) bool {
	for _, l := range s.lives {
		if slices.Contains(strings.Split(killed, ", "), l.owner) {
			continue
		}
		if !l.from.After(from) && (l.to.IsZero() || !l.to.Before(to)) {
			return true
		}
	}
	return false
}
