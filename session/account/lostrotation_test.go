package account_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// onTokenUpdate runs hook when a tokenUpdate request is about to go out.
type onTokenUpdate struct {
	base http.RoundTripper
	mu   sync.Mutex
	hook func()
}

func (o *onTokenUpdate) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/tokenUpdate") {
		o.mu.Lock()
		hook := o.hook
		o.hook = nil
		o.mu.Unlock()
		if hook != nil {
			hook()
		}
	}
	return o.base.RoundTrip(r)
}

func serviceWithTransport(t *testing.T, path string, urls aimhardertest.URLs, rt http.RoundTripper) *account.Service {
	t.Helper()
	store, err := session.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	cfg.HTTPClient = &http.Client{Transport: rt, Timeout: time.Minute}
	client, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test")})
}

// A caller interrupted (a signal, a deadline) while its refresh is on the
// wire: AimHarder rotates the token, the answer comes after the caller
// left, and it is stored all the same, so the next command works.
func TestInterruptedRefreshIsStored(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	fake.SetReuseEndsSession(true) // strict: a replayed token would end the session
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate},
		Times: 1, Latency: aimhardertest.Latency{Out: 200 * time.Millisecond}})
	rt := &onTokenUpdate{base: http.DefaultTransport}
	path := filepath.Join(t.TempDir(), "a.db")
	svc := serviceWithTransport(t, path, urls, rt)
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	before, _ := svc.Store().Session(t.Context(), session.KindDevice)

	ctx, cancel := context.WithCancel(t.Context())
	rt.hook = cancel // the member presses ^C as the request leaves
	err := svc.Refresh(ctx, session.KindDevice)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Refresh = %v, want the interruption", err)
	}
	svc.Store().WaitRotations() // what Close does at exit

	after, _ := svc.Store().Session(t.Context(), session.KindDevice)
	if after.State != session.StateLive || after.Credentials.Token == before.Credentials.Token {
		t.Fatalf("the rotation AimHarder made must be stored: before %v after %v", before, after)
	}
	// A new process (the next command) works with the stored session and
	// can rotate it again.
	next := newService(t, path, urls)
	if _, err := next.Whoami(t.Context(), session.KindDevice); err != nil {
		t.Fatalf("next command: %v", err)
	}
	if err := next.Refresh(t.Context(), session.KindDevice); err != nil {
		t.Fatalf("next refresh: %v", err)
	}
}

// A refresh whose answer is lost after AimHarder processed it leaves a
// working session, with a note for the member, not a dead one.
func TestRefreshWithALostAnswerKeepsAWorkingSession(t *testing.T) {
	for _, fault := range []aimhardertest.Fault{
		{Kind: aimhardertest.FaultDrop, AfterProcessing: true},
		{Kind: aimhardertest.FaultStatus, Status: 502, AfterProcessing: true},
	} {
		t.Run(fault.Kind.String(), func(t *testing.T) {
			fake, urls := aimhardertest.Start(t, world())
			path := filepath.Join(t.TempDir(), "a.db")
			svc := newService(t, path, urls)
			if _, err := svc.Login(t.Context(), email, password); err != nil {
				t.Fatal(err)
			}
			fault.Endpoints, fault.Times = []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}, 1
			fake.Inject(fault)
			if err := svc.Refresh(t.Context(), session.KindDevice); !errors.Is(err, account.ErrRefreshLost) {
				t.Fatalf("Refresh after a lost answer = %v, want ErrRefreshLost (the session kept)", err)
			}
			sess, _ := svc.Store().Session(t.Context(), session.KindDevice)
			if sess.State != session.StateLive || !strings.Contains(sess.LastError, "no answer") {
				t.Fatalf("session after a lost answer: %v", sess)
			}
			if _, err := svc.Whoami(t.Context(), session.KindDevice); err != nil {
				t.Fatalf("the session must still work: %v", err)
			}
			// The next refresh replays the token AimHarder spent: it is
			// refused, a whoami says the session lives, so it is not
			// declared dead; without password_command the member is told.
			err := svc.Refresh(t.Context(), session.KindDevice)
			if !errors.Is(err, account.ErrRefreshRefused) {
				t.Fatalf("refresh with a spent token = %v, want ErrRefreshRefused", err)
			}
			sess, _ = svc.Store().Session(t.Context(), session.KindDevice)
			if sess.State != session.StateLive {
				t.Fatalf("the session must stay live: %v", sess)
			}
			if _, err := svc.Whoami(t.Context(), session.KindDevice); err != nil {
				t.Fatalf("commands must go on working: %v", err)
			}
		})
	}
}
