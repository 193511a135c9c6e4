package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// runLogName is the file a background `ahtui run` writes its lines to, in
// the state folder beside ahtui.log (which has its structured log).
const runLogName = "run.log"

// handoverWait bounds how long the TUI waits for the background runner to
// take the prebookings over before saying it has not.
const handoverWait = 20 * time.Second

// handoff starts `ahtui run` in the background when a TUI that fires
// prebookings quits, so they are not left unrun.
type handoff struct {
	exe     string   // this binary
	args    []string // the same database and endpoints, then "run"
	logPath string
	store   *session.Store
	now     func() time.Time
}

// newHandoff prepares the command line for dbPath with g's endpoints.
func newHandoff(g *globalOptions, dbPath string, store *session.Store) (*handoff, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if dbPath, err = filepath.Abs(dbPath); err != nil {
		return nil, err
	}
	dir, err := stateDir()
	if err != nil {
		return nil, err
	}
	args := []string{"--db", dbPath, "--login-url", g.loginURL, "--portal-url", g.portalURL, "--box-url", g.boxURL}
	if g.debug {
		args = append(args, "--debug")
	}
	return &handoff{exe: exe, args: append(args, "run"), logPath: filepath.Join(dir, runLogName), store: store, now: g.now}, nil
}

// start runs `ahtui run` detached — its own session (setsid), so closing
// the terminal does not stop it; no terminal input; its lines appended to
// the run log — and waits until it leads: this process's runner has
// already given the lease back. It tells the member on w what happened.
func (h *handoff) start(ctx context.Context, w io.Writer, pending int) error {
	if err := os.MkdirAll(filepath.Dir(h.logPath), 0o700); err != nil {
		return h.failed(w, pending, err)
	}
	logFile, err := os.OpenFile(h.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return h.failed(w, pending, err)
	}
	cmd := exec.Command(h.exe, h.args...)
	cmd.Stdin = nil // /dev/null
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	logFile.Close() // the child has its own
	if err != nil {
		return h.failed(w, pending, err)
	}
	pid := cmd.Process.Pid
	// Reaps the child should it stop while this process still runs; once
	// this process exits, the child lives on (reparented) and this
	// goroutine ends with it.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(handoverWait)
	for {
		lease, err := h.store.CurrentRunnerLease(context.WithoutCancel(ctx), scheduler.RunnerLeaseName)
		if err == nil && lease.Live(h.now()) {
			if lease.PID == pid {
				fmt.Fprintf(w, "ahtui run (pid %d) now fires your %s in the background.\n"+
					"Its log: %s — stop it with `kill %d`; `ahtui status` shows the runner.\n", pid, pendingWords(pending), h.logPath, pid)
				return nil
			}
			if lease.PID != os.Getpid() {
				fmt.Fprintf(w, "Your %s %s fired by pid %d on %s; ahtui run (pid %d) stands by in the background.\n"+
					"Its log: %s\n", pendingWords(pending), plural(pending, "is", "are"), lease.PID, lease.Host, pid, h.logPath)
				return nil
			}
		}
		select {
		case err := <-exited:
			return h.failed(w, pending, fmt.Errorf("it stopped at once (%v); see %s", exitStatus(err), h.logPath))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(w, "ahtui run (pid %d) started in the background but has not taken the prebookings over yet; see %s and `ahtui status`.\n",
				pid, h.logPath)
			return fmt.Errorf("the background runner did not take over in %s", handoverWait)
		}
	}
}

// failed says plainly that the prebookings will not fire.
func (h *handoff) failed(w io.Writer, pending int, err error) error {
	fmt.Fprintf(w, "Could not keep running in the background: %v.\n"+
		"Your %s will NOT fire until ahtui runs again (`ahtui run`, `ahtui serve` or `ahtui`).\n",
		err, pendingWords(pending))
	return fmt.Errorf("background runner: %w", err)
}

func exitStatus(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// pendingWords: "1 pending prebooking", "3 pending prebookings".
func pendingWords(n int) string { return outcome.Count(n, "pending prebooking", "pending prebookings") }
