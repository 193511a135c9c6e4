package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// newTokenCall answers a rotation with token and a matching auth cookie.
func newTokenCall(token string) RotateFunc {
	return func(_ context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		out := c.WithCookies(map[string]string{aimharder.AuthCookie: "auth-" + token})
		out.Token = token
		return out, nil
	}
}

func failingCall(err error) RotateFunc {
	return func(_ context.Context, c aimharder.Credentials) (aimharder.Credentials, error) { return c, err }
}

func TestRotateSuccessStoresTokenAndCounts(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	old := login(t, s, KindBackground, "tok-1")
	clock.Advance(20 * time.Minute)

	var sent aimharder.Credentials
	got, err := s.Rotate(ctx, KindBackground, "keeper", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		sent = c
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the server call has no deadline; it could outlive the lease")
		}
		out := c.WithCookies(map[string]string{aimharder.AuthCookie: "auth-tok-2", "AWSALB": "lb"})
		out.Token = "tok-2"
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Equal(old) {
		t.Errorf("the call was sent %v, want the stored credentials", sent)
	}
	sess := mustSession(t, s, KindBackground)
	if !got.Equal(sess.Credentials) || sess.Credentials.Token != "tok-2" ||
		sess.Credentials.Cookies["AWSALB"] != "lb" || sess.Credentials.Cookies["PHPSESSID"] != "php-tok-1" {
		t.Errorf("stored %v, returned %v", sess.Credentials.Cookies, got)
	}
	if sess.TokenUpdateCount != 1 || sess.LastError != "" || !sess.LastErrorAt.IsZero() ||
		!sess.TokenUpdatedAt.Equal(clock.Now()) || sess.LeaseOwner != "" {
		t.Errorf("after success: %v", sess)
	}
}

func TestRotateFailureCountsAndRecordsTheError(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	login(t, s, KindBackground, "tok-1")
	loginAt := clock.Now()
	clock.Advance(time.Minute)

	errTimeout := errors.New("tokenUpdate: timeout after sending tok-1 with auth-tok-1")
	_, err := s.Rotate(ctx, KindBackground, "keeper", failingCall(errTimeout))
	if !errors.Is(err, errTimeout) {
		t.Fatalf("Rotate = %v, want the call's error", err)
	}
	sess := mustSession(t, s, KindBackground)
	if sess.Credentials.Token != "tok-1" || !sess.TokenUpdatedAt.Equal(loginAt) {
		t.Error("a failed rotation changed the token or its age")
	}
	if sess.TokenUpdateCount != 1 || !sess.LastErrorAt.Equal(clock.Now()) || !strings.Contains(sess.LastError, "timeout") {
		t.Errorf("after failure: count %d, error %q at %v", sess.TokenUpdateCount, sess.LastError, sess.LastErrorAt)
	}
	if strings.Contains(sess.LastError, "tok-1") {
		t.Errorf("last error keeps a secret: %q", sess.LastError)
	}
	if sess.LeaseOwner != "" {
		t.Error("a failed rotation kept the lease")
	}

	// An empty token from the server is a failure, never stored.
	_, err = s.Rotate(ctx, KindBackground, "keeper", func(_ context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		return aimharder.Credentials{}, nil
	})
	if err == nil {
		t.Fatal("an empty token was accepted")
	}
	if sess := mustSession(t, s, KindBackground); sess.Credentials.Token != "tok-1" || sess.TokenUpdateCount != 2 {
		t.Errorf("after an empty token: %v", sess)
	}

	// Success clears the error.
	clock.Advance(time.Minute)
	if _, err := s.Rotate(ctx, KindBackground, "keeper", newTokenCall("tok-2")); err != nil {
		t.Fatal(err)
	}
	if sess := mustSession(t, s, KindBackground); sess.TokenUpdateCount != 3 || sess.LastError != "" || !sess.LastErrorAt.IsZero() {
		t.Errorf("after recovery: %v", sess)
	}
}

// A call that fails after the server rotated (it returns the new token with
// its error) must still store that token: it is the only valid one left.
func TestRotateKeepsATokenTheServerIssuedDespiteAnError(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	login(t, s, KindBackground, "tok-1")
	clock.Advance(time.Minute)
	errLate := errors.New("reading the rest of the reply failed")
	_, err := s.Rotate(ctx, KindBackground, "keeper", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		out, _ := newTokenCall("tok-2")(ctx, c)
		return out, errLate
	})
	if !errors.Is(err, errLate) {
		t.Fatalf("Rotate = %v", err)
	}
	sess := mustSession(t, s, KindBackground)
	if sess.Credentials.Token != "tok-2" || !sess.TokenUpdatedAt.Equal(clock.Now()) ||
		sess.TokenUpdateCount != 1 || sess.LastError == "" {
		t.Errorf("after a failed call with a new token: %v", sess)
	}
}

// TestRotateCompareAndSwapFailureIsAnError changes the stored token while
// the server call is in flight, as a writer that ignored the lease would:
// the rotation's write must match 0 rows and say so.
func TestRotateCompareAndSwapFailureIsAnError(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	login(t, s, KindBackground, "tok-1")
	_, err := s.Rotate(ctx, KindBackground, "keeper", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET token = 'tok-other' WHERE kind = 'background'`); err != nil {
			t.Fatal(err)
		}
		return newTokenCall("tok-2")(ctx, c)
	})
	if !errors.Is(err, ErrConcurrentUpdate) {
		t.Fatalf("Rotate = %v, want ErrConcurrentUpdate", err)
	}
	sess := mustSession(t, s, KindBackground)
	if sess.Credentials.Token != "tok-other" {
		t.Errorf("token = %q: the rotation overwrote a concurrent change", sess.Credentials.Token)
	}
	if sess.TokenUpdateCount != 1 || sess.LastError == "" {
		t.Errorf("the failed swap was not counted or recorded: %v", sess)
	}

	// A new login during the call is the realistic case.
	_, err = s.Rotate(ctx, KindBackground, "keeper", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		if err := s.SaveLogin(ctx, KindBackground, testAccount, credsFor("tok-relogin")); err != nil {
			t.Fatal(err)
		}
		return newTokenCall("tok-3")(ctx, c)
	})
	if !errors.Is(err, ErrConcurrentUpdate) {
		t.Fatalf("Rotate across a re-login = %v, want ErrConcurrentUpdate", err)
	}
	if sess := mustSession(t, s, KindBackground); sess.Credentials.Token != "tok-relogin" {
		t.Errorf("token = %q, want the new login's", sess.Credentials.Token)
	}

	// Logout during the call: nothing to write, and it says so.
	_, err = s.Rotate(ctx, KindBackground, "keeper", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		if err := s.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		return newTokenCall("tok-4")(ctx, c)
	})
	if !errors.Is(err, ErrNoSession) {
		t.Fatalf("Rotate across a logout = %v, want ErrNoSession", err)
	}
}

func TestRotateWithoutSession(t *testing.T) {
	s, _ := openStore(t)
	login(t, s, KindDevice, "tok-d")
	_, err := s.Rotate(t.Context(), KindBackground, "keeper", func(context.Context, aimharder.Credentials) (aimharder.Credentials, error) {
		t.Error("called the server without a session")
		return aimharder.Credentials{}, nil
	})
	if !errors.Is(err, ErrNoSession) {
		t.Errorf("Rotate = %v, want ErrNoSession", err)
	}
}

func TestSessionLeaseExcludesOtherOwners(t *testing.T) {
	s, clock := openStore(t, WithLeaseWait(0))
	ctx := t.Context()
	login(t, s, KindBackground, "tok-1")

	lease, err := s.AcquireSessionLease(ctx, KindBackground, "scheduler", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if lease.Owner != "scheduler" || !lease.ExpiresAt.Equal(clock.Now().Add(time.Minute)) {
		t.Errorf("lease = %+v", lease)
	}
	_, err = s.AcquireSessionLease(ctx, KindBackground, "tui", time.Minute)
	var held *LeaseHeldError
	if !errors.Is(err, ErrLeaseHeld) || !errors.As(err, &held) || held.Owner != "scheduler" {
		t.Fatalf("second owner = %v, want ErrLeaseHeld naming the scheduler", err)
	}
	called := false
	_, err = s.Rotate(ctx, KindBackground, "tui", func(_ context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		called = true
		return c, nil
	})
	if !errors.Is(err, ErrLeaseHeld) || called {
		t.Errorf("Rotate by another owner = %v (called %v), want ErrLeaseHeld before calling", err, called)
	}
	// The device session has its own lease.
	login(t, s, KindDevice, "tok-d")
	if _, err := s.AcquireSessionLease(ctx, KindDevice, "tui", time.Minute); err != nil {
		t.Errorf("device lease while background is held: %v", err)
	}

	// The holder rotates inside its own lease, and keeps it afterwards.
	if _, err := s.Rotate(ctx, KindBackground, "scheduler", newTokenCall("tok-2")); err != nil {
		t.Fatalf("Rotate by the holder: %v", err)
	}
	if sess := mustSession(t, s, KindBackground); sess.LeaseOwner != "scheduler" || sess.Credentials.Token != "tok-2" {
		t.Errorf("after the holder's rotation: owner %q token %q", sess.LeaseOwner, sess.Credentials.Token)
	}
	// Re-acquiring renews.
	clock.Advance(30 * time.Second)
	renewed, err := s.AcquireSessionLease(ctx, KindBackground, "scheduler", time.Minute)
	if err != nil || !renewed.ExpiresAt.Equal(clock.Now().Add(time.Minute)) {
		t.Errorf("renew = %+v, %v", renewed, err)
	}

	// Expired: another owner takes over, and the old holder learns it lost it.
	clock.Advance(2 * time.Minute)
	if _, err := s.AcquireSessionLease(ctx, KindBackground, "tui", time.Minute); err != nil {
		t.Fatalf("taking over an expired lease: %v", err)
	}
	if err := s.ReleaseSessionLease(ctx, KindBackground, "scheduler"); !errors.Is(err, ErrLeaseNotHeld) {
		t.Errorf("releasing a lost lease = %v, want ErrLeaseNotHeld", err)
	}
	if err := s.ReleaseSessionLease(ctx, KindBackground, "tui"); err != nil {
		t.Errorf("release: %v", err)
	}
	if sess := mustSession(t, s, KindBackground); sess.LeaseOwner != "" || !sess.LeaseExpiresAt.IsZero() {
		t.Errorf("after release: %q %v", sess.LeaseOwner, sess.LeaseExpiresAt)
	}
	for _, bad := range []string{"", strings.Repeat("x", 201)} {
		if _, err := s.AcquireSessionLease(ctx, KindBackground, bad, time.Minute); !errors.Is(err, ErrInvalid) {
			t.Errorf("owner %q: %v", bad, err)
		}
	}
	if _, err := s.AcquireSessionLease(ctx, KindBackground, "x", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("ttl 0: %v", err)
	}
}

// A rotation by another owner waits for the lease instead of failing, and
// then works on the token the holder left.
func TestRotateWaitsForTheLease(t *testing.T) {
	s, _ := openStore(t, WithLeaseWait(20*time.Second))
	ctx := t.Context()
	login(t, s, KindBackground, "tok-1")
	if _, err := s.AcquireSessionLease(ctx, KindBackground, "scheduler", time.Hour); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error)
	var sent string
	go func() {
		close(started)
		_, err := s.Rotate(ctx, KindBackground, "tui", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
			sent = c.Token
			return newTokenCall("tok-3")(ctx, c)
		})
		done <- err
	}()
	<-started
	if _, err := s.Rotate(ctx, KindBackground, "scheduler", newTokenCall("tok-2")); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseSessionLease(ctx, KindBackground, "scheduler"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiting Rotate: %v", err)
	}
	if sent != "tok-2" {
		t.Errorf("the waiting rotation sent %q, want the holder's new token", sent)
	}
	if sess := mustSession(t, s, KindBackground); sess.Credentials.Token != "tok-3" || sess.TokenUpdateCount != 2 {
		t.Errorf("final: %v", sess)
	}
}

func TestRotateFinishesWhenTheCallerGivesUp(t *testing.T) {
	s, _ := openStore(t, WithLeaseWait(0))
	login(t, s, KindBackground, "tok-1")
	ctx, cancel := context.WithCancel(t.Context())
	callerGone := make(chan struct{})
	_, err := s.Rotate(ctx, KindBackground, "keeper", func(callCtx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		cancel()
		<-callerGone // the caller has returned before the server answers
		if callCtx.Err() != nil {
			return c, callCtx.Err()
		}
		return newTokenCall("tok-2")(callCtx, c)
	})
	close(callerGone)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Rotate = %v, want the caller's cancellation", err)
	}
	s.WaitRotations()
	sess := mustSession(t, s, KindBackground)
	if sess.Credentials.Token != "tok-2" || sess.LeaseOwner != "" || sess.TokenUpdateCount != 1 || sess.LastError != "" || sess.State != StateLive {
		t.Errorf("a rotation whose caller gave up must still be stored and the lease freed: %v", sess)
	}
	if _, err := s.Rotate(t.Context(), KindBackground, "keeper", newTokenCall("tok-3")); !errors.Is(err, ErrClosed) {
		t.Errorf("a rotation after WaitRotations = %v, want ErrClosed", err)
	}
}

func TestCloseWaitsForARotation(t *testing.T) {
	path := tempDBPath(t)
	s := openAt(t, path)
	login(t, s, KindBackground, "tok-1")
	ctx, cancel := context.WithCancel(t.Context())
	release := make(chan struct{})
	if _, err := s.Rotate(ctx, KindBackground, "runner", func(callCtx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		cancel()
		<-release
		return newTokenCall("tok-2")(callCtx, c)
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rotate = %v", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a rotation was in flight", err)
	default:
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	again := openAt(t, path)
	if sess := mustSession(t, again, KindBackground); sess.Credentials.Token != "tok-2" {
		t.Errorf("after Close the rotation must be stored: %v", sess)
	}
}

func TestRotateWithALostAnswerKeepsTheSession(t *testing.T) {
	s, _ := openStore(t)
	login(t, s, KindBackground, "tok-1")
	lost := &aimharder.TransportError{Endpoint: "tokenUpdate", Err: io.ErrUnexpectedEOF}
	_, err := s.Rotate(t.Context(), KindBackground, "keeper", failingCall(lost))
	if !errors.Is(err, ErrRotationUnknown) {
		t.Fatalf("Rotate = %v, want ErrRotationUnknown", err)
	}
	sess := mustSession(t, s, KindBackground)
	if sess.State != StateLive || sess.Credentials.Token != "tok-1" || sess.LastError == "" {
		t.Errorf("a lost answer must leave the session live with its token and a note: %v", sess)
	}
}

func TestFreshRotatesOnlyWhenOld(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	creds := login(t, s, KindBackground, "tok-1")
	calls := 0
	call := func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		calls++
		return newTokenCall(fmt.Sprintf("tok-%d", calls+1))(ctx, c)
	}

	clock.Advance(17 * time.Minute)
	got, err := s.Fresh(ctx, KindBackground, "keeper", 18*time.Minute, call)
	if err != nil || calls != 0 || !got.Equal(creds) {
		t.Fatalf("young token: calls %d, %v, %v", calls, got, err)
	}
	if mustSession(t, s, KindBackground).TokenUpdateCount != 0 {
		t.Error("a skipped refresh was counted")
	}
	clock.Advance(2 * time.Minute)
	got, err = s.Fresh(ctx, KindBackground, "keeper", 18*time.Minute, call)
	if err != nil || calls != 1 || got.Token != "tok-2" {
		t.Fatalf("old token: calls %d, %v, %v", calls, got, err)
	}
	if sess := mustSession(t, s, KindBackground); sess.TokenUpdateCount != 1 || !sess.TokenUpdatedAt.Equal(clock.Now()) {
		t.Errorf("after refresh: %v", sess)
	}
	if _, err := s.Fresh(ctx, KindBackground, "keeper", 0, call); !errors.Is(err, ErrInvalid) {
		t.Errorf("maxAge 0: %v", err)
	}
}

// Several goroutines find the token old at once: the first rotates, the
// others see the fresh token once they get the lease and do not call.
func TestFreshRotatesOnceUnderContention(t *testing.T) {
	s, clock := openStore(t, WithLeaseWait(20*time.Second))
	login(t, s, KindBackground, "tok-1")
	clock.Advance(time.Hour)
	var (
		mu    sync.Mutex
		calls int
		wg    sync.WaitGroup
	)
	call := func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		return newTokenCall("tok-2")(ctx, c)
	}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.Fresh(t.Context(), KindBackground, fmt.Sprintf("worker-%d", i), 18*time.Minute, call)
			if err != nil || got.Token != "tok-2" {
				t.Errorf("worker %d: %v, %v", i, got, err)
			}
		}()
	}
	wg.Wait()
	if calls != 1 {
		t.Errorf("%d server calls, want 1", calls)
	}
	if sess := mustSession(t, s, KindBackground); sess.TokenUpdateCount != 1 {
		t.Errorf("count = %d", sess.TokenUpdateCount)
	}
}

// singleUseTokens is an in-memory single-use rotation server.
type singleUseTokens struct {
	mu        sync.Mutex
	current   string
	n         int
	presented map[string]int
}

func (f *singleUseTokens) rotate(_ context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presented[c.Token]++
	if c.Token != f.current {
		return c, errors.New("logout")
	}
	f.n++
	f.current = fmt.Sprintf("tok-%d", f.n)
	out := c.Clone()
	out.Token = f.current
	return out, nil
}

// TestRotateInOneProcessUnderContention mixes goroutines with distinct
// owners, goroutines sharing an owner, and two Stores on the same file.
func TestRotateInOneProcessUnderContention(t *testing.T) {
	path := tempDBPath(t)
	a := openAt(t, path, WithLeaseWait(30*time.Second))
	b := openAt(t, path, WithLeaseWait(30*time.Second))
	login(t, a, KindDevice, "tok-0")
	server := &singleUseTokens{current: "tok-0", presented: map[string]int{}}
	const each = 10
	var wg sync.WaitGroup
	for i, store := range []*Store{a, a, a, b, b, b} {
		owner := fmt.Sprintf("owner-%d", i%4) // some goroutines share an owner
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := store.Rotate(t.Context(), KindDevice, owner, server.rotate); err != nil {
					t.Errorf("%s: %v", owner, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for tok, n := range server.presented {
		if n > 1 {
			t.Errorf("token %s presented %d times", tok, n)
		}
	}
	sess := mustSession(t, a, KindDevice)
	if sess.Credentials.Token != server.current || sess.TokenUpdateCount != 6*each {
		t.Errorf("stored %q count %d; server %q", sess.Credentials.Token, sess.TokenUpdateCount, server.current)
	}
}
