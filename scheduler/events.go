package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// Event is something the scheduler did or noticed. Subscribers switch on
// the concrete type; String is one readable line for logs (`ahtui run`
// prints it on stderr) and never holds a secret.
type Event interface {
	// Time is when it happened, on the scheduler's clock.
	Time() time.Time
	String() string
	isEvent()
}

// SessionRefreshed: the session's token was rotated (by this process or,
// noticed in the store, by another).
type SessionRefreshed struct {
	At          time.Time
	Kind        session.Kind
	UpdateCount int64 // token_update_count after the refresh
	ByOther     bool  // another process refreshed it
}

// SessionRefreshFailed: a refresh failed for a reason other than a logout
// (network, AimHarder trouble); the keeper tries again after RetryIn.
type SessionRefreshFailed struct {
	At      time.Time
	Kind    session.Kind
	Err     string
	RetryIn time.Duration
}

// SessionDead: AimHarder ended the session. Without password_command the
// member has to log in again.
type SessionDead struct {
	At     time.Time
	Kind   session.Kind
	Reason string
}

// SessionRelogged: the session was logged in again (password_command, or
// the member ran `ahtui login`).
type SessionRelogged struct {
	At   time.Time
	Kind session.Kind
}

// ClockEstimated: a new estimate of AimHarder's clock.
type ClockEstimated struct {
	At       time.Time
	Estimate ClockEstimate
}

// PrebookingArmed: the runner claimed a prebooking and prepares to fire it
// at OpensAt (server time).
type PrebookingArmed struct {
	At         time.Time
	Prebooking session.Prebooking
}

// PrebookingFiring: the fire is ready to the millisecond — session fresh,
// connections warm, request prepared — and its burst starts at the
// opening. (Published a moment before, so nothing is done at the instant.)
type PrebookingFiring struct {
	At         time.Time
	Prebooking session.Prebooking
	Planned    int // staggered attempts planned around the opening
}

// PrebookingLate: the window opened while no runner was running; the
// class has not started, so the prebooking fires now.
type PrebookingLate struct {
	At         time.Time
	Prebooking session.Prebooking
}

// PrebookingMissed: the window opened while no runner was running and the
// class has started; the outcome "missed" is stored.
type PrebookingMissed struct {
	At         time.Time
	Prebooking session.Prebooking
}

// PrebookingOutcome: a fire ended and its outcome is stored
// (Prebooking.Status is booked, waitlisted or failed).
type PrebookingOutcome struct {
	At         time.Time
	Prebooking session.Prebooking
	// FirstSent is when the burst's first request left (local clock);
	// zero when nothing was sent.
	FirstSent time.Time
}

// HealthWarning: a prebooking fires soon but the background session
// cannot fire it (SessionProblem): missing, dead with no password_command,
// or dead while logging in again with password_command fails. Resolved
// reports that the problem went away.
type HealthWarning struct {
	At       time.Time
	Problem  string
	Resolved bool
}

// LeaderChanged: this process became, or stopped being, the runner that
// fires prebookings for the database.
type LeaderChanged struct {
	At     time.Time
	Leader bool
	Owner  string // this process's lease owner
	// Reason is why it stopped leading: "stopping", "another runner took
	// over" or "cannot renew the runner lease".
	Reason string
}

// WindowRuleWrong: AimHarder's "too early" answer stated a booking window
// other than the rule the member set for the box (box.<sub>.window), so
// the box's prebookings are armed at the wrong time. The prebooking that
// found out waits for the opening AimHarder stated; the member should fix
// the rule.
type WindowRuleWrong struct {
	At         time.Time
	Box        string             // the box's subdomain
	MemberRule string             // the member's rule, e.g. "3d"
	ServerRule string             // the rule AimHarder's answer states, e.g. "2d"
	Prebooking session.Prebooking // OpensAt is the opening AimHarder stated
}

// PrebookingNotStored: a fire ended but its outcome could not be stored
// (the database stayed busy or read-only). Prebooking carries the outcome
// (Status, OutcomeCode, OutcomeMessage…) so the member learns it anyway;
// the database still shows the prebooking firing, and a runner fires it
// again later (an "already booked" answer then confirms a booking).
type PrebookingNotStored struct {
	At         time.Time
	Prebooking session.Prebooking
	Err        string
}

// DatabaseUnwritable: the database cannot be written — another program
// holds it locked, or the disk is full — so the runner lease, the claims'
// heartbeats and the outcomes cannot be stored for now. Nobody else can
// write either, so nobody can take a claim over: the prebookings this
// runner claimed still fire at their openings, from memory, and their
// outcomes are stored once the database can be written again. Resolved
// reports that it can.
type DatabaseUnwritable struct {
	At       time.Time
	Reason   string // for the member: "the database is locked by another program", "the disk is full"
	Err      string // the store's error, for the log
	Resolved bool
}

func (e SessionRefreshed) Time() time.Time     { return e.At }
func (e SessionRefreshFailed) Time() time.Time { return e.At }
func (e SessionDead) Time() time.Time          { return e.At }
func (e SessionRelogged) Time() time.Time      { return e.At }
func (e ClockEstimated) Time() time.Time       { return e.At }
func (e PrebookingArmed) Time() time.Time      { return e.At }
func (e PrebookingFiring) Time() time.Time     { return e.At }
func (e PrebookingLate) Time() time.Time       { return e.At }
func (e PrebookingMissed) Time() time.Time     { return e.At }
func (e PrebookingOutcome) Time() time.Time    { return e.At }
func (e HealthWarning) Time() time.Time        { return e.At }
func (e LeaderChanged) Time() time.Time        { return e.At }
func (e WindowRuleWrong) Time() time.Time      { return e.At }
func (e PrebookingNotStored) Time() time.Time  { return e.At }
func (e DatabaseUnwritable) Time() time.Time   { return e.At }

func (SessionRefreshed) isEvent()     {}
func (SessionRefreshFailed) isEvent() {}
func (SessionDead) isEvent()          {}
func (SessionRelogged) isEvent()      {}
func (ClockEstimated) isEvent()       {}
func (PrebookingArmed) isEvent()      {}
func (PrebookingFiring) isEvent()     {}
func (PrebookingLate) isEvent()       {}
func (PrebookingMissed) isEvent()     {}
func (PrebookingOutcome) isEvent()    {}
func (HealthWarning) isEvent()        {}
func (LeaderChanged) isEvent()        {}
func (WindowRuleWrong) isEvent()      {}
func (PrebookingNotStored) isEvent()  {}
func (DatabaseUnwritable) isEvent()   {}

func (e SessionRefreshed) String() string {
	by := ""
	if e.ByOther {
		by = " by another process"
	}
	return fmt.Sprintf("%s session refreshed%s (%d token updates)", e.Kind, by, e.UpdateCount)
}

func (e SessionRefreshFailed) String() string {
	return fmt.Sprintf("%s session refresh failed: %s; retrying in %s", e.Kind, e.Err, roundDuration(e.RetryIn))
}

func (e SessionDead) String() string {
	return fmt.Sprintf("%s session expired: %s", e.Kind, e.Reason)
}

func (e SessionRelogged) String() string {
	return fmt.Sprintf("%s session logged in again", e.Kind)
}

func (e ClockEstimated) String() string {
	return "AimHarder clock: " + e.Estimate.String()
}

func (e PrebookingArmed) String() string {
	return fmt.Sprintf("prebooking %s: armed, fires at %s", describePrebooking(e.Prebooking),
		e.Prebooking.OpensAt.In(e.Prebooking.ClassStart.Location()).Format("Mon 2 Jan 15:04:05"))
}

func (e PrebookingFiring) String() string {
	return fmt.Sprintf("prebooking %s: ready, firing at the opening (%d staggered attempts)", describePrebooking(e.Prebooking), e.Planned)
}

func (e PrebookingLate) String() string {
	return fmt.Sprintf("prebooking %s: its window opened %s ago while no runner was running; firing now",
		describePrebooking(e.Prebooking), roundDuration(e.At.Sub(e.Prebooking.OpensAt)))
}

func (e PrebookingMissed) String() string {
	p := e.Prebooking
	return fmt.Sprintf("prebooking %s: missed — %s", describePrebooking(p),
		outcome.Reason(string(p.Status), p.OutcomeCode, p.OutcomeMessage, outcome.EN))
}

func (e PrebookingOutcome) String() string {
	p := e.Prebooking
	var b strings.Builder
	fmt.Fprintf(&b, "prebooking %s: %s", describePrebooking(p), p.Status)
	if l := p.Lateness(); l != "" {
		b.WriteString(" (" + l + ")")
	}
	var details []string
	if p.ReservationID != 0 {
		details = append(details, fmt.Sprintf("reservation %d", p.ReservationID))
	}
	details = append(details, outcome.Count(p.Attempts, "attempt", "attempts"))
	fmt.Fprintf(&b, " (%s)", strings.Join(details, ", "))
	if words := outcome.Reason(string(p.Status), p.OutcomeCode, p.OutcomeMessage, outcome.EN); words != "" {
		b.WriteString(" — " + words)
	}
	return b.String()
}

func (e HealthWarning) String() string {
	if e.Resolved {
		return "session health: ok again"
	}
	return "session health warning: " + e.Problem
}

func (e LeaderChanged) String() string {
	if e.Leader {
		return "this process now fires the prebookings (runner leader)"
	}
	if e.Reason == "" {
		return "this process no longer fires the prebookings"
	}
	return "this process no longer fires the prebookings (" + e.Reason + ")"
}

func (e WindowRuleWrong) String() string {
	p := e.Prebooking
	return fmt.Sprintf("box %s: your booking-window rule %q is wrong — AimHarder says %q; prebooking %s now waits for %s. "+
		"Fix the rule with `ahtui config box.%s.window %s`",
		e.Box, e.MemberRule, e.ServerRule, describePrebooking(p),
		p.OpensAt.In(p.ClassStart.Location()).Format("Mon 2 Jan 15:04:05"), e.Box, e.ServerRule)
}

func (e PrebookingNotStored) String() string {
	p := e.Prebooking
	var b strings.Builder
	fmt.Fprintf(&b, "prebooking %s: %s", describePrebooking(p), p.Status)
	if l := p.Lateness(); l != "" {
		b.WriteString(" (" + l + ")")
	}
	if p.ReservationID != 0 {
		fmt.Fprintf(&b, " (reservation %d)", p.ReservationID)
	}
	if words := outcome.Reason(string(p.Status), p.OutcomeCode, p.OutcomeMessage, outcome.EN); words != "" {
		b.WriteString(" — " + words)
	}
	b.WriteString(" — but the outcome could not be saved: " + e.Err)
	return b.String()
}

func (e DatabaseUnwritable) String() string {
	if e.Resolved {
		return "the database can be written again"
	}
	return e.Reason + ": claimed prebookings still fire at their openings and their outcomes are saved once it can be written (" + e.Err + ")"
}

// describePrebooking names a prebooking in log lines and event texts:
// "#12 WOD Mon 7 Dec 07:00".
func describePrebooking(p session.Prebooking) string {
	return fmt.Sprintf("#%d %s", p.ID, classTitle(p))
}

// classTitle names a prebooking's class for a member: "WOD Mon 7 Dec
// 07:00", or "class 123" when its name is not known.
func classTitle(p session.Prebooking) string {
	name := p.ClassName
	if name == "" {
		name = fmt.Sprintf("class %d", p.ClassID)
	}
	if p.ClassStart.IsZero() {
		return name
	}
	return name + " " + p.ClassStart.Format("Mon 2 Jan 15:04")
}

// roundDuration keeps log lines short: milliseconds under a second,
// seconds above.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second && d > -time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// ZoneSuspected: a fire at the box's computed opening met "too early",
// and the booking went through a whole number of hours later — where the
// rule computed in another time zone would have put it. The box's zone
// (box.<sub>.timezone) is probably wrong; the prebooking was re-armed at
// the corrected instant instead of failing (docs/protocol.md §9).
type ZoneSuspected struct {
	At         time.Time
	Box        string             // the box's subdomain
	Timezone   string             // the zone ahtui computes the box's openings in
	Hours      int                // the real opening is this many hours after the computed one
	Prebooking session.Prebooking // OpensAt is the corrected instant
}

// WindowFound: the scheduler found a box's real opening itself (a single
// request at a plausible instant was accepted after "too early"), learned
// Rule from it and re-armed the box's other prebookings at it.
type WindowFound struct {
	At   time.Time
	Box  string
	Rule string // e.g. "2d@12:00"
	// Confirmed is false: the next booking accepted at the rule's instant,
	// its probe a moment before refused, confirms it (docs/protocol.md §9.3).
	Confirmed  bool
	Prebooking session.Prebooking
}

func (e ZoneSuspected) Time() time.Time { return e.At }
func (e WindowFound) Time() time.Time   { return e.At }
func (ZoneSuspected) isEvent()          {}
func (WindowFound) isEvent()            {}

func (e ZoneSuspected) String() string {
	return fmt.Sprintf("box %s: AimHarder opened %s %d h after the time ahtui computed in %s — the box's time zone "+
		"is probably wrong. Check it with `ahtui boxes` and set it with `ahtui config box.%s.timezone <zone>`",
		e.Box, describePrebooking(e.Prebooking), e.Hours, e.Timezone, e.Box)
}

func (e WindowFound) String() string {
	return fmt.Sprintf("box %s opens booking at a fixed hour: %s (found at %s; set it with `ahtui config box.%s.window %s`)",
		e.Box, e.Rule, describePrebooking(e.Prebooking), e.Box, e.Rule)
}
