package aimhardertest

import (
	"strings"
	"testing"
	"time"
)

func TestParseWindowRule(t *testing.T) {
	for in, want := range map[string]WindowRule{
		"4d":       {Kind: RuleSlidingDays, Days: 4},
		"48h":      {Kind: RuleSlidingHours, Hours: 48},
		"48h wall": {Kind: RuleSlidingHours, Hours: 48, WallClockHours: true},
		"2d@12:00": {Kind: RuleFixedHour, Days: 2, Hour: 12},
		"1d@20:00": {Kind: RuleFixedHour, Days: 1, Hour: 20},
		"0d@00:00": {Kind: RuleFixedHour},
		"none":     {},
	} {
		got, err := ParseWindowRule(in)
		if err != nil || got != want {
			t.Fatalf("ParseWindowRule(%q) = %+v, %v", in, got, err)
		}
		if back, _ := ParseWindowRule(got.String()); back != got {
			t.Fatalf("%q does not round-trip: %q", in, got.String())
		}
	}
	for _, bad := range []string{"4", "d", "-1d", "0d", "48x", "2d@25:00", "2d@12", "48h fast", "0h"} {
		if _, err := ParseWindowRule(bad); err == nil {
			t.Errorf("ParseWindowRule(%q) accepted", bad)
		}
	}
}

func TestOpensAtWorkedExamples(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, madrid) }
	utc := func(d, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		rule  string
		start time.Time
		want  time.Time
	}{
		{"4d", at(2026, 10, 27, 19), utc(23, 17)},
		{"2d@12:00", at(2026, 10, 26, 9), utc(24, 10)},
		{"2d@12:00", at(2026, 10, 27, 9), utc(25, 11)},
		{"48h", at(2026, 10, 26, 9), utc(24, 8)},
		{"48h wall", at(2026, 10, 26, 9), utc(24, 7)},
		{"0d@00:00", at(2026, 10, 26, 9), time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC)},
	} {
		if got := MustParseWindowRule(tc.rule).OpensAt(tc.start); !got.Equal(tc.want) {
			t.Errorf("%s for %v: %v, want %v", tc.rule, tc.start, got.UTC(), tc.want)
		}
	}
	if !(WindowRule{}).OpensAt(t0).IsZero() {
		t.Errorf("RuleNone has no opening")
	}
}

func TestValidateRejectsDSTHours(t *testing.T) {
	base := func(mod func(*BoxConfig)) World {
		w := World{Boxes: []BoxConfig{{ID: 1, Sub: "x", Name: "X"}},
			Users: []UserConfig{{ID: 1, Email: "a@b.c", Password: "p", Roles: []RoleConfig{{Box: "x"}}}}}
		mod(&w.Boxes[0])
		return w
	}
	tmpl := func(start string, minutes int, days ...time.Weekday) ClassTemplate {
		return ClassTemplate{Start: start, Minutes: minutes, Name: "WOD", Weekdays: days}
	}
	for name, tc := range map[string]struct {
		mod func(*BoxConfig)
		ok  bool
	}{
		"Sunday 02:30 (missing in March, repeated in October)": {func(b *BoxConfig) { b.Template = []ClassTemplate{tmpl("02:30", 60, time.Sunday)} }, false},
		"every day 02:00":                            {func(b *BoxConfig) { b.Template = []ClassTemplate{tmpl("02:00", 30)} }, false},
		"01:30 for 90 min runs through the change":   {func(b *BoxConfig) { b.Template = []ClassTemplate{tmpl("01:30", 90)} }, false},
		"01:00 for 60 min ends as the change starts": {func(b *BoxConfig) { b.Template = []ClassTemplate{tmpl("01:00", 60)} }, true},
		"Monday 02:30 never meets a change":          {func(b *BoxConfig) { b.Template = []ClassTemplate{tmpl("02:30", 60, time.Monday)} }, true},
		"03:00 every day":                            {func(b *BoxConfig) { b.Template = []ClassTemplate{tmpl("03:00", 60)} }, true},
		"extra class in the repeated hour": {func(b *BoxConfig) {
			b.Extra = []ExtraClass{{Date: date(2026, 10, 25), ClassTemplate: tmpl("02:15", 30)}}
		}, false},
		"extra class at 02:15 the next day": {func(b *BoxConfig) {
			b.Extra = []ExtraClass{{Date: date(2026, 10, 26), ClassTemplate: tmpl("02:15", 30)}}
		}, true},
		"fixed opening at 02:30": {func(b *BoxConfig) { b.Window = MustParseWindowRule("1d@02:30") }, false},
		"Canary Sunday 01:30": {func(b *BoxConfig) {
			b.Timezone = "Atlantic/Canary"
			b.Template = []ClassTemplate{tmpl("01:30", 30, time.Sunday)}
		}, false},
		"Canary Sunday 02:30": {func(b *BoxConfig) {
			b.Timezone = "Atlantic/Canary"
			b.Template = []ClassTemplate{tmpl("02:30", 30, time.Sunday)}
		}, true},
	} {
		err := base(tc.mod).Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", name, err)
		}
		if err != nil && !tc.ok && !strings.Contains(err.Error(), "DST") && !strings.Contains(err.Error(), "missing or repeated") {
			t.Errorf("%s: unhelpful error %v", name, err)
		}
	}
}

func TestValidateRejectsBadWorlds(t *testing.T) {
	good := func() World {
		return World{Boxes: []BoxConfig{{ID: 1, Sub: "x", Name: "X", Template: []ClassTemplate{{Start: "07:00", Name: "WOD"}}}},
			Users: []UserConfig{{ID: 1, Email: "a@b.c", Password: "p", Roles: []RoleConfig{{Box: "x"}}}}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good world: %v", err)
	}
	for name, mod := range map[string]func(*World){
		"no boxes":         func(w *World) { w.Boxes = nil },
		"duplicate boid":   func(w *World) { w.Boxes = append(w.Boxes, BoxConfig{ID: 1, Sub: "y"}) },
		"duplicate sub":    func(w *World) { w.Boxes = append(w.Boxes, BoxConfig{ID: 2, Sub: "x"}) },
		"bad sub":          func(w *World) { w.Boxes[0].Sub = "Bad Sub" },
		"www":              func(w *World) { w.Boxes[0].Sub = "www" },
		"bad zone":         func(w *World) { w.Boxes[0].Timezone = "Mars/Olympus" },
		"bad start":        func(w *World) { w.Boxes[0].Template[0].Start = "7am" },
		"past midnight":    func(w *World) { w.Boxes[0].Template[0].Start, w.Boxes[0].Template[0].Minutes = "23:30", 60 },
		"unnamed class":    func(w *World) { w.Boxes[0].Template[0].Name = " " },
		"bad rule":         func(w *World) { w.Boxes[0].Window = WindowRule{Kind: RuleSlidingDays} },
		"role in nowhere":  func(w *World) { w.Users[0].Roles = []RoleConfig{{Box: "zzz"}} },
		"bad language":     func(w *World) { w.Users[0].Language = "fr" },
		"duplicate e-mail": func(w *World) { w.Users = append(w.Users, UserConfig{ID: 2, Email: "A@b.c", Password: "p"}) },
		"duplicate id":     func(w *World) { w.Users[0].Family = []MemberConfig{{ID: 1}} },
		"no password":      func(w *World) { w.Users[0].Password = "" },
		"too many classes": func(w *World) {
			for i := range 65 {
				w.Boxes[0].Template = append(w.Boxes[0].Template, ClassTemplate{Start: "08:00", Name: "WOD", Minutes: i%5 + 1})
			}
		},
	} {
		w := good()
		mod(&w)
		if err := w.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Errorf("New must panic on an invalid world")
		}
	}()
	New(World{})
}
