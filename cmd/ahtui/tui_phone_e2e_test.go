package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	// The day layout's title: "‹ Wed 9 Dec · today ›".
	phoneDayTitle = regexp.MustCompile(`‹ ((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2})`)
	// A class row of the day layout: "▌07:00  ✓ WOD   1/12 booked".
	phoneRow = regexp.MustCompile(`^[ ▌]\d\d:\d\d `)
	// The full help's line for q, inside the help box.
	helpQuit = regexp.MustCompile(`│ q +quit`)
)

// phoneDay is the day the day layout shows ("" when it is not showing).
func phoneDay(screen string) string {
	if m := phoneDayTitle.FindStringSubmatch(screen); m != nil {
		return m[1]
	}
	return ""
}

// phoneRows are the class rows of the day layout.
func phoneRows(screen string) []string {
	var rows []string
	for _, l := range strings.Split(screen, "\n") {
		if phoneRow.MatchString(l) {
			rows = append(rows, l)
		}
	}
	return rows
}

// cursorRow is the row under the cursor ("" when none shows).
func cursorRow(screen string) string {
	for _, r := range phoneRows(screen) {
		if strings.HasPrefix(r, "▌") {
			return r
		}
	}
	return ""
}

// lastLine is the screen's last line that is not blank.
func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return lines[len(lines)-1]
}

// TestDemoInTmuxPhone is a member on a phone held upright: `ahtui --demo`
// in a 50×30 terminal. The day layout shows whole class names; ←/→ change
// the day; enter opens the detail full-screen and esc goes back; the full
// help reaches "q quit"; b books an open class, b on a class not open yet
// asks to prebook it, and both are marked; shrinking the terminal to 40×20
// with the detail open and growing it back redraws the screen with one
// cursor that moves.
func TestDemoInTmuxPhone(t *testing.T) {
	begin := time.Now()
	tt := startDemoInTmux(t, 50, 30, "")
	defer func() { t.Logf("took %s", time.Since(begin).Round(time.Millisecond)) }()
	const limit = 20 * time.Second // only bounds a hung test

	// The day layout, with whole names.
	s := tt.waitFor("the day layout", 30*time.Second, func(s string) bool {
		return phoneDay(s) != "" && cursorRow(s) != "" && strings.Contains(s, "q quit")
	})
	if !strings.Contains(s, "DEMO") || !strings.Contains(s, "CrossFit Demo Madrid") {
		t.Fatalf("not the demo gym:\n%s", s)
	}
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if w := len([]rune(l)); w > 50 {
			t.Fatalf("a line is %d wide:\n%s", w, s)
		}
	}
	for _, r := range phoneRows(s) {
		if strings.Contains(r, "…") {
			t.Fatalf("a class name is cut at 50 columns: %q\n%s", r, s)
		}
	}
	today := phoneDay(s)

	// ←/→ change the day.
	tt.keys("Right")
	s = tt.waitFor("the next day", limit, func(s string) bool { d := phoneDay(s); return d != "" && d != today })
	tomorrow := phoneDay(s)
	tt.keys("Left")
	tt.waitFor("today again", limit, func(s string) bool { return phoneDay(s) == today })
	tt.keys("Right")
	tt.waitFor("the next day again", limit, func(s string) bool { return phoneDay(s) == tomorrow })

	// enter: the detail takes the whole screen; esc: back to the day.
	tt.keys("Enter")
	s = tt.waitFor("the detail", limit, func(s string) bool { return detailWhen.MatchString(s) && phoneDay(s) == "" })
	if !strings.Contains(s, "Coach") || !strings.Contains(s, "Places") {
		t.Fatalf("the detail lacks its fields:\n%s", s)
	}
	tt.keys("Escape")
	tt.waitFor("the day after esc", limit, func(s string) bool { return phoneDay(s) == tomorrow && cursorRow(s) != "" })

	// ?: the full help scrolls down to q quit.
	tt.keys("?")
	s = tt.waitForText(limit, "Keys", "?/esc close")
	for range 60 {
		if helpQuit.MatchString(s) {
			break
		}
		tt.keys("j")
		s = tt.screen()
	}
	if !helpQuit.MatchString(tt.waitFor("q quit in the full help", limit, helpQuit.MatchString)) {
		t.Fatal("unreachable")
	}
	tt.keys("Escape")
	tt.waitFor("the day after the help", limit, func(s string) bool { return phoneDay(s) == tomorrow && cursorRow(s) != "" })

	// b on the first class with free places from tomorrow on (all within
	// the demo box's 4-day window; a weekend day may be full) books it.
	row := ""
	for range 3 {
		row = tt.firstFree()
		if row != "" {
			break
		}
		before := phoneDay(tt.screen())
		tt.keys("Right")
		tt.waitFor("the next day", limit, func(s string) bool { d := phoneDay(s); return d != "" && d != before })
	}
	if row == "" {
		t.Fatalf("no class with free places in three days:\n%s", tt.screen())
	}
	tt.keys("b")
	// The demo names a family member, so b asks for whom, starting on the
	// account holder.
	tt.waitFor("the for-whom question", limit, forWhom)
	if !bookForTheHolder(tt) {
		t.Fatalf("the booking was not made:\n%s", tt.screen())
	}
	tt.waitFor("the booking marked", limit, func(s string) bool {
		r := cursorRow(s)
		return strings.HasPrefix(toastLine(s), "✓ Booked") && strings.Contains(r, "✓") && strings.HasSuffix(strings.TrimSpace(r), "booked")
	})
	t.Logf("%s: booked %q", time.Since(begin).Round(time.Millisecond), strings.TrimSpace(row))

	// o goes to the class opening next; b asks to prebook it; y does.
	tt.dismissToast(limit)
	tt.keys("o")
	tt.waitFor("a class not open yet", limit, func(s string) bool { return strings.Contains(cursorRow(s), "○") })
	tt.keys("b")
	tt.waitForText(limit, "Not open yet", "n/esc no") // the question, wrapped to the width
	tt.keys("y")
	s = tt.waitFor("the prebooking marked", limit, func(s string) bool {
		return strings.Contains(cursorRow(s), "⚑") && strings.Contains(s, "Prebooked")
	})
	prebookedDay := phoneDay(s)
	prebookedAt := cursorRow(s)[:len("▌07:00")]

	// Shrink to 40×20 with the detail open: it is redrawn at 40 columns.
	tt.dismissToast(limit)
	tt.keys("Enter")
	tt.waitFor("the detail", limit, func(s string) bool { return detailWhen.MatchString(s) && phoneDay(s) == "" })
	tt.run("resize-window", "-t", e2eSession, "-x", "40", "-y", "20")
	tt.waitFor("the detail at 40×20", limit, func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) == 20 && detailWhen.MatchString(s) && strings.Contains(lastLine(s), "q quit") &&
			strings.Contains(s, "ahtui  DEMO")
	})
	// Back to 50×30, then esc: the day, with one cursor, and j moves it
	// (the keys go to the day, not to a detail no longer shown).
	tt.run("resize-window", "-t", e2eSession, "-x", "50", "-y", "30")
	tt.waitFor("the detail at 50×30", limit, func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) == 30 && detailWhen.MatchString(s) && strings.Contains(lastLine(s), "q quit") &&
			strings.Contains(s, "CrossFit Demo Madrid")
	})
	tt.keys("Escape")
	// The cursor is still on the prebooked class (which may have fired
	// by now on a slow machine: its marker is not checked again).
	s = tt.waitFor("the day after the resizes", limit, func(s string) bool {
		return phoneDay(s) == prebookedDay && strings.HasPrefix(cursorRow(s), prebookedAt)
	})
	if n := strings.Count(s, "▌"); n != 1 {
		t.Fatalf("%d cursors after the resizes:\n%s", n, s)
	}
	before := cursorRow(s)
	key := "j"
	if rows := phoneRows(s); rows[len(rows)-1] == before {
		key = "k" // the day's last class
	}
	tt.keys(key)
	s = tt.waitFor("the cursor to move after the resizes", limit, func(s string) bool {
		return cursorRow(s) != "" && cursorRow(s) != before
	})
	if n := strings.Count(s, "▌"); n != 1 {
		t.Fatalf("%d cursors after a move:\n%s", n, s)
	}

	tt.keys("q")
	tt.waitFor("ahtui to quit or ask", limit, func(s string) bool {
		return !strings.Contains(s, "DEMO") || strings.Contains(s, "n/esc")
	})
}

// firstFree puts the cursor on the shown day's first class with free
// places and returns its row ("" when the day has none).
func (tt *tmuxTUI) firstFree() string {
	tt.t.Helper()
	tt.keys("g")
	s := tt.waitFor("the day's first class", 20*time.Second, func(s string) bool {
		rows := phoneRows(s)
		return len(rows) > 0 && cursorRow(s) == rows[0]
	})
	for {
		row := cursorRow(s)
		if strings.HasSuffix(strings.TrimSpace(row), "free") {
			return row
		}
		if rows := phoneRows(s); row == rows[len(rows)-1] {
			return ""
		}
		tt.keys("j")
		s = tt.waitFor("the cursor to move down", 20*time.Second, func(s string) bool { return cursorRow(s) != row })
	}
}

// dismissToast closes the toast with esc and waits until it is gone, so
// that the next key is not read as alt+key (an escape followed closely by
// a key is how terminals send alt).
func (tt *tmuxTUI) dismissToast(limit time.Duration) {
	tt.t.Helper()
	toast := toastLine(tt.screen())
	tt.keys("Escape")
	if toast == "" {
		return
	}
	tt.waitFor("the toast to close", limit, func(s string) bool { return toastLine(s) != toast })
}
