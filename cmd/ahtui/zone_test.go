package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// canaryWorld is the test world with its sharing box in Las Palmas: the
// fake keeps its times in Atlantic/Canary and says so only through the
// address of its class list; its name says nothing.
func canaryWorld() aimhardertest.World {
	w := testWorld()
	w.Boxes[0].Timezone = "Atlantic/Canary"
	w.Boxes[0].Address = "Calle Triana 20, 35002 Las Palmas de Gran Canaria"
	return w
}

// A member of a Canary box with nothing configured: the login places the
// box from its address, `boxes` says so, the prebooking opens at 18:00
// Canary time (an hour later than Madrid arithmetic), and `ahtui run`
// books it at that instant, not an hour early.
func TestCanaryBoxWithNothingConfiguredFiresOnTime(t *testing.T) {
	e, clock, ahtui := newLiveEnv(t, canaryWorld(), 0)
	canary, err := time.LoadLocation("Atlantic/Canary")
	if err != nil {
		t.Fatal(err)
	}
	day := testToday.AddDays(4)
	opening := day.At(18, 0, canary).AddDate(0, 0, -4) // 4d rule, the 18:00 class
	if madrid := day.At(18, 0, madridLocation(t)).AddDate(0, 0, -4); opening.Sub(madrid) != time.Hour {
		t.Fatalf("test setup: Canary opening %v, Madrid arithmetic %v", opening, madrid)
	}
	clock.set(opening.Add(-6 * time.Second))
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
		{"config", "box." + testBox + ".window", "4d"},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}

	r := ahtui("boxes", "--json")
	var boxes []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &boxes); err != nil || len(boxes) != 2 {
		t.Fatalf("boxes --json: %v\n%v", err, r)
	}
	for _, b := range boxes {
		for _, key := range []string{"id", "subdomain", "name", "timezone", "timezone_source", "window", "window_source", "current"} {
			if _, ok := b[key]; !ok {
				t.Errorf("boxes --json: a box without %q: %v", key, b)
			}
		}
	}
	if b := boxes[0]; b["subdomain"] != testBox || b["timezone"] != "Atlantic/Canary" || b["timezone_source"] != "detected" {
		t.Errorf("the Canary box: %v", b)
	}
	// The other box gives no address and its name says nothing: a guess.
	if b := boxes[1]; b["subdomain"] != privateBox || b["timezone"] != "Europe/Madrid" || b["timezone_source"] != "default" {
		t.Errorf("the other box: %v", b)
	}
	text := ahtui("boxes").stdout
	for _, want := range []string{"Atlantic/Canary (detected: 35002)", "Europe/Madrid (a guess)",
		"`ahtui config box." + privateBox + ".timezone Atlantic/Canary`"} {
		if !strings.Contains(text, want) {
			t.Errorf("boxes lacks %q:\n%s", want, text)
		}
	}
	var st struct {
		Box *boxJSON `json:"box"`
	}
	if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil || st.Box == nil || st.Box.TimezoneSource != "detected" {
		t.Errorf("status --json box: %+v %v", st.Box, err)
	}

	c := e.classAt(testBox, day, "18:00")
	if r := ahtui("prebook", "add", strconv.FormatInt(c.ID, 10), "--day", day.String()); r.code != exitOK {
		t.Fatalf("prebook add: %v", r)
	}
	var pbs []prebookingJSON
	if err := json.Unmarshal([]byte(ahtui("prebook", "list", "--json").stdout), &pbs); err != nil || len(pbs) != 1 || pbs[0].OpensAt == nil {
		t.Fatalf("prebook list: %v %+v", err, pbs)
	}
	if got, err := time.Parse(time.RFC3339, *pbs[0].OpensAt); err != nil || !got.Equal(opening) {
		t.Errorf("opening %s (%v), want %v: 18:00 Canary four days before", *pbs[0].OpensAt, err, opening)
	}
	if got, err := time.Parse(time.RFC3339, pbs[0].StartsAt); err != nil || !got.Equal(day.At(18, 0, canary)) {
		t.Errorf("class start %s (%v)", pbs[0].StartsAt, err)
	}

	log := e.runUntilBooked(t, clock.Now)
	var first time.Time
	for _, q := range e.fake.Requests() {
		if q.Endpoint != aimhardertest.EndpointBook {
			continue
		}
		// A zone error is an hour early; the staggered attempts cover the
		// clock estimate's error, which a loaded machine widens to a few
		// hundred ms ("too early" answers, harmless). Timing is the
		// precision benchmark's business.
		if q.Arrived.Before(opening.Add(-500 * time.Millisecond)) {
			t.Errorf("a booking request arrived %v before the opening", opening.Sub(q.Arrived))
		}
		if q.Code == "bookState=1" && first.IsZero() {
			first = q.Arrived
		}
	}
	if late := first.Sub(opening); first.IsZero() || late < 0 || late > 3*time.Second {
		t.Errorf("booking accepted %v after the opening", late)
	}
	if err := json.Unmarshal([]byte(ahtui("prebook", "list", "--json").stdout), &pbs); err != nil || len(pbs) != 1 ||
		pbs[0].Status != "booked" || pbs[0].Late {
		t.Errorf("prebook list after the run: %v %+v\n%s", err, pbs, log)
	}
}
