package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

var keptRunning = regexp.MustCompile(`ahtui run \(pid (\d+)\) now fires your 1 pending prebooking`)

// TestQuitKeepsRunningInTheBackground: the TUI in a real terminal leads
// and has a pending prebooking. On q it offers to keep running in the
// background; b starts `ahtui run` detached (the test binary plays ahtui,
// and starts itself), the TUI exits saying so, and the background runner
// leads: the prebooking is not left unrun. It stops on SIGTERM.
func TestQuitKeepsRunningInTheBackground(t *testing.T) {
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
	// A class five days ahead: its booking opens in a day or more.
	day := aimharder.DateOf(time.Now().In(madridLocation(t))).AddDays(5)
	c := e.classAt(testBox, day, "18:00")
	if r := ahtui("prebook", "add", strconv.FormatInt(c.ID, 10), "--day", day.String()); r.code != exitOK {
		t.Fatalf("prebook add: %v", r)
	}

	// Whatever happens below, no detached runner outlives the test: the
	// runner named by the lease is stopped (it is never this process).
	t.Cleanup(func() {
		var st struct {
			Runner *runnerJSON `json:"runner"`
		}
		if r := ahtui("status", "--json"); json.Unmarshal([]byte(r.stdout), &st) == nil &&
			st.Runner != nil && st.Runner.PID > 0 && st.Runner.PID != os.Getpid() {
			_ = syscall.Kill(st.Runner.PID, syscall.SIGKILL)
		}
	})

	state := os.Getenv("XDG_STATE_HOME") // newLiveEnv's
	tt := startInTmux(t, 160, 48, map[string]string{asAhtuiEnv: "1", "XDG_STATE_HOME": state},
		"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal, "--box-url", e.urls.BoxTemplate)
	tt.waitForText(30*time.Second, "⚑ TEAM WOD")
	tt.keys("S") // who fires is in the status view
	tt.waitForText(30*time.Second, "firing here")
	tt.keys("S") // and S closes it
	tt.keys("q")
	// The quit dialog first asks the database who else runs: on a loaded
	// machine that can take a while.
	tt.waitForText(30*time.Second, "keep running in the background", "quit anyway", "stay")
	tt.keys("b")
	s := tt.waitForOutput("the TUI to hand over", 30*time.Second, func(s string) bool { return keptRunning.MatchString(s) })
	pid, _ := strconv.Atoi(keptRunning.FindStringSubmatch(s)[1])
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) }) // should the test fail before stopping it
	if pid == 0 || !alive(pid) {
		t.Fatalf("the background runner (pid %d) is not running:\n%s", pid, s)
	}

	// It leads (the TUI gave the lease back), and says so in its log.
	var st struct {
		Runner *runnerJSON `json:"runner"`
	}
	if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil || st.Runner == nil ||
		st.Runner.PID != pid || !strings.HasPrefix(st.Runner.Owner, "run@") {
		t.Fatalf("the runner after the hand-over: %v %+v, want `ahtui run` pid %d", err, st.Runner, pid)
	}
	logPath := filepath.Join(state, "ahtui", runLogName)
	waitUntil(t, "the background runner's log", func() bool {
		log, _ := os.ReadFile(logPath)
		return strings.Contains(string(log), "ahtui run (pid "+strconv.Itoa(pid)+")") &&
			strings.Contains(string(log), "runner leader")
	})
	if !strings.Contains(s, logPath) {
		t.Errorf("the TUI did not say where the log is:\n%s", s)
	}

	// It is a runner like any other: SIGTERM stops it and frees the lease.
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the background runner to stop", func() bool { return !alive(pid) })
	if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil || st.Runner != nil {
		t.Errorf("runner lease after SIGTERM: %v %+v", err, st.Runner)
	}
	var pbs []prebookingJSON
	if err := json.Unmarshal([]byte(ahtui("prebook", "list", "--json").stdout), &pbs); err != nil || len(pbs) != 1 || pbs[0].Status != "pending" {
		t.Errorf("the prebooking after the hand-over: %v %+v", err, pbs)
	}
}

// alive reports whether pid runs: it exists and is not a zombie (the
// background runner's parent is gone, and whoever adopted it may not reap
// it at once).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil // no /proc: a zombie counts as alive
	}
	// pid (comm) STATE …; comm may hold spaces and parentheses.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	fields := strings.Fields(rest)
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
