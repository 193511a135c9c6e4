package aimharder

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// The minority answer shapes of docs/protocol.md §10B, at the decoders.

func TestBookAnswerWithoutState(t *testing.T) {
	tests := []struct {
		name, body, want string
		sentinel         error
	}{
		{"html reason", `{"clasesContratadas":"WOD","errorMssg":"<p>Has alcanzado el <b>n&uacute;mero m&aacute;ximo</b> de reservas.<br>Consulta</p>"}`,
			"Has alcanzado el número máximo de reservas. Consulta", ErrRefused},
		{"plain reason", `{"errorMssg":"Tienes una penalización hasta el lunes"}`, "Tienes una penalización hasta el lunes", ErrRefused},
		{"too-early words", `{"errorMssg":"No puedes reservar clases con más de 4 días de antelación"}`,
			"No puedes reservar clases con más de 4 días de antelación", ErrTooEarly},
		{"same-hour words", `{"errorMssg":"No puedes hacer más de una reserva a la misma hora"}`,
			"No puedes hacer más de una reserva a la misma hora", ErrAlreadyBooked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBookAnswer([]byte(tt.body))
			var be *BookingError
			if !errors.As(err, &be) || !be.NoState || be.Message != tt.want || !errors.Is(err, ErrRefused) || !errors.Is(err, tt.sentinel) {
				t.Fatalf("%v (%+v), want a no-state refusal %q matching %v", err, be, tt.want, tt.sentinel)
			}
			if Ambiguous(err) || errors.Is(err, ErrProtocol) || be.Bare() {
				t.Errorf("%v is ambiguous, unreadable or bare", err)
			}
			if !strings.Contains(err.Error(), "no bookState") {
				t.Errorf("error %q does not say the state was missing", err)
			}
		})
	}
	// Without a reason it is still an answer nobody can read.
	for _, body := range []string{`{"clasesContratadas":"WOD"}`, `{"errorMssg":"  <br> "}`} {
		if _, err := decodeBookAnswer([]byte(body)); !errors.Is(err, ErrProtocol) || !Ambiguous(err) {
			t.Errorf("%s: %v, want an unreadable (ambiguous) answer", body, err)
		}
	}
}

func TestCancelAnswerWithoutState(t *testing.T) {
	err := decodeCancelAnswer([]byte(`{"errorMssg":"<div>No se puede cancelar: penalizaci&oacute;n</div>"}`))
	var ce *CancelError
	if !errors.As(err, &ce) || !ce.NoState || ce.Message != "No se puede cancelar: penalización" ||
		!errors.Is(err, ErrRefused) || errors.Is(err, ErrLateCancel) || Ambiguous(err) {
		t.Fatalf("%v, want a no-state cancel refusal", err)
	}
	if err := decodeCancelAnswer([]byte(`{}`)); !errors.Is(err, ErrProtocol) {
		t.Errorf("{}: %v, want unreadable", err)
	}
}

func TestRuleRefusalWithoutKey(t *testing.T) {
	tests := []struct {
		msg      string
		sentinel error
		window   string // "" when not too early or unknown
	}{
		{"No puedes reservar clases con más de 4 días de antelación", ErrTooEarly, "4d"},
		{"No pots reservar classes amb més de 3 dies d’antelació", ErrTooEarly, "3d"},
		{"You can't book classes with more than 48 hours in advance", ErrTooEarly, "48h"},
		{"No puedes hacer más de una reserva a la misma hora", ErrAlreadyBooked, ""},
		{"No pots fer més d'una reserva a la mateixa hora", ErrAlreadyBooked, ""},
		{"You can't make more than one booking at the same time", ErrAlreadyBooked, ""},
		// The minimum notice is not the window: no "more than".
		{"No puedes reservar con menos de 2 horas de antelación", nil, ""},
		{"Clase no encontrada", nil, ""},
	}
	for _, tt := range tests {
		body := `{"bookState":-12,"errorMssg":"` + tt.msg + `"}`
		_, err := decodeBookAnswer([]byte(body))
		var be *BookingError
		if !errors.As(err, &be) || !errors.Is(err, ErrRefused) {
			t.Fatalf("%q: %v", tt.msg, err)
		}
		for _, s := range []error{ErrTooEarly, ErrAlreadyBooked} {
			if errors.Is(err, s) != (s == tt.sentinel) {
				t.Errorf("%q: matches %v = %v", tt.msg, s, errors.Is(err, s))
			}
		}
		if tt.window != "" && (be.TooEarly == nil || !be.TooEarly.WindowKnown || be.TooEarly.Window.String() != tt.window) {
			t.Errorf("%q: too early %+v, want window %s", tt.msg, be.TooEarly, tt.window)
		}
		if be.Bare() != (tt.sentinel == nil) {
			t.Errorf("%q: Bare() = %v", tt.msg, be.Bare())
		}
	}
	_, err := decodeBookAnswer([]byte(`{"bookState":-12}`))
	var be *BookingError
	if !errors.As(err, &be) || !be.Bare() || errors.Is(err, ErrTooEarly) {
		t.Errorf("bare −12: %v", err)
	}
	// A known key still decides, whatever the words.
	_, err = decodeBookAnswer([]byte(`{"bookState":-12,"errorMssgLang":"ERROR_CLASE_NO_ENCONTRADA","errorMssg":"misma hora"}`))
	if !errors.As(err, &be) || be.Bare() || errors.Is(err, ErrAlreadyBooked) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestDayRowTimesWithoutRange(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	at := func(h, m int) time.Time { return time.Date(2026, 10, 27, h, m, 0, 0, madrid) }
	tests := []struct {
		name       string
		fields     string
		start, end time.Time
	}{
		{"timeid without a leading zero", `,"time":null,"timeid":"900_60"`, at(9, 0), at(10, 0)},
		{"timeid at midnight", `,"time":null,"timeid":"0_45"`, at(0, 0), at(0, 45)},
		{"timeid at half past midnight", `,"time":null,"timeid":"30_60"`, at(0, 30), at(1, 30)},
		{"start only and classLength", `,"time":"09:00","classLength":60`, at(9, 0), at(10, 0)},
		{"start only and the timeid length", `,"time":"7:30","timeid":"0730_90"`, at(7, 30), at(9, 0)},
		{"start only, no length", `,"time":"18:00"`, at(18, 0), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := decodeOne(t, row(tt.fields))
			if !c.Start.Equal(tt.start) || !c.End.Equal(tt.end) {
				t.Errorf("%v–%v, want %v–%v", c.Start, c.End, tt.start, tt.end)
			}
		})
	}
}

// A row skipped is logged with its why, never dropped silently.
func TestDayLogsSkippedRows(t *testing.T) {
	f := newFake(t)
	f.handle("/b/sample/api/bookings", replyFunc(`{"bookings":[{"id":7,"className":"WOD","time":"later","timeid":"x"},
		{"id":8,"time":"08:00 - 09:00"}]}`))
	var logged bytes.Buffer
	c := f.client(func(cfg *Config) { cfg.Logger = slog.New(slog.NewTextHandler(&logged, nil)) })
	d, _, err := c.Day(context.Background(), testCreds(), BoxRef{ID: 10122, Subdomain: "sample"}, Date{2026, 10, 27}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Classes) != 1 || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], `class 7 (WOD) has no readable start time (time "later", timeid "x")`) {
		t.Fatalf("classes %+v, warnings %q", d.Classes, d.Warnings)
	}
	if out := logged.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "class row skipped") ||
		!strings.Contains(out, "class 7 (WOD)") {
		t.Errorf("log %q does not say which row was skipped and why", out)
	}
}
