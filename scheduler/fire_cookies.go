package scheduler

import (
	"context"
	"errors"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// saveCookies stores the cookies the booking answers changed, merged in
// answer order (a later answer's value wins), onto the credentials sent.
func (j *fireJob) saveCookies(ctx context.Context, sent aimharder.Credentials, attempts []attempt) {
	merged, changed := sent.Clone(), false
	for _, a := range attempts {
		got := a.creds
		if got.Token == "" || got.Token != sent.Token || got.Equal(sent) {
			continue
		}
		diff := aimharder.CookieChanges(sent.Cookies, got.Cookies)
		if len(diff) > 0 {
			merged, changed = merged.WithCookies(diff), true
		}
	}
	if !changed || merged.Equal(sent) {
		return
	}
	if err := j.r.store.SaveCookies(ctx, session.KindBackground, sent, merged); err != nil && !errors.Is(err, session.ErrConcurrentUpdate) {
		j.r.log.Warn("cannot save the cookies a booking answer set", "err", err)
	}
}
