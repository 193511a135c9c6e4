package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// PrebookingStatus is where a prebooking is in its life:
// pending → firing (Claim) → booked | waitlisted | failed | missed (Finish),
// pending → cancelled (CancelPrebooking), firing → pending (Unclaim).
type PrebookingStatus string

const (
	PrebookPending    PrebookingStatus = "pending"
	PrebookFiring     PrebookingStatus = "firing"
	PrebookBooked     PrebookingStatus = "booked"
	PrebookWaitlisted PrebookingStatus = "waitlisted"
	PrebookFailed     PrebookingStatus = "failed"
	PrebookMissed     PrebookingStatus = "missed"
	PrebookCancelled  PrebookingStatus = "cancelled"
)

// Final reports whether the status is an end state.
func (st PrebookingStatus) Final() bool {
	switch st {
	case PrebookBooked, PrebookWaitlisted, PrebookFailed, PrebookMissed, PrebookCancelled:
		return true
	}
	return false
}

// NewPrebooking describes a class to book when its window opens.
//
// ClassID 0 makes a prebooking by name, for a box that lists a class only
// once its window opens (docs/protocol.md §10B): the fire finds the class
// at the opening by box, Day, ClassStart and ClassName.
type NewPrebooking struct {
	BoxID         int64
	ClassID       int64          // 0: found by name at the opening
	Day           aimharder.Date // box-local day of the class
	ClassName     string         // for display
	ClassStart    time.Time      // for display and for computing OpensAt
	OpensAt       time.Time      // zero while the box's window is unknown
	FamilyID      string
	AllowWaitlist bool
	// PlanID and PlanDay link the prebooking to the weekly-plan
	// occurrence it fires (weekly.go); zero for a one-off prebooking.
	PlanID  int64
	PlanDay aimharder.Date
}

// Prebooking is a stored prebooking.
type Prebooking struct {
	ID            int64
	BoxID         int64
	ClassID       int64
	Day           aimharder.Date
	ClassName     string
	ClassStart    time.Time
	OpensAt       time.Time // zero = unknown
	FamilyID      string
	AllowWaitlist bool
	// PlanID and PlanDay: the plan occurrence it fires; 0 and zero for a
	// one-off prebooking.
	PlanID  int64
	PlanDay aimharder.Date
	// MatchName is the class name a prebooking made without a class id
	// looks for at the opening (ClassNameMatches, at ClassStart); "" for
	// one made by id. ClassID is 0 until the fire found the class.
	MatchName string

	Status         PrebookingStatus
	ClaimedBy      string // runner that fired it (or is firing it)
	Attempts       int    // book requests sent
	OutcomeCode    string // short machine-readable reason, e.g. "booked", "full", "-12 ERROR_ANTELACION_CLIENTE"
	OutcomeMessage string // the server's words, for the member
	ReservationID  int64  // 0 = none
	// Late: the decisive booking request (SentAt) left LateAfter or more
	// after the opening — or, when nothing was sent, the fire started
	// after the window had opened. A booking found already made (by a
	// runner that died) is not late without evidence.
	Late bool
	// SentAt is when the decisive request left — the accepted one, else
	// the first — in AimHarder's time (the local clock corrected by the
	// estimated offset); zero when none was sent or it is not known.
	SentAt time.Time
	// LateBy is SentAt minus OpensAt (negative: before the opening);
	// meaningful when LateKnown.
	LateBy time.Duration

	CreatedAt  time.Time
	FiredAt    time.Time // claimed; while firing, the claim's last heartbeat
	FinishedAt time.Time
	// SendingSince is when the runner holding the claim passed its last
	// check before sending (StartSending); zero while it has not. A claim
	// that may have sent is never taken over on a short silence
	// (ClaimStaleUnsent): docs/product.md invariant 6, fire once.
	SendingSince time.Time
}

// Outcome is how a fire ended.
type Outcome struct {
	Status        PrebookingStatus // booked, waitlisted, failed or missed
	Code          string
	Message       string
	ReservationID int64
	Late          bool
	Attempts      int // book requests sent by this fire
	// SentAt and LateBy: see Prebooking (zero SentAt: not known).
	SentAt time.Time
	LateBy time.Duration
}

// LateAfter is how long after the opening a booking request may leave and
// still be on time: the burst's own spread and a "too early" retry fit
// in it; a process that was stopped, asleep or replaced does not.
const LateAfter = time.Second

// LateKnown reports whether the lateness of the decisive request is
// known (LateBy is meaningful).
func (p Prebooking) LateKnown() bool { return !p.SentAt.IsZero() && !p.OpensAt.IsZero() }

// Lateness says, for a member, how late the fire was: "25 s late",
// "late" when only that is known, "" when it was on time.
func (p Prebooking) Lateness() string {
	if !p.Late {
		return ""
	}
	if !p.LateKnown() || p.LateBy < LateAfter {
		return "late"
	}
	return roundLate(p.LateBy) + " late"
}

// roundLate writes a lateness the way a member reads it: "1.4 s", "25 s",
// "3 min", "2 h".
func roundLate(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < 2*time.Minute:
		return fmt.Sprintf("%d s", int64(d.Round(time.Second)/time.Second))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min", int64(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%d h", int64(d.Round(time.Hour)/time.Hour))
}

const prebookingColumns = `id, box_id, class_id, day, class_name, class_start, opens_at, family_id,
	allow_waitlist, status, claimed_by, attempts, outcome_code, outcome_message, reservation_id, late,
	created_at, fired_at, finished_at, sent_at, late_ms, plan_id, plan_day, match_name, sending_since`

func scanPrebooking(row interface{ Scan(...any) error }) (Prebooking, error) {
	var (
		p                          Prebooking
		day                        string
		classStart, created        int64
		opens, fired, finished, rs sql.NullInt64
		sent, lateMS, planID       sql.NullInt64
		sending                    sql.NullInt64
		planDay, matchName         sql.NullString
	)
	err := row.Scan(&p.ID, &p.BoxID, &p.ClassID, &day, &p.ClassName, &classStart, &opens, &p.FamilyID,
		&p.AllowWaitlist, &p.Status, &p.ClaimedBy, &p.Attempts, &p.OutcomeCode, &p.OutcomeMessage, &rs, &p.Late,
		&created, &fired, &finished, &sent, &lateMS, &planID, &planDay, &matchName, &sending)
	if err != nil {
		return Prebooking{}, err
	}
	if p.Day, err = aimharder.ParseDate(day); err != nil {
		return Prebooking{}, err
	}
	p.ClassStart, p.CreatedAt = fromMillis(classStart), fromMillis(created)
	p.OpensAt, p.FiredAt, p.FinishedAt = fromNullMillis(opens), fromNullMillis(fired), fromNullMillis(finished)
	p.ReservationID = rs.Int64
	p.SentAt, p.LateBy = fromNullMillis(sent), time.Duration(lateMS.Int64)*time.Millisecond
	p.PlanID, p.MatchName = planID.Int64, matchName.String
	p.SendingSince = fromNullMillis(sending)
	if p.PlanDay, err = parseDay(planDay); err != nil {
		return Prebooking{}, err
	}
	return p, nil
}

// Unresolved reports whether the prebooking still waits for its class to
// be listed: made by name (MatchName), it gets its class id at the opening.
func (p Prebooking) Unresolved() bool { return p.ClassID == 0 }

// AddPrebooking stores a pending prebooking. An active (pending or firing)
// one for the same class and day gives ErrDuplicate — by class id, or,
// for one made by name, by start time and name; an unknown box gives
// ErrNotFound.
func (s *Store) AddPrebooking(ctx context.Context, n NewPrebooking) (Prebooking, error) {
	if err := n.validate(); err != nil {
		return Prebooking{}, err
	}
	var p Prebooking
	err := s.inTx(ctx, "add prebooking", func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM boxes WHERE id = ?`, n.BoxID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("box %d: %w", n.BoxID, ErrNotFound)
		}
		live, err := tx.QueryContext(ctx, liveSameClassQuery, n.liveArgs()...)
		if err != nil {
			return err
		}
		if err := n.duplicateOf(live); err != nil {
			return err
		}
		now := s.now()
		p, err = scanPrebooking(tx.QueryRowContext(ctx, insertPrebookingQuery, n.insertArgs(now)...))
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, prebookingEvent(p, now, EventPrebookAdded, "prebooked "+describe(p)))
	})
	return p, err
}

func (n NewPrebooking) validate() error {
	if n.BoxID <= 0 || n.ClassID < 0 || n.Day.IsZero() || n.ClassStart.IsZero() {
		return fmt.Errorf("%w: a prebooking needs a box, a class, a day and a start time", ErrInvalid)
	}
	if n.ClassID == 0 && strings.TrimSpace(n.ClassName) == "" {
		return fmt.Errorf("%w: a prebooking without a class id needs the class's name", ErrInvalid)
	}
	if (n.PlanID != 0) != !n.PlanDay.IsZero() {
		return fmt.Errorf("%w: a plan's prebooking needs both the plan and the class day", ErrInvalid)
	}
	return nil
}

// liveSameClassQuery lists the live prebookings that may be for n's class:
// the same id, or the same start (one of them made by name).
const liveSameClassQuery = `SELECT class_id, class_name, class_start FROM prebookings
WHERE box_id = ? AND day = ? AND status IN ('pending', 'firing') AND (class_id = ? OR class_start = ?)`

func (n NewPrebooking) liveArgs() []any {
	return []any{n.BoxID, n.Day.String(), n.ClassID, toMillis(n.ClassStart)}
}

// duplicateOf reads liveSameClassQuery's rows (and closes them): one for
// the same class gives ErrDuplicate. A prebooking made by name is the same
// class as any other at its start whose name matches.
func (n NewPrebooking) duplicateOf(rows *sql.Rows) error {
	defer rows.Close()
	for rows.Next() {
		var (
			id    int64
			name  string
			start int64
		)
		if err := rows.Scan(&id, &name, &start); err != nil {
			return err
		}
		same := n.ClassID != 0 && id == n.ClassID
		if !same && (id == 0 || n.ClassID == 0) && start == toMillis(n.ClassStart) {
			same = ClassNameMatches(name, n.ClassName)
		}
		if same {
			if n.ClassID == 0 {
				return fmt.Errorf("%s at %s on %s: %w", strings.TrimSpace(n.ClassName),
					n.ClassStart.Format("15:04"), n.Day, ErrDuplicate)
			}
			return fmt.Errorf("class %d on %s: %w", n.ClassID, n.Day, ErrDuplicate)
		}
	}
	return rows.Err()
}

const insertPrebookingQuery = `INSERT INTO prebookings (box_id, class_id, day, class_name, class_start, opens_at, family_id,
	allow_waitlist, created_at, plan_id, plan_day, match_name)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + prebookingColumns

func (n NewPrebooking) insertArgs(now time.Time) []any {
	name := strings.TrimSpace(n.ClassName)
	match := sql.NullString{String: name, Valid: n.ClassID == 0}
	return []any{n.BoxID, n.ClassID, n.Day.String(), name, toMillis(n.ClassStart),
		nullMillis(n.OpensAt), n.FamilyID, boolInt(n.AllowWaitlist), toMillis(now), nullID(n.PlanID), nullDay(n.PlanDay), match}
}

// ResolvePrebooking gives a prebooking made by name, firing for owner,
// the class found at its opening: its id and its listed name. Another
// live prebooking of that class (made by id) gives ErrDuplicate; one not
// firing for owner or already resolved, ErrConcurrentUpdate.
func (s *Store) ResolvePrebooking(ctx context.Context, id int64, owner string, classID int64, name string) (Prebooking, error) {
	if classID <= 0 {
		return Prebooking{}, fmt.Errorf("%w: a class id is needed", ErrInvalid)
	}
	var p Prebooking
	err := s.inTx(ctx, "resolve prebooking", func(tx *sql.Tx) error {
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM prebookings p, prebookings me
WHERE me.id = ? AND p.id <> me.id AND p.box_id = me.box_id AND p.day = me.day AND p.class_id = ?
	AND p.status IN ('pending', 'firing')`, id, classID).Scan(&live); err != nil {
			return err
		}
		if live > 0 {
			return fmt.Errorf("class %d: %w", classID, ErrDuplicate)
		}
		var err error
		p, err = scanPrebooking(tx.QueryRowContext(ctx, `
UPDATE prebookings SET class_id = ?, class_name = ?
WHERE id = ? AND status = 'firing' AND claimed_by = ? AND class_id = 0 RETURNING `+prebookingColumns,
			classID, strings.TrimSpace(name), id, owner))
		if errors.Is(err, sql.ErrNoRows) {
			return s.whyNot(ctx, tx, id, ErrConcurrentUpdate)
		}
		return err
	})
	return p, err
}

// Prebooking returns one prebooking, or ErrNotFound.
func (s *Store) Prebooking(ctx context.Context, id int64) (Prebooking, error) {
	p, err := scanPrebooking(s.db.QueryRowContext(ctx, `SELECT `+prebookingColumns+` FROM prebookings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Prebooking{}, fmt.Errorf("prebooking %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Prebooking{}, s.wrap("read prebooking", err)
	}
	return p, nil
}

// PrebookingQuery selects prebookings.
type PrebookingQuery struct {
	Statuses []PrebookingStatus // empty = all
	BoxID    int64              // 0 = all boxes
	Limit    int                // 0 = no limit
}

// Prebookings returns matching prebookings, soonest to open first (unknown
// opening last), then by id.
func (s *Store) Prebookings(ctx context.Context, q PrebookingQuery) ([]Prebooking, error) {
	where, args := []string{"1 = 1"}, []any{}
	if len(q.Statuses) > 0 {
		where = append(where, "status IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(q.Statuses)), ", ")+")")
		for _, st := range q.Statuses {
			args = append(args, st)
		}
	}
	if q.BoxID > 0 {
		where, args = append(where, "box_id = ?"), append(args, q.BoxID)
	}
	limit := ""
	if q.Limit > 0 {
		limit, args = " LIMIT ?", append(args, q.Limit)
	}
	return s.queryPrebookings(ctx, `SELECT `+prebookingColumns+` FROM prebookings WHERE `+strings.Join(where, " AND ")+
		` ORDER BY opens_at IS NULL, opens_at, id`+limit, args...)
}

// DuePrebookings returns pending prebookings whose window opens at or
// before until, soonest first: what the scheduler should arm now.
func (s *Store) DuePrebookings(ctx context.Context, until time.Time) ([]Prebooking, error) {
	return s.queryPrebookings(ctx, `SELECT `+prebookingColumns+` FROM prebookings
WHERE status = 'pending' AND opens_at IS NOT NULL AND opens_at <= ? ORDER BY opens_at, id`, toMillis(until))
}

func (s *Store) queryPrebookings(ctx context.Context, query string, args ...any) ([]Prebooking, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrap("list prebookings", err)
	}
	defer rows.Close()
	var out []Prebooking
	for rows.Next() {
		p, err := scanPrebooking(rows)
		if err != nil {
			return nil, s.wrap("list prebookings", err)
		}
		out = append(out, p)
	}
	return out, s.wrap("list prebookings", rows.Err())
}

// SetOpensAt changes when a pending prebooking's window opens (after the
// box's rule was learned or changed). Zero means unknown.
func (s *Store) SetOpensAt(ctx context.Context, id int64, opensAt time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE prebookings SET opens_at = ? WHERE id = ? AND status = 'pending'`,
		nullMillis(opensAt), id)
	return s.expectOne(ctx, "set opening time", id, res, err, ErrNotPending)
}

// Claim moves a pending prebooking to firing for owner in one UPDATE, so
// of any number of runners on this database exactly one gets true. The
// others get false and the prebooking as it now is.
func (s *Store) Claim(ctx context.Context, id int64, owner string) (Prebooking, bool, error) {
	if err := validateOwner(owner); err != nil {
		return Prebooking{}, false, err
	}
	return s.claimWhere(ctx, id, `status = 'pending'`, owner)
}

// ClaimStale takes over a prebooking left firing by a runner that died:
// one claimed before firedBefore moves to owner, atomically, so one
// runner wins. Refiring is safe because "already booked" counts as success.
func (s *Store) ClaimStale(ctx context.Context, id int64, owner string, firedBefore time.Time) (Prebooking, bool, error) {
	if err := validateOwner(owner); err != nil {
		return Prebooking{}, false, err
	}
	return s.claimWhere(ctx, id, `status = 'firing' AND fired_at < ?`, owner, toMillis(firedBefore))
}

// ClaimStaleUnsent is ClaimStale for a claim whose runner has not started
// sending (StartSending): both are one UPDATE on the same row, so either
// the takeover comes first and the runner's StartSending fails (it sends
// nothing), or StartSending comes first and the takeover fails. Of the two
// runners at most one ever sends.
func (s *Store) ClaimStaleUnsent(ctx context.Context, id int64, owner string, firedBefore time.Time) (Prebooking, bool, error) {
	if err := validateOwner(owner); err != nil {
		return Prebooking{}, false, err
	}
	return s.claimWhere(ctx, id, `status = 'firing' AND fired_at < ? AND sending_since IS NULL`, owner, toMillis(firedBefore))
}

func (s *Store) claimWhere(ctx context.Context, id int64, cond, owner string, condArgs ...any) (Prebooking, bool, error) {
	args := append([]any{owner, toMillis(s.now()), id}, condArgs...)
	p, err := scanPrebooking(s.db.QueryRowContext(ctx, `
UPDATE prebookings SET status = 'firing', claimed_by = ?, fired_at = ?, sending_since = NULL
WHERE id = ? AND `+cond+` RETURNING `+prebookingColumns, args...))
	if err == nil {
		return p, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Prebooking{}, false, s.wrap("claim prebooking", err)
	}
	current, err := s.Prebooking(ctx, id)
	return current, false, err
}

// Unclaim returns a prebooking owner claimed to pending (it decided not to
// fire yet, e.g. its session could not be refreshed).
func (s *Store) Unclaim(ctx context.Context, id int64, owner string) error {
	res, err := s.db.ExecContext(ctx, `
UPDATE prebookings SET status = 'pending', claimed_by = '', fired_at = NULL, sending_since = NULL
WHERE id = ? AND status = 'firing' AND claimed_by = ?`, id, owner)
	return s.expectOne(ctx, "unclaim prebooking", id, res, err, ErrConcurrentUpdate)
}

// Finish stores how owner's fire ended and the matching history event, in
// one transaction, before anyone reports it. Only the claiming owner of a
// firing prebooking can finish it; otherwise ErrConcurrentUpdate.
func (s *Store) Finish(ctx context.Context, id int64, owner string, o Outcome) (Prebooking, error) {
	switch o.Status {
	case PrebookBooked, PrebookWaitlisted, PrebookFailed, PrebookMissed:
	default:
		return Prebooking{}, fmt.Errorf("%w: a fire cannot end as %q", ErrInvalid, o.Status)
	}
	var p Prebooking
	err := s.inTx(ctx, "finish prebooking", func(tx *sql.Tx) error {
		now := s.now()
		var err error
		p, err = scanPrebooking(tx.QueryRowContext(ctx, `
UPDATE prebookings SET status = ?, outcome_code = ?, outcome_message = ?, reservation_id = ?, late = ?,
	attempts = attempts + ?, finished_at = ?, sent_at = ?, late_ms = CASE WHEN ? IS NULL OR opens_at IS NULL THEN NULL ELSE ? END
WHERE id = ? AND status = 'firing' AND claimed_by = ? RETURNING `+prebookingColumns,
			o.Status, o.Code, o.Message, nullID(o.ReservationID), boolInt(o.Late), max(o.Attempts, 0),
			toMillis(now), nullMillis(o.SentAt), nullMillis(o.SentAt), o.LateBy.Milliseconds(), id, owner))
		if errors.Is(err, sql.ErrNoRows) {
			return s.whyNot(ctx, tx, id, ErrConcurrentUpdate)
		}
		if err != nil {
			return err
		}
		msg := describe(p) + ": " + string(p.Status)
		if l := p.Lateness(); l != "" {
			msg += " (" + l + ")"
		}
		if p.OutcomeMessage != "" {
			msg += " — " + p.OutcomeMessage
		}
		return recordTx(ctx, tx, prebookingEvent(p, now, EventPrebookOutcome, msg))
	})
	return p, err
}

// CancelPrebooking cancels a pending prebooking. One that is firing or
// finished gives ErrNotPending.
func (s *Store) CancelPrebooking(ctx context.Context, id int64) (Prebooking, error) {
	var p Prebooking
	err := s.inTx(ctx, "cancel prebooking", func(tx *sql.Tx) error {
		now := s.now()
		var err error
		p, err = scanPrebooking(tx.QueryRowContext(ctx, `
UPDATE prebookings SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'pending'
RETURNING `+prebookingColumns, toMillis(now), id))
		if errors.Is(err, sql.ErrNoRows) {
			return s.whyNot(ctx, tx, id, ErrNotPending)
		}
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, prebookingEvent(p, now, EventPrebookRemoved, "removed prebooking "+describe(p)))
	})
	return p, err
}

// whyNot explains an UPDATE that matched no prebooking: missing, or in
// another state (reported with conflict).
func (s *Store) whyNot(ctx context.Context, q queryRower, id int64, conflict error) error {
	var status string
	err := q.QueryRowContext(ctx, `SELECT status FROM prebookings WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("prebooking %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("prebooking %d is %s: %w", id, status, conflict)
}

func (s *Store) expectOne(ctx context.Context, op string, id int64, res sql.Result, err error, conflict error) error {
	if err != nil {
		return s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap(op, err)
	}
	if n == 1 {
		return nil
	}
	return s.wrap(op, s.whyNot(ctx, s.db, id, conflict))
}

func describe(p Prebooking) string {
	name := p.ClassName
	if name == "" {
		name = fmt.Sprintf("class %d", p.ClassID)
	}
	if p.Unresolved() {
		// Made by name: the start time is part of what it looks for.
		return fmt.Sprintf("%s at %s on %s", name, p.ClassStart.Format("15:04"), p.Day)
	}
	return fmt.Sprintf("%s on %s", name, p.Day)
}

func prebookingEvent(p Prebooking, at time.Time, kind EventKind, msg string) Event {
	d := map[string]any{
		"prebooking": p.ID, "status": p.Status, "code": p.OutcomeCode, "late": p.Late, "attempts": p.Attempts,
	}
	if p.LateKnown() {
		d["late_ms"] = p.LateBy.Milliseconds()
	}
	details, _ := json.Marshal(d)
	return Event{At: at, Kind: kind, BoxID: p.BoxID, ClassID: p.ClassID, Day: p.Day, Message: msg, Details: details}
}

// InBoxZone returns p with every time in the box's time zone, for showing
// (the store keeps instants; members read box-local times, boxtime.go).
func (p Prebooking) InBoxZone(box Box) Prebooking {
	return p.inZone(box.LocationOrDefault())
}
