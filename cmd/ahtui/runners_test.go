package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
)

// TestStatusListsRunners: status names every live runner on the database —
// the one that fires and the ones standing by — and leaves out a record
// whose runner stopped heartbeating (a crash).
func TestStatusListsRunners(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	a := e.open(e.clock.Now)
	ctx := t.Context()
	tui, run, crashed := session.NewOwner("tui"), session.NewOwner("run"), session.NewOwner("serve")
	if _, err := a.store.RegisterRunner(ctx, crashed, time.Second); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Second)
	for _, o := range []string{tui, run} {
		if _, err := a.store.RegisterRunner(ctx, o, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.store.AcquireRunnerLease(ctx, scheduler.RunnerLeaseName, run, time.Hour); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()

	text := e.mustRun("", "status").stdout
	want := fmt.Sprintf("ahtui on %s (pid %d) · takes over if the runner stops", host, os.Getpid())
	if !strings.Contains(text, fmt.Sprintf("ahtui run, pid %d on %s", os.Getpid(), host)) {
		t.Errorf("status does not name the leading run:\n%s", text)
	}
	if !strings.Contains(text, "Standby") || !strings.Contains(text, want) || strings.Contains(text, "ahtui serve") {
		t.Errorf("status lacks the standby TUI (or shows the crashed serve):\n%s", text)
	}
	var st statusJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Runners) != 2 || !st.Runners[0].Leader || st.Runners[0].Program != "ahtui run" ||
		st.Runners[1].Leader || st.Runners[1].Kind != "tui" || st.Runners[1].PID != os.Getpid() || st.Runners[1].Host != host {
		t.Errorf("status --json runners %+v; want the leading run, then the standby tui", st.Runners)
	}
}
