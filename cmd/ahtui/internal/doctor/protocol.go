package doctor

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// ---- login, whoami, classes, logout ----

func (d *Doctor) checkLogin(ctx context.Context) (aimharder.Credentials, aimharder.User, bool) {
	title := "Login (a test login with a throwaway device id; not stored)"
	fp, err := throwawayFingerprint()
	if err != nil {
		d.emit(checkFail, title, []string{err.Error()}, "this machine could not make a random device id: please report it")
		return aimharder.Credentials{}, aimharder.User{}, false
	}
	if b := d.cfg.CurrentBox; b != nil && b.Domain != "" {
		d.client = d.client.ForDomain(b.Domain) // the account is known to be there
	}
	res, err := d.client.Login(ctx, d.cfg.Email, d.cfg.Password, fp)
	if err != nil {
		detail, meaning := explain(err)
		var le *aimharder.LoginError
		if errors.As(err, &le) {
			if le.Shape != "" {
				d.shapes = append(d.shapes, "login: refusal shape "+le.Shape)
			}
			switch outcome.Classify(err) {
			case outcome.PasswordRefused:
				meaning = "AimHarder refused the password: try the e-mail and the password on aimharder.com"
			case outcome.LockedOut:
				meaning = "AimHarder has locked logins for a while (too many attempts): wait before trying again"
			case outcome.LoginRefused:
				if !errors.Is(err, aimharder.ErrLoginRefused) {
					meaning = "AimHarder refused the login in a way ahtui does not know: " + changedMeaning
					break
				}
				meaning = "AimHarder refused the login in words ahtui does not know (shown above, redacted): " +
					"ahtui will not log in by itself after such a refusal. " + changedMeaning
			default:
				meaning = "AimHarder refused the login in a way ahtui does not know: " + changedMeaning
			}
		}
		var perr *aimharder.ProtocolError
		if errors.As(err, &perr) && strings.Contains(perr.Problem, "HTML") {
			meaning = "AimHarder answered the login with a web page instead of data: its login has probably changed " +
				"(as it did in 2026), or a captive Wi-Fi portal or a proxy answered instead. Please report it with this report"
		}
		d.emit(checkFail, title, detail, meaning)
		return aimharder.Credentials{}, aimharder.User{}, false
	}
	creds := res.Credentials
	if res.PortalLogin {
		d.shapes = append(d.shapes, "login: the login host had no JSON login (404/405 or a page); the portal's /api/login worked")
	} else {
		d.shapes = append(d.shapes, "login: at the login host's /api/login")
	}
	domain := aimharder.DefaultDomain
	if res.Domain != "" {
		domain = res.Domain
		if d.client.Domain() == res.Domain || res.DomainRelogin {
			d.client = d.client.ForDomain(res.Domain)
			domain += " (login, portal and box hosts follow it)"
		} else {
			domain += " (the URLs set by hand are used instead)"
		}
	}
	d.shapes = append(d.shapes, "domain: "+domain)
	d.red.add(creds.Token, creds.Fingerprint)
	for _, v := range creds.Cookies {
		d.red.add(v)
	}
	d.red.add(res.User.Name)
	cookies := slices.Sorted(mapKeys(creds.Cookies))
	detail := []string{fmt.Sprintf("logged in; cookies set: %s (values not shown)", strings.Join(cookies, ", "))}
	if res.Legacy {
		d.emit(checkWarn, title, append(detail, "the JSON login is missing: the old login form worked"),
			"AimHarder's login has changed again: ahtui still got in, but please report it")
	} else {
		d.emit(checkOK, title, detail, "")
	}
	return creds, res.User, true
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// throwawayFingerprint is a device id for this check only (sessions are
// per fingerprint: the member's stored sessions are left alone).
func throwawayFingerprint() (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 50)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot make a device id: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// explain describes an AimHarder error: what happened (no secret: the
// client's errors hold none) and what it means.
func explain(err error) ([]string, string) {
	var (
		blocked *aimharder.BlockedError
		httpErr *aimharder.HTTPError
		proto   *aimharder.ProtocolError
		page    *aimharder.UnexpectedAnswerError
		trans   *aimharder.TransportError
		out     *aimharder.LoggedOutError
	)
	// The codes are the one vocabulary's (session/outcome); the meanings
	// here speak to a bug report's reader.
	switch code := outcome.Classify(err); {
	case (code == outcome.RateLimited || code == outcome.GeoBlocked) && errors.As(err, &blocked):
		if code == outcome.RateLimited {
			return []string{fmt.Sprintf("%s: HTTP 429", blocked.Endpoint)}, rateLimitMeaning
		}
		return []string{fmt.Sprintf("%s: HTTP %d", blocked.Endpoint, blocked.Status)}, geoBlockMeaning
	case code == outcome.ServerTrouble && errors.As(err, &httpErr):
		return []string{fmt.Sprintf("%s: HTTP %d", httpErr.Endpoint, httpErr.Status)}, fmt.Sprintf(serverTroubleMeaning, httpErr.Status)
	case errors.As(err, &trans) && code != outcome.Interrupted:
		return []string{trans.Error()}, "the connection failed midway: check the internet connection; if it works, AimHarder may be down"
	case code == outcome.SessionDead && errors.As(err, &out):
		return []string{fmt.Sprintf("%s: logged out (%s)", out.Endpoint, out.Reason)},
			"AimHarder did not accept the session: ahtui could not show your bookings or book"
	case code == outcome.UnexpectedPage && errors.As(err, &page):
		return []string{page.Error()}, pageMeaning
	case code == outcome.UnreadableAnswer && errors.As(err, &proto):
		return []string{fmt.Sprintf("%s: %s", proto.Endpoint, proto.Problem)}, changedMeaning
	case code == outcome.Interrupted, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return []string{err.Error()}, "the check was interrupted before AimHarder answered"
	}
	return []string{err.Error()}, "an unexpected error: please report it with this report"
}

func (d *Doctor) checkWhoami(ctx context.Context, creds aimharder.Credentials, fromLogin aimharder.User) (aimharder.User, aimharder.Credentials) {
	title := "Who you are (whoami)"
	user, creds, err := d.client.Whoami(ctx, creds)
	if err != nil {
		creds, err = d.client.ConfirmLogout(ctx, creds, err) // a page is a logout only if whoami says so
		detail, meaning := explain(err)
		if errors.Is(err, aimharder.ErrLoggedOut) {
			if strings.Contains(err.Error(), "unexpected answer") {
				detail = append(detail, "AimHarder answered with a web page (a login page) instead of data")
			}
			meaning = "AimHarder ended the session right after logging in: another login or a logout elsewhere may have " +
				"ended it, or AimHarder changed how sessions work; ahtui's prebookings would fail the same way"
		}
		d.emit(checkFail, title, detail, meaning)
		return fromLogin, creds
	}
	d.red.add(user.Name)
	var boxes []string
	for _, b := range user.Boxes {
		boxes = append(boxes, fmt.Sprintf("%s (%s, %s)", b.Subdomain, b.Name, b.Role))
	}
	detail := []string{fmt.Sprintf("a user with %d %s: %s", len(user.Boxes), plural(len(user.Boxes), "box", "boxes"), strings.Join(boxes, "; "))}
	st, meaning := checkOK, ""
	if len(user.Boxes) == 0 {
		st, meaning = checkFail, "AimHarder lists no box for this account: ahtui has nothing to show or book"
	}
	kst, kdetail, kmeaning := d.keyReport("whoami")
	detail = append(detail, kdetail...)
	if kst > st {
		st, meaning = kst, kmeaning
	}
	d.emit(st, title, detail, meaning)
	return user, creds
}

// keyReport compares the last raw answer of endpoint with the protocol's
// keys.
func (d *Doctor) keyReport(endpoint string) (checkStatus, []string, string) {
	body := d.rec.last(endpoint)
	if body == nil {
		return checkOK, nil, ""
	}
	k, err := aimharder.CheckKeys(endpoint, body)
	if err != nil {
		return checkWarn, []string{"fields not compared: " + err.Error()}, ""
	}
	if k.OK() {
		return checkOK, []string{fmt.Sprintf("fields: as documented (%d %s compared)", k.Objects, plural(k.Objects, "object", "objects"))}, ""
	}
	var detail []string
	if len(k.Needed) > 0 {
		detail = append(detail, "fields ahtui needs are missing: "+strings.Join(k.Needed, ", "))
	}
	if len(k.Missing) > 0 {
		detail = append(detail, "documented fields missing: "+strings.Join(k.Missing, ", "))
	}
	if len(k.Unknown) > 0 {
		detail = append(detail, "fields ahtui does not know: "+strings.Join(k.Unknown, ", "))
	}
	if len(k.Needed) > 0 {
		return checkFail, detail, "AimHarder no longer sends fields ahtui relies on: what it shows or books may be wrong. " +
			"Please report it with this report"
	}
	return checkWarn, detail, "AimHarder's answers differ from what ahtui was written against; ahtui copes, " +
		"but please report it so it can be checked"
}

// chooseBox picks the box to read classes from: the database's current
// one when the account has it, else the first.
func (d *Doctor) chooseBox(user aimharder.User) (aimharder.BoxRef, bool) {
	loc, _ := time.LoadLocation(session.DefaultTimezone)
	if cur := d.cfg.CurrentBox; cur != nil {
		if l, err := time.LoadLocation(cur.Timezone); err == nil {
			loc = l
		}
		ref := aimharder.BoxRef{ID: cur.ID, Subdomain: cur.Subdomain, Location: loc, Domain: cur.Domain}
		if len(user.Boxes) == 0 || slices.ContainsFunc(user.Boxes, func(b aimharder.Box) bool { return b.ID == cur.ID }) {
			return ref, true
		}
	}
	if len(user.Boxes) == 0 {
		return aimharder.BoxRef{}, false
	}
	b := user.Boxes[0]
	for _, c := range user.Boxes {
		if strings.EqualFold(c.Role, "client") {
			b = c
			break
		}
	}
	return b.Ref(loc), true
}

func (d *Doctor) checkClasses(ctx context.Context, creds aimharder.Credentials, ref aimharder.BoxRef) aimharder.Credentials {
	loc := ref.Location
	if loc == nil {
		loc, _ = time.LoadLocation(session.DefaultTimezone)
	}
	today := aimharder.DateOf(d.cfg.Now().In(loc))
	var (
		day aimharder.Day
		err error
	)
	// Today, or the next day with classes (a box may be closed today).
	for i := range 7 {
		day, creds, err = d.client.Day(ctx, creds, ref, today.AddDays(i), "")
		if errors.Is(err, aimharder.ErrLoggedOut) && i == 0 {
			// The test session is fresh: some accounts' boxes want a
			// setrefresh after the JSON login (docs/protocol.md §3.1).
			if armed, serr := d.client.SetRefresh(ctx, creds); serr == nil {
				armed.Token, armed.Fingerprint = creds.Token, creds.Fingerprint
				if day, creds, err = d.client.Day(ctx, armed, ref, today, ""); err == nil {
					d.shapes = append(d.shapes, "setrefresh needed: yes (the box said logged out until it was called; "+
						"ahtui calls it when a box says so, and a prebooking's fire checks for it before the opening)")
				} else {
					d.shapes = append(d.shapes, "setrefresh needed: it did not help (the box still said logged out)")
				}
			}
		} else if i == 0 && err == nil {
			d.shapes = append(d.shapes, "setrefresh needed: no")
		}
		if err != nil || len(day.Classes) > 0 {
			break
		}
	}
	title := "Classes of " + ref.Subdomain
	if err != nil {
		creds, err = d.client.ConfirmLogout(ctx, creds, err) // a page is a logout only if whoami says so
		detail, meaning := explain(err)
		if errors.Is(err, aimharder.ErrLoggedOut) {
			if strings.Contains(err.Error(), "unexpected answer") {
				detail = append(detail, "AimHarder answered the class list with a web page (a login page) instead of data")
			}
			meaning = "AimHarder did not accept the session for the class list: ahtui would show the public schedule " +
				"at best, without your bookings, and could not book"
		}
		d.emit(checkFail, title, detail, meaning)
		return creds
	}
	if !day.MemberData && len(day.Classes) > 0 {
		// Without a live session AimHarder answers the public schedule,
		// which looks just like this: confirm the session
		// (docs/product.md, invariant 3).
		var werr error
		if _, creds, werr = d.client.Whoami(ctx, creds); errors.Is(werr, aimharder.ErrLoggedOut) {
			d.emit(checkFail, title, []string{
				fmt.Sprintf("%s: %d classes read, but as the public schedule: whoami then said logged out", day.Date, len(day.Classes))},
				"AimHarder did not accept the session for the class list: ahtui would show the public schedule, "+
					"without your bookings or who is coming, and could not book")
			return creds
		}
	}
	attendees, shared, mine := 0, 0, 0
	for _, c := range day.Classes {
		if c.Attendees != nil {
			shared++
			attendees += len(c.Attendees)
			for _, a := range c.Attendees {
				d.red.add(a.Name)
			}
		}
		if c.State == aimharder.StateBooked || c.State == aimharder.StateWaitlisted {
			mine++
		}
		d.red.add(c.Coach)
	}
	detail := []string{fmt.Sprintf("%s: %d %s read", day.Date, len(day.Classes), plural(len(day.Classes), "class", "classes"))}
	if shared > 0 {
		detail = append(detail, fmt.Sprintf("attendee lists shared on %d classes (%d people; names not shown)", shared, attendees))
	} else {
		detail = append(detail, "attendee lists: not shared by this box (or not on this day)")
	}
	detail = append(detail, fmt.Sprintf("your bookings or waitlist places on this day: %d", mine))
	st, meaning := checkOK, ""
	if len(day.Classes) == 0 {
		detail[0] = fmt.Sprintf("no classes in the 7 days from %s", today)
		st, meaning = checkWarn, "the box lists no classes this week: if it has some on its web page, please report it"
	}
	if n := len(day.Warnings); n > 0 {
		st, meaning = checkWarn, changedMeaning
		detail = append(detail, fmt.Sprintf("%d %s could not be read:", n, plural(n, "class", "classes")))
		for _, w := range day.Warnings[:min(n, 5)] {
			detail = append(detail, "  "+w)
		}
	}
	if n := len(day.Notices); n > 0 {
		detail = append(detail, fmt.Sprintf("the box shows %d %s with the list (text not shown)", n, plural(n, "notice", "notices")))
	}
	detail = append(detail, d.zoneDetail(ref, day)...)
	detail = append(detail, d.windowDetail(ref)...)
	kst, kdetail, kmeaning := d.keyReport("bookings")
	detail = append(detail, kdetail...)
	if kst > st {
		st, meaning = kst, kmeaning
	}
	d.emit(st, title, detail, meaning)
	d.checkShapes(day)
	return creds
}

// checkShapes reports which of the minority answer shapes other clients
// report (docs/protocol.md §10B) this run met. Doctor only reads: the
// book and cancel shapes need a booking, so they are said unchecked.
func (d *Doctor) checkShapes(day aimharder.Day) {
	from := map[aimharder.TimeSource]int{}
	for _, c := range day.Classes {
		from[c.TimeFrom]++
	}
	var detail []string
	switch {
	case len(day.Classes) == 0 && len(day.Warnings) == 0:
		detail = append(detail, "class times: not checked (no classes read)")
	case from[aimharder.TimeFromStart] == 0 && from[aimharder.TimeFromTimeID] == 0 && len(day.Warnings) == 0:
		detail = append(detail, "class times: every class as \"HH:MM - HH:MM\" (the usual shape)")
	default:
		detail = append(detail, fmt.Sprintf("class times: %d as \"HH:MM - HH:MM\", %d as a start time with a length, "+
			"%d from timeid only (\"900_60\"), %d unreadable (skipped, see above)",
			from[aimharder.TimeFromRange], from[aimharder.TimeFromStart], from[aimharder.TimeFromTimeID], len(day.Warnings)))
	}
	detail = append(detail,
		"book and cancel refusals without bookState/cancelState: not checked (needs a booking)",
		"−12 without errorMssgLang: not checked (needs a booking)",
		"bookState 0 for a booked place: not checked (needs a booking)",
		"classes listed only once their booking opens: not checked (needs a day not open yet); "+
			"such a class is prebooked with `ahtui prebook add --day D --time HH:MM --class NAME`")
	d.emit(checkOK, "Answer shapes other clients report", detail, "")
}

// zoneDetail says which time zone ahtui assumes for the box (openings are
// computed in it) and what the box's address in the class list says
// (docs/protocol.md §4.3); a zone that is only a guess comes with how to
// set it. The address itself is not shown, only what placed the box.
func (d *Doctor) zoneDetail(ref aimharder.BoxRef, day aimharder.Day) []string {
	zone, source, clue := session.DefaultTimezone, string(session.TimezoneDefault), ""
	guess, placed := aimharder.DetectTimeZone(day.Address)
	if cur := d.cfg.CurrentBox; cur != nil && cur.ID == ref.ID && cur.Timezone != "" {
		zone, source, clue = cur.Timezone, cur.TimezoneSource, cur.TimezoneClue
	} else if placed { // not in the database: what ahtui's first class list would find
		zone, source, clue = guess.Zone, string(session.TimezoneDetected), guess.Clue
	}
	var line string
	switch session.TimezoneSource(source) {
	case session.TimezoneMember:
		line = "time zone: " + zone + ", set by you"
	case session.TimezoneDetected:
		line = "time zone: " + zone + ", detected from what AimHarder says about the box (" + clue + ")"
	default:
		line = "time zone: " + zone + ", a guess: nothing AimHarder says about the box placed it yet"
	}
	out := []string{line}
	if g, ok := guess, placed; ok {
		if g.Zone != zone {
			then := "; ahtui switches to it at its next class list"
			if session.TimezoneSource(source) == session.TimezoneMember {
				then = "; your setting wins"
			}
			out = append(out, "  the box's address in this list places it in "+g.Zone+" ("+g.Clue+")"+then)
		}
	} else if session.TimezoneSource(source) == session.TimezoneDefault {
		out = append(out, fmt.Sprintf("  if the box is not on the Spanish mainland or the Balearics, set its zone: "+
			"`ahtui config box.%s.timezone Atlantic/Canary` (or Europe/Lisbon, America/Mexico_City…)", ref.Subdomain))
	}
	if cur := d.cfg.CurrentBox; cur != nil && cur.ID == ref.ID && cur.WindowNote != "" {
		out = append(out, "booking window: "+cur.WindowNote)
	}
	return out
}

func (d *Doctor) checkLogout(ctx context.Context, creds aimharder.Credentials) {
	title := "Logout of the test session"
	if !d.cfg.Logout {
		d.emit(checkSkip, title, []string{"left to expire by itself (about 30 minutes); --logout ends it"}, "")
		return
	}
	if err := d.client.Logout(ctx, creds); err != nil {
		detail, _ := explain(err)
		d.emit(checkWarn, title, detail, "the test session could not be ended: it expires by itself in about 30 minutes")
		return
	}
	d.emit(checkOK, title, []string{"ended"}, "")
}

// windowDetail says which booking-window rule ahtui assumes for the box
// when it is only learned from a "too early" text (docs/protocol.md §9),
// and how to set it.
func (d *Doctor) windowDetail(ref aimharder.BoxRef) []string {
	cur := d.cfg.CurrentBox
	if cur == nil || cur.ID != ref.ID || !cur.WindowAssumed || cur.Window == "" {
		return nil
	}
	return []string{
		"booking window: " + cur.Window + ", assumed: AimHarder's \"too early\" said only the days, and no opening confirmed it yet",
		fmt.Sprintf("  if the box opens at a fixed hour, ahtui finds it at the next openings; to set it now: "+
			"`ahtui config box.%s.window %s`", ref.Subdomain, session.FixedHourExample(cur.Window)),
	}
}

// reportShapes lists the answer shapes met (docs/protocol.md §10B), so a
// member's report says which minority shapes their account meets.
func (d *Doctor) reportShapes() {
	if len(d.shapes) == 0 {
		return
	}
	d.emit(checkOK, "AimHarder answer shapes met (docs/protocol.md §10B)", d.shapes, "")
}
