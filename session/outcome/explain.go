package outcome

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ahtui/ahtui/aimharder"
)

// Explain says err in lang: its code's words with the detail the error
// carries (an HTTP status, a daily limit, AimHarder's code) and
// AimHarder's own words when it sent some. An error of no known kind is
// said as its own text.
func Explain(err error, lang Lang) string {
	c := Classify(err)
	es := lang == ES
	var (
		login   *aimharder.LoginError
		booking *aimharder.BookingError
		cancel  *aimharder.CancelError
		httpErr *aimharder.HTTPError
		proto   *aimharder.ProtocolError
	)
	switch c {
	case "":
		return ""
	case Error:
		return err.Error()
	case LoginRefused:
		if errors.As(err, &login) {
			reason := login.Reason
			if login.Message != "" {
				reason = `"` + login.Message + `"`
			}
			if reason != "" {
				return c.Words(lang) + ": " + reason
			}
		}
	case ServerTrouble:
		if errors.As(err, &httpErr) {
			if es {
				return fmt.Sprintf("AimHarder tiene problemas (HTTP %d): inténtalo en un momento", httpErr.Status)
			}
			return fmt.Sprintf("AimHarder is having trouble (HTTP %d): try again in a moment", httpErr.Status)
		}
	case UnreadableAnswer:
		if errors.As(err, &proto) {
			if es {
				return fmt.Sprintf("AimHarder envió una respuesta que ahtui no entiende (%s); los detalles están en el log", proto.Problem)
			}
			return fmt.Sprintf("AimHarder sent an answer ahtui does not understand (%s); details are in the log", proto.Problem)
		}
	case CancelRefused:
		if errors.As(err, &cancel) && cancel.Message != "" {
			return c.Words(lang) + " — " + Says(lang, cancel.Message)
		}
	}
	if errors.As(err, &booking) && Classify(booking) == c {
		return bookingWords(c, booking, lang)
	}
	return c.Words(lang)
}

func bookingWords(c Code, e *aimharder.BookingError, lang Lang) string {
	what := c.Words(lang)
	switch {
	case c == DailyLimit && e.Max > 0 && lang == ES:
		what += fmt.Sprintf(" (%d al día)", e.Max)
	case c == DailyLimit && e.Max > 0:
		what += fmt.Sprintf(" (%d a day)", e.Max)
	case c == Refused && lang == ES:
		what = fmt.Sprintf("AimHarder lo rechazó (código %d)", e.Code)
	case c == Refused:
		what = fmt.Sprintf("AimHarder refused it (code %d)", e.Code)
	}
	if msg := strings.TrimSpace(e.Message); msg != "" {
		what += " — " + Says(lang, msg)
	}
	return what
}
