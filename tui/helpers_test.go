package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// The fixed clock of the tests: Thursday 26 November 2026, 09:30 in Madrid.
var (
	madrid   = mustLoc("Europe/Madrid")
	testNow  = time.Date(2026, 11, 26, 9, 30, 0, 0, madrid)
	testWeek = aimharder.Date{Year: 2026, Month: 11, Day: 23}
	testBox  = session.Box{ID: 10122, Subdomain: "sample-gym", Name: "Sample Gym", Active: true, Timezone: "Europe/Madrid",
		DetectedTimezone: "Europe/Madrid", TimezoneClue: "28012", LearnedWindow: "2d",
		LearnedWindowState: session.WindowConfirmed}
	otherBox = session.Box{ID: 10123, Subdomain: "atlantic-box", Name: "Atlantic Box", Active: true, Timezone: "Atlantic/Canary",
		DetectedTimezone: "Atlantic/Canary", TimezoneClue: "35003", Position: 1}
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	classNames = []string{"WOD", "OPEN BOX", "HYROX", "BARBELL CLUB", "GYMNASTICS", "TEAM WOD", "MOBILITY", "CONDITIONING"}
	coaches    = []string{"Marc G.", "Laura S.", "Javier R.", ""}
	athletes   = []string{"Ana P.", "Marc G.", "Laura S.", "Javier R.", "Lucía M.", "Pau F.", "Marta L.", "Sergio V.",
		"Elena C.", "David H.", "Nuria B.", "Álvaro T.", "Carmen D.", "Jordi P.", "Irene N.", "Raúl O.",
		"Sara E.", "Iker A.", "Paula J.", "Adrián Q.", "Cristina K.", "Hugo Z."}
	weekdaySlots = []string{"07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00",
		"16:00", "17:00", "18:00", "18:00", "19:00", "20:00", "21:00"}
	weekendSlots = []string{"09:00", "10:00", "10:00", "11:00", "11:00", "12:00", "12:00", "13:00", "17:00", "18:00", "19:00"}
)

// testDays builds a week of 102 classes: some booked, one waitlisted, some
// full, the weekend not open yet (the box's rule is 2 days), attendees
// listed (capacity 20, so full classes list 20 people).
func testDays(from aimharder.Date, now time.Time, shared bool) []account.DayView {
	rule := aimharder.Rule{Kind: aimharder.RuleSlidingDays, Days: 2}
	days := make([]account.DayView, 7)
	id := int64(106000000)
	for d := range 7 {
		date := from.AddDays(d)
		slots := weekdaySlots
		if d >= 5 {
			slots = weekendSlots
		}
		day := account.DayView{Date: date, FetchedAt: now}
		for i, slot := range slots {
			id++
			var h, mnt int
			fmt.Sscanf(slot, "%d:%d", &h, &mnt)
			start := date.At(h, mnt, madrid)
			n := d*16 + i
			c := aimharder.Class{
				ID:          id,
				Name:        classNames[n%len(classNames)],
				Coach:       coaches[n%len(coaches)],
				Description: "Strength, then a conditioning piece. Scale as needed.",
				Date:        date,
				Start:       start,
				End:         start.Add(time.Hour),
				Capacity:    20,
				Occupancy:   (n * 7) % 21,
				Enabled:     true,
				Included:    true,
			}
			if n%9 == 4 {
				c.Occupancy = 20
				c.Waitlist = n % 4
			}
			if n%11 == 3 {
				c.State, c.ReservationID = aimharder.StateBooked, 200000+id
			}
			if n == 40 {
				c.State, c.ReservationID = aimharder.StateWaitlisted, 200000+id
			}
			if shared {
				c.Attendees = make([]aimharder.Attendee, 0, c.Occupancy)
				for a := range c.Occupancy {
					c.Attendees = append(c.Attendees, aimharder.Attendee{ID: int64(a + 1), Name: athletes[(a+n)%len(athletes)]})
				}
			}
			cv := account.ClassView{Class: c, Box: testBox.Subdomain, OpensAt: rule.OpeningIn(start.Location(), start)}
			cv.State = account.StateOf(c, cv.OpensAt, now)
			day.Classes = append(day.Classes, cv)
		}
		days[d] = day
	}
	return days
}

// fakeAccount plays the account service over an in-memory week.
type fakeAccount struct {
	mu      sync.Mutex
	days    map[aimharder.Date]account.DayView
	cached  map[aimharder.Date]account.DayView
	weekErr error
	calls   []string
	// book and cancel override the default behaviour when set.
	book   func(classID int64, date aimharder.Date, waitlist bool) (account.BookOutcome, error)
	cancel func(classID int64, date aimharder.Date, late bool) (account.CancelOutcome, error)
	login  func(email, password string) (account.LoginResult, error)
	// store takes the prebookings Prebook makes (newEnvWith wires it).
	store *fakeStore
}

func newFakeAccount(days []account.DayView) *fakeAccount {
	f := &fakeAccount{days: map[aimharder.Date]account.DayView{}, cached: map[aimharder.Date]account.DayView{}}
	for _, d := range days {
		f.days[d.Date] = d
	}
	return f
}

func (f *fakeAccount) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeAccount) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeAccount) Login(_ context.Context, email, password string) (account.LoginResult, error) {
	f.record("login %s", email)
	if f.login != nil {
		return f.login(email, password)
	}
	return account.LoginResult{Account: session.Account{Email: email, UserID: 4242, Name: "Ana"},
		Boxes: []session.Box{testBox, otherBox}, Current: testBox, HasCurrent: true}, nil
}

func (f *fakeAccount) CurrentBox(context.Context) (session.Box, error) {
	if f.store != nil {
		f.store.mu.Lock()
		defer f.store.mu.Unlock()
		for _, b := range f.store.boxes {
			if b.ID == f.store.current {
				return b, nil
			}
		}
	}
	return testBox, nil
}

func (f *fakeAccount) Week(_ context.Context, _ session.Kind, box session.Box, from aimharder.Date) ([]account.DayView, error) {
	f.record("week %s", from)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.weekErr != nil {
		return nil, f.weekErr
	}
	out := make([]account.DayView, 7)
	for d := range 7 {
		date := from.AddDays(d)
		day, ok := f.days[date]
		if !ok {
			day = account.DayView{Date: date}
		}
		out[d] = day
	}
	return out, nil
}

func (f *fakeAccount) Day(_ context.Context, _ session.Kind, box session.Box, date aimharder.Date) (account.DayView, error) {
	f.record("day %s", date)
	f.mu.Lock()
	defer f.mu.Unlock()
	if day, ok := f.days[date]; ok {
		return day, nil
	}
	return account.DayView{Date: date}, nil
}

func (f *fakeAccount) CachedDay(_ context.Context, box session.Box, date aimharder.Date) (account.DayView, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	day, ok := f.cached[date]
	return day, ok, nil
}

// setClass changes one class of the fake week.
func (f *fakeAccount) setClass(classID int64, date aimharder.Date, change func(*account.ClassView)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	day := f.days[date]
	day.Classes = slices.Clone(day.Classes)
	for i := range day.Classes {
		if day.Classes[i].ID == classID {
			change(&day.Classes[i])
		}
	}
	f.days[date] = day
}

// Book records its outcome in the history as account.Service.Book does.
func (f *fakeAccount) Book(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (account.BookOutcome, error) {
	c := f.classOf(classID, date)
	out, err := f.book1(ctx, kind, box, classID, date, waitlist)
	var te *account.TooEarlyError
	if errors.As(err, &te) && te.Class.ID != 0 {
		c = te.Class
	}
	f.recordHistory(account.ActionEvent(account.EventBook, box, classID, date, c, account.BookOutcomeWord(out, err), err, 0))
	return out, err
}

func (f *fakeAccount) classOf(classID int64, date aimharder.Date) account.ClassView {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, _ := f.days[date].FindClass(classID)
	return c
}

func (f *fakeAccount) recordHistory(e session.Event) {
	if f.store != nil {
		_, _ = f.store.Record(context.Background(), e)
	}
}

func (f *fakeAccount) book1(_ context.Context, _ session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (account.BookOutcome, error) {
	f.record("book %d %s waitlist=%v", classID, date, waitlist)
	if f.book != nil {
		return f.book(classID, date, waitlist)
	}
	out := account.BookOutcome{State: aimharder.StateBooked, ReservationID: 900000 + classID}
	f.setClass(classID, date, func(c *account.ClassView) {
		c.Class.State, c.ReservationID, c.State = aimharder.StateBooked, out.ReservationID, account.StateBooked
		c.Occupancy++
	})
	return out, nil
}

// Prebook follows account.Service.Prebook: with the window unknown or
// open, one booking attempt; "too early" gives the opening.
func (f *fakeAccount) Prebook(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (account.PrebookResult, error) {
	family, _ := f.store.FamilyID(ctx)
	return f.prebookFor(ctx, kind, box, classID, date, waitlist, family)
}

// BookFor and PrebookFor act for a chosen family member (FamilyBooker),
// recording for whom.
func (f *fakeAccount) BookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (account.BookOutcome, error) {
	f.record("for %q", family)
	return f.Book(ctx, kind, box, classID, date, waitlist)
}

func (f *fakeAccount) PrebookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (account.PrebookResult, error) {
	f.record("for %q", family)
	return f.prebookFor(ctx, kind, box, classID, date, waitlist, family)
}

func (f *fakeAccount) prebookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (account.PrebookResult, error) {
	f.mu.Lock()
	day, ok := f.days[date]
	f.mu.Unlock()
	if !ok {
		return account.PrebookResult{}, account.ErrClassNotFound
	}
	c, ok := day.FindClass(classID)
	if !ok {
		return account.PrebookResult{}, account.ErrClassNotFound
	}
	res := account.PrebookResult{Class: c}
	opens := c.OpensAt
	if opens.IsZero() || !f.store.now().Before(opens) {
		out, err := f.Book(ctx, kind, box, classID, date, waitlist)
		var tooEarly *account.TooEarlyError
		switch {
		case err == nil:
			res.Booked = &out
			return res, nil
		case errors.As(err, &tooEarly):
			opens = tooEarly.OpensAt
		default:
			return res, err
		}
	}
	p, err := f.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: box.ID, ClassID: classID, Day: date,
		ClassName: c.Name, ClassStart: c.Start, OpensAt: opens, FamilyID: family, AllowWaitlist: waitlist})
	if errors.Is(err, session.ErrDuplicate) {
		return res, account.ErrAlreadyPrebooked
	}
	res.Prebooking = p
	return res, err
}

// Cancel records its outcome in the history as account.Service.Cancel does.
func (f *fakeAccount) Cancel(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, late bool) (account.CancelOutcome, error) {
	c := f.classOf(classID, date)
	out, err := f.cancel1(ctx, kind, box, classID, date, late)
	if word := account.CancelOutcomeWord(out, err); word != "" {
		f.recordHistory(account.ActionEvent(account.EventCancel, box, classID, date, c, word, err, 0))
	}
	return out, err
}

func (f *fakeAccount) cancel1(_ context.Context, _ session.Kind, box session.Box, classID int64, date aimharder.Date, late bool) (account.CancelOutcome, error) {
	f.record("cancel %d %s late=%v", classID, date, late)
	if f.cancel != nil {
		return f.cancel(classID, date, late)
	}
	f.setClass(classID, date, func(c *account.ClassView) {
		c.Class.State, c.ReservationID, c.State = aimharder.StateNone, 0, account.StateOpen
		c.Occupancy--
	})
	return account.CancelOutcome{Late: late}, nil
}

// fakeStore keeps prebookings, sessions and settings in memory.
type fakeStore struct {
	mu          sync.Mutex
	account     session.Account
	boxes       []session.Box
	current     int64
	family      string
	members     []session.FamilyMember // the named family members (FamilyLister)
	settings    map[string]string
	sessions    map[session.Kind]session.Health
	prebookings []session.Prebooking
	history     []session.Event
	nextID      int64
	version     int64    // the boxes version: bumped by setBox
	windowSets  []string // the rules SetMemberWindow was given
	windowErr   error    // SetMemberWindow fails with it when set
	now         func() time.Time
	plans       []session.Plan
	nextPlan    int64
	occ         map[string]session.OccurrenceRecord // plan id/day → the runner's record
	plansErr    error
}

func (s *fakeStore) BoxesVersion(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

// setBox changes a box as another process (or the account service) would,
// moving the boxes version.
func (s *fakeStore) setBox(id int64, change func(*session.Box)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.boxes {
		if s.boxes[i].ID == id {
			change(&s.boxes[i])
		}
	}
	s.version++
}

// SetMemberWindow records the member's rule as session.Store does (the
// boxes version moves); windowErr, when set, makes it fail.
func (s *fakeStore) SetMemberWindow(_ context.Context, id int64, rule string) error {
	s.mu.Lock()
	err := s.windowErr
	s.windowSets = append(s.windowSets, rule)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.setBox(id, func(b *session.Box) { b.MemberWindow = rule })
	return nil
}

func newFakeStore(now func() time.Time) *fakeStore {
	live := func(k session.Kind, age time.Duration) session.Health {
		return session.Health{Kind: k, State: session.StateLive, TokenUpdatedAt: now().Add(-age)}
	}
	return &fakeStore{
		account: session.Account{Email: "ana@example.com", UserID: 4242, Name: "Ana"},
		boxes:   []session.Box{testBox, otherBox},
		current: testBox.ID,
		sessions: map[session.Kind]session.Health{
			session.KindDevice:     live(session.KindDevice, 4*time.Minute),
			session.KindBackground: live(session.KindBackground, 12*time.Minute),
		},
		now: now,
	}
}

func (s *fakeStore) Account(context.Context) (session.Account, error) { return s.account, nil }

func (s *fakeStore) Boxes(context.Context) ([]session.Box, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.boxes), nil
}

func (s *fakeStore) SetCurrentBox(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = id
	return nil
}

func (s *fakeStore) PasswordCommand(context.Context) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := strings.TrimSpace(s.settings[session.SettingPasswordCommand])
	return v, v != "", nil
}

func (s *fakeStore) FamilyID(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.family, nil
}

func (s *fakeStore) FamilyMembers(context.Context) ([]session.FamilyMember, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.members), nil
}

func (s *fakeStore) SetSetting(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == session.SettingFamilyID {
		s.family = value
		return nil
	}
	if s.settings == nil {
		s.settings = map[string]string{}
	}
	s.settings[key] = value
	return nil
}

func (s *fakeStore) SessionHealth(_ context.Context, k session.Kind) (session.Health, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.sessions[k]; ok {
		return sess, nil
	}
	return session.Health{}, session.ErrNoSession
}

func (s *fakeStore) Prebookings(_ context.Context, q session.PrebookingQuery) ([]session.Prebooking, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.prebookings), nil
}

func (s *fakeStore) AddPrebooking(_ context.Context, n session.NewPrebooking) (session.Prebooking, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.prebookings {
		if p.ClassID == n.ClassID && p.Day == n.Day && !p.Status.Final() {
			return session.Prebooking{}, session.ErrDuplicate
		}
	}
	s.nextID++
	p := session.Prebooking{ID: s.nextID, BoxID: n.BoxID, ClassID: n.ClassID, Day: n.Day, ClassName: n.ClassName,
		ClassStart: n.ClassStart, OpensAt: n.OpensAt, FamilyID: n.FamilyID, AllowWaitlist: n.AllowWaitlist,
		Status: session.PrebookPending, CreatedAt: s.now()}
	s.prebookings = append(s.prebookings, p)
	return p, nil
}

func (s *fakeStore) CancelPrebooking(_ context.Context, id int64) (session.Prebooking, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.prebookings {
		if p.ID == id {
			if p.Status != session.PrebookPending {
				return p, session.ErrNotPending
			}
			s.prebookings[i].Status = session.PrebookCancelled
			return s.prebookings[i], nil
		}
	}
	return session.Prebooking{}, session.ErrNotFound
}

// finish plays the scheduler: the prebooking fired with this outcome.
func (s *fakeStore) finish(id int64, st session.PrebookingStatus, msg string) session.Prebooking {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.prebookings {
		if s.prebookings[i].ID == id {
			p := &s.prebookings[i]
			p.Status, p.OutcomeMessage, p.Attempts = st, msg, 2
			p.FiredAt, p.FinishedAt = p.OpensAt.Add(-time.Second), p.OpensAt.Add(40*time.Millisecond)
			s.history = append(s.history, session.Event{ID: int64(len(s.history) + 1), At: p.FinishedAt,
				Kind: session.EventPrebookOutcome, BoxID: p.BoxID, ClassID: p.ClassID, Day: p.Day,
				Message: p.ClassName + ": " + string(st), Details: []byte(fmt.Sprintf(`{"prebooking":%d}`, p.ID))})
			return *p
		}
	}
	panic("no such prebooking")
}

func (s *fakeStore) Record(_ context.Context, e session.Event) (session.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.ID = int64(len(s.history) + 1)
	s.history = append(s.history, e)
	return e, nil
}

func (s *fakeStore) History(context.Context, session.HistoryQuery) ([]session.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.history)
	slices.Reverse(out)
	return out, nil
}

// ---- driving the model ----

// timerMsg stands for a timer the model started: tests decide whether it
// "fires" (fire) or not, so nothing waits for real time.
type timerMsg struct {
	d   time.Duration
	msg tea.Msg
}

func fakeTimer(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg { return timerMsg{d: d, msg: fn(testNow.Add(d))} }
}

// env is a model under test with its fakes.
type env struct {
	t      testing.TB
	m      Model
	acct   *fakeAccount
	store  *fakeStore
	timers []timerMsg
	now    time.Time
}

func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// newEnv builds a model on the fake week, sized w×h, loaded and settled.
func newEnv(t testing.TB, w, h int, lang i18n.Lang) *env {
	t.Helper()
	return newEnvWith(t, w, h, Config{Lang: lang, Renderer: asciiRenderer()})
}

// newEnvWith is newEnv with a configuration (the fakes and clock are
// filled in).
func newEnvWith(t testing.TB, w, h int, cfg Config) *env {
	t.Helper()
	e := &env{t: t, now: testNow}
	e.acct = newFakeAccount(testDays(testWeek, testNow, true))
	e.store = newFakeStore(func() time.Time { return e.now })
	e.acct.store = e.store
	cfg.Account, cfg.Store = e.acct, e.store
	cfg.Now = func() time.Time { return e.now }
	e.m = newTestModel(cfg)
	e.send(tea.WindowSizeMsg{Width: w, Height: h})
	e.run(e.m.Init())
	return e
}

func newTestModel(cfg Config) Model {
	m := New(cfg)
	m.every, m.after, m.toasts.After = fakeTimer, fakeTimer, fakeTimer
	return m
}

// send delivers a message and runs what it starts to completion.
func (e *env) send(msg tea.Msg) {
	e.t.Helper()
	next, cmd := e.m.Update(msg)
	e.m = next.(Model)
	e.run(cmd)
}

// key types keys: "b", "enter", "esc", "right"…
func (e *env) key(keys ...string) {
	e.t.Helper()
	for _, k := range keys {
		e.send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEscape}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// run executes a command and every command its messages start, feeding
// the messages back; timers are parked in e.timers instead of waited for.
func (e *env) run(cmd tea.Cmd) {
	e.t.Helper()
	for _, msg := range collect(cmd) {
		if tm, ok := msg.(timerMsg); ok {
			e.timers = append(e.timers, tm)
			continue
		}
		e.send(msg)
	}
}

// collect executes a command (and the batches inside it) without feeding
// anything back.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// fire delivers the parked timers whose message matches keep.
func (e *env) fire(keep func(tea.Msg) bool) {
	e.t.Helper()
	var rest, due []timerMsg
	for _, tm := range e.timers {
		if keep(tm.msg) {
			due = append(due, tm)
		} else {
			rest = append(rest, tm)
		}
	}
	e.timers = rest
	for _, tm := range due {
		e.send(tm.msg)
	}
}

// screen is the current view.
func (e *env) screen() string { return e.m.View() }

// selected is the class under the cursor.
func (e *env) selected() account.ClassView {
	e.t.Helper()
	c, ok := e.m.grid.Selected()
	if !ok {
		e.t.Fatal("no class selected")
	}
	return c
}

// selectClass puts the cursor on the first class matching pick.
func (e *env) selectClass(pick func(account.ClassView) bool) account.ClassView {
	e.t.Helper()
	for d := range 7 {
		for _, c := range e.m.grid.Classes(d) {
			if pick(c) {
				e.m.grid.Select(c.Date, c.ID)
				e.m.syncDetail()
				return c
			}
		}
	}
	e.t.Fatal("no class matches")
	return account.ClassView{}
}

func (e *env) requireContains(s string) {
	e.t.Helper()
	if !strings.Contains(e.screen(), s) {
		e.t.Fatalf("screen lacks %q:\n%s", s, e.screen())
	}
}

var errBoom = errors.New("boom")
