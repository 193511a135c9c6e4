package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// memberError turns an error into words a gym member understands and the
// contract's exit status. The raw error goes to the log, not the terminal.
func memberError(err error, now time.Time) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	msg, code := explain(err, now)
	return &exitError{code: code, err: errors.New(msg)}
}

// explain words err for the CLI (in English, naming the command that
// helps) by its code in the one vocabulary (session/outcome); the detail
// it names comes from the error.
func explain(err error, now time.Time) (string, int) {
	if noDB, ok := errors.AsType[*noDatabaseError](err); ok {
		msg := "there is no ahtui database at " + noDB.path
		if noDB.needSession {
			return msg + ": you are not logged in there. Log in with `ahtui login` (or, if --db or AHTUI_DB " +
				"names the wrong file, fix that)", exitNoSession
		}
		return msg + " (nothing was created): check --db or AHTUI_DB, or log in with `ahtui login` to start one", exitFailed
	}
	code := outcome.Classify(err)
	booking, isBooking := errors.AsType[*aimharder.BookingError](err)
	switch code {
	case outcome.NotLoggedIn:
		return "you are not logged in: run `ahtui login`", exitNoSession
	case outcome.SessionDead:
		return "your AimHarder session has expired: log in again with `ahtui login`", exitNoSession
	case outcome.Uncertain:
		unsure, _ := errors.AsType[*account.UncertainError](err)
		return "AimHarder did not answer the " + unsure.Action + " clearly and ahtui could not check the day afterwards: " +
			"it may have gone through. Check with `ahtui classes` before trying again", exitFailed
	case outcome.NoClass, outcome.ClassStarted, outcome.ClassEnded:
		if gone, ok := errors.AsType[*account.ClassUnavailableError](err); ok {
			return classGoneMessage(gone), exitFailed
		}
		if code == outcome.NoClass {
			return "there is no class with that id on that day: see the ID column of `ahtui classes --day YYYY-MM-DD`", exitFailed
		}
		return code.Words(outcome.EN), exitFailed
	case outcome.LateCancel:
		return code.Words(outcome.EN) + ". Run the command again with --late to cancel anyway", exitFailed
	case outcome.PasswordRefused:
		return "AimHarder refused the password (wrong e-mail or password)", exitFailed
	case outcome.LockedOut:
		return "AimHarder has locked logins for a while (too many attempts): try again later", exitFailed
	case outcome.LoginRefused:
		login, _ := errors.AsType[*aimharder.LoginError](err)
		return "AimHarder refused the login: " + serverWords(login.Message, login.Reason), exitFailed
	case outcome.CancelRefused:
		cancelled, _ := errors.AsType[*aimharder.CancelError](err)
		msg := "AimHarder did not cancel the booking"
		if cancelled.Message != "" {
			msg += ` — AimHarder says: "` + cancelled.Message + `"`
		}
		return msg, exitFailed
	case outcome.RateLimited:
		return "AimHarder is limiting requests from this machine (HTTP 429): wait a few minutes", exitFailed
	case outcome.GeoBlocked:
		return blockedMessage, exitFailed
	case outcome.ServerTrouble:
		httpErr, _ := errors.AsType[*aimharder.HTTPError](err)
		return fmt.Sprintf("AimHarder is having trouble (HTTP %d): try again in a moment", httpErr.Status), exitFailed
	case outcome.Network, outcome.NetTimeout, outcome.NetCut, outcome.NetRefused, outcome.NetDNS, outcome.NetTLS, outcome.Interrupted:
		return networkMessage(aimharder.NetworkProblem(err)), exitFailed
	case outcome.UnexpectedPage:
		// Not a logout (whoami said the session lives), and a book or
		// cancel answered this way was checked against the day.
		return "AimHarder gave an unexpected answer (a web page instead of data), perhaps while busy or under " +
			"maintenance; your session is fine. Try again in a moment (details are in the log)", exitFailed
	case outcome.UnreadableAnswer:
		proto, _ := errors.AsType[*aimharder.ProtocolError](err)
		return "AimHarder sent an answer ahtui does not understand (" + proto.Problem + "). " +
			"Nothing was changed on your side; details are in the log", exitFailed
	case outcome.NewerSchema:
		return newerSchemaMessage(err), exitFailed
	case outcome.DatabaseDamaged:
		return damagedMessage(err), exitFailed
	case outcome.DiskFull:
		return diskFullMessage(err), exitFailed
	case outcome.ReadOnly:
		if readOnly, ok := errors.AsType[*session.ReadOnlyError](err); ok {
			return fmt.Sprintf("ahtui's database at %s is read-only for ahtui (%s): check that --db or AHTUI_DB names "+
				"ahtui's database, and the permissions of the database file and its folder (nothing was changed)",
				readOnly.Path, readOnly.Reason), exitFailed
		}
		return err.Error() + ": check the permissions of the database file and its folder (nothing was changed)", exitFailed
	case outcome.DatabaseLocked:
		return err.Error() + " (nothing was changed): try again in a moment", exitFailed
	case outcome.TooEarly:
		if tooEarly, ok := errors.AsType[*account.TooEarlyError](err); ok {
			return tooEarlyMessage(tooEarly, now), exitFailed
		}
	}
	if isBooking {
		return bookingMessage(booking), exitFailed
	}
	return err.Error(), exitFailed
}

// blockedMessage: AimHarder refuses some networks (US, cloud and CI
// addresses were, some French hosts were not: docs/protocol.md §10), so it
// names no country; a proxy on another network is what works.
const blockedMessage = "AimHarder refused connections from this network (HTTP 403). It refuses some networks, " +
	"such as many cloud servers and VPNs: run ahtui from another connection (a home connection works), or set " +
	"HTTPS_PROXY to a proxy on another network"

// networkMessage says in a sentence what went wrong on the way to
// AimHarder; the raw error (EOF, a timeout's text) is in the log.
func networkMessage(p aimharder.NetProblem) string {
	switch p {
	case aimharder.NetInterrupted:
		return "interrupted before AimHarder answered: nothing more was done. Run the command again"
	case aimharder.NetTimeout:
		return "AimHarder did not answer in time: it may be busy, or the connection is slow. Try again in a moment"
	case aimharder.NetCut:
		return "the connection to AimHarder was cut before it answered: try again in a moment; if it keeps " +
			"happening, check the internet connection"
	case aimharder.NetRefused:
		return "AimHarder's server did not accept the connection: it may be down, or a firewall or proxy is in " +
			"the way. Try again later"
	case aimharder.NetDNS:
		return "could not find AimHarder on the internet (the name lookup failed): check the internet connection"
	case aimharder.NetTLS:
		return "the secure connection to AimHarder failed (its certificate was not accepted): a proxy or " +
			"firewall may be intercepting the connection, or this computer's clock is wrong"
	}
	return "could not reach AimHarder: check the internet connection and try again"
}

// newerSchemaMessage names the file and both versions: the fix is the
// newer ahtui, and the file must stay as it is for it.
func newerSchemaMessage(err error) string {
	var what string
	if se, ok := errors.AsType[*session.SchemaError](err); ok {
		what = fmt.Sprintf("ahtui's database at %s was written by a newer ahtui (schema version %d; this ahtui knows up to %d)",
			se.Path, se.Found, se.Known)
	} else {
		what = "ahtui's database was written by a newer ahtui"
	}
	return what + ". Nothing was changed: run the newer ahtui, or upgrade this one"
}

// damagedMessage says the file was left alone (it may be recoverable) and
// how to start again without losing it.
func damagedMessage(err error) string {
	const moveAside = "If --db or AHTUI_DB names the wrong file, fix that; otherwise move the file aside " +
		"(keep it: it may be recoverable) and log in again with `ahtui login` to start a new one"
	nd, ok := errors.AsType[*session.NotDatabaseError](err)
	switch {
	case !ok:
		return "ahtui's database is damaged or is not an ahtui database, and ahtui left it as it is. " + moveAside
	case nd.Damaged:
		return fmt.Sprintf("ahtui's database at %s is damaged (%s), and ahtui left it as it is. ", nd.Path, nd.Reason) + moveAside
	}
	// Not ahtui's file at all: never suggest moving somebody else's.
	return fmt.Sprintf("%s is not an ahtui database (%s), and ahtui left it as it is. "+
		"Point --db or AHTUI_DB at another path, or leave both unset for the default one", nd.Path, nd.Reason)
}

// diskFullMessage: the write that failed was rolled back, and what was
// saved before is intact.
func diskFullMessage(err error) string {
	what := "the disk is full, so ahtui could not save to its database"
	if df, ok := errors.AsType[*session.DiskFullError](err); ok {
		what += fmt.Sprintf(" at %s (%s)", df.Path, df.Reason)
	}
	return what + ": that change was not saved, and everything saved before is intact. Free some space and try again"
}

// classGoneMessage: a booking refused for a class that is not on that
// day, has started or is over, said as such (not "too close to the start").
func classGoneMessage(e *account.ClassUnavailableError) string {
	c := e.Class
	switch {
	case errors.Is(e.Reason, account.ErrClassEnded):
		return fmt.Sprintf("%s on %s at %s has already ended: it can no longer be booked", c.Name, e.Date, c.Start.Format("15:04"))
	case errors.Is(e.Reason, account.ErrClassStarted):
		return fmt.Sprintf("%s on %s at %s has already started: it can no longer be booked", c.Name, e.Date, c.Start.Format("15:04"))
	}
	return fmt.Sprintf("there is no class with that id on %s: see the ID column of `ahtui classes --day %s`", e.Date, e.Date)
}

// bookingMessage explains a refused booking, keeping the server's words.
func bookingMessage(e *aimharder.BookingError) string {
	var what string
	switch code := outcome.Classify(e); {
	case code == outcome.Full:
		what = "the class is full (add --waitlist to join the waitlist)"
	case code == outcome.TooLate:
		what = "it is too close to the start of the class to book it"
	case code == outcome.DailyLimit:
		what = "you have reached your box's daily booking limit"
		if e.Max > 0 {
			what += fmt.Sprintf(" (%d a day)", e.Max)
		}
	case code == outcome.RefusedBoxRule:
		what = "AimHarder refused the booking" // a box rule in its own words (docs/protocol.md §10B)
	case code == outcome.Refused && e.Message == "":
		what = fmt.Sprintf("AimHarder refused the booking without saying why (code %d)", e.Code)
	case code == outcome.Refused:
		what = fmt.Sprintf("AimHarder refused the booking (code %d)", e.Code)
	default:
		what = code.Words(outcome.EN)
	}
	if e.Message != "" {
		what += ` — AimHarder says: "` + e.Message + `"`
	}
	return what
}

// tooEarlyMessage names the opening in the box's time zone, how far away it
// is, and the command that books it then.
func tooEarlyMessage(e *account.TooEarlyError, now time.Time) string {
	hint := fmt.Sprintf("use `ahtui prebook add %d --day %s`", e.Class.ID, e.Class.Date)
	if e.OpensAt.IsZero() {
		msg := "booking for this class is not open yet"
		if e.Message != "" {
			msg += ` (AimHarder says: "` + e.Message + `")`
		}
		return msg + "; set the box's rule with `ahtui config box." + e.Class.Box + ".window 4d` to know when — " + hint
	}
	msg := fmt.Sprintf("booking opens %s (in %s) — %s", e.OpensAt.Format("Mon 2 Jan 15:04"), humanDuration(e.OpensAt.Sub(now)), hint)
	if e.Assumed {
		// AimHarder said only the days: say what ahtui assumes and how to
		// set a fixed hour (docs/protocol.md §9).
		msg += fmt.Sprintf(". AimHarder said only the days: ahtui assumes %s until an opening confirms it, and finds a "+
			"fixed opening hour itself at the next openings; if you know it, set it: `ahtui config box.%s.window %s`",
			e.Rule, e.Class.Box, session.FixedHourExample(e.Rule))
	}
	return msg
}

func serverWords(message, reason string) string {
	if message != "" {
		return `"` + message + `"`
	}
	return reason
}

// humanDuration writes a wait the way the TUI does (outcome.Countdown):
// "3d 4h", "2h 5m", "1:48".
func humanDuration(d time.Duration) string { return outcome.Countdown(d) }
