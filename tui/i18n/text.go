package i18n

// Text is every word the TUI shows, in one language. Entries with %
// verbs are fmt formats; their comments name the arguments.
type Text struct {
	Lang Lang

	// Dates.
	WeekdaysShort [7]string // Sunday first, as time.Weekday
	WeekdaysLong  [7]string
	MonthsShort   [12]string
	MonthsLong    [12]string
	Today         string

	// Header.
	Demo            string
	WeekNumber      string // %d week of the year
	Family          string // %s family member id
	SessionLive     string
	SessionDead     string
	SessionNone     string
	Background      string // label for the scheduler's session
	TokenAge        string // %s age
	ClockOffset     string // %s offset, %s error bound
	ClockUnknown    string
	ClockBroken     string
	NextPrebooking  string // %s class, %s when, %s countdown ("in 16h 14m")
	NextClass       string // %s class, %s when: the next booked class
	InTime          string // %s wait ("16h 14m"): a countdown, "in 16h 14m"
	NoPrebookings   string
	Runner          string
	RunnerOther     string
	RunnerAt        string // %s program, %d pid, %s host: who fires the prebookings
	ServedOne       string // served over SSH, one viewer connected
	ServedMany      string // %d viewers connected
	Loading         string
	CachedAt        string // %s time
	Offline         string
	SessionExpiring string // %s class: a prebooking is near and the background session is dead

	// Status view (S): the internals the header leaves out.
	StatusHint         string // the header's pointer to it when all is well
	StatusTitle        string
	StatusDevice       string
	StatusBackground   string
	StatusClock        string
	StatusFiring       string
	StatusNoEngine     string // no firing engine in this process
	StatusNoLogin      string // before a login: nothing fires
	StatusPending      string
	StatusPendingCount Plural // %d pending prebookings
	StatusPendingPlans Plural // %d weekly plans
	StatusData         string
	StatusFresh        string
	StatusFreshAt      string // %s time of the last answer from AimHarder
	StatusClose        string

	// States (words in roomy cells and the detail).
	StateOpen       string
	StateBooked     string
	StateWaitlisted string
	StateFull       string
	StateNotOpen    string
	StatePast       string
	StatePrebooked  string
	StateFiring     string
	StateFailed     string
	OpensIn         string // %s countdown
	FiresIn         string // %s countdown
	Places          string // %d free places
	Waiting         string // %d people waiting

	// Grid.
	NoClasses   string
	ClosedDay   string
	MoreAbove   string // %d rows
	MoreBelow   string // %d rows
	TooSmall    string // %d, %d minimum width and height; %d, %d current
	NoBox       string
	LoadingWeek string

	// Detail.
	DetailTitle        string
	Coach              string
	NoCoach            string
	Time               string
	Occupancy          string
	OccupancyValue     string // %d occupancy, %d capacity
	WaitlistValue      string // %d waiting
	YourState          string
	BookingOpens       string
	OpensAt            string // %s date, %s countdown
	OpenedAt           string // %s date
	OpensUnknown       string
	LateCancel         string
	LateCancelInfo     string
	Attendees          string // %d count
	AttendeesTitle     string
	AttendeesHidden    string
	AttendeesNone      string
	Description        string
	StaffManaged       string
	NotIncluded        string
	PrebookingLabel    string
	PrebookingLine     string // %s status, %s opens
	PrebookingOutcome  string // %s outcome
	ReservationID      string // %d id
	NoClassSelected    string
	ScrollHint         string
	Notices            string
	CachedNotice       string // %s time
	Online             string
	AttendeesYou       string
	DetailWaitlistNote string

	// Actions, confirmations and toasts.
	Yes, No              string
	ConfirmWaitlist      string // title
	ConfirmWaitlistBody  string // %s class
	ConfirmCancel        string
	ConfirmCancelBody    string // %s class
	ConfirmLate          string
	ConfirmLateBody      string // %s class
	ConfirmPrebook       string
	ConfirmPrebookBody   string // %s class, %s opening
	ConfirmPrebookNoRule string // %s class
	ConfirmUnprebook     string
	ConfirmUnprebookBody string // %s class
	ConfirmQuit          string
	ConfirmQuitBody      Plural // %d pending prebookings
	ConfirmQuitKeep      Plural // %d pending prebookings (keeping them running in the background is offered)
	QuitStandby          Plural // %[1]d pending prebookings, %[2]s the runner (QuitRunner) that fires them once this one quits
	QuitStandbyPlans     Plural // %[1]d weekly plans, %[2]s the runner
	QuitRunner           string // program, host, pid: "ahtui run on nas (pid 4242)"
	ChoiceBackground     string
	ChoiceQuitAnyway     string
	ChoiceStay           string
	Booked               string // %s class
	Waitlisted           string // %s class
	BookedUnsettled      string // %s class: bookState 0 the day could not settle (docs/protocol.md §10B)
	AlreadyBooked        string // %s class
	Cancelled            string // %s class
	CancelledLate        string // %s class
	Prebooked            string // %s class, %s opening
	PrebookedNoRule      string // %s class
	Unprebooked          string // %s class
	WindowWasOpen        string // %s class
	Refreshing           string
	Refreshed            string // %s the time of AimHarder's answer: a refresh (r) ends with it
	NothingToCancel      string
	NothingToBook        string
	AlreadyYours         string
	ClassPast            string
	BusyWith             string
	StaffOnly            string
	PrebookOutcomeOK     string // %s class, %s status
	PrebookOutcomeFail   string // %s class, %s reason
	Working              string

	// Errors, in a member's words: the words of session/outcome, which owns them.
	ErrNotLoggedIn   string
	ErrExpired       string
	ErrFull          string
	ErrNoCredit      string
	ErrPayment       string
	ErrTooLate       string
	ErrDailyLimit    string
	ErrQuota         string
	ErrAlreadyBooked string
	ErrTooEarly      string
	ErrRefusedStated string // a refusal without a code, AimHarder's words follow
	ErrCancelRefused string // a cancel refused; AimHarder's words may follow
	ErrBadLogin      string
	ErrLocked        string
	ErrBlocked       string
	ErrRateLimited   string
	ErrNetwork       string // a network failure of no known kind
	ErrNetCut        string // the connection closed before the answer (EOF, reset)
	ErrNetTimeout    string
	ErrNetRefused    string
	ErrNetDNS        string
	ErrNetTLS        string
	ErrInterrupted   string
	ErrUncertain     string // %s: WhatBooking or WhatCancel
	WhatBooking      string
	WhatCancel       string
	ErrUnexpected    string
	ErrBusy          string
	ErrReadOnly      string
	ErrDiskFull      string
	ErrDamaged       string
	ErrNotBooked     string
	ErrCancelNoop    string
	ErrNotPending    string
	ErrDuplicate     string
	ErrClassStarted  string
	ErrAlreadyIn     string
	ErrClassGone     string

	// Views.
	PrebookingsTitle string
	PrebookingsEmpty string
	PrebookColumns   [5]string // status, class, day, opens, outcome
	HistoryTitle     string
	HistoryEmpty     string
	HistoryAttempts  Plural // %d
	HistoryLate      string
	HistoryFired     string // %s time
	BoxesTitle       string
	BoxesEmpty       string
	BoxCurrent       string
	BoxZoneGuess     string // marks a time zone that is only a guess (Europe/Madrid)
	BoxZoneHint      string // %s the box's subdomain: how to set its zone
	// An hours rule with the counting ahtui assumes (%d hours twice):
	// elapsed hours (48h) or clock hours (48h-wall).
	HoursElapsed string
	HoursWall    string
	BoxWindow    string // %s the rule in words (HoursElapsed…): a line of the box list
	WindowLabel  string // the detail's label for the same words
	// BoxWindowAssumed: %s the learned rule ("2d"), %s the box's
	// subdomain, %s the rule to type ("2d@HH:MM"): the rule is only
	// assumed, and how to set a fixed hour.
	BoxWindowAssumed string
	// WarnWindowRule: %s box, %s the member's rule, %s AimHarder's.
	WarnWindowRule string
	WarnHealth     string // pending prebookings at risk
	BoxShares      string
	FamilyLabel    string
	FamilyHint     string
	FamilyHolder   string
	FamilyPick     string // the chooser's title: "Book for"
	FamilyPickHint string // its keys
	LoginTitle     string
	LoginIntro     string
	Email          string
	Password       string
	LoggingIn      string
	LoginSubmit    string
	HelpTitle      string
	Legend         string
	LegendGlyphs   string
	PrebookStatus  map[string]string // session.PrebookingStatus → word
	HistoryKinds   map[string]string // session.EventKind → word
	HistoryOutcome map[string]string // outcome of a book or cancel → word
	HistoryTook    string            // %d milliseconds
	KeyGroups      [4]string         // move, act, views, general

	// For whom, when the account has family members: the For line's
	// label in a confirmation and the plan form ("For").
	FamilyFor string
	// ConfirmBook and ConfirmBookBody (%s class): booking asks first
	// when the account has family members.
	ConfirmBook, ConfirmBookBody string
	// ConfirmBookOther: the class is booked already for the setting's
	// person; %s "for you"/"for Leo", %s class.
	ConfirmBookOther string

	// How the box opens, asked with the prebook offer when a "too early"
	// answer taught an assumed "N days" rule (docs/protocol.md §9).
	AskWindow        string // %s the box's name, %s a count of days ("4 days")
	AskWindowSliding string // %s days
	AskWindowFixed   string // %s days
	AskWindowUnknown string
	AskWindowKept    string
	AskWindowBadTime string
	AskWindowTime    string // the time field's placeholder
	AskWindowChoose  string // help: ↑↓
	AskWindowPrebook string // help: y/enter
	AskWindowNo      string // help: n
	AskWindowClose   string // help: esc
	WindowSetSliding string // %s box, %s days
	WindowSetFixed   string // %s box, %s HH:MM, %s days
	WindowSetFailed  string // %s box
	OneDay           string // "1 day"
	NDays            string // %d days, two or more (or none)

	Help Keys

	// Weekly plans.
	LegendPlan       string            // %s plan marker, %s skipped marker, %s paused marker
	PlanStates       map[string]string // session.OccurrenceState → word
	PlansTitle       string
	PlansEmpty       string
	PlanEvery        string // %s days ("Mon/Wed/Fri"): the detail's plan line
	PlanNumber       string // %d plan id
	PlanLabel        string // the detail's label for the plan line
	PlanWaitlist     string
	PlanThen         string // %s fallback ("08:00 WOD")
	PlanFrom         string // %s date
	PlanUntil        string // %s date
	PlanPausedRange  string // %s first day, %s last day
	PlanSkippedWord  string
	PlanPausedWord   string
	PlanFallbackUsed string // %s the fallback class that was chosen
	PlanFormTitle    string
	PlanFormClass    string // %s class, %s time, %s box
	PlanDays         string
	PlanWaitlistRow  string
	PlanWaitlistYes  string
	PlanWaitlistNo   string
	PlanFallback     string
	PlanFallbackNone string
	PlanFormHint     string
	PlanNeedsDay     string
	PlanSaved        string // %d plan id, %s the plan in words
	PlanRefused      string // %s the service's words
	PlanFailed       string // %s what went wrong
	PlanNowTitle     string
	PlanNowBody      string // %s the open classes
	PlanSkipped      string // %s day, %d plan id
	PlanUnskipped    string // %s day, %d plan id
	PlanPauseTitle   string // %d plan id
	PlanPauseFrom    string
	PlanPauseUntil   string
	PlanDateHint     string
	PlanPauseHint    string
	PlanBadDate      string // %s what was typed
	PlanPaused       string // %d plan id, %s first day, %s last day
	PlanResumed      string // %d plan id
	PlanNotPaused    string // %d plan id
	PlanRemoveTitle  string
	PlanRemoveBody   string // %d plan id, %s the plan in words
	PlanRemoved      string // %d plan id
	PlanPickDay      string
	PlanNoClass      string
	// Quitting with weekly plans and no prebooking pending: %d plans.
	ConfirmQuitPlans     Plural // %d
	ConfirmQuitPlansKeep Plural // %d
	PlanDayNote          string // %d plan id: said when cancelling a plan's class or prebooking

	// The login form's refusals beyond a wrong password (docs/protocol.md
	// §2.1): a lockout's advice (after ErrLocked), a refusal in words
	// ahtui does not know (AimHarder's words follow), one without words,
	// and a login that opened no session.
	ErrLockedWait      string
	ErrLoginRefused    string
	ErrLoginNoReason   string
	ErrLoginIncomplete string
}

// Keys is the help text of every key binding.
type Keys struct {
	Move, Up, Down, Left, Right string
	First, Last                 string
	PrevWeek, NextWeek, Today   string
	Detail, Back                string
	Book, Cancel, Prebook       string
	NextOpening                 string
	Prebookings, History        string
	Refresh, Boxes, Help        string
	Quit, ForceQuit             string
	Remove, Open, Family        string
	Submit, NextField           string
	Scroll                      string
	Confirm, Dismiss            string
	Select                      string
	EveryWeek, Plans            string
	Weeks                       string // [ and ] together, in the footer
	Skip, Pause, Resume         string
	ToggleDay, Change, Save     string
	More, Close, Status         string    // ? in the footer, ? and esc in an overlay, S
	Layout                      string    // v: the week or one day
	Tabs                        [5]string // the views in header line 1: week, my classes, prebookings, plans, history
	WeekTooNarrow               string    // %d columns the week needs
}
