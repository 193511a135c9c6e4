package aimhardertest

import (
	"html"
	"net/http"
	"strings"
)

// Minority shapes other clients report (docs/protocol.md §10B), each opt-in:
// the default fake answers as the captures and most live clients say.

// RefusalShape is how a refused JSON login answers (docs/protocol.md §2.1).
type RefusalShape int

const (
	// RefusalErrorMessage: 200 {"error":{"message":…}} (the default, [ONE]).
	RefusalErrorMessage RefusalShape = iota
	// RefusalAuthInfo: 200 {"data":{"auth":{"authOK":false}},"info":…}
	// (danielcasanovasgayoso/aimharder_bot, [ONE]).
	RefusalAuthInfo
	// Refusal401: HTTP 401 {"error":{"code":401,"message":"LOGIN_ERROR_LOGIN"}}
	// for a wrong password (a fitbot fork, [ONE]); other refusals carry
	// their text as the message.
	Refusal401
)

// LoginHostMode is what the login host's POST /api/login does.
type LoginHostMode int

const (
	// LoginHostServes: the JSON login works on the login host (default).
	LoginHostServes LoginHostMode = iota
	// LoginHostNotFound: the login host answers 404; the portal's
	// /api/login still works (three live clients log in there).
	LoginHostNotFound
	// LoginHostPage: the login host answers 200 with its login page.
	LoginHostPage
)

// SetLoginRefusalShape sets how refused JSON logins answer.
func (s *Server) SetLoginRefusalShape(shape RefusalShape) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusalShape = shape
}

// SetLoginHost sets what the login host's /api/login does. Only in
// Host-routed mode is there a portal to fall back to; in single-host mode
// every /api/login is the login host's.
func (s *Server) SetLoginHost(m LoginHostMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginHost = m
}

// SetRefreshRequired makes a JSON login's session answer {"logout":1} on
// every box /api/… call until setrefresh is called with its token
// (danielcasanovasgayoso, [ONE]; most live clients never need it).
func (s *Server) SetRefreshRequired(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshRequired = on
}

// RefuseLogin makes every login of email with the right password refused
// with text (a refusal in words a client cannot classify, e.g. an account
// awaiting verification [GUESS]); "" lifts it. It counts as no failure.
func (s *Server) RefuseLogin(email, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusals == nil {
		s.refusals = map[string]string{}
	}
	if text == "" {
		delete(s.refusals, normEmail(email))
		return
	}
	s.refusals[normEmail(email)] = text
}

// refuseLogin answers a refused JSON login in the configured shape.
// Caller holds s.mu.
func (s *Server) refuseLogin(c *call, msg string) {
	c.code = "error"
	switch s.refusalShape {
	case RefusalAuthInfo:
		c.code = "authOK=false"
		c.jsonReply(object{{"data", object{{"auth", object{{"authOK", false}}}}}, {"info", msg}})
	case Refusal401:
		if msg == msgBadCredentials {
			msg = "LOGIN_ERROR_LOGIN"
		}
		c.jsonReply(object{{"error", object{{"code", 401}, {"message", msg}}}})
		c.status = http.StatusUnauthorized
	default:
		c.jsonReply(loginError(msg))
	}
}

// loginHostAnswer answers for a login host whose JSON login is switched
// off; false when it serves. Caller holds s.mu.
func (s *Server) loginHostAnswer(c *call) bool {
	if c.rt.role != RoleLogin {
		return false
	}
	switch s.loginHost {
	case LoginHostNotFound:
		c.htmlReply(http.StatusNotFound, notFoundPage)
		return true
	case LoginHostPage:
		c.htmlReply(http.StatusOK, loginPage(""))
		return true
	}
	return false
}

// unarmedLogout answers {"logout":1} to a box /api/… call of a session
// that still waits for its setrefresh (SetRefreshRequired); false
// otherwise.
func (s *Server) unarmedLogout(c *call) bool {
	switch c.rt.endpoint {
	case EndpointBookings, EndpointBook, EndpointCancelBook, EndpointNextBookings:
	default:
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.refreshRequired {
		return false
	}
	sess, state := s.auth(c)
	if state != authOK || !sess.unarmed {
		return false
	}
	c.code = "logout"
	c.jsonReply(object{{"logout", 1}})
	return true
}

// boxDomain is the domain a box's centre_url names: its own
// (BoxConfig.Domain, e.g. "aimharder.es") or aimharder.com.
func boxDomain(b *box) string {
	if b.cfg.Domain != "" {
		return strings.ToLower(b.cfg.Domain)
	}
	return "aimharder.com"
}

// domains are the domains the fake serves in Host-routed mode: its own and
// every box's.
func (s *Server) domains() []string {
	out := []string{s.hostDomain}
	for _, b := range s.w.boxBySub {
		if d := b.cfg.Domain; d != "" && !strings.EqualFold(d, s.hostDomain) {
			out = append(out, strings.ToLower(d))
		}
	}
	return out
}

// SetLegacySpanMarkup makes the legacy form's pages carry the error element
// as <span id="loginErrors"> followed by a help text that mentions a wrong
// password (markup some clients report); the success page then carries the
// empty span too. Off by default (docs/protocol.md §2.2).
func (s *Server) SetLegacySpanMarkup(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spanMarkup = on
}

// spanHelp is the text after the span: words a careless reader would take
// for an error ("incorrecto"). [GUESS] wording.
const spanHelp = `<p class="help">¿Usuario o contraseña incorrectos? Recupera tu contraseña desde el enlace.</p>`

func spanLoginPage(errMsg string) string {
	return page("Iniciar sesión - AimHarder", `<form method="post" action="/" id="loginForm">
<input type="email" name="mail"><input type="password" name="pw">
<span id="loginErrors">`+html.EscapeString(errMsg)+`</span>
`+spanHelp+`
<button type="submit" name="login" value="Iniciar sesión">Iniciar sesión</button>
</form>
`)
}
