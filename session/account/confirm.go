package account

import (
	"context"
	"errors"

	"github.com/ahtui/ahtui/aimharder"
)

// confirmLogout decides what an unexpected answer (an HTML page or other
// text where AimHarder sends JSON) means before anything treats the
// session as over: one whoami with the same cookies (docs/protocol.md
// §10, "HTML instead of JSON"). Only when whoami says logged out does the
// error become a logout, which withSession then handles as any other;
// when whoami works the session lives and the error stays an unexpected
// answer (for a book or cancel, an ambiguous one: the day is read). sent
// are the credentials the call was made with, updated those it returned;
// it returns the credentials as whoami left them. Other errors pass
// through untouched, without a request.
func (s *Service) confirmLogout(ctx context.Context, sent, updated aimharder.Credentials, err error) (aimharder.Credentials, error) {
	if !errors.Is(err, aimharder.ErrUnexpectedAnswer) {
		return updated, err
	}
	creds := updated
	if creds.Token == "" {
		creds = sent
	}
	after, confirmed := s.api(ctx).ConfirmLogout(ctx, creds, err)
	if errors.Is(confirmed, aimharder.ErrLoggedOut) {
		s.log.Warn("AimHarder answered with a page instead of data, and whoami confirmed the session is over", "err", err)
	} else {
		s.log.Warn("AimHarder answered with a page instead of data; the session is not confirmed over, so it stays", "err", err)
	}
	return after, confirmed
}
