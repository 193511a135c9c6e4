package planform

import (
	"errors"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
)

func TestParseDay(t *testing.T) {
	today := aimharder.Date{Year: 2026, Month: 11, Day: 26}
	cases := []struct {
		in   string
		want aimharder.Date
	}{
		{"2026-12-21", aimharder.Date{Year: 2026, Month: 12, Day: 21}},
		{" 21/12 ", aimharder.Date{Year: 2026, Month: 12, Day: 21}},
		{"21-12", aimharder.Date{Year: 2026, Month: 12, Day: 21}},
		{"6/1", aimharder.Date{Year: 2027, Month: 1, Day: 6}}, // the next 6 January
		{"26/11", today},
		{"6/1/2026", aimharder.Date{Year: 2026, Month: 1, Day: 6}},
		{"29.2.28", aimharder.Date{Year: 2028, Month: 2, Day: 29}},
	}
	for _, c := range cases {
		got, err := ParseDay(c.in, today)
		if err != nil || got != c.want {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "31/02", "13/13", "tomorrow", "1/2/3/4", "2026-13-01", "0/5"} {
		if _, err := ParseDay(bad, today); !errors.Is(err, ErrBadDate) {
			t.Errorf("ParseDay(%q) = %v, want ErrBadDate", bad, err)
		}
	}
}
