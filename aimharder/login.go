package aimharder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// LoginResult is a successful login: the user with their boxes and the
// credentials to persist.
type LoginResult struct {
	User        User
	Credentials Credentials
	Legacy      bool // the JSON endpoint was absent and the old form worked
	// PortalLogin: the login host's /api/login answered 404/405 or a page,
	// and the portal's answered (docs/protocol.md §2.1, the fallback pair).
	PortalLogin bool
	// Domain is the AimHarder domain the account's roles name when it is
	// not DefaultDomain (User.Domain). When the client's hosts are the
	// production ones, the login was made (again) at that domain's login
	// host: use ForDomain(Domain) for the session from then on.
	Domain string
	// DomainRelogin: the first login, at the configured domain, named
	// another one, and the session is the second login's, made there.
	DomainRelogin bool
}

// Login signs in with the JSON login (docs/protocol.md §2.1), at the login
// host and, when that answers 404/405 or a page instead of JSON, at the
// portal (the documented fallback pair). When neither has the endpoint
// (404/405) it falls back to the legacy form (docs/protocol.md §2.2),
// accepted only after setrefresh and whoami confirm it. A refusal is a
// *LoginError (ErrBadCredentials, ErrTooManyAttempts, ErrLoginRefused or
// ErrLoginFailed); it is never retried here, since failures count towards
// the lockout.
//
// fingerprint must be the stable per-device id of this account and role
// (docs/protocol.md §2.3): sessions are per (user, fingerprint).
func (c *Client) Login(ctx context.Context, email, password, fingerprint string) (LoginResult, error) {
	if email == "" || password == "" || fingerprint == "" {
		return LoginResult{}, errors.New("aimharder login: e-mail, password and fingerprint are required")
	}
	body, _ := json.Marshal(struct {
		Username    string `json:"username"`
		Password    string `json:"password"`
		Fingerprint string `json:"fingerprint"`
		InIframe    int    `json:"iniframe"`
	}{email, password, fingerprint, 0})
	var (
		cl    *call
		ans   answer
		creds Credentials
		err   error
	)
	bases := c.loginBases()
	portal := false
	for i, base := range bases {
		// A POST from the login page: Origin and Referer are its host.
		cl = &call{endpoint: "login", method: http.MethodPost, url: base + "/api/login", body: body,
			contentType: jsonContentType, accept: "application/json, text/plain, */*",
			origin: base, referer: base + "/"}
		ans, creds, err = c.do(ctx, cl, Credentials{Fingerprint: fingerprint})
		if err != nil {
			return LoginResult{}, err
		}
		portal = i > 0
		if i == len(bases)-1 || !loginEndpointMissing(ans) {
			break
		}
		c.log.Debug("aimharder JSON login missing on the login host; trying the portal", "status", ans.status)
	}
	switch {
	case ans.status == http.StatusNotFound || ans.status == http.StatusMethodNotAllowed:
		return c.legacyLogin(ctx, email, password, fingerprint)
	case ans.status == http.StatusUnauthorized:
		return LoginResult{}, refusal401(ans.body)
	case ans.status == http.StatusForbidden || ans.status == http.StatusTooManyRequests:
		return LoginResult{}, blocked(cl, ans)
	case ans.status >= 300 && ans.status < 400:
		return LoginResult{}, &LoginError{Cause: ErrLoginFailed, Reason: fmt.Sprintf("redirected with HTTP %d", ans.status)}
	case ans.status < 200 || ans.status >= 300:
		return LoginResult{}, &HTTPError{Endpoint: cl.endpoint, Status: ans.status}
	}
	reply, err := decodeLogin(ans.body)
	if err != nil {
		return LoginResult{}, err
	}
	user, err := reply.check(creds)
	if err != nil {
		return LoginResult{}, err
	}
	creds.Token = reply.token
	if !reply.hasRoles { // an answer without roles: ask whoami for the boxes
		user, creds, err = c.Whoami(ctx, creds)
		if errors.Is(err, ErrLoggedOut) {
			return LoginResult{}, &LoginError{Cause: ErrLoginFailed, Reason: "whoami did not confirm the login"}
		}
		if err != nil {
			return LoginResult{}, err
		}
	}
	if user.Domain != "" && c.FollowsDomain(user.Domain) {
		// The account lives on another deployment (aimharder.es): its
		// cookies belong to that domain, so log in there as its own login
		// page would (docs/protocol.md §1). A successful login counts
		// towards no lockout.
		c.log.Debug("aimharder account on another domain; logging in there", "domain", user.Domain)
		res, err := c.ForDomain(user.Domain).Login(ctx, email, password, fingerprint)
		res.DomainRelogin = err == nil
		return res, err
	}
	return LoginResult{User: user, Credentials: creds, PortalLogin: portal, Domain: user.Domain}, nil
}

// loginBases are the hosts whose /api/login is tried, in order: the login
// host, then the portal (three live clients log in there; docs/protocol.md
// §2.1). One base when both are the same (the fake's single-host mode).
func (c *Client) loginBases() []string {
	if c.portalURL == c.loginURL {
		return []string{c.loginURL}
	}
	return []string{c.loginURL, c.portalURL}
}

// loginEndpointMissing: the host has no JSON login — 404/405, or a page
// where JSON was expected (a 2xx HTML answer). A refusal is never HTML,
// and nothing was checked against the password, so trying the other host
// costs no attempt towards the lockout.
func loginEndpointMissing(ans answer) bool {
	switch {
	case ans.status == http.StatusNotFound || ans.status == http.StatusMethodNotAllowed:
		return true
	case ans.status >= 200 && ans.status < 300:
		return sniffBody(ans.body) == bodyHTML
	}
	return false
}

// refusal401 reads a 401: {"error":{"code":401,"message":"LOGIN_ERROR_LOGIN"}}
// (a fitbot fork, [ONE]) or any body. Its words classify it as any
// refusal's do; [GUESS] a 401 without words is a refused password.
func refusal401(body []byte) *LoginError {
	if reply, err := decodeLogin(body); err == nil && reply.message != "" {
		e := loginRefusal(reply.message, ShapeHTTP401)
		e.Reason = "HTTP 401"
		return e
	}
	return &LoginError{Cause: ErrBadCredentials, Reason: "HTTP 401", Shape: ShapeHTTP401}
}

// loginReply is what a JSON login answer says, read leniently: the data
// may be [] on failure (PHP's empty array), the error a string or an
// object, and the reason in "info" (docs/protocol.md §2.1: the failure
// body is unverified).
type loginReply struct {
	authOK    bool
	authFalse bool // authOK present and false: an explicit refusal
	user      wireUser
	hasUser   bool
	hasRoles  bool
	token     string
	message   string // the server's error text, if any
	shape     string // where the message was (Shape…)
}

func decodeLogin(body []byte) (loginReply, error) {
	switch sniffBody(body) {
	case bodyJSONObject:
	case bodyHTML:
		return loginReply{}, &ProtocolError{Endpoint: "login", Problem: "an HTML page instead of JSON"}
	default:
		return loginReply{}, &ProtocolError{Endpoint: "login", Problem: "answer is not a JSON object"}
	}
	var env struct {
		Data    json.RawMessage `json:"data"`
		Error   json.RawMessage `json:"error"`
		Message flexString      `json:"message"`
		Info    json.RawMessage `json:"info"`
	}
	if err := json.Unmarshal(trimBody(body), &env); err != nil {
		return loginReply{}, loginProblem(err)
	}
	var data struct {
		UserData json.RawMessage `json:"userData"`
		Auth     struct {
			AuthOK       flexBool   `json:"authOK"`
			RefreshToken flexString `json:"refreshToken"`
			Message      flexString `json:"message"`
		} `json:"auth"`
		Message flexString      `json:"message"`
		Info    json.RawMessage `json:"info"`
	}
	if sniffBody(env.Data) == bodyJSONObject {
		if err := json.Unmarshal(env.Data, &data); err != nil {
			return loginReply{}, loginProblem(err)
		}
	}
	r := loginReply{
		authOK:    data.Auth.AuthOK.Value,
		authFalse: data.Auth.AuthOK.Set && !data.Auth.AuthOK.Value,
		token:     data.Auth.RefreshToken.trimmed(),
	}
	for _, m := range []struct{ text, shape string }{
		{errorText(env.Error), ShapeErrorMessage},
		{errorText(env.Info), ShapeAuthInfo},
		{errorText(data.Info), ShapeAuthInfo},
		{plainText(string(env.Message)), ShapeOtherMessage},
		{plainText(string(data.Auth.Message)), ShapeOtherMessage},
		{plainText(string(data.Message)), ShapeOtherMessage},
	} {
		if m.text != "" {
			r.message, r.shape = m.text, m.shape
			break
		}
	}
	if r.shape == ShapeAuthInfo && !r.authFalse {
		r.shape = ShapeOtherMessage // "info" without authOK:false is not that shape
	}
	if sniffBody(data.UserData) == bodyJSONObject {
		var probe struct {
			Roles json.RawMessage `json:"roles"`
		}
		if err := json.Unmarshal(data.UserData, &r.user); err != nil {
			return loginReply{}, loginProblem(err)
		}
		_ = json.Unmarshal(data.UserData, &probe)
		r.hasUser = true
		r.hasRoles = len(probe.Roles) > 0 && string(probe.Roles) != "null"
	}
	return r, nil
}

// loginProblem is jsonProblem for a login answer, never retryable: a login
// is not a read to send again (each attempt may count towards the lockout,
// docs/protocol.md §2.1), even when its answer was cut short.
func loginProblem(err error) *ProtocolError {
	p := jsonProblem("login", err)
	p.Retryable = false
	return p
}

// check applies the four success conditions of docs/protocol.md §2.1 (the status was
// checked before): authOK, a numeric user id, and the auth cookie.
func (r loginReply) check(creds Credentials) (User, error) {
	if r.message != "" && !r.authOK {
		return User{}, loginRefusal(r.message, r.shape)
	}
	if r.authFalse {
		// An explicit refusal without words: not a password ahtui knows
		// was wrong, but a refusal all the same.
		return User{}, &LoginError{Cause: ErrLoginRefused, Reason: "authOK is false and no reason was given", Shape: ShapeAuthFalse}
	}
	if !r.authOK {
		return User{}, &LoginError{Cause: ErrLoginFailed, Reason: "authOK is not true"}
	}
	if !r.hasUser || !r.user.ID.Set || r.user.ID.Value <= 0 {
		return User{}, &ProtocolError{Endpoint: "login", Problem: "authOK without a numeric userData.id"}
	}
	if !creds.HasAuthCookie() {
		return User{}, &LoginError{Cause: ErrLoginFailed, Reason: "no " + AuthCookie + " cookie was set"}
	}
	return r.user.user(), nil
}

// errorText reads "error" (or "info") as {"message":…}, {"msg":…} or a
// plain string.
func errorText(raw json.RawMessage) string {
	if k := jsonKind(raw); k == "nothing" || k == "bool" || k == "null" {
		return ""
	}
	var s flexString
	if json.Unmarshal(raw, &s) == nil {
		return plainText(string(s))
	}
	var obj struct {
		Message flexString `json:"message"`
		Msg     flexString `json:"msg"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return plainText(firstNonEmpty(string(obj.Message), string(obj.Msg)))
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// Login failures carry text only (no code), except the fitbot fork's
// LOGIN_ERROR_LOGIN [ONE]. "demasiadas veces" and "incorrecto" are
// [LIVE]/[MULTI]; the English and Catalan variants are [GUESS]. Text
// matching neither is a refusal ahtui does not classify (ErrLoginRefused),
// kept verbatim.
var (
	lockoutText     = regexp.MustCompile(`(?i)demasiadas\s+veces|too\s+many|massa\s+vegades|masses\s+vegades`)
	wrongPasswdText = regexp.MustCompile(`(?i)incorrect|inv[aá]lid|LOGIN_ERROR_LOGIN|wrong\s+password|contrase[nñ]a\s+err[oó]nea`)
)

func loginRefusal(message, shape string) *LoginError {
	switch {
	case lockoutText.MatchString(message):
		return &LoginError{Cause: ErrTooManyAttempts, Message: message, Shape: shape}
	case wrongPasswdText.MatchString(message):
		return &LoginError{Cause: ErrBadCredentials, Message: message, Shape: shape}
	}
	return &LoginError{Cause: ErrLoginRefused, Message: message, Shape: shape}
}

// legacyLogin posts the old form (docs/protocol.md §2.2) and accepts the result only when
// the auth cookie is set and whoami names a user.
func (c *Client) legacyLogin(ctx context.Context, email, password, fingerprint string) (LoginResult, error) {
	form := "login=" + url.QueryEscape("Iniciar sesión") + "&loginiframe=0&loginfingerprint=" + url.QueryEscape(fingerprint) +
		"&mail=" + url.QueryEscape(email) + "&pw=" + url.QueryEscape(password)
	cl := &call{endpoint: "legacy-login", method: http.MethodPost, url: c.loginURL + "/", body: []byte(form),
		contentType: formContentType, origin: c.loginURL, referer: c.loginURL + "/"}
	ans, creds, err := c.do(ctx, cl, Credentials{Fingerprint: fingerprint})
	if err != nil {
		return LoginResult{}, err
	}
	switch {
	case ans.status == http.StatusForbidden || ans.status == http.StatusTooManyRequests:
		return LoginResult{}, blocked(cl, ans)
	case ans.status == http.StatusNotFound || ans.status == http.StatusMethodNotAllowed:
		return LoginResult{}, &LoginError{Cause: ErrLoginFailed,
			Reason: fmt.Sprintf("neither the JSON login nor the form exists (HTTP %d)", ans.status)}
	case ans.status >= 400 || ans.status < 200:
		return LoginResult{}, &HTTPError{Endpoint: cl.endpoint, Status: ans.status}
	}
	// A redirect is the portal form's success (docs/protocol.md §2.2): nothing to parse.
	if ans.status < 300 {
		if message := legacyLoginError(ans.body); message != "" {
			return LoginResult{}, loginRefusal(message, ShapeFormErrors)
		}
		if token, fp, ok := legacyRefreshFrame(ans.body); ok {
			creds.Token = token
			if fp != "" {
				creds.Fingerprint = fp
			}
		}
	}
	if !creds.HasAuthCookie() {
		// The "marketing page" answer: 200, no cookie (docs/protocol.md §0 timeline, [ONE]).
		return LoginResult{}, &LoginError{Cause: ErrLoginFailed, Reason: "the form login set no " + AuthCookie + " cookie"}
	}
	if creds.Token != "" {
		creds, err = c.SetRefresh(ctx, creds)
		if errors.Is(err, ErrLoggedOut) {
			return LoginResult{}, &LoginError{Cause: ErrLoginFailed, Reason: "setrefresh did not confirm the form login"}
		}
		if err != nil {
			return LoginResult{}, err
		}
	}
	user, creds, err := c.Whoami(ctx, creds)
	if errors.Is(err, ErrLoggedOut) {
		return LoginResult{}, &LoginError{Cause: ErrLoginFailed, Reason: "whoami did not confirm the form login"}
	}
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{User: user, Credentials: creds, Legacy: true}, nil
}

var (
	loginErrorsOpen = regexp.MustCompile(`(?is)<([a-z][a-z0-9]*)\b[^>]*\bid\s*=\s*["']loginErrors["'][^>]*>`)
	refreshFrame    = regexp.MustCompile(`(?is)<iframe[^>]*\ssrc\s*=\s*["']([^"']*setrefresh[^"']*)["']`)
)

// legacyLoginError returns the text of the form page's #loginErrors, ""
// when there is none or it is empty. Only the element's own content
// counts, up to its closing tag (nested elements of the same name
// included): an empty <span id="loginErrors"></span> is no error, whatever
// text follows it.
func legacyLoginError(body []byte) string {
	loc := loginErrorsOpen.FindSubmatchIndex(body)
	if loc == nil {
		return ""
	}
	if strings.HasSuffix(strings.TrimSpace(string(body[loc[0]:loc[1]-1])), "/") {
		return "" // <span id="loginErrors"/>
	}
	tag := strings.ToLower(string(body[loc[2]:loc[3]]))
	rest := string(body[loc[1]:min(len(body), loc[1]+2000)])
	inner := rest
	if end := closingTag(rest, tag); end >= 0 {
		inner = rest[:end]
	} else if len(inner) > 600 {
		inner = inner[:600]
	}
	return plainText(html.UnescapeString(inner))
}

// closingTag returns the index in s of the </tag> that closes an element
// whose start tag came just before s, or -1.
func closingTag(s, tag string) int {
	lower := strings.ToLower(s)
	depth := 0
	for i := 0; i < len(lower); {
		j := strings.IndexByte(lower[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		switch {
		case strings.HasPrefix(lower[i:], "</"+tag) && tagEnds(lower, i+2+len(tag)):
			if depth == 0 {
				return i
			}
			depth--
		case strings.HasPrefix(lower[i:], "<"+tag) && tagEnds(lower, i+1+len(tag)):
			depth++
		}
		i++
	}
	return -1
}

// tagEnds: the tag name ends at s[i] (not a longer name such as <spanx>).
func tagEnds(s string, i int) bool {
	return i >= len(s) || s[i] == '>' || s[i] == '/' || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'
}

// legacyRefreshFrame reads token and fingerprint from the
// <iframe src="…/setrefresh?token=…&fingerprint=…"> of a successful form
// login (absolute or relative URL, HTML-escaped ampersands).
func legacyRefreshFrame(body []byte) (token, fingerprint string, ok bool) {
	m := refreshFrame.FindSubmatch(body)
	if m == nil {
		return "", "", false
	}
	u, err := url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return "", "", false
	}
	q := u.Query()
	token = strings.TrimSpace(q.Get("token"))
	return token, strings.TrimSpace(q.Get("fingerprint")), token != ""
}
