package account_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

func date(t *testing.T, s string) aimharder.Date {
	t.Helper()
	d, err := aimharder.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPlansThroughTheService(t *testing.T) {
	_, urls := aimhardertest.Start(t, world())
	// Monday 23 Nov 2026, 10:00 in Madrid.
	now := func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	store, err := session.Open(t.Context(), filepath.Join(t.TempDir(), "a.db"), session.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	client, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test"), Now: now})
	ctx := t.Context()
	plan := session.NewPlan{BoxID: 501, Days: session.WeekdaysOf(time.Monday, time.Thursday), Time: session.ClockTime{Hour: 18},
		Class: "WOD"}
	if _, err := svc.AddPlan(ctx, plan); !errors.Is(err, account.ErrNotLoggedIn) {
		t.Fatalf("before login: %v", err)
	}
	if _, err := svc.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	v, err := svc.AddPlan(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	// Today (Mon 23) through Mon 7 Dec: five class days, all planned.
	var days []string
	for _, o := range v.Occurrences {
		days = append(days, o.Day.String())
		if o.State != session.OccPlanned || o.Start.Location().String() != "Europe/Madrid" || o.Start.Hour() != 18 {
			t.Errorf("occurrence %+v", o)
		}
	}
	want := "[2026-11-23 2026-11-26 2026-11-30 2026-12-03 2026-12-07]"
	if got := fmtList(days); got != want || v.Box.Subdomain != boxSub {
		t.Errorf("occurrences %s, want %s (box %q)", got, want, v.Box.Subdomain)
	}
	if _, err := svc.AddPlan(ctx, plan); !errors.Is(err, session.ErrPlanConflict) {
		t.Errorf("same slot: %v", err)
	}
	ended := plan
	ended.Class, ended.Until = "Yoga", date(t, "2026-11-20")
	if _, err := svc.AddPlan(ctx, ended); !errors.Is(err, account.ErrPlanEnded) {
		t.Errorf("ended plan: %v", err)
	}
	if _, err := svc.SkipPlanDay(ctx, v.Plan.ID, date(t, "2026-11-19")); !errors.Is(err, account.ErrPlanDayPast) {
		t.Errorf("skip a past day: %v", err)
	}
	if _, err := svc.SkipPlanDay(ctx, v.Plan.ID, date(t, "2026-11-26")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PausePlans(ctx, 0, date(t, "2026-11-01"), date(t, "2026-11-22")); !errors.Is(err, account.ErrPlanDayPast) {
		t.Errorf("a pause already over: %v", err)
	}
	if _, err := svc.PausePlans(ctx, 0, date(t, "2026-12-01"), date(t, "2026-12-04")); err != nil {
		t.Fatal(err)
	}
	list, err := svc.ListPlans(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	var states []string
	for _, o := range list[0].Occurrences {
		states = append(states, string(o.State))
	}
	if got := fmtList(states); got != "[planned skipped planned paused planned]" {
		t.Errorf("states %s", got)
	}
	if _, err := svc.ResumePlans(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// Edited: Thursdays only, from 3 Dec, two fallbacks in order.
	e := list[0].Plan.EditOf()
	e.Days, e.From = session.WeekdaysOf(time.Thursday), date(t, "2026-12-03")
	e.Fallbacks = []session.Fallback{{Class: "WOD", Time: session.ClockTime{Hour: 19}}, {Class: "Open", Time: session.ClockTime{Hour: 18}}}
	edited, err := svc.EditPlan(ctx, v.Plan.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	days = days[:0]
	for _, o := range edited.Occurrences {
		days = append(days, o.Day.String())
	}
	if got := fmtList(days); got != "[2026-12-03]" || len(edited.Plan.Fallbacks) != 2 || edited.Plan.Fallbacks[1].Class != "Open" {
		t.Errorf("edited: %s, %+v", got, edited.Plan)
	}
	e.Until = date(t, "2026-11-20")
	if _, err := svc.EditPlan(ctx, v.Plan.ID, e); !errors.Is(err, account.ErrPlanEnded) {
		t.Errorf("edited to end in the past: %v", err)
	}
	if _, err := svc.EditPlan(ctx, 99, e); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("no plan: %v", err)
	}
	if _, err := svc.RemovePlan(ctx, v.Plan.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := svc.ListPlans(ctx); err != nil || len(list) != 0 {
		t.Errorf("after removal: %+v, %v", list, err)
	}
	events, err := store.History(ctx, session.HistoryQuery{Kinds: []session.EventKind{session.EventPlanAdded,
		session.EventPlanSkipped, session.EventPlanPaused, session.EventPlanResumed, session.EventPlanEdited, session.EventPlanRemoved}})
	if err != nil || len(events) != 6 {
		t.Errorf("history: %d events, %v", len(events), err)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// TestAddedOpenDays: the days an edit adds whose booking is already open
// by the box's rule, across the weeks the runner works on — not only the
// week on screen — and none that the plan already had or that does not
// open yet.
func TestAddedOpenDays(t *testing.T) {
	_, urls := aimhardertest.Start(t, world())
	// Monday 23 Nov 2026, 10:00 in Madrid.
	now := func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	store, err := session.Open(t.Context(), filepath.Join(t.TempDir(), "a.db"), session.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	client, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test"), Now: now})
	ctx := t.Context()
	if _, err := svc.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	v, err := svc.AddPlan(ctx, session.NewPlan{BoxID: 501, Days: session.WeekdaysOf(time.Monday), Time: session.ClockTime{Hour: 18}, Class: "WOD"})
	if err != nil {
		t.Fatal(err)
	}
	id := v.Plan.ID
	e := v.Plan.EditOf()
	e.Days = session.WeekdaysOf(time.Monday, time.Tuesday, time.Wednesday)
	got := func() []string {
		t.Helper()
		open, err := svc.AddedOpenDays(ctx, id, e)
		if err != nil {
			t.Fatal(err)
		}
		var days []string
		for _, o := range open {
			days = append(days, o.Day.String())
		}
		return days
	}
	// Nine days ahead: Tue 24 and Wed 25 this week, Tue 1 Dec next week
	// (opened Sun 22 18:00); Wed 2 Dec opens tonight. Mondays were the
	// plan's already.
	if err := store.SetMemberWindow(ctx, 501, "9d"); err != nil {
		t.Fatal(err)
	}
	if d := got(); fmtList(d) != fmtList([]string{"2026-11-24", "2026-11-25", "2026-12-01"}) {
		t.Errorf("9d: open added days %v", d)
	}
	// Two days ahead: only Tuesday 24 is open.
	if err := store.SetMemberWindow(ctx, 501, "48h"); err != nil {
		t.Fatal(err)
	}
	if d := got(); fmtList(d) != fmtList([]string{"2026-11-24"}) {
		t.Errorf("48h: open added days %v", d)
	}
	// An edit adding nothing asks nothing.
	e.Days = session.WeekdaysOf(time.Monday)
	if d := got(); len(d) != 0 {
		t.Errorf("no day added: %v", d)
	}

	// A plan not made yet: every day it would book whose booking is open
	// (nine days ahead: Mon 23 18:00 has not started, nor has Mon 30).
	if err := store.SetMemberWindow(ctx, 501, "9d"); err != nil {
		t.Fatal(err)
	}
	open, err := svc.OpenDaysOfNewPlan(ctx, session.NewPlan{BoxID: 501, Days: session.WeekdaysOf(time.Monday, time.Tuesday),
		Time: session.ClockTime{Hour: 18}, Class: "WOD"})
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, o := range open {
		days = append(days, o.Day.String())
	}
	if want := []string{"2026-11-23", "2026-11-24", "2026-11-30", "2026-12-01"}; fmtList(days) != fmtList(want) {
		t.Errorf("a new plan's open days %v, want %v", days, want)
	}
}
