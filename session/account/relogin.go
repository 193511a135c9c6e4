package account

import (
	"context"

	"github.com/ahtui/ahtui/session"
)

// ErrNoPasswordCommand: no password_command is configured, so a dead
// session cannot be revived without the member.
var ErrNoPasswordCommand = errNoPasswordCommand

// Relogin logs the session of that kind in again with the password that
// password_command prints (the scheduler's keeper revives a dead background
// session with it). It returns ErrNoPasswordCommand when none is set.
func (s *Service) Relogin(ctx context.Context, kind session.Kind) error {
	return s.relogin(ctx, kind)
}
