package session

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// RuleSource says where a box's booking-window rule comes from.
type RuleSource string

const (
	RuleUnknown RuleSource = "unknown" // neither the member nor the server told it
	RuleMember  RuleSource = "member"  // set by the member; wins over the learned one
	RuleLearned RuleSource = "learned" // learned from a "too early" answer
	RuleStated  RuleSource = "stated"  // stated by one "too early" answer just now
)

// WindowRule is a booking-window rule bound to its box: the rule, where it
// comes from, and the box's time zone, in which every opening is computed
// (docs/protocol.md §9). The zero WindowRule is unknown.
type WindowRule struct {
	Rule     aimharder.Rule // invalid (zero) when unknown
	Source   RuleSource
	Location *time.Location // the box's zone; nil when it does not load
	// Confirmed: an opening confirmed the rule, or the member set it. A
	// learned rule read from a "too early" text alone ("N días") is an
	// assumption: the box may open at a fixed hour (docs/protocol.md §9).
	Confirmed bool
	// OpensEarlier: a booking was accepted before the learned rule's
	// opening, so the box opens earlier (at a fixed hour); the scheduler
	// looks for it from the day's earliest plausible instant.
	OpensEarlier bool
	// RefusedThrough, when not zero, is one more than the minute of the
	// opening day (wall clock, 0 for 00:00) through which a search's
	// request was refused as too early: the opening is after it, and the
	// next search starts there (docs/protocol.md §9.3).
	RefusedThrough int
}

// Learned-rule states (Box.LearnedWindowState). An unconfirmed state may
// carry ">HH:MM", the instant of the opening day a search found too
// early (WindowRule.RefusedThrough): "earlier>17:30", ">10:00".
const (
	WindowConfirmed    = "confirmed"
	WindowOpensEarlier = "earlier"
)

// WindowState is the stored state for base ("", WindowConfirmed or
// WindowOpensEarlier) and a RefusedThrough (0: none).
func WindowState(base string, refusedThrough int) string {
	if refusedThrough <= 0 || base == WindowConfirmed {
		return base
	}
	m := refusedThrough - 1
	return fmt.Sprintf("%s>%02d:%02d", base, m/60, m%60)
}

// parseWindowState reads a stored state into its base and RefusedThrough.
func parseWindowState(state string) (string, int) {
	base, at, ok := strings.Cut(state, ">")
	if !ok {
		return state, 0
	}
	var h, m int
	if n, err := fmt.Sscanf(at, "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return base, 0
	}
	return base, h*60 + m + 1
}

// RefusedUntil is the instant of day (in the rule's zone) through which
// a search found the box too early; false when none is known.
func (w WindowRule) RefusedUntil(day aimharder.Date) (time.Time, bool) {
	if w.RefusedThrough <= 0 || w.Location == nil {
		return time.Time{}, false
	}
	m := w.RefusedThrough - 1
	return time.Date(day.Year, day.Month, day.Day, m/60, m%60, 0, 0, w.Location), true
}

// State is the stored state of the rule (Box.LearnedWindowState).
func (w WindowRule) State() string {
	base := ""
	switch {
	case w.Confirmed:
		base = WindowConfirmed
	case w.OpensEarlier:
		base = WindowOpensEarlier
	}
	return WindowState(base, w.RefusedThrough)
}

// Assumed reports whether the rule is learned and no opening has
// confirmed it yet.
func (w WindowRule) Assumed() bool { return w.Known() && w.Source == RuleLearned && !w.Confirmed }

// Known reports whether there is a rule.
func (w WindowRule) Known() bool { return w.Rule.Valid() }

// String is the rule as ParseRule reads it; "" when unknown.
func (w WindowRule) String() string { return w.Rule.String() }

// OpensAt returns when a class of the box starting at classStart becomes
// bookable, computed and returned in the box's zone whatever location
// classStart is given in (UTC from the store, time.Local, another box's
// zone). false when the rule is unknown or the box's zone does not load.
func (w WindowRule) OpensAt(classStart time.Time) (time.Time, bool) {
	if !w.Known() || w.Location == nil || classStart.IsZero() {
		return time.Time{}, false
	}
	opens := w.Rule.OpeningIn(w.Location, classStart)
	return opens, !opens.IsZero()
}

// Rule returns the booking-window rule in force at the box: the member's
// when set, else the learned one, else an unknown rule. Stored text that
// does not parse counts as unset.
func (b Box) Rule() WindowRule {
	if r := b.MemberRule(); r.Known() {
		return r
	}
	if r, ok := parseStoredRule(b.LearnedWindow); ok {
		state, refused := parseWindowState(b.LearnedWindowState)
		return WindowRule{Rule: r, Source: RuleLearned, Location: b.zone(),
			Confirmed:    state == WindowConfirmed,
			OpensEarlier: state == WindowOpensEarlier, RefusedThrough: refused}
	}
	return WindowRule{Source: RuleUnknown, Location: b.zone()}
}

// MemberRule returns the rule the member set for the box; unknown when
// none is set.
func (b Box) MemberRule() WindowRule {
	if r, ok := parseStoredRule(b.MemberWindow); ok {
		return WindowRule{Rule: r, Source: RuleMember, Location: b.zone(), Confirmed: true}
	}
	return WindowRule{Source: RuleUnknown, Location: b.zone()}
}

func (b Box) zone() *time.Location {
	loc, err := b.Location()
	if err != nil {
		return nil
	}
	return loc
}

func parseStoredRule(text string) (aimharder.Rule, bool) {
	if strings.TrimSpace(text) == "" {
		return aimharder.Rule{}, false
	}
	r, err := aimharder.ParseRule(text)
	return r, err == nil
}

// zeroDays finds "0 días" (es, ca, en) in a "too early" text.
var zeroDays = regexp.MustCompile(`(?i)(?:^|\D)0\s+(?:d[ií]as?|dies|days?)\b`)

// WindowLesson is what one "too early" answer teaches about its box's
// booking window.
type WindowLesson struct {
	Box Box // the box; LearnedWindow already updated when New
	// Stated is the rule the answer stated (Source RuleStated), bound to
	// the box's zone; unknown when the answer gave no readable window.
	Stated WindowRule
	// New: the stated rule differs from the box's learned one, so it is
	// to be recorded (Store.LearnWindow).
	New bool
	// MemberDisagrees: the member set a rule and the server stated a
	// different one (the member's still wins; the member is told).
	MemberDisagrees bool
}

// LearnFrom reads what a booking refusal teaches about the box's window.
// Any error is accepted: only an *aimharder.TooEarlyError stating a
// window teaches something; anything else gives a lesson with an unknown
// Stated rule.
func (b Box) LearnFrom(err error) WindowLesson {
	l := WindowLesson{Box: b, Stated: WindowRule{Source: RuleUnknown, Location: b.zone()}}
	var te *aimharder.TooEarlyError
	if !errors.As(err, &te) {
		return l
	}
	stated := te.Window
	if !te.WindowKnown || !stated.Valid() {
		if !zeroDays.MatchString(te.Message) {
			return l
		}
		// "0 días": the same day, at an hour the text does not give; its
		// earliest plausible instant stands in until an opening tells
		// (docs/protocol.md §9).
		stated = aimharder.Rule{Kind: aimharder.RuleFixedHour}
	}
	l.Stated = WindowRule{Rule: stated, Source: RuleStated, Location: l.Stated.Location}
	if learned, ok := parseStoredRule(b.LearnedWindow); !ok || !SaysSame(learned, stated) {
		l.New = true
		l.Box.LearnedWindow = stated.String()
		l.Box.LearnedWindowState = ""
	}
	if member := b.MemberRule(); member.Known() && !SaysSame(member.Rule, stated) {
		l.MemberDisagrees = true
	}
	return l
}

// LearnWindow records a lesson's stated rule as the box's learned window
// when it is new; it reports whether it stored one.
func (s *Store) LearnWindow(ctx context.Context, l WindowLesson) (bool, error) {
	if !l.New || !l.Stated.Known() {
		return false, nil
	}
	if err := s.SetLearnedWindow(ctx, l.Box.ID, l.Stated.String()); err != nil {
		return false, err
	}
	return true, nil
}

// SaysSame reports whether rule r agrees with the rule a "too early"
// answer stated: the same rule, or — the answer says only "N días" — a
// fixed hour N days before (AimHarder states "2 días" for 2d@12:00 too).
func SaysSame(r, stated aimharder.Rule) bool {
	if r == stated {
		return true
	}
	if r.Kind != aimharder.RuleFixedHour {
		return false
	}
	switch stated.Kind {
	case aimharder.RuleSlidingDays:
		return r.Days == stated.Days
	case aimharder.RuleFixedHour: // "0 días": the same day, at some hour
		return r.Days == stated.Days && stated.Hour == 0 && stated.Minute == 0
	}
	return false
}

// Plausible instants at which boxes open booking at a fixed hour, the
// common ones first (docs/protocol.md §9): whole and half hours.
var commonOpenings = []int{0, 7 * 60, 8 * 60, 12 * 60, 17*60 + 30, 20 * 60, 6 * 60, 9 * 60, 10 * 60,
	13 * 60, 14 * 60, 15 * 60, 16 * 60, 17 * 60, 18 * 60, 19 * 60, 21 * 60, 22 * 60}

// PlausibleOpenings lists the whole and half hours of day (local, in
// loc) strictly after after and strictly before before, at most limit of
// them (the common ones first when they must be chosen), in time order.
// DST: a wall time the day does not have is skipped; one it has twice
// counts once (the first).
func PlausibleOpenings(loc *time.Location, day aimharder.Date, after, before time.Time, limit int) []time.Time {
	var all []time.Time
	seen := map[int]bool{}
	add := func(min int) {
		if seen[min] {
			return
		}
		seen[min] = true
		t := time.Date(day.Year, day.Month, day.Day, min/60, min%60, 0, 0, loc)
		if t.Hour() != min/60 || t.Minute() != min%60 || !t.After(after) || !t.Before(before) {
			return
		}
		all = append(all, t)
	}
	for _, m := range commonOpenings {
		add(m)
	}
	for m := 0; m < 24*60; m += 30 {
		add(m)
	}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	return all
}

// FixedHourExample is what a member types to tell ahtui that a box with
// the given rule opens at a fixed hour the same number of days before:
// "2d@HH:MM" for "2d" (docs/cli.md, config box.<box>.window).
func FixedHourExample(rule string) string {
	r, err := aimharder.ParseRule(rule)
	if err != nil || (r.Kind != aimharder.RuleSlidingDays && r.Kind != aimharder.RuleFixedHour) {
		return "Nd@HH:MM"
	}
	return fmt.Sprintf("%dd@HH:MM", r.Days)
}
