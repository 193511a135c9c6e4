package aimharder

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/. Run one target with e.g.
//
//	go test ./aimharder -run '^$' -fuzz '^FuzzDecodeDay$' -fuzztime 20s

// FuzzDecodeDay: any body gives a Day or a typed error, never a panic, and
// every class kept is usable.
func FuzzDecodeDay(f *testing.F) {
	f.Add([]byte(dayBody))
	madrid := mustLoad(f, "Europe/Madrid")
	f.Fuzz(func(t *testing.T, body []byte) {
		checked, err := checkAPIBody("bookings", body)
		if err != nil {
			assertTypedError(t, err)
			return
		}
		day, err := decodeDay(checked, Date{2026, 10, 25}, madrid)
		if err != nil {
			assertTypedError(t, err)
			return
		}
		for _, c := range day.Classes {
			if c.ID <= 0 || c.Start.IsZero() || c.Start.Location() != madrid {
				t.Fatalf("unusable class kept: %+v", c)
			}
			if !c.End.IsZero() && c.End.Before(c.Start) {
				t.Fatalf("class ends before it starts: %+v", c)
			}
			if c.Occupancy < 0 || c.Capacity < 0 || c.Waitlist < 0 {
				t.Fatalf("negative counts: %+v", c)
			}
			if c.Attendees != nil && c.State == StateNone && c.ReservationID == 0 && !day.MemberData {
				t.Fatalf("attendees without MemberData")
			}
		}
	})
}

// FuzzDecodeBookAnswer: any body gives a result or a typed error; a
// refusal always matches ErrRefused, and a known too-early window is valid.
func FuzzDecodeBookAnswer(f *testing.F) {
	f.Add([]byte(`{"bookState":1,"id":"106015104"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checked, err := checkAPIBody("book", body)
		if err != nil {
			assertTypedError(t, err)
			return
		}
		res, err := decodeBookAnswer(checked)
		if err == nil {
			if res.State != StateBooked && res.State != StateWaitlisted {
				t.Fatalf("success with state %v", res.State)
			}
			return
		}
		assertTypedError(t, err)
		var be *BookingError
		if errors.As(err, &be) {
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("a refusal that is not ErrRefused: %v", err)
			}
			if be.TooEarly != nil && be.TooEarly.WindowKnown && !be.TooEarly.Window.Valid() {
				t.Fatalf("invalid window %+v", be.TooEarly.Window)
			}
			// docs/protocol.md §10B: a refusal without bookState always has
			// AimHarder's words; a bare −12 is never read as too early.
			if be.NoState && (be.Message == "" || be.Bare()) {
				t.Fatalf("a no-state refusal without its reason: %+v", be)
			}
			if be.Bare() && (errors.Is(err, ErrTooEarly) || errors.Is(err, ErrAlreadyBooked)) {
				t.Fatalf("a bare −12 with a meaning: %v", err)
			}
			_ = be.Error()
		}
	})
}

// FuzzDecodeCancelAnswer: any body gives nil or a typed error; a refusal
// without cancelState keeps its reason (docs/protocol.md §10B).
func FuzzDecodeCancelAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"cancelState":1}`, `{"cancelState":2,"errorMssg":"Si cancelas ahora perderás la sesión"}`, `{"cancelState":"3"}`,
		`{"errorMssg":"<div class=\"alert\">No se puede cancelar: penalizaci&oacute;n</div>"}`, `{}`, `{"logout":1}`,
		`{"cancelState":null,"errorMssg":"  "}`, `{"cancelState":1`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checked, err := checkAPIBody("cancelBook", body)
		if err != nil {
			assertTypedError(t, err)
			return
		}
		err = decodeCancelAnswer(checked)
		if err == nil {
			return
		}
		var ce *CancelError
		if errors.As(err, &ce) {
			if errors.Is(err, ErrRefused) == errors.Is(err, ErrLateCancel) {
				t.Fatalf("a cancel answer both or neither refused and late: %v", err)
			}
			if ce.NoState && strings.TrimSpace(ce.Message) == "" {
				t.Fatalf("a no-state cancel refusal without its reason: %+v", ce)
			}
			_ = ce.Error()
			return
		}
		assertTypedError(t, err)
	})
}

// FuzzTooEarlyWindow: a known window is a valid rule that round-trips.
func FuzzTooEarlyWindow(f *testing.F) {
	f.Add(KeyTooEarlyDays, "No puedes reservar clases con más de 4 días de antelación")
	f.Fuzz(func(t *testing.T, key, message string) {
		window, ok := tooEarlyWindow(key, message)
		if !ok {
			if window != (Rule{}) {
				t.Fatalf("unknown window but rule %+v", window)
			}
			return
		}
		if window.Kind != RuleSlidingDays && window.Kind != RuleSlidingHours {
			t.Fatalf("a message gave a %v rule", window.Kind)
		}
		if again, err := ParseRule(window.String()); err != nil || again != window {
			t.Fatalf("window %+v does not round-trip: %v", window, err)
		}
		_ = newTooEarly(key, message).Error()
	})
}

// FuzzParseRule: a parsed rule is valid, round-trips through String, and
// OpensAt never panics and is not after the class.
func FuzzParseRule(f *testing.F) {
	f.Add("2d@12:00")
	madrid := mustLoad(f, "Europe/Madrid")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			if r != (Rule{}) {
				t.Fatalf("error with a rule: %+v", r)
			}
			return
		}
		if !r.Valid() {
			t.Fatalf("ParseRule(%q) gave an invalid rule %+v", s, r)
		}
		again, err := ParseRule(r.String())
		if err != nil || again != r {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, r, r.String(), again, err)
		}
		class := time.Date(2026, 10, 27, 19, 0, 0, 0, madrid)
		if opens := r.OpeningIn(madrid, class); opens.After(class) && !(r.Kind == RuleFixedHour && r.Days == 0) {
			t.Fatalf("%s opens after the class: %v", s, opens)
		}
	})
}

func assertTypedError(t *testing.T, err error) {
	t.Helper()
	var (
		pe *ProtocolError
		le *LoggedOutError
		be *BookingError
		ue *UnexpectedAnswerError
	)
	if !errors.As(err, &pe) && !errors.As(err, &le) && !errors.As(err, &be) && !errors.As(err, &ue) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	_ = err.Error()
}
