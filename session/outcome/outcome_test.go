package outcome

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

var allCodes = []Code{
	Booked, Waitlisted, AlreadyBooked, AlreadyUnconfirmed, WaitlistUnsettled, Unconfirmed, Missed,
	TooEarly, Full, NoCredit, PaymentPending, TooLate, DailyLimit, Quota, SameHour, RefusedBoxRule, Refused,
	CancelRefused, CancelNoop, NoClass, ClassStarted, ClassEnded, NotBooked, AlreadyIn, Duplicate, NotPending,
	LateCancel, Uncertain, Error, NotLoggedIn, SessionDead, LoggedOut, NoSession, PasswordRefused, LockedOut,
	LoginRefused, GeoBlocked, RateLimited, ServerTrouble, UnexpectedPage, UnreadableAnswer, Network, NetTimeout,
	NetCut, NetRefused, NetDNS, NetTLS, Interrupted, DatabaseLocked, ReadOnly, DiskFull, DatabaseDamaged, NewerSchema,
}

// Every code has words in both languages, and the Spanish ones are
// Spanish (not the English copied).
func TestEveryCodeHasWordsInBothLanguages(t *testing.T) {
	if len(allCodes) != len(words) {
		t.Errorf("%d codes listed, %d with words", len(allCodes), len(words))
	}
	for _, c := range allCodes {
		en, es := c.Words(EN), c.Words(ES)
		if !c.Known() || en == "" || es == "" {
			t.Errorf("%s: en %q, es %q", c, en, es)
		}
		if en == es {
			t.Errorf("%s: the same words in both languages: %q", c, en)
		}
		if strings.ContainsAny(en+es, "%") {
			t.Errorf("%s: a format verb in its words: %q / %q", c, en, es)
		}
	}
}

func TestClassify(t *testing.T) {
	te := func(cause error) error { return &aimharder.TransportError{Endpoint: "book", Err: cause} }
	for _, tc := range []struct {
		err  error
		want Code
	}{
		{nil, ""},
		{fmt.Errorf("load: %w", account.ErrNotLoggedIn), NotLoggedIn},
		{session.ErrNoAccount, NotLoggedIn},
		{session.ErrNoSession, NotLoggedIn},
		{account.ErrSessionExpired, SessionDead},
		{session.ErrSessionDead, SessionDead},
		{&aimharder.LoggedOutError{Endpoint: "book", Reason: "test"}, SessionDead},
		{&aimharder.LoginError{Cause: aimharder.ErrBadCredentials}, PasswordRefused},
		{&aimharder.LoginError{Cause: aimharder.ErrTooManyAttempts}, LockedOut},
		{&aimharder.LoginError{Cause: aimharder.ErrLoginRefused, Message: "no"}, LoginRefused},
		{&account.UncertainError{Action: "booking", Err: &aimharder.HTTPError{Status: 502}}, Uncertain},
		{account.ErrClassNotFound, NoClass},
		{&account.ClassUnavailableError{Reason: account.ErrClassEnded}, ClassEnded},
		{&account.ClassUnavailableError{Reason: account.ErrClassStarted}, ClassStarted},
		{&account.ClassUnavailableError{Reason: account.ErrClassNotFound}, NoClass},
		{account.ErrClassStarted, ClassStarted},
		{account.ErrLateCancelNeedsConsent, LateCancel},
		{&aimharder.BookingError{Code: -1}, Full},
		{&aimharder.BookingError{Code: -2}, NoCredit},
		{&aimharder.BookingError{Code: -5}, PaymentPending},
		{&aimharder.BookingError{Code: -7}, TooLate},
		{&aimharder.BookingError{Code: -8, Max: 2}, DailyLimit},
		{&aimharder.BookingError{Code: -4}, TooEarly},
		{&aimharder.BookingError{NoState: true, Message: "Has alcanzado el máximo"}, RefusedBoxRule},
		{&aimharder.BookingError{Code: -12, Key: "odd"}, Refused},
		{&aimharder.CancelError{Message: "no"}, CancelRefused},
		{account.ErrNotBooked, NotBooked},
		{account.ErrCancelNotApplied, CancelNoop},
		{session.ErrNotPending, NotPending},
		{session.ErrDuplicate, Duplicate},
		{account.ErrAlreadyPrebooked, Duplicate},
		{account.ErrAlreadyIn, AlreadyIn},
		{&aimharder.BlockedError{Status: 403}, GeoBlocked},
		{&aimharder.BlockedError{Status: 429}, RateLimited},
		{&aimharder.HTTPError{Status: 503}, ServerTrouble},
		{te(io.EOF), NetCut},
		{te(errors.New("net/http: timeout awaiting response headers")), NetTimeout},
		{context.DeadlineExceeded, NetTimeout},
		{te(errors.New("proxyconnect tcp: odd")), Network},
		{&aimharder.UnexpectedAnswerError{Endpoint: "book", HTML: true}, UnexpectedPage},
		{&aimharder.ProtocolError{Endpoint: "book", Problem: "no JSON"}, UnreadableAnswer},
		{session.ErrBusy, DatabaseLocked},
		{session.ErrReadOnly, ReadOnly},
		{&session.DiskFullError{Path: "x"}, DiskFull},
		{&session.NotDatabaseError{Path: "x"}, DatabaseDamaged},
		{session.ErrNewerSchema, NewerSchema},
		{errors.New("something else"), Error},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// One "needs login" test: not logged in, or the session ended.
func TestNeedsLogin(t *testing.T) {
	for err, want := range map[error]bool{
		account.ErrNotLoggedIn: true, session.ErrNoAccount: true, session.ErrNoSession: true,
		account.ErrSessionExpired: true, session.ErrSessionDead: true, aimharder.ErrLoggedOut: true,
		&aimharder.LoginError{Cause: aimharder.ErrBadCredentials}: false, session.ErrBusy: false,
		&aimharder.HTTPError{Status: 401}: false,
	} {
		if got := NeedsLogin(err); got != want {
			t.Errorf("NeedsLogin(%v) = %v", err, got)
		}
	}
}

func TestExplainKeepsDetailAndAimHardersWords(t *testing.T) {
	for _, tc := range []struct {
		err  error
		lang Lang
		want string
	}{
		{&aimharder.HTTPError{Status: 502}, EN, "AimHarder is having trouble (HTTP 502): try again in a moment"},
		{&aimharder.HTTPError{Status: 502}, ES, "AimHarder tiene problemas (HTTP 502): inténtalo en un momento"},
		{&aimharder.BookingError{Code: -8, Max: 2}, ES, "has llegado al límite diario de reservas de tu box (2 al día)"},
		{&aimharder.BookingError{Code: -12, Key: "x"}, EN, "AimHarder refused it (code -12)"},
		{&aimharder.BookingError{Code: -1, Message: "Clase completa"}, ES, `la clase está completa — AimHarder dice: "Clase completa"`},
		{&aimharder.CancelError{Message: "Penalización"}, EN, `AimHarder did not cancel it — AimHarder says: "Penalización"`},
		{&aimharder.LoginError{Cause: aimharder.ErrLoginRefused, Message: "Cuenta bloqueada"}, EN, `AimHarder refused the login: "Cuenta bloqueada"`},
		{errors.New("raw"), ES, "raw"},
	} {
		if got := Explain(tc.err, tc.lang); got != tc.want {
			t.Errorf("Explain(%v, %s) = %q, want %q", tc.err, tc.lang, got, tc.want)
		}
	}
}

// A stored outcome: the code in the screen's language, AimHarder's words
// quoted; rows of older versions (an unknown code) show their message.
func TestStoredAndReason(t *testing.T) {
	for _, tc := range []struct {
		status, code, message string
		lang                  Lang
		want                  string
	}{
		{"failed", "full", "", ES, "la clase está completa"},
		{"failed", "full", "Clase completa", EN, `the class is full — AimHarder says: "Clase completa"`},
		{"failed", "refused -12 odd", "", EN, "AimHarder refused it"},
		{"booked", "booked", "", EN, ""},
		{"failed", "", "Clase completa", ES, `"Clase completa"`},
		{"missed", "missed", "", EN, Missed.Words(EN)},
		{"failed", "some_future_code", "old words", EN, "old words"},
	} {
		if got := Reason(tc.status, tc.code, tc.message, tc.lang); got != tc.want {
			t.Errorf("Reason(%q, %q, %q, %s) = %q, want %q", tc.status, tc.code, tc.message, tc.lang, got, tc.want)
		}
	}
}

func TestCountdownAgeAndPlurals(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 1500 * time.Millisecond: "2s", 108 * time.Second: "1m 48s", 41*time.Minute + 7*time.Second: "41m 7s",
		2 * time.Hour: "2h 0m", 30 * time.Minute: "30m 0s", 16*time.Hour + 14*time.Minute: "16h 14m", 50 * time.Hour: "2d 2h", 48 * time.Hour: "2d",
	} {
		if got := Countdown(d); got != want {
			t.Errorf("Countdown(%v) = %q, want %q", d, got, want)
		}
	}
	for d, want := range map[time.Duration]string{40 * time.Second: "40s", 12 * time.Minute: "12m", 47 * time.Hour: "47h", 72 * time.Hour: "3d"} {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
	if Count(1, "attempt", "attempts") != "1 attempt" || Count(0, "attempt", "attempts") != "0 attempts" ||
		Count(3, "attempt", "attempts") != "3 attempts" {
		t.Error("Count")
	}
}
