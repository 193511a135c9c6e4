package tui

import (
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestTextTablesAreComplete: both languages fill every entry, with the same
// fmt verbs in the same order.
func TestTextTablesAreComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0]*\d*[a-zA-Z]`)
	en, es := reflect.ValueOf(*i18n.For(i18n.EN)), reflect.ValueOf(*i18n.For(i18n.ES))
	var check func(path string, a, b reflect.Value)
	check = func(path string, a, b reflect.Value) {
		switch a.Kind() {
		case reflect.String:
			if a.String() == "" || b.String() == "" {
				t.Errorf("%s is empty in a language (en %q, es %q)", path, a.String(), b.String())
			}
			if va, vb := verbs.FindAllString(a.String(), -1), verbs.FindAllString(b.String(), -1); !reflect.DeepEqual(va, vb) {
				t.Errorf("%s: verbs %v in English, %v in Spanish", path, va, vb)
			}
		case reflect.Struct:
			for i := range a.NumField() {
				check(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		case reflect.Array:
			for i := range a.Len() {
				check(path+"[]", a.Index(i), b.Index(i))
			}
		case reflect.Map:
			if a.Len() != b.Len() {
				t.Errorf("%s has %d entries in English, %d in Spanish", path, a.Len(), b.Len())
			}
			for _, k := range a.MapKeys() {
				if !b.MapIndex(k).IsValid() {
					t.Errorf("%s[%v] is missing in Spanish", path, k)
					continue
				}
				check(path+"["+k.String()+"]", a.MapIndex(k), b.MapIndex(k))
			}
		}
	}
	check("Text", en, es)
}

func TestLanguageFromSettingAndLocale(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := []struct {
		setting string
		env     func(string) string
		want    i18n.Lang
	}{
		{"", env(), i18n.EN},
		{"", env("LANG", "es_ES.UTF-8"), i18n.ES},
		{"", env("LANG", "es_MX"), i18n.ES},
		{"", env("LC_ALL", "C", "LANG", "es_ES.UTF-8"), i18n.EN}, // LC_ALL wins
		{"", env("LC_MESSAGES", "es_ES.UTF-8", "LANG", "en_GB.UTF-8"), i18n.ES},
		{"", env("LANG", "fr_FR.UTF-8"), i18n.EN},
		{"en", env("LANG", "es_ES.UTF-8"), i18n.EN}, // the setting wins
		{"es", env("LC_ALL", "en_US.UTF-8"), i18n.ES},
		{"klingon", env("LANG", "es_ES.UTF-8"), i18n.ES},
	}
	for _, c := range cases {
		if got := i18n.Detect(c.setting, c.env); got != c.want {
			t.Errorf("Detect(%q, …) = %s, want %s", c.setting, got, c.want)
		}
	}
}

func TestDatesInBothLanguages(t *testing.T) {
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 28}
	en, es := i18n.For(i18n.EN), i18n.For(i18n.ES)
	for _, c := range []struct{ got, want string }{
		{en.ShortDate(d), "Sat 28 Nov"},
		{es.ShortDate(d), "sáb 28 nov"},
		{en.LongDate(d), "Saturday 28 November 2026"},
		{es.LongDate(d), "sábado 28 de noviembre de 2026"},
		{en.WeekRange(aimharder.Date{Year: 2026, Month: time.November, Day: 30}), "30 Nov – 6 Dec 2026"},
		{es.WeekRange(aimharder.Date{Year: 2026, Month: time.December, Day: 28}), "28 dic 2026 – 3 ene 2027"},
		{es.WeekRange(aimharder.Date{Year: 2026, Month: time.November, Day: 23}), "23–29 nov 2026"},
		// Countdowns are waits, never times of day.
		{i18n.Countdown(2*24*time.Hour + 3*time.Hour + 14*time.Minute + 20*time.Second), "2d 3h"},
		{i18n.Countdown(2 * 24 * time.Hour), "2d"},
		{i18n.Countdown(16*time.Hour + 14*time.Minute + 5*time.Second), "16h 14m"},
		{i18n.Countdown(41*time.Minute + 7*time.Second), "41m 7s"},
		{i18n.Countdown(time.Minute + 48*time.Second), "1m 48s"},
		{i18n.Countdown(300 * time.Millisecond), "1s"},
		{i18n.Countdown(-time.Second), "0s"},
		{en.In(16*time.Hour + 14*time.Minute), "in 16h 14m"},
		{es.In(16*time.Hour + 14*time.Minute), "en 16h 14m"},
		{en.In(time.Minute + 48*time.Second), "in 1m 48s"},
		// A cell's countdown: words while they fit, then the state's marker.
		{en.WaitFit(en.OpensIn, "○", time.Minute+25*time.Second, 15), "opens in 1m 25s"},
		{en.WaitFit(en.OpensIn, "○", time.Minute+25*time.Second, 12), "opens 1m 25s"},
		{es.WaitFit(es.OpensIn, "○", time.Minute+25*time.Second, 11), "abre 1m 25s"},
		{en.WaitFit(en.OpensIn, "○", time.Minute+25*time.Second, 9), "○ 1m 25s"},
		{en.WaitFit(en.FiresIn, "⚑", 16*time.Hour+14*time.Minute, 9), "⚑ 16h 14m"},
		{en.WaitFit(en.OpensIn, "○", time.Minute+48*time.Second, 6), "○ 2m"},
		{en.WaitFit(en.OpensIn, "○", 3*24*time.Hour+time.Hour, 3), "4d"},
		{i18n.Unit(42 * time.Second), "42s"},
		{i18n.Offset(-3 * time.Millisecond), "+0.00s"},
		{i18n.Offset(-1500 * time.Millisecond), "-1.50s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestNoColorKeepsAttributesAndMarkers: NO_COLOR drops every colour but
// keeps reverse and bold, and each state still has its marker.
func TestNoColorKeepsAttributesAndMarkers(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	e := newEnvWith(t, 160, 48, Config{Lang: i18n.EN, Renderer: r, NoColor: true})
	e.pick(grid.Full)
	screen := e.screen()
	if regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;|m)`).MatchString(screen) {
		t.Fatalf("NO_COLOR output has colour codes: %q", firstLines(screen, 6))
	}
	if !strings.Contains(screen, "\x1b[7m") {
		t.Fatal("NO_COLOR output lost the reverse video of the cursor")
	}
	for _, mark := range []string{"✓", "■", "○", "·", "▌", "▸"} {
		if !strings.Contains(screen, mark) {
			t.Errorf("marker %q missing", mark)
		}
	}

	// With colour, the same screen has colours.
	c := newEnvWith(t, 160, 48, Config{Lang: i18n.EN, Renderer: r})
	if !strings.Contains(c.screen(), "38;5;") {
		t.Fatal("the colour theme has no colour")
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestHistoryKindsHaveWords: every history kind the store writes has words
// in both languages (the history view shows the raw kind otherwise).
func TestHistoryKindsHaveWords(t *testing.T) {
	kinds := []session.EventKind{session.EventLogin, session.EventLogout, session.EventSessionDead,
		session.EventSessionWarning, session.EventPrebookAdded, session.EventPrebookRemoved, session.EventPrebookOutcome}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		for _, k := range kinds {
			if tx.HistoryKinds[string(k)] == "" {
				t.Errorf("%s: no words for history kind %q", lang, k)
			}
		}
	}
}
