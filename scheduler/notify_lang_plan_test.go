package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// TestPlanOccurrenceTitleInSpanish: a Spanish notification names the plan
// in Spanish too — its days and "every" — not in the log's English.
func TestPlanOccurrenceTitleInSpanish(t *testing.T) {
	day := aimharder.Date{Year: 2026, Month: time.December, Day: 9}
	for _, c := range []struct {
		days  session.Weekdays
		title string
	}{
		{session.WeekdaysOf(time.Sunday, time.Monday, time.Wednesday),
			"Reservada (cada lun/mié/dom 07:00 WOD): WOD mié 9 dic 07:00"},
		{session.AllWeekdays, "Reservada (todos los días 07:00 WOD): WOD mié 9 dic 07:00"},
	} {
		plan := session.Plan{ID: 3, BoxID: 5, Days: c.days, Time: session.ClockTime{Hour: 7}, Class: "WOD"}
		oc := occ{plan: plan, loc: madrid, o: session.Occurrence{PlanID: 3, Day: day},
			rec: session.OccurrenceRecord{PlanID: 3, Day: day, State: session.OccBooked, ClassID: 11}}
		n, ok := notificationOf(planOccurrenceEvent(day.AddDays(-2).At(7, 0, madrid), oc))
		if !ok {
			t.Fatal("not notified")
		}
		n.localize(outcome.ES, madrid)
		if n.Title != c.title {
			t.Errorf("title %q, want %q", n.Title, c.title)
		}
	}
}
