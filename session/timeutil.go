package session

import (
	"database/sql"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// Times are stored as Unix milliseconds: sortable, zone-free, and precise
// enough for leases and firing records.

func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms) }

// nullMillis stores the zero time as NULL.
func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromNullMillis reads NULL back as the zero time.
func fromNullMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

// nullDay stores the zero Date as NULL.
func nullDay(d aimharder.Date) sql.NullString {
	if d.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: d.String(), Valid: true}
}

// parseDay reads a stored YYYY-MM-DD, NULL or empty as the zero Date.
func parseDay(v sql.NullString) (aimharder.Date, error) {
	if !v.Valid || v.String == "" {
		return aimharder.Date{}, nil
	}
	return aimharder.ParseDate(v.String)
}

// boolInt stores a bool in an INTEGER column.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
