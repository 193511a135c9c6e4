package aimharder

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// More fuzz targets for what the server sends (see fuzz_test.go for the
// first ones and how to run one).

// FuzzLoginAnswers: any body, read as a JSON login answer, a legacy form
// page, a setrefresh page or a whoami answer, gives a result or a typed
// error, never a panic. A login succeeds only with authOK, a user id and
// the auth cookie; a refusal names one of the three causes, is never
// retryable, and its text is plain (what the member is shown).
func FuzzLoginAnswers(f *testing.F) {
	for _, seed := range []string{
		loginOK,
		`{"data":[],"error":"Correo electrónico y/o contraseña incorrecto."}`,
		`{"error":{"message":"Has fallado demasiadas veces. Inténtalo más tarde."}}`,
		`{"data":{"auth":{"authOK":"1","refreshToken":" t "},"userData":{"id":"7","roles":null}},"message":"\u001b[2Jhola"}`,
		`{"data":{"userData":{"id":1e3},"auth":{"authOK":1}},"error":{"msg":"<b>x</b>\u0007"}}`,
		"\ufeff{\"data\":{\"userData\":[]}}",
		`<div id="loginErrors"><b>Email</b> incorrecto &amp; más &#27;[31m</div>`,
		`<html><iframe style="display:none" src="/setrefresh?token=legacy-T1&amp;fingerprint=fp-from-frame&amp;user=4242"></iframe>`,
		`<iframe src='https://aimharder.com/setrefresh?token=%20a%0A&fingerprint='>`,
		`<script>localStorage.setItem("refreshToken",  "legacy-T2"); localStorage.setItem('fingerprint','fp2');</script>`,
		`{"data":[{"id":"4242","name":" Ana ","roles":{"0":{"role":"client","boid":5,"centre_url":"solo.aimharder.com"}}}]}`,
		`{"data":[]}`, `{"logout":1}`, `null`, `[]`, `{"data":`,
		// Issue 14: refusal shapes other clients report, markup, .es roles.
		`{"data":{"auth":{"authOK":false}},"info":"Correo electrónico y/o contraseña incorrecto."}`,
		`{"data":{"auth":{"authOK":false}},"info":{"message":"Has fallado demasiadas veces"}}`,
		`{"data":{"auth":{"authOK":"false"},"info":"Cuenta pendiente\u0007 de verificación"}}`,
		`{"data":{"auth":{"authOK":false}}}`,
		`{"error":{"code":401,"message":"LOGIN_ERROR_LOGIN"}}`,
		`<form><span id="loginErrors"></span><p>¿Contraseña incorrecta?</p></form>`,
		`<span id=loginErrors/><SPAN ID="loginErrors"><span>a</span></span`,
		`{"data":[{"id":9,"roles":[{"role":"client","boid":3,"centre_url":"slug.aimharder.es"},{"boid":4,"centre_url":"x.evil.example/aimharder.es"}]}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The JSON login (docs/protocol.md §2.1).
		if reply, err := decodeLogin(body); err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("decodeLogin: untyped error %T: %v", err, err)
			}
			if pe.Retryable {
				t.Fatalf("a login answer was judged retryable: %v", err)
			}
		} else {
			checkPlain(t, "login message", reply.message)
			for _, cookie := range []bool{false, true} {
				creds := Credentials{Fingerprint: "fp"}
				if cookie {
					creds.Cookies = map[string]string{AuthCookie: "auth"}
				}
				user, err := reply.check(creds)
				if err == nil {
					if !reply.authOK || !cookie || user.ID <= 0 {
						t.Fatalf("login accepted with authOK %v, cookie %v, user %d", reply.authOK, cookie, user.ID)
					}
					continue
				}
				checkLoginRefusal(t, err)
			}
		}
		// The same body under HTTP 401 (docs/protocol.md §2.1).
		if e := refusal401(body); e.Shape != ShapeHTTP401 {
			t.Fatalf("a 401 refusal without its shape: %v", e)
		} else {
			checkLoginRefusal(t, e)
		}

		// The legacy form (docs/protocol.md §2.2): its error block and the setrefresh frame.
		checkPlain(t, "legacy login error", legacyLoginError(body))
		if token, fp, ok := legacyRefreshFrame(body); ok {
			if token == "" || token != strings.TrimSpace(token) || fp != strings.TrimSpace(fp) {
				t.Fatalf("refresh frame gave token %q, fingerprint %q", token, fp)
			}
		}

		// The setrefresh page (docs/protocol.md §3.1): values are quoted strings without
		// quotes, escapes, tags or white space.
		if token, fp, ok := parseSetRefresh(body); ok {
			if token == "" || strings.ContainsAny(token+fp, "\"'\\<>") || strings.ContainsFunc(token+fp, unicode.IsSpace) {
				t.Fatalf("setrefresh gave token %q, fingerprint %q", token, fp)
			}
		}

		// whoami (docs/protocol.md §4.1).
		if checked, err := checkAPIBody("whoami", body); err != nil {
			assertTypedError(t, err)
		} else if user, err := decodeWhoami(checked); err != nil {
			assertTypedError(t, err)
		} else if user.ID <= 0 {
			t.Fatalf("whoami gave user %d", user.ID)
		} else {
			for _, b := range user.Boxes {
				if b.Domain != "" && (!aimharderDomain.MatchString(b.Domain) || b.Domain == DefaultDomain) {
					t.Fatalf("box %d on domain %q", b.ID, b.Domain)
				}
			}
		}
	})
}

func checkLoginRefusal(t *testing.T, err error) {
	t.Helper()
	var le *LoginError
	var pe *ProtocolError
	switch {
	case errors.As(err, &le):
		if !errors.Is(err, ErrBadCredentials) && !errors.Is(err, ErrTooManyAttempts) && !errors.Is(err, ErrLoginFailed) && !errors.Is(err, ErrLoginRefused) {
			t.Fatalf("a login refusal without a cause: %v", err)
		}
		checkPlain(t, "login refusal", le.Message)
	case errors.As(err, &pe):
		if pe.Retryable {
			t.Fatalf("a login check was judged retryable: %v", err)
		}
	default:
		t.Fatalf("untyped login error %T: %v", err, err)
	}
	_ = err.Error()
}

// checkPlain asserts that server text shown to the member is trimmed and
// holds no control characters (which would drive the terminal).
func checkPlain(t *testing.T, what, s string) {
	t.Helper()
	if s != strings.TrimSpace(s) {
		t.Fatalf("%s %q is not trimmed", what, s)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		t.Fatalf("%s %q has a control character at byte %d", what, s, i)
	}
}

// FuzzNextBookings: any nextBookings body gives lists or a typed error;
// every reservation's date is a real calendar day or zero (unreadable);
// and any day label or `--day` text parses to a real day that prints and
// parses back the same, or to nothing.
func FuzzNextBookings(f *testing.F) {
	f.Add([]byte(`{"nextClasses":[{"id":"555000111","day":"Martes, 27 de Octubre de 2026","time":"07:00 - 08:00","className":" OPEN BOX ","bookState":1}],
	 "history":{"1":{"id":1,"day":"Saturday, September 26, 2026","bookState":null,"assist":"1","lateCancel":0},"0":{"day":"???"}}}`),
		"Dimarts, 3 d'octubre de 2026")
	f.Add([]byte(`{"nextClasses":null,"history":[]}`), "2026-02-29")
	f.Add([]byte(`{"nextClasses":[{"day":"31 de febrero de 2026"}]}`), "20261301")
	f.Add([]byte(`{"logout":1}`), "Lunes, 0 de Enero de 0000")
	f.Add([]byte(`{"nextClasses":[{"id":{}}]}`), "2026-1-5")
	f.Add([]byte(loginPage), " 2026-11-26")
	f.Fuzz(func(t *testing.T, body []byte, label string) {
		if checked, err := checkAPIBody("nextBookings", body); err != nil {
			assertTypedError(t, err)
		} else if next, err := decodeNextBookings(checked); err != nil {
			assertTypedError(t, err)
		} else {
			if next.Upcoming == nil || next.History == nil {
				t.Fatalf("nil list: %+v", next)
			}
			for _, r := range append(next.Upcoming, next.History...) {
				checkDate(t, r.DayLabel, r.Date)
				if r.DayLabel != strings.TrimSpace(r.DayLabel) || r.ClassName != strings.TrimSpace(r.ClassName) {
					t.Fatalf("untrimmed text: %+v", r)
				}
				if r.Date != parseDayLabel(r.DayLabel) {
					t.Fatalf("reservation date %v is not its label's %q", r.Date, r.DayLabel)
				}
			}
		}

		checkDate(t, label, parseDayLabel(label))
		if d, err := ParseDate(label); err == nil {
			checkDate(t, label, d)
			if d.IsZero() {
				t.Fatalf("ParseDate(%q) gave the zero date without an error", label)
			}
			if again, err := ParseDate(d.Compact()); err != nil || again != d {
				t.Fatalf("ParseDate(%q) = %v; its compact form %q gives %v, %v", label, d, d.Compact(), again, err)
			}
			if got := parseDayLabel(label); got != d {
				t.Fatalf("label %q: ParseDate says %v, parseDayLabel %v", label, d, got)
			}
		} else if d != (Date{}) {
			t.Fatalf("ParseDate(%q) failed with a date %v", label, d)
		}
	})
}

// checkDate asserts that d is zero or a real calendar day that survives
// printing and parsing.
func checkDate(t *testing.T, from string, d Date) {
	t.Helper()
	if d.IsZero() {
		return
	}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 || d.AddDays(0) != d {
		t.Fatalf("%q gave %+v, not a calendar day", from, d)
	}
	if again, err := ParseDate(d.String()); err != nil || again != d {
		t.Fatalf("%q gave %v, which parses back as %v, %v", from, d, again, err)
	}
}
