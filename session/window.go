package session

import (
	"context"
	"errors"
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
}

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
		return WindowRule{Rule: r, Source: RuleLearned, Location: b.zone()}
	}
	return WindowRule{Source: RuleUnknown, Location: b.zone()}
}

// MemberRule returns the rule the member set for the box; unknown when
// none is set.
func (b Box) MemberRule() WindowRule {
	if r, ok := parseStoredRule(b.MemberWindow); ok {
		return WindowRule{Rule: r, Source: RuleMember, Location: b.zone()}
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
	if !errors.As(err, &te) || !te.WindowKnown || !te.Window.Valid() {
		return l
	}
	l.Stated = WindowRule{Rule: te.Window, Source: RuleStated, Location: l.Stated.Location}
	if learned, ok := parseStoredRule(b.LearnedWindow); !ok || learned != te.Window {
		l.New = true
		l.Box.LearnedWindow = te.Window.String()
	}
	if member := b.MemberRule(); member.Known() && member.Rule != te.Window {
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
