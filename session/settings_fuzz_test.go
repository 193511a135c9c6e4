package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// FuzzSettings: any key and value given to the settings API either are
// refused with ErrInvalid (ErrNotFound for an unknown current box),
// leaving every setting and box as it was, or are stored so that the
// readers (Thresholds, CurrentBox, FamilyID, PasswordCommand, Box) get
// the value back, and its canonical form is accepted again unchanged.
//
//	go test ./session -run '^$' -fuzz '^FuzzSettings$' -fuzztime 30s
func FuzzSettings(f *testing.F) {
	for _, kv := range [][2]string{
		{SettingRefreshAfter, "18m"}, {SettingRefreshAfter, "1h0m0s"}, {SettingRefreshAfter, "-1s"}, {SettingRefreshAfter, "0"},
		{SettingRefreshBeforeFire, "25m"}, {SettingRefreshBeforeFire, "+1.5h"}, {SettingRefreshBeforeFire, " 25m"},
		{SettingRefreshBeforeFire, "2562047h47m16.854775807s"}, {SettingRefreshAfter, "9999999999h"},
		{SettingCurrentBox, "502"}, {SettingCurrentBox, "0502"}, {SettingCurrentBox, "+501"}, {SettingCurrentBox, "999"},
		{SettingCurrentBox, "9223372036854775808"}, {SettingFamilyID, " 4243 "}, {SettingFamilyID, ""},
		{SettingPasswordCommand, "pass show aimharder"}, {SettingPasswordCommand, "  "},
		{SettingNotifyCommand, "x\x00y"}, {SettingNotifyCommand, "\xff\xfe"}, {SettingLanguage, "es"},
		{"Refresh_After", "18m"}, {"a", "Atlantic/Canary"}, {"z", "Local"}, {"z", "../../etc/passwd"},
		{"z", " Europe/Madrid "}, {"x" + strings.Repeat("y", 64), "v"}, {"", ""}, {"a\n", "v"}, {"9", "v"},
	} {
		f.Add(kv[0], kv[1])
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(f.TempDir(), "ahtui.db"), WithClock(newTestClock().Now))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 501, Subdomain: "norte", Name: "Norte"}, {ID: 502, Subdomain: "isla", Name: "Isla"}}); err != nil {
		f.Fatal(err)
	}
	const boxID = 502

	f.Fuzz(func(t *testing.T, key, value string) {
		ctx := t.Context()
		before := settingsSnapshot(t, s)

		// Named settings.
		err := s.SetSetting(ctx, key, value)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !(key == SettingCurrentBox && errors.Is(err, ErrNotFound)) {
				t.Fatalf("SetSetting(%q, %q): unexpected error %v", key, value, err)
			}
			if after := settingsSnapshot(t, s); after != before {
				t.Fatalf("SetSetting(%q, %q) failed (%v) but changed:\n%s\n→\n%s", key, value, err, before, after)
			}
		} else {
			if got, ok, err := s.Setting(ctx, key); err != nil || !ok || got != value {
				t.Fatalf("SetSetting(%q, %q) reads back %q, %v, %v", key, value, got, ok, err)
			}
			canonical := checkSettingReaders(t, s, key, value)
			if err := s.SetSetting(ctx, key, canonical); err != nil {
				t.Fatalf("%s: canonical %q (of %q) refused: %v", key, canonical, value, err)
			}
			if again := checkSettingReaders(t, s, key, canonical); again != canonical {
				t.Fatalf("%s: canonical %q becomes %q", key, canonical, again)
			}
		}

		// The same value as a box's timezone and window rule.
		before = settingsSnapshot(t, s)
		if err := s.SetBoxTimezone(ctx, boxID, value); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("SetBoxTimezone(%q): unexpected error %v", value, err)
			}
			if after := settingsSnapshot(t, s); after != before {
				t.Fatalf("SetBoxTimezone(%q) failed (%v) but changed:\n%s\n→\n%s", value, err, before, after)
			}
		} else {
			b := mustBox(t, s, boxID)
			want, byMember := strings.TrimSpace(value), true
			if want == "" {
				want, byMember = DefaultTimezone, false
			}
			if b.Timezone != want || b.TimezoneSetByMember != byMember {
				t.Fatalf("SetBoxTimezone(%q) gives %q (by member %v)", value, b.Timezone, b.TimezoneSetByMember)
			}
			loc, err := b.Location()
			if err != nil {
				t.Fatalf("timezone %q accepted but does not load: %v", b.Timezone, err)
			}
			if loc == time.Local {
				t.Fatalf("timezone %q accepted: it is the machine's zone, not the box's", b.Timezone)
			}
			if err := s.SetBoxTimezone(ctx, boxID, b.Timezone); err != nil || mustBox(t, s, boxID).Timezone != b.Timezone {
				t.Fatalf("canonical timezone %q: %v", b.Timezone, err)
			}
		}
		// The store keeps window rules as text; the aimharder package reads them.
		if err := s.SetMemberWindow(ctx, boxID, value); err != nil {
			t.Fatalf("SetMemberWindow(%q): %v", value, err)
		}
		if b := mustBox(t, s, boxID); b.MemberWindow != strings.TrimSpace(value) {
			t.Fatalf("SetMemberWindow(%q) reads back %q", value, b.MemberWindow)
		} else if rule, err := aimharder.ParseRule(b.MemberWindow); err == nil && rule.String() == "" {
			t.Fatalf("window %q parses to a rule without text", b.MemberWindow)
		}
	})
}

// checkSettingReaders asserts that the reader of a stored setting gets it
// and returns the setting's canonical text.
func checkSettingReaders(t *testing.T, s *Store, key, value string) string {
	t.Helper()
	ctx := t.Context()
	switch key {
	case SettingRefreshAfter, SettingRefreshBeforeFire:
		th, err := s.Thresholds(ctx)
		if err != nil {
			t.Fatalf("%s = %q stored, but Thresholds fails: %v", key, value, err)
		}
		got := th.RefreshAfter
		if key == SettingRefreshBeforeFire {
			got = th.RefreshBeforeFire
		}
		if d, _ := time.ParseDuration(value); got != d || d <= 0 {
			t.Fatalf("%s = %q reads as %v", key, value, got)
		}
		return got.String()
	case SettingCurrentBox:
		b, err := s.CurrentBox(ctx)
		if err != nil {
			t.Fatalf("current_box = %q stored, but CurrentBox fails: %v", value, err)
		}
		if id, _ := strconv.ParseInt(value, 10, 64); b.ID != id {
			t.Fatalf("current_box = %q reads as box %d", value, b.ID)
		}
		return strconv.FormatInt(b.ID, 10)
	case SettingFamilyID:
		id, err := s.FamilyID(ctx)
		if err != nil || id != strings.TrimSpace(value) {
			t.Fatalf("family_id = %q reads as %q, %v", value, id, err)
		}
		return id
	case SettingPasswordCommand:
		cmd, ok, err := s.PasswordCommand(ctx)
		if err != nil || cmd != strings.TrimSpace(value) || ok != (cmd != "") {
			t.Fatalf("password_command = %q reads as %q, %v, %v", value, cmd, ok, err)
		}
		return cmd
	}
	return value
}

// settingsSnapshot renders every setting and every box's local settings.
func settingsSnapshot(t *testing.T, s *Store) string {
	t.Helper()
	settings, err := s.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := s.Boxes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		fmt.Fprintf(&b, "%q=%q\n", k, settings[k])
	}
	for _, x := range boxes {
		fmt.Fprintf(&b, "%d %q %v %q %q\n", x.ID, x.Timezone, x.TimezoneSetByMember, x.MemberWindow, x.LearnedWindow)
	}
	return b.String()
}

func mustBox(t *testing.T, s *Store, id int64) Box {
	t.Helper()
	b, err := s.Box(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
