// Package tui is ahtui's terminal interface: the week of a box as a grid,
// the class detail with who is coming, one key to book, cancel or prebook,
// the prebookings and history views, the login form and the box picker.
//
// It depends on the rest of ahtui only through the small interfaces below,
// which cmd/ahtui fills with the account service, the store and the
// scheduler. The TUI always acts with the device session and never touches
// a token. Background news (a prebooking fired, a session changed) arrives
// as Events; the TUI treats each as "something changed" and reloads what it
// shows, so a dropped event costs a reload, never a wrong screen.
package tui

import (
	"context"
	"log/slog"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// Account is what the TUI asks of the account service
// (*account.Service satisfies it).
type Account interface {
	Login(ctx context.Context, email, password string) (account.LoginResult, error)
	CurrentBox(ctx context.Context) (session.Box, error)
	Week(ctx context.Context, kind session.Kind, box session.Box, from aimharder.Date) ([]account.DayView, error)
	Day(ctx context.Context, kind session.Kind, box session.Box, date aimharder.Date) (account.DayView, error)
	CachedDay(ctx context.Context, box session.Box, date aimharder.Date) (account.DayView, bool, error)
	Book(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (account.BookOutcome, error)
	Cancel(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, late bool) (account.CancelOutcome, error)
	Prebook(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (account.PrebookResult, error)

	// Weekly plans (docs/product.md, weekly plans).
	AddPlan(ctx context.Context, n session.NewPlan) (account.PlanView, error)
	ListPlans(ctx context.Context) ([]account.PlanView, error)
	RemovePlan(ctx context.Context, id int64) (session.Plan, error)
	SkipPlanDay(ctx context.Context, id int64, day aimharder.Date) (session.Plan, error)
	UnskipPlanDay(ctx context.Context, id int64, day aimharder.Date) (session.Plan, error)
	PausePlans(ctx context.Context, id int64, from, until aimharder.Date) ([]session.Plan, error)
	ResumePlans(ctx context.Context, id int64) ([]session.Plan, error)
	EditPlan(ctx context.Context, id int64, e session.PlanEdit) (account.PlanView, error)
	// AddedOpenDays are the days edit e of plan id adds whose booking is
	// already open: the member is asked about them before EditPlan.
	AddedOpenDays(ctx context.Context, id int64, e session.PlanEdit) ([]session.Occurrence, error)
}

// Store is what the TUI reads and writes in the database directly
// (*session.Store satisfies it).
type Store interface {
	Account(ctx context.Context) (session.Account, error)
	Boxes(ctx context.Context) ([]session.Box, error)
	SetCurrentBox(ctx context.Context, id int64) error
	FamilyID(ctx context.Context) (string, error)
	PasswordCommand(ctx context.Context) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
	SessionHealth(ctx context.Context, kind session.Kind) (session.Health, error)
	Prebookings(ctx context.Context, q session.PrebookingQuery) ([]session.Prebooking, error)
	AddPrebooking(ctx context.Context, n session.NewPrebooking) (session.Prebooking, error)
	CancelPrebooking(ctx context.Context, id int64) (session.Prebooking, error)
	History(ctx context.Context, q session.HistoryQuery) ([]session.Event, error)
	Record(ctx context.Context, e session.Event) (session.Event, error)
	// BoxesVersion changes whenever a box is written, by any process
	// (session.Store.BoxesVersion): the TUI reads it every second.
	BoxesVersion(ctx context.Context) (int64, error)
	// SetMemberWindow records the member's booking-window rule for a box,
	// as `ahtui config box.<sub>.window` does ("" clears it).
	SetMemberWindow(ctx context.Context, id int64, rule string) error
}

// Engine is the prebooking firing engine when it runs in this process.
type Engine interface {
	// Leading reports whether this process is the one firing prebookings
	// (another process on the same database may lead instead).
	Leading() bool
	// ClockOffset is how far the server's clock is ahead of ours and the
	// error bound of that estimate; ok is false while there is none.
	ClockOffset() (offset, bound time.Duration, ok bool)
}

// LeaderFinder is what an Engine may also tell: which process fires the
// prebookings, so that a TUI that does not can say who does.
type LeaderFinder interface {
	// FiringProcess reads who holds the firing lease now; false when
	// nobody does.
	FiringProcess(ctx context.Context) (FiringProcess, bool, error)
}

// StandbyFinder is what an Engine may also tell: which other process on
// the database would fire the prebookings once this one stops, so that
// the quit dialog promises only what is true.
type StandbyFinder interface {
	// Standby reads the live runners on the database; false when no
	// other one runs.
	Standby(ctx context.Context) (FiringProcess, bool, error)
}

// FiringProcess is the process that fires the prebookings.
type FiringProcess struct {
	Program string // "ahtui run", "ahtui serve", "ahtui"; may be empty
	PID     int
	Host    string
}

// Config wires a Model.
type Config struct {
	Account Account
	Store   Store
	// Engine is nil when no firing engine runs in this process: quitting
	// then never needs to warn.
	Engine Engine

	Lang i18n.Lang
	// Now is the clock (default time.Now). Tests fix it.
	Now func() time.Time
	// Context bounds every request (default context.Background()).
	Context context.Context
	Logger  *slog.Logger
	// Renderer styles the output (default lipgloss's, i.e. stdout). Each
	// SSH session brings its own.
	Renderer *lipgloss.Renderer
	// NoColor drops colours (NO_COLOR) but keeps bold and reverse.
	NoColor bool
	// Demo marks the header: this is the simulated gym.
	Demo bool
	// AutoRefresh reloads the week from AimHarder this often (0: never).
	AutoRefresh time.Duration
	// Timeout bounds each request to AimHarder (default 30 s).
	Timeout time.Duration
	// Bell rings the terminal bell when a prebooking's outcome arrives
	// (nil: silent). Make it with BellOutput, from the program's output.
	Bell func()

	// Viewers is set when the TUI is served over SSH (`ahtui serve`): how
	// many are connected now. The runner outlives a served session, so
	// quitting one never warns.
	Viewers func() int
	// KeepRunning, when set, is offered on quit while this process fires
	// pending prebookings: the member may keep them running in the
	// background. It is called (off the update loop) when they choose so,
	// just before the program quits; cmd/ahtui starts the background runner
	// once the TUI has stopped.
	KeepRunning func()

	// Timer makes the TUI's timers, the second hand included (default
	// tea.Every for the tick, tea.Tick for the rest). Tests outside this
	// package hand in one that returns at once, to tick a simulated clock.
	Timer func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
}

// EventKind says what an Event is about.
type EventKind int

const (
	// EventChanged: something in the store changed; reload.
	EventChanged EventKind = iota
	// EventPrebookingFinished: a prebooking fired and its outcome is stored.
	EventPrebookingFinished
	// EventSession: a session's health changed (refreshed, expired).
	EventSession
	// EventWarning: something the member must know (Message says what).
	EventWarning
	// EventBoxes: a box's rule or time zone may have changed (by this
	// process or another): read the boxes again and recompute what shows.
	EventBoxes
)

// Event is background news for the TUI, converted by cmd/ahtui from the
// scheduler's events.
type Event struct {
	Kind EventKind
	// BoxID and Day name the day whose classes may have changed (zero:
	// none in particular).
	BoxID int64
	Day   aimharder.Date
	// PrebookingID, Status, Class, ClassStart and Message describe a
	// finished prebooking (Code is ahtui's outcome code, Message AimHarder's own words) or a warning.
	PrebookingID int64
	Status       session.PrebookingStatus
	Class        string
	ClassStart   time.Time
	Code         string // the outcome code (session/outcome), worded in the UI's language
	Message      string
	// Rule is a warning that a box's booking-window rule is wrong, worded
	// in the UI's language (Message is then the English log line).
	Rule *RuleWarning
	// Health: the warning is that pending prebookings are at risk (the
	// background session cannot fire them), worded in the UI's language.
	Health bool
}

// RuleWarning: the member's booking-window rule of a box is wrong.
type RuleWarning struct {
	Box        string // the box's subdomain
	MemberRule string // the member's rule, e.g. "3d"
	ServerRule string // the rule AimHarder's answer states, e.g. "2d"
}

// EventMsg carries an Event into the program.
type EventMsg Event

// Sender is what Relay needs of a program (*tea.Program satisfies it).
type Sender interface{ Send(msg tea.Msg) }
