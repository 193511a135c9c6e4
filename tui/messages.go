package tui

import (
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// Messages carrying I/O results. Loads carry the request id (seq) they were
// issued with; the model drops replies that a newer request superseded.

type bootMsg struct {
	account      session.Account
	hasAccount   bool
	loggedIn     bool
	box          session.Box
	hasBox       bool
	boxes        []session.Box
	boxesVersion int64
	family       string
	err          error
}

type weekMsg struct {
	seq    uint64
	boxID  int64
	from   aimharder.Date
	cached bool // from the store, shown until the fresh copy arrives
	days   []account.DayView
	err    error
}

type dayMsg struct {
	seq   uint64
	boxID int64
	date  aimharder.Date
	day   account.DayView
	err   error
}

type storeMsg struct {
	seq             uint64
	prebookings     []session.Prebooking
	sessions        map[session.Kind]session.Health
	noDevice        bool // the store has no device session (logged out)
	family          string
	members         []session.FamilyMember // the named family members (live.go)
	passwordCommand bool                   // password_command is set: a dead session may come back by itself
	firing          FiringProcess          // who fires the prebookings, when hasFiring
	hasFiring       bool
	plans           []account.PlanView
	plansErr        error
	watches         []session.Watch // when hasWatches
	hasWatches      bool
	watchesErr      error
	err             error
}

type historyMsg struct {
	seq    uint64
	events []session.Event
	byID   map[int64]session.Prebooking
	err    error
}

type boxesMsg struct {
	boxes   []session.Box
	family  string
	members []session.FamilyMember
	err     error
}

type loginMsg struct {
	result account.LoginResult
	err    error
}

type boxSetMsg struct {
	box session.Box
	err error
}

type familySetMsg struct {
	id  string
	err error
}

type bookMsg struct {
	box      session.Box // the box booked at
	class    account.ClassView
	waitlist bool
	who      who // for whom, when chosen
	outcome  account.BookOutcome
	err      error
}

type cancelMsg struct {
	class   account.ClassView
	outcome account.CancelOutcome
	err     error
}

type prebookMsg struct {
	class      account.ClassView
	who        who // for whom, when chosen
	prebooking session.Prebooking
	// booked is set when the window turned out to be open and the attempt
	// that was meant to learn it booked the class.
	booked *account.BookOutcome
	err    error
}

type unprebookMsg struct {
	class      account.ClassView
	prebooking session.Prebooking
	err        error
}

// tickMsg is the second hand: countdowns, the header, auto-refresh.
type tickMsg time.Time

// reloadMsg ends the short wait that gathers a burst of events into one
// reload; gen tells a stale tick from the current one.
type reloadMsg struct{ gen int }
