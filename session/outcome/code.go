// Package outcome is ahtui's one vocabulary for what happened: typed codes
// for the outcome of a booking, a cancel or a prebooking's fire and for
// every error a member can meet, one classifier from an error to its code,
// and the words for each code in English and Spanish. The CLI, the TUI,
// notifications and doctor word a code from here; the scheduler stores the
// code and AimHarder's own words, never a sentence of ahtui's, so that each
// screen says it in its own language.
//
// It imports no user-interface package.
package outcome

// Code names an outcome or an error kind. Its value is what the database
// stores in a prebooking's outcome_code, so values never change.
type Code string

// Outcomes of a fire (stored in outcome_code).
const (
	Booked             Code = "booked"                     // AimHarder booked a place
	Waitlisted         Code = "waitlisted"                 // AimHarder put the member on the waitlist
	AlreadyBooked      Code = "already_booked"             // the day shows the member booked in this class
	AlreadyUnconfirmed Code = "already_booked_unconfirmed" // "already booked at that time", the day unread
	WaitlistUnsettled  Code = "waitlisted_unconfirmed"     // an answer meaning the waitlist or a place, the day unread
	Unconfirmed        Code = "unconfirmed"                // a refusal after a lost answer, the day unread
	Missed             Code = "missed"                     // the window opened with no runner to fire
)

// Refusals by AimHarder.
const (
	TooEarly       Code = "too_early"            // booking is not open yet
	Full           Code = "full"                 // the class is full
	NoCredit       Code = "no_credit"            // the plan has no credit for the class
	PaymentPending Code = "payment_pending"      // a payment is pending with the box
	TooLate        Code = "too_late"             // too close to the start to book
	DailyLimit     Code = "daily_limit"          // the box's daily booking limit
	Quota          Code = "quota"                // the plan's quota is used up
	SameHour       Code = "already_booked_other" // booked in another class at that time
	RefusedBoxRule Code = "refused_box_rule"     // a box rule, in AimHarder's own words (docs/protocol.md §10B)
	Refused        Code = "refused"              // refused with a code ahtui does not know
	CancelRefused  Code = "cancel_refused"       // a cancel AimHarder did not do
	CancelNoop     Code = "cancel_not_applied"   // the cancel was answered, the booking is still there
)

// The class itself.
const (
	NoClass      Code = "no_class"          // no class with that id on that day
	ClassStarted Code = "class_started"     // the class has started
	ClassEnded   Code = "class_ended"       // the class is over
	NotBooked    Code = "not_booked"        // no booking to cancel
	AlreadyIn    Code = "already_in"        // booked or waitlisted in it already
	Duplicate    Code = "already_prebooked" // a pending prebooking for it exists
	NotPending   Code = "not_pending"       // the prebooking fired or was removed
	LateCancel   Code = "late_cancel"       // cancelling now loses the credit: consent needed
	Uncertain    Code = "uncertain"         // no clear answer and the day could not be checked
	Error        Code = "error"             // anything else (the value stored rows already hold)
)

// The session and the login.
const (
	NotLoggedIn     Code = "not_logged_in"    // no account or session on this database
	SessionDead     Code = "session_dead"     // AimHarder ended the session: log in again
	LoggedOut       Code = "logged_out"       // logged out during a fire and logging in again failed
	NoSession       Code = "no_session"       // the background session could not be used for a fire
	PasswordRefused Code = "password_refused" // wrong e-mail or password
	LockedOut       Code = "locked_out"       // too many attempts
	LoginRefused    Code = "login_refused"    // the login refused for another reason
)

// The way to AimHarder.
const (
	GeoBlocked       Code = "blocked"           // HTTP 403 for this network
	RateLimited      Code = "rate_limited"      // HTTP 429
	ServerTrouble    Code = "server_trouble"    // a 5xx or another unexpected HTTP status
	UnexpectedPage   Code = "unexpected_page"   // a web page instead of data
	UnreadableAnswer Code = "unreadable_answer" // data ahtui does not understand
	Network          Code = "network"           // a network failure of no known kind
	NetTimeout       Code = "network_timeout"
	NetCut           Code = "network_cut"
	NetRefused       Code = "network_refused"
	NetDNS           Code = "network_dns"
	NetTLS           Code = "network_tls"
	Interrupted      Code = "interrupted" // ahtui was stopped before the answer
)

// The database.
const (
	DatabaseLocked  Code = "database_locked"
	ReadOnly        Code = "read_only"
	DiskFull        Code = "disk_full"
	DatabaseDamaged Code = "database_damaged"
	NewerSchema     Code = "newer_schema"
)

// Parse reads a stored outcome code. Rows written before the codes were
// typed may hold "refused <n> <key>": that is Refused.
func Parse(s string) Code {
	if len(s) > len("refused ") && s[:len("refused ")] == "refused " {
		return Refused
	}
	return Code(s)
}

// Known reports whether ahtui has words for c.
func (c Code) Known() bool {
	_, ok := words[c]
	return ok
}
