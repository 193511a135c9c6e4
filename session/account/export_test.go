package account

import (
	"context"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Refresh rotates the session's token now, whatever its age, the way the
// service rotates (a logout answer marks the session dead or logs in
// again). Only the rotation tests need "now": production rotates through
// Fresh and the keeper.
func (s *Service) Refresh(ctx context.Context, kind session.Kind) error {
	_, err := s.rotate(ctx, kind, func(refresh session.RotateFunc) (aimharder.Credentials, error) {
		return s.store.Rotate(ctx, kind, s.owner, refresh)
	})
	return err
}
