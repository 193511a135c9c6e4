package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/session"
)

func TestPlanUsageErrors(t *testing.T) {
	e := newCLIEnv(t)
	add := []string{"plan", "add", "--days", "mon,wed", "--time", "07:00", "--class", "WOD"}
	with := func(extra ...string) []string { return append(append([]string{}, add...), extra...) }
	for _, args := range [][]string{
		{"plan"},
		{"plan", "frobnicate"},
		{"plan", "add"},
		{"plan", "add", "--time", "07:00", "--class", "WOD"},
		{"plan", "add", "--days", "mon", "--class", "WOD"},
		{"plan", "add", "--days", "mon", "--time", "07:00"},
		{"plan", "add", "--days", "mon", "--time", "07:00", "--class", "  "},
		{"plan", "add", "--days", "funday", "--time", "07:00", "--class", "WOD"},
		{"plan", "add", "--days", "mon,,wed", "--time", "07:00", "--class", "WOD"},
		{"plan", "add", "--days", "monday", "--time", "07:00", "--class", "WOD"},
		{"plan", "add", "--days", "mon", "--time", "7am", "--class", "WOD"},
		{"plan", "add", "--days", "mon", "--time", "24:00", "--class", "WOD"},
		{"plan", "add", "--days", "mon", "--time", "07:75", "--class", "WOD"},
		with("--fallback", "WOD@8"),
		with("--fallback", "WOD@"),
		with("--fallback", "@08:00"),
		with("--fallback", "wod"), // the first choice again
		with("--from", "2026/12/01"),
		with("--until", "tomorrow"),
		with("--from", "2026-12-10", "--until", "2026-12-01"),
		with("extra"),
		with("--nope"),
		{"plan", "list", "extra"},
		{"plan", "rm"},
		{"plan", "rm", "abc"},
		{"plan", "rm", "0"},
		{"plan", "rm", "1", "2"},
		{"plan", "skip", "1"},
		{"plan", "skip", "x", "--day", "2026-11-30"},
		{"plan", "skip", "1", "--day", "30-11-2026"},
		{"plan", "unskip", "1"},
		{"plan", "unskip", "--day", "2026-11-30"},
		{"plan", "pause", "--from", "2026-12-01"},
		{"plan", "pause", "--until", "2026-12-01"},
		{"plan", "pause", "1", "2", "--from", "2026-12-01", "--until", "2026-12-02"},
		{"plan", "pause", "x", "--from", "2026-12-01", "--until", "2026-12-02"},
		{"plan", "pause", "--from", "2026-12-05", "--until", "2026-12-01"},
		{"plan", "pause", "--from", "5 Dec", "--until", "2026-12-06"},
		{"plan", "resume", "abc"},
		{"plan", "resume", "1", "2"},
	} {
		if r := e.run("", args...); r.code != exitUsage {
			t.Errorf("ahtui %v: %v, want exit 2", args, r)
		}
	}
	// A usage error says what was wrong.
	r := e.run("", "plan", "add", "--days", "mon,funday", "--time", "07:00", "--class", "WOD")
	if !strings.Contains(r.stderr, `"funday" is not a weekday`) {
		t.Errorf("bad weekday: %v", r)
	}
	r = e.run("", "plan", "add", "--days", "mon", "--time", "7.00", "--class", "WOD")
	if !strings.Contains(r.stderr, `--time: "7.00" is not a time of day (use HH:MM`) {
		t.Errorf("bad time: %v", r)
	}
}

func TestPlanWithoutSession(t *testing.T) {
	e := newCLIEnv(t)
	if r := e.run("", "plan", "add", "--days", "mon", "--time", "07:00", "--class", "WOD"); r.code != exitNoSession {
		t.Errorf("plan add before login: %v", r)
	}
	r := e.mustRun("", "plan", "list", "--json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("plan list --json with no plans: %q", r.stdout)
	}
	if r := e.mustRun("", "plan", "list"); !strings.Contains(r.stdout, "No plans.") {
		t.Errorf("plan list: %v", r)
	}
	if r := e.run("", "plan", "rm", "1"); r.code != exitFailed || !strings.Contains(r.stderr, "there is no plan #1") {
		t.Errorf("plan rm: %v", r)
	}
	if r := e.run("", "plan", "pause", "--from", "2026-12-01", "--until", "2026-12-02"); r.code != exitFailed ||
		!strings.Contains(r.stderr, "no plans to pause") {
		t.Errorf("plan pause: %v", r)
	}
}

func planListJSON(t *testing.T, e *cliEnv) []map[string]any {
	t.Helper()
	r := e.mustRun("", "plan", "list", "--json")
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("plan list --json: %v\n%s", err, r.stdout)
	}
	return out
}

// The clock reads Wed 25 Nov 2026, 10:00 in Madrid: that day's 07:00
// class had started when the plan was made, so it is not an occurrence.
func TestPlanListJSONContract(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	r := e.mustRun("", "plan", "add", "--days", "mon,wed,fri", "--time", "07:00", "--class", " wód ", "--waitlist",
		"--fallback", "TEAM WOD@18:00", "--fallback", "Mobility@10:45", "--until", "2026-12-31")
	if !strings.Contains(r.stdout, "Plan #1: wód, Mon, Wed, Fri at 07:00 (test-box), waitlist accepted, "+
		"if full: TEAM WOD at 18:00, then Mobility at 10:45, until 2026-12-31.") ||
		!strings.Contains(r.stdout, "Next: Fri 27 Nov planned, Mon 30 Nov planned, Wed 2 Dec planned.") {
		t.Errorf("plan add: %v", r)
	}
	e.mustRun("", "plan", "add", "--days", "sat", "--time", "10:45", "--class", "MOBILITY", "--box", privateBox,
		"--from", "2026-12-05")
	e.mustRun("", "plan", "skip", "1", "--day", "2026-11-30")
	e.mustRun("", "plan", "pause", "1", "--from", "2026-12-04", "--until", "2026-12-07")

	// The runner's side, as it will write it: a prebooking for Fri 27 and
	// a booked record for Wed 2 Dec.
	a := e.open(e.clock.Now)
	ctx := t.Context()
	fri := e.classAt(testBox, testToday.AddDays(2), "07:00")
	pb, err := a.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: 501, ClassID: fri.ID, Day: testToday.AddDays(2),
		ClassName: "WOD", ClassStart: fri.Start, OpensAt: fri.Start.AddDate(0, 0, -4), PlanID: 1, PlanDay: testToday.AddDays(2)})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := a.store.OccurrenceRecord(ctx, 1, testToday.AddDays(7))
	rec.State, rec.ClassID, rec.ReservationID = session.OccBooked, 4242, 99
	if _, err := a.store.PutOccurrence(ctx, rec); err != nil {
		t.Fatal(err)
	}

	got := planListJSON(t, e)
	null := any(nil)
	occ := func(day, state string, class, pb, resv any) map[string]any {
		return map[string]any{"day": day, "state": state, "class_id": class, "prebooking_id": pb, "reservation_id": resv}
	}
	want := []map[string]any{
		{
			"id": 1.0, "box": testBox, "days": []any{"mon", "wed", "fri"}, "time": "07:00", "class": "wód",
			"waitlist": true, "fallback": []any{
				map[string]any{"class": "TEAM WOD", "time": "18:00"}, map[string]any{"class": "Mobility", "time": "10:45"},
			},
			"from": null, "until": "2026-12-31", "skips": []any{"2026-11-30"},
			"pauses": []any{map[string]any{"from": "2026-12-04", "until": "2026-12-07"}}, "family_id": null, "family": "",
			"occurrences": []any{
				occ("2026-11-27", "prebooked", float64(fri.ID), float64(pb.ID), null),
				occ("2026-11-30", "skipped", null, null, null),
				occ("2026-12-02", "booked", 4242.0, null, 99.0),
				occ("2026-12-04", "paused", null, null, null),
				occ("2026-12-07", "paused", null, null, null),
				occ("2026-12-09", "planned", null, null, null),
			},
		},
		{
			"id": 2.0, "box": privateBox, "days": []any{"sat"}, "time": "10:45", "class": "MOBILITY",
			"waitlist": false, "fallback": []any{}, "from": "2026-12-05", "until": null, "skips": []any{}, "pauses": []any{}, "family_id": null, "family": "",
			"occurrences": []any{occ("2026-12-05", "planned", null, null, null)},
		},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("plan list --json:\n%s\nwant:\n%s", g, w)
	}

	human := e.mustRun("", "plan", "list").stdout
	for _, line := range []string{
		"#1 wód, Mon, Wed, Fri at 07:00 (test-box), waitlist accepted",
		"  skipped: 2026-11-30",
		"  paused: 2026-12-04 – 2026-12-07",
		"Fri 27 Nov  07:00  prebooked",
		"Wed 2 Dec   07:00  booked",
		"#2 MOBILITY, Sat at 10:45 (private-box), from 2026-12-05",
	} {
		if !strings.Contains(human, line) {
			t.Errorf("plan list lacks %q:\n%s", line, human)
		}
	}

	// The same slot again (accents and case aside) is refused.
	r = e.run("", "plan", "add", "--days", "fri,sat", "--time", "07:00", "--class", "WOD")
	if r.code != exitFailed || !strings.Contains(r.stderr, "plan #1 already books wód at 07:00 on fri") {
		t.Errorf("duplicate plan: %v", r)
	}
	// Skipping a day that is not the plan's, or is past, fails in words.
	if r := e.run("", "plan", "skip", "1", "--day", "2026-12-01"); r.code != exitFailed || !strings.Contains(r.stderr, "is not a day of plan #1") {
		t.Errorf("skip a Tuesday: %v", r)
	}
	if r := e.run("", "plan", "skip", "1", "--day", "2026-11-23"); r.code != exitFailed || !strings.Contains(r.stderr, "already passed") {
		t.Errorf("skip a past day: %v", r)
	}
	if r := e.run("", "plan", "skip", "7", "--day", "2026-11-27"); r.code != exitFailed || !strings.Contains(r.stderr, "no plan #7") {
		t.Errorf("skip in a missing plan: %v", r)
	}
	// Skipping Fri 27 withdraws its prebooking.
	e.mustRun("", "plan", "skip", "1", "--day", "2026-11-27")
	if p, _ := a.store.Prebooking(ctx, pb.ID); p.Status != session.PrebookCancelled {
		t.Errorf("prebooking of a skipped day: %s", p.Status)
	}
	if r := e.mustRun("", "plan", "unskip", "1", "--day", "2026-11-30"); !strings.Contains(r.stdout, "books wód on 2026-11-30 again") {
		t.Errorf("unskip: %v", r)
	}
	if r := e.run("", "plan", "unskip", "1", "--day", "2026-11-30"); r.code != exitFailed || !strings.Contains(r.stderr, "is not skipped") {
		t.Errorf("unskip twice: %v", r)
	}
	if r := e.mustRun("", "plan", "resume"); !strings.Contains(r.stdout, "Resumed plan #1") || strings.Contains(r.stdout, "#2") {
		t.Errorf("resume: %v", r)
	}
	if r := e.mustRun("", "plan", "resume", "1"); !strings.Contains(r.stdout, "Nothing was paused") {
		t.Errorf("resume again: %v", r)
	}
	states := map[string]string{}
	for _, o := range planListJSON(t, e)[0]["occurrences"].([]any) {
		m := o.(map[string]any)
		states[m["day"].(string)] = m["state"].(string)
	}
	if states["2026-11-27"] != "skipped" || states["2026-11-30"] != "planned" || states["2026-12-04"] != "planned" {
		t.Errorf("after unskip and resume: %v", states)
	}
	if r := e.mustRun("", "plan", "rm", "1"); !strings.Contains(r.stdout, "Removed plan #1") {
		t.Errorf("rm: %v", r)
	}
	if list := planListJSON(t, e); len(list) != 1 || list[0]["id"] != 2.0 {
		t.Errorf("after rm: %v", list)
	}
	if r := e.run("", "plan", "rm", "1"); r.code != exitFailed {
		t.Errorf("rm twice: %v", r)
	}
	events, err := a.store.History(ctx, session.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[session.EventKind]bool{}
	for _, ev := range events {
		seen[ev.Kind] = true
	}
	for _, k := range []session.EventKind{session.EventPlanAdded, session.EventPlanSkipped, session.EventPlanUnskipped,
		session.EventPlanPaused, session.EventPlanResumed, session.EventPlanRemoved, session.EventPlanOccurrence} {
		if !seen[k] {
			t.Errorf("no %s in the history", k)
		}
	}
}

// With a known window, plan add says which occurrences are already open
// and that they are booked only with --now.
func TestPlanAddSaysWhatIsAlreadyOpen(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.mustRun("", "config", "box."+testBox+".window", "4d")
	r := e.mustRun("", "plan", "add", "--days", "fri", "--time", "07:00", "--class", "WOD")
	if !strings.Contains(r.stdout, "Booking is already open for Fri 27 Nov: not booked") || !strings.Contains(r.stdout, "--now") {
		t.Errorf("without --now: %v", r)
	}
	r = e.mustRun("", "plan", "add", "--days", "fri", "--time", "18:00", "--class", "TEAM WOD", "--now")
	if !strings.Contains(r.stdout, "Booking is already open for Fri 27 Nov: the runner books it at once") {
		t.Errorf("with --now: %v", r)
	}
	a := e.open(e.clock.Now)
	plans, err := a.store.Plans(t.Context(), session.PlanQuery{})
	if err != nil || len(plans) != 2 || plans[0].Now || !plans[1].Now {
		t.Errorf("--now not stored: %+v, %v", plans, err)
	}
}
