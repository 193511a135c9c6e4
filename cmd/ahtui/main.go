// Command ahtui books AimHarder classes from the terminal: the week as a
// grid, one key to book or cancel, and prebookings that fire the instant a
// class's booking window opens.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // box time zones must load on hosts without zoneinfo
)

func main() {
	// SIGHUP too: an SSH connection that drops hangs up on the process, and
	// a runner must give its claims back rather than die holding them.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses of the command-line contract (docs/cli.md).
const (
	exitOK        = 0
	exitFailed    = 1 // the action failed; the reason is on stderr
	exitUsage     = 2
	exitNoSession = 3 // no valid session: log in again
)

// exitError carries the exit status an error should end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode maps an error returned by a command to the contract's status.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailed
}
