package main

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// Family members by name: `config family_id abc` is refused with the
// known names; a name sets the id; --family books, prebooks and plans for
// that person, and the stored prebooking and plan keep the id.
func TestFamilyMembersByName(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("AHTUI_DB", "")
	w := testWorld()
	w.Users[0].Family = []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo Test"}}
	clock := aimhardertest.NewManualClock(testNow)
	fake, urls := aimhardertest.Start(t, w, aimhardertest.WithClock(clock))
	e := &cliEnv{t: t, fake: fake, urls: urls, clock: clock, db: t.TempDir() + "/ahtui.db"}
	e.login()

	r := e.run("", "config", "family_id", "abc")
	if r.code != exitUsage || !strings.Contains(r.stderr, "ahtui family add") {
		t.Errorf("family_id abc with no names: %v", r)
	}
	e.mustRun("", "family", "add", "Leo", "4243")
	r = e.run("", "config", "family_id", "abc")
	if r.code != exitUsage || !strings.Contains(r.stderr, `no family member "abc": choose one of Leo`) {
		t.Errorf("family_id abc: %v", r)
	}
	e.mustRun("", "config", "family_id", "leo")
	if r := e.mustRun("", "config", "family_id"); strings.TrimSpace(r.stdout) != "4243" {
		t.Errorf("family_id after naming Leo: %q", r.stdout)
	}
	if r := e.mustRun("", "family"); !strings.Contains(r.stdout, "* Leo") || !strings.Contains(r.stdout, "Bookings are for Leo (4243)") {
		t.Errorf("family list: %v", r)
	}
	e.mustRun("", "config", "family_id", "--unset")

	// --family books for Leo while the setting says the holder.
	day := testToday.AddDays(1)
	c := e.classAt(testBox, day, "18:00")
	e.mustRun("", "book", strconv.FormatInt(c.ID, 10), "--day", day.String(), "--family", "Leo")
	if n := len(e.fake.Reservations(testEmail, "4243")); n != 1 {
		t.Errorf("Leo has %d reservations, want 1", n)
	}
	if n := len(e.fake.Reservations(testEmail, "")); n != 0 {
		t.Errorf("the holder has %d reservations, want 0", n)
	}
	if r := e.run("", "book", strconv.FormatInt(c.ID, 10), "--day", day.String(), "--family", "Eva"); r.code != exitUsage {
		t.Errorf("--family Eva: %v", r)
	}

	// prebook add and plan add keep the id.
	later := testToday.AddDays(6)
	p := e.classAt(testBox, later, "18:00")
	e.mustRun("", "prebook", "add", strconv.FormatInt(p.ID, 10), "--day", later.String(), "--family", "Leo")
	r = e.mustRun("", "plan", "add", "--days", "mon", "--time", "07:00", "--class", "WOD", "--family", "Leo")
	if !strings.Contains(r.stdout, ", for Leo.") {
		t.Errorf("plan add --family: %v", r)
	}
	a := e.open(e.clock.Now)
	pbs, err := a.store.Prebookings(t.Context(), session.PrebookingQuery{})
	if err != nil || len(pbs) != 1 || pbs[0].FamilyID != "4243" {
		t.Errorf("stored prebookings: %+v, %v", pbs, err)
	}
	plans, err := a.store.Plans(t.Context(), session.PlanQuery{})
	if err != nil || len(plans) != 1 || plans[0].FamilyID != "4243" {
		t.Errorf("stored plans: %+v, %v", plans, err)
	}
}

// The lists say for whom, by name: prebook list (a FOR column, only when
// a prebooking is for a family member), plan list, and their --json
// (family_id, family); a plan made with --family "" stays the holder's
// whatever family_id says; an unknown name lists the known ones.
func TestFamilyShownInLists(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("AHTUI_DB", "")
	w := testWorld()
	w.Users[0].Family = []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo Test"}}
	clock := aimhardertest.NewManualClock(testNow)
	fake, urls := aimhardertest.Start(t, w, aimhardertest.WithClock(clock))
	e := &cliEnv{t: t, fake: fake, urls: urls, clock: clock, db: t.TempDir() + "/ahtui.db"}
	e.login()
	e.mustRun("", "family", "add", "Leo", "4243")
	e.mustRun("", "family", "add", "Marta", "5150")

	later := testToday.AddDays(6)
	p := e.classAt(testBox, later, "18:00")
	e.mustRun("", "prebook", "add", strconv.FormatInt(p.ID, 10), "--day", later.String())
	if r := e.mustRun("", "prebook", "list"); strings.Contains(r.stdout, "FOR") {
		t.Errorf("a FOR column with every prebooking the holder's:\n%s", r.stdout)
	}
	q := e.classAt(testBox, later, "10:45")
	e.mustRun("", "prebook", "add", strconv.FormatInt(q.ID, 10), "--day", later.String(), "--family", "leo")
	r := e.mustRun("", "prebook", "list")
	if !strings.Contains(r.stdout, "FOR") || !strings.Contains(r.stdout, "Leo") || !strings.Contains(r.stdout, "you") {
		t.Errorf("prebook list does not say for whom:\n%s", r.stdout)
	}
	r = e.mustRun("", "prebook", "list", "--json")
	for _, want := range []string{`"family_id": "4243"`, `"family": "Leo"`, `"family_id": ""`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("prebook list --json lacks %s:\n%s", want, r.stdout)
		}
	}

	e.mustRun("", "config", "family_id", "Marta")
	e.mustRun("", "plan", "add", "--days", "mon", "--time", "07:00", "--class", "WOD")
	r = e.mustRun("", "plan", "add", "--days", "tue", "--time", "07:00", "--class", "WOD", "--family", "")
	if !strings.Contains(r.stdout, ", for you.") {
		t.Errorf("plan add --family \"\": %v", r)
	}
	r = e.mustRun("", "plan", "list")
	if !strings.Contains(r.stdout, "for Marta (the family_id setting)") || !strings.Contains(r.stdout, "for you") {
		t.Errorf("plan list does not say for whom:\n%s", r.stdout)
	}
	r = e.mustRun("", "plan", "list", "--json")
	for _, want := range []string{`"family_id": null`, `"family": "Marta"`, `"family_id": ""`, `"family": ""`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan list --json lacks %s:\n%s", want, r.stdout)
		}
	}
	a := e.open(e.clock.Now)
	plans, err := a.store.Plans(t.Context(), session.PlanQuery{})
	if err != nil || len(plans) != 2 || plans[0].FamilyID != "" || plans[1].FamilyID != session.PlanForHolder {
		t.Errorf("stored plans: %+v, %v", plans, err)
	}

	r = e.run("", "family", "add", "Eva", "4243")
	if r.code != exitUsage || !strings.Contains(r.stderr, "Leo already has id 4243") || strings.Contains(r.stderr, "invalid value") {
		t.Errorf("a second name for Leo's id: %v", r)
	}
	if r := e.mustRun("", "family", "add", "MARTA", "6160"); !strings.Contains(r.stdout, "id 6160, was 5150") ||
		!strings.Contains(r.stdout, "Bookings are still for MARTA") {
		t.Errorf("a new id for Marta: %v", r)
	}
	if r := e.mustRun("", "config", "family_id"); strings.TrimSpace(r.stdout) != "6160" {
		t.Errorf("family_id after Marta's new id: %q", r.stdout)
	}
	for _, args := range [][]string{
		{"family", "remove", "Eva"},
		{"config", "family_id", "Eva"},
		{"plan", "add", "--days", "wed", "--time", "07:00", "--class", "WOD", "--family", "Eva"},
	} {
		r := e.run("", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, `no family member "Eva": choose one of Leo, MARTA`) {
			t.Errorf("%v: %v", args, r)
		}
	}
}

// The TUI on the real account service books for the family member chosen
// on the confirmation's For line, and the setting stays as it was.
func TestTUIBooksForTheFamilyMemberChosen(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("AHTUI_DB", "")
	w := testWorld()
	w.Users[0].Family = []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo Test"}}
	clock := aimhardertest.NewManualClock(testNow)
	fake, urls := aimhardertest.Start(t, w, aimhardertest.WithClock(clock))
	e := &cliEnv{t: t, fake: fake, urls: urls, clock: clock, db: t.TempDir() + "/ahtui.db"}
	e.login()
	e.mustRun("", "family", "add", "Leo", "4243")

	lt := openLiveTUI(t, e)
	lt.tick()
	lt.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b")})
	if !strings.Contains(lt.view(), "For: ◂ account holder ▸") {
		t.Fatalf("b did not ask for whom:\n%s", lt.view())
	}
	lt.send(tea.KeyMsg{Type: tea.KeyTab})
	lt.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	if n := len(e.fake.Reservations(testEmail, "4243")); n != 1 {
		t.Errorf("Leo has %d reservations, want 1:\n%s", n, lt.view())
	}
	if n := len(e.fake.Reservations(testEmail, "")); n != 0 {
		t.Errorf("the holder has %d reservations, want 0", n)
	}
	if !strings.Contains(lt.view(), "for Leo") {
		t.Errorf("the TUI does not say the booking is Leo's:\n%s", lt.view())
	}
	if r := e.mustRun("", "config", "family_id"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("family_id after booking for Leo: %q", r.stdout)
	}
}
