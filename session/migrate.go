package session

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// applicationID marks the file as ahtui's ("ahtu"), so Open can tell our
// database from another program's SQLite file.
const applicationID = 0x61687475

// migration is one numbered schema step. Migration i (1-based) takes the
// schema from version i-1 to i; fill, when set, runs after the SQL in the
// same transaction for data SQL cannot make (random secrets).
type migration struct {
	name string
	sql  string
	fill func(ctx context.Context, tx *sql.Tx, now time.Time) error
}

// migrations are append-only: never edit a released step, add a new one.
var migrations = []migration{
	{
		name: "account, sessions and settings",
		sql: `
PRAGMA application_id = 1634235509;

-- Per-database secrets and facts: device_fingerprint, background_salt, created_at.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- One account per database: the row id is pinned to 1.
CREATE TABLE account (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	email      TEXT    NOT NULL,
	user_id    INTEGER NOT NULL,
	name       TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- Exactly one row per kind. Times are Unix milliseconds.
CREATE TABLE sessions (
	kind               TEXT    PRIMARY KEY CHECK (kind IN ('device', 'background')),
	account_id         INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
	fingerprint        TEXT    NOT NULL,
	token              TEXT    NOT NULL CHECK (token <> ''),
	cookies            TEXT    NOT NULL DEFAULT '{}',
	state              TEXT    NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'dead')),
	dead_reason        TEXT    NOT NULL DEFAULT '',
	dead_at            INTEGER,
	created_at         INTEGER NOT NULL,
	token_updated_at   INTEGER NOT NULL,
	token_update_count INTEGER NOT NULL DEFAULT 0,
	last_error         TEXT    NOT NULL DEFAULT '',
	last_error_at      INTEGER,
	lease_owner        TEXT    NOT NULL DEFAULT '',
	lease_expires_at   INTEGER NOT NULL DEFAULT 0,
	-- The rotation in flight (random per call), so even two callers
	-- sharing a lease owner never rotate at once.
	rotation_id         TEXT    NOT NULL DEFAULT '',
	rotation_expires_at INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
`,
		fill: func(ctx context.Context, tx *sql.Tx, now time.Time) error {
			fingerprint, err := randomFingerprint()
			if err != nil {
				return err
			}
			salt := make([]byte, 32)
			if _, err := rand.Read(salt); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx,
				`INSERT INTO meta (key, value) VALUES ('device_fingerprint', ?), ('background_salt', ?), ('created_at', ?)`,
				fingerprint, hex.EncodeToString(salt), fmt.Sprint(now.UnixMilli()))
			return err
		},
	},
	{
		name: "boxes, class cache, prebookings, history and runner lease",
		sql: `
CREATE TABLE boxes (
	id                     INTEGER PRIMARY KEY,  -- AimHarder's box id (boid)
	subdomain              TEXT    NOT NULL UNIQUE,
	name                   TEXT    NOT NULL DEFAULT '',
	position               INTEGER NOT NULL DEFAULT 0,
	active                 INTEGER NOT NULL DEFAULT 1,
	timezone               TEXT    NOT NULL DEFAULT 'Europe/Madrid',
	timezone_set_by_member INTEGER NOT NULL DEFAULT 0,
	learned_window         TEXT    NOT NULL DEFAULT '',
	learned_window_at      INTEGER,
	member_window          TEXT    NOT NULL DEFAULT '',
	updated_at             INTEGER NOT NULL
) STRICT;

-- The last class list fetched per box and day, as the JSON the caller stored.
CREATE TABLE class_cache (
	box_id     INTEGER NOT NULL REFERENCES boxes(id) ON DELETE CASCADE,
	day        TEXT    NOT NULL,
	body       BLOB    NOT NULL,
	fetched_at INTEGER NOT NULL,
	PRIMARY KEY (box_id, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE prebookings (
	id              INTEGER PRIMARY KEY,
	box_id          INTEGER NOT NULL REFERENCES boxes(id),
	class_id        INTEGER NOT NULL,
	day             TEXT    NOT NULL,
	class_name      TEXT    NOT NULL DEFAULT '',
	class_start     INTEGER NOT NULL,
	opens_at        INTEGER,             -- NULL while the box's window is unknown
	family_id       TEXT    NOT NULL DEFAULT '',
	allow_waitlist  INTEGER NOT NULL DEFAULT 0,
	status          TEXT    NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'firing', 'booked', 'waitlisted', 'failed', 'missed', 'cancelled')),
	claimed_by      TEXT    NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	outcome_code    TEXT    NOT NULL DEFAULT '',
	outcome_message TEXT    NOT NULL DEFAULT '',
	reservation_id  INTEGER,
	late            INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	fired_at        INTEGER,
	finished_at     INTEGER
) STRICT;

-- One live prebooking per class; finished ones stay as a record.
CREATE UNIQUE INDEX prebookings_active ON prebookings (box_id, class_id, day)
	WHERE status IN ('pending', 'firing');
CREATE INDEX prebookings_due ON prebookings (status, opens_at);

-- No foreign key to boxes: history outlives what it mentions.
CREATE TABLE history (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	kind     TEXT    NOT NULL,
	box_id   INTEGER,
	class_id INTEGER,
	day      TEXT,
	message  TEXT    NOT NULL DEFAULT '',
	details  TEXT
) STRICT;
CREATE INDEX history_at ON history (at);

CREATE TABLE runner_leases (
	name         TEXT    PRIMARY KEY,
	owner        TEXT    NOT NULL,
	pid          INTEGER NOT NULL,
	host         TEXT    NOT NULL,
	acquired_at  INTEGER NOT NULL,
	heartbeat_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) STRICT;
`,
	},
	{
		// The re-login policy's state (session/relogin.go), kept in the row
		// so every process and command honours it.
		name: "re-login policy state in the session rows",
		sql: `
ALTER TABLE sessions ADD COLUMN relogin_failures   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN relogin_error      TEXT    NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN relogin_failed_at  INTEGER;
ALTER TABLE sessions ADD COLUMN relogin_not_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN relogin_refused    INTEGER NOT NULL DEFAULT 0;
`,
	},
	{
		name: "prebookings: when the decisive booking request was sent, and how late",
		sql: `
-- AimHarder's time (Unix ms) the accepted booking request — else the
-- first — left; NULL when none was sent or it is not known (a booking a
-- runner found already made).
ALTER TABLE prebookings ADD COLUMN sent_at INTEGER;
-- sent_at minus opens_at, in ms; NULL when either is unknown.
ALTER TABLE prebookings ADD COLUMN late_ms INTEGER;
`,
	},
	{
		// A box's time zone read from its address or name (session/zone.go):
		// the address AimHarder gave, the zone it places the box in and
		// what placed it. Boxes already known are placed at once.
		name: "time zones detected from the box's address",
		sql: `
ALTER TABLE boxes ADD COLUMN address           TEXT NOT NULL DEFAULT '';
ALTER TABLE boxes ADD COLUMN detected_timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE boxes ADD COLUMN timezone_clue     TEXT NOT NULL DEFAULT '';
`,
		fill: detectAllBoxes,
	},
	{
		// A counter every write to a box bumps (session/boxversion.go): the
		// cheap read by which every process notices a rule or zone another
		// one changed.
		name: "boxes version",
		sql: `
CREATE TABLE boxes_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT INTO boxes_version (id, version) VALUES (1, 0);
CREATE TRIGGER boxes_version_insert AFTER INSERT ON boxes
BEGIN UPDATE boxes_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER boxes_version_update AFTER UPDATE ON boxes
BEGIN UPDATE boxes_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER boxes_version_delete AFTER DELETE ON boxes
BEGIN UPDATE boxes_version SET version = version + 1 WHERE id = 1; END;
`,
	},
	{
		// Whether an opening confirmed the learned window rule
		// (session/window.go): '' unconfirmed (read from a "too early"
		// text only), 'confirmed', or 'earlier' (a booking was accepted
		// before the rule's opening: the box opens earlier, at a fixed
		// hour; docs/protocol.md §9).
		name: "learned window rules: confirmed or not",
		sql: `
ALTER TABLE boxes ADD COLUMN learned_window_state TEXT NOT NULL DEFAULT '';
`,
	},
	{
		// Weekly plans (session/weekly.go): the plans, their skipped days and
		// paused periods (class dates, box-local), the runner's record of
		// each occurrence, and the link from a prebooking to the plan
		// occurrence it fires.
		name: "weekly plans",
		sql: `
CREATE TABLE plans (
	id         INTEGER PRIMARY KEY,
	box_id     INTEGER NOT NULL REFERENCES boxes(id),
	days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127), -- bit i = weekday i, Sunday = 0
	start_time TEXT    NOT NULL,                                 -- HH:MM, box-local
	class_name TEXT    NOT NULL CHECK (class_name <> ''),
	waitlist   INTEGER NOT NULL DEFAULT 0,
	fallbacks  TEXT    NOT NULL DEFAULT '[]',                    -- JSON [{"class", "time"}], in order
	from_day   TEXT,                                             -- NULL = no start date
	until_day  TEXT,                                             -- NULL = no end date
	book_now   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	removed_at INTEGER                                           -- NULL while the plan lives
) STRICT;

CREATE TABLE plan_skips (
	plan_id    INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	day        TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (plan_id, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE plan_pauses (
	id         INTEGER PRIMARY KEY,
	plan_id    INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	from_day   TEXT    NOT NULL,
	until_day  TEXT    NOT NULL CHECK (from_day <= until_day),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_pauses_plan ON plan_pauses (plan_id);

-- The runner's record of an occurrence; version makes every write a
-- compare-and-set.
CREATE TABLE plan_occurrences (
	plan_id        INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	day            TEXT    NOT NULL,
	state          TEXT    NOT NULL CHECK (state IN ('planned', 'prebooked', 'booked', 'waitlisted', 'full',
		'failed', 'missed', 'cancelled', 'no_class')),
	class_id       INTEGER,
	prebooking_id  INTEGER,
	reservation_id INTEGER,
	choice         INTEGER NOT NULL DEFAULT 0 CHECK (choice >= 0),
	detail         TEXT    NOT NULL DEFAULT '',
	version        INTEGER NOT NULL CHECK (version >= 1),
	updated_at     INTEGER NOT NULL,
	PRIMARY KEY (plan_id, day)
) STRICT, WITHOUT ROWID;

-- A counter every change to a plan, a skip or a pause bumps: the cheap
-- read by which a runner notices another process edited the plans.
CREATE TABLE plans_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT INTO plans_version (id, version) VALUES (1, 0);
CREATE TRIGGER plans_version_plans_insert AFTER INSERT ON plans
BEGIN UPDATE plans_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER plans_version_plans_update AFTER UPDATE ON plans
BEGIN UPDATE plans_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER plans_version_skips_insert AFTER INSERT ON plan_skips
BEGIN UPDATE plans_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER plans_version_skips_delete AFTER DELETE ON plan_skips
BEGIN UPDATE plans_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER plans_version_pauses_insert AFTER INSERT ON plan_pauses
BEGIN UPDATE plans_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER plans_version_pauses_delete AFTER DELETE ON plan_pauses
BEGIN UPDATE plans_version SET version = version + 1 WHERE id = 1; END;

ALTER TABLE prebookings ADD COLUMN plan_id  INTEGER;
ALTER TABLE prebookings ADD COLUMN plan_day TEXT;
CREATE INDEX prebookings_plan ON prebookings (plan_id, plan_day) WHERE plan_id IS NOT NULL;
`,
	},
	{
		// The AimHarder domain a box's centre_url names when it is not
		// aimharder.com ('aimharder.es'; docs/protocol.md §1): its calls,
		// and an account's whose boxes are all there, use that domain's
		// hosts. '' for aimharder.com.
		name: "boxes on other AimHarder domains",
		sql: `
ALTER TABLE boxes ADD COLUMN domain TEXT NOT NULL DEFAULT '';
`,
	},
	{
		// Watches of full classes (session/watches.go): the runner reads the
		// class's day at a cadence and books it, or tells the member, when a
		// place frees. At most one live watch per class and day.
		name: "class watches",
		sql: `
CREATE TABLE watches (
	id          INTEGER PRIMARY KEY,
	box_id      INTEGER NOT NULL REFERENCES boxes(id),
	class_id    INTEGER NOT NULL,
	day         TEXT    NOT NULL,
	class_name  TEXT    NOT NULL DEFAULT '',
	class_start INTEGER NOT NULL,
	book        INTEGER NOT NULL DEFAULT 0,
	state       TEXT    NOT NULL DEFAULT 'watching' CHECK (state IN ('watching', 'booked', 'notified', 'ended')),
	detail      TEXT    NOT NULL DEFAULT '',
	reservation_id INTEGER,
	created_at  INTEGER NOT NULL,
	finished_at INTEGER
) STRICT;
CREATE UNIQUE INDEX watches_live ON watches (box_id, class_id, day) WHERE state = 'watching';
`,
	},
	{
		// A prebooking made without a class id, for a box that lists a
		// class only once its booking window opens (docs/protocol.md §10B):
		// class_id 0 until the fire finds the class at the opening by its
		// box, day, start (class_start) and match_name. match_name stays
		// set after that; NULL for a prebooking made by class id. One live
		// prebooking per class still holds: by id in the index, for one
		// not yet resolved in the store's check (start and name).
		name: "prebookings resolved by name at the opening",
		sql: `
ALTER TABLE prebookings ADD COLUMN match_name TEXT;
DROP INDEX prebookings_active;
CREATE UNIQUE INDEX prebookings_active ON prebookings (box_id, class_id, day)
	WHERE status IN ('pending', 'firing') AND class_id <> 0;
`,
	},
	{
		// A counter every write to what a screen shows bumps
		// (session/screenversion.go): the account, sessions, settings,
		// boxes, cached class lists, prebookings, history and plans — not
		// the runner leases, whose heartbeats would make every open screen
		// reload every few seconds for nothing, nor the clock estimate
		// (settings clock.*), stored with every probe of a firing burst. Triggers rather than PRAGMA
		// data_version: that one moves on any commit by another
		// connection, leases included, and must be read on one pinned
		// connection. Also: the family member a weekly plan books for.
		name: "screen version; family member per plan",
		sql: `
CREATE TABLE screen_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT INTO screen_version (id, version) VALUES (1, 0);
CREATE TRIGGER screen_version_account_insert AFTER INSERT ON account
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_account_update AFTER UPDATE ON account
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_account_delete AFTER DELETE ON account
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_sessions_insert AFTER INSERT ON sessions
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_sessions_update AFTER UPDATE ON sessions
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_sessions_delete AFTER DELETE ON sessions
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_settings_insert AFTER INSERT ON settings WHEN NEW.key NOT LIKE 'clock.%'
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_settings_update AFTER UPDATE ON settings WHEN NEW.key NOT LIKE 'clock.%'
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_settings_delete AFTER DELETE ON settings WHEN OLD.key NOT LIKE 'clock.%'
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_boxes_insert AFTER INSERT ON boxes
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_boxes_update AFTER UPDATE ON boxes
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_boxes_delete AFTER DELETE ON boxes
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_class_cache_insert AFTER INSERT ON class_cache
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_class_cache_update AFTER UPDATE ON class_cache
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_class_cache_delete AFTER DELETE ON class_cache
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_prebookings_insert AFTER INSERT ON prebookings
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
-- Not fired_at alone: the claim's heartbeat (every 40 ms around an
-- opening) shows nothing new and would make every screen reload.
CREATE TRIGGER screen_version_prebookings_update AFTER UPDATE OF box_id, class_id, day, class_name, class_start,
	opens_at, family_id, allow_waitlist, status, claimed_by, attempts, outcome_code, outcome_message, reservation_id,
	late, created_at, finished_at, sent_at, late_ms, plan_id, plan_day, match_name ON prebookings
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_prebookings_delete AFTER DELETE ON prebookings
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_history_insert AFTER INSERT ON history
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_history_update AFTER UPDATE ON history
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_history_delete AFTER DELETE ON history
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plans_insert AFTER INSERT ON plans
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plans_update AFTER UPDATE ON plans
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plans_delete AFTER DELETE ON plans
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_skips_insert AFTER INSERT ON plan_skips
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_skips_update AFTER UPDATE ON plan_skips
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_skips_delete AFTER DELETE ON plan_skips
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_pauses_insert AFTER INSERT ON plan_pauses
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_pauses_update AFTER UPDATE ON plan_pauses
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_pauses_delete AFTER DELETE ON plan_pauses
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_occurrences_insert AFTER INSERT ON plan_occurrences
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_occurrences_update AFTER UPDATE ON plan_occurrences
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER screen_version_plan_occurrences_delete AFTER DELETE ON plan_occurrences
BEGIN UPDATE screen_version SET version = version + 1 WHERE id = 1; END;

ALTER TABLE plans ADD COLUMN family_id TEXT NOT NULL DEFAULT '';
`,
	},
	{
		// Every runner on the database, the standby ones too
		// (session/registry.go): who else would fire the prebookings if
		// this one stopped. No screen_version trigger: its heartbeats
		// show nothing new.
		name: "runner registry",
		sql: `
CREATE TABLE runner_registry (
	owner        TEXT    PRIMARY KEY,
	kind         TEXT    NOT NULL,
	pid          INTEGER NOT NULL,
	host         TEXT    NOT NULL,
	started_at   INTEGER NOT NULL,
	heartbeat_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) STRICT;
`,
	},
	{
		// When the runner holding a prebooking's claim passed its last
		// check before sending: from then on the claim is taken over only
		// after a long silence (fire once: docs/product.md invariant 6).
		// Not in the screen version's trigger: it moves with fired_at.
		name: "prebookings: sending since",
		sql: `
ALTER TABLE prebookings ADD COLUMN sending_since INTEGER;
`,
	},
	{
		// Class days an edit added whose booking was already open and the
		// member said to book at once (a JSON list of dates): the runner
		// books them although their window opened before the plan was
		// made (docs/product.md, weekly plans).
		name: "plans: days booked although already open",
		sql: `
ALTER TABLE plans ADD COLUMN book_open TEXT NOT NULL DEFAULT '[]';
`,
	},
}

// migrate brings the database on conn up to version target, one
// transaction per step. Each step re-reads the version under the write
// lock, so two processes opening an old file at once migrate it once.
func migrate(ctx context.Context, conn *sql.Conn, target int, now func() time.Time) error {
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return &SchemaError{Found: version, Known: len(migrations)}
	}
	for version < target {
		done, err := migrateOne(ctx, conn, target, now)
		if err != nil {
			return err
		}
		version = done
	}
	return nil
}

// migrateOne applies the next pending step and returns the new version.
func migrateOne(ctx context.Context, conn *sql.Conn, target int, now func() time.Time) (int, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, err
	}
	if version > len(migrations) {
		return 0, &SchemaError{Found: version, Known: len(migrations)}
	}
	if version >= target {
		return version, nil // another process got here first
	}
	step := migrations[version]
	if _, err := tx.ExecContext(ctx, step.sql); err != nil {
		return 0, fmt.Errorf("migration %d (%s): %w", version+1, step.name, err)
	}
	if step.fill != nil {
		if err := step.fill(ctx, tx, now()); err != nil {
			return 0, fmt.Errorf("migration %d (%s): %w", version+1, step.name, err)
		}
	}
	// PRAGMA takes no bound parameters; version is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return version + 1, nil
}

// checkIdentity refuses files that are not ahtui databases before anything
// writes to them: garbage (SQLite answers NOTADB on the first read), a
// newer schema, or another program's SQLite database.
func checkIdentity(ctx context.Context, conn *sql.Conn, path string) error {
	// One statement, so one snapshot: read separately, another opener's
	// first migration could land in between and look like a foreign schema.
	var version, appID, objects int
	err := conn.QueryRowContext(ctx, `SELECT
	(SELECT user_version FROM pragma_user_version),
	(SELECT application_id FROM pragma_application_id),
	(SELECT count(*) FROM sqlite_schema)`).Scan(&version, &appID, &objects)
	if err != nil {
		return err
	}
	switch {
	case appID != 0 && appID != applicationID:
		return &NotDatabaseError{Path: path, Reason: fmt.Sprintf("it belongs to another program (application id %#x)", appID)}
	case version == 0 && objects > 0:
		return &NotDatabaseError{Path: path, Reason: "it is another program's SQLite database"}
	case version > len(migrations):
		return &SchemaError{Path: path, Found: version, Known: len(migrations)}
	}
	return nil
}

// randomFingerprint returns 50 characters of [a-z0-9], one of the formats
// AimHarder's own page uses for its device id.
func randomFingerprint() (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 50)
	buf := make([]byte, 64)
	for i := 0; i < len(out); {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			// Reject the top of the byte range so every character is
			// equally likely (252 = 7 × 36).
			if b >= 252 || i == len(out) {
				continue
			}
			out[i] = alphabet[b%36]
			i++
		}
	}
	return string(out), nil
}
