package aimharder

import (
	"context"
	"errors"
)

// ConfirmLogout decides what an unexpected answer (an HTML page or other
// text where JSON belongs, *UnexpectedAnswerError) means for the session,
// with one cheap request: whoami with the same credentials
// (docs/protocol.md §10, "HTML instead of JSON"). When whoami says logged
// out ({"data":[]} or {"logout":1}) it returns a *LoggedOutError naming
// the original endpoint; when whoami works, or cannot tell (it failed
// too), the session is taken as alive and err comes back unchanged. Any
// other err comes back unchanged without a request.
//
// It returns the credentials as whoami left them (its Set-Cookie).
func (c *Client) ConfirmLogout(ctx context.Context, creds Credentials, err error) (Credentials, error) {
	var ue *UnexpectedAnswerError
	if !errors.As(err, &ue) || ctx.Err() != nil {
		return creds, err
	}
	_, updated, werr := c.Whoami(ctx, creds)
	if errors.Is(werr, ErrLoggedOut) {
		c.log.Debug("aimharder unexpected answer confirmed as a logout", "endpoint", ue.Endpoint, "whoami", werr)
		return updated, &LoggedOutError{Endpoint: ue.Endpoint, Reason: "an unexpected answer, and whoami confirmed the session is over"}
	}
	c.log.Debug("aimharder unexpected answer: the session is not confirmed over", "endpoint", ue.Endpoint, "whoami_err", werr)
	return updated, err
}
