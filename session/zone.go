package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// A box's time zone is the member's setting, else the zone its address or
// name places it in (aimharder.DetectTimeZone), else DefaultTimezone
// (docs/protocol.md §4.3). Detection runs whenever ahtui learns the box's
// name (a login) or address (a class list), so before anything is fired
// for a box it has seen; when it changes the zone in force, the box's
// pending prebookings follow (rezone).

// NoteBoxAddress records the address AimHarder gives for a box (boxDir of
// its class list) and detects the box's zone again when it changed. It
// returns the box as stored now and whether its zone in force changed (a
// class list read in the old zone is then to be read again in the new
// one, aimharder.Day.Relocate).
func (s *Store) NoteBoxAddress(ctx context.Context, id int64, address string) (Box, bool, error) {
	address = strings.TrimSpace(address)
	var (
		box     Box
		changed bool
	)
	err := s.inTx(ctx, "save box address", func(tx *sql.Tx) error {
		b, err := boxInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if address != "" && address != b.Address {
			if _, err := tx.ExecContext(ctx, `UPDATE boxes SET address = ?, updated_at = ? WHERE id = ?`,
				address, toMillis(s.now()), id); err != nil {
				return err
			}
		}
		if changed, err = redetect(ctx, tx, id, s.now()); err != nil {
			return err
		}
		box, err = boxInTx(ctx, tx, id)
		return err
	})
	if err != nil {
		return Box{}, false, err
	}
	return box, changed, nil
}

// redetect places the box from its stored address and name and stores the
// result; it reports whether the zone in force changed. A member's zone
// stays in force whatever is detected.
func redetect(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (bool, error) {
	b, err := zoneBoxInTx(ctx, tx, id)
	if err != nil {
		return false, err
	}
	detected, clue := "", ""
	if g, ok := aimharder.DetectTimeZone(b.Address, b.Name); ok {
		if _, err := time.LoadLocation(g.Zone); err == nil { // a system without that zone keeps the default
			detected, clue = g.Zone, g.Clue
		}
	}
	zone := b.Timezone
	if !b.TimezoneSetByMember {
		zone = detected
		if zone == "" {
			zone = DefaultTimezone
		}
	}
	if detected == b.DetectedTimezone && clue == b.TimezoneClue && zone == b.Timezone {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `
UPDATE boxes SET detected_timezone = ?, timezone_clue = ?, timezone = ?, updated_at = ? WHERE id = ?`,
		detected, clue, zone, toMillis(now), id); err != nil {
		return false, err
	}
	if zone == b.Timezone {
		return false, nil
	}
	return true, rezone(ctx, tx, b, zone)
}

// rezone moves the pending prebookings of a box whose zone changes from
// old.Timezone to zone: each class keeps the wall-clock time AimHarder
// gave (10:00 in the old zone becomes 10:00 in the new one) and its
// opening is computed again from the box's rule in the new zone — unless
// AimHarder stated that opening itself (Rearm), an instant no zone moves.
// The runner reads the stored opening (it never recomputes a class's
// start), so this is what makes it fire at the right instant.
func rezone(ctx context.Context, tx *sql.Tx, old Box, zone string) error {
	oldLoc, err := old.Location()
	if err != nil {
		return nil // nothing sound to move from; the runner recomputes openings
	}
	moved := old
	moved.Timezone = zone
	newLoc, err := moved.Location()
	if err != nil {
		return err
	}
	rule := moved.Rule()
	rows, err := tx.QueryContext(ctx, `SELECT id, class_start, outcome_code FROM prebookings
WHERE box_id = ? AND status = 'pending'`, old.ID)
	if err != nil {
		return err
	}
	type move struct {
		id     int64
		start  time.Time
		stated bool
	}
	var moves []move
	for rows.Next() {
		var (
			m     move
			start int64
			code  string
		)
		if err := rows.Scan(&m.id, &start, &code); err != nil {
			rows.Close()
			return err
		}
		m.start = aimharder.Rewall(fromMillis(start).In(oldLoc), newLoc)
		m.stated = code == OutcomeOpeningStated
		moves = append(moves, m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, m := range moves {
		if _, err := tx.ExecContext(ctx, `UPDATE prebookings SET class_start = ? WHERE id = ?`, toMillis(m.start), m.id); err != nil {
			return err
		}
		if opens, ok := rule.OpensAt(m.start); ok && !m.stated {
			if _, err := tx.ExecContext(ctx, `UPDATE prebookings SET opens_at = ? WHERE id = ?`, toMillis(opens), m.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// boxInTx reads one box inside a transaction.
func boxInTx(ctx context.Context, tx *sql.Tx, id int64) (Box, error) {
	b, err := scanBox(tx.QueryRowContext(ctx, `SELECT `+boxColumns+` FROM boxes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Box{}, fmt.Errorf("box %d: %w", id, ErrNotFound)
	}
	return b, err
}

// zoneBoxInTx reads the parts of a box that detection and rezone use,
// naming its columns: the migration that added detection runs this too,
// when later columns of boxColumns may not exist yet.
func zoneBoxInTx(ctx context.Context, tx *sql.Tx, id int64) (Box, error) {
	var b Box
	err := tx.QueryRowContext(ctx, `SELECT id, subdomain, name, timezone, timezone_set_by_member,
	learned_window, member_window, address, detected_timezone, timezone_clue FROM boxes WHERE id = ?`, id).Scan(
		&b.ID, &b.Subdomain, &b.Name, &b.Timezone, &b.TimezoneSetByMember,
		&b.LearnedWindow, &b.MemberWindow, &b.Address, &b.DetectedTimezone, &b.TimezoneClue)
	if errors.Is(err, sql.ErrNoRows) {
		return Box{}, fmt.Errorf("box %d: %w", id, ErrNotFound)
	}
	return b, err
}

// detectAllBoxes places every box whose zone the member did not set: the
// migration that added detection runs it, so a box an older ahtui had at
// Europe/Madrid is placed before its next login.
func detectAllBoxes(ctx context.Context, tx *sql.Tx, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM boxes`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := redetect(ctx, tx, id, now); err != nil {
			return err
		}
	}
	return nil
}
