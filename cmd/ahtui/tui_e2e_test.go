package main

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tmuxTUI drives `ahtui --demo` in a real terminal, as a person would:
// keys in with send-keys, the screen out with capture-pane. The test
// binary plays ahtui (see TestMain).
type tmuxTUI struct {
	t    *testing.T
	tmux string
	sock string
}

const e2eSession = "ahtui-e2e"

func startDemoInTmux(t *testing.T, width, height int, opensIn string) *tmuxTUI {
	t.Helper()
	dir := t.TempDir()
	args, _ := json.Marshal([]string{"--demo", "--db", filepath.Join(dir, "demo.db")})
	return startInTmux(t, width, height, map[string]string{
		childArgsEnv:     string(args),
		demoOpensInEnv:   opensIn,
		"XDG_STATE_HOME": filepath.Join(dir, "state"),
	})
}

// startInTmux runs the test binary as ahtui (env says how: childArgsEnv
// or asAhtuiEnv) in a new tmux session of width×height, in a UTF-8
// terminal without NO_COLOR; the pane stays after it exits.
func startInTmux(t *testing.T, width, height int, env map[string]string, args ...string) *tmuxTUI {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed: this end-to-end test drives ahtui in it (CI installs it; locally: apt-get install tmux)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full := map[string]string{
		"LANG":        "C.UTF-8",
		"LC_ALL":      "",
		"LC_MESSAGES": "",
		"NO_COLOR":    "",
		"TERM":        "xterm-256color",
	}
	maps.Copy(full, env)
	var cmdline strings.Builder
	cmdline.WriteString("env")
	for k, v := range full {
		cmdline.WriteString(" " + k + "=" + shellQuote(v))
	}
	cmdline.WriteString(" " + shellQuote(exe))
	for _, a := range args {
		cmdline.WriteString(" " + shellQuote(a))
	}
	tt := &tmuxTUI{t: t, tmux: tmux, sock: filepath.Join(dir, "tmux.sock")}
	tt.run("-u", "new-session", "-d", "-s", e2eSession, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), cmdline.String())
	tt.run("set-option", "-t", e2eSession, "remain-on-exit", "on")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last screen:\n%s", tt.screen())
		}
		exec.Command(tt.tmux, "-S", tt.sock, "kill-server").Run() //nolint:errcheck // best effort
	})
	return tt
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (tt *tmuxTUI) run(args ...string) string {
	tt.t.Helper()
	cmd := exec.Command(tt.tmux, append([]string{"-S", tt.sock}, args...)...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tt.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys types keys: tmux key names ("Enter", "Escape") or text. Each key is
// its own send-keys so an Escape is never read as Alt+key.
func (tt *tmuxTUI) keys(keys ...string) {
	tt.t.Helper()
	for _, k := range keys {
		tt.run("send-keys", "-t", e2eSession, k)
		time.Sleep(60 * time.Millisecond)
	}
}

func (tt *tmuxTUI) screen() string { return tt.capture() }

// capture returns the screen, preceded by the lines scrolled off its top
// when history is set (what a program printed after leaving the
// alternate screen may already have scrolled away).
func (tt *tmuxTUI) capture(history ...bool) string {
	args := []string{"-S", tt.sock, "capture-pane", "-p", "-t", e2eSession}
	if len(history) > 0 && history[0] {
		args = append(args, "-S", "-")
	}
	out, _ := exec.Command(tt.tmux, args...).Output()
	return string(out)
}

// waitFor polls the screen until cond holds; the limit only bounds a hung
// test (no timing is asserted).
func (tt *tmuxTUI) waitFor(what string, limit time.Duration, cond func(string) bool) string {
	tt.t.Helper()
	return tt.poll(what, limit, false, cond)
}

// waitForOutput is waitFor on the screen and its scrollback: for what a
// program prints once its TUI has ended.
func (tt *tmuxTUI) waitForOutput(what string, limit time.Duration, cond func(string) bool) string {
	tt.t.Helper()
	return tt.poll(what, limit, true, cond)
}

func (tt *tmuxTUI) poll(what string, limit time.Duration, history bool, cond func(string) bool) string {
	tt.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := tt.capture(history)
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("waited %s for %s; the screen:\n%s", limit, what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tt *tmuxTUI) waitForText(limit time.Duration, subs ...string) string {
	tt.t.Helper()
	return tt.waitFor(strings.Join(subs, " + "), limit, func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	})
}

var (
	dayHeader  = regexp.MustCompile(`(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}`)
	attendees  = regexp.MustCompile(`Attendees \((\d+)\)`)
	detailWhen = regexp.MustCompile(`(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} · \d\d:\d\d–\d\d:\d\d`)
	// The cursor's cell: its first line, with the booked marker.
	cursorBooked = regexp.MustCompile(`▌\d\d:\d\d-\d\d:\d\d\s+✓`)
)

// selection names the class under the cursor, from the detail pane.
func selection(screen string) string { return detailWhen.FindString(screen) }

// TestDemoInTmux is the whole product as a member meets it: `ahtui --demo`
// in a 160×48 terminal. Seven day columns appear; a prebooking on a class
// whose booking opens within the minute fires and shows its outcome; the
// detail of a class lists its attendees; booking marks the class.
func TestDemoInTmux(t *testing.T) {
	begin := time.Now()
	tt := startDemoInTmux(t, 160, 48, "12s")
	defer func() { t.Logf("took %s", time.Since(begin).Round(time.Millisecond)) }()

	// Seven day columns.
	s := tt.waitFor("seven day columns", 30*time.Second, func(s string) bool {
		return len(dayHeader.FindAllString(firstLines(s, 3), -1)) == 7
	})
	if !strings.Contains(s, "DEMO") || !strings.Contains(s, "CrossFit Demo Madrid") {
		t.Fatalf("not the demo gym:\n%s", s)
	}

	t.Logf("%s: seven columns", time.Since(begin).Round(time.Millisecond))
	// The class opening soonest, prebooked: it opens 12 s after launch.
	tt.keys("o")
	s = tt.waitForText(10*time.Second, "○ not open", "opens in") // a countdown: "opens in 12s"
	prebooked := selection(s)
	tt.keys("p")
	// The demo names a family member: p asks for whom (the holder first).
	tt.waitForText(10*time.Second, "For: ◂ account holder ▸")
	tt.keys("y")
	tt.waitForText(10*time.Second, "Prebooked", "⚑ prebooked")

	t.Logf("%s: prebooked %s", time.Since(begin).Round(time.Millisecond), prebooked)
	// The scheduler fires it at the opening; the outcome shows.
	s = tt.waitFor("the prebooking's outcome", 45*time.Second, func(s string) bool {
		return strings.Contains(s, "Prebooking fired:") || strings.Contains(s, "Prebooking for ")
	})
	if !strings.Contains(s, "Prebooking fired:") || !strings.Contains(s, "booked") {
		t.Fatalf("the prebooking did not book the class:\n%s", s)
	}
	if selection(s) != prebooked {
		t.Fatalf("the cursor left the prebooked class (%q, was %q)", selection(s), prebooked)
	}
	tt.waitFor("the prebooked class marked booked", 10*time.Second, func(s string) bool {
		return cursorBooked.MatchString(s) && strings.Contains(s, "✓ booked")
	})
	t.Logf("%s: fired", time.Since(begin).Round(time.Millisecond))
	// The prebookings view has the outcome too.
	tt.keys("P")
	tt.waitForText(10*time.Second, "Prebookings", "✓ booked")
	tt.keys("Escape")

	// The detail lists the attendees of a class (the box shares them):
	// walk today's and the coming days' classes until one has people.
	tt.keys("t")
	found := false
	for range 40 {
		s = tt.screen()
		if m := attendees.FindStringSubmatch(s); m != nil && m[1] != "0" && strings.Contains(s, "  1 ") {
			found = true
			break
		}
		tt.step()
	}
	if !found {
		t.Fatalf("no class listed attendees:\n%s", s)
	}

	// Book: from today's next class on, the first one that takes a booking.
	tt.keys("t")
	booked := false
	for range 40 {
		tt.keys("Escape") // no toast, no dialog: the next one is this b's answer
		tt.waitFor("a clear footer", 5*time.Second, func(s string) bool { return toastLine(s) == "" })
		tt.keys("b")
		s = tt.waitFor("an answer to b", 15*time.Second, func(s string) bool {
			return toastLine(s) != "" || strings.Contains(s, "n/esc no")
		})
		switch {
		case strings.HasPrefix(toastLine(s), "✓ Booked"):
			booked = true
		case strings.Contains(s, "Not open yet"):
			t.Fatalf("reached classes not open yet without booking one:\n%s", s)
		case forWhom(s): // the demo names a family member: b asks for whom
			booked = bookForTheHolder(tt)
		case strings.Contains(s, "n/esc no"): // full, or booked already: this test does not join waitlists
			tt.keys("n")
		}
		if booked {
			break
		}
		tt.step()
	}
	if !booked {
		t.Fatalf("no class could be booked:\n%s", s)
	}
	tt.waitFor("the booked class marked", 10*time.Second, func(s string) bool {
		return cursorBooked.MatchString(s) && strings.Contains(s, "✓ booked")
	})

	tt.keys("q")
	tt.waitFor("ahtui to quit", 15*time.Second, func(s string) bool { return !strings.Contains(s, "DEMO") })
}

// step moves the cursor to the next class in time: down the day, else to
// the next day's first class, else to next week's first.
func (tt *tmuxTUI) step() {
	tt.t.Helper()
	before := selection(tt.screen())
	tt.keys("j")
	if tt.moved(before, false) {
		return
	}
	tt.keys("l", "g")
	if tt.moved(before, true) {
		return
	}
	tt.keys("]")
	tt.moved(before, true)
}

// moved waits a moment for the selection to leave before (for another
// day, when newDay).
func (tt *tmuxTUI) moved(before string, newDay bool) bool {
	day := func(sel string) string { d, _, _ := strings.Cut(sel, " · "); return d }
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		sel := selection(tt.screen())
		if sel != "" && sel != before && (!newDay || day(sel) != day(before)) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// toastLine is the footer's toast line (empty when no toast shows).
func toastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) < 2 {
		return ""
	}
	return strings.TrimSpace(lines[len(lines)-2])
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestDemoClock: with AHTUI_DEMO_OPENS_IN the demo's first special class
// opens that long after launch, whatever the time of day.
func TestDemoClock(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{
		time.Date(2026, 11, 28, 3, 11, 42, 500, madrid),
		time.Date(2026, 11, 28, 10, 0, 0, 0, madrid),
		time.Date(2026, 11, 28, 23, 47, 5, 0, madrid), // special classes this late would be left out
	} {
		clock, worldNow := demoClock(now, 12*time.Second)
		shift := time.Until(clock.Now())
		if shift > 0 || shift < -61*time.Minute {
			t.Fatalf("%s: shift %s", now, shift)
		}
		// DemoWorld's first special class opens at the whole minute two
		// minutes after worldNow: 12 s after launch on the demo's clock.
		opening := worldNow.Add(2 * time.Minute).Truncate(time.Minute)
		if got := opening.Sub(now.Add(shift)); got < 11*time.Second || got > 13*time.Second {
			t.Fatalf("%s: the class opens %s after launch, want 12s", now, got)
		}
		if l := opening.In(madrid); l.Hour() == 23 && l.Minute() >= 25 {
			t.Fatalf("%s: opening at %s is too close to midnight", now, l)
		}
	}
	if _, err := demoOpensIn("5s"); err == nil {
		t.Fatal("5s is too short to prebook in time")
	}
}

// forWhom reports whether the screen asks to book a class for someone (the
// demo names a family member) — not a waitlist, a prebooking, or a class
// booked already for someone else too.
func forWhom(s string) bool {
	return strings.Contains(s, "For: ◂") && !strings.Contains(s, "Class full") &&
		!strings.Contains(s, "Not open yet") && !strings.Contains(s, "Already booked")
}

// bookForTheHolder answers the For question for the account holder and
// reports whether the class was booked.
func bookForTheHolder(tt *tmuxTUI) bool {
	if !strings.Contains(tt.screen(), "For: ◂ account holder ▸") {
		tt.t.Fatalf("b does not start on the account holder:\n%s", tt.screen())
	}
	tt.keys("y")
	s := tt.waitFor("the booking's answer", 15*time.Second, func(s string) bool { return toastLine(s) != "" })
	return strings.HasPrefix(toastLine(s), "✓ Booked")
}
