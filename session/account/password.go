package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ahtui/ahtui/session/shellcmd"
)

// runPasswordCommand runs command through the shell (shellcmd.Run: its
// process group killed at the timeout, a child holding its output not
// waited for) and returns its output, trimmed. Neither the command's
// output nor its error output is logged or put in an error.
func runPasswordCommand(ctx context.Context, command string) (string, error) {
	res, err := shellcmd.Run(ctx, command, shellcmd.Options{
		Name: "password_command", Timeout: passwordCommandTimeout,
		CaptureOutput: true, MaxOutput: passwordCommandMaxOutput})
	if err != nil {
		return "", err
	}
	pw := strings.TrimSpace(string(res.Stdout))
	if pw == "" {
		return "", errors.New("password_command printed nothing")
	}
	return pw, nil
}

const (
	passwordCommandTimeout   = 30 * time.Second
	passwordCommandMaxOutput = 4096 // a password, not a file
)
