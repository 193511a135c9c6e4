package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultTimezone is the timezone every AimHarder client assumes; ahtui
// uses it for a box when the member set none and nothing AimHarder says
// about the box places it elsewhere (docs/protocol.md §4.3).
const DefaultTimezone = "Europe/Madrid"

// TimezoneSource says where a box's time zone comes from (the
// timezone_source of `boxes --json`, docs/cli.md).
type TimezoneSource string

const (
	TimezoneMember   TimezoneSource = "member"   // the member set it; wins
	TimezoneDetected TimezoneSource = "detected" // read from the box's address or name
	TimezoneDefault  TimezoneSource = "default"  // a guess: DefaultTimezone
)

// Box is one of the account's boxes with its local settings.
//
// Window rules are stored as the text aimharder.ParseRule reads ("4d",
// "48h", "2d@12:00"); Rule returns the one in force, bound to the box's
// time zone (window.go).
type Box struct {
	ID        int64 // AimHarder's box id (boid)
	Subdomain string
	Name      string
	Position  int  // order in the account's role list
	Active    bool // still listed by the account's last login or whoami
	// Domain is the AimHarder domain of the box when not aimharder.com
	// ("aimharder.es", docs/protocol.md §1); "" for aimharder.com.
	Domain string

	// Timezone is the zone in force (IANA name): the member's when set,
	// else the detected one, else DefaultTimezone. Location loads it.
	Timezone            string
	TimezoneSetByMember bool
	Address             string // the box's address as AimHarder last gave it (boxDir); "" until seen
	DetectedTimezone    string // read from Address or Name; "" when neither places the box
	TimezoneClue        string // what placed it: a postcode ("35003") or a place ("Las Palmas")

	LearnedWindow   string // learned from "too early" answers; "" when unknown
	LearnedWindowAt time.Time
	// LearnedWindowState: "" unconfirmed, WindowConfirmed or
	// WindowOpensEarlier, an unconfirmed one with ">HH:MM" where a search
	// found the box too early (WindowState, session/window.go).
	LearnedWindowState string
	MemberWindow       string // set by the member; wins over the learned one
}

// TimezoneSource says where Timezone comes from.
func (b Box) TimezoneSource() TimezoneSource {
	switch {
	case b.TimezoneSetByMember:
		return TimezoneMember
	case b.DetectedTimezone != "" && b.DetectedTimezone == b.Timezone:
		return TimezoneDetected
	}
	return TimezoneDefault
}

// Location loads the box's timezone.
func (b Box) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		return nil, fmt.Errorf("box %s timezone %q: %w", b.Subdomain, b.Timezone, err)
	}
	return loc, nil
}

// BoxInfo is what login or whoami says about a box.
type BoxInfo struct {
	ID        int64
	Subdomain string
	Name      string
	Domain    string // "" for aimharder.com
}

const boxColumns = `id, subdomain, name, position, active, timezone, timezone_set_by_member,
	learned_window, learned_window_at, member_window, address, detected_timezone, timezone_clue, learned_window_state, domain`

func scanBox(row interface{ Scan(...any) error }) (Box, error) {
	var (
		b         Box
		learnedAt sql.NullInt64
	)
	err := row.Scan(&b.ID, &b.Subdomain, &b.Name, &b.Position, &b.Active, &b.Timezone,
		&b.TimezoneSetByMember, &b.LearnedWindow, &learnedAt, &b.MemberWindow,
		&b.Address, &b.DetectedTimezone, &b.TimezoneClue, &b.LearnedWindowState, &b.Domain)
	b.LearnedWindowAt = fromNullMillis(learnedAt)
	return b, err
}

// SyncBoxes records the boxes the account lists now, in order. Known
// boxes keep their window rules and the member's timezone; a box whose
// zone is not the member's has it detected again from its name and
// address (zone.go). Boxes no longer listed stay (their prebookings and
// history refer to them) but become inactive.
func (s *Store) SyncBoxes(ctx context.Context, boxes []BoxInfo) error {
	for _, b := range boxes {
		if b.ID <= 0 || strings.TrimSpace(b.Subdomain) == "" {
			return fmt.Errorf("%w: a box needs an id and a subdomain", ErrInvalid)
		}
	}
	return s.inTx(ctx, "save boxes", func(tx *sql.Tx) error {
		now := toMillis(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE boxes SET active = 0, updated_at = ?`, now); err != nil {
			return err
		}
		for i, b := range boxes {
			_, err := tx.ExecContext(ctx, `
INSERT INTO boxes (id, subdomain, name, position, active, updated_at, domain) VALUES (?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (id) DO UPDATE SET subdomain = excluded.subdomain, name = excluded.name,
	position = excluded.position, active = 1, updated_at = excluded.updated_at, domain = excluded.domain`,
				b.ID, strings.ToLower(strings.TrimSpace(b.Subdomain)), strings.TrimSpace(b.Name), i, now,
				strings.ToLower(strings.TrimSpace(b.Domain)))
			if err != nil {
				return err
			}
			if _, err := redetect(ctx, tx, b.ID, s.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// AccountDomain is the AimHarder domain of the account's boxes when every
// active box is on the same one other than aimharder.com ("aimharder.es");
// "" otherwise (docs/protocol.md §1).
func (s *Store) AccountDomain(ctx context.Context) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT domain FROM boxes WHERE active = 1`)
	if err != nil {
		return "", s.wrap("read the account's domain", err)
	}
	defer rows.Close()
	var domains []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return "", s.wrap("read the account's domain", err)
		}
		domains = append(domains, d)
	}
	if err := rows.Err(); err != nil {
		return "", s.wrap("read the account's domain", err)
	}
	if len(domains) != 1 {
		return "", nil
	}
	return domains[0], nil
}

// Boxes returns every known box, active ones first in the account's order.
func (s *Store) Boxes(ctx context.Context) ([]Box, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+boxColumns+` FROM boxes ORDER BY active DESC, position, id`)
	if err != nil {
		return nil, s.wrap("list boxes", err)
	}
	defer rows.Close()
	var out []Box
	for rows.Next() {
		b, err := scanBox(rows)
		if err != nil {
			return nil, s.wrap("list boxes", err)
		}
		out = append(out, b)
	}
	return out, s.wrap("list boxes", rows.Err())
}

// Box returns the box with that id, or ErrNotFound.
func (s *Store) Box(ctx context.Context, id int64) (Box, error) {
	return s.oneBox(ctx, `id = ?`, id)
}

// BoxBySubdomain returns the box with that subdomain, or ErrNotFound.
func (s *Store) BoxBySubdomain(ctx context.Context, subdomain string) (Box, error) {
	return s.oneBox(ctx, `subdomain = ?`, strings.ToLower(strings.TrimSpace(subdomain)))
}

func (s *Store) oneBox(ctx context.Context, where string, arg any) (Box, error) {
	b, err := scanBox(s.db.QueryRowContext(ctx, `SELECT `+boxColumns+` FROM boxes WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Box{}, fmt.Errorf("box %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return Box{}, s.wrap("read box", err)
	}
	return b, nil
}

// SetBoxTimezone sets the box's timezone as the member's choice; "" goes
// back to the detected zone, else DefaultTimezone. The name must load with
// time.LoadLocation. Pending prebookings of the box follow the new zone
// (zone.go, rezone).
func (s *Store) SetBoxTimezone(ctx context.Context, id int64, timezone string) error {
	timezone = strings.TrimSpace(timezone)
	setByMember := timezone != ""
	if setByMember {
		if _, err := time.LoadLocation(timezone); err != nil {
			return fmt.Errorf("%w: timezone %q: %v", ErrInvalid, timezone, err)
		}
		if timezone == "Local" { // loads, but is this machine's zone, not the box's
			return fmt.Errorf("%w: timezone %q: name the box's zone, e.g. %s", ErrInvalid, timezone, DefaultTimezone)
		}
	}
	return s.inTx(ctx, "set box timezone", func(tx *sql.Tx) error {
		b, err := boxInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		zone := timezone
		if !setByMember {
			zone = b.DetectedTimezone
			if zone == "" {
				zone = DefaultTimezone
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE boxes SET timezone = ?, timezone_set_by_member = ?, updated_at = ? WHERE id = ?`,
			zone, setByMember, toMillis(s.now()), id); err != nil {
			return err
		}
		if zone != b.Timezone {
			return rezone(ctx, tx, b, zone)
		}
		return nil
	})
}

// SetLearnedWindow records a window rule learned from the server ("" forgets it),
// unconfirmed.
func (s *Store) SetLearnedWindow(ctx context.Context, id int64, rule string) error {
	rule = strings.TrimSpace(rule)
	return s.updateBox(ctx, id, "save learned window",
		`learned_window = ?, learned_window_at = ?, learned_window_state = ''`, rule, nullMillis(s.nowIf(rule != "")))
}

// SetLearnedWindowState records what openings showed about the learned
// rule: "" (unconfirmed), WindowConfirmed or WindowOpensEarlier.
func (s *Store) SetLearnedWindowState(ctx context.Context, id int64, state string) error {
	return s.updateBox(ctx, id, "save learned window state", `learned_window_state = ?`, state)
}

// LearnConfirmedWindow records a learned rule an opening confirmed (the
// scheduler found the box's opening itself).
func (s *Store) LearnConfirmedWindow(ctx context.Context, id int64, rule string) error {
	return s.updateBox(ctx, id, "save learned window",
		`learned_window = ?, learned_window_at = ?, learned_window_state = ?`,
		strings.TrimSpace(rule), nullMillis(s.now()), WindowConfirmed)
}

// SetMemberWindow records the member's window rule ("" clears it).
func (s *Store) SetMemberWindow(ctx context.Context, id int64, rule string) error {
	return s.updateBox(ctx, id, "save window rule", `member_window = ?`, strings.TrimSpace(rule))
}

func (s *Store) updateBox(ctx context.Context, id int64, op, set string, args ...any) error {
	args = append(args, toMillis(s.now()), id)
	res, err := s.db.ExecContext(ctx, `UPDATE boxes SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return s.wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap(op, err)
	} else if n != 1 {
		return fmt.Errorf("%s: box %d: %w", op, id, ErrNotFound)
	}
	return nil
}

// nowIf returns now when cond holds and the zero time (NULL) otherwise.
func (s *Store) nowIf(cond bool) time.Time {
	if cond {
		return s.now()
	}
	return time.Time{}
}
