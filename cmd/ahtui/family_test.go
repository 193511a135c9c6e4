package main

import (
	"strconv"
	"strings"
	"testing"

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
	if !strings.Contains(r.stdout, "It books for Leo (4243)") {
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
