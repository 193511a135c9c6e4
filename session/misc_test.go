package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ahtui/ahtui/aimharder"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestBoxes(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{
		{ID: 10, Subdomain: "CrossFitX", Name: " CrossFit X "},
		{ID: 20, Subdomain: "canarias", Name: "Box Norte"},
	}); err != nil {
		t.Fatal(err)
	}
	b, err := s.BoxBySubdomain(ctx, "crossfitx")
	if err != nil || b.ID != 10 || b.Name != "CrossFit X" || b.Timezone != DefaultTimezone || b.TimezoneSetByMember || !b.Active {
		t.Fatalf("box: %+v, %v", b, err)
	}
	if err := s.SetBoxTimezone(ctx, 20, "Atlantic/Canary"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBoxTimezone(ctx, 20, "Mars/Olympus"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad timezone: %v", err)
	}
	if err := s.SetLearnedWindow(ctx, 20, "4d"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMemberWindow(ctx, 10, "2d@12:00"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLearnedWindow(ctx, 10, "48h"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMemberWindow(ctx, 99, "4d"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown box: %v", err)
	}

	// A later login lists only box 20, renamed: settings survive, box 10 goes inactive.
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 20, Subdomain: "canarias", Name: "Norte CF"}}); err != nil {
		t.Fatal(err)
	}
	boxes, err := s.Boxes(ctx)
	if err != nil || len(boxes) != 2 {
		t.Fatalf("boxes: %v %v", boxes, err)
	}
	canarias, crossfit := boxes[0], boxes[1]
	if canarias.ID != 20 || !canarias.Active || canarias.Name != "Norte CF" ||
		canarias.Timezone != "Atlantic/Canary" || !canarias.TimezoneSetByMember ||
		canarias.Rule().String() != "4d" || canarias.Rule().Source != RuleLearned || canarias.LearnedWindowAt.IsZero() {
		t.Errorf("canarias: %+v", canarias)
	}
	if crossfit.Active || crossfit.Rule().String() != "2d@12:00" || crossfit.Rule().Source != RuleMember || crossfit.LearnedWindow != "48h" {
		t.Errorf("crossfit: %+v", crossfit)
	}
	if loc, err := canarias.Location(); err != nil || loc.String() != "Atlantic/Canary" {
		t.Errorf("location: %v %v", loc, err)
	}
	if err := s.SetBoxTimezone(ctx, 20, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Box(ctx, 20); b.Timezone != DefaultTimezone || b.TimezoneSetByMember {
		t.Errorf("reset timezone: %+v", b)
	}
	if _, err := s.Box(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing box: %v", err)
	}
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 0, Subdomain: "x"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("box without id: %v", err)
	}
}

func TestSettings(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	th, err := s.Thresholds(ctx)
	if err != nil || th.RefreshAfter != 18*time.Minute || th.RefreshBeforeFire != 25*time.Minute {
		t.Fatalf("default thresholds: %+v %v", th, err)
	}
	if err := s.SetSetting(ctx, SettingRefreshAfter, "10m"); err != nil {
		t.Fatal(err)
	}
	if th, _ := s.Thresholds(ctx); th.RefreshAfter != 10*time.Minute || th.RefreshBeforeFire != 25*time.Minute {
		t.Errorf("thresholds: %+v", th)
	}
	for key, value := range map[string]string{
		SettingRefreshBeforeFire: "soon", SettingRefreshAfter: "-1m", SettingCurrentBox: "abc",
		"Bad Key": "x", "": "x",
	} {
		if err := s.SetSetting(ctx, key, value); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetSetting(%q, %q) = %v, want ErrInvalid", key, value, err)
		}
	}
	if _, err := s.CurrentBox(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("no current box: %v", err)
	}
	if err := s.SetCurrentBox(ctx, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown current box: %v", err)
	}
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 10, Subdomain: "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCurrentBox(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if b, err := s.CurrentBox(ctx); err != nil || b.ID != 10 {
		t.Errorf("current box: %+v %v", b, err)
	}
	if err := s.SetSetting(ctx, SettingNotifyCommand, "notify-send ahtui"); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Settings(ctx)
	if all[SettingNotifyCommand] != "notify-send ahtui" || all[SettingCurrentBox] != "10" {
		t.Errorf("settings: %v", all)
	}
	if err := s.UnsetSetting(ctx, SettingNotifyCommand); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Setting(ctx, SettingNotifyCommand); ok {
		t.Error("unset setting still set")
	}

	// Switching family member drops cached lists (they show the other member's bookings).
	if err := s.CacheDay(ctx, 10, classDay, []byte(`[]`), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, SettingFamilyID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CachedDay(ctx, 10, classDay); err != nil {
		t.Error("setting the same family member cleared the cache")
	}
	if err := s.SetSetting(ctx, SettingFamilyID, "123"); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.FamilyID(ctx); id != "123" {
		t.Errorf("family id %q", id)
	}
	if _, err := s.CachedDay(ctx, 10, classDay); !errors.Is(err, ErrNotFound) {
		t.Errorf("cache after switching family member: %v", err)
	}
}

func TestClassCache(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CachedDay(ctx, 1, classDay); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty cache: %v", err)
	}
	fetched := clock.Now().Add(-time.Minute)
	if err := s.CacheDay(ctx, 1, classDay, []byte(`{"v":1}`), fetched); err != nil {
		t.Fatal(err)
	}
	if err := s.CacheDay(ctx, 1, classDay, []byte(`{"v":2}`), time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, err := s.CachedDay(ctx, 1, classDay)
	if err != nil || string(c.Body) != `{"v":2}` || !c.FetchedAt.Equal(clock.Now()) || c.Day != classDay {
		t.Errorf("cached: %+v %v", c, err)
	}
	if err := s.CacheDay(ctx, 1, classDay, []byte(`not json`), fetched); !errors.Is(err, ErrInvalid) {
		t.Errorf("not json: %v", err)
	}
	if err := s.CacheDay(ctx, 1, classDay.AddDays(-7), []byte(`[]`), fetched); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneCache(ctx, classDay); err != nil || n != 1 {
		t.Errorf("prune: %d %v", n, err)
	}
	if _, err := s.CachedDay(ctx, 1, classDay.AddDays(-7)); !errors.Is(err, ErrNotFound) {
		t.Errorf("after prune: %v", err)
	}
}

func TestHistory(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	for i := range 5 {
		clock.Advance(time.Minute)
		kind := EventKind("book")
		if i%2 == 1 {
			kind = "cancel"
		}
		e, err := s.Record(ctx, Event{Kind: kind, BoxID: 1, ClassID: int64(i), Day: classDay,
			Message: fmt.Sprintf("event %d", i), Details: json.RawMessage(`{"i":` + fmt.Sprint(i) + `}`)})
		if err != nil || e.ID == 0 || !e.At.Equal(clock.Now()) {
			t.Fatalf("record: %+v %v", e, err)
		}
	}
	if _, err := s.Record(ctx, Event{Message: "no kind"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no kind: %v", err)
	}
	if _, err := s.Record(ctx, Event{Kind: "x", Details: json.RawMessage(`{`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad details: %v", err)
	}
	all, err := s.History(ctx, HistoryQuery{})
	if err != nil || len(all) != 5 || all[0].Message != "event 4" || all[4].Day != classDay || string(all[4].Details) != `{"i":0}` {
		t.Fatalf("history: %+v %v", all, err)
	}
	page, _ := s.History(ctx, HistoryQuery{Limit: 2, BeforeID: all[1].ID})
	if len(page) != 2 || page[0].ID != all[2].ID {
		t.Errorf("page: %+v", page)
	}
	cancels, _ := s.History(ctx, HistoryQuery{Kinds: []EventKind{"cancel"}, BoxID: 1})
	if len(cancels) != 2 {
		t.Errorf("cancels: %d", len(cancels))
	}
	if n, err := s.PruneHistory(ctx, all[2].At); err != nil || n != 2 {
		t.Errorf("prune: %d %v", n, err)
	}
}

func TestRunnerLease(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	if _, err := s.CurrentRunnerLease(ctx, "runner"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no lease yet: %v", err)
	}
	a, err := s.AcquireRunnerLease(ctx, "runner", "proc-a", time.Minute)
	if err != nil || a.Owner != "proc-a" || a.PID == 0 || !a.ExpiresAt.Equal(clock.Now().Add(time.Minute)) || !a.Live(clock.Now()) {
		t.Fatalf("acquire: %+v %v", a, err)
	}
	_, err = s.AcquireRunnerLease(ctx, "runner", "proc-b", time.Minute)
	var held *LeaseHeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrLeaseHeld) || held.Owner != "proc-a" {
		t.Fatalf("second acquire: %v", err)
	}
	clock.Advance(30 * time.Second)
	renewed, err := s.RenewRunnerLease(ctx, "runner", "proc-a", time.Minute)
	if err != nil || !renewed.HeartbeatAt.Equal(clock.Now()) || !renewed.AcquiredAt.Equal(a.AcquiredAt) {
		t.Errorf("renew: %+v %v", renewed, err)
	}
	again, err := s.AcquireRunnerLease(ctx, "runner", "proc-a", time.Minute)
	if err != nil || !again.AcquiredAt.Equal(a.AcquiredAt) {
		t.Errorf("re-acquire by the holder keeps acquired_at: %+v %v", again, err)
	}
	clock.Advance(2 * time.Minute)
	if cur, _ := s.CurrentRunnerLease(ctx, "runner"); cur.Live(clock.Now()) {
		t.Error("an expired lease reads as live")
	}
	b, err := s.AcquireRunnerLease(ctx, "runner", "proc-b", time.Minute)
	if err != nil || b.Owner != "proc-b" || !b.AcquiredAt.Equal(clock.Now()) {
		t.Fatalf("takeover: %+v %v", b, err)
	}
	if _, err := s.RenewRunnerLease(ctx, "runner", "proc-a", time.Minute); !errors.Is(err, ErrLeaseNotHeld) {
		t.Errorf("renew after losing it: %v", err)
	}
	if err := s.ReleaseRunnerLease(ctx, "runner", "proc-a"); !errors.Is(err, ErrLeaseNotHeld) {
		t.Errorf("release by a loser: %v", err)
	}
	if err := s.ReleaseRunnerLease(ctx, "runner", "proc-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CurrentRunnerLease(ctx, "runner"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after release: %v", err)
	}

	// Racing for a free lease: one winner.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners int
	)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.AcquireRunnerLease(ctx, "race", fmt.Sprintf("proc-%d", i), time.Minute)
			if err == nil {
				mu.Lock()
				winners++
				mu.Unlock()
			} else if !errors.Is(err, ErrLeaseHeld) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if winners != 1 {
		t.Errorf("%d winners", winners)
	}
}

func TestRedact(t *testing.T) {
	creds := aimharder.Credentials{Token: "tok-abcdef", Cookies: map[string]string{"a": "c00kie", "b": "ab"}}
	got := redact("sent tok-abcdef and cookie c00kie, short ab", creds)
	if got != "sent [redacted] and cookie [redacted], short ab" {
		t.Errorf("redact = %q", got)
	}
	long := redact(strings.Repeat("é", 400))
	if len(long) > 510 || !utf8.ValidString(long) {
		t.Errorf("truncation: %d bytes, valid UTF-8 %v", len(long), utf8.ValidString(long))
	}
}

func TestPasswordCommandBlankIsNone(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	if _, ok, err := s.PasswordCommand(ctx); ok || err != nil {
		t.Fatalf("unset: ok %v, err %v", ok, err)
	}
	if err := s.SetSetting(ctx, SettingPasswordCommand, "   "); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.PasswordCommand(ctx); ok {
		t.Error("a blank password_command counts as configured")
	}
	if err := s.SetSetting(ctx, SettingPasswordCommand, " pass show aimharder \n"); err != nil {
		t.Fatal(err)
	}
	if cmd, ok, _ := s.PasswordCommand(ctx); !ok || cmd != "pass show aimharder" {
		t.Errorf("got %q, %v", cmd, ok)
	}
}
