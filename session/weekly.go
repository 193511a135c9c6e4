package session

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// Weekly plans: "every Mon, Wed and Fri at 07:00, WOD" (docs/product.md,
// weekly plans). This file is the pure model: weekdays, clock times,
// class-name matching, the occurrences of a plan between two dates and
// the state an occurrence shows. The store half is weekly_store.go.
//
// Every day and time of a plan is the box's: a plan "at 07:00" means 07:00
// in the box's zone on each class day, across DST changes, and skip and
// pause dates are class dates.

// ErrPlanConflict: a plan for the same slot (same box, a shared weekday,
// same time, same class, overlapping dates) already exists. Store.AddPlan
// returns it as a *PlanConflictError, which is also ErrDuplicate.
var ErrPlanConflict = errors.New("a plan for that slot already exists")

// PlanConflictError names the live plan a new one collides with.
type PlanConflictError struct {
	Existing Plan
	Days     Weekdays // the weekdays both plans share
}

func (e *PlanConflictError) Error() string {
	return fmt.Sprintf("plan #%d already books %s at %s on %s", e.Existing.ID, e.Existing.Class, e.Existing.Time, e.Days)
}

// Is makes the error ErrPlanConflict and ErrDuplicate.
func (e *PlanConflictError) Is(target error) bool {
	return target == ErrPlanConflict || target == ErrDuplicate
}

// Weekdays is a set of weekdays: bit i is time.Weekday(i).
type Weekdays uint8

// AllWeekdays is every day of the week.
const AllWeekdays Weekdays = 1<<7 - 1

// weekdayNames are the contract's names (docs/cli.md), Monday first.
var weekdayNames = [7]struct {
	name string
	day  time.Weekday
}{
	{"mon", time.Monday}, {"tue", time.Tuesday}, {"wed", time.Wednesday}, {"thu", time.Thursday},
	{"fri", time.Friday}, {"sat", time.Saturday}, {"sun", time.Sunday},
}

// WeekdaysOf is the set of the given days.
func WeekdaysOf(days ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range days {
		w |= 1 << uint(d)
	}
	return w
}

// ParseWeekdays reads "mon,wed,fri": English three-letter names, any case,
// comma-separated, repeats allowed. Empty or unknown names are an error
// (ErrInvalid) naming what was wrong.
func ParseWeekdays(s string) (Weekdays, error) {
	var w Weekdays
	for part := range strings.SplitSeq(s, ",") {
		name := strings.ToLower(strings.TrimSpace(part))
		found := false
		for _, d := range weekdayNames {
			if d.name == name {
				w |= 1 << uint(d.day)
				found = true
			}
		}
		if !found {
			if name == "" {
				return 0, fmt.Errorf("%w: weekdays are three-letter names separated by commas, e.g. mon,wed,fri", ErrInvalid)
			}
			return 0, fmt.Errorf("%w: %q is not a weekday (use mon, tue, wed, thu, fri, sat, sun)", ErrInvalid, part)
		}
	}
	return w, nil
}

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<uint(d)) != 0 }

// Valid reports whether the set holds at least one day and nothing else.
func (w Weekdays) Valid() bool { return w != 0 && w&^AllWeekdays == 0 }

// Names are the days' names, Monday first: ["mon", "wed", "fri"].
func (w Weekdays) Names() []string {
	out := []string{}
	for _, d := range weekdayNames {
		if w.Has(d.day) {
			out = append(out, d.name)
		}
	}
	return out
}

// String is "mon,wed,fri".
func (w Weekdays) String() string { return strings.Join(w.Names(), ",") }

// ClockTime is a box-local time of day, minute precision ("07:00").
type ClockTime struct{ Hour, Minute int }

// ParseClock reads "HH:MM" (24 h; "7:00" is accepted as 07:00).
func ParseClock(s string) (ClockTime, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	var c ClockTime
	if ok && len(m) == 2 && len(h) >= 1 && len(h) <= 2 {
		_, err1 := fmt.Sscanf(h, "%d", &c.Hour)
		_, err2 := fmt.Sscanf(m, "%d", &c.Minute)
		if err1 == nil && err2 == nil && allDigits(h) && allDigits(m) && c.Valid() {
			return c, nil
		}
	}
	return ClockTime{}, fmt.Errorf("%w: %q is not a time of day (use HH:MM, e.g. 07:00)", ErrInvalid, s)
}

func allDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

// Valid reports whether c is a time of day.
func (c ClockTime) Valid() bool { return c.Hour >= 0 && c.Hour < 24 && c.Minute >= 0 && c.Minute < 60 }

// String is "HH:MM".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// On is the instant c on day in loc (the box's zone). On a DST day a time
// that does not exist moves forward, as time.Date does.
func (c ClockTime) On(day aimharder.Date, loc *time.Location) time.Time {
	return day.At(c.Hour, c.Minute, loc)
}

// ClockOf is the time of day of t, in t's zone.
func ClockOf(t time.Time) ClockTime { return ClockTime{Hour: t.Hour(), Minute: t.Minute()} }

// Fallback is a class a plan tries, in order, when its first choice is
// full or refused: another class, at its own time.
type Fallback struct {
	Class string
	Time  ClockTime
}

// DayRange is a range of class dates, both ends included.
type DayRange struct {
	From, Until aimharder.Date
}

// Contains reports whether day is in the range.
func (r DayRange) Contains(day aimharder.Date) bool {
	return !day.Before(r.From) && !day.After(r.Until)
}

// NewPlan is a weekly plan to store (Store.AddPlan).
type NewPlan struct {
	BoxID     int64
	Days      Weekdays
	Time      ClockTime // the first choice's start, box-local
	Class     string    // the first choice's name (trimmed when stored)
	Waitlist  bool      // join the waitlist when the class is full
	Fallbacks []Fallback
	// From and Until bound the class dates (inclusive); zero = open.
	From, Until aimharder.Date
	// Now: an occurrence whose booking window is already open when the
	// plan is made may be booked at once. Without it such an occurrence
	// is not booked (see Plan.MayBookOpen).
	Now bool
	// FamilyID is the family member the plan books for (AimHarder's
	// familyId); PlanForHolder books for the account holder whatever the
	// setting says; "" follows the family_id setting, as plans made
	// before there was a choice do.
	FamilyID string
}

// PlanForHolder is the FamilyID of a plan made for the account holder by
// choice: it stays the holder's when the family_id setting changes.
const PlanForHolder = "holder"

// Person is whom the plan books for (AimHarder's familyId, "" = the
// account holder), setting being the family_id setting's person.
func (p Plan) Person(setting string) string {
	switch p.FamilyID {
	case PlanForHolder:
		return ""
	case "":
		return setting
	}
	return p.FamilyID
}

// Plan is a stored weekly plan with its skips and pauses.
type Plan struct {
	ID        int64
	BoxID     int64
	Days      Weekdays
	Time      ClockTime
	Class     string
	Waitlist  bool
	Fallbacks []Fallback
	From      aimharder.Date // zero = no start date
	Until     aimharder.Date // zero = no end date
	Now       bool
	FamilyID  string           // "" = the family_id setting's person; PlanForHolder = the holder (Person)
	Skips     []aimharder.Date // sorted
	Pauses    []DayRange       // sorted by From
	// BookOpen are class days an edit added whose booking was already
	// open, which the member said to book at once (PlanEdit.BookOpen);
	// sorted.
	BookOpen  []aimharder.Date
	CreatedAt time.Time
}

// Validate checks what a plan needs, each failure an ErrInvalid in words
// a member understands.
func (n NewPlan) Validate() error {
	switch {
	case n.BoxID <= 0:
		return fmt.Errorf("%w: a plan needs a box", ErrInvalid)
	case !n.Days.Valid():
		return fmt.Errorf("%w: a plan needs at least one weekday", ErrInvalid)
	case !n.Time.Valid():
		return fmt.Errorf("%w: %d:%d is not a time of day", ErrInvalid, n.Time.Hour, n.Time.Minute)
	case NormalizeClassName(n.Class) == "":
		return fmt.Errorf("%w: a plan needs a class name", ErrInvalid)
	case !n.From.IsZero() && !n.Until.IsZero() && n.Until.Before(n.From):
		return fmt.Errorf("%w: the plan ends (%s) before it starts (%s)", ErrInvalid, n.Until, n.From)
	case n.FamilyID != "" && n.FamilyID != PlanForHolder && !validFamilyID(n.FamilyID):
		return fmt.Errorf("%w: %q is not a family member id (AimHarder's familyId is a number)", ErrInvalid, n.FamilyID)
	}
	seen := map[string]bool{NormalizeClassName(n.Class) + "@" + n.Time.String(): true}
	for i, f := range n.Fallbacks {
		switch {
		case NormalizeClassName(f.Class) == "":
			return fmt.Errorf("%w: fallback %d needs a class name", ErrInvalid, i+1)
		case !f.Time.Valid():
			return fmt.Errorf("%w: fallback %d: %d:%d is not a time of day", ErrInvalid, i+1, f.Time.Hour, f.Time.Minute)
		}
		key := NormalizeClassName(f.Class) + "@" + f.Time.String()
		if seen[key] {
			return fmt.Errorf("%w: %s at %s is already in the plan: a fallback must be another class or time",
				ErrInvalid, strings.TrimSpace(f.Class), f.Time)
		}
		seen[key] = true
	}
	return nil
}

// Conflicts reports whether two plans claim the same slot: same box, a
// shared weekday, same time, same class (ClassNameMatches) and
// overlapping date ranges.
func (p Plan) Conflicts(n NewPlan) bool {
	return p.BoxID == n.BoxID && p.Days&n.Days != 0 && p.Time == n.Time && ClassNameMatches(p.Class, n.Class) &&
		rangesOverlap(p.From, p.Until, n.From, n.Until)
}

// rangesOverlap: two inclusive ranges whose zero ends are open.
func rangesOverlap(aFrom, aUntil, bFrom, bUntil aimharder.Date) bool {
	if !aUntil.IsZero() && !bFrom.IsZero() && aUntil.Before(bFrom) {
		return false
	}
	if !bUntil.IsZero() && !aFrom.IsZero() && bUntil.Before(aFrom) {
		return false
	}
	return true
}

// Active reports whether day is inside the plan's from/until.
func (p Plan) Active(day aimharder.Date) bool {
	return (p.From.IsZero() || !day.Before(p.From)) && (p.Until.IsZero() || !day.After(p.Until))
}

// IsDay reports whether day is a class day of the plan: one of its
// weekdays inside its from/until (skipped or paused days included).
func (p Plan) IsDay(day aimharder.Date) bool { return p.Days.Has(day.Weekday()) && p.Active(day) }

// Skipped reports whether the member skipped day.
func (p Plan) Skipped(day aimharder.Date) bool {
	_, found := slices.BinarySearchFunc(p.Skips, day, compareDates)
	return found
}

// Paused reports whether day falls in one of the plan's pauses.
func (p Plan) Paused(day aimharder.Date) bool {
	return slices.ContainsFunc(p.Pauses, func(r DayRange) bool { return r.Contains(day) })
}

// MayBookOpen reports whether the runner may book the occurrence of day
// whose booking window opens at opensAt: always when it opens after the
// plan was made (or is unknown), and one whose window was already open
// when the plan was made only when the member said so: for the plan
// (NewPlan.Now), or for that day as an edit added it (PlanEdit.BookOpen).
// Such an occurrence is otherwise left alone: it shows `planned` until
// its class starts and `missed` after, and the runner may record it
// `missed` with a detail saying booking was already open when the plan
// was made.
func (p Plan) MayBookOpen(day aimharder.Date, opensAt time.Time) bool {
	if p.Now || opensAt.IsZero() || opensAt.After(p.CreatedAt) {
		return true
	}
	_, found := slices.BinarySearchFunc(p.BookOpen, day, compareDates)
	return found
}

// AddedOpen lists the occurrences edit e of p adds — class days of the
// edited plan that are not p's — from from through until (in the box's
// zone loc) whose first choice's booking window, by rule, is already open
// at now and whose class has not started: the days to ask the member
// about (book at once, PlanEdit.BookOpen, or skip, PlanEdit.Skip).
// Skipped and paused days are left out, and so is every day when the
// rule is unknown (no one can tell whether it is open).
func (p Plan) AddedOpen(e PlanEdit, rule WindowRule, now time.Time, from, until aimharder.Date, loc *time.Location) []Occurrence {
	q := p
	q.Days, q.From, q.Until = e.Days, e.From, e.Until
	var out []Occurrence
	for _, o := range q.Occurrences(from, until, loc) {
		if p.IsDay(o.Day) || o.Skipped || o.Paused || !now.Before(o.Start) {
			continue
		}
		if opens, ok := rule.OpensAt(o.Start); ok && !opens.After(now) {
			out = append(out, o)
		}
	}
	return out
}

// Occurrence is one class day of a plan.
type Occurrence struct {
	PlanID  int64
	Day     aimharder.Date
	Start   time.Time // the first choice's start, in the box's zone
	Skipped bool      // the member skipped the day
	Paused  bool      // the day is in a pause
}

// Occurrences lists the plan's class days from from through until
// (inclusive), in the box's zone loc, skipped and paused days included
// and marked. Days before the plan's from, after its until, or whose
// first choice started before the plan was made are left out.
func (p Plan) Occurrences(from, until aimharder.Date, loc *time.Location) []Occurrence {
	if !p.From.IsZero() && from.Before(p.From) {
		from = p.From
	}
	if !p.Until.IsZero() && until.After(p.Until) {
		until = p.Until
	}
	var out []Occurrence
	for day := from; !day.After(until); day = day.AddDays(1) {
		if !p.Days.Has(day.Weekday()) {
			continue
		}
		start := p.Time.On(day, loc)
		if !p.CreatedAt.IsZero() && start.Before(p.CreatedAt) {
			continue
		}
		out = append(out, Occurrence{PlanID: p.ID, Day: day, Start: start, Skipped: p.Skipped(day), Paused: p.Paused(day)})
	}
	return out
}

// Choice is one class an occurrence may book: index 0 is the first
// choice, 1.. the fallbacks in order.
type Choice struct {
	Index int
	Class string
	Time  ClockTime
}

// Choices are the plan's first choice then its fallbacks.
func (p Plan) Choices() []Choice {
	out := []Choice{{Index: 0, Class: p.Class, Time: p.Time}}
	for i, f := range p.Fallbacks {
		out = append(out, Choice{Index: i + 1, Class: f.Class, Time: f.Time})
	}
	return out
}

// OccurrenceState is what became of an occurrence, as `plan list` shows
// it (docs/cli.md).
type OccurrenceState string

const (
	// OccPlanned: nothing done yet (the class may not be listed yet).
	OccPlanned OccurrenceState = "planned"
	// OccPrebooked: a prebooking waits for the class's opening.
	OccPrebooked OccurrenceState = "prebooked"
	// OccBooked: booked (first choice or a fallback: see the record's Choice).
	OccBooked OccurrenceState = "booked"
	// OccWaitlisted: on the waitlist.
	OccWaitlisted OccurrenceState = "waitlisted"
	// OccFull: every choice was full (and the waitlist not accepted).
	OccFull OccurrenceState = "full"
	// OccFailed: AimHarder refused, or ahtui could not book.
	OccFailed OccurrenceState = "failed"
	// OccMissed: the class started with nothing booked (no runner at the
	// opening, or booking was open when the plan was made without --now).
	OccMissed OccurrenceState = "missed"
	// OccSkipped: the member skipped the day.
	OccSkipped OccurrenceState = "skipped"
	// OccPaused: the day is in a pause.
	OccPaused OccurrenceState = "paused"
	// OccCancelled: the member cancelled it; it is not booked again.
	OccCancelled OccurrenceState = "cancelled"
	// OccNoClass: no class of that name at that time that day.
	OccNoClass OccurrenceState = "no_class"
)

// OccurrenceStates is every state, in the contract's order.
var OccurrenceStates = []OccurrenceState{OccPlanned, OccPrebooked, OccBooked, OccWaitlisted, OccFull, OccFailed,
	OccMissed, OccSkipped, OccPaused, OccCancelled, OccNoClass}

// Final reports whether nothing more will happen to the occurrence.
func (st OccurrenceState) Final() bool {
	switch st {
	case OccBooked, OccWaitlisted, OccFull, OccFailed, OccMissed, OccCancelled, OccNoClass:
		return true
	}
	return false
}

// Recordable reports whether the runner may store st in an occurrence
// record: every state but skipped and paused, which come from the plan.
func (st OccurrenceState) Recordable() bool {
	return slices.Contains(OccurrenceStates, st) && st != OccSkipped && st != OccPaused
}

// OccurrenceRecord is the runner's persisted account of one occurrence
// (Store.PutOccurrence): the one source of its final state.
type OccurrenceRecord struct {
	PlanID        int64
	Day           aimharder.Date
	State         OccurrenceState
	ClassID       int64 // the class it resolved to; 0 = none yet
	PrebookingID  int64 // the prebooking firing it; 0 = none
	ReservationID int64 // 0 = none
	Choice        int   // 0 = first choice, 1.. = Fallbacks[Choice-1]
	Detail        string
	// Version counts the record's writes: PutOccurrence stores a record
	// only over the version it was read at (0 = no record yet).
	Version   int64
	UpdatedAt time.Time
}

// PlanOccurrence is an occurrence with the state it shows and what it
// is linked to.
type PlanOccurrence struct {
	Occurrence
	State         OccurrenceState
	ClassID       int64 // 0 = unknown
	PrebookingID  int64 // 0 = none
	ReservationID int64 // 0 = none
	Choice        int
	Detail        string
}

// ShownState joins what is known of an occurrence into the state shown:
//   - a final record state wins (a booking made stays booked even if the
//     day is skipped afterwards: skipping does not cancel a booking);
//   - else a skipped day is skipped, a paused one paused;
//   - else the linked prebooking says: pending or firing → prebooked, its
//     outcome → booked / waitlisted / full (failed for "full") / failed /
//     missed, cancelled by the member → cancelled (one the plan itself
//     withdrew, OutcomePlanStopped, says nothing);
//   - else the record's own state (planned or prebooked);
//   - else planned until the class starts, missed after.
//
// rec and pb may be nil.
func ShownState(o Occurrence, rec *OccurrenceRecord, pb *Prebooking, now time.Time) OccurrenceState {
	if rec != nil && rec.State.Final() {
		return rec.State
	}
	switch {
	case o.Skipped:
		return OccSkipped
	case o.Paused:
		return OccPaused
	}
	if pb != nil {
		switch pb.Status {
		case PrebookPending, PrebookFiring:
			return OccPrebooked
		case PrebookBooked:
			return OccBooked
		case PrebookWaitlisted:
			return OccWaitlisted
		case PrebookFailed:
			if pb.OutcomeCode == "full" {
				return OccFull
			}
			return OccFailed
		case PrebookMissed:
			return OccMissed
		case PrebookCancelled:
			if !WithdrawnByAhtui(pb.OutcomeCode) {
				return OccCancelled
			}
		}
	}
	if rec != nil && rec.State != "" {
		if rec.State == OccPlanned && !o.Start.IsZero() && !now.Before(o.Start) {
			return OccMissed
		}
		return rec.State
	}
	if !o.Start.IsZero() && !now.Before(o.Start) {
		return OccMissed
	}
	return OccPlanned
}

// Join builds the PlanOccurrence of o from its record and linked
// prebooking (either may be nil).
func Join(o Occurrence, rec *OccurrenceRecord, pb *Prebooking, now time.Time) PlanOccurrence {
	po := PlanOccurrence{Occurrence: o, State: ShownState(o, rec, pb, now)}
	if rec != nil {
		po.ClassID, po.PrebookingID, po.ReservationID = rec.ClassID, rec.PrebookingID, rec.ReservationID
		po.Choice, po.Detail = rec.Choice, rec.Detail
	}
	if pb != nil {
		if po.PrebookingID == 0 {
			po.PrebookingID = pb.ID
		}
		if po.ClassID == 0 {
			po.ClassID = pb.ClassID
		}
		if po.ReservationID == 0 {
			po.ReservationID = pb.ReservationID
		}
	}
	return po
}

func compareDates(a, b aimharder.Date) int { return strings.Compare(a.Compact(), b.Compact()) }

// OutcomePlanStopped is the OutcomeCode of a pending prebooking the store
// cancelled because its plan occurrence was skipped or paused, or its
// plan removed: not a member's cancel of the class.
const OutcomePlanStopped = "plan_stopped"

// WithdrawnByAhtui reports whether a cancelled prebooking's outcome code
// says ahtui withdrew it (a plan's skip, pause or edit; a family member's
// new id that had the class already) rather than the member: a plan books
// such a day again.
func WithdrawnByAhtui(code string) bool {
	return code == OutcomePlanStopped || code == OutcomeFamilyMoved
}
