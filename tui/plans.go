package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/lists"
	"github.com/ahtui/ahtui/tui/planform"
	"github.com/ahtui/ahtui/tui/toast"
)

// ---- weekly plans: "every week" on a class, the plans view (W), the
// grid's plan markers ----
//
// The plans and their next occurrences are read with the store
// (storeCmd, on every store refresh: after each action, on events and
// every statusEvery), so the grid's markers and the plans view follow the
// runner without a poll of their own.

// planOp is a change to the plans.
type planOp int

const (
	planAdd planOp = iota
	planSkip
	planUnskip
	planPause
	planResume
	planRemove
	planEdit
)

// planDraft travels in the "every week" form: the class it started from.
type planDraft struct {
	class account.ClassView
	boxID int64
}

// planIntent travels in a plan question's payload.
type planIntent struct {
	op    planOp
	plan  session.NewPlan  // planAdd
	edit  session.PlanEdit // planEdit
	open  []aimharder.Date // planEdit: the days it adds whose booking is open
	id    int64            // planRemove, planEdit
	words string
}

// planDoneMsg is the service's answer to a plan change.
type planDoneMsg struct {
	op          planOp
	id          int64
	day         aimharder.Date
	from, until aimharder.Date
	view        account.PlanView // planAdd, planEdit
	plans       []session.Plan   // planPause, planResume (id 0: every plan)
	err         error
	// ask, for planEdit, are the days the edit adds whose booking is
	// already open: nothing is saved yet, the member is asked about them
	// (edit is the edit to save then).
	ask  []session.Occurrence
	edit session.PlanEdit
	// askNew, for planAdd, names the classes of the plan not made yet
	// whose booking is already open (plan): nothing is saved yet.
	askNew []string
	plan   session.NewPlan
}

// newPlanOpener says which days of a plan not made yet are already open
// beyond the week the grid shows (account.Service.OpenDaysOfNewPlan).
type newPlanOpener interface {
	OpenDaysOfNewPlan(ctx context.Context, n session.NewPlan) ([]session.Occurrence, error)
}

// everyWeek is the w key: a plan for the selected class's weekday, time
// and name, in a form that ticks more days, the waitlist and a fallback.
func (m *Model) everyWeek() tea.Cmd {
	c, ok := m.grid.Selected()
	switch {
	case !ok:
		return m.toasts.Push(toast.Info, m.tx.PlanNoClass)
	case c.StaffManaged:
		return m.toasts.Push(toast.Warn, m.tx.StaffOnly)
	}
	if pm, ok := m.grid.Plan(c.ID, c.Date); ok {
		// Already every week: show that plan, on this day when listed.
		cmd := m.showPlans()
		m.selectPlanRow(pm.PlanID, c.Date)
		return cmd
	}
	s := planform.Setup{
		Class:   strings.TrimSpace(c.Name),
		Time:    session.ClockOf(c.Start),
		Day:     c.Date.Weekday(),
		Box:     strings.TrimSpace(m.box.Name),
		Options: m.fallbackOptions(c),
		Today:   m.today,
		Payload: planDraft{class: c, boxID: m.box.ID},
	}
	if f := m.forChoice(who{}); f != nil {
		s.ForNames, s.ForIDs, s.ForIndex = f.Names, f.IDs, f.Index
	}
	m.planForm.Open(s)
	return nil
}

// fallbackOptions are the other classes of c's day, by time, each name
// and time once.
func (m *Model) fallbackOptions(c account.ClassView) []planform.Option {
	return m.optionsOn(c.Date, c.Name, session.ClockOf(c.Start))
}

// optionsOn are the shown classes of day other than the plan's own
// (class at t), by time, each name and time once (nil when the day is
// not shown).
func (m *Model) optionsOn(day aimharder.Date, class string, t session.ClockTime) []planform.Option {
	d := m.dayIndex(day)
	if d < 0 {
		return nil
	}
	self := session.NormalizeClassName(class) + "@" + t.String()
	seen := map[string]bool{self: true}
	var out []planform.Option
	for _, o := range m.grid.Classes(d) {
		if o.StaffManaged {
			continue
		}
		k := session.NormalizeClassName(o.Name) + "@" + session.ClockOf(o.Start).String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, planform.Option{Class: strings.TrimSpace(o.Name), Time: session.ClockOf(o.Start)})
	}
	return out
}

// onPlanSubmit makes the plan the form describes; when booking is already
// open for one of its classes this week, it asks first whether to book
// that one now too (session.NewPlan.Now).
func (m *Model) onPlanSubmit(msg planform.SubmitMsg) tea.Cmd {
	var fallbacks []session.Fallback
	for _, f := range msg.Fallbacks {
		fallbacks = append(fallbacks, session.Fallback{Class: f.Class, Time: f.Time})
	}
	if msg.PlanID != 0 {
		e := session.PlanEdit{Days: msg.Days, Waitlist: msg.Waitlist, Fallbacks: fallbacks, From: msg.From, Until: msg.Until}
		return m.onPlanEdit(msg.PlanID, e)
	}
	d, ok := msg.Payload.(planDraft)
	if !ok {
		return nil
	}
	n := session.NewPlan{
		BoxID:     d.boxID,
		Days:      msg.Days,
		Time:      session.ClockOf(d.class.Start),
		Class:     strings.TrimSpace(d.class.Name),
		Waitlist:  msg.Waitlist,
		Fallbacks: fallbacks,
		From:      msg.From,
		Until:     msg.Until,
	}
	if msg.ForSet {
		// Chosen: the plan keeps its person whatever family_id says later.
		n.FamilyID = msg.ForID
		if n.FamilyID == "" {
			n.FamilyID = session.PlanForHolder
		}
	}
	open := m.openOccurrences(n)
	names := make([]string, len(open))
	shown := map[aimharder.Date]bool{}
	for i, c := range open {
		names[i] = m.className(c)
		shown[c.Date] = true
	}
	opener, ok := m.cfg.Account.(newPlanOpener)
	if !ok {
		if len(names) > 0 {
			m.askNewPlan(n, names)
			return nil
		}
		return m.addPlanCmd(n)
	}
	// The weeks the grid does not show are the service's to tell (a
	// window of more days than are left in this week); the plan is made
	// at once when no day is open.
	class, tx, log := n.Class+" ", m.tx, m.log
	return m.planCmd(planDoneMsg{op: planAdd}, func(ctx context.Context, a Account, msg *planDoneMsg) {
		more, err := opener.OpenDaysOfNewPlan(ctx, n)
		if err != nil {
			// Saving without asking could leave an open day missed: say so
			// and let the member try again.
			log.Info("cannot tell which days of the new plan are open", "err", err)
			msg.err = err
			return
		}
		for _, o := range more {
			if !shown[o.Day] {
				names = append(names, class+tx.ShortDate(o.Day)+" "+o.Start.Format("15:04"))
			}
		}
		if len(names) > 0 {
			msg.askNew, msg.plan = names, n
			return
		}
		msg.view, msg.err = a.AddPlan(ctx, n)
		msg.id = msg.view.Plan.ID
	})
}

// askNewPlan asks whether the plan being made should book at once the
// classes named, whose booking is already open (NewPlan.Now).
func (m *Model) askNewPlan(n session.NewPlan, names []string) {
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.PlanNowTitle,
		Body:    fmt.Sprintf(m.tx.PlanNowBody, strings.Join(names, ", ")),
		Payload: planIntent{op: planAdd, plan: n},
	})
}

// openOccurrences are the shown week's classes the plan would book whose
// booking window is open now: the plan books them only when the member
// says so.
func (m *Model) openOccurrences(n session.NewPlan) []account.ClassView {
	if n.BoxID != m.box.ID {
		return nil
	}
	var out []account.ClassView
	for d := range 7 {
		for _, c := range m.grid.Classes(d) {
			if !n.Days.Has(c.Date.Weekday()) || !n.From.IsZero() && c.Date.Before(n.From) ||
				!n.Until.IsZero() && c.Date.After(n.Until) ||
				!(session.ClassAt{Name: n.Class, At: n.Time}).Is(c.Name, c.Start) || c.OpensAt.IsZero() {
				continue
			}
			var p *session.Prebooking
			if pb, ok := m.grid.Prebooking(c.ID, c.Date); ok {
				p = &pb
			}
			if st := grid.StateOf(c, p, m.now); st == grid.Open || st == grid.Full {
				out = append(out, c)
			}
		}
	}
	return out
}

// onPlanAnswer acts on a plan question: "book this one now too?" makes
// the plan either way; removing needs a yes.
func (m *Model) onPlanAnswer(pi planIntent, yes bool) tea.Cmd {
	switch pi.op {
	case planAdd:
		n := pi.plan
		n.Now = yes
		return m.addPlanCmd(n)
	case planEdit:
		e := pi.edit
		if yes {
			e.BookOpen = pi.open
		} else {
			e.Skip = pi.open
		}
		return m.editPlanCmd(pi.id, e)
	case planResume:
		if yes {
			return m.planCmd(planDoneMsg{op: planResume}, func(ctx context.Context, a Account, msg *planDoneMsg) {
				msg.plans, msg.err = a.ResumePlans(ctx, 0)
			})
		}
	case planRemove:
		if yes {
			id := pi.id
			return m.planCmd(planDoneMsg{op: planRemove, id: id}, func(ctx context.Context, a Account, msg *planDoneMsg) {
				_, msg.err = a.RemovePlan(ctx, id)
			})
		}
	}
	return nil
}

// askResumeAll asks before resuming every plan (U): one key removes every
// pause, with no undo, so the question says how many plans and which
// pauses go. With no plan paused it says so and asks nothing.
func (m *Model) askResumeAll() tea.Cmd {
	tx := m.tx
	n := 0
	var ranges []session.DayRange
	for _, v := range m.plans {
		if len(v.Plan.Pauses) > 0 {
			n++
		}
		for _, r := range v.Plan.Pauses {
			if !slices.Contains(ranges, r) {
				ranges = append(ranges, r)
			}
		}
	}
	if n == 0 {
		return m.toasts.Push(toast.Info, tx.PlanForm().NothingPaused)
	}
	sort.SliceStable(ranges, func(i, j int) bool {
		a, b := ranges[i], ranges[j]
		return a.From.Before(b.From) || a.From == b.From && a.Until.Before(b.Until)
	})
	words := make([]string, len(ranges))
	for i, r := range ranges {
		words[i] = tx.ShortDate(r.From)
		if r.Until != r.From {
			words[i] += " – " + tx.ShortDate(r.Until)
		}
	}
	m.dialog.Open(dialog.Confirm{
		Title:   tx.PlanForm().ResumeAllTitle,
		Body:    tx.PlanForm().ResumeAllBody.With(n, strings.Join(words, ", ")),
		Danger:  true,
		Payload: planIntent{op: planResume},
	})
	return nil
}

// onPlanEdit saves a plan's edit. A day it adds (a weekday ticked, a date
// moved) whose booking is already open is booked at once only if the
// member says so, as when a plan is made: else it is skipped in the same
// change. The service says which days those are (Account.AddedOpenDays),
// whatever box the plan is of and whatever week the grid shows; the edit
// is saved at once when there are none.
func (m *Model) onPlanEdit(id int64, e session.PlanEdit) tea.Cmd {
	return m.planCmd(planDoneMsg{op: planEdit, id: id}, func(ctx context.Context, a Account, msg *planDoneMsg) {
		open, err := a.AddedOpenDays(ctx, id, e)
		if err != nil {
			msg.err = err
			return
		}
		if len(open) > 0 {
			msg.ask, msg.edit = open, e
			return
		}
		msg.view, msg.err = a.EditPlan(ctx, id, e)
	})
}

// askOpenDays asks whether to book at once the days an edit adds whose
// booking is already open (onPlanEdit).
func (m *Model) askOpenDays(msg planDoneMsg) {
	class := ""
	for _, v := range m.plans {
		if v.Plan.ID == msg.id {
			class = v.Plan.Class + " "
		}
	}
	names := make([]string, len(msg.ask))
	days := make([]aimharder.Date, len(msg.ask))
	for i, o := range msg.ask {
		names[i] = class + m.tx.ShortDate(o.Day) + " " + o.Start.Format("15:04")
		days[i] = o.Day
	}
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.PlanNowTitle,
		Body:    fmt.Sprintf(m.tx.PlanNowBody, strings.Join(names, ", ")),
		Payload: planIntent{op: planEdit, id: msg.id, edit: msg.edit, open: days},
	})
}

func (m *Model) editPlanCmd(id int64, e session.PlanEdit) tea.Cmd {
	return m.planCmd(planDoneMsg{op: planEdit, id: id}, func(ctx context.Context, a Account, msg *planDoneMsg) {
		msg.view, msg.err = a.EditPlan(ctx, id, e)
	})
}

func (m *Model) addPlanCmd(n session.NewPlan) tea.Cmd {
	return m.planCmd(planDoneMsg{op: planAdd}, func(ctx context.Context, a Account, msg *planDoneMsg) {
		msg.view, msg.err = a.AddPlan(ctx, n)
		msg.id = msg.view.Plan.ID
	})
}

// planCmd runs a plan change off the update loop.
func (m *Model) planCmd(msg planDoneMsg, do func(context.Context, Account, *planDoneMsg)) tea.Cmd {
	acct, base, to := m.cfg.Account, m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		do(ctx, acct, &msg)
		return msg
	}
}

// onPlanDone says what the change did, in the service's words when it
// refused, and reads the plans again.
func (m *Model) onPlanDone(msg planDoneMsg) tea.Cmd {
	tx := m.tx
	if msg.err == nil && len(msg.ask) > 0 {
		m.askOpenDays(msg)
		return nil
	}
	if msg.err == nil && len(msg.askNew) > 0 {
		m.askNewPlan(msg.plan, msg.askNew)
		return nil
	}
	if msg.err != nil {
		m.log.Info("plan change refused", "op", msg.op, "plan", msg.id, "err", msg.err)
		if needsLogin(msg.err) {
			return m.toLogin(msg.err)
		}
		format := tx.PlanFailed
		if msg.op == planPause && msg.id == 0 && errors.Is(msg.err, session.ErrNotFound) {
			return tea.Batch(m.toasts.Push(toast.Info, tx.PlanForm().NoPlans), m.loadStore())
		}
		if msg.op == planAdd {
			format = tx.PlanRefused
		}
		return tea.Batch(m.toasts.Push(toast.Error, fmt.Sprintf(format, m.planErrWords(msg.err))), m.loadStore())
	}
	var text string
	kind := toast.OK
	switch msg.op {
	case planAdd:
		text = fmt.Sprintf(tx.PlanSaved, msg.id, lists.PlanWords(tx, msg.view, m.today))
	case planSkip:
		text = fmt.Sprintf(tx.PlanSkipped, tx.ShortDate(msg.day), msg.id)
	case planUnskip:
		text = fmt.Sprintf(tx.PlanUnskipped, tx.ShortDate(msg.day), msg.id)
	case planEdit:
		text = fmt.Sprintf(tx.PlanForm().Changed, msg.id, lists.PlanWords(tx, msg.view, m.today))
	case planPause:
		text = fmt.Sprintf(tx.PlanPaused, msg.id, tx.ShortDate(msg.from), tx.ShortDate(msg.until))
		if msg.id == 0 {
			text = tx.PlanForm().PausedAll.With(len(msg.plans), tx.ShortDate(msg.from), tx.ShortDate(msg.until))
		}
	case planResume:
		text = fmt.Sprintf(tx.PlanResumed, msg.id)
		switch {
		case len(msg.plans) == 0 && msg.id == 0:
			text, kind = tx.PlanForm().NothingPaused, toast.Info
		case len(msg.plans) == 0:
			text, kind = fmt.Sprintf(tx.PlanNotPaused, msg.id), toast.Info
		case msg.id == 0:
			text = tx.PlanForm().ResumedAll.N(len(msg.plans))
		}
	case planRemove:
		text = fmt.Sprintf(tx.PlanRemoved, msg.id)
	}
	return tea.Batch(m.toasts.Push(kind, text), m.loadStore())
}

// planErrWords is a refused plan change in the service's own words (they
// name the plan, the day or what is wrong), other failures as usual.
func (m *Model) planErrWords(err error) string {
	switch {
	case errors.Is(err, session.ErrPlanConflict), errors.Is(err, session.ErrInvalid),
		errors.Is(err, account.ErrPlanEnded), errors.Is(err, account.ErrPlanDayPast),
		errors.Is(err, session.ErrNotFound):
		return err.Error()
	}
	return explain(m.tx, err)
}

// applyPlans hands the shown box's plans to the grid, with the classes
// their occurrences resolved to.
func (m *Model) applyPlans() {
	var plans []session.Plan
	var links []grid.PlanLink
	for _, v := range m.plans {
		if v.Plan.BoxID != m.box.ID {
			continue
		}
		plans = append(plans, v.Plan)
		for _, o := range v.Occurrences {
			if o.ClassID != 0 {
				links = append(links, grid.PlanLink{ClassID: o.ClassID, Day: o.Day, PlanID: v.Plan.ID})
			}
		}
	}
	m.grid.SetPlans(plans, links)
	m.syncDetail()
}

// ---- the plans view ----

func (m *Model) showPlans() tea.Cmd {
	m.setScreen(screenPlans)
	m.renderPlans()
	return m.loadStore()
}

func (m *Model) renderPlans() {
	m.planRows = lists.PlanRows(m.plans)
	m.planList.SetItems(lists.PlanItems(m.th, m.tx, m.planRows, m.today, m.planWho))
	m.renderHelp() // the footer follows the rows (none: only esc and r)
}

// selectPlanRow puts the plans view's cursor on plan id's occurrence on
// day, else on the plan.
func (m *Model) selectPlanRow(id int64, day aimharder.Date) {
	at := -1
	for i, r := range m.planRows {
		switch {
		case r.Plan.Plan.ID != id:
		case r.Occ != nil && r.Occ.Day == day:
			at = i
		case r.Occ == nil && at < 0:
			at = i
		}
	}
	if at >= 0 {
		m.planList.SetCursor(at)
		m.renderHelp()
	}
}

// selectedPlanRow is the row under the plans view's cursor.
func (m *Model) selectedPlanRow() (lists.PlanRow, bool) {
	i := m.planList.Cursor()
	if i < 0 || i >= len(m.planRows) {
		return lists.PlanRow{}, false
	}
	return m.planRows[i], true
}

func (m *Model) plansKey(k tea.KeyMsg) tea.Cmd {
	tx := m.tx
	row, has := m.selectedPlanRow()
	id := row.Plan.Plan.ID
	switch {
	case key.Matches(k, m.keys.Back, m.keys.Plans):
		m.setScreen(screenWeek)
		return nil
	case key.Matches(k, m.keys.Refresh):
		return m.loadStore()
	case key.Matches(k, m.keys.PauseAll):
		if len(m.plans) == 0 {
			return m.toasts.Push(toast.Info, tx.PlanForm().NoPlans)
		}
		from := m.today
		if has && row.Occ != nil {
			from = row.Occ.Day
		}
		m.pauseForm.Open(planform.PauseSetup{
			Title: tx.PlanForm().PauseAllTitle.N(len(m.plans)),
			From:  from, Until: from.AddDays(6), Today: m.today, Payload: int64(0),
		})
		return nil
	case key.Matches(k, m.keys.ResumeAll):
		return m.askResumeAll()
	case !has:
	case key.Matches(k, m.keys.Edit):
		m.editPlan(row)
		return nil
	case key.Matches(k, m.keys.Skip):
		if row.Occ == nil {
			return m.toasts.Push(toast.Info, tx.PlanPickDay)
		}
		day := row.Occ.Day
		if row.Occ.Skipped {
			return m.planCmd(planDoneMsg{op: planUnskip, id: id, day: day}, func(ctx context.Context, a Account, msg *planDoneMsg) {
				_, msg.err = a.UnskipPlanDay(ctx, id, day)
			})
		}
		return m.planCmd(planDoneMsg{op: planSkip, id: id, day: day}, func(ctx context.Context, a Account, msg *planDoneMsg) {
			_, msg.err = a.SkipPlanDay(ctx, id, day)
		})
	case key.Matches(k, m.keys.Pause):
		from := m.today
		if row.Occ != nil {
			from = row.Occ.Day
		}
		m.pauseForm.Open(planform.PauseSetup{
			Title: fmt.Sprintf(tx.PlanPauseTitle, id),
			From:  from, Until: from.AddDays(6), Today: m.today, Payload: id,
		})
		return nil
	case key.Matches(k, m.keys.Resume):
		return m.planCmd(planDoneMsg{op: planResume, id: id}, func(ctx context.Context, a Account, msg *planDoneMsg) {
			msg.plans, msg.err = a.ResumePlans(ctx, id)
		})
	case key.Matches(k, m.keys.Remove):
		words := lists.PlanWords(tx, row.Plan, m.today)
		m.dialog.Open(dialog.Confirm{
			Title:   tx.PlanRemoveTitle,
			Body:    fmt.Sprintf(tx.PlanRemoveBody, id, words),
			Payload: planIntent{op: planRemove, id: id, words: words},
		})
		return nil
	case key.Matches(k, m.keys.Open):
		if row.Plan.Plan.BoxID != m.box.ID {
			return nil
		}
		day := m.today
		var classID int64
		if row.Occ != nil {
			day, classID = row.Occ.Day, row.Occ.ClassID
		} else if len(row.Plan.Occurrences) > 0 {
			day, classID = row.Plan.Occurrences[0].Day, row.Plan.Occurrences[0].ClassID
		}
		m.setScreen(screenWeek)
		if classID == 0 {
			classID = m.planClassOn(row.Plan.Plan, day)
		}
		return m.goTo(day, classID)
	}
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	m.planList, _ = m.planList.Update(k)
	m.renderHelp() // the footer follows the selected row
	return nil
}

// editPlan opens the plan form on a plan's settings. The fallback
// candidates are the shown week's classes on the selected occurrence's
// weekday, else on the plan's first weekday the week shows.
func (m *Model) editPlan(row lists.PlanRow) {
	p := row.Plan.Plan
	var opts []planform.Option
	if p.BoxID == m.box.ID {
		var days []aimharder.Date
		if row.Occ != nil {
			days = append(days, row.Occ.Day)
		}
		for d := range 7 {
			if day := m.grid.Week().AddDays(d); p.Days.Has(day.Weekday()) {
				days = append(days, day)
			}
		}
		for _, day := range days {
			for _, o := range m.optionsOn(day, p.Class, p.Time) {
				if !slices.Contains(opts, o) {
					opts = append(opts, o)
				}
			}
			if len(opts) > 0 {
				break
			}
		}
	}
	day := time.Monday // the day the form's cursor starts on: the plan's first
	for i := range 7 {
		if wd := time.Weekday((i + 1) % 7); p.Days.Has(wd) {
			day = wd
			break
		}
	}
	name := strings.TrimSpace(row.Plan.Box.Name)
	if name == "" {
		name = row.Plan.Box.Subdomain
	}
	today := m.today
	if p.BoxID != m.box.ID && !m.now.IsZero() {
		today = aimharder.DateOf(m.now.In(row.Plan.Box.LocationOrDefault())) // dates are that box's
	}
	m.planForm.Open(planform.Setup{
		Class: p.Class, Time: p.Time, Day: day, Box: name, Options: opts, Today: today,
		PlanID: p.ID, Edit: p.EditOf(),
	})
}

// planClassOn is the shown class a plan books on day, when the grid has
// it (0 otherwise: the cursor goes to the day).
func (m *Model) planClassOn(p session.Plan, day aimharder.Date) int64 {
	d := m.dayIndex(day)
	if d < 0 {
		return 0
	}
	for _, c := range m.grid.Classes(d) {
		if pm, ok := m.grid.Plan(c.ID, c.Date); ok && pm.PlanID == p.ID {
			return c.ID
		}
	}
	return 0
}

func (m *Model) onPauseSubmit(msg planform.PauseMsg) tea.Cmd {
	id, ok := msg.Payload.(int64) // 0: every plan
	if !ok {
		return nil
	}
	from, until := msg.From, msg.Until
	return m.planCmd(planDoneMsg{op: planPause, id: id, from: from, until: until}, func(ctx context.Context, a Account, msg *planDoneMsg) {
		msg.plans, msg.err = a.PausePlans(ctx, id, from, until)
	})
}
