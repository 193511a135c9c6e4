package session

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Account is the AimHarder user this database belongs to (one per
// database). It holds no secret.
type Account struct {
	Email  string
	UserID int64
	Name   string
}

func (a Account) validate() error {
	if strings.TrimSpace(a.Email) == "" {
		return fmt.Errorf("%w: the account has no e-mail", ErrInvalid)
	}
	if a.UserID <= 0 {
		return fmt.Errorf("%w: the account has no user id", ErrInvalid)
	}
	return nil
}

// Account returns the database's account, or ErrNoAccount.
func (s *Store) Account(ctx context.Context) (Account, error) {
	var a Account
	err := s.db.QueryRowContext(ctx, `SELECT email, user_id, name FROM account WHERE id = 1`).
		Scan(&a.Email, &a.UserID, &a.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, ErrNoAccount
	}
	if err != nil {
		return Account{}, s.wrap("read account", err)
	}
	return a, nil
}

// saveAccount creates or updates the account row inside a login
// transaction. A different user id is refused: the boxes, prebookings and
// history in this file belong to the first user.
func saveAccount(ctx context.Context, tx *sql.Tx, a Account, now time.Time) error {
	var existing int64
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM account WHERE id = 1`).Scan(&existing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx,
			`INSERT INTO account (id, email, user_id, name, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)`,
			strings.TrimSpace(a.Email), a.UserID, a.Name, toMillis(now), toMillis(now))
		return err
	case err != nil:
		return err
	case existing != a.UserID:
		return fmt.Errorf("%w (user %d, not %d): use another --db", ErrOtherAccount, existing, a.UserID)
	}
	_, err = tx.ExecContext(ctx, `UPDATE account SET email = ?, name = ?, updated_at = ? WHERE id = 1`,
		strings.TrimSpace(a.Email), a.Name, toMillis(now))
	return err
}

// deviceFingerprint returns the device id interactive logins use: random,
// generated once when the database was created.
func (s *Store) deviceFingerprint(ctx context.Context) (string, error) {
	return s.meta(ctx, "device_fingerprint")
}

// backgroundFingerprint returns the device id the scheduler's login uses:
// HMAC-SHA256 of the normalised e-mail keyed with this database's random
// salt, hex, cut to 50 characters. It is stable for one account in one
// database (a re-login after logout resumes the same device) and differs
// between accounts and between databases.
func (s *Store) backgroundFingerprint(ctx context.Context, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", fmt.Errorf("%w: background fingerprint needs an e-mail", ErrInvalid)
	}
	saltHex, err := s.meta(ctx, "background_salt")
	if err != nil {
		return "", err
	}
	salt, err := hex.DecodeString(saltHex)
	if err != nil {
		return "", fmt.Errorf("read background salt: %w", ErrNotDatabase)
	}
	mac := hmac.New(sha256.New, salt)
	mac.Write([]byte(email))
	return hex.EncodeToString(mac.Sum(nil))[:50], nil
}

// Fingerprint returns the fingerprint a login of the given kind must use.
func (s *Store) Fingerprint(ctx context.Context, kind Kind, email string) (string, error) {
	if err := kind.validate(); err != nil {
		return "", err
	}
	if kind == KindDevice {
		return s.deviceFingerprint(ctx)
	}
	return s.backgroundFingerprint(ctx, email)
}

func (s *Store) meta(ctx context.Context, key string) (string, error) {
	var value string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read %s: %w: missing", key, ErrNotDatabase)
	}
	if err != nil {
		return "", s.wrap("read "+key, err)
	}
	return value, nil
}
