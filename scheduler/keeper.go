package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// keeper defaults.
const (
	DefaultKeeperCheck  = 5 * time.Minute  // look at the session at least this often
	DefaultKeeperJitter = 30 * time.Second // spreads processes sharing a database
	keeperBackoffMin    = 5 * time.Second
	keeperBackoffMax    = 2 * time.Minute
	keeperLeaseRetry    = 15 * time.Second // the lease is busy: a rotation elsewhere, or a fire
)

// keeperConfig wires a keeper.
type keeperConfig struct {
	Account *account.Service // required; its owner names the keeper's rotations
	Clock   Clock            // default RealClock
	Events  *Broker          // optional
	Logger  *slog.Logger     // optional
	// Kinds to keep alive; required, there is no default kind (see
	// docs/product.md invariant 2). The scheduler keeps the background session; a process with an
	// open TUI adds the device session.
	Kinds []session.Kind
	// CheckEvery and Jitter override the defaults (tests).
	CheckEvery time.Duration
	Jitter     time.Duration
}

// keeper keeps sessions alive: it refreshes a token once it is older than
// the refresh_after threshold (18 minutes by default), looks at least every
// CheckEvery, backs off exponentially on network trouble, and revives a
// session AimHarder ended when password_command is set. Every change it
// makes or notices in the store (another process may refresh or log in)
// is published as an event.
type keeper struct {
	cfg   keeperConfig
	store *session.Store
	log   *slog.Logger

	mu            sync.Mutex
	reloginFailed map[session.Kind]string // the last revive's error, per kind, while it stands
}

// newKeeper checks cfg and returns a keeper; it does nothing until Run.
// Account and Kinds are required.
func newKeeper(cfg keeperConfig) (*keeper, error) {
	if cfg.Account == nil {
		return nil, errors.New("scheduler: the keeper needs an account service")
	}
	if len(cfg.Kinds) == 0 {
		return nil, errors.New("scheduler: the keeper needs the session kinds to keep (there is no default kind)")
	}
	for _, kind := range cfg.Kinds {
		if !slices.Contains(session.Kinds, kind) {
			return nil, fmt.Errorf("scheduler: the keeper cannot keep a session of kind %q", kind)
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = DefaultKeeperCheck
	}
	if cfg.Jitter < 0 {
		cfg.Jitter = 0
	} else if cfg.Jitter == 0 {
		cfg.Jitter = DefaultKeeperJitter
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &keeper{cfg: cfg, store: cfg.Account.Store(), log: log, reloginFailed: map[session.Kind]string{}}, nil
}

// reloginFailure reports why the keeper's last attempt to log the dead
// session of that kind in again with password_command failed; false when
// there was none since the session was last alive.
func (k *keeper) reloginFailure(kind session.Kind) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	reason, ok := k.reloginFailed[kind]
	return reason, ok
}

func (k *keeper) setReloginFailure(kind session.Kind, reason string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if reason == "" {
		delete(k.reloginFailed, kind)
		return
	}
	k.reloginFailed[kind] = reason
}

// Run keeps the sessions alive until ctx ends, then returns once every
// goroutine it started has stopped.
func (k *keeper) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, kind := range k.cfg.Kinds {
		wg.Go(func() { k.keep(ctx, kind) })
	}
	wg.Wait()
	return nil
}

// keeperState is what one kind's loop remembers between rounds.
type keeperState struct {
	kind     session.Kind
	last     session.Session
	haveLast bool
	backoff  time.Duration // network trouble
}

func (k *keeper) keep(ctx context.Context, kind session.Kind) {
	st := &keeperState{kind: kind}
	for ctx.Err() == nil {
		wait := k.round(ctx, st)
		// Jitter spreads processes sharing a database; it shortens the
		// routine look (at least every CheckEvery) and delays the others by
		// at most a quarter of the wait, so a wake set by the token's age
		// (refresh_after) never slips far past it, however short it is.
		if wait >= k.cfg.CheckEvery {
			wait -= k.jitter(wait)
		} else {
			wait += k.jitter(wait)
		}
		if err := sleepUntil(ctx, k.cfg.Clock, k.cfg.Clock.Now().Add(wait), 0); err != nil {
			return
		}
	}
}

func (k *keeper) jitter(wait time.Duration) time.Duration {
	limit := min(k.cfg.Jitter, wait/4)
	if limit <= 0 {
		return 0
	}
	return rand.N(limit)
}

// dueIn is how long until the session's token reaches refreshAfter,
// capped by CheckEvery (to notice other processes' changes); 0 when due.
func (k *keeper) dueIn(sess session.Session, refreshAfter time.Duration) time.Duration {
	return max(0, min(k.cfg.CheckEvery, refreshAfter-sess.TokenAge(k.cfg.Clock.Now())))
}

// round looks at the session once, acts, and says how long to wait.
func (k *keeper) round(ctx context.Context, st *keeperState) time.Duration {
	sess, err := k.store.Session(ctx, st.kind)
	if errors.Is(err, session.ErrNoSession) {
		st.haveLast = false
		return k.cfg.CheckEvery
	}
	if err != nil {
		k.log.Warn("keeper cannot read the session", "kind", st.kind, "err", err)
		return k.cfg.CheckEvery
	}
	k.noticeChanges(st, sess)

	if sess.State == session.StateDead {
		return k.revive(ctx, st)
	}
	th, err := k.store.Thresholds(ctx)
	if err != nil {
		return k.cfg.CheckEvery
	}
	if wait := k.dueIn(sess, th.RefreshAfter); wait > 0 {
		st.backoff = 0
		return wait
	}
	return k.refresh(ctx, st, th.RefreshAfter)
}

// refresh rotates the token (unless another process just did, which
// account.Service.Fresh notices under the lease).
func (k *keeper) refresh(ctx context.Context, st *keeperState, maxAge time.Duration) time.Duration {
	_, err := k.cfg.Account.Fresh(ctx, st.kind, maxAge)
	if ctx.Err() != nil {
		return 0
	}
	after, rerr := k.store.Session(ctx, st.kind)
	switch {
	case err == nil:
		st.backoff = 0
		if rerr != nil {
			return k.cfg.CheckEvery
		}
		k.noticeOwnRefresh(st, after)
		// The next wake follows the new token's age, not a whole interval:
		// a refresh_after under CheckEvery must be honoured.
		return max(k.dueIn(after, maxAge), time.Second)
	case errors.Is(err, session.ErrLeaseHeld):
		return keeperLeaseRetry
	case errors.Is(err, account.ErrRefreshRefused):
		// The session works but AimHarder no longer renews its token (the
		// member was warned); asking every few seconds would not change it.
		k.publish(SessionRefreshFailed{At: k.cfg.Clock.Now(), Kind: st.kind, Err: err.Error(), RetryIn: k.cfg.CheckEvery})
		if rerr == nil {
			k.noticeChanges(st, after)
		}
		return k.cfg.CheckEvery
	case errors.Is(err, account.ErrSessionExpired), errors.Is(err, account.ErrNotLoggedIn):
		// account.Service marked it dead (and tried password_command).
		if rerr != nil {
			return k.cfg.CheckEvery
		}
		k.noticeChanges(st, after)
		if after.State == session.StateLive {
			return max(k.dueIn(after, maxAge), time.Second)
		}
		return k.cfg.CheckEvery
	}
	st.backoff = nextBackoff(st.backoff, keeperBackoffMin, keeperBackoffMax)
	var blocked *aimharder.BlockedError
	if errors.As(err, &blocked) && blocked.RetryAfter > st.backoff {
		st.backoff = min(blocked.RetryAfter, time.Hour)
	}
	k.publish(SessionRefreshFailed{At: k.cfg.Clock.Now(), Kind: st.kind, Err: err.Error(), RetryIn: st.backoff})
	if rerr == nil {
		k.noticeChanges(st, after)
	}
	return st.backoff
}

// revive logs a dead session in again with password_command, under the
// account's re-login policy (session/account: backoff after a failure, no
// automatic login after a refused password until the member logs in; its
// state is in the session row, shared by every process).
func (k *keeper) revive(ctx context.Context, st *keeperState) time.Duration {
	err := k.cfg.Account.Relogin(ctx, st.kind)
	if ctx.Err() != nil {
		return 0
	}
	switch {
	case err == nil:
		k.setReloginFailure(st.kind, "")
		after, rerr := k.store.Session(ctx, st.kind)
		if rerr != nil {
			return k.cfg.CheckEvery
		}
		k.noticeChanges(st, after)
		if th, terr := k.store.Thresholds(ctx); terr == nil && after.State == session.StateLive {
			return max(k.dueIn(after, th.RefreshAfter), time.Second)
		}
		return k.cfg.CheckEvery
	case errors.Is(err, account.ErrNoPasswordCommand):
		k.setReloginFailure(st.kind, "")
		return k.cfg.CheckEvery
	}
	now := k.cfg.Clock.Now()
	wait := k.cfg.CheckEvery
	var retryIn time.Duration
	if after, rerr := k.store.Session(ctx, st.kind); rerr == nil && !after.Relogin.Refused && after.Relogin.NotBefore.After(now) {
		retryIn = after.Relogin.NotBefore.Sub(now)
		wait = min(wait, retryIn)
	}
	prev, _ := k.reloginFailure(st.kind)
	k.setReloginFailure(st.kind, err.Error())
	// An attempt that failed is news; a policy still holding back is not,
	// unless this keeper has said nothing yet.
	if !errors.Is(err, account.ErrReloginHeld) || prev == "" {
		k.publish(SessionRefreshFailed{At: now, Kind: st.kind,
			Err: "logging in again with password_command failed: " + err.Error(), RetryIn: retryIn})
	}
	return wait
}

// noticeOwnRefresh records a refresh this keeper made.
func (k *keeper) noticeOwnRefresh(st *keeperState, sess session.Session) {
	if st.haveLast && !sess.TokenUpdatedAt.Equal(st.last.TokenUpdatedAt) && sess.CreatedAt.Equal(st.last.CreatedAt) {
		k.publish(SessionRefreshed{At: k.cfg.Clock.Now(), Kind: st.kind, UpdateCount: sess.TokenUpdateCount})
		st.last = sess
		return
	}
	k.noticeChanges(st, sess)
}

// noticeChanges publishes what changed in the session row since the last
// look: made by this process's other parts or by another process.
func (k *keeper) noticeChanges(st *keeperState, sess session.Session) {
	defer func() { st.last, st.haveLast = sess, true }()
	if !st.haveLast {
		if sess.State == session.StateDead {
			k.publish(SessionDead{At: k.cfg.Clock.Now(), Kind: st.kind, Reason: sess.DeadReason})
		}
		return
	}
	prev := st.last
	now := k.cfg.Clock.Now()
	switch {
	case !sess.CreatedAt.Equal(prev.CreatedAt) && sess.State == session.StateLive:
		k.setReloginFailure(st.kind, "")
		k.publish(SessionRelogged{At: now, Kind: st.kind})
	case sess.State == session.StateDead && prev.State != session.StateDead:
		k.publish(SessionDead{At: now, Kind: st.kind, Reason: sess.DeadReason})
	case sess.State == session.StateLive && !sess.TokenUpdatedAt.Equal(prev.TokenUpdatedAt):
		k.publish(SessionRefreshed{At: now, Kind: st.kind, UpdateCount: sess.TokenUpdateCount, ByOther: true})
	}
}

func (k *keeper) publish(e Event) {
	k.log.Info(e.String())
	if k.cfg.Events != nil {
		k.cfg.Events.publish(e)
	}
}

// nextBackoff doubles d within [lo, hi].
func nextBackoff(d, lo, hi time.Duration) time.Duration {
	if d < lo {
		return lo
	}
	return min(2*d, hi)
}
