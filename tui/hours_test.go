package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// The detail's opening info says which counting an hours rule assumes, in
// the member's language; and across the October change the two countings
// open the same class an hour apart on the clock.
func TestDetailSaysWhichHoursCounting(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		rule string
		want string
	}{
		{i18n.EN, "48h", "48 h, counting elapsed hours"},
		{i18n.EN, "48h-wall", "48 h, counting clock hours"},
		{i18n.ES, "48h", "48 h, contando horas transcurridas"},
		{i18n.ES, "48h-wall", "48 h, contando horas de reloj"},
	} {
		e := newEnv(t, 160, 50, tc.lang)
		if strings.Contains(ansi.Strip(e.m.detail.View()), " h, ") {
			t.Fatalf("a 2d box speaks of hours:\n%s", ansi.Strip(e.m.detail.View()))
		}
		e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = tc.rule })
		e.send(tickMsg(e.now))
		e.selectClass(func(c account.ClassView) bool { return c.Start.After(e.now) })
		// The detail wraps long values: compare with the line breaks and
		// the frame's padding taken out.
		flat := strings.Join(strings.Fields(ansi.Strip(e.m.detail.View())), " ")
		if !strings.Contains(flat, tc.want) {
			t.Errorf("%s %s: the detail lacks %q:\n%s", tc.lang, tc.rule, tc.want, ansi.Strip(e.m.detail.View()))
		}
	}

	e := newEnv(t, 160, 50, i18n.EN)
	class := account.ClassView{Class: aimharder.Class{ID: 1, Name: "WOD",
		Date: aimharder.Date{Year: 2026, Month: 10, Day: 26}, Start: time.Date(2026, 10, 26, 9, 0, 0, 0, madrid)}}
	opening := func(rule string) time.Time {
		e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = rule })
		e.send(tickMsg(e.now))
		return e.m.reclass(class).OpensAt
	}
	elapsed, wall := opening("48h"), opening("48h-wall")
	if elapsed.In(madrid).Hour() != 10 || wall.In(madrid).Hour() != 9 || elapsed.Sub(wall) != time.Hour {
		t.Errorf("Monday 26 October 09:00 opens at %v under 48h and %v under 48h-wall, want 10:00 and 09:00 on Saturday", elapsed.In(madrid), wall.In(madrid))
	}
}
