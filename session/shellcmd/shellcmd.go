// Package shellcmd runs a member's shell command (password_command,
// notify_command): through the platform's shell, in a process group of its
// own that is killed as a whole on timeout or cancel, with a bounded wait
// for its output once it ended (a child it left behind may hold the pipe
// open), bounded captured output, and errors in a member's words that never
// hold what the command printed (it may be a password).
package shellcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Defaults.
const (
	// DefaultWaitDelay bounds the wait for the command's output after it
	// ended or was killed.
	DefaultWaitDelay = 2 * time.Second
	// DefaultMaxOutput bounds the standard output kept; more is an error.
	DefaultMaxOutput = 64 << 10
	// stderrTail: the bytes of error output kept (the end of it).
	stderrTail = 2048
)

// Errors a run can end with, beside an *ExitError; test with errors.Is.
var (
	// ErrTimedOut: the command ran past Options.Timeout and was killed.
	ErrTimedOut = errors.New("did not finish in time and was stopped")
	// ErrStopped: the caller's context ended first (ahtui is stopping).
	ErrStopped = errors.New("was stopped: ahtui is stopping")
	// ErrLeftRunning: the command ended but something it started kept its
	// output open past the wait delay.
	ErrLeftRunning = errors.New("finished but left a process running that kept its output open")
	// ErrTooMuchOutput: it printed more than Options.MaxOutput bytes.
	ErrTooMuchOutput = errors.New("printed far more than expected")
)

// Options tunes one run. The zero value runs the command with the
// caller's context as its only bound, stdin empty and stdout discarded.
type Options struct {
	// Name says which command this is in errors ("password_command").
	Name string
	// Timeout bounds the run (0: only ctx does).
	Timeout time.Duration
	// WaitDelay bounds the wait for output once the command ended or was
	// killed (0: DefaultWaitDelay).
	WaitDelay time.Duration
	// Env is added to the process's environment.
	Env []string
	// Stdin feeds the command; nil: empty.
	Stdin io.Reader
	// CaptureOutput keeps the standard output (up to MaxOutput bytes);
	// otherwise it is discarded.
	CaptureOutput bool
	// MaxOutput bounds the standard output kept (0: DefaultMaxOutput).
	MaxOutput int
}

// Result is what a run left: its standard output when captured, and the
// last line of its error output. Neither ever appears in an error of this
// package; a caller that logs Stderr must scrub it first, and must never
// log Stdout when it may be a secret.
type Result struct {
	Stdout []byte
	Stderr string
}

// ExitError: the command ran and exited with a failure status. Its text
// is the status only ("exit status 3"), never the command's output.
type ExitError struct {
	Name   string
	Status string
}

func (e *ExitError) Error() string { return e.Name + " failed: " + e.Status }

// Run runs command through the platform's shell (/bin/sh -c on Unix) and
// waits for it, within opt.Timeout and ctx. On timeout or when ctx ends,
// its whole process group is killed (Unix; elsewhere the shell only), and
// Run returns at most opt.WaitDelay later even if a process it started
// still holds its output. Errors name the command (opt.Name) and say what
// happened; they wrap ErrTimedOut, ErrStopped, ErrLeftRunning,
// ErrTooMuchOutput, or are an *ExitError, or say why it could not start.
func Run(ctx context.Context, command string, opt Options) (Result, error) {
	name := opt.Name
	if name == "" {
		name = "the command"
	}
	if opt.WaitDelay <= 0 {
		opt.WaitDelay = DefaultWaitDelay
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = DefaultMaxOutput
	}
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if opt.Timeout > 0 {
		runCtx, cancel = context.WithTimeout(ctx, opt.Timeout)
	}
	defer cancel()

	cmd := shellCommand(runCtx, command)
	if len(opt.Env) > 0 {
		cmd.Env = append(os.Environ(), opt.Env...)
	}
	cmd.Stdin = opt.Stdin
	var stdout *headBuffer
	if opt.CaptureOutput {
		stdout = &headBuffer{max: opt.MaxOutput}
		cmd.Stdout = stdout
	}
	stderr := &tailBuffer{max: stderrTail}
	cmd.Stderr = stderr
	cmd.WaitDelay = opt.WaitDelay
	ownProcessGroup(cmd)

	err := cmd.Run()
	res := Result{Stderr: stderr.lastLine()}
	if stdout != nil {
		res.Stdout = stdout.bytes()
	}
	switch {
	case ctx.Err() != nil:
		// Checked first: the caller's end explains a kill, whatever the
		// timeout did meanwhile.
		if err != nil {
			return res, fmt.Errorf("%s %w", name, ErrStopped)
		}
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		if err != nil {
			return res, fmt.Errorf("%s %w (after %v)", name, ErrTimedOut, opt.Timeout)
		}
	}
	if err != nil {
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return res, &ExitError{Name: name, Status: ee.ProcessState.String()}
		case errors.Is(err, exec.ErrWaitDelay):
			return res, fmt.Errorf("%s %w", name, ErrLeftRunning)
		default:
			// Could not start (no shell, fork failed): exec's words
			// name the shell, never the output.
			return res, fmt.Errorf("%s could not run: %v", name, err)
		}
	}
	if stdout != nil && stdout.over {
		return res, fmt.Errorf("%s %w (more than %d bytes)", name, ErrTooMuchOutput, opt.MaxOutput)
	}
	return res, nil
}

// headBuffer keeps the first max bytes written to it and notes whether
// more came.
type headBuffer struct {
	mu   sync.Mutex
	max  int
	buf  bytes.Buffer
	over bool
}

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	room := h.max - h.buf.Len()
	if len(p) > room {
		h.over = true
		h.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	h.buf.Write(p)
	return len(p), nil
}

func (h *headBuffer) bytes() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return bytes.Clone(h.buf.Bytes())
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
