package shellcmd

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const secret = "correct-horse-battery-staple"

func TestRunCapturesOutputAndAddsEnvironment(t *testing.T) {
	res, err := Run(t.Context(), `printf '%s\n' "$AHTUI_X"; echo oops >&2; cat`, Options{
		Name: "password_command", Env: []string{"AHTUI_X=" + secret},
		Stdin: strings.NewReader("from stdin\n"), CaptureOutput: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := string(res.Stdout), secret+"\nfrom stdin\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if res.Stderr != "oops" {
		t.Errorf("stderr %q, want oops", res.Stderr)
	}
}

func TestRunDiscardsOutputUnlessCaptured(t *testing.T) {
	res, err := Run(t.Context(), "echo "+secret, Options{})
	if err != nil || len(res.Stdout) != 0 {
		t.Errorf("Run: %q, %v; want no output kept and no error", res.Stdout, err)
	}
}

// TestRunExitStatusNeverHoldsTheOutput: a failing command's error says its
// status and which command it was, not what it printed on either stream.
func TestRunExitStatusNeverHoldsTheOutput(t *testing.T) {
	res, err := Run(t.Context(), "echo "+secret+"; echo "+secret+" >&2; exit 3",
		Options{Name: "password_command", CaptureOutput: true})
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("Run: %v, want an *ExitError", err)
	}
	if got, want := err.Error(), "password_command failed: exit status 3"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q holds the output", err)
	}
	if string(res.Stdout) != secret+"\n" {
		t.Errorf("stdout %q: the caller may still want it", res.Stdout)
	}
}

func TestRunBoundsTheOutput(t *testing.T) {
	res, err := Run(t.Context(), "head -c 5000 /dev/zero", Options{Name: "password_command", CaptureOutput: true, MaxOutput: 100})
	if !errors.Is(err, ErrTooMuchOutput) {
		t.Fatalf("Run: %v, want ErrTooMuchOutput", err)
	}
	if len(res.Stdout) != 100 {
		t.Errorf("kept %d bytes, want 100", len(res.Stdout))
	}
}

func TestRunCannotStartSaysSo(t *testing.T) {
	_, err := Run(t.Context(), "exit 127", Options{Name: "notify_command"})
	var ee *ExitError
	if !errors.As(err, &ee) || !strings.HasPrefix(err.Error(), "notify_command failed") {
		t.Errorf("Run: %v", err)
	}
}

func TestRunStoppedByTheCaller(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Run(ctx, "sleep 30; echo "+secret, Options{Name: "password_command", CaptureOutput: true})
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("Run: %v, want ErrStopped", err)
	}
	if got, want := err.Error(), "password_command was stopped: ahtui is stopping"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}
