//go:build unix

package shellcmd

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// groupGone waits (generously: the init process reaps the orphans) until
// no process of group pgid is left, and fails the test if one stays.
func groupGone(t *testing.T, pgid int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
	}
	t.Errorf("process group %d still has processes", pgid)
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

func readPid(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the command did not start: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestRunTimeoutKillsTheSleepHoldingTheOutput: `sleep 5; echo pw` with a
// 1 s timeout. Killing only the shell would leave sleep holding stdout and
// Run waiting the whole 5 s; the process group is killed instead, so Run
// returns before the sleep would have ended and nothing of the group is
// left.
func TestRunTimeoutKillsTheSleepHoldingTheOutput(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	res, err := Run(t.Context(), "echo $$ > "+pidFile+"; sleep 5; echo pw",
		Options{Name: "password_command", Timeout: time.Second, CaptureOutput: true})
	took := time.Since(start)
	t.Logf("took %v", took)
	if !errors.Is(err, ErrTimedOut) {
		t.Fatalf("Run: %v, want ErrTimedOut", err)
	}
	if got, want := err.Error(), "password_command did not finish in time and was stopped (after 1s)"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if len(res.Stdout) != 0 {
		t.Errorf("stdout %q after a kill", res.Stdout)
	}
	// Generous: the bound is the sleep itself, not the timeout.
	if took >= 5*time.Second {
		t.Errorf("Run returned after %v: it waited for the sleep", took)
	}
	groupGone(t, readPid(t, pidFile))
}

// TestRunStopKillsAGrandchild: a background child of the shell holding
// the pipe dies with the group when the caller stops the run; it never
// gets to do what it was going to do after its sleep.
func TestRunStopKillsAGrandchild(t *testing.T) {
	dir := t.TempDir()
	pidFile, marker := filepath.Join(dir, "pid"), filepath.Join(dir, "marker")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, "echo $$ > "+pidFile+"; (sleep 60; touch "+marker+") & wait",
			Options{Name: "notify_command", CaptureOutput: true})
		done <- err
	}()
	for i := 0; ; i++ {
		// The shell creates the file before it writes the pid: wait for
		// the whole line.
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			break
		}
		if i > 3000 {
			t.Fatal("the command did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Fatalf("Run: %v, want ErrStopped", err)
	}
	groupGone(t, readPid(t, pidFile))
	if _, err := os.Stat(marker); err == nil {
		t.Error("the grandchild outlived the run")
	}
}

// TestRunWaitDelayBoundsAnEscapedGrandchild: a grandchild out of the
// group's reach (its own session) holds stdout after the command ended;
// Run gives up on the output after WaitDelay instead of waiting for it.
func TestRunWaitDelayBoundsAnEscapedGrandchild(t *testing.T) {
	setsid, err := exec.LookPath("setsid")
	if err != nil {
		t.Fatalf("setsid is needed for this test: %v", err)
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	_, err = Run(t.Context(), setsid+" sh -c 'echo $$ > "+pidFile+"; exec sleep 60' & while [ ! -s "+pidFile+" ]; do sleep 0.05; done; echo pw",
		Options{Name: "password_command", CaptureOutput: true, WaitDelay: 100 * time.Millisecond})
	took := time.Since(start)
	if pid := readPid(t, pidFile); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if !errors.Is(err, ErrLeftRunning) {
		t.Fatalf("Run: %v, want ErrLeftRunning", err)
	}
	if strings.Contains(err.Error(), "pw") {
		t.Errorf("error %q holds the output", err)
	}
	if took >= 60*time.Second {
		t.Errorf("Run returned after %v: it waited for the grandchild", took)
	}
}
