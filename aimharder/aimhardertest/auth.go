package aimhardertest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// LegacyMode is the switch of the legacy form login (docs/protocol.md §2.2).
type LegacyMode int

const (
	// LegacyOff: POST / and POST /login answer 404 (the default: the fake
	// offers the JSON login, with the form behind a switch).
	LegacyOff LegacyMode = iota
	// LegacyWorks: the form logs in — the iframe page with the cookies on the
	// login host, a redirect on the portal's /login.
	LegacyWorks
	// LegacyMarketingPage: 200 with the marketing page and no cookie, what
	// production reportedly does since mid-2026. [ONE]
	LegacyMarketingPage
)

// Lockout configures the login lockout: Threshold failures within Window
// lock the e-mail for Period (defaults 5, 15 min, 15 min; the real limits
// are unknown [MULTI that it exists]).
type Lockout struct {
	Threshold int
	Window    time.Duration
	Period    time.Duration
}

func (l Lockout) withDefaults() Lockout {
	if l.Threshold <= 0 {
		l.Threshold = 5
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	if l.Period <= 0 {
		l.Period = 15 * time.Minute
	}
	return l
}

// Expiry says what ExpireSession kills.
type Expiry int

const (
	ExpireBoth   Expiry = iota // the session lapses: cookie and token die
	ExpireCookie               // the amhrdrauth values die; a tokenUpdate with the live token issues a new one
	ExpireToken                // the refresh token dies; the cookie lives until the idle lifetime lapses
)

// Login error texts. Only the bad-credentials text is real [LIVE]; of the
// lockout text only "demasiadas veces" is [MULTI].
const (
	msgBadCredentials = "Correo electrónico y/o contraseña incorrecto."
	msgLockout        = "Has fallado demasiadas veces. Inténtalo más tarde."
	msgBadRequest     = "Faltan datos de acceso."                 // [GUESS] no username, password or fingerprint
	msgNoFingerprint  = "Falta el identificador del dispositivo." // [GUESS]
)

type sessKey struct {
	user int64
	fp   string
}

// session is one (user, fingerprint) login (docs/protocol.md §2.3, §3.4).
type session struct {
	label     string // opaque id for the request log
	user      *user
	fp        string
	token     string   // current refresh token ("" once expired by a knob)
	cookies   []string // amhrdrauth values; all work while the session lives
	refreshed time.Time
	ended     bool
	unarmed   bool // SetRefreshRequired: box calls say logout until setrefresh
}

type loginFailures struct {
	times       []time.Time
	lockedUntil time.Time
}

type authState int

const (
	authNone    authState = iota // no amhrdrauth cookie at all
	authInvalid                  // a cookie, but unknown, ended or expired
	authOK
)

func (s *Server) expired(sess *session, now time.Time) bool {
	return !now.Before(sess.refreshed.Add(s.lifetime))
}

// auth finds the caller's live session from its amhrdrauth cookies. An
// expired session ends here, lazily. Caller holds s.mu.
func (s *Server) auth(c *call) (*session, authState) {
	state := authNone
	for _, ck := range c.r.Cookies() {
		if ck.Name != authCookie {
			continue
		}
		state = authInvalid
		sess := s.byCookie[ck.Value]
		if sess == nil || sess.ended {
			continue
		}
		if s.expired(sess, c.now) {
			s.endSession(sess, EndExpired)
			continue
		}
		c.sess = sess
		c.logSess, c.logUser, c.logFP = sess.label, sess.user.email, sess.fp
		return sess, authOK
	}
	return nil, state
}

// cookieSession finds the session a request's cookie belongs to, live or
// expired (for /logout and forced logouts). Caller holds s.mu.
func (s *Server) cookieSession(r *http.Request) *session {
	for _, ck := range r.Cookies() {
		if sess := s.byCookie[ck.Value]; ck.Name == authCookie && sess != nil && !sess.ended {
			return sess
		}
	}
	return nil
}

const authCookie = "amhrdrauth"

func (s *Server) endSession(sess *session, why EndReason) {
	s.ends = append(s.ends, SessionEnd{Label: sess.label, Email: sess.user.email, Fingerprint: sess.fp,
		At: s.clock.Now(), Reason: why})
	sess.ended = true
	for _, v := range sess.cookies {
		delete(s.byCookie, v)
	}
	if s.byToken[sess.token] == sess {
		delete(s.byToken, sess.token)
	}
	for t, o := range s.oldTokens {
		if o == sess {
			delete(s.oldTokens, t)
		}
	}
	if k := (sessKey{sess.user.cfg.ID, sess.fp}); s.sessions[k] == sess {
		delete(s.sessions, k)
	}
}

func (s *Server) endUserSessions(u *user, fp string) int {
	n := 0
	for k, sess := range s.sessions {
		if k.user == u.cfg.ID && (fp == "" || k.fp == fp) {
			s.endSession(sess, EndForced)
			n++
		}
	}
	return n
}

// newSession logs a (user, fingerprint) pair in; logging in again with the
// same pair replaces that pair's session [GUESS], other pairs stay valid.
func (s *Server) newSession(u *user, fp string, now time.Time) *session {
	if old := s.sessions[sessKey{u.cfg.ID, fp}]; old != nil {
		why := EndReplaced
		if s.expired(old, now) {
			why = EndExpired
		}
		s.endSession(old, why)
	}
	s.sessSeq++
	sess := &session{label: fmt.Sprintf("s%d", s.sessSeq), user: u, fp: fp, refreshed: now}
	sess.token = s.randHex(32)
	s.byToken[sess.token] = sess
	s.addCookie(sess)
	s.sessions[sessKey{u.cfg.ID, fp}] = sess
	return sess
}

func (s *Server) addCookie(sess *session) string {
	v := s.randHex(48)
	sess.cookies = append(sess.cookies, v)
	s.byCookie[v] = sess
	return v
}

func (s *Server) randHex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[s.rng.IntN(16)]
	}
	return string(b)
}

// setCookie adds a Set-Cookie: Path=/, no Domain in single-host mode.
func (c *call) setCookie(name, value string, httpOnly bool, life time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", Domain: c.s.cookieDomain, HttpOnly: httpOnly}
	switch {
	case value == "":
		ck.MaxAge = -1
	case life > 0:
		ck.Expires = c.now.Add(life).UTC()
	}
	c.header.Add("Set-Cookie", ck.String())
}

// setLoginCookies sets the four cookies of a login (docs/protocol.md §2.1); the
// fake authenticates by amhrdrauth alone.
func (c *call) setLoginCookies(sess *session) {
	s := c.s
	c.setCookie(authCookie, sess.cookies[len(sess.cookies)-1], true, 0)
	c.setCookie("PHPSESSID", s.randHex(26), false, 0)
	alb := s.randHex(64)
	c.setCookie("AWSALB", alb, false, 7*24*time.Hour)
	c.setCookie("AWSALBCORS", alb, false, 7*24*time.Hour)
}

// authenticate checks credentials with the lockout. Caller holds s.mu.
func (s *Server) authenticate(email, password string, now time.Time) (*user, string) {
	key := normEmail(email)
	f := s.failures[key]
	if f == nil {
		f = &loginFailures{}
		s.failures[key] = f
	}
	if now.Before(f.lockedUntil) {
		return nil, msgLockout
	}
	u := s.w.byEmail[key]
	if u == nil || subtle.ConstantTimeCompare([]byte(u.cfg.Password), []byte(password)) != 1 {
		f.times = slices.DeleteFunc(f.times, func(t time.Time) bool { return !t.After(now.Add(-s.lockout.Window)) })
		f.times = append(f.times, now)
		if len(f.times) >= s.lockout.Threshold {
			f.lockedUntil, f.times = now.Add(s.lockout.Period), nil
		}
		return nil, msgBadCredentials
	}
	delete(s.failures, key)
	return u, ""
}

// profile is the user object of the login reply and of whoami (docs/protocol.md §4.1).
func (s *Server) profile(c *call, u *user) object {
	roles := []object{}
	for _, r := range u.roles {
		gym := r.box.cfg.Name
		if c.shape.PaddedNames {
			gym = " " + gym + "  "
		}
		role := object{
			{"id", 100_000 + int64(hash64(fmt.Sprint(u.cfg.ID, "/", r.box.cfg.ID, "/", r.role))%900_000)},
			{"role", r.role},
			{"gym", gym},
			{"centre_url", r.box.cfg.Sub + "." + boxDomain(r.box)}, // production-shaped on purpose (docs/protocol.md §1)
			{"boid", r.box.cfg.ID},
			{"perm_hash", fmt.Sprintf("%016x", hash64(fmt.Sprint("perm/", u.cfg.ID, r.box.cfg.ID, r.role)))},
		}
		if c.shape.ExtraKeys {
			role.set("logo", nil)
		}
		roles = append(roles, role)
	}
	p := object{{"id", u.cfg.ID}, {"name", u.cfg.Name}, {"photo", nullable(u.cfg.Photo)}, {"roles", roles}}
	if c.shape.ExtraKeys {
		p.set("lang", u.lang)
	}
	return p
}

func loginError(msg string) object { return object{{"error", object{{"message", msg}}}} }

// handleLogin is the JSON login (docs/protocol.md §2.1). Failures are HTTP 200.
func (s *Server) handleLogin(c *call) {
	if !c.requireMethod(http.MethodPost) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.jsonLogin {
		c.htmlReply(http.StatusNotFound, notFoundPage)
		return
	}
	if s.loginHostAnswer(c) {
		return
	}
	username, password, fp := str(c.jsonBody, "username"), str(c.jsonBody, "password"), str(c.jsonBody, "fingerprint")
	c.logUser, c.logFP = normEmail(username), fp
	if username == "" || password == "" {
		c.code = "error"
		c.jsonReply(loginError(msgBadRequest))
		return
	}
	u, msg := s.authenticate(username, password, c.now)
	if msg == "" {
		msg = s.refusals[normEmail(username)]
	}
	if msg != "" {
		s.refuseLogin(c, msg)
		return
	}
	if fp == "" {
		c.code = "error"
		c.jsonReply(loginError(msgNoFingerprint))
		return
	}
	sess := s.newSession(u, fp, c.now)
	sess.unarmed = s.refreshRequired
	c.logSess = sess.label
	c.setLoginCookies(sess)
	c.code = "authOK"
	c.jsonReply(object{{"data", object{
		{"userData", s.profile(c, u)},
		{"auth", object{{"authOK", true}, {"refreshToken", sess.token}}},
	}}})
}

// str reads a string field of a JSON body; other types count as absent.
func str(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

// handleLegacyLogin is the old form post (docs/protocol.md §2.2), behind its switch.
func (s *Server) handleLegacyLogin(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.legacy {
	case LegacyOff:
		c.htmlReply(http.StatusNotFound, notFoundPage)
		return
	case LegacyMarketingPage:
		c.htmlReply(http.StatusOK, marketingPage)
		return
	}
	mail, pw := c.form.Get("mail"), c.form.Get("pw")
	c.logUser = normEmail(mail)
	u, msg := s.authenticate(mail, pw, c.now)
	if msg != "" {
		c.code = "error"
		if s.spanMarkup {
			c.htmlReply(http.StatusOK, spanLoginPage(msg))
			return
		}
		c.htmlReply(http.StatusOK, loginPage(msg))
		return
	}
	fp := c.form.Get("loginfingerprint")
	if fp == "" {
		fp = s.randHex(50) // the page would have made one; setrefresh returns it [GUESS]
	}
	c.logFP = fp
	sess := s.newSession(u, fp, c.now)
	c.logSess = sess.label
	c.setLoginCookies(sess)
	c.code = "authOK"
	refresh := c.hostURL("", "/setrefresh?"+url.Values{"token": {sess.token}, "fingerprint": {fp}}.Encode())
	if c.rt.role == RolePortal {
		// The portal's /login redirects [ONE]; the fake sends the browser
		// through setrefresh so the token can still be learned. [GUESS]
		c.redirect(refresh)
		return
	}
	success := legacySuccessPage(refresh, c.hostURL("", "/home"))
	if s.spanMarkup {
		success = strings.Replace(success, "<iframe", `<span id="loginErrors"></span>`+spanHelp+"\n<iframe", 1)
	}
	c.htmlReply(http.StatusOK, success)
}

// handleSetRefresh echoes the current token and fingerprint into the two
// localStorage keys (docs/protocol.md §3.1); an unknown token gets a page without them.
func (s *Server) handleSetRefresh(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := c.r.URL.Query()
	token, fp := q.Get("token"), q.Get("fingerprint")
	sess := s.byToken[token]
	if sess != nil && (sess.ended || s.expired(sess, c.now) || (fp != "" && fp != sess.fp)) {
		sess = nil
	}
	if sess == nil {
		c.code = "unknown-token"
		c.htmlReply(http.StatusOK, setRefreshPage("", ""))
		return
	}
	c.logSess, c.logUser, c.logFP = sess.label, sess.user.email, sess.fp
	c.code = "refreshToken"
	sess.unarmed = false
	c.htmlReply(http.StatusOK, setRefreshPage(sess.token, sess.fp))
}

// handleTokenUpdate rotates the refresh token (docs/protocol.md §3.2, §3.4): the
// token is single-use [GUESS], the idle lifetime restarts, and a new
// amhrdrauth is issued while the old values keep working.
func (s *Server) handleTokenUpdate(c *call) {
	if !c.requireMethod(http.MethodPost) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	token, fp := c.form.Get("token"), c.form.Get("fingerprint")
	sess := s.byToken[token]
	if sess != nil && s.expired(sess, c.now) {
		s.endSession(sess, EndExpired)
		sess = nil
	}
	if sess == nil || sess.fp != fp {
		if sess != nil {
			c.logSess, c.logUser, c.logFP = sess.label, sess.user.email, fp
		}
		if s.reuseEnds {
			// The switch: a replayed old token or a foreign fingerprint kills
			// the session it belongs to.
			if old := s.oldTokens[token]; old != nil {
				s.endSession(old, EndReused)
			} else if sess != nil {
				s.endSession(sess, EndReused)
			}
		}
		c.code = "logout"
		c.jsonReply(object{{"logout", 1}})
		return
	}
	c.logSess, c.logUser, c.logFP = sess.label, sess.user.email, sess.fp
	s.oldTokens[sess.token] = sess
	delete(s.byToken, sess.token)
	sess.token = s.randHex(32)
	s.byToken[sess.token] = sess
	sess.refreshed = c.now
	c.setCookie(authCookie, s.addCookie(sess), true, 0)
	c.code = "newToken"
	c.jsonReply(object{{"newToken", sess.token}})
}

// handleWhoami: the user and roles [LIVE on .es]; {"data":[]} without a
// cookie [LIVE on .es]; {"logout":1} with a dead one [ONE] (docs/protocol.md §3.5, §4.1).
func (s *Server) handleWhoami(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, state := s.auth(c)
	switch state {
	case authNone:
		c.code = "data=[]"
		c.jsonReply(object{{"data", []any{}}})
	case authInvalid:
		c.code = "logout"
		c.jsonReply(object{{"logout", 1}})
	default:
		c.code = "user"
		c.jsonReply(object{{"data", []any{s.profile(c, sess.user)}}})
	}
}

// handleHome lists the boxes as links (docs/protocol.md §4.2); logged out → login.
func (s *Server) handleHome(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, state := s.auth(c)
	if state != authOK {
		c.redirect(c.loginRoot())
		return
	}
	var boxes []*box
	for _, r := range sess.user.roles {
		if !slices.Contains(boxes, r.box) {
			boxes = append(boxes, r.box)
		}
	}
	c.htmlReply(http.StatusOK, homePage(sess.user.cfg.Name, boxes))
}

// handleLogout ends the caller's session only, then sends it to the portal
// root (docs/protocol.md §3.5, Fake).
func (s *Server) handleLogout(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess := s.cookieSession(c.r); sess != nil {
		c.logSess, c.logUser, c.logFP = sess.label, sess.user.email, sess.fp
		s.endSession(sess, EndLogout)
		c.code = "ended"
	}
	c.setCookie(authCookie, "", true, 0)
	c.redirect(c.portalRoot())
}

func (s *Server) handlePage(c *call) {
	if c.rt.role == RoleLogin && s.hostDomain != "" {
		c.htmlReply(http.StatusOK, loginPage(""))
		return
	}
	c.htmlReply(http.StatusOK, marketingPage)
}

// handleOtherAPI: unknown /api/… paths answer a 200 HTML page when logged
// out and 404 when logged in (docs/protocol.md §3.5, §11.2). Never a redirect.
func (s *Server) handleOtherAPI(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, state := s.auth(c); state == authOK {
		c.htmlReply(http.StatusNotFound, notFoundPage)
		return
	}
	c.code = "html"
	c.htmlReply(http.StatusOK, loginPage(""))
}

// ForceLogout ends a user's session for one fingerprint, or all of the
// user's sessions when fingerprint is "". It returns how many ended.
func (s *Server) ForceLogout(email, fingerprint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.byEmail[normEmail(email)]
	if u == nil {
		return 0
	}
	return s.endUserSessions(u, fingerprint)
}

// ExpireSession expires a user's session for one fingerprint (all when
// fingerprint is ""): both cookie and token, or only one of them. It
// returns how many sessions it touched.
func (s *Server) ExpireSession(email, fingerprint string, what Expiry) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.byEmail[normEmail(email)]
	if u == nil {
		return 0
	}
	n := 0
	for k, sess := range s.sessions {
		if k.user != u.cfg.ID || (fingerprint != "" && k.fp != fingerprint) {
			continue
		}
		n++
		switch what {
		case ExpireCookie:
			for _, v := range sess.cookies {
				delete(s.byCookie, v)
			}
			sess.cookies = nil
		case ExpireToken:
			delete(s.byToken, sess.token)
			sess.token = ""
		default:
			s.endSession(sess, EndForced)
		}
	}
	return n
}

// SetSessionLifetime sets the idle lifetime of every session, existing ones
// included (default 30 min); d <= 0 restores the default.
func (s *Server) SetSessionLifetime(d time.Duration) {
	if d <= 0 {
		d = DefaultSessionLifetime
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// SetReuseEndsSession makes a tokenUpdate with an old token or a foreign
// fingerprint end the session it belongs to (off by default, docs/protocol.md §3.4).
func (s *Server) SetReuseEndsSession(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reuseEnds = on
}

// SetLegacyLogin sets the legacy form login's switch.
func (s *Server) SetLegacyLogin(m LegacyMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.legacy = m
}

// SetJSONLogin enables (default) or removes the JSON login: removed, POST
// /api/login answers 404, as on a server that predates it.
func (s *Server) SetJSONLogin(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jsonLogin = on
}

// SetLockout changes the login lockout; zero fields take the defaults.
func (s *Server) SetLockout(l Lockout) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lockout = l.withDefaults()
}
