package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// TestPlanOccurrenceNotification: an occurrence's outcome reaches
// notify_command as plan_occurrence, naming the plan, and the outcome of
// the plan's prebooking itself is not notified a second time.
func TestPlanOccurrenceNotification(t *testing.T) {
	day := aimharder.Date{Year: 2026, Month: time.December, Day: 9}
	plan := session.Plan{ID: 3, BoxID: 5, Days: session.WeekdaysOf(time.Monday, time.Wednesday, time.Friday),
		Time: session.ClockTime{Hour: 7}, Class: "WOD",
		Fallbacks: []session.Fallback{{Class: "HYROX", Time: session.ClockTime{Hour: 8}}}}
	at := day.AddDays(-2).At(7, 0, madrid)
	cases := []struct {
		rec     session.OccurrenceRecord
		outcome string
		title   string
		message string
	}{
		{session.OccurrenceRecord{PlanID: 3, Day: day, State: session.OccBooked, ClassID: 11, PrebookingID: 7, ReservationID: 99},
			"booked", "Booked (every Mon/Wed/Fri 07:00 WOD): WOD Wed 9 Dec 07:00",
			"every Mon/Wed/Fri 07:00 WOD: booked Wed 9 Dec 07:00"},
		{session.OccurrenceRecord{PlanID: 3, Day: day, State: session.OccBooked, Choice: 1, ClassID: 12,
			Detail: "WOD at 07:00 was full; trying HYROX at 08:00"},
			"fallback_booked", "Fallback booked (every Mon/Wed/Fri 07:00 WOD): HYROX Wed 9 Dec 08:00",
			"every Mon/Wed/Fri 07:00 WOD: fallback booked: HYROX Wed 9 Dec 08:00 — WOD at 07:00 was full; trying HYROX at 08:00"},
		{session.OccurrenceRecord{PlanID: 3, Day: day, State: session.OccNoClass, Detail: "no WOD at 07:00"},
			"no_class", "No class (every Mon/Wed/Fri 07:00 WOD): WOD Wed 9 Dec 07:00",
			"every Mon/Wed/Fri 07:00 WOD: no class Wed 9 Dec 07:00 — no WOD at 07:00"},
		{session.OccurrenceRecord{PlanID: 3, Day: day, State: session.OccFull, Choice: 1}, "full",
			"Full (every Mon/Wed/Fri 07:00 WOD): HYROX Wed 9 Dec 08:00", "every Mon/Wed/Fri 07:00 WOD: full Wed 9 Dec 08:00 (HYROX)"},
		{session.OccurrenceRecord{PlanID: 3, Day: day, State: session.OccMissed}, "missed",
			"Missed (every Mon/Wed/Fri 07:00 WOD): WOD Wed 9 Dec 07:00", "every Mon/Wed/Fri 07:00 WOD: missed Wed 9 Dec 07:00"},
	}
	for _, c := range cases {
		oc := occ{plan: plan, loc: madrid, o: session.Occurrence{PlanID: 3, Day: day}, rec: c.rec}
		e := planOccurrenceEvent(at, oc)
		if e.String() != c.message {
			t.Errorf("message %q, want %q", e.String(), c.message)
		}
		n, ok := notificationOf(e)
		if !ok {
			t.Fatalf("%s: not notified", c.outcome)
		}
		env := map[string]string{}
		for _, kv := range n.env() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		if env["AHTUI_EVENT"] != "plan_occurrence" || env["AHTUI_OUTCOME"] != c.outcome || env["AHTUI_TITLE"] != c.title ||
			env["AHTUI_PLAN_ID"] != "3" || env["AHTUI_PLAN"] != "every Mon/Wed/Fri 07:00 WOD" || env["AHTUI_DAY"] != "2026-12-09" ||
			env["AHTUI_CODE"] != string(c.rec.State) || env["AHTUI_REASON"] != c.rec.Detail {
			t.Errorf("%s: %v", c.outcome, env)
		}
		if n.boxID != plan.BoxID || n.start.IsZero() {
			t.Errorf("%s: box %d start %v", c.outcome, n.boxID, n.start)
		}
	}
	nt := &notifier{}
	planPB := session.Prebooking{ID: 7, PlanID: 3, PlanDay: day}
	if nt.wanted(PrebookingOutcome{Prebooking: planPB}) || nt.wanted(PrebookingMissed{Prebooking: planPB}) ||
		nt.wanted(PrebookingLate{Prebooking: planPB}) {
		t.Error("a plan prebooking's own outcome is notified as well as its occurrence")
	}
	if !nt.wanted(PrebookingOutcome{Prebooking: session.Prebooking{ID: 8}}) {
		t.Error("a one-off prebooking's outcome is no longer notified")
	}
	if got := PlanWords(session.Plan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 18, Minute: 30}, Class: "Yoga"}); got != "every day 18:30 Yoga" {
		t.Errorf("PlanWords: %q", got)
	}
}
