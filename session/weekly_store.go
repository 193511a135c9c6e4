package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// The store half of weekly plans (weekly.go): plans, skips, pauses, the
// runner's occurrence records, and the join that gives each occurrence
// the state it shows. Every change and its history line are committed
// together.

// History kinds of weekly plans.
const (
	EventPlanAdded      EventKind = "plan.added"
	EventPlanRemoved    EventKind = "plan.removed"
	EventPlanSkipped    EventKind = "plan.skipped"
	EventPlanUnskipped  EventKind = "plan.unskipped"
	EventPlanPaused     EventKind = "plan.paused"
	EventPlanResumed    EventKind = "plan.resumed"
	EventPlanEdited     EventKind = "plan.edited"
	EventPlanOccurrence EventKind = "plan.occurrence" // an occurrence record changed state
)

// PlansVersion is a counter that every change to a plan, a skip or a pause
// bumps (in any process): a runner re-reads the plans when it moved. The
// runner's own occurrence records do not move it.
func (s *Store) PlansVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM plans_version WHERE id = 1`).Scan(&v)
	return v, s.wrap("read plans version", err)
}

const planColumns = `id, box_id, days, start_time, class_name, waitlist, fallbacks, from_day, until_day, book_now, created_at, family_id, book_open`

type fallbackJSON struct {
	Class string `json:"class"`
	Time  string `json:"time"`
}

func scanPlan(row interface{ Scan(...any) error }) (Plan, error) {
	var (
		p              Plan
		days           int64
		start, fb, bo  string
		from, until    sql.NullString
		created        int64
		waitlist, book bool
	)
	if err := row.Scan(&p.ID, &p.BoxID, &days, &start, &p.Class, &waitlist, &fb, &from, &until, &book, &created, &p.FamilyID, &bo); err != nil {
		return Plan{}, err
	}
	var err error
	p.Days, p.Waitlist, p.Now, p.CreatedAt = Weekdays(days), waitlist, book, fromMillis(created)
	if p.Time, err = ParseClock(start); err != nil {
		return Plan{}, err
	}
	if p.From, err = parseDay(from); err != nil {
		return Plan{}, err
	}
	if p.Until, err = parseDay(until); err != nil {
		return Plan{}, err
	}
	var fbs []fallbackJSON
	if err := json.Unmarshal([]byte(fb), &fbs); err != nil {
		return Plan{}, fmt.Errorf("plan %d fallbacks: %w", p.ID, err)
	}
	var consent []string
	if err := json.Unmarshal([]byte(bo), &consent); err != nil {
		return Plan{}, fmt.Errorf("plan %d book_open: %w", p.ID, err)
	}
	for _, d := range consent {
		day, err := aimharder.ParseDate(d)
		if err != nil {
			return Plan{}, fmt.Errorf("plan %d book_open: %w", p.ID, err)
		}
		p.BookOpen = append(p.BookOpen, day)
	}
	slices.SortFunc(p.BookOpen, compareDates)
	for _, f := range fbs {
		t, err := ParseClock(f.Time)
		if err != nil {
			return Plan{}, err
		}
		p.Fallbacks = append(p.Fallbacks, Fallback{Class: f.Class, Time: t})
	}
	return p, nil
}

// AddPlan stores a weekly plan. An invalid one gives ErrInvalid, an unknown
// box ErrNotFound, and a plan for the same slot as a live one
// ErrPlanConflict (which wraps ErrDuplicate) naming that plan.
func (s *Store) AddPlan(ctx context.Context, n NewPlan) (Plan, error) {
	n.Class = strings.TrimSpace(n.Class)
	for i := range n.Fallbacks {
		n.Fallbacks[i].Class = strings.TrimSpace(n.Fallbacks[i].Class)
	}
	if err := n.Validate(); err != nil {
		return Plan{}, err
	}
	fbs := []fallbackJSON{}
	for _, f := range n.Fallbacks {
		fbs = append(fbs, fallbackJSON{Class: f.Class, Time: f.Time.String()})
	}
	fbText, err := json.Marshal(fbs)
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	err = s.inTx(ctx, "add plan", func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM boxes WHERE id = ?`, n.BoxID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("box %d: %w", n.BoxID, ErrNotFound)
		}
		live, err := queryPlans(ctx, tx, `SELECT `+planColumns+` FROM plans WHERE removed_at IS NULL AND box_id = ? ORDER BY id`, n.BoxID)
		if err != nil {
			return err
		}
		for _, other := range live {
			if other.Conflicts(n) {
				return &PlanConflictError{Existing: other, Days: other.Days & n.Days}
			}
		}
		now := s.now()
		p, err = scanPlan(tx.QueryRowContext(ctx, `
INSERT INTO plans (box_id, days, start_time, class_name, waitlist, fallbacks, from_day, until_day, book_now, created_at, family_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+planColumns,
			n.BoxID, int64(n.Days), n.Time.String(), n.Class, boolInt(n.Waitlist), string(fbText),
			nullDay(n.From), nullDay(n.Until), boolInt(n.Now), toMillis(now), strings.TrimSpace(n.FamilyID)))
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, planEvent(p, now, EventPlanAdded, aimharder.Date{}, "added plan "+p.Describe()))
	})
	return p, err
}

// PlanEdit is what a member may change in a live plan: everything but its
// box, first choice (class and time) and family member, which make the
// plan what it is (remove it and add another to change those).
type PlanEdit struct {
	Days      Weekdays
	Waitlist  bool
	Fallbacks []Fallback // in order
	// From and Until bound the class dates (inclusive); zero = open.
	From, Until aimharder.Date
	// Skip are class days to skip as the edit is made: days it adds whose
	// booking is already open, which the member does not want booked at
	// once (a day that is not one of the edited plan's is ignored).
	Skip []aimharder.Date
	// BookOpen are class days the edit adds whose booking is already
	// open, which the member said to book at once: the runner books them
	// even when their window opened before the plan was made
	// (Plan.MayBookOpen). A day that is not one of the edited plan's, or
	// is also in Skip, is ignored.
	BookOpen []aimharder.Date
}

// EditOf is the plan's current settings as a PlanEdit.
func (p Plan) EditOf() PlanEdit {
	return PlanEdit{Days: p.Days, Waitlist: p.Waitlist, Fallbacks: slices.Clone(p.Fallbacks), From: p.From, Until: p.Until}
}

// choiceKey names a choice whatever its place in the plan.
func choiceKey(class string, t ClockTime) string { return NormalizeClassName(class) + "@" + t.String() }

// EditPlan changes a live plan's days, waitlist, fallbacks and dates in
// one transaction, with a history line. The edited plan is validated as a
// new one (ErrInvalid) and refused when it would claim the slot of
// another live plan (ErrPlanConflict); a missing plan gives ErrNotFound.
// What the runner already did follows the edit:
//   - a pending prebooking for a day no longer in the plan (a weekday
//     untick, a date bound moved) is withdrawn (OutcomePlanStopped);
//   - pending prebookings take the new waitlist answer;
//   - an occurrence part-way through its fallbacks keeps the choice it is
//     on, at that choice's new place; when that fallback was taken out,
//     its pending prebooking is withdrawn and the occurrence starts again
//     from the first choice (one already firing is left to finish).
//
// Final occurrence states stay as they are.
func (s *Store) EditPlan(ctx context.Context, id int64, e PlanEdit) (Plan, error) {
	var p Plan
	err := s.inTx(ctx, "edit plan", func(tx *sql.Tx) error {
		old, err := s.livePlanTx(ctx, tx, id)
		if err != nil {
			return err
		}
		n := NewPlan{BoxID: old.BoxID, Days: e.Days, Time: old.Time, Class: old.Class, Waitlist: e.Waitlist,
			Fallbacks: slices.Clone(e.Fallbacks), From: e.From, Until: e.Until, Now: old.Now, FamilyID: old.FamilyID}
		for i := range n.Fallbacks {
			n.Fallbacks[i].Class = strings.TrimSpace(n.Fallbacks[i].Class)
		}
		if err := n.Validate(); err != nil {
			return err
		}
		live, err := queryPlans(ctx, tx, `SELECT `+planColumns+` FROM plans WHERE removed_at IS NULL AND box_id = ? AND id <> ? ORDER BY id`,
			old.BoxID, id)
		if err != nil {
			return err
		}
		for _, other := range live {
			if other.Conflicts(n) {
				return &PlanConflictError{Existing: other, Days: other.Days & n.Days}
			}
		}
		fbs := []fallbackJSON{}
		for _, f := range n.Fallbacks {
			fbs = append(fbs, fallbackJSON{Class: f.Class, Time: f.Time.String()})
		}
		fbText, err := json.Marshal(fbs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET days = ?, waitlist = ?, fallbacks = ?, from_day = ?, until_day = ? WHERE id = ?`,
			int64(n.Days), boolInt(n.Waitlist), string(fbText), nullDay(n.From), nullDay(n.Until), id); err != nil {
			return err
		}
		p = old
		p.Days, p.Waitlist, p.Fallbacks, p.From, p.Until = n.Days, n.Waitlist, n.Fallbacks, n.From, n.Until
		now := s.now()
		consent := slices.Clone(old.BookOpen)
		for _, day := range e.BookOpen {
			if p.IsDay(day) && !slices.Contains(e.Skip, day) && !slices.Contains(consent, day) {
				consent = append(consent, day)
			}
		}
		// A consent for a day the plan no longer has goes with the day: if
		// an edit adds it back, the member is asked again.
		consent = slices.DeleteFunc(consent, func(d aimharder.Date) bool { return !p.IsDay(d) })
		slices.SortFunc(consent, compareDates)
		if !slices.Equal(consent, old.BookOpen) {
			list := make([]string, len(consent))
			for i, d := range consent {
				list[i] = d.String()
			}
			text, err := json.Marshal(list)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE plans SET book_open = ? WHERE id = ?`, string(text), id); err != nil {
				return err
			}
		}
		p.BookOpen = consent
		for _, day := range e.Skip {
			if !p.IsDay(day) || p.Skipped(day) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_skips (plan_id, day, created_at) VALUES (?, ?, ?)`,
				id, day.String(), toMillis(now)); err != nil {
				return err
			}
			p.Skips = append(p.Skips, day)
			slices.SortFunc(p.Skips, compareDates)
			if err := recordTx(ctx, tx, planEvent(p, now, EventPlanSkipped, day,
				fmt.Sprintf("skipped %s of plan %s (booking was already open when the day was added)", day, p.Describe()))); err != nil {
				return err
			}
		}
		if err := s.followEditTx(ctx, tx, old, p, now); err != nil {
			return err
		}
		return recordTx(ctx, tx, planEvent(p, now, EventPlanEdited, aimharder.Date{},
			fmt.Sprintf("edited plan %s: %s", p.Describe(), p.Settings())))
	})
	return p, err
}

// Settings is the plan's editable part in words: "waitlist, then WOD at
// 08:00, from 2026-12-01 until 2027-06-30".
func (p Plan) Settings() string {
	var parts []string
	if p.Waitlist {
		parts = append(parts, "waitlist")
	} else {
		parts = append(parts, "no waitlist")
	}
	for _, f := range p.Fallbacks {
		parts = append(parts, fmt.Sprintf("then %s at %s", f.Class, f.Time))
	}
	if !p.From.IsZero() {
		parts = append(parts, "from "+p.From.String())
	}
	if !p.Until.IsZero() {
		parts = append(parts, "until "+p.Until.String())
	}
	return strings.Join(parts, ", ")
}

// followEditTx makes the runner's prebookings and records of plan old
// follow its edit into p (EditPlan).
func (s *Store) followEditTx(ctx context.Context, tx *sql.Tx, old, p Plan, now time.Time) error {
	// Pending prebookings: withdrawn when their day left the plan, else
	// given the new waitlist answer.
	rows, err := tx.QueryContext(ctx, `SELECT id, plan_day FROM prebookings WHERE plan_id = ? AND status = 'pending'`, p.ID)
	if err != nil {
		return err
	}
	type pending struct {
		id  int64
		day aimharder.Date
	}
	var list []pending
	for rows.Next() {
		var pb pending
		var day sql.NullString
		if err := rows.Scan(&pb.id, &day); err != nil {
			rows.Close()
			return err
		}
		if pb.day, err = parseDay(day); err != nil {
			rows.Close()
			return err
		}
		list = append(list, pb)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, pb := range list {
		if !pb.day.IsZero() && (!p.IsDay(pb.day) || p.Skipped(pb.day)) {
			if err := withdrawTx(ctx, tx, p.ID, DayRange{From: pb.day, Until: pb.day}, now, "the day is no longer in the plan"); err != nil {
				return err
			}
		}
	}
	if old.Waitlist != p.Waitlist {
		if _, err := tx.ExecContext(ctx, `UPDATE prebookings SET allow_waitlist = ? WHERE plan_id = ? AND status = 'pending'`,
			boolInt(p.Waitlist), p.ID); err != nil {
			return err
		}
	}
	// Occurrences on a fallback: the same fallback at its new place.
	oldChoices, place := old.Choices(), map[string]int{}
	for _, c := range p.Choices() {
		place[choiceKey(c.Class, c.Time)] = c.Index
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+occurrenceColumns+` FROM plan_occurrences WHERE plan_id = ? AND choice > 0`, p.ID)
	if err != nil {
		return err
	}
	var recs []OccurrenceRecord
	for rows.Next() {
		r, err := scanOccurrence(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if !r.State.Final() {
			recs = append(recs, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range recs {
		if r.Choice >= len(oldChoices) {
			continue
		}
		c := oldChoices[r.Choice]
		to, kept := place[choiceKey(c.Class, c.Time)]
		if kept && to == r.Choice {
			continue
		}
		if !kept {
			var status sql.NullString
			if r.PrebookingID != 0 {
				if err := tx.QueryRowContext(ctx, `SELECT status FROM prebookings WHERE id = ?`, r.PrebookingID).Scan(&status); err != nil &&
					!errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
			if status.String == string(PrebookFiring) {
				continue // left to finish: its outcome is recorded as usual
			}
			if err := withdrawTx(ctx, tx, p.ID, DayRange{From: r.Day, Until: r.Day}, now,
				"its fallback was taken out of the plan"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE plan_occurrences SET state = ?, class_id = NULL, prebooking_id = NULL,
	reservation_id = NULL, choice = 0, detail = ?, updated_at = ?, version = version + 1 WHERE plan_id = ? AND day = ?`,
				OccPlanned, fmt.Sprintf("%s at %s was taken out of the plan; trying the first choice again", c.Class, c.Time),
				toMillis(now), p.ID, r.Day.String()); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_occurrences SET choice = ?, updated_at = ?, version = version + 1
WHERE plan_id = ? AND day = ?`, to, toMillis(now), p.ID, r.Day.String()); err != nil {
			return err
		}
	}
	return nil
}

// Describe is the plan in a member's words: "#3 WOD, mon,wed,fri at 07:00".
func (p Plan) Describe() string {
	return fmt.Sprintf("#%d %s, %s at %s", p.ID, p.Class, p.Days, p.Time)
}

func planEvent(p Plan, at time.Time, kind EventKind, day aimharder.Date, msg string) Event {
	details, _ := json.Marshal(map[string]any{"plan": p.ID})
	return Event{At: at, Kind: kind, BoxID: p.BoxID, Day: day, Message: msg, Details: details}
}

// Plan returns one live plan with its skips and pauses, or ErrNotFound
// (also for a removed plan).
func (s *Store) Plan(ctx context.Context, id int64) (Plan, error) {
	list, err := s.readPlans(ctx, s.db, `SELECT `+planColumns+` FROM plans WHERE id = ? AND removed_at IS NULL`, id)
	if err != nil {
		return Plan{}, s.wrap("read plan", err)
	}
	if len(list) == 0 {
		return Plan{}, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// PlanQuery selects live plans.
type PlanQuery struct {
	BoxID int64 // 0 = every box
	// EndsFrom, when set, leaves out plans whose Until is before it
	// (plans that have ended).
	EndsFrom aimharder.Date
}

// Plans returns the live plans matching q, by id, each with its skips and
// pauses: what the runner materialises and `plan list` shows.
func (s *Store) Plans(ctx context.Context, q PlanQuery) ([]Plan, error) {
	where, args := []string{"removed_at IS NULL"}, []any{}
	if q.BoxID > 0 {
		where, args = append(where, "box_id = ?"), append(args, q.BoxID)
	}
	if !q.EndsFrom.IsZero() {
		where, args = append(where, "(until_day IS NULL OR until_day >= ?)"), append(args, q.EndsFrom.String())
	}
	list, err := s.readPlans(ctx, s.db, `SELECT `+planColumns+` FROM plans WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	return list, s.wrap("list plans", err)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryPlans(ctx context.Context, q querier, query string, args ...any) ([]Plan, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// readPlans reads plans and fills in their skips and pauses.
func (s *Store) readPlans(ctx context.Context, q querier, query string, args ...any) ([]Plan, error) {
	list, err := queryPlans(ctx, q, query, args...)
	if err != nil || len(list) == 0 {
		return list, err
	}
	index := make(map[int64]int, len(list))
	ids := make([]any, len(list))
	for i, p := range list {
		index[p.ID], ids[i] = i, p.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	rows, err := q.QueryContext(ctx, `SELECT plan_id, day FROM plan_skips WHERE plan_id IN `+in+` ORDER BY plan_id, day`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var day string
		if err := rows.Scan(&id, &day); err != nil {
			rows.Close()
			return nil, err
		}
		d, err := aimharder.ParseDate(day)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list[index[id]].Skips = append(list[index[id]].Skips, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT plan_id, from_day, until_day FROM plan_pauses WHERE plan_id IN `+in+
		` ORDER BY plan_id, from_day, until_day, id`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var from, until string
		if err := rows.Scan(&id, &from, &until); err != nil {
			return nil, err
		}
		var r DayRange
		if r.From, err = aimharder.ParseDate(from); err != nil {
			return nil, err
		}
		if r.Until, err = aimharder.ParseDate(until); err != nil {
			return nil, err
		}
		list[index[id]].Pauses = append(list[index[id]].Pauses, r)
	}
	return list, rows.Err()
}

// livePlanTx reads one live plan inside a transaction.
func (s *Store) livePlanTx(ctx context.Context, tx *sql.Tx, id int64) (Plan, error) {
	list, err := s.readPlans(ctx, tx, `SELECT `+planColumns+` FROM plans WHERE id = ? AND removed_at IS NULL`, id)
	if err != nil {
		return Plan{}, err
	}
	if len(list) == 0 {
		return Plan{}, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// withdrawTx cancels the pending prebookings of plan id whose class day
// is in r (zero r: every day), marking them OutcomePlanStopped so they do
// not read as a member's cancel. A prebooking already firing is left to
// finish.
func withdrawTx(ctx context.Context, tx *sql.Tx, id int64, r DayRange, now time.Time, why string) error {
	where, args := "plan_id = ? AND status = 'pending'", []any{id}
	if !r.From.IsZero() {
		where, args = where+" AND plan_day >= ? AND plan_day <= ?", append(args, r.From.String(), r.Until.String())
	}
	rows, err := tx.QueryContext(ctx, `
UPDATE prebookings SET status = 'cancelled', finished_at = ?, outcome_code = ?, outcome_message = ?
WHERE `+where+` RETURNING `+prebookingColumns, append([]any{toMillis(now), OutcomePlanStopped, why}, args...)...)
	if err != nil {
		return err
	}
	var done []Prebooking
	for rows.Next() {
		p, err := scanPrebooking(rows)
		if err != nil {
			rows.Close()
			return err
		}
		done = append(done, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range done {
		if err := recordTx(ctx, tx, prebookingEvent(p, now, EventPrebookRemoved, "removed prebooking "+describe(p)+": "+why)); err != nil {
			return err
		}
	}
	return nil
}

// RemovePlan ends a plan: it is no longer listed or run, its pending
// prebookings are withdrawn, and bookings it made stay. Its records stay
// for the history. A missing or removed plan gives ErrNotFound.
func (s *Store) RemovePlan(ctx context.Context, id int64) (Plan, error) {
	var p Plan
	err := s.inTx(ctx, "remove plan", func(tx *sql.Tx) error {
		var err error
		if p, err = s.livePlanTx(ctx, tx, id); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET removed_at = ? WHERE id = ?`, toMillis(now), id); err != nil {
			return err
		}
		if err := withdrawTx(ctx, tx, id, DayRange{}, now, "its plan was removed"); err != nil {
			return err
		}
		return recordTx(ctx, tx, planEvent(p, now, EventPlanRemoved, aimharder.Date{}, "removed plan "+p.Describe()))
	})
	return p, err
}

// SkipPlanDay skips one class day of a plan: nothing is booked that day,
// and a pending prebooking for it is withdrawn (a booking already made
// stays: skipping does not cancel a class). A day that is not one of the
// plan's class days gives ErrInvalid; skipping a skipped day is a no-op.
func (s *Store) SkipPlanDay(ctx context.Context, id int64, day aimharder.Date) (Plan, error) {
	var p Plan
	err := s.inTx(ctx, "skip plan day", func(tx *sql.Tx) error {
		var err error
		if p, err = s.livePlanTx(ctx, tx, id); err != nil {
			return err
		}
		if !p.IsDay(day) {
			return fmt.Errorf("%w: %s (%s) is not a day of plan #%d (%s)", ErrInvalid, day,
				strings.ToLower(day.Weekday().String()[:3]), p.ID, p.Days)
		}
		if p.Skipped(day) {
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_skips (plan_id, day, created_at) VALUES (?, ?, ?)`,
			id, day.String(), toMillis(now)); err != nil {
			return err
		}
		if err := withdrawTx(ctx, tx, id, DayRange{From: day, Until: day}, now, "the day was skipped"); err != nil {
			return err
		}
		p.Skips = append(p.Skips, day)
		slices.SortFunc(p.Skips, compareDates)
		return recordTx(ctx, tx, planEvent(p, now, EventPlanSkipped, day, fmt.Sprintf("skipped %s of plan %s", day, p.Describe())))
	})
	return p, err
}

// UnskipPlanDay takes a skip back; a day that is not skipped gives
// ErrNotFound.
func (s *Store) UnskipPlanDay(ctx context.Context, id int64, day aimharder.Date) (Plan, error) {
	var p Plan
	err := s.inTx(ctx, "unskip plan day", func(tx *sql.Tx) error {
		var err error
		if p, err = s.livePlanTx(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM plan_skips WHERE plan_id = ? AND day = ?`, id, day.String())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = fmt.Errorf("%s is not skipped in plan #%d: %w", day, id, ErrNotFound)
			}
			return err
		}
		p.Skips = slices.DeleteFunc(p.Skips, func(d aimharder.Date) bool { return d == day })
		return recordTx(ctx, tx, planEvent(p, s.now(), EventPlanUnskipped, day, fmt.Sprintf("unskipped %s of plan %s", day, p.Describe())))
	})
	return p, err
}

// PausePlans pauses plan id — every live plan when id is 0 — over the
// class dates of r (both ends included): one pause row per plan, so a
// plan made later is not paused by it. Pending prebookings in r are
// withdrawn. No live plan gives ErrNotFound; an empty or reversed range
// ErrInvalid. It returns the plans paused.
func (s *Store) PausePlans(ctx context.Context, id int64, r DayRange) ([]Plan, error) {
	if r.From.IsZero() || r.Until.IsZero() || r.Until.Before(r.From) {
		return nil, fmt.Errorf("%w: a pause needs a first and a last day, in that order", ErrInvalid)
	}
	var plans []Plan
	err := s.inTx(ctx, "pause plans", func(tx *sql.Tx) error {
		var err error
		if plans, err = s.targetPlansTx(ctx, tx, id); err != nil {
			return err
		}
		now := s.now()
		for i, p := range plans {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_pauses (plan_id, from_day, until_day, created_at) VALUES (?, ?, ?, ?)`,
				p.ID, r.From.String(), r.Until.String(), toMillis(now)); err != nil {
				return err
			}
			if err := withdrawTx(ctx, tx, p.ID, r, now, "the plan is paused"); err != nil {
				return err
			}
			plans[i].Pauses = append(plans[i].Pauses, r)
			slices.SortFunc(plans[i].Pauses, func(a, b DayRange) int {
				return cmpRanges(a, b)
			})
			if err := recordTx(ctx, tx, planEvent(p, now, EventPlanPaused, r.From,
				fmt.Sprintf("paused plan %s from %s until %s", p.Describe(), r.From, r.Until))); err != nil {
				return err
			}
		}
		return nil
	})
	return plans, err
}

func cmpRanges(a, b DayRange) int {
	if c := compareDates(a.From, b.From); c != 0 {
		return c
	}
	return compareDates(a.Until, b.Until)
}

// ResumePlans removes every pause of plan id — of every live plan when id
// is 0 — and returns the plans that had one (empty: nothing was paused).
// A missing plan (id > 0) gives ErrNotFound.
func (s *Store) ResumePlans(ctx context.Context, id int64) ([]Plan, error) {
	var resumed []Plan
	err := s.inTx(ctx, "resume plans", func(tx *sql.Tx) error {
		plans, err := s.targetPlansTx(ctx, tx, id)
		if errors.Is(err, ErrNotFound) && id == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		for _, p := range plans {
			if len(p.Pauses) == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM plan_pauses WHERE plan_id = ?`, p.ID); err != nil {
				return err
			}
			p.Pauses = nil
			resumed = append(resumed, p)
			if err := recordTx(ctx, tx, planEvent(p, now, EventPlanResumed, aimharder.Date{}, "resumed plan "+p.Describe())); err != nil {
				return err
			}
		}
		return nil
	})
	return resumed, err
}

// targetPlansTx is plan id, or every live plan when id is 0 (ErrNotFound
// when there is none).
func (s *Store) targetPlansTx(ctx context.Context, tx *sql.Tx, id int64) ([]Plan, error) {
	if id != 0 {
		p, err := s.livePlanTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		return []Plan{p}, nil
	}
	plans, err := s.readPlans(ctx, tx, `SELECT `+planColumns+` FROM plans WHERE removed_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, fmt.Errorf("no plans: %w", ErrNotFound)
	}
	return plans, nil
}

const occurrenceColumns = `plan_id, day, state, class_id, prebooking_id, reservation_id, choice, detail, version, updated_at`

func scanOccurrence(row interface{ Scan(...any) error }) (OccurrenceRecord, error) {
	var (
		r               OccurrenceRecord
		day             string
		class, pb, resv sql.NullInt64
		updated         int64
	)
	if err := row.Scan(&r.PlanID, &day, &r.State, &class, &pb, &resv, &r.Choice, &r.Detail, &r.Version, &updated); err != nil {
		return OccurrenceRecord{}, err
	}
	var err error
	if r.Day, err = aimharder.ParseDate(day); err != nil {
		return OccurrenceRecord{}, err
	}
	r.ClassID, r.PrebookingID, r.ReservationID, r.UpdatedAt = class.Int64, pb.Int64, resv.Int64, fromMillis(updated)
	return r, nil
}

// OccurrenceRecord returns the runner's record of plan planID on day. With
// no record yet it returns one with only PlanID and Day set (Version 0,
// State ""), ready for PutOccurrence.
func (s *Store) OccurrenceRecord(ctx context.Context, planID int64, day aimharder.Date) (OccurrenceRecord, error) {
	r, err := scanOccurrence(s.db.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM plan_occurrences
WHERE plan_id = ? AND day = ?`, planID, day.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return OccurrenceRecord{PlanID: planID, Day: day}, nil
	}
	return r, s.wrap("read plan occurrence", err)
}

// OccurrenceRecords returns the records of plan planID (every plan when
// 0) for class days from through until, by plan and day.
func (s *Store) OccurrenceRecords(ctx context.Context, planID int64, from, until aimharder.Date) ([]OccurrenceRecord, error) {
	where, args := "day >= ? AND day <= ?", []any{from.String(), until.String()}
	if planID != 0 {
		where, args = where+" AND plan_id = ?", append(args, planID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+occurrenceColumns+` FROM plan_occurrences WHERE `+where+` ORDER BY plan_id, day`, args...)
	if err != nil {
		return nil, s.wrap("list plan occurrences", err)
	}
	defer rows.Close()
	var out []OccurrenceRecord
	for rows.Next() {
		r, err := scanOccurrence(rows)
		if err != nil {
			return nil, s.wrap("list plan occurrences", err)
		}
		out = append(out, r)
	}
	return out, s.wrap("list plan occurrences", rows.Err())
}

// PutOccurrence stores rec as the record of its plan and day, as a
// compare-and-set on rec.Version: 0 creates the record (only if there is
// none), n replaces version n. It returns the stored record (Version
// bumped, UpdatedAt now); a record written by someone else since rec was
// read gives ErrConcurrentUpdate, so of two processes acting on one
// occurrence exactly one wins. skipped and paused cannot be recorded
// (they come from the plan); a missing plan gives ErrNotFound. A change
// of state is written to the history with the plan's words.
func (s *Store) PutOccurrence(ctx context.Context, rec OccurrenceRecord) (OccurrenceRecord, error) {
	switch {
	case !rec.State.Recordable():
		return OccurrenceRecord{}, fmt.Errorf("%w: an occurrence cannot be recorded as %q", ErrInvalid, rec.State)
	case rec.PlanID <= 0 || rec.Day.IsZero() || rec.Choice < 0 || rec.Version < 0:
		return OccurrenceRecord{}, fmt.Errorf("%w: an occurrence record needs a plan and a day", ErrInvalid)
	}
	var out OccurrenceRecord
	err := s.inTx(ctx, "record plan occurrence", func(tx *sql.Tx) error {
		list, err := s.readPlans(ctx, tx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, rec.PlanID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("plan %d: %w", rec.PlanID, ErrNotFound)
		}
		plan := list[0]
		var before OccurrenceState
		err = tx.QueryRowContext(ctx, `SELECT state FROM plan_occurrences WHERE plan_id = ? AND day = ?`,
			rec.PlanID, rec.Day.String()).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.now()
		args := []any{rec.State, nullID(rec.ClassID), nullID(rec.PrebookingID), nullID(rec.ReservationID), rec.Choice,
			rec.Detail, toMillis(now)}
		var row *sql.Row
		if rec.Version == 0 {
			row = tx.QueryRowContext(ctx, `
INSERT INTO plan_occurrences (state, class_id, prebooking_id, reservation_id, choice, detail, updated_at, version, plan_id, day)
VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING RETURNING `+occurrenceColumns,
				append(args, rec.PlanID, rec.Day.String())...)
		} else {
			row = tx.QueryRowContext(ctx, `
UPDATE plan_occurrences SET state = ?, class_id = ?, prebooking_id = ?, reservation_id = ?, choice = ?, detail = ?,
	updated_at = ?, version = version + 1
WHERE plan_id = ? AND day = ? AND version = ? RETURNING `+occurrenceColumns,
				append(args, rec.PlanID, rec.Day.String(), rec.Version)...)
		}
		out, err = scanOccurrence(row)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("plan %d on %s (version %d): %w", rec.PlanID, rec.Day, rec.Version, ErrConcurrentUpdate)
		}
		if err != nil || before == out.State {
			return err
		}
		msg := fmt.Sprintf("%s on %s (plan #%d): %s", plan.Class, out.Day, plan.ID, out.State)
		if out.Choice > 0 && out.Choice <= len(plan.Fallbacks) {
			f := plan.Fallbacks[out.Choice-1]
			msg += fmt.Sprintf(" — fallback %s at %s", f.Class, f.Time)
		}
		if out.Detail != "" {
			msg += " — " + out.Detail
		}
		details, _ := json.Marshal(map[string]any{"plan": plan.ID, "state": out.State, "choice": out.Choice,
			"prebooking": out.PrebookingID, "reservation": out.ReservationID})
		return recordTx(ctx, tx, Event{At: now, Kind: EventPlanOccurrence, BoxID: plan.BoxID, ClassID: out.ClassID,
			Day: out.Day, Message: msg, Details: details})
	})
	return out, err
}

// OccurrenceOfPrebooking returns the occurrence record a prebooking fires
// (its PlanID and PlanDay; a record with Version 0 when none is stored
// yet). A one-off prebooking gives ErrNotFound.
func (s *Store) OccurrenceOfPrebooking(ctx context.Context, prebookingID int64) (OccurrenceRecord, error) {
	p, err := s.Prebooking(ctx, prebookingID)
	if err != nil {
		return OccurrenceRecord{}, err
	}
	if p.PlanID == 0 {
		return OccurrenceRecord{}, fmt.Errorf("prebooking %d belongs to no plan: %w", prebookingID, ErrNotFound)
	}
	return s.OccurrenceRecord(ctx, p.PlanID, p.PlanDay)
}

// PlanPrebookings returns the prebookings linked to plan planID (every
// plan when 0) for class days from through until, by id.
func (s *Store) PlanPrebookings(ctx context.Context, planID int64, from, until aimharder.Date) ([]Prebooking, error) {
	where, args := "plan_id IS NOT NULL AND plan_day >= ? AND plan_day <= ?", []any{from.String(), until.String()}
	if planID != 0 {
		where, args = where+" AND plan_id = ?", append(args, planID)
	}
	return s.queryPrebookings(ctx, `SELECT `+prebookingColumns+` FROM prebookings WHERE `+where+` ORDER BY id`, args...)
}

// PlanOccurrences lists the occurrences of plans from through until in
// the box zone loc gives (loc(p.BoxID)), each joined with its record and
// linked prebooking into the state it shows (ShownState), plan by plan,
// day by day. The linked prebooking is the record's, else the newest one
// for that day.
func (s *Store) PlanOccurrences(ctx context.Context, plans []Plan, from, until aimharder.Date, loc func(boxID int64) *time.Location) (map[int64][]PlanOccurrence, error) {
	out := make(map[int64][]PlanOccurrence, len(plans))
	if len(plans) == 0 {
		return out, nil
	}
	recs, err := s.OccurrenceRecords(ctx, 0, from, until)
	if err != nil {
		return nil, err
	}
	pbs, err := s.PlanPrebookings(ctx, 0, from, until)
	if err != nil {
		return nil, err
	}
	type key struct {
		plan int64
		day  aimharder.Date
	}
	byKey := make(map[key]*OccurrenceRecord, len(recs))
	for i := range recs {
		byKey[key{recs[i].PlanID, recs[i].Day}] = &recs[i]
	}
	byID := make(map[int64]*Prebooking, len(pbs))
	newest := make(map[key]*Prebooking, len(pbs))
	for i := range pbs {
		byID[pbs[i].ID] = &pbs[i]
		newest[key{pbs[i].PlanID, pbs[i].PlanDay}] = &pbs[i] // by id: the last wins
	}
	now := s.now()
	for _, p := range plans {
		list := []PlanOccurrence{}
		for _, o := range p.Occurrences(from, until, loc(p.BoxID)) {
			k := key{p.ID, o.Day}
			rec, pb := byKey[k], newest[k]
			if rec != nil && rec.PrebookingID != 0 {
				if linked, ok := byID[rec.PrebookingID]; ok {
					pb = linked
				}
			}
			list = append(list, Join(o, rec, pb, now))
		}
		out[p.ID] = list
	}
	return out, nil
}
