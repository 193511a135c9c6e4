package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// Fuzz targets for what a member types on the command line. Seeds are the
// f.Add calls below; run one target with e.g.
//
//	go test ./cmd/ahtui -run '^$' -fuzz '^FuzzCommandLine$' -fuzztime 30s
//
// Every input runs the real root command in-process against the fake
// AimHarder on a loopback port (never the network), on a copy of a
// database logged in to it, with empty standard input. Commands that would
// keep running (the TUI, --demo, run, serve, sim) are defused: cobra still
// parses and validates their flags and arguments, and sim still reads its
// --fault values, but nothing starts.

// fuzzCommandTimeout bounds one command line; any command here returns at
// once, so reaching it means a hang.
const fuzzCommandTimeout = 20 * time.Second

// fuzzCLI is a fake AimHarder and a database logged in to it, shared by
// every input of a fuzz target (each fuzz worker process builds its own).
type fuzzCLI struct {
	fake     *aimhardertest.Server
	urls     aimhardertest.URLs
	clock    *aimhardertest.ManualClock
	template string // logged in, test-box current; copied for each input
}

func newFuzzCLI(f *testing.F) *fuzzCLI {
	f.Helper()
	f.Setenv("XDG_STATE_HOME", f.TempDir())
	clock := aimhardertest.NewManualClock(testNow)
	fake, urls := aimhardertest.Start(f, testWorld(), aimhardertest.WithClock(clock))
	// Defaults for whatever reads the environment: the fake, and a database
	// path no input can reach (inputs always get --db first).
	f.Setenv("AHTUI_DB", filepath.Join(f.TempDir(), "unused.db"))
	f.Setenv("AHTUI_LOGIN_URL", urls.Login)
	f.Setenv("AHTUI_PORTAL_URL", urls.Portal)
	f.Setenv("AHTUI_BOX_URL", urls.BoxTemplate)
	fc := &fuzzCLI{fake: fake, urls: urls, clock: clock, template: filepath.Join(f.TempDir(), "template", "ahtui.db")}
	for _, step := range []struct {
		stdin string
		args  []string
	}{
		{testPassword + "\n", []string{"login", "--email", testEmail, "--password-stdin"}},
		{"", []string{"box", "use", testBox}},
	} {
		var out, errOut bytes.Buffer
		full := append([]string{"--db", fc.template}, step.args...)
		if code := runAt(f.Context(), clock.Now, full, strings.NewReader(step.stdin), &out, &errOut); code != exitOK {
			f.Fatalf("setup %v: exit %d\n%s%s", step.args, code, out.String(), errOut.String())
		}
	}
	return fc
}

// freshDB copies the template database into a new folder and returns its path.
func (fc *fuzzCLI) freshDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "ahtui.db")
	if err := copyDB(fc.template, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// run runs `ahtui --db db <args…>` with empty stdin through the real root
// command (defused) and the real error printing.
func (fc *fuzzCLI) run(t *testing.T, db string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCommand(strings.NewReader(""), &out, &errOut, fc.clock.Now)
	defuse(root)
	full := append([]string{"--db", db, "--login-url", fc.urls.Login, "--portal-url", fc.urls.Portal, "--box-url", fc.urls.BoxTemplate}, args...)
	ctx, cancel := context.WithTimeout(t.Context(), fuzzCommandTimeout)
	defer cancel()
	start := time.Now()
	code := execute(ctx, root, full, &errOut)
	if took := time.Since(start); took >= fuzzCommandTimeout {
		t.Fatalf("ahtui %q took %v: a command that should return at once hangs", args, took)
	}
	return result{out.String(), errOut.String(), code}
}

// defuse replaces the RunE of the commands that keep running with one that
// returns at once, after the value parsing they do first.
func defuse(root *cobra.Command) {
	noop := func(*cobra.Command, []string) error { return nil }
	root.RunE = noop // the TUI, and --demo
	for _, c := range root.Commands() {
		switch c.Name() {
		case "run", "serve":
			c.RunE = noop
		case "logout":
			// Would end the template's session on the fake for every later input.
			c.RunE = noop
		case "sim":
			c.RunE = func(cmd *cobra.Command, _ []string) error {
				specs, err := cmd.Flags().GetStringArray("fault")
				if err != nil {
					return err
				}
				if _, err := parseFaults(specs); err != nil {
					return usageErrorf("%v", err)
				}
				return nil
			}
		}
	}
}

// fuzzArgs splits a fuzz string into arguments: on NUL when it has one
// (an argument may then hold spaces), else on white space. Flags that
// would point the command at another database or server are dropped.
func fuzzArgs(s string) []string {
	var parts []string
	if strings.ContainsRune(s, 0) {
		parts = strings.Split(s, "\x00")
	} else {
		parts = strings.Fields(s)
	}
	args := parts[:0]
	for _, a := range parts {
		if strings.HasPrefix(a, "--db") || (strings.HasPrefix(a, "--") && strings.Contains(a, "url")) {
			continue
		}
		args = append(args, a)
	}
	return args
}

// checkOutcome asserts what every command line must give: a contract exit
// status, an "ahtui: " error line when it fails, and an error text a
// terminal shows as it is (no control characters but newlines).
func checkOutcome(t *testing.T, args []string, r result) {
	t.Helper()
	switch r.code {
	case exitOK, exitFailed, exitUsage, exitNoSession:
	default:
		t.Fatalf("ahtui %q: exit %d is not in the contract\n%v", args, r.code, r)
	}
	if r.code != exitOK && !strings.HasPrefix(r.stderr, "ahtui: ") {
		t.Fatalf("ahtui %q failed without an error line\n%v", args, r)
	}
	if i := controlChar(r.stderr); i >= 0 {
		t.Fatalf("ahtui %q: control character %q in the error text at byte %d\n%q", args, r.stderr[i:i+1], i, r.stderr)
	}
}

// controlChar returns the index of the first control character other than
// a newline, or -1.
func controlChar(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			continue // invalid UTF-8 is not a terminal command
		}
		if r != '\n' && unicode.IsControl(r) {
			return i
		}
	}
	return -1
}

// FuzzCommandLine: any argument list ends with a contract exit status, an
// error line without control characters, and within the timeout; when
// cobra itself can tell that the flags or arguments are wrong, the status
// is 2 (usage).
func FuzzCommandLine(f *testing.F) {
	for _, seed := range []string{
		// Realistic.
		"status", "status\x00--json", "boxes\x00--json", "box\x00use\x00test-box", "box\x00use\x00502",
		"classes", "classes\x00--day\x002026-11-26", "classes\x00--day\x0020261126\x00--json",
		"classes\x00--week", "classes\x00--week\x002026-11-30\x00--json", "classes\x00--week=2026-12-01",
		"book\x0012345\x00--day\x002026-11-26", "book\x0012345\x00--day=2026-11-26\x00--waitlist",
		"cancel\x001\x00--day\x002026-11-26\x00--late", "prebook\x00add\x001\x00--day\x002026-11-29",
		"prebook\x00list\x00--json\x00--all", "prebook\x00rm\x007", "prebook",
		"config", "config\x00refresh_after", "config\x00box.test-box.window\x002d@12:00",
		"config\x00box.test-box.timezone\x00Atlantic/Canary", "config\x00--unset\x00family_id",
		"login\x00--email\x00ana@example.test", "login\x00--email\x00ana@example.test\x00--password-stdin",
		"logout", "doctor\x00--email\x00a@b.c\x00--password-stdin", "run", "serve\x00--listen\x00127.0.0.1:0",
		"sim\x00--fault\x00html@bookings\x00--latency\x0050ms", "--demo", "", "-h", "help\x00book",
		"completion\x00bash", "completion\x00nope", "__complete\x00book\x00", "box\x000", "--debug\x00status", "status --json",
		// Nasty.
		"classes\x00--day\x002026-02-30", "classes\x00--day\x00-1", "classes\x00--day\x00\x1b[31mred",
		"classes\x00--day\x002026-11-26\x00--week", "classes\x00--week\x00--day", "classes\x00extra",
		"book\x00-5\x00--day\x002026-11-26", "book\x009223372036854775808\x00--day\x00x", "book\x00--day",
		"book\x001\x00--day\x00\x00", "book\x001\x002\x00--day\x002026-11-26", "cancel\x00\x1b]0;pwned\x07\x00--day\x002026-11-26",
		"prebook\x00rm\x00-1", "prebook\x00rm\x00abc", "prebook\x00nope", "prebook\x00add\x00+1\x00--day\x0099999999",
		"config\x00a\x00b\x00c", "config\x00box..window\x004d", "config\x00refresh_after\x00-5m",
		"config\x00language\x00fr", "config\x00--unset", "config\x00box.test-box.window\x00--\x004d",
		"config\x00box.test-box.timezone\x00../../etc/passwd", "config\x00\xff\xfe\x00x",
		"box\x00use\x00", "box\x00use\x00-1", "box", "run\x00extra", "sim\x00--fault\x00nope", "sim\x00--latency\x00abc",
		"sim\x00--seed\x0099999999999999999999", "serve\x00--listen", "doctor\x00--clock-probe\x00-1s",
		"--demo\x00x", "--", "--\x00book", "-", "--\x1b[2J", "-\x1b", "--debug=maybe", "--help=x",
		"__complete\x00config\x00box.", "help\x00\x1b[31m", "\x7f", "unknown\x00command",
	} {
		f.Add(seed)
	}
	fc := newFuzzCLI(f)
	f.Fuzz(func(t *testing.T, line string) {
		args := fuzzArgs(line)
		t.Setenv("XDG_STATE_HOME", t.TempDir()) // logs, per input: a long run must not fill one file
		r := fc.run(t, fc.freshDB(t), args...)
		checkOutcome(t, args, r)
		if wantUsage(args) && r.code != exitUsage {
			t.Fatalf("ahtui %q: the flags or arguments are wrong, want exit 2 (usage)\n%v", args, r)
		}
	})
}

// wantUsage reports whether cobra, before any command runs, finds the
// flags or the number of arguments wrong — which must be a usage error.
func wantUsage(args []string) bool {
	if len(args) > 0 && strings.HasPrefix(args[0], cobra.ShellCompRequestCmd) {
		return false // completion requests answer whatever they are given
	}
	root := newRootCommand(strings.NewReader(""), io.Discard, io.Discard, time.Now)
	// What Execute adds before it looks for the command.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return true
	}
	if cmd.Name() == "help" || cmd.Name() == "completion" && cmd.Parent() == root {
		return false // cobra's own: help for anything; completion shows help when not runnable
	}
	cmd.InitDefaultHelpFlag()
	if err := cmd.ParseFlags(rest); err != nil {
		return true
	}
	if help, _ := cmd.Flags().GetBool("help"); help {
		return false // help wins over wrong arguments
	}
	return cmd.ValidateArgs(cmd.Flags().Args()) != nil
}

// FuzzConfig: `ahtui config KEY VALUE` either accepts the value, and then
// `ahtui config KEY` prints its canonical form, which is accepted again
// unchanged and reads back where it is used; or rejects it as a usage error
// and leaves every setting as it was.
func FuzzConfig(f *testing.F) {
	for _, kv := range [][2]string{
		{"refresh_after", "18m"}, {"refresh_after", "1h0m0s"}, {"refresh_after", "-1s"}, {"refresh_after", "0"},
		{"refresh_before_fire", "25m"}, {"refresh_before_fire", " 25m"}, {"refresh_before_fire", "9223372036s"},
		{"language", "es"}, {"language", "EN"}, {"language", ""},
		{"family_id", " 4243 "}, {"family_id", ""}, {"password_command", "pass show aimharder"},
		{"notify_command", "printf '\\a'"}, {"notify_command", "x\x00y"}, {"notify_command", "\xff"},
		{"box.test-box.window", "2d@12:00"}, {"box.test-box.window", " 48H-wall "}, {"box.test-box.window", "0d@00:00"},
		{"box.test-box.window", "367d"}, {"box.test-box.window", "4d\x00"}, {"box.test-box.window", ""},
		{"box.test-box.window", "1d@7:05"}, {"box.private-box.window", "0004d"},
		{"box.test-box.timezone", "Atlantic/Canary"}, {"box.TEST-BOX.timezone", "UTC"}, {"box.test-box.timezone", "Local"},
		{"box.test-box.timezone", "../../etc/passwd"}, {"box.private-box.timezone", ""}, {"box.test-box.timezone", " Europe/Madrid "},
		{"box.nobox.window", "4d"}, {"box..window", "4d"}, {"box.test-box.colour", "red"}, {"box.test-box.", "x"},
		{"current_box", "502"}, {"unknown", "x"}, {"", ""}, {"-h", "x"}, {"refresh_after", "\x1b[2J"},
	} {
		f.Add(kv[0], kv[1])
	}
	fc := newFuzzCLI(f)
	// One database for the whole run: settings accumulate, which is fine,
	// since each input compares before and after itself.
	db := filepath.Join(f.TempDir(), "config", "ahtui.db")
	if err := copyDB(fc.template, db); err != nil {
		f.Fatal(err)
	}
	store, err := session.Open(f.Context(), db, session.WithClock(fc.clock.Now))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })

	f.Fuzz(func(t *testing.T, key, value string) {
		ctx := t.Context()
		snapshot := func() string {
			settings, err := store.Settings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			boxes, err := store.Boxes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, k := range slices.Sorted(maps.Keys(settings)) {
				b.WriteString(k + "=" + settings[k] + "\n")
			}
			for _, x := range boxes {
				// updated_at is not compared: only values.
				b.WriteString(x.Subdomain + " " + x.Timezone + " " + strconv.FormatBool(x.TimezoneSetByMember) + " " + x.MemberWindow + " " + x.LearnedWindow + "\n")
			}
			return b.String()
		}
		// `--` so that a value starting with '-' is a value (the member
		// would need it too); cobra's handling of flags is FuzzCommandLine's.
		set := func(v string) result { return fc.run(t, db, "config", "--", key, v) }
		get := func() result { return fc.run(t, db, "config", "--", key) }

		before := snapshot()
		r := set(value)
		checkOutcome(t, []string{"config", key, value}, r)
		if r.code != exitOK {
			if r.code != exitUsage {
				t.Fatalf("config %q %q: a rejected value must be a usage error (2)\n%v", key, value, r)
			}
			if after := snapshot(); after != before {
				t.Fatalf("config %q %q was rejected but changed the settings:\nbefore:\n%s\nafter:\n%s", key, value, before, after)
			}
			return
		}
		g := get()
		if g.code != exitOK {
			t.Fatalf("config %q %q was accepted, but reading it back fails\n%v", key, value, g)
		}
		canonical, ok := strings.CutSuffix(g.stdout, "\n")
		if !ok {
			t.Fatalf("config %q: output %q does not end in a newline", key, g.stdout)
		}
		if want, known := expectedCanonical(t, store, key, value); known && canonical != want {
			t.Fatalf("config %q %q reads back %q, want %q", key, value, canonical, want)
		}
		checkReadable(t, store, key, canonical)

		// The canonical form is accepted again and stays as it is.
		if r := set(canonical); r.code != exitOK {
			t.Fatalf("config %q %q: its canonical form %q is refused\n%v", key, value, canonical, r)
		}
		if again := get(); again.stdout != g.stdout {
			t.Fatalf("config %q: canonical %q reads back %q", key, canonical, again.stdout)
		}
	})
}

// expectedCanonical is what `config KEY` must print after `config KEY
// value` was accepted; known is false when it depends on more than value.
func expectedCanonical(t *testing.T, store *session.Store, key, value string) (string, bool) {
	t.Helper()
	if key == session.SettingFamilyID {
		// A name or id, stored as the id: with no member named (as here)
		// only a bare id is accepted, trimmed.
		return strings.TrimSpace(value), true
	}
	sub, field, isBox := boxSetting(key)
	if !isBox {
		return value, true
	}
	trimmed := strings.TrimSpace(value)
	switch field {
	case "timezone":
		if trimmed == "" {
			return session.DefaultTimezone, true
		}
		return trimmed, true
	case "window":
		if trimmed == "" {
			b, err := store.BoxBySubdomain(t.Context(), sub)
			if err != nil {
				t.Fatal(err)
			}
			return b.LearnedWindow, true // the member's rule is gone
		}
		rule, err := aimharder.ParseRule(value)
		if err != nil {
			t.Fatalf("window %q accepted, but ParseRule refuses it: %v", value, err)
		}
		return rule.String(), true
	}
	return "", false
}

// checkReadable asserts that the part of ahtui that uses the setting reads
// the stored value.
func checkReadable(t *testing.T, store *session.Store, key, canonical string) {
	t.Helper()
	ctx := t.Context()
	if _, field, isBox := boxSetting(key); isBox {
		switch field {
		case "timezone":
			loc, err := time.LoadLocation(canonical)
			if err != nil {
				t.Fatalf("box timezone %q does not load: %v", canonical, err)
			}
			if loc == time.Local {
				t.Fatalf("box timezone %q is the machine's zone, not the box's", canonical)
			}
		case "window":
			if canonical == "" {
				return
			}
			rule, err := aimharder.ParseRule(canonical)
			if err != nil || rule.String() != canonical {
				t.Fatalf("window %q does not parse back: %v, %q", canonical, err, rule.String())
			}
		}
		return
	}
	switch key {
	case session.SettingRefreshAfter, session.SettingRefreshBeforeFire:
		th, err := store.Thresholds(ctx)
		if err != nil {
			t.Fatalf("%s = %q accepted, but the scheduler cannot read it: %v", key, canonical, err)
		}
		if canonical == "" {
			return
		}
		d, err := time.ParseDuration(canonical)
		if err != nil {
			t.Fatal(err)
		}
		got := th.RefreshAfter
		if key == session.SettingRefreshBeforeFire {
			got = th.RefreshBeforeFire
		}
		if got != d {
			t.Fatalf("%s = %q reads as %v", key, canonical, got)
		}
	case session.SettingFamilyID:
		if id, err := store.FamilyID(ctx); err != nil || id != strings.TrimSpace(canonical) {
			t.Fatalf("family_id %q reads as %q, %v", canonical, id, err)
		}
	}
}

// copyDB copies a closed database (and its WAL, if one was left) to a new path.
func copyDB(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func TestEscapeControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain words\nsecond line": "plain words\nsecond line",
		"clear \x1b[2J screen":     `clear \x1b[2J screen`,
		"tab\there":                `tab\there`,
		"abc\u202egnp.exe":         `abc\u202egnp.exe`,
		"isolate \u2067x\u2069":    `isolate \u2067x\u2069`,
		"día 7:00 ✓":               "día 7:00 ✓",
	} {
		if got := escapeControls(in); got != want {
			t.Errorf("escapeControls(%q) = %q, want %q", in, got, want)
		}
	}
}
