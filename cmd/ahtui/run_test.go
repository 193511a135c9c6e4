package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// shiftedClock is the real clock showing another time: real waits, with
// the opening of a class a few seconds away.
type shiftedClock struct{ shift atomic.Int64 }

func (c *shiftedClock) Now() time.Time  { return time.Now().Add(time.Duration(c.shift.Load())) }
func (c *shiftedClock) set(t time.Time) { c.shift.Store(int64(time.Until(t))) }

// liveEnv is cliEnv on a running clock.
func newLiveEnv(t *testing.T, w aimhardertest.World, offset time.Duration, opts ...aimhardertest.Option) (*cliEnv, *shiftedClock, func(args ...string) result) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("AHTUI_DB", "")
	clock := &shiftedClock{}
	fake, urls := aimhardertest.Start(t, w, append([]aimhardertest.Option{aimhardertest.WithClock(clock),
		aimhardertest.WithClockOffset(offset)}, opts...)...)
	e := &cliEnv{t: t, fake: fake, urls: urls, db: filepath.Join(t.TempDir(), "ahtui.db")}
	runLive := func(args ...string) result {
		full := append([]string{"--db", e.db, "--login-url", urls.Login, "--portal-url", urls.Portal, "--box-url", urls.BoxTemplate}, args...)
		var out, errOut bytes.Buffer
		stdin := ""
		if len(args) > 0 && args[0] == "login" {
			stdin = testPassword + "\n"
		}
		code := runAt(context.Background(), clock.Now, full, strings.NewReader(stdin), &out, &errOut)
		return result{out.String(), errOut.String(), code}
	}
	return e, clock, runLive
}

// runUntilBooked runs `ahtui run` on the env's database and the given
// clock until it logs a booking, stops it and returns its log.
func (e *cliEnv) runUntilBooked(t *testing.T, now func() time.Time) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		args := []string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal, "--box-url", e.urls.BoxTemplate, "run"}
		done <- runAt(ctx, now, args, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	waitUntil(t, "the outcome line", func() bool { return strings.Contains(stderr.String(), ": booked") })
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("run exited %d\n%s", code, stderr.String())
	}
	return stderr.String()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// `ahtui run` end to end against the fake, on a running clock: the fake's
// clock runs 700 ms ahead; the prebooking opens 4 s after the runner
// starts. The runner measures the offset, books the class on the server's
// instant, logs each step on stderr, stores the estimate for `status`, and
// stops cleanly when its context ends.
func TestRunFiresAPrebookingEndToEnd(t *testing.T) {
	const offset = 700 * time.Millisecond
	e, clock, ahtui := newLiveEnv(t, testWorld(), offset)
	day := testToday.AddDays(4)
	opening := day.At(18, 0, madridLocation(t)).AddDate(0, 0, -4) // 4d rule, the 18:00 class
	clock.set(opening.Add(-offset - 6*time.Second))
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
		{"config", "box." + testBox + ".window", "4d"},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}
	c := e.classAt(testBox, day, "18:00")
	if r := ahtui("prebook", "add", strconv.FormatInt(c.ID, 10), "--day", day.String()); r.code != exitOK {
		t.Fatalf("prebook add: %v", r)
	}

	log := e.runUntilBooked(t, clock.Now)
	t.Logf("run's log:\n%s", log)
	for _, want := range []string{"ahtui run (pid", "1 pending prebooking\n", "runner leader", "armed, fires at Wed 25 Nov 18:00:00",
		"AimHarder clock: +", "ready, firing at the opening", "TEAM WOD Sun 29 Nov 18:00: booked (reservation", "stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("run's log lacks %q:\n%s", want, log)
		}
	}

	var first time.Time
	for _, q := range e.fake.Requests() {
		if q.Endpoint != aimhardertest.EndpointBook {
			continue
		}
		// Aiming by our own clock, or with the offset's sign wrong, would
		// be 700 ms or 1.4 s off; the staggered attempts cover the clock
		// estimate's error, which a loaded machine widens to a few hundred
		// ms ("too early" answers, harmless).
		if q.Arrived.Before(opening.Add(-500 * time.Millisecond)) {
			t.Errorf("a booking request arrived %v before the opening", opening.Sub(q.Arrived))
		}
		if (q.Code == "bookState=1") && first.IsZero() {
			first = q.Arrived
		}
	}
	// Timing is a benchmark's business; here only that it is inside the burst.
	if late := first.Sub(opening); first.IsZero() || late < 0 || late > 3*time.Second {
		t.Errorf("booking accepted %v after the opening", late)
	}

	list := ahtui("prebook", "list", "--json")
	var pbs []prebookingJSON
	if err := json.Unmarshal([]byte(list.stdout), &pbs); err != nil || len(pbs) != 1 || pbs[0].Status != "booked" || pbs[0].Late {
		t.Errorf("prebook list after the run: %v %+v", err, pbs)
	}
	var st struct {
		Runner *runnerJSON `json:"runner"`
		Clock  *clockJSON  `json:"clock"`
	}
	if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Runner != nil {
		t.Errorf("a runner is still listed after it stopped: %+v", st.Runner)
	}
	if st.Clock == nil || absMS(st.Clock.OffsetMS-offset.Milliseconds()) > st.Clock.ErrorMS+1 {
		t.Errorf("stored clock estimate %+v, the fake runs %v ahead", st.Clock, offset)
	}
}

func absMS(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func madridLocation(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// `ahtui run` as its own process, stopped with SIGTERM while a prebooking
// is armed: it exits 0, gives the prebooking back to pending (the next
// runner fires it) and releases the runner lease.
func TestRunStopsCleanlyOnSIGTERM(t *testing.T) {
	loc := madridLocation(t)
	// A class whose window (4 days before) opens about a minute from now.
	start := time.Now().In(loc).Add(4*24*time.Hour + 30*time.Second).Truncate(time.Minute).Add(time.Minute)
	// A class ends the day it starts: near midnight it is shorter.
	minutes := min(30, 24*60-(start.Hour()*60+start.Minute()))
	w := testWorld()
	w.Boxes[0].Extra = []aimhardertest.ExtraClass{{Date: aimharder.DateOf(start),
		ClassTemplate: aimhardertest.ClassTemplate{Start: start.Format("15:04"), Minutes: minutes, Name: "SPRINT", Capacity: 8}}}
	e, clock, ahtui := newLiveEnv(t, w, 0)
	clock.set(time.Now())
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
		{"config", "box." + testBox + ".window", "4d"},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}
	c := e.classAt(testBox, aimharder.DateOf(start), start.Format("15:04"))
	if r := ahtui("prebook", "add", strconv.FormatInt(c.ID, 10), "--day", aimharder.DateOf(start).String()); r.code != exitOK {
		t.Fatalf("prebook add: %v", r)
	}

	args, _ := json.Marshal([]string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal,
		"--box-url", e.urls.BoxTemplate, "run"})
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(args))
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waitUntil(t, "the prebooking to be armed", func() bool { return strings.Contains(stderr.String(), "armed") })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("run exited with %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("run did not stop on SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no stop line:\n%s", stderr.String())
	}

	var pbs []prebookingJSON
	if err := json.Unmarshal([]byte(ahtui("prebook", "list", "--json").stdout), &pbs); err != nil || len(pbs) != 1 || pbs[0].Status != "pending" {
		t.Errorf("after SIGTERM the prebooking should be pending again: %v %+v", err, pbs)
	}
	var st struct {
		Runner *runnerJSON `json:"runner"`
	}
	if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil || st.Runner != nil {
		t.Errorf("runner lease after SIGTERM: %v %+v", err, st.Runner)
	}
	for _, q := range e.fake.Requests() {
		if q.Endpoint == aimhardertest.EndpointBook {
			t.Errorf("a booking was sent before the opening: %v", q)
		}
	}
}
