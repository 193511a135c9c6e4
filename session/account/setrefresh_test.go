package account_test

import (
	"path/filepath"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// Issue 14 item 3: a box that answers {"logout":1} after the JSON login
// until setrefresh is called: ahtui calls it once and carries on, without
// marking the session dead or logging in again.
func TestSetRefreshAfterAFreshLogout(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	fake.SetRefreshRequired(true)
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	svc := reloginService(t, path, urls, nil, &pw)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	box := res.Boxes[0]
	for range 2 {
		view, err := svc.Day(t.Context(), session.KindDevice, box, aimharder.DateOf(svc.Now()))
		if err != nil {
			t.Fatalf("Day: %v", err)
		}
		if len(view.Classes) == 0 {
			t.Fatal("no classes")
		}
	}
	var setrefresh, logins int
	for _, r := range fake.Requests() {
		switch r.Endpoint {
		case aimhardertest.EndpointSetRefresh:
			setrefresh++
		case aimhardertest.EndpointLogin:
			logins++
		}
	}
	// One per session kind that read a box (the login places the box with
	// the device session), and no login beyond the member's two.
	if setrefresh != 1 || logins != 2 {
		t.Errorf("setrefresh %d, logins %d; want 1 and 2", setrefresh, logins)
	}
	if s, _ := svc.Store().Session(t.Context(), session.KindDevice); s.State != session.StateLive {
		t.Errorf("device session %v", s.State)
	}
}

// Without the mode, no setrefresh is sent after a JSON login.
func TestNoSetRefreshByDefault(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	svc := reloginService(t, path, urls, nil, &pw)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Day(t.Context(), session.KindDevice, res.Boxes[0], aimharder.DateOf(svc.Now())); err != nil {
		t.Fatal(err)
	}
	for _, r := range fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointSetRefresh {
			t.Errorf("setrefresh sent: %v", r)
		}
	}
}

// A session the keeper rotated before any box call needed setrefresh is
// just as unarmed as a fresh one: its first logout answer also gets one
// setrefresh and a retry, not a dead session.
func TestSetRefreshAfterARotatedSessionsLogout(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	fake.SetRefreshRequired(true)
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	svc := reloginService(t, path, urls, nil, &pw)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(t.Context(), session.KindBackground); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if s, _ := svc.Store().Session(t.Context(), session.KindBackground); s.TokenUpdateCount == 0 {
		t.Fatal("the background session was not rotated")
	}
	if _, err := svc.Day(t.Context(), session.KindBackground, res.Boxes[0], aimharder.DateOf(svc.Now())); err != nil {
		t.Fatalf("Day: %v", err)
	}
	var setrefresh, logins int
	for _, r := range fake.Requests() {
		switch r.Endpoint {
		case aimhardertest.EndpointSetRefresh:
			setrefresh++
		case aimhardertest.EndpointLogin:
			logins++
		}
	}
	if setrefresh < 1 || logins != 2 {
		t.Errorf("setrefresh %d, logins %d; want at least 1 and 2", setrefresh, logins)
	}
	if s, _ := svc.Store().Session(t.Context(), session.KindBackground); s.State != session.StateLive {
		t.Errorf("background session %v", s.State)
	}
}
