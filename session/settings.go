package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Setting keys with a meaning in ahtui. Other keys matching
// [a-z][a-z0-9_.-]* are stored as given.
const (
	SettingCurrentBox        = "current_box"         // box id
	SettingFamilyID          = "family_id"           // familyId sent with box calls; "" = the account holder
	SettingPasswordCommand   = "password_command"    // prints the password, for unattended re-login
	SettingNotifyCommand     = "notify_command"      // run on every prebooking outcome
	SettingRefreshAfter      = "refresh_after"       // duration: scheduler cadence threshold
	SettingRefreshBeforeFire = "refresh_before_fire" // duration: refresh before a fire when older
	SettingLanguage          = "language"
)

// Default thresholds (docs/product.md invariant 5).
const (
	DefaultRefreshAfter      = 18 * time.Minute
	DefaultRefreshBeforeFire = 25 * time.Minute
)

var settingKey = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// Setting returns a setting's value and whether it is set.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var value string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, s.wrap("read setting "+key, err)
	}
	return value, true, nil
}

// Settings returns every stored setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, s.wrap("list settings", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, s.wrap("list settings", err)
		}
		out[k] = v
	}
	return out, s.wrap("list settings", rows.Err())
}

// SetSetting stores a setting after checking typed values (durations,
// the current box). Changing the family member clears the class cache,
// whose lists show the previous member's bookings.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if !settingKey.MatchString(key) {
		return fmt.Errorf("%w: setting name %q", ErrInvalid, key)
	}
	switch key {
	case SettingRefreshAfter, SettingRefreshBeforeFire:
		if d, err := time.ParseDuration(value); err != nil || d <= 0 {
			return fmt.Errorf("%w: %s must be a positive duration such as 18m", ErrInvalid, key)
		}
	case SettingFamilyID:
		// A name is resolved by the caller (ResolveFamily): what AimHarder
		// takes is a number, and an unknown one books for the holder.
		if v := strings.TrimSpace(value); v != "" && !validFamilyID(v) {
			return &UnknownFamilyError{Given: v, Known: s.knownFamily(ctx)}
		}
	case SettingFamilyMembers:
		if _, err := parseFamily(value); err != nil {
			return err
		}
	case SettingCurrentBox:
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %s must be a box id", ErrInvalid, key)
		}
		if _, err := s.Box(ctx, id); err != nil {
			return err
		}
	}
	return s.inTx(ctx, "save setting "+key, func(tx *sql.Tx) error {
		if key == SettingFamilyID {
			var old string
			err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&old)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if old != value {
				if _, err := tx.ExecContext(ctx, `DELETE FROM class_cache`); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, toMillis(s.now()))
		return err
	})
}

func (s *Store) knownFamily(ctx context.Context) []FamilyMember {
	list, _ := s.FamilyMembers(ctx)
	return list
}

// UnsetSetting removes a setting (its default applies again).
func (s *Store) UnsetSetting(ctx context.Context, key string) error {
	if key == SettingFamilyID {
		return s.SetSetting(ctx, key, "") // also clears the cache when it changes
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
	return s.wrap("remove setting "+key, err)
}

// CurrentBox returns the box the member last chose, or ErrNotFound.
func (s *Store) CurrentBox(ctx context.Context) (Box, error) {
	value, ok, err := s.Setting(ctx, SettingCurrentBox)
	if err != nil {
		return Box{}, err
	}
	if !ok {
		return Box{}, fmt.Errorf("current box: %w", ErrNotFound)
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return Box{}, fmt.Errorf("current box %q: %w", value, ErrInvalid)
	}
	return s.Box(ctx, id)
}

// SetCurrentBox makes the box with that id the current one.
func (s *Store) SetCurrentBox(ctx context.Context, id int64) error {
	return s.SetSetting(ctx, SettingCurrentBox, strconv.FormatInt(id, 10))
}

// FamilyID returns the family member to act for ("" = the account holder).
func (s *Store) FamilyID(ctx context.Context) (string, error) {
	v, _, err := s.Setting(ctx, SettingFamilyID)
	return strings.TrimSpace(v), err
}

// Thresholds are the token ages that trigger a refresh.
type Thresholds struct {
	RefreshAfter      time.Duration // on the scheduler's cadence
	RefreshBeforeFire time.Duration // just before a prebooking fires
}

// Thresholds returns the refresh thresholds, defaults filled in.
func (s *Store) Thresholds(ctx context.Context) (Thresholds, error) {
	t := Thresholds{RefreshAfter: DefaultRefreshAfter, RefreshBeforeFire: DefaultRefreshBeforeFire}
	for key, dst := range map[string]*time.Duration{
		SettingRefreshAfter:      &t.RefreshAfter,
		SettingRefreshBeforeFire: &t.RefreshBeforeFire,
	} {
		v, ok, err := s.Setting(ctx, key)
		if err != nil {
			return t, err
		}
		if !ok {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return t, fmt.Errorf("%w: setting %s = %q is not a positive duration", ErrInvalid, key, v)
		}
		*dst = d
	}
	return t, nil
}

// PasswordCommand returns the password_command, trimmed, and whether one
// is configured (a blank value counts as none).
func (s *Store) PasswordCommand(ctx context.Context) (string, bool, error) {
	command, _, err := s.Setting(ctx, SettingPasswordCommand)
	command = strings.TrimSpace(command)
	return command, command != "", err
}
