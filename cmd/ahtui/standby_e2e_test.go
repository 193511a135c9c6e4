package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// TestQuitNamesTheStandbyRun: the TUI in a real terminal leads with a
// pending prebooking while `ahtui run` stands by on the same database. On
// q the dialog says that this `ahtui run` (its host and pid) will fire the
// prebooking — not that nothing will — and offers no hand-over; y quits,
// the run takes the lead, and status lists it alone. Stopped by SIGTERM,
// it leaves no runner recorded.
func TestQuitNamesTheStandbyRun(t *testing.T) {
	e, clock, ahtui := newLiveEnv(t, testWorld(), 0)
	clock.set(time.Now()) // the TUI reads the real clock
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
		{"config", "box." + testBox + ".window", "4d"},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}
	day := aimharder.DateOf(time.Now().In(madridLocation(t))).AddDays(5)
	c := e.classAt(testBox, day, "18:00")
	if r := ahtui("prebook", "add", strconv.FormatInt(c.ID, 10), "--day", day.String()); r.code != exitOK {
		t.Fatalf("prebook add: %v", r)
	}
	status := func() statusJSON {
		t.Helper()
		var st statusJSON
		if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	global := []string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal, "--box-url", e.urls.BoxTemplate}
	state := os.Getenv("XDG_STATE_HOME") // newLiveEnv's

	tt := startInTmux(t, 120, 40, map[string]string{asAhtuiEnv: "1", "XDG_STATE_HOME": state}, global...)
	tt.waitForText(30*time.Second, "⚑ TEAM WOD")
	waitUntil(t, "the TUI to lead", func() bool {
		st := status()
		return st.Runner != nil && strings.HasPrefix(st.Runner.Owner, "tui@")
	})

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command(exe, append(global, "run")...)
	run.Env = append(os.Environ(), asAhtuiEnv+"=1")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() {
		_ = run.Process.Kill()
		<-exited
	})
	pid := run.Process.Pid
	waitUntil(t, "ahtui run to stand by", func() bool {
		st := status()
		return len(st.Runners) == 2 && st.Runners[1].PID == pid && st.Runners[1].Kind == "run" && !st.Runners[1].Leader
	})

	tt.keys("q")
	screen := tt.waitForText(10*time.Second, "will fire your 1 pending", "(pid "+strconv.Itoa(pid)+")")
	if !strings.Contains(screen, "ahtui run on ") || strings.Contains(screen, "Nothing will fire") ||
		strings.Contains(screen, "keep running in the background") {
		t.Fatalf("the quit dialog does not name the standby run:\n%s", screen)
	}
	tt.keys("y")
	waitUntil(t, "ahtui run to lead", func() bool {
		st := status()
		return st.Runner != nil && st.Runner.PID == pid && len(st.Runners) == 1 && st.Runners[0].Leader
	})

	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(2 * time.Minute): // a hang detector, not a bound
		t.Fatal("ahtui run did not stop on SIGTERM")
	}
	exited <- nil // for the cleanup
	if st := status(); st.Runner != nil || len(st.Runners) != 0 {
		t.Errorf("after ahtui run stopped: runner %+v, runners %+v; want none", st.Runner, st.Runners)
	}
}
