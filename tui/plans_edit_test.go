package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestPlanWithSeveralFallbacksAndDates: "every week" sets fallbacks in
// order and from/until dates, and the plans view shows them.
func TestPlanWithSeveralFallbacksAndDates(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	c := e.pickPlanClass()
	opts := e.m.fallbackOptions(c)
	if len(opts) < 2 {
		t.Fatalf("want two classes to fall back to, the day has %d", len(opts))
	}
	// Two fallbacks, the second first; until the end of January.
	e.makePlan("down", "down", "right", "+", "right", "right", "+", "up", "K", "down", "down", "down", "down", "31/1")
	e.requireCalls("plan add sat " + c.Start.Format("15:04") + " " + c.Name + " waitlist=false fallbacks=2 now=false")
	p := e.store.plans[0]
	if len(p.Fallbacks) != 2 || p.Fallbacks[0].Class != opts[2].Class || p.Fallbacks[0].Time != opts[2].Time ||
		p.Fallbacks[1].Class != opts[0].Class || p.Until.String() != "2027-01-31" || !p.From.IsZero() {
		t.Fatalf("stored %+v (options %v)", p, opts)
	}
	e.key("W")
	e.requireContains("then " + opts[2].Label() + " · then " + opts[0].Label() + " · until Sun 31 Jan")
}

// TestEditPlanFromThePlansView: e opens the plan's settings; what the
// member changes is saved on the same plan.
func TestEditPlanFromThePlansView(t *testing.T) {
	for name, lang := range map[string]i18n.Lang{"en": i18n.EN, "es": i18n.ES} {
		t.Run(name, func(t *testing.T) {
			e, c := planEnv(t, 120, 40, lang)
			e.key("down", "e") // on an occurrence: its day's classes are the candidates
			if !e.m.planForm.IsOpen() {
				t.Fatal("e opened no form")
			}
			title := map[i18n.Lang]string{i18n.EN: "Edit plan #1", i18n.ES: "Editar el plan #1"}[lang]
			e.requireContains(title)
			opts := e.m.fallbackOptions(c)
			// Wednesday too, the waitlist, a fallback, from 1 December.
			e.key("3", "w", "down", "down", "right", "+", "down", "1/12", "enter")
			e.requireCalls("plan edit 1 wed,sat waitlist=true fallbacks=[" + opts[0].Label() + "] from=2026-12-01 until=0000-00-00")
			if n := len(e.store.plans); n != 1 {
				t.Fatalf("%d plans after an edit", n)
			}
			toast := map[i18n.Lang]string{i18n.EN: "Plan #1 changed: ", i18n.ES: "Plan #1 cambiado: "}[lang]
			e.requireToast(toast)
			e.requireContains(opts[0].Label())
			// Edit again: the form opens on what is stored now.
			e.key("e")
			e.requireContains("1. " + opts[0].Label())
			e.requireContains("2026-12-01")
			e.key("esc")
			e.requireCalls("plan edit 1 wed,sat waitlist=true fallbacks=[" + opts[0].Label() + "] from=2026-12-01 until=0000-00-00")
		})
	}
}

// TestEditPlanRefusedInTheServicesWords: the service's refusal shows and
// the plan stays as it was.
func TestEditPlanRefusedInTheServicesWords(t *testing.T) {
	e, _ := planEnv(t, 120, 40, i18n.EN)
	e.store.mu.Lock()
	e.store.plans[0].Fallbacks = []session.Fallback{{Class: "Yoga", Time: session.ClockTime{Hour: 9}}, {Class: "yoga", Time: session.ClockTime{Hour: 9}}}
	e.store.mu.Unlock()
	e.key("r", "e", "enter")
	e.requireToast("Plan not changed: ")
	e.requireToast("is already in the plan")
}

// TestPauseAndResumeEveryPlan: a pauses every plan over the dates asked
// (the CLI's `plan pause` without an id), U resumes them all.
func TestPauseAndResumeEveryPlan(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	e.key("W", "a")
	e.requireToast("No weekly plans to pause")
	e.key("esc")
	e.pickPlanClass()
	e.makePlan()
	e.acct.calls = nil
	e.key("W", "a")
	e.requireContains("Pause your 1 plan")
	e.key("esc")
	e.store.mu.Lock()
	e.store.nextPlan++
	e.store.plans = append(e.store.plans, session.Plan{ID: e.store.nextPlan, BoxID: testBox.ID,
		Days: session.WeekdaysOf(testWeek.AddDays(2).Weekday()), Time: session.ClockTime{Hour: 9}, Class: "Yoga", CreatedAt: testNow})
	e.store.mu.Unlock()
	e.key("r", "a")
	if !e.m.pauseForm.IsOpen() {
		t.Fatal("a opened no pause form")
	}
	e.requireContains("Pause all 2 plans")
	for range 10 {
		e.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	e.key("21/12", "tab")
	for range 10 {
		e.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	e.key("6/1", "enter")
	e.requireCalls("plan pause 0 2026-12-21 2027-01-06")
	e.requireToast("2 plans paused Mon 21 Dec – Wed 6 Jan")
	if got := strings.Count(e.screen(), "· paused Mon 21 Dec – Wed 6 Jan"); got != 2 {
		t.Fatalf("%d plans show the pause, want 2:\n%s", got, e.screen())
	}
	e.acct.calls = nil
	e.key("U")
	d := e.requireDialog("Resume every plan")
	if d.Body != "Resume all 2 paused plans? Their pauses (Mon 21 Dec – Wed 6 Jan) are removed." {
		t.Fatalf("the question: %q", d.Body)
	}
	e.key("enter") // enter alone does not resume
	e.key("n")
	e.requireCalls()
	if got := strings.Count(e.screen(), "· paused Mon 21 Dec – Wed 6 Jan"); got != 2 {
		t.Fatalf("after no, %d plans show the pause, want 2", got)
	}
	e.key("U", "y")
	e.requireCalls("plan resume 0")
	e.requireToast("2 plans resumed")
	e.acct.calls = nil
	e.key("U")
	if e.m.dialog.IsOpen() {
		t.Fatal("U asked with no plan paused")
	}
	e.requireToast("No plan was paused")
	e.requireCalls()
}

func TestPauseEveryPlanInSpanish(t *testing.T) {
	e, _ := planEnv(t, 120, 40, i18n.ES)
	e.key("a")
	e.requireContains("Pausar tu 1 plan")
	e.key("enter")
	e.requireToast("1 plan en pausa ")
	e.key("U")
	d := e.requireDialog("Reanudar todos los planes")
	if !strings.HasPrefix(d.Body, "¿Reanudar tu 1 plan en pausa? Se quitan sus pausas (") {
		t.Fatalf("la pregunta: %q", d.Body)
	}
	e.key("s")
	e.requireToast("1 plan reanudado")
}

func TestPlanHistoryKindsHaveWords(t *testing.T) {
	kinds := []session.EventKind{session.EventPlanAdded, session.EventPlanEdited, session.EventPlanRemoved,
		session.EventPlanSkipped, session.EventPlanUnskipped, session.EventPlanPaused, session.EventPlanResumed,
		session.EventPlanOccurrence}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		for _, k := range kinds {
			if i18n.For(lang).HistoryKinds[string(k)] == "" {
				t.Errorf("%v: no words for history kind %q", lang, k)
			}
		}
	}
}

// TestEditAddingAnOpenDayAsks: a weekday the edit adds whose booking is
// already open is booked at once only if the member says so; "no" skips
// it in the same change.
func TestEditAddingAnOpenDayAsks(t *testing.T) {
	for _, answer := range []string{"y", "n"} {
		t.Run(answer, func(t *testing.T) {
			e := newEnv(t, 120, 40, i18n.EN)
			fri := e.selectClass(func(c account.ClassView) bool {
				return c.Date == testWeek.AddDays(4) && c.Start.Format("15:04") == "15:00" && c.Name == "WOD"
			})
			e.makePlan()
			e.requireDialog("Book this one now too?")
			e.key("n")
			e.acct.calls = nil
			e.key("W", "e", "4", "enter") // Thursday too: its 15:00 WOD is open
			d := e.requireDialog("Book this one now too?")
			if !strings.Contains(d.Body, "Thu") || strings.Contains(d.Body, "Fri") {
				t.Fatalf("the question does not name Thursday alone: %q", d.Body)
			}
			e.key(answer)
			call := "plan edit 1 thu,fri waitlist=false fallbacks=[] from=0000-00-00 until=0000-00-00"
			if answer == "n" {
				call += " skip=" + fri.Date.AddDays(-1).String()
			} else {
				call += " book=" + fri.Date.AddDays(-1).String()
			}
			e.requireCalls(call)
			e.requireToast("Plan #1 changed")
		})
	}
	// A change that adds no open day asks nothing.
	e, _ := planEnv(t, 120, 40, i18n.EN)
	e.key("e", "w", "enter")
	if e.m.dialog.IsOpen() {
		t.Fatal("an edit adding no day asked")
	}
	e.requireCalls("plan edit 1 sat waitlist=true fallbacks=[] from=0000-00-00 until=0000-00-00")
}

// TestEditAsksAboutOpenDaysBeyondTheGrid: the days an edit adds whose
// booking is open are the service's answer, not the grid's — a later week
// than the one shown is asked about too, and so is a plan of another box.
func TestEditAsksAboutOpenDaysBeyondTheGrid(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	fri := e.selectClass(func(c account.ClassView) bool {
		return c.Date == testWeek.AddDays(4) && c.Start.Format("15:04") == "15:00" && c.Name == "WOD"
	})
	e.makePlan()
	e.requireDialog("Book this one now too?")
	e.key("n")
	// Booking opens nine days ahead: next week's Thursday is open too.
	e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = "9d" })
	e.acct.calls = nil
	e.key("W", "e", "4", "enter")
	d := e.requireDialog("Book this one now too?")
	thu, next := fri.Date.AddDays(-1), fri.Date.AddDays(6)
	if !strings.Contains(d.Body, "WOD Thu 26 Nov 15:00") || !strings.Contains(d.Body, "Thu 3 Dec 15:00") ||
		strings.Contains(d.Body, "10 Dec") {
		t.Fatalf("the question does not name this Thursday and the next: %q", d.Body)
	}
	e.key("y")
	e.requireCalls("plan edit 1 thu,fri waitlist=false fallbacks=[] from=0000-00-00 until=0000-00-00 book=" +
		thu.String() + " book=" + next.String())

	// A plan of another box, whose booking opens two days ahead there.
	e.store.setBox(otherBox.ID, func(b *session.Box) { b.MemberWindow = "2d" })
	e.store.mu.Lock()
	e.store.plans = append(e.store.plans, session.Plan{ID: 99, BoxID: otherBox.ID, Days: session.WeekdaysOf(time.Monday),
		Time: session.ClockTime{Hour: 15}, Class: "WOD", CreatedAt: testNow.Add(-time.Hour)})
	e.store.mu.Unlock()
	e.acct.calls = nil
	edit := session.PlanEdit{Days: session.WeekdaysOf(time.Monday, time.Thursday)}
	e.run(e.m.onPlanEdit(99, edit))
	d = e.requireDialog("Book this one now too?")
	if !strings.Contains(d.Body, "Thu 26 Nov 15:00") || strings.Contains(d.Body, "3 Dec") {
		t.Fatalf("the other box's plan: %q", d.Body)
	}
	e.key("n")
	e.requireCalls("plan edit 99 mon,thu waitlist=false fallbacks=[] from=0000-00-00 until=0000-00-00 skip=" + thu.String())
}

// TestNewPlanAsksAboutOpenDaysBeyondTheGrid: making a plan asks about every
// class it would book whose booking is already open, next week's too when
// the box's window is longer than what is left of the shown week — not
// only the shown week's (account.Service.OpenDaysOfNewPlan).
func TestNewPlanAsksAboutOpenDaysBeyondTheGrid(t *testing.T) {
	for _, answer := range []string{"y", "n"} {
		t.Run(answer, func(t *testing.T) {
			e := newEnv(t, 120, 40, i18n.EN)
			e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = "9d" })
			e.selectClass(func(c account.ClassView) bool {
				return c.Date == testWeek.AddDays(4) && c.Start.Format("15:04") == "15:00" && c.Name == "WOD"
			})
			e.acct.calls = nil
			e.makePlan()
			d := e.requireDialog("Book this one now too?")
			if !strings.Contains(d.Body, "Fri 27 Nov") || !strings.Contains(d.Body, "Fri 4 Dec 15:00") {
				t.Fatalf("the question does not name this Friday and the next: %q", d.Body)
			}
			e.key(answer)
			e.requireCalls("plan add fri 15:00 WOD waitlist=false fallbacks=0 now=" + map[string]string{"y": "true", "n": "false"}[answer])
		})
	}
}
