package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// boxTimeChildEnv makes TestCLITimesInBoxTime check, in a child process
// whose TZ is the variable's value, instead of starting the children.
const boxTimeChildEnv = "AHTUI_TEST_BOXTIME_TZ"

// TestCLITimesInBoxTime runs the commands in processes whose local zone
// is New York and UTC (a Raspberry Pi, a container): every time they
// print, text and JSON, is the box's (Madrid, +01:00 in November). The
// zone is the process's own (TZ), so it runs the test binary again.
func TestCLITimesInBoxTime(t *testing.T) {
	if zone := os.Getenv(boxTimeChildEnv); zone != "" {
		checkCLIBoxTime(t, zone)
		return
	}
	for _, zone := range []string{"America/New_York", "UTC"} {
		t.Run(zone, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCLITimesInBoxTime$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "TZ="+zone, boxTimeChildEnv+"="+zone)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("under TZ=%s: %v\n%s", zone, err, out)
			}
			if !strings.Contains(string(out), "box time checked under "+zone) {
				t.Fatalf("the child did not check:\n%s", out)
			}
		})
	}
}

func checkCLIBoxTime(t *testing.T, zone string) {
	_, offset := testNow.Local().Zone()
	if want := map[string]int{"America/New_York": -5 * 3600, "UTC": 0}[zone]; offset != want {
		t.Fatalf("TZ=%s: the process's zone is %d s from UTC, want %d", zone, offset, want)
	}
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(5) // Mon 30 Nov: opens Thu 26 Nov 18:00 (4d)
	const startsAt, opensAt = "2026-11-30T18:00:00+01:00", "2026-11-26T18:00:00+01:00"

	// classes --json, from AimHarder and from the store's copy.
	for range 2 {
		c := findByStart(t, classJSONOut(t, e.mustRun("", "classes", "--day", day.String(), "--json")), day.String(), "18:00")
		if c["starts_at"] != startsAt {
			t.Errorf("classes --json starts_at %v, want %s", c["starts_at"], startsAt)
		}
		// The window is learned by the prebooking below: unknown the first time.
		if o, ok := c["opens_at"].(string); ok && o != opensAt {
			t.Errorf("classes --json opens_at %v, want %s", o, opensAt)
		}
	}
	if r := e.mustRun("", "classes", "--day", day.String()); !strings.Contains(r.stdout, "18:00-19:00") {
		t.Errorf("classes: no 18:00-19:00 class:\n%s", r.stdout)
	}

	evening := e.classAt(testBox, day, "18:00")
	r := e.mustRun("", "prebook", "add", strconv.FormatInt(evening.ID, 10), "--day", day.String())
	if !strings.Contains(r.stdout, "on 2026-11-30 at 18:00") || !strings.Contains(r.stdout, "Booking opens Thu 26 Nov 18:00") {
		t.Errorf("prebook add: %v", r)
	}
	c := findByStart(t, classJSONOut(t, e.mustRun("", "classes", "--day", day.String(), "--json")), day.String(), "18:00")
	if c["opens_at"] != opensAt {
		t.Errorf("classes --json opens_at %v, want %s", c["opens_at"], opensAt)
	}

	list := e.prebookings()
	if len(list) != 1 || list[0].StartsAt != startsAt || list[0].OpensAt == nil || *list[0].OpensAt != opensAt {
		t.Fatalf("prebook list --json: %+v", list)
	}
	if r := e.mustRun("", "prebook", "list"); !strings.Contains(r.stdout, "18:00") || !strings.Contains(r.stdout, "Thu 26 Nov 18:00") {
		t.Errorf("prebook list:\n%s", r.stdout)
	}

	var st statusJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if p := st.NextPrebooking; p == nil || p.StartsAt != startsAt || p.OpensAt == nil || *p.OpensAt != opensAt {
		t.Errorf("status --json next_prebooking: %+v", st.NextPrebooking)
	}
	if len(st.Sessions) == 0 {
		t.Fatal("status --json: no sessions")
	}
	for _, s := range st.Sessions {
		if !strings.HasSuffix(s.CreatedAt, "+01:00") || !strings.HasSuffix(s.TokenUpdatedAt, "+01:00") {
			t.Errorf("status --json session times not in the box's zone: %+v", s)
		}
	}
	if r := e.mustRun("", "status"); !strings.Contains(r.stdout, "opens Thu 26 Nov 18:00") {
		t.Errorf("status:\n%s", r.stdout)
	}

	if r := e.mustRun("", "prebook", "rm", "1"); !strings.Contains(r.stdout, "on 2026-11-30 at 18:00.") {
		t.Errorf("prebook rm: %v", r)
	}

	// `ahtui run` and `ahtui serve` date their lines in the current box's zone.
	a := e.open(e.clock.Now)
	if got, want := a.stamper(context.Background())(testNow), testNow.In(time.FixedZone("CET", 3600)).Format(stampLayout); got != want {
		t.Errorf("log stamp %q, want %q", got, want)
	}
	t.Logf("box time checked under %s", zone)
}
