package session

// Bad databases: damaged or truncated files, a damaged write-ahead log and
// a full disk. Each must give a typed error, leave a refused file as it
// was, and lose nothing that was committed before.

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// contents is what a member's database holds, read through the Store.
type contents struct {
	Account     Account
	Sessions    []Session
	Boxes       []Box
	Settings    map[string]string
	Prebookings []Prebooking
	History     []Event
	Cached      CachedDay
}

var seedDay = aimharder.Date{Year: 2026, Month: time.November, Day: 27}

func snapshot(ctx context.Context, s *Store) (contents, error) {
	var c contents
	var err error
	if c.Account, err = s.Account(ctx); err != nil {
		return c, err
	}
	if c.Sessions, err = s.Sessions(ctx); err != nil {
		return c, err
	}
	if c.Boxes, err = s.Boxes(ctx); err != nil {
		return c, err
	}
	if c.Settings, err = s.Settings(ctx); err != nil {
		return c, err
	}
	if c.Prebookings, err = s.Prebookings(ctx, PrebookingQuery{}); err != nil {
		return c, err
	}
	if c.History, err = s.History(ctx, HistoryQuery{}); err != nil {
		return c, err
	}
	c.Cached, err = s.CachedDay(ctx, 501, seedDay)
	return c, err
}

func mustSnapshot(t *testing.T, s *Store) contents {
	t.Helper()
	c, err := snapshot(t.Context(), s)
	if err != nil {
		t.Fatalf("reading the database: %v", err)
	}
	return c
}

func sameContents(t *testing.T, what string, got, want contents) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the database holds\n%+v\nwant\n%+v", what, got, want)
	}
}

// seed fills s the way a member's first days would: both sessions, two
// boxes, settings, prebookings (with their history) and a cached day.
func seed(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	login(t, s, KindDevice, "tok-device")
	login(t, s, KindBackground, "tok-background")
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 501, Subdomain: "crossfitx", Name: "CrossFit X"}, {ID: 502, Subdomain: "gymy"}}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{SettingCurrentBox: "501", SettingLanguage: "es", SettingRefreshAfter: "20m"} {
		if err := s.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	addPrebooking(t, s, 9001)
	addPrebooking(t, s, 9002)
	if err := s.CacheDay(ctx, 501, seedDay, []byte(`{"classes":[{"id":9001,"name":"WOD"}]}`), time.Time{}); err != nil {
		t.Fatal(err)
	}
}

func addPrebooking(t *testing.T, s *Store, classID int64) {
	t.Helper()
	start := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	if _, err := s.AddPrebooking(t.Context(), NewPrebooking{
		BoxID: 501, ClassID: classID, Day: seedDay, ClassName: "WOD", ClassStart: start, OpensAt: start.Add(-96 * time.Hour),
	}); err != nil {
		t.Fatalf("AddPrebooking(%d): %v", classID, err)
	}
}

// seededFile makes a closed (so fully checkpointed) database at path and
// returns what it holds.
func seededFile(t *testing.T, path string) contents {
	t.Helper()
	s, err := Open(t.Context(), path, WithClock(newTestClock().Now))
	if err != nil {
		t.Fatal(err)
	}
	seed(t, s)
	c := mustSnapshot(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a closed database still has its -wal (%v): the test's premise is wrong", err)
	}
	return c
}

// expectRefused opens path and wants a NotDatabaseError naming it, with
// the file byte for byte as it was.
func expectRefused(t *testing.T, path string) {
	t.Helper()
	before := readFile(t, path)
	s, err := Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted the file")
	}
	var nd *NotDatabaseError
	if !errors.Is(err, ErrNotDatabase) || !errors.As(err, &nd) || nd.Path != path {
		t.Fatalf("Open = %v, want a NotDatabaseError naming %s", err, path)
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("the refused file was changed")
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRandomBytesAreRefusedUnchanged: noise at the database path, with or
// without SQLite's magic header in front, is refused and never rewritten.
func TestRandomBytesAreRefusedUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string][]byte{
		"noise":                 randomBytes(t, 64<<10),
		"noise behind a header": append([]byte("SQLite format 3\x00"), randomBytes(t, 64<<10)...),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".db")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			expectRefused(t, path)
		})
	}
}

// TestTruncatedDatabaseIsRefusedUnchanged cuts a real, checkpointed
// database short: SQLite sees fewer pages than its header promises, so
// Open refuses it and leaves it as it was for whoever tries to recover it.
func TestTruncatedDatabaseIsRefusedUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	want := seededFile(t, good)
	whole := readFile(t, good)
	const page = 4096
	if len(whole)%page != 0 || len(whole) < 4*page {
		t.Fatalf("seeded database is %d bytes, want several %d-byte pages", len(whole), page)
	}
	cut := func(name string, size int) string {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".db")
		if err := os.WriteFile(path, whole[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for name, size := range map[string]int{
		"half":           len(whole) / 2,
		"one page short": len(whole) - page,
		"first page":     page,
	} {
		t.Run(name, func(t *testing.T) { expectRefused(t, cut(name, size)) })
	}
	// Cut inside its last page, the file still has every page the header
	// counts (the missing tail reads as zeros): SQLite may open it, and
	// then whatever it reads must be what was committed.
	t.Run("inside the last page", func(t *testing.T) {
		path := cut("inside the last page", len(whole)-page/2)
		before := readFile(t, path)
		s, err := Open(t.Context(), path)
		if errors.Is(err, ErrNotDatabase) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := snapshot(t.Context(), s)
		if err != nil && !errors.Is(err, ErrNotDatabase) {
			t.Errorf("reading = %v, want what was committed or ErrNotDatabase", err)
		}
		if err == nil {
			sameContents(t, "what it reads", got, want)
		}
		s.Close()
		if !bytes.Equal(before, readFile(t, path)) {
			t.Error("reading the cut file changed it")
		}
	})
	// The untouched original still opens with everything in it.
	sameContents(t, "the original", mustSnapshot(t, openAt(t, good)), want)
}

// garblePage overwrites the first page of table in the closed database
// at path with noise and returns the file's new contents.
func garblePage(t *testing.T, path, table string) []byte {
	t.Helper()
	db := rawDB(t, path)
	var root int64
	if err := db.QueryRowContext(t.Context(), `SELECT rootpage FROM sqlite_schema WHERE name = ?`, table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	db.Close()
	body := readFile(t, path)
	const page = 4096
	copy(body[(root-1)*page:root*page], randomBytes(t, page))
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return body
}

// TestDamagedTableIsRefusedAtOpen garbles one table's page: Open checks
// every page before anything writes, refuses the file and leaves it as
// it was (before, the file opened and a command could write other tables
// — a history row — before it reached the damaged one).
func TestDamagedTableIsRefusedAtOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, table := range []string{"prebookings", "sessions", "history", "settings"} {
		t.Run(table, func(t *testing.T) {
			path := filepath.Join(dir, table+".db")
			seededFile(t, path)
			garblePage(t, path, table)
			expectRefused(t, path)
		})
	}
}

// TestDamageFoundAfterOpenStopsEveryWrite: a page damaged under an open
// store. The read that finds it fails with ErrNotDatabase; from then on
// nothing is written to the file, to that table or any other.
func TestDamageFoundAfterOpenStopsEveryWrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ahtui.db")
	want := seededFile(t, path)
	s := openAt(t, path)
	body := garblePage(t, path, "prebookings")
	// Connections opened before the damage may hold the good page in
	// their cache: start from fresh ones, which read the file.
	s.db.SetMaxIdleConns(0)
	s.db.SetMaxIdleConns(2)

	if _, err := s.Prebookings(ctx, PrebookingQuery{}); !errors.Is(err, ErrNotDatabase) {
		t.Fatalf("reading the damaged table = %v, want ErrNotDatabase", err)
	}
	// Everything outside the damaged page reads as it was.
	if got, err := s.Sessions(ctx); err != nil || !reflect.DeepEqual(got, want.Sessions) {
		t.Errorf("sessions = %v, %v; want %v", got, err, want.Sessions)
	}
	if _, err := s.CancelPrebooking(ctx, want.Prebookings[0].ID); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("writing the damaged table = %v, want ErrNotDatabase", err)
	}
	if err := s.SetSetting(ctx, SettingRefreshAfter, "10m"); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("writing a setting = %v, want ErrNotDatabase", err)
	}
	if _, err := s.Record(ctx, Event{Kind: EventLogin, Message: "logging in"}); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("recording history = %v, want ErrNotDatabase", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, readFile(t, path)) {
		t.Error("the damaged file was changed")
	}
}

// TestDamagedWALKeepsCommittedData copies a database and its write-ahead
// log as a crash would leave them, then damages the log. What was
// checkpointed into the main file is always there; a log commit survives
// whole when its frames are intact and vanishes whole when they are not.
func TestDamagedWALKeepsCommittedData(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "live", "ahtui.db")
	s := openAt(t, path, WithClock(newTestClock().Now))
	seed(t, s)
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	checkpointed := mustSnapshot(t, s)

	// Two commits that live only in the log.
	if err := s.SetSetting(ctx, SettingRefreshAfter, "10m"); err != nil {
		t.Fatal(err)
	}
	firstCommit := mustSnapshot(t, s)
	firstEnd := fileSize(t, path+"-wal")
	addPrebooking(t, s, 9003)
	secondEnd := fileSize(t, path+"-wal")
	if firstEnd == 0 || secondEnd <= firstEnd {
		t.Fatalf("log sizes %d then %d: the commits did not stay in the log", firstEnd, secondEnd)
	}
	mainFile, wal := readFile(t, path), readFile(t, path+"-wal")

	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
		want   contents
	}{
		{"cut inside the second commit", func(w []byte) []byte { return w[:secondEnd-100] }, firstCommit},
		{"second commit garbled", func(w []byte) []byte {
			copy(w[firstEnd+64:], randomBytes(t, 512))
			return w
		}, firstCommit},
		{"header garbled", func(w []byte) []byte {
			copy(w, randomBytes(t, 32))
			return w
		}, checkpointed},
		{"all noise", func(w []byte) []byte { return randomBytes(t, len(w)) }, checkpointed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crashed := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"), "ahtui.db")
			if err := os.MkdirAll(filepath.Dir(crashed), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(crashed, mainFile, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(crashed+"-wal", tc.damage(bytes.Clone(wal)), 0o600); err != nil {
				t.Fatal(err)
			}
			r := openAt(t, crashed)
			sameContents(t, "after recovery", mustSnapshot(t, r), tc.want)
			// And the recovered database takes new writes.
			if err := r.SetSetting(ctx, SettingLanguage, "en"); err != nil {
				t.Errorf("writing after recovery: %v", err)
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// bigValue is a setting too large for the room a full-disk test leaves.
var bigValue = strings.Repeat("notify-send ahtui ", 16<<10)

// TestDiskFullAtMaxPageCount caps the file at its current size with
// PRAGMA max_page_count, which makes SQLite answer SQLITE_FULL exactly as
// it does for ENOSPC: the write fails with ErrDiskFull and changes
// nothing, and succeeds once there is room again.
func TestDiskFullAtMaxPageCount(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ahtui.db")
	s := openAt(t, path, WithClock(newTestClock().Now))
	seed(t, s)
	want := mustSnapshot(t, s)

	// max_page_count belongs to a connection: keep the pool to one.
	s.db.SetMaxOpenConns(1)
	setMaxPages := func(n int64) {
		t.Helper()
		var got int64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n)).Scan(&got); err != nil || got != n {
			t.Fatalf("max_page_count = %d, %v; want %d", got, err, n)
		}
	}
	var pages int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	setMaxPages(pages)

	err := s.SetSetting(ctx, SettingNotifyCommand, bigValue)
	var full *DiskFullError
	if !errors.Is(err, ErrDiskFull) || !errors.As(err, &full) || full.Path != path {
		t.Fatalf("SetSetting on a full database = %v, want a DiskFullError naming %s", err, path)
	}
	t.Logf("SQLITE_FULL reads: %v", err)
	sameContents(t, "the same store after the failed write", mustSnapshot(t, s), want)
	other := openAt(t, path)
	sameContents(t, "a fresh store after the failed write", mustSnapshot(t, other), want)

	setMaxPages(1 << 30)
	if err := s.SetSetting(ctx, SettingNotifyCommand, bigValue); err != nil {
		t.Fatalf("the same write with room again: %v", err)
	}
	want.Settings[SettingNotifyCommand] = bigValue
	sameContents(t, "the other store after the retry", mustSnapshot(t, other), want)
}
