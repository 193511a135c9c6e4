package session

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func loadZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utcAt(y int, mo time.Month, d, h, m int) time.Time {
	return time.Date(y, mo, d, h, m, 0, 0, time.UTC)
}

// TestWindowRuleOpensAtInBoxZone: the opening is box-local wall-clock
// arithmetic whatever location the class start is given in, across both
// 2026 clock changes (29 March and 25 October) in Madrid and the Canaries.
func TestWindowRuleOpensAtInBoxZone(t *testing.T) {
	madrid, canary := loadZone(t, "Europe/Madrid"), loadZone(t, "Atlantic/Canary")
	newYork := loadZone(t, "America/New_York")
	tests := []struct {
		name  string
		zone  string
		rule  string
		class time.Time // any location; converted for each variant below
		want  time.Time
	}{
		// October 2026 (last Sunday: 25 Oct). Madrid 03:00 CEST → 02:00 CET.
		{"madrid 4d across October", "Europe/Madrid", "4d",
			time.Date(2026, 10, 27, 19, 0, 0, 0, madrid), utcAt(2026, 10, 23, 17, 0)}, // Fri 19:00 CEST
		{"madrid 48h elapsed across October", "Europe/Madrid", "48h",
			time.Date(2026, 10, 27, 19, 0, 0, 0, madrid), utcAt(2026, 10, 25, 18, 0)},
		{"madrid 48h-wall across October", "Europe/Madrid", "48h-wall",
			time.Date(2026, 10, 26, 10, 0, 0, 0, madrid), utcAt(2026, 10, 24, 8, 0)}, // Sat 10:00 CEST
		{"madrid fixed hour, local day differs from the UTC day", "Europe/Madrid", "2d@12:00",
			time.Date(2026, 10, 27, 0, 30, 0, 0, madrid), utcAt(2026, 10, 25, 11, 0)}, // Sun 12:00 CET
		{"madrid 1d into the October overlap: the earlier instant", "Europe/Madrid", "1d",
			time.Date(2026, 10, 26, 2, 30, 0, 0, madrid), utcAt(2026, 10, 25, 0, 30)}, // 02:30 CEST
		// March 2026 (last Sunday: 29 Mar). Madrid 02:00 CET → 03:00 CEST.
		{"madrid 4d across March", "Europe/Madrid", "4d",
			time.Date(2026, 4, 1, 19, 0, 0, 0, madrid), utcAt(2026, 3, 28, 18, 0)}, // Sat 19:00 CET
		{"madrid 1d into the March gap: the jump", "Europe/Madrid", "1d",
			time.Date(2026, 3, 30, 2, 30, 0, 0, madrid), utcAt(2026, 3, 29, 1, 0)}, // 03:00 CEST
		{"madrid fixed midnight across March", "Europe/Madrid", "0d@00:00",
			time.Date(2026, 3, 29, 20, 0, 0, 0, madrid), utcAt(2026, 3, 28, 23, 0)}, // 00:00 CET
		// Canaries: one hour behind, changing at 01:00 local.
		{"canary 4d across October", "Atlantic/Canary", "4d",
			time.Date(2026, 10, 27, 19, 0, 0, 0, canary), utcAt(2026, 10, 23, 18, 0)}, // Fri 19:00 WEST
		{"canary fixed hour across October", "Atlantic/Canary", "2d@12:00",
			time.Date(2026, 10, 27, 7, 0, 0, 0, canary), utcAt(2026, 10, 25, 12, 0)}, // Sun 12:00 WET
		{"canary 4d across March", "Atlantic/Canary", "4d",
			time.Date(2026, 4, 1, 8, 0, 0, 0, canary), utcAt(2026, 3, 28, 8, 0)}, // Sat 08:00 WET
		{"canary 1d into the March gap: the jump", "Atlantic/Canary", "1d",
			time.Date(2026, 3, 30, 1, 30, 0, 0, canary), utcAt(2026, 3, 29, 1, 0)}, // 02:00 WEST
		{"canary 1d into the October overlap: the earlier instant", "Atlantic/Canary", "1d",
			time.Date(2026, 10, 26, 1, 30, 0, 0, canary), utcAt(2026, 10, 25, 0, 30)}, // 01:30 WEST
	}
	for _, tt := range tests {
		box := Box{ID: 1, Subdomain: "box", Timezone: tt.zone, LearnedWindow: tt.rule}
		rule := box.Rule()
		boxLoc := loadZone(t, tt.zone)
		variants := map[string]time.Time{
			"box zone": tt.class.In(boxLoc), "UTC": tt.class.UTC(), "Local": tt.class.In(time.Local),
			"New York": tt.class.In(newYork), "fixed +01:00": tt.class.In(time.FixedZone("", 3600)),
		}
		for given, start := range variants {
			got, ok := rule.OpensAt(start)
			if !ok || !got.Equal(tt.want) {
				t.Errorf("%s, start given in %s: OpensAt = %v %v, want %v", tt.name, given, got.UTC(), ok, tt.want)
				continue
			}
			if got.Location().String() != tt.zone {
				t.Errorf("%s, start given in %s: opening in %v, want the box's zone %v", tt.name, given, got.Location(), boxLoc)
			}
		}
	}
}

func TestBoxRuleSource(t *testing.T) {
	tests := []struct {
		name                    string
		box                     Box
		wantRule                string
		wantSource              RuleSource
		wantMember              string
		wantOpens, wantKnownLoc bool
	}{
		{"nothing", Box{Timezone: "Europe/Madrid"}, "", RuleUnknown, "", false, true},
		{"learned", Box{Timezone: "Europe/Madrid", LearnedWindow: "48h"}, "48h", RuleLearned, "", true, true},
		{"member wins", Box{Timezone: "Europe/Madrid", LearnedWindow: "48h", MemberWindow: "2d@12:00"},
			"2d@12:00", RuleMember, "2d@12:00", true, true},
		{"member only", Box{Timezone: "Europe/Madrid", MemberWindow: " 4D "}, "4d", RuleMember, "4d", true, true},
		{"unreadable member text falls back to the learned rule",
			Box{Timezone: "Europe/Madrid", LearnedWindow: "4d", MemberWindow: "soon"}, "4d", RuleLearned, "", true, true},
		{"unreadable learned text is unknown", Box{Timezone: "Europe/Madrid", LearnedWindow: "0d"}, "", RuleUnknown, "", false, true},
		{"zone that does not load: the rule is known, no opening",
			Box{Timezone: "Mars/Olympus", LearnedWindow: "4d"}, "4d", RuleLearned, "", false, false},
	}
	start := utcAt(2026, 10, 27, 18, 0)
	for _, tt := range tests {
		r := tt.box.Rule()
		if r.String() != tt.wantRule || r.Source != tt.wantSource || r.Known() != (tt.wantRule != "") {
			t.Errorf("%s: Rule() = %q %s known=%v, want %q %s", tt.name, r.String(), r.Source, r.Known(), tt.wantRule, tt.wantSource)
		}
		if m := tt.box.MemberRule(); m.String() != tt.wantMember || (m.Known() && m.Source != RuleMember) {
			t.Errorf("%s: MemberRule() = %q %s, want %q", tt.name, m.String(), m.Source, tt.wantMember)
		}
		if (r.Location != nil) != tt.wantKnownLoc {
			t.Errorf("%s: location %v", tt.name, r.Location)
		}
		if opens, ok := r.OpensAt(start); ok != tt.wantOpens || ok == opens.IsZero() {
			t.Errorf("%s: OpensAt = %v %v, want ok=%v", tt.name, opens, ok, tt.wantOpens)
		}
	}
	if _, ok := (WindowRule{}).OpensAt(start); ok {
		t.Error("the zero WindowRule gave an opening")
	}
	if _, ok := (Box{Timezone: "Europe/Madrid", LearnedWindow: "4d"}).Rule().OpensAt(time.Time{}); ok {
		t.Error("a zero class start gave an opening")
	}
}

func tooEarly(rule string) error {
	te := &aimharder.TooEarlyError{Key: aimharder.KeyTooEarlyDays, Message: "too early"}
	if rule != "" {
		r, err := aimharder.ParseRule(rule)
		if err != nil {
			panic(err)
		}
		te.Window, te.WindowKnown = r, true
	}
	return te
}

func TestBoxLearnFrom(t *testing.T) {
	madrid := Box{ID: 7, Subdomain: "box", Timezone: "Europe/Madrid"}
	with := func(learned, member string) Box {
		b := madrid
		b.LearnedWindow, b.MemberWindow = learned, member
		return b
	}
	tests := []struct {
		name         string
		box          Box
		err          error
		wantStated   string
		wantNew      bool
		wantDisagree bool
		wantLearned  string // the lesson's Box.LearnedWindow
	}{
		{"not a too-early answer", madrid, errors.New("boom"), "", false, false, ""},
		{"nil error", with("4d", ""), nil, "", false, false, "4d"},
		{"too early without a readable window", with("4d", ""), tooEarly(""), "", false, false, "4d"},
		{"first rule learned", madrid, tooEarly("4d"), "4d", true, false, "4d"},
		{"wrapped answer", madrid, fmt.Errorf("book: %w", tooEarly("48h")), "48h", true, false, "48h"},
		{"same as learned: nothing new", with("4d", ""), tooEarly("4d"), "4d", false, false, "4d"},
		{"differs from learned", with("4d", ""), tooEarly("3d"), "3d", true, false, "3d"},
		{"unreadable learned text is replaced", with("garbage", ""), tooEarly("3d"), "3d", true, false, "3d"},
		{"member disagrees", with("", "3d"), tooEarly("2d"), "2d", true, true, "2d"},
		{"member agrees", with("2d", "2d"), tooEarly("2d"), "2d", false, false, "2d"},
	}
	for _, tt := range tests {
		l := tt.box.LearnFrom(tt.err)
		if l.Stated.String() != tt.wantStated || l.New != tt.wantNew || l.MemberDisagrees != tt.wantDisagree ||
			l.Box.LearnedWindow != tt.wantLearned {
			t.Errorf("%s: lesson %q new=%v disagrees=%v learned=%q, want %q %v %v %q", tt.name,
				l.Stated.String(), l.New, l.MemberDisagrees, l.Box.LearnedWindow,
				tt.wantStated, tt.wantNew, tt.wantDisagree, tt.wantLearned)
		}
		if l.Stated.Known() && l.Stated.Source != RuleStated {
			t.Errorf("%s: stated rule's source %s", tt.name, l.Stated.Source)
		}
		if l.Box.MemberWindow != tt.box.MemberWindow || l.Box.ID != tt.box.ID {
			t.Errorf("%s: the lesson changed more than the learned window: %+v", tt.name, l.Box)
		}
	}

	// The stated rule is bound to the box's zone: a start given in UTC
	// opens at box-local wall time (4d across the October change).
	canary := Box{ID: 8, Subdomain: "islas", Timezone: "Atlantic/Canary"}
	opens, ok := canary.LearnFrom(tooEarly("4d")).Stated.OpensAt(utcAt(2026, 10, 27, 19, 0))
	if !ok || !opens.Equal(utcAt(2026, 10, 23, 18, 0)) || opens.Location().String() != "Atlantic/Canary" {
		t.Errorf("stated opening %v %v", opens, ok)
	}
}

func TestStoreLearnWindow(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 7, Subdomain: "box", Name: "Box"}}); err != nil {
		t.Fatal(err)
	}
	box, err := s.Box(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if box.Rule().Known() {
		t.Fatalf("a new box has a rule: %+v", box.Rule())
	}
	if stored, err := s.LearnWindow(ctx, box.LearnFrom(errors.New("boom"))); stored || err != nil {
		t.Errorf("nothing to learn: stored=%v %v", stored, err)
	}
	lesson := box.LearnFrom(tooEarly("4d"))
	if stored, err := s.LearnWindow(ctx, lesson); !stored || err != nil {
		t.Fatalf("stored=%v %v", stored, err)
	}
	box, err = s.Box(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if r := box.Rule(); r.String() != "4d" || r.Source != RuleLearned || box.LearnedWindowAt.IsZero() {
		t.Errorf("after learning: %q %s at %v", r.String(), r.Source, box.LearnedWindowAt)
	}
	if stored, err := s.LearnWindow(ctx, box.LearnFrom(tooEarly("4d"))); stored || err != nil {
		t.Errorf("the same rule again: stored=%v %v", stored, err)
	}
	gone := box.LearnFrom(tooEarly("3d"))
	gone.Box.ID = 99
	if stored, err := s.LearnWindow(ctx, gone); stored || !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown box: stored=%v %v", stored, err)
	}
}
