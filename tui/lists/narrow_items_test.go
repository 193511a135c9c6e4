package lists

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// TestNarrowPrebookingsShowWhenTheyFire: below the full table's width a
// pending prebooking keeps its fire time, as a wait ("in 16h 14m", never a
// time of day), and a finished one says its status there.
func TestNarrowPrebookingsShowWhenTheyFire(t *testing.T) {
	th := theme.New(nil, theme.Options{NoColor: true})
	now := time.Date(2026, 11, 23, 17, 46, 0, 0, time.UTC)
	start := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	day := aimharder.DateOf(start)
	list := []session.Prebooking{
		{ID: 1, ClassName: "HYROX", Day: day, ClassStart: start, OpensAt: now.Add(16*time.Hour + 14*time.Minute), Status: session.PrebookPending},
		{ID: 2, ClassName: "WOD", Day: day, ClassStart: start, OpensAt: now.Add(-time.Hour), Status: session.PrebookFailed},
	}
	for _, tc := range []struct {
		lang           i18n.Lang
		pending, final string
	}{
		{i18n.EN, "in 16h 14m", "failed"},
		{i18n.ES, "en 16h 14m", "fallida"},
	} {
		tx := i18n.For(tc.lang)
		for _, width := range []int{38, 48, 58} {
			items := PrebookingItems(th, tx, list, nil, 0, now, width, nil)
			header := PrebookingHeader(tx, width)
			if ansi.StringWidth(header) > width || !strings.Contains(header, tx.PrebookColumns[3]) {
				t.Errorf("%s %d: header %q", tc.lang, width, header)
			}
			pending, final := ansi.Strip(items[0].Lines[0]), ansi.Strip(items[1].Lines[0])
			if !strings.Contains(pending, tc.pending) || !strings.Contains(pending, "10:00 HYROX") || ansi.StringWidth(pending) > width {
				t.Errorf("%s %d: pending row %q; want %q", tc.lang, width, pending, tc.pending)
			}
			if !strings.Contains(final, tc.final) || ansi.StringWidth(final) > width {
				t.Errorf("%s %d: finished row %q; want %q", tc.lang, width, final, tc.final)
			}
		}
	}
	// From the full table's width on, the status and outcome columns return.
	if row := ansi.Strip(PrebookingItems(th, i18n.For(i18n.EN), list, nil, 0, now, 100, nil)[0].Lines[0]); !strings.Contains(row, "pending") {
		t.Errorf("wide row %q", row)
	}
}
