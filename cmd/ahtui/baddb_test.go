package main

// Bad databases through the command line: a damaged or truncated file, a
// file from a newer ahtui and a full disk. Each command fails with exit 1
// and the member's words on stderr (with --json too: stdout stays empty),
// and nothing that was committed is lost.

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/ahtui/ahtui/session"
)

// seedMember logs in, prebooks a class and changes a setting, and returns
// what the member sees of it all.
func seedMember(e *cliEnv) string {
	e.t.Helper()
	e.login()
	day := testToday.AddDays(5)
	e.mustRun("", "prebook", "add", strconv.FormatInt(e.classAt(testBox, day, "18:00").ID, 10), "--day", day.String())
	e.mustRun("", "config", "refresh_after", "20m")
	return e.memberView()
}

// memberView is everything the member can read back: status, prebookings
// and settings.
func (e *cliEnv) memberView() string {
	e.t.Helper()
	return e.mustRun("", "status", "--json").stdout + e.mustRun("", "prebook", "list", "--json").stdout +
		e.mustRun("", "config").stdout
}

// expectFailure runs a command that must fail with exit 1, nothing on
// stdout (no half-written JSON), and stderr saying each of words.
func (e *cliEnv) expectFailure(r result, words ...string) {
	e.t.Helper()
	if r.code != exitFailed || r.stdout != "" {
		e.t.Errorf("want exit %d and no output: %v", exitFailed, r)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.stderr, w) {
			e.t.Errorf("stderr does not say %q: %s", w, r.stderr)
		}
	}
}

// expectLoginRefused runs `login` on a database that cannot be used: it
// fails like any other command, and before asking AimHarder anything, so
// no server session is created and abandoned.
func (e *cliEnv) expectLoginRefused(words ...string) {
	e.t.Helper()
	e.fake.ResetRequests()
	e.expectFailure(e.run(testPassword+"\n", "login", "--email", testEmail, "--password-stdin"), words...)
	for _, r := range e.fake.Requests() {
		e.t.Errorf("login on an unusable database reached AimHarder: %s %s (%s)", r.Method, r.Path, r.Code)
	}
}

// someCommands reads and writes, with and without --json.
func someCommands(e *cliEnv) [][]string {
	day := testToday.AddDays(5)
	return [][]string{
		{"status"},
		{"status", "--json"},
		{"prebook", "list", "--json"},
		{"config", "refresh_after", "10m"},
		{"prebook", "add", strconv.FormatInt(e.classAt(testBox, day, "07:00").ID, 10), "--day", day.String()},
	}
}

func TestDamagedDatabaseCLI(t *testing.T) {
	e := newCLIEnv(t)
	before := seedMember(e)
	good, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, len(good))
	rand.Read(noise)

	// One page in the middle garbled: the header, the schema and most
	// tables read fine, so only a check of every page finds it.
	const page = 4096
	onePage := bytes.Clone(good)
	mid := len(good) / page / 2
	copy(onePage[mid*page:(mid+1)*page], noise)

	for name, damaged := range map[string][]byte{
		"random bytes": noise,
		"truncated":    good[:len(good)/2],
		"a text file":  []byte(strings.Repeat("shopping list: eggs, rice\n", 100)),
		"one page":     onePage,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(e.db, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			words := []string{"ahtui's database at " + e.db + " is damaged",
				"left it as it is", "move the file aside", "`ahtui login`"}
			for _, args := range someCommands(e) {
				e.expectFailure(e.run("", args...), words...)
			}
			e.expectLoginRefused(words...)
			if got, _ := os.ReadFile(e.db); !bytes.Equal(got, damaged) {
				t.Error("ahtui changed the damaged file")
			}
		})
	}

	// The member's own copy, put back, holds everything.
	if err := os.WriteFile(e.db, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if after := e.memberView(); after != before {
		t.Errorf("after putting the good file back:\n%s\nwant\n%s", after, before)
	}
}

func TestNewerDatabaseCLI(t *testing.T) {
	e := newCLIEnv(t)
	before := seedMember(e)
	setUserVersion(t, e.db, 99)
	stamped, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}

	for _, args := range someCommands(e) {
		e.expectFailure(e.run("", args...), "ahtui's database at "+e.db+" was written by a newer ahtui",
			"schema version 99", fmt.Sprintf("knows up to %d", session.LatestSchemaVersion()),
			"Nothing was changed", "run the newer ahtui")
	}
	e.expectLoginRefused("was written by a newer ahtui", "Nothing was changed")
	if got, _ := os.ReadFile(e.db); !bytes.Equal(got, stamped) {
		t.Error("ahtui changed the newer database")
	}

	// As if the newer ahtui never touched it: everything is there.
	setUserVersion(t, e.db, session.LatestSchemaVersion())
	if after := e.memberView(); after != before {
		t.Errorf("after the refusal:\n%s\nwant\n%s", after, before)
	}
}

func setUserVersion(t *testing.T, path string, v int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
}

// TestAnotherProgramsDatabaseCLI: --db naming another program's SQLite
// database is refused untouched, and the member is not told to move
// somebody else's file aside.
func TestAnotherProgramsDatabaseCLI(t *testing.T) {
	e := newCLIEnv(t)
	if err := os.MkdirAll(filepath.Dir(e.db), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", e.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('beach')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status"}, {"config", "refresh_after", "10m"}} {
		r := e.run("", args...)
		e.expectFailure(r, e.db+" is not an ahtui database", "another program", "Point --db or AHTUI_DB at another path")
		if strings.Contains(r.stderr, "move the file aside") {
			t.Errorf("%v: the member is told to move another program's file: %s", args, r.stderr)
		}
	}
	e.expectLoginRefused(e.db+" is not an ahtui database", "another program")
	if after, _ := os.ReadFile(e.db); !bytes.Equal(before, after) {
		t.Error("the other program's database was changed")
	}
}
