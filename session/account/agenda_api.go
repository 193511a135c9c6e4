package account

import (
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// The member's agenda: what the TUI's agenda view and `ahtui calendar`
// (text, --json, --ics and the live feed) show. This file is the stable,
// exported surface; agenda.go builds it.

// AgendaState is what an agenda entry is to the member (the `state` of
// `calendar --json`).
type AgendaState string

const (
	// AgendaBooked: the member (or the family member) holds a place.
	AgendaBooked AgendaState = "booked"
	// AgendaWaitlisted: on the class's waitlist.
	AgendaWaitlisted AgendaState = "waitlisted"
	// AgendaPrebooked: a prebooking is pending (or firing) for the class.
	AgendaPrebooked AgendaState = "prebooked"
	// AgendaPlanned: a weekly plan will prebook or book this day; nothing
	// is stored for it yet.
	AgendaPlanned AgendaState = "planned"
)

// DefaultAgendaDays is how far an agenda looks by default: today through
// today + DefaultAgendaDays (docs/cli.md: `calendar` covers 14 days).
const DefaultAgendaDays = 14

// AgendaQuery says which agenda to build.
type AgendaQuery struct {
	// From and Until are class dates (inclusive). A zero From is the
	// current box's today (the default zone when there is no box); a zero
	// Until is From + DefaultAgendaDays.
	From, Until aimharder.Date
	// Offline builds the agenda from the store alone — prebookings, plan
	// occurrences and the class lists last cached — without asking
	// AimHarder anything (the calendar feed does so: no request per
	// subscriber's poll). Classes booked outside ahtui then show only when
	// a cached class list holds them.
	Offline bool
}

// AgendaEntry is one class in the agenda. Ids are 0 when unknown or
// not applicable (null in `calendar --json`).
type AgendaEntry struct {
	// Day is the class's date in its box's zone.
	Day aimharder.Date
	// Start is the class's start in its box's zone (time.Location set).
	Start time.Time
	// End is the class's end in its box's zone; zero when unknown (a
	// planned class no class list has shown yet).
	End time.Time
	// Name is the class name as AimHarder shows it (or as the plan or
	// prebooking names it when no class list is known).
	Name string
	// Box is the box the class belongs to (Subdomain, Name, zone).
	Box session.Box
	// State is booked, waitlisted, prebooked or planned.
	State AgendaState
	// ClassID is the session id `book` takes (0 = unknown: a planned
	// class not matched to a class list yet).
	ClassID int64
	// ReservationID is AimHarder's idres for a booked or waitlisted class.
	ReservationID int64
	// PrebookingID is the pending prebooking for the class, if any.
	PrebookingID int64
	// PlanID is the weekly plan this class is an occurrence of, if any (a
	// booked class that is also a plan occurrence appears once, with it).
	PlanID int64
	// FamilyID is who the place is for: "" the account holder, else the
	// AimHarder familyId of the family member.
	FamilyID string
	// FreeCancelUntil is, for a booked class, the last instant a cancel
	// still refunds the credit: Start minus the box's late-cancel time
	// (LateCancelSetting). Zero when the box's late-cancel time is not
	// known — AimHarder's class lists do not state it (docs/protocol.md §9:
	// it only shows as cancelState 2 on a cancel) — or the class is not
	// booked.
	FreeCancelUntil time.Time
	// WaitlistPosition is the member's place in the waitlist, 1 = next.
	// Always 0 (unknown) today: neither the class list nor nextBookings
	// carries a position (docs/protocol.md §5.2, §5.4); it is here for when
	// one is found.
	WaitlistPosition int
	// Waiting is how many people are on the class's waitlist as the class
	// list last said (0 also when unknown); with WaitlistPosition unknown,
	// the member's place is somewhere in 1..Waiting.
	Waiting int
	// Occupancy and Capacity as the class list last said (0 when unknown).
	Occupancy, Capacity int
	// Cached: the class data came from the stored class list (Offline, or a
	// box AimHarder could not be asked just now), not a fresh read.
	Cached bool
}

// Agenda is the member's agenda over a range of days.
type Agenda struct {
	// From and Until are the class dates covered (inclusive).
	From, Until aimharder.Date
	// Entries are in time order (then box, then name), one per class.
	Entries []AgendaEntry
	// Notices say, in a member's words, what could not be read (e.g. a box
	// AimHarder did not answer for: its bookings come from the cache).
	Notices []string
	// BuiltAt is when the agenda was built.
	BuiltAt time.Time
}

// LateCancelSetting is the per-box setting that holds the box's late-cancel
// time — a cancel closer than this to the start loses the credit — as a Go
// duration ("90m", "2h"): box.<subdomain>.late_cancel. Unset: unknown.
func LateCancelSetting(subdomain string) string { return "box." + subdomain + ".late_cancel" }

// Agenda signature (agenda.go):
//
//	func (s *Service) Agenda(ctx context.Context, kind session.Kind, q AgendaQuery) (Agenda, error)
//
// It reads, for every stored box, AimHarder's list of the member's upcoming
// bookings (nextBookings, for the account holder and the family member in
// the settings) and the class lists of the days that list names (for the
// class id, reservation id, end, occupancy), then joins pending
// prebookings and weekly-plan occurrences (planned, prebooked). With
// q.Offline it asks AimHarder nothing. Errors: ErrNotLoggedIn /
// ErrSessionExpired when a fresh read needs a session it does not have; a
// box that fails otherwise is a Notice and falls back to its cache.
