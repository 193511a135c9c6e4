package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SettingFamilyMembers holds the account's family members by name: AimHarder
// takes a familyId on every box call but no endpoint lists the members
// (docs/protocol.md §10, family members), so the member names them once (`ahtui family
// add NAME ID`) and chooses by name afterwards.
const SettingFamilyMembers = "family_members"

// FamilyMember is a person the account books for besides its holder.
type FamilyMember struct {
	Name string `json:"name"`
	ID   string `json:"id"` // AimHarder's familyId
}

// Holder is the account holder: the empty familyId.
var Holder = FamilyMember{}

// UnknownFamilyError is a family member named or numbered that the account
// does not have.
type UnknownFamilyError struct {
	Given string
	Known []FamilyMember
}

func (e *UnknownFamilyError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no family member %q: none is known yet", e.Given)
	}
	names := make([]string, len(e.Known))
	for i, f := range e.Known {
		names[i] = f.Name + " (" + f.ID + ")"
	}
	return fmt.Sprintf("no family member %q: the known ones are %s", e.Given, strings.Join(names, ", "))
}

func (e *UnknownFamilyError) Unwrap() error { return ErrInvalid }

// validFamilyID reports whether v looks like a familyId: digits only.
func validFamilyID(v string) bool {
	if v == "" || len(v) > 18 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func parseFamily(v string) ([]FamilyMember, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var list []FamilyMember
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, fmt.Errorf("%w: %s is not a list of family members: %v", ErrInvalid, SettingFamilyMembers, err)
	}
	for _, f := range list {
		if strings.TrimSpace(f.Name) == "" || !validFamilyID(f.ID) {
			return nil, fmt.Errorf("%w: family member %q with id %q", ErrInvalid, f.Name, f.ID)
		}
	}
	return list, nil
}

// FamilyMembers returns the account's named family members, in the order
// they were added.
func (s *Store) FamilyMembers(ctx context.Context) ([]FamilyMember, error) {
	v, _, err := s.Setting(ctx, SettingFamilyMembers)
	if err != nil {
		return nil, err
	}
	return parseFamily(v)
}

// AddFamilyMember names a family member (id is AimHarder's familyId); a
// name already known takes the new id, and what booked for the old one
// follows (see SetFamilyMember).
func (s *Store) AddFamilyMember(ctx context.Context, name, id string) (FamilyMember, error) {
	c, err := s.SetFamilyMember(ctx, name, id)
	return c.Member, err
}

// FamilyChange is what SetFamilyMember did.
type FamilyChange struct {
	Member FamilyMember
	// OldID is the id the name had before ("" for a new name); the rest
	// is set only when it differs from Member.ID.
	OldID string
	// Plans and Prebookings count the live plans and the pending
	// prebookings moved from OldID to the new id.
	Plans, Prebookings int
	// Withdrawn counts the pending prebookings of OldID withdrawn
	// because the new id had a live prebooking of the same class already:
	// left on the old id they would book it.
	Withdrawn int
	// Setting: the family_id setting named OldID and now names the new id.
	Setting bool
}

// SetFamilyMember names a family member (id is AimHarder's familyId). A
// name already known with another id (a typo corrected) takes the new
// id in one transaction with everything made for the old one: its live
// plans, its pending prebookings and the family_id setting, so nothing
// books the old id — another person's, perhaps — any more.
func (s *Store) SetFamilyMember(ctx context.Context, name, id string) (FamilyChange, error) {
	name, id = strings.TrimSpace(name), strings.TrimSpace(id)
	switch {
	case name == "":
		return FamilyChange{}, fmt.Errorf("%w: a family member needs a name", ErrInvalid)
	case validFamilyID(name):
		return FamilyChange{}, fmt.Errorf("%w: a family member's name cannot be a number (%q)", ErrInvalid, name)
	case !validFamilyID(id):
		return FamilyChange{}, fmt.Errorf("%w: %q is not a family member id (AimHarder's familyId is a number)", ErrInvalid, id)
	}
	c := FamilyChange{Member: FamilyMember{Name: name, ID: id}}
	var refused error // the member's mistake, said as it is (not as a failed write)
	err := s.inTx(ctx, "save family member", func(tx *sql.Tx) error {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingFamilyMembers).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		list, err := parseFamily(v)
		if err != nil {
			return err
		}
		for _, other := range list {
			if other.ID == id && !strings.EqualFold(other.Name, name) {
				// Two names for one person would book them under either.
				refused = fmt.Errorf("%w: %s already has id %s", ErrInvalid, other.Name, id)
				return refused
			}
		}
		replaced := false
		for i := range list {
			if strings.EqualFold(list[i].Name, name) {
				c.OldID = list[i].ID
				list[i], replaced = c.Member, true
			}
		}
		if !replaced {
			list = append(list, c.Member)
		}
		body, err := json.Marshal(list)
		if err != nil {
			return err
		}
		now := toMillis(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			SettingFamilyMembers, string(body), now); err != nil {
			return err
		}
		if c.OldID == "" || c.OldID == id {
			return nil
		}
		return c.move(ctx, tx, now)
	})
	if refused != nil {
		return FamilyChange{}, refused
	}
	if err != nil {
		return FamilyChange{}, err
	}
	return c, nil
}

// move gives the new id what was made for the old one (SetFamilyMember's
// transaction).
func (c *FamilyChange) move(ctx context.Context, tx *sql.Tx, now int64) error {
	old, id := c.OldID, c.Member.ID
	res, err := tx.ExecContext(ctx, `UPDATE plans SET family_id = ? WHERE family_id = ? AND removed_at IS NULL`, id, old)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	c.Plans = int(n)
	// A pending prebooking whose class the new id has a live prebooking
	// of already stays (one live prebooking per class and person).
	res, err = tx.ExecContext(ctx, `UPDATE prebookings SET family_id = ? WHERE family_id = ? AND status = 'pending'
	AND NOT EXISTS (SELECT 1 FROM prebookings o WHERE o.family_id = ? AND o.box_id = prebookings.box_id
		AND o.day = prebookings.day AND o.status IN ('pending', 'firing')
		AND (o.class_id = prebookings.class_id OR o.class_start = prebookings.class_start))`, id, old, id)
	if err != nil {
		return err
	}
	n, _ = res.RowsAffected()
	c.Prebookings = int(n)
	// The rest have a twin on the new id: left on the old one they would
	// book it, so they are withdrawn, with a history line each.
	rows, err := tx.QueryContext(ctx, `
UPDATE prebookings SET status = 'cancelled', finished_at = ?, outcome_code = ?, outcome_message = ?
WHERE family_id = ? AND status = 'pending' RETURNING `+prebookingColumns,
		now, OutcomeFamilyMoved, "the family member's id changed to "+id+", which has this class already", old)
	if err != nil {
		return err
	}
	var gone []Prebooking
	for rows.Next() {
		p, err := scanPrebooking(rows)
		if err != nil {
			rows.Close()
			return err
		}
		gone = append(gone, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range gone {
		why := "removed prebooking " + describe(p) + ": the family member's id changed and the new one has this class already"
		if err := recordTx(ctx, tx, prebookingEvent(p, fromMillis(now), EventPrebookRemoved, why)); err != nil {
			return err
		}
	}
	c.Withdrawn = len(gone)
	res, err = tx.ExecContext(ctx, `UPDATE settings SET value = ?, updated_at = ? WHERE key = ? AND value = ?`,
		id, now, SettingFamilyID, old)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		c.Setting = true
		// The cached class lists were the old id's (as SetSetting does).
		if _, err := tx.ExecContext(ctx, `DELETE FROM class_cache`); err != nil {
			return err
		}
	}
	return nil
}

// OutcomeFamilyMoved is the outcome of a pending prebooking withdrawn
// because its family member's id changed to one that has the class
// already (SetFamilyMember).
const OutcomeFamilyMoved = "family_moved"

// RemoveFamilyMember forgets a family member, by name or id.
func (s *Store) RemoveFamilyMember(ctx context.Context, nameOrID string) (FamilyMember, error) {
	f, err := s.ResolveFamily(ctx, nameOrID)
	if err != nil {
		return FamilyMember{}, err
	}
	list, err := s.FamilyMembers(ctx)
	if err != nil {
		return FamilyMember{}, err
	}
	kept := list[:0]
	for _, g := range list {
		if g.ID != f.ID {
			kept = append(kept, g)
		}
	}
	return f, s.saveFamily(ctx, kept)
}

func (s *Store) saveFamily(ctx context.Context, list []FamilyMember) error {
	body, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, SettingFamilyMembers, string(body))
}

// ResolveFamily finds a family member by name (any case) or id: "" is the
// account holder. A number no named member has is taken as given only
// while no member is named (ids set before names existed); otherwise, and
// for any unknown name, an *UnknownFamilyError lists the known ones.
func (s *Store) ResolveFamily(ctx context.Context, v string) (FamilyMember, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Holder, nil
	}
	list, err := s.FamilyMembers(ctx)
	if err != nil {
		return FamilyMember{}, err
	}
	for _, f := range list {
		if f.ID == v || strings.EqualFold(f.Name, v) {
			return f, nil
		}
	}
	if len(list) == 0 && validFamilyID(v) {
		return FamilyMember{ID: v}, nil
	}
	return FamilyMember{}, &UnknownFamilyError{Given: v, Known: list}
}

// FamilyName is the name of the family member with that id ("" for the
// holder or an id with no name).
func FamilyName(list []FamilyMember, id string) string {
	for _, f := range list {
		if f.ID == id {
			return f.Name
		}
	}
	return ""
}
