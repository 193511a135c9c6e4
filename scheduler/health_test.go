package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

func TestSessionProblem(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	live := session.Health{State: session.StateLive}
	dead := func(ago time.Duration) session.Health {
		return session.Health{State: session.StateDead, LastErrorAt: now.Add(-ago)}
	}
	for _, tc := range []struct {
		name    string
		sess    session.Health
		found   bool
		command bool
		want    string // a word of the reason; "" = no problem
	}{
		{"missing", session.Health{}, false, false, "no background session"},
		{"missing with password_command", session.Health{}, false, true, "no background session"},
		{"live", live, true, false, ""},
		{"dead", dead(time.Minute), true, false, "expired"},
		{"dead, re-login under way", dead(time.Minute), true, true, ""},
		{"dead, re-login not working", dead(ReloginGrace), true, true, "not working"},
		{"dead at an unknown time", session.Health{State: session.StateDead}, true, true, "not working"},
	} {
		got := SessionProblem(tc.sess, tc.found, tc.command, now)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestHealthWithFailingPasswordCommand: password_command is set but
// logging in again with it fails. The runner warns as soon as its keeper's
// attempt failed; `ahtui status` (CheckHealth, another process) once the
// session has stayed dead for ReloginGrace.
func TestHealthWithFailingPasswordCommand(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-2*time.Hour), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(ctx, session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	sess, _ := h.store.Session(ctx, session.KindBackground)
	if err := h.store.MarkDead(ctx, session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}
	if problem, err := CheckHealth(ctx, h.store, h.clock.Now(), 0); err != nil || problem != nil {
		t.Fatalf("just dead, with password_command: %+v, %v (the keeper gets its chance first)", problem, err)
	}

	r := h.newRunner(h.store, "runner", func(c *Config) {
		c.Notify.Disabled = true
		c.PasswordCommand = func(context.Context, string) (string, error) {
			return "", errors.New("password_command failed: exit status 1")
		}
	})
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	start := h.clock.Now()
	waitFor(t, "two minutes", func() bool { return h.clock.Now().After(start.Add(2 * time.Minute)) })
	rs.stop()
	var warning string
	for _, e := range ev.stop() {
		if w, ok := e.(HealthWarning); ok && !w.Resolved && warning == "" {
			warning = w.Problem
		}
	}
	if !strings.Contains(warning, "password_command failed") || !strings.Contains(warning, "fix password_command") {
		t.Errorf("the runner's warning: %q", warning)
	}

	h.clock.Set(start.Add(ReloginGrace))
	problem, err := CheckHealth(ctx, h.store, h.clock.Now(), 0)
	if err != nil || problem == nil || problem.Prebooking.ID != p.ID || !strings.Contains(problem.Reason, "not working") {
		t.Errorf("CheckHealth after %v dead: %+v, %v", ReloginGrace, problem, err)
	}
}

// TestHealthWithMissingSession: no background session at all is a
// problem, password_command or not (nothing logs a missing one in).
func TestHealthWithMissingSession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-2*time.Hour), 0, 0)
	h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(ctx, session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	if err := h.store.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	problem, err := CheckHealth(ctx, h.store, h.clock.Now(), 0)
	if err != nil || problem == nil || !strings.Contains(problem.Reason, "no background session") {
		t.Errorf("CheckHealth: %+v, %v", problem, err)
	}
}

// TestKeeperNeedsKinds: there is no default session kind (docs/product.md invariant 2).
func TestKeeperNeedsKinds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-2*time.Hour), 0, 0)
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := newKeeper(keeperConfig{Account: svc}); err == nil {
		t.Error("a keeper without kinds was made")
	}
	if _, err := newKeeper(keeperConfig{Account: svc, Kinds: []session.Kind{"phone"}}); err == nil {
		t.Error("a keeper of an unknown kind was made")
	}
	if _, err := newKeeper(keeperConfig{Kinds: []session.Kind{session.KindBackground}}); err == nil {
		t.Error("a keeper without an account service was made")
	}
	if _, err := newKeeper(keeperConfig{Account: svc, Kinds: []session.Kind{session.KindBackground}}); err != nil {
		t.Error(err)
	}
}

// TestRunnerPrunes: the leader prunes history older than HistoryKeep and
// class lists of days more than CacheKeepDays past, and keeps the rest.
func TestRunnerPrunes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-2*time.Hour), 0, 0)
	now := h.clock.Now()
	for _, at := range []time.Time{now.Add(-HistoryKeep - time.Hour), now.Add(-HistoryKeep + time.Hour)} {
		if _, err := h.store.Record(ctx, session.Event{At: at, Kind: "test.old", Message: "old"}); err != nil {
			t.Fatal(err)
		}
	}
	today := aimharder.DateOf(now)
	oldDay, keptDay := today.AddDays(-CacheKeepDays-1), today.AddDays(-CacheKeepDays)
	for _, d := range []aimharder.Date{oldDay, keptDay} {
		if err := h.store.CacheDay(ctx, h.box.ID, d, []byte(`{}`), now); err != nil {
			t.Fatal(err)
		}
	}
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true; c.Notify.Disabled = true })
	rs := startRunners(t, h, r)
	waitFor(t, "the prune", func() bool {
		_, err := h.store.CachedDay(ctx, h.box.ID, oldDay)
		return errors.Is(err, session.ErrNotFound)
	})
	rs.stop()
	events, _ := h.store.History(ctx, session.HistoryQuery{Kinds: []session.EventKind{"test.old"}})
	if len(events) != 1 || !events[0].At.After(now.Add(-HistoryKeep)) {
		t.Errorf("history after the prune: %v", events)
	}
	if _, err := h.store.CachedDay(ctx, h.box.ID, keptDay); err != nil {
		t.Errorf("a recent class list was pruned: %v", err)
	}
}
