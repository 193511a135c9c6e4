package aimharder

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sentinels to branch on with errors.Is. The typed errors below match
// them and carry the details (errors.As).
var (
	// Session.
	ErrLoggedOut       = errors.New("not logged in")
	ErrBadCredentials  = errors.New("wrong e-mail or password")
	ErrTooManyAttempts = errors.New("too many failed logins; try again later")
	ErrLoginFailed     = errors.New("login failed")
	// ErrLoginRefused: AimHarder refused the login in words ahtui does not
	// classify (neither a wrong password nor the lockout). Like a refused
	// password, it stops automatic logins until the member logs in.
	ErrLoginRefused = errors.New("login refused")

	// Transport.
	ErrBlocked  = errors.New("refused by AimHarder for this network (HTTP 403) or rate-limited (HTTP 429)")
	ErrProtocol = errors.New("unexpected answer from AimHarder")
	// ErrUnexpectedAnswer: a page (HTML) or other text where /api/… sends
	// JSON. It is not a logout by itself (docs/protocol.md §10): a
	// maintenance page or a proxy answer the same. ConfirmLogout asks.
	ErrUnexpectedAnswer = errors.New("AimHarder answered with a page instead of data")
	ErrResponseTooLarge = errors.New("answer too large")

	// Booking and cancelling. ErrRefused matches every refusal, including
	// codes and keys this package does not know.
	ErrRefused        = errors.New("refused by AimHarder")
	ErrFull           = errors.New("class is full")
	ErrNoCredit       = errors.New("no plan or credit covers this class")
	ErrTooEarly       = errors.New("booking window not open yet")
	ErrPaymentPending = errors.New("payment pending")
	ErrTooLate        = errors.New("too close to the class start")
	ErrDailyLimit     = errors.New("daily booking limit reached")
	ErrQuota          = errors.New("plan quota used up")
	ErrAlreadyBooked  = errors.New("already booked at that time")
	ErrLateCancel     = errors.New("late cancel: the credit would be lost")
)

// LoggedOutError reports that the server no longer accepts the session:
// {"logout":1}, an empty whoami, a redirect on /api/…, setrefresh without
// a token, or an unexpected answer that whoami then confirmed
// (ConfirmLogout). An HTML page alone is an *UnexpectedAnswerError.
type LoggedOutError struct {
	Endpoint string
	Reason   string
}

func (e *LoggedOutError) Error() string {
	return "aimharder " + e.Endpoint + ": not logged in (" + e.Reason + ")"
}

func (e *LoggedOutError) Is(target error) bool { return target == ErrLoggedOut }

// LoginError is a refused login. Cause is ErrBadCredentials,
// ErrTooManyAttempts, ErrLoginRefused (a refusal in words ahtui does not
// classify) or ErrLoginFailed (no refusal, but no session either: no
// cookie, a redirect, whoami did not confirm it); Message is the server's
// text when it sent one, Reason what the client saw otherwise. Shape names
// the answer's shape (docs/protocol.md §2.1, e.g. ShapeAuthInfo), for
// `ahtui doctor`.
type LoginError struct {
	Cause   error
	Message string
	Reason  string
	Shape   string
}

// Shapes of a login refusal (docs/protocol.md §2.1).
const (
	ShapeErrorMessage = "error.message"     // 200 {"error":{"message":…}}
	ShapeAuthInfo     = "authOK=false+info" // 200 {"data":{"auth":{"authOK":false}},"info":…}
	ShapeAuthFalse    = "authOK=false"      // authOK false, no words
	ShapeHTTP401      = "HTTP 401"          // 401, with or without {"error":{"code":401,"message":…}}
	ShapeFormErrors   = "form #loginErrors" // the legacy form's error element
	ShapeOtherMessage = "message"           // a message at another level
)

// MemberText says what happened in a gym member's words.
func (e *LoginError) MemberText() string {
	switch {
	case errors.Is(e.Cause, ErrBadCredentials):
		return "AimHarder refused the password"
	case errors.Is(e.Cause, ErrTooManyAttempts):
		return "AimHarder has locked logins for a while (too many attempts)"
	case errors.Is(e.Cause, ErrLoginRefused):
		return "AimHarder refused the login: " + firstNonEmpty(e.Message, e.Reason, "without saying why")
	}
	return "the login did not work: " + firstNonEmpty(e.Message, e.Reason, "no reason given")
}

func (e *LoginError) Error() string {
	s := "aimharder login: " + e.Cause.Error()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Message != "" {
		s += " (server: " + strconv.Quote(e.Message) + ")"
	}
	return s
}

func (e *LoginError) Unwrap() error { return e.Cause }

// BlockedError is a 403 (AimHarder refuses some networks — US and cloud
// addresses were, some French hosts were not: docs/protocol.md §10) or a
// 429 (rate limit). A firing burst retries it a few times (it can be
// transient); nothing else retries it at once.
type BlockedError struct {
	Endpoint   string
	Status     int
	RetryAfter time.Duration // from Retry-After, when the server sent one
}

func (e *BlockedError) Error() string {
	what := "refused for this network"
	if e.Status == 429 {
		what = "rate-limited"
	}
	return fmt.Sprintf("aimharder %s: %s: HTTP %d", e.Endpoint, what, e.Status)
}

func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// HTTPError is an unexpected HTTP status, usually a 5xx. Retryable is set
// for idempotent reads only: a book or cancel may have happened before the
// reply was lost, and a tokenUpdate may have rotated the token.
type HTTPError struct {
	Endpoint  string
	Status    int
	Retryable bool
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("aimharder %s: HTTP %d", e.Endpoint, e.Status)
}

// TransportError is a network failure or a timeout. It never contains the
// request URL (setrefresh carries the token in its query).
type TransportError struct {
	Endpoint  string
	Err       error // the cause without the URL; context.Canceled etc. match through it
	Retryable bool  // an idempotent read that failed on its own (not cancelled by the caller)
	// Interrupted: the caller cancelled the request (Ctrl-C, a stop
	// signal, a shutdown); its context's cause may be all Err says.
	Interrupted bool
	msg         string
}

func (e *TransportError) Error() string { return "aimharder " + e.Endpoint + ": " + e.msg }
func (e *TransportError) Unwrap() error { return e.Err }

// ProtocolError is an answer this package cannot read: truncated or
// invalid JSON, wrong types, a missing key, an oversized body. Snippet is
// a short excerpt of the body for box endpoints only, with credential
// values removed.
type ProtocolError struct {
	Endpoint  string
	Problem   string
	Snippet   string
	Retryable bool  // a read whose answer may have been cut short
	Err       error // optional cause, e.g. ErrResponseTooLarge
}

func (e *ProtocolError) Error() string {
	s := "aimharder " + e.Endpoint + ": unexpected answer: " + e.Problem
	if e.Snippet != "" {
		s += " (body starts " + strconv.Quote(e.Snippet) + ")"
	}
	return s
}

func (e *ProtocolError) Is(target error) bool { return target == ErrProtocol }
func (e *ProtocolError) Unwrap() error        { return e.Err }

// UnexpectedAnswerError is a 2xx answer from /api/… that is not JSON: an
// HTML page (a login page when logged out, but also a maintenance page, a
// proxy's or a struggling load balancer's) or other text. It says nothing
// certain about the session (ConfirmLogout asks whoami) nor, for a book
// or cancel, about whether AimHarder acted (Ambiguous). Snippet is a short
// excerpt of the body, with credential values removed, for box endpoints
// only (never session endpoints).
type UnexpectedAnswerError struct {
	Endpoint    string
	Status      int
	ContentType string
	HTML        bool // the body is a page (starts with '<')
	Snippet     string
	Retryable   bool // an idempotent read: may be sent again, like a 5xx
}

func (e *UnexpectedAnswerError) Error() string {
	what := "not JSON"
	if e.HTML {
		what = "an HTML page instead of JSON"
	}
	s := "aimharder " + e.Endpoint + ": unexpected answer: " + what
	var about []string
	if e.Status != 0 {
		about = append(about, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.ContentType != "" {
		about = append(about, strconv.Quote(e.ContentType))
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, ", ") + ")"
	}
	if e.Snippet != "" {
		s += " (body starts " + strconv.Quote(e.Snippet) + ")"
	}
	return s
}

// Is matches ErrUnexpectedAnswer and, as every answer the client cannot
// read, ErrProtocol.
func (e *UnexpectedAnswerError) Is(target error) bool {
	return target == ErrUnexpectedAnswer || target == ErrProtocol
}

// Ambiguous reports an error that says nothing about whether AimHarder
// acted on a request (booked or cancelled the class): a 5xx, a cut or
// unreadable answer, a dropped connection, a timeout. It may have; only
// reading the day tells. A request the caller cancelled is not ambiguous.
// An unexpected answer (an HTML page) is ambiguous through ErrProtocol.
func Ambiguous(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var h *HTTPError
	var t *TransportError
	return errors.As(err, &h) || errors.As(err, &t) || errors.Is(err, ErrProtocol)
}

// IsRetryable reports whether err came from an idempotent read that may
// simply be sent again (a 5xx, a network failure, a cut answer). Book and
// cancel are never retryable blindly: re-read the day first.
func IsRetryable(err error) bool {
	var h *HTTPError
	var t *TransportError
	var p *ProtocolError
	var u *UnexpectedAnswerError
	switch {
	case errors.As(err, &u):
		return u.Retryable
	case errors.As(err, &h):
		return h.Retryable
	case errors.As(err, &t):
		return t.Retryable
	case errors.As(err, &p):
		return p.Retryable
	}
	return false
}

// Known errorMssgLang keys (docs/protocol.md §7.2).
const (
	KeyTooEarlyDays   = "ERROR_ANTELACION_CLIENTE"
	KeyTooEarlyHours  = "ERROR_ANTELACION_CLIENTE_HORAS"
	KeyAlreadyBooked  = "NOPUEDESRESERVAMISMAHORA"
	KeyQuotaExceeded  = "HASSUPERADOLIMITCONTR"
	tooEarlyKeyPrefix = "ERROR_ANTELACION"
)

// BookingError is a refused booking: the bookState code, the
// errorMssgLang key and the server's errorMssg. Is maps it to a sentinel;
// every BookingError also matches ErrRefused. When the refusal means "too
// early", TooEarly carries the parsed window (and errors.As finds it).
type BookingError struct {
	Code int
	// NoState: the answer carried no bookState, only a reason in
	// errorMssg — a box rule such as a class maximum, the plan or a
	// penalty (docs/protocol.md §10B). Code is then 0, which means nothing.
	NoState  bool
	Key      string
	Message  string
	Max      int // the limit of a −8 answer, 0 if absent
	TooEarly *TooEarlyError
}

func (e *BookingError) Error() string {
	s := fmt.Sprintf("aimharder book: refused (bookState %d", e.Code)
	if e.NoState {
		s = "aimharder book: refused (no bookState"
	}
	if e.Key != "" {
		s += " " + e.Key
	}
	if e.Max > 0 {
		s += fmt.Sprintf(", max %d", e.Max)
	}
	s += "): "
	if e.Message != "" {
		return s + strconv.Quote(e.Message)
	}
	if reason := e.reason(); reason != nil {
		return s + reason.Error()
	}
	return s + "unknown code"
}

// reason maps the answer to a sentinel: the key first (modern answers put
// the meaning there, docs/protocol.md §7.3 "branch on errorMssgLang"),
// then, for a −12 or a no-state answer without a key, the words of its
// text (docs/protocol.md §10B), then the code. Unknown combinations give
// nil.
func (e *BookingError) reason() error {
	if e.Key == "" && (e.Code == -12 || e.NoState) {
		switch {
		case sameHourText(e.Message):
			return ErrAlreadyBooked
		case tooEarlyText(e.Message):
			return ErrTooEarly
		}
	}
	if e.NoState && e.Key == "" {
		return nil // a box rule in its own words: a refusal, never guessed further
	}
	switch {
	case e.Key == KeyAlreadyBooked:
		return ErrAlreadyBooked
	case e.Key == KeyQuotaExceeded:
		return ErrQuota
	case strings.HasPrefix(e.Key, tooEarlyKeyPrefix):
		return ErrTooEarly
	case e.Key != "" && e.Code == -12:
		return nil // an unknown rule rejection: never guess which one
	}
	switch e.Code {
	case -1:
		return ErrFull
	case -2:
		return ErrNoCredit
	case -4: // the older "too far ahead" answer (docs/protocol.md §7.1)
		return ErrTooEarly
	case -5:
		return ErrPaymentPending
	case -7:
		return ErrTooLate
	case -8:
		return ErrDailyLimit
	}
	return nil
}

// Bare reports a −12 that says nothing ahtui can read: no errorMssgLang
// key and no text recognised as too early or same hour (docs/protocol.md
// §10B). Outside a firing burst it is a refusal; inside one, at the
// opening, it is most likely a "too early" worded in a way not yet seen,
// and the burst retries it (scheduler).
func (e *BookingError) Bare() bool {
	return e.Code == -12 && !e.NoState && e.Key == "" && e.reason() == nil
}

func (e *BookingError) Is(target error) bool {
	return target == ErrRefused || (target != nil && target == e.reason())
}

func (e *BookingError) Unwrap() error {
	if e.TooEarly == nil {
		return nil
	}
	return e.TooEarly
}

// TooEarlyError is a "booking window not open" answer with the window the
// message states. WindowKnown is false when no number could be read from
// the message; the window is then not guessed. A fixed-hour box answers
// with the same key, so the window read here is what the text says, not
// necessarily how the box computes it.
type TooEarlyError struct {
	Key         string
	Message     string
	Window      Rule
	WindowKnown bool
}

func (e *TooEarlyError) Error() string {
	s := "aimharder book: " + ErrTooEarly.Error()
	if e.WindowKnown {
		s += " (opens " + e.Window.describe() + " before the class)"
	}
	if e.Message != "" {
		s += ": " + strconv.Quote(e.Message)
	}
	return s
}

func (e *TooEarlyError) Is(target error) bool { return target == ErrTooEarly || target == ErrRefused }

// CancelError is a cancelBook answer other than cancelState 1. State 2 is
// the late-cancel warning (ErrLateCancel): nothing was cancelled, and
// sending again with Late: true forfeits the credit.
type CancelError struct {
	State int
	// NoState: no cancelState, only a reason in errorMssg
	// (docs/protocol.md §10B); a refusal. State is then 0.
	NoState bool
	Message string
}

func (e *CancelError) Error() string {
	s := fmt.Sprintf("aimharder cancelBook: not cancelled (cancelState %d)", e.State)
	switch {
	case e.NoState:
		s = "aimharder cancelBook: not cancelled (no cancelState): refused"
	case e.State == 2:
		s += ": " + ErrLateCancel.Error()
	case e.State == 3:
		s += ": refused"
	default:
		s += ": unknown state"
	}
	if e.Message != "" {
		s += ": " + strconv.Quote(e.Message)
	}
	return s
}

// Is matches ErrLateCancel for the warning (a question, not a refusal) and
// ErrRefused for every other state.
func (e *CancelError) Is(target error) bool {
	if e.State == 2 && !e.NoState {
		return target == ErrLateCancel
	}
	return target == ErrRefused
}
