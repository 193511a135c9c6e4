package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// pickPlanClass puts the cursor on Saturday's first class not open yet:
// the plan will not need to ask about booking now.
func (e *env) pickPlanClass() account.ClassView {
	e.t.Helper()
	return e.selectClass(func(c account.ClassView) bool {
		return c.Date == testWeek.AddDays(5) && grid.StateOf(c, nil, e.now) == grid.NotOpen
	})
}

// makePlan opens "every week" on the selected class, types keys in the
// form and saves it.
func (e *env) makePlan(keys ...string) {
	e.t.Helper()
	e.key("w")
	if !e.m.planForm.IsOpen() {
		e.t.Fatalf("w opened no form:\n%s", e.screen())
	}
	e.key(keys...)
	e.key("enter")
}

func TestPlanFromAClass(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	e.key("v") // one day at a time beside the detail
	c := e.pickPlanClass()
	e.key("w")
	e.requireContains("Every week")
	e.requireContains(c.Name + " at " + c.Start.Format("15:04") + ", every week · Sample Gym")
	e.requireContains("[ ]Mon [ ]Tue [ ]Wed [ ]Thu [ ]Fri [x]Sat [ ]Sun")
	// Mon and Wed too, the waitlist, and the first other class of the day
	// as the fallback.
	e.key("1", "3", "down", " ", "down", "right")
	opts := e.m.fallbackOptions(c)
	if len(opts) == 0 {
		t.Fatal("no fallback offered")
	}
	e.requireContains("[x]Mon [ ]Tue [x]Wed [ ]Thu [ ]Fri [x]Sat [ ]Sun")
	e.requireContains("[x] yes, join it when full")
	e.requireContains("‹ " + opts[0].Label() + " ›")
	e.key("enter")
	if e.m.planForm.IsOpen() || e.m.dialog.IsOpen() {
		t.Fatalf("the form or a question is still open:\n%s", e.screen())
	}
	e.requireCalls("plan add mon,wed,sat " + c.Start.Format("15:04") + " " + c.Name + " waitlist=true fallbacks=1 now=false")
	e.requireToast("Plan #1 saved: Mon Wed Sat " + c.Start.Format("15:04") + " " + c.Name + " · Sample Gym · waitlist · then " + opts[0].Label())
	// The grid marks the class; the detail names the plan.
	pm, ok := e.m.grid.Plan(c.ID, c.Date)
	if !ok || pm.PlanID != 1 {
		t.Fatalf("the class is not marked as plan #1: %+v %v", pm, ok)
	}
	e.requireContains("↻ every Mon/Wed/Sat ·")
	e.requireContains("plan #1")
}

func TestPlanFormCancelAndNeedsADay(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.pickPlanClass()
	e.key("w", "6", "enter") // Saturday unticked: no day left
	if !e.m.planForm.IsOpen() {
		t.Fatal("a plan with no day was accepted")
	}
	e.requireContains("tick at least one day")
	e.key("esc")
	if e.m.planForm.IsOpen() {
		t.Fatal("esc did not close the form")
	}
	e.requireCalls()
	// p still prebooks in one key.
	e.key("p")
	e.requireCalls()
	if len(e.store.prebookings) != 1 {
		t.Fatalf("p made %d prebookings, want 1", len(e.store.prebookings))
	}
}

func TestPlanAsksToBookNowWhenOpen(t *testing.T) {
	for _, answer := range []string{"y", "n"} {
		t.Run(answer, func(t *testing.T) {
			e := newEnv(t, 80, 24, i18n.EN)
			c := e.pick(grid.Open) // today's next class: booking is open
			e.makePlan()
			d := e.requireDialog("Book this one now too?")
			if !strings.Contains(d.Body, e.m.className(c)) {
				t.Fatalf("the question does not name the class: %q", d.Body)
			}
			e.key(answer)
			e.requireCalls("plan add " + strings.ToLower(c.Date.Weekday().String()[:3]) + " " + c.Start.Format("15:04") + " " +
				c.Name + " waitlist=false fallbacks=0 now=" + map[string]string{"y": "true", "n": "false"}[answer])
			e.requireToast("Plan #1 saved")
		})
	}
}

func TestDuplicatePlanRefusedInTheServicesWords(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pickPlanClass()
	// Another terminal made the same plan; this screen has not read it yet.
	e.store.mu.Lock()
	e.store.nextPlan = 4
	e.store.plans = []session.Plan{{ID: 4, BoxID: testBox.ID, Days: session.WeekdaysOf(c.Date.Weekday()),
		Time: session.ClockOf(c.Start), Class: c.Name, CreatedAt: testNow}}
	e.store.mu.Unlock()
	e.makePlan("1") // Monday and Saturday: Saturday is taken
	e.requireToast("Plan not saved: plan #4 already books " + c.Name + " at " + c.Start.Format("15:04") + " on sat")
	if n := len(e.store.plans); n != 1 {
		t.Fatalf("%d plans stored, want 1", n)
	}
	// The screen read the plans again: the class shows its plan now.
	if pm, ok := e.m.grid.Plan(c.ID, c.Date); !ok || pm.PlanID != 4 {
		t.Fatalf("the plan is not marked after the refusal: %+v", pm)
	}
}

// planEnv is a model with one plan for Saturday's class, on the plans view.
func planEnv(t *testing.T, w, h int, lang i18n.Lang) (*env, account.ClassView) {
	t.Helper()
	e := newEnv(t, w, h, lang)
	c := e.pickPlanClass()
	e.makePlan()
	e.acct.calls = nil
	e.key("W")
	if e.m.screen != screenPlans {
		t.Fatalf("W did not open the plans view")
	}
	return e, c
}

func TestPlansViewListsOccurrences(t *testing.T) {
	e, c := planEnv(t, 120, 40, i18n.EN)
	e.requireContains("Weekly plans")
	e.requireContains("#1  Sat " + c.Start.Format("15:04") + " " + c.Name + " · Sample Gym")
	e.requireContains("Sat 28 Nov " + c.Start.Format("15:04") + "  ↻ planned")
	e.requireContains("Sat 5 Dec " + c.Start.Format("15:04"))
	// The runner's record shows as it is.
	e.store.setOccurrence(session.OccurrenceRecord{PlanID: 1, Day: testWeek.AddDays(5), State: session.OccPrebooked, ClassID: c.ID})
	e.key("r")
	e.requireContains("Sat 28 Nov " + c.Start.Format("15:04") + "  ⚑ prebooked")
	// enter shows the class in the week.
	e.key("down", "enter")
	if e.m.screen != screenWeek || e.selected().ID != c.ID {
		t.Fatalf("enter did not show the class in the week")
	}
}

func TestPlanSkipAndUnskip(t *testing.T) {
	e, c := planEnv(t, 120, 40, i18n.EN)
	sat := testWeek.AddDays(5)
	e.key("s") // on the plan's own line: a day is needed
	e.requireToast("Choose a day of the plan to skip it")
	e.key("down", "s")
	e.requireCalls("plan skip 1 " + sat.String())
	e.requireToast("Sat 28 Nov skipped: plan #1 leaves it alone")
	e.requireContains("Sat 28 Nov " + c.Start.Format("15:04") + "  – skipped")
	// The grid says so too, without colour.
	if pm, ok := e.m.grid.Plan(c.ID, sat); !ok || !pm.Skipped {
		t.Fatalf("the grid does not show the day skipped: %+v", pm)
	}
	e.key(" ")
	e.requireCalls("plan skip 1 "+sat.String(), "plan unskip 1 "+sat.String())
	e.requireToast("Sat 28 Nov is back in plan #1")
	e.requireContains("Sat 28 Nov " + c.Start.Format("15:04") + "  ↻ planned")
}

func TestPlanPauseAndResume(t *testing.T) {
	e, c := planEnv(t, 120, 40, i18n.EN)
	e.key("down", "down", "p") // on Sat 5 Dec
	if !e.m.pauseForm.IsOpen() {
		t.Fatal("p opened no pause form")
	}
	e.requireContains("Pause plan #1")
	e.requireContains("2026-12-05")
	e.requireContains("2026-12-11")
	// A date that does not exist is refused in words, the form stays.
	for range 10 {
		e.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	e.key("31/02", "enter")
	e.requireContains(`"31/02" is not a date`)
	if !e.m.pauseForm.IsOpen() {
		t.Fatal("a bad date closed the form")
	}
	for range 5 {
		e.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	e.key("1/12", "enter")
	e.requireCalls("plan pause 1 2026-12-01 2026-12-11")
	e.requireToast("Plan #1 paused Tue 1 Dec – Fri 11 Dec")
	e.requireContains("paused Tue 1 Dec – Fri 11 Dec")
	e.requireContains("Sat 5 Dec " + c.Start.Format("15:04") + "   ‖ paused")
	if pm, ok := e.m.grid.Plan(c.ID, testWeek.AddDays(5)); !ok || pm.Paused {
		t.Fatalf("Sat 28 Nov is outside the pause: %+v", pm)
	}
	e.key("u")
	e.requireToast("Plan #1 resumed")
	e.requireContains("Sat 5 Dec " + c.Start.Format("15:04") + "   ↻ planned")
	e.key("u")
	e.requireToast("Plan #1 has no pause")
	// A pause that is over is refused in the service's words.
	e.key("p")
	for range 10 {
		e.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	e.key("2026-11-01", "tab")
	for range 10 {
		e.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	e.key("2026-11-02", "enter")
	e.requireToast("Plan not changed: that day has already passed (2026-11-02)")
}

func TestPlanRemove(t *testing.T) {
	e, c := planEnv(t, 120, 40, i18n.EN)
	e.key("x")
	d := e.requireDialog("Remove plan")
	if !strings.Contains(d.Body, "Remove plan #1 (Sat "+c.Start.Format("15:04")+" "+c.Name) {
		t.Fatalf("the question does not name the plan: %q", d.Body)
	}
	e.key("n")
	e.requireCalls()
	e.key("x", "y")
	e.requireCalls("plan rm 1")
	e.requireToast("Removed plan #1")
	e.requireContains("No weekly plans. Press w on a class to book it every week.")
	if _, ok := e.m.grid.Plan(c.ID, c.Date); ok {
		t.Fatal("the grid still marks the removed plan's class")
	}
}

// TestPlanMarkerWithoutColour: under NO_COLOR the plan reads from its
// glyph, in the cell and in the help's legend.
func TestPlanMarkerWithoutColour(t *testing.T) {
	e := newEnvWith(t, 120, 40, Config{Lang: i18n.EN, Renderer: asciiRenderer(), NoColor: true})
	e.key("v") // one day at a time beside the detail
	c := e.pickPlanClass()
	e.makePlan()
	e.key("down") // the cursor off the class: the marker alone tells it
	var cell string
	for _, l := range splitLines(e.screen()) {
		// The day layout at this width: "10:00-11:00 ↻○ HYROX …".
		if strings.Contains(l, c.Start.Format("15:04")) && strings.Contains(l, "↻○ "+c.Name) {
			cell = l
		}
	}
	if cell == "" {
		t.Fatalf("no cell shows the plan marker beside its state:\n%s", e.screen())
	}
	e.key("?")
	e.requireContains("↻ every week (plan)  – skipped  ‖ paused")
}

func TestPlansInSpanish(t *testing.T) {
	e, c := planEnv(t, 120, 40, i18n.ES)
	e.requireContains("Planes semanales")
	e.requireContains("#1  sáb " + c.Start.Format("15:04") + " " + c.Name)
	e.requireContains("↻ planificada")
	e.key("down", "s")
	e.requireToast("sáb 28 nov saltada: el plan #1 no la reserva")
	e.requireContains("– saltada")
}

// TestPlansFollowTheStore: a plan made elsewhere (the CLI) shows after the
// store's next read; a failed read keeps what showed.
func TestPlansFollowTheStore(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	c := e.pickPlanClass()
	e.store.mu.Lock()
	e.store.plans = []session.Plan{{ID: 7, BoxID: testBox.ID, Days: session.WeekdaysOf(c.Date.Weekday()),
		Time: session.ClockOf(c.Start), Class: strings.ToLower(c.Name), CreatedAt: testNow.Add(-24 * time.Hour)}}
	e.store.mu.Unlock()
	e.send(EventMsg{Kind: EventChanged})
	e.fire(func(m tea.Msg) bool { _, ok := m.(reloadMsg); return ok })
	if pm, ok := e.m.grid.Plan(c.ID, c.Date); !ok || pm.PlanID != 7 {
		t.Fatalf("a plan made elsewhere is not marked after an event: %+v", pm)
	}
	e.store.plansErr = errBoom
	e.key("r")
	if _, ok := e.m.grid.Plan(c.ID, c.Date); !ok {
		t.Fatal("a failed read dropped the plans")
	}
	// Another weekday is not marked; a class whose name only contains the
	// plan's is not either.
	for d := range 7 {
		for _, o := range e.m.grid.Classes(d) {
			if _, ok := e.m.grid.Plan(o.ID, o.Date); ok && (o.Date != c.Date || o.ID != c.ID) {
				t.Fatalf("class %s %s %s is marked", o.Date, o.Start.Format("15:04"), o.Name)
			}
		}
	}
	_ = aimharder.Date{}
}

// TestPlanFallbackClassMarked: the class an occurrence resolved to (a
// fallback) is marked as the plan's too.
func TestPlanFallbackClassMarked(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	e.key("v") // one day at a time beside the detail
	c := e.pickPlanClass()
	e.makePlan("down", "down", "right")
	fb := e.selectClass(func(o account.ClassView) bool {
		return o.Date == c.Date && o.ID != c.ID && o.Start.Before(c.Start)
	})
	if _, ok := e.m.grid.Plan(fb.ID, fb.Date); ok {
		t.Fatal("another class is marked before any occurrence resolved to it")
	}
	e.store.setOccurrence(session.OccurrenceRecord{PlanID: 1, Day: c.Date, State: session.OccBooked, ClassID: fb.ID, Choice: 1})
	e.key("r")
	if pm, ok := e.m.grid.Plan(fb.ID, fb.Date); !ok || pm.PlanID != 1 {
		t.Fatalf("the fallback class is not marked: %+v", pm)
	}
	e.requireContains("every Sat · plan #1")
}

// TestEveryWeekOnAPlannedClassShowsItsPlan: w on a class a plan already
// books opens the plans view on that day.
func TestEveryWeekOnAPlannedClassShowsItsPlan(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	c := e.pickPlanClass()
	e.makePlan()
	e.key("w")
	if e.m.planForm.IsOpen() || e.m.screen != screenPlans {
		t.Fatalf("w on a planned class did not show its plan")
	}
	row, ok := e.m.selectedPlanRow()
	if !ok || row.Occ == nil || row.Occ.Day != c.Date || row.Plan.Plan.ID != 1 {
		t.Fatalf("the cursor is not on the class's day: %+v", row)
	}
}

// TestQuitWarnsThatPlansStop: with plans and nothing pending yet, quitting
// a TUI that runs the runner says the plans stop.
func TestQuitWarnsThatPlansStop(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: true}
	e.pickPlanClass()
	e.makePlan()
	e.key("q")
	d := e.requireDialog("Quit ahtui?")
	if !strings.Contains(d.Body, "Nothing will book your 1 weekly plan while ahtui is closed") {
		t.Fatalf("the quit question does not name the plans: %q", d.Body)
	}
}

// TestUnprebookingAPlanDaySaysThePlanLetsItGo: removing the prebooking of
// a plan's class says the plan will not book that day again.
func TestUnprebookingAPlanDaySaysThePlanLetsItGo(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.pickPlanClass()
	e.key("p")
	e.makePlan()
	e.key("p")
	d := e.requireDialog("Remove prebooking")
	if !strings.Contains(d.Body, "Plan #1 will not book this day again; its other days stay.") {
		t.Fatalf("the question does not name the plan: %q", d.Body)
	}
}
