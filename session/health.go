package session

import (
	"context"
	"time"
)

// Health is what a session's row says about its health, without its
// credentials: what a screen shows. Interfaces that only display sessions
// take this, so no token or cookie sits in their state (docs/product.md invariant 1).
type Health struct {
	Kind             Kind
	State            State
	DeadReason       string
	CreatedAt        time.Time
	TokenUpdatedAt   time.Time
	TokenUpdateCount int64
	LastError        string
	LastErrorAt      time.Time
}

// TokenAge is how long ago the token was issued or rotated.
func (h Health) TokenAge(now time.Time) time.Duration { return now.Sub(h.TokenUpdatedAt) }

// Health returns the session's health without its credentials.
func (s Session) Health() Health {
	return Health{
		Kind: s.Kind, State: s.State, DeadReason: s.DeadReason, CreatedAt: s.CreatedAt,
		TokenUpdatedAt: s.TokenUpdatedAt, TokenUpdateCount: s.TokenUpdateCount,
		LastError: s.LastError, LastErrorAt: s.LastErrorAt,
	}
}

// SessionHealth returns the health of the session of that kind, or
// ErrNoSession.
func (s *Store) SessionHealth(ctx context.Context, kind Kind) (Health, error) {
	sess, err := s.Session(ctx, kind)
	if err != nil {
		return Health{}, err
	}
	return sess.Health(), nil
}
