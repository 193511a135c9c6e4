package tui

import (
	"context"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/boxes"
	"github.com/ahtui/ahtui/tui/detail"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/lists"
	"github.com/ahtui/ahtui/tui/login"
	"github.com/ahtui/ahtui/tui/planform"
	"github.com/ahtui/ahtui/tui/theme"
	"github.com/ahtui/ahtui/tui/toast"
)

// screen is what fills the body.
type screen int

const (
	screenBoot screen = iota
	screenLogin
	screenBoxes
	screenWeek
	screenPrebookings
	screenHistory
	screenPlans
	screenAgenda // my classes (agenda.go)
)

// Layout limits.
const (
	// MinWidth and MinHeight: a phone held upright; below the width at
	// which the week grid shows class names whole, the grid shows one day
	// at a time (dayview.go).
	MinWidth  = grid.MinDayWidth
	MinHeight = 20
	// wideWidth is the width from which the detail sits beside the grid.
	wideWidth    = 120
	headerHeight = 2
	footerHeight = 2
)

// Model is the root model: it owns the data, routes keys to the focused
// component, and hands sizes and data down.
type Model struct {
	cfg     Config
	ctx     context.Context
	log     *slog.Logger
	timeout time.Duration
	th      *theme.Theme
	tx      *i18n.Text
	keys    KeyMap
	help    help.Model

	width, height int
	screen        screen
	detailFocus   bool // week screen: keys go to the detail pane
	detailOpen    bool // compact layout: the detail shows as an overlay
	helpOpen      bool
	statusOpen    bool        // the status view (S): sessions, clock, who fires
	layoutChoice  grid.Layout // v: the member's week or day, for the session (dayview.go)

	now   time.Time
	loc   *time.Location // the current box's zone (zones.go)
	zones session.Zones  // every box's zone, to show stored times in box time
	today aimharder.Date

	account     session.Account
	box         session.Box
	hasBox      bool
	boxList     []session.Box
	family      string
	passwordCmd bool // password_command is set
	sessions    map[session.Kind]session.Health
	prebookings []session.Prebooking
	events      []session.Event
	eventsByID  map[int64]session.Prebooking
	firing      FiringProcess // who fires the prebookings, when hasFiring
	hasFiring   bool
	plans       []account.PlanView
	watches     []session.Watch    // the member's watches of full classes (watch.go)
	planRows    []lists.PlanRow    // the plans view's rows, as rendered
	nextClass   *account.ClassView // the next booked class, for the header (header.go)
	agenda      agendaView         // my classes (agenda.go)

	grid        grid.Model
	detail      detail.Model
	dialog      dialog.Model
	opening     dialog.OpeningModel // the prebook offer that asks how the box opens (window.go)
	toasts      toast.Model
	prebookList lists.Model
	historyList lists.Model
	loginForm   login.Model
	picker      boxes.Model
	planList    lists.Model
	planForm    planform.Model
	pauseForm   planform.Pause

	seq        uint64    // last request id handed out
	daySeq     [7]uint64 // newest request covering each day of the shown week
	dayFresh   [7]bool   // the day shows AimHarder's answer, not the store's copy
	storeSeq   uint64
	historySeq uint64
	inflight   int // AimHarder loads in flight
	lastFresh  time.Time
	refreshSeq uint64 // the week load a refresh (r) started: its answer is confirmed
	lastStore  time.Time
	offline    bool
	placed     bool // the cursor was put on today's next class
	target     *target

	reloadGen   int
	reloadArmed bool
	pending     pendingReload

	boxesVersion  int64 // the store's boxes version the shown rules come from (rules.go)
	checkingBoxes bool  // a version read is in flight

	members        []session.FamilyMember // the named family members, to show a name for the family id
	screenVersion  int64                  // the store's screen version last read (live.go)
	checkingScreen bool                   // a screen version read is in flight
	dayAt          map[dayKey]time.Time   // when each shown day's classes were read

	// windowAsked: box ID → the learned rule the member answered "I don't
	// know" to; that box is not asked again about that rule (window.go).
	windowAsked map[int64]string

	// Cached renderings, rebuilt when what they show changes.
	headerLines [headerHeight]string
	helpLine    string
	helpBox     string
	statusBox   string
	tooSmall    string
	paneSep     string
	paneSepHot  string
	narrowHelp  narrowHelp // the help box stacked for a narrow screen (helpnarrow.go)

	quitting bool

	// Timers (tea.Every and tea.Tick; tests replace them to run without
	// waiting).
	every, after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// target is a class to put the cursor on once its week has loaded.
type target struct {
	day         aimharder.Date
	classID     int64
	nextOpening bool // instead: the class whose booking opens soonest
}

// pendingReload is what a burst of events asked to reload.
type pendingReload struct {
	store bool
	all   bool
	days  map[aimharder.Date]bool
}

// New builds the root model.
func New(cfg Config) Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	tx := i18n.For(cfg.Lang)
	th := theme.New(cfg.Renderer, theme.Options{NoColor: cfg.NoColor})
	now := cfg.Now()
	loc := session.DefaultLocation()
	today := aimharder.DateOf(now.In(loc))
	m := Model{
		cfg:         cfg,
		ctx:         cfg.Context,
		log:         cfg.Logger,
		timeout:     cfg.Timeout,
		th:          th,
		tx:          tx,
		keys:        DefaultKeyMap(tx),
		help:        newHelp(th),
		now:         now,
		loc:         loc,
		today:       today,
		sessions:    map[session.Kind]session.Health{},
		grid:        grid.New(th, tx, today.Monday()),
		detail:      detail.New(th, tx),
		dialog:      dialog.New(th, tx),
		opening:     dialog.NewOpening(th, tx),
		toasts:      toast.New(th),
		prebookList: lists.New(th, tx, tx.PrebookingsTitle, tx.PrebookingsEmpty),
		historyList: lists.New(th, tx, tx.HistoryTitle, tx.HistoryEmpty),
		loginForm:   login.New(th, tx),
		picker:      boxes.New(th, tx),
		planList:    lists.New(th, tx, tx.PlansTitle, tx.PlansEmpty),
		planForm:    planform.New(th, tx),
		pauseForm:   planform.NewPause(th, tx),
	}
	m.every, m.after = tea.Every, tea.Tick
	if cfg.Timer != nil {
		m.every, m.after, m.toasts.After = cfg.Timer, cfg.Timer, cfg.Timer
	}
	m.grid.SetNow(now, today)
	m.paneSep = th.Border.Render("│") + " "
	m.paneSepHot = th.Accent.Render("┃") + " "
	return m
}

func newHelp(th *theme.Theme) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       th.HelpSep,
		ShortKey:       th.HelpKey,
		ShortDesc:      th.HelpDesc,
		ShortSeparator: th.HelpSep,
		FullKey:        th.HelpKey,
		FullDesc:       th.HelpDesc,
		FullSeparator:  th.HelpSep,
	}
	return h
}

// Init reads who is logged in and which box is chosen, and starts the clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.bootCmd(), m.tick())
}

// nextSeq hands out a request id.
func (m *Model) nextSeq() uint64 {
	m.seq++
	return m.seq
}

// pendingCount is the number of prebookings waiting to fire.
func (m Model) pendingCount() int {
	n := 0
	for _, p := range m.prebookings {
		if p.Status == session.PrebookPending || p.Status == session.PrebookFiring {
			n++
		}
	}
	return n
}

// engineLeading reports whether this process fires prebookings.
func (m Model) engineLeading() bool {
	return m.cfg.Engine != nil && m.cfg.Engine.Leading()
}
